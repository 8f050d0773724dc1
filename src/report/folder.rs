//! Reading a run's output folder back: the GeoJSON layers, the CSV tables, the summary, the
//! configuration and the SVG figures `report.html` is made from. Only the fields the report
//! shows are read (a 100,000-incident layer is parsed into a few columns, not a tree), and a
//! missing or unreadable file is named with what writes it.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// A run's output folder.
pub struct Folder {
    pub dir: PathBuf,
}

/// A GeoJSON layer as the report reads it: its features.
#[derive(Deserialize)]
pub struct Layer<P> {
    pub features: Vec<Feature<P>>,
}

/// The top-level members every layer of a run carries (its features skipped).
#[derive(Deserialize)]
pub struct Head {
    #[serde(default)]
    pub attribution: Option<String>,
    #[serde(default)]
    pub parameters: Option<Value>,
}

/// One feature: its geometry and the properties `P` the report needs.
#[derive(Deserialize)]
pub struct Feature<P> {
    pub geometry: Option<Geometry>,
    pub properties: P,
}

/// The geometries the layers hold (lon/lat, as GeoJSON writes them).
#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
pub enum Geometry {
    Point([f64; 2]),
    LineString(Vec<[f64; 2]>),
    MultiLineString(Vec<Vec<[f64; 2]>>),
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

impl Geometry {
    /// Every line or ring of the geometry (a point gives none).
    pub fn paths(&self) -> Vec<&[[f64; 2]]> {
        match self {
            Geometry::Point(_) => Vec::new(),
            Geometry::LineString(l) => vec![l.as_slice()],
            Geometry::MultiLineString(ls) | Geometry::Polygon(ls) => {
                ls.iter().map(Vec::as_slice).collect()
            }
            Geometry::MultiPolygon(ps) => ps.iter().flatten().map(Vec::as_slice).collect(),
        }
    }
}

/// An incident as the map shows it (fields of `incidents.geojson`).
#[derive(Deserialize)]
pub struct IncidentProps {
    pub incident_id: String,
    pub date_start: Option<String>,
    pub date_end: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub location: Option<String>,
    pub event_type: Option<String>,
    pub fatalities: Option<f64>,
    pub wounded: Option<f64>,
    pub count: Option<f64>,
    pub source: Option<String>,
    pub source_url: Option<String>,
    pub locate_method: Option<String>,
    pub precision: Option<String>,
    pub uncertainty_km: Option<f64>,
    pub stretch_border: Option<String>,
    pub stretch_km_from: Option<f64>,
    pub stretch_km_to: Option<f64>,
    pub nearest_border: Option<String>,
    pub analysis_excluded: Option<String>,
}

/// A border line (`borders.geojson`).
#[derive(Deserialize)]
pub struct BorderProps {
    pub border_id: String,
    pub name: String,
}

/// A segment with its figures (`segments.geojson`).
#[derive(Deserialize)]
pub struct SegmentProps {
    pub segment_id: String,
    pub border_id: String,
    pub km_from: f64,
    pub km_to: f64,
    #[serde(default)]
    pub provinces: Option<String>,
    pub events_weighted: Option<f64>,
    pub per_100km: Option<f64>,
    pub per_100km_per_year: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    pub hotspot: Option<bool>,
    pub hotspot_q: Option<f64>,
}

/// A context area (`countries`, `provinces`, `districts`): its name and, for countries, its
/// ISO code.
#[derive(Deserialize)]
pub struct AreaProps {
    pub name: Option<String>,
    #[serde(default)]
    pub iso_a2: Option<String>,
}

impl Folder {
    pub fn new(dir: &Path) -> Folder {
        Folder {
            dir: dir.to_path_buf(),
        }
    }

    /// The path of a file of the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Whether the folder holds `name`.
    pub fn has(&self, name: &str) -> bool {
        self.path(name).is_file()
    }

    /// A file the report cannot do without, as text; its absence is an error naming it.
    pub fn text(&self, name: &str) -> Result<String> {
        let p = self.path(name);
        if !p.is_file() {
            bail!(missing(&p));
        }
        std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))
    }

    /// A file the report can do without (a figure, the comparison): `None` when absent.
    pub fn optional_text(&self, name: &str) -> Result<Option<String>> {
        if self.has(name) {
            self.text(name).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A GeoJSON layer, with the properties `P` of each feature.
    pub fn layer<P: for<'de> Deserialize<'de>>(&self, name: &str) -> Result<Layer<P>> {
        let p = self.path(name);
        let text = self.text(name)?;
        serde_json::from_str(&text).with_context(|| format!("reading {}", p.display()))
    }

    /// Hands each feature of a layer to `each`, in order, as it is read: the layer is never
    /// held whole, neither as text nor as features (an incident layer of 100,000 features is
    /// 120 MB of text).
    ///
    /// The features are found in blocks of the file and parsed on all cores
    /// ([`super::feature_split`]); whatever that cannot vouch for is read again by the
    /// streaming reader (the features already handed on skipped), whose errors name the
    /// line and column.
    pub fn each_feature<P: for<'de> Deserialize<'de> + Send>(
        &self,
        name: &str,
        mut each: impl FnMut(Feature<P>),
    ) -> Result<()> {
        let p = self.path(name);
        if !p.is_file() {
            bail!(missing(&p));
        }
        let mut handed = 0usize;
        let whole = split_features(&p, &mut |f| {
            handed += 1;
            each(f);
        });
        if matches!(whole, Ok(true)) {
            return Ok(());
        }
        let mut skip = handed;
        let file = std::fs::File::open(&p).with_context(|| format!("reading {}", p.display()))?;
        let mut de =
            serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 20, file));
        let rest = |f: Feature<P>| match skip.checked_sub(1) {
            Some(left) => skip = left,
            None => each(f),
        };
        serde::de::DeserializeSeed::deserialize(Features(rest, PhantomData), &mut de)
            .and_then(|()| de.end())
            .with_context(|| format!("reading {}", p.display()))
    }

    /// A layer's top-level members (`attribution`, `parameters`).
    pub fn head(&self, name: &str) -> Result<Head> {
        let p = self.path(name);
        let text = self.text(name)?;
        serde_json::from_str(&text).with_context(|| format!("reading {}", p.display()))
    }

    /// A CSV table as its header and rows of cells.
    pub fn csv(&self, name: &str) -> Result<Table> {
        let p = self.path(name);
        let text = self.text(name)?;
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r
            .headers()
            .with_context(|| format!("reading {}", p.display()))?
            .iter()
            .map(String::from)
            .collect();
        let rows = r
            .records()
            .map(|rec| Ok(rec?.iter().map(String::from).collect()))
            .collect::<Result<Vec<Vec<String>>>>()
            .with_context(|| format!("reading {}", p.display()))?;
        Ok(Table { header, rows })
    }

    /// The run's configuration (`run-config.toml`).
    pub fn config(&self) -> Result<crate::pipeline::RunConfig> {
        let p = self.path("run-config.toml");
        let text = self.text("run-config.toml")?;
        toml::from_str(&text).with_context(|| format!("reading {}", p.display()))
    }
}

/// What the report says of a file it needs and cannot find.
fn missing(p: &Path) -> String {
    format!(
        "{} is missing: the report is made from the files `borderwatch run` writes \
         (run it into this folder first)",
        p.display()
    )
}

/// Bytes of a layer read at a time by [`split_features`].
const SPLIT_BLOCK: usize = 8 << 20;

/// The most of a layer's text outside its `features` arrays that [`split_features`] holds:
/// a run's layers have a few kilobytes there; more is left to the streaming reader.
const SKELETON_LIMIT: usize = 16 << 20;

/// [`Folder::each_feature`]'s fast path: `Ok(true)` when every feature was handed on and
/// the rest of the file read as the streaming reader reads it; `Ok(false)` (or an error)
/// when the streaming reader must go on from the features handed so far (a key written
/// with escapes, for one, is left to it).
fn split_features<P: for<'de> Deserialize<'de> + Send>(
    p: &Path,
    each: &mut dyn FnMut(Feature<P>),
) -> Result<bool> {
    use rayon::prelude::*;
    let mut file = std::fs::File::open(p)?;
    // Text outside the split-off elements reads as the streaming reader reads it, with no
    // feature of its own.
    let reads_alone = |text: &[u8]| {
        let mut features = 0usize;
        let mut de = serde_json::Deserializer::from_slice(text);
        let read = serde::de::DeserializeSeed::deserialize(
            Features(
                |_: Feature<serde::de::IgnoredAny>| features += 1,
                PhantomData,
            ),
            &mut de,
        )
        .and_then(|()| de.end());
        read.is_ok() && features == 0
    };
    // Before a `features` array's elements are handed on, what comes before them (closed
    // after the array's `[`) must read so: then the features are handed on exactly where
    // that reader would hand them on.
    let prefix_reads = |prefix: &[u8]| {
        let mut closed = prefix.to_vec();
        closed.extend_from_slice(b"]}");
        reads_alone(&closed)
    };
    let mut splitter = super::feature_split::Splitter::new(&prefix_reads);
    // Each block is parsed on the pool while this thread reads and scans the next one; its
    // features are handed on after that, so they still come in file order.
    let mut block = read_block(&mut file, &mut splitter, Vec::new())?;
    loop {
        if block.unexpected || splitter.skeleton.len() > SKELETON_LIMIT {
            return Ok(false);
        }
        let Block {
            complete,
            elements,
            open,
            read,
            ..
        } = block;
        let (parsed, next) = rayon::join(
            || -> Vec<serde_json::Result<Feature<P>>> {
                elements
                    .par_iter()
                    .with_min_len(64)
                    .map(|r| serde_json::from_slice(&complete[r.clone()]))
                    .collect()
            },
            || (read > 0).then(|| read_block(&mut file, &mut splitter, open)),
        );
        for f in parsed {
            match f {
                Ok(f) => each(f),
                Err(_) => return Ok(false),
            }
        }
        match next {
            Some(next) => block = next?,
            None => break,
        }
    }
    if splitter.in_element() {
        return Ok(false);
    }
    Ok(reads_alone(&splitter.skeleton))
}

/// A block of a layer as [`read_block`] leaves it: the bytes up to an element still open,
/// with the complete elements in them, and that open element's start.
struct Block {
    complete: Vec<u8>,
    elements: Vec<std::ops::Range<usize>>,
    /// The start of an element the block ends inside, to be completed by the next one.
    open: Vec<u8>,
    /// Bytes read (0 at the end of the file).
    read: usize,
    unexpected: bool,
}

/// Reads up to [`SPLIT_BLOCK`] more bytes after `carried` (an open element's start) and
/// scans them.
fn read_block(
    file: &mut std::fs::File,
    splitter: &mut super::feature_split::Splitter<'_>,
    carried: Vec<u8>,
) -> std::io::Result<Block> {
    use std::io::Read as _;
    let mut buf = carried;
    buf.reserve(SPLIT_BLOCK);
    let start = buf.len();
    let read = file.take(SPLIT_BLOCK as u64).read_to_end(&mut buf)?;
    let found = splitter.scan(&buf, start);
    let keep_from = splitter.carry_open(buf.len());
    let open = buf[keep_from..].to_vec();
    buf.truncate(keep_from);
    Ok(Block {
        complete: buf,
        elements: found.elements,
        open,
        read,
        unexpected: found.unexpected,
    })
}

/// The streaming reader behind [`Folder::each_feature`]: a FeatureCollection whose
/// `features` are handed over one by one, every other member skipped.
struct Features<F, P>(F, PhantomData<P>);

impl<'de, F: FnMut(Feature<P>), P: Deserialize<'de>> serde::de::DeserializeSeed<'de>
    for Features<F, P>
{
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Feature<P>), P: Deserialize<'de>> serde::de::Visitor<'de> for Features<F, P> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "features" {
                map.next_value_seed(EachFeature(&mut self.0, PhantomData))?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The `features` array, each element handed to the callback.
struct EachFeature<'f, F, P>(&'f mut F, PhantomData<P>);

impl<'de, F: FnMut(Feature<P>), P: Deserialize<'de>> serde::de::DeserializeSeed<'de>
    for EachFeature<'_, F, P>
{
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Feature<P>), P: Deserialize<'de>> serde::de::Visitor<'de>
    for EachFeature<'_, F, P>
{
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(f) = seq.next_element::<Feature<P>>()? {
            (self.0)(f);
        }
        Ok(())
    }
}

/// A CSV table read back.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The index of a column; an error naming the table's columns when it has none so named.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("no column {name} among {}", self.header.join(", ")))
    }

    /// A cell of a row by column name ("" when the row is short).
    pub fn cell<'a>(&'a self, row: &'a [String], name: &str) -> &'a str {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = Folder::new(dir.path());
        let e = f.text("segments.geojson").unwrap_err().to_string();
        assert!(e.contains("segments.geojson is missing"), "{e}");
        assert!(f.optional_text("comparison.svg").unwrap().is_none());
    }

    #[test]
    fn features_are_streamed_one_by_one_other_members_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("l.geojson"),
            r#"{"type":"FeatureCollection","name":"l","parameters":{"a":[1,2]},"features":[
              {"type":"Feature","id":0,"geometry":{"type":"Point","coordinates":[60.5,31.25]},"properties":{"name":"a","x":1}},
              {"type":"Feature","id":1,"geometry":null,"properties":{"name":null}}],"attribution":"z"}"#,
        )
        .unwrap();
        let mut seen = Vec::new();
        Folder::new(dir.path())
            .each_feature("l.geojson", |f: Feature<AreaProps>| {
                seen.push((f.properties.name, f.geometry.is_some()))
            })
            .unwrap();
        assert_eq!(seen, vec![(Some("a".into()), true), (None, false)]);
        let e = Folder::new(dir.path())
            .each_feature("gone.geojson", |_: Feature<AreaProps>| {})
            .unwrap_err();
        assert!(e.to_string().contains("gone.geojson is missing"), "{e}");
    }

    /// The names `each_feature` hands on for a layer's text, or its error.
    fn names_of(text: &str) -> (Vec<Option<String>>, Option<String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("l.geojson"), text).unwrap();
        let mut seen = Vec::new();
        let e = Folder::new(dir.path())
            .each_feature("l.geojson", |f: Feature<AreaProps>| {
                seen.push(f.properties.name)
            })
            .err()
            .map(|e| format!("{e:#}"));
        (seen, e)
    }

    #[test]
    fn a_large_layer_is_read_in_blocks_as_the_streaming_reader_reads_it() {
        // More than two blocks of features, one per line as the run writes them, with text
        // that looks like JSON structure inside the strings.
        let n = 2 * SPLIT_BLOCK / 100 + 7;
        let mut text = String::from(
            r#"{"type":"FeatureCollection","name":"big","attribution":"a \"[{\" b","features":["#,
        );
        for i in 0..n {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                "\n{{\"type\":\"Feature\",\"geometry\":null,\"properties\":{{\"name\":\"p{i} }}]\\\"{{\",\"x\":[{i},{{\"y\":1}}]}}}}"
            ));
        }
        text.push_str("\n]}\n");
        let (seen, e) = names_of(&text);
        assert_eq!(e, None);
        assert_eq!(seen.len(), n);
        // All of it by the fast path, none left to the streaming reader.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.geojson");
        std::fs::write(&path, &text).unwrap();
        let mut fast = 0;
        assert!(split_features(&path, &mut |_: Feature<AreaProps>| fast += 1).unwrap());
        assert_eq!(fast, n);
        for (i, name) in seen.iter().enumerate() {
            assert_eq!(name.as_deref(), Some(format!("p{i} }}]\"{{").as_str()));
        }
    }

    #[test]
    fn a_bad_feature_stops_the_layer_where_the_streaming_reader_stops() {
        let good = |i: usize| {
            format!(r#"{{"type":"Feature","geometry":null,"properties":{{"name":"f{i}"}}}}"#)
        };
        let lines: Vec<String> = (0..5).map(good).collect();
        let head = r#"{"type":"FeatureCollection","features":["#;
        // A feature whose name is a number: the features before it are handed on once each,
        // and the error has the streaming reader's line and column.
        let mut bad = lines.clone();
        bad[3] = r#"{"type":"Feature","geometry":null,"properties":{"name":7}}"#.into();
        let (seen, e) = names_of(&format!("{head}\n{}\n]}}", bad.join(",\n")));
        let want: Vec<Option<String>> = (0..3).map(|i| Some(format!("f{i}"))).collect();
        assert_eq!(seen, want);
        let e = e.expect("an error");
        assert!(e.contains("l.geojson") && e.contains("line 5"), "{e}");
        // A comma too many, and a layer cut short.
        let (seen, e) = names_of(&format!("{head}\n{},\n]}}", lines.join(",\n")));
        assert_eq!(seen.len(), 5);
        assert!(e.expect("an error").contains("line 7"));
        let (seen, e) = names_of(&format!("{head}\n{}", lines[..2].join(",\n")));
        assert_eq!(seen.len(), 2);
        assert!(e.expect("an error").contains("EOF"));
        // Nothing is handed on when what comes before the features does not read, and a
        // key written with escapes keeps its place.
        for broken in [
            format!(r#"{{"a":tru,"features":[{}]}}"#, lines[0]),
            format!(r#"{{"features":5,"features":[{}]}}"#, lines[0]),
            format!(r#"{{"a":1}}{{"features":[{}]}}"#, lines[0]),
        ] {
            let (seen, e) = names_of(&broken);
            assert!(seen.is_empty() && e.is_some(), "{broken}");
        }
        let escaped = format!(
            r#"{{"feat\u0075res":[{}],"features":[{}]}}"#,
            lines[1], lines[0]
        );
        let (seen, e) = names_of(&escaped);
        assert_eq!(e, None);
        assert_eq!(seen, vec![Some("f1".into()), Some("f0".into())]);
        // A second `features` member is read too, in order.
        let two = format!(
            r#"{{"features":[{}],"x":1,"features":[{}]}}"#,
            lines[0], lines[1]
        );
        let (seen, e) = names_of(&two);
        assert_eq!(e, None);
        assert_eq!(seen, vec![Some("f0".into()), Some("f1".into())]);
    }

    #[test]
    fn geometries_give_their_paths() {
        let g: Geometry =
            serde_json::from_str(r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[0,1],[0,0]]],[[[5,5],[6,5],[5,6],[5,5]]]]}"#)
                .unwrap();
        assert_eq!(g.paths().len(), 2);
        let p: Geometry = serde_json::from_str(r#"{"type":"Point","coordinates":[1,2]}"#).unwrap();
        assert!(p.paths().is_empty());
    }
}
