//! Text layout and fitting: XML escaping and drawable text (right-to-left scripts), map
//! labels queued and placed greedily without overlaps (with a halo), free text in page
//! pixels, and the best point inside an area for its name (pole of inaccessibility).

use super::{SUBPIXEL, ipt, units};
use crate::projection::{PlaneRings, RegionPlane};
use crate::render::clip::{self, Box2};
use crate::render::{Align, Anchor, LabelStyle, MapCanvas, Rgba, fonts};
use geo::MultiPolygon;
use plotters::backend::DrawingBackend;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, TextStyle};
use std::fmt::Write as _;

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

pub(super) struct PendingLabel {
    x: f64,
    y: f64,
    text: String,
    style: LabelStyle,
    seq: usize,
}

impl MapCanvas {
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

    pub(super) fn label_boxes(&self, l: &PendingLabel) -> (Vec<Box2>, f64, f64) {
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
    pub(super) fn halo_text(
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

    /// The best page pixel for the name of an area, with its distance to the edge of the
    /// area's visible part (px). `hint` (lon/lat, e.g. the gazetteer's label point) is taken
    /// when it lies inside the visible part with room around it; otherwise the point deepest
    /// inside the largest visible part of `mp` within the map frame.
    pub fn label_point_px(
        &self,
        mp: &MultiPolygon<f64>,
        hint: Option<(f64, f64)>,
    ) -> Option<((f64, f64), f64)> {
        self.label_point_px_in(mp, None, hint)
    }

    /// [`MapCanvas::label_point_px`] of a shape kept with its [`RegionPlane`] (see
    /// [`MapCanvas::polygon_kept`]).
    pub fn label_point_px_kept(
        &self,
        mp: &MultiPolygon<f64>,
        plane: &RegionPlane,
        hint: Option<(f64, f64)>,
    ) -> Option<((f64, f64), f64)> {
        self.label_point_px_in(mp, self.region_rings(mp, plane), hint)
    }

    fn label_point_px_in(
        &self,
        mp: &MultiPolygon<f64>,
        plane: Option<&PlaneRings>,
        hint: Option<(f64, f64)>,
    ) -> Option<((f64, f64), f64)> {
        let frame = self.layout.map;
        let hint = hint.and_then(|(lon, lat)| self.to_px(lon, lat));
        let mut best: Option<(Vec<(f64, f64)>, f64)> = None;
        for (k, poly) in mp.0.iter().enumerate() {
            let pts = match plane {
                Some(p) => super::plane_in(&self.view, &p[k][0]),
                None => self.project_in(&self.view, &poly.exterior().0),
            };
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
}

pub(super) fn ring_area(r: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for i in 0..r.len() {
        let (a, b) = (r[i], r[(i + 1) % r.len()]);
        s += a.0 * b.1 - b.0 * a.1;
    }
    s.abs() / 2.0
}

pub(super) fn inside_ring(r: &[(f64, f64)], x: f64, y: f64) -> bool {
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

pub(super) fn edge_distance(r: &[(f64, f64)], x: f64, y: f64) -> f64 {
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
pub(super) fn pole_of_inaccessibility(r: &[(f64, f64)]) -> Option<((f64, f64), f64)> {
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
pub(in crate::render) fn fit_width(
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
