//! The main job: from incident files (the shipped example when none) to a complete output
//! folder — located incidents and the unmatched report, per-segment, per-sector and
//! per-border tables, the border comparison, GeoJSON layers with QGIS styles and a project,
//! maps and charts, the resolved configuration, a summary and `report.html` (made last, from
//! the files written).

use super::config::RunConfig;
use super::prepare::{Prepared, ingest_and_geocode_watched};
use super::{Observer, figures, refuse_if_strict, summary, usage};
use crate::density::compare::{Comparison, check_pair, compare};
use crate::density::kde::{
    Isoband, KdeOptions, Surface, default_thresholds, isobands, surface_grid,
    surface_with_positions,
};
use crate::density::nearest::WithEarly;
use crate::density::{Analysis, AnalysisOptions, analyse_in};
use crate::export::layers::{LayerWriter, RunMeta, remove_stale};
use crate::export::{incidents, tables, write_atomic};
use crate::geodata::GeoData;
use crate::projection::Projection;
use crate::render::maps::PositionsOnce;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The most located incidents `run` makes `report.html` for. Past it the report reads back
/// an incident layer of over 300 MB, which would add seconds and hundreds of megabytes to the
/// run, for a page of over 25 MB that opens slowly; `borderwatch report` still makes it.
pub const REPORT_LIMIT: usize = 250_000;

/// What a run did: its summary (as printed and as written to `summary.txt` and
/// `summary.json`), the files it wrote, and the records and analysis it made them from.
pub struct RunReport {
    /// The summary text, line by line.
    pub text: String,
    /// The summary as JSON.
    pub json: serde_json::Value,
    /// Every file written but the summary's own two, sorted.
    pub written: Vec<PathBuf>,
    /// What was read, located and left unmatched.
    pub prepared: Prepared,
    /// The analysis of the located incidents.
    pub analysis: Analysis,
}

impl RunReport {
    /// Whether every row read was used (none skipped as malformed, none left unmatched).
    pub fn all_used(&self) -> bool {
        self.prepared.unmatched.is_empty()
    }
}

/// What the job has made by the time it writes its figures and summary.
pub(super) struct Made<'a> {
    pub geo: &'a GeoData,
    pub prepared: &'a Prepared,
    pub opts: &'a AnalysisOptions,
    pub analysis: &'a Analysis,
    pub comparison: Option<&'a Comparison>,
    /// The two compared borders, as configured.
    pub pair: &'a [String],
    pub bands: &'a [Isoband],
    pub meta: &'a RunMeta,
    /// The incidents placed for the maps, made beside the density surface.
    pub positions: &'a PositionsOnce,
}

/// Runs the main job as `config` says (unset fields take their defaults), with the geodata
/// from `geodata` (the copy built in when `None`); `maps` false leaves the maps and charts
/// out (the `export` subcommand). Usage errors (options, formats, border ids, the compared
/// pair) are refused before any input is read; event types once the inputs show theirs.
pub fn run(
    config: &RunConfig,
    geodata: Option<&Path>,
    maps: bool,
    observer: &mut dyn Observer,
) -> Result<RunReport> {
    let cfg = config.clone().resolved();
    let out = cfg.out.clone().unwrap_or_else(|| PathBuf::from("output"));
    let opts = cfg.analysis()?;
    usage::check_formats(cfg.format.as_deref().unwrap_or_default())?;
    let formats = usage::layer_formats(cfg.layers.as_deref().unwrap_or_default())?;

    observer.stage("loading geodata");
    let geo = super::load_geodata(
        geodata,
        cfg.places.as_deref(),
        cfg.borders_file.as_deref(),
        &mut |m| observer.message(m),
    )?;
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

    observer.stage("reading and geocoding incidents");
    let strict = cfg.strict.unwrap_or(false);
    let reading = cfg.reading().options(strict)?;
    let (prepared, frame, early) = super::early::read_placing_early(&geo, &opts, true, |watch| {
        ingest_and_geocode_watched(
            cfg.inputs.as_deref().unwrap_or_default(),
            &geo,
            &reading,
            &mut |m| observer.message(m),
            &mut |located| watch(located),
        )
    });
    let prepared = prepared?;
    refuse_if_strict(strict, &prepared.unmatched)?;
    super::refuse_review_if_strict(strict, &prepared.geocoded.located)?;
    let located = &prepared.geocoded.located;
    usage::check_types(&opts.types, located)?;

    observer.stage("analysing borders");
    let analysis = analyse_in(
        &WithEarly {
            input: located,
            early: &early,
        },
        &frame,
        &opts,
    );
    drop(early);
    let comparison = compare(&analysis, &pair[0], &pair[1]).ok();

    // The density surface is made on a thread of its own while this one writes the small
    // files and the context layers (the layers' headers need only the surface's grid): the
    // surface's steps run on one core, which left the other idle for about 0.4 s on a
    // million incidents. Should the surface fail (its isobands), those files are already
    // written, as the earlier files are when a later step fails.
    observer.stage("density surface and context layers");
    let kde_opts = KdeOptions {
        bandwidth_km: cfg.bandwidth_km.unwrap_or(15.0),
        ..KdeOptions::default()
    };
    let grid = surface_grid(&analysis, &kde_opts, &Projection::region()).ok();
    let mut written: Vec<PathBuf> = Vec::new();
    let (surface_and_bands, begun, meta) = std::thread::scope(|scope| {
        let making = scope.spawn(|| density_surface(&prepared, &analysis, &kde_opts, maps));
        // The run's provenance reads every incident: made here, beside the surface.
        let mut meta = RunMeta::new(prepared.inputs.clone(), located);
        meta.compared = pair.clone();
        meta.formats = formats;
        let begun = write_small_files(&out, &prepared, comparison.as_ref(), &cfg, &mut written)
            .and_then(|()| {
                LayerWriter::begin(&out, &geo, located, &analysis, grid.as_ref(), &meta)
            });
        let made = making
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (made, begun, meta)
    });
    let (surface, bands, positions) = surface_and_bands?;
    let begun = begun?;
    // The headers already name `grid`: the surface must lie on it (a bug otherwise, which
    // must not pass into the files).
    let made_on = surface.as_ref().map(Surface::grid);
    anyhow::ensure!(
        made_on == grid,
        "the density surface was made on {made_on:?}, not on the grid the layers name ({grid:?})"
    );
    // Only whether there was one is read from here on.
    let had_surface = surface.is_some();
    drop(surface);

    // The maps are drawn on a thread of their own while the layers are written: each step
    // alone left about a third of the two cores idle.
    observer.outputs_begin();
    observer.stage(if maps {
        "writing outputs and drawing maps"
    } else {
        "writing outputs"
    });
    let made = Made {
        geo: &geo,
        prepared: &prepared,
        opts: &opts,
        analysis: &analysis,
        comparison: comparison.as_ref(),
        pair: &pair,
        bands: &bands,
        meta: &meta,
        positions: &positions,
    };
    let (layers, drawn, counts) = std::thread::scope(|scope| {
        let drawing = maps.then(|| scope.spawn(|| draw_figures(&made, &cfg, &out)));
        // The summary's counts, meanwhile (see `summary::Counts`).
        let counting = scope.spawn(|| summary::Counts::of(&prepared));
        // The other layers (GeoJSON + QGIS styles + project), the CSV tables and their
        // metadata.
        let layers = begun.finish(&bands);
        let drawn = drawing.map(|d| d.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        let counts = counting
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (layers, drawn, counts)
    });
    // The maps' notes are passed on whatever else went wrong; then the layers' error, if
    // any, and the maps'.
    let figures = drawn.map(|(figures, notes)| {
        for note in &notes {
            observer.message(note);
        }
        figures
    });
    let layers = layers?;
    if let Some(figures) = figures {
        written.extend(figures?);
    }
    observer.stage("summary");
    written.extend(layers);
    written.sort();

    // report.html is listed with the outputs, but made last, from the files written; past
    // REPORT_LIMIT incidents it is left to `borderwatch report` (see there).
    // It is made from the GeoJSON layers, so not when `--layers gpkg` leaves them out. A
    // report left by an earlier run is removed when none is made: it would pass for this
    // run's.
    let report = maps && located.len() <= REPORT_LIMIT && meta.formats.geojson;
    if report {
        written.push(out.join(crate::report::REPORT_FILE));
        written.sort();
    } else if maps {
        remove_stale(&[out.join(crate::report::REPORT_FILE)])?;
        observer.message(&if meta.formats.geojson {
            format!(
                "note: report.html not written for {} incidents (over {REPORT_LIMIT}, it would be \
                 too large to open smoothly); `borderwatch report {}` makes it",
                located.len(),
                out.display()
            )
        } else {
            "note: report.html not written: it is made from the GeoJSON layers, which \
             `--layers gpkg` leaves out (`--layers gpkg,geojson` writes both)"
                .to_string()
        });
    }
    let (text, json) = summary::summary(&made, &counts, &out, &written, had_surface)?;
    write_atomic(&out.join("summary.txt"), text.as_bytes())?;
    write_atomic(
        &out.join("summary.json"),
        (serde_json::to_string_pretty(&json)? + "\n").as_bytes(),
    )?;
    if report {
        observer.stage("report");
        crate::report::write(&out)?;
    }
    Ok(RunReport {
        text,
        json,
        written,
        prepared,
        analysis,
    })
}

/// The unmatched and review lists, the comparison table and the run's configuration,
/// listed in `written`.
fn write_small_files(
    out: &Path,
    prepared: &Prepared,
    comparison: Option<&Comparison>,
    cfg: &RunConfig,
    written: &mut Vec<PathBuf>,
) -> Result<()> {
    let mut put = |name: &str, bytes: &[u8]| put_file(out, written, name, bytes);
    put(
        "unmatched.csv",
        incidents::unmatched_csv(&prepared.unmatched)?.as_bytes(),
    )?;
    put(
        "review.csv",
        crate::export::review::review_csv(&prepared.geocoded.located)?.as_bytes(),
    )?;
    if let Some(c) = comparison {
        put("comparison.csv", tables::comparison_csv(c)?.as_bytes())?;
    }
    let config_text = format!(
        "# borderwatch {} run configuration: repeat with `borderwatch run --config {}`\n{}",
        env!("CARGO_PKG_VERSION"),
        out.join("run-config.toml").display(),
        toml::to_string(cfg).context("writing the run configuration")?
    );
    put("run-config.toml", config_text.as_bytes())
}

/// Draws the run's figures into `out` (see [`figures::draw`]); returns the files written
/// (or why not) and the notes for the user, which the caller passes on once the drawing is
/// done, also when it failed.
fn draw_figures(
    made: &Made<'_>,
    cfg: &RunConfig,
    out: &Path,
) -> (Result<Vec<PathBuf>>, Vec<String>) {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let drawn = figures::draw(
        made,
        cfg,
        &mut |name, bytes| put_file(out, &mut files, name, bytes),
        &mut |m| notes.push(m.to_string()),
    );
    (drawn.map(|()| files), notes)
}

/// Writes `bytes` to `out/name` (atomically) and lists the file in `written`.
fn put_file(out: &Path, written: &mut Vec<PathBuf>, name: &str, bytes: &[u8]) -> Result<()> {
    let p = out.join(name);
    write_atomic(&p, bytes)?;
    written.push(p);
    Ok(())
}

/// The kernel density surface smoothed for print, and its isobands (none without a
/// surface). Aggregate rows are drawn as their stretch, not spread over the surface.
/// With `maps`, the incidents' positions on the maps are worked out first (on all cores)
/// and the surface reads them, rather than projecting every incident again; they are
/// returned for the maps.
fn density_surface(
    prepared: &Prepared,
    analysis: &Analysis,
    kde_opts: &KdeOptions,
    maps: bool,
) -> Result<(Option<Surface>, Vec<Isoband>, PositionsOnce)> {
    let proj = Projection::region();
    let located = &prepared.geocoded.located;
    let positions = if maps {
        PositionsOnce::projected(located, analysis)
    } else {
        PositionsOnce::default()
    };
    let without_aggregates = crate::render::aggregates::surface_analysis(analysis, located);
    let surface = surface_with_positions(
        located,
        without_aggregates.as_ref().unwrap_or(analysis),
        kde_opts,
        &proj,
        positions.region_positions().unwrap_or_default(),
    )
    .ok()
    .map(crate::render::smooth::for_print);
    drop(without_aggregates);
    let bands = match &surface {
        Some(s) => isobands(s, &default_thresholds(s), &proj)?,
        None => Vec::new(),
    };
    Ok((surface, bands, positions))
}
