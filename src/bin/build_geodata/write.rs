//! Writes the derived files. Every writer sorts its input and rounds its numbers so that two
//! runs on the same upstream packages give byte-identical files.

use crate::units::Area;
use crate::zones::Zone;
use crate::{Border, Coord, Country, round6};
use anyhow::{Context, Result};
use borderwatch::model::{EntryKind, GazetteerEntry};
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

fn shape_json(shape: &geo::MultiPolygon<f64>) -> Value {
    Value::Array(
        shape
            .0
            .iter()
            .map(|poly| {
                let ring = |r: &geo::LineString<f64>| -> Vec<Coord> {
                    r.coords().map(|c| (c.x, c.y)).collect()
                };
                let mut rings = vec![ring_json(&ring(poly.exterior()))];
                rings.extend(poly.interiors().iter().map(|r| ring_json(&ring(r))));
                Value::Array(rings)
            })
            .collect(),
    )
}

const WOF: &str = "Data from Who's On First (https://whosonfirst.org/docs/licenses/): CC0, with geometry from GeoNames (CC BY 4.0), Quattroshapes (CC BY), GeoPlanet (CC BY) and Natural Earth (public domain)";

pub fn countries(path: &Path, countries: &[Country]) -> Result<()> {
    let features = countries
        .iter()
        .map(|c| {
            let polys: Vec<Value> = c
                .polygons
                .iter()
                .map(|p| Value::Array(p.iter().map(|r| ring_json(r)).collect()))
                .collect();
            let source = if c.source == "wof" { "Who's On First" } else { "Natural Earth 1:10m (context only)" };
            json!({"type": "Feature", "id": c.code, "properties": {"iso_a2": c.code, "name": c.name, "source": source},
                   "geometry": {"type": "MultiPolygon", "coordinates": polys}})
        })
        .collect();
    write_json(
        path,
        "countries",
        features,
        &format!(
            "{WOF}. China, Kyrgyzstan, India, Kazakhstan: Natural Earth 1:10m (public domain), via npm world-atlas 2.0.2"
        ),
    )
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
                    "line_rule": "the edge of Afghanistan's Who's On First polygon shared with the neighbour's (Afghanistan's vertices where the two differ)",
                    "km0_lon": b.coords[0].0, "km0_lat": b.coords[0].1},
                "geometry": {"type": "LineString", "coordinates": ring_json(&b.coords)}})
        })
        .collect();
    write_json(path, "borders", features, WOF)
}

/// Provinces or districts: present-day units as MultiPolygons with their ids and names.
pub fn areas(path: &Path, name: &str, areas: &[Area]) -> Result<()> {
    let features = areas
        .iter()
        .map(|a| {
            let props = if name == "provinces" {
                json!({"province_id": a.id, "name": a.name, "country": a.country, "wof_id": a.wof_id})
            } else {
                json!({"district_id": a.id, "name": a.name, "country": a.country, "province_id": a.province_id, "wof_id": a.wof_id})
            };
            json!({"type": "Feature", "id": a.id, "properties": props,
                   "geometry": {"type": "MultiPolygon", "coordinates": shape_json(&a.shape)}})
        })
        .collect();
    write_json(path, name, features, WOF)
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
        "Derived from the Who's On First country and province polygons (see borders.geojson)",
    )
}

pub fn gazetteer(path: &Path, entries: &[GazetteerEntry]) -> Result<()> {
    let f = std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
    borderwatch::gazetteer::table::write_csv(entries, std::io::BufWriter::new(f))
}

/// The places table: the same columns as `gazetteer.csv`, zstd-compressed (level 19, one
/// thread: the same bytes on every run) in frames of `ROWS_PER_FRAME` rows, so the tool can
/// unpack only the rows a lookup reaches; and beside it `place_keys.tsv.zst`, the index of
/// every spelling's folded key, `place_variants.tsv.zst`, the index of those keys'
/// transliteration skeletons, and `place_countries.tsv`, each row's country (see
/// `borderwatch::gazetteer::place_tier`).
pub fn places(path: &Path, entries: &[GazetteerEntry]) -> Result<()> {
    use borderwatch::gazetteer::place_tier::{
        ROWS_PER_FRAME, country_runs, key_index, variant_index,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let (keys_path, variants_path, countries_path) = (
        dir.join("place_keys.tsv.zst"),
        dir.join("place_variants.tsv.zst"),
        dir.join("place_countries.tsv"),
    );
    let mut packed = Vec::new();
    for (f, chunk) in entries.chunks(ROWS_PER_FRAME).enumerate() {
        let mut csv = Vec::new();
        borderwatch::gazetteer::table::write_csv(chunk, &mut csv)?;
        // The header only in the first frame: unpacked whole, the frames are one CSV.
        let body = if f == 0 {
            &csv[..]
        } else {
            let header_end = csv.iter().position(|&b| b == b'\n').map_or(0, |n| n + 1);
            &csv[header_end..]
        };
        packed.extend(zstd::bulk::compress(body, 19).context("compressing the places table")?);
    }
    std::fs::write(path, packed).with_context(|| format!("writing {}", path.display()))?;
    let keys = zstd::bulk::compress(key_index(entries).as_bytes(), 19)
        .context("compressing the place keys")?;
    std::fs::write(&keys_path, keys).with_context(|| format!("writing {}", keys_path.display()))?;
    let variants = zstd::bulk::compress(variant_index(entries).as_bytes(), 19)
        .context("compressing the place variants")?;
    std::fs::write(&variants_path, variants)
        .with_context(|| format!("writing {}", variants_path.display()))?;
    std::fs::write(&countries_path, country_runs(entries))
        .with_context(|| format!("writing {}", countries_path.display()))
}

pub fn build_report(
    path: &Path,
    borders: &[Border],
    admin: &[GazetteerEntry],
    places: &[GazetteerEntry],
    zones: &[Zone],
    notes: &[String],
) -> Result<()> {
    let mut s = String::from(
        "# build-geodata report (regenerated on every build)\n\n## Borders (km 0 = first tripoint clockwise around Afghanistan)\n",
    );
    for b in borders {
        let off = (b.measured_km / b.published_km - 1.0) * 100.0;
        s.push_str(&format!(
            "{}: measured {:.1} km on the Who's On First polygons, published {} km ({off:+.1}%); km 0 at {:.4} E {:.4} N; {} vertices\n",
            b.id, b.measured_km, b.published_km, b.coords[0].0, b.coords[0].1, b.coords.len()
        ));
    }
    let count = |k: EntryKind| admin.iter().filter(|e| e.kind == k).count();
    s.push_str(&format!(
        "\n## Gazetteer\ncountries {}, provinces {}, districts {}, places {} (+ {} curated crossings), border zones {}\n",
        count(EntryKind::Country),
        count(EntryKind::Province),
        count(EntryKind::District),
        places.len(),
        count(EntryKind::Place),
        count(EntryKind::BorderZone)
    ));
    for n in notes {
        s.push_str(n);
        s.push('\n');
    }
    s.push_str("\n## Border zones\n");
    for z in zones {
        s.push_str(&format!(
            "{} {}: km {} to {}\n",
            z.border_id, z.name, z.km_from, z.km_to
        ));
    }
    std::fs::write(path, s).with_context(|| format!("writing {}", path.display()))
}
