//! Report charts: the incident profile along borders and the two-border comparison.
//!
//! Each chart is an SVG document the size of a map page ([`PageSize`], A4 landscape), with the
//! maps' look: a bold title and a grey subtitle top left, small print (sources, method,
//! attribution) at the foot, all text in the bundled family ([`FONT_FAMILY`], so the PNG from
//! [`svg_to_png`](super::svg_to_png) matches the SVG), sizes in points converted with the
//! page's dpi, and every text XML-escaped. One colour per border ([`border_color`]: AF-TJ
//! teal, AF-PK orange, …) on every chart.
//!
//! Charts draw per segment, per sector and per period, never per incident, so they cost a
//! few milliseconds whatever the data. They are written as SVG directly (not through
//! plotters' chart API): the layout — panels sharing one km scale, province bands under the
//! axis, wrapped caveats — needs exact placement of text by its measured width.
//!
//! Elements a test or a reader's script may want to find carry ids: each profile panel is a
//! `<g id="profile-AF-PK">` holding `<rect id="plot-AF-PK" class="plot-area">` (its bar area;
//! `data-km` is the border length the box's width stands for); the comparison has
//! `rect#forest-plot` (rates and intervals), `rect#series-plot` (the time series) and a
//! `<g id="warnings">`.

use super::clip::Box2;
use super::fonts;
use super::{PageSize, Rgba, drawable_text, format_number, xml_escape};
use crate::density::assign::CorridorSide;
use crate::density::compare::{BorderRate, Comparison};
use crate::density::{Analysis, BorderResult, Period, WeightBy};
use crate::geodata::ATTRIBUTION;
use anyhow::Result;

/// The incident profile along borders (drawn in [`super::profile`]).
pub use super::profile::border_profile;
use std::fmt::Write as _;

/// Dark text: titles, labels.
pub(super) const INK: Rgba = Rgba::rgb(25, 25, 25);
pub(super) const TEXT: Rgba = Rgba::rgb(45, 45, 45);
pub(super) const SUBTLE: Rgba = Rgba::rgb(80, 80, 80);
pub(super) const SMALL_PRINT: Rgba = Rgba::rgb(100, 100, 100);
pub(super) const AXIS: Rgba = Rgba::rgb(90, 90, 90);
pub(super) const GRID: Rgba = Rgba::rgb(226, 226, 226);
/// Province bands under the profile's axis: Afghan side warm, neighbour side cool (as the
/// maps' focus land and land colours).
pub(super) const BAND_AF: [Rgba; 2] = [Rgba::rgb(236, 231, 219), Rgba::rgb(222, 215, 200)];
pub(super) const BAND_NB: [Rgba; 2] = [Rgba::rgb(228, 233, 238), Rgba::rgb(211, 219, 227)];

/// The colour of a border on every chart: a muted, colour-blind-distinguishable set for the
/// shipped borders (AF-TJ teal, AF-PK orange, AF-IR purple, AF-TM green, AF-UZ blue, AF-CN
/// rose); other lines get one of these by a hash of their id.
pub fn border_color(border_id: &str) -> Rgba {
    const SET: [Rgba; 6] = [
        Rgba::rgb(27, 138, 133),
        Rgba::rgb(214, 121, 33),
        Rgba::rgb(117, 104, 176),
        Rgba::rgb(96, 138, 52),
        Rgba::rgb(55, 108, 170),
        Rgba::rgb(184, 76, 102),
    ];
    let i = match border_id.to_ascii_uppercase().as_str() {
        "AF-TJ" => 0,
        "AF-PK" => 1,
        "AF-IR" => 2,
        "AF-TM" => 3,
        "AF-UZ" => 4,
        "AF-CN" => 5,
        other => {
            other
                .bytes()
                .fold(7usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize))
                % SET.len()
        }
    };
    SET[i]
}

// ---------------------------------------------------------------------------------------
// A small SVG writer in page pixels.

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Clone, Copy)]
pub(super) struct Font {
    size_pt: f64,
    bold: bool,
    italic: bool,
    color: Rgba,
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
    page: PageSize,
    body: String,
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

// ---------------------------------------------------------------------------------------
// Page frame: header and footer, as on the maps.

pub(super) struct Frame {
    /// Left and right margins, px.
    pub(super) x0: f64,
    pub(super) x1: f64,
    /// The body between header and footer.
    pub(super) top: f64,
    pub(super) bottom: f64,
}

/// Title and subtitle lines top left, the small print at the foot; returns where the body goes.
pub(super) fn page_frame(svg: &mut Svg, title: &str, subtitle: &str, footer: &[String]) -> Frame {
    let (w, h) = (f64::from(svg.page.width_px), f64::from(svg.page.height_px));
    let m = svg.pt(14.0);
    let (x0, x1) = (m, w - m);
    let tf = Font::new(17.0, INK).bold();
    svg.text(x0, m, title, tf, Anchor::Start, false);
    let sf = Font::new(10.5, SUBTLE);
    let mut y = m + svg.pt(17.0 + 8.0);
    for line in cap_lines(svg, wrap(svg, subtitle, sf, x1 - x0), 2, sf, x1 - x0) {
        svg.text(x0, y, &line, sf, Anchor::Start, false);
        y += svg.pt(10.5 * 1.45);
    }
    let top = y + svg.pt(10.0);
    let ff = Font::new(6.5, SMALL_PRINT);
    let mut lines: Vec<String> = Vec::new();
    for f in footer {
        lines.extend(cap_lines(svg, wrap(svg, f, ff, x1 - x0), 2, ff, x1 - x0));
    }
    let step = svg.pt(8.5);
    let mut fy = h - m - svg.cap(ff) - step * (lines.len().saturating_sub(1)) as f64;
    let bottom = fy - svg.pt(10.0);
    for line in &lines {
        svg.text(x0, fy, line, ff, Anchor::Start, false);
        fy += step;
    }
    Frame {
        x0,
        x1,
        top,
        bottom,
    }
}

/// "2025-01-01 to 2026-01-31 (1.08 years) · corridor 50 km, both sides · …": the
/// parameters that make a chart's numbers what they are.
pub(super) fn parameters_line(a: &Analysis, segments: bool) -> String {
    let o = &a.options;
    let mut parts: Vec<String> = Vec::new();
    parts.push(match (a.window, a.years) {
        (Some((s, e)), Some(y)) => format!("{s} to {e} ({} years)", format_number(y)),
        _ => "no dated incidents: counts over all records, not per year".into(),
    });
    parts.push(format!(
        "corridor {} km{}",
        format_number(o.corridor_km),
        match o.corridor_side {
            CorridorSide::Both => " either side",
            CorridorSide::Afghan => ", Afghan side only",
            CorridorSide::Neighbour => ", neighbour's side only",
        }
    ));
    parts.push(format!("{} lengths", o.length_basis.as_str()));
    if segments {
        parts.push(format!("segments of {} km", format_number(o.segment_km)));
    }
    parts.push(
        match o.weight {
            WeightBy::Count => "each record counts its events",
            WeightBy::Fatalities => "weighted by fatalities",
        }
        .into(),
    );
    if !o.types.is_empty() {
        parts.push(format!("types: {}", o.types.join(", ")));
    }
    if let Some(actor) = &o.actor {
        parts.push(format!("actor: {actor}"));
    }
    parts.join(" · ")
}

/// What is counted: "events" or "fatalities".
pub(super) fn noun(a: &Analysis) -> &'static str {
    match a.options.weight {
        WeightBy::Count => "events",
        WeightBy::Fatalities => "fatalities",
    }
}

pub(super) fn sources_line<'a>(borders: impl IntoIterator<Item = &'a BorderResult>) -> String {
    let mut all: Vec<&str> = Vec::new();
    for b in borders {
        for s in b.sources.keys() {
            if !all.contains(&s.as_str()) {
                all.push(s);
            }
        }
    }
    const SHOWN: usize = 6;
    if all.is_empty() {
        "Incidents: none in the corridors shown.".into()
    } else if all.len() > SHOWN {
        format!(
            "Incidents: {}; and {} more.",
            all[..SHOWN].join("; "),
            all.len() - SHOWN
        )
    } else {
        format!("Incidents: {}.", all.join("; "))
    }
}

// ---------------------------------------------------------------------------------------
// Axes.

/// A round step for about `target` intervals over `span`: 1, 2, 2.5 or 5 × 10^k.
pub(super) fn nice_step(span: f64, target: f64) -> f64 {
    if span.is_nan() || span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / target.max(1.0);
    let p = 10f64.powf(raw.log10().floor());
    let f = raw / p;
    let k = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    k * p
}

/// Ticks 0, step, … up to the first at or above `max`, with at most `max_n` intervals: the
/// smallest round step (1, 2, 2.5 or 5 × 10^k) that needs no more, so the top tick wastes as
/// little of the axis as it can.
pub(super) fn linear_ticks(max: f64, max_n: f64) -> Vec<f64> {
    let max = if max > 0.0 && max.is_finite() {
        max
    } else {
        1.0
    };
    let max_n = max_n.floor().max(1.0);
    let p0 = 10f64.powf((max / max_n).log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0, 20.0]
        .iter()
        .map(|m| m * p0)
        .find(|s| (max / s - 1e-9).ceil() <= max_n)
        .unwrap_or(10.0 * p0);
    let k = (max / step - 1e-9).ceil().max(1.0) as usize;
    (0..=k).map(|i| i as f64 * step).collect()
}

/// Ticks for a log axis over `lo..hi` (both > 0): 1-2-5 per decade, thinned to 1 per decade
/// when there are many.
pub(super) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (d0, d1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let pick = |mults: &[f64]| -> Vec<f64> {
        (d0..=d1)
            .flat_map(|d| mults.iter().map(move |m| m * 10f64.powi(d)))
            .filter(|v| *v >= lo * 0.999 && *v <= hi * 1.001)
            .collect()
    };
    let t = pick(&[1.0, 2.0, 5.0]);
    if t.len() > 9 {
        pick(&[1.0])
    } else if t.len() < 4 {
        pick(&[1.0, 2.0, 3.0, 5.0])
    } else {
        t
    }
}

/// A km figure with thousands separated: 2,246.
pub(super) fn km_label(v: f64) -> String {
    let s = format!("{:.0}", v.round());
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// The compass direction of a border's km 0 end as seen from its other end.
pub(super) fn km0_end(b: &crate::borders::Border) -> Option<&'static str> {
    let (first, last) = (b.line.0.first()?, b.line.0.last()?);
    let k = ((first.y + last.y) / 2.0).to_radians().cos();
    let (dx, dy) = ((first.x - last.x) * k, first.y - last.y);
    if dx == 0.0 && dy == 0.0 {
        return None;
    }
    let ang = dy.atan2(dx).to_degrees(); // 0 = east, 90 = north
    const NAMES: [&str; 8] = [
        "east",
        "north-east",
        "north",
        "north-west",
        "west",
        "south-west",
        "south",
        "south-east",
    ];
    let i = (((ang + 360.0 + 22.5) % 360.0) / 45.0).floor() as usize % 8;
    Some(NAMES[i])
}

pub(super) fn find_border<'a>(a: &'a Analysis, id: &str) -> Option<&'a BorderResult> {
    a.borders
        .iter()
        .find(|b| b.border.id.eq_ignore_ascii_case(id))
}

pub(super) fn unknown_border(a: &Analysis, id: &str) -> anyhow::Error {
    let ids: Vec<&str> = a.borders.iter().map(|b| b.border.id.as_str()).collect();
    anyhow::anyhow!("unknown border {id:?} (analysed: {})", ids.join(", "))
}

/// The two country names of "Afghanistan–Tajikistan" (or the codes).
pub(super) fn side_names(b: &crate::borders::Border) -> (String, String) {
    let mut parts = b.name.split(['–', '—']).map(str::trim);
    match (parts.next(), parts.next()) {
        (Some(x), Some(y)) if !x.is_empty() && !y.is_empty() => (x.to_string(), y.to_string()),
        _ => (
            b.country_a.clone().unwrap_or_else(|| "right side".into()),
            b.country_b.clone().unwrap_or_else(|| "left side".into()),
        ),
    }
}

// ---------------------------------------------------------------------------------------
// 2. The comparison.

/// A period of the analysis: its key, and the days of it inside the window and in all.
pub(super) struct Bin {
    key: String,
    days_in: f64,
    days: f64,
}

pub(super) fn period_key(p: Period, y: i32, m: u8) -> String {
    match p {
        Period::Month => format!("{y:04}-{m:02}"),
        Period::Quarter => format!("{y:04}-Q{}", (m - 1) / 3 + 1),
        Period::Year => format!("{y:04}"),
    }
}

/// The analysis periods from the window's first to its last day (the keys of `by_period`),
/// with how much of each the window covers; from the rows' keys when there is no window.
pub(super) fn period_bins(a: &Analysis) -> Vec<Bin> {
    let p = a.options.period;
    let Some((s, e)) = a.window else {
        let mut keys: Vec<&str> = a
            .by_period
            .iter()
            .map(|r| r.key.as_str())
            .filter(|k| *k != "unknown")
            .collect();
        keys.sort_unstable();
        keys.dedup();
        return keys
            .into_iter()
            .map(|k| Bin {
                key: k.to_string(),
                days_in: 1.0,
                days: 1.0,
            })
            .collect();
    };
    let mut bins: Vec<Bin> = Vec::new();
    let (mut y, mut m) = (s.year, s.month);
    let (s0, e0) = (s.days_since_epoch(), e.days_since_epoch());
    while let Some(first) = crate::model::Date::new(y, m, 1) {
        if first > e {
            break;
        }
        let dim = crate::model::days_in_month(y, m);
        let f0 = first.days_since_epoch();
        let f1 = f0 + i64::from(dim) - 1;
        let inside = (f1.min(e0) - f0.max(s0) + 1).max(0) as f64;
        let key = period_key(p, y, m);
        match bins.last_mut() {
            Some(b) if b.key == key => {
                b.days_in += inside;
                b.days += f64::from(dim);
            }
            _ => bins.push(Bin {
                key,
                days_in: inside,
                days: f64::from(dim),
            }),
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
        if bins.len() > 2400 {
            break;
        }
    }
    // A period's full length, even where the window cuts it short at either end.
    for b in &mut bins {
        b.days = full_period_days(p, &b.key).unwrap_or(b.days);
    }
    bins
}

/// Days in a whole period given its key ("2025", "2025-Q4", "2025-11").
pub(super) fn full_period_days(p: Period, key: &str) -> Option<f64> {
    let y: i32 = key.get(..4)?.parse().ok()?;
    let months: Vec<u8> = match p {
        Period::Year => (1..=12).collect(),
        Period::Quarter => {
            let q: u8 = key.get(6..7)?.parse().ok()?;
            (3 * q - 2..=3 * q).collect()
        }
        Period::Month => vec![key.get(5..7)?.parse().ok()?],
    };
    Some(
        months
            .into_iter()
            .map(|m| f64::from(crate::model::days_in_month(y, m)))
            .sum(),
    )
}

pub(super) fn period_word(p: Period) -> &'static str {
    match p {
        Period::Month => "month",
        Period::Quarter => "quarter",
        Period::Year => "year",
    }
}

pub(super) fn fmt_rate(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), format_number)
}

/// The comparison of two borders on one page: left, each border's rate per 100 km per year
/// with its 95% interval (log axis when every value is above zero) and the rate ratio with its
/// interval; right, both borders' events per 100 km in each period of the analysis
/// (`a.options.period`); under both, the comparison's warnings as a bulleted list.
pub fn comparison_chart(c: &Comparison, a: &Analysis, page: PageSize) -> Result<String> {
    let ra = find_border(a, &c.a.border_id).ok_or_else(|| unknown_border(a, &c.a.border_id))?;
    let rb = find_border(a, &c.b.border_id).ok_or_else(|| unknown_border(a, &c.b.border_id))?;
    let mut svg = Svg::new(page);
    let tf = Font::new(17.0, INK).bold();
    let room = f64::from(page.width_px) - svg.pt(28.0);
    let title = [
        format!(
            "Incident density compared: {} and {}",
            ra.border.name, rb.border.name
        ),
        format!(
            "Incident density compared: {} and {}",
            c.a.border_id, c.b.border_id
        ),
    ]
    .into_iter()
    .find(|t| svg.width(t, tf) <= room)
    .unwrap_or_else(|| "Incident density compared".into());
    let footer = vec![
        sources_line([ra, rb]),
        if a.years.is_some() {
            format!(
                "Rates: {} in the corridor ÷ (border length / 100 km × years of the window), with exact Poisson 95% intervals; the ratio's interval is the exact conditional (binomial) one.",
                noun(a)
            )
        } else {
            format!(
                "Figures: {} in the corridor ÷ (border length / 100 km); without dates there are no rates per year and no intervals.",
                noun(a)
            )
        },
        ATTRIBUTION.to_string(),
    ];
    let fr = page_frame(&mut svg, &title, &parameters_line(a, false), &footer);

    // The caveats take what they need from the bottom (up to 40% of the body).
    let wf = Font::new(8.0, TEXT);
    let wh = Font::new(9.5, INK).bold();
    let bullet_in = svg.pt(12.0);
    let line_h = svg.pt(8.0 * 1.4);
    let item_gap = svg.pt(2.5);
    let width = fr.x1 - fr.x0 - bullet_in;
    let mut items: Vec<Vec<String>> = c
        .warnings
        .iter()
        .map(|w| wrap(&svg, &capitalise(w), wf, width))
        .collect();
    let head_h = svg.pt(9.5 + 8.0);
    let block = |items: &[Vec<String>]| -> f64 {
        if items.is_empty() {
            return 0.0;
        }
        head_h
            + items
                .iter()
                .map(|l| l.len() as f64 * line_h + item_gap)
                .sum::<f64>()
    };
    let max_block = (fr.bottom - fr.top) * 0.4;
    let mut omitted = 0usize;
    while block(&items) > max_block && items.len() > 1 {
        items.pop();
        omitted += 1;
    }
    // One warning alone longer than the space: its first lines, ending in an ellipsis.
    if let [only] = items.as_mut_slice() {
        // Leaving room for the "… more warnings" line when there is one.
        let more = if omitted > 0 { line_h + item_gap } else { 0.0 };
        let room = ((max_block - head_h - item_gap - more) / line_h)
            .floor()
            .max(1.0) as usize;
        if only.len() > room {
            only.truncate(room);
            if let Some(last) = only.last_mut() {
                last.push_str(" …");
            }
        }
    }
    if omitted > 0 {
        items.push(vec![format!(
            "… and {omitted} more warnings (see the comparison table)"
        )]);
    }
    let warn_h = block(&items);
    let panels_bottom = fr.bottom - warn_h - if warn_h > 0.0 { svg.pt(14.0) } else { 0.0 };

    // Panels side by side.
    let gap = svg.pt(30.0);
    let left = Box2::new(
        fr.x0,
        fr.top,
        fr.x0 + (fr.x1 - fr.x0 - gap) * 0.5,
        panels_bottom,
    );
    let right = Box2::new(left.x1 + gap, fr.top, fr.x1, panels_bottom);
    forest_panel(&mut svg, c, a, left);
    series_panel(&mut svg, a, [ra, rb], right);

    // Warnings.
    if !items.is_empty() {
        svg.open("warnings");
        let mut y = fr.bottom - warn_h;
        svg.line(
            (fr.x0, y - svg.pt(6.0)),
            (fr.x1, y - svg.pt(6.0)),
            GRID,
            svg.pt(0.6),
            None,
        );
        svg.text(fr.x0, y, "Read with care", wh, Anchor::Start, false);
        y += head_h;
        for lines in &items {
            for (k, line) in lines.iter().enumerate() {
                if k == 0 {
                    svg.text(fr.x0 + svg.pt(3.0), y, "•", wf, Anchor::Start, false);
                }
                svg.text(fr.x0 + bullet_in, y, line, wf, Anchor::Start, false);
                y += line_h;
            }
            y += item_gap;
        }
        svg.close();
    }
    Ok(svg.finish(&title))
}

/// A panel's heading (bold) at the top of `b`; returns the y under it.
pub(super) fn panel_heading(svg: &mut Svg, b: Box2, text: &str) -> f64 {
    let f = Font::new(10.5, INK).bold();
    svg.text(b.x0, b.y0, text, f, Anchor::Start, false);
    b.y0 + svg.pt(10.5 + 10.0)
}

/// Rates with intervals, one row per border, and the ratio under the axis.
pub(super) fn forest_panel(svg: &mut Svg, c: &Comparison, a: &Analysis, b: Box2) {
    let per_year = c.a.rate_per_100km_year.is_some() && c.b.rate_per_100km_year.is_some();
    let unit = if per_year {
        "per 100 km per year"
    } else {
        "per 100 km"
    };
    let heading = if per_year {
        format!("{} {unit}, with 95% interval", capitalise(noun(a)))
    } else {
        format!("{} {unit}", capitalise(noun(a)))
    };
    let y0 = panel_heading(svg, b, &heading);
    svg.open("forest");
    let name_f = Font::new(9.5, INK).bold();
    let info_f = Font::new(7.5, SUBTLE);
    let val_f = Font::new(8.0, TEXT);
    let tick_f = Font::new(7.5, AXIS);
    let axis_f = Font::new(8.0, SUBTLE);
    let rows: [&BorderRate; 2] = [&c.a, &c.b];
    let value = |r: &BorderRate| -> Option<f64> {
        if per_year {
            r.rate_per_100km_year
        } else if r.length_km > 0.0 {
            Some(r.events / r.length_km * 100.0)
        } else {
            None
        }
    };
    let info = |r: &BorderRate| -> String {
        let mut s = format!(
            "{} {} · {} km",
            format_number(r.events),
            noun(a),
            km_label(r.length_km)
        );
        if let Some(y) = r.years {
            let _ = write!(s, " · {} years", format_number(y));
        }
        s
    };
    let names: Vec<String> = rows
        .iter()
        .map(|r| {
            find_border(a, &r.border_id)
                .map_or_else(|| r.border_id.clone(), |x| x.border.name.clone())
        })
        .collect();
    let label_w = rows
        .iter()
        .zip(&names)
        .map(|(r, nm)| svg.width(nm, name_f).max(svg.width(&info(r), info_f)))
        .fold(0.0, f64::max);

    // Ratio text block at the bottom of the panel.
    let ratio_lines = ratio_text(c);
    let rf = Font::new(9.5, INK).bold();
    let rf2 = Font::new(8.5, TEXT);
    let ratio_h = svg.pt(9.5 * 1.5) + svg.pt(8.5 * 1.45) * (ratio_lines.len() - 1) as f64;
    let plot = Box2::new(
        b.x0 + label_w + svg.pt(14.0),
        y0 + svg.pt(6.0),
        b.x1 - svg.pt(10.0),
        b.y1 - ratio_h - svg.pt(7.5 + 8.0 + 8.0 + 18.0),
    );
    svg.rect_attrs(
        plot,
        Rgba::NONE,
        Rgba::NONE,
        0.0,
        r#" id="forest-plot" class="plot-area""#,
    );

    // Scale: log when every value and bound is above zero, else linear from 0.
    let mut vals: Vec<f64> = Vec::new();
    for r in rows {
        vals.extend(value(r));
        if per_year {
            vals.extend(r.ci_low);
            vals.extend(r.ci_high.filter(|v| v.is_finite()));
        }
    }
    let positive = !vals.is_empty() && vals.iter().all(|v| *v > 0.0);
    let (lo, hi) = if positive {
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(0.0, f64::max);
        let pad = ((hi / lo).log10() * 0.08).max(0.15);
        (lo / 10f64.powf(pad), hi * 10f64.powf(pad))
    } else {
        let hi = vals.iter().copied().fold(0.0, f64::max);
        (
            0.0,
            *linear_ticks(if hi > 0.0 { hi * 1.05 } else { 1.0 }, 5.0)
                .last()
                .unwrap_or(&1.0),
        )
    };
    let xv = |v: f64| -> f64 {
        let t = if positive {
            (v.max(lo).log10() - lo.log10()) / (hi.log10() - lo.log10())
        } else {
            (v - lo) / (hi - lo)
        };
        plot.x0 + t.clamp(0.0, 1.0) * plot.width()
    };
    let ticks = if positive {
        log_ticks(lo, hi)
    } else {
        linear_ticks(hi, 5.0)
    };
    for &t in &ticks {
        let x = xv(t);
        svg.line((x, plot.y0), (x, plot.y1), GRID, svg.pt(0.5), None);
        svg.line(
            (x, plot.y1),
            (x, plot.y1 + svg.pt(3.0)),
            AXIS,
            svg.pt(0.6),
            None,
        );
        svg.text(
            x,
            plot.y1 + svg.pt(6.0),
            &format_number(t),
            tick_f,
            Anchor::Middle,
            false,
        );
    }
    svg.line(
        (plot.x0, plot.y1),
        (plot.x1, plot.y1),
        AXIS,
        svg.pt(0.8),
        None,
    );
    let axis_label = format!(
        "{} {unit}{}",
        noun(a),
        if positive { " (log scale)" } else { "" }
    );
    svg.text(
        (plot.x0 + plot.x1) / 2.0,
        plot.y1 + svg.pt(6.0 + 7.5 + 6.0),
        &axis_label,
        axis_f,
        Anchor::Middle,
        false,
    );

    let row_h = plot.height() / 2.0;
    for (i, (r, name)) in rows.iter().zip(&names).enumerate() {
        let color = border_color(&r.border_id);
        let cy = plot.y0 + row_h * (i as f64 + 0.5);
        // Name and figures left of the axis.
        let ny = cy - svg.cap(name_f) - svg.pt(2.5);
        svg.text(
            b.x0,
            ny,
            name,
            Font { color, ..name_f },
            Anchor::Start,
            false,
        );
        svg.text(
            b.x0,
            cy + svg.pt(3.0),
            &info(r),
            info_f,
            Anchor::Start,
            false,
        );
        let Some(v) = value(r) else {
            let mf = Font::new(8.5, SUBTLE).italic();
            svg.text(
                plot.x0 + svg.pt(6.0),
                cy - svg.cap(mf) / 2.0,
                "no rate: no dated incidents",
                mf,
                Anchor::Start,
                false,
            );
            continue;
        };
        let x = xv(v);
        let cap = svg.pt(5.0);
        let interval = if per_year {
            r.ci_low.zip(r.ci_high)
        } else {
            None
        };
        if let Some((l, h)) = interval {
            let (xl, xh) = (xv(l), if h.is_finite() { xv(h) } else { plot.x1 });
            let w = svg.pt(1.6);
            svg.line((xl, cy), (xh, cy), color, w, None);
            svg.line((xl, cy - cap), (xl, cy + cap), color, w, None);
            if h.is_finite() {
                svg.line((xh, cy - cap), (xh, cy + cap), color, w, None);
            }
        }
        svg.circle((x, cy), svg.pt(4.2), color, Rgba::WHITE, svg.pt(1.0));
        let label = match interval {
            Some((l, h)) => format!(
                "{}  (95% CI {}–{})",
                format_number(v),
                format_number(l),
                if h.is_finite() {
                    format_number(h)
                } else {
                    "∞".into()
                }
            ),
            None => format_number(v),
        };
        let lw = svg.width(&label, val_f);
        let lx = (x - lw / 2.0).clamp(plot.x0, (plot.x1 - lw).max(plot.x0));
        svg.text(
            lx,
            cy - cap - svg.pt(5.0) - svg.cap(val_f),
            &label,
            val_f,
            Anchor::Start,
            true,
        );
    }

    // The ratio.
    let mut y = b.y1 - ratio_h;
    for (k, line) in ratio_lines.iter().enumerate() {
        let f = if k == 0 { rf } else { rf2 };
        svg.text(b.x0, y, line, f, Anchor::Start, false);
        y += if k == 0 {
            svg.pt(9.5 * 1.5)
        } else {
            svg.pt(8.5 * 1.45)
        };
    }
    svg.close();
}

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The ratio in words: the figure with its interval, the same the other way round when it is
/// below 1 (a reader compares "11 times" more easily than "0.09"), and whether the interval
/// holds 1.
pub(super) fn ratio_text(c: &Comparison) -> Vec<String> {
    let (a, b) = (&c.a.border_id, &c.b.border_id);
    let hi = |v: Option<f64>| v.map_or_else(|| "unbounded".into(), format_number);
    let mut out = Vec::new();
    match c.ratio {
        Some(r) => {
            out.push(format!(
                "Rate ratio {a} ÷ {b} = {}  (95% CI {}–{})",
                format_number(r),
                fmt_rate(c.ratio_low),
                hi(c.ratio_high)
            ));
            if r > 0.0 && r < 1.0 {
                let inv_lo = c.ratio_high.filter(|v| *v > 0.0).map(|v| 1.0 / v);
                let inv_hi = c.ratio_low.filter(|v| *v > 0.0).map(|v| 1.0 / v);
                out.push(format!(
                    "{b}'s rate is {} times {a}'s (95% CI {}–{}).",
                    format_number(1.0 / r),
                    fmt_rate(inv_lo),
                    hi(inv_hi)
                ));
            } else if r >= 1.0 {
                out.push(format!("{a}'s rate is {} times {b}'s.", format_number(r)));
            }
            match (c.ratio_low, c.ratio_high) {
                (Some(l), Some(h)) if l <= 1.0 && h >= 1.0 => {
                    out.push("The interval includes 1: these data do not show a difference.".into())
                }
                (Some(l), h) if l > 1.0 || h.is_some_and(|h| h < 1.0) => {
                    out.push("The interval excludes 1 — but see the caveats below.".into())
                }
                _ => {}
            }
        }
        None if !c.comparable => out.push(format!(
            "No rate ratio: not comparable ({}).",
            c.not_comparable.join("; ")
        )),
        None if c.a.rate_per_100km_year.is_some() => out.push(format!(
            "Rate ratio {a} ÷ {b}: not defined ({b} has no events; 95% CI from {}).",
            fmt_rate(c.ratio_low)
        )),
        None => out.push(format!("Rate ratio {a} ÷ {b}: not defined (no dates).")),
    }
    out
}

/// Events per 100 km of border in each period, both borders on one axis.
pub(super) fn series_panel(svg: &mut Svg, a: &Analysis, borders: [&BorderResult; 2], b: Box2) {
    let pw = period_word(a.options.period);
    let y0 = panel_heading(
        svg,
        b,
        &format!("{} per 100 km of border, by {pw}", capitalise(noun(a))),
    );
    svg.open("series");
    let bins = period_bins(a);
    let tick_f = Font::new(7.5, AXIS);
    let axis_f = Font::new(8.0, SUBTLE);
    let note_f = Font::new(7.5, SUBTLE);
    let leg_f = Font::new(8.5, TEXT);

    // Values per border and bin.
    let series: Vec<Vec<f64>> = borders
        .iter()
        .map(|r| {
            let per = r.rates.length_km / 100.0;
            bins.iter()
                .map(|bin| {
                    let ev: f64 = a
                        .by_period
                        .iter()
                        .filter(|x| x.border_id == r.border.id && x.key == bin.key)
                        .map(|x| x.tally.events_weighted)
                        .sum();
                    if per > 0.0 { ev / per } else { 0.0 }
                })
                .collect()
        })
        .collect();
    let undated: f64 = a
        .by_period
        .iter()
        .filter(|x| x.key == "unknown" && borders.iter().any(|r| r.border.id == x.border_id))
        .map(|x| x.tally.events_weighted)
        .sum();
    let partial: Vec<&Bin> = bins.iter().filter(|x| x.days_in + 0.5 < x.days).collect();

    // Legend under the heading.
    let mut lx = b.x0;
    let ly = y0;
    for r in borders {
        let color = border_color(&r.border.id);
        let cy = ly + svg.cap(leg_f) / 2.0;
        svg.line((lx, cy), (lx + svg.pt(18.0), cy), color, svg.pt(1.8), None);
        svg.circle(
            (lx + svg.pt(9.0), cy),
            svg.pt(3.2),
            color,
            Rgba::WHITE,
            svg.pt(0.8),
        );
        lx += svg.pt(23.0);
        let w = svg.text(
            lx,
            ly,
            &format!("{} ({})", r.border.name, r.border.id),
            leg_f,
            Anchor::Start,
            false,
        );
        lx += w + svg.pt(16.0);
    }

    // Notes under the axis.
    let mut notes: Vec<String> = Vec::new();
    if !partial.is_empty() {
        let list: Vec<String> = partial
            .iter()
            .map(|p| format!("{} ({} of {} days)", p.key, p.days_in, p.days))
            .collect();
        notes.push(format!(
            "Open markers, dashed lines: {pw}s only partly inside the window — {}.",
            list.join(", ")
        ));
    }
    if undated > 0.0 {
        notes.push(format!(
            "{} {} without a date are not shown.",
            format_number(undated),
            noun(a)
        ));
    }
    let note_lines: Vec<String> = notes
        .iter()
        .flat_map(|t| wrap(svg, t, note_f, b.width()))
        .collect();
    let notes_h = note_lines.len() as f64 * svg.pt(7.5 * 1.4);

    // Plot box: y axis title and tick labels at the left.
    let max_v = series.iter().flatten().copied().fold(0.0, f64::max);
    let ticks = linear_ticks(if max_v > 0.0 { max_v * 1.06 } else { 1.0 }, 5.0);
    let y_max = *ticks.last().unwrap_or(&1.0);
    let tick_w = ticks
        .iter()
        .map(|t| svg.width(&format_number(*t), tick_f))
        .fold(0.0, f64::max);
    let plot = Box2::new(
        b.x0 + svg.pt(8.0 * 1.2 + 6.0) + tick_w + svg.pt(6.0),
        ly + svg.pt(8.5 + 14.0),
        b.x1 - svg.pt(6.0),
        b.y1 - notes_h - svg.pt(6.0 + 7.5 + 6.0 + 8.0 + 10.0),
    );
    svg.rect_attrs(
        plot,
        Rgba::NONE,
        Rgba::NONE,
        0.0,
        r#" id="series-plot" class="plot-area""#,
    );
    let yv = |v: f64| plot.y1 - (v / y_max).clamp(0.0, 1.0) * plot.height();
    for &t in &ticks {
        let y = yv(t);
        if t > 0.0 {
            svg.line((plot.x0, y), (plot.x1, y), GRID, svg.pt(0.5), None);
        }
        svg.line(
            (plot.x0 - svg.pt(3.0), y),
            (plot.x0, y),
            AXIS,
            svg.pt(0.6),
            None,
        );
        svg.text(
            plot.x0 - svg.pt(5.0),
            y - svg.cap(tick_f) / 2.0,
            &format_number(t),
            tick_f,
            Anchor::End,
            false,
        );
    }
    svg.text_up(
        b.x0 + svg.pt(8.0 * 0.6),
        (plot.y0 + plot.y1) / 2.0,
        &format!("{} per 100 km in the {pw}", noun(a)),
        axis_f,
    );
    svg.line(
        (plot.x0, plot.y0),
        (plot.x0, plot.y1),
        AXIS,
        svg.pt(0.6),
        None,
    );
    svg.line(
        (plot.x0, plot.y1),
        (plot.x1, plot.y1),
        AXIS,
        svg.pt(0.8),
        None,
    );

    let mut ny = b.y1 - notes_h;
    for line in &note_lines {
        svg.text(b.x0, ny, line, note_f, Anchor::Start, false);
        ny += svg.pt(7.5 * 1.4);
    }
    if bins.is_empty() {
        let mf = Font::new(9.5, SUBTLE).italic();
        svg.text(
            (plot.x0 + plot.x1) / 2.0,
            (plot.y0 + plot.y1) / 2.0,
            "no dated incidents",
            mf,
            Anchor::Middle,
            false,
        );
        svg.close();
        return;
    }
    let nb = bins.len();
    let slot = plot.width() / nb as f64;
    let xb = |i: usize| plot.x0 + slot * (i as f64 + 0.5);
    // Period labels, thinned so they do not touch.
    let widest = bins
        .iter()
        .map(|x| svg.width(&x.key, tick_f))
        .fold(0.0, f64::max);
    let every = ((widest + svg.pt(8.0)) / slot).ceil().max(1.0) as usize;
    for (i, bin) in bins.iter().enumerate() {
        let x = xb(i);
        svg.line(
            (x, plot.y1),
            (x, plot.y1 + svg.pt(3.0)),
            AXIS,
            svg.pt(0.6),
            None,
        );
        if i % every == 0 {
            svg.text(
                x,
                plot.y1 + svg.pt(6.0),
                &bin.key,
                tick_f,
                Anchor::Middle,
                false,
            );
        }
    }
    svg.text(
        (plot.x0 + plot.x1) / 2.0,
        plot.y1 + svg.pt(6.0 + 7.5 + 6.0),
        pw,
        axis_f,
        Anchor::Middle,
        false,
    );
    // Lines (dashed into and out of periods the window covers only in part), then markers
    // (open for those periods), then values.
    let partial_at = |i: usize| bins[i].days_in + 0.5 < bins[i].days;
    let lw = svg.pt(1.8);
    let dash = Some((svg.pt(4.0), svg.pt(3.0)));
    let mut obstacles: Vec<Box2> = Vec::new();
    for (r, vals) in borders.iter().zip(&series) {
        let color = border_color(&r.border.id);
        let pts: Vec<(f64, f64)> = vals
            .iter()
            .enumerate()
            .map(|(i, v)| (xb(i), yv(*v)))
            .collect();
        if pts.len() == 1 {
            let (x, y) = pts[0];
            svg.line((x - slot * 0.3, y), (x + slot * 0.3, y), color, lw, None);
        }
        // The lines keep value labels off them: boxes every few px along each step.
        for w in pts.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let steps = ((x1 - x0).hypot(y1 - y0) / 3.0).ceil().max(1.0) as usize;
            for j in 0..=steps {
                let t = j as f64 / steps as f64;
                let (x, y) = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
                obstacles.push(Box2::new(
                    x - lw / 2.0,
                    y - lw / 2.0,
                    x + lw / 2.0,
                    y + lw / 2.0,
                ));
            }
        }
        // Runs of solid or dashed steps as one polyline each.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut run_dashed = false;
        for i in 1..pts.len() {
            let dashed = partial_at(i - 1) || partial_at(i);
            if !run.is_empty() && dashed != run_dashed {
                svg.polyline(&run, color, lw, if run_dashed { dash } else { None });
                run.clear();
            }
            if run.is_empty() {
                run.push(pts[i - 1]);
                run_dashed = dashed;
            }
            run.push(pts[i]);
        }
        svg.polyline(&run, color, lw, if run_dashed { dash } else { None });
    }
    let mr = svg.pt(3.4);
    let markers = slot >= svg.pt(5.0);
    for (r, vals) in borders.iter().zip(&series) {
        let color = border_color(&r.border.id);
        if !markers {
            break;
        }
        for (i, v) in vals.iter().enumerate() {
            let (fill, stroke, w) = if partial_at(i) {
                (Rgba::WHITE, color, svg.pt(1.4))
            } else {
                (color, Rgba::WHITE, svg.pt(0.8))
            };
            let p = (xb(i), yv(*v));
            svg.circle(p, mr, fill, stroke, w);
            obstacles.push(Box2::new(p.0 - mr, p.1 - mr, p.0 + mr, p.1 + mr));
        }
    }
    // Values at the markers when there are few periods: above, below, left or right of the
    // marker, wherever they touch no other value or marker.
    if nb <= 8 && markers {
        let vf = Font::new(7.5, TEXT);
        let mut taken = obstacles;
        let d = svg.pt(5.0);
        for (r, vals) in borders.iter().zip(&series) {
            let color = border_color(&r.border.id);
            for (i, v) in vals.iter().enumerate() {
                let label = format_number(*v);
                let w = svg.width(&label, vf);
                let ch = svg.cap(vf);
                let (x, y) = (xb(i), yv(*v));
                let cands = [
                    Box2::new(x - w / 2.0, y - d - ch, x + w / 2.0, y - d),
                    Box2::new(x - w / 2.0, y + d, x + w / 2.0, y + d + ch),
                    Box2::new(x - d - w, y - ch / 2.0, x - d, y + ch / 2.0),
                    Box2::new(x + d, y - ch / 2.0, x + d + w, y + ch / 2.0),
                    Box2::new(x - d - w, y - d - ch, x - d, y - d),
                    Box2::new(x + d, y - d - ch, x + d + w, y - d),
                ];
                let room = Box2::new(
                    plot.x0 + svg.pt(2.0),
                    plot.y0 - svg.pt(6.0),
                    b.x1,
                    plot.y1 - svg.pt(1.0),
                );
                if let Some(bx) = cands
                    .into_iter()
                    .find(|bx| room.contains_box(bx) && !taken.iter().any(|t| t.overlaps(bx)))
                {
                    let f = Font {
                        color: tint_dark(color),
                        ..vf
                    };
                    svg.text(bx.x0, bx.y0, &label, f, Anchor::Start, true);
                    taken.push(bx.inflate(svg.pt(1.5)));
                }
            }
        }
    }
    svg.close();
}

/// A darker shade of a border colour, for text in it.
pub(super) fn tint_dark(c: Rgba) -> Rgba {
    let m = |v: u8| (f64::from(v) * 0.72).round() as u8;
    Rgba::rgb(m(c.r), m(c.g), m(c.b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_and_labels() {
        assert_eq!(linear_ticks(5.8, 4.0), vec![0.0, 2.0, 4.0, 6.0]);
        assert_eq!(linear_ticks(5.8, 5.0), vec![0.0, 2.0, 4.0, 6.0]);
        assert_eq!(linear_ticks(5.8, 3.0), vec![0.0, 2.0, 4.0, 6.0]);
        assert_eq!(linear_ticks(5.8, 2.0), vec![0.0, 5.0, 10.0]);
        assert_eq!(
            linear_ticks(1.04, 5.0),
            vec![0.0, 0.25, 0.5, 0.75, 1.0, 1.25]
        );
        assert_eq!(linear_ticks(0.31, 5.0).last(), Some(&0.4));
        assert_eq!(linear_ticks(0.0, 4.0).last(), Some(&1.0));
        assert_eq!(
            log_ticks(0.05, 6.0),
            vec![0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
        );
        assert_eq!(km_label(2245.7), "2,246");
        assert_eq!(km_label(250.0), "250");
        assert_eq!(full_period_days(Period::Quarter, "2025-Q1"), Some(90.0));
        assert_eq!(full_period_days(Period::Year, "2024"), Some(366.0));
        assert_eq!(full_period_days(Period::Month, "2025-02"), Some(28.0));
    }

    #[test]
    fn wrapping_respects_the_width() {
        let svg = Svg::new(crate::render::page_size(None, None));
        let f = Font::new(8.0, TEXT);
        let text = "the data cover different periods: AF-TJ 2025-11-26 to 2026-01-31, AF-PK 2025-01-01 to 2026-01-19; both rates use the analysis window";
        let lines = wrap(&svg, text, f, 400.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| svg.width(l, f) <= 400.0));
        assert_eq!(lines.join(" "), text);
        let long = wrap(&svg, &"x".repeat(300), f, 100.0);
        assert!(long.len() > 2 && long.iter().all(|l| svg.width(l, f) <= 100.0));
    }
}
