//! Reading the inputs while the rest of two cores finds where the incidents read so far
//! lie on the borders.

use crate::density::columns::AnalysisInput;
use crate::density::nearest::{CHUNK, ChunkNearest, EarlyNearest};
use crate::density::{AnalysisOptions, BorderFrame};
use crate::geodata::GeoData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::TrySendError;

/// What a reader shows after each batch: the incidents located so far.
pub(crate) type Watch<'w> = dyn FnMut(&dyn AnalysisInput) + Send + 'w;

/// Runs `read` on this thread (which shows `watch` the incidents located so far after each
/// batch) while a thread of its own builds the analysis's border frame and then, at the
/// lowest priority (`SCHED_IDLE`: only on a core nothing else wants), finds the nearest
/// border of each whole chunk of incidents ([`CHUNK`]) as soon as it is read.
///
/// Reading leaves about a quarter of two cores idle (its stages wait on one another), which
/// this fills without taking a core from them: on the thread pool, at the same priority,
/// the same work slowed the reading about as much as it gained. When the reading ends, the
/// thread gives up the chunk it is on (there is no more idle time to fill), and the
/// analysis finds the nearest borders of the chunks not placed here. Where the priority
/// cannot be lowered, no chunk is placed early.
pub(crate) fn read_placing_early<R>(
    geo: &GeoData,
    opts: &AnalysisOptions,
    read: impl FnOnce(&mut Watch<'_>) -> R,
) -> (R, BorderFrame, EarlyNearest) {
    let corridor_km = opts.corridor_km;
    let stop = AtomicBool::new(false);
    // One chunk waits while the placer works on another; a chunk read while one waits is
    // left to the analysis (the placer, given only idle time, falls behind the reading, and
    // copies queued for it would be memory held for nothing).
    let (to_place, chunks) = std::sync::mpsc::sync_channel::<(usize, Vec<(f64, f64, f64)>)>(1);
    std::thread::scope(|threads| {
        let placer = threads.spawn(|| {
            let frame = BorderFrame::new(geo, opts);
            let mut placed: Vec<Option<ChunkNearest>> = Vec::new();
            if idle_priority() {
                for (k, points) in chunks {
                    let Some(chunk) = ChunkNearest::new_unless_stopped(
                        CHUNK,
                        |j| points[j],
                        &frame.index,
                        corridor_km,
                        &stop,
                    ) else {
                        break;
                    };
                    placed.resize_with(k, || None);
                    placed.push(Some(chunk));
                }
            }
            (frame, placed)
        });
        // The next chunk's number and points. Each batch's points are copied as soon as it
        // is added, while its records are still in the cache (this runs on the thread the
        // reading waits for).
        let mut next = 0usize;
        let mut points: Vec<(f64, f64, f64)> = Vec::with_capacity(CHUNK);
        let read = read(&mut |located: &dyn AnalysisInput| {
            let mut i = next * CHUNK + points.len();
            while i < located.len() {
                let end = located.len().min(i + (CHUNK - points.len()));
                points.extend((i..end).map(|i| located.point(i)));
                i = end;
                if points.len() == CHUNK {
                    let full = std::mem::take(&mut points);
                    points = match to_place.try_send((next, full)) {
                        Ok(()) => Vec::with_capacity(CHUNK),
                        // Left to the analysis: the copy is used again.
                        Err(TrySendError::Full((_, mut unsent)))
                        | Err(TrySendError::Disconnected((_, mut unsent))) => {
                            unsent.clear();
                            unsent
                        }
                    };
                    next += 1;
                }
            }
        });
        stop.store(true, Ordering::Relaxed);
        drop(to_place);
        let (frame, placed) = placer
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        let early = EarlyNearest::new(&frame, corridor_km, placed);
        (read, frame, early)
    })
}

/// Puts the calling thread in the `SCHED_IDLE` class; whether it is.
#[cfg(target_os = "linux")]
fn idle_priority() -> bool {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: pid 0 is the calling thread, and `param` is a valid `sched_param`.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) == 0 }
}

#[cfg(not(target_os = "linux"))]
fn idle_priority() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::super::analysis::AnalysisJob;
    use crate::density::analyse_tables_in;
    use crate::density::columns::AnalysisInput;
    use crate::density::nearest::{CHUNK, ChunkNearest};
    use std::io::Write;

    /// Read through the job's own path, every chunk the placer found (however many the idle
    /// time allowed: none is asserted) holds the answers the analysis would find itself, and
    /// the tables are those of an analysis that finds them all.
    #[test]
    fn chunks_placed_while_reading_hold_the_analysis_own_answers() {
        let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        let mut next = crate::geo_util::test_uniform(41);
        let mut csv = String::from("id,date,longitude,latitude\n");
        for i in 0..3 * CHUNK + 500 {
            let (lon, lat) = (60.0 + next() * 16.0, 29.0 + next() * 12.0);
            csv.push_str(&format!("{i},2025-03-0{},{lon:.5},{lat:.5}\n", 1 + i % 9));
        }
        file.write_all(csv.as_bytes()).unwrap();
        let job = AnalysisJob {
            inputs: vec![file.path().to_path_buf()],
            ..AnalysisJob::default()
        };
        let ready = job.prepare(None, &mut |_| {}).unwrap();
        let located = &ready.prepared.located;
        assert_eq!(located.len(), 3 * CHUNK + 500);
        let corridor = job.options.corridor_km;
        assert!(ready.early.placed() <= 3);
        for k in 0..3 {
            let first = k * CHUNK;
            let Some(early) = ready
                .early
                .chunk(first, first + CHUNK, &ready.frame, corridor)
            else {
                continue;
            };
            let own = ChunkNearest::new(
                CHUNK,
                |j| located.point(first + j),
                &ready.frame.index,
                corridor,
            );
            assert!((0..CHUNK).all(|j| early.of(j) == own.of(j)), "chunk {k}");
        }
        let with_early = analyse_tables_in(&ready.incidents(), &ready.frame, &job.options);
        let without = analyse_tables_in(located, &ready.frame, &job.options);
        assert_eq!(
            serde_json::to_string(&with_early).unwrap(),
            serde_json::to_string(&without).unwrap()
        );
    }
}
