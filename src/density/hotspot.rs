//! Hotspots: which segments of a border hold more incidents than the border's own rate
//! would give them.
//!
//! Method (documented in the README): for each segment of a border, the count k (events
//! apportioned to it) is tested against a Poisson count with mean μ = the border's count ×
//! the segment's length ÷ the border's length (the border's rate over the segment), one-sided
//! for excess: p = P(X ≥ k) = P(k, μ), the regularised lower incomplete gamma function, which
//! is the exact Poisson tail for whole k and its continuous extension for apportioned counts
//! (as the Garwood intervals use the gamma quantiles). p is 1 for an empty segment. The
//! p-values of a border's segments are then adjusted by Benjamini–Hochberg (false discovery
//! rate): q₍ᵢ₎ = min over j ≥ i of p₍ⱼ₎ · m / j, with m the border's tested segments, and a
//! segment is a hotspot when q ≤ 0.05.

use serde::Serialize;
use statrs::function::gamma::gamma_lr;

/// The false discovery rate at which a segment is called a hotspot.
pub const FDR: f64 = 0.05;

/// One segment's test of excess over its border's rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Hotspot {
    /// Events the border's rate gives the segment (border count × segment length ÷ border
    /// length).
    pub expected: f64,
    /// One-sided exact Poisson p-value of the segment's count given `expected`.
    pub p_value: f64,
    /// Benjamini–Hochberg q-value across the border's segments.
    pub q_value: f64,
    /// `q_value` ≤ [`FDR`].
    pub hotspot: bool,
}

/// P(X ≥ k) for X Poisson with mean `mu` (continuous in k for apportioned counts).
pub fn poisson_upper_tail(k: f64, mu: f64) -> f64 {
    if k <= 0.0 || k.is_nan() {
        return 1.0;
    }
    if mu <= 0.0 || mu.is_nan() {
        return 0.0;
    }
    gamma_lr(k, mu).clamp(0.0, 1.0)
}

/// Benjamini–Hochberg q-values of `p` (same order), capped at 1.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut q = vec![1.0; m];
    let mut running = 1.0f64;
    for rank in (0..m).rev() {
        let i = order[rank];
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    q
}

/// Tests each segment of one border, given each segment's count and length (km, in the
/// same basis). Segments of no length are not tested (`None`); the border's count and
/// length are the sums over its segments.
pub fn hotspots(counts: &[f64], lengths: &[f64]) -> Vec<Option<Hotspot>> {
    let total: f64 = counts.iter().sum();
    let length: f64 = lengths.iter().filter(|l| **l > 0.0).sum();
    let tested: Vec<usize> = (0..counts.len()).filter(|&i| lengths[i] > 0.0).collect();
    let expected: Vec<f64> = tested
        .iter()
        .map(|&i| {
            if length > 0.0 {
                total * lengths[i] / length
            } else {
                0.0
            }
        })
        .collect();
    let p: Vec<f64> = tested
        .iter()
        .zip(&expected)
        .map(|(&i, &mu)| poisson_upper_tail(counts[i], mu))
        .collect();
    let q = benjamini_hochberg(&p);
    let mut out = vec![None; counts.len()];
    for (k, &i) in tested.iter().enumerate() {
        out[i] = Some(Hotspot {
            expected: expected[k],
            p_value: p[k],
            q_value: q[k],
            hotspot: q[k] <= FDR,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_poisson_tail_matches_the_sum_of_terms() {
        // P(X ≥ 3 | μ = 1) = 1 − e⁻¹(1 + 1 + 1/2) = 0.0803014…
        let want = 1.0 - (-1.0f64).exp() * 2.5;
        assert!((poisson_upper_tail(3.0, 1.0) - want).abs() < 1e-12);
        // P(X ≥ 10 | μ = 2.5), summed term by term.
        let mut term = (-2.5f64).exp();
        let mut below = 0.0;
        for k in 0..10 {
            if k > 0 {
                term *= 2.5 / k as f64;
            }
            below += term;
        }
        assert!((poisson_upper_tail(10.0, 2.5) - (1.0 - below)).abs() < 1e-12);
        assert_eq!(poisson_upper_tail(0.0, 4.0), 1.0);
        // Continuous between whole counts.
        let (a, b, c) = (
            poisson_upper_tail(4.0, 2.0),
            poisson_upper_tail(4.5, 2.0),
            poisson_upper_tail(5.0, 2.0),
        );
        assert!(a > b && b > c, "{a} {b} {c}");
    }

    #[test]
    fn benjamini_hochberg_matches_a_worked_example() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH")
        //    = 0.025 0.050 0.050 0.025 0.500
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005, 0.5]);
        let want = [0.025, 0.05, 0.05, 0.025, 0.5];
        for (g, w) in q.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{q:?}");
        }
    }

    #[test]
    fn a_segment_far_above_its_borders_rate_is_a_hotspot_and_even_counts_are_not() {
        let lengths = [25.0; 10];
        let even = hotspots(&[3.0; 10], &lengths);
        assert!(even.iter().all(|h| !h.unwrap().hotspot));
        let mut counts = [1.0; 10];
        counts[4] = 30.0;
        let h = hotspots(&counts, &lengths);
        let hot: Vec<usize> = (0..10).filter(|&i| h[i].unwrap().hotspot).collect();
        assert_eq!(hot, vec![4]);
        let h4 = h[4].unwrap();
        assert!(
            (h4.expected - 3.9).abs() < 1e-12 && h4.q_value < 1e-6,
            "{h4:?}"
        );
        // A segment of no length is not tested; an empty border has nothing hot.
        let h = hotspots(&[0.0, 0.0], &[25.0, 0.0]);
        assert!(h[1].is_none() && !h[0].unwrap().hotspot);
    }
}
