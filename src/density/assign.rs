//! Corridor assignment: how much of one incident belongs to each border segment.
//!
//! Method (documented in the README):
//! - A point-like location (coordinates, place, district, province, country) is a Gaussian
//!   around its point with σ = radius / 2, at least 0.5 km, cut off at its radius and
//!   renormalised: nothing lands farther away than the stated radius. Near a border it is
//!   read in the border's own frame: along-border position s₀ and signed distance d₀ (Afghan
//!   side positive). The share falling in a segment [a, b] inside the corridor is the
//!   Gaussian's mass over the disc of radius r around (s₀, d₀) within a ≤ s ≤ b and
//!   C_lo ≤ d ≤ C_hi, divided by the disc's mass 1 − exp(−r²/2σ²), with [C_lo, C_hi] =
//!   [−C, C] for both sides or [0, C] / [−C, 0] for one side (see [`point_shares`]).
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

/// Φ(hi) − Φ(lo), bit for bit, with one error function instead of two where lo = −hi (a
/// slice of a disc that the corridor does not cut, most of them): statrs's erf is odd to
/// the bit (erf(−x) is computed as −erf(x)), so Φ(−x) is 0.5 · (1 − erf(x / √2)).
fn phi_between(lo: f64, hi: f64) -> f64 {
    if lo == -hi {
        let e = erf(hi / std::f64::consts::SQRT_2);
        0.5 * (1.0 + e) - 0.5 * (1.0 + -e)
    } else {
        phi(hi) - phi(lo)
    }
}

/// Per segment, an incident's share: held in place up to two segments (nearly every
/// incident's), where a list allocated per incident was about 1% of `density`'s
/// instructions.
pub type SegmentShares = smallvec::SmallVec<[(usize, f64); 2]>;

/// One incident's shares: per segment (index into the border's segments), the share falling
/// outside, and the segment its point falls in (for raw counts).
#[derive(Debug, Clone, Default)]
pub struct Shares {
    pub border: Option<usize>,
    pub segments: SegmentShares,
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

/// How far from its border (km) a location can still put a share in a corridor of
/// `corridor_km`: the corridor and the location's uncertainty radius, where its Gaussian is
/// cut off ([`point_shares`]), and a metre for rounding. Beyond it, everything is outside
/// wherever along the border the location lies, so its exact position is not needed.
pub fn share_reach_km(corridor_km: f64, radius_km: f64) -> f64 {
    corridor_km + cut_off_km(radius_km) + 0.001
}

/// Whether [`point_shares`] gives the same shares, bit for bit, for every distance from
/// `low` to `high` km (on either side of the border) of every location whose share reach
/// ([`share_reach_km`]) is at most `reach_km`: then the distance need not be measured
/// exactly, as long as the exact one lies between the bounds (the nearest-border query's
/// bounds rest on the tangent plane's tested error bound, `borders::tangent`).
///
/// The distance d enters the shares only through comparisons with the corridor's edges
/// c (−C and C for both sides, 0 and ±C for one) and with c ± r, r the location's cut-off
/// radius, and as the bounds c − d of the integrand wherever the disc crosses an edge. With
/// r at most `reach_km` − C − 1 m, a distance within C − r (and, for one side, beyond r) by
/// over a metre keeps every comparison's answer, and the disc crosses no edge.
pub fn shares_settled(
    corridor_km: f64,
    side: CorridorSide,
    reach_km: f64,
    low: f64,
    high: f64,
) -> bool {
    let radius = reach_km - corridor_km;
    high < corridor_km - radius && (side == CorridorSide::Both || low > radius)
}

/// Where a location's Gaussian is cut off (km): its radius, none when the radius is not a
/// usable number. [`point_shares`] and [`share_reach_km`] must agree on it.
fn cut_off_km(radius_km: f64) -> f64 {
    if radius_km.is_finite() {
        radius_km.max(0.0)
    } else {
        0.0
    }
}

/// Shares of one incident whose location is a Gaussian of deviation `sigma` km
/// ([`sigma_for_radius`]) cut off at its uncertainty radius `radius_km` and renormalised, so
/// no share lands farther from the location than its radius. `pos` is its position on its
/// nearest border; `cuts` are that border's segment boundaries in km (`cuts[i]..cuts[i+1]` is
/// segment i).
///
/// In the border's frame (along-border position s₀, signed distance d₀) the location is the
/// disc of radius r around (s₀, d₀); a segment's share is the Gaussian's mass over the part of
/// the disc inside the segment's km range and the corridor, divided by the disc's whole mass
/// 1 − exp(−r²/2σ²). The integral over the along-border position is taken as s = s₀ + r·sin θ
/// (so the disc's half-height at s is r·cos θ), split where a segment or the corridor's edge
/// cuts the disc, each piece by 16-point Gauss–Legendre: on every piece the integrand is
/// smooth, so the shares are exact to about 1e-11 (the outside share takes up the rest, so
/// the shares and the outside still add up to exactly 1).
pub fn point_shares(
    sigma: f64,
    radius_km: f64,
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
    let s0 = pos.along_km;
    let mut shares = Shares {
        border: Some(pos.border),
        ..Default::default()
    };
    let in_corridor = d >= c_lo && d <= c_hi;
    if in_corridor && s0 >= 0.0 && s0 <= b.measured_km {
        shares.point_segment = Some(segment_at(cuts, s0));
    }
    let n = cuts.len() - 1;
    let (start, end) = (cuts[0], cuts[n]);
    let r = cut_off_km(radius_km);
    // A location with no radius is its point.
    if r < 1e-9 || sigma.is_nan() || sigma <= 0.0 {
        if in_corridor && s0 >= start && s0 <= end {
            shares.segments.push((segment_at(cuts, s0), 1.0));
        } else {
            shares.outside = 1.0;
        }
        return shares;
    }
    // The disc misses the corridor or the border's km range: all outside.
    if d - r >= c_hi || d + r <= c_lo || s0 + r <= start || s0 - r >= end {
        shares.outside = 1.0;
        return shares;
    }
    // The disc inside one segment and the corridor: all of it there (most precise points).
    let first = cuts[1..].partition_point(|&e| e <= s0 - r);
    if first < n
        && cuts[first] <= s0 - r
        && s0 + r <= cuts[first + 1]
        && d - r >= c_lo
        && d + r <= c_hi
    {
        shares.segments.push((first, 1.0));
        return shares;
    }
    // Where the integrand changes form, as angles θ in (−π/2, π/2): segment cuts inside the
    // disc, and where the disc's half-height r·cos θ meets a corridor edge.
    let half_pi = std::f64::consts::FRAC_PI_2;
    let mut breaks = vec![-half_pi, half_pi];
    for &c in cuts {
        let x = (c - s0) / r;
        if x > -1.0 && x < 1.0 {
            breaks.push(x.asin());
        }
    }
    for h in [c_hi - d, d - c_lo, c_lo - d, d - c_hi] {
        if h > 0.0 && h < r {
            let t = (h / r).acos();
            breaks.extend([-t, t]);
        }
    }
    breaks.sort_by(f64::total_cmp);
    breaks.dedup();
    let mass = 1.0 - (-(r * r) / (2.0 * sigma * sigma)).exp();
    let nodes = gauss_legendre_16();
    for w in breaks.windows(2) {
        let (t0, t1) = (w[0], w[1]);
        if t1 - t0 < 1e-15 {
            continue;
        }
        let mid = s0 + r * ((t0 + t1) / 2.0).sin();
        if mid < start || mid > end {
            continue;
        }
        let (centre, half) = ((t0 + t1) / 2.0, (t1 - t0) / 2.0);
        let mut sum = 0.0;
        for &(x, weight) in nodes {
            let t = centre + half * x;
            let (sin, cos) = t.sin_cos();
            let h = r * cos.max(0.0);
            let (lo, hi) = ((-h).max(c_lo - d), h.min(c_hi - d));
            if hi <= lo {
                continue;
            }
            let along = (-0.5 * (r * sin / sigma).powi(2)).exp()
                / (sigma * (2.0 * std::f64::consts::PI).sqrt());
            sum += weight * along * r * cos * phi_between(lo / sigma, hi / sigma);
        }
        let share = sum * half / mass;
        if share > 1e-12 {
            let seg = segment_at(cuts, mid);
            match shares.segments.last_mut() {
                Some((k, acc)) if *k == seg => *acc += share,
                _ => shares.segments.push((seg, share)),
            }
        }
    }
    let inside: f64 = shares.segments.iter().map(|x| x.1).sum();
    // Rounding can take the sum a hair past 1: the shares are scaled back, never more
    // than the weight.
    if inside > 1.0 {
        for x in &mut shares.segments {
            x.1 /= inside;
        }
    }
    shares.outside = (1.0 - inside).max(0.0);
    shares
}

/// Nodes and weights of 16-point Gauss–Legendre quadrature on [−1, 1], computed once by
/// Newton's method on the Legendre polynomial P₁₆.
fn gauss_legendre_16() -> &'static [(f64, f64); 16] {
    static NODES: std::sync::OnceLock<[(f64, f64); 16]> = std::sync::OnceLock::new();
    NODES.get_or_init(|| {
        const N: usize = 16;
        let mut out = [(0.0, 0.0); N];
        for (i, slot) in out.iter_mut().enumerate() {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (N as f64 + 0.5)).cos();
            let mut dp = 1.0;
            for _ in 0..100 {
                // P_N(x) and its derivative by the three-term recurrence.
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=N {
                    let k = k as f64;
                    let p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                dp = N as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-15 {
                    break;
                }
            }
            *slot = (x, 2.0 / ((1.0 - x * x) * dp * dp));
        }
        out
    })
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

    /// The test border's segment cuts: every 25 km, the last at its end.
    fn cuts_every_25_km(b: &Border) -> Vec<f64> {
        (0..=13)
            .map(|i| (i as f64 * 25.0).min(b.measured_km))
            .collect()
    }

    #[test]
    fn shares_and_outside_sum_to_one() {
        let b = line_border();
        let cuts = cuts_every_25_km(&b);
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
            let s = point_shares(
                sigma_km(&loc(r)),
                r,
                &pos,
                &b,
                &cuts,
                50.0,
                CorridorSide::Both,
            );
            let total: f64 = s.segments.iter().map(|x| x.1).sum::<f64>() + s.outside;
            assert!((total - 1.0).abs() < 1e-9, "{along} {dist} {r}: {total}");
        }
    }

    #[test]
    fn phi_between_is_the_difference_of_phis_to_the_bit() {
        let mut next = crate::geo_util::test_uniform(43);
        for i in 0..200_000 {
            let x = match i % 4 {
                0 => next() * 12.0,
                1 => next() * 1e-6,
                2 => -next() * 12.0,
                _ => (next() - 0.5) * 80.0,
            };
            assert_eq!(
                phi_between(-x, x).to_bits(),
                (phi(x) - phi(-x)).to_bits(),
                "{x}"
            );
            let y = x + next();
            assert_eq!(phi_between(x, y).to_bits(), (phi(y) - phi(x)).to_bits());
        }
        assert_eq!(
            phi_between(-0.0, 0.0).to_bits(),
            (phi(0.0) - phi(-0.0)).to_bits()
        );
    }

    /// A location farther from its border than its share reach puts nothing in the
    /// corridor, whatever its radius, position along the border and side, and whichever
    /// side the corridor covers: the nearest-border query may place such a location
    /// approximately.
    #[test]
    fn beyond_its_share_reach_a_location_is_all_outside() {
        let b = line_border();
        let cuts = cuts_every_25_km(&b);
        let mut next = crate::geo_util::test_uniform(41);
        let mut checked = 0;
        for _ in 0..20_000 {
            let corridor = 1.0 + next() * 80.0;
            let r = match (next() * 4.0) as u32 {
                0 => 0.0,
                1 => next() * 2.0,
                _ => next() * 300.0,
            };
            let reach = share_reach_km(corridor, r);
            let dist = reach * (1.0 + 1e-12) + next() * next() * 50.0;
            let pos = BorderPosition {
                border: 0,
                distance_km: dist,
                along_km: -50.0 + next() * (b.measured_km + 100.0),
                right_side: next() < 0.5,
            };
            for side in [
                CorridorSide::Both,
                CorridorSide::Afghan,
                CorridorSide::Neighbour,
            ] {
                let s = point_shares(sigma_for_radius(r), r, &pos, &b, &cuts, corridor, side);
                assert!(s.segments.is_empty(), "{corridor} {r} {pos:?}: {s:?}");
                assert_eq!(s.outside, 1.0, "{corridor} {r} {pos:?}");
                assert_eq!(s.point_segment, None, "{corridor} {r} {pos:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 60_000);
        // Just inside the reach, a location with a radius still has a share.
        let pos = BorderPosition {
            border: 0,
            distance_km: 50.0 + 10.0 - 0.01,
            along_km: 100.0,
            right_side: true,
        };
        let s = point_shares(
            sigma_for_radius(10.0),
            10.0,
            &pos,
            &b,
            &cuts,
            50.0,
            CorridorSide::Both,
        );
        assert!(s.outside < 1.0, "{s:?}");
    }

    /// Where [`shares_settled`] holds, every distance between its bounds gives the same
    /// shares to the bit, for every radius within the reach and either side; and it holds
    /// for most distances well inside the corridor.
    #[test]
    fn settled_distances_give_the_same_shares() {
        let b = line_border();
        let cuts = cuts_every_25_km(&b);
        let mut next = crate::geo_util::test_uniform(47);
        let (mut settled, mut inside) = (0, 0);
        for _ in 0..20_000 {
            let corridor = 1.0 + next() * 80.0;
            let widest = match (next() * 4.0) as u32 {
                0 => 0.0,
                1 => next() * 0.01,
                2 => next() * 2.0,
                _ => next() * 60.0,
            };
            let reach = share_reach_km(corridor, widest);
            let low = next() * corridor;
            let high = low + next() * next() * 0.02;
            let side = [
                CorridorSide::Both,
                CorridorSide::Afghan,
                CorridorSide::Neighbour,
            ][(next() * 3.0) as usize];
            if high < corridor - widest - 0.01
                && (side == CorridorSide::Both || low > widest + 0.01)
            {
                inside += 1;
            }
            if !shares_settled(corridor, side, reach, low, high) {
                continue;
            }
            settled += 1;
            let r = [widest, widest * next(), 0.0][(next() * 3.0) as usize];
            let along = -5.0 + next() * (b.measured_km + 10.0);
            let right_side = next() < 0.5;
            let shares = |distance_km: f64| {
                let pos = BorderPosition {
                    border: 0,
                    distance_km,
                    along_km: along,
                    right_side,
                };
                let s = point_shares(sigma_for_radius(r), r, &pos, &b, &cuts, corridor, side);
                let bits: Vec<(usize, u64)> =
                    s.segments.iter().map(|&(k, x)| (k, x.to_bits())).collect();
                (bits, s.outside.to_bits(), s.point_segment)
            };
            let at_low = shares(low);
            for t in [0.25, 0.5, 1.0] {
                let d = low + (high - low) * t;
                assert_eq!(
                    shares(d),
                    at_low,
                    "{corridor} {widest} {r} {low}..{high} {d}"
                );
            }
        }
        assert!(settled >= inside && inside > 5_000, "{settled} {inside}");
    }

    #[test]
    fn a_precise_point_lands_in_its_segment() {
        let b = line_border();
        let cuts = cuts_every_25_km(&b);
        let pos = BorderPosition {
            border: 0,
            distance_km: 3.0,
            along_km: 112.0,
            right_side: true,
        };
        let shares = |side| point_shares(sigma_km(&loc(1.0)), 1.0, &pos, &b, &cuts, 50.0, side);
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
        let got: Vec<(usize, f64)> = s.segments.to_vec();
        assert_eq!(got.len(), 3);
        assert!(
            (got[0].1 - 0.3).abs() < 1e-12
                && (got[1].1 - 0.5).abs() < 1e-12
                && (got[2].1 - 0.2).abs() < 1e-12
        );
        assert!(s.outside.abs() < 1e-12);
    }

    fn cuts_of(b: &Border) -> Vec<f64> {
        (0..=13)
            .map(|i| (i as f64 * 25.0).min(b.measured_km))
            .collect()
    }

    /// The Gaussian's mass over the disc ∩ segment ∩ corridor by brute force on a fine grid,
    /// to check the quadrature against.
    fn grid_share(
        (s0, d0): (f64, f64),
        r: f64,
        sigma: f64,
        (a, b): (f64, f64),
        (lo, hi): (f64, f64),
    ) -> f64 {
        let n = 1200;
        let step = 2.0 * r / n as f64;
        let (mut part, mut whole) = (0.0, 0.0);
        for i in 0..n {
            for j in 0..n {
                let x = -r + (i as f64 + 0.5) * step;
                let y = -r + (j as f64 + 0.5) * step;
                if x * x + y * y > r * r {
                    continue;
                }
                let w = (-(x * x + y * y) / (2.0 * sigma * sigma)).exp();
                whole += w;
                let (s, d) = (s0 + x, d0 + y);
                if s >= a && s < b && d >= lo && d <= hi {
                    part += w;
                }
            }
        }
        part / whole
    }

    #[test]
    fn the_truncated_gaussian_matches_a_brute_force_integral() {
        let b = line_border();
        let cuts = cuts_of(&b);
        // Across two segment cuts and the corridor's edge.
        let (along, dist, r) = (48.0, 40.0, 30.0);
        let pos = BorderPosition {
            border: 0,
            distance_km: dist,
            along_km: along,
            right_side: true,
        };
        let sigma = sigma_for_radius(r);
        let s = point_shares(sigma, r, &pos, &b, &cuts, 50.0, CorridorSide::Both);
        for (seg, share) in &s.segments {
            let want = grid_share(
                (along, dist),
                r,
                sigma,
                (cuts[*seg], cuts[seg + 1]),
                (-50.0, 50.0),
            );
            assert!(
                (share - want).abs() < 2e-3,
                "segment {seg}: {share} vs {want}"
            );
        }
        let total: f64 = s.segments.iter().map(|x| x.1).sum::<f64>() + s.outside;
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        assert!(s.outside > 0.01, "part of the disc is beyond the corridor");
    }

    /// Regression (issue 16): the Kabul bombing (radius 20 km, about 80 km from AF-PK)
    /// put 0.0002 events into AF-PK's corridor. A location never reaches past its radius.
    #[test]
    fn nothing_lands_beyond_the_stated_radius() {
        let b = line_border();
        let cuts = cuts_of(&b);
        for (dist, r) in [(70.01, 20.0), (50.5, 0.4), (80.0, 20.0), (160.0, 107.0)] {
            let pos = BorderPosition {
                border: 0,
                distance_km: dist,
                along_km: 120.0,
                right_side: false,
            };
            let s = point_shares(
                sigma_for_radius(r),
                r,
                &pos,
                &b,
                &cuts,
                50.0,
                CorridorSide::Both,
            );
            let inside: f64 = s.segments.iter().map(|x| x.1).sum();
            if dist - r >= 50.0 {
                assert_eq!(inside, 0.0, "{dist} {r}");
                assert_eq!(s.outside, 1.0);
            } else {
                assert!(inside > 0.0 && s.outside > 0.0, "{dist} {r}");
            }
            // Every segment holding a share is within the radius along the border.
            for (seg, _) in &s.segments {
                assert!(cuts[*seg] < 120.0 + r && cuts[seg + 1] > 120.0 - r);
            }
        }
        // A disc wholly inside one segment and the corridor is all there, exactly.
        let pos = BorderPosition {
            border: 0,
            distance_km: 10.0,
            along_km: 112.0,
            right_side: true,
        };
        let s = point_shares(5.0, 10.0, &pos, &b, &cuts, 50.0, CorridorSide::Both);
        assert_eq!(s.segments.as_slice(), [(4, 1.0)]);
        assert_eq!(s.outside, 0.0);
        // Spread over three segments, still wholly inside: shares add up to 1.
        let s = point_shares(20.0, 40.0, &pos, &b, &cuts, 50.0, CorridorSide::Both);
        let inside: f64 = s.segments.iter().map(|x| x.1).sum();
        assert!(
            s.segments.len() >= 3 && (inside - 1.0).abs() < 1e-9,
            "{s:?}"
        );
    }
}
