//! A report map page: a projected map frame with margins, drawn into an SVG string through
//! plotters' `SVGBackend`, with primitives that take WGS 84 lon/lat.
//!
//! Coordinates in the public API are *page pixels* (the page as configured by
//! [`PageSize`]; text sizes in points, converted with its dpi). Inside the SVG every
//! coordinate is stored in units of 1/[`SUBPIXEL`] px, because plotters writes integer
//! coordinates and quarter-pixel precision keeps small symbols symmetric; the `<svg>`
//! element's `viewBox` scales them back, so the document's nominal size is the page size.
//!
//! Plotters draws the shapes and plain text. A few things its SVG backend cannot express are
//! written as SVG directly, in drawing order, and documented where they happen: the density
//! raster (`<image>`), dashed lines (`stroke-dasharray`), polygons with holes
//! (`fill-rule="evenodd"`) and map labels with a halo (`paint-order="stroke"`). All text,
//! either way, is XML-escaped.
//!
//! One file per concern: [`paint`] (colours, symbols, label styles, rasters), [`extent`]
//! (the projected rectangle shown), [`shapes`] (the drawing primitives), [`labels`] (text
//! layout, fitting and label placement), [`furniture`] (title, scale bar, north arrow,
//! inset). The canvas knows pages, projections and shapes; it must not know what an
//! incident, a border or an analysis is — the maps and charts say what to draw.

use super::clip::{self, Box2};
use super::{PageSize, fonts};
use crate::projection::Projection;
use labels::PendingLabel;
use plotters::backend::{DrawingBackend, SVGBackend};
use plotters::style::ShapeStyle;
use std::fmt::Write as _;

mod extent;
mod furniture;
mod labels;
mod paint;
mod shapes;
#[cfg(test)]
mod tests;

pub use extent::Extent;
pub use furniture::format_number;
pub(in crate::render) use labels::fit_width;
pub use labels::{drawable_text, place_labels, xml_escape};
pub(crate) use paint::encode_png;
pub use paint::{Align, Anchor, LabelStyle, LegendKey, RasterImage, Rgba, SymbolShape};

/// SVG units per page pixel.
pub const SUBPIXEL: f64 = 4.0;

/// Where things go on the page, in page pixels.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub page: Box2,
    pub header: Box2,
    pub map: Box2,
    /// The column right of the map: legends from the top, the inset locator at the bottom.
    pub panel: Box2,
    pub footer: Box2,
}

impl Layout {
    fn new(page: &PageSize) -> Layout {
        let (w, h) = (f64::from(page.width_px), f64::from(page.height_px));
        let pt = page.px_per_pt();
        let m = 14.0 * pt;
        let header_h = 44.0 * pt;
        let footer_h = 20.0 * pt;
        let gap = 10.0 * pt;
        let panel_w = (0.22 * w).max(130.0 * pt).min(0.4 * w);
        let top = m + header_h;
        let bottom = h - m - footer_h;
        let map_right = w - m - panel_w - gap;
        Layout {
            page: Box2::new(0.0, 0.0, w, h),
            header: Box2::new(m, m, w - m, top),
            map: Box2::new(m, top, map_right, bottom),
            panel: Box2::new(map_right + gap, top, w - m, bottom),
            footer: Box2::new(m, bottom, w - m, h - m),
        }
    }

    /// A small multiple's layout: a strip for its caption over a map that fills the rest;
    /// no side panel or footer (the page that holds the panels has those).
    fn panel(page: &PageSize) -> Layout {
        let (w, h) = (f64::from(page.width_px), f64::from(page.height_px));
        let top = 13.0 * page.px_per_pt();
        Layout {
            page: Box2::new(0.0, 0.0, w, h),
            header: Box2::new(0.0, 0.0, w, top),
            map: Box2::new(0.0, top, w, h),
            panel: Box2::new(w, top, w, h),
            footer: Box2::new(0.0, h, w, h),
        }
    }
}

/// A projected extent shown in a pixel box: the main map, or the inset.
#[derive(Debug, Clone, Copy)]
struct View {
    extent: Extent,
    rect: Box2,
    /// Pixels per plane km.
    scale: f64,
}

impl View {
    /// Fits `extent` into `rect`, growing the extent to the box's shape.
    fn new(extent: Extent, rect: Box2) -> View {
        let extent = extent.fit_aspect(rect.width() / rect.height());
        View {
            extent,
            rect,
            scale: rect.width() / extent.width(),
        }
    }

    fn km_to_px(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.rect.x0 + (x - self.extent.xmin) * self.scale,
            self.rect.y0 + (self.extent.ymax - y) * self.scale,
        )
    }

    fn px_to_km(&self, px: f64, py: f64) -> (f64, f64) {
        (
            self.extent.xmin + (px - self.rect.x0) / self.scale,
            self.extent.ymax - (py - self.rect.y0) / self.scale,
        )
    }
}

/// A ring or line already in the map's projection (plane km) in `view`'s pixels, thinned to
/// 0.35 px: what `MapCanvas::project_in` draws, whether the vertices were projected for this
/// map or kept from an earlier one.
fn plane_in(view: &View, km: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let pts: Vec<(f64, f64)> = km.iter().map(|&(x, y)| view.km_to_px(x, y)).collect();
    clip::thin(&pts, 0.35)
}

/// Appends what a plotters `SVGBackend` draws to `body`, without its `<svg>` wrapper: the
/// backend writes a whole document per use, so it draws into `scratch` and the inner part
/// is kept. The page's own `<svg>` element is written by [`MapCanvas::finish`].
fn with_plotters<F>(scratch: &mut String, body: &mut String, size: (u32, u32), f: F)
where
    F: FnOnce(&mut SVGBackend<'_>),
{
    scratch.clear();
    {
        let mut be = SVGBackend::with_string(scratch, size);
        f(&mut be);
        let _ = be.present();
    }
    let start = scratch.find('\n').map_or(0, |i| i + 1);
    let end = scratch.rfind("</svg>").unwrap_or(scratch.len());
    if start < end {
        body.push_str(&scratch[start..end]);
    }
}

/// A point in SVG units, as plotters takes it.
pub(super) type PxPoint = (i32, i32);

pub(super) fn ipt(p: (f64, f64)) -> PxPoint {
    (
        (p.0 * SUBPIXEL).round() as i32,
        (p.1 * SUBPIXEL).round() as i32,
    )
}

fn units(v: f64) -> f64 {
    (v * SUBPIXEL * 100.0).round() / 100.0
}

fn stroke_units(width_px: f64) -> u32 {
    (width_px * SUBPIXEL).round().max(1.0) as u32
}

pub(super) fn shape_style(c: Rgba, width_px: f64, filled: bool) -> ShapeStyle {
    ShapeStyle {
        color: c.plot(),
        filled,
        stroke_width: stroke_units(width_px),
    }
}

fn points_attr(pts: &[(f64, f64)]) -> String {
    let mut s = String::with_capacity(pts.len() * 10);
    for &p in pts {
        let (x, y) = ipt(p);
        let _ = write!(s, "{x},{y} ");
    }
    s.pop();
    s
}

/// How far (SVG units) [`outline_points`] may move a drawn outline: one unit, a quarter of
/// a pixel of the page (and of its PNG), next to the half unit the rounding to whole units
/// already moves a point.
const OUTLINE_TOLERANCE_UNITS: f64 = 1.0;

/// The points of a stroked line (an outline or a solid line) in SVG units, without those
/// that do not move it by more than [`OUTLINE_TOLERANCE_UNITS`] (Ramer–Douglas–Peucker,
/// ends kept): the geodata's outlines, once projected, have about a point per unit, four to
/// a pixel. Leaving out the points that change nothing visible makes a map's SVG about 40%
/// smaller, and parsing and rasterising it for the PNG quicker (usvg strokes every line to
/// find its bounds, a round join at each point). Fills are not simplified: areas that share
/// an edge would be simplified apart.
pub(super) fn outline_points(pts: &[(f64, f64)]) -> Vec<PxPoint> {
    use geo::Simplify;
    let mut units: Vec<PxPoint> = Vec::with_capacity(pts.len());
    for &p in pts {
        let q = ipt(p);
        if units.last() != Some(&q) {
            units.push(q);
        }
    }
    if units.len() < 3 {
        return units;
    }
    let line: geo::LineString<f64> = units
        .iter()
        .map(|&(x, y)| (f64::from(x), f64::from(y)))
        .collect();
    // The points are whole units, so `as` gives each back exactly.
    line.simplify(OUTLINE_TOLERANCE_UNITS)
        .0
        .into_iter()
        .map(|c| (c.x as i32, c.y as i32))
        .collect()
}

/// A map page being drawn. Create with [`MapCanvas::new`], draw layers bottom to top, then
/// [`MapCanvas::finish`] returns the SVG document.
pub struct MapCanvas {
    pub(super) page: PageSize,
    proj: Projection,
    pub(super) layout: Layout,
    view: View,
    size_units: (u32, u32),
    pub(super) body: String,
    scratch: String,
    labels: Vec<PendingLabel>,
    obstacles: Vec<Box2>,
    pub(super) legend_y: f64,
    subtitle_y: Option<f64>,
    title: Option<String>,
    label_seq: usize,
    footer_lines: usize,
}

impl MapCanvas {
    /// A page of `page` size whose map frame shows `extent` (projected km; grown to the
    /// frame's shape, keeping its centre).
    pub fn new(page: PageSize, proj: Projection, extent: Extent) -> MapCanvas {
        Self::with_layout(page, proj, extent, Layout::new(&page))
    }

    /// A small multiple: a map of `page` size (the panel's) with only a caption strip above
    /// it, to be placed on a page with [`MapCanvas::nest`].
    pub fn panel(page: PageSize, proj: Projection, extent: Extent) -> MapCanvas {
        Self::with_layout(page, proj, extent, Layout::panel(&page))
    }

    fn with_layout(page: PageSize, proj: Projection, extent: Extent, layout: Layout) -> MapCanvas {
        let view = View::new(extent, layout.map);
        let size_units = (
            (f64::from(page.width_px) * SUBPIXEL) as u32,
            (f64::from(page.height_px) * SUBPIXEL) as u32,
        );
        MapCanvas {
            page,
            proj,
            layout,
            view,
            size_units,
            body: String::with_capacity(1 << 20),
            scratch: String::with_capacity(1 << 16),
            labels: Vec::new(),
            obstacles: Vec::new(),
            legend_y: layout.panel.y0,
            subtitle_y: None,
            title: None,
            label_seq: 0,
            footer_lines: 0,
        }
    }

    pub fn page(&self) -> PageSize {
        self.page
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn projection(&self) -> &Projection {
        &self.proj
    }

    /// The extent the map frame shows (the one asked for, grown to the frame's shape).
    pub fn extent(&self) -> Extent {
        self.view.extent
    }

    /// Whether a lon/lat point lies inside the map frame's extent.
    pub fn shows(&self, lon: f64, lat: f64) -> bool {
        self.proj
            .forward(lon, lat)
            .is_some_and(|(x, y)| self.view.extent.contains(x, y))
    }

    /// Page pixels per point (1/72 in) at the page's dpi.
    pub fn pt(&self, points: f64) -> f64 {
        points * self.page.px_per_pt()
    }

    /// Where a lon/lat point lands on the page (px), whether or not inside the map frame.
    pub fn to_px(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        let (x, y) = self.proj.forward(lon, lat)?;
        Some(self.view.km_to_px(x, y))
    }

    /// The page pixel of a point already in the map's projection (plane km, as
    /// [`Projection::forward`] gives it): [`MapCanvas::to_px`] without the projecting, for
    /// points projected once and drawn on several maps.
    pub fn plane_to_px(&self, x_km: f64, y_km: f64) -> (f64, f64) {
        self.view.km_to_px(x_km, y_km)
    }

    /// The lon/lat of a page pixel (through the main map's projection).
    pub fn px_to_lonlat(&self, px: f64, py: f64) -> Option<(f64, f64)> {
        let (x, y) = self.view.px_to_km(px, py);
        self.proj.inverse(x, y)
    }

    /// A ring or line in `view`'s pixels (thinned), its vertices projected here; see
    /// [`plane_in`] for one projected already.
    fn project_in(&self, view: &View, coords: &[geo::Coord<f64>]) -> Vec<(f64, f64)> {
        let km: Vec<(f64, f64)> = coords
            .iter()
            .filter_map(|c| self.proj.forward(c.x, c.y))
            .collect();
        plane_in(view, &km)
    }

    /// Draws with plotters (drawing into a String cannot fail, so the closures ignore the
    /// backend's results).
    pub(super) fn plot<F>(&mut self, f: F)
    where
        F: FnOnce(&mut SVGBackend<'_>),
    {
        with_plotters(&mut self.scratch, &mut self.body, self.size_units, f);
    }
}

impl MapCanvas {
    /// Draws the finished `panel` into `rect` (page pixels) of this page, as a nested
    /// `<svg>` scaled to fit. The panel must not use raster images (their clip path is the
    /// page's).
    pub fn nest(&mut self, panel: MapCanvas, rect: Box2) {
        let (pw, ph) = panel.size_units;
        let mut panel = panel;
        panel.place_labels();
        let frame = panel.layout.map;
        let w = panel.pt(0.5);
        panel.rect_px(frame, Rgba::NONE, Rgba::rgb(120, 120, 120), w);
        let _ = writeln!(
            self.body,
            r#"<svg x="{}" y="{}" width="{}" height="{}" viewBox="0 0 {pw} {ph}">"#,
            units(rect.x0),
            units(rect.y0),
            units(rect.width()),
            units(rect.height())
        );
        self.body.push_str(&panel.body);
        self.body.push_str("</svg>\n");
    }

    /// Writes out pending labels, frames the map, and returns the SVG document.
    pub fn finish(mut self) -> String {
        self.place_labels();
        let frame = self.layout.map;
        let w = self.pt(0.6);
        self.rect_px(frame, Rgba::NONE, Rgba::rgb(90, 90, 90), w);
        let (wu, hu) = self.size_units;
        let f = frame;
        let mut out = String::with_capacity(self.body.len() + 1024);
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {wu} {hu}" font-family="{}">"#,
            self.page.width_px,
            self.page.height_px,
            fonts::FAMILY
        );
        if let Some(t) = &self.title {
            let _ = writeln!(out, "<title>{}</title>", xml_escape(t));
        }
        let _ = writeln!(
            out,
            r#"<defs><clipPath id="map-frame"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath></defs>"#,
            units(f.x0),
            units(f.y0),
            units(f.width()),
            units(f.height())
        );
        let _ = writeln!(
            out,
            r##"<rect width="{wu}" height="{hu}" fill="#ffffff"/>"##
        );
        out.push_str(r#"<g stroke-linejoin="round" stroke-linecap="round">"#);
        out.push('\n');
        out.push_str(&self.body);
        out.push_str("</g>\n</svg>\n");
        out
    }
}
