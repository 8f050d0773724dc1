//! The map's data, as the page's script reads it: the basemap (countries, provinces,
//! districts, simplified and rounded so the file stays small), the border lines, the
//! segments coloured in the run's classes, the event types with the maps' colours and
//! shapes, and the incidents as columns (one array per field, repeated text in one table of
//! strings), which keeps 100,000 incidents to a few megabytes.

use super::folder::{
    AreaProps, BorderProps, Feature, Folder, Geometry, IncidentProps, Layer, SegmentProps,
};
use crate::borders::Border;
use crate::borders::locate::sub_line;
use crate::export::classes::{RateClasses, SEGMENT_NONE, class_value};
use crate::model::Date;
use crate::render::maps::event_style;
use crate::render::{Rgba, SymbolShape};
use anyhow::Result;
use geo::{LineString, Simplify};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Outlines are simplified by Douglas–Peucker at this tolerance, degrees (about 200 m: below
/// a pixel at the zooms a country-wide map is read at).
const AREA_TOLERANCE: f64 = 0.002;
/// Border lines and segments keep more detail (about 50 m), as incidents sit on them.
const LINE_TOLERANCE: f64 = 0.0005;

/// Everything the map draws.
#[derive(Serialize)]
pub struct MapData {
    pub attribution_short: String,
    pub basemap: Basemap,
    pub borders: Vec<BorderLine>,
    pub segments: Vec<SegmentLine>,
    pub classes: ClassKey,
    pub types: Vec<TypeStyle>,
    /// The SVG path (in a 14 × 14 box) of each symbol shape, by name.
    pub shapes: BTreeMap<&'static str, &'static str>,
    pub incidents: Incidents,
    pub stretches: Vec<Vec<[f64; 2]>>,
    pub strings: Vec<String>,
    pub day_min: Option<i64>,
    pub day_max: Option<i64>,
}

#[derive(Serialize)]
pub struct Basemap {
    pub countries: Vec<Area>,
    pub provinces: Vec<Area>,
    pub districts: Vec<Area>,
    pub land: String,
    pub focus_land: String,
    pub country_line: String,
    pub province_line: String,
    pub district_line: String,
    pub border_line: String,
}

/// An area: its name and rings as `[lat, lon]` (Leaflet's order).
#[derive(Serialize)]
pub struct Area {
    pub name: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub focus: bool,
    pub rings: Vec<Vec<[f64; 2]>>,
}

#[derive(Serialize)]
pub struct BorderLine {
    pub id: String,
    pub name: String,
    pub line: Vec<[f64; 2]>,
}

/// A segment as the map draws it, its popup's figures already written out.
#[derive(Serialize)]
pub struct SegmentLine {
    pub id: String,
    pub km: String,
    pub provinces: String,
    pub events: String,
    pub rate: String,
    pub ci: String,
    pub hotspot: bool,
    pub q: String,
    pub color: String,
    pub line: Vec<[f64; 2]>,
}

/// The run's classes for the legend.
#[derive(Serialize)]
pub struct ClassKey {
    pub unit: String,
    /// `none`, then each class's colour and range, low to high.
    pub entries: Vec<(String, String)>,
}

/// An event type: its key as written in the layer, a label, and the maps' colour and shape.
#[derive(Serialize)]
pub struct TypeStyle {
    pub key: String,
    pub label: String,
    pub color: String,
    pub shape: &'static str,
    /// How many incidents of the type.
    pub n: usize,
}

/// The incidents as columns, `i`-th entry of each for the `i`-th incident. Text columns hold
/// an index into [`MapData::strings`] (`-1`: none). A column whose every entry is its default
/// (none, 0, one event) is left out, and the page fills it in: most inputs have no wounded,
/// no stretches, no links, and 100,000 of each would cost a megabyte for nothing.
#[derive(Serialize, Default)]
pub struct Incidents {
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    /// First day (days since 1970-01-01); null when undated.
    pub d0: Vec<Option<i64>>,
    /// Days from the first to the last day (0 for a day's date).
    #[serde(skip_serializing_if = "all_zero")]
    pub dd: Vec<Num>,
    /// Index into [`MapData::types`].
    pub t: Vec<usize>,
    #[serde(skip_serializing_if = "all_none")]
    pub f: Vec<Option<Num>>,
    #[serde(skip_serializing_if = "all_none")]
    pub w: Vec<Option<Num>>,
    /// How many events the row stands for (default 1).
    #[serde(skip_serializing_if = "all_one")]
    pub n: Vec<Num>,
    /// Uncertainty radius, km (0: none).
    #[serde(skip_serializing_if = "all_zero")]
    pub r: Vec<Num>,
    /// The border the record is nearest (or whose stretch it is).
    #[serde(skip_serializing_if = "all_absent")]
    pub b: Vec<i64>,
    #[serde(skip_serializing_if = "all_absent")]
    pub place: Vec<i64>,
    #[serde(skip_serializing_if = "all_absent")]
    pub method: Vec<i64>,
    #[serde(skip_serializing_if = "all_absent")]
    pub prec: Vec<i64>,
    #[serde(skip_serializing_if = "all_absent")]
    pub src: Vec<i64>,
    #[serde(skip_serializing_if = "all_absent")]
    pub url: Vec<i64>,
    #[serde(skip_serializing_if = "all_absent")]
    pub excluded: Vec<i64>,
    /// Index into [`MapData::stretches`] for records known only along a border (`-1`: a point).
    #[serde(skip_serializing_if = "all_absent")]
    pub s: Vec<i64>,
    /// The record's id (mostly distinct, so not interned).
    pub id: Vec<String>,
}

/// A number written as briefly as JSON allows: whole numbers without `.0`.
#[derive(Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 1e15 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

fn all_zero(v: &[Num]) -> bool {
    v.iter().all(|x| x.0 == 0.0)
}
fn all_one(v: &[Num]) -> bool {
    v.iter().all(|x| x.0 == 1.0)
}
fn all_none(v: &[Option<Num>]) -> bool {
    v.iter().all(Option::is_none)
}
fn all_absent(v: &[i64]) -> bool {
    v.iter().all(|&x| x < 0)
}

/// A colour as CSS hex.
pub fn css(c: Rgba) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

fn css3(c: [u8; 3]) -> String {
    css(Rgba::rgb(c[0], c[1], c[2]))
}

/// The name and SVG path of a symbol shape, drawn in a 14 × 14 box like the maps' symbols.
pub fn shape_path(s: SymbolShape) -> (&'static str, &'static str) {
    match s {
        SymbolShape::Circle => ("circle", "M7 1.5a5.5 5.5 0 1 0 .01 0z"),
        SymbolShape::Triangle => ("triangle", "M7 1.2 12.8 12H1.2z"),
        SymbolShape::Square => ("square", "M2.2 2.2h9.6v9.6H2.2z"),
        SymbolShape::Diamond => ("diamond", "M7 .8 13.2 7 7 13.2.8 7z"),
        SymbolShape::Cross => ("cross", "M5 1.5h4V5h3.5v4H9v3.5H5V9H1.5V5H5z"),
    }
}

/// Rounds to `d` decimals (4: about 10 m, finer than any location's claim but `exact`'s,
/// and below a pixel up to zoom 13; 5: about 1 m).
fn round(v: f64, d: i32) -> f64 {
    let m = 10f64.powi(d);
    (v * m).round() / m + 0.0
}

/// A path as `[lat, lon]`, simplified at `tolerance` degrees and rounded to `d` decimals;
/// consecutive repeats (after rounding) dropped.
fn latlon(path: &[[f64; 2]], tolerance: f64, d: i32) -> Vec<[f64; 2]> {
    let line: LineString<f64> = path.iter().map(|p| (p[0], p[1])).collect();
    let simple = if tolerance > 0.0 {
        line.simplify(tolerance)
    } else {
        line
    };
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(simple.0.len());
    for c in simple.0 {
        let p = [round(c.y, d), round(c.x, d)];
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

/// An area layer as the basemap's areas; rings that simplify to nothing are dropped.
fn areas(layer: &Layer<AreaProps>, focus: &str) -> Vec<Area> {
    use rayon::prelude::*;
    layer
        .features
        .par_iter()
        .filter_map(|f| {
            let rings: Vec<Vec<[f64; 2]>> = f
                .geometry
                .as_ref()?
                .paths()
                .into_iter()
                .map(|r| latlon(r, AREA_TOLERANCE, 4))
                .filter(|r| r.len() >= 4)
                .collect();
            (!rings.is_empty()).then(|| Area {
                name: f.properties.name.clone().unwrap_or_default(),
                focus: f.properties.iso_a2.as_deref() == Some(focus),
                rings,
            })
        })
        .collect()
}

/// Text interned once: the index of each distinct string in the table.
#[derive(Default)]
struct Strings {
    table: Vec<String>,
    index: HashMap<String, i64>,
}

impl Strings {
    fn id(&mut self, s: Option<&str>) -> i64 {
        let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
            return -1;
        };
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.table.len() as i64;
        self.table.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// A `YYYY-MM-DD` date as days since 1970-01-01.
fn day(s: Option<&str>) -> Option<i64> {
    let s = s?.trim_start_matches('\'');
    let mut p = s.splitn(3, '-');
    let y = p.next()?.parse().ok()?;
    let m = p.next()?.parse().ok()?;
    let d = p.next()?.get(..2)?.parse().ok()?;
    Date::new(y, m, d).map(Date::days_since_epoch)
}

/// A figure as a popup shows it: at most three decimals, no trailing zeros.
pub fn fig(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let s = format!("{x:.3}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        _ => String::new(),
    }
}

/// The map's data from the folder's layers; the segments are classed as the run's maps
/// class them (`compared`: the run's compared pair).
pub fn map_data(folder: &Folder, compared: &[String]) -> Result<MapData> {
    // The base map's layers are read and simplified side by side: the report is made last,
    // when nothing else is left to run beside it.
    let area_layer = |file: &str, focus: &str| -> Result<Vec<Area>> {
        let layer: Layer<AreaProps> = folder.layer(file)?;
        Ok(areas(&layer, focus))
    };
    let ((countries, provinces), (districts, (borders, segments))) = rayon::join(
        || {
            rayon::join(
                || area_layer("countries.geojson", "AF"),
                || area_layer("provinces.geojson", ""),
            )
        },
        || {
            rayon::join(
                || area_layer("districts.geojson", ""),
                || {
                    (
                        folder.layer::<BorderProps>("borders.geojson"),
                        folder.layer::<SegmentProps>("segments.geojson"),
                    )
                },
            )
        },
    );
    // Errors in the order the layers were read one by one before.
    let (countries, provinces, districts) = (countries?, provinces?, districts?);
    let (borders, segments) = (borders?, segments?);

    let basemap = Basemap {
        countries,
        provinces,
        districts,
        land: css(crate::render::LAND),
        focus_land: css(crate::render::FOCUS_LAND),
        country_line: css(crate::render::COUNTRY_LINE),
        province_line: css(crate::render::PROVINCE_LINE),
        district_line: css(crate::render::DISTRICT_LINE),
        border_line: css(crate::render::BORDER_COLOR),
    };

    // Border lines, and each border measured again to cut the stretches from it.
    // Side by side too, border by border (each border's segments are measured side by side
    // already; this lets the short borders go beside the long ones).
    let drawn_and_measured: Vec<(BorderLine, Border)> = {
        use rayon::prelude::*;
        borders
            .features
            .par_iter()
            .filter_map(|f| {
                let Some(Geometry::LineString(l)) = &f.geometry else {
                    return None;
                };
                let p = &f.properties;
                let ls: LineString<f64> = l.iter().map(|c| (c[0], c[1])).collect();
                Some((
                    BorderLine {
                        id: p.border_id.clone(),
                        name: p.name.clone(),
                        line: latlon(l, LINE_TOLERANCE, 5),
                    },
                    Border::new(p.border_id.clone(), p.name.clone(), ls),
                ))
            })
            .collect()
    };
    let mut lines = Vec::new();
    let mut measured: HashMap<String, Border> = HashMap::new();
    for (line, border) in drawn_and_measured {
        measured.insert(line.id.clone(), border);
        lines.push(line);
    }

    let (segment_lines, classes) = classed_segments(&segments, compared);

    let mut strings = Strings::default();
    let mut types: Vec<TypeStyle> = Vec::new();
    let mut type_index: HashMap<String, usize> = HashMap::new();
    let mut stretches: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut stretch_index: HashMap<(String, u64, u64), i64> = HashMap::new();
    let mut inc = Incidents::default();
    let mut days = (i64::MAX, i64::MIN);
    // Streamed: a run's incident layer can be hundreds of megabytes; only the columns stay.
    folder.each_feature("incidents.geojson", |f: Feature<IncidentProps>| {
        let Some(Geometry::Point([lon, lat])) = f.geometry else {
            return;
        };
        let p = &f.properties;
        let key = p.event_type.clone().unwrap_or_default();
        let t = *type_index.entry(key.clone()).or_insert_with(|| {
            let (shape, color, _) = event_style(p.event_type.as_deref());
            types.push(TypeStyle {
                label: if key.is_empty() {
                    "no type given".into()
                } else {
                    key.replace('_', " ")
                },
                key,
                color: css(color),
                shape: shape_path(shape).0,
                n: 0,
            });
            types.len() - 1
        });
        types[t].n += 1;
        let (d0, d1) = (day(p.date_start.as_deref()), day(p.date_end.as_deref()));
        for d in [d0, d1].into_iter().flatten() {
            days = (days.0.min(d), days.1.max(d));
        }
        let stretch = match (&p.stretch_border, p.stretch_km_from, p.stretch_km_to) {
            (Some(b), Some(from), Some(to)) => match measured.get(b) {
                Some(border) => *stretch_index
                    .entry((b.clone(), from.to_bits(), to.to_bits()))
                    .or_insert_with(|| {
                        stretches.push(latlon(&sub_line_xy(border, from, to), LINE_TOLERANCE, 5));
                        stretches.len() as i64 - 1
                    }),
                None => -1,
            },
            _ => -1,
        };
        // The place as the record wrote it: its free text, else its district, province and
        // country as given.
        let written = p
            .location
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| {
                let parts: Vec<&str> = [&p.admin2, &p.admin1, &p.country]
                    .into_iter()
                    .filter_map(|s| s.as_deref().map(str::trim).filter(|s| !s.is_empty()))
                    .collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            });
        inc.lat.push(round(lat, 4));
        inc.lon.push(round(lon, 4));
        inc.d0.push(d0);
        inc.dd.push(Num(match (d0, d1) {
            (Some(a), Some(b)) if b > a => (b - a) as f64,
            _ => 0.0,
        }));
        inc.t.push(t);
        inc.f.push(p.fatalities.map(Num));
        inc.w.push(p.wounded.map(Num));
        inc.n.push(Num(p.count.unwrap_or(1.0)));
        inc.r
            .push(Num(round(p.uncertainty_km.unwrap_or(0.0).max(0.0), 1)));
        inc.b
            .push(strings.id(p.stretch_border.as_deref().or(p.nearest_border.as_deref())));
        inc.place.push(strings.id(written.as_deref()));
        inc.method.push(strings.id(p.locate_method.as_deref()));
        inc.prec.push(strings.id(p.precision.as_deref()));
        inc.src.push(strings.id(p.source.as_deref()));
        inc.url.push(strings.id(p.source_url.as_deref()));
        inc.id
            .push(p.incident_id.trim_start_matches('\'').to_string());
        inc.excluded
            .push(strings.id(p.analysis_excluded.as_deref()));
        inc.s.push(stretch);
    })?;
    // Border ids are in the table even where no incident names them (the border filter).
    for l in &lines {
        strings.id(Some(&l.id));
    }
    let shapes = [
        SymbolShape::Circle,
        SymbolShape::Triangle,
        SymbolShape::Square,
        SymbolShape::Diamond,
        SymbolShape::Cross,
    ]
    .into_iter()
    .map(shape_path)
    .collect();
    Ok(MapData {
        attribution_short: "Who's On First, GeoNames (CC BY 4.0), Natural Earth; Leaflet".into(),
        basemap,
        borders: lines,
        segments: segment_lines,
        classes,
        types,
        shapes,
        incidents: inc,
        stretches,
        strings: strings.table,
        day_min: (days.0 <= days.1).then_some(days.0),
        day_max: (days.0 <= days.1).then_some(days.1),
    })
}

/// The part of a border between two km positions, as `[lon, lat]`.
fn sub_line_xy(b: &Border, from: f64, to: f64) -> Vec<[f64; 2]> {
    sub_line(b, from, to)
        .into_iter()
        .map(|(x, y)| [x, y])
        .collect()
}

/// The segments with their class colours, and the classes' key, as the run's maps class
/// them ([`RateClasses::for_segments`] on the values the layer holds).
fn classed_segments(
    segments: &Layer<SegmentProps>,
    compared: &[String],
) -> (Vec<SegmentLine>, ClassKey) {
    let value = |p: &SegmentProps| class_value(p.per_100km_per_year, p.per_100km.unwrap_or(0.0));
    let classes = RateClasses::for_segments(
        segments
            .features
            .iter()
            .map(|f| (f.properties.border_id.as_str(), value(&f.properties))),
        compared,
    );
    let per_year = segments
        .features
        .iter()
        .any(|f| f.properties.per_100km_per_year.is_some());
    let unit = if per_year {
        "events per 100 km per year"
    } else {
        "events per 100 km"
    };
    let lines = segments
        .features
        .iter()
        .filter_map(|f| {
            let p = &f.properties;
            let line = match f.geometry.as_ref()? {
                Geometry::LineString(l) => latlon(l, LINE_TOLERANCE, 5),
                _ => return None,
            };
            Some(SegmentLine {
                id: p.segment_id.clone(),
                km: format!("{}–{}", fig(Some(p.km_from)), fig(Some(p.km_to))),
                provinces: p.provinces.clone().unwrap_or_default(),
                events: fig(p.events_weighted),
                rate: fig(Some(value(p))),
                ci: match (p.ci95_low, p.ci95_high) {
                    (Some(lo), Some(hi)) => format!("{} – {}", fig(Some(lo)), fig(Some(hi))),
                    _ => String::new(),
                },
                hotspot: p.hotspot == Some(true),
                q: fig(p.hotspot_q),
                color: css3(classes.color_of(value(p))),
                line,
            })
        })
        .collect();
    let mut entries = vec![(css3(SEGMENT_NONE), "none".to_string())];
    for (i, c) in classes.colors().into_iter().enumerate() {
        entries.push((
            css3(c),
            format!(
                "{} – {}",
                crate::render::break_label(classes.bounds[i]),
                crate::render::break_label(classes.bounds[i + 1])
            ),
        ));
    }
    (
        lines,
        ClassKey {
            unit: unit.into(),
            entries,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_rounding() {
        assert_eq!(day(Some("1970-01-02")), Some(1));
        assert_eq!(day(Some("'2025-11-26")), day(Some("2025-11-26")));
        assert_eq!(day(Some("2025-13-01")), None);
        assert_eq!(day(None), None);
        assert_eq!(round(34.123456, 4), 34.1235);
        assert_eq!(round(-0.00001, 4).to_string(), "0");
        assert_eq!(fig(Some(2.5)), "2.5");
        assert_eq!(fig(Some(3.0)), "3");
        assert_eq!(fig(None), "");
    }

    #[test]
    fn strings_are_interned_once_and_blank_is_none() {
        let mut s = Strings::default();
        assert_eq!(s.id(Some("AF-PK")), 0);
        assert_eq!(s.id(Some("x")), 1);
        assert_eq!(s.id(Some("AF-PK")), 0);
        assert_eq!(s.id(Some("  ")), -1);
        assert_eq!(s.id(None), -1);
    }

    #[test]
    fn paths_are_lat_lon_without_repeats() {
        let p = latlon(&[[60.0, 30.0], [60.000001, 30.0], [61.0, 31.0]], 0.0, 4);
        assert_eq!(p, vec![[30.0, 60.0], [31.0, 61.0]]);
    }
}
