//! Corridor assignment: how much of one incident belongs to each border segment.
//!
//! Method (documented in the README):
//! - A point-like location (coordinates, place, district, province, country) is a Gaussian
//!   around its point with σ = radius / 2 (so its radius holds about 86% of it), at least
//!   0.5 km. Near a border the Gaussian is read in the border's own frame: along-border
//!   position s₀ and signed distance d₀ (Afghan side positive). The share falling in a
//!   segment [a, b] inside the corridor is
//!   (Φ((b−s₀)/σ) − Φ((a−s₀)/σ)) × (Φ((C_hi−d₀)/σ) − Φ((C_lo−d₀)/σ)),
//!   with [C_lo, C_hi] = [−C, C] for both sides or [0, C] / [−C, 0] for one side.
//! - A border-zone location (a stretch [k₁, k₂] of one border) is spread uniformly along its
//!   stretch and lies on the line, so all of it is inside the corridor; an aggregate row
//!   (`count` 80 along the whole AF–PK border) is spread the same way.
//! - What falls beyond the corridor or the border's ends is kept as "outside": the shares of
//!   a record plus its outside share always sum to 1 (weights are conserved).

use crate::borders::Border;
use crate::borders::locate::BorderPosition;
use crate::model::{Location, PrecisionClass};
use statrs::function::erf::erf;

/// Which side of the border the corridor covers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum CorridorSide {
    /// Both sides.
    Both,
    /// The right side walking from km 0: Afghanistan's, for every shipped border.
    Afghan,
    /// The left side: the neighbour's, for every shipped border.
    Neighbour,
}

/// Standard normal CDF.
pub fn phi(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

/// One incident's shares: per segment (index into the border's segments), the share falling
/// outside, and the segment its point falls in (for raw counts).
#[derive(Debug, Clone, Default)]
pub struct Shares {
    pub border: Option<usize>,
    pub segments: Vec<(usize, f64)>,
    pub outside: f64,
    pub point_segment: Option<usize>,
    /// The location is a stretch of border (a line), not a point.
    pub stretch: bool,
}

/// σ (km) of a location's Gaussian.
pub fn sigma_km(loc: &Location) -> f64 {
    sigma_for_radius(loc.radius_km)
}

/// σ (km) of the Gaussian of a location with this uncertainty radius.
pub fn sigma_for_radius(radius_km: f64) -> f64 {
    (radius_km / 2.0).max(0.5)
}

/// Shares of one incident whose Gaussian has deviation `sigma` km ([`sigma_for_radius`]).
/// `pos` is its position on its nearest border; `cuts` are that border's segment boundaries
/// in km (`cuts[i]..cuts[i+1]` is segment i).
pub fn point_shares(
    sigma: f64,
    pos: &BorderPosition,
    b: &Border,
    cuts: &[f64],
    corridor_km: f64,
    side: CorridorSide,
) -> Shares {
    let d = pos.signed_km();
    let (c_lo, c_hi) = match side {
        CorridorSide::Both => (-corridor_km, corridor_km),
        CorridorSide::Afghan => (0.0, corridor_km),
        CorridorSide::Neighbour => (-corridor_km, 0.0),
    };
    let across = phi((c_hi - d) / sigma) - phi((c_lo - d) / sigma);
    let s0 = pos.along_km;
    let mut shares = Shares {
        border: Some(pos.border),
        ..Default::default()
    };
    if across > 1e-12 {
        // Only segments within 6σ of s0 can hold a share worth keeping: those from the first
        // ending at or after s0 - 6σ to the last starting at or before s0 + 6σ.
        let lo = s0 - 6.0 * sigma;
        let hi = s0 + 6.0 * sigma;
        let n = cuts.len() - 1;
        let first = cuts[1..].partition_point(|&end| end < lo);
        let last = cuts[..n].partition_point(|&start| start <= hi);
        if first < last {
            shares.segments.reserve_exact(last - first);
            // Each cut's Gaussian tail is computed once and shared by its two segments.
            let mut below = phi((cuts[first] - s0) / sigma);
            for i in first..last {
                let upto = phi((cuts[i + 1] - s0) / sigma);
                let share = (upto - below) * across;
                below = upto;
                if share > 1e-12 {
                    shares.segments.push((i, share));
                }
            }
        }
    }
    let inside: f64 = shares.segments.iter().map(|x| x.1).sum();
    shares.outside = (1.0 - inside).max(0.0);
    let in_corridor = d >= c_lo && d <= c_hi;
    if in_corridor && s0 >= 0.0 && s0 <= b.measured_km {
        shares.point_segment = Some(segment_at(cuts, s0));
    }
    shares
}

/// Shares of a location spread uniformly along `km_from..km_to` of a border.
pub fn stretch_shares(border: usize, km_from: f64, km_to: f64, cuts: &[f64]) -> Shares {
    let (k1, k2) = (km_from.min(km_to), km_from.max(km_to));
    let len = k2 - k1;
    let mut shares = Shares {
        border: Some(border),
        ..Default::default()
    };
    for i in 0..cuts.len() - 1 {
        let overlap = (cuts[i + 1].min(k2) - cuts[i].max(k1)).max(0.0);
        let share = if len > 0.0 {
            overlap / len
        } else {
            f64::from(u8::from(k1 >= cuts[i] && k1 <= cuts[i + 1]))
        };
        if share > 0.0 {
            shares.segments.push((i, share));
            if len == 0.0 {
                break;
            }
        }
    }
    let inside: f64 = shares.segments.iter().map(|x| x.1).sum();
    shares.outside = (1.0 - inside).max(0.0);
    shares.point_segment = Some(segment_at(cuts, (k1 + k2) / 2.0));
    shares
}

fn segment_at(cuts: &[f64], km: f64) -> usize {
    cuts.partition_point(|&c| c <= km)
        .saturating_sub(1)
        .min(cuts.len().saturating_sub(2))
}

/// Whether a location of this precision is imprecise for the comparison's precision-mix
/// warning.
pub fn is_imprecise(precision: PrecisionClass) -> bool {
    precision >= PrecisionClass::District
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(radius: f64) -> Location {
        Location::from_coordinates(0.0, 0.0, PrecisionClass::Near, radius, String::new())
    }

    fn line_border() -> Border {
        Border::new(
            "T".into(),
            "T".into(),
            geo::LineString::from(vec![(0.0, 0.0), (3.0, 0.0)]),
        )
    }

    #[test]
    fn shares_and_outside_sum_to_one() {
        let b = line_border();
        let cuts: Vec<f64> = (0..=13)
            .map(|i| (i as f64 * 25.0).min(b.measured_km))
            .collect();
        for (along, dist, r) in [
            (10.0, 5.0, 60.0),
            (150.0, -40.0, 30.0),
            (330.0, 0.0, 1.0),
            (2.0, 49.0, 200.0),
        ] {
            let pos = BorderPosition {
                border: 0,
                distance_km: f64::abs(dist),
                along_km: along,
                right_side: dist >= 0.0,
            };
            let s = point_shares(sigma_km(&loc(r)), &pos, &b, &cuts, 50.0, CorridorSide::Both);
            let total: f64 = s.segments.iter().map(|x| x.1).sum::<f64>() + s.outside;
            assert!((total - 1.0).abs() < 1e-9, "{along} {dist} {r}: {total}");
        }
    }

    #[test]
    fn a_precise_point_lands_in_its_segment() {
        let b = line_border();
        let cuts: Vec<f64> = (0..=13)
            .map(|i| (i as f64 * 25.0).min(b.measured_km))
            .collect();
        let pos = BorderPosition {
            border: 0,
            distance_km: 3.0,
            along_km: 112.0,
            right_side: true,
        };
        let shares = |side| point_shares(sigma_km(&loc(1.0)), &pos, &b, &cuts, 50.0, side);
        let s = shares(CorridorSide::Both);
        assert_eq!(s.point_segment, Some(4));
        let best = s
            .segments
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        assert_eq!(best.0, 4);
        assert!(best.1 > 0.999);
        // One-sided corridor on the other side: nothing inside.
        let s = shares(CorridorSide::Neighbour);
        assert!(s.outside > 0.999);
    }

    #[test]
    fn a_stretch_spreads_by_overlap() {
        let cuts = [0.0, 25.0, 50.0, 75.0, 100.0];
        let s = stretch_shares(0, 10.0, 60.0, &cuts);
        let got: Vec<(usize, f64)> = s.segments.clone();
        assert_eq!(got.len(), 3);
        assert!(
            (got[0].1 - 0.3).abs() < 1e-12
                && (got[1].1 - 0.5).abs() < 1e-12
                && (got[2].1 - 0.2).abs() < 1e-12
        );
        assert!(s.outside.abs() < 1e-12);
    }
}
