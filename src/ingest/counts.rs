//! Casualty counts as reporters write them: `12`, `at least 4`, `42+`, `>4`, `2-3`,
//! `2 to 3`, `~20`, `about 20`, `c. 20`, `several`, `dozens`, `unknown`.
//!
//! A count never rejects a row. It is read as well as it can be:
//! - `at least 4`, `4+`, `>4`, `over 4`, `more than 4`: low 4, best 4 (the conservative
//!   figure, as ACLED codes it), high unknown;
//! - `2-3`, `2 to 3`, `2–3`: low 2, high 3, best 2 (the lower figure);
//! - `~20`, `about 20`, `around 20`, `approx. 20`, `c. 20`, `some 20`: best 20, approximate;
//! - `none`, `nil`, `no`: 0;
//! - words without a figure (`several`, `dozens`, `many`, `unknown`, `n/a`, `?`) and
//!   anything else: unknown (never 0); a warning unless the word says "unknown".
//!
//! Whatever is not a plain number keeps its text (the caller passes the cell through to
//! `extra` under its column name) and says how it was read: a qualifier (`at_least`, `range`,
//! `approximate`, `unknown`) and, unless it is one of the plain readings above, a warning
//! that points at the cell.

use super::row::{Field, Problem, clip};

/// How a count cell was read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Count {
    pub best: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// `None` for a plain number; otherwise how the text was read.
    pub qualifier: Option<&'static str>,
    /// Said about the cell when part of it could not be read.
    pub warning: Option<Problem>,
}

impl Count {
    fn plain(n: f64) -> Count {
        Count {
            best: Some(n),
            low: None,
            high: None,
            qualifier: None,
            warning: None,
        }
    }

    fn unknown(f: Field<'_>, why: Option<String>) -> Count {
        Count {
            best: None,
            low: None,
            high: None,
            qualifier: Some("unknown"),
            warning: why.map(|w| Problem::at(f, w)),
        }
    }
}

/// Words that say a count is not known.
const UNKNOWN_WORDS: &[&str] = &[
    "unknown",
    "unk",
    "n/a",
    "na",
    "?",
    "-",
    "–",
    "unclear",
    "not known",
    "not reported",
    "unconfirmed",
    "tbc",
    "tbd",
];

/// Words that give a count only vaguely: read as unknown, with a warning (a figure is lost).
const VAGUE_WORDS: &[&str] = &[
    "several", "some", "few", "a few", "many", "dozens", "scores", "hundreds", "numerous",
    "multiple",
];

/// Prefixes meaning "at least".
const AT_LEAST: &[&str] = &[
    "at least",
    "atleast",
    "min.",
    "min",
    "more than",
    "over",
    ">=",
    ">",
];

/// Prefixes meaning "about".
const ABOUT: &[&str] = &[
    "~",
    "about",
    "around",
    "approximately",
    "approx.",
    "approx",
    "c.",
    "ca.",
    "circa",
    "some",
    "roughly",
    "est.",
    "estimated",
];

/// Reads one count cell.
pub(crate) fn read_count(f: Field<'_>) -> Count {
    let raw = f.value.trim();
    // Most cells are plain numbers: no lowercasing for them.
    if let Some(n) = whole(raw) {
        return Count::plain(n);
    }
    let t = raw.to_lowercase();
    let t = t.trim();
    if let Some(n) = whole(t) {
        return Count::plain(n);
    }
    if UNKNOWN_WORDS.contains(&t) {
        return Count::unknown(f, None);
    }
    if VAGUE_WORDS.contains(&t) {
        return Count::unknown(
            f,
            Some(format!(
                "{} is not a number: left unknown, the text is kept",
                clip(raw)
            )),
        );
    }
    if matches!(t, "none" | "nil" | "no" | "zero") {
        return Count {
            qualifier: Some("none"),
            ..Count::plain(0.0)
        };
    }
    if t.starts_with('-')
        && let Some(n) = whole(&t[1..])
        && n > 0.0
    {
        return Count::unknown(
            f,
            Some(format!(
                "{} is negative; a count of people cannot be: left unknown",
                clip(raw)
            )),
        );
    }
    // `4+`, `42+`
    if let Some(n) = t.strip_suffix('+').and_then(|r| whole(r.trim())) {
        return at_least(n);
    }
    for p in AT_LEAST {
        if let Some(rest) = t.strip_prefix(p)
            && let Some(n) = whole(rest.trim())
        {
            return at_least(n);
        }
    }
    for p in ABOUT {
        if let Some(rest) = t.strip_prefix(p)
            && let Some(n) = whole(rest.trim())
        {
            return Count {
                qualifier: Some("approximate"),
                ..Count::plain(n)
            };
        }
    }
    // `2-3`, `2 – 3`, `2 to 3`
    for sep in ["-", "–", "—", " to "] {
        if let Some((a, b)) = t.split_once(sep)
            && let (Some(lo), Some(hi)) = (whole(a.trim()), whole(b.trim()))
        {
            if lo <= hi {
                return Count {
                    best: Some(lo),
                    low: Some(lo),
                    high: Some(hi),
                    qualifier: Some("range"),
                    warning: None,
                };
            }
            return Count::unknown(
                f,
                Some(format!(
                    "{} is a range whose low end is above its high end: left unknown",
                    clip(raw)
                )),
            );
        }
    }
    // A figure followed by words: `12 (incl. 3 children)`, `3 soldiers`.
    let lead: String = t.chars().take_while(char::is_ascii_digit).collect();
    if !lead.is_empty()
        && let Some(n) = whole(&lead)
        && t[lead.len()..].starts_with([' ', '('])
    {
        return Count {
            qualifier: Some("approximate"),
            warning: Some(Problem::at(
                f,
                format!(
                    "{} is not just a number: read as {n}, the text is kept",
                    clip(raw)
                ),
            )),
            ..Count::plain(n)
        };
    }
    Count::unknown(
        f,
        Some(format!(
            "{} is not a number: left unknown, the text is kept",
            clip(raw)
        )),
    )
}

fn at_least(n: f64) -> Count {
    Count {
        best: Some(n),
        low: Some(n),
        high: None,
        qualifier: Some("at_least"),
        warning: None,
    }
}

/// A plain non-negative figure: `12`, `12.0`, `1,200` (thousands separated by commas).
fn whole(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let plain: String;
    let s = if s.contains(',') {
        let mut groups = s.split(',');
        let first = groups.next()?;
        let ok = (1..=3).contains(&first.len())
            && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return None;
        }
        plain = s.replace(',', "");
        &plain
    } else {
        s
    };
    if !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') || s.starts_with('.') {
        return None;
    }
    let n: f64 = super::decimal::plain_decimal(s).or_else(|| s.parse().ok())?;
    (n.is_finite() && n >= 0.0).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(v: &str) -> Count {
        read_count(Field {
            name: "Killed",
            value: v,
        })
    }

    fn lbh(c: &Count) -> (Option<f64>, Option<f64>, Option<f64>) {
        (c.low, c.best, c.high)
    }

    #[test]
    fn the_issue_s_forms() {
        for v in ["at least 4", "4+", ">4", "At least 4", "more than 4"] {
            let c = read(v);
            assert_eq!(lbh(&c), (Some(4.0), Some(4.0), None), "{v}");
            assert_eq!(c.qualifier, Some("at_least"), "{v}");
            assert!(c.warning.is_none(), "{v}");
        }
        assert_eq!(lbh(&read("42+")), (Some(42.0), Some(42.0), None));
        assert_eq!(lbh(&read("100+")), (Some(100.0), Some(100.0), None));
        for v in ["2-3", "2 to 3", "2–3", "2 - 3"] {
            let c = read(v);
            assert_eq!(lbh(&c), (Some(2.0), Some(2.0), Some(3.0)), "{v}");
            assert_eq!(c.qualifier, Some("range"));
        }
        for v in ["~20", "about 20", "c. 20", "approx. 20", "around 20"] {
            let c = read(v);
            assert_eq!(lbh(&c), (None, Some(20.0), None), "{v}");
            assert_eq!(c.qualifier, Some("approximate"), "{v}");
        }
        for v in ["dozens", "several", "unknown", "Unknown", "?"] {
            let c = read(v);
            assert_eq!(lbh(&c), (None, None, None), "{v}");
            assert_eq!(c.qualifier, Some("unknown"), "{v}");
            // A vague figure is lost, so said; "unknown" loses nothing.
            assert_eq!(
                c.warning.is_some(),
                ["dozens", "several"].contains(&v),
                "{v}"
            );
        }
    }

    #[test]
    fn plain_numbers_and_the_rest() {
        assert_eq!(read("12"), Count::plain(12.0));
        assert_eq!(read("12.0"), Count::plain(12.0));
        assert_eq!(read("1,200"), Count::plain(1200.0));
        assert_eq!(read("none").best, Some(0.0));
        let c = read("-2");
        assert_eq!(c.best, None);
        assert!(c.warning.unwrap().reason.contains("negative"));
        let c = read("many people");
        assert_eq!(c.best, None);
        let w = c.warning.unwrap();
        assert_eq!(w.column.as_deref(), Some("Killed"));
        assert!(w.reason.contains("not a number"), "{}", w.reason);
        let c = read("12 (incl. 3 children)");
        assert_eq!(c.best, Some(12.0));
        assert!(c.warning.is_some());
        assert_eq!(read("5-2").best, None);
        assert_eq!(read("1\u{0}").best, None);
        assert_eq!(read("1,2").best, None, "a decimal comma is not a count");
    }
}
