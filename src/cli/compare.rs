//! `borderwatch compare A B [INPUT...]`: two borders' incident rates per 100 km per year with
//! exact 95% intervals, their ratio, and warnings where the comparison is not fair.

use super::analysis_args::AnalysisArgs;
use super::{Cli, EXIT_OK, EXIT_SKIPPED, print};
use crate::density::analyse;
use crate::density::compare::{check_pair, compare};
use crate::export::{tables, write_atomic};
use anyhow::Result;
use std::fmt::Write;
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

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into())
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    // The pair is checked before any input is read: the same border twice, an unknown id
    // (named, with the valid ones) or one left out by --borders is a usage error.
    let check_pair = |geo: &crate::geodata::GeoData, opts: &crate::density::AnalysisOptions| {
        let ids: Vec<&str> = geo.borders.iter().map(|b| b.id.as_str()).collect();
        check_pair(&args.a, &args.b, &ids, &opts.borders).map_err(anyhow::Error::from)
    };
    let (geo, opts, prepared) = args
        .analysis
        .prepare(cli, &args.inputs, Some(&check_pair))?;
    let a = analyse(&prepared.located, &geo, &opts);
    let c = compare(&a, &args.a, &args.b)?;
    write_atomic(&args.output, tables::comparison_csv(&c)?.as_bytes())?;
    let code = if prepared.unmatched.is_empty() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    };
    if args.json {
        print(&(serde_json::to_string_pretty(&c)? + "\n"))?;
        return Ok(code);
    }
    let mut s = String::new();
    if let (Some(w), Some(y)) = (a.window, a.years) {
        writeln!(
            s,
            "window {} to {} ({y:.2} years), corridor {} km, lengths {}",
            w.0,
            w.1,
            opts.corridor_km,
            opts.length_basis.as_str()
        )?;
    }
    for x in [&c.a, &c.b] {
        writeln!(
            s,
            "{:<7} {:>8.2} events over {:>7.1} km: {} per 100 km per year (95% CI {} – {})",
            x.border_id,
            x.events,
            x.length_km,
            opt(x.rate_per_100km_year),
            opt(x.ci_low),
            opt(x.ci_high)
        )?;
    }
    if !c.comparable {
        writeln!(
            s,
            "not comparable, so no rate ratio: {}",
            c.not_comparable.join("; ")
        )?;
    } else {
        writeln!(
            s,
            "rate ratio {} / {}: {} (95% CI {} – {})",
            c.a.border_id,
            c.b.border_id,
            opt(c.ratio),
            opt(c.ratio_low),
            c.ratio_high
                .map(|v| format!("{v:.3}"))
                .unwrap_or_else(|| "unbounded".into())
        )?;
    }
    for w in &c.warnings {
        writeln!(s, "warning: {w}")?;
    }
    writeln!(s, "wrote {}", args.output.display())?;
    if !cli.quiet {
        print(&s)?;
    }
    Ok(code)
}
