//! Which districts a point may lie in: a grid of 0.05° cells over the districts' bounding
//! boxes, each cell listing, in ascending order, the districts whose box meets it.
//!
//! `run` asks this for every located incident (its district and province), a million times
//! on the peer's file. An R-tree of the boxes walked its nodes for each point (`district_at`
//! less its outline tests: about 1,400 instructions a point, `callgrind` on the peer's first
//! 100,000 rows), and every district whose box held the point was then tested, because the
//! answer is the first of them in the shipped order. A cell's list is one
//! look-up, and being in that order, the first district that contains the point is the
//! answer: the rest are not tested.

use super::inside_grid::Cover;
use geo::{BoundingRect, MultiPolygon};
use std::sync::atomic::{AtomicU8, Ordering};

/// Cell size, degrees: small enough that a cell's list is about the districts whose boxes
/// hold the point, large enough that the grid over Afghanistan, Pakistan and Tajikistan is
/// about 115,000 cells (half a megabyte of list starts).
const CELL_DEG: f64 = 0.05;

/// At most this many cells (4 MiB of list starts): districts spread wider (a `--geodata`
/// folder's, perhaps not in degrees at all) get cells doubled in size until they fit, and a
/// spread that is not a finite number gets one cell.
const MAX_CELLS: f64 = 1_048_576.0;

/// The grid; see the module's documentation.
#[derive(Debug)]
pub(super) struct DistrictIndex {
    x0: f64,
    y0: f64,
    /// Cell size, degrees: [`CELL_DEG`], or larger (see [`MAX_CELLS`]).
    step: f64,
    cols: usize,
    rows: usize,
    /// Cell `k`'s districts are `members[starts[k]..starts[k + 1]]`, ascending.
    starts: Vec<u32>,
    members: Vec<u32>,
    /// Beside each of `members`: what its district's outline test says of every point of
    /// the cell ([`Cover`] as a number, 0 while not yet known), worked out the first time a
    /// point falls in the cell. A candidate so decided needs no outline test and is read
    /// no further than the cell's list: the districts' own grids, one per district spread
    /// over memory, were a cache miss or two per district tried (`LazyGrid::contains` was
    /// about 0.3 s of a million incidents' placing, `perf`). On the peer's million, two
    /// thirds of the candidates tried are decided so (566,151 inside and 402,870 outside,
    /// 490,761 tested).
    covers: Vec<AtomicU8>,
}

/// A cell of the index that holds a point: its districts with what is known of each, and
/// its bounds.
pub(super) struct IndexCell<'a> {
    pub(super) members: &'a [u32],
    covers: &'a [AtomicU8],
    /// `[x_min, y_min, x_max, y_max]`, a hair wider than the cell: every point found in
    /// the cell lies within them.
    pub(super) bounds: [f64; 4],
}

impl IndexCell<'_> {
    /// What is known of the `slot`-th member's outline over the cell, or, not yet known,
    /// `work_out`'s answer, then kept (threads that race both work out the same).
    pub(super) fn cover(&self, slot: usize, work_out: impl FnOnce() -> Cover) -> Cover {
        let known = &self.covers[slot];
        match known.load(Ordering::Relaxed) {
            INSIDE => Cover::Inside,
            OUTSIDE => Cover::Outside,
            MIXED => Cover::Mixed,
            _ => {
                let cover = work_out();
                let code = match cover {
                    Cover::Inside => INSIDE,
                    Cover::Outside => OUTSIDE,
                    Cover::Mixed => MIXED,
                };
                known.store(code, Ordering::Relaxed);
                cover
            }
        }
    }
}

/// [`Cover`]s as kept in [`DistrictIndex::covers`]; 0 is not yet known.
const INSIDE: u8 = 1;
const OUTSIDE: u8 = 2;
const MIXED: u8 = 3;

impl DistrictIndex {
    /// The index of `shapes`, districts numbered by their place in it.
    pub(super) fn new<'a>(shapes: impl Iterator<Item = &'a MultiPolygon<f64>>) -> DistrictIndex {
        let boxes: Vec<Option<[f64; 4]>> = shapes
            .map(|s| {
                let r = s.bounding_rect()?;
                let b = [r.min().x, r.min().y, r.max().x, r.max().y];
                b.iter().all(|v| v.is_finite()).then_some(b)
            })
            .collect();
        let Some([x0, y0, x1, y1]) = boxes.iter().flatten().copied().reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        }) else {
            return DistrictIndex {
                x0: 0.0,
                y0: 0.0,
                step: CELL_DEG,
                cols: 0,
                rows: 0,
                starts: vec![0],
                members: Vec::new(),
                covers: Vec::new(),
            };
        };
        let (width, height) = (x1 - x0, y1 - y0);
        let mut step = CELL_DEG;
        if !(width * height).is_finite() {
            step = f64::INFINITY;
        }
        while ((width / step).floor() + 1.0) * ((height / step).floor() + 1.0) > MAX_CELLS {
            step *= 2.0;
        }
        // One cell when the step is infinite (0/∞ = 0).
        let cols = (width / step).floor() as usize + 1;
        let rows = (height / step).floor() as usize + 1;
        let index = DistrictIndex {
            x0,
            y0,
            step,
            cols,
            rows,
            starts: Vec::new(),
            members: Vec::new(),
            covers: Vec::new(),
        };
        // The cells a box meets: those of its corners and all between. A point in the box
        // falls in one of them, as a cell is found by the same monotone arithmetic.
        let span = |b: &[f64; 4]| {
            let (c0, r0) = index.cell(b[0], b[1]);
            let (c1, r1) = index.cell(b[2], b[3]);
            (r0..=r1).flat_map(move |r| (c0..=c1).map(move |c| r * cols + c))
        };
        let mut counts = vec![0u32; cols * rows + 1];
        for b in boxes.iter().flatten() {
            for k in span(b) {
                counts[k + 1] += 1;
            }
        }
        let mut starts = counts;
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        let mut members = vec![0u32; starts[cols * rows] as usize];
        let mut next = starts.clone();
        for (i, b) in boxes.iter().enumerate() {
            let Some(b) = b else { continue };
            for k in span(b) {
                members[next[k] as usize] = i as u32;
                next[k] += 1;
            }
        }
        DistrictIndex {
            starts,
            covers: members.iter().map(|_| AtomicU8::new(0)).collect(),
            members,
            ..index
        }
    }

    /// The cell (column, row) of a point of the grid's extent, clamped to the grid.
    fn cell(&self, lon: f64, lat: f64) -> (usize, usize) {
        let col = (((lon - self.x0) / self.step).floor() as usize).min(self.cols - 1);
        let row = (((lat - self.y0) / self.step).floor() as usize).min(self.rows - 1);
        (col, row)
    }

    /// The districts whose bounding box may hold the point, ascending: every district whose
    /// box holds it is among them. Empty off the grid and for coordinates that are not numbers.
    #[cfg(test)]
    pub(super) fn candidates(&self, lon: f64, lat: f64) -> &[u32] {
        self.cell_at(lon, lat).map_or(&[], |cell| cell.members)
    }

    /// The cell that holds the point, with its candidates ([`Self::candidates`]); `None` off
    /// the grid and for coordinates that are not numbers.
    pub(super) fn cell_at(&self, lon: f64, lat: f64) -> Option<IndexCell<'_>> {
        let (fx, fy) = ((lon - self.x0) / self.step, (lat - self.y0) / self.step);
        if !(fx >= 0.0 && fy >= 0.0) {
            return None;
        }
        let (col, row) = (fx.floor() as usize, fy.floor() as usize);
        if col >= self.cols || row >= self.rows {
            return None;
        }
        let k = row * self.cols + col;
        let range = self.starts[k] as usize..self.starts[k + 1] as usize;
        // A millionth of a cell each way is far more than the rounding of `fx` and `fy`.
        let hair = self.step * 1e-6;
        let edge = |start: f64, i: usize| start + i as f64 * self.step;
        Some(IndexCell {
            members: &self.members[range.clone()],
            covers: &self.covers[range],
            bounds: [
                edge(self.x0, col) - hair,
                edge(self.y0, row) - hair,
                edge(self.x0, col + 1) + hair,
                edge(self.y0, row + 1) + hair,
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x, y: y),
            (x: x + size, y: y),
            (x: x + size, y: y + size),
            (x: x, y: y + size),
        ]])
    }

    /// Every district whose box holds a point is among its candidates, in ascending order,
    /// at random points, on box edges and corners, and on the grid's far edge.
    #[test]
    fn candidates_hold_every_box_that_holds_the_point_in_order() {
        let shapes = [
            square(60.0, 30.0, 1.0),
            square(60.5, 30.5, 0.013),
            square(60.999, 30.2, 2.0),
            square(61.3, 29.0, 0.05),
            MultiPolygon(vec![]),
            square(60.0, 30.0, 0.05),
        ];
        let index = DistrictIndex::new(shapes.iter());
        let boxes: Vec<Option<geo::Rect<f64>>> = shapes.iter().map(|s| s.bounding_rect()).collect();
        let mut points: Vec<(f64, f64)> = Vec::new();
        let mut next = crate::geo_util::test_uniform(7);
        for _ in 0..20_000 {
            points.push((59.9 + 3.2 * next(), 28.9 + 3.5 * next()));
        }
        for r in boxes.iter().flatten() {
            let (a, b) = (r.min(), r.max());
            points.extend([
                (a.x, a.y),
                (b.x, b.y),
                (a.x, b.y),
                (b.x, a.y),
                (a.x, 0.5 * (a.y + b.y)),
            ]);
        }
        for (lon, lat) in points {
            let got = index.candidates(lon, lat);
            assert!(got.windows(2).all(|w| w[0] < w[1]), "{got:?} not ascending");
            for (i, r) in boxes.iter().enumerate() {
                if r.is_some_and(|r| in_box(&r, lon, lat)) {
                    assert!(got.contains(&(i as u32)), "{i} missing at ({lon}, {lat})");
                }
            }
        }
        assert!(index.candidates(f64::NAN, 30.5).is_empty());
        assert!(index.candidates(60.5, f64::INFINITY).is_empty());
        assert!(index.candidates(59.0, 30.5).is_empty());
        assert!(
            DistrictIndex::new(std::iter::empty())
                .candidates(60.0, 30.0)
                .is_empty()
        );
    }

    /// Districts spread far wider than a country (here in metres, as a `--geodata` folder
    /// not in degrees would have them) get a grid of at most [`MAX_CELLS`] cells, and
    /// coordinates too large to span still give every box that holds a point.
    #[test]
    fn wide_or_huge_spreads_stay_small_and_complete() {
        let metres = [square(6.6e6, 3.3e6, 2.0e4), square(8.9e6, 5.0e6, 3.5e4)];
        let index = DistrictIndex::new(metres.iter());
        assert!((index.cols * index.rows) as f64 <= MAX_CELLS, "{index:?}");
        assert_eq!(index.candidates(6.61e6, 3.31e6), &[0]);
        assert_eq!(index.candidates(8.91e6, 5.01e6), &[1]);
        let huge = [square(-f64::MAX, 0.0, 1.0), square(60.0, 30.0, 1.0)];
        let index = DistrictIndex::new(huge.iter());
        assert_eq!((index.cols, index.rows), (1, 1));
        assert!(index.candidates(60.5, 30.5).contains(&1));
    }

    /// Whether the box holds the point, its edges included (`Rect::contains` leaves them out).
    fn in_box(r: &geo::Rect<f64>, lon: f64, lat: f64) -> bool {
        let (a, b) = (r.min(), r.max());
        (a.x..=b.x).contains(&lon) && (a.y..=b.y).contains(&lat)
    }
}
