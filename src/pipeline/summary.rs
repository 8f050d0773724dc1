//! The main job's summary: records read, located by precision and unmatched; the window;
//! each border's rate with its interval; the comparison; the files written. As text (printed,
//! and `summary.txt`) and as JSON (`--json`, and `summary.json`).

use super::run::Made;
use super::{Prepared, fixed3, ratio_with_interval};
use crate::model::{PrecisionClass, ReviewKind};
use anyhow::Result;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What the summary counts over every located incident: by precision, and what is to be
/// reviewed. Made apart from the rest of the summary so that `run` can count while it
/// writes its layers and maps: counted after them, on a million incidents it was about
/// 50 ms on one core at the very end of the run, the other idle (`perf`).
pub(super) struct Counts {
    by_precision: BTreeMap<PrecisionClass, usize>,
    review: BTreeMap<ReviewKind, usize>,
}

impl Counts {
    pub(super) fn of(prepared: &Prepared) -> Counts {
        Counts {
            by_precision: prepared.geocoded.counts_by_precision(),
            // One pass over the incidents for the line and the JSON.
            review: crate::geocode::review::counts(&prepared.geocoded.located),
        }
    }
}

/// The summary as text and as JSON. `counts` are [`Counts::of`] `made`'s incidents;
/// `written` are the files written so far (sorted); `out` the output folder; `surface`
/// whether a density surface was made.
pub(super) fn summary(
    made: &Made<'_>,
    counts: &Counts,
    out: &Path,
    written: &[PathBuf],
    surface: bool,
) -> Result<(String, serde_json::Value)> {
    let (prepared, analysis, opts) = (made.prepared, made.analysis, made.opts);
    let located = &prepared.geocoded.located;
    let comparison = made.comparison;
    let Counts {
        by_precision,
        review,
    } = counts;
    let mut s = String::new();
    writeln!(
        s,
        "{} read, {} located ({}), {} unmatched",
        prepared.rows_read,
        located.len(),
        by_precision
            .iter()
            .map(|(p, n)| format!("{n} {}", p.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
        prepared.unmatched.len()
    )?;
    if let Some(line) = crate::geocode::review::summary_line_of(review, "review.csv") {
        writeln!(s, "to review: {line}")?;
    }
    if let (Some(w), Some(y)) = (analysis.window, analysis.years) {
        writeln!(
            s,
            "window {} to {} ({y:.2} years); corridor {} km; lengths {}",
            w.0,
            w.1,
            opts.corridor_km,
            opts.length_basis.as_str()
        )?;
    }
    for (why, n) in &analysis.excluded {
        writeln!(
            s,
            "left out: {n} ({why}); see analysis_excluded in incidents.geojson"
        )?;
    }
    for b in &analysis.borders {
        writeln!(
            s,
            "{:<7} {:>8.2} events  {} per 100 km per year (95% CI {} – {})",
            b.border.id,
            b.tally.events_weighted,
            fixed3(b.rates.per_100km_per_year),
            fixed3(b.rates.ci_low),
            fixed3(b.rates.ci_high)
        )?;
    }
    if let Some(c) = comparison.filter(|c| !c.comparable) {
        writeln!(
            s,
            "{} / {} not comparable, so no rate ratio: {}; {} warnings in comparison.csv",
            c.a.border_id,
            c.b.border_id,
            c.not_comparable.join("; "),
            c.warnings.len()
        )?;
    } else if let Some(c) = comparison {
        writeln!(
            s,
            "rate ratio {} / {}: {}; {} warnings in comparison.csv",
            c.a.border_id,
            c.b.border_id,
            ratio_with_interval(c),
            c.warnings.len()
        )?;
    }
    writeln!(s, "outputs in {}/:", out.display())?;
    for p in written {
        writeln!(
            s,
            "  {}",
            p.file_name().and_then(|n| n.to_str()).unwrap_or("")
        )?;
    }
    if surface {
        writeln!(s, "density surface: {} isobands", made.bands.len())?;
    }
    let json = serde_json::json!({
        "read": prepared.rows_read,
        "located": located.len(),
        "unmatched": prepared.unmatched.len(),
        "review": review.iter().map(|(k, n)| (k.as_str().to_string(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>(),
        "by_precision": by_precision.iter().map(|(p, n)| (p.as_str().to_string(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>(),
        "borders": analysis.borders.iter().map(|b| serde_json::json!({
            "border_id": b.border.id, "events": b.tally.events_weighted,
            "per_100km_per_year": b.rates.per_100km_per_year, "ci_low": b.rates.ci_low, "ci_high": b.rates.ci_high})).collect::<Vec<_>>(),
        "comparison": comparison,
        "outputs": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    });
    Ok((s, json))
}
