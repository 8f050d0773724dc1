//! report.html, opened as a reader opens it: in a real browser (headless Chromium, Debian
//! `chromium`). The browser tests skip, saying so, where Chromium is absent.
//!
//! The page records script errors, console errors and anything its Content-Security-Policy
//! blocks into `#script-errors`, and its status element says how many incidents it drew
//! (`data-drawn`), so the dumped DOM tells whether the map worked.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn bw() -> Command {
    Command::cargo_bin("borderwatch").unwrap()
}

/// The example's output folder, made once for every test here (under cargo's folder for
/// integration tests' files, never the current directory).
fn example() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-example");
        let _ = std::fs::remove_dir_all(&dir);
        bw().args(["run", "-q", "--out"])
            .arg(&dir)
            .assert()
            .success();
        dir
    })
}

/// The located incidents of a run's layer, and how many of them have `event_type` `t`.
fn located(dir: &Path, t: &str) -> (usize, usize) {
    let layer: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("incidents.geojson")).unwrap()).unwrap();
    let f = layer["features"].as_array().unwrap();
    let of_type = f
        .iter()
        .filter(|x| x["properties"]["event_type"] == t)
        .count();
    (f.len(), of_type)
}

/// The browser's command; `None`, saying the test skips, where it is not installed.
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        println!("skipping: chromium (Debian chromium) not installed");
    }
    found
}

/// Opens `url` in headless Chromium (its own profile in a temporary folder) with extra
/// `args`; returns stdout.
fn open(browser: &str, url: &str, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--virtual-time-budget=10000",
            "--window-size=1200,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What the page's script left in the DOM: its recorded errors, the status text and how
/// many incidents it drew.
struct Drawn {
    errors: String,
    status: String,
    drawn: usize,
}

fn element<'a>(dom: &'a str, open_tag_start: &str) -> Option<(&'a str, &'a str)> {
    let i = dom.find(open_tag_start)?;
    let tag_end = i + dom[i..].find('>')?;
    let close = tag_end + dom[tag_end..].find("</")?;
    Some((&dom[i..=tag_end], &dom[tag_end + 1..close]))
}

fn drawn(dom: &str) -> Drawn {
    let (_, errors) = element(dom, "<pre id=\"script-errors\"").unwrap_or_else(|| {
        panic!(
            "no error record in the page ({} bytes): {}",
            dom.len(),
            &dom[..dom.len().min(500)]
        )
    });
    let (tag, status) = element(dom, "<div id=\"status\"").expect("the status element");
    let drawn = tag
        .split("data-drawn=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("the map drew nothing: {tag}{status}"));
    Drawn {
        errors: errors.to_string(),
        status: status.to_string(),
        drawn,
    }
}

/// The screenshot's distinct colours and its share of pixels that are not white.
fn colours(png_path: &Path) -> (usize, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let mut seen = std::collections::HashSet::new();
    let mut not_white = 0usize;
    let pixels = buf[..info.buffer_size()].chunks(px);
    let n = pixels.len();
    for p in pixels {
        let rgb = (p[0], p[1], p[2]);
        seen.insert(rgb);
        if rgb != (255, 255, 255) {
            not_white += 1;
        }
    }
    (seen.len(), not_white as f64 / n as f64)
}

#[test]
fn report_html_is_one_offline_file_rebuilt_byte_identical() {
    let dir = example();
    let path = dir.join("report.html");
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.len() <= 5_000_000, "{} bytes", html.len());
    // Nothing is fetched: no external script, style, image or font, and a policy forbidding it.
    for outside in ["<script src", "<link", "<img", "url(http", "@import"] {
        assert!(!html.contains(outside), "report.html holds {outside}");
    }
    assert!(html.contains("content=\"default-src 'none';"));
    assert!(html.contains("Leaflet 1.9.4") && html.contains("BSD 2-Clause"));
    // The tables and figures are in the file itself.
    for part in [
        "id=\"borders-table\"",
        "id=\"segments-table\"",
        "id=\"profile-plot-AF-PK\"",
        "id=\"comparison-forest-plot\"",
        "id=\"warnings-list\"",
        "Who's On First",
        "GeoNames",
    ] {
        assert!(html.contains(part), "report.html lacks {part}");
    }
    // `borderwatch report` rebuilds it from the folder, byte for byte (in a copy: the
    // browser tests read the example's meanwhile).
    let copy = copy_example(&["report.html"]);
    bw().arg("report").arg(copy.path()).assert().success();
    assert_eq!(
        std::fs::read_to_string(copy.path().join("report.html")).unwrap(),
        html
    );
}

/// A copy of the example's output folder without the files `leave_out`.
fn copy_example(leave_out: &[&str]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(example()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap();
        if !leave_out.iter().any(|l| name == *l) {
            std::fs::copy(&p, tmp.path().join(name)).unwrap();
        }
    }
    tmp
}

#[test]
fn report_names_the_file_it_is_missing() {
    let tmp = copy_example(&["segments.csv", "report.html"]);
    let o = bw().arg("report").arg(tmp.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("segments.csv is missing"), "{err}");
    assert!(!tmp.path().join("report.html").exists());
}

#[test]
fn report_draws_in_chromium_without_errors() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = example();
    let url = format!("file://{}", dir.join("report.html").display());
    let dom = open(browser, &url, &["--dump-dom"]);
    let d = drawn(&dom);
    assert_eq!(d.errors.trim(), "", "script errors");
    let (n, _) = located(dir, "drone_strike");
    assert_eq!(d.drawn, n, "{}", d.status);
    assert!(
        d.status.starts_with(&format!("{n} incidents drawn")),
        "{}",
        d.status
    );
    // Leaflet drew: its canvas, the incident symbols, the legend.
    assert!(dom.contains("<canvas class=\"leaflet-zoom-animated\""));
    assert!(dom.matches("leaflet-marker-icon").count() >= 5);
    assert!(dom.contains("class=\"bw-legend leaflet-control\""));

    let shots = tempfile::tempdir().unwrap();
    let shot = shots.path().join("report.png");
    open(
        browser,
        &url,
        &[&format!("--screenshot={}", shot.display())],
    );
    let (distinct, covered) = colours(&shot);
    assert!(
        distinct > 200 && covered > 0.3,
        "a blank page? {distinct} colours, {covered:.2} of it not white"
    );
}

#[test]
fn report_filters_from_the_url_hash() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = example();
    let base = format!("file://{}", dir.join("report.html").display());
    let (n, drones) = located(dir, "drone_strike");
    assert!(drones > 0 && drones < n);
    let d = drawn(&open(
        browser,
        &format!("{base}#types=drone_strike"),
        &["--dump-dom"],
    ));
    assert_eq!(d.errors.trim(), "");
    assert_eq!(d.drawn, drones, "{}", d.status);
    assert!(d.status.contains(&format!("(of {n})")), "{}", d.status);
    // A start date leaves out what ended before it, and the undated.
    let d = drawn(&open(
        browser,
        &format!("{base}#from=2025-12-01"),
        &["--dump-dom"],
    ));
    assert_eq!(d.errors.trim(), "");
    assert!(d.drawn > 0 && d.drawn < n, "{}", d.status);
}
