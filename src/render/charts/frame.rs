//! The chart page's frame, as on the maps: title and subtitle, the small print at the foot
//! (parameters, sources, attribution).

use super::svg::{Anchor, Font, Svg, cap_lines, wrap};
use super::{INK, SMALL_PRINT, SUBTLE};
use crate::density::assign::CorridorSide;
use crate::density::{Analysis, BorderResult, WeightBy};
use crate::render::format_number;

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
