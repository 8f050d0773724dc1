//! `borderwatch compare A B [INPUT...]`: two borders' incident rates per 100 km per year with
//! exact 95% intervals, their ratio, and warnings where the comparison is not fair. A front
//! over [`pipeline::compare`](crate::pipeline::compare).

use super::analysis_args::AnalysisArgs;
use super::{Cli, EXIT_OK, EXIT_SKIPPED, print};
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// First border id (e.g. AF-TJ).
    pub a: String,
    /// Second border id (e.g. AF-PK).
    pub b: String,
    /// Incident files; the shipped example when none.
    pub inputs: Vec<PathBuf>,
    /// Where to write the comparison table.
    #[arg(long, default_value = "output/comparison.csv")]
    pub output: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let job = args.analysis.job(cli, &args.inputs)?;
    let report = crate::pipeline::compare::compare(
        &job,
        &args.a,
        &args.b,
        &args.output,
        &mut super::log_unless_quiet(cli),
    )?;
    let code = if report.all_used() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    };
    if args.json {
        print(&(serde_json::to_string_pretty(&report.comparison)? + "\n"))?;
    } else if !cli.quiet {
        print(&report.text()?)?;
    }
    // As in `density`: the process ends next, and the system takes the memory back at once.
    std::mem::forget(report);
    Ok(code)
}
