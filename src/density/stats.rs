//! Counting and rates: the figures per segment, sector and border, with exact Poisson
//! confidence intervals.

use serde::Serialize;
use statrs::distribution::{Beta, ChiSquared, ContinuousCDF};

/// Which length a per-km figure divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LengthBasis {
    /// The geodesic length of the line as drawn (Natural Earth 1:10m for shipped borders).
    Measured,
    /// The published length: each segment scaled by published ÷ measured.
    Published,
}

impl LengthBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            LengthBasis::Measured => "measured",
            LengthBasis::Published => "published",
        }
    }
}

/// Sums gathered for one unit (segment, sector, border, or a breakdown cell).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    /// Events apportioned to the unit (each record's `count` × its share).
    pub events_weighted: f64,
    /// Events whose point position (no apportioning) falls in the unit.
    pub events_raw: f64,
    /// Records contributing any share.
    pub records: u64,
    pub fatalities: f64,
    /// UCDP-style low and high sums (the best estimate where a record has no low/high).
    pub fatalities_low: f64,
    pub fatalities_high: f64,
    /// Share of events whose fatalities are unknown (not counted as 0).
    pub fatalities_unknown_events: f64,
    pub wounded: f64,
    pub wounded_unknown_events: f64,
    /// Largest single record's share of `events_weighted` (aggregate rows dominate).
    pub largest_record_share: f64,
    /// Weighted events from imprecise locations (district or coarser, border zones).
    pub imprecise_events: f64,
    /// Weighted events from aggregate rows (count > 1).
    pub aggregate_events: f64,
}

impl Tally {
    pub fn add(&mut self, share: f64, c: &Contribution) {
        if share <= 0.0 {
            return;
        }
        let ev = share * c.count;
        self.events_weighted += ev;
        self.records += 1;
        match c.fatalities {
            Some(f) => {
                self.fatalities += share * f;
                self.fatalities_low += share * c.fatalities_low.unwrap_or(f);
                self.fatalities_high += share * c.fatalities_high.unwrap_or(f);
            }
            None => self.fatalities_unknown_events += ev,
        }
        match c.wounded {
            Some(w) => self.wounded += share * w,
            None => self.wounded_unknown_events += ev,
        }
        if c.imprecise {
            self.imprecise_events += ev;
        }
        if c.aggregate {
            self.aggregate_events += ev;
        }
        self.largest_record_share = self.largest_record_share.max(ev);
    }
}

/// What one record brings to a tally (its weight already filtered by window and type).
#[derive(Debug, Clone)]
pub struct Contribution {
    pub count: f64,
    pub fatalities: Option<f64>,
    pub fatalities_low: Option<f64>,
    pub fatalities_high: Option<f64>,
    pub wounded: Option<f64>,
    pub imprecise: bool,
    /// The record is an aggregate row (its own `count` is over 1).
    pub aggregate: bool,
}

/// A tally turned into rates over a length and a time window.
#[derive(Debug, Clone, Serialize)]
pub struct Rates {
    pub length_km: f64,
    pub length_basis: LengthBasis,
    pub years: Option<f64>,
    pub per_100km: f64,
    pub per_100km_per_year: Option<f64>,
    /// 95% exact Poisson interval of `per_100km_per_year`.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

pub fn rates(t: &Tally, length_km: f64, basis: LengthBasis, years: Option<f64>) -> Rates {
    let per_100km = if length_km > 0.0 {
        t.events_weighted / length_km * 100.0
    } else {
        0.0
    };
    let (lo, hi) = poisson_ci(t.events_weighted, 0.95);
    let exposure = years.map(|y| length_km / 100.0 * y).filter(|e| *e > 0.0);
    Rates {
        length_km,
        length_basis: basis,
        years,
        per_100km,
        per_100km_per_year: exposure.map(|e| t.events_weighted / e),
        ci_low: exposure.map(|e| lo / e),
        ci_high: exposure.map(|e| hi / e),
    }
}

/// Exact (Garwood) Poisson interval for a count `k` at confidence `level`, from chi-square
/// quantiles. For apportioned (non-integer) counts the same formula is used with the gamma
/// quantiles it stands for; the interval then treats the weighted count as Poisson, which
/// understates uncertainty from location imprecision (stated in the outputs).
pub fn poisson_ci(k: f64, level: f64) -> (f64, f64) {
    let a = 1.0 - level;
    let lower = if k <= 0.0 {
        0.0
    } else {
        ChiSquared::new(2.0 * k)
            .map(|d| d.inverse_cdf(a / 2.0) / 2.0)
            .unwrap_or(0.0)
    };
    let upper = ChiSquared::new(2.0 * k + 2.0)
        .map(|d| d.inverse_cdf(1.0 - a / 2.0) / 2.0)
        .unwrap_or(f64::INFINITY);
    (lower, upper)
}

/// Rate ratio of two Poisson rates (`k1/e1 ÷ k2/e2`) with an exact conditional interval:
/// given k1 + k2, k1 is binomial with p = e1·r1 / (e1·r1 + e2·r2); a Clopper–Pearson interval
/// for p maps to one for the ratio.
pub fn rate_ratio(k1: f64, e1: f64, k2: f64, e2: f64, level: f64) -> (f64, f64, f64) {
    let a = 1.0 - level;
    let ratio = if k2 > 0.0 {
        (k1 / e1) / (k2 / e2)
    } else {
        f64::INFINITY
    };
    let p_lo = if k1 <= 0.0 {
        0.0
    } else {
        Beta::new(k1, k2 + 1.0)
            .map(|b| b.inverse_cdf(a / 2.0))
            .unwrap_or(0.0)
    };
    let p_hi = if k2 <= 0.0 {
        1.0
    } else {
        Beta::new(k1 + 1.0, k2)
            .map(|b| b.inverse_cdf(1.0 - a / 2.0))
            .unwrap_or(1.0)
    };
    let to_ratio = |p: f64| {
        if p >= 1.0 {
            f64::INFINITY
        } else {
            p / (1.0 - p) * e2 / e1
        }
    };
    (ratio, to_ratio(p_lo), to_ratio(p_hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garwood_interval_matches_tables() {
        // Standard table values for the exact 95% Poisson interval.
        let (lo, hi) = poisson_ci(0.0, 0.95);
        assert_eq!(lo, 0.0);
        assert!((hi - 3.689).abs() < 0.001, "{hi}");
        let (lo, hi) = poisson_ci(10.0, 0.95);
        assert!(
            (lo - 4.795).abs() < 0.001 && (hi - 18.390).abs() < 0.001,
            "{lo} {hi}"
        );
    }

    #[test]
    fn rate_ratio_of_equal_rates_brackets_one() {
        let (r, lo, hi) = rate_ratio(20.0, 10.0, 40.0, 20.0, 0.95);
        assert!((r - 1.0).abs() < 1e-12);
        assert!(lo < 1.0 && hi > 1.0);
        // Reference (conditional exact): 0.5568 to 1.7400 for 20 vs 40 events, exposures 1:2.
        assert!(
            (lo - 0.5568).abs() < 0.01 && (hi - 1.740).abs() < 0.02,
            "{lo} {hi}"
        );
    }
}
