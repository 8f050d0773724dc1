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

#[test]
fn a_page_renders_fast() {
    if cfg!(debug_assertions) {
        eprintln!("timing is checked in release builds only (cargo test --release)");
        return;
    }
    let (geo, provinces) = load();
    let t = Instant::now();
    let svg = overview_map(&geo, &provinces).svg;
    let draw = t.elapsed();
    let t = Instant::now();
    let png = render::svg_to_png(&svg, 2000).unwrap();
    let raster = t.elapsed();
    eprintln!("overview: draw {draw:?}, rasterise + encode {raster:?}");
    assert!(!png.is_empty());
    // Generous bounds (about 0.05 s and 0.25 s here) for a busy CI machine.
    assert!(draw.as_secs_f64() < 0.5, "drawing took {draw:?}");
    assert!(raster.as_secs_f64() < 1.0, "rasterising took {raster:?}");
}
