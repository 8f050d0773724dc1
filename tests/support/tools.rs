//! What the export tests share: finding GDAL's `ogrinfo` and a Python with QGIS, and the
//! fields GDAL cannot type in a GeoJSON layer. Included with `#[path]` by the test files
//! that use it.

use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// Whether `ogrinfo` runs; says it is skipping when not.
pub fn have_ogrinfo() -> bool {
    if Command::new("ogrinfo").arg("--version").output().is_ok() {
        true
    } else {
        println!("skipping: ogrinfo (Debian gdal-bin) not installed");
        false
    }
}

/// Fields whose value is null on every feature of a GeoJSON layer (GDAL cannot type those
/// from GeoJSON, and calls them String; the GeoPackage declares their type).
pub fn all_null_fields(layer: &Value) -> BTreeSet<String> {
    let feats = layer["features"].as_array().unwrap();
    let Some(first) = feats.first() else {
        return BTreeSet::new();
    };
    first["properties"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| feats.iter().all(|f| f["properties"][k.as_str()].is_null()))
        .cloned()
        .collect()
}

/// A Python with the QGIS bindings (Debian's `python3-qgis` lives under /usr/bin/python3,
/// which a pyenv `python3` on PATH would hide).
pub fn qgis_python() -> Option<String> {
    ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|py| {
            Command::new(py)
                .args(["-c", "import qgis.core"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(String::from)
}

/// Runs a QGIS check script (`text`, written into `dir`) headless with `args`; returns the
/// JSON it prints last. Fails the test when the script fails.
pub fn run_qgis_script(
    py: &str,
    text: &str,
    dir: &std::path::Path,
    args: &[&std::ffi::OsStr],
) -> Value {
    let script = dir.join("check_qgis.py");
    std::fs::write(&script, text).unwrap();
    let o = Command::new(py)
        .arg(&script)
        .args(args)
        .env("QT_QPA_PLATFORM", "offscreen")
        .env("XDG_RUNTIME_DIR", dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"))
}
