//! The incident point layer and the unmatched report.
//!
//! Every feature carries the same properties with a stable JSON type (unknown = null), full
//! `date_start` / `date_end` plus `date_precision` rather than partial dates, and a feature
//! `id` member: what GDAL (and so QGIS) needs to type fields correctly. Border-zone locations
//! are written as the midpoint of their stretch, with the stretch in `stretch_border`,
//! `stretch_km_from` and `stretch_km_to`.

use super::{round6, spreadsheet_safe};
use crate::model::{LocatedIncident, Unmatched};
use anyhow::Result;
use serde_json::{Map, Value, json};

fn opt_num(v: Option<f64>) -> Value {
    v.map(Value::from).unwrap_or(Value::Null)
}

fn opt_str(v: &Option<String>) -> Value {
    v.as_ref()
        .map(|s| Value::from(s.as_str()))
        .unwrap_or(Value::Null)
}

/// Properties of one located incident, in a fixed order.
pub fn properties(l: &LocatedIncident) -> Map<String, Value> {
    let r = &l.record;
    let loc = &l.location;
    let mut p = Map::new();
    p.insert("incident_id".into(), json!(r.id));
    p.insert(
        "date_start".into(),
        r.date
            .map(|d| json!(d.start.to_string()))
            .unwrap_or(Value::Null),
    );
    p.insert(
        "date_end".into(),
        r.date
            .map(|d| json!(d.end.to_string()))
            .unwrap_or(Value::Null),
    );
    p.insert(
        "date_precision".into(),
        r.date
            .map(|d| json!(d.precision.as_str()))
            .unwrap_or(Value::Null),
    );
    p.insert("country".into(), opt_str(&r.country));
    p.insert("admin1".into(), opt_str(&r.admin1));
    p.insert("admin2".into(), opt_str(&r.admin2));
    p.insert("location".into(), opt_str(&r.location));
    p.insert("event_type".into(), opt_str(&r.event_type));
    p.insert("actors".into(), opt_str(&r.actors));
    p.insert("fatalities".into(), opt_num(r.fatalities));
    p.insert("fatalities_low".into(), opt_num(r.fatalities_low));
    p.insert("fatalities_high".into(), opt_num(r.fatalities_high));
    p.insert("wounded".into(), opt_num(r.wounded));
    p.insert("targets".into(), opt_str(&r.targets));
    p.insert("origin".into(), opt_str(&r.origin));
    p.insert("count".into(), json!(r.count));
    p.insert("source".into(), opt_str(&r.source));
    p.insert("source_url".into(), opt_str(&r.source_url));
    p.insert("notes".into(), opt_str(&r.notes));
    p.insert("source_format".into(), json!(r.provenance.format.as_str()));
    p.insert("source_file".into(), json!(r.provenance.file));
    p.insert("source_line".into(), json!(r.provenance.line));
    p.insert("gazetteer_id".into(), opt_str(&loc.gazetteer_id));
    p.insert("gazetteer_name".into(), opt_str(&loc.gazetteer_name));
    p.insert("locate_method".into(), json!(loc.method.as_str()));
    p.insert(
        "match_score".into(),
        json!((loc.score * 1000.0).round() / 1000.0),
    );
    p.insert("precision".into(), json!(loc.precision.as_str()));
    p.insert(
        "ucdp_where_prec".into(),
        json!(loc.precision.ucdp_where_prec()),
    );
    p.insert(
        "acled_geo_precision".into(),
        json!(loc.precision.acled_geo_precision()),
    );
    p.insert("uncertainty_km".into(), json!(loc.radius_km));
    p.insert(
        "stretch_border".into(),
        loc.stretch
            .as_ref()
            .map(|s| json!(s.border_id))
            .unwrap_or(Value::Null),
    );
    p.insert(
        "stretch_km_from".into(),
        loc.stretch
            .as_ref()
            .map(|s| json!(s.km_from))
            .unwrap_or(Value::Null),
    );
    p.insert(
        "stretch_km_to".into(),
        loc.stretch
            .as_ref()
            .map(|s| json!(s.km_to))
            .unwrap_or(Value::Null),
    );
    p.insert("ambiguous".into(), json!(loc.ambiguous));
    p.insert(
        "alternatives".into(),
        if loc.alternatives.is_empty() {
            Value::Null
        } else {
            json!(loc.alternatives.join("; "))
        },
    );
    p.insert("explanation".into(), json!(loc.explanation));
    p.insert(
        "possible_duplicates".into(),
        if l.possible_duplicates.is_empty() {
            Value::Null
        } else {
            json!(l.possible_duplicates.join("; "))
        },
    );
    // Extra columns vary between files, so they travel as one JSON-encoded string field.
    p.insert(
        "extra".into(),
        if r.extra.is_empty() {
            Value::Null
        } else {
            json!(serde_json::to_string(&r.extra).unwrap_or_default())
        },
    );
    p
}

/// The located incidents as an RFC 7946 FeatureCollection, one feature per line.
pub fn geojson(located: &[LocatedIncident], attribution: &str) -> Result<String> {
    let mut s = String::new();
    s.push_str("{\"type\":\"FeatureCollection\",\"name\":\"incidents\",");
    s.push_str(&format!(
        "\"attribution\":{},\"features\":[\n",
        serde_json::to_string(attribution)?
    ));
    for (i, l) in located.iter().enumerate() {
        let f = json!({
            "type": "Feature",
            "id": i + 1,
            "geometry": {"type": "Point", "coordinates": [round6(l.location.lon), round6(l.location.lat)]},
            "properties": Value::Object(properties(l)),
        });
        s.push_str(&serde_json::to_string(&f)?);
        s.push_str(if i + 1 < located.len() { ",\n" } else { "\n" });
    }
    s.push_str("]}\n");
    Ok(s)
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
