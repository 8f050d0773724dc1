//! Runs of consecutive border segments with cheap bounds, so that a nearest-border query
//! over survey-resolution lines (30,000 vertices on AF-PK, a vertex every 90 m) measures a
//! few segments instead of every segment within reach.
//!
//! Each border is cut into runs of about [`RUN_KM`] of line (at most [`RUN_MAX`] segments;
//! a line with vertices kilometres apart gets runs of one segment, as before). A run carries
//! - its longitude–latitude box: in a point's local equirectangular frame (longitude scaled
//!   by the cosine of the point's latitude) the box's distance bounds from below the flat
//!   distance to every segment of the run, since the frame scales each axis by a constant;
//! - a ball around its vertices as unit vectors ([`super::sphere::unit`]): a chord of the
//!   unit sphere between two of them lies in the ball (a ball is convex), so the distance
//!   to the ball bounds the chord distance to every segment of the run from below.

use super::Border;
use super::calibrated::Calibrated;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// About how much line one run covers, km.
pub const RUN_KM: f64 = 1.5;
/// The most segments in one run.
pub const RUN_MAX: usize = 32;

/// Degrees to km in the flat frame (`BorderIndex::flat_km`'s factor).
const KM_PER_DEG: f64 = 111.2;

/// Runs of every border: boxes, balls and an R-tree of the boxes.
pub struct Runs {
    /// Segments per run, per border.
    len: Vec<u32>,
    /// Per run, in border order: (border, first segment, one past the last segment).
    span: Vec<(u32, u32, u32)>,
    /// Per border, the id of its first run.
    first: Vec<u32>,
    /// Per run: longitude and latitude extent (lon0, lat0, lon1, lat1).
    boxes: Vec<[f64; 4]>,
    /// Per run: centre and radius of a ball holding its vertices as unit vectors.
    balls: Vec<([f64; 3], f64)>,
    /// The boxes in the index plane (`scale` applied to longitude), with their run ids.
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

impl Runs {
    /// Cuts each border into runs; `lon_scale` is the index plane's longitude factor.
    pub fn new(borders: &[Border], units: &[Vec<[f64; 3]>], lon_scale: f64) -> Runs {
        let mut runs = Runs {
            len: Vec::new(),
            span: Vec::new(),
            first: Vec::new(),
            boxes: Vec::new(),
            balls: Vec::new(),
            tree: RTree::new(),
        };
        let mut items = Vec::new();
        for (bi, b) in borders.iter().enumerate() {
            let n_seg = b.line.0.len().saturating_sub(1);
            let mean_km = b.measured_km / n_seg.max(1) as f64;
            let len = ((RUN_KM / mean_km.max(1e-9)).floor() as usize).clamp(1, RUN_MAX);
            runs.len.push(len as u32);
            runs.first.push(runs.span.len() as u32);
            for s0 in (0..n_seg).step_by(len) {
                let s1 = (s0 + len).min(n_seg);
                let pts = &b.line.0[s0..=s1];
                let mut bx = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                for c in pts {
                    bx = [
                        bx[0].min(c.x),
                        bx[1].min(c.y),
                        bx[2].max(c.x),
                        bx[3].max(c.y),
                    ];
                }
                let us = &units[bi][s0..=s1];
                let mut centre = [0.0; 3];
                for u in us {
                    for (c, v) in centre.iter_mut().zip(u) {
                        *c += v / us.len() as f64;
                    }
                }
                let radius = us.iter().map(|u| dist3(*u, centre)).fold(0.0, f64::max);
                let id = runs.span.len() as u32;
                runs.span.push((bi as u32, s0 as u32, s1 as u32));
                runs.boxes.push(bx);
                // A margin of a micrometre on the unit sphere (6 mm) for rounding.
                runs.balls.push((centre, radius * (1.0 + 1e-9) + 1e-12));
                items.push(GeomWithData::new(
                    Rectangle::from_corners([bx[0] * lon_scale, bx[1]], [bx[2] * lon_scale, bx[3]]),
                    id,
                ));
            }
        }
        runs.tree = RTree::bulk_load(items);
        runs
    }

    /// Runs whose box lies within `r` of `centre` in the index plane, each with that
    /// distance (no farther than any of its segments), nearest first.
    pub fn within(&self, centre: [f64; 2], r: f64) -> Vec<(u32, f64)> {
        use rstar::PointDistance;
        let mut found: Vec<(u32, f64)> = self
            .tree
            .locate_within_distance(centre, r * r)
            .map(|e| (e.data, e.geom().distance_2(&centre).sqrt()))
            .collect();
        found.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        found
    }

    /// How many runs there are: their ids are 0 to this.
    pub fn count(&self) -> u32 {
        self.span.len() as u32
    }

    /// The border and segments of a run.
    pub fn span(&self, run: u32) -> (u32, std::ops::Range<u32>) {
        let (b, s0, s1) = self.span[run as usize];
        (b, s0..s1)
    }

    /// The run holding a border's segment.
    pub fn run_of(&self, border: u32, segment: u32) -> u32 {
        self.first[border as usize] + segment / self.len[border as usize]
    }

    /// Lower bounds (km) of the distance from the point to every segment of a run: in the
    /// flat frame (`BorderIndex::flat_km`, whose frame scales longitude by `k`, the cosine of
    /// the point's latitude), and in the frame calibrated at the point ([`Calibrated`]),
    /// which scales the same offset by a constant per axis.
    pub fn lower_km(&self, run: u32, lon: f64, lat: f64, k: f64, cal: &Calibrated) -> (f64, f64) {
        let (dx, dy) = self.box_offsets(run, lon, lat, k);
        // Rounding in the segment's own foot can reach an ulp or two past the box.
        let flat = ((dx * dx + dy * dy).sqrt() * KM_PER_DEG * (1.0 - 1e-12) - 1e-9).max(0.0);
        let calibrated = (cal.km(dx, dy) * (1.0 - 1e-12) - 1e-9).max(0.0);
        (flat, calibrated)
    }

    /// The offset from the point to the nearest point of a run's box in the point's flat
    /// frame: longitude degrees times `k`, latitude degrees.
    fn box_offsets(&self, run: u32, lon: f64, lat: f64, k: f64) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.boxes[run as usize];
        let dx = (x0 * k - lon * k).max(lon * k - x1 * k).max(0.0);
        let dy = (y0 - lat).max(lat - y1).max(0.0);
        (dx, dy)
    }

    /// A lower bound of the squared chord distance from unit vector `p` to every segment of
    /// a run, as chords of the unit sphere.
    pub fn chord_lower_2(&self, run: u32, p: [f64; 3]) -> f64 {
        let (c, r) = self.balls[run as usize];
        let d = dist3(p, c) - r;
        if d > 0.0 { d * d * (1.0 - 1e-9) } else { 0.0 }
    }
}

fn dist3(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::borders::shipped;
    use crate::borders::sphere::unit;
    use rstar::PointDistance;
    use rstar::primitives::Line;

    #[test]
    fn the_bounds_never_exceed_what_they_bound() {
        let borders = shipped().unwrap();
        let units: Vec<Vec<[f64; 3]>> = borders
            .iter()
            .map(|b| b.line.0.iter().map(|c| unit(c.x, c.y)).collect())
            .collect();
        let runs = Runs::new(&borders, &units, 0.819);
        // The survey-resolution lines get runs of many segments.
        let pk = borders.iter().position(|b| b.id == "AF-PK").unwrap();
        assert!(runs.len[pk] >= 8, "{}", runs.len[pk]);
        let mut next = crate::geo_util::test_uniform(3);
        for _ in 0..120 {
            let (lon, lat) = (58.0 + next() * 20.0, 27.0 + next() * 16.0);
            let k = lat.to_radians().cos();
            let p = unit(lon, lat);
            for run in 0..runs.span.len() as u32 {
                let (bi, segs) = runs.span(run);
                let line = &borders[bi as usize].line.0;
                let lb = runs.lower_km(run, lon, lat, k, &Calibrated::new(lat)).0;
                let cb = runs.chord_lower_2(run, p);
                for si in segs {
                    assert_eq!(runs.run_of(bi, si), run);
                    let (a, c) = (line[si as usize], line[si as usize + 1]);
                    let flat = crate::borders::locate::flat_km(a, c, lon, lat, k);
                    assert!(lb <= flat, "{lon} {lat}: run {run} bound {lb} > {flat}");
                    let u = &units[bi as usize];
                    let chord = Line::new(u[si as usize], u[si as usize + 1]).distance_2(&p);
                    assert!(cb <= chord, "{lon} {lat}: run {run} bound {cb} > {chord}");
                }
            }
        }
    }
}
