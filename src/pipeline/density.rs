//! The `density` job: incidents per border, sector and segment, per 100 km and per year with
//! 95% intervals, written as CSV tables, and its report (a text table or JSON).

use super::analysis::AnalysisJob;
use super::fixed3;
use super::prepare::PreparedForAnalysis;
use crate::density::{Analysis, AnalysisOptions, analyse_tables_in};
use crate::export::{tables, write_atomic};
use anyhow::Result;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What `density` found.
pub struct DensityReport {
    pub prepared: PreparedForAnalysis,
    pub analysis: Analysis,
    pub options: AnalysisOptions,
    /// The folder the tables were written to.
    pub out: PathBuf,
}

/// Reads, places and analyses the inputs (messages to `log`), and writes `segments.csv`,
/// `sectors.csv`, `borders.csv`, `by_event_type.csv` and `by_period.csv` into `out`.
pub fn density(job: &AnalysisJob, out: &Path, log: &mut dyn FnMut(&str)) -> Result<DensityReport> {
    let ready = job.prepare(None, log)?;
    let a = analyse_tables_in(&ready.incidents(), &ready.frame, &job.options);
    write_atomic(
        &out.join("segments.csv"),
        tables::segments_csv(&a)?.as_bytes(),
    )?;
    write_atomic(
        &out.join("sectors.csv"),
        tables::sectors_csv(&a)?.as_bytes(),
    )?;
    write_atomic(
        &out.join("borders.csv"),
        tables::borders_csv(&a)?.as_bytes(),
    )?;
    write_atomic(
        &out.join("by_event_type.csv"),
        tables::breakdown_csv(&a.by_type, "event_type")?.as_bytes(),
    )?;
    write_atomic(
        &out.join("by_period.csv"),
        tables::breakdown_csv(&a.by_period, "period")?.as_bytes(),
    )?;
    Ok(DensityReport {
        prepared: ready.prepared,
        analysis: a,
        options: job.options.clone(),
        out: out.to_path_buf(),
    })
}

impl DensityReport {
    /// Whether every row read was used.
    pub fn all_used(&self) -> bool {
        self.prepared.unmatched.is_empty()
    }

    /// The report as JSON: counts, window, weights, and per border its tally, rates,
    /// sectors and segments.
    pub fn json(&self) -> serde_json::Value {
        let (prepared, a) = (&self.prepared, &self.analysis);
        let located = &prepared.located;
        serde_json::json!({
            "read": prepared.rows_read, "located": located.len(), "unmatched": prepared.unmatched.len(),
            "window": a.window.map(|w| [w.0.to_string(), w.1.to_string()]), "years": a.years,
            "weight_in": a.weight_in, "weight_in_segments": a.weight_in_segments, "weight_outside": a.weight_outside,
            "excluded": a.excluded, "options": a.options,
            "borders": a.borders.iter().map(|b| serde_json::json!({
                "border_id": b.border.id, "tally": b.tally, "rates": b.rates,
                "sectors": b.sectors.iter().map(|s| serde_json::json!({"sector_id": s.unit.id, "km_from": s.unit.km_from, "km_to": s.unit.km_to, "tally": s.tally, "rates": s.rates})).collect::<Vec<_>>(),
                "segments": b.segments.iter().map(|s| serde_json::json!({"segment_id": s.unit.id, "km_from": s.unit.km_from, "km_to": s.unit.km_to, "provinces": s.unit.provinces, "events_weighted": s.tally.events_weighted, "events_raw": s.tally.events_raw, "per_100km_per_year": s.rates.per_100km_per_year, "hotspot": s.hotspot.map(|h| h.hotspot), "hotspot_q": s.hotspot.map(|h| h.q_value)})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    /// The report as text: counts, window and options, each border's figures, the sectors
    /// with incidents, the `top` densest segments and the hotspots.
    pub fn text(&self, top: usize) -> Result<String> {
        let (prepared, a, opts) = (&self.prepared, &self.analysis, &self.options);
        let located = &prepared.located;
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
                fixed3(b.rates.per_100km_per_year),
                fixed3(b.rates.ci_low),
                fixed3(b.rates.ci_high)
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
                    fixed3(sec.rates.per_100km_per_year)
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
        for seg in segs.iter().take(top) {
            writeln!(
                s,
                "  {:<12} km {:>7.1}–{:<7.1} events {:>7.2} (raw {:.0})  per 100 km/yr {}  [{}]{}",
                seg.unit.id,
                seg.unit.km_from,
                seg.unit.km_to,
                seg.tally.events_weighted,
                seg.tally.events_raw,
                fixed3(seg.rates.per_100km_per_year),
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
            self.out.display()
        )?;
        Ok(s)
    }
}
