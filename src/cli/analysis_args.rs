//! Options shared by the analysis subcommands (`density`, `compare`), turned into the
//! library's [`AnalysisJob`].

use crate::density::assign::CorridorSide;
use crate::density::stats::LengthBasis;
use crate::density::{AnalysisOptions, Period, WeightBy};
use crate::pipeline::analysis::AnalysisJob;
use crate::pipeline::config::window;
use crate::pipeline::usage;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct AnalysisArgs {
    /// Length of border segments, km.
    #[arg(long, default_value_t = 25.0)]
    pub segment_km: f64,
    /// Corridor half-width, km: incidents farther from the border count in no segment.
    #[arg(long, default_value_t = 50.0)]
    pub corridor_km: f64,
    /// Which side of the border the corridor covers.
    #[arg(long, value_enum, default_value_t = CorridorSide::Both)]
    pub corridor_side: CorridorSide,
    /// Per-km figures over the measured line (default) or the published length.
    #[arg(long, value_enum, default_value_t = LengthBasis::Measured)]
    pub length_basis: LengthBasis,
    /// Weight incidents by their count of events or by fatalities.
    #[arg(long, value_enum, default_value_t = WeightBy::Count)]
    pub weight: WeightBy,
    /// Start of the analysis window (2025-01-01, 2025-03 or 2025).
    #[arg(long)]
    pub from: Option<String>,
    /// End of the analysis window (inclusive; 2025-12-31, 2025-12 or 2025).
    #[arg(long)]
    pub to: Option<String>,
    /// Only these event types (comma-separated, e.g. armed_incursion,cross_border_fire).
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<String>,
    /// Only records whose actors contain this text.
    #[arg(long)]
    pub actor: Option<String>,
    /// Time breakdown by month, quarter or year.
    #[arg(long, value_enum, default_value_t = Period::Year)]
    pub period: Period,
    /// Only these borders (comma-separated ids, e.g. AF-TJ,AF-PK); default all.
    #[arg(long, value_delimiter = ',')]
    pub borders: Vec<String>,
    /// Border lines from a GeoJSON file (LineStrings with an id) instead of the shipped ones.
    #[arg(long, value_name = "FILE")]
    pub borders_file: Option<PathBuf>,
    #[command(flatten)]
    pub input: super::input_args::InputArgs,
}

impl AnalysisArgs {
    /// The analysis job these flags ask for, on `inputs`. The options are checked here, so a
    /// usage error is refused before anything is loaded or read.
    pub fn job(&self, cli: &super::Cli, inputs: &[PathBuf]) -> Result<AnalysisJob> {
        Ok(AnalysisJob {
            options: self.options()?,
            inputs: inputs.to_vec(),
            geodata: cli.geodata.clone(),
            borders_file: self.borders_file.clone(),
            reading: self.input.reading(),
        })
    }

    pub fn options(&self) -> Result<AnalysisOptions> {
        if self.segment_km.is_nan()
            || self.corridor_km.is_nan()
            || self.segment_km <= 0.0
            || self.corridor_km <= 0.0
        {
            return Err(usage::usage(
                "--segment-km and --corridor-km must be positive",
            ));
        }
        let (from, to) = window(self.from.as_deref(), self.to.as_deref())?;
        Ok(AnalysisOptions {
            segment_km: self.segment_km,
            corridor_km: self.corridor_km,
            corridor_side: self.corridor_side,
            length_basis: self.length_basis,
            weight: self.weight,
            from,
            to,
            types: self.types.clone(),
            actor: self.actor.clone(),
            period: self.period,
            borders: self.borders.clone(),
        })
    }
}
