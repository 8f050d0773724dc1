//! The area layers: countries, provinces and districts as context (clipped to the region),
//! and the density isobands.

use super::geometry::{Geom, clip_region};
use super::layer::{Layer, real, text};
use crate::density::kde::Isoband;
use crate::export::qgis::{GeomKind, Style};
use crate::geodata::GeoData;
use geo::MultiPolygon;
use serde_json::{Map, Value, json};
pub(super) fn countries_layer(geo: &GeoData) -> Layer {
    let mut features = Vec::new();
    let mut codes = Vec::new();
    for c in &geo.countries {
        let shape = clip_region(&c.shape);
        if shape.0.is_empty() {
            continue;
        }
        let mut p = Map::new();
        p.insert("iso_a2".into(), text(&c.code));
        p.insert("name".into(), text(&c.name));
        codes.push(c.code.clone());
        features.push((Geom::Polygons(shape), p));
    }
    Layer {
        name: "countries",
        kind: GeomKind::Polygon,
        features,
        members: Vec::new(),
        style: Style::Countries { codes },
    }
}

pub(super) fn provinces_layer(geo: &GeoData) -> Layer {
    let areas = geo.provinces.iter().map(|pr| {
        let mut p = Map::new();
        p.insert("province_id".into(), text(&pr.id));
        p.insert("name".into(), text(&pr.name));
        p.insert("country".into(), text(&pr.country));
        (&pr.shape, p)
    });
    area_layer("provinces", Style::Provinces, areas)
}

/// The districts of Afghanistan, Pakistan and Tajikistan: the units every incident's
/// `district_id` names.
pub(super) fn districts_layer(geo: &GeoData) -> Layer {
    let areas = geo.districts.iter().map(|d| {
        let mut p = Map::new();
        p.insert("district_id".into(), text(&d.id));
        p.insert("name".into(), text(&d.name));
        p.insert(
            "province_id".into(),
            d.province_id.as_deref().map_or(Value::Null, text),
        );
        p.insert("country".into(), text(&d.country));
        (&d.shape, p)
    });
    area_layer("districts", Style::Districts, areas)
}

/// A context layer of areas, each clipped to the region; areas wholly outside it are left out.
pub(super) fn area_layer<'a>(
    name: &'static str,
    style: Style,
    areas: impl Iterator<Item = (&'a MultiPolygon<f64>, Map<String, Value>)>,
) -> Layer {
    let features = areas
        .filter_map(|(shape, p)| {
            let shape = clip_region(shape);
            (!shape.0.is_empty()).then_some((Geom::Polygons(shape), p))
        })
        .collect();
    Layer {
        name,
        kind: GeomKind::Polygon,
        features,
        members: Vec::new(),
        style,
    }
}

/// Compact band limit for labels: three significant figures.
pub(super) fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let decimals = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.decimals$}")
}

pub(super) fn isobands_layer(bands: &[Isoband]) -> Layer {
    let mut features = Vec::new();
    let mut limits = Vec::new();
    for (i, b) in bands.iter().enumerate() {
        let mut p = Map::new();
        p.insert("band".into(), json!(i + 1));
        p.insert("lo".into(), real(Some(b.lo)));
        p.insert("hi".into(), real(Some(b.hi)));
        p.insert(
            "label".into(),
            json!(format!("{} to {}", sig3(b.lo), sig3(b.hi))),
        );
        limits.push((b.lo, b.hi));
        features.push((Geom::Polygons(b.shape.clone()), p));
    }
    Layer {
        name: "density_isobands",
        kind: GeomKind::Polygon,
        features,
        members: vec![("unit", json!("incidents per 1,000 km2 per year"))],
        style: Style::Isobands { limits },
    }
}
