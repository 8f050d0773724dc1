//! `borderwatch run [INPUT...]`: the main job. From incident files (the shipped example when
//! none) to a complete output folder: located incidents and the unmatched report, per-segment,
//! per-sector and per-border tables, the border comparison, GeoJSON layers with QGIS styles and
//! a project, maps and charts, the resolved configuration and a summary.
//!
//! Every parameter can come from `--config run.toml` (the same keys as the `run-config.toml`
//! the job writes); command-line flags override the file.

use super::{Cli, EXIT_OK, EXIT_SKIPPED, load_geodata, print, usage};
use crate::density::assign::CorridorSide;
use crate::density::compare::{check_pair, compare};
use crate::density::kde::{KdeOptions, default_thresholds, isobands, surface};
use crate::density::stats::LengthBasis;
use crate::density::{AnalysisOptions, Period, WeightBy, analyse};
use crate::export::layers::{RunMeta, write_all};
use crate::export::{incidents, tables, write_atomic};
use crate::projection::Projection;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::fmt::Write;
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
    /// Image formats for maps and charts (comma-separated: svg,png) [default: svg,png].
    #[arg(long, value_delimiter = ',')]
    pub format: Option<Vec<String>>,
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
    pub width: Option<u32>,
    pub dpi: Option<u32>,
    pub borders_file: Option<PathBuf>,
    pub strict: Option<bool>,
    pub columns: Option<Vec<String>>,
    pub date_order: Option<crate::ingest::DateOrder>,
    pub sheet: Option<String>,
}

impl RunConfig {
    fn from_args(a: &Args) -> RunConfig {
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
            width: a.width,
            dpi: a.dpi,
            borders_file: a.borders_file.clone(),
            strict: a.strict.then_some(true),
            columns: a.input.columns.clone(),
            date_order: a.input.date_order,
            sheet: a.input.sheet.clone(),
        }
    }

    /// Fields set here win over `base`.
    fn over(self, base: RunConfig) -> RunConfig {
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
            width,
            dpi,
            borders_file,
            strict,
            columns,
            date_order,
            sheet
        )
    }

    /// Fills every unset field with its default.
    fn resolved(self) -> RunConfig {
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
        }
    }

    fn analysis(&self) -> Result<AnalysisOptions> {
        let date = |s: &Option<String>, end: bool| -> Result<_> {
            s.as_ref()
                .map(|s| {
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
        let (from, to) = (date(&self.from, false)?, date(&self.to, true)?);
        usage::check_window(from, to, self.from.as_deref(), self.to.as_deref())?;
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
}

/// A spinner on stderr when it is a terminal (and not --quiet); silent otherwise. With
/// --verbose, each stage's wall time goes to stderr when it ends.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    timing: Option<std::cell::RefCell<(String, std::time::Instant)>>,
}

impl Progress {
    fn new(quiet: bool, verbose: bool) -> Progress {
        let timing = verbose
            .then(|| std::cell::RefCell::new(("starting".to_string(), std::time::Instant::now())));
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None, timing };
        }
        let pb = indicatif::ProgressBar::new_spinner();
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress {
            bar: Some(pb),
            timing,
        }
    }
    fn stage(&self, msg: &str) {
        self.lap(msg);
        if let Some(pb) = &self.bar {
            pb.set_message(msg.to_string());
        }
    }
    fn lap(&self, next: &str) {
        if let Some(t) = &self.timing {
            let mut t = t.borrow_mut();
            eprintln!("time: {}: {} ms", t.0, t.1.elapsed().as_millis());
            *t = (next.to_string(), std::time::Instant::now());
        }
    }
    fn done(&self) {
        self.lap("done");
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into())
}

/// Runs the job; `maps` false leaves maps and charts out (the `export` subcommand).
pub fn run(cli: &Cli, args: &Args, maps: bool) -> Result<i32> {
    let from_file = match &args.config {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            toml::from_str::<RunConfig>(&text)
                .with_context(|| format!("{}: not a valid run configuration", p.display()))?
        }
        None => RunConfig::default(),
    };
    let cfg = RunConfig::from_args(args).over(from_file).resolved();
    let out = cfg.out.clone().unwrap_or_else(|| PathBuf::from("output"));
    let opts = cfg.analysis()?;
    usage::check_formats(cfg.format.as_deref().unwrap_or_default())?;
    let progress = Progress::new(cli.quiet, cli.verbose);

    progress.stage("loading geodata");
    let mut geo = load_geodata(cli)?;
    if let Some(f) = &cfg.borders_file {
        geo.use_borders_file(f)?;
    }
    // Border ids and the compared pair are checked before any input is read.
    let ids: Vec<&str> = geo.borders.iter().map(|b| b.id.as_str()).collect();
    usage::check_borders(&opts.borders, &ids)?;
    let pair = cfg.compare.clone().unwrap_or_default();
    if pair.len() != 2 {
        return Err(usage::usage(
            "--compare takes exactly two border ids, e.g. AF-TJ,AF-PK",
        ));
    }
    check_pair(&pair[0], &pair[1], &ids, &opts.borders)?;
    progress.stage("reading and geocoding incidents");
    let quiet = cli.quiet;
    let verbose = cli.verbose;
    let reading = super::input_args::InputArgs {
        columns: cfg.columns.clone(),
        date_order: cfg.date_order,
        sheet: cfg.sheet.clone(),
    }
    .options(cfg.strict.unwrap_or(false))?;
    let prepared = crate::pipeline::ingest_and_geocode_with(
        cfg.inputs.as_deref().unwrap_or_default(),
        &geo,
        &reading,
        &mut |m| {
            if verbose || (!quiet && !m.starts_with("warning")) {
                eprintln!("{m}");
            }
        },
    )?;
    if cfg.strict.unwrap_or(false)
        && let Some(u) = prepared.unmatched.first()
    {
        bail!(
            "strict mode: {}:{}: {} ({})",
            u.file,
            u.line,
            u.reason,
            u.tried
        );
    }
    let located = &prepared.geocoded.located;
    usage::check_types(&opts.types, located)?;

    progress.stage("analysing borders");
    let analysis = analyse(located, &geo, &opts);
    let comparison = compare(&analysis, &pair[0], &pair[1]).ok();

    progress.stage("density surface");
    let proj = Projection::region();
    let kde_opts = KdeOptions {
        bandwidth_km: cfg.bandwidth_km.unwrap_or(15.0),
        ..KdeOptions::default()
    };
    // Aggregate rows are drawn as their stretch, not spread over the surface.
    let without_aggregates = crate::render::aggregates::surface_analysis(&analysis, located);
    let surface = surface(
        located,
        without_aggregates.as_ref().unwrap_or(&analysis),
        &kde_opts,
        &proj,
    )
    .ok()
    .map(crate::render::smooth::for_print);
    drop(without_aggregates);
    let bands = match &surface {
        Some(s) => isobands(s, &default_thresholds(s), &proj)?,
        None => Vec::new(),
    };

    progress.stage("writing outputs");
    let mut written: Vec<PathBuf> = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> Result<()> {
        let p = out.join(name);
        write_atomic(&p, bytes)?;
        written.push(p);
        Ok(())
    };
    put(
        "unmatched.csv",
        incidents::unmatched_csv(&prepared.unmatched)?.as_bytes(),
    )?;
    if let Some(c) = &comparison {
        put("comparison.csv", tables::comparison_csv(c)?.as_bytes())?;
    }
    let config_text = format!(
        "# borderwatch {} run configuration: repeat with `borderwatch run --config {}`\n{}",
        env!("CARGO_PKG_VERSION"),
        out.join("run-config.toml").display(),
        toml::to_string(&cfg).context("writing the run configuration")?
    );
    put("run-config.toml", config_text.as_bytes())?;
    // Layers (GeoJSON + QGIS styles + project), the CSV tables and their metadata.
    let mut meta = RunMeta::new(prepared.inputs.clone(), located);
    meta.compared = pair.clone();
    let layers = write_all(
        &out,
        &geo,
        located,
        &analysis,
        surface.as_ref(),
        &bands,
        &meta,
    )?;
    if maps {
        progress.stage("drawing maps");
        let page = crate::render::page_size(cfg.width, cfg.dpi.map(f64::from));
        let formats = cfg.format.clone().unwrap_or_default();
        let provinces = crate::render::embedded_provinces()?;
        let window = analysis
            .window
            .map(|w| format!("{} to {}", w.0, w.1))
            .unwrap_or_else(|| "undated".into());
        let mut filters = Vec::new();
        if !opts.types.is_empty() {
            filters.push(format!("types {}", opts.types.join(", ")));
        }
        if let Some(a) = &opts.actor {
            filters.push(format!("actor \"{a}\""));
        }
        let subtitle = format!(
            "{window}; {} incidents located{}{}; corridor {} km, segments {} km, {} lengths",
            located.len(),
            match analysis.excluded.values().sum::<u64>() {
                0 => String::new(),
                left_out => format!(", {} counted", located.len() as u64 - left_out),
            },
            if filters.is_empty() {
                String::new()
            } else {
                format!("; {}", filters.join("; "))
            },
            opts.corridor_km,
            opts.segment_km,
            opts.length_basis.as_str(),
        );
        let data = crate::render::maps::MapData {
            geo: &geo,
            provinces: &provinces,
            located,
            analysis: &analysis,
            bands: &bands,
            compared: pair.clone(),
            subtitle,
            inputs: inputs_named(&prepared.inputs),
            sources: meta.sources.join("; "),
        };
        // Which figures: each border of the pair that was analysed, the overview, the
        // profile and (with a comparison) the comparison chart.
        enum Figure<'a> {
            BorderMap(&'a str),
            Overview,
            Profile,
            Comparison(&'a crate::density::compare::Comparison),
        }
        let pair_ids: Vec<&str> = pair
            .iter()
            .map(String::as_str)
            .filter(|id| {
                analysis
                    .borders
                    .iter()
                    .any(|b| b.border.id.eq_ignore_ascii_case(id))
            })
            .collect();
        let mut jobs: Vec<(String, Figure)> = pair_ids
            .iter()
            .map(|id| (format!("map_{id}"), Figure::BorderMap(id)))
            .collect();
        jobs.push(("map_overview".into(), Figure::Overview));
        jobs.push(("profile".into(), Figure::Profile));
        if let Some(c) = &comparison {
            jobs.push(("comparison".into(), Figure::Comparison(c)));
        }
        // Figures are drawn and rasterised side by side, then written in order.
        let want_png = formats.iter().any(|f| f.eq_ignore_ascii_case("png"));
        let drawn: Vec<(String, Option<Vec<u8>>)> = {
            use rayon::prelude::*;
            jobs.par_iter()
                .map(|(_, job)| -> Result<(String, Option<Vec<u8>>)> {
                    let svg = match job {
                        Figure::BorderMap(id) => crate::render::maps::border_map(&data, id, page)?,
                        Figure::Overview => crate::render::maps::overview_map(&data, page)?,
                        Figure::Profile => {
                            crate::render::charts::border_profile(&analysis, &pair_ids, page)?
                        }
                        Figure::Comparison(c) => {
                            crate::render::charts::comparison_chart(c, &analysis, page)?
                        }
                    };
                    let png = want_png
                        .then(|| crate::render::svg_to_png(&svg, page.width_px))
                        .transpose()?;
                    Ok((svg, png))
                })
                .collect::<Result<_>>()?
        };
        for ((name, _), (svg, png)) in jobs.iter().zip(drawn) {
            if formats.iter().any(|f| f.eq_ignore_ascii_case("svg")) {
                put(&format!("{name}.svg"), svg.as_bytes())?;
            }
            if let Some(png) = png {
                put(&format!("{name}.png"), &png)?;
            }
        }
    }
    progress.stage("summary");
    written.extend(layers);
    written.sort();

    // Summary.
    let by_precision = prepared.geocoded.counts_by_precision();
    let mut s = String::new();
    writeln!(
        s,
        "{} read, {} located ({}), {} unmatched",
        prepared.rows_read,
        located.len(),
        by_precision
            .iter()
            .map(|(p, n)| format!("{n} {}", p.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
        prepared.unmatched.len()
    )?;
    if let (Some(w), Some(y)) = (analysis.window, analysis.years) {
        writeln!(
            s,
            "window {} to {} ({y:.2} years); corridor {} km; lengths {}",
            w.0,
            w.1,
            opts.corridor_km,
            opts.length_basis.as_str()
        )?;
    }
    for (why, n) in &analysis.excluded {
        writeln!(
            s,
            "left out: {n} ({why}); see analysis_excluded in incidents.geojson"
        )?;
    }
    for b in &analysis.borders {
        writeln!(
            s,
            "{:<7} {:>8.2} events  {} per 100 km per year (95% CI {} – {})",
            b.border.id,
            b.tally.events_weighted,
            fmt_opt(b.rates.per_100km_per_year),
            fmt_opt(b.rates.ci_low),
            fmt_opt(b.rates.ci_high)
        )?;
    }
    if let Some(c) = comparison.as_ref().filter(|c| !c.comparable) {
        writeln!(
            s,
            "{} / {} not comparable, so no rate ratio: {}; {} warnings in comparison.csv",
            c.a.border_id,
            c.b.border_id,
            c.not_comparable.join("; "),
            c.warnings.len()
        )?;
    } else if let Some(c) = &comparison {
        writeln!(
            s,
            "rate ratio {} / {}: {} (95% CI {} – {}); {} warnings in comparison.csv",
            c.a.border_id,
            c.b.border_id,
            fmt_opt(c.ratio),
            fmt_opt(c.ratio_low),
            c.ratio_high
                .map(|v| format!("{v:.3}"))
                .unwrap_or_else(|| "unbounded".into()),
            c.warnings.len()
        )?;
    }
    writeln!(s, "outputs in {}/:", out.display())?;
    for p in &written {
        writeln!(
            s,
            "  {}",
            p.file_name().and_then(|n| n.to_str()).unwrap_or("")
        )?;
    }
    if surface.is_some() {
        writeln!(s, "density surface: {} isobands", bands.len())?;
    }
    let summary_json = serde_json::json!({
        "read": prepared.rows_read,
        "located": located.len(),
        "unmatched": prepared.unmatched.len(),
        "by_precision": by_precision.iter().map(|(p, n)| (p.as_str().to_string(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>(),
        "borders": analysis.borders.iter().map(|b| serde_json::json!({
            "border_id": b.border.id, "events": b.tally.events_weighted,
            "per_100km_per_year": b.rates.per_100km_per_year, "ci_low": b.rates.ci_low, "ci_high": b.rates.ci_high})).collect::<Vec<_>>(),
        "comparison": comparison,
        "outputs": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    });
    write_atomic(&out.join("summary.txt"), s.as_bytes())?;
    write_atomic(
        &out.join("summary.json"),
        (serde_json::to_string_pretty(&summary_json)? + "\n").as_bytes(),
    )?;
    progress.done();
    if args.json {
        print(&(serde_json::to_string_pretty(&summary_json)? + "\n"))?;
    } else if !cli.quiet {
        print(&s)?;
    }
    let code = if prepared.unmatched.is_empty() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    };
    // The process ends with this command: freeing a million records one by one would only
    // delay the exit (by a tenth of a second or more), so they are left to the OS.
    std::mem::forget(prepared);
    std::mem::forget(analysis);
    Ok(code)
}

/// The inputs as a map's subtitle names them: file names without their folders (the full
/// paths are in run-config.toml), the first three and how many more.
fn inputs_named(inputs: &[String]) -> String {
    let names: Vec<&str> = inputs
        .iter()
        .map(|p| {
            std::path::Path::new(p)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(p)
        })
        .collect();
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}
