//! borderwatch's own schema, as CSV columns, JSON keys or GeoJSON properties.
//!
//! Column names are matched case-insensitively after trimming. Everything is optional except
//! that a file needs a `date` column and a place column to be recognised as native; a missing
//! id is generated from the file name and line so every record can be referred to.

use crate::model::DatePrecision;

use super::counts::{Count, read_count};
use super::dates::{parse_date_in, widen};
use super::event_types::normalise_event_type;
use super::keys::{Key, key};
use super::row::{
    Ctx, Mapped, Problem, Row, blank_record, clip, coordinates, number, opt_non_negative,
    stated_precision,
};

/// The native columns. `fatalities_low` and `fatalities_high` are accepted too so that a
/// file written from the model (which has them) reads back without loss.
pub(crate) const COLUMNS: &[&str] = &[
    "id",
    "date",
    "date_precision",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "precision",
    "event_type",
    "actors",
    "fatalities",
    "fatalities_low",
    "fatalities_high",
    "wounded",
    "targets",
    "origin",
    "count",
    "source",
    "source_url",
    "notes",
];

pub(crate) fn map(row: &mut Row<'_>, ctx: &Ctx<'_>) -> Result<Mapped, Problem> {
    let mut warnings = Vec::new();
    let id = row
        .take_text(key!("id"))
        .unwrap_or_else(|| ctx.generated_id());
    let mut r = Box::new(blank_record(id, ctx.origin()));

    if let Some(f) = row.take(key!("date")) {
        r.date = Some(parse_date_in(f.value, ctx.date_order).map_err(|e| Problem::at(f, e))?);
    }
    if let Some(f) = row.take(key!("date_precision")) {
        let stated = match f.value.to_ascii_lowercase().as_str() {
            "day" => DatePrecision::Day,
            "month" => DatePrecision::Month,
            "year" => DatePrecision::Year,
            _ => {
                return Err(Problem::at(
                    f,
                    format!(
                        "{} is not a date precision (use day, month or year)",
                        clip(f.value)
                    ),
                ));
            }
        };
        match r.date {
            // A coarser stated precision means the finer parts are placeholders.
            Some(d) if stated > d.precision => r.date = Some(widen(d, stated)),
            Some(d) if stated < d.precision => warnings.push(Problem::at(
                f,
                format!(
                    "date_precision {} is finer than the date {} gives; kept as {}",
                    stated.as_str(),
                    d.as_reported(),
                    d.precision.as_str()
                ),
            )),
            Some(_) => {}
            None => warnings.push(Problem::at(
                f,
                "date_precision given without a date; ignored".to_string(),
            )),
        }
    }

    r.country = row.take_text(key!("country")).map(Into::into);
    r.admin1 = row.take_text(key!("admin1")).map(Into::into);
    r.admin2 = row.take_text(key!("admin2")).map(Into::into);
    r.location = row.take_text(key!("location")).map(Into::into);
    let (lat, lon) = (row.take(key!("latitude")), row.take(key!("longitude")));
    (r.latitude, r.longitude) = coordinates(lat, lon, &mut warnings)?;
    if let Some(f) = row.take(key!("precision")) {
        r.stated_precision = stated_precision(f, &mut warnings)?;
        if r.stated_precision.is_none() {
            row.release(key!("precision"));
        }
    }
    r.event_type = row
        .take(key!("event_type"))
        .map(|f| normalise_event_type(f.value));
    r.actors = row.take_text(key!("actors")).map(Into::into);
    let killed = casualties(row, key!("fatalities"), &mut warnings, &mut r.extra);
    r.fatalities_low = opt_non_negative(row.take(key!("fatalities_low")))?;
    r.fatalities_high = opt_non_negative(row.take(key!("fatalities_high")))?;
    if let Some(c) = killed {
        r.fatalities = c.best;
        r.fatalities_low = r.fatalities_low.or(c.low);
        r.fatalities_high = r.fatalities_high.or(c.high);
    }
    r.wounded = casualties(row, key!("wounded"), &mut warnings, &mut r.extra).and_then(|c| c.best);
    r.targets = row.take_text(key!("targets")).map(Into::into);
    r.origin = row.take_text(key!("origin")).map(Into::into);
    if let Some(f) = row.take(key!("count")) {
        let n = number(f)?;
        if n <= 0.0 {
            return Err(Problem::at(
                f,
                format!("{} is not a valid count (must be > 0)", clip(f.value)),
            ));
        }
        r.count = n;
    }
    r.source = row.take_text(key!("source")).map(Into::into);
    r.source_url = row.take_text(key!("source_url")).map(Into::into);
    r.notes = row.take_text(key!("notes")).map(Into::into);
    check_estimates(&r, &mut warnings);
    Ok(Mapped {
        record: r,
        warnings,
    })
}

/// Reads a casualty column as reporters write it (see [`read_count`]): never a reason to
/// refuse the row. A cell that is not a plain number stays in `extra` under its column name,
/// and `{key}_qualifier` says how it was read (`at_least`, `range`, `approximate`, `none`,
/// `unknown`).
fn casualties(
    row: &mut Row<'_>,
    key: Key,
    warnings: &mut Vec<Problem>,
    extra: &mut crate::model::Extra,
) -> Option<Count> {
    let f = row.take(key)?;
    let mut c = read_count(f);
    if let Some(q) = c.qualifier {
        row.release(key);
        extra.insert(&format!("{}_qualifier", key.name), q);
    }
    warnings.extend(c.warning.take());
    Some(c)
}

/// Flags low > best or best > high, which usually means columns were shifted or mislabelled.
/// Kept as a warning: the numbers are the source's.
pub(crate) fn check_estimates(r: &crate::model::IncidentRecord, warnings: &mut Vec<Problem>) {
    let (lo, best, hi) = (r.fatalities_low, r.fatalities, r.fatalities_high);
    let bad = matches!((lo, best), (Some(l), Some(b)) if l > b)
        || matches!((best, hi), (Some(b), Some(h)) if b > h)
        || matches!((lo, hi), (Some(l), Some(h)) if l > h);
    if bad {
        warnings.push(Problem::row(format!(
            "fatality estimates out of order (low {}, best {}, high {})",
            show(lo),
            show(best),
            show(hi)
        )));
    }
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "unknown".to_string(), |n| n.to_string())
}
