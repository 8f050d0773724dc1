//! Axes and scales shared by the charts: nice steps, linear and log ticks, km labels, where a
//! border's km 0 is, and the names of a border's sides.

use crate::density::{Analysis, BorderResult};

// Axes.

/// A round step for about `target` intervals over `span`: 1, 2, 2.5 or 5 × 10^k.
pub(super) fn nice_step(span: f64, target: f64) -> f64 {
    if span.is_nan() || span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / target.max(1.0);
    let p = 10f64.powf(raw.log10().floor());
    let f = raw / p;
    let k = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    k * p
}

/// Ticks 0, step, … up to the first at or above `max`, with at most `max_n` intervals: the
/// smallest round step (1, 2, 2.5 or 5 × 10^k) that needs no more, so the top tick wastes as
/// little of the axis as it can.
pub(super) fn linear_ticks(max: f64, max_n: f64) -> Vec<f64> {
    let max = if max > 0.0 && max.is_finite() {
        max
    } else {
        1.0
    };
    let max_n = max_n.floor().max(1.0);
    let p0 = 10f64.powf((max / max_n).log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0, 20.0]
        .iter()
        .map(|m| m * p0)
        .find(|s| (max / s - 1e-9).ceil() <= max_n)
        .unwrap_or(10.0 * p0);
    let k = (max / step - 1e-9).ceil().max(1.0) as usize;
    (0..=k).map(|i| i as f64 * step).collect()
}

/// Ticks for a log axis over `lo..hi` (both > 0): 1-2-5 per decade, thinned to 1 per decade
/// when there are many.
pub(super) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (d0, d1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let pick = |mults: &[f64]| -> Vec<f64> {
        (d0..=d1)
            .flat_map(|d| mults.iter().map(move |m| m * 10f64.powi(d)))
            .filter(|v| *v >= lo * 0.999 && *v <= hi * 1.001)
            .collect()
    };
    let t = pick(&[1.0, 2.0, 5.0]);
    if t.len() > 9 {
        pick(&[1.0])
    } else if t.len() < 4 {
        pick(&[1.0, 2.0, 3.0, 5.0])
    } else {
        t
    }
}

/// A km figure with thousands separated: 2,246.
pub(super) fn km_label(v: f64) -> String {
    let s = format!("{:.0}", v.round());
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// The compass direction of a border's km 0 end as seen from its other end.
pub(super) fn km0_end(b: &crate::borders::Border) -> Option<&'static str> {
    let (first, last) = (b.line.0.first()?, b.line.0.last()?);
    let k = ((first.y + last.y) / 2.0).to_radians().cos();
    let (dx, dy) = ((first.x - last.x) * k, first.y - last.y);
    if dx == 0.0 && dy == 0.0 {
        return None;
    }
    let ang = dy.atan2(dx).to_degrees(); // 0 = east, 90 = north
    const NAMES: [&str; 8] = [
        "east",
        "north-east",
        "north",
        "north-west",
        "west",
        "south-west",
        "south",
        "south-east",
    ];
    let i = (((ang + 360.0 + 22.5) % 360.0) / 45.0).floor() as usize % 8;
    Some(NAMES[i])
}

pub(super) fn find_border<'a>(a: &'a Analysis, id: &str) -> Option<&'a BorderResult> {
    a.borders
        .iter()
        .find(|b| b.border.id.eq_ignore_ascii_case(id))
}

pub(super) fn unknown_border(a: &Analysis, id: &str) -> anyhow::Error {
    let ids: Vec<&str> = a.borders.iter().map(|b| b.border.id.as_str()).collect();
    anyhow::anyhow!("unknown border {id:?} (analysed: {})", ids.join(", "))
}

/// The two country names of "Afghanistan–Tajikistan" (or the codes).
pub(super) fn side_names(b: &crate::borders::Border) -> (String, String) {
    let mut parts = b.name.split(['–', '—']).map(str::trim);
    match (parts.next(), parts.next()) {
        (Some(x), Some(y)) if !x.is_empty() && !y.is_empty() => (x.to_string(), y.to_string()),
        _ => (
            b.country_a.clone().unwrap_or_else(|| "right side".into()),
            b.country_b.clone().unwrap_or_else(|| "left side".into()),
        ),
    }
}
