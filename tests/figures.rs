//! The run's figure formats and pages beyond the default maps: vector PDFs made from the same
//! SVG as the PNG (`--format pdf`), and the small multiples by period (`--small-multiples`).
//! The pages are checked by what they say (captions, legends) and by their pixels; where
//! poppler's `pdftoppm` is installed (`.ci/run` installs it), the PDF is rasterised and
//! compared with the PNG.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::Path;

fn bw() -> Command {
    Command::cargo_bin("borderwatch").unwrap()
}

fn run(out: &Path, extra: &[&str]) {
    let o = bw()
        .arg("run")
        .arg("--out")
        .arg(out)
        .args(extra)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// RGBA pixels of a PNG file.
fn pixels(path: &Path) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    (info.width, info.height, rgba)
}

/// The share of pixels within `tol` of `rgb`.
fn share_of(px: &[u8], rgb: [u8; 3], tol: i32) -> f64 {
    let n = px.len() / 4;
    let hits = px
        .chunks(4)
        .filter(|p| (0..3).all(|i| (i32::from(p[i]) - i32::from(rgb[i])).abs() <= tol))
        .count();
    hits as f64 / n as f64
}

/// The texts of an SVG, in order.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// The classed legend's bounds (`data-lo`, `data-hi`, fill) of an SVG.
fn legend_classes(svg: &str) -> Vec<(String, String, String)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("legend-class"))
        .map(|n| {
            let a = |k| n.attribute(k).unwrap_or_default().to_string();
            (a("data-lo"), a("data-hi"), a("fill"))
        })
        .collect()
}

/// `events_weighted` per border from `borders.csv`.
fn border_events(dir: &Path) -> BTreeMap<String, f64> {
    let mut r = csv::Reader::from_path(dir.join("borders.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (id, ev) = (col("border_id"), col("events_weighted"));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[id].to_string(), rec[ev].parse().unwrap())
        })
        .collect()
}

#[test]
fn pdfs_are_vector_pages_with_the_bundled_font_and_match_the_png() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&a, &["--format", "svg,png,pdf"]);
    run(&b, &["--format", "pdf"]);
    for name in [
        "map_AF-TJ",
        "map_AF-PK",
        "map_overview",
        "profile",
        "comparison",
    ] {
        let pdf = std::fs::read(a.join(format!("{name}.pdf"))).unwrap();
        assert!(pdf.starts_with(b"%PDF-1."), "{name}");
        let raw = String::from_utf8_lossy(&pdf);
        // One A4-landscape page (842 × 595 pt at the default 170 dpi, within 1%).
        let media = raw.split("/MediaBox [").nth(1).expect("a MediaBox");
        let dims: Vec<f64> = media
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        assert!((dims[2] / 842.0 - 1.0).abs() < 0.01, "{name}: {dims:?}");
        assert!((dims[3] / 595.0 - 1.0).abs() < 0.01, "{name}: {dims:?}");
        assert_eq!(raw.matches("/Count 1").count(), 1, "{name}: one page");
        // Text is text, in the bundled font, embedded as a subset.
        assert!(raw.contains("DejaVuSans"), "{name}: font named");
        assert!(raw.contains("/FontFile2"), "{name}: font program embedded");
        // The same input gives the same bytes; --format pdf alone gives the same PDF.
        let again = std::fs::read(b.join(format!("{name}.pdf"))).unwrap();
        assert!(pdf == again, "{name}: PDF differs between runs");
        assert!(!b.join(format!("{name}.png")).exists());
        assert!(!b.join(format!("{name}.svg")).exists());
    }

    // Rasterised, the PDF shows what the PNG shows: the same share of border-segment and
    // border-line colours, within a few percent of the page.
    let have_pdftoppm = std::process::Command::new("pdftoppm")
        .arg("-v")
        .output()
        .is_ok();
    if !have_pdftoppm {
        eprintln!("skipping the PDF pixel check: pdftoppm (Debian poppler-utils) is not installed");
        return;
    }
    let st = std::process::Command::new("pdftoppm")
        .args(["-r", "170", "-png", "-singlefile"])
        .arg(a.join("map_AF-PK.pdf"))
        .arg(tmp.path().join("from_pdf"))
        .status()
        .unwrap();
    assert!(st.success());
    let (pw, ph, pdf_px) = pixels(&tmp.path().join("from_pdf.png"));
    let (w, h, png_px) = pixels(&a.join("map_AF-PK.png"));
    assert!(
        (f64::from(pw) / f64::from(w) - 1.0).abs() < 0.02,
        "{pw}x{ph} vs {w}x{h}"
    );
    let white = [255, 255, 255];
    for (what, rgb) in [
        ("white", white),
        ("land of the focus country", [247, 245, 240]),
    ] {
        let (p, q) = (share_of(&pdf_px, rgb, 6), share_of(&png_px, rgb, 6));
        println!("{what}: PDF {p:.4}, PNG {q:.4}");
        assert!((p - q).abs() < 0.03, "{what}: PDF {p:.4} vs PNG {q:.4}");
    }
    let dark = |px: &[u8]| share_of(px, [30, 30, 30], 40);
    let (p, q) = (dark(&pdf_px), dark(&png_px));
    println!("dark (text, lines): PDF {p:.4}, PNG {q:.4}");
    assert!(p > 0.002 && (p / q - 1.0).abs() < 0.5, "{p} vs {q}");
}

#[test]
fn small_multiples_draw_one_panel_per_period_on_one_scale() {
    let tmp = tempfile::tempdir().unwrap();
    let (q, y) = (tmp.path().join("q"), tmp.path().join("y"));
    run(&q, &["--small-multiples", "quarter", "--format", "svg,png"]);
    run(&y, &["--small-multiples", "year", "--format", "svg"]);
    let totals = border_events(&q);
    let mut legends = Vec::new();
    for id in ["AF-TJ", "AF-PK"] {
        let svg = std::fs::read_to_string(q.join(format!("periods_{id}.svg"))).unwrap();
        let t = texts(&svg);
        assert!(
            t.iter()
                .any(|s| s.ends_with("incidents per 100 km per year, by quarter")),
            "{id}: the title"
        );
        // The example runs from 2025-01-01 to 2026-01-31: five quarters, in order.
        let captions: Vec<&String> = t.iter().filter(|s| s.contains("in the corridor")).collect();
        let labels: Vec<&str> = captions
            .iter()
            .map(|c| c.split(':').next().unwrap())
            .collect();
        assert_eq!(
            labels,
            ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"],
            "{id}"
        );
        assert_eq!(
            svg.matches("<svg x=").count(),
            5,
            "{id}: one nested panel each"
        );
        // The periods split the run's events: their captions add up to borders.csv.
        let sum: f64 = captions
            .iter()
            .map(|c| {
                c.split(": ")
                    .nth(1)
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse::<f64>()
                    .unwrap()
            })
            .sum();
        let total = totals[id];
        assert!(
            (sum - total).abs() <= 0.02 * total.max(1.0),
            "{id}: periods {sum} vs run {total}"
        );
        legends.push(legend_classes(&svg));
        // The page is drawn: its PNG has the segment colours of the legend.
        let (w, _, px) = pixels(&q.join(format!("periods_{id}.png")));
        assert_eq!(w, 2000);
        let top = legends.last().unwrap().last().unwrap().2.clone();
        let rgb = [1, 3, 5].map(|i| u8::from_str_radix(&top[i..i + 2], 16).unwrap());
        assert!(
            share_of(&px, rgb, 3) > 0.0005,
            "{id}: top class {top} drawn"
        );
        // Yearly: two panels, 2025 and 2026.
        let svg = std::fs::read_to_string(y.join(format!("periods_{id}.svg"))).unwrap();
        let years: Vec<String> = texts(&svg)
            .into_iter()
            .filter(|s| s.contains("in the corridor"))
            .map(|c| c.split(':').next().unwrap().to_string())
            .collect();
        assert_eq!(years, ["2025", "2026"], "{id}");
    }
    // One scale: both borders' pages share the classes.
    assert!(!legends[0].is_empty());
    assert_eq!(legends[0], legends[1]);
    // Without the flag there are no period pages.
    assert!(!q.join("map_overview.pdf").exists());
    let plain = tmp.path().join("plain");
    run(&plain, &["--format", "svg"]);
    assert!(!plain.join("periods_AF-TJ.svg").exists());
}

#[test]
fn unknown_formats_and_periods_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let o = bw()
        .current_dir(tmp.path())
        .args(["run", "--out", "unused", "--format", "svg,tiff"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(64), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("tiff") && err.contains("pdf"), "{err}");
    let o = bw()
        .current_dir(tmp.path())
        .args(["run", "--out", "unused", "--small-multiples", "month"])
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("quarter"));
    assert!(!tmp.path().join("unused").exists(), "nothing written");
}
