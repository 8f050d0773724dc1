//! UCDP GED (Uppsala Conflict Data Program, Georeferenced Event Dataset), full and reduced.
//!
//! The full schema gives an event as a date range (`date_start`..`date_end`), a stated
//! location precision (`where_prec` 1-7) and three death estimates (`low`, `best`, `high`);
//! all three are kept rather than collapsed. The reduced variant (the juanr teaching package)
//! keeps only point-precise events (where_prec 1 or 2) and renames a few columns.
//!
//! The estimates are kept exactly as published, even where they are out of order (best above
//! high, or low above best: about 3% of rows in the GED extracts we test against). That is a
//! property of the dataset, not of the file, so it is not reported row by row.

use crate::model::PrecisionClass;

use super::dates::{join_spans, parse_date, span_from_parts};
use super::keys::key;
use super::row::{
    Ctx, Field, Mapped, Problem, Row, blank_record, code, coordinates, join_actors,
    opt_non_negative, stated_precision,
};

pub(crate) const FULL_COLUMNS: &[&str] = &[
    "id",
    "date_start",
    "date_end",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "country",
    "best",
    "high",
    "low",
    "type_of_violence",
    "side_a",
    "side_b",
    "source_office",
];

pub(crate) const REDUCED_COLUMNS: &[&str] = &[
    "id",
    "year",
    "month",
    "day",
    "country",
    "type_of_violence",
    "side_a",
    "side_b",
    "latitude",
    "longitude",
    "low_death",
    "best_death",
    "high_death",
];

/// UCDP's `type_of_violence`: codes 1-3 or their names (any capitalisation) become one
/// lowercase spelling, so full and reduced files group together; other text is kept as given.
fn violence_type(f: Field<'_>) -> String {
    let named = match f.value.to_ascii_lowercase().as_str() {
        "1" | "state-based violence" => Some("state-based violence"),
        "2" | "non-state violence" => Some("non-state violence"),
        "3" | "one-sided violence" => Some("one-sided violence"),
        _ => None,
    };
    named.map_or_else(|| f.value.to_string(), str::to_string)
}

fn day(f: Field<'_>) -> Result<crate::model::DateSpan, Problem> {
    parse_date(f.value).map_err(|e| Problem::at(f, e))
}

pub(crate) fn map_full(row: &mut Row<'_>, ctx: &Ctx<'_>) -> Result<Mapped, Problem> {
    let mut warnings = Vec::new();
    let id = row
        .take_text(key!("id"))
        .unwrap_or_else(|| ctx.generated_id());
    let mut r = Box::new(blank_record(id, ctx.origin()));

    let start = row.take(key!("date_start"));
    let end = row.take(key!("date_end"));
    r.date = match (start, end) {
        (Some(s), Some(e)) => {
            let (a, b) = (day(s)?, day(e)?);
            Some(join_spans(a, b).map_err(|m| Problem::at(e, m))?)
        }
        (Some(s), None) => Some(day(s)?),
        (None, Some(e)) => {
            warnings.push(Problem::column(
                &row.name_of(key!("date_start")),
                "no date_start; date taken from date_end".into(),
            ));
            Some(day(e)?)
        }
        (None, None) => None,
    };

    if let Some(f) = row.take(key!("where_prec")) {
        r.stated_precision = stated_precision(f, &mut warnings)?;
        if r.stated_precision.is_none() {
            // Code 7: keep the raw code so it is not lost.
            row.release(key!("where_prec"));
        }
    }
    r.location = row.take_text(key!("where_coordinates")).map(Into::into);
    r.notes = row.take_text(key!("where_description")).map(Into::into);
    r.admin1 = row.take_text(key!("adm_1")).map(Into::into);
    r.admin2 = row.take_text(key!("adm_2")).map(Into::into);
    let (lat, lon) = (row.take(key!("latitude")), row.take(key!("longitude")));
    (r.latitude, r.longitude) = coordinates(lat, lon, &mut warnings)?;
    r.country = row.take_text(key!("country")).map(Into::into);
    r.fatalities = opt_non_negative(row.take(key!("best")))?;
    r.fatalities_low = opt_non_negative(row.take(key!("low")))?;
    r.fatalities_high = opt_non_negative(row.take(key!("high")))?;
    r.event_type = row
        .take(key!("type_of_violence"))
        .map(|f| super::event_types::stored_event_type(&violence_type(f)));
    let a = row.take_text(key!("side_a"));
    let b = row.take_text(key!("side_b"));
    r.actors = join_actors(&[a, b]).map(Into::into);
    r.source = Some(match row.take(key!("source_office")) {
        Some(f) => format!("UCDP GED; {}", f.value).into(),
        None => "UCDP GED".into(),
    });
    Ok(Mapped {
        record: r,
        warnings,
    })
}

pub(crate) fn map_reduced(row: &mut Row<'_>, ctx: &Ctx<'_>) -> Result<Mapped, Problem> {
    let mut warnings = Vec::new();
    let id = row
        .take_text(key!("id"))
        .unwrap_or_else(|| ctx.generated_id());
    let mut r = Box::new(blank_record(id, ctx.origin()));

    let (y, m, d) = (
        row.take(key!("year")),
        row.take(key!("month")),
        row.take(key!("day")),
    );
    if let Some(yf) = y {
        let part = |f: Option<Field<'_>>| f.map(code).transpose().map(|v| v.unwrap_or(0));
        let (yv, mv, dv) = (code(yf)?, part(m)?, part(d)?);
        r.date =
            Some(span_from_parts(yv, mv, dv).map_err(|e| Problem::at(d.or(m).unwrap_or(yf), e))?);
    }
    r.country = row.take_text(key!("country")).map(Into::into);
    r.event_type = row
        .take(key!("type_of_violence"))
        .map(|f| super::event_types::stored_event_type(&violence_type(f)));
    let a = row.take_text(key!("side_a"));
    let b = row.take_text(key!("side_b"));
    r.actors = join_actors(&[a, b]).map(Into::into);
    let (lat, lon) = (row.take(key!("latitude")), row.take(key!("longitude")));
    (r.latitude, r.longitude) = coordinates(lat, lon, &mut warnings)?;
    r.fatalities = opt_non_negative(row.take(key!("best_death")))?;
    r.fatalities_low = opt_non_negative(row.take(key!("low_death")))?;
    r.fatalities_high = opt_non_negative(row.take(key!("high_death")))?;
    // The subset keeps where_prec 1 and 2 only and does not say which: claim the weaker.
    r.stated_precision = Some(PrecisionClass::Near);
    r.extra.insert(
        "precision_note",
        "reduced UCDP GED subset keeps where_prec 1-2 only; exact and near are not distinguished",
    );
    r.source = Some("UCDP GED (reduced subset)".into());
    Ok(Mapped {
        record: r,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::ingest::{IngestOptions, Ingested, read_bytes, read_path};
    use crate::model::{DatePrecision, PrecisionClass, SourceFormat};

    fn realdata(name: &str) -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata");
        if !dir.exists() {
            println!("skipping: ../shared/realdata not present");
            return None;
        }
        Some(dir.join(name))
    }

    fn check_counts(got: &Ingested, expected_rows: u64) {
        assert_eq!(got.rows_read, expected_rows, "{}", got.file);
        assert_eq!(
            got.records.len() as u64 + got.skipped.len() as u64,
            got.rows_read
        );
        assert_eq!(got.format, SourceFormat::UcdpGed);
        assert!(got.skipped.is_empty(), "{:?}", got.skipped.first());
    }

    #[test]
    fn real_hdx_pakistan_extract() {
        let Some(path) = realdata("ucdp_ged_v22_1_hdx_pak.csv") else {
            return;
        };
        let got = read_path(
            &path,
            &IngestOptions {
                strict: true,
                ..IngestOptions::DEFAULT
            },
        )
        .unwrap();
        check_counts(&got, 6416);
        let first = &got.records[0];
        assert_eq!(&*first.id, "59553");
        assert_eq!(first.provenance.line, 2);
        assert_eq!(first.date.unwrap().as_reported(), "1990-10-04");
        assert_eq!(first.stated_precision, Some(PrecisionClass::Near));
        assert_eq!(
            first.actors.as_deref(),
            Some("Government of India; Government of Pakistan")
        );
        assert_eq!(first.event_type.as_deref(), Some("state-based violence"));
        assert_eq!(
            (
                first.fatalities_low,
                first.fatalities,
                first.fatalities_high
            ),
            (Some(2.0), Some(2.0), Some(2.0))
        );
        assert_eq!(first.extra.get("iso3"), Some("PAK"));
        // Embedded newlines: the last record starts on the last physical line or earlier,
        // and lines strictly increase.
        let last = got.records.last().unwrap();
        assert!(last.provenance.line <= 10_688 && last.provenance.line > 6417);
        assert!(
            got.records
                .windows(2)
                .all(|w| w[0].provenance.line < w[1].provenance.line)
        );
        let multi = got
            .records
            .windows(2)
            .filter(|w| w[1].provenance.line - w[0].provenance.line > 1)
            .count();
        assert!(multi > 0, "some records span several physical lines");
    }

    #[test]
    fn real_ged_23_sample() {
        let Some(path) = realdata("ucdp_ged_v23_1_sample_afg_pak_tjk.csv") else {
            return;
        };
        let got = read_path(
            &path,
            &IngestOptions {
                strict: true,
                ..IngestOptions::DEFAULT
            },
        )
        .unwrap();
        check_counts(&got, 171);
        let first = &got.records[0];
        assert_eq!(&*first.id, "133925");
        let d = first.date.unwrap();
        assert_eq!(
            (d.start.to_string(), d.end.to_string()),
            ("1989-03-18".into(), "1989-03-19".into())
        );
        assert_eq!(d.precision, DatePrecision::Month);
        assert_eq!(first.stated_precision, Some(PrecisionClass::Exact));
        assert_eq!(first.source.as_deref(), Some("UCDP GED"));
        let countries: std::collections::BTreeMap<&str, usize> =
            got.records.iter().fold(Default::default(), |mut m, r| {
                *m.entry(r.country.as_deref().unwrap_or("")).or_default() += 1;
                m
            });
        assert_eq!(countries.get("Afghanistan"), Some(&135));
        assert_eq!(countries.get("Pakistan"), Some(&34));
        assert_eq!(countries.get("Tajikistan"), Some(&2));
    }

    #[test]
    fn real_juanr_reduced() {
        let Some(path) = realdata("ucdp_ged_v21_1_juanr_precise_afg_pak_tjk.csv") else {
            return;
        };
        let got = read_path(
            &path,
            &IngestOptions {
                strict: true,
                ..IngestOptions::DEFAULT
            },
        )
        .unwrap();
        check_counts(&got, 21_055);
        let first = &got.records[0];
        assert_eq!(&*first.id, "132154");
        assert_eq!(first.date.unwrap().as_reported(), "1989-01-01");
        assert_eq!(first.stated_precision, Some(PrecisionClass::Near));
        assert!(first.extra.contains_key("precision_note"));
        assert_eq!(
            first.extra.get("conflict_name"),
            Some("Afghanistan: Government")
        );
        assert_eq!(first.event_type.as_deref(), Some("state-based violence"));
    }

    #[test]
    fn where_prec_7_is_kept_with_a_warning() {
        let csv = "id,date_start,date_end,where_prec,latitude,longitude,best,low,high,type_of_violence,side_a,side_b\n\
                   T1,2020-01-01,2020-01-01,7,10,60,1,1,1,9,Test A,\n";
        let got = read_bytes("ged.csv", csv.as_bytes(), &IngestOptions::default()).unwrap();
        assert_eq!(got.records.len(), 1);
        let r = &got.records[0];
        assert_eq!(r.stated_precision, None);
        assert_eq!(r.extra.get("where_prec"), Some("7"));
        assert_eq!(r.event_type.as_deref(), Some("9"));
        assert_eq!(r.actors.as_deref(), Some("Test A"));
        assert_eq!(got.warnings.len(), 1);
        assert!(
            got.warnings[0]
                .to_string()
                .starts_with("ged.csv:2: column where_prec:"),
            "{}",
            got.warnings[0]
        );
    }

    #[test]
    fn end_before_start_is_skipped() {
        let csv = "id,date_start,date_end,best\nT1,2020-02-01,2020-01-01,1\n";
        let got = read_bytes("ged.csv", csv.as_bytes(), &IngestOptions::default()).unwrap();
        assert_eq!(got.skipped.len(), 1);
        assert!(
            got.skipped[0].reason.contains("before the start"),
            "{}",
            got.skipped[0]
        );
    }
}
