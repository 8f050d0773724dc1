//! The incident point layer and the unmatched report.
//!
//! Every feature carries the same properties, typed by the schema ([`super::schema`]:
//! unknown = null, the input's own columns as fields of their own after the schema's), full
//! `date_start` / `date_end` plus `date_precision` rather than partial dates, and a feature
//! `id` member: what GDAL (and so QGIS) needs to type fields correctly. Border-zone locations
//! are written as the midpoint of their stretch, with the stretch in `stretch_border`,
//! `stretch_km_from` and `stretch_km_to`.

use super::features::{Cell, FeatureWriter, RowFn, write_collection_head};
use super::schema::{self, Field, FieldType, UserColumns};
use super::spreadsheet_safe;
use crate::model::{LocatedIncident, Unmatched};
use anyhow::Result;
use std::borrow::Cow;
use std::io::Write;

/// The fields of an incident layer: the schema's ([`schema::INCIDENT`], then
/// [`schema::PLACEMENT`] when `placement`), then the user's own columns.
pub(crate) fn fields(user: &UserColumns, placement: bool) -> Vec<Field> {
    let layer = if placement {
        "incidents"
    } else {
        "incidents (geocode)"
    };
    let mut f = schema::fields(layer);
    f.extend(user.fields().cloned());
    f
}

/// The user's columns of these incidents, named clear of the layer's schema.
pub(crate) fn user_columns(located: &[LocatedIncident]) -> UserColumns {
    use rayon::prelude::*;
    UserColumns::of(
        located.par_iter().map(|l| &l.record.extra),
        &schema::fields("incidents"),
    )
}

/// The names of the fields typed Date (GDAL is meant to read them as dates; other text is
/// kept text).
pub(crate) fn date_fields(fields: &[Field]) -> Vec<&str> {
    fields
        .iter()
        .filter(|f| f.ty == FieldType::Date)
        .map(|f| f.name.as_ref())
        .collect()
}

/// The values of the user's columns for one incident, typed as `user` says (an empty or
/// absent cell is null).
///
/// The user's columns and an incident's cells are both in name order, so they are matched
/// in one pass: looked up one by one, a UCDP export's 35 columns were a sixth of `run`'s
/// CPU on 500,000 of its rows (each incident's cells are read for both layers and the
/// date-like check).
pub(crate) fn user_cells<'a>(l: &'a LocatedIncident, user: &UserColumns, out: &mut Vec<Cell<'a>>) {
    debug_assert!(user.columns.windows(2).all(|w| w[0].0 < w[1].0));
    let mut cells = l.record.extra.iter().peekable();
    for (key, f) in &user.columns {
        let key = key.as_str();
        // One comparison of the names a step (most cells are the next column's).
        let mut v = None;
        while let Some(&(name, value)) = cells.peek() {
            match name.cmp(key) {
                std::cmp::Ordering::Greater => break,
                std::cmp::Ordering::Less => {
                    cells.next();
                }
                std::cmp::Ordering::Equal => {
                    cells.next();
                    v = Some(value.trim()).filter(|v| !v.is_empty());
                    break;
                }
            }
        }
        out.push(match (v, f.ty) {
            (None, _) => Cell::Null,
            (Some(v), FieldType::Integer | FieldType::Integer64) => {
                v.parse().map_or(Cell::Null, Cell::Int)
            }
            (Some(v), FieldType::Real) => v.parse().map_or(Cell::Null, Cell::Real),
            (Some(v), _) => Cell::Text(Cow::Borrowed(v)),
        });
    }
}

/// The values of [`schema::INCIDENT`] for one incident of `all`, appended to `out`.
pub(crate) fn cells<'a>(
    l: &'a LocatedIncident,
    all: &'a [LocatedIncident],
    out: &mut Vec<Cell<'a>>,
) {
    let r = &l.record;
    let loc = &l.location;
    let date = |f: fn(&crate::model::DateSpan) -> crate::model::Date| {
        r.date.as_ref().map_or(Cell::Null, |d| Cell::Date(f(d)))
    };
    let stretch = loc.stretch.as_ref();
    let admin = loc.admin.as_deref();
    crate::export::features::push_cells!(out;
        Cell::Text(Cow::Borrowed(&r.id)),
        date(|d| d.start),
        date(|d| d.end),
        r.date.map_or(Cell::Null, |d| {
            Cell::Text(Cow::Borrowed(d.precision.as_str()))
        }),
        Cell::text(&r.country),
        Cell::text(&r.admin1),
        Cell::text(&r.admin2),
        Cell::text(&r.location),
        Cell::text(&r.event_type),
        Cell::text(&r.actors),
        Cell::real(r.fatalities),
        Cell::real(r.fatalities_low),
        Cell::real(r.fatalities_high),
        Cell::real(r.wounded),
        Cell::text(&r.targets),
        Cell::text(&r.origin),
        Cell::Real(r.count),
        Cell::text(&r.source),
        Cell::text(&r.source_url),
        Cell::text(&r.notes),
        Cell::Text(Cow::Borrowed(r.provenance.format.as_str())),
        Cell::Text(Cow::Borrowed(&r.provenance.file)),
        Cell::Int(i64::try_from(r.provenance.line).unwrap_or(i64::MAX)),
        Cell::text(&loc.gazetteer_id),
        Cell::text(&loc.gazetteer_name),
        admin.map_or(Cell::Null, |a| Cell::text(&a.province_id)),
        admin.map_or(Cell::Null, |a| Cell::text(&a.province)),
        admin.map_or(Cell::Null, |a| Cell::text(&a.district_id)),
        admin.map_or(Cell::Null, |a| Cell::text(&a.district)),
        Cell::Text(Cow::Borrowed(loc.method.as_str())),
        Cell::Real((loc.score * 1000.0).round() / 1000.0),
        Cell::Text(Cow::Borrowed(loc.precision.as_str())),
        Cell::Int(loc.precision.ucdp_where_prec().into()),
        Cell::Int(loc.precision.acled_geo_precision().into()),
        Cell::Real(loc.radius_km),
        stretch.map_or(Cell::Null, |s| Cell::Text(Cow::Borrowed(&s.border_id))),
        stretch.map_or(Cell::Null, |s| Cell::Real(s.km_from)),
        stretch.map_or(Cell::Null, |s| Cell::Real(s.km_to)),
        Cell::Bool(loc.ambiguous),
        Cell::list(&loc.alternatives),
        Cell::Text(Cow::Borrowed(&loc.explanation)),
        Cell::ids(&l.possible_duplicates, all),
    );
}

/// The located incidents as an RFC 7946 FeatureCollection, one feature per line.
/// `located` must be the whole list their `possible_duplicates` positions refer to.
pub fn write_geojson<W: Write + Send + ?Sized>(
    w: &mut W,
    located: &[LocatedIncident],
    attribution: &str,
) -> Result<()> {
    let user = user_columns(located);
    let fields = fields(&user, false);
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_ref()).collect();
    let row: &RowFn<LocatedIncident> = &|l, out| {
        cells(l, located, out);
        user_cells(l, &user, out);
        (l.location.lon, l.location.lat)
    };
    let mut features = FeatureWriter::new(&names, row);
    let marked = features.mark_date_like(&date_fields(&fields), located);
    let attribution = serde_json::Value::from(attribution);
    write_collection_head(w, "incidents", &[("attribution", &attribution)], &marked)?;
    features.write(w, located, None)?;
    w.write_all(b"]}\n")?;
    Ok(())
}

/// [`write_geojson`] into a string.
pub fn geojson(located: &[LocatedIncident], attribution: &str) -> Result<String> {
    let mut v = Vec::new();
    write_geojson(&mut v, located, attribution)?;
    Ok(String::from_utf8(v)?)
}

/// The unmatched report as CSV: file, line, id, what was tried, why, suggestions.
pub fn unmatched_csv(rows: &[Unmatched]) -> Result<String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(["file", "line", "id", "tried", "reason", "suggestions"])?;
    for u in rows {
        w.write_record([
            spreadsheet_safe(&u.file),
            u.line.to_string(),
            spreadsheet_safe(u.id.as_deref().unwrap_or("")),
            spreadsheet_safe(&u.tried),
            spreadsheet_safe(&u.reason),
            spreadsheet_safe(&u.suggestions.join("; ")),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
