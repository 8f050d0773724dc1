//! Date parsing for incident files.
//!
//! Reports give dates at different precisions ("2025-11-26", "2025-12", "2025") and datasets
//! spell them differently (UCDP appends a midnight time, ACLED may write "26 November 2025").
//! Every accepted form becomes a [`DateSpan`] that states how much was known. Forms whose
//! meaning depends on a convention the file does not state (03/04/2025: March or April?) are
//! refused with a reason that says how to write them, rather than guessed.

use crate::model::{Date, DatePrecision, DateSpan, days_in_month};

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Parses one date cell.
///
/// Accepted: `2025-11-26`, `2025-12`, `2025`, `2025-11-26 00:00:00.000` (the time is
/// ignored), `2025-11-26T10:00:00Z`, `2025/11/26`, `26 November 2025`, `26-Nov-2025`,
/// `November 26, 2025`, `November 2025`.
/// Refused with a reason: impossible dates (`2025-02-31`), day-first or month-first slash
/// and dot dates (`31/02/2025`, `03/04/2025`), spreadsheet serial numbers, anything else.
pub fn parse_date(s: &str) -> Result<DateSpan, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty date".to_string());
    }
    // The value as shown in messages; clipped only when there is a message to write.
    let shown = || super::row::clip(t);

    // ISO date with a time part: keep the date, ignore the time.
    let (date_part, time_part) = match t.find([' ', 'T']) {
        Some(i) if looks_iso(&t[..i]) && t[i + 1..].starts_with(|c: char| c.is_ascii_digit()) => {
            (&t[..i], Some(&t[i + 1..]))
        }
        _ => (t, None),
    };
    if let Some(time) = time_part {
        let time = time.trim();
        let ok = time.starts_with(|c: char| c.is_ascii_digit())
            && time
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '+' | '-' | 'Z'));
        if !ok {
            return Err(format!(
                "{} is not a recognised date: unexpected text after the date",
                shown()
            ));
        }
    }

    if looks_iso(date_part) {
        return parse_ymd_parts(date_part, '-', t);
    }
    if let Some(first) = date_part.split('/').next()
        && first.len() == 4
        && first.bytes().all(|b| b.is_ascii_digit())
    {
        return parse_ymd_parts(date_part, '/', t);
    }
    for sep in ['/', '.'] {
        let parts: Vec<&str> = date_part.split(sep).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(explain_numeric_dmy(&parts, sep, &shown()));
        }
    }
    if let Some(span) = parse_month_name_form(date_part, t)? {
        return Ok(span);
    }
    if date_part.len() == 5 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{} looks like a spreadsheet serial day number, not a date; export the column as YYYY-MM-DD",
            shown()
        ));
    }
    Err(format!(
        "{} is not a recognised date (use YYYY-MM-DD, YYYY-MM or YYYY)",
        shown()
    ))
}

/// Only digits and dashes, starting with a four-digit year: `2025`, `2025-12`, `2025-11-26`.
fn looks_iso(s: &str) -> bool {
    let year_digits = s.bytes().take_while(|b| b.is_ascii_digit()).count();
    year_digits == 4 && s.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

/// `t` is the whole cell, for messages.
fn parse_ymd_parts(s: &str, sep: char, t: &str) -> Result<DateSpan, String> {
    let mut split = s.split(sep);
    let parts: [Option<&str>; 3] = [split.next(), split.next(), split.next()];
    let count = parts.iter().flatten().count() + split.count();
    let parts = &parts[..count.min(3)];
    let bad = || {
        format!(
            "{} is not a recognised date (use YYYY-MM-DD, YYYY-MM or YYYY)",
            super::row::clip(t)
        )
    };
    let num = |p: &str, max_len: usize| -> Option<u32> {
        if p.is_empty() || p.len() > max_len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let part = |i: usize| parts.get(i).copied().flatten();
    let year = part(0)
        .and_then(|p| if p.len() == 4 { num(p, 4) } else { None })
        .ok_or_else(bad)?;
    let year = i32::try_from(year).map_err(|_| bad())?;
    match count {
        1 => year_span(year).ok_or_else(bad),
        2 => {
            let m = part(1).and_then(|p| num(p, 2)).ok_or_else(bad)?;
            // Valid dates (nearly all of them) skip building the message.
            u8::try_from(m)
                .ok()
                .and_then(|m| month_span(year, m))
                .map_or_else(|| month_span_checked(year, m, &super::row::clip(t)), Ok)
        }
        3 => {
            let m = part(1).and_then(|p| num(p, 2)).ok_or_else(bad)?;
            let d = part(2).and_then(|p| num(p, 2)).ok_or_else(bad)?;
            day_span(year, m, d)
                .map_or_else(|| day_span_checked(year, m, d, &super::row::clip(t)), Ok)
        }
        _ => Err(bad()),
    }
}

/// The whole of one year, precision `Year`.
pub(crate) fn year_span(year: i32) -> Option<DateSpan> {
    Some(DateSpan {
        start: Date::new(year, 1, 1)?,
        end: Date::new(year, 12, 31)?,
        precision: DatePrecision::Year,
    })
}

/// The whole of one month, precision `Month`.
pub(crate) fn month_span(year: i32, month: u8) -> Option<DateSpan> {
    Some(DateSpan {
        start: Date::new(year, month, 1)?,
        end: Date::new(year, month, days_in_month(year, month))?,
        precision: DatePrecision::Month,
    })
}

fn month_span_checked(year: i32, month: u32, shown: &str) -> Result<DateSpan, String> {
    u8::try_from(month)
        .ok()
        .and_then(|m| month_span(year, m))
        .ok_or_else(|| format!("{shown} is not a real date: there is no month {month}"))
}

/// One day, when it exists; [`day_span_checked`] says why not.
fn day_span(year: i32, month: u32, day: u32) -> Option<DateSpan> {
    let m = u8::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
    let d = u8::try_from(day).ok().filter(|&d| d != 0)?;
    Date::new(year, m, d).map(DateSpan::day)
}

/// One day, or a reason naming what is impossible about it.
pub(crate) fn day_span_checked(
    year: i32,
    month: u32,
    day: u32,
    shown: &str,
) -> Result<DateSpan, String> {
    let m = u8::try_from(month)
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| format!("{shown} is not a real date: there is no month {month}"))?;
    if day == 0 {
        return Err(format!("{shown} is not a real date: there is no day 0"));
    }
    let d = u8::try_from(day).unwrap_or(u8::MAX);
    Date::new(year, m, d).map(DateSpan::day).ok_or_else(|| {
        format!(
            "{shown} is not a real date: {} {year} has {} days",
            capitalised(MONTHS[usize::from(m - 1)]),
            days_in_month(year, m)
        )
    })
}

/// Builds the span of a partially known date from separate year/month/day numbers, where 0
/// means "not known" (GTD's convention). Month 0 makes the whole year, day 0 the whole month.
pub(crate) fn span_from_parts(year: i64, month: i64, day: i64) -> Result<DateSpan, String> {
    let shown = format!("{year}-{month:02}-{day:02}");
    let y = i32::try_from(year)
        .ok()
        .filter(|y| (1..=9999).contains(y))
        .ok_or_else(|| format!("{year} is not a usable year"))?;
    let m = u32::try_from(month).map_err(|_| format!("{shown}: month {month} is negative"))?;
    let d = u32::try_from(day).map_err(|_| format!("{shown}: day {day} is negative"))?;
    match (m, d) {
        (0, _) => year_span(y).ok_or_else(|| format!("{year} is not a usable year")),
        (m, 0) => month_span_checked(y, m, &shown),
        (m, d) => day_span_checked(y, m, d, &shown),
    }
}

/// Joins a start and an end date (UCDP's date_start and date_end) into one span, keeping both
/// ends; its precision is `Day` for a single day, `Month` within one month, otherwise `Year`.
pub(crate) fn join_spans(start: DateSpan, end: DateSpan) -> Result<DateSpan, String> {
    if end.end < start.start {
        return Err(format!(
            "the end date {} is before the start date {}",
            end.end, start.start
        ));
    }
    let (s, e) = (start.start, end.end);
    let precision = if s == e {
        DatePrecision::Day
    } else if s.year == e.year && s.month == e.month {
        DatePrecision::Month
    } else {
        DatePrecision::Year
    };
    Ok(DateSpan {
        start: s,
        end: e,
        precision,
    })
}

/// Widens a span to a coarser stated precision: "2025-11-01" with precision `month` means
/// "some day in November 2025", the day being a placeholder.
pub(crate) fn widen(span: DateSpan, precision: DatePrecision) -> DateSpan {
    let widened = match precision {
        DatePrecision::Day => Some(span),
        DatePrecision::Month => month_span(span.start.year, span.start.month),
        DatePrecision::Year => year_span(span.start.year),
    };
    widened.unwrap_or(span)
}

fn month_number(token: &str) -> Option<u32> {
    let t = token.to_ascii_lowercase();
    if t.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| *m == t || (m.starts_with(&t) && (t.len() == 3 || t == "sept")))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// `t` is the whole cell, for messages.
fn parse_month_name_form(s: &str, t: &str) -> Result<Option<DateSpan>, String> {
    let shown = &super::row::clip(t);
    let tokens: Vec<&str> = s
        .split([' ', '-', ',', '.', '\t'])
        .filter(|t| !t.is_empty())
        .collect();
    let day = |t: &str| -> Option<u32> {
        (t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let year = |t: &str| -> Option<i32> {
        (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    match tokens.as_slice() {
        [a, b, c] => {
            if let (Some(d), Some(m), Some(y)) = (day(a), month_number(b), year(c)) {
                return day_span_checked(y, m, d, shown).map(Some);
            }
            if let (Some(m), Some(d), Some(y)) = (month_number(a), day(b), year(c)) {
                return day_span_checked(y, m, d, shown).map(Some);
            }
            if let (Some(y), Some(m), Some(d)) = (year(a), month_number(b), day(c)) {
                return day_span_checked(y, m, d, shown).map(Some);
            }
            Ok(None)
        }
        [a, b] => {
            if let (Some(m), Some(y)) = (month_number(a), year(b)) {
                return month_span_checked(y, m, shown).map(Some);
            }
            if let (Some(y), Some(m)) = (year(a), month_number(b)) {
                return month_span_checked(y, m, shown).map(Some);
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Explains why `a/b/yyyy` (or with dots) is refused, and how to write it instead.
fn explain_numeric_dmy(parts: &[&str], sep: char, shown: &str) -> String {
    let n = |i: usize| {
        parts
            .get(i)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let (a, b) = (n(0), n(1));
    let year = parts
        .get(2)
        .and_then(|p| p.parse::<i32>().ok())
        .unwrap_or(0);
    let valid = |m: u32, d: u32| {
        u8::try_from(m)
            .ok()
            .zip(u8::try_from(d).ok())
            .and_then(|(m, d)| Date::new(year, m, d))
    };
    let kind = if sep == '/' { "slash" } else { "dotted" };
    match (valid(b, a), valid(a, b)) {
        (None, None) => {
            format!("{shown} is not a real date in either day/month/year or month/day/year order")
        }
        (Some(d), None) => format!(
            "{shown}: {kind} dates are not accepted because their day/month order varies; \
             if this is day/month/year, write {d}"
        ),
        (None, Some(d)) => format!(
            "{shown}: {kind} dates are not accepted because their day/month order varies; \
             if this is month/day/year, write {d}"
        ),
        (Some(dm), Some(md)) if dm == md => format!(
            "{shown}: {kind} dates are not accepted because their day/month order varies; write {dm}"
        ),
        (Some(dm), Some(md)) => format!(
            "{shown} is ambiguous: {dm} if day/month/year, {md} if month/day/year; write it as YYYY-MM-DD"
        ),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, dd: u8) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    #[test]
    fn iso_forms() {
        assert_eq!(
            parse_date("2025-11-26").unwrap(),
            DateSpan::day(d(2025, 11, 26))
        );
        let m = parse_date("2025-12").unwrap();
        assert_eq!(
            (m.start, m.end, m.precision),
            (d(2025, 12, 1), d(2025, 12, 31), DatePrecision::Month)
        );
        let y = parse_date(" 2025 ").unwrap();
        assert_eq!(
            (y.start, y.end, y.precision),
            (d(2025, 1, 1), d(2025, 12, 31), DatePrecision::Year)
        );
        let feb = parse_date("2024-02").unwrap();
        assert_eq!(feb.end, d(2024, 2, 29));
        assert_eq!(
            parse_date("2025/11/26").unwrap(),
            DateSpan::day(d(2025, 11, 26))
        );
    }

    #[test]
    fn ucdp_time_suffix_is_ignored() {
        assert_eq!(
            parse_date("2021-12-31 00:00:00.000").unwrap(),
            DateSpan::day(d(2021, 12, 31))
        );
        assert_eq!(
            parse_date("2021-12-31T10:15:00Z").unwrap(),
            DateSpan::day(d(2021, 12, 31))
        );
        assert!(parse_date("2021-12-31 yesterday").is_err());
    }

    #[test]
    fn acled_month_name_forms() {
        assert_eq!(
            parse_date("26 November 2025").unwrap(),
            DateSpan::day(d(2025, 11, 26))
        );
        assert_eq!(
            parse_date("26-November-2025").unwrap(),
            DateSpan::day(d(2025, 11, 26))
        );
        assert_eq!(
            parse_date("26-Nov-2025").unwrap(),
            DateSpan::day(d(2025, 11, 26))
        );
        assert_eq!(
            parse_date("November 26, 2025").unwrap(),
            DateSpan::day(d(2025, 11, 26))
        );
        assert_eq!(
            parse_date("November 2025").unwrap().precision,
            DatePrecision::Month
        );
        assert_eq!(
            parse_date("5 Sept 2025").unwrap(),
            DateSpan::day(d(2025, 9, 5))
        );
    }

    #[test]
    fn impossible_dates_are_refused_with_reason() {
        let e = parse_date("2025-02-31").unwrap_err();
        assert!(e.contains("February 2025 has 28 days"), "{e}");
        let e = parse_date("2025-13").unwrap_err();
        assert!(e.contains("no month 13"), "{e}");
        let e = parse_date("31/02/2025").unwrap_err();
        assert!(e.contains("not a real date in either"), "{e}");
        let e = parse_date("31 February 2025").unwrap_err();
        assert!(e.contains("February 2025 has 28 days"), "{e}");
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2025-02-29").is_err());
    }

    #[test]
    fn ambiguous_and_unknown_forms() {
        let e = parse_date("03/04/2025").unwrap_err();
        assert!(e.contains("2025-04-03") && e.contains("2025-03-04"), "{e}");
        let e = parse_date("13/04/2025").unwrap_err();
        assert!(e.contains("write 2025-04-13"), "{e}");
        assert!(parse_date("45987").unwrap_err().contains("serial"));
        assert!(
            parse_date("yesterday")
                .unwrap_err()
                .contains("not a recognised date")
        );
        assert!(parse_date("").is_err());
        assert!(parse_date("2025-1x-01").is_err());
        assert!(parse_date("20251-01-01").is_err());
        // Multi-byte text must not be sliced mid-character.
        assert!(parse_date(&"é".repeat(100)).is_err());
    }

    #[test]
    fn parts_with_unknowns() {
        assert_eq!(
            span_from_parts(2015, 0, 0).unwrap().precision,
            DatePrecision::Year
        );
        assert_eq!(
            span_from_parts(2015, 3, 0).unwrap().precision,
            DatePrecision::Month
        );
        assert_eq!(
            span_from_parts(2015, 3, 4).unwrap(),
            DateSpan::day(d(2015, 3, 4))
        );
        assert!(span_from_parts(2015, 2, 30).is_err());
        assert!(span_from_parts(2015, -1, 3).is_err());
    }

    #[test]
    fn joined_spans() {
        let a = parse_date("2021-03-05").unwrap();
        let b = parse_date("2021-03-20").unwrap();
        let c = parse_date("2021-04-01").unwrap();
        assert_eq!(join_spans(a, a).unwrap().precision, DatePrecision::Day);
        let j = join_spans(a, b).unwrap();
        assert_eq!(
            (j.start, j.end, j.precision),
            (a.start, b.start, DatePrecision::Month)
        );
        assert_eq!(join_spans(a, c).unwrap().precision, DatePrecision::Year);
        assert!(join_spans(b, a).is_err());
    }
}
