//! The run's classes: one set of breaks for the segments' incidents per 100 km per year,
//! shared by every map, the border profile and the QGIS segment style, so the same colour
//! means the same rate wherever it appears.
//!
//! The breaks are chosen on the compared borders together (all analysed borders when no pair
//! is compared): the quintiles of their non-zero segment rates, rounded to two significant
//! figures, with the largest rate of any analysed border as the top, so every segment drawn
//! (the overview's other borders too) falls in a class. Exactly 0 is a class of its own
//! ("none"). With few distinct rates some quintiles coincide and there are fewer classes.

use crate::density::Analysis;
use crate::density::stats::Rates;

/// ColorBrewer YlOrRd, 5 classes (low → high): the segment classes' colours.
pub const SEGMENT_RAMP: [[u8; 3]; 5] = [
    [255, 255, 178],
    [254, 204, 92],
    [253, 141, 60],
    [240, 59, 32],
    [189, 0, 38],
];

/// The colour of segments without incidents.
pub const SEGMENT_NONE: [u8; 3] = [205, 205, 205];

/// ColorBrewer BuPu (without its near-white end), translucent: the density classes' colours
/// (RGBA).
pub const DENSITY_RAMP: [[u8; 4]; 6] = [
    [191, 211, 230, 170],
    [158, 188, 218, 175],
    [140, 150, 198, 180],
    [140, 107, 177, 185],
    [136, 65, 157, 190],
    [110, 1, 107, 200],
];

/// The value a segment is classed by: per 100 km per year, or per 100 km when the run has
/// no dated window.
pub fn segment_value(r: &Rates) -> f64 {
    class_value(r.per_100km_per_year, r.per_100km)
}

/// [`segment_value`] from the two rates as a layer or table holds them (the report reads
/// them back from `segments.geojson`).
pub fn class_value(per_100km_per_year: Option<f64>, per_100km: f64) -> f64 {
    per_100km_per_year.unwrap_or(per_100km).max(0.0)
}

/// Classes of segment rates: class `i` holds values in `(bounds[i], bounds[i + 1]]`, with
/// `bounds[0] = 0`; 0 itself is "none".
#[derive(Debug, Clone, PartialEq)]
pub struct RateClasses {
    /// `0`, then each break, then the top (the largest rate drawn); empty when no segment of
    /// the run has an incident.
    pub bounds: Vec<f64>,
}

impl RateClasses {
    /// The run's classes: chosen on the segments of the `compared` borders together (every
    /// analysed border when `compared` is empty or names none of them); the top is the
    /// largest rate of any analysed border.
    pub fn for_run<S: AsRef<str>>(a: &Analysis, compared: &[S]) -> RateClasses {
        RateClasses::for_segments(
            a.borders.iter().flat_map(|b| {
                b.segments
                    .iter()
                    .map(|s| (b.border.id.as_str(), segment_value(&s.rates)))
            }),
            compared,
        )
    }

    /// The run's classes from each segment's border id and [`segment_value`], as
    /// [`RateClasses::for_run`] chooses them: what `report` uses to class the segments it
    /// reads back from `segments.geojson`, so the page's colours are the maps'.
    pub fn for_segments<'a, S: AsRef<str>>(
        segments: impl IntoIterator<Item = (&'a str, f64)>,
        compared: &[S],
    ) -> RateClasses {
        let is_compared = |id: &str| compared.iter().any(|c| c.as_ref().eq_ignore_ascii_case(id));
        let all: Vec<(&str, f64)> = segments.into_iter().collect();
        let any = all.iter().any(|(id, _)| is_compared(id));
        let chosen: Vec<f64> = all
            .iter()
            .filter(|(id, _)| !any || is_compared(id))
            .map(|&(_, v)| v)
            .collect();
        let top = all.iter().map(|&(_, v)| v).fold(0.0, f64::max);
        RateClasses::from_values(&chosen, top)
    }

    /// Classes from `values` (quintiles of the positive ones, two significant figures), up to
    /// `top` (at least the largest value).
    pub fn from_values(values: &[f64], top: f64) -> RateClasses {
        let mut v: Vec<f64> = values
            .iter()
            .copied()
            .filter(|x| x.is_finite() && *x > 0.0)
            .collect();
        v.sort_by(f64::total_cmp);
        let top = v.last().copied().unwrap_or(0.0).max(top);
        if !(top > 0.0 && top.is_finite()) {
            return RateClasses { bounds: Vec::new() };
        }
        let q = |p: f64| -> f64 {
            let pos = p * (v.len() - 1) as f64;
            let (i, f) = (pos.floor() as usize, pos.fract());
            if i + 1 < v.len() {
                v[i] + (v[i + 1] - v[i]) * f
            } else {
                v[i]
            }
        };
        let mut bounds = vec![0.0];
        if !v.is_empty() {
            for p in [0.2, 0.4, 0.6, 0.8] {
                let c = round2(q(p));
                if c > *bounds.last().unwrap_or(&0.0) && c < top {
                    bounds.push(c);
                }
            }
        }
        bounds.push(top);
        RateClasses { bounds }
    }

    /// How many classes above "none".
    pub fn len(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The class of a value: `None` for 0 (or no classes), else its index.
    pub fn class_of(&self, v: f64) -> Option<usize> {
        if v.is_nan() || v <= 0.0 || self.is_empty() {
            return None;
        }
        let i = self.bounds[1..]
            .iter()
            .position(|b| v <= *b * (1.0 + 1e-9))
            .unwrap_or(self.len() - 1);
        Some(i)
    }

    /// The colour of class `i`: the ramp spread over the classes there are.
    pub fn color(&self, i: usize) -> [u8; 3] {
        let n = self.len();
        if n <= 1 {
            return SEGMENT_RAMP[3];
        }
        let k = (i.min(n - 1) as f64 * (SEGMENT_RAMP.len() - 1) as f64 / (n - 1) as f64).round();
        SEGMENT_RAMP[k as usize]
    }

    /// The colour of a value (grey for none).
    pub fn color_of(&self, v: f64) -> [u8; 3] {
        self.class_of(v).map_or(SEGMENT_NONE, |i| self.color(i))
    }

    /// Every class's colour, low to high.
    pub fn colors(&self) -> Vec<[u8; 3]> {
        (0..self.len()).map(|i| self.color(i)).collect()
    }
}

/// The colour of density band `i` of `n`: [`DENSITY_RAMP`] spread over the bands.
pub fn density_color(i: usize, n: usize) -> [u8; 4] {
    let k = n.max(2) - 1;
    let t = i.min(k) as f64 / k as f64 * (DENSITY_RAMP.len() - 1) as f64;
    let j = (t.floor() as usize).min(DENSITY_RAMP.len() - 2);
    let f = t - j as f64;
    let (a, b) = (DENSITY_RAMP[j], DENSITY_RAMP[j + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    [
        mix(a[0], b[0]),
        mix(a[1], b[1]),
        mix(a[2], b[2]),
        mix(a[3], b[3]),
    ]
}

/// Rounds to two significant figures.
pub fn round2(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let m = 10f64.powf(v.abs().log10().floor() - 1.0);
    (v / m).round() * m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintile_breaks_rounded_and_top_is_the_largest_rate() {
        let v: Vec<f64> = (1..=100).map(|i| f64::from(i) * 0.137).collect();
        let c = RateClasses::from_values(&v, 20.0);
        assert_eq!(c.bounds.first(), Some(&0.0));
        assert_eq!(c.bounds.last(), Some(&20.0));
        assert_eq!(c.len(), 5);
        assert!(c.bounds.windows(2).all(|w| w[0] < w[1]), "{:?}", c.bounds);
        for b in &c.bounds[1..5] {
            assert_eq!(round2(*b), *b, "two significant figures: {b}");
        }
        assert_eq!(c.class_of(0.0), None);
        assert_eq!(c.class_of(0.01), Some(0));
        assert_eq!(c.class_of(13.7), Some(4));
        assert_eq!(
            c.class_of(c.bounds[2]),
            Some(1),
            "a break belongs to the class below"
        );
        // Every value falls in a class whose bounds hold it.
        for x in &v {
            let i = c.class_of(*x).unwrap();
            assert!(*x > c.bounds[i] && *x <= c.bounds[i + 1] * (1.0 + 1e-9));
        }
        assert_eq!(c.color(0), SEGMENT_RAMP[0]);
        assert_eq!(c.color(4), SEGMENT_RAMP[4]);
    }

    #[test]
    fn few_distinct_values_give_fewer_classes_and_none_gives_none() {
        let c = RateClasses::from_values(&[2.0, 2.0, 2.0, 0.0], 2.0);
        assert_eq!(c.bounds, vec![0.0, 2.0]);
        assert_eq!(c.color_of(2.0), SEGMENT_RAMP[3]);
        assert_eq!(c.color_of(0.0), SEGMENT_NONE);
        let none = RateClasses::from_values(&[0.0, f64::NAN], 0.0);
        assert!(none.is_empty());
        assert_eq!(none.class_of(1.0), None);
    }

    #[test]
    fn density_colours_span_the_ramp() {
        assert_eq!(density_color(0, 6), DENSITY_RAMP[0]);
        assert_eq!(density_color(5, 6), DENSITY_RAMP[5]);
        assert_eq!(density_color(3, 4), DENSITY_RAMP[5]);
    }
}
