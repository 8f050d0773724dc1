//! A segment's distance in the query point's flat frames: the local equirectangular frame
//! (longitude scaled by the cosine of the point's latitude, 111.2 km per degree) and the
//! frame calibrated at the point ([`Calibrated`]). The nearest-border query scans with
//! these before it measures anything on the ellipsoid.

use super::BorderIndex;
use crate::borders::calibrated::Calibrated;
use crate::borders::runs::RUN_MAX;

impl BorderIndex {
    /// The squared distances of [`Self::flat_candidate`] (flat and calibrated) of the
    /// segments `segments` of border `bi` (at most [`RUN_MAX`]: a run), for the point
    /// (lon, lat) with `k` the cosine of its latitude, written to the first places of
    /// `flat_2` and `cal_2`; returns how many. [`flat_offset`] and [`Calibrated::km_2`], as
    /// [`Self::flat_candidate`] measures each segment (so the same numbers to the bit:
    /// tested), but with no branch and no push between the segments: with the vertices read
    /// from [`Self::lons`] and [`Self::lats`] the compiler vectorises the loop (`divpd`,
    /// `mulpd` in the binary).
    #[inline(always)]
    pub(super) fn measure_run(
        &self,
        bi: u32,
        segments: std::ops::Range<u32>,
        (lon, lat, k): (f64, f64, f64),
        cal: &Calibrated,
        flat_2: &mut [f64; RUN_MAX],
        cal_2: &mut [f64; RUN_MAX],
    ) -> usize {
        let (s0, s1) = (segments.start as usize, segments.end as usize);
        let n = s1 - s0;
        assert!(n <= RUN_MAX, "a run of {n} segments");
        let (xs, ys) = (&self.lons[bi as usize], &self.lats[bi as usize]);
        let (x0, x1) = (&xs[s0..s1], &xs[s0 + 1..=s1]);
        let (y0, y1) = (&ys[s0..s1], &ys[s0 + 1..=s1]);
        let out = flat_2[..n].iter_mut().zip(&mut cal_2[..n]);
        for ((((f_2, c_2), &ax), &cx), (&ay, &cy)) in out.zip(x0).zip(x1).zip(y0.iter().zip(y1)) {
            let (a, c) = (geo::Coord { x: ax, y: ay }, geo::Coord { x: cx, y: cy });
            let (fx, fy) = flat_offset(a, c, lon, lat, k);
            *f_2 = fx * fx + fy * fy;
            *c_2 = cal.km_2(fx, fy);
        }
        n
    }

    /// A candidate as the query's scan keeps it ([`Candidate`]).
    #[inline(always)]
    pub(super) fn flat_candidate(
        &self,
        (bi, si): (u32, u32),
        lon: f64,
        lat: f64,
        k: f64,
        cal: &Calibrated,
    ) -> Candidate {
        let line = &self.borders[bi as usize].line.0;
        let (fx, fy) = flat_offset(line[si as usize], line[si as usize + 1], lon, lat, k);
        (bi, si, fx * fx + fy * fy, cal.km_2(fx, fy))
    }
}

/// km per degree of the query's flat frame ([`flat_km`]).
pub(super) const KM_PER_DEG: f64 = 111.2;

/// A candidate segment in the query's scan: border, segment, and the squares of its
/// distances in the local equirectangular frame (degrees², [`flat_km_of`] gives km) and in
/// the frame calibrated at the point (km², [`Calibrated::km_2`]).
pub(super) type Candidate = (u32, u32, f64, f64);

/// Distance from (lon, lat) to the segment a–c in the point's local equirectangular frame
/// (longitude scaled by `k`, the cosine of its latitude; 111.2 km per degree), km.
pub(in crate::borders) fn flat_km(
    a: geo::Coord<f64>,
    c: geo::Coord<f64>,
    lon: f64,
    lat: f64,
    k: f64,
) -> f64 {
    let (fx, fy) = flat_offset(a, c, lon, lat, k);
    flat_km_of(fx * fx + fy * fy)
}

/// [`flat_km`] from the squared offset (degrees²).
pub(super) fn flat_km_of(offset_2: f64) -> f64 {
    offset_2.sqrt() * KM_PER_DEG
}

/// The least of squared distances (none NaN, none −0: then the least is one number however
/// it is found), in four lanes the compiler can keep in vector registers.
pub(super) fn least(values: &[f64]) -> f64 {
    let mut lanes = [f64::INFINITY; 4];
    let mut fours = values.chunks_exact(4);
    for four in &mut fours {
        for (lane, &v) in lanes.iter_mut().zip(four) {
            if v < *lane {
                *lane = v;
            }
        }
    }
    for &v in fours.remainder() {
        if v < lanes[0] {
            lanes[0] = v;
        }
    }
    lanes[0].min(lanes[1]).min(lanes[2].min(lanes[3]))
}

/// The square of `limit` made a little larger: any value whose root (times a positive
/// constant the limit was divided by) is within the limit is within this square, whatever
/// the rounding.
pub(super) fn squared_over(limit: f64) -> f64 {
    limit * limit * (1.0 + 1e-9)
}

/// The offset from (lon, lat) to the nearest point of segment a–c in the point's local
/// frame (longitude degrees times `k`, latitude degrees), which [`flat_km`] measures.
#[inline(always)]
pub(super) fn flat_offset(
    a: geo::Coord<f64>,
    c: geo::Coord<f64>,
    lon: f64,
    lat: f64,
    k: f64,
) -> (f64, f64) {
    let (t, [dx, dy, ..]) = local(a, c, lon, lat, k);
    (a.x * k + dx * t - lon * k, a.y + dy * t - lat)
}

/// The position parameter (0 at a, 1 at c) of the point of segment a–c nearest to (lon, lat)
/// in the point's local plane (longitude scaled by `k`), and the plane's vectors a→c and
/// a→point.
#[inline(always)]
pub(super) fn local(
    a: geo::Coord<f64>,
    c: geo::Coord<f64>,
    lon: f64,
    lat: f64,
    k: f64,
) -> (f64, [f64; 4]) {
    let (ax, ay, cx, cy, px, py) = (a.x * k, a.y, c.x * k, c.y, lon * k, lat);
    let (dx, dy) = (cx - ax, cy - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (t, [dx, dy, px - ax, py - ay])
}
