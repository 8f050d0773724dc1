//! The comparison chart: both borders' rates with intervals ([`super::forest`]), the time
//! series by period ([`super::series`]), the ratio and the warnings; and the periods it bins
//! the analysis into.

use super::axes::{find_border, unknown_border};
use super::forest::forest_panel;
use super::frame::{noun, page_frame, parameters_line, sources_line};
use super::series::series_panel;
use super::svg::{Anchor, Font, Svg, wrap};
use super::{GRID, INK, TEXT};
use crate::density::compare::Comparison;
use crate::density::{Analysis, Period};
use crate::geodata::ATTRIBUTION;
use crate::render::clip::Box2;
use crate::render::{PageSize, format_number};
use anyhow::Result;

// 2. The comparison.

/// A period of the analysis: its key, and the days of it inside the window and in all.
pub(super) struct Bin {
    pub(super) key: String,
    pub(super) days_in: f64,
    pub(super) days: f64,
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
