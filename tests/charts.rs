//! The report charts on the shipped example: the border profile and the comparison parse as
//! SVG, render to PNG, draw what they should where they should, and escape text.
//!
//! The PNGs are written to /tmp/chart_preview/ for a look.

use borderwatch::density::compare::{Comparison, compare};
use borderwatch::density::{self, Analysis, AnalysisOptions, Period};
use borderwatch::geodata::GeoData;
use borderwatch::render::{self, PageSize, charts};
use std::sync::OnceLock;

const WIDTH: u32 = 2000;

fn analysis_with(period: Period) -> Analysis {
    static GEO: OnceLock<GeoData> = OnceLock::new();
    let geo = GEO.get_or_init(|| GeoData::load(None).expect("shipped geodata"));
    let prepared = borderwatch::pipeline::ingest_and_geocode(&[], geo, false, &mut |_| {})
        .expect("the shipped example reads");
    let opts = AnalysisOptions {
        period,
        ..AnalysisOptions::default()
    };
    density::analyse(&prepared.geocoded.located, geo, &opts)
}

fn analysis() -> &'static Analysis {
    static A: OnceLock<Analysis> = OnceLock::new();
    A.get_or_init(|| analysis_with(Period::Year))
}

fn page() -> PageSize {
    render::page_size(Some(WIDTH), None)
}

/// An RGB PNG decoded (the renderer writes RGBA on white).
struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Image {
    fn px(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [self.rgba[i], self.rgba[i + 1], self.rgba[i + 2]]
    }
}

fn decode(png_bytes: &[u8]) -> Image {
    let dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = dec.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("PNG size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgba: buf,
    }
}

/// Parses the SVG (as XML and as the PNG renderer would), renders it at 2000 px, saves the PNG
/// for a look, and decodes it.
fn check_and_render(svg: &str, name: &str) -> Image {
    roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    render::parse_svg(svg).expect("the SVG parses for rendering");
    let png = render::svg_to_png(svg, WIDTH).expect("the SVG renders");
    let dir = std::path::Path::new("/tmp/chart_preview");
    if std::fs::create_dir_all(dir).is_ok() {
        let _ = std::fs::write(dir.join(format!("{name}.png")), &png);
        let _ = std::fs::write(dir.join(format!("{name}.svg")), svg);
    }
    let img = decode(&png);
    assert_eq!(img.width, WIDTH);
    assert_eq!(img.height, page().height_px);
    img
}

/// The box (x, y, width, height, in page px) of the element with this id.
fn element_box(svg: &str, id: &str) -> (f64, f64, f64, f64) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let n = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let f = |a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
    (f("x"), f("y"), f("width"), f("height"))
}

/// Close to a colour (the renderer anti-aliases and blends).
fn near(p: [u8; 3], c: render::Rgba, tol: i32) -> bool {
    (i32::from(p[0]) - i32::from(c.r)).abs() <= tol
        && (i32::from(p[1]) - i32::from(c.g)).abs() <= tol
        && (i32::from(p[2]) - i32::from(c.b)).abs() <= tol
}

fn is_background(p: [u8; 3]) -> bool {
    p.iter().all(|&v| v >= 250)
}

/// Pixels in a page-px box that satisfy `pred` (the PNG is the page's size here).
fn count_in(
    img: &Image,
    (x, y, w, h): (f64, f64, f64, f64),
    pred: impl Fn([u8; 3]) -> bool,
) -> usize {
    let (x0, y0) = (x.floor().max(0.0) as u32, y.floor().max(0.0) as u32);
    let x1 = ((x + w).ceil() as u32).min(img.width);
    let y1 = ((y + h).ceil() as u32).min(img.height);
    let mut k = 0;
    for yy in y0..y1 {
        for xx in x0..x1 {
            if pred(img.px(xx, yy)) {
                k += 1;
            }
        }
    }
    k
}

#[test]
fn profile_draws_a_bar_for_every_segment_of_af_pk() {
    let a = analysis();
    let svg = charts::border_profile(a, &["AF-TJ", "AF-PK"], page()).unwrap();
    assert!(svg.contains("font-family=\"DejaVu Sans\""));
    // Province names of both sides along the axis.
    for name in [
        "Khatlon",
        "Gorno-Badakhshan",
        "Kunduz",
        "Takhar",
        "Badakhshan",
        "Balochistan",
    ] {
        assert!(svg.contains(&format!(">{name}<")), "{name} is not named");
    }
    assert!(svg.contains("segments of 25 km"));
    assert!(svg.contains("Natural Earth"));
    let img = check_and_render(&svg, "profile");

    let pk = a.borders.iter().find(|b| b.border.id == "AF-PK").unwrap();
    let (x, y, w, h) = element_box(&svg, "plot-AF-PK");
    let km = pk.segments.last().unwrap().unit.km_to;
    let orange = charts::border_color("AF-PK");
    // Just above the baseline, in the middle of each segment: the bar's fill.
    let mut empty = Vec::new();
    for s in &pk.segments {
        let mid = x + (s.unit.km_from + s.unit.km_to) / 2.0 / km * w;
        let probe = (mid - 1.0, y + h - 8.0, 3.0, 5.0);
        if count_in(&img, probe, |p| !is_background(p) && p[0] > p[2] + 40) == 0 {
            empty.push(s.unit.id.clone());
        }
    }
    assert!(empty.is_empty(), "segments without a bar: {empty:?}");
    // The step line on top is the border's own colour.
    let line = count_in(&img, (x, y, w, h), |p| near(p, orange, 24));
    assert!(line > 2000, "{line} px of AF-PK orange in its panel");
    // AF-TJ's panel is to the same km scale: its plot is shorter in proportion.
    let tj = a.borders.iter().find(|b| b.border.id == "AF-TJ").unwrap();
    let (_, _, wt, ht) = element_box(&svg, "plot-AF-TJ");
    let ratio = wt / w;
    let expect = tj.segments.last().unwrap().unit.km_to / km;
    assert!((ratio - expect).abs() < 0.01, "{ratio} vs {expect}");
    assert!((ht - h).abs() < 0.5, "panels share the y scale and height");
}

#[test]
fn profile_of_a_border_without_incidents_says_so() {
    let a = analysis();
    let svg = charts::border_profile(a, &["AF-TM", "AF-PK"], page()).unwrap();
    assert!(svg.contains("no incidents in the corridor"));
    let img = check_and_render(&svg, "profile_empty");
    // The empty panel has its axis but no bars (no border colour in the plot area).
    let green = charts::border_color("AF-TM");
    let b = element_box(&svg, "plot-AF-TM");
    assert_eq!(count_in(&img, b, |p| near(p, green, 30)), 0);
    // Unknown borders are an error naming the analysed ones.
    let err = charts::border_profile(a, &["AF-XX"], page()).unwrap_err();
    assert!(err.to_string().contains("AF-TJ"), "{err}");
}

#[test]
fn comparison_shows_rates_intervals_series_and_warnings() {
    let a = analysis();
    let c = compare(a, "AF-TJ", "AF-PK").unwrap();
    let svg = charts::comparison_chart(&c, a, page()).unwrap();
    assert!(svg.contains("Rate ratio AF-TJ ÷ AF-PK"));
    // Every warning is printed (wrapped lines joined back).
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let warn = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("warnings"))
        .expect("a warnings group");
    let text: String = warn
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    for w in &c.warnings {
        let first_words: String = w.split_whitespace().take(5).collect::<Vec<_>>().join(" ");
        let first_words = first_words.to_lowercase();
        assert!(text.contains(&first_words), "warning not shown: {w}");
    }
    let img = check_and_render(&svg, "comparison");

    // Points and error bars in both colours in the rates panel.
    let forest = element_box(&svg, "forest-plot");
    for id in ["AF-TJ", "AF-PK"] {
        let col = charts::border_color(id);
        let k = count_in(&img, forest, |p| near(p, col, 20));
        assert!(k > 300, "{k} px of {id}'s colour in the rates panel");
    }
    // The AF-TJ row (top half) holds its point and bar; the AF-PK row the other.
    let (x, y, w, h) = forest;
    let top = (x, y, w, h / 2.0);
    let bottom = (x, y + h / 2.0, w, h / 2.0);
    let teal = charts::border_color("AF-TJ");
    let orange = charts::border_color("AF-PK");
    assert!(count_in(&img, top, |p| near(p, teal, 20)) > 300);
    assert!(count_in(&img, bottom, |p| near(p, orange, 20)) > 300);
    assert_eq!(count_in(&img, top, |p| near(p, orange, 12)), 0);
    // The error bar spans its interval: teal at the low and high ends of AF-TJ's interval
    // (the log axis puts AF-TJ's interval left of AF-PK's, with no overlap).
    let cols_with = |bx: (f64, f64, f64, f64), c: render::Rgba| -> Vec<u32> {
        let mut xs = Vec::new();
        for xx in bx.0 as u32..(bx.0 + bx.2) as u32 {
            if count_in(&img, (f64::from(xx), bx.1, 1.0, bx.3), |p| near(p, c, 20)) > 0 {
                xs.push(xx);
            }
        }
        xs
    };
    let t = cols_with(top, teal);
    let o = cols_with(bottom, orange);
    assert!(t.len() as f64 > w * 0.1, "AF-TJ's bar spans {} px", t.len());
    assert!(
        o.len() as f64 > w * 0.05,
        "AF-PK's bar spans {} px",
        o.len()
    );
    assert!(
        t.last() < o.first(),
        "AF-TJ's interval lies left of AF-PK's"
    );

    // The time series has both lines.
    let series = element_box(&svg, "series-plot");
    for c in [teal, orange] {
        assert!(count_in(&img, series, |p| near(p, c, 20)) > 100);
    }
}

#[test]
fn comparison_by_quarter_flags_partial_periods() {
    let a = analysis_with(Period::Quarter);
    let c = compare(&a, "AF-TJ", "AF-PK").unwrap();
    let svg = charts::comparison_chart(&c, &a, page()).unwrap();
    for q in ["2025-Q1", "2025-Q4", "2026-Q1"] {
        assert!(svg.contains(&format!(">{q}<")), "{q} on the axis");
    }
    assert!(
        svg.contains("2026-Q1 (31 of 90 days)"),
        "the short quarter is flagged"
    );
    check_and_render(&svg, "comparison_quarter");
    let svg = charts::border_profile(&a, &[], page()).unwrap();
    check_and_render(&svg, "profile_all");
}

#[test]
fn warning_text_is_escaped() {
    let a = analysis();
    let mut c: Comparison = compare(a, "AF-TJ", "AF-PK").unwrap();
    c.warnings
        .push("Rates <differ> & \"sources\" don't agree".into());
    // A source named like markup, in the small print the chart draws from the analysis.
    let mut a = a.clone();
    for b in &mut a.borders {
        b.sources.insert("<script>alert(1)</script>".into(), 1.0);
    }
    let svg = charts::comparison_chart(&c, &a, page()).unwrap();
    assert!(svg.contains("Rates &lt;differ&gt; &amp; &quot;sources&quot; don&apos;t agree"));
    assert!(!svg.contains("<differ>"));
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let found = doc
        .descendants()
        .filter_map(|n| n.text())
        .any(|t| t.contains("Rates <differ> & \"sources\" don't agree"));
    assert!(found, "the warning reads back as written");
    check_and_render(&svg, "comparison_escaped");
}

/// One warning longer than the space for warnings (a border whose records cite hundreds of
/// sources, say) is cut to its first lines with an ellipsis, not drawn over the panels.
#[test]
fn an_overlong_warning_is_cut_to_fit() {
    let a = analysis();
    let mut c: Comparison = compare(a, "AF-TJ", "AF-PK").unwrap();
    c.warnings = vec![vec!["Agence France Presse; Press Trust of India"; 400].join(" | ")];
    let svg = charts::comparison_chart(&c, a, page()).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let group = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("warnings"))
        .expect("a warnings group");
    let lines: Vec<&str> = group
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(lines.len() < 30, "{} lines of warning", lines.len());
    assert!(lines.last().unwrap().ends_with('…'), "{lines:?}");
    check_and_render(&svg, "comparison_overlong_warning");
}

#[test]
fn charts_are_cheap() {
    let a = analysis();
    let c = compare(a, "AF-TJ", "AF-PK").unwrap();
    // Warm up (font metrics load once).
    let _ = charts::border_profile(a, &["AF-TJ", "AF-PK"], page()).unwrap();
    let t = std::time::Instant::now();
    for _ in 0..5 {
        let _ = charts::border_profile(a, &["AF-TJ", "AF-PK"], page()).unwrap();
        let _ = charts::comparison_chart(&c, a, page()).unwrap();
    }
    let per_pair = t.elapsed() / 5;
    eprintln!("profile + comparison SVG: {per_pair:?}");
    // Generous for debug builds; in release both take about a millisecond.
    assert!(
        per_pair.as_millis() < 500,
        "{per_pair:?} per profile + comparison"
    );
}

#[test]
fn crowded_pages_still_draw() {
    // Big text on a small page, and a border profile with every border: nothing panics,
    // the SVG stays valid.
    let a = analysis();
    let c = compare(a, "AF-TJ", "AF-PK").unwrap();
    for page in [
        render::page_size(Some(600), Some(300.0)),
        render::page_size(Some(200), None),
        render::page_size(Some(4000), None),
    ] {
        for svg in [
            charts::border_profile(a, &[], page).unwrap(),
            charts::comparison_chart(&c, a, page).unwrap(),
        ] {
            roxmltree::Document::parse(&svg).unwrap();
            render::parse_svg(&svg).unwrap();
        }
    }
}

#[test]
fn undated_incidents_give_rates_per_100_km_without_years() {
    let geo = GeoData::load(None).unwrap();
    let mut prepared =
        borderwatch::pipeline::ingest_and_geocode(&[], &geo, false, &mut |_| {}).unwrap();
    for l in &mut prepared.geocoded.located {
        l.record.date = None;
    }
    let a = density::analyse(
        &prepared.geocoded.located,
        &geo,
        &AnalysisOptions::default(),
    );
    assert!(a.years.is_none());
    let c = compare(&a, "AF-TJ", "AF-PK").unwrap();
    let profile = charts::border_profile(&a, &["AF-TJ", "AF-PK"], page()).unwrap();
    assert!(
        profile.contains("events per 100 km<"),
        "the y axis drops 'per year'"
    );
    let chart = charts::comparison_chart(&c, &a, page()).unwrap();
    assert!(chart.contains("not defined (no dates)"));
    assert!(chart.contains("without a date are not shown"));
    check_and_render(&profile, "profile_undated");
    check_and_render(&chart, "comparison_undated");
}

/// The profile's bars are filled in the run's classes (the maps' and QGIS's), and a key prints
/// every class bound.
#[test]
fn profile_bars_use_the_run_classes_and_the_key_prints_every_break() {
    use borderwatch::export::classes::{RateClasses, segment_value};
    let a = analysis();
    let pair = ["AF-TJ", "AF-PK"];
    let svg = charts::border_profile(a, &pair, page()).unwrap();
    let classes = RateClasses::for_run(a, &pair);
    assert!(classes.len() >= 2);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let hex = |c: [u8; 3]| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
    let class_fills: Vec<String> = classes.colors().into_iter().map(hex).collect();
    for id in pair {
        let r = a.borders.iter().find(|b| b.border.id == id).unwrap();
        let panel = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(&format!("profile-{id}")))
            .unwrap();
        let fills: Vec<String> = panel
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter(|n| {
                n.ancestors()
                    .all(|a| a.attribute("id") != Some("class-key"))
            })
            .filter_map(|n| n.attribute("fill").map(str::to_string))
            .filter(|f| class_fills.contains(f))
            .collect();
        // One bar per segment with incidents, in the colour of its class.
        let want: Vec<String> = r
            .segments
            .iter()
            .map(|s| segment_value(&s.rates))
            .filter(|v| *v > 0.0)
            .map(|v| hex(classes.color_of(v)))
            .collect();
        assert_eq!(fills, want, "{id}");
    }
    let key = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("class-key"))
        .expect("a key to the bar colours");
    let key_texts: Vec<&str> = key.descendants().filter_map(|n| n.text()).collect();
    for b in &classes.bounds {
        assert!(
            key_texts.contains(&render::break_label(*b).as_str()),
            "{b} not in {key_texts:?}"
        );
    }
    check_and_render(&svg, "profile_classes");
}
