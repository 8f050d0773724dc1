//! Global Terrorism Database (GTD) exports.
//!
//! GTD writes the date as three numbers where 0 means "not known" (`imonth` 0: only the year;
//! `iday` 0: only the month), so the date precision comes from which parts are present.
//! Besides the columns the brief names, `summary` becomes `notes` and `targtype1_txt`
//! becomes `targets`, since those are the GTD columns that carry exactly that content.

use crate::model::PrecisionClass;

use super::dates::span_from_parts;
use super::event_types::normalise_event_type;
use super::keys::{Key, key};
use super::row::{
    Ctx, Field, Mapped, Problem, Row, blank_record, clip, code, coordinates, non_negative,
};

pub(crate) const COLUMNS: &[&str] = &[
    "eventid",
    "iyear",
    "imonth",
    "iday",
    "country_txt",
    "provstate",
    "city",
    "latitude",
    "longitude",
    "specificity",
    "nkill",
    "nwound",
    "attacktype1_txt",
    "gname",
    "summary",
    "targtype1_txt",
];

pub(crate) fn map(row: &mut Row<'_>, ctx: &Ctx<'_>) -> Result<Mapped, Problem> {
    let mut warnings = Vec::new();
    let id = row
        .take_text(key!("eventid"))
        .unwrap_or_else(|| ctx.generated_id());
    let mut r = Box::new(blank_record(id, ctx.origin()));

    let year = row.take(key!("iyear"));
    let month = row.take(key!("imonth"));
    let day = row.take(key!("iday"));
    if let Some(y) = year {
        let part = |f: Option<Field<'_>>| f.map(code).transpose().map(|v| v.unwrap_or(0));
        let (yv, mv, dv) = (code(y)?, part(month)?, part(day)?);
        r.date = Some(span_from_parts(yv, mv, dv).map_err(|e| match (month, day) {
            (Some(f), _) if !(0..=12).contains(&mv) => Problem::at(f, e),
            (_, Some(f)) if dv != 0 => Problem::at(f, e),
            _ => Problem::at(y, e),
        })?);
    } else if month.is_some() || day.is_some() {
        warnings.push(Problem::column(
            "iyear",
            "month or day given without a year; date left unknown".to_string(),
        ));
        row.release(key!("imonth"));
        row.release(key!("iday"));
    }

    r.country = row.take_text(key!("country_txt")).map(Into::into);
    r.admin1 = row.take_text(key!("provstate")).map(Into::into);
    r.location = row.take_text(key!("city")).map(Into::into);
    let (lat, lon) = (row.take(key!("latitude")), row.take(key!("longitude")));
    (r.latitude, r.longitude) = coordinates(lat, lon, &mut warnings)?;
    if let Some(f) = row.take(key!("specificity")) {
        r.stated_precision = Some(match code(f) {
            Ok(1) => PrecisionClass::Exact,
            Ok(2) => PrecisionClass::Near,
            Ok(3) => PrecisionClass::District,
            Ok(4) => PrecisionClass::Province,
            Ok(5) => PrecisionClass::Country,
            _ => {
                return Err(Problem::at(
                    f,
                    format!("{} is not a GTD specificity (1 to 5)", clip(f.value)),
                ));
            }
        });
    }
    r.fatalities = gtd_count(row, key!("nkill"), &mut warnings)?;
    r.wounded = gtd_count(row, key!("nwound"), &mut warnings)?;
    r.event_type = row
        .take(key!("attacktype1_txt"))
        .map(|f| normalise_event_type(f.value));
    r.actors = row.take_text(key!("gname")).map(Into::into);
    r.notes = row.take_text(key!("summary")).map(Into::into);
    r.targets = row.take_text(key!("targtype1_txt")).map(Into::into);
    r.source = Some("GTD".into());
    Ok(Mapped {
        record: r,
        warnings,
    })
}

/// A GTD casualty count: blank is unknown; -99 and -9 are GTD's codes for unknown and become
/// `None` with a warning, so they are never read as numbers of people.
fn gtd_count(
    row: &mut Row<'_>,
    key: Key,
    warnings: &mut Vec<Problem>,
) -> Result<Option<f64>, Problem> {
    let Some(f) = row.take(key) else {
        return Ok(None);
    };
    if matches!(f.value, "-99" | "-9" | "-99.0" | "-9.0") {
        warnings.push(Problem::at(
            f,
            format!("{} is the GTD code for unknown; left unknown", f.value),
        ));
        return Ok(None);
    }
    non_negative(f).map(Some)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::ingest::{IngestOptions, read_path};
    use crate::model::{DatePrecision, PrecisionClass, SourceFormat};

    #[test]
    fn gtd_fixture() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ingest/gtd_synthetic.csv");
        let got = read_path(&path, &IngestOptions::default()).unwrap();
        assert_eq!(got.format, SourceFormat::Gtd);
        assert_eq!(got.rows_read, 5);
        assert_eq!(got.records.len() + got.skipped.len(), 5);
        assert_eq!(got.skipped.len(), 1);
        assert_eq!(got.skipped[0].line, 5);
        assert_eq!(got.skipped[0].column.as_deref(), Some("iday"));
        assert!(
            got.skipped[0].reason.contains("February 2015 has 28 days"),
            "{}",
            got.skipped[0]
        );

        let a = &got.records[0];
        assert_eq!(&*a.id, "TEST1");
        assert_eq!(a.date.unwrap().as_reported(), "2015-03-04");
        assert_eq!(a.stated_precision, Some(PrecisionClass::Exact));
        assert_eq!((a.fatalities, a.wounded), (Some(2.0), None));
        assert_eq!(a.event_type.as_deref(), Some("Armed Assault"));
        assert_eq!(a.actors.as_deref(), Some("Test Group"));
        assert_eq!(a.location.as_deref(), Some("Testville"));
        assert_eq!(a.admin1.as_deref(), Some("Test Province"));
        assert_eq!(a.country.as_deref(), Some("Testland"));
        assert_eq!(a.extra.get("region_txt"), Some("Test Region"));

        let b = &got.records[1];
        assert_eq!(b.date.unwrap().precision, DatePrecision::Month);
        assert_eq!(b.stated_precision, Some(PrecisionClass::District));
        assert_eq!((b.fatalities, b.wounded), (None, Some(1.0)));

        let c = &got.records[2];
        assert_eq!(c.date.unwrap().precision, DatePrecision::Year);
        assert_eq!(c.stated_precision, Some(PrecisionClass::Country));
        assert_eq!((c.latitude, c.longitude), (None, None));
        assert_eq!(c.fatalities, Some(0.0));

        let e = &got.records[3];
        assert_eq!(&*e.id, "TEST5");
        assert_eq!(e.fatalities, None);
        assert!(
            got.warnings
                .iter()
                .any(|w| w.line == 6 && w.reason.contains("GTD code for unknown"))
        );
    }
}
