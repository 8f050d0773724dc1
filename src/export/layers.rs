//! The export stage: every result as an RFC 7946 GeoJSON layer in one folder, with a QGIS
//! style beside each layer, a QGIS project that opens them all, and the CSV tables with a
//! metadata sidecar.
//!
//! Layers (one geometry type each): `incidents` (points), `borders`, `sectors`, `segments`
//! (lines), `corridors`, `density_isobands`, `districts`, `provinces`, `countries` (multipolygons).
//!
//! What GDAL (and so QGIS) needs to read the layers the way they are meant:
//! - a top-level `name` (the layer name), WGS 84 lon/lat and no `crs` member;
//! - a numeric feature-level `id` (GDAL makes it the feature id, not a field);
//! - the same properties on every feature with one JSON type each: numbers as numbers
//!   (integers without a decimal point, reals always with one), unknown as `null`;
//! - dates as full ISO dates in `date_start` / `date_end` / `data_start` / `data_end` (typed
//!   Date), with `date_precision` saying how much of them the source gave;
//! - GDAL types a string field as Date (or Time) when every value in the layer looks like
//!   one. A free-text field (an id such as `2025-11-26`, say) whose values all do is written
//!   with a leading apostrophe — the spreadsheet convention for "this is text" that the CSV
//!   tables already use — and the layer lists such fields in its `text_marked_fields`
//!   member. Fields with at least one other value are written unchanged.
//!
//! Every layer carries `attribution` (ASCII: Natural Earth, GeoNames and the incident
//! sources), `generator` (`borderwatch VERSION`) and `parameters` (the analysis options) as
//! top-level members; the CSV tables get the same in `tables_metadata.json`. Output is
//! deterministic: the same input gives byte-identical files (no timestamps).
//!
//! Corridors are drawn as the analysis counts them: each border buffered by the corridor
//! half-width in the region's Albers equal-area plane (km), with flat ends (nothing beyond a
//! border's ends counts), one-sided when the options say so, then projected back to lon/lat.

use super::incidents::{Cell, FeatureWriter, RowFn};
use super::qgis::{self, GeomKind, LayerInfo, ProjectInfo, Style};
use super::{round6, tables, write_atomic, write_atomic_with};
use crate::borders::Border;
use crate::density::assign::CorridorSide;
use crate::density::kde::{self, Isoband, Surface};
use crate::density::stats::{Rates, Tally};
use crate::density::{Analysis, Placement};
use crate::geodata::{ATTRIBUTION, GeoData};
use crate::model::{LocatedIncident, SourceFormat};
use crate::projection::{Projection, REGION_ALBERS};
use anyhow::{Context, Result, bail};
use geo::algorithm::buffer::{BufferStyle, LineCap, LineJoin};
use geo::orient::{Direction, Orient};
use geo::{
    Area, BooleanOps, BoundingRect, Buffer, Coord, InteriorPoint, LineString, MultiPolygon,
    Polygon, Rect, Simplify,
};
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The context layers are clipped to this box: lon 55–80 E, lat 23–45 N.
pub const REGION: [f64; 4] = [55.0, 23.0, 80.0, 45.0];

/// Provenance of a run, written into every output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunMeta {
    /// The crate version (`env!("CARGO_PKG_VERSION")`).
    pub version: String,
    /// Input files as named in messages.
    pub inputs: Vec<String>,
    /// Incident sources for the attribution ("UCDP GED (CC BY 4.0) ...").
    pub sources: Vec<String>,
    /// The borders the run compares: the segment style's classes are chosen on them
    /// ([`super::classes::RateClasses::for_run`]; empty: on every analysed border).
    pub compared: Vec<String>,
}

impl RunMeta {
    /// Provenance for a run over `inputs`: this crate's version, and the sources named by the
    /// records (their dataset, and for the native schema the distinct `source` values — each
    /// `;`-separated part on its own — at most eight of them).
    pub fn new(inputs: Vec<String>, located: &[LocatedIncident]) -> RunMeta {
        let formats: BTreeSet<&'static str> = located
            .iter()
            .map(|l| l.record.provenance.format.as_str())
            .collect();
        let mut sources = Vec::new();
        for f in formats {
            sources.push(
                match f {
                    "ucdp_ged" => "UCDP Georeferenced Event Dataset (GED), CC BY 4.0, Sundberg & Melander (2013), Journal of Peace Research 50(4)",
                    "acled" => "ACLED (acleddata.com), under ACLED's terms of use",
                    "gtd" => "Global Terrorism Database (START, University of Maryland)",
                    _ => "incident reports as cited per record (fields source, source_url)",
                }
                .to_string(),
            );
        }
        // Distinct as they will be written (ASCII, single spaces).
        let cited: BTreeSet<String> = located
            .iter()
            .filter(|l| l.record.provenance.format == SourceFormat::Native)
            .filter_map(|l| l.record.source.as_deref())
            .flat_map(|s| s.split(';'))
            .map(one_ascii_line)
            .filter(|s| !s.is_empty())
            .collect();
        let n = cited.len();
        sources.extend(cited.into_iter().take(8));
        if n > 8 {
            sources.push(format!("and {} more (see the source field)", n - 8));
        }
        RunMeta {
            version: env!("CARGO_PKG_VERSION").to_string(),
            inputs,
            sources,
            compared: Vec::new(),
        }
    }
}

/// Writes every layer, its QGIS style, the QGIS project `borderwatch.qgs`, the CSV tables and
/// `tables_metadata.json` into `out` (created if needed). `located` must be the incidents
/// the analysis ran on (same order). The isobands are written as given; when none are given
/// and a surface is, they are drawn from it at the default thresholds; with neither, no
/// isoband layer is written (and one left in `out` by an earlier run is removed). Returns
/// the files written.
pub fn write_all(
    out: &Path,
    geo: &GeoData,
    located: &[LocatedIncident],
    analysis: &Analysis,
    surface: Option<&Surface>,
    isobands: &[Isoband],
    meta: &RunMeta,
) -> Result<Vec<PathBuf>> {
    if located.len() != analysis.placements.len() {
        bail!(
            "the analysis ran on {} incidents but {} were given to export",
            analysis.placements.len(),
            located.len()
        );
    }
    let proj = Projection::region();
    let header = Header {
        attribution: attribution(meta),
        generator: format!("borderwatch {}", meta.version),
        parameters: parameters(analysis, surface, meta),
    };

    let drawn;
    let bands: &[Isoband] = match (isobands.is_empty(), surface) {
        (true, Some(s)) => {
            drawn = kde::isobands(s, &kde::default_thresholds(s), &proj)?;
            &drawn
        }
        _ => isobands,
    };

    let mut layers = vec![
        countries_layer(geo),
        provinces_layer(geo),
        districts_layer(geo),
    ];
    if bands.is_empty() {
        // No density this run: a layer left from an earlier run must not pass for one.
        for stale in ["density_isobands.geojson", "density_isobands.qml"] {
            let path = out.join(stale);
            if path.is_file() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
    } else {
        layers.push(isobands_layer(bands));
    }
    layers.push(corridors_layer(analysis, &proj));
    layers.push(borders_layer(analysis));
    layers.push(sectors_layer(analysis));
    layers.push(segments_layer(analysis, meta));

    let mut written = Vec::new();
    let mut infos = Vec::new();
    for layer in layers {
        let file = format!("{}.geojson", layer.name);
        let path = out.join(&file);
        let mut info = None;
        write_atomic_with(&path, |w| {
            info = Some(layer.render(&header, &file, w)?);
            Ok(())
        })?;
        written.push(path);
        infos.extend(info);
    }
    let (path, info) = write_incidents_layer(out, &header, located, analysis)?;
    written.push(path);
    infos.push(info);

    written.extend(write_tables(out, analysis, &header)?);

    let project = ProjectInfo {
        title: "borderwatch: cross-border incidents along Afghanistan's borders".into(),
        attribution: header.attribution.clone(),
        generator: header.generator.clone(),
        parameters: serde_json::to_string(&header.parameters)?,
        extent_km: analysis_extent(analysis, &proj),
    };
    written.extend(qgis::write(out, &infos, &project)?);
    Ok(written)
}

/// Top-level members every layer carries.
struct Header {
    attribution: String,
    generator: String,
    parameters: Value,
}

/// The attribution as one ASCII line (safe in every GDAL driver and QGIS field).
fn attribution(meta: &RunMeta) -> String {
    let mut s = ATTRIBUTION.to_string();
    if !meta.sources.is_empty() {
        s.push_str(" Incidents: ");
        s.push_str(&meta.sources.join("; "));
        if !s.ends_with('.') {
            s.push('.');
        }
    }
    one_ascii_line(&s)
}

/// Text as one line of ASCII: transliterated (deunicode), control characters and runs of
/// whitespace turned into single spaces.
fn one_ascii_line(s: &str) -> String {
    deunicode::deunicode(s)
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The analysis options as an object, with dates as ISO strings, the window, the projection
/// and the inputs.
fn parameters(a: &Analysis, surface: Option<&Surface>, meta: &RunMeta) -> Value {
    let mut p = match serde_json::to_value(&a.options) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    p.insert(
        "from".into(),
        opt_str(a.options.from.map(|d| d.to_string())),
    );
    p.insert("to".into(), opt_str(a.options.to.map(|d| d.to_string())));
    p.insert(
        "window_start".into(),
        opt_str(a.window.map(|w| w.0.to_string())),
    );
    p.insert(
        "window_end".into(),
        opt_str(a.window.map(|w| w.1.to_string())),
    );
    p.insert("years".into(), real(a.years));
    p.insert("projection".into(), json!(REGION_ALBERS));
    if let Some(s) = surface {
        p.insert("density_cell_km".into(), real(Some(s.cell_km)));
        p.insert("density_grid".into(), json!([s.cols, s.rows]));
        p.insert(
            "density_unit".into(),
            json!("incidents per 1,000 km2 per year"),
        );
    }
    p.insert("inputs".into(), json!(meta.inputs));
    Value::Object(p)
}

// ---------------------------------------------------------------------------------------
// Values

/// A real number rounded to 6 decimals; null when unknown or not finite.
fn real(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.is_finite() => json!(round6(x) + 0.0),
        _ => Value::Null,
    }
}

/// A probability kept to 6 significant digits (a q-value of 3e-9 must not round to 0).
fn probability(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.is_finite() => json!(format!("{x:.5e}").parse::<f64>().unwrap_or(x) + 0.0),
        _ => Value::Null,
    }
}

fn opt_str(v: Option<String>) -> Value {
    v.map(Value::from).unwrap_or(Value::Null)
}

/// Text, or null when empty.
fn text(s: &str) -> Value {
    if s.is_empty() { Value::Null } else { json!(s) }
}

/// Every Tally and Rates field, flat, in the CSV tables' names where they have one.
fn tally_rates(p: &mut Map<String, Value>, t: &Tally, r: &Rates) {
    p.insert("events_weighted".into(), real(Some(t.events_weighted)));
    p.insert("events_raw".into(), real(Some(t.events_raw)));
    p.insert("records".into(), json!(t.records));
    p.insert("fatalities".into(), real(Some(t.fatalities)));
    p.insert("fatalities_low".into(), real(Some(t.fatalities_low)));
    p.insert("fatalities_high".into(), real(Some(t.fatalities_high)));
    p.insert(
        "fatalities_unknown_events".into(),
        real(Some(t.fatalities_unknown_events)),
    );
    p.insert("wounded".into(), real(Some(t.wounded)));
    p.insert(
        "wounded_unknown_events".into(),
        real(Some(t.wounded_unknown_events)),
    );
    p.insert(
        "largest_record_share".into(),
        real(Some(t.largest_record_share)),
    );
    p.insert("imprecise_events".into(), real(Some(t.imprecise_events)));
    p.insert("aggregate_events".into(), real(Some(t.aggregate_events)));
    p.insert("length_km".into(), real(Some(r.length_km)));
    p.insert("length_basis".into(), json!(r.length_basis.as_str()));
    p.insert("years".into(), real(r.years));
    p.insert("per_100km".into(), real(Some(r.per_100km)));
    p.insert("per_100km_per_year".into(), real(r.per_100km_per_year));
    p.insert("ci95_low".into(), real(r.ci_low));
    p.insert("ci95_high".into(), real(r.ci_high));
}

/// Whether GDAL's GeoJSON reader would take this string for a date, time or date-time
/// (its `OGRParseDate` test: `Y-M-D` or `Y/M/D`, optionally followed by a time, or a bare
/// `H:M` time). Errs on the side of yes.
pub(crate) fn looks_like_gdal_datetime(s: &str) -> bool {
    let t = s.trim_start_matches(' ');
    let b = t.as_bytes();
    let digits = |i: usize| -> usize { b[i..].iter().take_while(|c| c.is_ascii_digit()).count() };
    let tail_ok = |i: usize| {
        b[i..]
            .iter()
            .all(|c| c.is_ascii_digit() || b":.TZ+- ,".contains(c))
    };
    let n1 = digits(0);
    if n1 == 0 || n1 >= b.len() {
        return false;
    }
    match b[n1] {
        sep @ (b'-' | b'/') => {
            let i = n1 + 1;
            let n2 = digits(i);
            if n2 == 0 || n2 > 2 || i + n2 >= b.len() || b[i + n2] != sep {
                return false;
            }
            let month: u32 = t[i..i + n2].parse().unwrap_or(0);
            let j = i + n2 + 1;
            let n3 = digits(j);
            if n3 == 0 || n3 > 2 {
                return false;
            }
            let day: u32 = t[j..j + n3].parse().unwrap_or(0);
            (1..=12).contains(&month) && (1..=31).contains(&day) && tail_ok(j + n3)
        }
        b':' => n1 <= 2 && digits(n1 + 1) > 0 && tail_ok(n1 + 1),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Geometry

/// One feature's geometry, in lon/lat.
enum Geom {
    Line(Vec<(f64, f64)>),
    Polygons(MultiPolygon<f64>),
}

fn r6(v: f64) -> f64 {
    round6(v) + 0.0
}

/// A ring rounded to 6 decimals, without repeated positions, closed; `None` when fewer
/// than four positions remain.
fn ring(ls: &LineString<f64>) -> Option<Vec<[f64; 2]>> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(ls.0.len() + 1);
    for c in &ls.0 {
        let p = [r6(c.x), r6(c.y)];
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    if out.len() > 1 && out.first() != out.last() {
        out.push(out[0]);
    }
    (out.len() >= 4).then_some(out)
}

impl Geom {
    /// The GeoJSON geometry (RFC 7946: exterior rings counter-clockwise), and its bounds.
    fn to_json(&self, bbox: &mut Bounds) -> Value {
        match self {
            Geom::Line(coords) => {
                let mut pts: Vec<[f64; 2]> = Vec::with_capacity(coords.len());
                for &(x, y) in coords {
                    let p = [r6(x), r6(y)];
                    if pts.last() != Some(&p) {
                        pts.push(p);
                    }
                }
                if pts.is_empty() {
                    return Value::Null;
                }
                if pts.len() == 1 {
                    pts.push(pts[0]);
                }
                for p in &pts {
                    bbox.add(p[0], p[1]);
                }
                json!({"type": "LineString", "coordinates": pts})
            }
            Geom::Polygons(mp) => {
                let mp = mp.orient(Direction::Default);
                let mut polys = Vec::new();
                for poly in &mp.0 {
                    let Some(ext) = ring(poly.exterior()) else {
                        continue;
                    };
                    for p in &ext {
                        bbox.add(p[0], p[1]);
                    }
                    let mut rings = vec![ext];
                    rings.extend(poly.interiors().iter().filter_map(ring));
                    polys.push(rings);
                }
                if polys.is_empty() {
                    return Value::Null;
                }
                json!({"type": "MultiPolygon", "coordinates": polys})
            }
        }
    }
}

/// A lon/lat bounding box under construction.
#[derive(Default, Clone, Copy)]
struct Bounds(Option<[f64; 4]>);

impl Bounds {
    fn add(&mut self, x: f64, y: f64) {
        self.0 = Some(match self.0 {
            None => [x, y, x, y],
            Some([a, b, c, d]) => [a.min(x), b.min(y), c.max(x), d.max(y)],
        });
    }
}

/// The part of a shape inside [`REGION`].
fn clip_region(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let region = Rect::new(
        Coord {
            x: REGION[0],
            y: REGION[1],
        },
        Coord {
            x: REGION[2],
            y: REGION[3],
        },
    );
    match mp.bounding_rect() {
        None => MultiPolygon(Vec::new()),
        Some(b)
            if b.min().x >= REGION[0]
                && b.min().y >= REGION[1]
                && b.max().x <= REGION[2]
                && b.max().y <= REGION[3] =>
        {
            mp.clone()
        }
        Some(_) => mp.intersection(&region.to_polygon()),
    }
}

/// Half-width of the cut that separates the two sides of a corridor, km (5 m: invisible at
/// any map scale the layer is meant for).
const SIDE_CUT_KM: f64 = 0.005;

/// A border's corridor in the projected plane (km): the line buffered by `half_km` with flat
/// ends and round joins; for one side only, the pieces on that side (right = walking from
/// km 0, the Afghan side of shipped borders).
fn corridor_km(line: &LineString<f64>, half_km: f64, side: CorridorSide) -> MultiPolygon<f64> {
    // Survey-resolution lines have tens of thousands of vertices and buffering them took most
    // of a run; the drawn corridor moves by at most 1% of its half-width (0.1 km at most) when
    // the line is simplified first. Which incidents a corridor holds is decided by distance to
    // the full line, never by this polygon.
    let simplified = line.simplify((half_km / 100.0).min(0.1));
    let line = &simplified;
    let style = |d: f64| {
        BufferStyle::new(d)
            .line_cap(LineCap::Butt)
            .line_join(LineJoin::Round(0.05))
    };
    let both = line.buffer_with_style(style(half_km));
    let want_right = match side {
        CorridorSide::Both => return both,
        CorridorSide::Afghan => true,
        CorridorSide::Neighbour => false,
    };
    // The cut runs past both ends so that it severs the corridor there too.
    let cut = extended(line, 2.0 * half_km).buffer_with_style(style(SIDE_CUT_KM));
    let pieces = both.difference(&cut);
    MultiPolygon(
        pieces
            .0
            .into_iter()
            .filter(|p| p.unsigned_area() > 0.5)
            .filter(|p| {
                p.interior_point()
                    .is_some_and(|ip| right_of(line, ip.0) == want_right)
            })
            .collect(),
    )
}

/// The line with its first and last segments extended outwards by `km`.
fn extended(line: &LineString<f64>, km: f64) -> LineString<f64> {
    let mut c = line.0.clone();
    let push = |from: Coord<f64>, to: Coord<f64>| -> Coord<f64> {
        let (dx, dy) = (to.x - from.x, to.y - from.y);
        let len = (dx * dx + dy * dy).sqrt();
        if len > 0.0 {
            Coord {
                x: to.x + dx / len * km,
                y: to.y + dy / len * km,
            }
        } else {
            to
        }
    };
    if c.len() >= 2 {
        let (a, b) = (c[1], c[0]);
        c[0] = push(a, b);
        let k = c.len();
        let (a, b) = (c[k - 2], c[k - 1]);
        c[k - 1] = push(a, b);
    }
    LineString(c)
}

/// Whether `p` lies to the right of the nearest segment of `line` (walking from its start).
fn right_of(line: &LineString<f64>, p: Coord<f64>) -> bool {
    let mut best = (f64::INFINITY, 0.0);
    for w in line.0.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (qx, qy) = (a.x + dx * t, a.y + dy * t);
        let d2 = (p.x - qx).powi(2) + (p.y - qy).powi(2);
        if d2 < best.0 {
            best = (d2, dx * (p.y - a.y) - dy * (p.x - a.x));
        }
    }
    best.1 <= 0.0
}

fn project_line(b: &Border, proj: &Projection) -> LineString<f64> {
    b.line
        .0
        .iter()
        .filter_map(|c| proj.forward(c.x, c.y).map(|(x, y)| Coord { x, y }))
        .collect()
}

fn unproject(mp: &MultiPolygon<f64>, proj: &Projection) -> MultiPolygon<f64> {
    let ring = |ls: &LineString<f64>| -> LineString<f64> {
        ls.0.iter()
            .filter_map(|c| proj.inverse(c.x, c.y).map(|(x, y)| Coord { x, y }))
            .collect()
    };
    MultiPolygon(
        mp.0.iter()
            .map(|p| Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect()))
            .collect(),
    )
}

/// The analysis extent in the projected plane (km): the analysed borders with their
/// corridors and a margin; the whole region when no border was analysed.
fn analysis_extent(a: &Analysis, proj: &Projection) -> [f64; 4] {
    let mut b = Bounds::default();
    for r in &a.borders {
        for c in &project_line(&r.border, proj).0 {
            b.add(c.x, c.y);
        }
    }
    if b.0.is_none() {
        for (lon, lat) in [
            (REGION[0], REGION[1]),
            (REGION[2], REGION[1]),
            (REGION[0], REGION[3]),
            (REGION[2], REGION[3]),
        ] {
            if let Some((x, y)) = proj.forward(lon, lat) {
                b.add(x, y);
            }
        }
    }
    let [x0, y0, x1, y1] = b.0.unwrap_or([-1000.0, -1000.0, 1000.0, 1000.0]);
    let m = a.options.corridor_km + 0.05 * (x1 - x0).max(y1 - y0);
    [x0 - m, y0 - m, x1 + m, y1 + m]
}

// ---------------------------------------------------------------------------------------
// Layers

struct Layer {
    name: &'static str,
    kind: GeomKind,
    features: Vec<(Geom, Map<String, Value>)>,
    /// Fields meant to be typed Date (all others that hold text are text).
    date_fields: &'static [&'static str],
    /// Extra top-level members (after `parameters`).
    members: Vec<(&'static str, Value)>,
    style: Style,
}

impl Layer {
    /// Writes the FeatureCollection, one feature per line; returns what the QGIS writer
    /// needs.
    fn render(
        mut self,
        header: &Header,
        file: &str,
        w: &mut (dyn Write + Send),
    ) -> Result<LayerInfo> {
        // Every feature has the same keys in the same order.
        if let Some((_, first)) = self.features.first() {
            let keys: Vec<&String> = first.keys().collect();
            for (i, (_, p)) in self.features.iter().enumerate() {
                if !p.keys().eq(keys.iter().copied()) {
                    bail!("{}: feature {} has different properties", self.name, i + 1);
                }
            }
        }
        let marked = self.mark_date_like_text();
        write_head(w, self.name, header, &self.members, &marked)?;
        let mut bbox = Bounds::default();
        let n = self.features.len();
        for (i, (g, p)) in self.features.into_iter().enumerate() {
            let f = json!({
                "type": "Feature",
                "id": i + 1,
                "geometry": g.to_json(&mut bbox),
                "properties": Value::Object(p),
            });
            serde_json::to_writer(&mut *w, &f)?;
            w.write_all(if i + 1 < n { b",\n" } else { b"\n" })?;
        }
        w.write_all(b"]}\n")?;
        Ok(LayerInfo {
            name: self.name.to_string(),
            file: file.to_string(),
            kind: self.kind,
            bbox: bbox.0,
            style: self.style,
        })
    }

    /// Marks free-text fields that GDAL would type as dates (see the module notes); returns
    /// their names.
    fn mark_date_like_text(&mut self) -> Vec<String> {
        let Some((_, first)) = self.features.first() else {
            return Vec::new();
        };
        let keys: Vec<String> = first.keys().cloned().collect();
        let mut marked = Vec::new();
        for k in keys {
            if self.date_fields.contains(&k.as_str()) {
                continue;
            }
            let mut any = false;
            let all_dates = self.features.iter().all(|(_, p)| match p.get(&k) {
                Some(Value::String(s)) => {
                    any = true;
                    looks_like_gdal_datetime(s)
                }
                Some(Value::Null) | None => true,
                _ => false,
            });
            if any && all_dates {
                for (_, p) in &mut self.features {
                    if let Some(Value::String(s)) = p.get_mut(&k) {
                        s.insert(0, '\'');
                    }
                }
                marked.push(k);
            }
        }
        marked
    }
}

fn countries_layer(geo: &GeoData) -> Layer {
    let mut features = Vec::new();
    let mut codes = Vec::new();
    for c in &geo.countries {
        let shape = clip_region(&c.shape);
        if shape.0.is_empty() {
            continue;
        }
        let mut p = Map::new();
        p.insert("iso_a2".into(), text(&c.code));
        p.insert("name".into(), text(&c.name));
        codes.push(c.code.clone());
        features.push((Geom::Polygons(shape), p));
    }
    Layer {
        name: "countries",
        kind: GeomKind::Polygon,
        features,
        date_fields: &[],
        members: Vec::new(),
        style: Style::Countries { codes },
    }
}

fn provinces_layer(geo: &GeoData) -> Layer {
    let areas = geo.provinces.iter().map(|pr| {
        let mut p = Map::new();
        p.insert("province_id".into(), text(&pr.id));
        p.insert("name".into(), text(&pr.name));
        p.insert("country".into(), text(&pr.country));
        (&pr.shape, p)
    });
    area_layer("provinces", Style::Provinces, areas)
}

/// The districts of Afghanistan, Pakistan and Tajikistan: the units every incident's
/// `district_id` names.
fn districts_layer(geo: &GeoData) -> Layer {
    let areas = geo.districts.iter().map(|d| {
        let mut p = Map::new();
        p.insert("district_id".into(), text(&d.id));
        p.insert("name".into(), text(&d.name));
        p.insert(
            "province_id".into(),
            d.province_id.as_deref().map_or(Value::Null, text),
        );
        p.insert("country".into(), text(&d.country));
        (&d.shape, p)
    });
    area_layer("districts", Style::Districts, areas)
}

/// A context layer of areas, each clipped to the region; areas wholly outside it are left out.
fn area_layer<'a>(
    name: &'static str,
    style: Style,
    areas: impl Iterator<Item = (&'a MultiPolygon<f64>, Map<String, Value>)>,
) -> Layer {
    let features = areas
        .filter_map(|(shape, p)| {
            let shape = clip_region(shape);
            (!shape.0.is_empty()).then_some((Geom::Polygons(shape), p))
        })
        .collect();
    Layer {
        name,
        kind: GeomKind::Polygon,
        features,
        date_fields: &[],
        members: Vec::new(),
        style,
    }
}

/// Compact band limit for labels: three significant figures.
fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let decimals = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.decimals$}")
}

fn isobands_layer(bands: &[Isoband]) -> Layer {
    let mut features = Vec::new();
    let mut limits = Vec::new();
    for (i, b) in bands.iter().enumerate() {
        let mut p = Map::new();
        p.insert("band".into(), json!(i + 1));
        p.insert("lo".into(), real(Some(b.lo)));
        p.insert("hi".into(), real(Some(b.hi)));
        p.insert(
            "label".into(),
            json!(format!("{} to {}", sig3(b.lo), sig3(b.hi))),
        );
        limits.push((b.lo, b.hi));
        features.push((Geom::Polygons(b.shape.clone()), p));
    }
    Layer {
        name: "density_isobands",
        kind: GeomKind::Polygon,
        features,
        date_fields: &[],
        members: vec![("unit", json!("incidents per 1,000 km2 per year"))],
        style: Style::Isobands { limits },
    }
}

fn side_name(s: CorridorSide) -> &'static str {
    match s {
        CorridorSide::Both => "both",
        CorridorSide::Afghan => "afghan",
        CorridorSide::Neighbour => "neighbour",
    }
}

fn corridors_layer(a: &Analysis, proj: &Projection) -> Layer {
    let side = a.options.corridor_side;
    let mut features = Vec::new();
    for r in &a.borders {
        let b = &r.border;
        let line = project_line(b, proj);
        if line.0.len() < 2 {
            continue;
        }
        let km = corridor_km(&line, a.options.corridor_km, side);
        let mut p = Map::new();
        p.insert("border_id".into(), text(&b.id));
        p.insert("name".into(), text(&b.name));
        p.insert("corridor_km".into(), real(Some(a.options.corridor_km)));
        p.insert("corridor_side".into(), json!(side_name(side)));
        p.insert(
            "side_country".into(),
            match side {
                CorridorSide::Both => Value::Null,
                CorridorSide::Afghan => opt_str(b.country_a.clone()),
                CorridorSide::Neighbour => opt_str(b.country_b.clone()),
            },
        );
        p.insert("area_km2".into(), real(Some(km.unsigned_area().round())));
        p.insert(
            "events_weighted".into(),
            real(Some(r.tally.events_weighted)),
        );
        p.insert(
            "per_100km_per_year".into(),
            real(r.rates.per_100km_per_year),
        );
        features.push((Geom::Polygons(unproject(&km, proj)), p));
    }
    Layer {
        name: "corridors",
        kind: GeomKind::Polygon,
        features,
        date_fields: &[],
        members: Vec::new(),
        style: Style::Corridors,
    }
}

fn line_coords(ls: &LineString<f64>) -> Vec<(f64, f64)> {
    ls.0.iter().map(|c| (c.x, c.y)).collect()
}

fn borders_layer(a: &Analysis) -> Layer {
    let mut features = Vec::new();
    for r in &a.borders {
        let b = &r.border;
        let mut p = Map::new();
        p.insert("border_id".into(), text(&b.id));
        p.insert("name".into(), text(&b.name));
        p.insert("country_a".into(), opt_str(b.country_a.clone()));
        p.insert("country_b".into(), opt_str(b.country_b.clone()));
        p.insert("measured_km".into(), real(Some(b.measured_km)));
        p.insert("published_km".into(), real(b.published_km));
        p.insert(
            "published_source".into(),
            opt_str(b.published_source.clone()),
        );
        tally_rates(&mut p, &r.tally, &r.rates);
        p.insert(
            "data_start".into(),
            opt_str(r.data_span.map(|s| s.0.to_string())),
        );
        p.insert(
            "data_end".into(),
            opt_str(r.data_span.map(|s| s.1.to_string())),
        );
        p.insert(
            "sources".into(),
            text(&r.sources.keys().cloned().collect::<Vec<_>>().join("; ")),
        );
        features.push((Geom::Line(line_coords(&b.line)), p));
    }
    Layer {
        name: "borders",
        kind: GeomKind::Line,
        features,
        date_fields: &["data_start", "data_end"],
        members: Vec::new(),
        style: Style::Borders,
    }
}

fn sectors_layer(a: &Analysis) -> Layer {
    let mut features = Vec::new();
    let mut values = Vec::new();
    for r in &a.borders {
        for s in &r.sectors {
            let u = &s.unit;
            let mut p = Map::new();
            p.insert("sector_id".into(), text(&u.id));
            p.insert("border_id".into(), text(&u.border_id));
            p.insert("province_id".into(), text(&u.province_id));
            p.insert("province".into(), text(&u.province));
            p.insert("country".into(), text(&u.country));
            p.insert(
                "afghan_side".into(),
                json!(r.border.country_a.as_deref() == Some(u.country.as_str())),
            );
            p.insert("km_from".into(), real(Some(u.km_from)));
            p.insert("km_to".into(), real(Some(u.km_to)));
            p.insert("measured_km".into(), real(Some(u.length_km)));
            tally_rates(&mut p, &s.tally, &s.rates);
            // The test of excess over the border's rate (null when not tested).
            let h = s.hotspot.as_ref();
            p.insert(
                "hotspot".into(),
                h.map_or(Value::Null, |h| json!(h.hotspot)),
            );
            p.insert("hotspot_q".into(), probability(h.map(|h| h.q_value)));
            p.insert("hotspot_p".into(), probability(h.map(|h| h.p_value)));
            p.insert("hotspot_expected".into(), real(h.map(|h| h.expected)));
            values.push(s.rates.per_100km_per_year);
            features.push((Geom::Line(u.coords.clone()), p));
        }
    }
    Layer {
        name: "sectors",
        kind: GeomKind::Line,
        features,
        date_fields: &[],
        members: Vec::new(),
        style: Style::Sectors { values },
    }
}

fn segments_layer(a: &Analysis, meta: &RunMeta) -> Layer {
    let mut features = Vec::new();
    let mut values = Vec::new();
    for r in &a.borders {
        for s in &r.segments {
            let u = &s.unit;
            let mut p = Map::new();
            p.insert("segment_id".into(), text(&u.id));
            p.insert("border_id".into(), text(&u.border_id));
            p.insert("index".into(), json!(u.index));
            p.insert("km_from".into(), real(Some(u.km_from)));
            p.insert("km_to".into(), real(Some(u.km_to)));
            p.insert("measured_km".into(), real(Some(u.length_km)));
            p.insert("provinces".into(), text(&u.provinces.join("; ")));
            tally_rates(&mut p, &s.tally, &s.rates);
            // The test of excess over the border's rate (null when not tested).
            let h = s.hotspot.as_ref();
            p.insert(
                "hotspot".into(),
                h.map_or(Value::Null, |h| json!(h.hotspot)),
            );
            p.insert("hotspot_q".into(), probability(h.map(|h| h.q_value)));
            p.insert("hotspot_p".into(), probability(h.map(|h| h.p_value)));
            p.insert("hotspot_expected".into(), real(h.map(|h| h.expected)));
            values.push(s.rates.per_100km_per_year);
            features.push((Geom::Line(u.coords.clone()), p));
        }
    }
    Layer {
        name: "segments",
        kind: GeomKind::Line,
        features,
        date_fields: &[],
        members: Vec::new(),
        style: Style::Segments {
            values,
            classes: super::classes::RateClasses::for_run(a, &meta.compared),
        },
    }
}

/// The top of a layer: its name, `attribution`, `generator`, `parameters`, then the layer's
/// own members (see [`super::incidents::write_collection_head`]).
fn write_head(
    w: &mut dyn Write,
    name: &str,
    header: &Header,
    members: &[(&str, Value)],
    marked: &[String],
) -> Result<()> {
    let (attribution, generator) = (
        Value::from(header.attribution.as_str()),
        Value::from(header.generator.as_str()),
    );
    let mut all: Vec<(&str, &Value)> = vec![
        ("attribution", &attribution),
        ("generator", &generator),
        ("parameters", &header.parameters),
    ];
    all.extend(members.iter().map(|(k, v)| (*k, v)));
    super::incidents::write_collection_head(w, name, &all, marked)
}

/// The analysis's fields after the incident's own (see [`super::incidents::FIELDS`]).
const PLACEMENT_FIELDS: [&str; 7] = [
    "nearest_border",
    "border_distance_km",
    "border_km",
    "border_side",
    "corridor_share",
    "analysis_weight",
    "analysis_excluded",
];

/// A real number rounded to 6 decimals; null when unknown or not finite.
fn real_cell<'a>(v: Option<f64>) -> Cell<'a> {
    match v {
        Some(x) if x.is_finite() => Cell::Real(round6(x) + 0.0),
        _ => Cell::Null,
    }
}

fn arc_cell(v: &Option<std::sync::Arc<str>>) -> Cell<'_> {
    v.as_deref()
        .map_or(Cell::Null, |s| Cell::Text(Cow::Borrowed(s)))
}

/// The incident layer, streamed to its file (it can hold millions of features).
fn write_incidents_layer(
    out: &Path,
    header: &Header,
    located: &[LocatedIncident],
    a: &Analysis,
) -> Result<(PathBuf, LayerInfo)> {
    let rows: Vec<(&LocatedIncident, &Placement)> = located.iter().zip(&a.placements).collect();
    let fields: Vec<&str> = super::incidents::FIELDS
        .iter()
        .chain(&PLACEMENT_FIELDS)
        .copied()
        .collect();
    let row: &RowFn<(&LocatedIncident, &Placement)> = &|(l, pl), out| {
        super::incidents::cells(l, located, out);
        out.extend([
            arc_cell(&pl.border_id),
            real_cell(pl.distance_km),
            real_cell(pl.along_km),
            arc_cell(&pl.side),
            real_cell(Some(pl.in_corridor)),
            real_cell(Some(pl.weight)),
            pl.excluded
                .map_or(Cell::Null, |s| Cell::Text(Cow::Borrowed(s))),
        ]);
        (l.location.lon, l.location.lat)
    };
    let mut features = FeatureWriter::new(&fields, row);
    let marked = features.mark_date_like(&super::incidents::DATE_FIELDS, &rows);
    let mut types = BTreeSet::new();
    for l in located {
        if let Some(t) = &l.record.event_type
            && !types.contains(t)
        {
            types.insert(t.clone());
        }
    }
    let file = "incidents.geojson";
    let path = out.join(file);
    let mut bbox = None;
    write_atomic_with(&path, |w| {
        write_head(w, "incidents", header, &[], &marked)?;
        bbox = features.write(w, &rows)?;
        w.write_all(b"]}\n")?;
        Ok(())
    })?;
    let info = LayerInfo {
        name: "incidents".into(),
        file: file.into(),
        kind: GeomKind::Point,
        bbox,
        style: Style::Incidents {
            event_types: types.into_iter().map(String::from).collect(),
        },
    };
    Ok((path, info))
}

// ---------------------------------------------------------------------------------------
// Tables

/// What a CSV column holds, for the metadata sidecar.
fn column_type(name: &str) -> &'static str {
    match name {
        "index" | "records" => "integer",
        "hotspot" | "comparable" => "boolean",
        "data_start" | "data_end" => "date",
        "segment_id" | "sector_id" | "border_id" | "province_id" | "province" | "country"
        | "provinces" | "name" | "length_basis" | "event_type" | "period" => "string",
        _ => "number",
    }
}

fn column_description(name: &str) -> Option<&'static str> {
    Some(match name {
        "events_weighted" => "events apportioned to the unit (each record's count times its share)",
        "events_raw" => "events whose point position falls in the unit (no apportioning)",
        "records" => "records contributing any share",
        "fatalities" => "best-estimate deaths, apportioned; unknown counts as nothing",
        "fatalities_low" | "fatalities_high" => {
            "low / high deaths (the best estimate where a record has none)"
        }
        "fatalities_unknown_events" => "weighted events whose fatalities are unknown",
        "wounded_unknown_events" => "weighted events whose wounded are unknown",
        "length_km" => "length the rates divide by, km",
        "length_basis" => "measured (geodesic, as drawn) or published length",
        "years" => "length of the analysis window, years",
        "per_100km" => "events_weighted per 100 km of border",
        "per_100km_per_year" => "events_weighted per 100 km of border per year",
        "ci95_low" | "ci95_high" => "exact 95% Poisson interval of per_100km_per_year",
        "km_from" | "km_to" => "position along the border, km from its km 0",
        "hotspot" => {
            "true when the segment's count exceeds its border's rate (exact one-sided Poisson test, Benjamini-Hochberg q <= 0.05 across the border's segments); empty when not tested (no length, or weighted by fatalities)"
        }
        "hotspot_q" => {
            "Benjamini-Hochberg q-value of the hotspot test across the border's segments"
        }
        "hotspot_p" => {
            "one-sided exact Poisson p-value of the segment's count given hotspot_expected"
        }
        "hotspot_expected" => {
            "events the border's rate gives the segment: border events x segment length / border length"
        }
        _ => return None,
    })
}

fn write_tables(out: &Path, a: &Analysis, header: &Header) -> Result<Vec<PathBuf>> {
    let csvs: [(&str, String, &str); 5] = [
        (
            "segments.csv",
            tables::segments_csv(a)?,
            "incidents per border segment",
        ),
        (
            "sectors.csv",
            tables::sectors_csv(a)?,
            "incidents per sector (stretch of border along one province, either side)",
        ),
        (
            "borders.csv",
            tables::borders_csv(a)?,
            "incidents per border",
        ),
        (
            "by_event_type.csv",
            tables::breakdown_csv(&a.by_type, "event_type")?,
            "incidents in the corridor per border and event type",
        ),
        (
            "by_period.csv",
            tables::breakdown_csv(&a.by_period, "period")?,
            "incidents in the corridor per border and period",
        ),
    ];
    let mut written = Vec::new();
    let mut described = Vec::new();
    for (file, text, what) in csvs {
        let path = out.join(file);
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
        let head = text.lines().next().unwrap_or_default();
        let columns: Vec<Value> = head
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| {
                let mut m = Map::new();
                m.insert("name".into(), json!(c));
                m.insert("type".into(), json!(column_type(c)));
                if let Some(d) = column_description(c) {
                    m.insert("description".into(), json!(d));
                }
                Value::Object(m)
            })
            .collect();
        described.push(json!({
            "file": file,
            "description": what,
            "rows": text.lines().count().saturating_sub(1),
            "columns": columns,
        }));
    }
    let meta = json!({
        "attribution": header.attribution,
        "generator": header.generator,
        "parameters": header.parameters,
        "notes": "UTF-8, comma-separated, header row; an empty cell is unknown; cells a spreadsheet would run as a formula start with an apostrophe.",
        "tables": described,
    });
    let path = out.join("tables_metadata.json");
    let text = serde_json::to_string_pretty(&meta).context("tables metadata")? + "\n";
    write_atomic(&path, text.as_bytes())?;
    written.push(path);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gdal_date_lookalikes() {
        for s in [
            "2025-11-26",
            "2025/11/26",
            "1/2/3",
            "25-11-26",
            " 2025-11-26",
            "2025-11-26T10:00",
            "2025-11-26Z",
            "12:30",
        ] {
            assert!(looks_like_gdal_datetime(s), "{s}");
        }
        for s in [
            "TJ-2025-11-26",
            "2025-12",
            "2025",
            "12345",
            "2025-13-45",
            "2025-11-26 (reported)",
            "near Darvoz",
            "",
        ] {
            assert!(!looks_like_gdal_datetime(s), "{s}");
        }
    }

    #[test]
    fn one_sided_corridor_keeps_the_right_side() {
        // An eastward line: its right side is south (negative y).
        let line = LineString::from(vec![(0.0, 0.0), (100.0, 0.0), (200.0, 10.0)]);
        let right = corridor_km(&line, 50.0, CorridorSide::Afghan);
        let left = corridor_km(&line, 50.0, CorridorSide::Neighbour);
        let both = corridor_km(&line, 50.0, CorridorSide::Both);
        let r = right.bounding_rect().unwrap();
        let l = left.bounding_rect().unwrap();
        assert!(r.max().y < 11.0 && r.min().y < -49.0, "{r:?}");
        assert!(l.min().y > -0.01 && l.max().y > 49.0, "{l:?}");
        let (ar, al, ab) = (
            right.unsigned_area(),
            left.unsigned_area(),
            both.unsigned_area(),
        );
        assert!((ar + al - ab).abs() / ab < 0.01, "{ar} + {al} vs {ab}");
        // Flat ends: nothing beyond x = 0 on the left.
        assert!(both.bounding_rect().unwrap().min().x > -0.01);
    }
}
