//! One layer in memory — its features' geometry and properties, its style — written as a
//! GeoJSON file through the shared feature writer, with the values its properties use.

use super::geometry::{Bounds, Geom, Rounded};
use super::{Header, looks_like_gdal_datetime};
use crate::density::stats::{Rates, Tally};
use crate::export::gpkg::{self, GeoPackage, LayerSpec, ToSqlOutput};
use crate::export::qgis::{GeomKind, LayerInfo, Style};
use crate::export::round6;
use crate::export::schema::{self, Field, FieldType};
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
    /// Each feature's properties, in the order of the layer's schema ([`schema::fields`]).
    pub(super) features: Vec<(Geom, Map<String, Value>)>,
    /// Extra top-level members (after `parameters`).
    pub(super) members: Vec<(&'static str, Value)>,
    pub(super) style: Style,
}

/// A layer ready to be written: checked against its schema, its geometry rounded once for
/// both outputs.
pub(super) struct Prepared {
    name: &'static str,
    kind: GeomKind,
    fields: Vec<Field>,
    features: Vec<(Rounded, Map<String, Value>)>,
    bbox: Bounds,
    members: Vec<(&'static str, Value)>,
    style: Style,
    /// Text fields GDAL would read as dates, written with a leading apostrophe in the
    /// GeoJSON (see the module notes); the GeoPackage declares its types and needs none.
    marked: Vec<String>,
}

impl Layer {
    /// Checks every feature against the layer's schema (the same fields in the same order,
    /// each value null or of the field's type: a mismatch is a bug, never a new type) and
    /// rounds the geometry.
    pub(super) fn prepare(self) -> Result<Prepared> {
        let fields = schema::fields(self.name);
        for (i, (_, p)) in self.features.iter().enumerate() {
            if !p
                .keys()
                .map(String::as_str)
                .eq(fields.iter().map(|f| f.name.as_ref()))
            {
                bail!(
                    "{}: feature {} has other properties than its schema",
                    self.name,
                    i + 1
                );
            }
            for (f, v) in fields.iter().zip(p.values()) {
                let fits = match (f.ty, v) {
                    (_, Value::Null) => true,
                    (FieldType::Text | FieldType::Date, Value::String(_)) => true,
                    (FieldType::Real, Value::Number(_)) => true,
                    (FieldType::Integer | FieldType::Integer64, Value::Number(n)) => {
                        n.is_i64() || n.is_u64()
                    }
                    (FieldType::Boolean, Value::Bool(_)) => true,
                    _ => false,
                };
                if !fits {
                    bail!("{}.{}: {v} is not {:?}", self.name, f.name, f.ty);
                }
            }
        }
        let marked = date_like_text(&fields, &self.features);
        let mut bbox = Bounds::default();
        let features = self
            .features
            .into_iter()
            .map(|(g, p)| (g.rounded(&mut bbox), p))
            .collect();
        Ok(Prepared {
            name: self.name,
            kind: self.kind,
            fields,
            features,
            bbox,
            members: self.members,
            style: self.style,
            marked,
        })
    }
}

/// The text fields whose every non-null value GDAL would take for a date; their names.
fn date_like_text(fields: &[Field], features: &[(Geom, Map<String, Value>)]) -> Vec<String> {
    let mut marked = Vec::new();
    for (k, f) in fields.iter().enumerate() {
        if f.ty != FieldType::Text {
            continue;
        }
        let mut any = false;
        let all_dates = features.iter().all(|(_, p)| match p.values().nth(k) {
            Some(Value::String(s)) => {
                any = true;
                looks_like_gdal_datetime(s)
            }
            _ => true,
        });
        if any && all_dates {
            marked.push(f.name.to_string());
        }
    }
    marked
}

impl Prepared {
    pub(super) fn name(&self) -> &'static str {
        self.name
    }

    pub(super) fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Writes the FeatureCollection, one feature per line.
    pub(super) fn write_geojson(&self, header: &Header, w: &mut (dyn Write + Send)) -> Result<()> {
        write_head(w, self.name, header, &self.members, &self.marked)?;
        let n = self.features.len();
        for (i, (g, p)) in self.features.iter().enumerate() {
            write!(w, "{{\"type\":\"Feature\",\"id\":{},\"geometry\":", i + 1)?;
            g.write_json(&mut *w)?;
            w.write_all(b",\"properties\":")?;
            if self.marked.is_empty() {
                serde_json::to_writer(&mut *w, p)?;
            } else {
                let mut p = p.clone();
                for k in &self.marked {
                    if let Some(Value::String(s)) = p.get_mut(k) {
                        s.insert(0, '\'');
                    }
                }
                serde_json::to_writer(&mut *w, &p)?;
            }
            w.write_all(if i + 1 < n { b"},\n" } else { b"}\n" })?;
        }
        w.write_all(b"]}\n")?;
        Ok(())
    }

    /// Writes the layer's table into the GeoPackage.
    pub(super) fn write_gpkg(&self, gpkg: &mut GeoPackage) -> Result<()> {
        let spec = LayerSpec {
            name: self.name,
            kind: self.kind,
            fields: &self.fields,
            description: schema::layer_description(self.name),
        };
        gpkg.add_layer(&spec, |rows| {
            let mut values = Vec::with_capacity(self.fields.len());
            for (g, p) in &self.features {
                values.clear();
                for (f, v) in self.fields.iter().zip(p.values()) {
                    values.push(match v {
                        Value::Null => gpkg::NULL,
                        Value::String(s) => gpkg::text(s),
                        Value::Bool(b) => ToSqlOutput::from(i64::from(*b)),
                        Value::Number(n)
                            if matches!(f.ty, FieldType::Integer | FieldType::Integer64) =>
                        {
                            n.as_i64().map_or(gpkg::NULL, ToSqlOutput::from)
                        }
                        Value::Number(n) => n.as_f64().map_or(gpkg::NULL, gpkg::real),
                        other => bail!("{}.{}: {other} is not a value", self.name, f.name),
                    });
                }
                rows.push(g.shape(), &values)?;
            }
            Ok(())
        })
    }

    /// What the QGIS writer needs to know of the layer.
    pub(super) fn info(&self, file: &str) -> LayerInfo {
        LayerInfo {
            name: self.name.to_string(),
            file: file.to_string(),
            kind: self.kind,
            bbox: self.bbox.0,
            style: self.style.clone(),
        }
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
