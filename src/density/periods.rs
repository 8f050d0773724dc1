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
    calendar_periods(span, p)
        .into_iter()
        .map(|(key, part)| (key, span_days(part)))
        .collect()
}

/// The calendar periods (`2024-Q1`, `2024`, `2024-03`) of `window`, each with its first and
/// last day inside the window: the spans a run is split into for maps by period.
pub fn calendar_periods(window: (Date, Date), p: Period) -> Vec<(String, (Date, Date))> {
    let mut out: Vec<(String, (Date, Date))> = Vec::new();
    let (mut y, mut m) = (window.0.year, window.0.month);
    while let Some(first) = Date::new(y, m, 1) {
        if first > window.1 {
            break;
        }
        let last = Date::new(y, m, crate::model::days_in_month(y, m)).unwrap_or(first);
        let span = (first.max(window.0), last.min(window.1));
        let key = match p {
            Period::Month => format!("{y:04}-{m:02}"),
            Period::Quarter => format!("{y:04}-Q{}", (m - 1) / 3 + 1),
            Period::Year => format!("{y:04}"),
        };
        match out.last_mut() {
            Some((k, s)) if *k == key => s.1 = span.1,
            _ => out.push((key, span)),
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_periods_are_clipped_to_the_window() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        let q = calendar_periods((d(2023, 2, 10), d(2023, 7, 4)), Period::Quarter);
        assert_eq!(
            q,
            vec![
                ("2023-Q1".to_string(), (d(2023, 2, 10), d(2023, 3, 31))),
                ("2023-Q2".to_string(), (d(2023, 4, 1), d(2023, 6, 30))),
                ("2023-Q3".to_string(), (d(2023, 7, 1), d(2023, 7, 4))),
            ]
        );
        let y = calendar_periods((d(2022, 12, 31), d(2024, 1, 1)), Period::Year);
        let names: Vec<&str> = y.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(names, ["2022", "2023", "2024"]);
        assert_eq!(y[1].1, (d(2023, 1, 1), d(2023, 12, 31)));
    }
}
