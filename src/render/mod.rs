//! Report-quality maps: SVG drawn with plotters, PNG rasterised with resvg.
//!
//! A map is a [`MapCanvas`]: a page ([`PageSize`], A4 landscape by default, 2000 px wide)
//! with a header (title, subtitle), a map frame in an equal-area [`Projection`], a side panel
//! (legends, inset locator) and a footer (attribution). Layers are drawn bottom to top with
//! primitives that take WGS 84 lon/lat; [`basemap`] draws the countries, provinces and the
//! Afghan borders; [`MapCanvas::finish`] returns the SVG and [`svg_to_png`] the PNG.
//! [`maps`] composes the report maps, [`charts`] the profile and comparison charts.
//! Rendering reads the analysis and the geodata; it must not know how they were made, nor
//! which files a run writes (that is `pipeline::figures`).
//!
//! ```no_run
//! use borderwatch::geodata::GeoData;
//! use borderwatch::render::{self, Extent, MapCanvas, Projection};
//! let geo = GeoData::load(None)?;
//! let provinces = render::embedded_provinces()?;
//! let proj = Projection::region();
//! let tj = geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
//! let extent = Extent::around_lines(&proj, [&tj.line]).unwrap().padded(0.08);
//! let mut map = MapCanvas::new(render::page_size(None, None), proj, extent);
//! render::basemap(&mut map, &geo, &provinces, &render::BasemapOptions::default());
//! map.title("Afghanistan–Tajikistan border");
//! let svg = map.finish();
//! let png = render::svg_to_png(&svg, 2000)?;
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! Text. The SVG names one font family, DejaVu Sans, and the PNG renderer knows no other: it
//! is compiled in from `assets/fonts/` (see the README there), so SVG and PNG agree and no
//! system font is needed. DejaVu Sans covers Latin with diacritics and Cyrillic (Tajik
//! letters included). Right-to-left scripts (Arabic, Persian, Pashto, Urdu) would need bidi
//! reordering and contextual shaping, which plotters does not do and which the SVG would
//! leave to each viewer, so labels in those scripts are transliterated to Latin with
//! `deunicode` ([`drawable_text`]); a map label shows e.g. "afghanstan" for افغانستان. Every
//! text is XML-escaped, so incident text with `<`, `&` or quotes is safe.
//!
//! Speed. The report maps draw the density surface as its few isobands (vector shapes, smooth
//! at any print size; [`MapCanvas::raster`] embeds an image where one is wanted), never a
//! shape per cell; crowded incidents become counts per place ([`places`]), so the number of
//! symbols is bounded by the page, not the data; outlines are clipped to the frame and
//! thinned to sub-pixel steps, so a page is a few hundred kB of SVG whatever the data.
//!
//! Classes. Segment colours come from the run's classes ([`crate::export::classes`]), the
//! same on every map, the profile and the QGIS segment style.

pub mod aggregates;
mod basemap;
mod canvas;
pub mod charts;
mod clip;
mod fonts;
mod legend;
pub mod maps;
mod pdf;
pub mod places;
mod raster;
pub mod small_multiples;
pub mod smooth;

/// An axis-aligned box in page pixels (layout, label boxes, obstacles).
pub use clip::Box2;

/// The region's equal-area conic projection.
pub use crate::projection::{Projection, REGION_ALBERS};
/// Countries, provinces, names and the Afghan borders under everything else.
pub use basemap::{
    BORDER_COLOR, BasemapOptions, COUNTRY_LINE, DISTRICT_LINE, FOCUS_LAND, LAND, NO_DATA,
    PROVINCE_LINE, ProvinceShape, basemap, basemap_background, basemap_borders, basemap_labels,
    embedded_provinces, provinces_from_geojson,
};
/// The page, its map frame and the drawing primitives.
pub use canvas::{
    Align, Anchor, Extent, LabelStyle, Layout, LegendKey, MapCanvas, RasterImage, Rgba,
    SymbolShape, drawable_text, format_number, place_labels, xml_escape,
};
/// The family name the SVG uses for all text (the bundled font).
pub use fonts::FAMILY as FONT_FAMILY;
/// How a class bound is printed in a legend.
pub use legend::break_label;
/// SVG to vector PDF with the bundled fonts embedded.
pub use pdf::svg_to_pdf;
/// SVG to PNG with the bundled fonts only.
pub use raster::{parse_svg, svg_to_png, svg_to_rgba};

/// Default PNG width: A4 landscape at about 171 dpi.
pub const DEFAULT_WIDTH_PX: u32 = 2000;
/// A4 landscape, inches.
const A4_LANDSCAPE_IN: (f64, f64) = (297.0 / 25.4, 210.0 / 25.4);

/// The size of a map page: pixels, and the dpi that turns point sizes (text, line widths)
/// into pixels. The page has A4 landscape proportions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: f64,
}

impl PageSize {
    /// Pixels per point (1/72 in).
    pub fn px_per_pt(&self) -> f64 {
        self.dpi / 72.0
    }
}

impl Default for PageSize {
    fn default() -> PageSize {
        page_size(None, None)
    }
}

/// An A4-landscape page from the `width` and `dpi` options: by default 2000 px wide; without
/// a dpi, the one at which the width is A4 (2000 px → 171 dpi), so a map looks the same at
/// any width; without a width, A4 at that dpi. Giving both makes text and lines bigger
/// (lower dpi) or smaller (higher dpi) on the same pixels.
pub fn page_size(width_px: Option<u32>, dpi: Option<f64>) -> PageSize {
    let dpi = dpi.filter(|d| d.is_finite() && *d > 0.0);
    let width_px = match (width_px, dpi) {
        (Some(w), _) => w.max(200),
        (None, Some(d)) => (A4_LANDSCAPE_IN.0 * d).round() as u32,
        (None, None) => DEFAULT_WIDTH_PX,
    };
    let dpi = dpi.unwrap_or(f64::from(width_px) / A4_LANDSCAPE_IN.0);
    let height_px = (f64::from(width_px) * A4_LANDSCAPE_IN.1 / A4_LANDSCAPE_IN.0).round() as u32;
    PageSize {
        width_px,
        height_px,
        dpi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes() {
        let p = page_size(None, None);
        assert_eq!((p.width_px, p.height_px), (2000, 1414));
        assert!((p.dpi - 171.0).abs() < 0.5);
        let half = page_size(Some(1000), None);
        assert!((half.dpi * 2.0 - p.dpi).abs() < 1e-9);
        let a4_300 = page_size(None, Some(300.0));
        assert_eq!(a4_300.width_px, 3508);
        assert_eq!(page_size(Some(2000), Some(96.0)).dpi, 96.0);
    }
}
