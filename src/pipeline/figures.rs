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
    // is free: see `side_by_side`.
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

/// A step of [`side_by_side`]: draw a job, or convert a drawn job (the conversion's number).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Step {
    Draw(usize),
    Convert(usize, usize),
}

/// The steps not yet taken, and how many jobs are being drawn (each will add its
/// conversions).
struct Steps {
    waiting: std::collections::VecDeque<Step>,
    drawing: usize,
}

/// What a drawing thread does next.
#[derive(Debug, PartialEq)]
enum Next {
    Take(Step),
    /// Wait: a job being drawn will add its conversions.
    Wait,
    Done,
}

impl Steps {
    /// The jobs in `order`, none drawn.
    fn new(order: &[usize]) -> Steps {
        Steps {
            waiting: order.iter().map(|&i| Step::Draw(i)).collect(),
            drawing: 0,
        }
    }

    /// The next step, taken: a drawing is counted until [`Steps::drawn`].
    fn next(&mut self) -> Next {
        match self.waiting.pop_front() {
            Some(step) => {
                if let Step::Draw(_) = step {
                    self.drawing += 1;
                }
                Next::Take(step)
            }
            None if self.drawing > 0 => Next::Wait,
            None => Next::Done,
        }
    }

    /// Job `i` drawn (`Some`: with `conversions` to make; `None`: it failed to finish),
    /// its conversions first in line.
    fn drawn(&mut self, i: usize, conversions: Option<usize>) {
        self.drawing -= 1;
        for k in (0..conversions.unwrap_or(0)).rev() {
            self.waiting.push_front(Step::Convert(i, k));
        }
    }
}

/// A job being drawn: counted out of [`Steps`] when dropped, with its conversions when
/// it was drawn (`conversions` set), without them when its drawing panicked, and the threads
/// waiting for steps woken either way.
struct Drawing<'a> {
    steps: &'a std::sync::Mutex<Steps>,
    changed: &'a std::sync::Condvar,
    job: usize,
    conversions: Option<usize>,
}

impl Drop for Drawing<'_> {
    fn drop(&mut self) {
        let mut s = self.steps.lock().unwrap_or_else(|e| e.into_inner());
        s.drawn(self.job, self.conversions);
        self.changed.notify_all();
    }
}

/// `draw(job)` for every job, in `order`, and `convert(drawn, k)` of each drawn job for
/// every `k < conversions`; at most [`FIGURES_AT_ONCE`] steps at a time, each drawing thread
/// taking the next step not yet taken, at [`FIGURE_NICE`]. Returns each job's drawing and
/// its conversions in order, in the jobs' order.
///
/// A job's conversions are steps of their own, taken before the next job is drawn, by
/// whichever thread is free: a map drawn and converted on one thread could be the run's
/// last step, with the other core idle (`perf sched` on a million incidents: about a third
/// of a second; a conversion is about a fifth of a map's time). Measured, interleaved
/// pairs: `run` with the shipped borders on 200,000 rows 0.962 (faster in 7 of 8); on the
/// peer's million and on a UCDP file level.
///
/// The drawing threads are threads of their own, not jobs on the thread pool: a job holds
/// its worker until the last figure is drawn, and with both workers held, `run`'s layers
/// (written beside the figures, their column scans and formatting on the pool) waited for
/// the figures to end, about 1.4 s on a million incidents, and the GeoPackage's inserts
/// then ran on alone at the end (`perf`). Work a figure hands to the pool is shared with
/// the layers'.
fn side_by_side<J: Sync, D: Send + Sync, C: Send + Sync>(
    jobs: &[J],
    order: &[usize],
    conversions: usize,
    draw: impl Fn(&J) -> D + Sync,
    convert: impl Fn(&D, usize) -> C + Sync,
) -> Vec<(D, Vec<C>)> {
    use std::sync::{Condvar, Mutex, OnceLock};
    debug_assert!({
        let mut sorted = order.to_vec();
        sorted.sort_unstable();
        sorted == (0..jobs.len()).collect::<Vec<_>>()
    });
    let steps = Mutex::new(Steps::new(order));
    let changed = Condvar::new();
    let drawn: Vec<OnceLock<D>> = jobs.iter().map(|_| OnceLock::new()).collect();
    let converted: Vec<Vec<OnceLock<C>>> = jobs
        .iter()
        .map(|_| (0..conversions).map(|_| OnceLock::new()).collect())
        .collect();
    // The next step, or `None` once none is left and no job being drawn can add one.
    let next = || {
        let mut s = steps.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            match s.next() {
                Next::Take(step) => return Some(step),
                Next::Done => return None,
                Next::Wait => s = changed.wait(s).unwrap_or_else(|e| e.into_inner()),
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..FIGURES_AT_ONCE.min(jobs.len()) {
            scope.spawn(|| {
                super::priority::lower_this_thread(FIGURE_NICE);
                while let Some(step) = next() {
                    match step {
                        Step::Draw(i) => {
                            // Counted out however the drawing ends: one that panics must not
                            // leave the other thread waiting for its conversions (the panic
                            // is passed on once both threads are done).
                            let mut drawing = Drawing {
                                steps: &steps,
                                changed: &changed,
                                job: i,
                                conversions: None,
                            };
                            let _ = drawn[i].set(draw(&jobs[i]));
                            drawing.conversions = Some(conversions);
                        }
                        Step::Convert(i, k) => {
                            let d = drawn[i].get().expect("converted after it is drawn");
                            let _ = converted[i][k].set(convert(d, k));
                        }
                    }
                }
            });
        }
    });
    drawn
        .into_iter()
        .zip(converted)
        .map(|(d, cs)| {
            let d = d.into_inner().expect("every job is drawn");
            let cs = cs
                .into_iter()
                .map(|c| c.into_inner().expect("every conversion is made"))
                .collect();
            (d, cs)
        })
        .collect()
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
    use super::{FIGURES_AT_ONCE, Next, Step, Steps, side_by_side};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Steps run two at a time at most: every job drawn once, in the order given, each of
    /// its conversions made once after it is drawn and before any later job is drawn; the
    /// results come back in the jobs' order. Called from a pool of eight threads, they
    /// still are (the drawing threads are not the pool's).
    #[test]
    fn figures_are_drawn_a_few_at_a_time_converted_and_returned_in_order() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(8)
            .build()
            .unwrap();
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let log = Mutex::new(Vec::new());
        // Stay a while, giving way, so that any other thread that could start a step would
        // be seen running beside this one.
        let busy = || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            for _ in 0..2_000 {
                if running.load(Ordering::SeqCst) > FIGURES_AT_ONCE {
                    break;
                }
                std::thread::yield_now();
            }
            running.fetch_sub(1, Ordering::SeqCst);
        };
        let jobs: Vec<usize> = (0..24).collect();
        let order: Vec<usize> = (0..24).rev().collect();
        let out = pool.install(|| {
            side_by_side(
                &jobs,
                &order,
                2,
                |&j| {
                    log.lock().unwrap().push(("draw", j, 0));
                    busy();
                    j * 10
                },
                |&d, k| {
                    log.lock().unwrap().push(("convert", d / 10, k));
                    busy();
                    d + k
                },
            )
        });
        let expected: Vec<(usize, Vec<usize>)> = jobs
            .iter()
            .map(|&j| (j * 10, vec![j * 10, j * 10 + 1]))
            .collect();
        assert_eq!(out, expected);
        let most = most.load(Ordering::SeqCst);
        assert!((1..=FIGURES_AT_ONCE).contains(&most), "{most} at once");
        let log = log.into_inner().unwrap();
        assert_eq!(log.len(), jobs.len() * 3, "each step once");
        for &j in &jobs {
            let at = |what: &str, k: usize| {
                let mut found = (0..log.len()).filter(|&n| log[n] == (what, j, k));
                let first = found
                    .next()
                    .unwrap_or_else(|| panic!("{what} {j} {k} never ran"));
                assert!(found.next().is_none(), "{what} {j} {k} ran twice");
                first
            };
            let drawing = at("draw", 0);
            assert!(at("convert", 0) > drawing && at("convert", 1) > drawing);
        }
        let none = side_by_side(&[] as &[usize], &[], 1, |&j| j, |&d, _| d);
        assert!(none.is_empty());
        let unconverted = side_by_side(&[7usize], &[0], 0, |&j| j, |&d, _| d);
        assert_eq!(unconverted, [(7, vec![])]);
    }

    /// The steps' order: drawings in the order given, each drawn job's conversions first in
    /// line (before any later drawing), a thread told to wait while a drawing may still add
    /// steps, and done only when none can.
    #[test]
    fn conversions_come_before_the_next_drawing() {
        let mut steps = Steps::new(&[2, 0, 1]);
        assert_eq!(steps.next(), Next::Take(Step::Draw(2)));
        assert_eq!(steps.next(), Next::Take(Step::Draw(0)));
        steps.drawn(0, Some(2));
        assert_eq!(steps.next(), Next::Take(Step::Convert(0, 0)));
        steps.drawn(2, Some(2));
        assert_eq!(steps.next(), Next::Take(Step::Convert(2, 0)));
        assert_eq!(steps.next(), Next::Take(Step::Convert(2, 1)));
        assert_eq!(steps.next(), Next::Take(Step::Convert(0, 1)));
        assert_eq!(steps.next(), Next::Take(Step::Draw(1)));
        assert_eq!(steps.next(), Next::Wait, "job 1 is still being drawn");
        steps.drawn(1, None);
        assert_eq!(
            steps.next(),
            Next::Done,
            "a failed drawing adds no conversion"
        );
    }

    /// A drawing that panics does not leave the other thread waiting: the panic is passed
    /// on.
    #[test]
    fn a_drawing_that_panics_is_passed_on() {
        let jobs: Vec<usize> = (0..6).collect();
        let order: Vec<usize> = (0..6).collect();
        let caught = std::panic::catch_unwind(|| {
            side_by_side(
                &jobs,
                &order,
                1,
                |&j| {
                    assert!(j != 2, "job 2 fails");
                    j
                },
                |&d, _| d,
            )
        });
        assert!(caught.is_err());
    }
}
