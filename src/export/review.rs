//! `review.csv`: the located records whose place text was not matched as written (see
//! `geocode::review`), one row each, with what was used instead, why, and the candidates.

use super::spreadsheet_safe as safe;
use crate::model::LocatedIncident;
use anyhow::Result;

/// The columns of `review.csv`.
pub const COLUMNS: [&str; 15] = [
    "file",
    "line",
    "id",
    "text_tried",
    "review",
    "placed_as",
    "method",
    "precision",
    "radius_km",
    "lon",
    "lat",
    "why",
    "candidate_1",
    "candidate_2",
    "candidate_3",
];

/// `review.csv`: one row per located record that needs review, in input order. Text cells
/// that a spreadsheet would run as a formula are quoted as in `unmatched.csv`.
pub fn review_csv(located: &[LocatedIncident]) -> Result<String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for l in located {
        let Some(r) = &l.location.review else {
            continue;
        };
        let loc = &l.location;
        let placed_as = loc
            .gazetteer_name
            .as_deref()
            .map_or_else(|| loc.alternatives.join(" | "), str::to_string);
        let candidate = |i: usize| safe(r.candidates.get(i).map_or("", String::as_str));
        w.write_record([
            safe(&l.record.provenance.file),
            l.record.provenance.line.to_string(),
            safe(&l.record.id),
            safe(&r.tried),
            r.kind.as_str().to_string(),
            safe(&placed_as),
            loc.method.as_str().to_string(),
            loc.precision.as_str().to_string(),
            format!("{}", loc.radius_km),
            format!("{:.5}", loc.lon),
            format!("{:.5}", loc.lat),
            safe(&r.why),
            candidate(0),
            candidate(1),
            candidate(2),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
