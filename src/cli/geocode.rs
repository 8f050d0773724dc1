//! `borderwatch geocode INPUT...`: locates incident records and writes the point layer and the
//! unmatched report. Prints `N read, N located (by method…), N unmatched`; the counts add up.

use super::{Cli, EXIT_OK, EXIT_SKIPPED, load_geodata, print};
use crate::export::{incidents, write_atomic};
use anyhow::{Result, bail};
use std::fmt::Write;
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
    let geo = load_geodata(cli)?;
    let quiet = cli.quiet;
    let reading = args.input.options(args.strict)?;
    let prepared =
        crate::pipeline::ingest_and_geocode_with(&args.inputs, &geo, &reading, &mut |m| {
            if !quiet {
                eprintln!("{m}");
            }
        })?;
    let rows_read = prepared.rows_read;
    let unmatched = prepared.unmatched;
    let result = prepared.geocoded;
    if args.strict && !unmatched.is_empty() {
        let u = &unmatched[0];
        bail!(
            "strict mode: {}:{}: {} ({})",
            u.file,
            u.line,
            u.reason,
            u.tried
        );
    }
    write_atomic(
        &args.output,
        incidents::geojson(&result.located, crate::geodata::ATTRIBUTION)?.as_bytes(),
    )?;
    write_atomic(
        &args.unmatched,
        incidents::unmatched_csv(&unmatched)?.as_bytes(),
    )?;

    let by_method = result.counts_by_method();
    let located = result.located.len();
    debug_assert_eq!(rows_read as usize, located + unmatched.len());
    let mut s = String::new();
    if args.json {
        let methods: serde_json::Map<String, serde_json::Value> = by_method
            .iter()
            .map(|(m, n)| (m.as_str().to_string(), (*n).into()))
            .collect();
        let precisions: serde_json::Map<String, serde_json::Value> = result
            .counts_by_precision()
            .iter()
            .map(|(p, n)| (p.as_str().to_string(), (*n).into()))
            .collect();
        let v = serde_json::json!({"read": rows_read, "located": located, "unmatched": unmatched.len(),
            "by_method": methods, "by_precision": precisions,
            "output": args.output, "unmatched_report": args.unmatched});
        s = serde_json::to_string_pretty(&v)? + "\n";
    } else if !cli.quiet {
        let methods: Vec<String> = by_method
            .iter()
            .map(|(m, n)| format!("{n} {}", m.as_str()))
            .collect();
        writeln!(
            s,
            "{rows_read} read, {located} located ({}), {} unmatched",
            methods.join(", "),
            unmatched.len()
        )?;
        let precisions: Vec<String> = result
            .counts_by_precision()
            .iter()
            .map(|(p, n)| format!("{n} {}", p.as_str()))
            .collect();
        writeln!(s, "precision: {}", precisions.join(", "))?;
        let dups = result
            .located
            .iter()
            .filter(|l| !l.possible_duplicates.is_empty())
            .count();
        if dups > 0 {
            writeln!(
                s,
                "{dups} records flagged as possible duplicates (see possible_duplicates)"
            )?;
        }
        writeln!(
            s,
            "wrote {} and {}",
            args.output.display(),
            args.unmatched.display()
        )?;
    }
    print(&s)?;
    Ok(if unmatched.is_empty() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    })
}
