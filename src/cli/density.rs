//! `borderwatch density [INPUT...]`: incidents per border, sector and segment, per 100 km and
//! per year with 95% intervals; writes the tables as CSV. A front over
//! [`pipeline::density`](crate::pipeline::density).

use super::analysis_args::AnalysisArgs;
use super::{Cli, EXIT_OK, EXIT_SKIPPED, print};
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Incident files (native, ACLED, UCDP GED, GTD); the shipped example when none.
    pub inputs: Vec<PathBuf>,
    /// Folder for the CSV tables.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// How many of the densest segments to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let job = args.analysis.job(cli, &args.inputs)?;
    let report =
        crate::pipeline::density::density(&job, &args.out, &mut super::log_unless_quiet(cli))?;
    if args.json {
        print(&(serde_json::to_string_pretty(&report.json())? + "\n"))?;
    } else if !cli.quiet {
        print(&report.text(args.top)?)?;
    }
    let status = if report.all_used() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    };
    // The process ends next: the system takes back the report's memory at once, where
    // dropping a million incidents' columns and placements piece by piece took its time.
    std::mem::forget(report);
    Ok(status)
}
