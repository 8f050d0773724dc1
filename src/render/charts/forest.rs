//! The comparison's forest panel: each border's rate with its 95% interval on a log scale,
//! and the rate ratio.

use super::axes::{find_border, km_label, linear_ticks, log_ticks};
use super::comparison::{capitalise, ratio_text};
use super::frame::noun;
use super::svg::{Anchor, Font, Svg};
use super::{AXIS, GRID, INK, SUBTLE, TEXT, border_color};
use crate::density::Analysis;
use crate::density::compare::{BorderRate, Comparison};
use crate::render::clip::Box2;
use crate::render::{Rgba, format_number};
use std::fmt::Write as _;

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
