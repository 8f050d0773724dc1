//! Linear referencing: for a point, the nearest border, the geodesic distance to it, the
//! position along it (km from the border's km 0) and the side it lies on.
//!
//! Candidate border segments come from an R-tree (rstar) in a longitude-scaled plane; each
//! candidate is then measured geodesically (WGS 84), so the answer is exact up to the
//! foot-of-perpendicular step, which is solved in a local plane around the point (border
//! vertices are at most a few km apart, where that plane is accurate to metres).

use super::Border;
use geo::{Distance, Geodesic, Point};
use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

/// Longitude is multiplied by this in the index so distances are roughly isotropic in the
/// region (cos 35°); only candidate order depends on it, never a reported figure.
const LON_SCALE: f64 = 0.819;

type SegmentEntry = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// Where a point is relative to one border.
#[derive(Debug, Clone, PartialEq)]
pub struct BorderPosition {
    /// Index of the border in the slice the index was built from.
    pub border: usize,
    /// Geodesic distance to the border line, km.
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
        BorderIndex {
            tree: RTree::bulk_load(items),
            borders: borders.to_vec(),
        }
    }

    pub fn borders(&self) -> &[Border] {
        &self.borders
    }

    /// The nearest border to a point, with distance, position and side.
    ///
    /// Candidates come in order of their distance in the index's plane; each is first measured
    /// in a local flat frame around the point (accurate to well under 1% at corridor
    /// distances), and only those within 1% of the best flat distance are measured
    /// geodesically, which is what is reported.
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<BorderPosition> {
        let q = scaled(lon, lat);
        let k = lat.to_radians().cos();
        let mut best_flat = f64::INFINITY;
        let mut close: Vec<(f64, u32, u32)> = Vec::new();
        for entry in self.tree.nearest_neighbor_iter(&q) {
            // Lower bound of the true distance from the index-plane distance: one degree of
            // latitude is at least 110.5 km; the fixed longitude scale errs by < 25% here.
            let approx_km = entry.geom().distance_2(&q).sqrt() * 110.5 * 0.75;
            if approx_km > best_flat * 1.02 + 0.1 {
                break;
            }
            let (bi, si) = entry.data;
            let flat = self.flat_km(bi as usize, si as usize, lon, lat, k);
            best_flat = best_flat.min(flat);
            close.push((flat, bi, si));
        }
        // Candidates whose nearest points coincide (a shared vertex) have one geodesic
        // distance: it is measured once.
        let mut measured: Vec<((f64, f64), f64)> = Vec::new();
        close
            .into_iter()
            .filter(|(flat, _, _)| *flat <= best_flat * 1.01 + 0.05)
            .map(|(_, bi, si)| {
                let (bi, si) = (bi as usize, si as usize);
                let foot = self.foot(bi, si, lon, lat);
                let known = measured.iter().find(|(f, _)| *f == foot).map(|&(_, d)| d);
                let distance_km = known.unwrap_or_else(|| {
                    let d = Geodesic.distance(Point::new(lon, lat), Point::new(foot.0, foot.1))
                        / 1000.0;
                    measured.push((foot, d));
                    d
                });
                self.position(bi, si, lon, lat, distance_km)
            })
            .min_by(|a, b| {
                a.distance_km
                    .total_cmp(&b.distance_km)
                    .then(a.border.cmp(&b.border))
            })
    }

    /// Distance to a segment in a local equirectangular frame, km.
    fn flat_km(&self, bi: usize, si: usize, lon: f64, lat: f64, k: f64) -> f64 {
        let line = &self.borders[bi].line.0;
        let (a, c) = (line[si], line[si + 1]);
        let (ax, ay, cx, cy, px, py) = (a.x * k, a.y, c.x * k, c.y, lon * k, lat);
        let (dx, dy) = (cx - ax, cy - ay);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (fx, fy) = (ax + dx * t - px, ay + dy * t - py);
        (fx * fx + fy * fy).sqrt() * 111.2
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
    /// point and measured geodesically.
    fn measure(&self, bi: usize, si: usize, lon: f64, lat: f64) -> BorderPosition {
        let foot = self.foot(bi, si, lon, lat);
        let distance_km =
            Geodesic.distance(Point::new(lon, lat), Point::new(foot.0, foot.1)) / 1000.0;
        self.position(bi, si, lon, lat, distance_km)
    }

    /// The segment's position parameter (0 at its start, 1 at its end) of the point nearest
    /// to (lon, lat), found in a local plane around the point, and the local-plane vectors.
    fn local(&self, bi: usize, si: usize, lon: f64, lat: f64) -> (f64, [f64; 4]) {
        let b = &self.borders[bi];
        let (a, c) = (b.line.0[si], b.line.0[si + 1]);
        let k = lat.to_radians().cos();
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

    /// The point of a segment nearest to (lon, lat).
    fn foot(&self, bi: usize, si: usize, lon: f64, lat: f64) -> (f64, f64) {
        let (a, c) = (self.borders[bi].line.0[si], self.borders[bi].line.0[si + 1]);
        let (t, _) = self.local(bi, si, lon, lat);
        (a.x + (c.x - a.x) * t, a.y + (c.y - a.y) * t)
    }

    /// Position along and side of a segment, given the point's distance to it.
    fn position(
        &self,
        bi: usize,
        si: usize,
        lon: f64,
        lat: f64,
        distance_km: f64,
    ) -> BorderPosition {
        let b = &self.borders[bi];
        let (t, [dx, dy, rx, ry]) = self.local(bi, si, lon, lat);
        let seg_km = b.vertex_km[si + 1] - b.vertex_km[si];
        let along_km = b.vertex_km[si] + seg_km * t;
        // Cross product < 0: the point is to the right of the direction of travel.
        let cross = dx * ry - dy * rx;
        BorderPosition {
            border: bi,
            distance_km,
            along_km,
            right_side: cross <= 0.0,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::borders::shipped;

    #[test]
    fn nearest_matches_brute_force() {
        let borders = shipped().unwrap();
        let idx = BorderIndex::new(&borders);
        let mut seed = 12345u64;
        for _ in 0..300 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let lon = 60.0 + (seed >> 33) as f64 / (1u64 << 31) as f64 * 16.0;
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let lat = 29.0 + (seed >> 33) as f64 / (1u64 << 31) as f64 * 10.0;
            let fast = idx.nearest(lon, lat).unwrap();
            let brute = (0..borders.len())
                .map(|b| idx.position_on(b, lon, lat))
                .min_by(|a, b| a.distance_km.total_cmp(&b.distance_km))
                .unwrap();
            assert!(
                (fast.distance_km - brute.distance_km).abs() < 1e-9,
                "at {lon} {lat}"
            );
            // Borders meet at tripoints, where two are equally near.
            let tie = (idx.position_on(fast.border, lon, lat).distance_km - brute.distance_km)
                .abs()
                < 1e-9;
            assert!(fast.border == brute.border || tie, "at {lon} {lat}");
        }
    }

    #[test]
    fn a_point_placed_at_km_k_is_found_at_km_k() {
        let borders = shipped().unwrap();
        let idx = BorderIndex::new(&borders);
        let tj = borders.iter().position(|b| b.id == "AF-TJ").unwrap();
        for km in [0.5, 100.0, 333.3, 600.0, 1000.0, 1171.0] {
            let (lon, lat) = idx.point_at(tj, km);
            let p = idx.position_on(tj, lon, lat);
            assert!(p.distance_km < 0.001, "{km}: {}", p.distance_km);
            assert!(
                (p.along_km - km).abs() < 0.01,
                "{km}: found at {}",
                p.along_km
            );
        }
    }

    #[test]
    fn distance_matches_a_known_geodesic() {
        // A straight east-west line at the equator: a point 1° north of it is 110.574 km away.
        let line = geo::LineString::from(vec![(0.0, 0.0), (2.0, 0.0)]);
        let b = Border::new("T".into(), "T".into(), line);
        let idx = BorderIndex::new(&[b]);
        let p = idx.nearest(1.0, 1.0).unwrap();
        assert!((p.distance_km - 110.574).abs() < 0.01, "{}", p.distance_km);
        assert!((p.along_km - 111.319).abs() < 0.01, "{}", p.along_km);
        assert!(!p.right_side, "north of an eastward line is on its left");
    }
}
