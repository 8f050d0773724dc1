//! Options shared by the analysis subcommands (`density`, `compare`, later `run`).

use super::usage;
use crate::density::assign::CorridorSide;
use crate::density::stats::LengthBasis;
use crate::density::{AnalysisOptions, Period, WeightBy};
use crate::model::Date;
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

fn date_arg(s: &Option<String>, end: bool) -> Result<Option<Date>> {
    match s {
        None => Ok(None),
        Some(s) => {
            let d = crate::ingest::parse_date(s).map_err(|e| {
                usage::usage(format!(
                    "{} {s:?}: {e}",
                    if end { "--to" } else { "--from" }
                ))
            })?;
            Ok(Some(if end { d.end } else { d.start }))
        }
    }
}

/// A subcommand's own check of its arguments once the borders are known, before any input
/// is read (e.g. `compare`'s border pair).
pub type BeforeReading<'a> = dyn Fn(&crate::geodata::GeoData, &AnalysisOptions) -> Result<()> + 'a;

impl AnalysisArgs {
    /// What every analysis subcommand starts with: the geodata (with the user's border lines
    /// if given), the options, and the inputs read and geocoded, keeping only what the
    /// analysis reads of each incident (messages on stderr unless --quiet).
    ///
    /// Usage errors are refused early: options and border ids before the inputs are read
    /// (and `before_reading`, a subcommand's own check once the borders are known), event
    /// types once the inputs show which types they hold.
    pub fn prepare(
        &self,
        cli: &super::Cli,
        inputs: &[PathBuf],
        before_reading: Option<&BeforeReading<'_>>,
    ) -> Result<(
        crate::geodata::GeoData,
        AnalysisOptions,
        crate::pipeline::PreparedForAnalysis,
    )> {
        let opts = self.options()?;
        let mut geo = super::load_geodata(cli)?;
        if let Some(f) = &self.borders_file {
            geo.use_borders_file(f)?;
        }
        let ids: Vec<&str> = geo.borders.iter().map(|b| b.id.as_str()).collect();
        usage::check_borders(&opts.borders, &ids)?;
        if let Some(check) = before_reading {
            check(&geo, &opts)?;
        }
        let quiet = cli.quiet;
        let reading = self.input.options(false)?;
        let prepared =
            crate::pipeline::ingest_for_analysis_with(inputs, &geo, &reading, &mut |m| {
                if !quiet {
                    eprintln!("{m}");
                }
            })?;
        usage::check_types(&opts.types, &prepared.located)?;
        Ok((geo, opts, prepared))
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
        let (from, to) = (date_arg(&self.from, false)?, date_arg(&self.to, true)?);
        usage::check_window(from, to, self.from.as_deref(), self.to.as_deref())?;
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
