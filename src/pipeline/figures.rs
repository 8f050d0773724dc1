//! The main job's figures: a map of each compared border, the overview, the profile,
//! (with a comparison) the comparison chart and (with `--small-multiples`) each compared
//! border's pages of small maps by period, drawn and converted (PNG, PDF) side by side and
//! written in order. Owns which figures a run draws, their file names and the maps' subtitle; the
//! drawing itself is `render`'s.

use super::config::RunConfig;
use super::run::Made;
use crate::density::compare::Comparison;
use crate::density::{Analysis, analyse, calendar_periods};
use crate::render::small_multiples::{self, PeriodMap};
use crate::render::{charts, maps};
use anyhow::Result;

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
        positions: Default::default(),
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
    let draw_one = |job: &Figure<'_>| -> Result<Drawn> {
        let svg = match job {
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
        };
        let png = want_png
            .then(|| crate::render::svg_to_png(&svg, page.width_px))
            .transpose()?;
        let pdf = want_pdf
            .then(|| crate::render::svg_to_pdf(&svg, page.dpi))
            .transpose()?;
        Ok(Drawn { svg, png, pdf })
    };
    let drawn = side_by_side(&jobs, |(_, job)| draw_one(job))
        .into_iter()
        .collect::<Result<Vec<Drawn>>>()?;
    for ((name, _), d) in jobs.iter().zip(drawn) {
        if wants("svg") {
            put(&format!("{name}.svg"), d.svg.as_bytes())?;
        }
        if let Some(png) = d.png {
            put(&format!("{name}.png"), &png)?;
        }
        if let Some(pdf) = d.pdf {
            put(&format!("{name}.pdf"), &pdf)?;
        }
    }
    Ok(())
}

/// Figures drawn at once, at most, whatever the number of cores. A map of a million
/// incidents holds a hundred megabytes or more while it groups them: drawn all at once, as
/// many as the cores allow, `run` on a million incidents peaked at 1,070 MiB with 4 threads
/// and 1,091 MiB with 8, against 982 MiB with 2 (1 GiB is its target).
const FIGURES_AT_ONCE: usize = 2;

/// The nice level of the threads that draw figures. Beside a large run's layers, the
/// figures are not the longest chain: the GeoPackage's inserts are, on one thread, and at
/// an equal priority they got about half a core while the maps were drawn and then ran on
/// alone at the end, a core idle (`perf sched` on the peer's million: about 0.3 s of idle
/// core time in the last half second). Lowered, the figures take what the layers leave: `run`
/// on the peer's million, interleaved pairs against nice 0, median ratio 0.982 (faster in 9
/// of 12); with the shipped borders on 200,000 rows and on UCDP's file, where the figures
/// are the longest part, level (1.007 and 1.005).
const FIGURE_NICE: i32 = 10;

/// `draw(job)` for every job, at most [`FIGURES_AT_ONCE`] at a time, each drawing thread
/// taking the next job not yet taken, at [`FIGURE_NICE`]; the results in the jobs' order.
///
/// The drawing threads are threads of their own, not jobs on the thread pool: a job holds
/// its worker until the last figure is drawn, and with both workers held, `run`'s layers
/// (written beside the figures, their column scans and formatting on the pool) waited for
/// the figures to end, about 1.4 s on a million incidents, and the GeoPackage's inserts
/// then ran on alone at the end (`perf`). Work a figure hands to the pool is shared with
/// the layers'.
fn side_by_side<J: Sync, T: Send>(jobs: &[J], draw: impl Fn(&J) -> T + Sync) -> Vec<T> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<T>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..FIGURES_AT_ONCE.min(jobs.len()) {
            s.spawn(|| {
                super::priority::lower_this_thread(FIGURE_NICE);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let done = draw(job);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(done);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every job is taken by a worker")
        })
        .collect()
}

/// A figure in each format asked for.
struct Drawn {
    svg: String,
    png: Option<Vec<u8>>,
    pdf: Option<Vec<u8>>,
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

#[cfg(test)]
mod tests {
    use super::{FIGURES_AT_ONCE, side_by_side};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Figures are drawn two at a time at most, every job once, and the results come back
    /// in the jobs' order; called from a pool of eight threads, they still are (the drawing
    /// threads are not the pool's).
    #[test]
    fn figures_are_drawn_a_few_at_a_time_and_returned_in_order() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(8)
            .build()
            .unwrap();
        let (running, most, calls) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        let jobs: Vec<usize> = (0..24).collect();
        let out = pool.install(|| {
            side_by_side(&jobs, |&j| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                calls.fetch_add(1, Ordering::SeqCst);
                // Stay a while, giving way, so that any other worker that could start a job
                // would be seen running beside this one.
                for _ in 0..2_000 {
                    if running.load(Ordering::SeqCst) > FIGURES_AT_ONCE {
                        break;
                    }
                    std::thread::yield_now();
                }
                running.fetch_sub(1, Ordering::SeqCst);
                (j, j * 2)
            })
        });
        assert_eq!(out.iter().map(|r| r.0).collect::<Vec<_>>(), jobs);
        assert_eq!(calls.load(Ordering::SeqCst), jobs.len());
        let most = most.load(Ordering::SeqCst);
        assert!((1..=FIGURES_AT_ONCE).contains(&most), "{most} at once");
        assert!(side_by_side(&[] as &[usize], |&j| j).is_empty());
    }
}
