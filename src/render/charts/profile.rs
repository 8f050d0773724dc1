//! The incident profile along borders: a bar per segment over km from each border's km 0,
//! panels on one km scale and one y scale, the provinces on either side in bands under the
//! axis, and bars filled with the run's rate classes ([`crate::export::classes`]) so a colour means
//! the same rate here as on the maps and in QGIS.

use super::axes::{
    find_border, km_label, km0_end, linear_ticks, nice_step, side_names, unknown_border,
};
use super::frame::{noun, page_frame, parameters_line, sources_line};
use super::svg::{Anchor, Font, Svg, n};
use super::{AXIS, BAND_AF, BAND_NB, GRID, INK, SUBTLE, TEXT, border_color};
use crate::density::{Analysis, BorderResult};
use crate::export::classes::{RateClasses, segment_value};
use crate::geodata::ATTRIBUTION;
use crate::render::clip::Box2;
use crate::render::{PageSize, Rgba, drawable_text, format_number, xml_escape};
use anyhow::{Result, bail};
use std::fmt::Write as _;

/// One panel's value per segment: per 100 km per year (per 100 km when undated).
fn seg_value(r: &crate::density::stats::Rates) -> f64 {
    segment_value(r)
}

/// Width of the key to the bar colours: "bar colours" then each bound and swatch in turn.
fn class_key_width(svg: &Svg, classes: &RateClasses, f: Font, sw: f64, gap: f64) -> f64 {
    let texts: f64 = classes
        .bounds
        .iter()
        .map(|b| svg.width(&crate::render::break_label(*b), f))
        .sum();
    svg.width(CLASS_KEY, f) + gap + texts + classes.len() as f64 * (sw + 2.0 * gap)
}

const CLASS_KEY: &str = "classes:";

/// The key to the bar colours, ending at `x1`, capitals' top at `y`: every class bound
/// printed between the swatches of the classes it separates (`class="class-key"`).
fn draw_class_key(
    svg: &mut Svg,
    x1: f64,
    y: f64,
    classes: &RateClasses,
    f: Font,
    sw: f64,
    gap: f64,
) {
    let mut x = x1 - class_key_width(svg, classes, f, sw, gap);
    svg.open("class-key");
    x += svg.text(x, y, CLASS_KEY, f, Anchor::Start, false) + gap;
    let cap = svg.cap(f);
    for (i, b) in classes.bounds.iter().enumerate() {
        x += svg.text(
            x,
            y,
            &crate::render::break_label(*b),
            f,
            Anchor::Start,
            false,
        );
        if i < classes.len() {
            let c = classes.color(i);
            svg.rect(
                Box2::xywh(x + gap, y - cap * 0.15, sw, cap * 1.3),
                Rgba::rgb(c[0], c[1], c[2]),
                Rgba::rgb(120, 120, 120),
                sw / 14.0,
            );
            x += sw + 2.0 * gap;
        }
    }
    svg.close();
}

/// Incidents per 100 km per year along each border, one panel per border, stacked: a bar per
/// segment over km from the border's km 0, with the provinces on either side in bands under
/// the axis. Every panel has the same km per pixel (so lengths compare) and the same y scale
/// (so heights compare). `border_ids` empty draws every analysed border; a page holds two or
/// three panels comfortably, more are drawn smaller.
pub fn border_profile(a: &Analysis, border_ids: &[&str], page: PageSize) -> Result<String> {
    let results: Vec<&BorderResult> = if border_ids.is_empty() {
        a.borders.iter().collect()
    } else {
        border_ids
            .iter()
            .map(|id| find_border(a, id).ok_or_else(|| unknown_border(a, id)))
            .collect::<Result<_>>()?
    };
    if results.is_empty() {
        bail!("no borders to draw");
    }
    let per_year = a.years.is_some();
    let unit = if per_year {
        "per 100 km per year"
    } else {
        "per 100 km"
    };
    let mut svg = Svg::new(page);
    let title = match results.as_slice() {
        [r] => format!("Incident density along the {} border", r.border.name),
        [r, q] => format!(
            "Incident density along the {} and {} borders",
            r.border.name, q.border.name
        ),
        _ => "Incident density along the borders".to_string(),
    };
    let title = if svg.width(&title, Font::new(17.0, INK).bold())
        > f64::from(page.width_px) - svg.pt(28.0)
    {
        "Incident density along the borders".to_string()
    } else {
        title
    };
    let footer = vec![
        sources_line(results.iter().copied()),
        format!(
            "Bars: {} {unit} in each segment of the corridor, coloured in the run's classes as on the maps (a record whose place is uncertain is shared among the segments its uncertainty covers). Dashed line: the whole border's rate. Black outline: a hotspot segment (excess over the border's rate, q ≤ 0.05). Bands: provinces along the border on each side.",
            noun(a)
        ),
        ATTRIBUTION.to_string(),
    ];
    let fr = page_frame(&mut svg, &title, &parameters_line(a, true), &footer);

    // Vertical layout, in points at full size; `k` shrinks everything in the panels when
    // many share the page.
    let lanes: Vec<(Lanes, Lanes)> = results.iter().map(|r| sector_lanes(r)).collect();
    let (head_pt, axis_pt, lane_pt, lane_gap_pt, gap_pt) = (19.5, 19.5, 12.5, 2.0, 16.0);
    let fixed_pt: f64 = lanes
        .iter()
        .map(|(af, nb)| {
            let l = (af.len() + nb.len()) as f64;
            head_pt + axis_pt + l * lane_pt + (l - 1.0).max(0.0) * lane_gap_pt
        })
        .sum::<f64>()
        + gap_pt * (results.len() - 1) as f64;
    let body_pt = (fr.bottom - fr.top) / svg.pt(1.0);
    let min_plot_pt = 50.0;
    let k = (body_pt / (fixed_pt + min_plot_pt * results.len() as f64)).min(1.0);
    let ppt = page.px_per_pt();
    let q = move |p: f64| p * k * ppt;
    let plot_h = ((fr.bottom - fr.top - svg.pt(fixed_pt * k)) / results.len() as f64)
        .clamp(q(min_plot_pt).min(fr.bottom - fr.top), svg.pt(260.0));
    let (head_h, axis_h, lane_h, lane_gap, panel_gap) = (
        q(head_pt),
        q(axis_pt),
        q(lane_pt),
        q(lane_gap_pt),
        q(gap_pt),
    );

    // Fonts.
    let pf = Font::new(10.5 * k, INK).bold();
    let inf = Font::new(8.5 * k, SUBTLE);
    let tick_f = Font::new(7.5 * k, AXIS);
    let axis_f = Font::new(8.0 * k, SUBTLE);
    let band_f = Font::new(7.0 * k, TEXT);
    let row_f = Font::new(7.5 * k, SUBTLE);

    // Shared scales.
    let border_len = |r: &BorderResult| {
        r.border
            .measured_km
            .max(r.segments.last().map_or(0.0, |s| s.unit.km_to))
    };
    let max_km = results
        .iter()
        .map(|r| border_len(r))
        .fold(0.0, f64::max)
        .max(1.0);
    let max_v = results
        .iter()
        .flat_map(|r| {
            r.segments
                .iter()
                .map(|s| seg_value(&s.rates))
                .chain(std::iter::once(seg_value(&r.rates)))
        })
        .fold(0.0, f64::max);
    let target = (plot_h / q(13.0)).clamp(2.0, 5.0);
    let yticks = linear_ticks(if max_v > 0.0 { max_v } else { 1.0 }, target);
    let y_max = *yticks.last().unwrap_or(&1.0);
    let y_title = format!("{} {unit}", noun(a));
    let y_title_fits = svg.width(&y_title, axis_f) <= plot_h;

    // Left gutter: the rotated axis title and tick labels, or the band rows' names.
    let tick_w = yticks
        .iter()
        .map(|v| svg.width(&format_number(*v), tick_f))
        .fold(0.0, f64::max);
    let rows: Vec<(String, String)> = results.iter().map(|r| side_names(&r.border)).collect();
    let row_w = rows
        .iter()
        .flat_map(|(x, y)| [svg.width(x, row_f), svg.width(y, row_f)])
        .fold(0.0, f64::max);
    let title_w = if y_title_fits {
        q(8.0 * 1.2 + 6.0)
    } else {
        0.0
    };
    let gutter = (title_w + tick_w + q(6.0)).max(row_w + q(8.0));
    let plot_x0 = fr.x0 + gutter;
    let plot_w_max = fr.x1 - plot_x0 - q(12.0);
    let px_per_km = plot_w_max / max_km;

    // The run's classes, chosen on the borders drawn (the compared pair in a run).
    let classes = RateClasses::for_run(a, border_ids);
    let mut key_drawn = false;
    let mut first_plot: Option<Box2> = None;
    let mut y = fr.top;
    for ((r, (af_name, nb_name)), (af_lanes, nb_lanes)) in results.iter().zip(&rows).zip(&lanes) {
        let b = &r.border;
        let color = border_color(&b.id);
        let len = border_len(r);
        let plot = Box2::new(
            plot_x0,
            y + head_h,
            plot_x0 + len * px_per_km,
            y + head_h + plot_h,
        );
        let xk = |km: f64| plot.x0 + km * px_per_km;
        let yv = |v: f64| plot.y1 - (v / y_max).clamp(0.0, 1.0) * plot.height();
        svg.open(&format!("profile-{}", b.id));

        // Heading: swatch, name, figures.
        let sw = q(9.0);
        svg.rect(
            Box2::xywh(fr.x0, y + svg.cap(pf) - sw * 0.95, sw, sw),
            color,
            Rgba::NONE,
            0.0,
        );
        let tx = fr.x0 + sw + q(5.0);
        let tw = svg.text(
            tx,
            y,
            &format!("{} ({})", b.name, b.id),
            pf,
            Anchor::Start,
            false,
        );
        let mut info = format!(
            "{} km · {} {} · {} {unit}",
            km_label(r.rates.length_km),
            format_number(r.tally.events_weighted),
            noun(a),
            format_number(seg_value(&r.rates))
        );
        if let (Some(lo), Some(hi)) = (r.rates.ci_low, r.rates.ci_high) {
            let _ = write!(
                info,
                " (95% CI {}–{})",
                format_number(lo),
                format_number(hi)
            );
        }
        if let Some(end) = km0_end(b) {
            let _ = write!(info, " · km 0 at the {end} end");
        }
        let iy = y + svg.cap(pf) - svg.cap(inf);
        let info_w = svg.text(tx + tw + q(10.0), iy, &info, inf, Anchor::Start, false);
        // The key to the bar colours, in the first heading with room for it.
        let key_f = Font::new(7.5 * k, SUBTLE);
        let (key_sw, key_gap) = (q(9.0), q(2.0));
        if !key_drawn
            && tx
                + tw
                + q(10.0)
                + info_w
                + q(18.0)
                + class_key_width(&svg, &classes, key_f, key_sw, key_gap)
                <= fr.x1
            && !classes.is_empty()
        {
            let ky = y + svg.cap(pf) - svg.cap(key_f);
            draw_class_key(&mut svg, fr.x1, ky, &classes, key_f, key_sw, key_gap);
            key_drawn = true;
        }
        first_plot.get_or_insert(plot);

        // Grid and y axis.
        for &t in &yticks {
            let gy = yv(t);
            if t > 0.0 {
                svg.line((plot.x0, gy), (plot.x1, gy), GRID, q(0.5), None);
            }
            svg.line((plot.x0 - q(3.0), gy), (plot.x0, gy), AXIS, q(0.6), None);
            let ty = gy - svg.cap(tick_f) / 2.0;
            svg.text(
                plot.x0 - q(5.0),
                ty,
                &format_number(t),
                tick_f,
                Anchor::End,
                false,
            );
        }
        if y_title_fits {
            svg.text_up(
                fr.x0 + q(8.0 * 0.6),
                (plot.y0 + plot.y1) / 2.0,
                &y_title,
                axis_f,
            );
        }
        svg.rect_attrs(
            plot,
            Rgba::NONE,
            Rgba::NONE,
            0.0,
            &format!(
                r#" id="plot-{}" class="plot-area" data-km="{}""#,
                xml_escape(&b.id),
                n(len)
            ),
        );

        // Bars: filled in the run's classes, the step of the rates on top.
        let gap = q(0.35);
        let mut step: Vec<(f64, f64)> = vec![(plot.x0, plot.y1)];
        for s in &r.segments {
            let v = seg_value(&s.rates);
            let (x0, x1) = (xk(s.unit.km_from), xk(s.unit.km_to));
            let top = yv(v);
            if v > 0.0 && x1 - x0 > 2.0 * gap {
                let c = classes.color_of(v);
                let fill = Rgba::rgb(c[0], c[1], c[2]);
                // A hotspot segment's bar is outlined black, as its casing on the maps.
                let (stroke, sw) = if s.is_hotspot() {
                    (crate::render::maps::HOTSPOT_CASING, q(1.2))
                } else {
                    (Rgba::NONE, 0.0)
                };
                svg.rect(
                    Box2::new(x0 + gap, top, x1 - gap, plot.y1),
                    fill,
                    stroke,
                    sw,
                );
            }
            step.push((x0, top));
            step.push((x1, top));
        }
        step.push((xk(len), plot.y1));
        let any = r.segments.iter().any(|s| seg_value(&s.rates) > 0.0);
        if any {
            svg.polyline(&step, color, q(1.1), None);
            // The whole border's rate.
            let mean = seg_value(&r.rates);
            let my = yv(mean);
            let dark = Rgba::rgb(50, 50, 50);
            svg.line(
                (plot.x0, my),
                (plot.x1, my),
                dark,
                q(0.8),
                Some((q(4.0), q(2.5))),
            );
            let lf = Font::new(7.5 * k, dark);
            let label = format!("whole border {}", format_number(mean));
            let lw = svg.width(&label, lf);
            // Right of the panel when the border is shorter than the longest, else inside.
            if plot.x1 + q(6.0) + lw <= fr.x1 {
                let ly = my - svg.cap(lf) / 2.0;
                svg.text(plot.x1 + q(4.0), ly, &label, lf, Anchor::Start, true);
            } else {
                let ly = (my - q(4.0) - svg.cap(lf)).max(plot.y0);
                svg.text(plot.x1 - q(2.0), ly, &label, lf, Anchor::End, true);
            }
        } else {
            let mf = Font::new(9.5 * k, SUBTLE).italic();
            let msg = "no incidents in the corridor";
            let my = (plot.y0 + plot.y1) / 2.0 - svg.cap(mf) / 2.0;
            if svg.width(msg, mf) + q(12.0) <= plot.width() {
                svg.text(
                    (plot.x0 + plot.x1) / 2.0,
                    my,
                    msg,
                    mf,
                    Anchor::Middle,
                    false,
                );
            } else {
                // A short border: beside its panel.
                svg.text(plot.x1 + q(8.0), my, msg, mf, Anchor::Start, false);
            }
        }

        // Axes.
        svg.line((plot.x0, plot.y0), (plot.x0, plot.y1), AXIS, q(0.6), None);
        svg.line((plot.x0, plot.y1), (plot.x1, plot.y1), AXIS, q(0.8), None);
        let kstep = nice_step(max_km, (plot_w_max / q(60.0)).clamp(3.0, 14.0));
        let mut i = 0usize;
        let mut last_right = f64::NEG_INFINITY;
        loop {
            let km = i as f64 * kstep;
            if km > len + 1e-6 {
                break;
            }
            let x = xk(km);
            svg.line((x, plot.y1), (x, plot.y1 + q(3.0)), AXIS, q(0.6), None);
            let label = if i == 0 {
                "0 km".to_string()
            } else {
                km_label(km)
            };
            let w = svg.width(&label, tick_f);
            let (anchor, left) = if i == 0 {
                (Anchor::Start, x)
            } else {
                (Anchor::Middle, x - w / 2.0)
            };
            if left > last_right + q(4.0) {
                svg.text(x, plot.y1 + q(6.0), &label, tick_f, anchor, false);
                last_right = left + w;
            }
            i += 1;
        }

        // Province bands: Afghan side, then the neighbour's.
        let mut by = plot.y1 + axis_h;
        let sides = [(af_lanes, af_name, BAND_AF), (nb_lanes, nb_name, BAND_NB)];
        for (side, (lanes, name, colors)) in sides.into_iter().enumerate() {
            for (li, lane) in lanes.iter().enumerate() {
                if li == 0 {
                    let ty = by + (lane_h - svg.cap(row_f)) / 2.0;
                    svg.text(plot.x0 - q(5.0), ty, name, row_f, Anchor::End, false);
                }
                let band = BandLane {
                    y: by,
                    h: lane_h,
                    colors,
                    font: band_f,
                    xmin: plot.x0,
                    xmax: plot.x1,
                    first_tint: side,
                };
                draw_band_lane(&mut svg, r, lane, &xk, &band);
                by += lane_h + lane_gap;
            }
        }
        svg.close();
        y = by - lane_gap + panel_gap;
    }
    // No heading had room: the key goes in the top right corner of the first panel.
    if let (false, false, Some(plot)) = (key_drawn, classes.is_empty(), first_plot) {
        let key_f = Font::new(7.5 * k, SUBTLE);
        let (key_sw, key_gap) = (q(9.0), q(2.0));
        let w = class_key_width(&svg, &classes, key_f, key_sw, key_gap);
        let pad = q(3.0);
        let bx = Box2::new(
            plot.x1 - w - 3.0 * pad,
            plot.y0,
            plot.x1,
            plot.y0 + svg.cap(key_f) * 1.3 + 2.0 * pad,
        );
        svg.rect(bx, Rgba::WHITE.with_alpha(0.9), Rgba::NONE, 0.0);
        let ky = plot.y0 + pad + svg.cap(key_f) * 0.15;
        draw_class_key(
            &mut svg,
            plot.x1 - pad,
            ky,
            &classes,
            key_f,
            key_sw,
            key_gap,
        );
    }
    Ok(svg.finish(&title))
}

/// Rows of province bands on one side: sector indices per row.
type Lanes = Vec<Vec<usize>>;

/// Sectors of a border in lanes per side: (Afghan side, neighbour side), each a list of lanes,
/// each lane sector indices in km order that do not overlap. A side without sectors has one
/// empty lane, so its row is still drawn.
fn sector_lanes(r: &BorderResult) -> (Lanes, Lanes) {
    let af_code = r.border.country_a.as_deref().unwrap_or("AF");
    let mut af: Vec<usize> = Vec::new();
    let mut nb: Vec<usize> = Vec::new();
    for (i, s) in r.sectors.iter().enumerate() {
        if s.unit.country.eq_ignore_ascii_case(af_code) {
            af.push(i);
        } else {
            nb.push(i);
        }
    }
    let lanes = |mut idx: Vec<usize>| -> Vec<Vec<usize>> {
        idx.sort_by(|&x, &y| {
            r.sectors[x]
                .unit
                .km_from
                .total_cmp(&r.sectors[y].unit.km_from)
        });
        let mut lanes: Vec<Vec<usize>> = Vec::new();
        for i in idx {
            let from = r.sectors[i].unit.km_from;
            match lanes.iter_mut().find(|l| {
                l.last()
                    .is_none_or(|&j| r.sectors[j].unit.km_to <= from + 0.5)
            }) {
                Some(l) => l.push(i),
                None => lanes.push(vec![i]),
            }
        }
        if lanes.is_empty() {
            lanes.push(Vec::new());
        }
        lanes
    };
    (lanes(af), lanes(nb))
}

/// Where one lane of province bands goes.
struct BandLane {
    y: f64,
    h: f64,
    colors: [Rgba; 2],
    font: Font,
    /// The panel's axis, px.
    xmin: f64,
    xmax: f64,
    /// Which tint the first band takes (the two sides start differently).
    first_tint: usize,
}

/// One lane of province bands: alternating tints, a white cut between neighbours, names
/// inside where they fit, else centred on their band (kept on the axis) where they touch no
/// other name, else shortened, else left out; longest sectors are named first. A province of
/// a third country (a sliver at a tripoint) is named only if its name fits inside.
fn draw_band_lane(
    svg: &mut Svg,
    r: &BorderResult,
    lane: &[usize],
    xk: &dyn Fn(f64) -> f64,
    l: &BandLane,
) {
    let (y, h, f) = (l.y, l.h, l.font);
    if lane.is_empty() {
        svg.rect(
            Box2::new(l.xmin, y, l.xmax, y + h),
            Rgba::NONE,
            Rgba::rgb(200, 200, 200),
            svg.pt(0.4),
        );
        return;
    }
    let cut = svg.pt(0.5);
    for (k, &i) in lane.iter().enumerate() {
        let s = &r.sectors[i].unit;
        let (x0, x1) = (xk(s.km_from), xk(s.km_to));
        svg.rect_attrs(
            Box2::new(x0, y, (x1 - cut).max(x0 + 0.5), y + h),
            l.colors[(k + l.first_tint) % 2],
            Rgba::NONE,
            0.0,
            &format!(r#" class="sector" data-sector="{}""#, xml_escape(&s.id)),
        );
    }
    let mut order: Vec<usize> = lane.to_vec();
    order.sort_by(|&p, &q| {
        let lp = r.sectors[p].unit.km_to - r.sectors[p].unit.km_from;
        let lq = r.sectors[q].unit.km_to - r.sectors[q].unit.km_from;
        lq.total_cmp(&lp)
    });
    let pad = svg.pt(3.0);
    let mut taken: Vec<(f64, f64)> = Vec::new();
    let ty = y + (h - svg.cap(f)) / 2.0;
    let own = |c: &str| {
        r.border
            .country_a
            .as_deref()
            .is_none_or(|x| x.eq_ignore_ascii_case(c))
            || r.border
                .country_b
                .as_deref()
                .is_none_or(|x| x.eq_ignore_ascii_case(c))
    };
    for i in order {
        let s = &r.sectors[i].unit;
        let (x0, x1) = (xk(s.km_from), xk(s.km_to));
        let mid = (x0 + x1) / 2.0;
        let third = !own(&s.country);
        let name = drawable_text(&s.province);
        // Inside the band; the full name a little wider than it; the short name inside; the
        // full, then the short name spilling onto the neighbours (not for a third country).
        let full = if third {
            format!("{name} ({})", s.country)
        } else {
            name.clone()
        };
        let short = {
            let c: Vec<char> = name.chars().collect();
            (!third && c.len() > 5).then(|| c[..4].iter().collect::<String>() + ".")
        };
        let band = x1 - x0;
        let spill = band * 3.0 + svg.pt(20.0);
        let mut tries: Vec<(&str, f64)> = vec![(&full, band), (&full, band * 1.3)];
        if let Some(sh) = &short {
            tries.push((sh, band));
        }
        if !third {
            tries.push((&full, spill));
            if let Some(sh) = &short {
                tries.push((sh, spill));
            }
        }
        for (cand, room) in tries {
            let w = svg.width(cand, f);
            if w + pad > room {
                continue;
            }
            if w > l.xmax - l.xmin {
                continue;
            }
            let lo = l.xmin + pad / 2.0;
            let left = (mid - w / 2.0).clamp(lo, (l.xmax - w).max(lo));
            let (a, b) = (left, left + w);
            if taken.iter().any(|&(p, q)| a < q + pad && b > p - pad) {
                continue;
            }
            svg.text(left, ty, cand, f, Anchor::Start, false);
            taken.push((a, b));
            break;
        }
    }
}
