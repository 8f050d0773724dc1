//! `borderwatch geocode INPUT...`: locates incident records and writes the point layer and the
//! unmatched report. Prints `N read, N located (by method…), N unmatched`; the counts add up.
//! A front over [`pipeline::geocode`](crate::pipeline::geocode).

use super::{Cli, EXIT_OK, EXIT_SKIPPED, print};
use crate::pipeline::geocode::GeocodeJob;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Incident files: native CSV/JSON/GeoJSON, or ACLED, UCDP GED or GTD CSV exports.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The GeoJSON point layer to write.
    #[arg(short, long, default_value = "output/incidents.geojson")]
    pub output: PathBuf,
    /// The unmatched report (CSV) to write.
    #[arg(long, default_value = "output/unmatched.csv")]
    pub unmatched: PathBuf,
    /// The review list (CSV) to write: every record whose place text was not matched as
    /// written (placed at its district, province or country; a close spelling; ambiguous)
    /// [default: review.csv beside the unmatched report].
    #[arg(long)]
    pub review: Option<PathBuf>,
    /// Treat any malformed or unmatched row as an error.
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub input: super::input_args::InputArgs,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let job = GeocodeJob {
        inputs: args.inputs.clone(),
        geodata: cli.geodata.clone(),
        reading: args.input.reading(),
        strict: args.strict,
        output: args.output.clone(),
        unmatched: args.unmatched.clone(),
        review: args
            .review
            .clone()
            .unwrap_or_else(|| args.unmatched.with_file_name("review.csv")),
    };
    let report = crate::pipeline::geocode::geocode(&job, &mut super::log_unless_quiet(cli))?;
    let s = if args.json {
        serde_json::to_string_pretty(&report.json())? + "\n"
    } else if !cli.quiet {
        report.text()?
    } else {
        String::new()
    };
    print(&s)?;
    Ok(if report.all_used() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    })
}
