//! The pipeline's front half as one call: read every input, geocode every record, and keep
//! every row accounted for (located, or unmatched with its reason). Subcommands and the main
//! job share it so they cannot disagree about what was read.

use crate::density::columns::IncidentColumns;
use crate::geocode::{Geocoded, duplicates, locate_all};
use crate::geodata::GeoData;
use crate::ingest::{self, IngestOptions};
use crate::model::{IncidentRecord, LocatedIncident, Unmatched};
use anyhow::Result;
use std::path::PathBuf;

/// The shipped example incidents, compiled in so the main job runs from any directory.
pub const EXAMPLE_NAME: &str = "geodata/incidents/example_2025_2026.csv";
pub const EXAMPLE_CSV: &[u8] = include_bytes!("../geodata/incidents/example_2025_2026.csv");

/// Records read, located and unmatched. `rows_read == located.len() + unmatched.len()`.
#[derive(Debug, Default)]
pub struct Prepared {
    pub rows_read: u64,
    pub geocoded: Geocoded,
    /// Malformed rows and records that could not be placed, in input order.
    pub unmatched: Vec<Unmatched>,
    /// Input files as named in messages (the example when none was given).
    pub inputs: Vec<String>,
    pub warnings: Vec<String>,
}

/// Reads the inputs (the shipped example when `inputs` is empty) and geocodes them.
/// Messages about skipped rows go to `log` as they are found.
pub fn ingest_and_geocode(
    inputs: &[PathBuf],
    geo: &GeoData,
    strict: bool,
    log: &mut dyn FnMut(&str),
) -> Result<Prepared> {
    let mut located: Vec<LocatedIncident> = Vec::new();
    let accounted = ingest_and_locate(inputs, geo, strict, log, &mut |mut batch| {
        if located.is_empty() {
            located = batch;
        } else {
            located.append(&mut batch);
        }
    })?;
    // The duplicate check runs over every file's records together.
    duplicates::flag(&mut located);
    let out = Prepared {
        rows_read: accounted.rows_read,
        geocoded: Geocoded {
            located,
            unmatched: accounted.geocode_unmatched,
        },
        unmatched: accounted.unmatched,
        inputs: accounted.inputs,
        warnings: accounted.warnings,
    };
    debug_assert_eq!(
        out.rows_read as usize,
        out.geocoded.located.len() + out.unmatched.len()
    );
    Ok(out)
}

/// Records read and accounted for, keeping of each located incident only what the analysis
/// reads (for `density` and `compare`, which write no records).
/// `rows_read == located.len() + unmatched.len()`.
#[derive(Debug, Default)]
pub struct PreparedForAnalysis {
    pub rows_read: u64,
    pub located: IncidentColumns,
    /// Malformed rows and records that could not be placed.
    pub unmatched: Vec<Unmatched>,
    pub inputs: Vec<String>,
    pub warnings: Vec<String>,
}

/// [`ingest_and_geocode`] for an analysis: each batch of located incidents is reduced to
/// its analysed fields as it is placed, so memory grows by about 100 bytes per incident,
/// not 0.8 KB. There is no duplicate check (the analysis does not read it).
pub fn ingest_for_analysis(
    inputs: &[PathBuf],
    geo: &GeoData,
    strict: bool,
    log: &mut dyn FnMut(&str),
) -> Result<PreparedForAnalysis> {
    let mut located = IncidentColumns::new();
    let accounted = ingest_and_locate(inputs, geo, strict, log, &mut |batch| {
        located.extend_from(batch)
    })?;
    debug_assert_eq!(
        accounted.rows_read as usize,
        located.len() + accounted.unmatched.len()
    );
    Ok(PreparedForAnalysis {
        rows_read: accounted.rows_read,
        located,
        unmatched: accounted.unmatched,
        inputs: accounted.inputs,
        warnings: accounted.warnings,
    })
}

/// Everything but the located incidents, which went to the caller batch by batch.
struct Accounted {
    rows_read: u64,
    /// Malformed rows (file by file), then records that could not be placed (input order).
    unmatched: Vec<Unmatched>,
    /// The records that could not be placed, alone.
    geocode_unmatched: Vec<Unmatched>,
    inputs: Vec<String>,
    warnings: Vec<String>,
}

/// Reads each input, geocoding its records a batch at a time as they are read (so the whole
/// file's records are never held), and hands each batch's located incidents to `keep`, in
/// input order.
fn ingest_and_locate(
    inputs: &[PathBuf],
    geo: &GeoData,
    strict: bool,
    log: &mut dyn FnMut(&str),
    keep: &mut dyn FnMut(Vec<LocatedIncident>),
) -> Result<Accounted> {
    let opts = IngestOptions { strict };
    let mut out = Accounted {
        rows_read: 0,
        unmatched: Vec::new(),
        geocode_unmatched: Vec::new(),
        inputs: Vec::new(),
        warnings: Vec::new(),
    };
    let mut geocode_unmatched = Vec::new();
    let mut locate = |records: Vec<IncidentRecord>| {
        let mut g = locate_all(records, geo);
        geocode_unmatched.append(&mut g.unmatched);
        keep(g.located);
    };
    let mut read = |input: Option<&PathBuf>| match input {
        None => ingest::read_bytes_in_batches(EXAMPLE_NAME, EXAMPLE_CSV, &opts, &mut locate),
        Some(path) => ingest::read_path_in_batches(path, &opts, &mut locate),
    };
    let files: Vec<Option<&PathBuf>> = if inputs.is_empty() {
        vec![None]
    } else {
        inputs.iter().map(Some).collect()
    };
    for input in files {
        let ing = read(input)?;
        out.rows_read += ing.rows_read;
        out.inputs.push(ing.file.clone());
        for w in &ing.warnings {
            out.warnings.push(w.to_string());
            log(&format!("warning: {w}"));
        }
        for p in ing.skipped {
            log(&format!("skipped: {p}"));
            out.unmatched.push(Unmatched {
                reason: match &p.column {
                    Some(c) => format!("malformed row: column {c}: {}", p.reason),
                    None => format!("malformed row: {}", p.reason),
                },
                file: p.file,
                line: p.line,
                id: None,
                tried: p.text.unwrap_or_default(),
                suggestions: Vec::new(),
            });
        }
    }
    for u in &geocode_unmatched {
        log(&format!(
            "unmatched: {}:{}: {} ({})",
            u.file, u.line, u.reason, u.tried
        ));
    }
    out.unmatched.extend(geocode_unmatched.iter().cloned());
    out.geocode_unmatched = geocode_unmatched;
    Ok(out)
}
