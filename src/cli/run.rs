//! `borderwatch run [INPUT...]` and `borderwatch export [INPUT...]`: the main job, with or
//! without the maps. Parses the flags (over `--config run.toml`, the same keys as the
//! `run-config.toml` the job writes), runs [`pipeline::run`](crate::pipeline::run) and
//! prints its summary; a spinner shows the stage on a terminal.

use super::{Cli, EXIT_OK, EXIT_SKIPPED, print};
use crate::density::assign::CorridorSide;
use crate::density::stats::LengthBasis;
use crate::density::{Period, WeightBy};
use crate::pipeline::{Observer, RunConfig};
use anyhow::Result;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Incident files (native CSV/JSON/GeoJSON, ACLED, UCDP GED, GTD); the shipped example when none.
    pub inputs: Vec<PathBuf>,
    /// Read every parameter from this TOML file (flags given here override it).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output folder [default: output].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Borders to analyse (comma-separated) [default: all].
    #[arg(long, value_delimiter = ',')]
    pub borders: Option<Vec<String>>,
    /// The two borders to compare [default: AF-TJ,AF-PK].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub compare: Option<Vec<String>>,
    /// Segment length, km [default: 25].
    #[arg(long)]
    pub segment_km: Option<f64>,
    /// Corridor half-width, km [default: 50].
    #[arg(long)]
    pub corridor_km: Option<f64>,
    /// Corridor side [default: both].
    #[arg(long, value_enum)]
    pub corridor_side: Option<CorridorSide>,
    /// Length basis of per-km figures [default: measured].
    #[arg(long, value_enum)]
    pub length_basis: Option<LengthBasis>,
    /// Weight by count or fatalities [default: count].
    #[arg(long, value_enum)]
    pub weight: Option<WeightBy>,
    /// Start of the analysis window (2025-01-01, 2025-03 or 2025).
    #[arg(long)]
    pub from: Option<String>,
    /// End of the analysis window, inclusive.
    #[arg(long)]
    pub to: Option<String>,
    /// Only these event types (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub types: Option<Vec<String>>,
    /// Only records whose actors contain this text.
    #[arg(long)]
    pub actor: Option<String>,
    /// Time breakdown [default: quarter].
    #[arg(long, value_enum)]
    pub period: Option<Period>,
    /// Kernel density bandwidth, km [default: 15].
    #[arg(long)]
    pub bandwidth_km: Option<f64>,
    /// Image formats for maps and charts (comma-separated: svg,png,pdf; PDF is vector, fonts
    /// embedded) [default: svg,png].
    #[arg(long, value_delimiter = ',')]
    pub format: Option<Vec<String>>,
    /// Also draw, for each compared border, a page of small maps, one per quarter or year,
    /// all on one scale (`periods_<border>.svg`, …).
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub small_multiples: Option<crate::pipeline::config::SmallMultiples>,
    /// How the layers are written (comma-separated: gpkg = one borderwatch.gpkg with the
    /// styles inside, geojson = LAYER.geojson + LAYER.qml) [default: gpkg,geojson].
    #[arg(long, value_delimiter = ',', value_name = "FORMATS")]
    pub layers: Option<Vec<String>>,
    /// PNG width in pixels [default: 2000].
    #[arg(long)]
    pub width: Option<u32>,
    /// PNG resolution in dots per inch, recorded in the file; text and lines are sized by it
    /// [default: 170 at 2000 px wide, in proportion to --width otherwise, so every width
    /// has the same layout].
    #[arg(long)]
    pub dpi: Option<u32>,
    /// Border lines from a GeoJSON file instead of the shipped ones.
    #[arg(long, value_name = "FILE")]
    pub borders_file: Option<PathBuf>,
    /// Treat any malformed or unmatched row as an error.
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub input: super::input_args::InputArgs,
}

/// The configuration the flags give (unset where not given).
fn flags(a: &Args) -> RunConfig {
    RunConfig {
        inputs: (!a.inputs.is_empty()).then(|| a.inputs.clone()),
        out: a.out.clone(),
        borders: a.borders.clone(),
        compare: a.compare.clone(),
        segment_km: a.segment_km,
        corridor_km: a.corridor_km,
        corridor_side: a.corridor_side,
        length_basis: a.length_basis,
        weight: a.weight,
        from: a.from.clone(),
        to: a.to.clone(),
        types: a.types.clone(),
        actor: a.actor.clone(),
        period: a.period,
        bandwidth_km: a.bandwidth_km,
        format: a.format.clone(),
        layers: a.layers.clone(),
        width: a.width,
        dpi: a.dpi,
        borders_file: a.borders_file.clone(),
        strict: a.strict.then_some(true),
        columns: a.input.columns.clone(),
        date_order: a.input.date_order,
        sheet: a.input.sheet.clone(),
        places: a.input.places.clone(),
        small_multiples: a.small_multiples,
    }
}

/// Shows the job's stages and messages on stderr: a spinner when stderr is a terminal (and
/// not --quiet); with --verbose, each stage's wall time when it ends, and every message
/// (warnings too, which are otherwise left to the output files).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    spinner: bool,
    timing: Option<(String, std::time::Instant)>,
    quiet: bool,
    verbose: bool,
    /// Returns freed memory to the system once the outputs begin.
    returner: Option<super::memory::Returner>,
}

impl Progress {
    fn new(quiet: bool, verbose: bool) -> Progress {
        Progress {
            bar: None,
            spinner: !quiet && std::io::stderr().is_terminal(),
            timing: verbose.then(|| ("starting".to_string(), std::time::Instant::now())),
            quiet,
            verbose,
            returner: None,
        }
    }
    fn lap(&mut self, next: &str) {
        if let Some(t) = &mut self.timing {
            eprintln!("time: {}: {} ms", t.0, t.1.elapsed().as_millis());
            *t = (next.to_string(), std::time::Instant::now());
        }
    }
    fn done(&mut self) {
        self.returner = None;
        self.lap("done");
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn stage(&mut self, name: &str) {
        self.lap(name);
        if self.spinner && self.bar.is_none() {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            self.bar = Some(pb);
        }
        if let Some(pb) = &self.bar {
            pb.set_message(name.to_string());
        }
    }
    fn outputs_begin(&mut self) {
        self.returner
            .get_or_insert_with(super::memory::Returner::start);
    }
    fn message(&mut self, line: &str) {
        if self.verbose || (!self.quiet && !line.starts_with("warning")) {
            eprintln!("{line}");
        }
    }
}

/// Runs the job; `maps` false leaves maps and charts out (the `export` subcommand).
pub fn run(cli: &Cli, args: &Args, maps: bool) -> Result<i32> {
    let from_file = match &args.config {
        Some(p) => RunConfig::load(p)?,
        None => RunConfig::default(),
    };
    let config = flags(args).over(from_file).resolved();
    let mut progress = Progress::new(cli.quiet, cli.verbose);
    let report = crate::pipeline::run(&config, cli.geodata.as_deref(), maps, &mut progress)?;
    progress.done();
    if args.json {
        print(&(serde_json::to_string_pretty(&report.json)? + "\n"))?;
    } else if !cli.quiet {
        print(&report.text)?;
    }
    let code = if report.all_used() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    };
    // The process ends with this command: freeing a million records one by one would only
    // delay the exit (by a tenth of a second or more), so they are left to the OS.
    std::mem::forget(report);
    Ok(code)
}
