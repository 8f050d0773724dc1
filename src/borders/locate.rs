//! Linear referencing: for a point, the nearest border, the geodesic distance to it, the
//! position along it (km from the border's km 0) and the side it lies on.
//!
//! Candidate border segments come from an R-tree (rstar) in a longitude-scaled plane; each
//! candidate is then measured on the WGS 84 ellipsoid (geodesically, or within 0.2° in the
//! ellipsoid's tangent plane, which is within centimetres: `geo_util::km_near`), so the
//! answer is exact up to the foot-of-perpendicular step, which is solved in a local plane
//! around the point (border vertices are at most a few km apart, where that plane is
//! accurate to metres).

use super::Border;
use super::calibrated::Calibrated;
use super::cells::{CellGrid, CentreSearch};
use super::runs::{RUN_MAX, Runs};
use super::sphere::{self, ChordIndex};
use super::tangent::{TangentFrom, TangentLower, tangent_km};
use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

pub(super) use flat::flat_km;
use flat::{Candidate, KM_PER_DEG, flat_km_of, least, local, squared_over};

/// Longitude is multiplied by this in the index so distances are roughly isotropic in the
/// region (cos 35°); only candidate order depends on it, never a reported figure.
const LON_SCALE: f64 = 0.819;

type SegmentEntry = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// A map keyed by a point's coordinates (the bits of longitude and latitude), with a cheap
/// multiplicative hash instead of SipHash: the keys are the input's own coordinates, and the
/// map is only looked up, never iterated, so nothing depends on its order.
pub type PointMap<V> =
    std::collections::HashMap<(u64, u64), V, std::hash::BuildHasherDefault<PointHasher>>;

/// The hasher of [`PointMap`].
#[derive(Default)]
pub struct PointHasher(u64);

impl std::hash::Hasher for PointHasher {
    fn finish(&self) -> u64 {
        // The product's high bits are its best mixed: folded into the low ones the table uses.
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(26) ^ x).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Where a point is relative to one border.
#[derive(Debug, Clone, PartialEq)]
pub struct BorderPosition {
    /// Index of the border in the slice the index was built from.
    pub border: usize,
    /// Distance to the border line on the WGS 84 ellipsoid, km (`geo_util::km_near`).
    pub distance_km: f64,
    /// Position of the nearest point of the line, km from the border's km 0.
    pub along_km: f64,
    /// `true` when the point lies to the right of the line walking from km 0 (the
    /// Afghan side of every shipped border).
    pub right_side: bool,
}

impl BorderPosition {
    /// Distance with a sign: positive on the right (Afghan) side, negative on the left.
    pub fn signed_km(&self) -> f64 {
        if self.right_side {
            self.distance_km
        } else {
            -self.distance_km
        }
    }
}

/// Nearest-border queries over a set of borders.
pub struct BorderIndex {
    tree: RTree<SegmentEntry>,
    borders: Vec<Border>,
    cells: CellGrid,
    chords: ChordIndex,
    /// Each border's vertices as unit vectors ([`sphere::unit`]).
    units: Vec<Vec<[f64; 3]>>,
    /// Each border's vertex longitudes and latitudes, apart: a run's segments are then
    /// measured from two contiguous arrays in a loop of plain arithmetic, which the compiler
    /// turns into vector instructions ([`Self::measure_run`]).
    lons: Vec<Vec<f64>>,
    lats: Vec<Vec<f64>>,
    /// Runs of consecutive segments with bounds that skip most of a dense line.
    runs: Runs,
}

thread_local! {
    /// Each thread's list of the candidates a query scans ([`BorderIndex::nearest_settled`]).
    static SCAN: std::cell::RefCell<Vec<Candidate>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The longest run of segments one border contributes to a far cell's search.
const FAR_RUN: u32 = 256;
/// Candidates whose flat distance is within this of the best flat distance `best` (km) are
/// measured on the ellipsoid. The flat frame scales longitude by the point's own cos(lat), so its
/// error grows with distance (about tan(lat) · d / 6371 relative): a wider margin far out.
fn keep_within(best: f64) -> f64 {
    best * (1.01 + 3.0 * best / 6371.0) + 0.05
}

/// km per degree of the index plane that never exceeds the flat distance (`flat_km`) in
/// the frame of a point at latitude `lat`: that frame scales longitude by cos(lat), the
/// index plane by [`LON_SCALE`].
fn plane_km_lower(lat: f64) -> f64 {
    111.2 * (lat.to_radians().cos() / LON_SCALE).min(1.0) * 0.999
}

fn scaled(lon: f64, lat: f64) -> [f64; 2] {
    [lon * LON_SCALE, lat]
}

impl BorderIndex {
    pub fn new(borders: &[Border]) -> BorderIndex {
        let mut items = Vec::new();
        for (bi, b) in borders.iter().enumerate() {
            for (si, w) in b.line.0.windows(2).enumerate() {
                let line = Line::new(scaled(w[0].x, w[0].y), scaled(w[1].x, w[1].y));
                items.push(GeomWithData::new(line, (bi as u32, si as u32)));
            }
        }
        let units: Vec<Vec<[f64; 3]>> = borders
            .iter()
            .map(|b| b.line.0.iter().map(|c| sphere::unit(c.x, c.y)).collect())
            .collect();
        BorderIndex {
            tree: RTree::bulk_load(items),
            borders: borders.to_vec(),
            cells: CellGrid::new(borders),
            chords: ChordIndex::new(borders),
            runs: Runs::new(borders, &units, LON_SCALE),
            units,
            lons: borders
                .iter()
                .map(|b| b.line.0.iter().map(|c| c.x).collect())
                .collect(),
            lats: borders
                .iter()
                .map(|b| b.line.0.iter().map(|c| c.y).collect())
                .collect(),
        }
    }

    /// A lower bound (km) of the distance from any point of grid cell (cx, cy) to every
    /// border: the chord distance from the cell's centre less the cell's chord radius.
    fn cell_lower_km(&self, cx: usize, cy: usize) -> f64 {
        self.cell_centre_search(cx, cy).0
    }

    /// [`Self::cell_lower_km`], with the segment nearest on the sphere to the cell's centre
    /// (found by the same search).
    fn cell_centre_search(&self, cx: usize, cy: usize) -> CentreSearch {
        let g = &self.cells;
        *g.lower[cy * g.nx + cx].get_or_init(|| {
            let (lon0, lat0) = (g.lon0 + cx as f64 * g.step, g.lat0 + cy as f64 * g.step);
            let (lon1, lat1) = (lon0 + g.step, lat0 + g.step);
            let centre = sphere::unit((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0);
            let r = sphere::cell_chord_radius(lon0, lat0, lon1, lat1);
            match self.chords.nearest_to(centre) {
                Some((seg, chord)) => (self.chords.lower_km((chord - r).max(0.0)), Some(seg)),
                None => (self.chords.lower_km(f64::INFINITY), None),
            }
        })
    }

    /// The segment nearest on the sphere to grid vertex (vx, vy): a corner of up to four
    /// cells, found once for all of them.
    fn corner_nearest(&self, vx: usize, vy: usize) -> Option<(u32, u32)> {
        let g = &self.cells;
        *g.corners[vy * (g.nx + 1) + vx].get_or_init(|| {
            let (lon, lat) = (g.lon0 + vx as f64 * g.step, g.lat0 + vy as f64 * g.step);
            self.chords.nearest(lon, lat).map(|(seg, _)| seg)
        })
    }

    /// Segments to search on the sphere for points of a cell beyond reach: those nearest to
    /// the cell's corners and centre, and on each border the run of segments between them
    /// (at most [`FAR_RUN`] long), where the nearest point of a point inside the cell lies
    /// unless two stretches of border are about equally far (the distance is then about the
    /// same either way).
    fn far_candidates(&self, cx: usize, cy: usize) -> &[(u32, u32)] {
        let g = &self.cells;
        g.far[cy * g.nx + cx].get_or_init(|| {
            let mut hits: Vec<(u32, u32)> = [
                self.corner_nearest(cx, cy),
                self.corner_nearest(cx, cy + 1),
                self.corner_nearest(cx + 1, cy),
                self.corner_nearest(cx + 1, cy + 1),
                self.cell_centre_search(cx, cy).1,
            ]
            .into_iter()
            .flatten()
            .collect();
            hits.sort_unstable();
            let mut out: Vec<(u32, u32)> = Vec::new();
            for (bi, run) in hits.chunk_by(|a, b| a.0 == b.0).map(|r| (r[0].0, r)) {
                let (lo, hi) = (run[0].1, run[run.len() - 1].1);
                if hi - lo <= FAR_RUN {
                    out.extend((lo..=hi).map(|si| (bi, si)));
                } else {
                    out.extend_from_slice(run);
                    out.dedup();
                }
            }
            out.into_boxed_slice()
        })
    }

    /// The runs holding every segment that can be nearest (in [`Self::nearest`]'s sense) to some point of
    /// grid cell (cx, cy). With D the index-plane distance from the cell's centre to the
    /// nearest segment and h the cell's half-diagonal, a point q of the cell has a segment
    /// within U·(D + h) flat km (U bounds flat km per index-plane degree over the cell), so
    /// any segment it keeps lies within h + (keep_within(U·(D + h)) + 0.1) / L of the centre (L the
    /// lower bound of [`plane_km_lower`] over the cell).
    fn cell_candidates(&self, cx: usize, cy: usize) -> &[(u32, f64)] {
        let g = &self.cells;
        g.cells[cy * g.nx + cx].get_or_init(|| {
            let lon = g.lon0 + (cx as f64 + 0.5) * g.step;
            let lat = g.lat0 + (cy as f64 + 0.5) * g.step;
            let centre = scaled(lon, lat);
            let h = 0.5 * g.step * (1.0 + LON_SCALE * LON_SCALE).sqrt();
            let Some(nearest) = self.tree.nearest_neighbor(&centre) else {
                return Box::new([]);
            };
            let d = nearest.geom().distance_2(&centre).sqrt();
            let lat_low = (lat.abs() - 0.5 * g.step).max(0.0);
            let lat_high = (lat.abs() + 0.5 * g.step).min(90.0);
            let u = 111.2 * (lat_low.to_radians().cos() / LON_SCALE).max(1.0);
            let r = h + (keep_within(u * (d + h)) + 0.1) / plane_km_lower(lat_high) + 1e-9;
            let found = self.runs.within(centre, r);
            found.into_boxed_slice()
        })
    }

    pub fn borders(&self) -> &[Border] {
        &self.borders
    }

    /// The nearest border to a point, with distance, position and side.
    ///
    /// Candidates come from the point's grid cell (or, off the grid, from walking the R-tree);
    /// each is first measured in a local flat frame around the point (accurate to well under
    /// 1% at corridor distances), and only those within [`keep_within`] of the best flat
    /// distance are measured on the ellipsoid (`geo_util::km_near`), which is what is
    /// reported. Of those, a candidate farther than 0.2° (where `km_near` is the geodesic,
    /// the costly step) is measured only if the tangent plane, whose error is bounded
    /// ([`super::tangent`]), leaves it a chance of being nearest.
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<BorderPosition> {
        self.nearest_within(lon, lat, f64::INFINITY)
    }

    /// [`Self::nearest`] where that border lies within `reach_km` of the point. Beyond reach
    /// (decided by a lower bound, [`ChordIndex`], with no geodesic), the answer is the
    /// border nearest on the sphere, its distance from [`sphere::approx_km`] (within 0.5% of
    /// the ellipsoid's, and never below the lower bound, so still beyond reach), and the
    /// position and side of that segment's nearest point: cheap attributes for a point
    /// whose exact figures nothing depends on.
    pub fn nearest_within(&self, lon: f64, lat: f64, reach_km: f64) -> Option<BorderPosition> {
        self.nearest_settled(lon, lat, reach_km, &|_, _| false)
    }

    /// [`Self::nearest_within`] for a caller that needs a distance within reach only as
    /// exactly as `settled` says: given bounds (low, high) of the distance, it answers
    /// whether every value between them serves as well as the exact one. The border,
    /// position and side are always [`Self::nearest_within`]'s, and so is the distance
    /// unless the bounds alone decide the nearest and `settled` holds for its bounds: then
    /// the distance is the tangent plane's ([`super::tangent::tangent_km`]), not measured
    /// (within 0.2°, the exact distance is that same tangent plane; beyond, it is Karney's
    /// geodesic, the costly step). The bounds are [`TangentFrom`]'s, which hold the tangent
    /// plane's own bounds with a margin of a part in 10¹², so a near tie is measured, as
    /// an equal one always was. That the geodesic lies within the
    /// bounds rests on the tangent plane's error bound ([`super::tangent::tangent_error_km`]:
    /// three times the largest error seen over two million pairs, and tested), which the
    /// query has always used to skip candidates.
    pub fn nearest_settled(
        &self,
        lon: f64,
        lat: f64,
        reach_km: f64,
        settled: &dyn Fn(f64, f64) -> bool,
    ) -> Option<BorderPosition> {
        let cell = self.cells.cell_of(lon, lat);
        if reach_km.is_finite() {
            let cell_lower = cell.map_or(0.0, |(cx, cy)| self.cell_lower_km(cx, cy));
            // On the grid, a cell within reach goes straight to the exact query; off it,
            // the point's own bound decides.
            if cell.is_none() || cell_lower > reach_km {
                let ((bi, si), lower) = match cell {
                    // The cell's own search: the segment of its list nearest on the sphere.
                    Some((cx, cy)) => (self.nearest_on_sphere(cx, cy, lon, lat)?, cell_lower),
                    None => self.chords.nearest(lon, lat)?,
                };
                let lower = lower.max(cell_lower);
                if lower > reach_km {
                    let (b, s) = (bi as usize, si as usize);
                    let k = lat.to_radians().cos();
                    let foot = self.foot(b, s, lon, lat, k);
                    let d = sphere::approx_km(lon, lat, foot.0, foot.1).max(lower);
                    debug_assert!(d > reach_km);
                    return Some(self.position(b, s, lon, lat, k, d));
                }
            }
        }
        let k = lat.to_radians().cos();
        // Flat distances of every segment that can be kept: those within `keep_within` of the
        // best flat distance, found among the cell's runs nearest first, up to where no later
        // run can hold one (its segments' flat distances are at least its index-plane distance
        // less the point's offset, times `plane_lower`), a run skipped whole when its box is
        // beyond the limit (the limit only shrinks as better candidates are found).
        // The same with the frame calibrated at the point ([`Calibrated`]), whose error is
        // bounded and a fraction of the first frame's: a candidate beyond either limit is
        // not the nearest.
        // The scan keeps squared distances (`Candidate`) against squared limits a hair wider
        // (some forty segments scanned for four kept on the shipped borders); the least
        // distances are the roots of the least squares, so the limits are as before.
        let cal = Calibrated::new(lat);
        // The thread's own list, kept from query to query, not one allocated and freed per
        // query (`callgrind`: 4.827 → 4.812 G instructions for `density` on 200,000 rows).
        SCAN.with_borrow_mut(|flat| {
            flat.clear();
            self.scan_and_decide(lon, lat, k, cell, &cal, flat, settled)
        })
    }

    /// The rest of [`Self::nearest_settled`] for a point within reach (or off the grid):
    /// `flat` is an empty list to keep the scanned candidates in.
    #[allow(clippy::too_many_arguments)]
    fn scan_and_decide(
        &self,
        lon: f64,
        lat: f64,
        k: f64,
        cell: Option<(usize, usize)>,
        cal: &Calibrated,
        flat: &mut Vec<Candidate>,
        settled: &dyn Fn(f64, f64) -> bool,
    ) -> Option<BorderPosition> {
        let mut best_flat_2 = f64::INFINITY;
        let mut best_cal_2 = f64::INFINITY;
        match cell {
            Some((cx, cy)) => {
                let g = &self.cells;
                let centre = scaled(
                    g.lon0 + (cx as f64 + 0.5) * g.step,
                    g.lat0 + (cy as f64 + 0.5) * g.step,
                );
                let q = scaled(lon, lat);
                // How far the point is from its cell's centre in the index plane: a run `d`
                // from the centre is at least `d - off` from the point.
                let off = ((q[0] - centre[0]).powi(2) + (q[1] - centre[1]).powi(2)).sqrt();
                let off = off * (1.0 + 1e-9) + 1e-9;
                let plane_lower = plane_km_lower(lat);
                let plane_lower_cal = cal.plane_km_lower(k, LON_SCALE);
                // The limits change only when a run brings a better candidate.
                let (mut limit, mut limit_cal) = (f64::INFINITY, f64::INFINITY);
                let (mut limit_2, mut limit_cal_2) = (f64::INFINITY, f64::INFINITY);
                // One run's squared distances, flat and calibrated ([`Self::measure_run`]).
                let mut run_flat_2 = [0.0; RUN_MAX];
                let mut run_cal_2 = [0.0; RUN_MAX];
                for &(run, dc) in self.cell_candidates(cx, cy) {
                    if (dc - off) * plane_lower > limit + 0.1
                        || (dc - off) * plane_lower_cal > limit_cal + 0.1
                    {
                        break;
                    }
                    let (lower, lower_cal) = self.runs.lower_km(run, lon, lat, k, cal);
                    if lower > limit || lower_cal > limit_cal {
                        continue;
                    }
                    let (bi, segments) = self.runs.span(run);
                    let n = self.measure_run(
                        bi,
                        segments.clone(),
                        (lon, lat, k),
                        cal,
                        &mut run_flat_2,
                        &mut run_cal_2,
                    );
                    let (run_flat_2, run_cal_2) = (&run_flat_2[..n], &run_cal_2[..n]);
                    let (was_flat, was_cal) = (best_flat_2, best_cal_2);
                    let (least_flat_2, least_cal_2) = (least(run_flat_2), least(run_cal_2));
                    best_flat_2 = best_flat_2.min(least_flat_2);
                    best_cal_2 = best_cal_2.min(least_cal_2);
                    // One beyond the limits now is beyond them at the end (they only
                    // shrink); a run whose least distances are beyond them keeps none (most
                    // runs scanned).
                    if least_flat_2 <= limit_2 && least_cal_2 <= limit_cal_2 {
                        let distances = run_flat_2.iter().zip(run_cal_2);
                        for (si, (&f_2, &fc_2)) in segments.zip(distances) {
                            if f_2 <= limit_2 && fc_2 <= limit_cal_2 {
                                flat.push((bi, si, f_2, fc_2));
                            }
                        }
                    }
                    if best_flat_2 < was_flat || best_cal_2 < was_cal {
                        limit = keep_within(flat_km_of(best_flat_2));
                        limit_cal = cal.keep_limit(best_cal_2.sqrt(), limit);
                        limit_2 = squared_over(limit / KM_PER_DEG);
                        limit_cal_2 = squared_over(limit_cal);
                    }
                }
            }
            None => {
                for seg in self.walk_tree(lon, lat, k) {
                    let c = self.flat_candidate(seg, lon, lat, k, cal);
                    best_flat_2 = best_flat_2.min(c.2);
                    best_cal_2 = best_cal_2.min(c.3);
                    flat.push(c);
                }
            }
        }
        let limit = keep_within(flat_km_of(best_flat_2));
        let limit_cal = cal.keep_limit(best_cal_2.sqrt(), limit);
        // The kept candidates with their distances (km), flat and calibrated: roots only for
        // those within the squared limits.
        let (limit_2, limit_cal_2) = (squared_over(limit / KM_PER_DEG), squared_over(limit_cal));
        flat.retain_mut(|c| {
            let (f_2, fc_2) = (c.2, c.3);
            if f_2 > limit_2 || fc_2 > limit_cal_2 {
                return false;
            }
            (c.2, c.3) = (flat_km_of(f_2), fc_2.sqrt());
            c.2 <= limit && c.3 <= limit_cal
        });
        let flat: &mut [Candidate] = flat;
        // The nearest calibrated distance first, so that the upper bound of the nearest distance
        // (the least of the kept candidates' upper bounds and measured distances) is about
        // the answer from the start; a candidate whose lower bound exceeds it is farther than
        // the nearest and is never measured. The bound without trigonometry
        // ([`TangentLower`]) comes first; then the tangent plane's, whose error is bounded
        // ([`super::tangent`]). The rest need no order (the answer is the least by distance,
        // border and segment whatever the order; sorting them all was about 5–7% of `density`
        // with the shipped borders, by `perf`).
        if let Some(first) = (0..flat.len()).min_by(|&a, &b| {
            let (a, b) = (flat[a], flat[b]);
            a.3.total_cmp(&b.3).then((a.0, a.1).cmp(&(b.0, b.1)))
        }) {
            flat.swap(0, first);
        }
        let cheap = TangentLower::new(lat, limit, cal.sin_cos());
        let tangent = TangentFrom::new(lon, lat, cal.sin_cos());
        if let Some(p) = self.decided_by_bounds(flat, lon, lat, k, (&cheap, &tangent), settled) {
            return Some(p);
        }
        // The bounds did not decide (two candidates about equally far, more than a few
        // candidates left, or a bound not a number): each candidate is measured.
        let mut upper = f64::INFINITY;
        // Candidates whose nearest points coincide (a shared vertex) have one geodesic
        // distance: it is measured once.
        let mut measured: [((f64, f64), f64); 4] = [((f64::NAN, f64::NAN), 0.0); 4];
        let mut n_measured = 0;
        let mut best: Option<(BorderPosition, u32)> = None;
        for &(bi, si, ..) in flat.iter() {
            let (b, s) = (bi as usize, si as usize);
            let foot = self.foot(b, s, lon, lat, k);
            // One that cannot come within the upper bound is not the nearest.
            if cheap.lower_km(lon, lat, foot) > upper {
                continue;
            }
            let (lower, upper_here) = tangent.bounds_km(foot);
            if lower > upper {
                continue;
            }
            let known = measured[..n_measured]
                .iter()
                .find(|(f, _)| *f == foot)
                .map(|&(_, d)| d);
            let distance_km = known.unwrap_or_else(|| {
                let d = crate::geo_util::km_near(lon, lat, foot.0, foot.1);
                if n_measured < measured.len() {
                    measured[n_measured] = (foot, d);
                    n_measured += 1;
                }
                d
            });
            upper = upper.min(upper_here).min(distance_km);
            // Ties go to the lower border, then the lower segment (at a shared vertex the two
            // feet can differ in the last bit; the side rule gives both the same answer).
            let better = best.as_ref().is_none_or(|(p, bs)| {
                distance_km
                    .total_cmp(&p.distance_km)
                    .then(b.cmp(&p.border))
                    .then(si.cmp(bs))
                    .is_lt()
            });
            if better {
                best = Some((self.position(b, s, lon, lat, k, distance_km), si));
            }
        }
        best.map(|(p, _)| p)
    }

    /// The nearest of the kept candidates (`flat`, the nearest calibrated first) where the
    /// bounds of their distances decide it without a geodesic, `None` where they do not
    /// (about equally far stretches; more than a few candidates left).
    ///
    /// Each candidate's foot is bounded as in [`Self::nearest_within`]'s measuring (the cheap
    /// bound, then the tangent plane's from the point's frame, [`TangentFrom`]), one beyond the
    /// least upper bound so far dropped. The nearest is then the candidate with the least upper
    /// bound if every other one's lower bound lies beyond it, or shares its foot (the same point of
    /// the line, so the same distance: the tie goes to the lower border, then segment, as there).
    /// Only its distance is measured, and only where `settled` asks for it.
    fn decided_by_bounds(
        &self,
        flat: &[(u32, u32, f64, f64)],
        lon: f64,
        lat: f64,
        k: f64,
        (cheap, tangent): (&TangentLower, &TangentFrom),
        settled: &dyn Fn(f64, f64) -> bool,
    ) -> Option<BorderPosition> {
        // (border, segment, foot, lower and upper bounds, km)
        type Bounded = (u32, u32, (f64, f64), f64, f64);
        const ROOM: usize = 8;
        let mut left: [Bounded; ROOM] = [(0, 0, (0.0, 0.0), 0.0, 0.0); ROOM];
        let mut n = 0;
        let mut upper = f64::INFINITY;
        for &(bi, si, ..) in flat {
            let foot = self.foot(bi as usize, si as usize, lon, lat, k);
            if cheap.lower_km(lon, lat, foot) > upper {
                continue;
            }
            let (low, high) = tangent.bounds_km(foot);
            if low > upper {
                continue;
            }
            upper = upper.min(high);
            if n == ROOM {
                return None;
            }
            left[n] = (bi, si, foot, low, high);
            n += 1;
        }
        let left = &left[..n];
        let mut nearest = *left
            .iter()
            .min_by(|a, b| a.4.total_cmp(&b.4).then((a.0, a.1).cmp(&(b.0, b.1))))?;
        for c in left {
            if c.2 == nearest.2 {
                if (c.0, c.1) < (nearest.0, nearest.1) {
                    nearest = *c;
                }
            } else if c.3.partial_cmp(&nearest.4) != Some(std::cmp::Ordering::Greater) {
                // Not beyond it (or not a number): measured.
                return None;
            }
        }
        let (bi, si, foot, low, high) = nearest;
        let distance_km = if low < high && settled(low, high) {
            tangent_km(lon, lat, foot.0, foot.1)
        } else {
            crate::geo_util::km_near(lon, lat, foot.0, foot.1)
        };
        Some(self.position(bi as usize, si as usize, lon, lat, k, distance_km))
    }

    /// Candidate segments for a point off the grid, in order of their distance in the
    /// index's plane, up to where none can be nearest.
    fn walk_tree(&self, lon: f64, lat: f64, k: f64) -> Vec<(u32, u32)> {
        let q = scaled(lon, lat);
        let lower = plane_km_lower(lat);
        let mut best_flat = f64::INFINITY;
        let mut close = Vec::new();
        for entry in self.tree.nearest_neighbor_iter(&q) {
            // A lower bound of the flat distance, from the index-plane distance.
            let approx_km = entry.geom().distance_2(&q).sqrt() * lower;
            if approx_km > keep_within(best_flat) + 0.1 {
                break;
            }
            let (bi, si) = entry.data;
            best_flat = best_flat.min(self.flat_km(bi as usize, si as usize, lon, lat, k));
            close.push((bi, si));
        }
        close
    }

    /// The segment of a far cell's list ([`Self::far_candidates`]) nearest to the point on
    /// the sphere (ties to the lower border, then segment). A run whose ball
    /// ([`Runs::chord_lower_2`]) lies farther than the best so far is skipped whole: none of
    /// its segments could be nearer or tie.
    fn nearest_on_sphere(&self, cx: usize, cy: usize, lon: f64, lat: f64) -> Option<(u32, u32)> {
        let p = sphere::unit(lon, lat);
        let mut best: Option<(f64, (u32, u32))> = None;
        let mut run_seen = u32::MAX;
        let mut skip = false;
        for &(bi, si) in self.far_candidates(cx, cy) {
            let run = self.runs.run_of(bi, si);
            if run != run_seen {
                run_seen = run;
                skip = best.is_some_and(|(d, _)| self.runs.chord_lower_2(run, p) > d);
            }
            if skip {
                continue;
            }
            let d = self.chord_2(bi, si, p);
            if best.is_none_or(|(bd, bs)| d.total_cmp(&bd).then((bi, si).cmp(&bs)).is_lt()) {
                best = Some((d, (bi, si)));
            }
        }
        best.map(|(_, seg)| seg)
    }

    /// Squared distance from a unit vector to a segment's chord of the unit sphere.
    fn chord_2(&self, bi: u32, si: u32, p: [f64; 3]) -> f64 {
        let u = &self.units[bi as usize];
        Line::new(u[si as usize], u[si as usize + 1]).distance_2(&p)
    }

    /// Distance to a segment in a local equirectangular frame, km.
    fn flat_km(&self, bi: usize, si: usize, lon: f64, lat: f64, k: f64) -> f64 {
        let line = &self.borders[bi].line.0;
        flat_km(line[si], line[si + 1], lon, lat, k)
    }

    /// Position relative to one given border (brute force over its segments).
    pub fn position_on(&self, border: usize, lon: f64, lat: f64) -> BorderPosition {
        let n = self.borders[border].line.0.len().saturating_sub(1);
        (0..n)
            .map(|si| self.measure(border, si, lon, lat))
            .min_by(|a, b| a.distance_km.total_cmp(&b.distance_km))
            .unwrap_or(BorderPosition {
                border,
                distance_km: f64::INFINITY,
                along_km: 0.0,
                right_side: true,
            })
    }

    /// Distance from a point to one segment of a border, solved in a local plane around the
    /// point and measured on the ellipsoid.
    fn measure(&self, bi: usize, si: usize, lon: f64, lat: f64) -> BorderPosition {
        let k = lat.to_radians().cos();
        let foot = self.foot(bi, si, lon, lat, k);
        let distance_km = crate::geo_util::km_near(lon, lat, foot.0, foot.1);
        self.position(bi, si, lon, lat, k, distance_km)
    }

    /// The segment's position parameter (0 at its start, 1 at its end) of the point nearest
    /// to (lon, lat), found in a local plane around the point, and the local-plane vectors.
    /// `k` is cos(lat), computed once per query.
    fn local(&self, bi: usize, si: usize, lon: f64, lat: f64, k: f64) -> (f64, [f64; 4]) {
        let b = &self.borders[bi];
        local(b.line.0[si], b.line.0[si + 1], lon, lat, k)
    }

    /// The point of a segment nearest to (lon, lat).
    fn foot(&self, bi: usize, si: usize, lon: f64, lat: f64, k: f64) -> (f64, f64) {
        let (a, c) = (self.borders[bi].line.0[si], self.borders[bi].line.0[si + 1]);
        let (t, _) = self.local(bi, si, lon, lat, k);
        (a.x + (c.x - a.x) * t, a.y + (c.y - a.y) * t)
    }

    /// Position along and side of a segment, given the point's distance to it.
    fn position(
        &self,
        bi: usize,
        si: usize,
        lon: f64,
        lat: f64,
        k: f64,
        distance_km: f64,
    ) -> BorderPosition {
        let b = &self.borders[bi];
        let (t, [dx, dy, rx, ry]) = self.local(bi, si, lon, lat, k);
        let seg_km = b.vertex_km[si + 1] - b.vertex_km[si];
        let along_km = b.vertex_km[si] + seg_km * t;
        // Cross product < 0: the point is to the right of the direction of travel.
        let cross = dx * ry - dy * rx;
        // When the nearest point is a vertex, the two segments meeting there can disagree
        // (beyond a sharp bend); the point is then on the outside of the bend.
        let bend = match (t, si) {
            (t, si) if t <= 0.0 && si > 0 => Some(si - 1),
            (t, si) if t >= 1.0 && si + 2 < b.line.0.len() => Some(si),
            _ => None,
        };
        let right_side = match bend {
            Some(first) => {
                let (_, [d1x, d1y, ..]) = self.local(bi, first, lon, lat, k);
                let (_, [d2x, d2y, ..]) = self.local(bi, first + 1, lon, lat, k);
                // The vertex, relative to which both crosses are taken.
                let v = b.line.0[first + 1];
                let (vx, vy) = ((lon - v.x) * k, lat - v.y);
                let c1 = d1x * vy - d1y * vx;
                let c2 = d2x * vy - d2y * vx;
                if (c1 <= 0.0) == (c2 <= 0.0) {
                    c1 <= 0.0
                } else {
                    // A left turn has its outside on the right.
                    d1x * d2y - d1y * d2x > 0.0
                }
            }
            None => cross <= 0.0,
        };
        BorderPosition {
            border: bi,
            distance_km,
            along_km,
            right_side,
        }
    }

    /// The point at `km` along a border (clamped to its ends).
    pub fn point_at(&self, border: usize, km: f64) -> (f64, f64) {
        point_at_km(&self.borders[border], km)
    }
}

/// The point at `km` along a border (clamped to its ends), interpolated between vertices.
pub fn point_at_km(b: &Border, km: f64) -> (f64, f64) {
    let km = km.clamp(0.0, b.measured_km);
    let i = b
        .vertex_km
        .partition_point(|&v| v < km)
        .clamp(1, b.vertex_km.len() - 1);
    let (k0, k1) = (b.vertex_km[i - 1], b.vertex_km[i]);
    let t = if k1 > k0 { (km - k0) / (k1 - k0) } else { 0.0 };
    let (a, c) = (b.line.0[i - 1], b.line.0[i]);
    (a.x + (c.x - a.x) * t, a.y + (c.y - a.y) * t)
}

/// The part of a border between two km positions, as coordinates.
pub fn sub_line(b: &Border, km_from: f64, km_to: f64) -> Vec<(f64, f64)> {
    let mut out = vec![point_at_km(b, km_from)];
    for (i, &k) in b.vertex_km.iter().enumerate() {
        if k > km_from && k < km_to {
            out.push((b.line.0[i].x, b.line.0[i].y));
        }
    }
    out.push(point_at_km(b, km_to));
    out
}

mod flat;
#[cfg(test)]
mod tests;
