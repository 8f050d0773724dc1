//! Report maps: one per border and an overview of all of Afghanistan's borders, in the
//! region's equal-area projection. On each: the base map, the kernel density surface as one
//! translucent image, border segments coloured by incidents per 100 km per year, incidents as
//! symbols by event type sized by fatalities with their uncertainty visible (a ring of the
//! uncertainty radius; a highlighted stretch for a border-zone location), labels for the places
//! involved, a title, a subtitle with the window, filters and sources, legends, a scale bar, a
//! north arrow and an inset locator.
//!
//! Dense inputs are drawn as density only: past [`MAX_SYMBOLS`] incidents in view the symbols
//! would hide each other and bloat the file, so the map says so in its subtitle instead.

use super::{
    Anchor, BasemapOptions, Extent, LabelStyle, LegendKey, MapCanvas, PageSize, ProvinceShape,
    RasterImage, Rgba, SymbolShape, basemap_background, basemap_borders, basemap_labels,
};
use crate::borders::locate::sub_line;
use crate::density::Analysis;
use crate::density::kde::Surface;
use crate::geodata::GeoData;
use crate::model::{LocatedIncident, PrecisionClass};
use crate::projection::Projection;
use anyhow::{Result, bail};
use geo::LineString;

/// Above this many incidents in view, symbols give way to the density surface alone.
pub const MAX_SYMBOLS: usize = 3000;

/// Everything a map draws from.
pub struct MapData<'a> {
    pub geo: &'a GeoData,
    pub provinces: &'a [ProvinceShape],
    pub located: &'a [LocatedIncident],
    pub analysis: &'a Analysis,
    pub surface: Option<&'a Surface>,
    /// Subtitle: the date window, filters and corridor of the run.
    pub subtitle: String,
    /// The input files as the subtitle names them, put last so a long list is what gets cut
    /// when the line is too wide (empty: none named).
    pub inputs: String,
    /// Incident sources for the footer.
    pub sources: String,
}

/// Colour ramp of the segments (low → high).
const SEGMENT_RAMP: [Rgba; 5] = [
    Rgba::rgb(255, 230, 150),
    Rgba::rgb(253, 174, 97),
    Rgba::rgb(244, 109, 67),
    Rgba::rgb(215, 48, 39),
    Rgba::rgb(140, 20, 40),
];
const SEGMENT_NONE: Rgba = Rgba::rgb(205, 205, 205);

/// Symbol and colour of an event type (canonical names from the native vocabulary).
pub fn event_style(event_type: Option<&str>) -> (SymbolShape, Rgba, &'static str) {
    let t = event_type
        .map(crate::gazetteer::normalize::event_type_key)
        .unwrap_or_default();
    match t.as_str() {
        "drone_strike" => (
            SymbolShape::Diamond,
            Rgba::rgb(126, 47, 142),
            "drone strike",
        ),
        "airstrike" => (SymbolShape::Diamond, Rgba::rgb(60, 80, 170), "airstrike"),
        "armed_incursion" => (
            SymbolShape::Triangle,
            Rgba::rgb(200, 30, 45),
            "armed incursion",
        ),
        "armed_clash" => (SymbolShape::Circle, Rgba::rgb(215, 95, 20), "armed clash"),
        "cross_border_fire" | "shelling" => (
            SymbolShape::Triangle,
            Rgba::rgb(230, 140, 20),
            "cross-border fire, shelling",
        ),
        "bombing" | "suicide_bombing" => (SymbolShape::Square, Rgba::rgb(30, 30, 30), "bombing"),
        "border_closure" => (
            SymbolShape::Cross,
            Rgba::rgb(80, 110, 120),
            "border closure",
        ),
        // UCDP GED's three types of violence.
        "state_based_violence" => (
            SymbolShape::Circle,
            Rgba::rgb(31, 120, 180),
            "state-based violence (UCDP)",
        ),
        "non_state_violence" => (
            SymbolShape::Circle,
            Rgba::rgb(51, 150, 44),
            "non-state violence (UCDP)",
        ),
        "one_sided_violence" => (
            SymbolShape::Square,
            Rgba::rgb(200, 40, 130),
            "one-sided violence (UCDP)",
        ),
        _ => (SymbolShape::Circle, Rgba::rgb(110, 110, 110), "other"),
    }
}

fn ramp(v: f64, max: f64) -> Rgba {
    if v <= 0.0 || max <= 0.0 {
        return SEGMENT_NONE;
    }
    let t = (v / max).clamp(0.0, 1.0);
    let i = ((t * SEGMENT_RAMP.len() as f64).ceil() as usize).clamp(1, SEGMENT_RAMP.len()) - 1;
    SEGMENT_RAMP[i]
}

/// The density surface as one translucent image (row 0 north), over its projected extent.
fn density_image(s: &Surface) -> (RasterImage, Extent) {
    let max = s.max();
    let mut img = RasterImage::new(s.cols as u32, s.rows as u32);
    if max > 0.0 {
        for r in 0..s.rows {
            for c in 0..s.cols {
                let v = s.values[r * s.cols + c] / max;
                if v < 0.02 {
                    continue;
                }
                // Cube root: the hills of a few events stay visible beside the peak.
                let t = v.cbrt();
                let col = Rgba::new(
                    (255.0 - 40.0 * t) as u8,
                    (235.0 - 190.0 * t) as u8,
                    (160.0 - 120.0 * t) as u8,
                    (40.0 + 150.0 * t) as u8,
                );
                img.put(c as u32, (s.rows - 1 - r) as u32, col);
            }
        }
    }
    let extent = Extent::new(
        s.x0,
        s.y0,
        s.x0 + s.cell_km * s.cols as f64,
        s.y0 + s.cell_km * s.rows as f64,
    );
    (img, extent)
}

/// The map of one border.
pub fn border_map(d: &MapData<'_>, border_id: &str, page: PageSize) -> Result<String> {
    let Some(b) = d
        .analysis
        .borders
        .iter()
        .find(|r| r.border.id.eq_ignore_ascii_case(border_id))
    else {
        bail!("border {border_id} was not analysed");
    };
    let proj = Projection::region();
    let Some(extent) = Extent::around_lines(&proj, [&b.border.line]) else {
        bail!("border {border_id} does not project")
    };
    let title = format!("{}: incidents per 100 km per year", b.border.name);
    draw(
        d,
        extent.padded(0.07),
        page,
        &title,
        &[b.border.id.as_str()],
    )
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
    let mut map = MapCanvas::new(page, proj, extent);
    let opts = BasemapOptions::default();
    basemap_background(&mut map, d.geo, &opts);
    if !d.sources.is_empty() {
        map.footer(&format!("Incidents: {}", d.sources));
    }
    if let Some(s) = d.surface {
        let (img, ext) = density_image(s);
        map.raster(&img, ext)?;
    }
    basemap_borders(&mut map, d.geo, d.provinces, &opts);

    // Segments, coloured by rate, over a white casing.
    let shown: Vec<_> = d
        .analysis
        .borders
        .iter()
        .filter(|b| focus.contains(&b.border.id.as_str()))
        .collect();
    let max_rate = shown
        .iter()
        .flat_map(|b| &b.segments)
        .filter_map(|s| s.rates.per_100km_per_year)
        .fold(0.0, f64::max);
    let w = map.pt(4.2);
    for b in &shown {
        for s in &b.segments {
            let line: LineString<f64> = s
                .unit
                .coords
                .iter()
                .map(|&(x, y)| geo::coord! {x: x, y: y})
                .collect();
            map.line(&line, Rgba::WHITE, w + map.pt(1.4), None);
            map.line(
                &line,
                ramp(s.rates.per_100km_per_year.unwrap_or(0.0), max_rate),
                w,
                None,
            );
        }
    }

    // Incidents in view.
    let frame = extent;
    let proj = map.projection().clone();
    let in_view: Vec<&LocatedIncident> = d
        .located
        .iter()
        .zip(&d.analysis.placements)
        // What the analysis counted: not statistics, repeated events or records the filters
        // and the window left out.
        .filter(|(_, p)| p.excluded.is_none())
        .map(|(l, _)| l)
        .filter(|l| {
            proj.forward(l.location.lon, l.location.lat)
                .is_some_and(|(x, y)| {
                    x >= frame.xmin && x <= frame.xmax && y >= frame.ymin && y <= frame.ymax
                })
        })
        .collect();
    let draw_symbols = in_view.len() <= MAX_SYMBOLS;
    let mut legend: Vec<(LegendKey, String)> = Vec::new();
    if draw_symbols {
        // Stretches of border-zone locations, highlighted.
        for l in &in_view {
            if let Some(st) = &l.location.stretch
                && let Some(b) = d
                    .analysis
                    .borders
                    .iter()
                    .find(|b| b.border.id == st.border_id)
            {
                let coords = sub_line(&b.border, st.km_from, st.km_to);
                let line: LineString<f64> = coords
                    .iter()
                    .map(|&(x, y)| geo::coord! {x: x, y: y})
                    .collect();
                let (_, color, _) = event_style(l.record.event_type.as_deref());
                map.line(&line, color.with_alpha(0.28), map.pt(11.0), None);
            }
        }
        // Uncertainty rings, then symbols (largest first so small ones stay on top). The more
        // rings, the fainter each, so a crowd of them reads as a shade, not a black mass.
        let has_ring = |l: &&&LocatedIncident| {
            let loc = &l.location;
            loc.stretch.is_none() && loc.precision > PrecisionClass::Exact && loc.radius_km > 1.5
        };
        let rings = in_view.iter().filter(has_ring).count();
        let faint = (50.0 / rings.max(1) as f64).sqrt().clamp(0.25, 1.0);
        for l in in_view.iter().filter(has_ring) {
            let loc = &l.location;
            let (_, color, _) = event_style(l.record.event_type.as_deref());
            map.circle_km(
                loc.lon,
                loc.lat,
                loc.radius_km,
                color.with_alpha(0.75 * faint),
                color.with_alpha(0.08 * faint),
            );
        }
        let mut order: Vec<&&LocatedIncident> = in_view.iter().collect();
        order.sort_by(|a, b| {
            b.record
                .fatalities
                .unwrap_or(0.0)
                .total_cmp(&a.record.fatalities.unwrap_or(0.0))
        });
        let mut seen_types: Vec<&'static str> = Vec::new();
        for l in order {
            let (shape, color, label) = event_style(l.record.event_type.as_deref());
            if !seen_types.contains(&label) {
                seen_types.push(label);
                legend.push((
                    LegendKey::Symbol {
                        shape,
                        size_px: map.pt(6.0),
                        fill: color,
                        stroke: Rgba::WHITE,
                    },
                    label.to_string(),
                ));
            }
            // A border-zone location is its highlighted stretch, not a point.
            if l.location.stretch.is_some() {
                continue;
            }
            let size = map.pt(5.0 + 1.6 * l.record.fatalities.unwrap_or(0.0).min(100.0).sqrt());
            let imprecise = l.location.precision > PrecisionClass::Near;
            let (fill, stroke) = if imprecise {
                (Rgba::WHITE, color)
            } else {
                (color, Rgba::WHITE)
            };
            map.symbol(l.location.lon, l.location.lat, shape, size, fill, stroke);
        }
        // Labels for the places involved, most deadly first.
        let mut named: Vec<(f64, &LocatedIncident)> = in_view
            .iter()
            .filter(|l| l.location.stretch.is_none())
            .map(|l| (l.record.fatalities.unwrap_or(0.0), *l))
            .collect();
        named.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut labelled: Vec<String> = Vec::new();
        for (i, (_, l)) in named.iter().enumerate().take(60) {
            let name = l
                .location
                .gazetteer_name
                .clone()
                .or_else(|| l.record.location.as_deref().map(str::to_string))
                .unwrap_or_default();
            if name.is_empty() || labelled.contains(&name) {
                continue;
            }
            labelled.push(name.clone());
            let style = LabelStyle {
                size_pt: 7.5,
                bold: true,
                color: Rgba::rgb(70, 20, 25),
                anchor: Anchor::Auto,
                priority: 100 - i as i32,
                offset_px: map.pt(6.0),
                ..LabelStyle::default()
            };
            map.label_styled(l.location.lon, l.location.lat, &name, &style);
        }
        if in_view
            .iter()
            .any(|l| l.location.precision > PrecisionClass::Near && l.location.stretch.is_none())
        {
            legend.push((
                LegendKey::Ring {
                    stroke: Rgba::rgb(110, 110, 110),
                    fill: Rgba::rgb(110, 110, 110).with_alpha(0.08),
                },
                "uncertainty radius (hollow: imprecise)".into(),
            ));
        }
        if in_view.iter().any(|l| l.location.stretch.is_some()) {
            legend.push((
                LegendKey::Line {
                    color: Rgba::rgb(215, 95, 20).with_alpha(0.3),
                    width_px: map.pt(6.0),
                    dash: None,
                },
                "reported only along a border stretch".into(),
            ));
        }
    }
    legend.push((
        LegendKey::Line {
            color: SEGMENT_NONE,
            width_px: map.pt(4.0),
            dash: None,
        },
        "segment without incidents".into(),
    ));
    basemap_labels(&mut map, d.geo, d.provinces, &opts);

    map.title(title);
    // Most important first: the line is cut at its end when it is too wide.
    let mut subtitle = if draw_symbols {
        d.subtitle.clone()
    } else {
        format!(
            "{} incidents in view, drawn as density only; {}",
            in_view.len(),
            d.subtitle
        )
    };
    if !d.inputs.is_empty() {
        subtitle.push_str(&format!("; from {}", d.inputs));
    }
    map.subtitle(&subtitle);
    if let Some(s) = d.surface
        && s.max() > 0.0
    {
        let ramp_colors: Vec<Rgba> = (0..6)
            .map(|i| {
                let t = (i as f64 / 5.0).cbrt();
                Rgba::new(
                    (255.0 - 40.0 * t) as u8,
                    (235.0 - 190.0 * t) as u8,
                    (160.0 - 120.0 * t) as u8,
                    (40.0 + 150.0 * t) as u8,
                )
            })
            .collect();
        map.legend_ramp(
            &ramp_colors,
            0.0,
            s.max(),
            "density, per 1,000 km² per year",
        );
    }
    if max_rate > 0.0 {
        map.legend_ramp(
            &SEGMENT_RAMP,
            0.0,
            max_rate,
            "segments, per 100 km per year",
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
