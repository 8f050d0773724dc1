//! The rendering stage end to end: an Afghanistan–Tajikistan map and an overview of all the
//! Afghan borders, drawn with the base map and a few test symbols, written as SVG and PNG and
//! checked the way a reader would: the SVG parses as XML and renders with resvg, and the PNG's
//! pixels show the symbol where the gazetteer puts Shamsiddin Shohin and the border where the
//! border runs. The PNGs are also left in /tmp/render_preview/ to look at.

use borderwatch::geodata::GeoData;
use borderwatch::render::{
    self, Anchor, BORDER_COLOR, BasemapOptions, Extent, LabelStyle, LegendKey, MapCanvas,
    ProvinceShape, RasterImage, Rgba, SymbolShape,
};
use std::path::Path;
use std::time::Instant;

const SYMBOL_RED: Rgba = Rgba::rgb(200, 30, 45);
const TRICKY: &str = r#"Clash <near> "Panj" & 'Pyanj'"#;

struct Rendered {
    svg: String,
    /// Page pixels of the points the test looks at.
    shamsiddin_px: Option<(f64, f64)>,
    border_px: Vec<(f64, f64)>,
    blob_px: Option<(f64, f64)>,
    page_width: u32,
}

fn load() -> (GeoData, Vec<ProvinceShape>) {
    (
        GeoData::load(None).expect("embedded geodata"),
        render::embedded_provinces().expect("embedded provinces"),
    )
}

fn region_extent(geo: &GeoData, proj: &render::Projection) -> Extent {
    let lines = geo.borders.iter().map(|b| &b.line);
    Extent::around_lines(proj, lines).unwrap().padded(0.45)
}

fn af_tj_map(geo: &GeoData, provinces: &[ProvinceShape]) -> Rendered {
    let proj = render::Projection::region();
    let tj = geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
    let extent = Extent::around_lines(&proj, [&tj.line])
        .unwrap()
        .padded(0.06);
    let inset_extent = region_extent(geo, &proj);
    let mut map = MapCanvas::new(render::page_size(None, None), proj, extent);
    render::basemap(&mut map, geo, provinces, &BasemapOptions::default());

    let sh = geo
        .gazetteer
        .get("district:1091917913")
        .expect("Shamsiddin Shohin district");
    map.circle_km(
        sh.lon,
        sh.lat,
        sh.radius_km,
        SYMBOL_RED.with_alpha(0.8),
        SYMBOL_RED.with_alpha(0.12),
    );
    let size = map.pt(7.0);
    map.symbol(
        sh.lon,
        sh.lat,
        SymbolShape::Circle,
        size,
        SYMBOL_RED,
        Rgba::WHITE,
    );
    let darvoz = geo.gazetteer.get("district:1091917021").unwrap();
    map.symbol(
        darvoz.lon,
        darvoz.lat,
        SymbolShape::Triangle,
        size,
        Rgba::rgb(230, 120, 20),
        Rgba::WHITE,
    );
    let khorugh = geo.gazetteer.get("place:1221328").unwrap();
    map.symbol(
        khorugh.lon,
        khorugh.lat,
        SymbolShape::Diamond,
        size,
        Rgba::rgb(40, 90, 170),
        Rgba::WHITE,
    );
    map.symbol(
        71.61331,
        36.72484,
        SymbolShape::Square,
        size,
        Rgba::rgb(90, 60, 140),
        Rgba::WHITE,
    );
    map.symbol(
        69.3,
        37.2,
        SymbolShape::Cross,
        size,
        Rgba::rgb(30, 30, 30),
        Rgba::WHITE,
    );
    let incident = LabelStyle {
        size_pt: 8.0,
        bold: true,
        color: Rgba::rgb(120, 20, 30),
        priority: 40,
        offset_px: size * 0.8,
        ..LabelStyle::default()
    };
    map.label_styled(sh.lon, sh.lat, "Shamsiddin Shohin", &incident);
    map.label_styled(darvoz.lon, darvoz.lat, TRICKY, &incident);
    map.label(khorugh.lon, khorugh.lat, "Хоруғ", 8.0, Anchor::Auto);

    map.title("Afghanistan–Tajikistan border: test incidents");
    map.subtitle("Render test: base map, symbols and labels. Escaping check: <&\">");
    map.legend_items(&[
        (
            LegendKey::Symbol {
                shape: SymbolShape::Circle,
                size_px: size,
                fill: SYMBOL_RED,
                stroke: Rgba::WHITE,
            },
            "Armed clash (test)",
        ),
        (
            LegendKey::Symbol {
                shape: SymbolShape::Triangle,
                size_px: size,
                fill: Rgba::rgb(230, 120, 20),
                stroke: Rgba::WHITE,
            },
            "Cross-border fire (test)",
        ),
        (
            LegendKey::Ring {
                stroke: SYMBOL_RED.with_alpha(0.8),
                fill: SYMBOL_RED.with_alpha(0.12),
            },
            "Location uncertainty",
        ),
        (
            LegendKey::Line {
                color: BORDER_COLOR,
                width_px: map.pt(1.8),
                dash: None,
            },
            "Afghan border",
        ),
        (
            LegendKey::Line {
                color: Rgba::rgb(196, 190, 178),
                width_px: map.pt(0.6),
                dash: None,
            },
            "Province boundary",
        ),
    ]);
    let km = map.scale_bar_km();
    assert!(km > 0.0);
    map.north_arrow();
    map.inset_locator(&geo.countries, inset_extent);

    let shamsiddin_px = map.to_px(sh.lon, sh.lat);
    let frame = map.layout().map;
    let border_px = tj
        .line
        .0
        .iter()
        .filter_map(|c| map.to_px(c.x, c.y))
        .filter(|&(x, y)| frame.inflate(-10.0).contains(x, y))
        .collect();
    let page_width = map.page().width_px;
    Rendered {
        svg: map.finish(),
        shamsiddin_px,
        border_px,
        blob_px: None,
        page_width,
    }
}

fn overview_map(geo: &GeoData, provinces: &[ProvinceShape]) -> Rendered {
    let proj = render::Projection::region();
    let lines = geo.borders.iter().map(|b| &b.line);
    let extent = Extent::around_lines(&proj, lines).unwrap().padded(0.03);
    let inset_extent = region_extent(geo, &proj);
    let mut map = MapCanvas::new(render::page_size(None, None), proj, extent);
    let opts = BasemapOptions {
        province_label_countries: vec!["AF".into()],
        ..BasemapOptions::default()
    };
    render::basemap_background(&mut map, geo, &opts);

    // A density-like raster: one Gaussian blob on the Pakistani border near Khost, drawn
    // under the borders as one embedded image.
    let (bx, by) = map.projection().forward(70.1, 33.3).unwrap();
    let ext = map.extent();
    let (w, h) = (400u32, 300u32);
    let mut img = RasterImage::new(w, h);
    for j in 0..h {
        for i in 0..w {
            let x = ext.xmin + (f64::from(i) + 0.5) / f64::from(w) * ext.width();
            let y = ext.ymax - (f64::from(j) + 0.5) / f64::from(h) * ext.height();
            let d2 = ((x - bx).powi(2) + (y - by).powi(2)) / (60.0f64).powi(2);
            let v = (-d2 / 2.0).exp();
            if v > 0.05 {
                img.put(i, j, Rgba::rgb(120, 40, 160).with_alpha(0.75 * v));
            }
        }
    }
    map.raster(&img, ext).unwrap();
    render::basemap_borders(&mut map, geo, provinces, &opts);
    render::basemap_labels(&mut map, geo, provinces, &opts);

    let sh = geo.gazetteer.get("district:1091917913").unwrap();
    let size = map.pt(6.0);
    map.symbol(
        sh.lon,
        sh.lat,
        SymbolShape::Circle,
        size,
        SYMBOL_RED,
        Rgba::WHITE,
    );
    map.label_styled(
        sh.lon,
        sh.lat,
        "Shamsiddin Shohin",
        &LabelStyle {
            bold: true,
            color: Rgba::rgb(120, 20, 30),
            priority: 40,
            offset_px: size * 0.8,
            ..LabelStyle::default()
        },
    );
    map.title("Afghanistan's borders");
    map.subtitle("All six borders, 5,230 km measured on Natural Earth 1:10m. Render test.");
    let ramp: Vec<Rgba> = (0..32)
        .map(|i| Rgba::rgb(120, 40, 160).with_alpha(f64::from(i) / 31.0 * 0.75))
        .map(|c| {
            // Blend over the land colour, as the legend has no map under it.
            let a = f64::from(c.a) / 255.0;
            let mix = |fg: u8, bg: u8| (f64::from(fg) * a + f64::from(bg) * (1.0 - a)) as u8;
            let land = render::FOCUS_LAND;
            Rgba::rgb(mix(c.r, land.r), mix(c.g, land.g), mix(c.b, land.b))
        })
        .collect();
    map.legend_ramp(&ramp, 0.0, 12.5, "Incidents per 1,000 km² (test)");
    map.legend_items(&[(
        LegendKey::Symbol {
            shape: SymbolShape::Circle,
            size_px: size,
            fill: SYMBOL_RED,
            stroke: Rgba::WHITE,
        },
        "Shamsiddin Shohin (test point)",
    )]);
    map.scale_bar_km();
    map.north_arrow();
    map.inset_locator(&geo.countries, inset_extent);
    let shamsiddin_px = map.to_px(sh.lon, sh.lat);
    // 45 km south-east of the blob's centre, off the border line and the names.
    let blob_px = map.to_px(70.5, 33.0);
    let page_width = map.page().width_px;
    Rendered {
        svg: map.finish(),
        shamsiddin_px,
        border_px: Vec::new(),
        blob_px,
        page_width,
    }
}

struct Png {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Png {
    fn decode(bytes: &[u8]) -> Png {
        let dec = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut r = dec.read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgba);
        buf.truncate(info.buffer_size());
        Png {
            width: info.width,
            height: info.height,
            rgba: buf,
        }
    }

    fn at(&self, x: f64, y: f64) -> [u8; 4] {
        let (x, y) = (x.round() as u32, y.round() as u32);
        assert!(
            x < self.width && y < self.height,
            "{x},{y} outside the image"
        );
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }
}

fn close(p: [u8; 4], c: Rgba, tol: i32) -> bool {
    (i32::from(p[0]) - i32::from(c.r)).abs() <= tol
        && (i32::from(p[1]) - i32::from(c.g)).abs() <= tol
        && (i32::from(p[2]) - i32::from(c.b)).abs() <= tol
}

/// Writes the SVG and PNG into `dir`, checks both, and returns the decoded PNG and its scale
/// (PNG px per page px).
fn write_and_check(r: &Rendered, dir: &Path, name: &str) -> (Png, f64) {
    // Well-formed XML, read by an XML parser.
    let doc = roxmltree::Document::parse(&r.svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    // The font is named, so the SVG and the PNG use the same one.
    assert!(r.svg.contains(r#"font-family="DejaVu Sans""#));
    std::fs::write(dir.join(format!("{name}.svg")), &r.svg).unwrap();

    let t = Instant::now();
    let png_bytes = render::svg_to_png(&r.svg, 2000).expect("resvg renders the SVG");
    eprintln!(
        "{name}: SVG {} kB, PNG {} kB in {:?}",
        r.svg.len() / 1024,
        png_bytes.len() / 1024,
        t.elapsed()
    );
    std::fs::write(dir.join(format!("{name}.png")), &png_bytes).unwrap();
    let _ = std::fs::create_dir_all("/tmp/render_preview");
    let _ = std::fs::write(format!("/tmp/render_preview/{name}.png"), &png_bytes);
    let _ = std::fs::write(format!("/tmp/render_preview/{name}.svg"), &r.svg);
    let png = Png::decode(&png_bytes);
    assert_eq!(png.width, 2000, "about 2000 px wide");
    assert!(
        (1300..1500).contains(&png.height),
        "A4 landscape: {}",
        png.height
    );
    let scale = f64::from(png.width) / f64::from(r.page_width);
    (png, scale)
}

#[test]
fn af_tj_map_renders_to_svg_and_png() {
    let (geo, provinces) = load();
    let t = Instant::now();
    let r = af_tj_map(&geo, &provinces);
    eprintln!("AF-TJ map drawn in {:?}", t.elapsed());
    let dir = tempfile::tempdir().unwrap();
    let (png, s) = write_and_check(&r, dir.path(), "af_tj");

    // The symbol sits where the gazetteer puts Shamsiddin Shohin.
    let (x, y) = r.shamsiddin_px.expect("Shamsiddin Shohin projects");
    let p = png.at(x * s, y * s);
    assert!(
        close(p, SYMBOL_RED, 40),
        "pixel at Shamsiddin Shohin is {p:?}, not the symbol's red"
    );
    for bg in [render::FOCUS_LAND, render::LAND] {
        assert!(
            !close(p, bg, 12),
            "pixel at Shamsiddin Shohin is background"
        );
    }

    // The border is drawn where the border runs.
    assert!(
        r.border_px.len() > 100,
        "{} border vertices",
        r.border_px.len()
    );
    let hits = r
        .border_px
        .iter()
        .filter(|&&(x, y)| close(png.at(x * s, y * s), BORDER_COLOR, 45))
        .count();
    let share = hits as f64 / r.border_px.len() as f64;
    assert!(
        share > 0.8,
        "only {hits} of {} border vertices have the border colour",
        r.border_px.len()
    );

    // Incident text is escaped, and reads back unchanged.
    assert!(
        r.svg
            .contains("Clash &lt;near&gt; &quot;Panj&quot; &amp; &apos;Pyanj&apos;")
    );
    assert!(!r.svg.contains(TRICKY));
    let doc = roxmltree::Document::parse(&r.svg).unwrap();
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect();
    assert!(texts.iter().any(|t| t == TRICKY), "the label reads back");
    assert!(
        texts.iter().any(|t| t.ends_with("<&\">")),
        "the subtitle reads back"
    );
    assert!(texts.iter().any(|t| t == "TAJIKISTAN"));
    assert!(texts.iter().any(|t| t == "Хоруғ"), "Cyrillic labels kept");
}

#[test]
fn overview_of_all_afghan_borders_renders() {
    let (geo, provinces) = load();
    let t = Instant::now();
    let r = overview_map(&geo, &provinces);
    eprintln!("overview map drawn in {:?}", t.elapsed());
    let dir = tempfile::tempdir().unwrap();
    let (png, s) = write_and_check(&r, dir.path(), "overview");

    let (x, y) = r.shamsiddin_px.unwrap();
    assert!(close(png.at(x * s, y * s), SYMBOL_RED, 40));

    // One embedded image, and it shows: the blob's centre is purple over the land.
    assert_eq!(r.svg.matches("<image ").count(), 1);
    let (bx, by) = r.blob_px.unwrap();
    let p = png.at(bx * s, by * s);
    assert!(
        p[2] > p[1] + 40 && p[0] > p[1] + 20,
        "raster not visible: {p:?}"
    );
    for name in ["AFGHANISTAN", "PAKISTAN", "IRAN"] {
        assert!(
            r.svg.contains(&format!(">{name}</text>")),
            "{name} labelled"
        );
    }
}

/// The overview page draws and rasterises; the times are printed, never asserted (speed is
/// measured by the benchmark harness, not by tests on a shared machine).
#[test]
fn a_page_renders_and_reports_its_time() {
    let (geo, provinces) = load();
    let t = Instant::now();
    let svg = overview_map(&geo, &provinces).svg;
    let draw = t.elapsed();
    let t = Instant::now();
    let png = render::svg_to_png(&svg, 2000).unwrap();
    let raster = t.elapsed();
    eprintln!("overview: draw {draw:?}, rasterise + encode {raster:?}");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
}

// ---------------------------------------------------------------------------------------
// The report maps of a run (issue 16): one set of classes for the compared maps, the profile
// and QGIS; one display mode; a smooth density surface; aggregate rows as their stretch;
// labels as written; incidents outside the frame counted.

use borderwatch::density::kde::{self, Isoband, KdeOptions};
use borderwatch::density::{Analysis, AnalysisOptions};
use borderwatch::export::classes::{RateClasses, segment_value};
use borderwatch::model::LocatedIncident;
use borderwatch::render::maps::{self, MapData};
use borderwatch::render::places::{self, DisplayMode};
use std::sync::OnceLock;

const PAIR: [&str; 2] = ["AF-TJ", "AF-PK"];

/// What `borderwatch run` draws its maps from, for a set of inputs.
struct RunData {
    geo: GeoData,
    provinces: Vec<ProvinceShape>,
    located: Vec<LocatedIncident>,
    analysis: Analysis,
    bands: Vec<Isoband>,
}

impl RunData {
    fn new(inputs: &[std::path::PathBuf]) -> RunData {
        let (geo, provinces) = load();
        let prepared = borderwatch::pipeline::ingest_and_geocode(inputs, &geo, false, &mut |_| {})
            .expect("the inputs read");
        let located = prepared.geocoded.located;
        let analysis = borderwatch::density::analyse(&located, &geo, &AnalysisOptions::default());
        let proj = render::Projection::region();
        let drawn_from = render::aggregates::surface_analysis(&analysis, &located);
        let surface = kde::surface(
            &located,
            drawn_from.as_ref().unwrap_or(&analysis),
            &KdeOptions::default(),
            &proj,
        )
        .map(render::smooth::for_print)
        .expect("a surface");
        let bands = kde::isobands(&surface, &kde::default_thresholds(&surface), &proj).unwrap();
        RunData {
            geo,
            provinces,
            located,
            analysis,
            bands,
        }
    }

    fn data(&self) -> MapData<'_> {
        MapData {
            geo: &self.geo,
            provinces: &self.provinces,
            located: &self.located,
            analysis: &self.analysis,
            bands: &self.bands,
            compared: PAIR.iter().map(|s| s.to_string()).collect(),
            subtitle: "test run".into(),
            inputs: String::new(),
            sources: String::new(),
            mode: Default::default(),
            positions: Default::default(),
        }
    }

    /// The map frame of a border's map, to find where things land on it.
    fn canvas(&self, border: &str) -> MapCanvas {
        let b = self.geo.borders.iter().find(|b| b.id == border).unwrap();
        let proj = render::Projection::region();
        let extent = Extent::around_lines(&proj, [&b.line]).unwrap().padded(0.07);
        MapCanvas::new(render::page_size(None, None), proj, extent)
    }
}

fn example() -> &'static RunData {
    static R: OnceLock<RunData> = OnceLock::new();
    R.get_or_init(|| RunData::new(&[]))
}

fn juanr() -> Option<&'static RunData> {
    static R: OnceLock<Option<RunData>> = OnceLock::new();
    R.get_or_init(|| {
        let f = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/realdata/ucdp_ged_v21_1_juanr_precise_afg_pak_tjk.csv");
        f.is_file().then(|| RunData::new(&[f]))
    })
    .as_ref()
}

/// The `rect.legend-class` boxes of a map, as (lo, hi, fill) in order.
fn legend_classes(svg: &str) -> Vec<(f64, f64, String)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("legend-class"))
        .map(|n| {
            let f = |a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
            (
                f("data-lo"),
                f("data-hi"),
                n.attribute("fill").unwrap().into(),
            )
        })
        .collect()
}

/// Every `<text>` of an SVG.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// The subtitle (it ends with the test run's own subtitle).
fn subtitle_of(svg: &str) -> String {
    texts(svg)
        .into_iter()
        .find(|t| t.contains("test run"))
        .unwrap_or_default()
}

fn render_png(svg: &str, name: &str) -> Png {
    let png = render::svg_to_png(svg, 2000).unwrap();
    let dir = Path::new("/tmp/render_preview");
    if std::fs::create_dir_all(dir).is_ok() {
        let _ = std::fs::write(dir.join(format!("{name}.png")), &png);
    }
    Png::decode(&png)
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

#[test]
fn compared_maps_share_one_legend_with_every_break_and_the_segments_follow_it() {
    let r = example();
    let d = r.data();
    let classes = RateClasses::for_run(&r.analysis, &PAIR);
    assert!(classes.len() >= 2, "the example has classes: {classes:?}");
    let mut legends = Vec::new();
    for id in PAIR {
        let svg = maps::border_map(&d, id, render::page_size(None, None)).unwrap();
        let boxes = legend_classes(&svg);
        let n_bands = r.bands.len();
        assert_eq!(boxes.len(), n_bands + classes.len(), "{id}: {boxes:?}");
        // The segment classes: the run's bounds, every one printed.
        let seg: Vec<(f64, f64, String)> = boxes[n_bands..].to_vec();
        for (i, (lo, hi, fill)) in seg.iter().enumerate() {
            assert_eq!((*lo, *hi), (classes.bounds[i], classes.bounds[i + 1]));
            assert_eq!(fill, &hex(classes.color(i)));
        }
        let t = texts(&svg);
        for b in &classes.bounds {
            assert!(
                t.contains(&render::break_label(*b)),
                "{id}: bound {b} not printed"
            );
        }
        // The density classes: the run's isobands, every bound printed.
        for (i, band) in r.bands.iter().enumerate() {
            assert_eq!((boxes[i].0, boxes[i].1), (band.lo, band.hi));
            assert!(t.contains(&render::break_label(band.hi)));
        }
        // Segment colours on the PNG: the middle of every segment of this border that lies
        // in the frame has its class's colour.
        let png = render_png(&svg, &format!("classes_{id}"));
        let canvas = r.canvas(id);
        let b = r
            .analysis
            .borders
            .iter()
            .find(|b| b.border.id == id)
            .unwrap();
        let mut checked = 0;
        for s in &b.segments {
            let mid = s.unit.coords[s.unit.coords.len() / 2];
            let Some((x, y)) = canvas.to_px(mid.0, mid.1) else {
                continue;
            };
            if !canvas.layout().map.inflate(-20.0).contains(x, y) {
                continue;
            }
            let c = classes.color_of(segment_value(&s.rates));
            let want = Rgba::rgb(c[0], c[1], c[2]);
            // The line may be crossed by another one; look in a small window.
            let found = (-3..=3).any(|dx| {
                (-3..=3).any(|dy| close(png.at(x + f64::from(dx), y + f64::from(dy)), want, 6))
            });
            if found {
                checked += 1;
            }
        }
        let in_frame = b.segments.len();
        assert!(
            checked * 10 >= in_frame * 8,
            "{id}: {checked} of {in_frame} segments show their class colour"
        );
        legends.push(boxes);
    }
    assert_eq!(
        legends[0], legends[1],
        "the two compared maps share one legend"
    );
}

#[test]
fn qgis_segment_style_uses_the_run_classes() {
    let r = example();
    let tmp = tempfile::tempdir().unwrap();
    let mut meta = borderwatch::export::layers::RunMeta::new(vec![], &r.located);
    meta.compared = PAIR.iter().map(|s| s.to_string()).collect();
    borderwatch::export::layers::write_all(
        tmp.path(),
        &r.geo,
        &r.located,
        &r.analysis,
        None,
        &r.bands,
        &meta,
    )
    .unwrap();
    let qml = std::fs::read_to_string(tmp.path().join("segments.qml")).unwrap();
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(&qml, opts).unwrap();
    let ranges: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("range"))
        .map(|n| {
            let f = |a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
            (f("lower"), f("upper"))
        })
        .collect();
    let classes = RateClasses::for_run(&r.analysis, &PAIR);
    assert_eq!(
        ranges.len(),
        classes.len() + 1,
        "none, then the run's classes"
    );
    assert_eq!(ranges[0], (0.0, 0.0));
    for (i, (lo, hi)) in ranges[1..].iter().enumerate() {
        assert!(
            (lo - classes.bounds[i]).abs() < 1e-6,
            "{ranges:?} vs {classes:?}"
        );
        assert!(
            *hi + 1e-6 >= classes.bounds[i + 1],
            "{ranges:?} vs {classes:?}"
        );
    }
}

#[test]
fn the_example_maps_draw_symbols_with_a_size_key_and_legends_list_what_is_drawn() {
    let r = example();
    let d = r.data();
    let page = render::page_size(None, None);
    assert_eq!(maps::display_mode(&d, page), Some(DisplayMode::Symbols));
    let svg = maps::border_map(&d, "AF-TJ", page).unwrap();
    let t = texts(&svg);
    assert!(!subtitle_of(&svg).contains("counts per place"));
    assert!(t.iter().any(|s| s == "symbol size: deaths"), "a size key");
    assert!(t.iter().any(|s| s == "0 or unknown"));
    // Types in the legend are types drawn in the frame: the Kabul bombing is not on the
    // Tajik map, so "bombing" is not in its legend.
    let canvas = r.canvas("AF-TJ");
    let frame = canvas.layout().map;
    let kabul_in_frame = r.located.iter().any(|l| {
        l.record.event_type.as_deref() == Some("bombing")
            && canvas
                .to_px(l.location.lon, l.location.lat)
                .is_some_and(|(x, y)| frame.contains(x, y))
    });
    assert_eq!(t.iter().any(|s| s == "bombing"), kabul_in_frame);
    assert!(
        t.iter().any(|s| s == "drone strike"),
        "Shamsiddin Shohin's drone strike"
    );
}

#[test]
fn incidents_outside_the_frame_are_counted_in_the_subtitle() {
    let r = example();
    let d = r.data();
    let svg = maps::border_map(&d, "AF-TJ", render::page_size(None, None)).unwrap();
    // Counted point records outside the Tajik map's frame (Kabul, Khost, Jalalabad …).
    let canvas = r.canvas("AF-TJ");
    let frame = canvas.layout().map;
    let outside = r
        .located
        .iter()
        .zip(&r.analysis.placements)
        .filter(|(l, p)| p.excluded.is_none() && l.location.stretch.is_none())
        .filter(|(l, _)| {
            !canvas
                .to_px(l.location.lon, l.location.lat)
                .is_some_and(|(x, y)| frame.contains(x, y))
        })
        .count();
    assert!(outside > 0);
    let sub = subtitle_of(&svg);
    assert!(
        sub.starts_with(&format!("{outside} counted incident")) && sub.contains("outside this map"),
        "{sub}"
    );
}

#[test]
fn an_aggregate_row_is_its_stretch_with_its_count_not_a_density_band() {
    let r = example();
    let agg: Vec<&LocatedIncident> = r
        .located
        .iter()
        .filter(|l| render::aggregates::is_aggregate(l))
        .collect();
    assert_eq!(agg.len(), 1, "the example's 80 clashes along AF-PK");
    let n = agg[0].record.count;
    let d = r.data();
    let svg = maps::border_map(&d, "AF-PK", render::page_size(None, None)).unwrap();
    let label = format!("{n} armed clash events along this stretch (one row)");
    assert!(texts(&svg).contains(&label), "no '{label}'");
    // The surface drawn holds every counted record but the aggregate row.
    let proj = render::Projection::region();
    let full = kde::surface(&r.located, &r.analysis, &KdeOptions::default(), &proj).unwrap();
    let drawn_from = render::aggregates::surface_analysis(&r.analysis, &r.located).unwrap();
    let drawn = kde::surface(&r.located, &drawn_from, &KdeOptions::default(), &proj).unwrap();
    let agg_weight: f64 = r
        .located
        .iter()
        .zip(&r.analysis.placements)
        .filter(|(l, _)| render::aggregates::is_aggregate(l))
        .map(|(_, p)| p.weight)
        .sum();
    assert!(agg_weight >= n - 1e-9);
    assert!((full.weight - drawn.weight - agg_weight).abs() < 1e-6);
    // Far from every point record, on the AF-PK border in Balochistan (km 1,800 of the
    // stretch), no density band is drawn any more.
    let pk = r
        .analysis
        .borders
        .iter()
        .find(|b| b.border.id == "AF-PK")
        .unwrap();
    let (lon, lat) =
        borderwatch::borders::locate::point_at_km(&pk.border, pk.border.measured_km * 0.8);
    let (x, y) = proj.forward(lon, lat).unwrap();
    let lowest = r.bands.first().map_or(f64::INFINITY, |b| b.lo);
    let cell = |s: &kde::Surface| {
        let c = ((x - s.x0) / s.cell_km) as usize;
        let row = ((y - s.y0) / s.cell_km) as usize;
        s.values[row * s.cols + c]
    };
    assert!(cell(&full) > 0.0, "the aggregate row did spread there");
    assert!(
        cell(&drawn) < lowest,
        "{} vs lowest band {lowest}",
        cell(&drawn)
    );
}

/// Stair steps are runs of axis-parallel edges along the density grid: the share of the
/// isobands' outline edges (in projected km) that are axis-parallel.
fn axis_parallel_share(bands: &[Isoband]) -> f64 {
    let proj = render::Projection::region();
    let (mut straight, mut all) = (0usize, 0usize);
    for b in bands {
        for poly in &b.shape.0 {
            let pts: Vec<(f64, f64)> = poly
                .exterior()
                .0
                .iter()
                .filter_map(|c| proj.forward(c.x, c.y))
                .collect();
            for w in pts.windows(2) {
                let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
                if dx.hypot(dy) < 1e-9 {
                    continue;
                }
                all += 1;
                if dx.abs() < 1e-6 || dy.abs() < 1e-6 {
                    straight += 1;
                }
            }
        }
    }
    straight as f64 / all.max(1) as f64
}

#[test]
fn the_density_surface_is_smooth_at_print_size() {
    let r = example();
    let svg = maps::border_map(&r.data(), "AF-TJ", render::page_size(None, None)).unwrap();
    assert_eq!(
        svg.matches("<image").count(),
        0,
        "density drawn as shapes, not pixels"
    );
    let proj = render::Projection::region();
    let raw = kde::surface(
        &r.located,
        render::aggregates::surface_analysis(&r.analysis, &r.located)
            .as_ref()
            .unwrap_or(&r.analysis),
        &KdeOptions::default(),
        &proj,
    )
    .unwrap();
    let raw_bands = kde::isobands(&raw, &kde::default_thresholds(&raw), &proj).unwrap();
    let (before, after) = (
        axis_parallel_share(&raw_bands),
        axis_parallel_share(&r.bands),
    );
    println!("axis-parallel isoband edges: {before:.3} raw, {after:.3} smoothed");
    assert!(after < 0.01, "{after}");
    assert!(after <= before);
}

#[test]
fn labels_give_the_place_as_written_with_the_gazetteer_name_where_it_differs() {
    let r = example();
    let by_id = |id: &str| r.located.iter().find(|l| &*l.record.id == id).unwrap();
    // "Kabul, a Chinese restaurant": the part naming the place.
    assert_eq!(
        places::place_label(by_id("AF-2026-01-19")).as_deref(),
        Some("Kabul")
    );
    // The gazetteer spells it Khōst: the same name, so the record's spelling alone.
    let khost = by_id("AF-2025-10-KHOST");
    assert_ne!(khost.location.gazetteer_name.as_deref(), Some("Khost"));
    assert_eq!(places::place_label(khost).as_deref(), Some("Khost"));
    // A different name (the district's old one): both.
    let mut renamed = by_id("TJ-2025-11-26").clone();
    renamed.record.location = Some("Shuroobod".into());
    let gaz = renamed.location.gazetteer_name.clone().unwrap();
    assert_eq!(
        places::place_label(&renamed),
        Some(format!("Shuroobod ({gaz})"))
    );
    // On the map: the record's form, not the gazetteer's.
    let svg = maps::border_map(&r.data(), "AF-PK", render::page_size(None, None)).unwrap();
    let t = texts(&svg);
    assert!(t.iter().any(|s| s == "Khost"), "{t:?}");
    assert!(!t.iter().any(|s| s == "Khōst"));
}

#[test]
fn on_the_juanr_file_both_compared_maps_draw_counts_per_place() {
    let Some(r) = juanr() else {
        println!("skipping: ../shared/realdata not present (only CI and the team have it)");
        return;
    };
    let d = r.data();
    let page = render::page_size(None, None);
    assert_eq!(maps::display_mode(&d, page), Some(DisplayMode::Counts));
    for id in PAIR {
        let svg = maps::border_map(&d, id, page).unwrap();
        let sub = subtitle_of(&svg);
        assert!(sub.contains("drawn as counts per place"), "{id}: {sub}");
        assert!(texts(&svg).iter().any(|s| s == "incidents per place"));
        // Counts, not stacked rings: a bounded number of circles, whatever the incidents.
        let n = svg.matches("<circle").count();
        assert!(n < 2000, "{id}: {n} circles");
        let _ = render_png(&svg, &format!("juanr_{id}"));
    }
    // The real file's wide kernels are built of flat blocks: smoothed, the isobands lose
    // their stair steps.
    let proj = render::Projection::region();
    let raw = kde::surface(&r.located, &r.analysis, &KdeOptions::default(), &proj).unwrap();
    let raw_bands = kde::isobands(&raw, &kde::default_thresholds(&raw), &proj).unwrap();
    let (before, after) = (
        axis_parallel_share(&raw_bands),
        axis_parallel_share(&r.bands),
    );
    println!("juanr: axis-parallel isoband edges {before:.3} raw, {after:.3} smoothed");
    assert!(after < 0.05 && after < before, "{before} -> {after}");
    // The symbols would bury each other on the Tajik map: most of them hidden.
    let canvas = r.canvas("AF-TJ");
    let at: Vec<[f64; 2]> = r
        .located
        .iter()
        .map(|l| places::position(l, &proj))
        .collect();
    let weights: Vec<places::PointWeight> = r.located.iter().map(places::PointWeight::of).collect();
    let styles: Vec<u8> = r
        .located
        .iter()
        .map(|l| render::maps::event_style_index(l.record.event_type.as_deref()))
        .collect();
    let named: Vec<bool> = r.located.iter().map(places::names_a_place).collect();
    let shared = places::PointColumns {
        positions: &at,
        weights: &weights,
        styles: &styles,
        named: &named,
    };
    let first = |n: usize| places::MapPoints::new(&r.located, shared, (0..n as u32).collect());
    let items = first(r.located.len());
    assert!(places::hidden_share(&canvas, &items) > places::CROWDED_SHARE);
    // The early-stopping decision agrees with the full count, crowded or not (a few items).
    assert!(places::crowded(&canvas, &items));
    for n in [1, 5, 50, 500] {
        let few = first(n.min(r.located.len()));
        assert_eq!(
            places::crowded(&canvas, &few),
            places::hidden_share(&canvas, &few) > places::CROWDED_SHARE,
            "{n} items"
        );
    }
}
