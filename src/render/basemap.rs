//! The base map under every incident map: countries in muted tones (the focus country,
//! Afghanistan, a little lighter), province outlines, country and province names, and the
//! Afghan borders drawn bold over everything.

use super::canvas::{Anchor, LabelStyle, MapCanvas, Rgba};
use crate::geodata::{ATTRIBUTION, GeoData};
use anyhow::{Context, Result};

pub use crate::geodata::{ProvinceShape, provinces_from_geojson};

/// The shipped province outlines (compiled into the binary).
pub fn embedded_provinces() -> Result<Vec<ProvinceShape>> {
    crate::geodata::shipped_provinces().context("geodata/provinces.geojson (embedded)")
}

/// What the base map shows and how.
#[derive(Debug, Clone, PartialEq)]
pub struct BasemapOptions {
    /// The country drawn lighter than its neighbours, whose borders are drawn bold.
    pub focus_country: String,
    pub country_labels: bool,
    pub province_labels: bool,
    /// Countries whose provinces are named (all when empty).
    pub province_label_countries: Vec<String>,
    /// Colour and width (points) of the focus country's borders.
    pub border_color: Rgba,
    pub border_width_pt: f64,
    /// Puts the data attribution and the projection in the page footer.
    pub attribution: bool,
}

impl Default for BasemapOptions {
    fn default() -> BasemapOptions {
        BasemapOptions {
            focus_country: "AF".to_string(),
            country_labels: true,
            province_labels: true,
            province_label_countries: vec!["AF".into(), "TJ".into(), "PK".into()],
            border_color: BORDER_COLOR,
            border_width_pt: 1.8,
            attribution: true,
        }
    }
}

/// The colour of the Afghan borders.
pub const BORDER_COLOR: Rgba = Rgba::rgb(58, 58, 64);
/// Where no country is drawn.
pub const NO_DATA: Rgba = Rgba::rgb(228, 233, 237);
/// Neighbouring countries.
pub const LAND: Rgba = Rgba::rgb(234, 231, 223);
/// The focus country.
pub const FOCUS_LAND: Rgba = Rgba::rgb(249, 247, 241);
/// Province outlines.
pub const PROVINCE_LINE: Rgba = Rgba::rgb(196, 190, 178);
/// District outlines: fainter and thinner than the provinces', present but quiet.
pub const DISTRICT_LINE: Rgba = Rgba::rgb(218, 213, 203);
/// Country outlines.
pub const COUNTRY_LINE: Rgba = Rgba::rgb(140, 140, 140);

/// Draws the base map: the map frame's background, country fills, province outlines,
/// country outlines, the focus country's borders from `geo.borders` (bold, over a white
/// casing), and queues country and province names (placed when the canvas is finished, so
/// later symbols keep names off them). Layers drawn afterwards go over the borders; to put a
/// density raster under the outlines, call the three parts yourself and draw it between
/// [`basemap_background`] and [`basemap_borders`].
pub fn basemap(
    canvas: &mut MapCanvas,
    geo: &GeoData,
    provinces: &[ProvinceShape],
    opts: &BasemapOptions,
) {
    basemap_background(canvas, geo, opts);
    basemap_borders(canvas, geo, provinces, opts);
    basemap_labels(canvas, geo, provinces, opts);
}

/// The lower half of [`basemap`]: the frame's background and the country fills (and the
/// attribution in the footer).
pub fn basemap_background(canvas: &mut MapCanvas, geo: &GeoData, opts: &BasemapOptions) {
    canvas.fill_map(NO_DATA);
    for c in &geo.countries {
        let fill = if c.code == opts.focus_country {
            FOCUS_LAND
        } else {
            LAND
        };
        canvas.polygon_kept(&c.shape, &c.plane, fill, Rgba::NONE, 0.0);
    }
    if opts.attribution {
        canvas.footer(ATTRIBUTION);
        canvas.footer(
            "Projection: Albers equal-area conic (standard parallels 29° N and 39° N, centre 34° N 68° E), WGS 84; areas are true, so densities are comparable across the map.",
        );
    }
}

/// The upper half of [`basemap`]: district, province and country outlines, then the focus
/// country's borders, bold.
pub fn basemap_borders(
    canvas: &mut MapCanvas,
    geo: &GeoData,
    provinces: &[ProvinceShape],
    opts: &BasemapOptions,
) {
    let w = canvas.pt(0.25);
    for d in &geo.districts {
        canvas.polygon_kept(&d.shape, &d.plane, Rgba::NONE, DISTRICT_LINE, w);
    }
    let w = canvas.pt(0.4);
    for p in provinces {
        canvas.polygon_kept(&p.shape, &p.plane, Rgba::NONE, PROVINCE_LINE, w);
    }
    let w = canvas.pt(0.7);
    for c in &geo.countries {
        canvas.polygon_kept(&c.shape, &c.plane, Rgba::NONE, COUNTRY_LINE, w);
    }
    let w = canvas.pt(opts.border_width_pt);
    let focus = Some(opts.focus_country.as_str());
    let mine: Vec<_> = geo
        .borders
        .iter()
        .filter(|b| b.country_a.as_deref() == focus || b.country_b.as_deref() == focus)
        .collect();
    for b in &mine {
        canvas.line(&b.line, Rgba::WHITE.with_alpha(0.9), w * 1.9, None);
    }
    for b in &mine {
        canvas.line(&b.line, opts.border_color, w, None);
    }
}

/// Queues the country and province names.
pub fn basemap_labels(
    canvas: &mut MapCanvas,
    geo: &GeoData,
    provinces: &[ProvinceShape],
    opts: &BasemapOptions,
) {
    if opts.country_labels {
        for c in &geo.countries {
            let hint = geo
                .gazetteer
                .unit(&format!("country:{}", c.code))
                .map(|e| (e.lon, e.lat));
            let Some(((x, y), depth)) = canvas.label_point_px_kept(&c.shape, &c.plane, hint) else {
                continue;
            };
            let focus = c.code == opts.focus_country;
            let style = LabelStyle {
                size_pt: if focus { 11.0 } else { 10.0 },
                bold: true,
                color: if focus {
                    Rgba::rgb(95, 90, 80)
                } else {
                    Rgba::rgb(125, 122, 115)
                },
                halo: Some(Rgba::WHITE.with_alpha(0.6)),
                anchor: Anchor::Center,
                priority: 30,
                letter_spacing_em: 0.18,
                offset_px: 0.0,
            };
            // A name needs room: at least its own height inside the visible part.
            if depth < canvas.pt(style.size_pt) * 0.8 {
                continue;
            }
            canvas.label_px(x, y, &c.name.to_uppercase(), &style);
        }
    }
    if opts.province_labels {
        for p in provinces {
            let wanted = opts.province_label_countries.is_empty()
                || opts.province_label_countries.contains(&p.country);
            if !wanted || p.name.is_empty() {
                continue;
            }
            let hint = geo
                .gazetteer
                .unit(&format!("province:{}", p.id))
                .map(|e| (e.lon, e.lat));
            let Some(((x, y), depth)) = canvas.label_point_px_kept(&p.shape, &p.plane, hint) else {
                continue;
            };
            let style = LabelStyle {
                size_pt: 7.0,
                bold: false,
                color: Rgba::rgb(120, 112, 98),
                halo: Some(Rgba::WHITE.with_alpha(0.7)),
                anchor: Anchor::Center,
                priority: if p.country == opts.focus_country {
                    12
                } else {
                    10
                },
                letter_spacing_em: 0.0,
                offset_px: 0.0,
            };
            if depth < canvas.pt(style.size_pt) * 0.9 {
                continue;
            }
            canvas.label_px(x, y, &p.name, &style);
        }
    }
}
