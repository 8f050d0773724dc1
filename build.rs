//! Packs the shipped polygon layers (`geodata/countries.geojson`, `provinces.geojson`,
//! `districts.geojson`, about 11 MB of GeoJSON) into a compact binary form that the program
//! embeds and reads at the start of every command instead of parsing the GeoJSON (a JSON
//! number takes some 400 instructions to read; the packed coordinates are copied). The
//! GeoJSON stays the shipped data and what a `--geodata` folder holds; this is derived
//! from it at build time, read with the same crates, so the coordinates are the same to the
//! bit (tested in `src/geodata/packed.rs`).
//!
//! The form, little-endian: the number of features (u32); per feature its properties as
//! JSON (u32 length, UTF-8 bytes) and its outline: a byte, 0 for a feature with no geometry
//! or one that is not a Polygon or MultiPolygon (which the layers skip), 1 for one that is;
//! then the number of polygons (u32), per polygon the number of rings (u32), per ring the
//! number of positions (u32) and each position's longitude and latitude (f64).

use std::path::Path;

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo");
    for layer in ["countries", "provinces", "districts"] {
        let source = format!("geodata/{layer}.geojson");
        println!("cargo:rerun-if-changed={source}");
        let text =
            std::fs::read_to_string(&source).unwrap_or_else(|e| panic!("reading {source}: {e}"));
        let packed = pack(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
        let target = Path::new(&out_dir).join(format!("{layer}.packed"));
        std::fs::write(&target, packed)
            .unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
    }
    println!("cargo:rerun-if-changed=build.rs");
}

fn pack(text: &str) -> Result<Vec<u8>, String> {
    let fc: geojson::FeatureCollection = text.parse().map_err(|e| format!("{e}"))?;
    let mut out = Vec::with_capacity(text.len() / 2);
    put_len(&mut out, fc.features.len())?;
    for f in &fc.features {
        let properties = serde_json::to_string(&f.properties.clone().unwrap_or_default())
            .map_err(|e| format!("{e}"))?;
        put_len(&mut out, properties.len())?;
        out.extend_from_slice(properties.as_bytes());
        let polygons: Vec<&geojson::PolygonType> = match f.geometry.as_ref().map(|g| &g.value) {
            Some(geojson::GeometryValue::Polygon { coordinates: p }) => vec![p],
            Some(geojson::GeometryValue::MultiPolygon { coordinates: mp }) => mp.iter().collect(),
            _ => {
                out.push(0);
                continue;
            }
        };
        out.push(1);
        put_len(&mut out, polygons.len())?;
        for rings in polygons {
            put_len(&mut out, rings.len())?;
            for ring in rings {
                put_len(&mut out, ring.len())?;
                for position in ring {
                    if position.len() < 2 {
                        return Err("a position with fewer than two coordinates".into());
                    }
                    out.extend_from_slice(&position[0].to_le_bytes());
                    out.extend_from_slice(&position[1].to_le_bytes());
                }
            }
        }
    }
    Ok(out)
}

fn put_len(out: &mut Vec<u8>, n: usize) -> Result<(), String> {
    let n = u32::try_from(n).map_err(|_| format!("{n} items: more than a u32 counts"))?;
    out.extend_from_slice(&n.to_le_bytes());
    Ok(())
}
