//! The comparison's time-series panel: events per 100 km of border in each period, both
//! borders on one axis.

use super::axes::linear_ticks;
use super::comparison::{Bin, capitalise, period_bins, period_word};
use super::forest::panel_heading;
use super::frame::noun;
use super::svg::{Anchor, Font, Svg, wrap};
use super::{AXIS, GRID, SUBTLE, TEXT, border_color, tint_dark};
use crate::density::{Analysis, BorderResult};
use crate::render::clip::Box2;
use crate::render::{Rgba, format_number};

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
