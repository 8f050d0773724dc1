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

use super::PageSize;
use super::clip::{self, Box2};
use super::fonts;
use crate::projection::Projection;
use anyhow::{Context, Result};
use base64::Engine as _;
use geo::{Destination, Geodesic, LineString, MultiPolygon, Point};
use plotters::backend::{DrawingBackend, SVGBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBAColor, ShapeStyle, TextStyle};
use std::fmt::Write as _;

/// SVG units per page pixel.
pub const SUBPIXEL: f64 = 4.0;

/// A colour with alpha (straight, not premultiplied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Rgba {
    /// Fully transparent: "no fill" or "no stroke".
    pub const NONE: Rgba = Rgba::new(0, 0, 0, 0);
    pub const BLACK: Rgba = Rgba::rgb(0, 0, 0);
    pub const WHITE: Rgba = Rgba::rgb(255, 255, 255);

    pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
        Rgba { r, g, b, a: 255 }
    }

    /// A colour with alpha 0 (transparent) to 255 (opaque).
    pub const fn new(r: u8, g: u8, b: u8, a: u8) -> Rgba {
        Rgba { r, g, b, a }
    }

    /// The same colour with opacity `alpha` (0–1).
    pub fn with_alpha(self, alpha: f64) -> Rgba {
        Rgba {
            a: (alpha.clamp(0.0, 1.0) * 255.0).round() as u8,
            ..self
        }
    }

    /// `#rrggbb` (alpha is written separately as an opacity).
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    pub(super) fn opacity(self) -> f64 {
        f64::from(self.a) / 255.0
    }

    pub(super) fn visible(self) -> bool {
        self.a > 0
    }

    fn plot(self) -> RGBAColor {
        RGBAColor(self.r, self.g, self.b, self.opacity())
    }
}

/// A rectangle of projected plane coordinates, km.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub xmin: f64,
    pub ymin: f64,
    pub xmax: f64,
    pub ymax: f64,
}

impl Extent {
    pub fn new(xmin: f64, ymin: f64, xmax: f64, ymax: f64) -> Extent {
        Extent {
            xmin: xmin.min(xmax),
            ymin: ymin.min(ymax),
            xmax: xmin.max(xmax),
            ymax: ymin.max(ymax),
        }
    }

    /// The extent around some lon/lat points, once projected (`None` if none projects).
    pub fn around_lonlat(
        proj: &Projection,
        pts: impl IntoIterator<Item = (f64, f64)>,
    ) -> Option<Extent> {
        let mut e: Option<Extent> = None;
        for (lon, lat) in pts {
            let Some((x, y)) = proj.forward(lon, lat) else {
                continue;
            };
            e = Some(match e {
                None => Extent::new(x, y, x, y),
                Some(e) => Extent::new(e.xmin.min(x), e.ymin.min(y), e.xmax.max(x), e.ymax.max(y)),
            });
        }
        e
    }

    /// The extent around some lines (e.g. border lines), once projected.
    pub fn around_lines<'a>(
        proj: &Projection,
        lines: impl IntoIterator<Item = &'a LineString<f64>>,
    ) -> Option<Extent> {
        Extent::around_lonlat(
            proj,
            lines
                .into_iter()
                .flat_map(|l| l.0.iter().map(|c| (c.x, c.y))),
        )
    }

    /// The extent grown by `frac` of its larger side on every side.
    pub fn padded(self, frac: f64) -> Extent {
        let d = self.width().max(self.height()) * frac;
        Extent::new(self.xmin - d, self.ymin - d, self.xmax + d, self.ymax + d)
    }

    pub fn width(&self) -> f64 {
        self.xmax - self.xmin
    }

    pub fn height(&self) -> f64 {
        self.ymax - self.ymin
    }

    pub fn center(&self) -> (f64, f64) {
        ((self.xmin + self.xmax) / 2.0, (self.ymin + self.ymax) / 2.0)
    }

    /// The smallest extent with the same centre and the aspect ratio `w / h` that holds this one.
    pub fn fit_aspect(self, aspect: f64) -> Extent {
        let (cx, cy) = self.center();
        let (mut w, mut h) = (self.width().max(1e-9), self.height().max(1e-9));
        if w / h < aspect {
            w = h * aspect;
        } else {
            h = w / aspect;
        }
        Extent::new(cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)
    }
}

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

/// The marker of a point symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolShape {
    Circle,
    Triangle,
    Square,
    Diamond,
    /// A plus-shaped cross.
    Cross,
}

/// Where a label sits relative to its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// Centred on the point (area names).
    Center,
    /// Right of the point.
    East,
    /// Left of the point.
    West,
    /// Above the point.
    North,
    /// Below the point.
    South,
    /// The first of east, west, north, south that is free.
    Auto,
}

/// Horizontal alignment of free text (`text_px`): `x` is its left end, centre or right end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Align {
    Start,
    Middle,
    End,
}

/// How a map label looks and how much it matters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelStyle {
    pub size_pt: f64,
    pub bold: bool,
    pub color: Rgba,
    /// A halo (outline behind the letters) that keeps the label readable over the map.
    pub halo: Option<Rgba>,
    pub anchor: Anchor,
    /// Labels with higher priority are placed first; equal ones in the order given.
    pub priority: i32,
    /// Extra space between letters, in em (country names are spaced out).
    pub letter_spacing_em: f64,
    /// Distance of the label from its point, px (add the symbol's radius).
    pub offset_px: f64,
}

impl Default for LabelStyle {
    fn default() -> LabelStyle {
        LabelStyle {
            size_pt: 8.0,
            bold: false,
            color: Rgba::rgb(40, 40, 40),
            halo: Some(Rgba::WHITE.with_alpha(0.85)),
            anchor: Anchor::Auto,
            priority: 20,
            letter_spacing_em: 0.0,
            offset_px: 6.0,
        }
    }
}

/// One entry of a legend: the key drawn left of its text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LegendKey {
    Symbol {
        shape: SymbolShape,
        size_px: f64,
        fill: Rgba,
        stroke: Rgba,
    },
    Line {
        color: Rgba,
        width_px: f64,
        dash: Option<(f64, f64)>,
    },
    /// A filled area (a polygon or a density class).
    Area { fill: Rgba, stroke: Rgba },
    /// An uncertainty ring.
    Ring { stroke: Rgba, fill: Rgba },
}

/// A straight RGBA image (row 0 at the top, i.e. the north edge), e.g. a density surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RasterImage {
    pub width: u32,
    pub height: u32,
    /// `width * height * 4` bytes, R G B A, not premultiplied.
    pub rgba: Vec<u8>,
}

impl RasterImage {
    /// A transparent image.
    pub fn new(width: u32, height: u32) -> RasterImage {
        RasterImage {
            width,
            height,
            rgba: vec![0; width as usize * height as usize * 4],
        }
    }

    /// Sets one pixel (ignored outside the image).
    pub fn put(&mut self, x: u32, y: u32, c: Rgba) {
        if x < self.width && y < self.height {
            let i = (y as usize * self.width as usize + x as usize) * 4;
            self.rgba[i..i + 4].copy_from_slice(&[c.r, c.g, c.b, c.a]);
        }
    }

    /// The image as PNG bytes.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        anyhow::ensure!(
            self.rgba.len() == self.width as usize * self.height as usize * 4,
            "raster {}x{}: {} bytes, expected {}",
            self.width,
            self.height,
            self.rgba.len(),
            self.width as usize * self.height as usize * 4
        );
        encode_png(self.width, self.height, &self.rgba)
    }
}

/// Encodes straight RGBA pixels as a PNG.
pub(crate) fn encode_png(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header().context("PNG header")?;
        w.write_image_data(rgba).context("PNG data")?;
        w.finish().context("PNG end")?;
    }
    Ok(out)
}

/// Escapes text for SVG character data and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0; drop them.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Right-to-left scripts (Arabic, Persian, Pashto, Urdu, Hebrew, Syriac, Thaana, N'Ko) are
/// transliterated to Latin letters, since plotters does no bidi or shaping; other text is kept.
pub fn drawable_text(s: &str) -> String {
    let rtl = |c: char| {
        matches!(c as u32,
            0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10E60..=0x10E7F | 0x1EE00..=0x1EEFF)
    };
    if !s.chars().any(rtl) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if rtl(c) {
            out.push_str(deunicode::deunicode_char(c).unwrap_or(""));
        } else {
            out.push(c);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Greedy label placement. `candidates[i]` holds the boxes label `i` may take, best first;
/// labels come in priority order. Each label takes its first candidate that lies inside
/// `bounds` and overlaps nothing already `taken` (obstacles such as symbols may be in `taken`
/// beforehand); a label with no such candidate is dropped (`None`).
pub fn place_labels(
    candidates: &[Vec<Box2>],
    taken: &mut Vec<Box2>,
    bounds: Box2,
) -> Vec<Option<usize>> {
    candidates
        .iter()
        .map(|boxes| {
            let pick = boxes
                .iter()
                .position(|b| bounds.contains_box(b) && !taken.iter().any(|t| t.overlaps(b)));
            if let Some(i) = pick {
                taken.push(boxes[i]);
            }
            pick
        })
        .collect()
}

struct PendingLabel {
    x: f64,
    y: f64,
    text: String,
    style: LabelStyle,
    seq: usize,
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

/// Rounds a km length down to 1, 2, 2.5 or 5 times a power of ten.
fn nice_km(max_km: f64) -> f64 {
    if max_km <= 0.0 || !max_km.is_finite() {
        return 0.0;
    }
    let p = 10f64.powf(max_km.log10().floor());
    let f = max_km / p;
    let n = if f >= 5.0 {
        5.0
    } else if f >= 2.5 {
        2.5
    } else if f >= 2.0 {
        2.0
    } else {
        1.0
    };
    n * p
}

/// A number for a legend: no trailing zeros, at most three significant decimals.
pub fn format_number(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let a = v.abs();
    let s = if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
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
        let layout = Layout::new(&page);
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

    /// Page pixels per point (1/72 in) at the page's dpi.
    pub fn pt(&self, points: f64) -> f64 {
        points * self.page.px_per_pt()
    }

    /// Where a lon/lat point lands on the page (px), whether or not inside the map frame.
    pub fn to_px(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        let (x, y) = self.proj.forward(lon, lat)?;
        Some(self.view.km_to_px(x, y))
    }

    /// The lon/lat of a page pixel (through the main map's projection).
    pub fn px_to_lonlat(&self, px: f64, py: f64) -> Option<(f64, f64)> {
        let (x, y) = self.view.px_to_km(px, py);
        self.proj.inverse(x, y)
    }

    fn project_in(&self, view: &View, coords: &[geo::Coord<f64>]) -> Vec<(f64, f64)> {
        let pts: Vec<(f64, f64)> = coords
            .iter()
            .filter_map(|c| self.proj.forward(c.x, c.y))
            .map(|(x, y)| view.km_to_px(x, y))
            .collect();
        clip::thin(&pts, 0.35)
    }

    /// Draws with plotters (drawing into a String cannot fail, so the closures ignore the
    /// backend's results).
    pub(super) fn plot<F>(&mut self, f: F)
    where
        F: FnOnce(&mut SVGBackend<'_>),
    {
        with_plotters(&mut self.scratch, &mut self.body, self.size_units, f);
    }

    /// Fills the whole map frame (the colour shown where no country is drawn).
    pub fn fill_map(&mut self, color: Rgba) {
        let r = self.layout.map;
        self.rect_px(r, color, Rgba::NONE, 0.0);
    }

    /// A rectangle in page pixels.
    pub fn rect_px(&mut self, r: Box2, fill: Rgba, stroke: Rgba, width_px: f64) {
        let (a, b) = (ipt((r.x0, r.y0)), ipt((r.x1, r.y1)));
        self.plot(|be| {
            if fill.visible() {
                let _ = be.draw_rect(a, b, &shape_style(fill, 0.0, true), true);
            }
            if stroke.visible() && width_px > 0.0 {
                let c = [a, (b.0, a.1), b, (a.0, b.1), a];
                let _ = be.draw_path(c, &shape_style(stroke, width_px, false));
            }
        });
    }

    /// A (multi)polygon in lon/lat: filled, then outlined (`width` px; a transparent colour
    /// skips either), clipped to the map frame.
    pub fn polygon(&mut self, mp: &MultiPolygon<f64>, fill: Rgba, stroke: Rgba, width: f64) {
        let view = self.view;
        self.polygon_in(&view, mp, fill, stroke, width);
    }

    fn polygon_in(
        &mut self,
        view: &View,
        mp: &MultiPolygon<f64>,
        fill: Rgba,
        stroke: Rgba,
        width: f64,
    ) {
        let frame = view.rect;
        for poly in &mp.0 {
            let mut rings: Vec<Vec<(f64, f64)>> = Vec::new();
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let mut pts = self.project_in(view, &ring.0);
                if pts.len() > 1 && pts.first() == pts.last() {
                    pts.pop();
                }
                if pts.len() >= 3 {
                    rings.push(pts);
                }
            }
            if rings.is_empty() {
                continue;
            }
            if fill.visible() {
                let clipped: Vec<Vec<(f64, f64)>> = rings
                    .iter()
                    .map(|r| clip::clip_ring(r, &frame))
                    .filter(|r| r.len() >= 3)
                    .collect();
                if clipped.len() == 1 && !clipped[0].is_empty() {
                    let pts: Vec<(i32, i32)> = clipped[0].iter().map(|&p| ipt(p)).collect();
                    self.plot(|be| {
                        let _ = be.fill_polygon(pts, &shape_style(fill, 0.0, true));
                    });
                } else if clipped.len() > 1 {
                    // Plotters fills one ring; holes need an even-odd path.
                    let mut d = String::new();
                    for r in &clipped {
                        let _ = write!(d, "M{}Z", points_attr(r).replace(' ', "L"));
                    }
                    let _ = writeln!(
                        self.body,
                        r#"<path fill-rule="evenodd" fill="{}" fill-opacity="{}" stroke="none" d="{}"/>"#,
                        fill.hex(),
                        fill.opacity(),
                        d
                    );
                }
            }
            if stroke.visible() && width > 0.0 {
                let mut parts = Vec::new();
                for mut r in rings {
                    r.push(r[0]);
                    parts.extend(clip::clip_polyline(&r, &frame));
                }
                self.stroke_parts(&parts, stroke, width);
            }
        }
    }

    fn stroke_parts(&mut self, parts: &[Vec<(f64, f64)>], color: Rgba, width: f64) {
        if parts.is_empty() {
            return;
        }
        let ip: Vec<Vec<(i32, i32)>> = parts
            .iter()
            .map(|p| p.iter().map(|&q| ipt(q)).collect())
            .collect();
        self.plot(|be| {
            let st = shape_style(color, width, false);
            for p in ip {
                let _ = be.draw_path(p, &st);
            }
        });
    }

    /// A line in lon/lat, `width` px, solid or dashed (`(dash, gap)` px), clipped to the frame.
    pub fn line(
        &mut self,
        ls: &LineString<f64>,
        color: Rgba,
        width: f64,
        dash: Option<(f64, f64)>,
    ) {
        let view = self.view;
        self.line_in(&view, ls, color, width, dash);
    }

    fn line_in(
        &mut self,
        view: &View,
        ls: &LineString<f64>,
        color: Rgba,
        width: f64,
        dash: Option<(f64, f64)>,
    ) {
        if !color.visible() || width <= 0.0 {
            return;
        }
        let pts = self.project_in(view, &ls.0);
        let parts = clip::clip_polyline(&pts, &view.rect);
        self.draw_parts_dashed(&parts, color, width, dash);
    }

    pub(super) fn draw_parts_dashed(
        &mut self,
        parts: &[Vec<(f64, f64)>],
        color: Rgba,
        width: f64,
        dash: Option<(f64, f64)>,
    ) {
        match dash {
            None => self.stroke_parts(parts, color, width),
            Some((on, off)) => {
                // Plotters' SVG backend has no dash attribute (its DashedPathElement writes
                // one element per dash), so dashed lines are one polyline each, written here.
                for p in parts {
                    let _ = writeln!(
                        self.body,
                        r#"<polyline fill="none" stroke="{}" stroke-opacity="{}" stroke-width="{}" stroke-dasharray="{} {}" stroke-linecap="butt" points="{}"/>"#,
                        color.hex(),
                        color.opacity(),
                        units(width),
                        units(on),
                        units(off),
                        points_attr(p)
                    );
                }
            }
        }
    }

    /// A circle of `radius_km` on the ground around a lon/lat point, drawn as the projected
    /// polygon of 72 geodesic destinations (an uncertainty ring: true to the ground distance).
    pub fn circle_km(&mut self, lon: f64, lat: f64, radius_km: f64, stroke: Rgba, fill: Rgba) {
        if radius_km.is_nan() || radius_km <= 0.0 || !lon.is_finite() || !lat.is_finite() {
            return;
        }
        let center = Point::new(lon, lat);
        let ring: Vec<geo::Coord<f64>> = (0..=72)
            .map(|i| {
                let p = Geodesic.destination(center, f64::from(i) * 5.0, radius_km * 1000.0);
                geo::Coord { x: p.x(), y: p.y() }
            })
            .collect();
        let mp = MultiPolygon(vec![geo::Polygon::new(LineString(ring), vec![])]);
        let w = self.pt(0.6);
        self.polygon(&mp, fill, stroke, w);
    }

    fn symbol_outline(shape: SymbolShape, cx: f64, cy: f64, size: f64) -> Vec<(f64, f64)> {
        let r = size / 2.0;
        match shape {
            SymbolShape::Circle => Vec::new(),
            SymbolShape::Square => {
                let s = r * 0.9;
                vec![
                    (cx - s, cy - s),
                    (cx + s, cy - s),
                    (cx + s, cy + s),
                    (cx - s, cy + s),
                ]
            }
            SymbolShape::Diamond => {
                let d = r * 1.2;
                vec![(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)]
            }
            SymbolShape::Triangle => {
                // Equilateral, centred on its centroid; a little larger than the circle so
                // that the two look about as heavy.
                let h = r * 1.5 * 1.3;
                let half = h / 3f64.sqrt();
                vec![
                    (cx, cy - h * 2.0 / 3.0),
                    (cx + half, cy + h / 3.0),
                    (cx - half, cy + h / 3.0),
                ]
            }
            SymbolShape::Cross => {
                let t = r * 0.36;
                vec![
                    (cx - t, cy - r),
                    (cx + t, cy - r),
                    (cx + t, cy - t),
                    (cx + r, cy - t),
                    (cx + r, cy + t),
                    (cx + t, cy + t),
                    (cx + t, cy + r),
                    (cx - t, cy + r),
                    (cx - t, cy + t),
                    (cx - r, cy + t),
                    (cx - r, cy - t),
                    (cx - t, cy - t),
                ]
            }
        }
    }

    /// Draws one symbol (drawing into a String cannot fail, so results are not kept).
    pub(super) fn symbol_px(
        be: &mut SVGBackend<'_>,
        shape: SymbolShape,
        (cx, cy): (f64, f64),
        size: f64,
        fill: Rgba,
        stroke: Rgba,
        stroke_w: f64,
    ) {
        if shape == SymbolShape::Circle {
            let c = ipt((cx, cy));
            let r = (size / 2.0 * SUBPIXEL).round().max(1.0) as u32;
            if fill.visible() {
                let _ = be.draw_circle(c, r, &shape_style(fill, 0.0, true), true);
            }
            if stroke.visible() {
                let _ = be.draw_circle(c, r, &shape_style(stroke, stroke_w, false), false);
            }
            return;
        }
        let pts: Vec<(i32, i32)> = Self::symbol_outline(shape, cx, cy, size)
            .into_iter()
            .map(ipt)
            .collect();
        if fill.visible() {
            let _ = be.fill_polygon(pts.clone(), &shape_style(fill, 0.0, true));
        }
        if stroke.visible() {
            let mut closed = pts;
            closed.push(closed[0]);
            let _ = be.draw_path(closed, &shape_style(stroke, stroke_w, false));
        }
    }

    /// A point symbol `size_px` across at a lon/lat point (skipped outside the map frame).
    /// Its box keeps map labels off it.
    pub fn symbol(
        &mut self,
        lon: f64,
        lat: f64,
        shape: SymbolShape,
        size_px: f64,
        fill: Rgba,
        stroke: Rgba,
    ) {
        self.symbols(&[(lon, lat)], shape, size_px, fill, stroke);
    }

    /// Many symbols of one style in one go (cheaper than [`MapCanvas::symbol`] per point).
    pub fn symbols(
        &mut self,
        lonlat: &[(f64, f64)],
        shape: SymbolShape,
        size_px: f64,
        fill: Rgba,
        stroke: Rgba,
    ) {
        let frame = self.layout.map;
        let pts: Vec<(f64, f64)> = lonlat
            .iter()
            .filter_map(|&(lon, lat)| self.to_px(lon, lat))
            .filter(|&(x, y)| frame.contains(x, y))
            .collect();
        if pts.is_empty() {
            return;
        }
        let r = size_px / 2.0
            * if shape == SymbolShape::Circle {
                1.0
            } else {
                1.3
            };
        self.obstacles.extend(
            pts.iter()
                .map(|&(x, y)| Box2::new(x - r, y - r, x + r, y + r)),
        );
        let sw = (size_px / 8.0).clamp(0.75, self.pt(0.8));
        self.plot(|be| {
            for p in pts {
                Self::symbol_px(be, shape, p, size_px, fill, stroke, sw);
            }
        });
    }

    /// An image covering `extent` (projected km), e.g. a density surface, embedded as one
    /// base64 PNG `<image>` clipped to the map frame. Smoothly interpolated when scaled.
    pub fn raster(&mut self, img: &RasterImage, extent: Extent) -> Result<()> {
        let png = img.to_png().context("encoding the raster layer")?;
        let (x0, y0) = self.view.km_to_px(extent.xmin, extent.ymax);
        let (x1, y1) = self.view.km_to_px(extent.xmax, extent.ymin);
        // Clipping costs the PNG renderer a full-page layer: only clip what sticks out.
        let inside = self
            .layout
            .map
            .inflate(0.5)
            .contains_box(&Box2::new(x0, y0, x1, y1));
        let clip = if inside {
            ""
        } else {
            r#" clip-path="url(#map-frame)""#
        };
        // Plotters' blit_bitmap needs its `image` feature and writes RGB only; the layer
        // needs alpha, so the element is written here.
        let _ = writeln!(
            self.body,
            r#"<image{clip} image-rendering="smooth" x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="none" href="data:image/png;base64,{}"/>"#,
            units(x0),
            units(y0),
            units(x1 - x0),
            units(y1 - y0),
            base64::engine::general_purpose::STANDARD.encode(png)
        );
        Ok(())
    }

    /// Queues a map label at a lon/lat point (placed, or dropped if it would overlap, by
    /// [`MapCanvas::place_labels`] or at [`MapCanvas::finish`]). `size` is in points.
    pub fn label(&mut self, lon: f64, lat: f64, text: &str, size: f64, anchor: Anchor) {
        let style = LabelStyle {
            size_pt: size,
            anchor,
            ..LabelStyle::default()
        };
        self.label_styled(lon, lat, text, &style);
    }

    /// Queues a map label with a full style.
    pub fn label_styled(&mut self, lon: f64, lat: f64, text: &str, style: &LabelStyle) {
        if let Some((x, y)) = self.to_px(lon, lat) {
            self.label_px(x, y, text, style);
        }
    }

    /// Queues a map label at a page pixel.
    pub fn label_px(&mut self, x: f64, y: f64, text: &str, style: &LabelStyle) {
        let text = drawable_text(text.trim());
        if text.is_empty() {
            return;
        }
        self.label_seq += 1;
        self.labels.push(PendingLabel {
            x,
            y,
            text,
            style: *style,
            seq: self.label_seq,
        });
    }

    /// Keeps map labels off a page box (a legend drawn over the map, say).
    pub fn add_obstacle(&mut self, b: Box2) {
        self.obstacles.push(b);
    }

    fn label_boxes(&self, l: &PendingLabel) -> (Vec<Box2>, f64, f64) {
        let size = self.pt(l.style.size_pt);
        let ls = l.style.letter_spacing_em * size;
        let w = fonts::text_width(&l.text, size, l.style.bold, ls);
        let cap = fonts::CAP_HEIGHT * size;
        let desc = fonts::DESCENT * size;
        // Never closer than the edge of a symbol drawn at the label's own point.
        let own = self
            .obstacles
            .iter()
            .filter(|b| b.contains(l.x, l.y))
            .map(|b| (b.x1 - l.x).max(l.x - b.x0).max(b.y1 - l.y).max(l.y - b.y0) + size * 0.25)
            .fold(0.0, f64::max);
        let d = l.style.offset_px.max(own);
        let pad = if l.style.halo.is_some() {
            size * 0.12
        } else {
            size * 0.05
        };
        // Each candidate as (left x, baseline y).
        let at = |a: Anchor| -> (f64, f64) {
            match a {
                Anchor::Center | Anchor::Auto => (l.x - w / 2.0, l.y + cap / 2.0),
                Anchor::East => (l.x + d, l.y + cap / 2.0),
                Anchor::West => (l.x - d - w, l.y + cap / 2.0),
                Anchor::North => (l.x - w / 2.0, l.y - d - desc),
                Anchor::South => (l.x - w / 2.0, l.y + d + cap),
            }
        };
        let anchors: &[Anchor] = match l.style.anchor {
            Anchor::Auto => &[Anchor::East, Anchor::West, Anchor::North, Anchor::South],
            Anchor::Center => &[Anchor::Center],
            Anchor::East => &[Anchor::East],
            Anchor::West => &[Anchor::West],
            Anchor::North => &[Anchor::North],
            Anchor::South => &[Anchor::South],
        };
        let boxes = anchors
            .iter()
            .map(|&a| {
                let (x, base) = at(a);
                Box2::new(x - pad, base - cap - pad, x + w + pad, base + desc + pad)
            })
            .collect();
        (boxes, cap, pad)
    }

    /// Places the queued labels: by priority (higher first, then in the order queued), each
    /// at its first free candidate position inside the map frame; labels that would overlap
    /// a placed label or a symbol are dropped. Returns how many were drawn.
    pub fn place_labels(&mut self) -> usize {
        let mut pending = std::mem::take(&mut self.labels);
        pending.sort_by(|a, b| {
            b.style
                .priority
                .cmp(&a.style.priority)
                .then(a.seq.cmp(&b.seq))
        });
        let mut cands = Vec::with_capacity(pending.len());
        let mut meta = Vec::with_capacity(pending.len());
        for l in &pending {
            let (boxes, cap, pad) = self.label_boxes(l);
            cands.push(boxes);
            meta.push((cap, pad));
        }
        let mut taken = std::mem::take(&mut self.obstacles);
        let bounds = self.layout.map.inflate(-self.pt(2.0));
        let picks = place_labels(&cands, &mut taken, bounds);
        self.obstacles = taken;
        let mut n = 0;
        for ((l, pick), (boxes, (cap, pad))) in
            pending.iter().zip(picks).zip(cands.iter().zip(meta))
        {
            let Some(i) = pick else { continue };
            let b = boxes[i];
            let size = self.pt(l.style.size_pt);
            self.halo_text(
                b.x0 + pad,
                b.y0 + pad + cap,
                &l.text,
                size,
                l.style.bold,
                l.style.color,
                l.style.halo,
                l.style.letter_spacing_em * size,
            );
            n += 1;
        }
        n
    }

    /// Text at a baseline with a halo, written as SVG directly (plotters' text has no stroke).
    #[allow(clippy::too_many_arguments)]
    fn halo_text(
        &mut self,
        x: f64,
        baseline: f64,
        text: &str,
        size: f64,
        bold: bool,
        color: Rgba,
        halo: Option<Rgba>,
        letter_spacing: f64,
    ) {
        let mut attrs = format!(
            r#"x="{}" y="{}" font-family="{}" font-size="{}" fill="{}""#,
            units(x),
            units(baseline),
            fonts::FAMILY,
            units(size),
            color.hex()
        );
        if color.a < 255 {
            let _ = write!(attrs, r#" fill-opacity="{}""#, color.opacity());
        }
        if bold {
            attrs.push_str(r#" font-weight="bold""#);
        }
        if letter_spacing > 0.0 {
            let _ = write!(attrs, r#" letter-spacing="{}""#, units(letter_spacing));
        }
        if let Some(h) = halo {
            let _ = write!(
                attrs,
                r#" stroke="{}" stroke-opacity="{}" stroke-width="{}" stroke-linejoin="round" paint-order="stroke""#,
                h.hex(),
                h.opacity(),
                units(size * 0.22)
            );
        }
        let _ = writeln!(self.body, "<text {attrs}>{}</text>", xml_escape(text));
    }

    /// Free text at a page pixel: `y` is the top of the capitals, `x` as `align` says.
    #[allow(clippy::too_many_arguments)]
    pub fn text_px(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        size_pt: f64,
        bold: bool,
        color: Rgba,
        align: Align,
    ) {
        let text = drawable_text(text);
        let size = self.pt(size_pt);
        let h = match align {
            Align::Start => HPos::Left,
            Align::Middle => HPos::Center,
            Align::End => HPos::Right,
        };
        let pos = ipt((x, y));
        self.plot(|be| {
            // Plotters writes font-size = size / 1.24 and places VPos::Top text at
            // dy = 0.76 em, which puts DejaVu's capitals' tops at `y`.
            let font = FontDesc::new(
                FontFamily::Name(fonts::FAMILY),
                size * SUBPIXEL * 1.24,
                if bold {
                    FontStyle::Bold
                } else {
                    FontStyle::Normal
                },
            );
            let style = TextStyle {
                font,
                color: color.plot().to_backend_color(),
                pos: Pos::new(h, VPos::Top),
            };
            let _ = be.draw_text(&text, &style, pos);
        });
    }

    /// The map's title, top left of the page.
    pub fn title(&mut self, text: &str) {
        let (x, y) = (self.layout.header.x0, self.layout.header.y0);
        self.text_px(x, y, text, 17.0, true, Rgba::rgb(25, 25, 25), Align::Start);
        self.subtitle_y = Some(y + self.pt(17.0 * 1.0 + 8.0));
        self.title = Some(text.to_string());
    }

    /// A line under the title (what, where, when, how many).
    pub fn subtitle(&mut self, text: &str) {
        let y = self
            .subtitle_y
            .unwrap_or(self.layout.header.y0 + self.pt(25.0));
        let x = self.layout.header.x0;
        let text = fit_width(text, self.pt(10.5), false, self.layout.header.x1 - x);
        self.text_px(
            x,
            y,
            &text,
            10.5,
            false,
            Rgba::rgb(80, 80, 80),
            Align::Start,
        );
        self.subtitle_y = Some(y + self.pt(10.5 * 1.45));
    }

    /// Small print at the foot of the page: sources, attribution, projection. Each call
    /// adds a line (cut with an ellipsis if wider than the page).
    pub fn footer(&mut self, text: &str) {
        let n = self.footer_lines;
        let y = self.layout.footer.y0 + self.pt(5.0) + self.pt(8.5) * n as f64;
        let x = self.layout.footer.x0;
        let text = fit_width(text, self.pt(6.5), false, self.layout.footer.x1 - x);
        self.text_px(
            x,
            y,
            &text,
            6.5,
            false,
            Rgba::rgb(100, 100, 100),
            Align::Start,
        );
        self.footer_lines += 1;
    }

    /// A scale bar in the map's lower left corner, true at the map centre along the parallel
    /// (the conic's scale factor there is applied). Returns its length in km.
    pub fn scale_bar_km(&mut self) -> f64 {
        let Some(px_per_km) = self.px_per_ground_km() else {
            return 0.0;
        };
        let frame = self.layout.map;
        let target_px = frame.width() * 0.2;
        let km = nice_km(target_px / px_per_km);
        if km <= 0.0 {
            return 0.0;
        }
        let len = km * px_per_km;
        let pad = self.pt(6.0);
        let bar_h = self.pt(4.0);
        let text = self.pt(7.5);
        let x0 = frame.x0 + pad * 2.0;
        let y_bar = frame.y1 - pad * 2.0 - bar_h;
        let label_w = fonts::text_width(&format!("{} km", format_number(km)), text, false, 0.0);
        let backing = Box2::new(
            x0 - pad,
            y_bar - text - pad * 1.6,
            x0 + len + label_w / 2.0 + pad,
            y_bar + bar_h + pad,
        );
        self.rect_px(backing, Rgba::WHITE.with_alpha(0.8), Rgba::NONE, 0.0);
        self.obstacles.push(backing);
        let dark = Rgba::rgb(50, 50, 50);
        let segs = 4;
        for i in 0..segs {
            let sx = x0 + len * f64::from(i) / f64::from(segs);
            let fill = if i % 2 == 0 { dark } else { Rgba::WHITE };
            let b = Box2::new(sx, y_bar, sx + len / f64::from(segs), y_bar + bar_h);
            let w = self.pt(0.5);
            self.rect_px(b, fill, dark, w);
        }
        let ty = y_bar - text - self.pt(2.5);
        self.text_px(x0, ty, "0", 7.5, false, dark, Align::Middle);
        self.text_px(
            x0 + len / 2.0,
            ty,
            &format_number(km / 2.0),
            7.5,
            false,
            dark,
            Align::Middle,
        );
        self.text_px(
            x0 + len,
            ty,
            &format!("{} km", format_number(km)),
            7.5,
            false,
            dark,
            Align::Middle,
        );
        km
    }

    /// Page pixels per ground km along the parallel through the map centre: the plane
    /// scale times the projection's scale factor there.
    pub fn px_per_ground_km(&self) -> Option<f64> {
        let (cx, cy) = self.view.extent.center();
        let (lon, lat) = self.proj.inverse(cx, cy)?;
        Some(self.view.scale * self.proj.parallel_scale(lon, lat)?)
    }

    /// A north arrow in the map's upper right corner, pointing to true north at the map
    /// centre (rotated by the meridian convergence there). Returns that rotation in degrees,
    /// counter-clockwise.
    pub fn north_arrow(&mut self) -> f64 {
        let (cx, cy) = self.view.extent.center();
        let angle = self
            .proj
            .inverse(cx, cy)
            .and_then(|(lon, lat)| self.proj.north_angle_deg(lon, lat))
            .unwrap_or(0.0);
        let frame = self.layout.map;
        let h = self.pt(26.0);
        let w = h * 0.42;
        let pad = self.pt(8.0);
        let (ax, ay) = (frame.x1 - pad - w, frame.y0 + pad + self.pt(11.0) + h / 2.0);
        // Rotation on the page: counter-clockwise on the map is counter-clockwise on the page
        // (y down flips the sign in the formula).
        let (s, c) = angle.to_radians().sin_cos();
        let rot = |dx: f64, dy: f64| (ax + dx * c + dy * s, ay - dx * s + dy * c);
        let tip = rot(0.0, -h / 2.0);
        let left = rot(-w / 2.0, h / 2.0);
        let right = rot(w / 2.0, h / 2.0);
        let notch = rot(0.0, h * 0.25);
        let backing = Box2::new(
            ax - w - pad / 2.0,
            ay - h / 2.0 - self.pt(13.0),
            ax + w + pad / 2.0,
            ay + h / 2.0 + pad / 2.0,
        );
        self.rect_px(backing, Rgba::WHITE.with_alpha(0.8), Rgba::NONE, 0.0);
        self.obstacles.push(backing);
        let dark = Rgba::rgb(50, 50, 50);
        let stroke_w = self.pt(0.6);
        let lh: Vec<(i32, i32)> = [tip, left, notch].into_iter().map(ipt).collect();
        let rh: Vec<(i32, i32)> = [tip, notch, right].into_iter().map(ipt).collect();
        let outline: Vec<(i32, i32)> = [tip, left, notch, right, tip]
            .into_iter()
            .map(ipt)
            .collect();
        self.plot(|be| {
            let _ = be.fill_polygon(lh, &shape_style(dark, 0.0, true));
            let _ = be.fill_polygon(rh, &shape_style(Rgba::WHITE, 0.0, true));
            let _ = be.draw_path(outline, &shape_style(dark, stroke_w, false));
        });
        let n = rot(0.0, -h / 2.0 - self.pt(11.0));
        self.text_px(n.0, n.1, "N", 9.0, true, dark, Align::Middle);
        angle
    }

    /// A small overview map at the bottom of the side panel: `countries` over `extent`, the
    /// main map's extent drawn on it as a rectangle.
    pub fn inset_locator(&mut self, countries: &[crate::geodata::CountryShape], extent: Extent) {
        let p = self.layout.panel;
        let w = p.width();
        let h = (w * 0.8).min(p.height() * 0.45);
        let rect = Box2::new(p.x0, p.y1 - h, p.x1, p.y1);
        let view = View::new(extent, rect);
        self.rect_px(rect, Rgba::rgb(233, 238, 242), Rgba::NONE, 0.0);
        let line = self.pt(0.3);
        for c in countries {
            let fill = if c.code == "AF" {
                Rgba::rgb(200, 192, 170)
            } else {
                Rgba::rgb(236, 233, 226)
            };
            self.polygon_in(&view, &c.shape, fill, Rgba::rgb(150, 150, 150), line);
        }
        let e = self.view.extent;
        let corners = [
            (e.xmin, e.ymin),
            (e.xmax, e.ymin),
            (e.xmax, e.ymax),
            (e.xmin, e.ymax),
            (e.xmin, e.ymin),
        ];
        let pts: Vec<(f64, f64)> = corners.iter().map(|&(x, y)| view.km_to_px(x, y)).collect();
        let parts = clip::clip_polyline(&pts, &rect);
        let w = self.pt(1.2);
        self.stroke_parts(&parts, Rgba::rgb(190, 30, 45), w);
        let w = self.pt(0.5);
        self.rect_px(rect, Rgba::NONE, Rgba::rgb(110, 110, 110), w);
    }

    /// The best page pixel for the name of an area, with its distance to the edge of the
    /// area's visible part (px). `hint` (lon/lat, e.g. the gazetteer's label point) is taken
    /// when it lies inside the visible part with room around it; otherwise the point deepest
    /// inside the largest visible part of `mp` within the map frame.
    pub fn label_point_px(
        &self,
        mp: &MultiPolygon<f64>,
        hint: Option<(f64, f64)>,
    ) -> Option<((f64, f64), f64)> {
        let frame = self.layout.map;
        let hint = hint.and_then(|(lon, lat)| self.to_px(lon, lat));
        let mut best: Option<(Vec<(f64, f64)>, f64)> = None;
        for poly in &mp.0 {
            let pts = self.project_in(&self.view, &poly.exterior().0);
            // A name's place needs no sub-pixel detail: thin harder, it is searched often.
            let mut pts = clip::thin(&pts, 3.0);
            if pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            let r = clip::clip_ring(&pts, &frame);
            if r.len() < 3 {
                continue;
            }
            if let Some((x, y)) = hint
                && inside_ring(&r, x, y)
            {
                let d = edge_distance(&r, x, y);
                if d >= self.pt(8.0) {
                    return Some(((x, y), d));
                }
            }
            let a = ring_area(&r);
            if best.as_ref().is_none_or(|(_, ba)| a > *ba) {
                best = Some((r, a));
            }
        }
        let (ring, _) = best?;
        pole_of_inaccessibility(&ring)
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

fn ring_area(r: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for i in 0..r.len() {
        let (a, b) = (r[i], r[(i + 1) % r.len()]);
        s += a.0 * b.1 - b.0 * a.1;
    }
    s.abs() / 2.0
}

fn inside_ring(r: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut inside = false;
    let mut j = r.len() - 1;
    for i in 0..r.len() {
        let (xi, yi) = r[i];
        let (xj, yj) = r[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn edge_distance(r: &[(f64, f64)], x: f64, y: f64) -> f64 {
    let mut best = f64::INFINITY;
    for i in 0..r.len() {
        let (a, b) = (r[i], r[(i + 1) % r.len()]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let l2 = dx * dx + dy * dy;
        let t = if l2 > 0.0 {
            (((x - a.0) * dx + (y - a.1) * dy) / l2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (px, py) = (a.0 + t * dx, a.1 + t * dy);
        best = best.min((x - px).hypot(y - py));
    }
    best
}

/// The point of a ring farthest from its edge, by a coarse grid and two refinements.
fn pole_of_inaccessibility(r: &[(f64, f64)]) -> Option<((f64, f64), f64)> {
    let b = Box2::around(r)?;
    let n = 10;
    let mut best: Option<((f64, f64), f64)> = None;
    let (mut x0, mut y0, mut w, mut h) = (b.x0, b.y0, b.width(), b.height());
    for _ in 0..3 {
        for i in 0..=n {
            for j in 0..=n {
                let x = x0 + w * f64::from(i) / f64::from(n);
                let y = y0 + h * f64::from(j) / f64::from(n);
                if !inside_ring(r, x, y) {
                    continue;
                }
                let d = edge_distance(r, x, y);
                if best.is_none_or(|(_, bd)| d > bd) {
                    best = Some(((x, y), d));
                }
            }
        }
        let ((bx, by), _) = best?;
        w /= 4.0;
        h /= 4.0;
        x0 = bx - w / 2.0;
        y0 = by - h / 2.0;
    }
    best
}

/// `text` as it fits in `max_w` px at `size` px: whole, or cut at a character and ended
/// with an ellipsis (a one-line subtitle or footer must not run off the page).
pub(super) fn fit_width(
    text: &str,
    size: f64,
    bold: bool,
    max_w: f64,
) -> std::borrow::Cow<'_, str> {
    if fonts::text_width(text, size, bold, 0.0) <= max_w {
        return std::borrow::Cow::Borrowed(text);
    }
    // Byte offset of each character: the first n characters are text[..starts[n]].
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let cut = |n: usize| format!("{}…", text[..starts[n]].trim_end());
    let fits = |n: usize| fonts::text_width(&cut(n), size, bold, 0.0) <= max_w;
    // The most characters that fit, by bisection (the width grows with them).
    let (mut lo, mut hi) = (0, starts.len());
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if fits(mid) { lo = mid } else { hi = mid }
    }
    std::borrow::Cow::Owned(cut(lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_to_fit_with_an_ellipsis() {
        let text = "27642 incidents located from ucdp_ged_v21_1_juanr_precise_afg_pak_tjk.csv";
        assert_eq!(fit_width(text, 20.0, false, 1e6), text);
        let w = fonts::text_width(text, 20.0, false, 0.0);
        let cut = fit_width(text, 20.0, false, w / 2.0);
        assert!(cut.ends_with('…') && cut.len() < text.len(), "{cut}");
        assert!(fonts::text_width(&cut, 20.0, false, 0.0) <= w / 2.0);
        assert!(text.starts_with(cut.trim_end_matches('…')));
        // A longer cut would not fit.
        let n = cut.chars().count() - 1;
        let longer: String = text.chars().take(n + 1).collect::<String>() + "…";
        assert!(fonts::text_width(&longer, 20.0, false, 0.0) > w / 2.0);
    }

    #[test]
    fn nice_lengths() {
        assert_eq!(nice_km(137.0), 100.0);
        assert_eq!(nice_km(260.0), 250.0);
        assert_eq!(nice_km(49.0), 25.0);
        assert_eq!(nice_km(7.3), 5.0);
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(250.0), "250");
        assert_eq!(format_number(2.50), "2.5");
    }

    #[test]
    fn escaping_and_rtl_text() {
        assert_eq!(
            xml_escape(r#"a<b & "c" 'd'>"#),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(drawable_text("Шамсиддин Шоҳин"), "Шамсиддин Шоҳин");
        let t = drawable_text("افغانستان");
        assert!(t.is_ascii() && !t.is_empty(), "{t}");
    }

    #[test]
    fn greedy_placer_drops_overlaps_in_priority_order() {
        let bounds = Box2::new(0.0, 0.0, 100.0, 100.0);
        let a = Box2::new(10.0, 10.0, 30.0, 20.0);
        let b = Box2::new(20.0, 15.0, 40.0, 25.0); // overlaps a
        let b_alt = Box2::new(20.0, 30.0, 40.0, 40.0);
        let c = Box2::new(90.0, 90.0, 110.0, 95.0); // leaves the bounds
        let d = Box2::new(50.0, 50.0, 60.0, 60.0); // on an obstacle
        let mut taken = vec![Box2::new(55.0, 55.0, 57.0, 57.0)];
        let picks = place_labels(
            &[vec![a], vec![b, b_alt], vec![b], vec![c], vec![d]],
            &mut taken,
            bounds,
        );
        assert_eq!(picks, vec![Some(0), Some(1), None, None, None]);
        assert_eq!(taken.len(), 3);
    }

    fn test_canvas() -> MapCanvas {
        let proj = Projection::region();
        let extent = Extent::around_lonlat(&proj, [(67.0, 36.5), (75.0, 39.5)]).unwrap();
        MapCanvas::new(crate::render::page_size(None, None), proj, extent)
    }

    /// Page pixels of every point of every `points` attribute in the SVG.
    fn svg_points(svg: &str) -> Vec<(f64, f64)> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter_map(|n| n.attribute("points"))
            .flat_map(|p| p.split_whitespace())
            .map(|xy| {
                let (x, y) = xy.split_once(',').unwrap();
                (
                    x.parse::<f64>().unwrap() / SUBPIXEL,
                    y.parse::<f64>().unwrap() / SUBPIXEL,
                )
            })
            .collect()
    }

    #[test]
    fn uncertainty_ring_is_a_ground_circle() {
        let mut c = test_canvas();
        c.circle_km(70.0, 38.0, 50.0, Rgba::BLACK, Rgba::NONE);
        let frame = c.layout().map;
        let back: Vec<(f64, f64)> = svg_points(&c.finish())
            .into_iter()
            .filter(|&(x, y)| frame.inflate(-1.0).contains(x, y))
            .collect();
        assert!(back.len() > 60, "{} ring points", back.len());
        let c = test_canvas();
        for (x, y) in back {
            let (lon, lat) = c.px_to_lonlat(x, y).unwrap();
            let d = crate::geo_util::km(70.0, 38.0, lon, lat);
            assert!((d - 50.0).abs() < 0.5, "ring point {d} km from the centre");
        }
    }

    #[test]
    fn scale_bar_is_true_on_the_ground_at_the_centre() {
        let c = test_canvas();
        let (cx, cy) = c.extent().center();
        let (lon, lat) = c.projection().inverse(cx, cy).unwrap();
        let east = Geodesic.destination(Point::new(lon, lat), 90.0, 100_000.0);
        let a = c.to_px(lon, lat).unwrap();
        let b = c.to_px(east.x(), east.y()).unwrap();
        let measured = (b.0 - a.0).hypot(b.1 - a.1) / 100.0;
        let bar = c.px_per_ground_km().unwrap();
        assert!((measured / bar - 1.0).abs() < 0.001, "{measured} vs {bar}");
        // And the bar is drawn a round length.
        let mut c = test_canvas();
        let km = c.scale_bar_km();
        assert!([25.0, 50.0, 100.0].contains(&km), "{km}");
    }

    #[test]
    fn dashed_lines_holes_and_rasters_are_valid_svg() {
        let mut c = test_canvas();
        let line = LineString::from(vec![(68.0, 37.0), (72.0, 38.5), (74.0, 37.5)]);
        c.line(&line, Rgba::rgb(200, 0, 0), 2.0, Some((6.0, 4.0)));
        let outer = LineString::from(vec![(68.0, 37.0), (71.0, 37.0), (71.0, 39.0), (68.0, 39.0)]);
        let hole = LineString::from(vec![(69.0, 37.5), (70.0, 37.5), (70.0, 38.5), (69.0, 38.5)]);
        let mp = MultiPolygon(vec![geo::Polygon::new(outer, vec![hole])]);
        c.polygon(&mp, Rgba::rgb(0, 0, 200).with_alpha(0.5), Rgba::BLACK, 1.0);
        let mut img = RasterImage::new(4, 4);
        img.put(1, 1, Rgba::rgb(255, 0, 0));
        let e = c.extent();
        c.raster(&img, e).unwrap();
        // A raster bigger than the frame is clipped to it.
        c.raster(&img, e.padded(0.2)).unwrap();
        c.text_px(
            10.0,
            10.0,
            "a < b & c",
            8.0,
            false,
            Rgba::BLACK,
            Align::Start,
        );
        let svg = c.finish();
        assert!(svg.contains(r#"stroke-dasharray="24 16""#));
        assert!(svg.contains(r#"fill-rule="evenodd""#));
        assert_eq!(svg.matches("<image").count(), 2);
        assert_eq!(svg.matches(r#"clip-path="url(#map-frame)""#).count(), 1);
        assert!(svg.contains("a &lt; b &amp; c"));
        roxmltree::Document::parse(&svg).unwrap();
        let (_, _, px) = crate::render::svg_to_rgba(&svg, 400).unwrap();
        assert!(!px.is_empty());
    }

    #[test]
    fn pole_lies_inside() {
        // An L shape: the pole is in the corner square, pushed towards the inner corner,
        // where the largest inscribed circle (radius 20√2/(1+√2) ≈ 11.72) fits.
        let l = [
            (0.0, 0.0),
            (100.0, 0.0),
            (100.0, 20.0),
            (20.0, 20.0),
            (20.0, 100.0),
            (0.0, 100.0),
        ];
        let ((x, y), d) = pole_of_inaccessibility(&l).unwrap();
        assert!(inside_ring(&l, x, y));
        assert!(d > 11.0 && d <= 11.72, "{d}");
    }
}
