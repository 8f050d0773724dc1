//! How the run's figures are drawn side by side: at most [`FIGURES_AT_ONCE`] steps at a
//! time on threads of their own at [`FIGURE_NICE`], a figure's conversions (PNG, PDF) each a
//! step of its own, first in line once the figure is drawn. Knows nothing of what a figure
//! is: [`super`] hands it the jobs, their order and how to draw and convert each.

/// Figures drawn at once, at most, whatever the number of cores. A map of a million
/// incidents holds a hundred megabytes or more while it groups them: drawn all at once, as
/// many as the cores allow, `run` on a million incidents peaked at 1,070 MiB with 4 threads
/// and 1,091 MiB with 8, against 982 MiB with 2 (1 GiB is its target).
pub(super) const FIGURES_AT_ONCE: usize = 2;

/// The nice level of the threads that draw figures. Beside a large run's layers, the
/// figures are not the longest chain: the GeoPackage's inserts are, on one thread, and at
/// an equal priority they got about half a core while the maps were drawn and then ran on
/// alone at the end, a core idle (`perf sched` on the peer's million: about 0.3 s of idle
/// core time in the last half second). Lowered, the figures take what the layers leave: `run`
/// on the peer's million, interleaved pairs against nice 0, median ratio 0.982 (faster in 9
/// of 12); with the shipped borders on 200,000 rows and on UCDP's file, where the figures
/// are the longest part, level (1.007 and 1.005).
const FIGURE_NICE: i32 = 10;

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
pub(super) fn side_by_side<J: Sync, D: Send + Sync, C: Send + Sync>(
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
                crate::pipeline::priority::lower_this_thread(FIGURE_NICE);
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

#[cfg(test)]
mod tests {
    use super::{FIGURES_AT_ONCE, Next, Step, Steps, side_by_side};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Steps run two at a time at most: every job drawn once and each of its conversions
    /// made once, after it is drawn; the results come back in the jobs' order, whatever the
    /// order of drawing (the steps' order is `conversions_come_before_the_next_drawing`'s to
    /// check: here two threads race). Called from a pool of eight threads, they still run
    /// two at a time (the drawing threads are not the pool's).
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
        let jobs: Vec<usize> = (0..8).collect();
        let order: Vec<usize> = (0..8).rev().collect();
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
