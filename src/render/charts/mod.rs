//! Report charts: the incident profile along borders and the two-border comparison.
//!
//! Each chart is an SVG document the size of a map page ([`PageSize`](super::PageSize), A4 landscape), with the
//! maps' look: a bold title and a grey subtitle top left, small print (sources, method,
//! attribution) at the foot, all text in the bundled family ([`FONT_FAMILY`](super::FONT_FAMILY), so the PNG from
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
//!
//! One file per part: `svg` (the SVG writer and text fitting), `frame` (title and
//! small print), `axes`, then each chart with its panels: `profile`, `comparison`
//! (`forest`, `series`). Charts read the analysis and the comparison; they must not
//! know how those were made, nor anything of the maps but their look.

mod axes;
mod comparison;
mod forest;
mod frame;
mod profile;
mod series;
mod svg;
#[cfg(test)]
mod tests;

use super::Rgba;

pub use comparison::comparison_chart;
/// The incident profile along borders (drawn in [`profile`]).
pub use profile::border_profile;

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

/// A darker shade of a border colour, for text in it.
pub(super) fn tint_dark(c: Rgba) -> Rgba {
    let m = |v: u8| (f64::from(v) * 0.72).round() as u8;
    Rgba::rgb(m(c.r), m(c.g), m(c.b))
}
