//! The pipeline's front half as one call: read every input, geocode every record, and keep
//! every row accounted for (located, or unmatched with its reason). Subcommands and the main
//! job share it so they cannot disagree about what was read.

use crate::geocode::{Geocoded, duplicates, locate_all};
use crate::geodata::GeoData;
use crate::ingest::{self, IngestOptions};
use crate::model::Unmatched;
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
    let opts = IngestOptions { strict };
    let mut files = Vec::new();
    if inputs.is_empty() {
        files.push(ingest::read_bytes(EXAMPLE_NAME, EXAMPLE_CSV, &opts)?);
    }
    for input in inputs {
        files.push(ingest::read_path(input, &opts)?);
    }
    let mut out = Prepared::default();
    for ing in files {
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
        // Each file's records are located (and freed as they are placed) in turn; the
        // duplicate check then runs over all of them together.
        let mut g = locate_all(ing.records, geo);
        if out.geocoded.located.is_empty() {
            out.geocoded.located = g.located;
        } else {
            out.geocoded.located.append(&mut g.located);
        }
        out.geocoded.unmatched.append(&mut g.unmatched);
    }
    duplicates::flag(&mut out.geocoded.located);
    for u in &out.geocoded.unmatched {
        log(&format!(
            "unmatched: {}:{}: {} ({})",
            u.file, u.line, u.reason, u.tried
        ));
    }
    out.unmatched.extend(out.geocoded.unmatched.iter().cloned());
    debug_assert_eq!(
        out.rows_read as usize,
        out.geocoded.located.len() + out.unmatched.len()
    );
    Ok(out)
}
