//! Each incident's nearest border, found a chunk of records at a time: by the analysis
//! itself, or ahead of it, while the inputs are still being read ([`EarlyNearest`]).
//!
//! A chunk is the unit of the answers, not only of the work: the records of a chunk that
//! share a point share its placing, made for the widest reach among them, so a record's
//! placing beyond reach could differ with other chunks. Both ways use [`CHUNK`] records
//! from a multiple of it, so their answers are the same.

use super::assign::{CorridorSide, share_reach_km, shares_settled};
use super::columns::{AnalysisInput, Subject};
use super::{AnalysisOptions, BorderFrame};
use crate::borders::locate::{BorderIndex, BorderPosition, PointMap};
use crate::model::Date;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Records placed together: chunks start at multiples of this.
pub const CHUNK: usize = 1 << 15;

/// How an analysis places its records: the corridor, whose reach is where a position must
/// be exact, and how exact a distance within it must be.
#[derive(Debug, Clone, Copy)]
pub struct Placing {
    pub corridor_km: f64,
    /// The corridor's side where only the analysis's shares read the distances (a job that
    /// writes the tables alone, [`super::analyse_tables_in`]): a distance is then measured
    /// exactly only where the shares could depend on it ([`shares_settled`]). `None` where
    /// the placements are kept and written: every distance within reach is exact.
    pub shares_only: Option<CorridorSide>,
}

impl Placing {
    /// The placing of an analysis with `opts` that keeps its placements or not.
    pub fn of(opts: &AnalysisOptions, keep_placements: bool) -> Placing {
        Placing {
            corridor_km: opts.corridor_km,
            shares_only: (!keep_placements).then_some(opts.corridor_side),
        }
    }

    /// Whether answers found with `other` are this placing's.
    fn is(&self, other: &Placing) -> bool {
        self.corridor_km.to_bits() == other.corridor_km.to_bits()
            && self.shares_only == other.shares_only
    }
}

/// The nearest border of each record of one chunk.
#[derive(Debug)]
pub struct ChunkNearest {
    /// Per record, the index in `nearest` of its point's answer.
    at: Vec<u32>,
    /// Per distinct point, in the order they were queried.
    nearest: Vec<Option<BorderPosition>>,
}

impl ChunkNearest {
    /// Places the `n` records whose points `point(j)` gives (longitude, latitude, radius
    /// km), on all cores.
    pub fn new(
        n: usize,
        point: impl Fn(usize) -> (f64, f64, f64),
        index: &BorderIndex,
        placing: Placing,
    ) -> ChunkNearest {
        let distinct = Distinct::new(n, point, placing, None).expect("no stop to see");
        let nearest = distinct
            .order
            .par_iter()
            .with_min_len(256)
            .map(|&(_, slot)| distinct.nearest(slot, index))
            .collect();
        distinct.answered(nearest)
    }

    /// [`ChunkNearest::new`] on this thread alone, given up (`None`) as soon as `stop` is
    /// seen set (it is looked at every 4,096 records while the distinct points are found,
    /// and every 256 points queried).
    pub fn new_unless_stopped(
        n: usize,
        point: impl Fn(usize) -> (f64, f64, f64),
        index: &BorderIndex,
        placing: Placing,
        stop: &AtomicBool,
    ) -> Option<ChunkNearest> {
        let distinct = Distinct::new(n, point, placing, Some(stop))?;
        let mut nearest = Vec::with_capacity(distinct.order.len());
        for part in distinct.order.chunks(256) {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            nearest.extend(part.iter().map(|&(_, slot)| distinct.nearest(slot, index)));
        }
        Some(distinct.answered(nearest))
    }

    /// Records placed.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// The nearest border of the chunk's record `j`, if any.
    pub fn of(&self, j: usize) -> Option<BorderPosition> {
        self.nearest[self.at[j] as usize].clone()
    }
}

/// A chunk's distinct points, each with its widest reach, and the order to query them in.
struct Distinct {
    /// Per record, its point's slot.
    slots: Vec<u32>,
    /// Per slot: longitude, latitude and the widest reach of its records.
    points: Vec<(f64, f64, f64)>,
    /// (cell, slot), in query order.
    order: Vec<(u32, u32)>,
    placing: Placing,
}

impl Distinct {
    /// Each distinct point once (real data name the same places again and again; UCDP GED
    /// files hold about one distinct point for every four to five events), its exact
    /// position needed only within the share reach of its widest record ([`share_reach_km`]:
    /// the corridor and the record's radius; beyond it, no share is left).
    /// Given up (`None`) once `stop` is seen set, looked at every 4,096 records.
    fn new(
        n: usize,
        point: impl Fn(usize) -> (f64, f64, f64),
        placing: Placing,
        stop: Option<&AtomicBool>,
    ) -> Option<Distinct> {
        // Room for every record's own point from the start: growing the map by doubling
        // rehashed it about once more per point (about 2% of the analysis stage's samples
        // on the peer's million with its lines, by `perf`).
        let mut slot_of: PointMap<u32> = PointMap::with_capacity_and_hasher(n, Default::default());
        let mut points: Vec<(f64, f64, f64)> = Vec::with_capacity(n);
        let mut slots: Vec<u32> = Vec::with_capacity(n);
        for j in 0..n {
            if j % 4096 == 0 && stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                return None;
            }
            let (lon, lat, radius_km) = point(j);
            let reach = share_reach_km(placing.corridor_km, radius_km);
            let next = points.len() as u32;
            let slot = *slot_of
                .entry((lon.to_bits(), lat.to_bits()))
                .or_insert(next);
            if slot == next {
                points.push((lon, lat, reach));
            }
            let p = &mut points[slot as usize].2;
            *p = p.max(reach);
            slots.push(slot);
        }
        // Queried cell by cell (0.1° cells, about the size of the index's own, though not
        // aligned with them), so that a cell's candidates and segments are read from the
        // cache by its points in turn, not fetched from memory again for each point of the
        // chunk in input order (6–8% less CPU on the peer's million, with the shipped
        // borders and with its own lines). The answers do not depend on the order.
        let keyed: Vec<(u32, u32)> = points
            .iter()
            .enumerate()
            .map(|(slot, &(lon, lat, _))| (cell_key(lon, lat), slot as u32))
            .collect();
        let order = sorted_by_cell(keyed);
        Some(Distinct {
            slots,
            points,
            order,
            placing,
        })
    }

    /// A point's nearest border within its widest reach, its distance as exact as the
    /// placing asks.
    fn nearest(&self, slot: u32, index: &BorderIndex) -> Option<BorderPosition> {
        let (lon, lat, reach) = self.points[slot as usize];
        match self.placing.shares_only {
            None => index.nearest_within(lon, lat, reach),
            Some(side) => {
                let corridor = self.placing.corridor_km;
                index.nearest_settled(lon, lat, reach, &|low, high| {
                    shares_settled(corridor, side, reach, low, high)
                })
            }
        }
    }

    /// The chunk, given the answers in query order.
    fn answered(self, nearest: Vec<Option<BorderPosition>>) -> ChunkNearest {
        let mut rank = vec![0u32; self.points.len()];
        for (k, &(_, slot)) in self.order.iter().enumerate() {
            rank[slot as usize] = k as u32;
        }
        let at = self
            .slots
            .into_iter()
            .map(|slot| rank[slot as usize])
            .collect();
        ChunkNearest { at, nearest }
    }
}

/// Whole chunks of a job's records placed while the inputs were read, on cores the reading
/// left idle, for one frame ([`BorderFrame::stamp`]) and placing: the analysis reads a
/// chunk's answers here instead of finding them again.
#[derive(Debug)]
pub struct EarlyNearest {
    frame_stamp: u64,
    placing: Placing,
    /// Incidents read: the input the answers are for has this many.
    read: usize,
    /// Chunk k, if placed, holds records k·[`CHUNK`] .. (k + 1)·[`CHUNK`].
    chunks: Vec<Option<ChunkNearest>>,
}

impl EarlyNearest {
    /// Chunks 0, 1, … (those placed), each of [`CHUNK`] records, of `read` incidents in
    /// all, placed against `frame`'s index with `placing`.
    pub fn new(
        frame: &BorderFrame,
        placing: Placing,
        read: usize,
        chunks: Vec<Option<ChunkNearest>>,
    ) -> EarlyNearest {
        assert!(
            chunks.iter().flatten().all(|c| c.len() == CHUNK),
            "only whole chunks are placed early"
        );
        assert!(chunks.len() * CHUNK <= read, "chunks of the incidents read");
        EarlyNearest {
            frame_stamp: frame.stamp(),
            placing,
            read,
            chunks,
        }
    }

    /// The answers for records `first..end`, if they are one chunk placed here for this
    /// frame and placing.
    pub fn chunk(
        &self,
        first: usize,
        end: usize,
        frame: &BorderFrame,
        placing: &Placing,
    ) -> Option<&ChunkNearest> {
        if frame.stamp() != self.frame_stamp
            || !placing.is(&self.placing)
            || !first.is_multiple_of(CHUNK)
            || end != first + CHUNK
        {
            return None;
        }
        self.chunks.get(first / CHUNK)?.as_ref()
    }

    /// Chunks placed.
    pub fn placed(&self) -> usize {
        self.chunks.iter().flatten().count()
    }
}

/// Incidents with the nearest borders found for them ahead of the analysis: what the
/// analysis reads in their place ([`AnalysisInput::early_nearest`]). Every other method
/// is the input's own, forwarded.
pub struct WithEarly<'a, I: ?Sized> {
    pub input: &'a I,
    pub early: &'a EarlyNearest,
}

impl<I: AnalysisInput + ?Sized> AnalysisInput for WithEarly<'_, I> {
    fn len(&self) -> usize {
        self.input.len()
    }
    fn subject(&self, i: usize) -> Subject<'_> {
        self.input.subject(i)
    }
    fn point(&self, i: usize) -> (f64, f64, f64) {
        self.input.point(i)
    }
    fn date(&self, i: usize) -> Option<(Date, Date)> {
        self.input.date(i)
    }
    fn event_id(&self, i: usize) -> Option<&str> {
        self.input.event_id(i)
    }
    fn early_nearest(
        &self,
        first: usize,
        end: usize,
        frame: &BorderFrame,
        placing: &Placing,
    ) -> Option<&ChunkNearest> {
        // Answers for a list of another length are not this list's (a misuse, not a case).
        if self.input.len() != self.early.read {
            return None;
        }
        self.early.chunk(first, end, frame, placing)
    }
}

/// Bits of [`cell_key`] each pass of [`sorted_by_cell`] sorts by: two passes cover its
/// 23 bits (at most 1,801 · 3,601 − 1).
const KEY_DIGIT_BITS: u32 = 12;

/// `keyed` (cell key, slot), in slot order, sorted by key and slot: what `sort_unstable`
/// gives, found by two stable counting passes over the key's digits (least significant
/// first), since the slots are already in order. About a thirtieth of the comparison
/// sort's instructions on a chunk of 32,768 points.
fn sorted_by_cell(keyed: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    const BUCKETS: usize = 1 << KEY_DIGIT_BITS;
    const MASK: u32 = (1 << KEY_DIGIT_BITS) - 1;
    debug_assert!(keyed.windows(2).all(|w| w[0].1 < w[1].1));
    debug_assert!(
        keyed
            .iter()
            .all(|&(key, _)| key >> (2 * KEY_DIGIT_BITS) == 0)
    );
    let mut counts = [[0usize; BUCKETS]; 2];
    for &(key, _) in &keyed {
        counts[0][(key & MASK) as usize] += 1;
        counts[1][((key >> KEY_DIGIT_BITS) & MASK) as usize] += 1;
    }
    let mut from = keyed;
    let mut to = vec![(0, 0); from.len()];
    for (pass, count) in counts.iter().enumerate() {
        // Where each digit's entries start.
        let mut next = [0usize; BUCKETS];
        let mut start = 0;
        for (n, c) in next.iter_mut().zip(count) {
            *n = start;
            start += c;
        }
        let shift = pass as u32 * KEY_DIGIT_BITS;
        for &entry in &from {
            let digit = ((entry.0 >> shift) & MASK) as usize;
            to[next[digit]] = entry;
            next[digit] += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    from
}

/// A point's 0.1° cell as one number, cells in rows of latitude: the order a chunk's points
/// are queried in (coordinates beyond the globe's, or not numbers, sort with the nearest
/// edge's or first; the order changes no answer).
fn cell_key(lon: f64, lat: f64) -> u32 {
    let row = ((lat + 90.0) * 10.0).clamp(0.0, 1800.0) as u32;
    let column = ((lon + 180.0) * 10.0).clamp(0.0, 3600.0) as u32;
    row * 3601 + column
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_sorted_by_cell_as_a_comparison_sort_sorts_them() {
        let mut next = crate::geo_util::test_uniform(11);
        for n in [0, 1, 2, 100, 4096, CHUNK] {
            // Points over the globe, clustered ones (many in one cell), and the edges: the
            // largest key, points beyond the globe and not numbers.
            let mut points: Vec<(f64, f64)> = (0..n)
                .map(|i| match i % 4 {
                    0 => (next() * 360.0 - 180.0, next() * 180.0 - 90.0),
                    1 => (69.0 + next() * 0.3, 37.0 + next() * 0.3),
                    _ => (60.0 + next() * 16.0, 29.0 + next() * 12.0),
                })
                .collect();
            if n >= 4 {
                points[0] = (180.0, 90.0);
                points[1] = (f64::NAN, f64::NAN);
                points[2] = (-400.0, 200.0);
                points[3] = (f64::INFINITY, f64::NEG_INFINITY);
            }
            let keyed: Vec<(u32, u32)> = (0..)
                .zip(&points)
                .map(|(slot, &(lon, lat))| (cell_key(lon, lat), slot))
                .collect();
            let mut expected = keyed.clone();
            expected.sort_unstable();
            assert_eq!(sorted_by_cell(keyed), expected, "{n} points");
        }
        assert_eq!(cell_key(180.0, 90.0), 1800 * 3601 + 3600);
        assert!(cell_key(180.0, 90.0) < 1 << (2 * KEY_DIGIT_BITS));
    }
}
