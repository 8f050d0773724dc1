//! Small multiples: one page per border with a small map for each period (quarter or year),
//! every panel on one scale, so a reader sees where and when incidents moved without
//! comparing legends. Each panel shows the border's segments coloured by that period's
//! incidents per 100 km per year in classes shared by all panels of the run (both compared
//! borders' pages included), and the period's point incidents as dots by event type.
//!
//! What a period holds is the caller's: each [`PeriodMap`] carries an analysis restricted
//! to its dates (`pipeline::figures` runs them).

use super::maps::{MapData, border_extent, event_style, find, lonlat_line, rgb};
use super::{
    Align, BasemapOptions, Box2, Extent, LegendKey, MapCanvas, PageSize, Rgba, SymbolShape,
    basemap_background, basemap_borders, format_number,
};
use crate::density::{Analysis, BorderResult};
use crate::export::classes::{RateClasses, SEGMENT_NONE, segment_value};
use crate::geodata::ATTRIBUTION;
use crate::projection::Projection;
use anyhow::{Result, bail};

/// Panels on one page at most; a longer run continues on further pages.
pub const PANELS_PER_PAGE: usize = 24;

/// One period: its name (`2024-Q1`) and the analysis of the incidents dated in it.
pub struct PeriodMap<'a> {
    pub label: String,
    pub analysis: &'a Analysis,
}

/// The classes every panel shares: chosen on the segment rates of `borders` over all
/// periods, topped by the largest rate of any period.
pub fn shared_classes<S: AsRef<str>>(periods: &[PeriodMap<'_>], borders: &[S]) -> RateClasses {
    let rates: Vec<f64> = periods
        .iter()
        .flat_map(|p| p.analysis.borders.iter())
        .filter(|b| {
            borders.is_empty()
                || borders
                    .iter()
                    .any(|id| id.as_ref().eq_ignore_ascii_case(&b.border.id))
        })
        .flat_map(|b| b.segments.iter().map(|s| segment_value(&s.rates)))
        .collect();
    let top = rates.iter().copied().fold(0.0, f64::max);
    RateClasses::from_values(&rates, top)
}

/// The pages of small maps of `border_id`, one panel per period in order
/// ([`PANELS_PER_PAGE`] at most per page). `unit` names the period for the title
/// ("quarter", "year").
pub fn period_pages(
    d: &MapData<'_>,
    border_id: &str,
    periods: &[PeriodMap<'_>],
    classes: &RateClasses,
    unit: &str,
    page: PageSize,
) -> Result<Vec<String>> {
    let Some(whole) = find(d, border_id) else {
        bail!("border {border_id} was not analysed");
    };
    let Some(extent) = border_extent(whole) else {
        bail!("border {border_id} does not project")
    };
    let chunks: Vec<&[PeriodMap<'_>]> = periods.chunks(PANELS_PER_PAGE).collect();
    let mut pages = Vec::with_capacity(chunks.len());
    for (n, chunk) in chunks.iter().enumerate() {
        let part = if chunks.len() > 1 {
            format!(" (page {} of {})", n + 1, chunks.len())
        } else {
            String::new()
        };
        let title = format!(
            "{}: incidents per 100 km per year, by {unit}{part}",
            whole.border.name
        );
        let subtitle = format!(
            "one map per {unit}, all in the same classes; {}",
            d.subtitle
        );
        pages.push(one_page(
            d,
            whole,
            extent,
            chunk,
            classes,
            (&title, &subtitle),
            page,
        ));
    }
    Ok(pages)
}

/// Columns and rows for `n` panels of aspect `panel_aspect` (width / height) in a box of
/// `box_w` × `box_h`: the grid whose panels come out largest.
fn grid(n: usize, panel_aspect: f64, box_w: f64, box_h: f64) -> (usize, usize) {
    (1..=n.max(1))
        .map(|cols| (cols, n.max(1).div_ceil(cols)))
        .max_by(|a, b| {
            let size = |(c, r): (usize, usize)| {
                let w = box_w / c as f64;
                let h = box_h / r as f64;
                (w / panel_aspect).min(h)
            };
            size(*a).total_cmp(&size(*b)).then(b.0.cmp(&a.0))
        })
        .unwrap_or((1, 1))
}

fn one_page(
    d: &MapData<'_>,
    whole: &BorderResult,
    extent: Extent,
    periods: &[PeriodMap<'_>],
    classes: &RateClasses,
    (title, subtitle): (&str, &str),
    page: PageSize,
) -> String {
    let proj = Projection::region();
    let mut sheet = MapCanvas::new(page, proj.clone(), extent);
    let area = sheet.layout().map;
    sheet.fill_map(Rgba::WHITE);
    let caption_px = 13.0 * page.px_per_pt();
    let gap = sheet.pt(6.0);
    let aspect = extent.width() / extent.height();
    let (cols, rows) = grid(
        periods.len(),
        aspect * 0.9,
        area.width() - gap,
        area.height() - gap,
    );
    let cell_w = (area.width() - gap) / cols as f64;
    let cell_h = (area.height() - gap) / rows as f64;
    let mut types_drawn: Vec<(SymbolShape, Rgba, &'static str)> = Vec::new();
    let mut any_none = false;
    for (i, period) in periods.iter().enumerate() {
        let (c, r) = (i % cols, i / cols);
        let rect = Box2::new(
            area.x0 + gap + c as f64 * cell_w,
            area.y0 + gap + r as f64 * cell_h,
            area.x0 + (c + 1) as f64 * cell_w,
            area.y0 + (r + 1) as f64 * cell_h,
        );
        let panel_page = PageSize {
            width_px: rect.width().round().max(1.0) as u32,
            height_px: rect.height().round().max(1.0) as u32,
            dpi: page.dpi,
        };
        let mut panel = MapCanvas::panel(panel_page, proj.clone(), extent);
        let opts = BasemapOptions {
            attribution: false,
            border_width_pt: 0.9,
            ..BasemapOptions::default()
        };
        basemap_background(&mut panel, d.geo, &opts);
        basemap_borders(&mut panel, d.geo, &[], &opts);
        let shown = period
            .analysis
            .borders
            .iter()
            .find(|b| b.border.id.eq_ignore_ascii_case(&whole.border.id));
        let w = panel.pt(2.6);
        for s in shown.map(|b| b.segments.as_slice()).unwrap_or_default() {
            let line = lonlat_line(&s.unit.coords);
            let v = segment_value(&s.rates);
            any_none |= classes.class_of(v).is_none();
            panel.line(&line, Rgba::WHITE, w + panel.pt(0.8), None);
            panel.line(&line, rgb(classes.color_of(v)), w, None);
        }
        // The period's point incidents that the analysis counted (stretches and aggregate
        // rows are in the segments' colours), small and by type.
        for (l, p) in d.located.iter().zip(&period.analysis.placements) {
            if p.excluded.is_some() || l.location.stretch.is_some() {
                continue;
            }
            let style @ (shape, color, label) = event_style(l.record.event_type.as_deref());
            if !panel.shows(l.location.lon, l.location.lat) {
                continue;
            }
            panel.symbol(
                l.location.lon,
                l.location.lat,
                shape,
                panel.pt(3.2),
                color,
                Rgba::WHITE,
            );
            if !types_drawn.iter().any(|t| t.2 == label) {
                types_drawn.push(style);
            }
        }
        // The caption counts what the segments count: the period's events in the corridor
        // (rows along a stretch included, which have no dot).
        let events = shown.map_or(0.0, |b| b.tally.events_weighted);
        let caption = format!(
            "{}: {} {} in the corridor",
            period.label,
            format_number(events),
            if (events - 1.0).abs() < 1e-9 {
                "event"
            } else {
                "events"
            }
        );
        let caption_y = (caption_px - panel.pt(8.5)) / 2.0;
        panel.text_px(
            0.0,
            caption_y,
            &caption,
            8.5,
            true,
            Rgba::rgb(30, 30, 30),
            Align::Start,
        );
        sheet.nest(panel, rect);
    }

    sheet.title(title);
    sheet.subtitle(subtitle);
    if !classes.is_empty() {
        let colors: Vec<Rgba> = classes.colors().into_iter().map(rgb).collect();
        sheet.legend_classes(&colors, &classes.bounds, "segments, per 100 km per year");
    }
    let mut legend: Vec<(LegendKey, String)> = types_drawn
        .iter()
        .map(|(shape, color, label)| {
            (
                LegendKey::Symbol {
                    shape: *shape,
                    size_px: sheet.pt(6.0),
                    fill: *color,
                    stroke: Rgba::WHITE,
                },
                label.to_string(),
            )
        })
        .collect();
    if any_none {
        legend.push((
            LegendKey::Line {
                color: rgb(SEGMENT_NONE),
                width_px: sheet.pt(4.0),
                dash: None,
            },
            "segment without incidents".into(),
        ));
    }
    let items: Vec<(LegendKey, &str)> = legend.iter().map(|(k, s)| (*k, s.as_str())).collect();
    sheet.legend_items(&items);
    if !d.sources.is_empty() {
        sheet.footer(&format!("Incidents: {}", d.sources));
    }
    sheet.footer(ATTRIBUTION);
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::grid;

    #[test]
    fn the_grid_gives_the_largest_panels() {
        // Wide panels in a wide box: more rows than a square grid would use.
        assert_eq!(grid(4, 2.0, 1000.0, 700.0), (2, 2));
        assert_eq!(grid(1, 1.0, 100.0, 100.0), (1, 1));
        let (c, r) = grid(12, 1.0, 1200.0, 800.0);
        assert!(c * r >= 12 && c >= r, "{c}x{r}");
        let (c, r) = grid(24, 1.5, 1400.0, 900.0);
        assert!(c * r >= 24);
    }
}
