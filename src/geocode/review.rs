//! The review list: every located record whose place text was not matched as written — placed
//! at its district, province or country instead, matched to a close spelling, or ambiguous —
//! with what was used instead, why, and up to three candidates (the export writes them as
//! `review.csv` beside `unmatched.csv`), so nothing is hidden in a fallback.

use crate::model::{LocatedIncident, ReviewKind};
use std::collections::BTreeMap;

pub use crate::model::Review;

/// Located records that need review, by kind, in a stable order (for the summary line).
pub fn counts(located: &[LocatedIncident]) -> BTreeMap<ReviewKind, usize> {
    let mut m = BTreeMap::new();
    for l in located {
        if let Some(r) = &l.location.review {
            *m.entry(r.kind).or_insert(0) += 1;
        }
    }
    m
}

/// The summary's words for one kind: "6 placed at their province only".
pub fn describe_count(kind: ReviewKind, n: usize) -> String {
    let what = match kind {
        ReviewKind::District => "placed at their district only",
        ReviewKind::Province => "placed at their province only",
        ReviewKind::Country => "placed at their country only",
        ReviewKind::Fuzzy => "matched to a close spelling",
        ReviewKind::Ambiguous => "ambiguous (a circle covering the namesakes)",
    };
    format!("{n} {what}")
}

/// One line for the summary: "to review (review.csv): 6 placed at their province only, …",
/// or `None` when every place text matched as written.
pub fn summary_line(located: &[LocatedIncident], file_name: &str) -> Option<String> {
    summary_line_of(&counts(located), file_name)
}

/// [`summary_line`] from the [`counts`] already made.
pub fn summary_line_of(c: &BTreeMap<ReviewKind, usize>, file_name: &str) -> Option<String> {
    if c.is_empty() {
        return None;
    }
    let parts: Vec<String> = c.iter().map(|(k, n)| describe_count(*k, *n)).collect();
    Some(format!("{}: see {file_name}", parts.join(", ")))
}
