//! The run's CSV tables and `tables_metadata.json`, which describes each column and carries
//! the same attribution, generator and parameters as the layers.

use super::Header;
use crate::density::Analysis;
use crate::export::{tables, write_atomic};
use anyhow::{Context, Result};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------
// Tables

/// What a CSV column holds, for the metadata sidecar.
pub(super) fn column_type(name: &str) -> &'static str {
    match name {
        "index" | "records" => "integer",
        "hotspot" | "comparable" => "boolean",
        "data_start" | "data_end" => "date",
        "segment_id" | "sector_id" | "border_id" | "province_id" | "province" | "country"
        | "provinces" | "name" | "length_basis" | "event_type" | "period" => "string",
        _ => "number",
    }
}

pub(crate) fn column_description(name: &str) -> Option<&'static str> {
    Some(match name {
        "events_weighted" => "events apportioned to the unit (each record's count times its share)",
        "events_raw" => "events whose point position falls in the unit (no apportioning)",
        "records" => "records contributing any share",
        "fatalities" => "best-estimate deaths, apportioned; unknown counts as nothing",
        "fatalities_low" | "fatalities_high" => {
            "low / high deaths (the best estimate where a record has none)"
        }
        "fatalities_unknown_events" => "weighted events whose fatalities are unknown",
        "wounded_unknown_events" => "weighted events whose wounded are unknown",
        "length_km" => "length the rates divide by, km",
        "length_basis" => "measured (geodesic, as drawn) or published length",
        "years" => "length of the analysis window, years",
        "per_100km" => "events_weighted per 100 km of border",
        "per_100km_per_year" => "events_weighted per 100 km of border per year",
        "ci95_low" | "ci95_high" => "exact 95% Poisson interval of per_100km_per_year",
        "km_from" | "km_to" => "position along the border, km from its km 0",
        "hotspot" => {
            "true when the segment's count exceeds its border's rate (exact one-sided Poisson test, Benjamini-Hochberg q <= 0.05 across the border's segments); empty when not tested (no length, or weighted by fatalities)"
        }
        "hotspot_q" => {
            "Benjamini-Hochberg q-value of the hotspot test across the border's segments"
        }
        "hotspot_p" => {
            "one-sided exact Poisson p-value of the segment's count given hotspot_expected"
        }
        "hotspot_expected" => {
            "events the border's rate gives the segment: border events x segment length / border length"
        }
        _ => return None,
    })
}

/// Writes the CSV tables and `tables_metadata.json`, which describes them and the layers
/// (`layers`: each layer's schema, see `layer_schema`).
pub(super) fn write_tables(
    out: &Path,
    a: &Analysis,
    header: &Header,
    layers: Vec<Value>,
) -> Result<Vec<PathBuf>> {
    let csvs: [(&str, String, &str); 5] = [
        (
            "segments.csv",
            tables::segments_csv(a)?,
            "incidents per border segment",
        ),
        (
            "sectors.csv",
            tables::sectors_csv(a)?,
            "incidents per sector (stretch of border along one province, either side)",
        ),
        (
            "borders.csv",
            tables::borders_csv(a)?,
            "incidents per border",
        ),
        (
            "by_event_type.csv",
            tables::breakdown_csv(&a.by_type, "event_type")?,
            "incidents in the corridor per border and event type",
        ),
        (
            "by_period.csv",
            tables::breakdown_csv(&a.by_period, "period")?,
            "incidents in the corridor per border and period",
        ),
    ];
    let mut written = Vec::new();
    let mut described = Vec::new();
    for (file, text, what) in csvs {
        let path = out.join(file);
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
        let head = text.lines().next().unwrap_or_default();
        let columns: Vec<Value> = head
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| {
                let mut m = Map::new();
                m.insert("name".into(), json!(c));
                m.insert("type".into(), json!(column_type(c)));
                if let Some(d) = column_description(c) {
                    m.insert("description".into(), json!(d));
                }
                Value::Object(m)
            })
            .collect();
        described.push(json!({
            "file": file,
            "description": what,
            "rows": text.lines().count().saturating_sub(1),
            "columns": columns,
        }));
    }
    let meta = json!({
        "attribution": header.attribution,
        "generator": header.generator,
        "parameters": header.parameters,
        "notes": "UTF-8, comma-separated, header row; an empty cell is unknown; cells a spreadsheet would run as a formula start with an apostrophe.",
        "tables": described,
        "layers_notes": "The layers' fields, in order, with the type each has in borderwatch.gpkg and in the GeoJSON (types come from this schema, never from the values; null is unknown). Fields after the schema's on the incidents layer are the input's own columns, named safely (source_column gives the name as read).",
        "layers": layers,
    });
    let path = out.join("tables_metadata.json");
    let text = serde_json::to_string_pretty(&meta).context("tables metadata")? + "\n";
    write_atomic(&path, text.as_bytes())?;
    written.push(path);
    Ok(written)
}
