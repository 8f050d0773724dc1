//! Reading the inputs while the rest of two cores finds where the incidents read so far
//! lie on the borders.

use crate::density::columns::AnalysisInput;
use crate::density::nearest::{CHUNK, ChunkNearest, EarlyNearest, Placing};
use crate::density::{AnalysisOptions, BorderFrame};
use crate::geodata::GeoData;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::TrySendError;

/// What a reader shows after each batch: the incidents located so far.
pub(crate) type Watch<'w> = dyn FnMut(&dyn AnalysisInput) + Send + 'w;

/// Points of incidents: longitude, latitude, radius (km).
type Points = Vec<(f64, f64, f64)>;

/// Runs `read` on this thread while a thread of its own builds the analysis's border frame
/// and then, at the lowest nice level (19: a core nothing else wants, or about 1.4% of a
/// busy one, by its scheduling weight, 15 against 1,024), finds the nearest border of
/// whole chunks of incidents ([`CHUNK`]). `read` shows its `watch` the incidents located
/// so far after each batch (on the thread that files them); their points are copied there a batch at a time into chunks, and a chunk
/// goes to the placer when it is free or has none waiting; one read meanwhile is left to
/// the analysis.
///
/// Reading leaves about a quarter of two cores idle (its stages wait on one another), which
/// this fills without taking a core from them: on the thread pool, at the same priority,
/// the same work slowed the reading about as much as it gained. When the reading ends (or
/// fails, or panics), the placer is told to stop and gives up the chunk it is on within
/// 4,096 records (there is no more idle time to fill); the analysis finds the nearest
/// borders of the chunks not placed here ([`EarlyNearest`]). Where the priority cannot be
/// lowered, no chunk is placed early. The chunks are placed as an analysis that keeps its
/// placements or not (`keep_placements`, [`Placing::of`]) places them.
pub(crate) fn read_placing_early<R>(
    geo: &GeoData,
    opts: &AnalysisOptions,
    keep_placements: bool,
    read: impl FnOnce(&mut Watch<'_>) -> R,
) -> (R, BorderFrame, EarlyNearest) {
    let placing = Placing::of(opts, keep_placements);
    read_counting_placed(geo, opts, placing, &AtomicUsize::new(0), read)
}

/// [`read_placing_early`], adding one to `placed` as each chunk is placed.
fn read_counting_placed<R>(
    geo: &GeoData,
    opts: &AnalysisOptions,
    placing: Placing,
    placed_count: &AtomicUsize,
    read: impl FnOnce(&mut Watch<'_>) -> R,
) -> (R, BorderFrame, EarlyNearest) {
    let stop = AtomicBool::new(false);
    let (to_place, chunks) = std::sync::mpsc::sync_channel::<(usize, Points)>(1);
    std::thread::scope(|threads| {
        let placer = threads.spawn(|| {
            let frame = BorderFrame::new(geo, opts);
            let mut placed: Vec<Option<ChunkNearest>> = Vec::new();
            if !stop.load(Ordering::Relaxed) && lowest_priority() {
                for (k, points) in chunks {
                    // A chunk still waiting when the reading ends is the analysis's.
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Some(chunk) = ChunkNearest::new_unless_stopped(
                        CHUNK,
                        |j| points[j],
                        &frame.index,
                        placing,
                        &stop,
                    ) else {
                        break;
                    };
                    placed.resize_with(k, || None);
                    placed.push(Some(chunk));
                    placed_count.fetch_add(1, Ordering::Relaxed);
                }
            }
            (frame, placed)
        });
        let (read, located) = {
            // Told to stop however `read` ends, a panic included (the placer is joined
            // before the panic goes on).
            let _stop = StopOnDrop(&stop);
            let mut copier = ChunkCopier::new(CHUNK);
            let mut located = 0;
            let read = read(&mut |incidents: &dyn AnalysisInput| {
                located = incidents.len();
                copier.take(incidents, &mut |k, points| {
                    to_place.try_send((k, points)).map_err(|e| match e {
                        TrySendError::Full((_, unsent))
                        | TrySendError::Disconnected((_, unsent)) => unsent,
                    })
                });
            });
            drop(to_place);
            (read, located)
        };
        let (frame, placed) = placer
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        let early = EarlyNearest::new(&frame, placing, located, placed);
        (read, frame, early)
    })
}

/// Sets its flag when dropped.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Copies the points of the incidents located so far into whole chunks, batch by batch,
/// handing each full chunk on (its number and points) as it fills. A chunk the receiver
/// refuses (handing back its points) is skipped, its copy used again.
struct ChunkCopier {
    chunk: usize,
    /// The number of the chunk being filled, and its points so far.
    next: usize,
    points: Points,
}

impl ChunkCopier {
    fn new(chunk: usize) -> ChunkCopier {
        ChunkCopier {
            chunk,
            next: 0,
            points: Vec::with_capacity(chunk),
        }
    }

    /// Copies the incidents not yet copied.
    fn take(
        &mut self,
        located: &dyn AnalysisInput,
        hand_on: &mut dyn FnMut(usize, Points) -> Result<(), Points>,
    ) {
        let mut i = self.next * self.chunk + self.points.len();
        while i < located.len() {
            let end = located.len().min(i + (self.chunk - self.points.len()));
            self.points.extend((i..end).map(|i| located.point(i)));
            i = end;
            if self.points.len() == self.chunk {
                let full = std::mem::take(&mut self.points);
                self.points = match hand_on(self.next, full) {
                    Ok(()) => Vec::with_capacity(self.chunk),
                    Err(mut unsent) => {
                        unsent.clear();
                        unsent
                    }
                };
                self.next += 1;
            }
        }
    }
}

/// Lowers the calling thread to nice 19; whether it is. A nice level, not `SCHED_IDLE`: a
/// thread at nice 19 still gets a small share of a busy core, so one told to stop sees it
/// soon even on a machine loaded by other work.
fn lowest_priority() -> bool {
    super::priority::lower_this_thread(19)
}

#[cfg(test)]
mod tests {
    use super::super::prepare::ingest_for_analysis_with;
    use super::{ChunkCopier, Points, read_counting_placed};
    use crate::density::AnalysisOptions;
    use crate::density::analyse_tables_in;
    use crate::density::columns::{AnalysisInput, IncidentColumns, Subject};
    use crate::density::nearest::{CHUNK, ChunkNearest, Placing, WithEarly};
    use crate::geodata::GeoData;
    use crate::ingest::IngestOptions;
    use crate::model::PrecisionClass;
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// `n` incidents whose longitude is their index.
    fn numbered(n: usize) -> IncidentColumns {
        let mut columns = IncidentColumns::new();
        for i in 0..n {
            columns.push(&Subject {
                lon: i as f64,
                lat: 35.0,
                precision: PrecisionClass::Exact,
                radius_km: 0.0,
                stretch: None,
                date: None,
                count: 1.0,
                fatalities: None,
                fatalities_low: None,
                fatalities_high: None,
                wounded: None,
                event_type: None,
                actors: None,
                format: "native",
                source: None,
                event_id: None,
            });
        }
        columns
    }

    /// Whatever the batches, each chunk handed on holds its own incidents' points, in
    /// order, under its own number; a refused chunk is skipped and the next one is whole.
    #[test]
    fn the_copier_hands_on_each_whole_chunk_once_whatever_the_batches() {
        let all = numbered(50);
        for batches in [
            vec![50],
            vec![1; 50],
            vec![7, 1, 9, 33],
            vec![8, 8, 8],
            vec![16, 17, 17],
        ] {
            for refuse_odd in [false, true] {
                let mut copier = ChunkCopier::new(8);
                let mut handed: Vec<(usize, Points)> = Vec::new();
                let mut read = 0;
                for batch in &batches {
                    read += batch;
                    copier.take(&numbered(read), &mut |k, points| {
                        if refuse_odd && k % 2 == 1 {
                            return Err(points);
                        }
                        handed.push((k, points));
                        Ok(())
                    });
                }
                let expected: Vec<usize> = (0..read / 8)
                    .filter(|k| !refuse_odd || k % 2 == 0)
                    .collect();
                let numbers: Vec<usize> = handed.iter().map(|(k, _)| *k).collect();
                assert_eq!(numbers, expected, "{batches:?} {refuse_odd}");
                for (k, points) in &handed {
                    let own: Points = (k * 8..(k + 1) * 8).map(|i| all.point(i)).collect();
                    assert_eq!(points, &own, "{batches:?} chunk {k}");
                }
            }
        }
    }

    /// The first `len` incidents of a list.
    struct Prefix<'a> {
        all: &'a IncidentColumns,
        len: usize,
    }

    impl AnalysisInput for Prefix<'_> {
        fn len(&self) -> usize {
            self.len
        }
        fn subject(&self, i: usize) -> Subject<'_> {
            self.all.subject(i)
        }
    }

    /// Incidents read by the job's own reading, shown to the placer a chunk at a time as
    /// a reading would, each time waiting for the placer to take the chunk (it has only
    /// idle time: this thread, waiting, leaves it a core): each chunk placed holds the
    /// answers the analysis finds itself, and the analysis that reads them gives the
    /// tables of one that finds them all. (Linux only: elsewhere no chunk is placed early.)
    #[test]
    fn chunks_placed_while_reading_hold_the_analysis_own_answers() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        let mut next = crate::geo_util::test_uniform(41);
        let mut csv = String::from("id,date,longitude,latitude\n");
        for i in 0..3 * CHUNK + 500 {
            let (lon, lat) = (60.0 + next() * 16.0, 29.0 + next() * 12.0);
            csv.push_str(&format!("{i},2025-03-0{},{lon:.5},{lat:.5}\n", 1 + i % 9));
        }
        file.write_all(csv.as_bytes()).unwrap();
        let geo = GeoData::load(None).unwrap();
        let opts = AnalysisOptions::default();
        let inputs = [file.path().to_path_buf()];
        let all = ingest_for_analysis_with(&inputs, &geo, &IngestOptions::DEFAULT, &mut |_| {})
            .unwrap()
            .located;
        let placed = AtomicUsize::new(0);
        // As `density` and `compare` place them: distances only as exact as the shares need.
        let placing = Placing::of(&opts, false);
        let (located, frame, early) =
            read_counting_placed(&geo, &opts, placing, &placed, |watch| {
                for k in 1..=3 {
                    watch(&Prefix {
                        all: &all,
                        len: k * CHUNK + 100,
                    });
                    let waited = std::time::Instant::now();
                    while placed.load(Ordering::Relaxed) < k && waited.elapsed().as_secs() < 120 {
                        std::thread::sleep(std::time::Duration::from_millis(2));
                    }
                }
                watch(&all);
                Ok::<_, ()>(all)
            });
        let located = located.unwrap();
        assert_eq!(located.len(), 3 * CHUNK + 500);
        assert_eq!(early.placed(), 3);
        for k in 0..3 {
            let first = k * CHUNK;
            let placed_early = early.chunk(first, first + CHUNK, &frame, &placing).unwrap();
            let own = ChunkNearest::new(CHUNK, |j| located.point(first + j), &frame.index, placing);
            assert!(
                (0..CHUNK).all(|j| placed_early.of(j) == own.of(j)),
                "chunk {k}"
            );
        }
        let with_early = WithEarly {
            input: &located,
            early: &early,
        };
        assert!(
            with_early
                .early_nearest(0, CHUNK, &frame, &placing)
                .is_some()
        );
        // Nor by an analysis that keeps its placements, whose distances are all exact.
        let exact = Placing::of(&opts, true);
        assert!(with_early.early_nearest(0, CHUNK, &frame, &exact).is_none());
        let read_early = analyse_tables_in(&with_early, &frame, &opts);
        let without = analyse_tables_in(&located, &frame, &opts);
        assert_eq!(
            serde_json::to_string(&read_early).unwrap(),
            serde_json::to_string(&without).unwrap()
        );
        // Answers are not read for a list of another length.
        let other = numbered(located.len() + 1);
        let misused = WithEarly {
            input: &other,
            early: &early,
        };
        assert!(misused.early_nearest(0, CHUNK, &frame, &placing).is_none());
    }

    /// A reading that panics still stops the placer, and the panic goes on.
    #[test]
    fn a_reading_that_panics_stops_the_placer() {
        let geo = GeoData::load(None).unwrap();
        let opts = AnalysisOptions::default();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let placing = Placing::of(&opts, false);
            read_counting_placed(&geo, &opts, placing, &AtomicUsize::new(0), |watch| {
                watch(&numbered(2 * CHUNK));
                panic!("reading failed");
            })
        }));
        assert!(caught.is_err());
    }
}
