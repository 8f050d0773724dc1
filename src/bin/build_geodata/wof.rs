//! Reads the pruned Who's On First extract (`admin.geojson`, `places.ndjson`; see
//! `../shared/geodata-wof/SOURCES.md`): administrative units with their polygons and name
//! lists, and populated places with theirs. Nothing here decides what is shipped.

use crate::round6;
use anyhow::{Context, Result};
use geo::{Coord as GeoCoord, MultiPolygon, Polygon};
use serde_json::Value;
use std::io::BufRead;
use std::path::Path;

/// Name lists kept for matching: the languages and scripts reports about these countries are
/// written in (English and undetermined Latin variants, Dari/Persian, Pashto, Urdu, Arabic,
/// Russian, Tajik, Uzbek, Turkmen, Sindhi, Punjabi, Balochi). The hundreds of other
/// languages repeat these names in other alphabets and add nothing to matching.
const NAME_LANGUAGES: [&str; 14] = [
    "eng", "und", "fas", "prs", "pus", "urd", "ara", "rus", "tgk", "uzb", "tuk", "snd", "pnb",
    "bal",
];

/// An administrative unit: country, region (province) or county (district).
pub struct Unit {
    pub id: u64,
    pub placetype: String,
    pub country: String,
    pub name: String,
    pub current: bool,
    pub parent_id: i64,
    pub iso_code: Option<String>,
    /// Other spellings from the kept name lists, in file order (duplicates of `name` removed).
    pub names: Vec<String>,
    pub lon: f64,
    pub lat: f64,
    pub shape: MultiPolygon<f64>,
}

/// A populated place.
pub struct Place {
    pub wof_id: u64,
    pub geonames_id: Option<u64>,
    pub country: String,
    pub name: String,
    pub names: Vec<String>,
    pub feature_code: Option<String>,
    pub population: Option<u64>,
    pub lon: f64,
    pub lat: f64,
    /// Replaced by another record, or deprecated: not shipped.
    pub retired: bool,
}

/// Every name in the kept lists, the record's own name excluded, first spelling first.
fn kept_names(v: &Value, own: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(obj) = v.as_object() else {
        return out;
    };
    // Preferred names before variants, then by language in the order above: stable output.
    for suffix in ["_x_preferred", "_x_variant", "_x_colloquial"] {
        for lang in NAME_LANGUAGES {
            if let Some(list) = obj
                .get(&format!("{lang}{suffix}"))
                .and_then(Value::as_array)
            {
                for n in list.iter().filter_map(Value::as_str) {
                    let n = n.trim();
                    if !n.is_empty() && n != own && !out.iter().any(|x| x == n) {
                        out.push(n.to_string());
                    }
                }
            }
        }
    }
    out
}

pub fn to_multipolygon(geom: &Value) -> MultiPolygon<f64> {
    let ring = |r: &Value| -> geo::LineString<f64> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                Some(GeoCoord {
                    x: round6(p[0].as_f64()?),
                    y: round6(p[1].as_f64()?),
                })
            })
            .collect()
    };
    let poly = |p: &Value| -> Option<Polygon<f64>> {
        let rings = p.as_array()?;
        let ext = ring(rings.first()?);
        Some(Polygon::new(ext, rings.iter().skip(1).map(ring).collect()))
    };
    MultiPolygon(match geom["type"].as_str() {
        Some("Polygon") => poly(&geom["coordinates"]).into_iter().collect(),
        Some("MultiPolygon") => geom["coordinates"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(poly)
            .collect(),
        _ => Vec::new(),
    })
}

pub fn read_units(dir: &Path) -> Result<Vec<Unit>> {
    let path = dir.join("admin.geojson");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut out = Vec::new();
    for f in v["features"]
        .as_array()
        .context("admin.geojson: no features")?
    {
        let p = &f["properties"];
        let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
        let conc = &p["wof:concordances"];
        let name = s("wof:name");
        out.push(Unit {
            id: p["wof:id"]
                .as_u64()
                .context("admin.geojson: a unit without wof:id")?,
            placetype: s("wof:placetype"),
            country: s("wof:country"),
            current: p["mz:is_current"].as_i64() != Some(0),
            parent_id: p["wof:parent_id"].as_i64().unwrap_or(-1),
            iso_code: conc["iso:id"]
                .as_str()
                .or(conc["iso:code"].as_str())
                .map(str::to_string),
            names: kept_names(&p["names"], &name),
            name,
            lon: p["lon"].as_f64().unwrap_or(f64::NAN),
            lat: p["lat"].as_f64().unwrap_or(f64::NAN),
            shape: to_multipolygon(&f["geometry"]),
        });
    }
    out.sort_by_key(|u| u.id);
    Ok(out)
}

pub fn read_places(dir: &Path) -> Result<Vec<Place>> {
    let path = dir.join("places.ndjson");
    let f = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let p: Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))?;
        let name = p["wof:name"].as_str().unwrap_or("").trim().to_string();
        let retired = p["wof:superseded_by"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
            || p["edtf:deprecated"].as_str().is_some_and(|d| !d.is_empty());
        let population = p["gn:population"]
            .as_u64()
            .filter(|&n| n > 0)
            .or(p["wof:population"].as_u64().filter(|&n| n > 0));
        out.push(Place {
            wof_id: p["wof:id"]
                .as_u64()
                .with_context(|| format!("{}:{}: no wof:id", path.display(), i + 1))?,
            geonames_id: p["gn:id"].as_u64(),
            country: p["wof:country"].as_str().unwrap_or("").to_string(),
            names: kept_names(&p["names"], &name),
            name,
            feature_code: p["gn:feature_code"].as_str().map(str::to_string),
            population,
            lon: round6(p["lon"].as_f64().unwrap_or(f64::NAN)),
            lat: round6(p["lat"].as_f64().unwrap_or(f64::NAN)),
            retired,
        });
    }
    out.sort_by_key(|p| p.wof_id);
    Ok(out)
}
