//! The export stage: every result as an RFC 7946 GeoJSON layer in one folder, with a QGIS
//! style beside each layer, and all of them in one GeoPackage with the styles inside
//! (`--layers` chooses; both by default), a QGIS project that opens them all (from the
//! GeoPackage when it is written), and the CSV tables with a metadata sidecar that also
//! lists every layer's fields. Each layer's fields and types come from
//! [`super::schema`]; a layer whose values do not fit it is refused as a bug.
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
//!
//! One file per kind of layer, all written through `layer::Layer` and the shared feature
//! writer (`export::features`): `areas` (context areas, isobands), `border_layers`
//! (corridors, borders, sectors, segments), `incident_layer` (the incidents with their
//! placement); `geometry` makes their shapes, `table_files` writes the tables beside
//! them. This stage reads the analysis and the geodata; it must not know how they were made
//! nor how a map is drawn.

mod areas;
mod border_layers;
mod geometry;
mod incident_layer;
mod layer;
mod table_files;

use super::features::looks_like_gdal_datetime;
use super::gpkg::{GPKG_FILE, GeoPackage};
use super::qgis::{self, LayerInfo, ProjectInfo};
use super::schema::{self, Field, UserColumns};
use super::write_atomic_with;
use crate::density::Analysis;
use crate::density::kde::{self, Isoband, Surface, SurfaceGrid};
use crate::geodata::{ATTRIBUTION, GeoData};
use crate::model::{Date, LocatedIncident, SourceFormat};
use crate::projection::{Projection, REGION_ALBERS};
use anyhow::{Context, Result, bail};
use areas::{countries_layer, districts_layer, isobands_layer, provinces_layer};
use border_layers::{borders_layer, corridors_layer, sectors_layer, segments_layer};
use geometry::analysis_extent;
use incident_layer::write_incidents_layer;
use layer::{Layer, opt_str, real};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
pub(crate) use table_files::column_description;
use table_files::write_tables;

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
    /// Which files the layers are written as.
    pub formats: LayerFormats,
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
            formats: LayerFormats::default(),
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
    let grid = surface.map(Surface::grid);
    let begun = LayerWriter::begin(out, geo, located, analysis, grid.as_ref(), meta)?;
    let drawn;
    let bands: &[Isoband] = match (isobands.is_empty(), surface) {
        (true, Some(s)) => {
            drawn = kde::isobands(s, &kde::default_thresholds(s), &Projection::region())?;
            &drawn
        }
        _ => isobands,
    };
    begun.finish(bands)
}

/// [`write_all`] in two steps, for a run that makes its density surface meanwhile:
/// [`LayerWriter::begin`] needs only the surface's grid (the layers' headers name it) and
/// writes the context layers, which come before the isobands in the GeoPackage;
/// [`LayerWriter::finish`] takes the isobands and writes the rest. The files are the same
/// as [`write_all`]'s.
pub struct LayerWriter<'a> {
    out: &'a Path,
    located: &'a [LocatedIncident],
    analysis: &'a Analysis,
    /// The run's provenance (a copy: a few short texts).
    meta: RunMeta,
    header: Header,
    gpkg: Option<GeoPackage>,
    /// The incidents' first start and last end and their event types ([`DatesAndTypes`]),
    /// found while the surface is made rather than after the incident layer, where only the
    /// GeoPackage's inserts would have run beside them.
    time_range: Option<(Date, Date)>,
    event_types: Vec<String>,
    written: Vec<PathBuf>,
    infos: Vec<LayerInfo>,
    schemas: Vec<Value>,
}

impl<'a> LayerWriter<'a> {
    /// Checks that `located` are the analysis's incidents, starts the GeoPackage and writes
    /// the context layers (countries, provinces, districts). `grid` is the density
    /// surface's, `None` when the run makes no surface.
    pub fn begin(
        out: &'a Path,
        geo: &GeoData,
        located: &'a [LocatedIncident],
        analysis: &'a Analysis,
        grid: Option<&SurfaceGrid>,
        meta: &RunMeta,
    ) -> Result<LayerWriter<'a>> {
        if located.len() != analysis.placements.len() {
            bail!(
                "the analysis ran on {} incidents but {} were given to export",
                analysis.placements.len(),
                located.len()
            );
        }
        let header = Header {
            attribution: attribution(meta),
            generator: format!("borderwatch {}", meta.version),
            parameters: parameters(analysis, grid, meta),
        };
        let formats = meta.formats;
        let DatesAndTypes {
            range: time_range,
            types: event_types,
        } = DatesAndTypes::of(located);
        let gpkg_path = out.join(GPKG_FILE);
        let gpkg = if formats.gpkg {
            Some(GeoPackage::create(&gpkg_path, &gpkg_stamp(time_range))?)
        } else {
            // The project opens the GeoJSON now: a package from an earlier run must not pass
            // for this one.
            remove_stale(&[gpkg_path])?;
            None
        };
        let mut writer = LayerWriter {
            out,
            located,
            analysis,
            meta: meta.clone(),
            header,
            gpkg,
            time_range,
            event_types,
            written: Vec::new(),
            infos: Vec::new(),
            schemas: Vec::new(),
        };
        for layer in [
            countries_layer(geo),
            provinces_layer(geo),
            districts_layer(geo),
        ] {
            writer.write(layer)?;
        }
        Ok(writer)
    }

    /// Writes the isobands (none: no isoband layer, and one left from an earlier run is
    /// removed), the border layers, the incidents, the tables and the QGIS project, and
    /// finishes the GeoPackage. Returns the files written.
    pub fn finish(mut self, isobands: &[Isoband]) -> Result<Vec<PathBuf>> {
        let (out, located, analysis) = (self.out, self.located, self.analysis);
        let proj = Projection::region();
        let mut layers: Vec<Layer> = Vec::new();
        if isobands.is_empty() {
            // No density this run: a layer left from an earlier run must not pass for one.
            remove_stale(&[
                out.join("density_isobands.geojson"),
                out.join("density_isobands.qml"),
            ])?;
        } else {
            layers.push(isobands_layer(isobands));
        }
        layers.push(corridors_layer(analysis, &proj));
        layers.push(borders_layer(analysis));
        layers.push(sectors_layer(analysis));
        layers.push(segments_layer(analysis, &self.meta));
        for layer in layers {
            self.write(layer)?;
        }
        let (path, info, user) = write_incidents_layer(
            out,
            &self.header,
            located,
            analysis,
            std::mem::take(&mut self.event_types),
            self.meta.formats.geojson,
            self.gpkg.as_mut(),
        )?;
        match path {
            Some(p) => self.written.push(p),
            None => remove_stale(&[out.join(&info.file), out.join("incidents.qml")])?,
        }
        let fields = crate::export::incidents::fields(&user, true);
        self.schemas.push(layer_schema(&info, &fields, Some(&user)));
        self.infos.push(info);

        let header = &self.header;
        let mut written = self.written;
        written.extend(write_tables(out, analysis, header, self.schemas)?);

        let project = ProjectInfo {
            title: "borderwatch: cross-border incidents along Afghanistan's borders".into(),
            attribution: header.attribution.clone(),
            generator: header.generator.clone(),
            parameters: serde_json::to_string(&header.parameters)?,
            extent_km: analysis_extent(analysis, &proj),
            gpkg: self.gpkg.as_ref().map(|_| GPKG_FILE.to_string()),
            time_range: self.time_range,
        };
        let infos = self.infos;
        written.extend(qgis::write(
            out,
            &infos,
            &project,
            self.meta.formats.geojson,
        )?);
        if let Some(mut g) = self.gpkg {
            let styles: Vec<(String, String)> = infos
                .iter()
                .map(|l| (l.name.clone(), qgis::qml(l)))
                .collect();
            g.add_styles(&styles)?;
            written.push(g.finish()?);
        }
        Ok(written)
    }

    /// One layer as GeoJSON and into the GeoPackage, as `--layers` says, with its entry in
    /// the project and the metadata.
    fn write(&mut self, layer: Layer) -> Result<()> {
        let layer = layer.prepare()?;
        let info = layer.info(&format!("{}.geojson", layer.name()));
        let path = self.out.join(&info.file);
        if self.meta.formats.geojson {
            write_atomic_with(&path, |w| layer.write_geojson(&self.header, w))?;
            self.written.push(path);
        } else {
            remove_stale(&[path, self.out.join(format!("{}.qml", layer.name()))])?;
        }
        if let Some(g) = &mut self.gpkg {
            layer.write_gpkg(g)?;
        }
        self.schemas.push(layer_schema(&info, layer.fields(), None));
        self.infos.push(info);
        Ok(())
    }
}

/// Which files the layers are written as (`--layers`): both by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerFormats {
    /// `borderwatch.gpkg`, every layer with its style inside.
    pub gpkg: bool,
    /// `LAYER.geojson` with `LAYER.qml` beside it.
    pub geojson: bool,
}

impl Default for LayerFormats {
    fn default() -> LayerFormats {
        LayerFormats {
            gpkg: true,
            geojson: true,
        }
    }
}

/// The names `--layers` takes.
pub const LAYER_FORMATS: [&str; 2] = ["gpkg", "geojson"];

impl LayerFormats {
    /// The formats named (case ignored); `Err` with the names not known.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> std::result::Result<LayerFormats, Vec<String>> {
        let mut f = LayerFormats {
            gpkg: false,
            geojson: false,
        };
        let mut unknown = Vec::new();
        for n in names {
            match n.as_ref().trim().to_ascii_lowercase().as_str() {
                "gpkg" => f.gpkg = true,
                "geojson" => f.geojson = true,
                _ => unknown.push(n.as_ref().to_string()),
            }
        }
        if unknown.is_empty() {
            Ok(f)
        } else {
            Err(unknown)
        }
    }
}

/// Removes files an earlier run wrote that this run does not write.
pub(crate) fn remove_stale(paths: &[PathBuf]) -> Result<()> {
    for path in paths {
        if path.is_file() {
            std::fs::remove_file(path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

/// The time every GeoPackage row is dated (`last_change`, `update_time`): the end of the
/// latest incident (`range` is [`DatesAndTypes`]'s), so the same input always gives the same
/// file; 1970-01-01 without dates.
fn gpkg_stamp(range: Option<(Date, Date)>) -> String {
    match range {
        Some((_, last)) => format!("{last}T00:00:00.000Z"),
        None => "1970-01-01T00:00:00.000Z".into(),
    }
}

/// What the layers read of every incident before the first is written: the first start and
/// last end of their dates (`None` when none is dated), and their event types as written,
/// each once, in order (the incident layer's style gives each its symbol).
struct DatesAndTypes {
    range: Option<(Date, Date)>,
    types: Vec<String>,
}

/// The first start and last end of two ranges, either of which may be none.
fn spanning(a: Option<(Date, Date)>, b: Option<(Date, Date)>) -> Option<(Date, Date)> {
    match (a, b) {
        (Some((f1, l1)), Some((f2, l2))) => Some((f1.min(f2), l1.max(l2))),
        (a, b) => a.or(b),
    }
}

impl DatesAndTypes {
    /// One pass over the incidents, on the pool. Two passes on one thread (a cache miss per
    /// incident each, and each type compared as text) were about a tenth of a second of a
    /// million's run, the last thing before the maps could start. A type is compared as text
    /// only the first time its copy is seen: the records of a file share a few copies of each.
    fn of(located: &[LocatedIncident]) -> DatesAndTypes {
        use rayon::prelude::*;
        // Keyed by where a copy's text starts: the incidents, and so their copies, outlive this.
        type Copies<'a> = rustc_hash::FxHashMap<usize, &'a str>;
        fn add<'a>(
            (range, mut copies): (Option<(Date, Date)>, Copies<'a>),
            l: &'a LocatedIncident,
        ) -> (Option<(Date, Date)>, Copies<'a>) {
            let r = &l.record;
            let range = spanning(range, r.date.map(|d| (d.start, d.end)));
            if let Some(t) = &r.event_type {
                copies.entry(t.as_ptr() as usize).or_insert(t);
            }
            (range, copies)
        }
        let (range, copies) = located
            .par_iter()
            .with_min_len(16_384)
            .fold(|| (None, Copies::default()), add)
            .reduce(
                || (None, Copies::default()),
                |(a, mut copies), (b, more)| {
                    copies.extend(more);
                    (spanning(a, b), copies)
                },
            );
        let types: BTreeSet<&str> = copies.into_values().collect();
        DatesAndTypes {
            range,
            types: types.into_iter().map(str::to_string).collect(),
        }
    }
}

/// A layer's schema for `tables_metadata.json`: name, geometry, file(s), and each field's
/// name, type and meaning (a user's column also with the column it came from).
fn layer_schema(info: &LayerInfo, fields: &[Field], user: Option<&UserColumns>) -> Value {
    let fields: Vec<Value> = fields
        .iter()
        .map(|f| {
            let mut m = Map::new();
            m.insert("name".into(), json!(f.name));
            m.insert("type".into(), json!(f.ty.metadata()));
            let column = user.and_then(|u| {
                u.columns
                    .iter()
                    .find(|(_, uf)| uf.name == f.name)
                    .map(|(k, _)| k)
            });
            match column {
                Some(k) => {
                    m.insert("description".into(), json!("the input's own column"));
                    m.insert("source_column".into(), json!(k));
                }
                None => {
                    m.insert(
                        "description".into(),
                        json!(schema::describe(&info.name, &f.name)),
                    );
                }
            }
            Value::Object(m)
        })
        .collect();
    json!({
        "layer": info.name,
        "geometry": info.kind.wkb(),
        "geojson": info.file,
        "gpkg_table": info.name,
        "fields": fields,
    })
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
fn parameters(a: &Analysis, grid: Option<&SurfaceGrid>, meta: &RunMeta) -> Value {
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
    if let Some(s) = grid {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DatePrecision, DateSpan, Location, PrecisionClass};
    use std::sync::Arc;

    fn incident(
        i: usize,
        date: Option<(Date, Date)>,
        event_type: Option<Arc<str>>,
    ) -> LocatedIncident {
        let mut record = crate::ingest::numbered_record(i);
        record.date = date.map(|(start, end)| DateSpan {
            start,
            end,
            precision: DatePrecision::Day,
        });
        record.event_type = event_type;
        LocatedIncident {
            record,
            location: Location::from_coordinates(
                70.0,
                35.0,
                PrecisionClass::Exact,
                1.0,
                String::new(),
            ),
            possible_duplicates: Vec::new(),
        }
    }

    /// Spread over many parts of the pool: the range is the earliest start and the latest end,
    /// undated incidents aside; each type once, in order, whether its copies are shared or not.
    #[test]
    fn dates_and_types_are_the_range_and_each_type_once_in_order() {
        let day = |y, m, d| Date::new(y, m, d).unwrap();
        let shared: Arc<str> = "Battles".into();
        let located: Vec<LocatedIncident> = (0..100_000)
            .map(|i| {
                let date = match i % 3 {
                    0 => None,
                    _ => Some((day(2020, 1, 1 + (i % 28) as u8), day(2021, 6, 1))),
                };
                let event_type = match i % 4 {
                    0 => Some(shared.clone()),
                    // A copy of its own each time: compared as text.
                    1 => Some(Arc::from("Explosions/Remote violence")),
                    2 => None,
                    _ => Some(Arc::from(if i == 99_999 { "Riots" } else { "Battles" })),
                };
                incident(i, date, event_type)
            })
            .chain([
                incident(100_000, Some((day(2019, 12, 31), day(2020, 1, 2))), None),
                incident(100_001, Some((day(2020, 5, 5), day(2022, 2, 2))), None),
            ])
            .collect();
        let found = DatesAndTypes::of(&located);
        assert_eq!(found.range, Some((day(2019, 12, 31), day(2022, 2, 2))));
        assert_eq!(
            found.types,
            ["Battles", "Explosions/Remote violence", "Riots"]
        );
        let undated = DatesAndTypes::of(&located[..1]);
        assert_eq!(undated.range, None);
        assert_eq!(undated.types, ["Battles"]);
        let none = DatesAndTypes::of(&[]);
        assert_eq!((none.range, none.types.len()), (None, 0));
    }
}
