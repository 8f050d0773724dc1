//! The main job, run as a user runs it.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::Path;

fn bw() -> Command {
    Command::cargo_bin("borderwatch").unwrap()
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            m.insert(
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            );
        }
    }
    m
}

#[test]
fn run_on_the_example_writes_a_complete_reproducible_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // A file of the user's own in the output folder must survive.
    std::fs::write(out.join("my-notes.txt"), "keep me").unwrap();
    let o = bw()
        .current_dir(tmp.path())
        .args(["run", "--out", "out"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    println!("{stdout}");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.starts_with("12 read, 12 located"));
    assert!(stdout.contains("AF-TJ") && stdout.contains("per 100 km per year (95% CI"));
    assert!(stdout.contains("rate ratio AF-TJ / AF-PK"));
    let first = snapshot(&out);
    for f in [
        "incidents.geojson",
        "unmatched.csv",
        "segments.csv",
        "sectors.csv",
        "borders.csv",
        "by_event_type.csv",
        "by_period.csv",
        "comparison.csv",
        "run-config.toml",
        "summary.txt",
        "summary.json",
        "report.html",
        "my-notes.txt",
    ] {
        assert!(first.contains_key(f), "{f} missing");
    }
    assert_eq!(first["my-notes.txt"], b"keep me");
    // Same input, byte-identical output.
    bw().current_dir(tmp.path())
        .args(["run", "--out", "out", "-q"])
        .assert()
        .success();
    assert_eq!(
        snapshot(&out),
        first,
        "a second run must give byte-identical files"
    );
    // The written configuration repeats the run exactly.
    bw().current_dir(tmp.path())
        .args(["run", "-q", "--config", "out/run-config.toml"])
        .assert()
        .success();
    assert_eq!(
        snapshot(&out),
        first,
        "--config run-config.toml reproduces the run"
    );
    // No temporary files left behind by the atomic writes.
    assert!(first.keys().all(|k| !k.starts_with(".tmp")));
}

#[test]
fn run_flags_override_the_config_file() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("cfg.toml"),
        "segment_km = 50.0\nout = \"a\"\n",
    )
    .unwrap();
    bw().current_dir(tmp.path())
        .args(["run", "-q", "--config", "cfg.toml", "--out", "b"])
        .assert()
        .success();
    let cfg = std::fs::read_to_string(tmp.path().join("b/run-config.toml")).unwrap();
    assert!(cfg.contains("segment_km = 50.0"), "{cfg}");
    assert!(cfg.contains("out = \"b\""), "{cfg}");
    let segs = std::fs::read_to_string(tmp.path().join("b/segments.csv")).unwrap();
    assert!(
        segs.contains("AF-TJ-028,") && !segs.contains("AF-TJ-029,"),
        "1,371.5 km in 50 km segments is 28 segments"
    );
    let bad = bw()
        .current_dir(tmp.path())
        .args(["run", "--config", "missing.toml"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("missing.toml"));
}

#[test]
fn completions_and_man_page_come_from_the_cli_definitions() {
    let o = bw().args(["completions", "bash"]).output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("borderwatch"));
    let o = bw().arg("man").output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains(".TH borderwatch"));
    for sub in [
        "run",
        "geocode",
        "density",
        "compare",
        "borders",
        "gazetteer",
    ] {
        let o = bw().args([sub, "--help"]).output().unwrap();
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Examples:"),
            "{sub} --help has examples"
        );
    }
}

#[test]
fn run_draws_maps_with_the_incidents_where_they_are() {
    use borderwatch::render::{Extent, MapCanvas, Projection, page_size};
    let tmp = tempfile::tempdir().unwrap();
    bw().current_dir(tmp.path())
        .args(["run", "-q", "--out", "out", "--width", "1600"])
        .assert()
        .success();
    let out = tmp.path().join("out");
    // A width without a resolution keeps the default page's proportions (170 dpi at 2000 px),
    // so text and legends take the same share of the page.
    let config = std::fs::read_to_string(out.join("run-config.toml")).unwrap();
    assert!(config.contains("dpi = 136"), "{config}");
    for f in ["map_AF-TJ", "map_AF-PK", "map_overview"] {
        let svg = std::fs::read_to_string(out.join(format!("{f}.svg"))).unwrap();
        roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{f}.svg is not well-formed: {e}"));
        assert!(svg.contains("GeoNames"), "attribution on the map");
    }
    // The pixel at Shamsiddin Shohin's projected position on the AF-TJ map is not background.
    let geo = borderwatch::geodata::GeoData::load(None).unwrap();
    let tj = geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
    let proj = Projection::region();
    let extent = Extent::around_lines(&proj, [&tj.line])
        .unwrap()
        .padded(0.07);
    let page = page_size(Some(1600), None);
    let canvas = MapCanvas::new(page, proj, extent);
    let sh = geo.gazetteer.get("district:1091917913").unwrap();
    let (px, py) = canvas.to_px(sh.lon, sh.lat).unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(out.join("map_AF-TJ.png")).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.width, 1600);
    let channels = info.line_size / info.width as usize;
    let at = |x: f64, y: f64| {
        let i = y.round() as usize * info.line_size + x.round() as usize * channels;
        (buf[i], buf[i + 1], buf[i + 2])
    };
    let (r, g, b) = at(px, py);
    println!("pixel at Shamsiddin Shohin ({px:.0}, {py:.0}): {r},{g},{b}");
    let land = (234, 231, 223);
    assert!(
        (r, g, b) != land && (r, g, b) != (249, 247, 241),
        "an incident symbol or density is drawn there"
    );
}

/// The real UCDP files together, as a user would bring them: the events two of them share
/// count once and the summary says how many were left out; the maps' subtitles keep the
/// "drawn as counts per place" notice in view (the long list of inputs is what gets cut); the
/// comparison's warnings stay short.
#[test]
fn run_on_overlapping_real_files_counts_each_event_once_and_says_so() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata");
    if !dir.is_dir() {
        println!("skipping: ../shared/realdata not present (only CI and the team have it)");
        return;
    }
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    inputs.sort();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = bw()
        .arg("run")
        .args(&inputs)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout.contains("left out: ")
            && stdout.contains("the same event as an earlier record (same dataset and event id)"),
        "{stdout}"
    );
    let svg = std::fs::read_to_string(out.join("map_overview.svg")).unwrap();
    assert!(
        svg.contains("drawn as counts per place"),
        "the notice is cut off"
    );
    assert!(svg.contains("counted"));
    let comparison = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(
        comparison.len() < 4000,
        "the comparison table's warnings run to {} bytes",
        comparison.len()
    );
}

/// `--layers gpkg` leaves the GeoJSON layers out, and `report.html` is made from them: the
/// run says why there is no report and succeeds, and a report an earlier run left in the
/// folder goes (it would pass for this run's).
#[test]
fn run_with_the_geopackage_alone_says_why_there_is_no_report() {
    let tmp = tempfile::tempdir().unwrap();
    bw().current_dir(tmp.path())
        .args(["run", "-q", "--out", "out"])
        .assert()
        .success();
    assert!(tmp.path().join("out/report.html").is_file());
    let o = bw()
        .current_dir(tmp.path())
        .args(["run", "--out", "out", "--layers", "gpkg"])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        said.contains("report.html not written") && said.contains("--layers gpkg,geojson"),
        "{said}"
    );
    let out = tmp.path().join("out");
    assert!(out.join("borderwatch.gpkg").is_file());
    assert!(out.join("borderwatch.qgs").is_file());
    assert!(out.join("map_overview.png").is_file());
    assert!(!out.join("report.html").exists());
    assert!(!out.join("incidents.geojson").exists());
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(!summary.contains("report.html"), "{summary}");
}
