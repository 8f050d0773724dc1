//! The main job's figures: a map of each compared border, the overview, the profile,
//! (with a comparison) the comparison chart and (with `--small-multiples`) each compared
//! border's pages of small maps by period, drawn and converted (PNG, PDF) side by side and
//! written in order. Owns which figures a run draws, their file names and the maps' subtitle; the
//! drawing itself is `render`'s.

mod steps;

use super::config::RunConfig;
use super::run::Made;
use crate::density::compare::Comparison;
use crate::density::{Analysis, analyse, calendar_periods};
use crate::render::small_multiples::{self, PeriodMap};
use crate::render::{charts, maps};
use anyhow::Result;
use steps::side_by_side;

/// One figure of the run.
enum Figure<'a> {
    BorderMap(&'a str),
    Overview,
    Profile,
    Comparison(&'a Comparison),
    /// Page `usize` of a border's small multiples.
    Periods(&'a str, usize),
}

/// Draws every figure in the formats `cfg` asks for and hands each file to `put` (name,
/// bytes), in order.
pub(super) fn draw(
    made: &Made<'_>,
    cfg: &RunConfig,
    put: &mut dyn FnMut(&str, &[u8]) -> Result<()>,
    log: &mut dyn FnMut(&str),
) -> Result<()> {
    let page = crate::render::page_size(cfg.width, cfg.dpi.map(f64::from));
    let formats = cfg.format.clone().unwrap_or_default();
    let provinces = crate::render::embedded_provinces()?;
    let analysis = made.analysis;
    let located = &made.prepared.geocoded.located;
    let data = maps::MapData {
        geo: made.geo,
        provinces: &provinces,
        located,
        analysis,
        bands: made.bands,
        compared: made.pair.to_vec(),
        subtitle: subtitle(made),
        inputs: inputs_named(&made.prepared.inputs),
        sources: made.meta.sources.join("; "),
        mode: Default::default(),
        positions: made.positions.clone(),
    };
    // Which figures: each border of the pair that was analysed, the overview, the profile
    // and (with a comparison) the comparison chart.
    let pair_ids: Vec<&str> = made
        .pair
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
    if let Some(c) = made.comparison {
        jobs.push(("comparison".into(), Figure::Comparison(c)));
    }
    // Small multiples: every compared border's periods, drawn in the pages' shared classes.
    let by_period = match (cfg.small_multiples, analysis.window) {
        (Some(unit), Some(window)) => period_analyses(made, &pair_ids, window, unit.period()),
        (Some(_), None) => {
            log("--small-multiples: no incident has a date, so there are no periods to map");
            Vec::new()
        }
        (None, _) => Vec::new(),
    };
    let periods: Vec<PeriodMap<'_>> = by_period
        .iter()
        .map(|(label, a)| PeriodMap {
            label: label.clone(),
            analysis: a,
        })
        .collect();
    let shared = small_multiples::shared_classes(&periods, &pair_ids);
    let pages = periods.len().div_ceil(small_multiples::PANELS_PER_PAGE);
    for id in &pair_ids {
        for n in 0..pages {
            let name = match pages {
                1 => format!("periods_{id}"),
                _ => format!("periods_{id}_{}", n + 1),
            };
            jobs.push((name, Figure::Periods(id, n)));
        }
    }
    // The incidents are projected once for every map, before the maps are drawn side by
    // side (not inside their jobs: see maps::PositionsOnce).
    maps::project_incidents(&data);
    // Figures are drawn and converted side by side, then written in order.
    let wants = |f: &str| formats.iter().any(|x| x.eq_ignore_ascii_case(f));
    let (want_png, want_pdf) = (wants("png"), wants("pdf"));
    let unit = cfg.small_multiples.map_or("period", |u| u.as_str());
    let draw_one = |job: &Figure<'_>| -> Result<String> {
        Ok(match job {
            Figure::BorderMap(id) => maps::border_map(&data, id, page)?,
            Figure::Overview => maps::overview_map(&data, page)?,
            Figure::Profile => charts::border_profile(analysis, &pair_ids, page)?,
            Figure::Comparison(c) => charts::comparison_chart(c, analysis, page)?,
            Figure::Periods(id, n) => {
                let chunk = small_multiples::PANELS_PER_PAGE;
                let mine = &periods[n * chunk..((n + 1) * chunk).min(periods.len())];
                let mut one = small_multiples::period_pages(&data, id, mine, &shared, unit, page)?;
                one.swap_remove(0)
            }
        })
    };
    // Each figure's conversions are steps of their own, taken by whichever drawing thread
    // is free: see `steps::side_by_side`.
    let conversions: Vec<Conversion> = [
        want_png.then_some(Conversion::Png),
        want_pdf.then_some(Conversion::Pdf),
    ]
    .into_iter()
    .flatten()
    .collect();
    let convert = |svg: &Result<String>, step: usize| -> Result<Vec<u8>> {
        // A figure not drawn fails on its own error, below; this one is never seen.
        let Ok(svg) = svg else {
            anyhow::bail!("not converted: the figure was not drawn")
        };
        match conversions[step] {
            Conversion::Png => crate::render::svg_to_png(svg, page.width_px),
            Conversion::Pdf => crate::render::svg_to_pdf(svg, page.dpi),
        }
    };
    let order = drawing_order(&jobs);
    let drawn = side_by_side(
        &jobs,
        &order,
        conversions.len(),
        |(_, job)| draw_one(job),
        convert,
    );
    // Every figure is checked before any is written, in the jobs' order.
    let mut files = Vec::with_capacity(jobs.len());
    for (svg, converted) in drawn {
        let converted = converted.into_iter().collect::<Result<Vec<Vec<u8>>>>();
        files.push((svg?, converted?));
    }
    for ((name, _), (svg, converted)) in jobs.iter().zip(files) {
        if wants("svg") {
            put(&format!("{name}.svg"), svg.as_bytes())?;
        }
        for (conversion, bytes) in conversions.iter().zip(converted) {
            put(&format!("{name}.{}", conversion.extension()), &bytes)?;
        }
    }
    Ok(())
}

/// What a drawn figure is converted to, each a step of its own.
#[derive(Clone, Copy)]
enum Conversion {
    Png,
    Pdf,
}

impl Conversion {
    fn extension(self) -> &'static str {
        match self {
            Conversion::Png => "png",
            Conversion::Pdf => "pdf",
        }
    }
}

/// The order the figures are drawn in: the maps first (each reads every incident), then the
/// small multiples, then the charts. Two drawing threads share the steps, and whichever
/// finishes last runs alone at the end of a run, often with the other core idle: the small
/// steps should come last.
fn drawing_order(jobs: &[(String, Figure<'_>)]) -> Vec<usize> {
    let weight = |f: &Figure<'_>| match f {
        Figure::Overview | Figure::BorderMap(_) => 0,
        Figure::Periods(..) => 1,
        Figure::Profile | Figure::Comparison(_) => 2,
    };
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| weight(&jobs[i].1));
    order
}

/// The run's analysis repeated for each calendar period of its window (the compared
/// borders only), side by side: what the small multiples draw.
fn period_analyses(
    made: &Made<'_>,
    borders: &[&str],
    window: (crate::model::Date, crate::model::Date),
    period: crate::density::Period,
) -> Vec<(String, Analysis)> {
    use rayon::prelude::*;
    let located = &made.prepared.geocoded.located;
    calendar_periods(window, period)
        .into_par_iter()
        .map(|(label, (from, to))| {
            let mut opts = made.opts.clone();
            opts.from = Some(from);
            opts.to = Some(to);
            opts.borders = borders.iter().map(|b| b.to_string()).collect();
            (label, analyse(located, made.geo, &opts))
        })
        .collect()
}

/// The maps' subtitle: the window, how many incidents were located (and counted), the
/// filters and the analysis's main parameters.
fn subtitle(made: &Made<'_>) -> String {
    let (analysis, opts) = (made.analysis, made.opts);
    let located = made.prepared.geocoded.located.len();
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
    format!(
        "{window}; {} incidents located{}{}; corridor {} km, segments {} km, {} lengths",
        located,
        match analysis.excluded.values().sum::<u64>() {
            0 => String::new(),
            left_out => format!(", {} counted", located as u64 - left_out),
        },
        if filters.is_empty() {
            String::new()
        } else {
            format!("; {}", filters.join("; "))
        },
        opts.corridor_km,
        opts.segment_km,
        opts.length_basis.as_str(),
    )
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
