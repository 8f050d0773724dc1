//! What the analysing jobs (`density`, `compare`) start with: the geodata (with the user's
//! border lines if given), the inputs read and geocoded keeping only what the analysis reads
//! of each incident, and the checks of the request that need the borders or the inputs.

use super::config::Reading;
use super::prepare::{PreparedForAnalysis, ingest_for_analysis_watched};
use super::usage;
use crate::density::columns::IncidentColumns;
use crate::density::nearest::{EarlyNearest, WithEarly};
use crate::density::{AnalysisOptions, BorderFrame};
use crate::geodata::GeoData;
use anyhow::Result;
use std::path::PathBuf;

/// An analysis to run: on which inputs, with which geodata and options.
#[derive(Debug, Clone, Default)]
pub struct AnalysisJob {
    /// Incident files; the shipped example when none.
    pub inputs: Vec<PathBuf>,
    /// The geodata folder (the copy built in when `None`).
    pub geodata: Option<PathBuf>,
    /// Border lines from this GeoJSON file instead of the shipped ones.
    pub borders_file: Option<PathBuf>,
    pub options: AnalysisOptions,
    pub reading: Reading,
}

/// A job's own check of its request once the borders are known, before any input is read
/// (e.g. `compare`'s border pair).
pub type BeforeReading<'a> = dyn Fn(&GeoData, &AnalysisOptions) -> Result<()> + 'a;

/// The geodata and the inputs, read and geocoded (messages to `log`), and the analysis's
/// border frame, built while they were read.
pub struct Ready {
    pub geo: GeoData,
    pub prepared: PreparedForAnalysis,
    pub frame: BorderFrame,
    /// The nearest borders of the incidents found while they were read.
    pub early: EarlyNearest,
}

impl Ready {
    /// The located incidents with the nearest borders found for them while they were read:
    /// what the analysis reads.
    pub fn incidents(&self) -> WithEarly<'_, IncidentColumns> {
        WithEarly {
            input: &self.prepared.located,
            early: &self.early,
        }
    }
}

impl AnalysisJob {
    /// Loads the geodata, checks the border ids (and `before_reading`) before any input is
    /// read, reads and geocodes the inputs, then checks the event types against those the
    /// inputs hold.
    pub fn prepare(
        &self,
        before_reading: Option<&BeforeReading<'_>>,
        log: &mut dyn FnMut(&str),
    ) -> Result<Ready> {
        let opts = &self.options;
        let geo = super::load_geodata(
            self.geodata.as_deref(),
            self.reading.places.as_deref(),
            self.borders_file.as_deref(),
            log,
        )?;
        let ids: Vec<&str> = geo.borders.iter().map(|b| b.id.as_str()).collect();
        usage::check_borders(&opts.borders, &ids)?;
        if let Some(check) = before_reading {
            check(&geo, opts)?;
        }
        let reading = self.reading.options(false)?;
        let (prepared, frame, early) =
            super::early::read_placing_early(&geo, opts, false, |watch| {
                ingest_for_analysis_watched(&self.inputs, &geo, &reading, log, &mut |located| {
                    watch(located)
                })
            });
        let prepared = prepared?;
        usage::check_types(&opts.types, &prepared.located)?;
        Ok(Ready {
            geo,
            prepared,
            frame,
            early,
        })
    }
}
