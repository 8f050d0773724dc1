//! `borderwatch density [INPUT...]`: incidents per border, sector and segment, per 100 km and
//! per year with 95% intervals; writes the tables as CSV.

use super::analysis_args::AnalysisArgs;
use super::{Cli, EXIT_OK, EXIT_SKIPPED, print};
use crate::density::analyse;
use crate::export::{tables, write_atomic};
use anyhow::Result;
use std::fmt::Write;
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

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|x| format!("{x:.digits$}"))
        .unwrap_or_else(|| "-".into())
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let (geo, opts, prepared) = args.analysis.prepare(cli, &args.inputs, None)?;
    let located = &prepared.located;
    let a = analyse(located, &geo, &opts);
    write_atomic(
        &args.out.join("segments.csv"),
        tables::segments_csv(&a)?.as_bytes(),
    )?;
    write_atomic(
        &args.out.join("sectors.csv"),
        tables::sectors_csv(&a)?.as_bytes(),
    )?;
    write_atomic(
        &args.out.join("borders.csv"),
        tables::borders_csv(&a)?.as_bytes(),
    )?;
    write_atomic(
        &args.out.join("by_event_type.csv"),
        tables::breakdown_csv(&a.by_type, "event_type")?.as_bytes(),
    )?;
    write_atomic(
        &args.out.join("by_period.csv"),
        tables::breakdown_csv(&a.by_period, "period")?.as_bytes(),
    )?;

    if args.json {
        let v = serde_json::json!({
            "read": prepared.rows_read, "located": located.len(), "unmatched": prepared.unmatched.len(),
            "window": a.window.map(|w| [w.0.to_string(), w.1.to_string()]), "years": a.years,
            "weight_in": a.weight_in, "weight_in_segments": a.weight_in_segments, "weight_outside": a.weight_outside,
            "excluded": a.excluded, "options": a.options,
            "borders": a.borders.iter().map(|b| serde_json::json!({
                "border_id": b.border.id, "tally": b.tally, "rates": b.rates,
                "sectors": b.sectors.iter().map(|s| serde_json::json!({"sector_id": s.unit.id, "km_from": s.unit.km_from, "km_to": s.unit.km_to, "tally": s.tally, "rates": s.rates})).collect::<Vec<_>>(),
                "segments": b.segments.iter().map(|s| serde_json::json!({"segment_id": s.unit.id, "km_from": s.unit.km_from, "km_to": s.unit.km_to, "provinces": s.unit.provinces, "events_weighted": s.tally.events_weighted, "events_raw": s.tally.events_raw, "per_100km_per_year": s.rates.per_100km_per_year, "hotspot": s.hotspot.map(|h| h.hotspot), "hotspot_q": s.hotspot.map(|h| h.q_value)})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        print(&(serde_json::to_string_pretty(&v)? + "\n"))?;
        return Ok(if prepared.unmatched.is_empty() {
            EXIT_OK
        } else {
            EXIT_SKIPPED
        });
    }
    let mut s = String::new();
    writeln!(
        s,
        "{} read, {} located, {} unmatched",
        prepared.rows_read,
        located.len(),
        prepared.unmatched.len()
    )?;
    match (a.window, a.years) {
        (Some(w), Some(y)) => writeln!(s, "window {} to {} ({y:.2} years)", w.0, w.1)?,
        _ => writeln!(s, "no dated records: no per-year rates")?,
    }
    writeln!(
        s,
        "corridor {} km ({}), segments {} km, lengths {}; weight {:.1}: {:.1} in segments, {:.1} outside the corridor",
        opts.corridor_km,
        format!("{:?}", opts.corridor_side).to_lowercase(),
        opts.segment_km,
        opts.length_basis.as_str(),
        a.weight_in,
        a.weight_in_segments,
        a.weight_outside
    )?;
    for (why, n) in &a.excluded {
        writeln!(s, "left out: {n} ({why})")?;
    }
    writeln!(
        s,
        "\n{:<7} {:>9} {:>8} {:>9} {:>11} {:>22}",
        "border", "length", "events", "raw", "per 100 km", "per 100 km/yr (95% CI)"
    )?;
    for b in &a.borders {
        writeln!(
            s,
            "{:<7} {:>9.1} {:>8.2} {:>9.0} {:>11.3} {:>8} ({} – {})",
            b.border.id,
            b.rates.length_km,
            b.tally.events_weighted,
            b.tally.events_raw,
            b.rates.per_100km,
            opt(b.rates.per_100km_per_year, 3),
            opt(b.rates.ci_low, 3),
            opt(b.rates.ci_high, 3)
        )?;
    }
    writeln!(
        s,
        "\nsectors (either side; an incident counts for both sides' sectors on its stretch):"
    )?;
    for b in &a.borders {
        for sec in b.sectors.iter().filter(|x| x.tally.events_weighted > 0.005) {
            writeln!(
                s,
                "  {:<40} km {:>7.1}–{:<7.1} events {:>7.2}  per 100 km/yr {}",
                sec.unit.id,
                sec.unit.km_from,
                sec.unit.km_to,
                sec.tally.events_weighted,
                opt(sec.rates.per_100km_per_year, 3)
            )?;
        }
    }
    let mut segs: Vec<_> = a
        .borders
        .iter()
        .flat_map(|b| &b.segments)
        .filter(|x| x.tally.events_weighted > 0.0)
        .collect();
    segs.sort_by(|x, y| {
        y.tally
            .events_weighted
            .total_cmp(&x.tally.events_weighted)
            .then(x.unit.id.cmp(&y.unit.id))
    });
    writeln!(s, "\ndensest segments:")?;
    for seg in segs.iter().take(args.top) {
        writeln!(
            s,
            "  {:<12} km {:>7.1}–{:<7.1} events {:>7.2} (raw {:.0})  per 100 km/yr {}  [{}]{}",
            seg.unit.id,
            seg.unit.km_from,
            seg.unit.km_to,
            seg.tally.events_weighted,
            seg.tally.events_raw,
            opt(seg.rates.per_100km_per_year, 3),
            seg.unit.provinces.join(", "),
            match seg.hotspot {
                Some(h) if h.hotspot => format!("  hotspot (q {:.2e})", h.q_value),
                _ => String::new(),
            }
        )?;
    }
    let hot: Vec<&str> = segs
        .iter()
        .filter(|x| x.is_hotspot())
        .map(|x| x.unit.id.as_str())
        .collect();
    writeln!(
        s,
        "\nhotspots (count above the border's rate, exact Poisson test, Benjamini–Hochberg q ≤ 0.05): {}",
        if hot.is_empty() {
            "none".to_string()
        } else {
            hot.join(", ")
        }
    )?;
    writeln!(
        s,
        "\nwrote segments.csv, sectors.csv, borders.csv, by_event_type.csv, by_period.csv in {}",
        args.out.display()
    )?;
    if !cli.quiet {
        print(&s)?;
    }
    Ok(if prepared.unmatched.is_empty() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    })
}
