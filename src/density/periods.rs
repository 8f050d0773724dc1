//! Calendar arithmetic of the time breakdown: days two spans share, and the periods a span
//! covers.

use super::options::Period;
use crate::model::Date;

pub(super) fn day_overlap(a: (Date, Date), b: (Date, Date)) -> f64 {
    let s = a.0.days_since_epoch().max(b.0.days_since_epoch());
    let e = a.1.days_since_epoch().min(b.1.days_since_epoch());
    (e - s + 1).max(0) as f64
}

pub(super) fn span_days(a: (Date, Date)) -> f64 {
    (a.1.days_since_epoch() - a.0.days_since_epoch() + 1).max(1) as f64
}

/// The calendar periods a span covers, with the days of the span in each.
pub(super) fn periods(span: (Date, Date), p: Period) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let (mut y, mut m) = (span.0.year, span.0.month);
    while let Some(first) = Date::new(y, m, 1) {
        if first > span.1 {
            break;
        }
        let last = Date::new(y, m, crate::model::days_in_month(y, m)).unwrap_or(first);
        let days = day_overlap((first, last), span);
        let key = match p {
            Period::Month => format!("{y:04}-{m:02}"),
            Period::Quarter => format!("{y:04}-Q{}", (m - 1) / 3 + 1),
            Period::Year => format!("{y:04}"),
        };
        match out.last_mut() {
            Some((k, d)) if *k == key => *d += days,
            _ => out.push((key, days)),
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}
