//! Legends in the side panel of a map: headings, colour ramps, classes with every break
//! printed, sized-symbol keys, and one-line entries (a key, then its text).

use super::canvas::{PxPoint, SUBPIXEL, fit_width, ipt, shape_style};
use super::clip::Box2;
use super::fonts;
use super::{Align, LegendKey, MapCanvas, Rgba, SymbolShape, format_number};
use plotters::backend::DrawingBackend;

impl MapCanvas {
    fn legend_heading(&mut self, text: &str) {
        let x = self.layout.panel.x0;
        let y = self.legend_y;
        self.text_px(x, y, text, 9.0, true, Rgba::rgb(40, 40, 40), Align::Start);
        self.legend_y += self.pt(9.0 * 1.6);
    }

    /// A colour ramp in the side panel: `colors` evenly from `min` to `max`, titled `label`.
    pub fn legend_ramp(&mut self, colors: &[Rgba], min: f64, max: f64, label: &str) {
        if colors.is_empty() {
            return;
        }
        self.legend_heading(label);
        let p = self.layout.panel;
        let w = p.width().min(self.pt(170.0));
        let h = self.pt(9.0);
        let y = self.legend_y;
        let step = w / colors.len() as f64;
        let rects: Vec<(PxPoint, PxPoint, Rgba)> = colors
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let x0 = p.x0 + step * i as f64;
                // Overlap by a hair so no seam shows between steps.
                (
                    ipt((x0, y)),
                    ipt(((x0 + step + 0.6).min(p.x0 + w), y + h)),
                    c,
                )
            })
            .collect();
        self.plot(|be| {
            for (a, b, c) in rects {
                let _ = be.draw_rect(a, b, &shape_style(c, 0.0, true), true);
            }
        });
        let grey = Rgba::rgb(120, 120, 120);
        self.rect_px(Box2::xywh(p.x0, y, w, h), Rgba::NONE, grey, self.pt(0.4));
        let ty = y + h + self.pt(3.0);
        let dark = Rgba::rgb(50, 50, 50);
        self.text_px(
            p.x0,
            ty,
            &format_number(min),
            7.5,
            false,
            dark,
            Align::Start,
        );
        self.text_px(
            p.x0 + w,
            ty,
            &format_number(max),
            7.5,
            false,
            dark,
            Align::End,
        );
        self.legend_y = ty + self.pt(7.5 + 12.0);
    }

    /// Legend entries in the side panel, one line each: the key, then its text.
    pub fn legend_items(&mut self, items: &[(LegendKey, &str)]) {
        let p = self.layout.panel;
        let line_h = self.pt(14.0);
        let key_w = self.pt(18.0);
        for (key, text) in items {
            let cy = self.legend_y + line_h / 2.0;
            let cx = p.x0 + key_w / 2.0;
            match *key {
                LegendKey::Symbol {
                    shape,
                    size_px,
                    fill,
                    stroke,
                } => {
                    let sw = (size_px / 8.0).clamp(0.75, self.pt(0.8));
                    self.plot(|be| {
                        Self::symbol_px(be, shape, (cx, cy), size_px, fill, stroke, sw);
                    });
                }
                LegendKey::Line {
                    color,
                    width_px,
                    dash,
                } => {
                    let part = vec![vec![(p.x0, cy), (p.x0 + key_w, cy)]];
                    self.draw_parts_dashed(&part, color, width_px, dash);
                }
                LegendKey::Area { fill, stroke } => {
                    let b = Box2::new(p.x0, cy - line_h * 0.3, p.x0 + key_w, cy + line_h * 0.3);
                    let w = self.pt(0.6);
                    self.rect_px(b, fill, stroke, w);
                }
                LegendKey::Ring { stroke, fill } => {
                    let r = (line_h * 0.36 * SUBPIXEL).round() as u32;
                    let c = ipt((cx, cy));
                    let w = self.pt(0.6);
                    self.plot(|be| {
                        if fill.visible() {
                            let _ = be.draw_circle(c, r, &shape_style(fill, 0.0, true), true);
                        }
                        let _ = be.draw_circle(c, r, &shape_style(stroke, w, false), false);
                    });
                }
            }
            let ty = cy - self.pt(8.0) * fonts::CAP_HEIGHT / 2.0;
            let tx = p.x0 + key_w + self.pt(6.0);
            // Cut with an ellipsis rather than run off the page.
            let text = fit_width(text, self.pt(8.0), false, p.x1 - tx);
            self.text_px(
                tx,
                ty,
                &text,
                8.0,
                false,
                Rgba::rgb(40, 40, 40),
                Align::Start,
            );
            self.legend_y += line_h;
        }
        self.legend_y += self.pt(8.0);
    }

    /// A classed legend: one box per class, equal widths, and every class bound printed at
    /// its edge (`bounds` has one more entry than `colors`; labels that would touch are set
    /// on a second line). The boxes carry `class="legend-class"` and `data-lo`/`data-hi`.
    pub fn legend_classes(&mut self, colors: &[Rgba], bounds: &[f64], label: &str) {
        if colors.is_empty() || bounds.len() != colors.len() + 1 {
            return;
        }
        self.legend_heading(label);
        let p = self.layout.panel;
        let w = p.width().min(self.pt(170.0));
        let h = self.pt(9.0);
        let y = self.legend_y;
        let step = w / colors.len() as f64;
        let grey = Rgba::rgb(120, 120, 120);
        let stroke_w = self.pt(0.4) * SUBPIXEL;
        for (i, c) in colors.iter().enumerate() {
            let x0 = p.x0 + step * i as f64;
            let _ = std::fmt::Write::write_fmt(
                &mut self.body,
                format_args!(
                    "<rect class=\"legend-class\" data-lo=\"{}\" data-hi=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>\n",
                    bounds[i],
                    bounds[i + 1],
                    x0 * SUBPIXEL,
                    y * SUBPIXEL,
                    step * SUBPIXEL,
                    h * SUBPIXEL,
                    c.hex(),
                    c.opacity(),
                    grey.hex(),
                    stroke_w,
                ),
            );
        }
        let size = 7.0;
        let dark = Rgba::rgb(50, 50, 50);
        let ty = y + h + self.pt(3.0);
        let row_h = self.pt(size * 1.35);
        let mut right = [f64::NEG_INFINITY; 2];
        let mut rows_used = 1;
        for (i, b) in bounds.iter().enumerate() {
            let text = break_label(*b);
            let tw = fonts::text_width(&text, self.pt(size), false, 0.0);
            let x = p.x0 + step * i as f64;
            let (align, left) = if i == 0 {
                (Align::Start, x)
            } else if i + 1 == bounds.len() {
                (Align::End, x - tw)
            } else {
                (Align::Middle, x - tw / 2.0)
            };
            let row = if left > right[0] + self.pt(2.0) { 0 } else { 1 };
            rows_used = rows_used.max(row + 1);
            right[row] = left + tw;
            self.text_px(x, ty + row_h * row as f64, &text, size, false, dark, align);
        }
        self.legend_y = ty + row_h * rows_used as f64 + self.pt(9.0);
    }

    /// A key to symbol sizes: circles side by side, bottoms aligned, each with its value
    /// under it (`entries`: diameter px, text).
    pub fn legend_sizes(
        &mut self,
        entries: &[(f64, String)],
        fill: Rgba,
        stroke: Rgba,
        label: &str,
    ) {
        if entries.is_empty() {
            return;
        }
        self.legend_heading(label);
        let p = self.layout.panel;
        let gap = self.pt(10.0);
        let tallest = entries.iter().map(|e| e.0).fold(0.0, f64::max);
        let base = self.legend_y + tallest;
        let mut x = p.x0;
        let size = 7.0;
        let dark = Rgba::rgb(50, 50, 50);
        for (d, text) in entries {
            let tw = fonts::text_width(text, self.pt(size), false, 0.0);
            let slot = d.max(tw);
            if x + slot > p.x1 {
                break;
            }
            let cx = x + slot / 2.0;
            let sw = (d / 8.0).clamp(0.75, self.pt(0.8));
            let d = *d;
            self.plot(|be| {
                Self::symbol_px(
                    be,
                    SymbolShape::Circle,
                    (cx, base - d / 2.0),
                    d,
                    fill,
                    stroke,
                    sw,
                );
            });
            self.text_px(
                cx,
                base + self.pt(3.0),
                text,
                size,
                false,
                dark,
                Align::Middle,
            );
            x += slot + gap;
        }
        self.legend_y = base + self.pt(3.0 + size * 1.35 + 9.0);
    }
}

/// A class bound as printed in a legend: three significant figures at most, no trailing
/// zeros (`0.0034`, `0.5`, `36.8`, `1234`).
pub fn break_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format_number(v);
    }
    let d = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.d$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn break_labels_keep_three_figures() {
        assert_eq!(super::break_label(0.0034), "0.0034");
        assert_eq!(super::break_label(0.5), "0.5");
        assert_eq!(super::break_label(36.84), "36.8");
        assert_eq!(super::break_label(4.615), "4.62");
        assert_eq!(super::break_label(1234.4), "1234");
        assert_eq!(super::break_label(0.0), "0");
    }
}
