//! The `geocode` job: locates incident records and writes the point layer and the unmatched
//! report; its report says `N read, N located (by method…), N unmatched`, and the counts add
//! up.

use super::config::Reading;
use super::prepare::ingest_and_geocode_with;
use super::refuse_if_strict;
use crate::export::{incidents, write_atomic, write_atomic_with};
use crate::geocode::Geocoded;
use crate::model::Unmatched;
use anyhow::Result;
use std::fmt::Write;
use std::path::PathBuf;

/// Records to locate and where to write them.
#[derive(Debug, Clone, Default)]
pub struct GeocodeJob {
    pub inputs: Vec<PathBuf>,
    /// The geodata folder (the copy built in when `None`).
    pub geodata: Option<PathBuf>,
    pub reading: Reading,
    /// Any malformed or unmatched row is an error.
    pub strict: bool,
    /// The GeoJSON point layer to write.
    pub output: PathBuf,
    /// The unmatched report (CSV) to write.
    pub unmatched: PathBuf,
    /// The review list (CSV) to write: records not placed as written.
    pub review: PathBuf,
}

/// What `geocode` did.
pub struct GeocodeReport {
    pub rows_read: u64,
    /// Malformed rows, then the records that could not be placed.
    pub unmatched: Vec<Unmatched>,
    pub geocoded: Geocoded,
    pub output: PathBuf,
    pub unmatched_report: PathBuf,
    pub review_report: PathBuf,
}

/// Reads and locates the job's inputs (messages to `log`), and writes the point layer and
/// the unmatched report.
pub fn geocode(job: &GeocodeJob, log: &mut dyn FnMut(&str)) -> Result<GeocodeReport> {
    let geo = super::load_geodata(
        job.geodata.as_deref(),
        job.reading.places.as_deref(),
        None,
        log,
    )?;
    let reading = job.reading.options(job.strict)?;
    let prepared = ingest_and_geocode_with(&job.inputs, &geo, &reading, log)?;
    let unmatched = prepared.unmatched;
    let result = prepared.geocoded;
    refuse_if_strict(job.strict, &unmatched)?;
    super::refuse_review_if_strict(job.strict, &result.located)?;
    // Streamed: built whole first, the layer of 500,000 UCDP rows (1.2 GB) doubled the
    // command's memory.
    write_atomic_with(&job.output, |w| {
        incidents::write_geojson(w, &result.located, crate::geodata::ATTRIBUTION)
    })?;
    write_atomic(
        &job.unmatched,
        incidents::unmatched_csv(&unmatched)?.as_bytes(),
    )?;
    write_atomic(
        &job.review,
        crate::export::review::review_csv(&result.located)?.as_bytes(),
    )?;
    debug_assert_eq!(
        prepared.rows_read as usize,
        result.located.len() + unmatched.len()
    );
    Ok(GeocodeReport {
        rows_read: prepared.rows_read,
        unmatched,
        geocoded: result,
        output: job.output.clone(),
        unmatched_report: job.unmatched.clone(),
        review_report: job.review.clone(),
    })
}

/// Records to review, by kind, as a JSON object.
fn review_counts(located: &[crate::model::LocatedIncident]) -> serde_json::Value {
    crate::geocode::review::counts(located)
        .iter()
        .map(|(k, n)| (k.as_str().to_string(), serde_json::Value::from(*n)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

impl GeocodeReport {
    /// Whether every row read was located.
    pub fn all_used(&self) -> bool {
        self.unmatched.is_empty()
    }

    /// The report as JSON: counts by method and by precision, and the files written.
    pub fn json(&self) -> serde_json::Value {
        let methods: serde_json::Map<String, serde_json::Value> = self
            .geocoded
            .counts_by_method()
            .iter()
            .map(|(m, n)| (m.as_str().to_string(), (*n).into()))
            .collect();
        let precisions: serde_json::Map<String, serde_json::Value> = self
            .geocoded
            .counts_by_precision()
            .iter()
            .map(|(p, n)| (p.as_str().to_string(), (*n).into()))
            .collect();
        serde_json::json!({"read": self.rows_read, "located": self.geocoded.located.len(), "unmatched": self.unmatched.len(),
            "by_method": methods, "by_precision": precisions,
            "review": review_counts(&self.geocoded.located),
            "output": self.output, "unmatched_report": self.unmatched_report,
            "review_report": self.review_report})
    }

    /// The report as text: counts by method and by precision, possible duplicates, and the
    /// files written.
    pub fn text(&self) -> Result<String> {
        let result = &self.geocoded;
        let located = result.located.len();
        let mut s = String::new();
        let methods: Vec<String> = result
            .counts_by_method()
            .iter()
            .map(|(m, n)| format!("{n} {}", m.as_str()))
            .collect();
        writeln!(
            s,
            "{} read, {located} located ({}), {} unmatched",
            self.rows_read,
            methods.join(", "),
            self.unmatched.len()
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
        let review_name = self.review_report.display().to_string();
        if let Some(line) = crate::geocode::review::summary_line(&result.located, &review_name) {
            writeln!(s, "to review: {line}")?;
        }
        writeln!(
            s,
            "wrote {}, {} and {}",
            self.output.display(),
            self.unmatched_report.display(),
            self.review_report.display()
        )?;
        Ok(s)
    }
}
