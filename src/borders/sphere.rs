//! Bounds for the nearest-border query that need no geodesic: border segments as chords of
//! the unit sphere (geodetic latitude and longitude read as spherical coordinates) in a 3-D
//! R-tree, which gives, in O(log n) whatever the borders' vertex count,
//!
//! - a lower bound of a point's distance to every border, in km on the WGS 84 ellipsoid:
//!   the ellipsoid's metric is at least M₀ = a(1 − e²) (its smallest radius of curvature, the
//!   meridian's at the equator) times the unit sphere's under that reading, and a chord is
//!   never longer than its arc, so a point whose chord distance to every border chord is c
//!   lies at least M₀ · (c − δ) km from every border (δ: how far a segment drawn straight
//!   in longitude and latitude strays from its chord, measured per segment when the index
//!   is built);
//! - the segment nearest to the point on the sphere, and a cheap distance to a point
//!   ([`approx_km`]: the great-circle angle times the Gaussian radius √(MN) at the mean
//!   latitude, within 0.5% of the geodesic, tested).
//!
//! The analysis only needs exact distances within the reach of its corridor; beyond it these
//! bounds decide, without measuring anything on the ellipsoid.

use super::Border;
use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

use crate::geo_util::{A_KM, E2};
/// The ellipsoid's smallest radius of curvature, km: the meridian's at the equator,
/// a(1 − e²).
pub const M0_KM: f64 = A_KM * (1.0 - E2);

type ChordEntry = GeomWithData<Line<[f64; 3]>, (u32, u32)>;

/// The unit vector of a longitude and latitude (degrees) read as spherical coordinates.
pub fn unit(lon: f64, lat: f64) -> [f64; 3] {
    let (sl, cl) = lon.to_radians().sin_cos();
    let (sp, cp) = lat.to_radians().sin_cos();
    [cp * cl, cp * sl, sp]
}

fn dist3(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Border segments as chords of the unit sphere.
pub struct ChordIndex {
    tree: RTree<ChordEntry>,
    /// The largest distance (unit-sphere units) between a segment drawn straight in
    /// longitude and latitude and its chord, with a margin.
    stray: f64,
}

impl ChordIndex {
    pub fn new(borders: &[Border]) -> ChordIndex {
        let mut items = Vec::new();
        let mut stray: f64 = 0.0;
        for (bi, b) in borders.iter().enumerate() {
            for (si, w) in b.line.0.windows(2).enumerate() {
                let chord = Line::new(unit(w[0].x, w[0].y), unit(w[1].x, w[1].y));
                if may_stray_past(w[0], w[1], stray) {
                    stray = stray.max(sampled_stray(&chord, w[0], w[1]));
                }
                items.push(GeomWithData::new(chord, (bi as u32, si as u32)));
            }
        }
        ChordIndex {
            tree: RTree::bulk_load(items),
            stray: 2.0 * stray + 1e-12,
        }
    }

    /// The segment nearest to a point on the sphere, as (border, segment), and a lower bound
    /// (km) of the point's distance to every border (on the ellipsoid, in the sense of
    /// `geo_util::km_near`).
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<((u32, u32), f64)> {
        let p = unit(lon, lat);
        let e = self.tree.nearest_neighbor(&p)?;
        Some((e.data, self.lower_km(e.geom().distance_2(&p).sqrt())))
    }

    /// A lower bound (km) of the distance to every border of points whose chord distance to
    /// every border chord is at least `chord`.
    pub fn lower_km(&self, chord: f64) -> f64 {
        // km_near's tangent plane can read up to 0.3 m below the geodesic (tested in
        // geo_util); 1 m covers it.
        (M0_KM * (chord - self.stray) * (1.0 - 1e-9) - 0.001).max(0.0)
    }

    /// The segment whose chord is nearest to unit vector `p`, and that chord distance (the
    /// smallest from `p` to any border chord).
    pub fn nearest_to(&self, p: [f64; 3]) -> Option<((u32, u32), f64)> {
        let e = self.tree.nearest_neighbor(&p)?;
        Some((e.data, e.geom().distance_2(&p).sqrt()))
    }
}

/// How far a segment drawn straight in longitude and latitude from `a` to `b` strays from its
/// chord, sampled: the straight segment bulges from its chord by a smooth amount that peaks
/// once; 15 samples (at sixteenths) and a factor of 2 (in [`ChordIndex`]'s `stray`) bound it.
fn sampled_stray(chord: &Line<[f64; 3]>, a: geo::Coord<f64>, b: geo::Coord<f64>) -> f64 {
    (1..16)
        .map(|k| {
            let t = k as f64 / 16.0;
            let p = unit(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
            chord.distance_2(&p).sqrt()
        })
        .fold(0.0, f64::max)
}

/// Whether the samples of the segment from `a` to `b` could exceed `so_far`. Along the
/// segment the unit vector's second derivative is at most (|Δλ| + |Δφ|)² (radians: each
/// second partial of (cos φ cos λ, cos φ sin λ, sin φ) has norm at most 1), so the segment
/// lies within an eighth of that of its chord (the error of linear interpolation), and so
/// does every sample. Survey-resolution lines have segments of some 100 m, which stray by
/// 10⁻¹⁰ of the radius where a long one strays by 10⁻⁶: most need no sampling, and the
/// largest sample, which is all that is kept, is the same. The margin is thousands of times
/// the samples' rounding.
fn may_stray_past(a: geo::Coord<f64>, b: geo::Coord<f64>, so_far: f64) -> bool {
    stray_bound(a, b) > so_far
}

/// The bound of [`may_stray_past`], with its margin: at least every sample of the segment.
fn stray_bound(a: geo::Coord<f64>, b: geo::Coord<f64>) -> f64 {
    let extent = ((b.x - a.x).abs() + (b.y - a.y).abs()).to_radians();
    extent * extent / 8.0 * (1.0 + 1e-9) + 1e-12
}

/// A cheap distance between two points, km: the great-circle angle between them (geodetic
/// coordinates read as spherical) times the Gaussian radius of curvature √(MN) at their mean
/// latitude. Within 0.5% of the geodesic on WGS 84 (tested): the ellipsoid's radius in any
/// direction lies between M and N, which differ by under 0.7%.
pub fn approx_km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let c = dist3(unit(lon1, lat1), unit(lon2, lat2));
    let angle = 2.0 * (c / 2.0).min(1.0).asin();
    let (n, m) = crate::geo_util::radii_km(((lat1 + lat2) / 2.0).to_radians().sin());
    (m * n).sqrt() * angle
}

/// The chord radius of a longitude-latitude cell around its centre: the largest chord
/// distance from the centre to the cell's corners, with a margin (a cell a fraction of a
/// degree wide is nearly flat, so its farthest points are corners).
pub fn cell_chord_radius(lon0: f64, lat0: f64, lon1: f64, lat1: f64) -> f64 {
    let c = unit((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0);
    let r = [(lon0, lat0), (lon0, lat1), (lon1, lat0), (lon1, lat1)]
        .iter()
        .map(|&(x, y)| dist3(c, unit(x, y)))
        .fold(0.0, f64::max);
    r * 1.01 + 1e-12
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::borders::shipped;

    #[test]
    fn approx_km_is_within_half_a_percent_of_the_geodesic() {
        let mut next = crate::geo_util::test_uniform(7);
        let mut worst: f64 = 0.0;
        for _ in 0..20_000 {
            let (lon, lat) = (next() * 360.0 - 180.0, next() * 150.0 - 75.0);
            let (dlon, dlat) = ((next() - 0.5) * 20.0, (next() - 0.5) * 20.0);
            let lat2 = (lat + dlat).clamp(-80.0, 80.0);
            let exact = crate::geo_util::km(lon, lat, lon + dlon, lat2);
            if exact < 1.0 {
                continue;
            }
            let approx = approx_km(lon, lat, lon + dlon, lat2);
            worst = worst.max((approx - exact).abs() / exact);
        }
        assert!(worst < 0.005, "worst relative error {worst}");
        assert!(worst > 0.0, "the comparison compared something");
    }

    /// The stray found sampling only segments that may raise it is the one found sampling
    /// every segment: on the shipped borders, and on lines of long segments in every
    /// direction (where the bound lets fewer be skipped), in both orders.
    #[test]
    fn skipping_segments_that_cannot_stray_further_keeps_the_stray() {
        let every = |lines: &[&[geo::Coord<f64>]]| {
            let all = lines
                .iter()
                .flat_map(|line| line.windows(2))
                .map(|w| {
                    let chord = Line::new(unit(w[0].x, w[0].y), unit(w[1].x, w[1].y));
                    sampled_stray(&chord, w[0], w[1])
                })
                .fold(0.0, f64::max);
            2.0 * all + 1e-12
        };
        let border = |line: &[geo::Coord<f64>]| {
            Border::new("test".into(), "test".into(), geo::LineString(line.to_vec()))
        };
        let shipped = shipped().unwrap();
        let lines: Vec<&[geo::Coord<f64>]> = shipped.iter().map(|b| &b.line.0[..]).collect();
        let stray = ChordIndex::new(&shipped).stray;
        assert_eq!(stray.to_bits(), every(&lines).to_bits());
        // Most segments of survey-resolution lines cannot reach the largest stray.
        let (mut within, mut segments) = (0, 0);
        for w in lines.iter().flat_map(|line| line.windows(2)) {
            segments += 1;
            within += usize::from(stray_bound(w[0], w[1]) <= (stray - 1e-12) / 2.0);
        }
        assert!(within > segments / 2, "{within} of {segments}");

        let mut next = crate::geo_util::test_uniform(5);
        for _ in 0..20 {
            let mut line = vec![geo::Coord {
                x: 60.0 + next() * 15.0,
                y: 29.0 + next() * 12.0,
            }];
            for _ in 0..200 {
                let last = *line.last().unwrap();
                // Steps from metres to a couple of degrees.
                let step = 10f64.powf(-4.0 + 4.3 * next());
                line.push(geo::Coord {
                    x: last.x + step * (next() - 0.5),
                    y: (last.y + step * (next() - 0.5)).clamp(-80.0, 80.0),
                });
            }
            for _ in 0..2 {
                let index = ChordIndex::new(&[border(&line)]);
                assert_eq!(index.stray.to_bits(), every(&[&line]).to_bits());
                line.reverse();
            }
        }
    }

    /// No sample strays past the bound, which is tightest for segments along a meridian
    /// (short ones most of all, where only the margin is left over) and loosest across.
    #[test]
    fn no_sample_strays_past_the_bound() {
        let mut next = crate::geo_util::test_uniform(9);
        for k in 0..30_000 {
            let a = geo::Coord {
                x: next() * 360.0 - 180.0,
                y: next() * 170.0 - 85.0,
            };
            let size = 10f64.powf(-4.0 + 5.0 * next());
            let along_meridian = k % 3 == 0;
            let b = geo::Coord {
                x: if along_meridian {
                    a.x
                } else {
                    a.x + (next() - 0.5) * size
                },
                y: (a.y + (next() - 0.5) * size).clamp(-89.0, 89.0),
            };
            let chord = Line::new(unit(a.x, a.y), unit(b.x, b.y));
            let sampled = sampled_stray(&chord, a, b);
            assert!(sampled <= stray_bound(a, b), "{a:?} {b:?}: {sampled}");
        }
    }

    #[test]
    fn the_lower_bound_never_exceeds_the_measured_distance() {
        let borders = shipped().unwrap();
        let idx = ChordIndex::new(&borders);
        let exact = super::super::locate::BorderIndex::new(&borders);
        let mut next = crate::geo_util::test_uniform(11);
        let mut tight = 0;
        for _ in 0..500 {
            let (lon, lat) = (40.0 + next() * 60.0, 15.0 + next() * 40.0);
            let (_, lb) = idx.nearest(lon, lat).unwrap();
            let d = exact.nearest(lon, lat).unwrap().distance_km;
            assert!(lb <= d, "at {lon} {lat}: bound {lb} > distance {d}");
            if d > 10.0 && lb > 0.98 * d {
                tight += 1;
            }
        }
        // The bound is tight enough to decide: within 2% for most points.
        assert!(tight > 250, "{tight}");
    }
}
