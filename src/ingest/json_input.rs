//! JSON and GeoJSON input.
//!
//! Accepted shapes: an array of objects (native keys, or the keys of a dataset format such
//! as ACLED's), an object whose `data` member is such an array (ACLED's API wraps results that
//! way), a GeoJSON FeatureCollection of Point features, or a single Feature. Each object is
//! turned into the same row form as a CSV row, so every importer works unchanged.
//!
//! JSON has no useful line numbers once parsed, so rows are numbered by their 1-based index
//! and every message names it ("item 3", "feature 3").
//!
//! Features are read one by one rather than with the `geojson` crate's collection parser,
//! because that rejects a whole collection for one bad feature; here a bad feature is skipped
//! with its reason and the rest are kept.

use std::borrow::Cow;
use std::io::{BufReader, Read};

use serde_json::{Map, Value};

use super::formats::Schema;
use super::header::Header;
use super::row::{Problem, clip, normalise_key};
use super::{IngestError, IngestOptions, Ingested};

pub(crate) fn read<S: Read>(
    stream: S,
    opts: &IngestOptions,
    out: &mut Ingested,
) -> Result<(), IngestError> {
    let value: Value = serde_json::from_reader(BufReader::new(stream)).map_err(|e| {
        if e.is_io() {
            IngestError::Unreadable {
                file: out.file.clone(),
                source: std::io::Error::other(e.to_string()),
            }
        } else {
            // serde_json's message ends with its own " at line L column C", which the
            // error's file:line:column prefix already says.
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            IngestError::BadJson {
                file: out.file.clone(),
                line: e.line() as u64,
                column: e.column() as u64,
                message: full.strip_suffix(&suffix).unwrap_or(&full).to_string(),
            }
        }
    })?;
    let unsupported = |reason: String| IngestError::UnsupportedJson {
        file: out.file.clone(),
        reason,
    };
    match value {
        Value::Array(items) => read_items(items, opts, out),
        Value::Object(mut obj) => match obj.get("type").and_then(Value::as_str) {
            Some("FeatureCollection") => match obj.remove("features") {
                Some(Value::Array(features)) => read_features(features, opts, out),
                _ => Err(unsupported("FeatureCollection without a \"features\" array".to_string())),
            },
            Some("Feature") => read_features(vec![Value::Object(obj)], opts, out),
            Some(other) => Err(unsupported(format!(
                "top-level GeoJSON object is a {other}; expected a FeatureCollection of Point features"
            ))),
            None => match obj.remove("data") {
                Some(Value::Array(items)) => read_items(items, opts, out),
                _ => Err(unsupported(
                    "top-level object is neither a GeoJSON FeatureCollection nor has a \"data\" array".to_string(),
                )),
            },
        },
        other => Err(unsupported(format!(
            "top level is {}; expected an array of objects or a GeoJSON FeatureCollection",
            kind(&other)
        ))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON value as cell text: strings as they are, numbers and booleans as written, null as
/// empty (unknown), nested arrays and objects as compact JSON so they survive into `extra`.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Keys in first-seen order across all objects, for format detection.
fn union_keys<'a>(objects: impl Iterator<Item = &'a Map<String, Value>>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut keys = Vec::new();
    for obj in objects {
        for k in obj.keys() {
            if seen.insert(k.clone()) {
                keys.push(k.clone());
            }
        }
    }
    keys
}

/// The schema for a set of keys from many objects; duplicates across objects do not matter
/// here (each object is checked on its own by [`ambiguous_keys`]).
fn detect(file: &str, keys: &[String], fallback: Option<Schema>) -> Result<Schema, IngestError> {
    let normalised: Vec<String> = keys.iter().map(|k| normalise_key(k)).collect();
    Schema::detect(&normalised)
        .or(fallback)
        .ok_or_else(|| IngestError::UnknownFormat {
            file: file.to_string(),
            header: keys.to_vec(),
        })
}

/// Two keys of one object that normalise to the same mapped column ("Date" and "date").
fn ambiguous_keys(schema: Schema, names: &[String]) -> Option<Problem> {
    let keys: Vec<String> = names.iter().map(|n| normalise_key(n)).collect();
    for (i, k) in keys.iter().enumerate() {
        if let Some(j) = keys.iter().skip(i + 1).position(|x| x == k)
            && schema.mapped_columns().contains(&k.as_str())
        {
            let other = names.get(i + 1 + j).map_or("", String::as_str);
            let this = names.get(i).map_or("", String::as_str);
            return Some(Problem::row(format!(
                "keys {:?} and {:?} both mean {}; cannot tell which to use",
                clip(this),
                clip(other),
                clip(k)
            )));
        }
    }
    None
}

fn read_items(
    items: Vec<Value>,
    opts: &IngestOptions,
    out: &mut Ingested,
) -> Result<(), IngestError> {
    let keys = union_keys(items.iter().filter_map(Value::as_object));
    let schema = if keys.is_empty() {
        Schema::Native
    } else {
        detect(&out.file, &keys, None)?
    };
    out.format = schema.format();
    for (i, item) in items.iter().enumerate() {
        let line = i as u64 + 1;
        let label = format!("item {line}");
        out.rows_read += 1;
        let Some(obj) = item.as_object() else {
            let p = Problem::row(format!("{} is not a JSON object", kind(item)));
            out.skip(opts, line, Some(&label), p, item.to_string())?;
            continue;
        };
        let names: Vec<String> = obj.keys().cloned().collect();
        let values: Vec<String> = obj.values().map(cell).collect();
        take(out, opts, schema, names, values, line, &label, item)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn take(
    out: &mut Ingested,
    opts: &IngestOptions,
    schema: Schema,
    names: Vec<String>,
    values: Vec<String>,
    line: u64,
    label: &str,
    item: &Value,
) -> Result<(), IngestError> {
    if let Some(p) = ambiguous_keys(schema, &names) {
        return out.skip(opts, line, Some(label), p, item.to_string());
    }
    let keys = names.iter().map(|n| normalise_key(n)).collect();
    let header = Header {
        schema,
        names,
        keys,
        index: None,
        name_order: None,
        date_order: opts.date_order,
        taken: None,
    };
    let values: Vec<Cow<'_, str>> = values.into_iter().map(Cow::Owned).collect();
    out.take_row(opts, &header, &values, line, Some(label), || {
        item.to_string()
    })
}

/// Coordinates from a Point geometry: (lon, lat, optional elevation) as written.
enum Geometry {
    Point {
        lon: String,
        lat: String,
        elevation: Option<String>,
    },
    None,
}

fn geometry(feature: &Map<String, Value>) -> Result<Geometry, String> {
    let g = match feature.get("geometry") {
        None | Some(Value::Null) => return Ok(Geometry::None),
        Some(Value::Object(g)) => g,
        Some(other) => {
            return Err(format!(
                "geometry is {}; expected a Point object",
                kind(other)
            ));
        }
    };
    match g.get("type").and_then(Value::as_str) {
        Some("Point") => {}
        Some(other) => return Err(format!("geometry is {other}; expected Point")),
        None => return Err("geometry has no type; expected Point".to_string()),
    }
    let coords = g
        .get("coordinates")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    match coords {
        [Value::Number(lon), Value::Number(lat), rest @ ..] => Ok(Geometry::Point {
            lon: lon.to_string(),
            lat: lat.to_string(),
            elevation: rest
                .first()
                .and_then(Value::as_number)
                .map(ToString::to_string),
        }),
        _ => Err("Point has no [longitude, latitude] numbers".to_string()),
    }
}

fn read_features(
    features: Vec<Value>,
    opts: &IngestOptions,
    out: &mut Ingested,
) -> Result<(), IngestError> {
    let mut keys = union_keys(
        features
            .iter()
            .filter_map(|f| f.get("properties"))
            .filter_map(Value::as_object),
    );
    keys.extend(["latitude".to_string(), "longitude".to_string()]);
    let schema = detect(&out.file, &keys, Some(Schema::Native))?;
    let no_properties = Map::new();
    out.format = schema.format();

    for (i, feature) in features.iter().enumerate() {
        let line = i as u64 + 1;
        let label = format!("feature {line}");
        out.rows_read += 1;
        let obj = match feature.as_object() {
            Some(o) if o.get("type").and_then(Value::as_str) == Some("Feature") => o,
            _ => {
                let p = Problem::row("not a GeoJSON Feature".to_string());
                out.skip(opts, line, Some(&label), p, feature.to_string())?;
                continue;
            }
        };
        let geom = match geometry(obj) {
            Ok(g) => g,
            Err(reason) => {
                out.skip(
                    opts,
                    line,
                    Some(&label),
                    Problem::row(reason),
                    feature.to_string(),
                )?;
                continue;
            }
        };
        let properties = match obj.get("properties") {
            None | Some(Value::Null) => &no_properties,
            Some(Value::Object(p)) => p,
            Some(other) => {
                let p = Problem::row(format!("properties is {}; expected an object", kind(other)));
                out.skip(opts, line, Some(&label), p, feature.to_string())?;
                continue;
            }
        };

        let mut names = Vec::new();
        let mut values = Vec::new();
        let mut notes = Vec::new();
        let (geo_lat, geo_lon, elevation) = match &geom {
            Geometry::Point {
                lon,
                lat,
                elevation,
            } => (Some(lat), Some(lon), elevation.clone()),
            Geometry::None => {
                notes.push(
                    "geometry is null; kept without coordinates from the geometry".to_string(),
                );
                (None, None, None)
            }
        };
        for (k, v) in properties {
            let text = cell(v);
            let geo = match normalise_key(k).as_str() {
                "latitude" => geo_lat,
                "longitude" => geo_lon,
                _ => None,
            };
            match geo {
                // The geometry is authoritative; an agreeing property adds nothing, a
                // disagreeing one is kept under another name and flagged.
                Some(g) if same_number(g, &text) || text.trim().is_empty() => continue,
                Some(g) => {
                    notes.push(format!("property {k} = {text} differs from the Point geometry ({g}); the geometry is used"));
                    names.push(format!("{k} (properties)"));
                }
                None => names.push(k.clone()),
            }
            values.push(text);
        }
        if let (Some(lat), Some(lon)) = (geo_lat, geo_lon) {
            names.extend(["latitude".to_string(), "longitude".to_string()]);
            values.extend([lat.clone(), lon.clone()]);
        }
        if let Some(e) = elevation {
            names.push("elevation".to_string());
            values.push(e);
        }
        // A Feature's own "id" stands in for a missing id property in native files.
        if schema == Schema::Native
            && !names.iter().any(|n| normalise_key(n) == "id")
            && let Some(id) = obj.get("id").map(cell).filter(|s| !s.is_empty())
        {
            names.push("id".to_string());
            values.push(id);
        }

        let warned_before = out.warnings.len();
        let kept_before = out.records.len();
        take(out, opts, schema, names, values, line, &label, feature)?;
        if out.records.len() > kept_before {
            let file = out.file.clone();
            let extra: Vec<_> = notes
                .into_iter()
                .map(|n| super::RowProblem {
                    file: file.clone(),
                    line,
                    column: None,
                    reason: format!("{label}: {n}"),
                    text: None,
                })
                .collect();
            let tail = out.warnings.split_off(warned_before);
            out.warnings.extend(extra);
            out.warnings.extend(tail);
        }
    }
    Ok(())
}

fn same_number(a: &str, b: &str) -> bool {
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => (x - y).abs() < 1e-9,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::{IngestError, IngestOptions, read_bytes, read_path};
    use crate::model::SourceFormat;

    const OPTS: IngestOptions = IngestOptions::DEFAULT;

    #[test]
    fn json_array_of_native_objects() {
        let json = br#"[
            {"id": "TEST1", "date": "2025-11-26", "location": "Testville", "fatalities": 3, "latitude": 34.5, "longitude": 70.1, "tags": ["a"]},
            {"date": "2025-12", "location": "Testburg", "fatalities": null},
            {"date": "2025-12", "location": "Testburg", "fatalities": "abc"},
            7
        ]"#;
        let got = read_bytes("events.json", json, &OPTS).unwrap();
        assert_eq!(got.format, SourceFormat::Native);
        assert_eq!(got.rows_read, 4);
        assert_eq!(got.records.len(), 3, "a count never rejects a row");
        let a = &got.records[0];
        assert_eq!((a.fatalities, a.latitude), (Some(3.0), Some(34.5)));
        assert_eq!(a.extra.get("tags"), Some("[\"a\"]"));
        assert_eq!(&*got.records[1].id, "events:2");
        assert_eq!(got.records[1].fatalities, None);
        assert_eq!(got.records[2].fatalities, None);
        assert_eq!(
            got.records[2].extra.get("fatalities"),
            Some("abc"),
            "the text is kept"
        );
        assert!(
            got.warnings[0]
                .to_string()
                .starts_with("events.json:3: column fatalities: item 3: abc is not a number"),
            "{}",
            got.warnings[0]
        );
        assert!(
            got.skipped[0]
                .reason
                .contains("item 4: a number is not a JSON object")
        );
    }

    #[test]
    fn acled_api_wrapper() {
        let json = br#"{"status": 200, "data": [{"event_id_cnty": "TEST1", "event_date": "2025-11-26", "sub_event_type": "Armed clash", "latitude": "34.0", "longitude": "70.0", "geo_precision": "2", "fatalities": "0"}]}"#;
        let got = read_bytes("acled.json", json, &OPTS).unwrap();
        assert_eq!(got.format, SourceFormat::Acled);
        assert_eq!(got.records[0].fatalities, Some(0.0));
    }

    #[test]
    fn geojson_polygon_feature_is_skipped() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ingest/native_synthetic.geojson");
        let got = read_path(&path, &OPTS).unwrap();
        assert_eq!(got.format, SourceFormat::Native);
        assert_eq!(got.rows_read, 4);
        assert_eq!(got.records.len(), 3);
        assert_eq!(got.skipped.len(), 1);
        let s = &got.skipped[0];
        assert_eq!(s.line, 3);
        assert_eq!(s.reason, "feature 3: geometry is Polygon; expected Point");
        assert!(s.text.as_deref().unwrap_or("").contains("Polygon"));

        let a = &got.records[0];
        assert_eq!(&*a.id, "TEST1");
        assert_eq!((a.longitude, a.latitude), (Some(70.1), Some(34.5)));
        assert_eq!(a.provenance.line, 1);
        let b = &got.records[1];
        assert_eq!(&*b.id, "TEST2", "Feature id used when properties have none");
        assert_eq!(b.extra.get("latitude (properties)"), Some("35"));
        assert!(
            got.warnings
                .iter()
                .any(|w| w.line == 2 && w.reason.contains("differs from the Point geometry"))
        );
        let c = &got.records[2];
        assert_eq!(c.latitude, None);
        assert!(
            got.warnings
                .iter()
                .any(|w| w.line == 4 && w.reason.contains("geometry is null"))
        );
    }

    #[test]
    fn bad_json_is_a_file_error_with_position() {
        match read_bytes("bad.json", b"[{\"date\": }]", &OPTS) {
            Err(e @ IngestError::BadJson { line: 1, .. }) => {
                let msg = e.to_string();
                assert!(msg.starts_with("bad.json:1:11: not valid JSON: "), "{msg}");
                assert!(!msg.contains("at line"), "position said once: {msg}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_bytes("n.json", b"{\"a\": 1}", &OPTS),
            Err(IngestError::UnsupportedJson { .. })
        ));
        let got = read_bytes("e.json", b"[]", &OPTS).unwrap();
        assert_eq!(got.rows_read, 0);
        assert!(
            got.warnings[0].reason.contains("no items"),
            "{:?}",
            got.warnings
        );
    }

    #[test]
    fn long_duplicate_keys_are_clipped_in_the_message() {
        let long = format!("{}date", " ".repeat(2000));
        let json = format!(r#"[{{"Date": "2025", "{long}": "2025", "location": "Testville"}}]"#);
        let got = read_bytes("k.json", json.as_bytes(), &OPTS).unwrap();
        let msg = got.skipped[0].to_string();
        assert!(msg.contains("both mean date"), "{msg}");
        assert!(msg.len() < 400, "{msg}");
    }

    #[test]
    fn latin1_json_is_transcoded() {
        let got = read_bytes(
            "l.json",
            b"[{\"date\": \"2025\", \"location\": \"K\xf6ln\"}]",
            &OPTS,
        )
        .unwrap();
        assert_eq!(got.records[0].location.as_deref(), Some("Köln"));
        assert_eq!(got.warnings.len(), 1);
    }
}
