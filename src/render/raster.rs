//! SVG to PNG with resvg, using only the bundled fonts, so a PNG looks like its SVG on every
//! machine (no system fonts are consulted).

use super::fonts;
use anyhow::{Context, Result};
use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};
use std::sync::{Arc, LazyLock};

/// The bundled DejaVu Sans regular and bold; "sans-serif" and every generic family map to it.
static FONTDB: LazyLock<Arc<fontdb::Database>> =
    LazyLock::new(|| fonts::bundled_font_database!(fontdb::Database));

/// Parsing options: bundled fonts only, anti-aliased shapes and text, and only embedded
/// (`data:`) images: an `href` naming a file is ignored rather than read.
fn options() -> usvg::Options<'static> {
    let mut opt = usvg::Options {
        font_family: fonts::FAMILY.to_string(),
        shape_rendering: usvg::ShapeRendering::GeometricPrecision,
        text_rendering: usvg::TextRendering::GeometricPrecision,
        image_rendering: usvg::ImageRendering::OptimizeQuality,
        fontdb: FONTDB.clone(),
        ..usvg::Options::default()
    };
    opt.image_href_resolver.resolve_string = Box::new(|_, _| None);
    opt
}

/// Parses an SVG document as the PNG renderer would (fails on malformed XML or SVG).
pub fn parse_svg(svg: &str) -> Result<usvg::Tree> {
    usvg::Tree::from_str(svg, &options()).context("parsing the SVG")
}

/// Renders an SVG document to straight RGBA pixels `width_px` wide (height in proportion),
/// on white.
pub fn svg_to_rgba(svg: &str, width_px: u32) -> Result<(u32, u32, Vec<u8>)> {
    let tree = parse_svg(svg)?;
    let size = tree.size();
    anyhow::ensure!(width_px > 0, "a PNG needs a width above 0 px");
    let scale = width_px as f32 / size.width();
    let height_px = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width_px, height_px)
        .with_context(|| format!("a {width_px}x{height_px} px image is too large"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    // The background is opaque, so premultiplied pixels are already straight.
    Ok((width_px, height_px, pixmap.take()))
}

/// Renders an SVG document to PNG bytes, `width_px` wide.
pub fn svg_to_png(svg: &str, width_px: u32) -> Result<Vec<u8>> {
    let (w, h, rgba) = svg_to_rgba(svg, width_px)?;
    super::canvas::encode_png(w, h, &rgba).context("encoding the PNG")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_renders_with_the_bundled_font() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60">
<text x="10" y="40" font-family="DejaVu Sans" font-size="30" fill="#000">Дарвоз</text></svg>"##;
        let (w, h, px) = svg_to_rgba(svg, 400).unwrap();
        assert_eq!((w, h), (400, 120));
        let dark = px.chunks(4).filter(|p| p[0] < 100).count();
        assert!(dark > 500, "text drew {dark} dark pixels");
        // An unknown family falls back to the bundled one instead of drawing nothing.
        let other = svg.replace("DejaVu Sans", "No Such Font");
        let (_, _, px) = svg_to_rgba(&other, 400).unwrap();
        assert!(px.chunks(4).filter(|p| p[0] < 100).count() > 500);
    }

    #[test]
    fn png_is_decodable() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="10" fill="#ff0000"/></svg>"##;
        let png = svg_to_png(svg, 20).unwrap();
        let dec = png::Decoder::new(std::io::Cursor::new(png));
        let mut r = dec.read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (20, 20));
        assert_eq!(&buf[0..4], &[255, 0, 0, 255]);
        assert!(parse_svg("<svg").is_err());
    }
}
