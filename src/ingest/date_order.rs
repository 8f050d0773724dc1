//! Day-first or month-first: decided per date column from its values.
//!
//! `16/03/2024` can only be day-first and `03/16/2024` only month-first; `06/09/2023` could
//! be either. A column is read in the order its values show (a first part over 12 settles it
//! day-first, a second part over 12 month-first). A column with only ambiguous values, or
//! with values of both kinds, is reported, and its ambiguous values are refused unless
//! `--date-order dmy|mdy|ymd` says how to read them. `--date-order` always wins.
//!
//! CSV files are streamed, so their column is judged on the first chunk of rows (16,384
//! rows); spreadsheets and JSON on every row.

use super::dates::{DateOrder, numeric_parts};
use super::header::Header;

/// What a column's numeric dates say about their order.
#[derive(Debug, Default)]
pub(crate) struct Votes {
    /// Values only day-first can read, with the first of them.
    dmy: u64,
    dmy_example: Option<String>,
    mdy: u64,
    mdy_example: Option<String>,
    /// Values both orders read, as different dates.
    ambiguous: u64,
    ambiguous_example: Option<String>,
    /// Numeric dates with a two-digit year in any place (`06/09/23`).
    short_year: u64,
}

impl Votes {
    pub(crate) fn add(&mut self, value: &str) {
        let v = value.trim();
        let core = v.split(' ').next().unwrap_or(v);
        let Some((parts, _)) = numeric_parts(core) else {
            return;
        };
        let a: u32 = parts[0].parse().unwrap_or(0);
        let b: u32 = parts[1].parse().unwrap_or(0);
        if parts[2].len() <= 2 {
            self.short_year += 1;
        }
        let keep = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(v.to_string());
            }
        };
        if a > 12 && b <= 12 {
            self.dmy += 1;
            keep(&mut self.dmy_example);
        } else if b > 12 && a <= 12 {
            self.mdy += 1;
            keep(&mut self.mdy_example);
        } else if a <= 12 && b <= 12 && a != b {
            self.ambiguous += 1;
            keep(&mut self.ambiguous_example);
        }
    }
}

/// Sets `header.date_order` from the votes (or `given`); returns a note for the user and a
/// warning when the column does not settle the order.
pub(crate) fn settle(
    header: &mut Header,
    column: &str,
    votes: &Votes,
    given: Option<DateOrder>,
) -> (Option<String>, Option<String>) {
    if let Some(o) = given {
        header.date_order = Some(o);
        let against = match o {
            DateOrder::Dmy => votes.mdy_example.as_deref(),
            DateOrder::Mdy => votes.dmy_example.as_deref(),
            DateOrder::Ymd => None,
        };
        let warning = against.map(|v| {
            format!(
                "column {column}: --date-order says {} but {v} cannot be read so; such values are refused",
                o.as_str()
            )
        });
        return (
            Some(format!(
                "column {column}: numeric dates read as {} (--date-order)",
                o.as_str()
            )),
            warning,
        );
    }
    match (&votes.dmy_example, &votes.mdy_example) {
        (Some(d), None) => {
            header.date_order = Some(DateOrder::Dmy);
            (
                Some(format!(
                    "column {column}: numeric dates read as day/month/year ({d} has a first part over 12)"
                )),
                None,
            )
        }
        (None, Some(m)) => {
            header.date_order = Some(DateOrder::Mdy);
            (
                Some(format!(
                    "column {column}: numeric dates read as month/day/year ({m} has a second part over 12)"
                )),
                None,
            )
        }
        (Some(d), Some(m)) => (
            None,
            Some(format!(
                "column {column} mixes day-first dates ({d}, {} of them) and month-first dates ({m}, {}); \
                 its numeric dates are refused: give --date-order dmy or mdy",
                votes.dmy, votes.mdy
            )),
        ),
        (None, None) => {
            let warning = votes.ambiguous_example.as_ref().map(|a| {
                format!(
                    "column {column}: {} dates such as {a} could be day-first or month-first and no value settles it; \
                     they are refused: give --date-order dmy or mdy",
                    votes.ambiguous
                )
            });
            let warning = warning.or_else(|| {
                (votes.short_year > 0).then(|| {
                    format!(
                        "column {column}: numeric dates with a two-digit year need their order: give --date-order dmy, mdy or ymd"
                    )
                })
            });
            (None, warning)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn votes(values: &[&str]) -> Votes {
        let mut v = Votes::default();
        for x in values {
            v.add(x);
        }
        v
    }

    fn header() -> Header {
        Header {
            schema: super::super::formats::Schema::Native,
            names: vec!["Date".into()],
            keys: vec!["date".into()],
            index: None,
            name_order: None,
            date_order: None,
            taken: None,
        }
    }

    #[test]
    fn a_first_part_over_12_settles_day_first() {
        let mut h = header();
        let (note, warning) = settle(
            &mut h,
            "Date",
            &votes(&["06/09/2023", "16/03/2024", "2024-01-02", "Dec 2025"]),
            None,
        );
        assert_eq!(h.date_order, Some(DateOrder::Dmy));
        assert!(note.unwrap().contains("16/03/2024"));
        assert!(warning.is_none());
        let mut h = header();
        settle(&mut h, "Date", &votes(&["09/06/2023", "03/16/2024"]), None);
        assert_eq!(h.date_order, Some(DateOrder::Mdy));
    }

    #[test]
    fn ambiguous_and_mixed_columns_are_reported() {
        let mut h = header();
        let (_, w) = settle(&mut h, "Date", &votes(&["06/09/2023", "05/04/2024"]), None);
        assert_eq!(h.date_order, None);
        assert!(w.unwrap().contains("--date-order"));
        let mut h = header();
        let (_, w) = settle(&mut h, "Date", &votes(&["16/09/2023", "05/14/2024"]), None);
        assert_eq!(h.date_order, None);
        assert!(w.unwrap().contains("mixes"));
        let mut h = header();
        let (n, w) = settle(
            &mut h,
            "Date",
            &votes(&["06/09/2023"]),
            Some(DateOrder::Mdy),
        );
        assert_eq!(h.date_order, Some(DateOrder::Mdy));
        assert!(n.unwrap().contains("--date-order"));
        assert!(w.is_none());
        let mut h = header();
        let (_, w) = settle(&mut h, "Date", &votes(&["07/07/2023", "2024-01-01"]), None);
        assert!(w.is_none() && h.date_order.is_none(), "nothing to settle");
    }
}
