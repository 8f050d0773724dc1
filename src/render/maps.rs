//! Report maps: one per border and an overview of all of Afghanistan's borders, in the
//! region's equal-area projection. On each: the base map, the density surface as the run's
//! isobands (vector shapes, one colour per class, so edges stay smooth at any size), border
//! segments coloured in the run's classes ([`RateClasses`], the same on every map, the
//! profile and the QGIS style, every break printed in the legend), aggregate rows as the
//! stretch they stand for with their count ([`super::aggregates`]), incidents — as symbols by
//! event type sized by fatalities with their uncertainty visible, or, where symbols would bury
//! each other, as counts per place ([`DisplayMode`]) — labels with the place as the record
//! gave it, a title, a subtitle (window, filters, incidents outside the frame, sources),
//! legends listing what is drawn, a scale bar, a north arrow and an inset locator.

mod placing;
mod styles;

use super::aggregates::is_aggregate;
use super::places::{self, DisplayMode, MapPoints, Place, place_label};
use super::{
    Align, Anchor, BasemapOptions, Extent, LabelStyle, LegendKey, MapCanvas, PageSize,
    ProvinceShape, Rgba, SymbolShape, basemap_background, basemap_borders, basemap_labels,
};
use crate::borders::locate::sub_line;
use crate::density::kde::Isoband;
use crate::density::{Analysis, BorderResult};
use crate::export::classes::{RateClasses, SEGMENT_NONE, density_color, segment_value};
use crate::geodata::GeoData;
use crate::model::{LocatedIncident, PrecisionClass};
use crate::projection::Projection;
use anyhow::{Result, bail};
use geo::LineString;
pub use placing::{PositionsOnce, project_incidents};
use placing::{point_incidents, stretched};
pub use styles::{event_style, event_style_index, style};

/// The casing of a segment the hotspot test flags (density::hotspot), on maps and profile.
pub(super) const HOTSPOT_CASING: Rgba = Rgba::rgb(25, 25, 25);

/// Everything a map draws from.
pub struct MapData<'a> {
    pub geo: &'a GeoData,
    pub provinces: &'a [ProvinceShape],
    pub located: &'a [LocatedIncident],
    pub analysis: &'a Analysis,
    /// The run's density isobands (drawn from the surface without aggregate rows, see
    /// [`super::aggregates::surface_analysis`]), lowest first.
    pub bands: &'a [Isoband],
    /// The borders the run compares: their maps share one display mode, and the segment
    /// classes are chosen on them.
    pub compared: Vec<String>,
    /// Subtitle: the date window, filters and corridor of the run.
    pub subtitle: String,
    /// The input files as the subtitle names them, put last so a long list is what gets cut
    /// when the line is too wide (empty: none named).
    pub inputs: String,
    /// Incident sources for the footer.
    pub sources: String,
    /// The compared maps' display mode, worked out once for all of the run's maps (on a
    /// million incidents, deciding it takes longer than drawing a map). `Default::default()`.
    pub mode: ModeOnce,
    /// Where each located incident falls in the region's projection, worked out once for
    /// all of the run's maps (see [`PositionsOnce`]). `Default::default()`.
    pub positions: PositionsOnce,
}

/// [`display_mode`] remembered with the page size it was worked out for.
#[derive(Debug, Default)]
pub struct ModeOnce(std::sync::OnceLock<(PageSize, Option<DisplayMode>)>);

/// Reach of a count circle, points: places closer than this to a busier one are counted in
/// its circle.
const COUNT_REACH_PT: f64 = 18.0;

pub(super) fn rgb(c: [u8; 3]) -> Rgba {
    Rgba::rgb(c[0], c[1], c[2])
}

pub(super) fn find<'a>(d: &MapData<'a>, border_id: &str) -> Option<&'a BorderResult> {
    d.analysis
        .borders
        .iter()
        .find(|r| r.border.id.eq_ignore_ascii_case(border_id))
}

/// The extent of a border's map.
pub(super) fn border_extent(b: &BorderResult) -> Option<Extent> {
    Extent::around_lines(&Projection::region(), [&b.border.line]).map(|e| e.padded(0.07))
}

/// The display mode of the compared maps, chosen on all of them together: counts per place
/// when, on any of them, more than [`places::CROWDED_SHARE`] of the symbols would lie under another
/// symbol; else symbols. `None` when no compared border was analysed.
pub fn display_mode(d: &MapData<'_>, page: PageSize) -> Option<DisplayMode> {
    let &(first_page, mode) = d.mode.0.get_or_init(|| (page, decide_mode(d, page)));
    if first_page == page {
        mode
    } else {
        decide_mode(d, page)
    }
}

/// [`display_mode`] worked out.
fn decide_mode(d: &MapData<'_>, page: PageSize) -> Option<DisplayMode> {
    // Incidents that do not project are in no map's frame.
    let (points, _) = point_incidents(d, |_, _| true);
    let extents: Vec<Extent> = d
        .compared
        .iter()
        .filter_map(|id| find(d, id))
        .filter_map(border_extent)
        .collect();
    if extents.is_empty() {
        return None;
    }
    let crowded = extents.into_iter().any(|e| {
        let map = MapCanvas::new(page, Projection::region(), e);
        places::crowded(&map, &points)
    });
    Some(if crowded {
        DisplayMode::Counts
    } else {
        DisplayMode::Symbols
    })
}

/// The map of one border.
pub fn border_map(d: &MapData<'_>, border_id: &str, page: PageSize) -> Result<String> {
    let Some(b) = find(d, border_id) else {
        bail!("border {border_id} was not analysed");
    };
    let Some(extent) = border_extent(b) else {
        bail!("border {border_id} does not project")
    };
    let title = format!("{}: incidents per 100 km per year", b.border.name);
    draw(d, extent, page, &title, &[b.border.id.as_str()])
}

/// The overview of all analysed borders.
pub fn overview_map(d: &MapData<'_>, page: PageSize) -> Result<String> {
    let proj = Projection::region();
    let lines: Vec<&LineString<f64>> = d.analysis.borders.iter().map(|b| &b.border.line).collect();
    let Some(extent) = Extent::around_lines(&proj, lines) else {
        bail!("no border to map")
    };
    let ids: Vec<&str> = d
        .analysis
        .borders
        .iter()
        .map(|b| b.border.id.as_str())
        .collect();
    draw(
        d,
        extent.padded(0.05),
        page,
        "Afghanistan's borders: incidents per 100 km per year",
        &ids,
    )
}

/// A count as a map prints it: whole numbers, thousands as "12k" from 10,000.
fn count_text(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else {
        format!("{:.0}", v)
    }
}

pub(super) fn lonlat_line(coords: &[(f64, f64)]) -> LineString<f64> {
    coords
        .iter()
        .map(|&(x, y)| geo::coord! {x: x, y: y})
        .collect()
}

fn draw(
    d: &MapData<'_>,
    extent: Extent,
    page: PageSize,
    title: &str,
    focus: &[&str],
) -> Result<String> {
    let proj = Projection::region();
    let inset = Extent::around_lines(&proj, d.geo.borders.iter().map(|b| &b.line))
        .unwrap_or(extent)
        .padded(0.35);
    let mut map = MapCanvas::new(page, proj.clone(), extent);
    let frame = map.extent();
    // The frame's test without borrowing the canvas (it is drawn on meanwhile).
    let in_frame = |lon: f64, lat: f64| {
        proj.forward(lon, lat)
            .is_some_and(|(x, y)| frame.contains(x, y))
    };
    let opts = BasemapOptions::default();
    basemap_background(&mut map, d.geo, &opts);
    if !d.sources.is_empty() {
        map.footer(&format!("Incidents: {}", d.sources));
    }

    // Density: the run's isobands, one class colour each.
    let n_bands = d.bands.len();
    for (i, b) in d.bands.iter().enumerate() {
        let c = density_color(i, n_bands);
        let fill = Rgba::new(c[0], c[1], c[2], (f64::from(c[3]) * 0.8).round() as u8);
        map.polygon(&b.shape, fill, Rgba::NONE, 0.0);
    }
    basemap_borders(&mut map, d.geo, d.provinces, &opts);

    let mut legend: Vec<(LegendKey, String)> = Vec::new();
    let mut outside = 0usize;

    // Aggregate rows: their stretch, dashed, with their count.
    let mut aggregate_colors: Vec<Rgba> = Vec::new();
    for l in stretched(d).filter(|l| is_aggregate(l)) {
        let Some(st) = &l.location.stretch else {
            continue;
        };
        let coords = find(d, &st.border_id)
            .map(|b| sub_line(&b.border, st.km_from, st.km_to))
            .unwrap_or_default();
        let visible: Vec<(f64, f64)> = coords
            .iter()
            .copied()
            .filter(|&(x, y)| in_frame(x, y))
            .collect();
        if visible.is_empty() {
            outside += 1;
            continue;
        }
        let (_, color, type_label) = event_style(l.record.event_type.as_deref());
        map.line(
            &lonlat_line(&coords),
            color.with_alpha(0.55),
            map.pt(12.0),
            Some((map.pt(7.0), map.pt(3.5))),
        );
        let (lon, lat) = visible[visible.len() / 2];
        let style = LabelStyle {
            size_pt: 8.0,
            bold: true,
            color: Rgba::rgb(60, 30, 20),
            anchor: Anchor::Auto,
            priority: 1000,
            offset_px: map.pt(8.0),
            ..LabelStyle::default()
        };
        let text = format!(
            "{} {type_label} events along this stretch (one row)",
            count_text(l.record.count)
        );
        map.label_styled(lon, lat, &text, &style);
        if !aggregate_colors.contains(&color) {
            aggregate_colors.push(color);
        }
    }

    // Single records known only along a stretch: the stretch, highlighted.
    let others = || stretched(d).filter(|l| !is_aggregate(l));
    let mut stretch_types: Vec<(SymbolShape, Rgba, &'static str)> = Vec::new();
    for l in others().filter(|l| l.location.stretch.is_some()) {
        let Some(st) = &l.location.stretch else {
            continue;
        };
        let coords = find(d, &st.border_id)
            .map(|b| sub_line(&b.border, st.km_from, st.km_to))
            .unwrap_or_default();
        if !coords.iter().any(|&(x, y)| in_frame(x, y)) {
            outside += 1;
            continue;
        }
        let style = event_style(l.record.event_type.as_deref());
        map.line(
            &lonlat_line(&coords),
            style.1.with_alpha(0.28),
            map.pt(11.0),
            None,
        );
        if !stretch_types.iter().any(|t| t.2 == style.2) {
            stretch_types.push(style);
        }
    }

    // Segments in the run's classes, over a white casing, above the stretches.
    let classes = RateClasses::for_run(d.analysis, &d.compared);
    let shown: Vec<&BorderResult> = d
        .analysis
        .borders
        .iter()
        .filter(|b| focus.contains(&b.border.id.as_str()))
        .collect();
    let w = map.pt(4.2);
    let mut any_none = false;
    let mut any_hotspot = false;
    for b in &shown {
        for s in &b.segments {
            let line = lonlat_line(&s.unit.coords);
            let v = segment_value(&s.rates);
            any_none |= classes.class_of(v).is_none();
            // A significant hotspot (q ≤ 0.05) gets a black casing instead of the white one.
            if s.is_hotspot() {
                any_hotspot = true;
                map.line(&line, HOTSPOT_CASING, w + map.pt(3.0), None);
            } else {
                map.line(&line, Rgba::WHITE, w + map.pt(1.4), None);
            }
            map.line(&line, rgb(classes.color_of(v)), w, None);
        }
    }

    // Point incidents in the frame.
    let (points, point_rows) = point_incidents(d, |x, y| frame.contains(x, y));
    outside += point_rows - points.len();

    let compared_map =
        focus.len() == 1 && d.compared.iter().any(|c| c.eq_ignore_ascii_case(focus[0]));
    let run_mode = display_mode(d, page);
    let mode = match run_mode {
        Some(DisplayMode::Counts) => DisplayMode::Counts,
        Some(DisplayMode::Symbols) if compared_map => DisplayMode::Symbols,
        _ if places::crowded(&map, &points) => DisplayMode::Counts,
        _ => DisplayMode::Symbols,
    };
    let mut types_drawn: Vec<(SymbolShape, Rgba, &'static str)> = Vec::new();
    let mut sizes: Vec<(f64, String)> = Vec::new();
    let mut size_title = String::new();
    let mut stacked = false;
    let mut rings_drawn = false;
    let mut hollow_drawn = false;
    match mode {
        DisplayMode::Symbols => {
            let places = places::places(&map, &points, mode, 0.0);
            // Uncertainty rings; the more there are, the fainter each.
            let has_ring = |l: &&LocatedIncident| {
                l.location.precision > PrecisionClass::Exact && l.location.radius_km > 1.5
            };
            let rings = points.iter().filter(|l| has_ring(l)).count();
            let faint = (50.0 / rings.max(1) as f64).sqrt().clamp(0.25, 1.0);
            for l in points.iter().filter(|l| has_ring(l)) {
                let loc = &l.location;
                let (_, color, _) = event_style(l.record.event_type.as_deref());
                map.circle_km(
                    loc.lon,
                    loc.lat,
                    loc.radius_km,
                    color.with_alpha(0.75 * faint),
                    color.with_alpha(0.08 * faint),
                );
                rings_drawn = true;
            }
            // Symbols, largest first so small ones stay on top.
            let mut order: Vec<&LocatedIncident> = points.iter().collect();
            order.sort_by(|a, b| {
                b.record
                    .fatalities
                    .unwrap_or(0.0)
                    .total_cmp(&a.record.fatalities.unwrap_or(0.0))
            });
            for l in &order {
                let style @ (shape, color, label) = event_style(l.record.event_type.as_deref());
                if !types_drawn.iter().any(|t| t.2 == label) {
                    types_drawn.push(style);
                }
                let size = map.pt(places::symbol_size_pt(l.record.fatalities));
                let imprecise = l.location.precision > PrecisionClass::Near;
                hollow_drawn |= imprecise;
                let (fill, stroke) = if imprecise {
                    (Rgba::WHITE, color)
                } else {
                    (color, Rgba::WHITE)
                };
                map.symbol(l.location.lon, l.location.lat, shape, size, fill, stroke);
            }
            // Where symbols sit on one another: how many incidents the place holds.
            for p in places.iter().filter(|p| p.members.len() > 1) {
                let r = p
                    .members
                    .iter()
                    .map(|&m| map.pt(places::symbol_size(points.weight(m).deaths)))
                    .fold(0.0, f64::max)
                    / 2.0;
                let text = format!("×{}", count_text(p.events));
                let x = p.x + r * 0.8;
                let y = p.y - r * 0.8 - map.pt(7.0 * 0.73);
                map.text_px(x, y, &text, 7.0, true, Rgba::rgb(30, 30, 30), Align::Start);
                // Labels keep off the badge.
                let w = super::fonts::text_width(&text, map.pt(7.0), true, 0.0);
                map.add_obstacle(super::Box2::new(x, y, x + w, y + map.pt(7.0)));
                stacked = true;
            }
            label_places(&mut map, &places, &points);
            // Size key: deaths.
            let max_f = points
                .iter()
                .filter_map(|l| l.record.fatalities)
                .fold(0.0, f64::max);
            if !points.is_empty() {
                sizes.push((
                    map.pt(places::symbol_size_pt(None)),
                    "0 or unknown".to_string(),
                ));
                for v in [1.0, 10.0, 100.0] {
                    if v <= max_f {
                        sizes.push((map.pt(places::symbol_size_pt(Some(v))), count_text(v)));
                    }
                }
                size_title = "symbol size: deaths".into();
            }
        }
        DisplayMode::Counts => {
            let mut places = places::places(&map, &points, mode, COUNT_REACH_PT);
            places.sort_by(|a, b| b.events.total_cmp(&a.events));
            for p in &places {
                // The place's most frequent type gives its colour.
                // (Each style is its own label: tallied by number.)
                let mut tally: Vec<(u8, f64)> = Vec::new();
                for &m in &p.members {
                    let st = points.style(m);
                    let w = points.weight(m).events;
                    match tally.iter_mut().find(|t| t.0 == st) {
                        Some(t) => t.1 += w,
                        None => tally.push((st, w)),
                    }
                }
                let Some(&(style_index, _)) =
                    tally.iter().reduce(|a, b| if b.1 > a.1 { b } else { a })
                else {
                    continue;
                };
                let style = style(style_index);
                if !types_drawn.iter().any(|t| t.2 == style.2) {
                    types_drawn.push(style);
                }
                let dia = map.pt(places::count_size_pt(p.events));
                map.symbol(
                    p.lon,
                    p.lat,
                    SymbolShape::Circle,
                    dia,
                    style.1.with_alpha(0.88),
                    Rgba::WHITE,
                );
                let text = count_text(p.events);
                let chars = text.chars().count() as f64;
                let size_pt =
                    (places::count_size_pt(p.events) * 0.8 / (0.62 * chars)).clamp(4.5, 8.5);
                let cap = map.pt(size_pt) * 0.73;
                map.text_px(
                    p.x,
                    p.y - cap / 2.0,
                    &text,
                    size_pt,
                    true,
                    Rgba::WHITE,
                    Align::Middle,
                );
            }
            label_places(&mut map, &places, &points);
            let max_e = places.iter().map(|p| p.events).fold(0.0, f64::max);
            for v in [1.0, 10.0, 100.0, 1000.0, 10_000.0] {
                if v <= max_e.max(1.0) {
                    sizes.push((map.pt(places::count_size_pt(v)), count_text(v)));
                }
            }
            if !places.is_empty() {
                size_title = "incidents per place".into();
            }
        }
    }

    // Legend entries: only what is drawn.
    for (shape, color, label) in &types_drawn {
        let (fill, stroke) = (*color, Rgba::WHITE);
        let text = if mode == DisplayMode::Counts {
            format!("mostly {label}")
        } else {
            label.to_string()
        };
        legend.push((
            LegendKey::Symbol {
                shape: if mode == DisplayMode::Counts {
                    SymbolShape::Circle
                } else {
                    *shape
                },
                size_px: map.pt(6.0),
                fill,
                stroke,
            },
            text,
        ));
    }
    if hollow_drawn {
        let c = Rgba::rgb(110, 110, 110);
        legend.push((
            LegendKey::Symbol {
                shape: SymbolShape::Circle,
                size_px: map.pt(6.0),
                fill: Rgba::WHITE,
                stroke: c,
            },
            "hollow: place known to a district or less".into(),
        ));
    }
    if rings_drawn {
        legend.push((
            LegendKey::Ring {
                stroke: Rgba::rgb(110, 110, 110),
                fill: Rgba::rgb(110, 110, 110).with_alpha(0.08),
            },
            "uncertainty radius".into(),
        ));
    }
    if stacked {
        legend.push((
            LegendKey::Symbol {
                shape: SymbolShape::Circle,
                size_px: 0.0,
                fill: Rgba::NONE,
                stroke: Rgba::NONE,
            },
            "×N: N incidents at one place".into(),
        ));
    }
    if any_hotspot {
        legend.push((
            LegendKey::Line {
                color: HOTSPOT_CASING,
                width_px: map.pt(7.2),
                dash: None,
            },
            "black casing: hotspot segment (q ≤ 0.05)".into(),
        ));
    }
    for (_, color, label) in &stretch_types {
        legend.push((
            LegendKey::Line {
                color: color.with_alpha(0.3),
                width_px: map.pt(6.0),
                dash: None,
            },
            format!("{label} (along a stretch)"),
        ));
    }
    for color in &aggregate_colors {
        legend.push((
            LegendKey::Line {
                color: color.with_alpha(0.5),
                width_px: map.pt(5.0),
                dash: Some((map.pt(5.0), map.pt(2.5))),
            },
            "aggregate row along a stretch".into(),
        ));
    }
    if any_none {
        legend.push((
            LegendKey::Line {
                color: rgb(SEGMENT_NONE),
                width_px: map.pt(4.0),
                dash: None,
            },
            "segment without incidents".into(),
        ));
    }
    basemap_labels(&mut map, d.geo, d.provinces, &opts);

    map.title(title);
    // Most important first: the line is cut at its end when it is too wide.
    let mut notes: Vec<String> = Vec::new();
    if mode == DisplayMode::Counts {
        let n: f64 = points.weights().map(|w| w.events).sum();
        notes.push(format!(
            "{} incidents in view drawn as counts per place",
            count_text(n)
        ));
    }
    if outside > 0 {
        notes.push(format!(
            "{outside} counted incident{} outside this map",
            if outside == 1 { "" } else { "s" }
        ));
    }
    notes.push(d.subtitle.clone());
    let mut subtitle = notes.join("; ");
    if !d.inputs.is_empty() {
        subtitle.push_str(&format!("; from {}", d.inputs));
    }
    map.subtitle(&subtitle);
    if n_bands > 0 {
        let colors: Vec<Rgba> = (0..n_bands)
            .map(|i| {
                let c = density_color(i, n_bands);
                Rgba::new(c[0], c[1], c[2], (f64::from(c[3]) * 0.8).round() as u8)
            })
            .collect();
        let mut bounds: Vec<f64> = vec![d.bands[0].lo];
        bounds.extend(d.bands.iter().map(|b| b.hi));
        map.legend_classes(&colors, &bounds, "density, per 1,000 km² per year");
    }
    if !classes.is_empty() {
        let colors: Vec<Rgba> = classes.colors().into_iter().map(rgb).collect();
        let unit = if d.analysis.years.is_some() {
            "segments, per 100 km per year"
        } else {
            "segments, per 100 km"
        };
        map.legend_classes(&colors, &classes.bounds, unit);
    }
    if !sizes.is_empty() {
        let grey = Rgba::rgb(150, 150, 150);
        map.legend_sizes(
            &sizes,
            grey.with_alpha(0.5),
            Rgba::rgb(90, 90, 90),
            &size_title,
        );
    }
    let items: Vec<(LegendKey, &str)> = legend.iter().map(|(k, s)| (*k, s.as_str())).collect();
    map.legend_items(&items);
    map.scale_bar_km();
    map.north_arrow();
    map.inset_locator(&d.geo.countries, inset);
    map.place_labels();
    Ok(map.finish())
}

/// Labels for the places drawn, busiest (or deadliest) first: the place as the record gave
/// it, with the gazetteer's name where that differs.
fn label_places(map: &mut MapCanvas, places: &[Place], points: &MapPoints<'_>) {
    // Each place's weight once (summed in the comparison, a crowded place's members were
    // added up again at every step of the sort).
    let mut order: Vec<(f64, &Place)> = places.iter().map(|p| (p.events + p.deaths, p)).collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut labelled: Vec<String> = Vec::new();
    for (i, (_, p)) in order.iter().enumerate().take(60) {
        // The first member that names a place, found by its flag (its record is read only
        // to make the label).
        let named = p.members.iter().find(|&&m| points.names_a_place(m));
        let Some(name) = named.and_then(|&m| place_label(&points[m])) else {
            continue;
        };
        if labelled.contains(&name) {
            continue;
        }
        labelled.push(name.clone());
        let style = LabelStyle {
            size_pt: 7.5,
            bold: true,
            color: Rgba::rgb(70, 20, 25),
            anchor: Anchor::Auto,
            priority: 100 - i as i32,
            offset_px: map.pt(7.0),
            ..LabelStyle::default()
        };
        map.label_styled(p.lon, p.lat, &name, &style);
    }
}
