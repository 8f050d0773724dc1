//! The charts' page primitives: a small SVG writer in page pixels (shapes, lines, text with
//! its measured width), fonts in points, and text layout and fitting (wrapping to a width,
//! capping lines with an ellipsis).

use crate::render::clip::Box2;
use crate::render::{PageSize, Rgba, drawable_text, fonts, xml_escape};
use std::fmt::Write as _;

// A small SVG writer in page pixels.

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Clone, Copy)]
pub(super) struct Font {
    pub(super) size_pt: f64,
    pub(super) bold: bool,
    pub(super) italic: bool,
    pub(super) color: Rgba,
}

impl Font {
    pub(super) fn new(size_pt: f64, color: Rgba) -> Font {
        Font {
            size_pt,
            bold: false,
            italic: false,
            color,
        }
    }

    pub(super) fn bold(self) -> Font {
        Font { bold: true, ..self }
    }

    pub(super) fn italic(self) -> Font {
        Font {
            italic: true,
            ..self
        }
    }
}

pub(super) fn n(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

pub(super) fn paint(attr: &str, c: Rgba) -> String {
    if c.a == 0 {
        return format!(r#" {attr}="none""#);
    }
    let mut s = format!(r#" {attr}="{}""#, c.hex());
    if c.a < 255 {
        let _ = write!(s, r#" {attr}-opacity="{}""#, n(f64::from(c.a) / 255.0));
    }
    s
}

pub(super) struct Svg {
    pub(super) page: PageSize,
    pub(super) body: String,
}

impl Svg {
    pub(super) fn new(page: PageSize) -> Svg {
        Svg {
            page,
            body: String::with_capacity(64 * 1024),
        }
    }

    /// Page pixels for a length in points.
    pub(super) fn pt(&self, points: f64) -> f64 {
        points * self.page.px_per_pt()
    }

    pub(super) fn width(&self, text: &str, f: Font) -> f64 {
        fonts::text_width(&drawable_text(text), self.pt(f.size_pt), f.bold, 0.0)
    }

    /// Height of a text line's capitals, px.
    pub(super) fn cap(&self, f: Font) -> f64 {
        fonts::CAP_HEIGHT * self.pt(f.size_pt)
    }

    pub(super) fn open(&mut self, id: &str) {
        let _ = writeln!(self.body, r#"<g id="{}">"#, xml_escape(id));
    }

    pub(super) fn close(&mut self) {
        self.body.push_str("</g>\n");
    }

    pub(super) fn rect(&mut self, b: Box2, fill: Rgba, stroke: Rgba, width_px: f64) {
        self.rect_attrs(b, fill, stroke, width_px, "");
    }

    pub(super) fn rect_attrs(
        &mut self,
        b: Box2,
        fill: Rgba,
        stroke: Rgba,
        width_px: f64,
        extra: &str,
    ) {
        let mut s = format!(
            r#"<rect{extra} x="{}" y="{}" width="{}" height="{}""#,
            n(b.x0),
            n(b.y0),
            n(b.width().max(0.0)),
            n(b.height().max(0.0))
        );
        s.push_str(&paint("fill", fill));
        if stroke.a > 0 && width_px > 0.0 {
            s.push_str(&paint("stroke", stroke));
            let _ = write!(s, r#" stroke-width="{}""#, n(width_px));
        }
        s.push_str("/>\n");
        self.body.push_str(&s);
    }

    pub(super) fn line(
        &mut self,
        p: (f64, f64),
        q: (f64, f64),
        c: Rgba,
        w: f64,
        dash: Option<(f64, f64)>,
    ) {
        self.polyline(&[p, q], c, w, dash);
    }

    pub(super) fn polyline(
        &mut self,
        pts: &[(f64, f64)],
        c: Rgba,
        w: f64,
        dash: Option<(f64, f64)>,
    ) {
        if pts.len() < 2 {
            return;
        }
        let mut s = String::from(r#"<polyline fill="none""#);
        s.push_str(&paint("stroke", c));
        let _ = write!(s, r#" stroke-width="{}""#, n(w));
        if let Some((on, off)) = dash {
            let _ = write!(
                s,
                r#" stroke-dasharray="{} {}" stroke-linecap="butt""#,
                n(on),
                n(off)
            );
        }
        s.push_str(r#" points=""#);
        for (i, (x, y)) in pts.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            let _ = write!(s, "{},{}", n(*x), n(*y));
        }
        s.push_str("\"/>\n");
        self.body.push_str(&s);
    }

    pub(super) fn circle(
        &mut self,
        (cx, cy): (f64, f64),
        r: f64,
        fill: Rgba,
        stroke: Rgba,
        w: f64,
    ) {
        let mut s = format!(r#"<circle cx="{}" cy="{}" r="{}""#, n(cx), n(cy), n(r));
        s.push_str(&paint("fill", fill));
        if stroke.a > 0 && w > 0.0 {
            s.push_str(&paint("stroke", stroke));
            let _ = write!(s, r#" stroke-width="{}""#, n(w));
        }
        s.push_str("/>\n");
        self.body.push_str(&s);
    }

    /// Text whose capitals' top is at `y`; `x` is its start, middle or end. `halo` draws a
    /// white outline behind the letters (for text over bars or lines). Returns its width.
    pub(super) fn text(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        f: Font,
        anchor: Anchor,
        halo: bool,
    ) -> f64 {
        let t = drawable_text(text);
        let size = self.pt(f.size_pt);
        let base = y + fonts::CAP_HEIGHT * size;
        let mut a = format!(r#"x="{}" y="{}" font-size="{}""#, n(x), n(base), n(size));
        a.push_str(&paint("fill", f.color));
        match anchor {
            Anchor::Start => {}
            Anchor::Middle => a.push_str(r#" text-anchor="middle""#),
            Anchor::End => a.push_str(r#" text-anchor="end""#),
        }
        if f.bold {
            a.push_str(r#" font-weight="bold""#);
        }
        if f.italic {
            a.push_str(r#" font-style="italic""#);
        }
        if halo {
            let _ = write!(
                a,
                r##" stroke="#ffffff" stroke-opacity="0.9" stroke-width="{}" stroke-linejoin="round" paint-order="stroke""##,
                n(size * 0.25)
            );
        }
        let _ = writeln!(self.body, "<text {a}>{}</text>", xml_escape(&t));
        fonts::text_width(&t, size, f.bold, 0.0)
    }

    /// Text turned a quarter left (reading upwards), centred on (`x`, `y`); `x` is the
    /// middle of its line.
    pub(super) fn text_up(&mut self, x: f64, y: f64, text: &str, f: Font) {
        let size = self.pt(f.size_pt);
        let base_x = x + fonts::CAP_HEIGHT * size / 2.0;
        let mut a = format!(
            r#"x="{}" y="{}" font-size="{}" text-anchor="middle" transform="rotate(-90 {} {})""#,
            n(base_x),
            n(y),
            n(size),
            n(base_x),
            n(y)
        );
        a.push_str(&paint("fill", f.color));
        if f.bold {
            a.push_str(r#" font-weight="bold""#);
        }
        let _ = writeln!(
            self.body,
            "<text {a}>{}</text>",
            xml_escape(&drawable_text(text))
        );
    }

    pub(super) fn finish(self, title: &str) -> String {
        let (w, h) = (self.page.width_px, self.page.height_px);
        let mut out = String::with_capacity(self.body.len() + 512);
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{}">"#,
            fonts::FAMILY
        );
        let _ = writeln!(out, "<title>{}</title>", xml_escape(title));
        let _ = writeln!(out, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
        out.push_str(r#"<g stroke-linejoin="round">"#);
        out.push('\n');
        out.push_str(&self.body);
        out.push_str("</g>\n</svg>\n");
        out
    }
}

/// Breaks `text` into lines no wider than `max_w` px (a word wider than that is cut).
pub(super) fn wrap(svg: &Svg, text: &str, f: Font, max_w: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let trial = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if svg.width(&trial, f) <= max_w {
            cur = trial;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        // The word alone: cut it where it overflows.
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if svg.width(&piece, f) > max_w && piece.chars().count() > 1 {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        cur = piece;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Cuts `lines` to `max` lines, ending the last kept one with an ellipsis.
pub(super) fn cap_lines(
    svg: &Svg,
    mut lines: Vec<String>,
    max: usize,
    f: Font,
    max_w: f64,
) -> Vec<String> {
    if lines.len() <= max || max == 0 {
        return lines;
    }
    lines.truncate(max);
    if let Some(last) = lines.last_mut() {
        while !last.is_empty() && svg.width(&format!("{last} …"), f) > max_w {
            last.pop();
        }
        last.push_str(" …");
    }
    lines
}
