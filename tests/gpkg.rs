//! `borderwatch.gpkg` and the fixed layer schema, checked as users and their tools check
//! them: `borderwatch export` run on the shipped example, on an input whose every optional
//! field is empty, and on a UCDP GED file (synthetic fixtures in tests/data/ingest); GDAL's
//! `ogrinfo` for the field types of the GeoPackage and of the GeoJSON; SQLite itself
//! (rusqlite) for the integrity check, the contents, the R-trees and the styles; and QGIS,
//! headless, when its Python bindings are installed: each layer of the package styled on its
//! own, the project time-aware, its print layout exported to PNG.

use assert_cmd::Command;
use borderwatch::export::schema::{FieldType, fields};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[path = "support/tools.rs"]
mod tools;
use tools::{all_null_fields, have_ogrinfo, qgis_python, run_qgis_script};

fn bw() -> Command {
    Command::cargo_bin("borderwatch").unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ingest")
        .join(name)
}

/// The layers a run writes.
const LAYERS: [&str; 9] = [
    "countries",
    "provinces",
    "districts",
    "density_isobands",
    "corridors",
    "borders",
    "sectors",
    "segments",
    "incidents",
];

/// `borderwatch export INPUTS --out DIR ARGS`, which must succeed; returns the folder.
fn export(dir: &Path, inputs: &[PathBuf], args: &[&str]) -> PathBuf {
    let out = dir.join("out");
    let o = bw()
        .current_dir(dir)
        .arg("export")
        .args(inputs)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

/// The example exported once, shared by the tests that only read it.
fn example() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        export(d.path(), &[], &[]);
        d
    });
    Box::leak(dir.path().join("out").into_boxed_path())
}

/// Each layer of a file as `ogrinfo -ro -so -al` describes it: its fields and GDAL types.
fn ogr_fields(path: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    let o = std::process::Command::new("ogrinfo")
        .args(["-ro", "-so", "-al"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{}: {err}", path.display());
    assert!(
        !err.contains("Warning") && !err.contains("ERROR"),
        "{}: {err}",
        path.display()
    );
    let mut layers: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let (mut layer, mut in_fields) = (String::new(), false);
    for l in text.lines() {
        if let Some(name) = l.strip_prefix("Layer name: ") {
            layer = name.trim().to_string();
            layers.entry(layer.clone()).or_default();
            in_fields = false;
        } else if l.starts_with("Data axis to CRS axis mapping")
            || l.starts_with("FID Column")
            || l.starts_with("Geometry Column")
        {
            in_fields = true;
        } else if in_fields
            && !l.starts_with(' ')
            && let Some((name, rest)) = l.split_once(": ")
        {
            let ty = rest.split(" (").next().unwrap_or(rest).to_string();
            layers.get_mut(&layer).unwrap().push((name.to_string(), ty));
        }
    }
    layers
}

/// Checks a run's layers against the schema in both files; returns the GeoPackage's types.
fn check_types(out: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    let package = ogr_fields(&out.join("borderwatch.gpkg"));
    for layer in LAYERS {
        let got = &package[layer];
        let want: Vec<(String, String)> = fields(layer)
            .iter()
            .map(|f| (f.name.to_string(), f.ty.gdal().to_string()))
            .collect();
        assert_eq!(&got[..want.len()], &want[..], "{layer} in the GeoPackage");
        if layer != "incidents" {
            assert_eq!(got.len(), want.len(), "{layer}: only the schema's fields");
        }
        let path = out.join(format!("{layer}.geojson"));
        let json = &ogr_fields(&path)[layer];
        let json_layer: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let nulls = all_null_fields(&json_layer);
        assert_eq!(
            json.len(),
            got.len(),
            "{layer}: the same fields in both files"
        );
        for ((name, ty), (jname, jty)) in got.iter().zip(json) {
            assert_eq!(name, jname, "{layer}: field order");
            assert!(
                ty == jty || (jty == "String" && nulls.contains(name)),
                "{layer}.{name}: GeoPackage {ty}, GeoJSON {jty}"
            );
        }
    }
    assert_eq!(package["layer_styles"].len(), 12, "layer_styles columns");
    package
}

#[test]
fn every_run_has_the_schemas_field_types_in_the_geopackage_and_the_geojson() {
    if !have_ogrinfo() {
        return;
    }
    let empty_dir = tempfile::tempdir().unwrap();
    let ucdp_dir = tempfile::tempdir().unwrap();
    let shipped = check_types(example());
    let empty = check_types(&export(
        empty_dir.path(),
        &[fixture("native_empty_optional.csv")],
        &[],
    ));
    let ucdp = check_types(&export(
        ucdp_dir.path(),
        &[fixture("ucdp_synthetic.csv")],
        &[],
    ));
    // The schema's fields: the same types in every run, whatever the values.
    for layer in LAYERS {
        let n = fields(layer).len();
        assert_eq!(shipped[layer][..n], empty[layer][..n], "{layer}");
        assert_eq!(shipped[layer][..n], ucdp[layer][..n], "{layer}");
    }
    // What the issue found typed by the values is typed by the schema.
    let t = |run: &BTreeMap<String, Vec<(String, String)>>, f: &str| {
        run["incidents"]
            .iter()
            .find(|(n, _)| n == f)
            .map(|(_, t)| t.clone())
            .unwrap()
    };
    for f in [
        "fatalities_low",
        "wounded",
        "stretch_km_from",
        "stretch_km_to",
    ] {
        assert_eq!(t(&empty, f), "Real", "{f}");
    }
    assert_eq!(t(&empty, "date_start"), "Date");
    // The UCDP file's own columns are fields of their own, typed by their values.
    let own: Vec<(&str, &str)> = ucdp["incidents"][fields("incidents").len()..]
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    for want in [
        ("active_year", "Integer"),
        ("conflict_name", "String"),
        ("deaths_civilians", "Integer"),
        ("source_article", "String"),
        ("year", "Integer"),
    ] {
        assert!(own.contains(&want), "{want:?} in {own:?}");
    }
    assert!(!ucdp["incidents"].iter().any(|(n, _)| n == "extra"));
    // tables_metadata.json lists the same schema.
    let meta: Value =
        serde_json::from_slice(&std::fs::read(example().join("tables_metadata.json")).unwrap())
            .unwrap();
    let layers = meta["layers"].as_array().unwrap();
    assert_eq!(layers.len(), LAYERS.len());
    for l in layers {
        let name = l["layer"].as_str().unwrap();
        let listed: Vec<&str> = l["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        let want: Vec<String> = fields(name).iter().map(|f| f.name.to_string()).collect();
        assert_eq!(listed, want, "{name} in tables_metadata.json");
    }
}

#[test]
fn the_geopackage_passes_sqlites_check_and_holds_its_tables_indexes_and_styles() {
    let out = example();
    let db = Connection::open_with_flags(
        out.join("borderwatch.gpkg"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let one =
        |sql: &str| -> rusqlite::types::Value { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    let int = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("PRAGMA integrity_check"), "ok".to_string().into());
    assert_eq!(int("PRAGMA application_id"), 0x4750_4B47);
    assert_eq!(int("PRAGMA user_version"), 10300);
    assert_eq!(
        one("PRAGMA journal_mode"),
        "delete".to_string().into(),
        "no WAL file beside the package"
    );
    assert_eq!(
        int("SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id IN (-1, 0, 4326)"),
        3
    );
    for layer in LAYERS {
        let (kind, srs, x0, y0, x1, y1, changed): (String, i64, f64, f64, f64, f64, String) = db
            .query_row(
                "SELECT data_type, srs_id, min_x, min_y, max_x, max_y, last_change FROM gpkg_contents WHERE table_name = ?1",
                [layer],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .unwrap();
        assert_eq!((kind.as_str(), srs), ("features", 4326), "{layer}");
        assert!(
            x0 >= 55.0 && y0 >= 23.0 && x1 <= 80.0 && y1 <= 45.0,
            "{layer}"
        );
        // The latest incident's last day, not the clock.
        assert_eq!(changed, "2026-01-31T00:00:00.000Z", "{layer}");
        let features = int(&format!("SELECT count(*) FROM \"{layer}\""));
        let indexed = int(&format!("SELECT count(*) FROM \"rtree_{layer}_geom\""));
        assert!(features > 0, "{layer}");
        assert_eq!(indexed, features, "{layer}: every feature in the R-tree");
        assert_eq!(
            int(&format!(
                "SELECT count(*) FROM gpkg_extensions WHERE table_name = '{layer}' AND column_name = 'geom' AND extension_name = 'gpkg_rtree_index'"
            )),
            1
        );
        // The R-tree finds what lies in a box: each feature's box holds its envelope.
        let (bx0, bx1): (f64, f64) = db
            .query_row(
                &format!("SELECT minx, maxx FROM \"rtree_{layer}_geom\" WHERE id = 1"),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let blob: Vec<u8> = db
            .query_row(
                &format!("SELECT geom FROM \"{layer}\" WHERE fid = 1"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            &blob[..4],
            b"GP\x00\x03",
            "{layer}: header, envelope, little-endian"
        );
        let env_x0 = f64::from_le_bytes(blob[8..16].try_into().unwrap());
        let env_x1 = f64::from_le_bytes(blob[16..24].try_into().unwrap());
        assert!(
            bx0 <= env_x0 && env_x1 <= bx1,
            "{layer}: {bx0} {bx1} {env_x0} {env_x1}"
        );
        // Its style, as in LAYER.qml, is the default.
        let (qml, default, column): (String, bool, String) = db
            .query_row(
                "SELECT styleQML, useAsDefault, f_geometry_column FROM layer_styles WHERE f_table_name = ?1",
                [layer],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!(default && column == "geom", "{layer}");
        assert_eq!(
            qml,
            std::fs::read_to_string(out.join(format!("{layer}.qml"))).unwrap(),
            "{layer}"
        );
    }
    assert_eq!(
        int("SELECT count(*) FROM layer_styles"),
        LAYERS.len() as i64
    );
    assert_eq!(
        one("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"),
        "attributes".to_string().into()
    );
    // Declared types, not the values' (SQLite keeps what the table says).
    let declared: Vec<(String, String)> = db
        .prepare("SELECT name, type FROM pragma_table_info('incidents')")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, ty) in [
        ("geom", "POINT"),
        ("date_start", "DATE"),
        ("fatalities_low", "REAL"),
        ("source_line", "MEDIUMINT"),
        ("ambiguous", "BOOLEAN"),
        ("location", "TEXT"),
    ] {
        assert!(
            declared.contains(&(name.to_string(), ty.to_string())),
            "{name} {ty}"
        );
    }
    assert_eq!(FieldType::Date.sql(), "DATE");
}

#[test]
fn the_geopackage_is_byte_identical_on_rerun() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let first = std::fs::read(export(a.path(), &[], &[]).join("borderwatch.gpkg")).unwrap();
    let second = std::fs::read(export(b.path(), &[], &[]).join("borderwatch.gpkg")).unwrap();
    assert!(first == second, "two runs, two folders");
    // Rerun into the same folder: the package is replaced whole, and nothing is left beside
    // it (no journal, no temporary file).
    let again = std::fs::read(export(a.path(), &[], &[]).join("borderwatch.gpkg")).unwrap();
    assert!(first == again, "rerun into the same folder");
    let leftovers: Vec<String> = std::fs::read_dir(a.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.ends_with("-journal") || n.ends_with("-wal"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A run writing the GeoJSON as well hands each incident's values from the GeoJSON's
/// formatting to the GeoPackage, in batches of 2,048 rows formatted side by side; without the
/// GeoJSON the package makes them itself. Both packages must be the same file, row for row,
/// on enough rows for several batches, with dates, text, nulls, numbers and duplicates' ids.
#[test]
fn the_package_is_the_same_with_or_without_the_geojson_beside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("many.csv");
    let mut csv =
        String::from("id,date,country,location,latitude,longitude,event_type,fatalities,notes\n");
    let rows = 9_000;
    for id in 0..rows {
        // Points over eastern Afghanistan and the Pakistani border, every tenth a second
        // report of the one before (possible duplicates), some with no date or no deaths.
        let i = if id % 10 == 9 { id - 1 } else { id };
        let (lat, lon) = (31.0 + (i % 97) as f64 * 0.05, 67.0 + (i % 89) as f64 * 0.05);
        let date = if i % 50 == 0 {
            String::new()
        } else {
            format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28)
        };
        let deaths = if i % 7 == 0 {
            String::new()
        } else {
            (i % 5).to_string()
        };
        csv.push_str(&format!(
            "R{id},{date},Afghanistan,\"place \"\"{}\"\"\",{lat:.4},{lon:.4},armed clash,{deaths},row {i}\n",
            i % 13
        ));
    }
    std::fs::write(&input, csv).unwrap();
    let both = tmp.path().join("both");
    let alone = tmp.path().join("alone");
    std::fs::create_dir_all(&both).unwrap();
    std::fs::create_dir_all(&alone).unwrap();
    let with_geojson = export(&both, std::slice::from_ref(&input), &[]);
    let without = export(&alone, std::slice::from_ref(&input), &["--layers", "gpkg"]);
    assert!(with_geojson.join("incidents.geojson").exists());
    let a = std::fs::read(with_geojson.join("borderwatch.gpkg")).unwrap();
    let b = std::fs::read(without.join("borderwatch.gpkg")).unwrap();
    assert!(a == b, "the package differs with the GeoJSON beside it");
    let conn = Connection::open_with_flags(
        with_geojson.join("borderwatch.gpkg"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let (n, last_id, dated, with_duplicates): (i64, String, i64, i64) = conn
        .query_row(
            "SELECT count(*), (SELECT incident_id FROM incidents ORDER BY fid DESC LIMIT 1), \
             count(date_start), count(possible_duplicates) FROM incidents",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(n, rows as i64);
    assert_eq!(last_id, format!("R{}", rows - 1));
    let undated = (0..rows).filter(|id| (if id % 10 == 9 { id - 1 } else { *id }) % 50 == 0);
    assert_eq!(dated, (rows - undated.count()) as i64);
    assert!(with_duplicates > 0, "no possible duplicates to carry");
    // The GeoJSON holds the same rows in the same order.
    let text = std::fs::read_to_string(with_geojson.join("incidents.geojson")).unwrap();
    let features: Value = serde_json::from_str(&text).unwrap();
    let features = features["features"].as_array().unwrap();
    assert_eq!(features.len(), rows);
    let mut ids = conn
        .prepare("SELECT fid, incident_id, possible_duplicates FROM incidents ORDER BY fid")
        .unwrap();
    let from_package: Vec<(i64, String, Option<String>)> = ids
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (f, (fid, id, duplicates)) in features.iter().zip(&from_package) {
        assert_eq!(f["id"].as_i64(), Some(*fid));
        assert_eq!(f["properties"]["incident_id"].as_str(), Some(id.as_str()));
        assert_eq!(
            f["properties"]["possible_duplicates"].as_str(),
            duplicates.as_deref()
        );
    }
}

#[test]
fn layers_flag_and_config_choose_the_files_and_unknown_formats_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let names = |out: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let out = export(tmp.path(), &[], &["--layers", "gpkg"]);
    let files = names(&out);
    assert!(files.contains(&"borderwatch.gpkg".to_string()));
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with(".geojson") || f.ends_with(".qml")),
        "{files:?}"
    );
    let qgs = std::fs::read_to_string(out.join("borderwatch.qgs")).unwrap();
    assert!(qgs.contains("<datasource>./borderwatch.gpkg|layername=incidents</datasource>"));
    let config = std::fs::read_to_string(out.join("run-config.toml")).unwrap();
    assert!(config.contains("layers = [\"gpkg\"]"), "{config}");

    // GeoJSON only, from a config file: the package of the earlier run goes.
    let cfg = tmp.path().join("run.toml");
    std::fs::write(&cfg, "layers = [\"geojson\"]\n").unwrap();
    let out = export(tmp.path(), &[], &["--config", cfg.to_str().unwrap()]);
    let files = names(&out);
    assert!(
        !files.contains(&"borderwatch.gpkg".to_string()),
        "{files:?}"
    );
    for l in LAYERS {
        assert!(files.contains(&format!("{l}.geojson")), "{l}");
        assert!(files.contains(&format!("{l}.qml")), "{l}");
    }
    let qgs = std::fs::read_to_string(out.join("borderwatch.qgs")).unwrap();
    assert!(qgs.contains("<datasource>./incidents.geojson</datasource>"));

    let o = bw()
        .current_dir(tmp.path())
        .args(["export", "--out", "refused", "--layers", "gpkg,shp"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(64), "{err}");
    assert!(err.contains("--layers") && err.contains("shp"), "{err}");
    assert!(
        !tmp.path().join("refused").exists(),
        "refused before anything is written"
    );
}

// ---------------------------------------------------------------------------------------
// QGIS itself

const QGIS_CHECK: &str = r#"
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsProject, QgsVectorLayer, QgsLayoutExporter,
                       QgsVectorLayerTemporalProperties)
app = QgsApplication([], False)
app.initQgis()
folder, png = sys.argv[1], sys.argv[2]
gpkg = os.path.join(folder, "borderwatch.gpkg")
out = {"layers": {}}
for name in sys.argv[3].split(","):
    vl = QgsVectorLayer(gpkg + "|layername=" + name, name, "ogr")
    r = vl.renderer()
    n, ids, names, descs, err = vl.listStylesInDatabase()
    lab = vl.labeling()
    out["layers"][name] = {"valid": vl.isValid(), "renderer": r.type() if r else None,
        "features": vl.featureCount(), "related_styles": list(names)[:n],
        "labels": vl.labelsEnabled(), "label_field": lab.settings().fieldName if lab else None,
        "date_start": vl.fields().field("date_start").typeName() if name == "incidents" else None}
prj = QgsProject.instance()
out["read"] = prj.read(os.path.join(folder, "borderwatch.qgs"))
out["valid"] = {l.name(): l.isValid() for l in prj.mapLayers().values()}
inc = prj.mapLayersByName("incidents")[0]
tp = inc.temporalProperties()
out["temporal"] = {"active": tp.isActive(),
    "start_end_fields": tp.mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields,
    "start": tp.startField(), "end": tp.endField()}
rng = prj.timeSettings().temporalRange()
out["range"] = [rng.begin().toString("yyyy-MM-dd"), rng.end().toString("yyyy-MM-dd")]
layouts = prj.layoutManager().printLayouts()
out["layouts"] = [l.name() for l in layouts]
lay = layouts[0]
out["items"] = sorted(type(i).__name__ for i in lay.items() if hasattr(i, "uuid"))
size = lay.pageCollection().page(0).pageSize()
out["page_mm"] = [size.width(), size.height()]
s = QgsLayoutExporter.ImageExportSettings()
s.dpi = 100
out["export"] = int(QgsLayoutExporter(lay).exportToImage(png, s))
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)
"#;

#[test]
fn qgis_opens_each_layer_of_the_package_styled_and_the_project_is_time_aware_with_a_layout() {
    let Some(py) = qgis_python() else {
        println!("skipping: QGIS Python bindings not installed");
        return;
    };
    let out = example();
    let tmp = tempfile::tempdir().unwrap();
    let png = tmp.path().join("layout.png");
    let layers = LAYERS.join(",");
    let v = run_qgis_script(
        &py,
        QGIS_CHECK,
        tmp.path(),
        &[out.as_os_str(), png.as_os_str(), layers.as_ref()],
    );
    // Each layer alone, styled from layer_styles (no .qml is read for a package layer).
    for (layer, renderer) in [
        ("countries", "categorizedSymbol"),
        ("provinces", "singleSymbol"),
        ("districts", "singleSymbol"),
        ("density_isobands", "graduatedSymbol"),
        ("corridors", "singleSymbol"),
        ("borders", "singleSymbol"),
        ("sectors", "graduatedSymbol"),
        ("segments", "graduatedSymbol"),
        ("incidents", "RuleRenderer"),
    ] {
        let d = &v["layers"][layer];
        println!("{layer}: {d}");
        assert_eq!(d["valid"], true, "{layer}");
        assert_eq!(d["renderer"], renderer, "{layer}");
        assert_eq!(d["related_styles"], serde_json::json!([layer]), "{layer}");
    }
    assert_eq!(v["layers"]["incidents"]["label_field"], "location");
    assert_eq!(v["layers"]["provinces"]["label_field"], "name");
    assert_eq!(v["layers"]["incidents"]["date_start"], "Date");
    // The project reads the package, steps through time, and prints.
    assert_eq!(v["read"], true, "{v}");
    assert!(
        v["valid"].as_object().unwrap().values().all(|x| x == true),
        "{v}"
    );
    assert_eq!(
        v["temporal"],
        serde_json::json!({"active": true, "start_end_fields": true, "start": "date_start", "end": "date_end"})
    );
    assert_eq!(v["range"], serde_json::json!(["2025-01-01", "2026-01-31"]));
    assert_eq!(v["layouts"], serde_json::json!(["borderwatch overview"]));
    assert_eq!(v["page_mm"], serde_json::json!([297.0, 210.0]));
    for item in [
        "QgsLayoutItemMap",
        "QgsLayoutItemLegend",
        "QgsLayoutItemScaleBar",
        "QgsLayoutItemPicture",
        "QgsLayoutItemLabel",
    ] {
        assert!(
            v["items"].as_array().unwrap().iter().any(|i| i == item),
            "{item}: {}",
            v["items"]
        );
    }
    assert_eq!(v["export"], 0, "QgsLayoutExporter::Success");
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 50_000,
        "{}",
        bytes.len()
    );
    // To look at it: BORDERWATCH_KEEP_LAYOUT=/tmp/layout.png cargo test --test gpkg
    if let Ok(keep) = std::env::var("BORDERWATCH_KEEP_LAYOUT") {
        std::fs::copy(&png, keep).unwrap();
    }
}
