//! The main job's summary: records read, located by precision and unmatched; the window;
//! each border's rate with its interval; the comparison; the files written. As text (printed,
//! and `summary.txt`) and as JSON (`--json`, and `summary.json`).

use super::run::Made;
use super::{fixed3, ratio_with_interval};
use anyhow::Result;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The summary as text and as JSON. `written` are the files written so far (sorted); `out`
/// the output folder; `surface` whether a density surface was made.
pub(super) fn summary(
    made: &Made<'_>,
    out: &Path,
    written: &[PathBuf],
    surface: bool,
) -> Result<(String, serde_json::Value)> {
    let (prepared, analysis, opts) = (made.prepared, made.analysis, made.opts);
    let located = &prepared.geocoded.located;
    let comparison = made.comparison;
    let by_precision = prepared.geocoded.counts_by_precision();
    // One pass over the incidents for the line and the JSON.
    let review = crate::geocode::review::counts(located);
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
    if let Some(line) = crate::geocode::review::summary_line_of(&review, "review.csv") {
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
