//! The page primitives in lon/lat: map fill, rectangles, polygons (with holes), lines
//! (dashed or not), ground circles, point symbols and the density raster.

use super::plane_in;
use super::{SUBPIXEL, View, ipt, outline_points, points_attr, shape_style, units};
use crate::projection::{PlaneRings, RegionPlane};
use crate::render::clip::{self, Box2};
use crate::render::{Extent, MapCanvas, RasterImage, Rgba, SymbolShape};
use anyhow::{Context, Result};
use base64::Engine as _;
use geo::{Destination, Geodesic, LineString, MultiPolygon, Point};
use plotters::backend::{DrawingBackend, SVGBackend};
use std::fmt::Write as _;

impl MapCanvas {
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
        self.polygon_in(&view, mp, None, fill, stroke, width);
    }

    /// [`MapCanvas::polygon`] of a shape kept with its [`RegionPlane`] (the geodata's
    /// outlines, drawn on every map): projected once for all maps in the region's projection.
    pub fn polygon_kept(
        &mut self,
        mp: &MultiPolygon<f64>,
        plane: &RegionPlane,
        fill: Rgba,
        stroke: Rgba,
        width: f64,
    ) {
        let view = self.view;
        let rings = self.region_rings(mp, plane);
        self.polygon_in(&view, mp, rings, fill, stroke, width);
    }

    /// `plane`'s rings of `mp` when this map is in the region's projection.
    pub(super) fn region_rings<'p>(
        &self,
        mp: &MultiPolygon<f64>,
        plane: &'p RegionPlane,
    ) -> Option<&'p PlaneRings> {
        self.proj.is_region().then(|| plane.rings(mp))
    }

    /// `plane`, when given, holds `mp`'s rings in this map's projection.
    pub(super) fn polygon_in(
        &mut self,
        view: &View,
        mp: &MultiPolygon<f64>,
        plane: Option<&PlaneRings>,
        fill: Rgba,
        stroke: Rgba,
        width: f64,
    ) {
        let frame = view.rect;
        for (k, poly) in mp.0.iter().enumerate() {
            let mut rings: Vec<Vec<(f64, f64)>> = Vec::new();
            for (j, ring) in std::iter::once(poly.exterior())
                .chain(poly.interiors())
                .enumerate()
            {
                let mut pts = match plane {
                    Some(p) => plane_in(view, &p[k][j]),
                    None => self.project_in(view, &ring.0),
                };
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
                    // Fills keep every point: neighbouring areas (the density bands, the
                    // countries) share their edges, which simplified ring by ring would
                    // part or overlap.
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

    pub(super) fn stroke_parts(&mut self, parts: &[Vec<(f64, f64)>], color: Rgba, width: f64) {
        if parts.is_empty() {
            return;
        }
        let ip: Vec<Vec<(i32, i32)>> = parts.iter().map(|p| outline_points(p)).collect();
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

    pub(super) fn line_in(
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

    pub(in crate::render) fn draw_parts_dashed(
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

    pub(super) fn symbol_outline(
        shape: SymbolShape,
        cx: f64,
        cy: f64,
        size: f64,
    ) -> Vec<(f64, f64)> {
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
    pub(in crate::render) fn symbol_px(
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
}
