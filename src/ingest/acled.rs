//! ACLED (Armed Conflict Location & Event Data) exports.
//!
//! ACLED's `sub_event_type` ("Air/drone strike", "Armed clash") is the useful grain for border
//! incidents, so it becomes the event type and the coarser `event_type` is kept in `extra`.
//! `fatalities` is taken as given: in ACLED 0 is a real 0, not "unknown".

use crate::model::{DatePrecision, PrecisionClass};

use super::dates::{parse_date_in, widen};
use super::event_types::normalise_event_type;
use super::keys::key;
use super::row::{
    Ctx, Mapped, Problem, Row, blank_record, clip, code, coordinates, join_actors, opt_non_negative,
};

pub(crate) const COLUMNS: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "notes",
    "source",
];

pub(crate) fn map(row: &mut Row<'_>, ctx: &Ctx<'_>) -> Result<Mapped, Problem> {
    let mut warnings = Vec::new();
    let id = row
        .take_text(key!("event_id_cnty"))
        .unwrap_or_else(|| ctx.generated_id());
    let mut r = Box::new(blank_record(id, ctx.origin()));

    if let Some(f) = row.take(key!("event_date")) {
        let mut span = parse_date_in(f.value, ctx.date_order).map_err(|e| Problem::at(f, e))?;
        // ACLED time_precision 3: only the month is known and the day is a placeholder.
        // The column itself stays in `extra`.
        if let Some(tp) = row.peek(key!("time_precision"))
            && code(tp).ok() == Some(3)
        {
            span = widen(span, DatePrecision::Month);
        }
        r.date = Some(span);
    }

    r.event_type = match row.take(key!("sub_event_type")) {
        Some(f) => Some(normalise_event_type(f.value)),
        None => row
            .take(key!("event_type"))
            .map(|f| normalise_event_type(f.value)),
    };
    let a1 = row.take_text(key!("actor1"));
    let a2 = row.take_text(key!("actor2"));
    r.actors = join_actors(&[a1, a2]).map(Into::into);
    r.country = row.take_text(key!("country")).map(Into::into);
    r.admin1 = row.take_text(key!("admin1")).map(Into::into);
    r.admin2 = row.take_text(key!("admin2")).map(Into::into);
    r.location = row.take_text(key!("location")).map(Into::into);
    let (lat, lon) = (row.take(key!("latitude")), row.take(key!("longitude")));
    (r.latitude, r.longitude) = coordinates(lat, lon, &mut warnings)?;
    if let Some(f) = row.take(key!("geo_precision")) {
        r.stated_precision = Some(match code(f) {
            Ok(1) => PrecisionClass::Exact,
            Ok(2) => PrecisionClass::Near,
            Ok(3) => PrecisionClass::Province,
            _ => {
                return Err(Problem::at(
                    f,
                    format!(
                        "{} is not an ACLED geo_precision (1, 2 or 3)",
                        clip(f.value)
                    ),
                ));
            }
        });
    }
    r.fatalities = opt_non_negative(row.take(key!("fatalities")))?;
    r.notes = row.take_text(key!("notes")).map(Into::into);
    r.source = row.take_text(key!("source")).map(Into::into);
    Ok(Mapped {
        record: r,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::ingest::{IngestOptions, read_path};
    use crate::model::{PrecisionClass, SourceFormat};

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ingest")
            .join(name)
    }

    #[test]
    fn acled_fixture() {
        let got = read_path(&fixture("acled_synthetic.csv"), &IngestOptions::default()).unwrap();
        assert_eq!(got.format, SourceFormat::Acled);
        assert_eq!(got.rows_read, 4);
        assert_eq!(got.records.len() + got.skipped.len(), 4);
        assert_eq!(got.skipped.len(), 1, "{:?}", got.skipped);
        assert_eq!(got.skipped[0].column.as_deref(), Some("geo_precision"));

        let a = &got.records[0];
        assert_eq!(&*a.id, "TEST1");
        assert_eq!(a.date.unwrap().as_reported(), "2025-11-26");
        assert_eq!(
            a.event_type.as_deref(),
            Some("armed_clash"),
            "known vocabulary is normalised"
        );
        assert_eq!(a.extra.get("event_type"), Some("Battles"));
        assert_eq!(a.extra.get("admin3"), Some("Test Admin3"));
        assert_eq!(a.actors.as_deref(), Some("Test Actor A; Test Actor B"));
        assert_eq!(a.stated_precision, Some(PrecisionClass::Exact));
        assert_eq!(a.fatalities, Some(0.0));
        assert_eq!(a.provenance.line, 2);

        let b = &got.records[1];
        assert_eq!(b.date.unwrap().as_reported(), "2025-11-27");
        assert_eq!(b.actors.as_deref(), Some("Test Actor A"));
        assert_eq!(b.stated_precision, Some(PrecisionClass::Province));
        assert_eq!(b.event_type.as_deref(), Some("drone_strike"));

        let c = &got.records[2];
        assert_eq!(
            c.date.unwrap().as_reported(),
            "2025-10",
            "time_precision 3 widens to the month"
        );
        assert_eq!(c.fatalities, None);
        assert_eq!(c.event_type.as_deref(), Some("Explosions/Remote violence"));
    }
}
