//! The export stage end to end: an analysis of the shipped example (and of the real UCDP
//! rows when `../shared/realdata` exists) written as GeoJSON layers, QGIS styles and a QGIS
//! project, then read back the way QGIS reads them: GDAL's `ogrinfo` for the field types,
//! an XML parser for the styles and project, and — when the QGIS Python bindings are
//! installed — QGIS itself, headless, loading the project and rendering it to a PNG.

use borderwatch::density::kde::{self, KdeOptions};
use borderwatch::density::{Analysis, AnalysisOptions, analyse};
use borderwatch::export::layers::{RunMeta, write_all};
use borderwatch::geodata::GeoData;
use borderwatch::model::LocatedIncident;
use borderwatch::pipeline::ingest_and_geocode;
use borderwatch::projection::Projection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/tools.rs"]
mod tools;
use tools::{all_null_fields, have_ogrinfo, qgis_python, run_qgis_script};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Geocoded incidents and their analysis.
struct Run {
    geo: GeoData,
    located: Vec<LocatedIncident>,
    inputs: Vec<String>,
    analysis: Analysis,
}

fn run(inputs: &[PathBuf]) -> Run {
    let geo = GeoData::load(None).unwrap();
    let prepared = ingest_and_geocode(inputs, &geo, false, &mut |_| {}).unwrap();
    let located = prepared.geocoded.located;
    let analysis = analyse(&located, &geo, &AnalysisOptions::default());
    Run {
        geo,
        located,
        inputs: prepared.inputs,
        analysis,
    }
}

/// Writes everything into `dir`, the density surface on a small grid (fast in debug builds).
fn export(r: &Run, dir: &Path) -> Vec<PathBuf> {
    let proj = Projection::region();
    let kopts = KdeOptions {
        cols: 240,
        rows: 200,
        ..KdeOptions::default()
    };
    let surface = kde::surface(&r.located, &r.analysis, &kopts, &proj).unwrap();
    let meta = RunMeta::new(r.inputs.clone(), &r.located);
    let written = write_all(
        dir,
        &r.geo,
        &r.located,
        &r.analysis,
        Some(&surface),
        &[],
        &meta,
    )
    .unwrap();
    // To look at the output in QGIS: BORDERWATCH_KEEP_EXPORT=/some/folder cargo test ...
    if let Ok(keep) = std::env::var("BORDERWATCH_KEEP_EXPORT") {
        let name = format!("{}_{}", r.inputs.len(), r.located.len());
        let to = Path::new(&keep).join(name);
        write_all(
            &to,
            &r.geo,
            &r.located,
            &r.analysis,
            Some(&surface),
            &[],
            &meta,
        )
        .unwrap();
    }
    written
}

fn example() -> &'static Run {
    static RUN: std::sync::OnceLock<Run> = std::sync::OnceLock::new();
    RUN.get_or_init(|| run(&[]))
}

const LAYERS: [&str; 8] = [
    "countries",
    "provinces",
    "density_isobands",
    "corridors",
    "borders",
    "sectors",
    "segments",
    "incidents",
];

// ---------------------------------------------------------------------------------------
// The schema each layer is meant to have, as GDAL names the types.

const TALLY_RATES: [(&str, &str); 19] = [
    ("events_weighted", "Real"),
    ("events_raw", "Real"),
    ("records", "Integer"),
    ("fatalities", "Real"),
    ("fatalities_low", "Real"),
    ("fatalities_high", "Real"),
    ("fatalities_unknown_events", "Real"),
    ("wounded", "Real"),
    ("wounded_unknown_events", "Real"),
    ("largest_record_share", "Real"),
    ("imprecise_events", "Real"),
    ("aggregate_events", "Real"),
    ("length_km", "Real"),
    ("length_basis", "String"),
    ("years", "Real"),
    ("per_100km", "Real"),
    ("per_100km_per_year", "Real"),
    ("ci95_low", "Real"),
    ("ci95_high", "Real"),
];

/// The hotspot test's fields, on segments and sectors alike.
const HOTSPOT: [(&str, &str); 4] = [
    ("hotspot", "Integer(Boolean)"),
    ("hotspot_q", "Real"),
    ("hotspot_p", "Real"),
    ("hotspot_expected", "Real"),
];

fn schema(layer: &str) -> (&'static str, Vec<(&'static str, &'static str)>) {
    let s = |v: &[(&'static str, &'static str)]| v.to_vec();
    match layer {
        "countries" => (
            "Multi Polygon",
            s(&[("iso_a2", "String"), ("name", "String")]),
        ),
        "provinces" => (
            "Multi Polygon",
            s(&[
                ("province_id", "String"),
                ("name", "String"),
                ("country", "String"),
            ]),
        ),
        "density_isobands" => (
            "Multi Polygon",
            s(&[
                ("band", "Integer"),
                ("lo", "Real"),
                ("hi", "Real"),
                ("label", "String"),
            ]),
        ),
        "corridors" => (
            "Multi Polygon",
            s(&[
                ("border_id", "String"),
                ("name", "String"),
                ("corridor_km", "Real"),
                ("corridor_side", "String"),
                ("side_country", "String"),
                ("area_km2", "Real"),
                ("events_weighted", "Real"),
                ("per_100km_per_year", "Real"),
            ]),
        ),
        "borders" => {
            let mut v = s(&[
                ("border_id", "String"),
                ("name", "String"),
                ("country_a", "String"),
                ("country_b", "String"),
                ("measured_km", "Real"),
                ("published_km", "Real"),
                ("published_source", "String"),
            ]);
            v.extend(TALLY_RATES);
            v.extend([
                ("data_start", "Date"),
                ("data_end", "Date"),
                ("sources", "String"),
            ]);
            ("Line String", v)
        }
        "sectors" => {
            let mut v = s(&[
                ("sector_id", "String"),
                ("border_id", "String"),
                ("province_id", "String"),
                ("province", "String"),
                ("country", "String"),
                ("afghan_side", "Integer(Boolean)"),
                ("km_from", "Real"),
                ("km_to", "Real"),
                ("measured_km", "Real"),
            ]);
            v.extend(TALLY_RATES);
            v.extend(HOTSPOT);
            ("Line String", v)
        }
        "segments" => {
            let mut v = s(&[
                ("segment_id", "String"),
                ("border_id", "String"),
                ("index", "Integer"),
                ("km_from", "Real"),
                ("km_to", "Real"),
                ("measured_km", "Real"),
                ("provinces", "String"),
            ]);
            v.extend(TALLY_RATES);
            v.extend(HOTSPOT);
            ("Line String", v)
        }
        "incidents" => (
            "Point",
            s(&[
                ("incident_id", "String"),
                ("date_start", "Date"),
                ("date_end", "Date"),
                ("date_precision", "String"),
                ("country", "String"),
                ("admin1", "String"),
                ("admin2", "String"),
                ("location", "String"),
                ("event_type", "String"),
                ("actors", "String"),
                ("fatalities", "Real"),
                ("fatalities_low", "Real"),
                ("fatalities_high", "Real"),
                ("wounded", "Real"),
                ("targets", "String"),
                ("origin", "String"),
                ("count", "Real"),
                ("source", "String"),
                ("source_url", "String"),
                ("notes", "String"),
                ("source_format", "String"),
                ("source_file", "String"),
                ("source_line", "Integer"),
                ("gazetteer_id", "String"),
                ("gazetteer_name", "String"),
                ("province_id", "String"),
                ("province", "String"),
                ("district_id", "String"),
                ("district", "String"),
                ("locate_method", "String"),
                ("match_score", "Real"),
                ("precision", "String"),
                ("ucdp_where_prec", "Integer"),
                ("acled_geo_precision", "Integer"),
                ("uncertainty_km", "Real"),
                ("stretch_border", "String"),
                ("stretch_km_from", "Real"),
                ("stretch_km_to", "Real"),
                ("ambiguous", "Integer(Boolean)"),
                ("alternatives", "String"),
                ("explanation", "String"),
                ("possible_duplicates", "String"),
                ("nearest_border", "String"),
                ("border_distance_km", "Real"),
                ("border_km", "Real"),
                ("border_side", "String"),
                ("corridor_share", "Real"),
                ("analysis_weight", "Real"),
                ("analysis_excluded", "String"),
            ]),
        ),
        other => panic!("unknown layer {other}"),
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------
// ogrinfo

struct OgrInfo {
    name: String,
    geometry: String,
    count: usize,
    fields: Vec<(String, String)>,
}

fn ogrinfo(path: &Path) -> OgrInfo {
    let out = Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{}: {err}", path.display());
    assert!(
        !err.contains("Warning") && !err.contains("ERROR"),
        "{}: {err}",
        path.display()
    );
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("{}: no {key:?} in\n{text}", path.display()))
            .trim()
            .to_string()
    };
    let mut fields = Vec::new();
    let mut in_fields = false;
    for l in text.lines() {
        if l.starts_with("Data axis to CRS axis mapping") {
            in_fields = true;
            continue;
        }
        if in_fields
            && !l.starts_with(' ')
            && !l.starts_with("FID Column")
            && let Some((name, rest)) = l.split_once(": ")
        {
            let ty = rest.split(" (").next().unwrap_or(rest).to_string();
            fields.push((name.to_string(), ty));
        }
    }
    OgrInfo {
        name: get("Layer name:"),
        geometry: get("Geometry:"),
        count: get("Feature Count:").parse().unwrap(),
        fields,
    }
}

/// Checks one layer file against its schema with ogrinfo; prints the field table.
fn check_with_ogrinfo(path: &Path, layer: &str) -> OgrInfo {
    let info = ogrinfo(path);
    let json = read_json(path);
    let (geometry, fields) = schema(layer);
    assert_eq!(info.name, layer, "{}", path.display());
    assert_eq!(info.geometry, geometry, "{layer}");
    assert_eq!(
        info.count,
        json["features"].as_array().unwrap().len(),
        "{layer}"
    );
    let nulls = all_null_fields(&json);
    let got: Vec<&str> = info.fields.iter().map(|f| f.0.as_str()).collect();
    let want: Vec<&str> = fields.iter().map(|f| f.0).collect();
    // The input's own columns follow the schema's fields on the incidents layer.
    let schema_part = if layer == "incidents" {
        &got[..want.len().min(got.len())]
    } else {
        &got[..]
    };
    assert_eq!(schema_part, want, "{layer}: fields and their order");
    println!("{layer} ({}, {} features):", info.geometry, info.count);
    for ((name, ty), (_, want)) in info.fields.iter().zip(&fields) {
        if ty == want {
            println!("  {name}: {ty}");
        } else {
            assert!(
                ty == "String" && nulls.contains(name),
                "{layer}.{name}: GDAL reads {ty}, meant {want}"
            );
            println!("  {name}: {ty} (meant {want}; null on every feature, so GDAL cannot tell)");
        }
    }
    info
}

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn every_layer_opens_in_gdal_with_its_name_geometry_count_and_field_types() {
    let r = example();
    let dir = tempfile::tempdir().unwrap();
    let written = export(r, dir.path());
    for l in LAYERS {
        let p = dir.path().join(format!("{l}.geojson"));
        assert!(written.contains(&p), "{l} written");
    }
    if !have_ogrinfo() {
        return;
    }
    for l in LAYERS {
        let info = check_with_ogrinfo(&dir.path().join(format!("{l}.geojson")), l);
        let expected = match l {
            "incidents" => Some(r.located.len()),
            "borders" | "corridors" => Some(r.geo.borders.len()),
            "segments" => Some(r.analysis.borders.iter().map(|b| b.segments.len()).sum()),
            "sectors" => Some(r.analysis.borders.iter().map(|b| b.sectors.len()).sum()),
            "countries" => Some(r.geo.countries.len()),
            "provinces" => Some(r.geo.provinces.len()),
            _ => None,
        };
        if let Some(n) = expected {
            assert_eq!(info.count, n, "{l}");
        }
    }
    assert_eq!(r.located.len(), 12);
}

#[test]
fn layers_follow_the_geojson_conventions() {
    let r = example();
    let dir = tempfile::tempdir().unwrap();
    export(r, dir.path());
    for l in LAYERS {
        let v = read_json(&dir.path().join(format!("{l}.geojson")));
        let o = v.as_object().unwrap();
        assert_eq!(o["type"], "FeatureCollection");
        assert_eq!(o["name"], l);
        assert!(!o.contains_key("crs"), "{l}: no crs member (RFC 7946)");
        let attribution = o["attribution"].as_str().unwrap();
        assert!(attribution.is_ascii(), "{l}: {attribution}");
        for needle in ["Natural Earth", "public domain", "GeoNames", "CC BY 4.0"] {
            assert!(
                attribution.contains(needle),
                "{l}: {needle} in {attribution}"
            );
        }
        assert!(
            attribution.contains("The National Interest"),
            "{attribution}"
        );
        assert_eq!(
            o["generator"],
            format!("borderwatch {}", env!("CARGO_PKG_VERSION"))
        );
        let p = &o["parameters"];
        assert_eq!(p["segment_km"], 25.0);
        assert_eq!(p["corridor_km"], 50.0);
        assert_eq!(p["corridor_side"], "both");
        assert!(p["window_start"].as_str().unwrap().len() == 10);
        let feats = o["features"].as_array().unwrap();
        let keys: Vec<&String> = feats[0]["properties"].as_object().unwrap().keys().collect();
        // One JSON type per key across the layer (null aside).
        let mut types: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, f) in feats.iter().enumerate() {
            assert_eq!(
                f["id"].as_u64(),
                Some(i as u64 + 1),
                "{l}: numeric feature id"
            );
            let props = f["properties"].as_object().unwrap();
            assert!(!props.contains_key("id"), "{l}: no id property");
            assert_eq!(props.keys().collect::<Vec<_>>(), keys, "{l}: same keys");
            for (k, v) in props {
                let t = match v {
                    Value::Null => continue,
                    Value::String(s) => {
                        assert!(!s.is_empty(), "{l}.{k}: unknown is null, never \"\"");
                        "string"
                    }
                    Value::Number(n) if n.is_f64() => "real",
                    Value::Number(_) => "integer",
                    Value::Bool(_) => "bool",
                    _ => "other",
                };
                let prev = types.entry(k.as_str()).or_insert(t);
                assert_eq!(*prev, t, "{l}.{k}: one JSON type");
            }
            // Coordinates rounded to 6 decimals.
            let text = f["geometry"]["coordinates"].to_string();
            for num in text
                .split(|c: char| "[],".contains(c))
                .filter(|s| !s.is_empty())
            {
                let decimals = num.split('.').nth(1).map_or(0, str::len);
                assert!(decimals <= 6, "{l}: {num}");
            }
        }
        for d in ["date_start", "date_end", "data_start", "data_end"] {
            if let Some(Value::String(s)) = types.get(d).map(|_| &feats[0]["properties"][d]) {
                assert_eq!(s.len(), 10, "{l}.{d}: a full ISO date");
            }
        }
    }
    // The incident layer carries the placement on its border.
    let inc = read_json(&dir.path().join("incidents.geojson"));
    let feats = inc["features"].as_array().unwrap();
    let camp = feats
        .iter()
        .find(|f| f["properties"]["incident_id"] == "TJ-2025-11-26")
        .unwrap();
    assert_eq!(camp["properties"]["nearest_border"], "AF-TJ");
    assert_eq!(camp["properties"]["border_side"], "TJ");
    assert!(camp["properties"]["border_distance_km"].as_f64().unwrap() < 50.0);
    let stat = feats
        .iter()
        .find(|f| f["properties"]["event_type"] == "statistic")
        .unwrap();
    assert_eq!(stat["properties"]["analysis_weight"], 0.0);
    assert!(stat["properties"]["analysis_excluded"].is_string());
    // Partial dates become full dates with their precision.
    let month = feats
        .iter()
        .find(|f| f["properties"]["incident_id"] == "TJ-2025-12")
        .unwrap();
    assert_eq!(month["properties"]["date_start"], "2025-12-01");
    assert_eq!(month["properties"]["date_end"], "2025-12-31");
    assert_eq!(month["properties"]["date_precision"], "month");

    // Tables and their metadata.
    let meta = read_json(&dir.path().join("tables_metadata.json"));
    assert!(meta["attribution"].as_str().unwrap().contains("GeoNames"));
    let files: Vec<&str> = meta["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["file"].as_str().unwrap())
        .collect();
    for f in &files {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
    assert!(files.contains(&"segments.csv"));
}

#[test]
fn corridors_cover_the_corridor_and_one_sided_corridors_half_of_it() {
    let r = example();
    let dir = tempfile::tempdir().unwrap();
    export(r, dir.path());
    let both = read_json(&dir.path().join("corridors.geojson"));
    let area = |v: &Value, id: &str| -> f64 {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["border_id"] == id)
            .unwrap()["properties"]["area_km2"]
            .as_f64()
            .unwrap()
    };
    let tj = r.geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
    // A 50 km half-width along 1,372 km: at most 2 × 50 × length, less where the Panj's
    // bends fold the corridor over itself (about three quarters of it on the survey line).
    let a = area(&both, "AF-TJ");
    let full = 2.0 * 50.0 * tj.measured_km;
    assert!(a > 0.65 * full && a < 1.02 * full, "{a} vs {full}");

    let opts = AnalysisOptions {
        corridor_side: borderwatch::density::assign::CorridorSide::Afghan,
        ..AnalysisOptions::default()
    };
    let one = Run {
        geo: GeoData::load(None).unwrap(),
        located: r.located.clone(),
        inputs: r.inputs.clone(),
        analysis: analyse(&r.located, &r.geo, &opts),
    };
    let dir1 = tempfile::tempdir().unwrap();
    export(&one, dir1.path());
    let afghan = read_json(&dir1.path().join("corridors.geojson"));
    let f = afghan["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["border_id"] == "AF-TJ")
        .unwrap();
    assert_eq!(f["properties"]["corridor_side"], "afghan");
    assert_eq!(f["properties"]["side_country"], "AF");
    let half = area(&afghan, "AF-TJ");
    assert!(half > 0.35 * a && half < 0.65 * a, "{half} vs {a}");
    // The Afghan side of AF-TJ is south of the river: a point 25 km into Kunduz is in the
    // Afghan corridor, one 25 km into Khatlon is not (both are in the two-sided one).
    let shape = |f: &Value| -> geo::MultiPolygon<f64> {
        let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
        match geo::Geometry::<f64>::try_from(g).unwrap() {
            geo::Geometry::MultiPolygon(mp) => mp,
            other => panic!("{other:?}"),
        }
    };
    let both_tj = both["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["border_id"] == "AF-TJ")
        .unwrap();
    use geo::Contains;
    let (afghan_pt, tajik_pt) = (geo::Point::new(68.6, 36.97), geo::Point::new(68.6, 37.45));
    assert!(shape(both_tj).contains(&afghan_pt) && shape(both_tj).contains(&tajik_pt));
    assert!(shape(f).contains(&afghan_pt));
    assert!(!shape(f).contains(&tajik_pt));
}

#[test]
fn the_same_input_gives_byte_identical_files() {
    let r = example();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let wa = export(r, a.path());
    let wb = export(r, b.path());
    assert_eq!(wa.len(), wb.len());
    let names = |d: &Path| -> BTreeSet<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect()
    };
    assert_eq!(names(a.path()), names(b.path()));
    for n in names(a.path()) {
        let (x, y) = (
            std::fs::read(a.path().join(&n)).unwrap(),
            std::fs::read(b.path().join(&n)).unwrap(),
        );
        assert!(x == y, "{n} differs between two runs");
    }
    // One style per layer, one project.
    let all = names(a.path());
    for l in LAYERS {
        assert!(all.contains(&format!("{l}.qml")), "{l}.qml");
    }
    assert!(all.contains("borderwatch.qgs"));
}

#[test]
fn styles_and_project_are_xml_and_the_project_opens_every_layer() {
    let r = example();
    let dir = tempfile::tempdir().unwrap();
    export(r, dir.path());
    for l in LAYERS {
        let text = std::fs::read_to_string(dir.path().join(format!("{l}.qml"))).unwrap();
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{l}.qml: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "qgis");
        let renderer = doc
            .descendants()
            .find(|n| n.has_tag_name("renderer-v2"))
            .unwrap();
        let expected = match l {
            "incidents" => "RuleRenderer",
            "segments" | "sectors" | "density_isobands" => "graduatedSymbol",
            "countries" => "categorizedSymbol",
            _ => "singleSymbol",
        };
        assert_eq!(renderer.attribute("type"), Some(expected), "{l}");
        if l == "segments" {
            assert_eq!(renderer.attribute("attr"), Some("per_100km_per_year"));
            let ranges = doc
                .descendants()
                .filter(|n| n.has_tag_name("range"))
                .count();
            // "none", then the run's classes (on every analysed border: no pair compared).
            let classes =
                borderwatch::export::classes::RateClasses::for_run(&r.analysis, &[] as &[&str]);
            assert!(classes.len() >= 2);
            assert_eq!(ranges, classes.len() + 1);
        }
        if l == "incidents" {
            assert!(
                text.contains("&quot;fatalities&quot;"),
                "size by fatalities"
            );
            assert!(text.contains("drone_strike") && text.contains("border_closure"));
        }
    }
    let text = std::fs::read_to_string(dir.path().join("borderwatch.qgs")).unwrap();
    let doc = roxmltree::Document::parse_with_options(
        &text,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap();
    let sources: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("datasource"))
        .filter_map(|n| n.text())
        .collect();
    for s in &sources {
        assert!(s.starts_with("./"), "relative path: {s}");
        let file = s[2..].split('|').next().unwrap();
        assert!(dir.path().join(file).is_file(), "{s} exists");
    }
    // The layers come from the GeoPackage when it is written (the default).
    for l in LAYERS {
        assert!(
            sources.contains(&format!("./borderwatch.gpkg|layername={l}").as_str()),
            "project opens {l}"
        );
    }
    // Drawing order: the layer tree lists the top layer first.
    let tree: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("layer-tree-layer"))
        // The print layout's legend lists some of them again.
        .filter(|n| !n.ancestors().any(|a| a.has_tag_name("Layout")))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(
        tree,
        [
            "incidents",
            "segments",
            "sectors",
            "borders",
            "corridors",
            "density_isobands",
            "districts",
            "provinces",
            "countries"
        ]
    );
    for srs in doc
        .descendants()
        .filter(|n| n.has_tag_name("maplayer"))
        .map(|m| {
            m.descendants()
                .find(|n| n.has_tag_name("authid"))
                .and_then(|n| n.text())
        })
    {
        assert_eq!(srs, Some("EPSG:4326"));
    }
    let abstract_text = doc
        .descendants()
        .find(|n| n.has_tag_name("abstract") && n.parent().unwrap().has_tag_name("projectMetadata"))
        .and_then(|n| n.text())
        .unwrap();
    assert!(abstract_text.contains("GeoNames") && abstract_text.contains("corridor_km"));
    assert!(
        text.contains("+proj=aea"),
        "project CRS: the region's Albers projection"
    );
}

// ---------------------------------------------------------------------------------------
// QGIS itself

const QGIS_CHECK: &str = r#"
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsProject, QgsVectorLayer, QgsMapSettings,
                       QgsMapRendererSequentialJob, QgsRenderContext, QgsSymbolLayer,
                       QgsExpressionContextUtils)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

app = QgsApplication([], False)
app.initQgis()
folder, png = sys.argv[1], sys.argv[2]
out = {"version": __import__("qgis.core").core.Qgis.QGIS_VERSION, "qml": {}, "project": {}}

def describe(vl):
    r = vl.renderer()
    syms = r.symbols(QgsRenderContext()) if r else []
    d = {"valid": vl.isValid(), "renderer": r.type() if r else None,
         "features": vl.featureCount(), "crs": vl.crs().authid(),
         "fields": {f.name(): f.typeName() for f in vl.fields()},
         "labels": vl.labelsEnabled(), "colors": [s.color().name(QColor.HexArgb) for s in syms],
         "classes": len(syms)}
    if syms and syms[0].symbolLayerCount() > 0:
        props = syms[0].symbolLayer(0).dataDefinedProperties()
        d["dd_size"] = props.isActive(QgsSymbolLayer.PropertySize)
    return d

for f in sorted(os.listdir(folder)):
    if f.endswith(".geojson"):
        name = f[:-len(".geojson")]
        out["qml"][name] = describe(QgsVectorLayer(os.path.join(folder, f), name, "ogr"))

prj = QgsProject.instance()
ok = prj.read(os.path.join(folder, "borderwatch.qgs"))
p = out["project"]
p["read"] = ok
p["crs_valid"] = prj.crs().isValid()
p["crs_proj"] = prj.crs().toProj()
p["layers"] = {l.name(): dict(describe(l), source=l.source()) for l in prj.mapLayers().values()}
root = prj.layerTreeRoot()
p["order"] = [l.name() for l in root.layerOrder()]
p["checked"] = [l.name() for l in root.checkedLayers()]
ext = prj.viewSettings().defaultViewExtent()
p["extent"] = [ext.xMinimum(), ext.yMinimum(), ext.xMaximum(), ext.yMaximum()]
p["extent_crs_valid"] = ext.crs().isValid()
p["abstract"] = prj.metadata().abstract()
p["parameters"] = prj.readEntry("borderwatch", "/parameters")[0]
p["attribution_variable"] = QgsExpressionContextUtils.projectScope(prj).variable("borderwatch_attribution")

ms = QgsMapSettings()
ms.setLayers([l for l in root.layerOrder() if l in root.checkedLayers()])
ms.setDestinationCrs(prj.crs())
ms.setExtent(ext)
ms.setOutputSize(QSize(1200, 900))
ms.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererSequentialJob(ms)
job.start()
job.waitForFinished()
img = job.renderedImage()
colors = set()
for y in range(0, img.height(), 6):
    for x in range(0, img.width(), 6):
        colors.add(img.pixel(x, y))
out["render"] = {"saved": img.save(png, "PNG"), "width": img.width(), "height": img.height(),
                 "distinct_colors": len(colors), "errors": [e.message for e in job.errors()]}
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)
"#;

#[test]
fn qgis_loads_the_project_with_its_styles_and_renders_it() {
    let Some(py) = qgis_python() else {
        println!("skipping: QGIS Python bindings not installed");
        return;
    };
    let r = example();
    let dir = tempfile::tempdir().unwrap();
    export(r, dir.path());
    let png = dir.path().join("borderwatch.png");
    let v = run_qgis_script(
        &py,
        QGIS_CHECK,
        dir.path(),
        &[dir.path().as_os_str(), png.as_os_str()],
    );
    println!("QGIS {}", v["version"]);
    let expected = [
        ("countries", "categorizedSymbol"),
        ("provinces", "singleSymbol"),
        ("density_isobands", "graduatedSymbol"),
        ("corridors", "singleSymbol"),
        ("borders", "singleSymbol"),
        ("sectors", "graduatedSymbol"),
        ("segments", "graduatedSymbol"),
        ("incidents", "RuleRenderer"),
    ];
    // Each layer alone: QGIS applies the .qml beside it.
    for (l, renderer) in expected {
        let d = &v["qml"][l];
        println!("{l}: {d}");
        assert_eq!(d["valid"], true, "{l}");
        assert_eq!(d["renderer"], renderer, "{l}: style from {l}.qml");
        assert_eq!(d["crs"], "EPSG:4326", "{l}");
    }
    // "none", then the run's rate classes.
    let classes = borderwatch::export::classes::RateClasses::for_run(&r.analysis, &[] as &[&str]);
    assert_eq!(v["qml"]["segments"]["classes"], classes.len() + 1);
    assert_eq!(v["qml"]["borders"]["colors"][0], "#ff1e1e1e");
    assert_eq!(v["qml"]["incidents"]["dd_size"], true);
    assert_eq!(v["qml"]["countries"]["labels"], true);
    assert_eq!(v["qml"]["incidents"]["fields"]["date_start"], "Date");
    assert_eq!(v["qml"]["incidents"]["fields"]["incident_id"], "String");
    assert_eq!(v["qml"]["segments"]["fields"]["per_100km_per_year"], "Real");
    // The project.
    let p = &v["project"];
    assert_eq!(p["read"], true, "{p}");
    assert_eq!(p["crs_valid"], true);
    assert!(p["crs_proj"].as_str().unwrap().contains("+proj=aea"));
    for (l, renderer) in expected {
        let d = &p["layers"][l];
        assert_eq!(d["valid"], true, "{l} in the project");
        assert_eq!(d["renderer"], renderer, "{l} in the project");
        assert_eq!(d["crs"], "EPSG:4326", "{l} in the project");
        assert!(
            d["source"]
                .as_str()
                .unwrap()
                .ends_with(&format!("borderwatch.gpkg|layername={l}")),
            "{l}: {}",
            d["source"]
        );
    }
    let order: Vec<&str> = p["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(order.first(), Some(&"incidents"));
    assert_eq!(order.last(), Some(&"countries"));
    assert_eq!(p["extent_crs_valid"], true);
    let e: Vec<f64> = p["extent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!(e[2] - e[0] > 1.0e6 && e[3] - e[1] > 1.0e6, "{e:?} (metres)");
    assert!(p["abstract"].as_str().unwrap().contains("Natural Earth"));
    assert!(
        p["parameters"]
            .as_str()
            .unwrap()
            .contains("\"corridor_km\"")
    );
    assert!(
        p["attribution_variable"]
            .as_str()
            .unwrap()
            .contains("GeoNames")
    );
    // The rendering.
    let render = &v["render"];
    println!("render: {render}");
    assert_eq!(render["saved"], true);
    assert!(render["errors"].as_array().unwrap().is_empty(), "{render}");
    assert!(
        render["distinct_colors"].as_u64().unwrap() > 20,
        "a map, not a blank image: {render}"
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000);
    if let Ok(keep) = std::env::var("BORDERWATCH_KEEP_PNG") {
        std::fs::copy(&png, keep).unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Real data

#[test]
fn real_ucdp_rows_export_and_open_in_gdal() {
    let file = manifest().join("../shared/realdata/ucdp_ged_v22_1_hdx_pak.csv");
    if !file.is_file() {
        println!("skipping: ../shared/realdata not present (only CI and the team have it)");
        return;
    }
    let r = run(&[file]);
    assert!(r.located.len() > 6000, "{}", r.located.len());
    let dir = tempfile::tempdir().unwrap();
    export(&r, dir.path());
    let v = read_json(&dir.path().join("incidents.geojson"));
    assert!(
        v["attribution"]
            .as_str()
            .unwrap()
            .contains("UCDP Georeferenced Event Dataset")
    );
    if !have_ogrinfo() {
        return;
    }
    let info = check_with_ogrinfo(&dir.path().join("incidents.geojson"), "incidents");
    assert_eq!(info.count, r.located.len());
    let types: BTreeMap<&str, &str> = info
        .fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    for (f, t) in [
        ("date_start", "Date"),
        ("fatalities", "Real"),
        ("fatalities_low", "Real"),
        ("fatalities_high", "Real"),
        ("incident_id", "String"),
        ("notes", "String"),
        ("ucdp_where_prec", "Integer"),
    ] {
        assert_eq!(types.get(f), Some(&t), "{f}");
    }
    for l in ["segments", "density_isobands", "corridors", "borders"] {
        check_with_ogrinfo(&dir.path().join(format!("{l}.geojson")), l);
    }
}

#[test]
fn free_text_that_looks_like_dates_stays_text_in_gdal() {
    // Ids that are dates: GDAL would type the field Date; the layer must keep it String.
    let r = example();
    let mut located = r.located.clone();
    for (i, l) in located.iter_mut().enumerate() {
        l.record.id = (format!("2025-11-{:02}", i + 1)).into();
        l.record.notes = Some("2025/12/01".into());
    }
    let analysis = analyse(&located, &r.geo, &AnalysisOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let meta = RunMeta::new(r.inputs.clone(), &located);
    write_all(dir.path(), &r.geo, &located, &analysis, None, &[], &meta).unwrap();
    let path = dir.path().join("incidents.geojson");
    let v = read_json(&path);
    // possible_duplicates lists ids too (one each here), so it is date-like text as well.
    assert_eq!(
        v["text_marked_fields"],
        serde_json::json!(["incident_id", "notes", "possible_duplicates"])
    );
    assert_eq!(v["features"][0]["properties"]["incident_id"], "'2025-11-01");
    assert!(!dir.path().join("density_isobands.geojson").exists());
    if !have_ogrinfo() {
        return;
    }
    let info = check_with_ogrinfo(&path, "incidents");
    let t: BTreeMap<&str, &str> = info
        .fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(t["incident_id"], "String");
    assert_eq!(t["notes"], "String");
    assert_eq!(t["date_start"], "Date");
}
