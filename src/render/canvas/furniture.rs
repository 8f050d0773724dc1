//! Map furniture: title, subtitle and footer, the scale bar, the north arrow, the inset
//! locator, and the numbers they print.

use super::labels::fit_width;
use super::{View, ipt, shape_style};
use crate::render::clip::{self, Box2};
use crate::render::{Align, Extent, MapCanvas, Rgba, fonts};
use plotters::backend::DrawingBackend;

/// Rounds a km length down to 1, 2, 2.5 or 5 times a power of ten.
pub(super) fn nice_km(max_km: f64) -> f64 {
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

impl MapCanvas {
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
            let rings = self.region_rings(&c.shape, &c.plane);
            self.polygon_in(&view, &c.shape, rings, fill, Rgba::rgb(150, 150, 150), line);
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
}
