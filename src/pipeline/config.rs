//! A run's configuration: every parameter of the main job, from flags or a TOML file (the
//! same keys), resolved to its defaults and written out as `run-config.toml` so a run can be
//! repeated exactly. Also how to read the user's own files ([`Reading`]) and the analysis
//! window every analysing job checks the same way.
//!
//! Owns the defaults and the checks of the values themselves; knows nothing of clap or of
//! where the values came from.

use super::usage;
use crate::density::assign::CorridorSide;
use crate::density::stats::LengthBasis;
use crate::density::{AnalysisOptions, Period, WeightBy};
use crate::ingest::{ColumnMap, DateOrder, IngestOptions};
use crate::model::Date;
use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Every parameter of a run, resolved; written to `run-config.toml` so a run can be repeated
/// exactly with `borderwatch run --config output/run-config.toml`.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    pub inputs: Option<Vec<PathBuf>>,
    pub out: Option<PathBuf>,
    pub borders: Option<Vec<String>>,
    pub compare: Option<Vec<String>>,
    pub segment_km: Option<f64>,
    pub corridor_km: Option<f64>,
    pub corridor_side: Option<CorridorSide>,
    pub length_basis: Option<LengthBasis>,
    pub weight: Option<WeightBy>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub types: Option<Vec<String>>,
    pub actor: Option<String>,
    pub period: Option<Period>,
    pub bandwidth_km: Option<f64>,
    pub format: Option<Vec<String>>,
    /// How the layers are written: `gpkg` (borderwatch.gpkg), `geojson` (one file each).
    pub layers: Option<Vec<String>>,
    pub width: Option<u32>,
    pub dpi: Option<u32>,
    pub borders_file: Option<PathBuf>,
    pub strict: Option<bool>,
    pub columns: Option<Vec<String>>,
    pub date_order: Option<DateOrder>,
    pub sheet: Option<String>,
    pub places: Option<PathBuf>,
    /// Pages of small maps, one per period, for each compared border (none when unset).
    pub small_multiples: Option<SmallMultiples>,
}

/// The period of each small map of `--small-multiples`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SmallMultiples {
    Quarter,
    Year,
}

impl SmallMultiples {
    pub fn period(self) -> Period {
        match self {
            SmallMultiples::Quarter => Period::Quarter,
            SmallMultiples::Year => Period::Year,
        }
    }

    /// The period's name in a title.
    pub fn as_str(self) -> &'static str {
        match self {
            SmallMultiples::Quarter => "quarter",
            SmallMultiples::Year => "year",
        }
    }
}

impl RunConfig {
    /// Fields set here win over `base`.
    pub fn over(self, base: RunConfig) -> RunConfig {
        macro_rules! pick {
            ($($f:ident),*) => { RunConfig { $($f: self.$f.or(base.$f)),* } };
        }
        pick!(
            inputs,
            out,
            borders,
            compare,
            segment_km,
            corridor_km,
            corridor_side,
            length_basis,
            weight,
            from,
            to,
            types,
            actor,
            period,
            bandwidth_km,
            format,
            layers,
            width,
            dpi,
            borders_file,
            strict,
            columns,
            date_order,
            sheet,
            places,
            small_multiples
        )
    }

    /// Fills every unset field with its default.
    pub fn resolved(self) -> RunConfig {
        RunConfig {
            inputs: Some(self.inputs.unwrap_or_default()),
            out: Some(self.out.unwrap_or_else(|| PathBuf::from("output"))),
            borders: Some(self.borders.unwrap_or_default()),
            compare: Some(
                self.compare
                    .unwrap_or_else(|| vec!["AF-TJ".into(), "AF-PK".into()]),
            ),
            segment_km: Some(self.segment_km.unwrap_or(25.0)),
            corridor_km: Some(self.corridor_km.unwrap_or(50.0)),
            corridor_side: Some(self.corridor_side.unwrap_or(CorridorSide::Both)),
            length_basis: Some(self.length_basis.unwrap_or(LengthBasis::Measured)),
            weight: Some(self.weight.unwrap_or(WeightBy::Count)),
            from: self.from,
            to: self.to,
            types: Some(self.types.unwrap_or_default()),
            actor: self.actor,
            period: Some(self.period.unwrap_or(Period::Quarter)),
            bandwidth_km: Some(self.bandwidth_km.unwrap_or(15.0)),
            format: Some(
                self.format
                    .unwrap_or_else(|| vec!["svg".into(), "png".into()]),
            ),
            layers: Some(
                self.layers
                    .unwrap_or_else(|| vec!["gpkg".into(), "geojson".into()]),
            ),
            width: Some(self.width.unwrap_or(2000)),
            // The page's text and lines are sized in points at this resolution, so a width
            // without a resolution keeps the default page's proportions.
            dpi: Some(self.dpi.unwrap_or_else(|| {
                let width = f64::from(self.width.unwrap_or(2000));
                (170.0 * width / 2000.0).round().max(1.0) as u32
            })),
            borders_file: self.borders_file,
            strict: Some(self.strict.unwrap_or(false)),
            columns: self.columns,
            date_order: self.date_order,
            sheet: self.sheet,
            places: self.places,
            small_multiples: self.small_multiples,
        }
    }

    pub fn analysis(&self) -> Result<AnalysisOptions> {
        let (from, to) = window(self.from.as_deref(), self.to.as_deref())?;
        let opts = AnalysisOptions {
            segment_km: self.segment_km.unwrap_or(25.0),
            corridor_km: self.corridor_km.unwrap_or(50.0),
            corridor_side: self.corridor_side.unwrap_or(CorridorSide::Both),
            length_basis: self.length_basis.unwrap_or(LengthBasis::Measured),
            weight: self.weight.unwrap_or(WeightBy::Count),
            from,
            to,
            types: self.types.clone().unwrap_or_default(),
            actor: self.actor.clone(),
            period: self.period.unwrap_or(Period::Quarter),
            borders: self.borders.clone().unwrap_or_default(),
        };
        if !(opts.segment_km > 0.0 && opts.corridor_km > 0.0) {
            return Err(usage::usage("segment_km and corridor_km must be positive"));
        }
        Ok(opts)
    }

    /// Reads a run configuration file (`run-config.toml`, or one written by hand).
    pub fn load(path: &Path) -> Result<RunConfig> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str::<RunConfig>(&text)
            .with_context(|| format!("{}: not a valid run configuration", path.display()))
    }

    /// How the inputs are read.
    pub fn reading(&self) -> Reading {
        Reading {
            columns: self.columns.clone(),
            date_order: self.date_order,
            sheet: self.sheet.clone(),
            places: self.places.clone(),
        }
    }
}

/// The analysis window from its two ends as given (`2025-01-01`, `2025-03` or `2025`): the
/// first day of `from`, the last day of `to`. A date that cannot be read, or a window that
/// ends before it starts, is a usage error.
pub fn window(from: Option<&str>, to: Option<&str>) -> Result<(Option<Date>, Option<Date>)> {
    let date = |s: Option<&str>, end: bool| -> Result<Option<Date>> {
        s.map(|s| {
            crate::ingest::parse_date(s)
                .map(|d| if end { d.end } else { d.start })
                .map_err(|e| {
                    usage::usage(format!(
                        "{} {s:?}: {e}",
                        if end { "--to" } else { "--from" }
                    ))
                })
        })
        .transpose()
    };
    let (start, end) = (date(from, false)?, date(to, true)?);
    usage::check_window(start, end, from, to)?;
    Ok((start, end))
}

/// How to read the user's own files: the column names, date order and sheet they use.
/// Shared by every job that reads incident files.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// Names for native columns the built-in list does not know (`date=Datum`, …).
    pub columns: Option<Vec<String>>,
    /// How numeric dates are read when their column does not settle it.
    pub date_order: Option<DateOrder>,
    /// The sheet of a workbook to read (the first when none).
    pub sheet: Option<String>,
    /// The user's own places file, added to the gazetteer.
    pub places: Option<PathBuf>,
}

impl Reading {
    /// The reading options these settings give; a `columns` entry that is not
    /// `native=yours` is an error.
    pub fn options(&self, strict: bool) -> Result<IngestOptions> {
        let columns = match &self.columns {
            Some(c) => ColumnMap::parse(c).map_err(|e| anyhow!(e))?,
            None => ColumnMap::default(),
        };
        Ok(IngestOptions {
            strict,
            columns,
            date_order: self.date_order,
            sheet: self.sheet.clone(),
            analysis_only: false,
        })
    }
}
