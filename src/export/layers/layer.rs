//! One layer in memory — its features' geometry and properties, its style — written as a
//! GeoJSON file through the shared feature writer, with the values its properties use.

use super::geometry::{Bounds, Geom};
use super::{Header, looks_like_gdal_datetime};
use crate::density::stats::{Rates, Tally};
use crate::export::qgis::{GeomKind, LayerInfo, Style};
use crate::export::round6;
use anyhow::{Result, bail};
use serde_json::{Map, Value, json};
use std::io::Write;
// ---------------------------------------------------------------------------------------
// Values

/// A real number rounded to 6 decimals; null when unknown or not finite.
pub(super) fn real(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.is_finite() => json!(round6(x) + 0.0),
        _ => Value::Null,
    }
}

/// A probability kept to 6 significant digits (a q-value of 3e-9 must not round to 0).
pub(super) fn probability(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.is_finite() => json!(format!("{x:.5e}").parse::<f64>().unwrap_or(x) + 0.0),
        _ => Value::Null,
    }
}

pub(super) fn opt_str(v: Option<String>) -> Value {
    v.map(Value::from).unwrap_or(Value::Null)
}

/// Text, or null when empty.
pub(super) fn text(s: &str) -> Value {
    if s.is_empty() { Value::Null } else { json!(s) }
}

/// Every Tally and Rates field, flat, in the CSV tables' names where they have one.
pub(super) fn tally_rates(p: &mut Map<String, Value>, t: &Tally, r: &Rates) {
    p.insert("events_weighted".into(), real(Some(t.events_weighted)));
    p.insert("events_raw".into(), real(Some(t.events_raw)));
    p.insert("records".into(), json!(t.records));
    p.insert("fatalities".into(), real(Some(t.fatalities)));
    p.insert("fatalities_low".into(), real(Some(t.fatalities_low)));
    p.insert("fatalities_high".into(), real(Some(t.fatalities_high)));
    p.insert(
        "fatalities_unknown_events".into(),
        real(Some(t.fatalities_unknown_events)),
    );
    p.insert("wounded".into(), real(Some(t.wounded)));
    p.insert(
        "wounded_unknown_events".into(),
        real(Some(t.wounded_unknown_events)),
    );
    p.insert(
        "largest_record_share".into(),
        real(Some(t.largest_record_share)),
    );
    p.insert("imprecise_events".into(), real(Some(t.imprecise_events)));
    p.insert("aggregate_events".into(), real(Some(t.aggregate_events)));
    p.insert("length_km".into(), real(Some(r.length_km)));
    p.insert("length_basis".into(), json!(r.length_basis.as_str()));
    p.insert("years".into(), real(r.years));
    p.insert("per_100km".into(), real(Some(r.per_100km)));
    p.insert("per_100km_per_year".into(), real(r.per_100km_per_year));
    p.insert("ci95_low".into(), real(r.ci_low));
    p.insert("ci95_high".into(), real(r.ci_high));
}
// ---------------------------------------------------------------------------------------
// Layers

pub(super) struct Layer {
    pub(super) name: &'static str,
    pub(super) kind: GeomKind,
    pub(super) features: Vec<(Geom, Map<String, Value>)>,
    /// Fields meant to be typed Date (all others that hold text are text).
    pub(super) date_fields: &'static [&'static str],
    /// Extra top-level members (after `parameters`).
    pub(super) members: Vec<(&'static str, Value)>,
    pub(super) style: Style,
}

impl Layer {
    /// Writes the FeatureCollection, one feature per line; returns what the QGIS writer
    /// needs.
    pub(super) fn render(
        mut self,
        header: &Header,
        file: &str,
        w: &mut (dyn Write + Send),
    ) -> Result<LayerInfo> {
        // Every feature has the same keys in the same order.
        if let Some((_, first)) = self.features.first() {
            let keys: Vec<&String> = first.keys().collect();
            for (i, (_, p)) in self.features.iter().enumerate() {
                if !p.keys().eq(keys.iter().copied()) {
                    bail!("{}: feature {} has different properties", self.name, i + 1);
                }
            }
        }
        let marked = self.mark_date_like_text();
        write_head(w, self.name, header, &self.members, &marked)?;
        let mut bbox = Bounds::default();
        let n = self.features.len();
        for (i, (g, p)) in self.features.into_iter().enumerate() {
            let f = json!({
                "type": "Feature",
                "id": i + 1,
                "geometry": g.to_json(&mut bbox),
                "properties": Value::Object(p),
            });
            serde_json::to_writer(&mut *w, &f)?;
            w.write_all(if i + 1 < n { b",\n" } else { b"\n" })?;
        }
        w.write_all(b"]}\n")?;
        Ok(LayerInfo {
            name: self.name.to_string(),
            file: file.to_string(),
            kind: self.kind,
            bbox: bbox.0,
            style: self.style,
        })
    }

    /// Marks free-text fields that GDAL would type as dates (see the module notes); returns
    /// their names.
    pub(super) fn mark_date_like_text(&mut self) -> Vec<String> {
        let Some((_, first)) = self.features.first() else {
            return Vec::new();
        };
        let keys: Vec<String> = first.keys().cloned().collect();
        let mut marked = Vec::new();
        for k in keys {
            if self.date_fields.contains(&k.as_str()) {
                continue;
            }
            let mut any = false;
            let all_dates = self.features.iter().all(|(_, p)| match p.get(&k) {
                Some(Value::String(s)) => {
                    any = true;
                    looks_like_gdal_datetime(s)
                }
                Some(Value::Null) | None => true,
                _ => false,
            });
            if any && all_dates {
                for (_, p) in &mut self.features {
                    if let Some(Value::String(s)) = p.get_mut(&k) {
                        s.insert(0, '\'');
                    }
                }
                marked.push(k);
            }
        }
        marked
    }
}

/// The top of a layer: its name, `attribution`, `generator`, `parameters`, then the layer's
/// own members (see [`crate::export::features::write_collection_head`]).
pub(super) fn write_head(
    w: &mut dyn Write,
    name: &str,
    header: &Header,
    members: &[(&str, Value)],
    marked: &[String],
) -> Result<()> {
    let (attribution, generator) = (
        Value::from(header.attribution.as_str()),
        Value::from(header.generator.as_str()),
    );
    let mut all: Vec<(&str, &Value)> = vec![
        ("attribution", &attribution),
        ("generator", &generator),
        ("parameters", &header.parameters),
    ];
    all.extend(members.iter().map(|(k, v)| (*k, v)));
    crate::export::features::write_collection_head(w, name, &all, marked)
}
