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

/// Parses one date cell whose column order is not known (see [`parse_date_in`]).
///
/// Accepted: `2025-11-26`, `2025-12`, `2025`, `2025-11-26 00:00:00.000` (the time is
/// ignored), `2025-11-26T10:00:00Z`, `2025/11/26`, `26 November 2025`, `26-Nov-2025`,
/// `06-Sep-23`, `November 26, 2025`, `Sep 6, 2023`, `November 2025`, `Dec 2025`, and
/// spreadsheet serial day numbers (`45231`).
/// Refused with a reason: impossible dates (`2025-02-31`), day-first or month-first slash
/// and dot dates (`31/02/2025`, `03/04/2025`: their order is a column's, see
/// [`parse_date_in`]), anything else.
pub fn parse_date(s: &str) -> Result<DateSpan, String> {
    parse_date_in(s, None)
}

/// Parses one date cell of a column whose order of numeric dates (`16/03/2024`,
/// `30.11.2025`, `06-09-23`) is `order`; with `None`, such dates are refused with a reason.
///
/// Two-digit years are read as spreadsheets read them: `00`–`29` are 2000–2029, `30`–`99`
/// are 1930–1999 (`27-Apr-20` is 2020, `06-Sep-23` 2023, `15-Mar-97` 1997).
pub fn parse_date_in(s: &str, order: Option<DateOrder>) -> Result<DateSpan, String> {
    let t = s.trim();
    if let Some(day) = plain_iso_day(t) {
        return Ok(day);
    }
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
    // `16/03/2024 00:00`, as spreadsheets write a date-time: the time is ignored.
    let numeric = date_part
        .split_once(' ')
        .filter(|(_, time)| {
            let time = time.trim();
            time.starts_with(|c: char| c.is_ascii_digit())
                && time
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ' ' | 'A' | 'P' | 'M'))
        })
        .map_or(date_part, |(d, _)| d);
    if let Some((parts, sep)) = numeric_parts(numeric) {
        return match order {
            Some(o) => parse_ordered(&parts, o, &shown()),
            None if parts[2].len() == 4 => Err(explain_numeric_dmy(&parts, sep, &shown())),
            None => Err(format!(
                "{}: numeric dates with a two-digit year need their order: give --date-order dmy, mdy or ymd",
                shown()
            )),
        };
    }
    if let Some(span) = parse_month_name_form(date_part, t)? {
        return Ok(span);
    }
    if let Some(span) = excel_serial(date_part) {
        return Ok(span);
    }
    Err(format!(
        "{} is not a recognised date (use YYYY-MM-DD, YYYY-MM or YYYY)",
        shown()
    ))
}

/// How numeric dates (`16/03/2024`) of a column are read: day first, month first, or year
/// first (`23/09/06` with a two-digit year).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// day/month/year: 16/03/2024, 30.11.2025
    Dmy,
    /// month/day/year: 03/16/2024
    Mdy,
    /// year/month/day with a two-digit year: 24/03/16
    Ymd,
}

impl DateOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::Dmy => "day/month/year",
            DateOrder::Mdy => "month/day/year",
            DateOrder::Ymd => "year/month/day",
        }
    }
}

/// A date of three all-digit parts separated by `/`, `.` or `-` whose first part is not a
/// four-digit year (`16/03/2024`, `30.11.2025`, `06-09-23`), with its separator.
pub(crate) fn numeric_parts(s: &str) -> Option<([&str; 3], char)> {
    for sep in ['/', '.', '-'] {
        let mut it = s.split(sep);
        let (Some(a), Some(b), Some(c), None) = (it.next(), it.next(), it.next(), it.next()) else {
            continue;
        };
        let parts = [a, b, c];
        let digits =
            |p: &&str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
        if parts.iter().all(digits)
            && a.len() <= 2
            && b.len() <= 2
            && (c.len() == 4 || c.len() <= 2)
        {
            return Some((parts, sep));
        }
    }
    None
}

/// A two-digit year as spreadsheets read it: 00–29 → 2000–2029, 30–99 → 1930–1999.
pub(crate) fn pivot_year(yy: i32) -> i32 {
    if yy < 30 { 2000 + yy } else { 1900 + yy }
}

/// A numeric date read in a known order.
fn parse_ordered(parts: &[&str; 3], order: DateOrder, shown: &str) -> Result<DateSpan, String> {
    let n = |i: usize| parts[i].parse::<u32>().unwrap_or(0);
    let year = |p: &str| -> i32 {
        let y = p.parse::<i32>().unwrap_or(0);
        if p.len() <= 2 { pivot_year(y) } else { y }
    };
    let (y, m, d) = match order {
        DateOrder::Dmy => (year(parts[2]), n(1), n(0)),
        DateOrder::Mdy => (year(parts[2]), n(0), n(1)),
        DateOrder::Ymd if parts[2].len() <= 2 => (year(parts[0]), n(1), n(2)),
        DateOrder::Ymd => {
            return Err(format!(
                "{shown} ends with a four-digit year, so it is not year/month/day as --date-order ymd says"
            ));
        }
    };
    day_span_checked(y, m, d, &format!("{shown} (read as {})", order.as_str())).map_err(|e| {
        // Impossible either way round: say so, as for a column of unknown order.
        let swapped = u8::try_from(d)
            .ok()
            .zip(u8::try_from(m).ok())
            .and_then(|(d, m)| Date::new(y, d, m));
        if swapped.is_none() && order != DateOrder::Ymd {
            format!("{shown} is not a real date in either day/month/year or month/day/year order")
        } else {
            e
        }
    })
}

/// A spreadsheet serial day number (days since 1899-12-30, as Excel and LibreOffice count
/// them; a fraction is the time of day): five digits, 1950 to 2099.
fn excel_serial(s: &str) -> Option<DateSpan> {
    let whole = s.split_once('.').map_or(s, |(w, f)| {
        if f.bytes().all(|b| b.is_ascii_digit()) {
            w
        } else {
            ""
        }
    });
    if whole.len() != 5 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = whole.parse().ok()?;
    if !(18_264..=73_050).contains(&n) {
        return None;
    }
    Some(DateSpan::day(date_from_days(n - 25_569)?))
}

/// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
pub(crate) fn date_from_days(days: i64) -> Option<Date> {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date::new(
        i32::try_from(y).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(d).ok()?,
    )
}

/// A valid `YYYY-MM-DD` and nothing else, read without splitting: most dates of most files
/// (a million rows' worth was about 2% of `density`'s CPU). Anything else, a date that
/// does not exist included, is `None` and takes the general way (which says why).
fn plain_iso_day(t: &str) -> Option<DateSpan> {
    let b: &[u8; 10] = t.as_bytes().try_into().ok()?;
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    day_span(year, digits(5..7)?, digits(8..10)?)
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
    // `06-Sep-23`, `Sep 6, 23`: a two-digit year after a month name.
    let year2 = |t: &str| -> Option<i32> {
        year(t).or_else(|| {
            (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok().map(pivot_year))
                .flatten()
        })
    };
    match tokens.as_slice() {
        [a, b, c] => {
            if let (Some(d), Some(m), Some(y)) = (day(a), month_number(b), year2(c)) {
                return day_span_checked(y, m, d, shown).map(Some);
            }
            if let (Some(m), Some(d), Some(y)) = (month_number(a), day(b), year2(c)) {
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
            "{shown} is ambiguous: {dm} if day/month/year, {md} if month/day/year; \
             nothing in its column settles the order: give --date-order dmy or mdy"
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

    /// Four digits, a dash, two digits, a dash, two digits.
    fn plain_shape(t: &str) -> bool {
        t.len() == 10
            && t.bytes().enumerate().all(|(i, c)| match i {
                4 | 7 => c == b'-',
                _ => c.is_ascii_digit(),
            })
    }

    /// The plain `YYYY-MM-DD` reading gives what the general one gives, and leaves to it
    /// every text it does not read as a day (dates that do not exist included).
    #[test]
    fn plain_iso_days_read_as_the_general_way_reads_them() {
        let mut uniform = crate::geo_util::test_uniform(11);
        let mut next = |below: u32| (uniform() * f64::from(below)) as u32;
        let mut read = 0;
        for i in 0..200_000 {
            let text: String = if i % 2 == 0 {
                // Near-valid dates: digits where they belong, now and then a stray byte.
                let (y, m, dd) = (next(3000), next(14), next(33));
                let mut t = format!("{y:04}-{m:02}-{dd:02}").into_bytes();
                if next(8) == 0 {
                    t[next(10) as usize] = b"-0 T/x9"[next(7) as usize];
                }
                String::from_utf8(t).unwrap()
            } else {
                (0..10)
                    .map(|_| b"0123456789-"[next(11) as usize] as char)
                    .collect()
            };
            match plain_iso_day(&text) {
                Some(day) => {
                    read += 1;
                    assert_eq!(parse_ymd_parts(&text, '-', &text), Ok(day), "{text}");
                }
                // Turned away in the plain shape: a day that does not exist.
                None if plain_shape(&text) => {
                    assert!(parse_ymd_parts(&text, '-', &text).is_err(), "{text}")
                }
                None => {}
            }
        }
        assert!(read > 50_000, "{read}");
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
        assert_eq!(
            parse_date("45231").unwrap(),
            DateSpan::day(d(2023, 11, 1)),
            "a spreadsheet serial"
        );
        assert_eq!(
            parse_date("45367.5").unwrap(),
            DateSpan::day(d(2024, 3, 16))
        );
        assert!(parse_date("99999").is_err());
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
    fn ordered_numeric_dates() {
        let dmy = Some(DateOrder::Dmy);
        assert_eq!(
            parse_date_in("16/03/2024", dmy).unwrap(),
            DateSpan::day(d(2024, 3, 16))
        );
        assert_eq!(
            parse_date_in("06/09/2023", dmy).unwrap(),
            DateSpan::day(d(2023, 9, 6))
        );
        assert_eq!(
            parse_date_in("30.11.2025", dmy).unwrap(),
            DateSpan::day(d(2025, 11, 30))
        );
        assert_eq!(
            parse_date_in("06-09-23", dmy).unwrap(),
            DateSpan::day(d(2023, 9, 6))
        );
        assert_eq!(
            parse_date_in("06/09/2023", Some(DateOrder::Mdy)).unwrap(),
            DateSpan::day(d(2023, 6, 9))
        );
        assert_eq!(
            parse_date_in("23/09/06", Some(DateOrder::Ymd)).unwrap(),
            DateSpan::day(d(2023, 9, 6))
        );
        let e = parse_date_in("16/03/2024", Some(DateOrder::Mdy)).unwrap_err();
        assert!(
            e.contains("(read as month/day/year)") && e.contains("no month 16"),
            "{e}"
        );
        let e = parse_date_in("31/02/2025", Some(DateOrder::Dmy)).unwrap_err();
        assert!(e.contains("not a real date in either"), "{e}");
        assert!(parse_date("06/09/23").unwrap_err().contains("--date-order"));
        assert!(
            parse_date("06/09/2023")
                .unwrap_err()
                .contains("--date-order")
        );
    }

    #[test]
    fn month_names_and_two_digit_years() {
        assert_eq!(
            parse_date("27-Apr-20").unwrap(),
            DateSpan::day(d(2020, 4, 27))
        );
        assert_eq!(
            parse_date("06-Sep-23").unwrap(),
            DateSpan::day(d(2023, 9, 6))
        );
        assert_eq!(
            parse_date("15-Mar-97").unwrap(),
            DateSpan::day(d(1997, 3, 15))
        );
        assert_eq!(
            parse_date("Sep 6, 2023").unwrap(),
            DateSpan::day(d(2023, 9, 6))
        );
        assert_eq!(
            parse_date("6 September 2023").unwrap(),
            DateSpan::day(d(2023, 9, 6))
        );
        assert_eq!(
            parse_date("01-January-2015").unwrap(),
            DateSpan::day(d(2015, 1, 1))
        );
        let m = parse_date("Dec 2025").unwrap();
        assert_eq!((m.start, m.end), (d(2025, 12, 1), d(2025, 12, 31)));
        assert_eq!(date_from_days(0), Some(d(1970, 1, 1)));
        assert_eq!(
            date_from_days(d(2024, 2, 29).days_since_epoch()),
            Some(d(2024, 2, 29))
        );
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
