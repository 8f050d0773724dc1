//! The `compare` job: two borders' incident rates per 100 km per year with exact 95%
//! intervals, their ratio, and warnings where the comparison is not fair; written as
//! `comparison.csv`, reported as text or JSON.

use super::analysis::AnalysisJob;
use super::prepare::PreparedForAnalysis;
use super::{fixed3, ratio_with_interval};
use crate::density::compare::{Comparison, check_pair, compare as compare_pair};
use crate::density::{Analysis, AnalysisOptions, analyse_tables_in};
use crate::export::{tables, write_atomic};
use anyhow::Result;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What `compare` found.
pub struct CompareReport {
    pub prepared: PreparedForAnalysis,
    pub analysis: Analysis,
    pub options: AnalysisOptions,
    pub comparison: Comparison,
    /// The comparison table written.
    pub output: PathBuf,
}

/// Compares border `a` with border `b` on the job's inputs (messages to `log`) and writes the
/// comparison table to `output`. The pair is checked before any input is read: the same
/// border twice, an unknown id (named, with the valid ones) or one left out by the job's
/// borders is a usage error.
pub fn compare(
    job: &AnalysisJob,
    a: &str,
    b: &str,
    output: &Path,
    log: &mut dyn FnMut(&str),
) -> Result<CompareReport> {
    let check = |geo: &crate::geodata::GeoData, opts: &AnalysisOptions| {
        let ids: Vec<&str> = geo.borders.iter().map(|b| b.id.as_str()).collect();
        check_pair(a, b, &ids, &opts.borders).map_err(anyhow::Error::from)
    };
    let ready = job.prepare(Some(&check), log)?;
    let analysis = analyse_tables_in(&ready.incidents(), &ready.frame, &job.options);
    let c = compare_pair(&analysis, a, b)?;
    write_atomic(output, tables::comparison_csv(&c)?.as_bytes())?;
    Ok(CompareReport {
        prepared: ready.prepared,
        analysis,
        options: job.options.clone(),
        comparison: c,
        output: output.to_path_buf(),
    })
}

impl CompareReport {
    /// Whether every row read was used.
    pub fn all_used(&self) -> bool {
        self.prepared.unmatched.is_empty()
    }

    /// The report as text: the window, both rates, the ratio (or why there is none), the
    /// warnings and the file written.
    pub fn text(&self) -> Result<String> {
        let (a, c, opts) = (&self.analysis, &self.comparison, &self.options);
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
                fixed3(x.rate_per_100km_year),
                fixed3(x.ci_low),
                fixed3(x.ci_high)
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
                "rate ratio {} / {}: {}",
                c.a.border_id,
                c.b.border_id,
                ratio_with_interval(c)
            )?;
        }
        for w in &c.warnings {
            writeln!(s, "warning: {w}")?;
        }
        writeln!(s, "wrote {}", self.output.display())?;
        Ok(s)
    }
}
