//! QGIS styles and project for the exported layers, written as plain XML text (QGIS 3
//! format, every value XML-escaped).
//!
//! - `LAYER.qml` beside each `LAYER.geojson`: QGIS applies a `.qml` with the layer's base name
//!   as its default style when the layer is added.
//! - `borderwatch.qgs`: a project that opens every layer (countries at the bottom, then
//!   provinces, districts, density isobands, corridors, borders, sectors — hidden, they overlap the
//!   segments — segments, and incidents on top) with the same styles, relative paths,
//!   EPSG:4326 layers, the region's Albers equal-area projection (as a PROJ string) for the
//!   map, the view set to the analysis extent, and the attribution and run parameters in the
//!   project metadata, the project variables `@borderwatch_attribution` and
//!   `@borderwatch_generator`, and the project entry `borderwatch/parameters`.
//!
//! Styles: segments graduated by `per_100km_per_year` in the run's classes (none, then the
//! classes the maps and the profile use, [`super::classes`]; yellow–orange–red, thick lines
//! with a dark casing); sectors graduated the same way on their own rates (none, then
//! quartiles), thinner and offset to their own side; incidents by event type (rule-based: filled circles
//! for exact/near locations, hollow rings for district or coarser ones), sized by fatalities
//! (unknown: small); isobands a translucent blue–purple ramp; borders bold dark lines;
//! corridors light translucent fills; provinces thin grey outlines; districts fainter dotted ones; countries muted fills
//! with their names.

use super::write_atomic;
use crate::projection::REGION_ALBERS;
use anyhow::Result;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The single geometry type of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GeomKind {
    Point,
    Line,
    Polygon,
}

impl GeomKind {
    fn geometry(self) -> &'static str {
        match self {
            GeomKind::Point => "Point",
            GeomKind::Line => "Line",
            GeomKind::Polygon => "Polygon",
        }
    }

    fn wkb(self) -> &'static str {
        match self {
            GeomKind::Point => "Point",
            GeomKind::Line => "LineString",
            GeomKind::Polygon => "MultiPolygon",
        }
    }

    fn code(self) -> u8 {
        match self {
            GeomKind::Point => 0,
            GeomKind::Line => 1,
            GeomKind::Polygon => 2,
        }
    }
}

/// How a layer is drawn, with the data its classes come from.
#[derive(Debug, Clone)]
pub(crate) enum Style {
    Countries {
        codes: Vec<String>,
    },
    Provinces,
    Districts,
    Isobands {
        limits: Vec<(f64, f64)>,
    },
    Corridors,
    Borders,
    Sectors {
        values: Vec<Option<f64>>,
    },
    /// The run's classes ([`super::classes::RateClasses`]) and the values the layer writes.
    Segments {
        values: Vec<Option<f64>>,
        classes: super::classes::RateClasses,
    },
    Incidents {
        event_types: Vec<String>,
    },
}

/// One written layer.
#[derive(Debug, Clone)]
pub(crate) struct LayerInfo {
    pub name: String,
    /// File name in the output folder.
    pub file: String,
    pub kind: GeomKind,
    /// lon/lat bounds: min x, min y, max x, max y.
    pub bbox: Option<[f64; 4]>,
    pub style: Style,
}

/// What the project says about the run.
#[derive(Debug, Clone)]
pub(crate) struct ProjectInfo {
    pub title: String,
    pub attribution: String,
    pub generator: String,
    /// The run parameters as JSON text.
    pub parameters: String,
    /// View extent in the region's Albers projection, km: min x, min y, max x, max y.
    pub extent_km: [f64; 4],
}

/// File name of the project.
pub(crate) const PROJECT_FILE: &str = "borderwatch.qgs";

/// Writes `NAME.qml` for every layer and the project; returns the files written.
pub(crate) fn write(
    out: &Path,
    layers: &[LayerInfo],
    project: &ProjectInfo,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for l in layers {
        let path = out.join(format!("{}.qml", l.name));
        write_atomic(&path, qml(l).as_bytes())?;
        written.push(path);
    }
    let path = out.join(PROJECT_FILE);
    write_atomic(&path, qgs(layers, project).as_bytes())?;
    written.push(path);
    Ok(written)
}

// ---------------------------------------------------------------------------------------
// XML helpers

/// XML-escapes text for an attribute or element (control characters other than tab and
/// newline, which XML 1.0 cannot carry, are dropped).
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\n' => o.push_str("&#10;"),
            '\t' => o.push_str("&#9;"),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// A number as QGIS writes it: shortest text that reads back to the same value.
fn n(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

type Rgba = (u8, u8, u8, u8);

fn rgba(c: Rgba) -> String {
    format!("{},{},{},{}", c.0, c.1, c.2, c.3)
}

/// A QGIS string literal for expressions.
fn qstr(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// One symbol layer: its class, properties and data-defined (expression) properties.
struct SymLayer {
    class: &'static str,
    locked: bool,
    /// Rendering pass (with symbol levels on, all of pass 0 is drawn before pass 1).
    pass: u8,
    props: Vec<(&'static str, String)>,
    dd: Vec<(&'static str, String)>,
}

impl SymLayer {
    fn dd(mut self, key: &'static str, expression: impl Into<String>) -> SymLayer {
        self.dd.push((key, expression.into()));
        self
    }

    fn locked(mut self) -> SymLayer {
        self.locked = true;
        self
    }

    fn pass(mut self, pass: u8) -> SymLayer {
        self.pass = pass;
        self
    }
}

fn dd_xml(dd: &[(&str, String)], indent: &str) -> String {
    let mut s = format!(
        "{indent}<data_defined_properties>\n{indent}  <Option type=\"Map\">\n{indent}    <Option name=\"name\" type=\"QString\" value=\"\"/>\n"
    );
    if dd.is_empty() {
        let _ = writeln!(s, "{indent}    <Option name=\"properties\"/>");
    } else {
        let _ = writeln!(s, "{indent}    <Option name=\"properties\" type=\"Map\">");
        for (k, e) in dd {
            let _ = writeln!(
                s,
                "{indent}      <Option name=\"{}\" type=\"Map\">\n{indent}        <Option name=\"active\" type=\"bool\" value=\"true\"/>\n{indent}        <Option name=\"expression\" type=\"QString\" value=\"{}\"/>\n{indent}        <Option name=\"type\" type=\"int\" value=\"3\"/>\n{indent}      </Option>",
                esc(k),
                esc(e)
            );
        }
        let _ = writeln!(s, "{indent}    </Option>");
    }
    let _ = write!(
        s,
        "{indent}    <Option name=\"type\" type=\"QString\" value=\"collection\"/>\n{indent}  </Option>\n{indent}</data_defined_properties>\n"
    );
    s
}

/// Properties as QGIS 3.22 writes them: an Option map, and the same as `prop` elements for
/// older readers.
fn props_xml(props: &[(&str, String)], indent: &str) -> String {
    let mut s = format!("{indent}<Option type=\"Map\">\n");
    for (k, v) in props {
        let _ = writeln!(
            s,
            "{indent}  <Option name=\"{}\" type=\"QString\" value=\"{}\"/>",
            esc(k),
            esc(v)
        );
    }
    let _ = writeln!(s, "{indent}</Option>");
    for (k, v) in props {
        let _ = writeln!(s, "{indent}<prop k=\"{}\" v=\"{}\"/>", esc(k), esc(v));
    }
    s
}

fn symbol_xml(kind: &str, name: &str, alpha: f64, layers: &[SymLayer], indent: &str) -> String {
    let mut s = format!(
        "{indent}<symbol name=\"{}\" type=\"{kind}\" alpha=\"{}\" clip_to_extent=\"1\" force_rhr=\"0\">\n",
        esc(name),
        n(alpha)
    );
    s.push_str(&dd_xml(&[], &format!("{indent}  ")));
    for l in layers {
        let _ = writeln!(
            s,
            "{indent}  <layer class=\"{}\" pass=\"{}\" locked=\"{}\" enabled=\"1\">",
            l.class,
            l.pass,
            u8::from(l.locked)
        );
        s.push_str(&props_xml(&l.props, &format!("{indent}    ")));
        s.push_str(&dd_xml(&l.dd, &format!("{indent}    ")));
        let _ = writeln!(s, "{indent}  </layer>");
    }
    let _ = writeln!(s, "{indent}</symbol>");
    s
}

fn line(color: Rgba, width_mm: f64) -> SymLayer {
    SymLayer {
        class: "SimpleLine",
        locked: false,
        pass: 0,
        props: vec![
            ("capstyle", "round".into()),
            ("joinstyle", "round".into()),
            ("line_color", rgba(color)),
            ("line_style", "solid".into()),
            ("line_width", n(width_mm)),
            ("line_width_unit", "MM".into()),
            ("offset", "0".into()),
            ("offset_unit", "MM".into()),
            ("use_custom_dash", "0".into()),
        ],
        dd: Vec::new(),
    }
}

fn fill(color: Rgba, outline: Rgba, outline_mm: f64, outline_style: &str) -> SymLayer {
    let brush = if color.3 == 0 { "no" } else { "solid" };
    SymLayer {
        class: "SimpleFill",
        locked: false,
        pass: 0,
        props: vec![
            ("color", rgba(color)),
            ("joinstyle", "bevel".into()),
            ("offset", "0,0".into()),
            ("offset_unit", "MM".into()),
            ("outline_color", rgba(outline)),
            ("outline_style", outline_style.into()),
            ("outline_width", n(outline_mm)),
            ("outline_width_unit", "MM".into()),
            ("style", brush.into()),
        ],
        dd: Vec::new(),
    }
}

fn marker(color: Rgba, outline: Rgba, outline_mm: f64, size_mm: f64) -> SymLayer {
    SymLayer {
        class: "SimpleMarker",
        locked: false,
        pass: 0,
        props: vec![
            ("angle", "0".into()),
            ("color", rgba(color)),
            ("horizontal_anchor_point", "1".into()),
            ("joinstyle", "bevel".into()),
            ("name", "circle".into()),
            ("offset", "0,0".into()),
            ("offset_unit", "MM".into()),
            ("outline_color", rgba(outline)),
            ("outline_style", "solid".into()),
            ("outline_width", n(outline_mm)),
            ("outline_width_unit", "MM".into()),
            ("scale_method", "diameter".into()),
            ("size", n(size_mm)),
            ("size_unit", "MM".into()),
            ("vertical_anchor_point", "1".into()),
        ],
        dd: Vec::new(),
    }
}

const RENDERER_ATTRS: &str =
    "symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\"";

/// Symbol levels on: every symbol's pass 0 (casings) is drawn before any pass 1.
const LEVELS_ATTRS: &str =
    "symbollevels=\"1\" enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\"";

fn single_renderer(kind: &str, layers: &[SymLayer], alpha: f64) -> String {
    format!(
        "  <renderer-v2 type=\"singleSymbol\" {RENDERER_ATTRS}>\n    <symbols>\n{}    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n",
        symbol_xml(kind, "0", alpha, layers, "      ")
    )
}

/// A graduated renderer: `(lower, upper, label, symbol layers)` per class, and the ramp the
/// classes were coloured from (so reclassifying in QGIS keeps it).
fn graduated_renderer(
    attr: &str,
    kind: &str,
    classes: Vec<(f64, f64, String, Vec<SymLayer>)>,
    ramp: &[Rgba],
    symbol_levels: bool,
) -> String {
    let mut s = format!(
        "  <renderer-v2 type=\"graduatedSymbol\" attr=\"{}\" graduatedMethod=\"GraduatedColor\" {}>\n    <ranges>\n",
        esc(attr),
        if symbol_levels {
            LEVELS_ATTRS
        } else {
            RENDERER_ATTRS
        }
    );
    for (i, (lo, hi, label, _)) in classes.iter().enumerate() {
        let _ = writeln!(
            s,
            "      <range lower=\"{}\" upper=\"{}\" label=\"{}\" symbol=\"{i}\" render=\"true\"/>",
            n(*lo),
            n(*hi),
            esc(label)
        );
    }
    s.push_str("    </ranges>\n    <symbols>\n");
    for (i, (_, _, _, layers)) in classes.iter().enumerate() {
        s.push_str(&symbol_xml(kind, &i.to_string(), 1.0, layers, "      "));
    }
    s.push_str("    </symbols>\n");
    s.push_str(&ramp_xml(ramp));
    s.push_str(
        "    <classificationMethod id=\"Custom\">\n      <symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n      <labelFormat format=\"%1 - %2\" labelprecision=\"4\" trimtrailingzeroes=\"1\"/>\n    </classificationMethod>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n",
    );
    s
}

fn ramp_xml(ramp: &[Rgba]) -> String {
    let first = ramp.first().copied().unwrap_or((255, 255, 255, 255));
    let last = ramp.last().copied().unwrap_or((0, 0, 0, 255));
    let k = ramp.len().saturating_sub(1).max(1);
    let stops: Vec<String> = ramp
        .iter()
        .enumerate()
        .skip(1)
        .take(ramp.len().saturating_sub(2))
        .map(|(i, c)| format!("{};{}", n(i as f64 / k as f64), rgba(*c)))
        .collect();
    let props = vec![
        ("color1", rgba(first)),
        ("color2", rgba(last)),
        ("discrete", "0".to_string()),
        ("rampType", "gradient".to_string()),
        ("stops", stops.join(":")),
    ];
    format!(
        "    <colorramp type=\"gradient\" name=\"[source]\">\n{}    </colorramp>\n",
        props_xml(&props, "      ")
    )
}

/// A categorized renderer: `(value, label, symbol layers)`; the value `""` takes every
/// other value.
fn categorized_renderer(
    attr: &str,
    kind: &str,
    cats: Vec<(String, String, Vec<SymLayer>)>,
) -> String {
    let mut s = format!(
        "  <renderer-v2 type=\"categorizedSymbol\" attr=\"{}\" {RENDERER_ATTRS}>\n    <categories>\n",
        esc(attr)
    );
    for (i, (v, label, _)) in cats.iter().enumerate() {
        let _ = writeln!(
            s,
            "      <category value=\"{}\" label=\"{}\" symbol=\"{i}\" render=\"true\"/>",
            esc(v),
            esc(label)
        );
    }
    s.push_str("    </categories>\n    <symbols>\n");
    for (i, (_, _, layers)) in cats.iter().enumerate() {
        s.push_str(&symbol_xml(kind, &i.to_string(), 1.0, layers, "      "));
    }
    s.push_str("    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
    s
}

// ---------------------------------------------------------------------------------------
// Classes and colours

/// ColorBrewer YlOrRd, 5 classes: the run's segment ramp ([`super::classes::SEGMENT_RAMP`]).
const YL_OR_RD: [Rgba; 5] = {
    let r = super::classes::SEGMENT_RAMP;
    [
        (r[0][0], r[0][1], r[0][2], 255),
        (r[1][0], r[1][1], r[1][2], 255),
        (r[2][0], r[2][1], r[2][2], 255),
        (r[3][0], r[3][1], r[3][2], 255),
        (r[4][0], r[4][1], r[4][2], 255),
    ]
};

/// ColorBrewer BuPu (without its near-white end), translucent.
const BU_PU: [Rgba; 6] = [
    (191, 211, 230, 170),
    (158, 188, 218, 175),
    (140, 150, 198, 180),
    (140, 107, 177, 185),
    (136, 65, 157, 190),
    (110, 1, 107, 200),
];

/// The colour at `t` (0–1) along a ramp, linearly interpolated.
fn ramp_at(ramp: &[Rgba], t: f64) -> Rgba {
    let t = t.clamp(0.0, 1.0) * (ramp.len() - 1) as f64;
    let i = (t.floor() as usize).min(ramp.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (ramp[i], ramp[i + 1]);
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2), mix(a.3, b.3))
}

/// Rounds to three significant figures.
fn round3(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let m = 10f64.powf(v.abs().log10().floor() - 2.0);
    (v / m).round() * m
}

fn label_num(v: f64) -> String {
    let r = round3(v);
    let s = format!("{r:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() { "0".into() } else { s.into() }
}

/// Five classes for rates: exactly 0 ("none"), then the quartiles of the non-zero rates
/// (equal intervals when there are too few distinct values). The values are rounded as the
/// layer writes them, so the top class holds the maximum exactly.
fn rate_classes(values: &[Option<f64>]) -> Vec<(f64, f64, String)> {
    let mut v: Vec<f64> = values
        .iter()
        .flatten()
        .map(|x| super::round6(*x))
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    v.sort_by(f64::total_cmp);
    let max = v.last().copied().unwrap_or(0.0);
    let mut distinct = v.clone();
    distinct.dedup();
    let q = |p: f64| -> f64 {
        let pos = p * (v.len() - 1) as f64;
        let (i, f) = (pos.floor() as usize, pos.fract());
        if i + 1 < v.len() {
            v[i] + (v[i + 1] - v[i]) * f
        } else {
            v[i]
        }
    };
    let mut cuts: Vec<f64> = if distinct.len() >= 4 {
        [0.25, 0.5, 0.75].iter().map(|p| round3(q(*p))).collect()
    } else {
        Vec::new()
    };
    let increasing = cuts.windows(2).all(|w| w[0] < w[1])
        && cuts.first().is_some_and(|c| *c > 0.0)
        && cuts.last().is_some_and(|c| *c < max);
    if !increasing {
        let top = if max > 0.0 { max } else { 1.0 };
        cuts = (1..4).map(|i| round3(top * i as f64 / 4.0)).collect();
        if cuts.windows(2).any(|w| w[0] >= w[1]) || cuts[2] >= top {
            cuts = (1..4).map(|i| top * i as f64 / 4.0).collect();
        }
    }
    let top = if max > 0.0 { max } else { 1.0 };
    let mut out = vec![(0.0, 0.0, "0 (none)".to_string())];
    let mut lo = 0.0;
    for hi in cuts.into_iter().chain(std::iter::once(top)) {
        out.push((lo, hi, format!("{} - {}", label_num(lo), label_num(hi))));
        lo = hi;
    }
    out
}

/// The segment style's classes: "none" (exactly 0), then the run's classes with their own
/// colours, as `(lower, upper, label, colour)`. The top class reaches the largest value the
/// layer writes (rounded as written), so no segment falls outside every class.
fn segment_classes(
    classes: &super::classes::RateClasses,
    values: &[Option<f64>],
) -> Vec<(f64, f64, String, Rgba)> {
    let none = super::classes::SEGMENT_NONE;
    let mut out = vec![(
        0.0,
        0.0,
        "0 (none)".to_string(),
        (none[0], none[1], none[2], 255),
    )];
    let written_max = values
        .iter()
        .flatten()
        .map(|x| super::round6(*x))
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let n = classes.len();
    for i in 0..n {
        let lo = classes.bounds[i];
        let mut hi = classes.bounds[i + 1];
        if i + 1 == n {
            hi = hi.max(written_max);
        }
        let c = classes.color(i);
        out.push((
            lo,
            hi,
            format!("{} - {}", label_num(lo), label_num(hi)),
            (c[0], c[1], c[2], 255),
        ));
    }
    out
}

/// Event types with their own colour (the vocabulary of `ingest::event_types`); the legend
/// lists those present in the layer.
const EVENT_COLOURS: &[(&str, Rgba)] = &[
    ("drone_strike", (228, 26, 28, 255)),
    ("airstrike", (152, 78, 163, 255)),
    ("armed_incursion", (255, 127, 0, 255)),
    ("armed_clash", (55, 126, 184, 255)),
    ("cross_border_fire", (77, 175, 74, 255)),
    ("shelling", (166, 86, 40, 255)),
    ("bombing", (231, 41, 138, 255)),
    ("suicide_bombing", (128, 0, 64, 255)),
    ("ambush", (0, 139, 139, 255)),
    ("kidnapping", (128, 128, 0, 255)),
    ("border_closure", (110, 110, 110, 255)),
    ("statistic", (180, 180, 180, 255)),
    ("other", (60, 60, 60, 255)),
];

/// Colours for other event types found in the data (at most this many get their own).
const EXTRA_COLOURS: &[Rgba] = &[
    (27, 158, 119, 255),
    (217, 95, 2, 255),
    (117, 112, 179, 255),
    (230, 171, 2, 255),
    (31, 120, 180, 255),
    (102, 166, 30, 255),
    (166, 118, 29, 255),
    (102, 102, 102, 255),
];

/// Marker size (mm) from fatalities: area grows with deaths; unknown is small.
const SIZE_EXPRESSION: &str =
    "CASE WHEN \"fatalities\" IS NULL THEN 1.8 ELSE 2.4 + 0.9 * sqrt(min(\"fatalities\", 200)) END";

const PRECISE: &str = "\"precision\" IN ('exact', 'near')";

fn darker(c: Rgba) -> Rgba {
    let d = |v: u8| (f64::from(v) * 0.55).round() as u8;
    (d(c.0), d(c.1), d(c.2), 255)
}

fn incidents_renderer(event_types: &[String]) -> String {
    // The types present, known ones first in the vocabulary's order.
    let mut types: Vec<(String, String, Rgba)> = EVENT_COLOURS
        .iter()
        .filter(|(t, _)| event_types.iter().any(|e| e == t))
        .map(|(t, c)| (t.to_string(), t.replace('_', " "), *c))
        .collect();
    let extra: Vec<&String> = event_types
        .iter()
        .filter(|t| !EVENT_COLOURS.iter().any(|(k, _)| k == t))
        .take(EXTRA_COLOURS.len())
        .collect();
    for (t, c) in extra.into_iter().zip(EXTRA_COLOURS) {
        types.push((t.clone(), t.clone(), *c));
    }
    let other = (40, 40, 40, 255);
    let mut symbols = String::new();
    let mut rules = String::new();
    let mut sym = 0;
    let mut key = 0;
    let mut next_key = || {
        key += 1;
        format!("{{b0bd0000-0000-4000-8000-{key:012}}}")
    };
    // Records the analysis left out (repeated events, filters, window) are drawn apart, as
    // the maps leave them out.
    const COUNTED: &str = "\"analysis_excluded\" IS NULL";
    for precise in [true, false] {
        let (filter, label) = if precise {
            (
                format!("({PRECISE}) AND {COUNTED}"),
                "exact or near location (filled)",
            )
        } else {
            (
                format!("(\"precision\" IS NULL OR NOT ({PRECISE})) AND {COUNTED}"),
                "district, province, border zone or country (hollow ring)",
            )
        };
        let _ = writeln!(
            rules,
            "      <rule key=\"{}\" filter=\"{}\" label=\"{}\">",
            next_key(),
            esc(&filter),
            esc(label)
        );
        let entries = types
            .iter()
            .map(|(v, l, c)| (format!("\"event_type\" = {}", qstr(v)), l.clone(), *c))
            .chain(std::iter::once((
                "ELSE".to_string(),
                "other or unknown type".to_string(),
                other,
            )));
        for (f, l, c) in entries {
            let layer = if precise {
                marker(c, darker(c), 0.3, 3.0)
            } else {
                marker((0, 0, 0, 0), c, 0.7, 3.0)
            }
            .dd("size", SIZE_EXPRESSION);
            symbols.push_str(&symbol_xml(
                "marker",
                &sym.to_string(),
                1.0,
                &[layer],
                "      ",
            ));
            let _ = writeln!(
                rules,
                "        <rule key=\"{}\" filter=\"{}\" symbol=\"{sym}\" label=\"{}\"/>",
                next_key(),
                esc(&f),
                esc(&l)
            );
            sym += 1;
        }
        rules.push_str("      </rule>\n");
    }
    symbols.push_str(&symbol_xml(
        "marker",
        &sym.to_string(),
        1.0,
        &[marker((0, 0, 0, 0), (150, 150, 150, 255), 0.3, 1.6)],
        "      ",
    ));
    let _ = writeln!(
        rules,
        "      <rule key=\"{}\" filter=\"{}\" symbol=\"{sym}\" label=\"{}\"/>",
        next_key(),
        esc(&format!("NOT ({COUNTED})")),
        esc("left out of the analysis (see analysis_excluded)")
    );
    format!(
        "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"1\" forceraster=\"0\" referencescale=\"-1\">\n    <rules key=\"{}\">\n{rules}    </rules>\n    <symbols>\n{symbols}    </symbols>\n    <orderby>\n      <orderByClause asc=\"0\" nullsFirst=\"0\">{}</orderByClause>\n    </orderby>\n  </renderer-v2>\n",
        next_key(),
        esc("coalesce(\"fatalities\", 0)")
    )
}

/// Muted fills for the countries around Afghanistan.
fn country_fill(code: &str) -> Rgba {
    match code {
        "AF" => (246, 239, 222, 255),
        "PK" => (229, 238, 226, 255),
        "TJ" => (234, 230, 242, 255),
        "IR" => (240, 232, 228, 255),
        "TM" => (228, 236, 240, 255),
        "UZ" => (238, 238, 226, 255),
        "CN" => (242, 230, 230, 255),
        "IN" => (232, 240, 236, 255),
        _ => (236, 236, 236, 255),
    }
}

/// The renderer (and labeling) of a layer, and its opacity.
fn renderer(style: &Style) -> (String, Option<String>, f64) {
    match style {
        Style::Countries { codes } => {
            let mut cats: Vec<(String, String, Vec<SymLayer>)> = codes
                .iter()
                .map(|c| {
                    (
                        c.clone(),
                        c.clone(),
                        vec![fill(country_fill(c), (150, 150, 150, 255), 0.3, "solid")],
                    )
                })
                .collect();
            cats.push((
                String::new(),
                "other".into(),
                vec![fill(country_fill(""), (150, 150, 150, 255), 0.3, "solid")],
            ));
            (
                categorized_renderer("iso_a2", "fill", cats),
                Some(labeling("name", 9.0, (110, 110, 110, 255))),
                1.0,
            )
        }
        Style::Districts => (
            single_renderer(
                "fill",
                &[fill((0, 0, 0, 0), (175, 175, 175, 255), 0.08, "dot")],
                1.0,
            ),
            None,
            1.0,
        ),
        Style::Provinces => (
            single_renderer(
                "fill",
                &[fill((0, 0, 0, 0), (140, 140, 140, 255), 0.15, "solid")],
                1.0,
            ),
            None,
            1.0,
        ),
        Style::Isobands { limits } => {
            let k = limits.len().max(2) - 1;
            let ramp: Vec<Rgba> = (0..limits.len())
                .map(|i| ramp_at(&BU_PU, i as f64 / k as f64))
                .collect();
            let classes = limits
                .iter()
                .zip(&ramp)
                .enumerate()
                .map(|(i, ((lo, hi), c))| {
                    (
                        i as f64 + 0.5,
                        i as f64 + 1.5,
                        format!(
                            "{} - {} per 1,000 km2 per year",
                            label_num(*lo),
                            label_num(*hi)
                        ),
                        vec![fill(*c, (0, 0, 0, 0), 0.0, "no")],
                    )
                })
                .collect();
            (
                graduated_renderer("band", "fill", classes, &BU_PU, false),
                None,
                0.85,
            )
        }
        Style::Corridors => (
            single_renderer(
                "fill",
                &[fill((253, 208, 162, 60), (230, 130, 50, 120), 0.2, "solid")],
                1.0,
            ),
            None,
            1.0,
        ),
        Style::Borders => (
            single_renderer("line", &[line((30, 30, 30, 255), 1.2)], 1.0),
            None,
            1.0,
        ),
        Style::Segments { values, classes } => {
            let classes = segment_classes(classes, values)
                .into_iter()
                .map(|(lo, hi, label, c)| {
                    (
                        lo,
                        hi,
                        label,
                        vec![line((40, 40, 40, 255), 2.4).locked(), line(c, 1.8).pass(1)],
                    )
                })
                .collect();
            (
                graduated_renderer("per_100km_per_year", "line", classes, &YL_OR_RD, true),
                None,
                1.0,
            )
        }
        Style::Sectors { values } => {
            // Each side's sectors drawn beside the line on their own side: a positive
            // offset is to the right of the line's direction (checked in QGIS 3.22), and
            // the Afghan side is the right walking from km 0.
            let offset = "if(\"afghan_side\", 1.3, -1.3)";
            let classes = rate_classes(values)
                .into_iter()
                .zip(YL_OR_RD)
                .map(|((lo, hi, label), c)| {
                    (
                        lo,
                        hi,
                        label,
                        vec![
                            line((60, 60, 60, 255), 1.5).locked().dd("offset", offset),
                            line(c, 1.0).pass(1).dd("offset", offset),
                        ],
                    )
                })
                .collect();
            (
                graduated_renderer("per_100km_per_year", "line", classes, &YL_OR_RD, true),
                None,
                1.0,
            )
        }
        Style::Incidents { event_types } => (incidents_renderer(event_types), None, 1.0),
    }
}

fn labeling(field: &str, size_pt: f64, color: Rgba) -> String {
    format!(
        "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n      <text-style fieldName=\"{}\" isExpression=\"0\" fontFamily=\"Sans Serif\" fontSize=\"{}\" fontSizeUnit=\"Point\" fontWeight=\"50\" fontItalic=\"1\" textColor=\"{}\" textOpacity=\"1\" namedStyle=\"Italic\">\n        <text-buffer bufferDraw=\"1\" bufferSize=\"0.7\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"0.8\" bufferNoFill=\"1\" bufferJoinStyle=\"128\"/>\n      </text-style>\n      <text-format wrapChar=\"\" multilineAlign=\"3\"/>\n      <placement placement=\"1\" dist=\"0\" distUnits=\"MM\" fitInPolygonOnly=\"0\"/>\n      <rendering drawLabels=\"1\" obstacle=\"1\" displayAll=\"0\" labelPerPart=\"0\" mergeLines=\"0\" limitNumLabels=\"0\" minFeatureSize=\"0\" upsidedownLabels=\"0\" scaleVisibility=\"0\"/>\n    </settings>\n  </labeling>\n",
        esc(field),
        n(size_pt),
        rgba(color)
    )
}

/// Display expression (identify results, attribute form titles) and map tip.
fn display(style: &Style) -> (&'static str, &'static str) {
    match style {
        Style::Countries { .. } | Style::Provinces | Style::Districts => ("\"name\"", ""),
        Style::Isobands { .. } => ("\"label\"", ""),
        Style::Corridors | Style::Borders => ("\"border_id\"", ""),
        Style::Sectors { .. } => ("\"sector_id\"", ""),
        Style::Segments { .. } => (
            "\"segment_id\"",
            "<b>[% \"segment_id\" %]</b> km [% round(\"km_from\", 1) %] to [% round(\"km_to\", 1) %]<br>[% \"provinces\" %]<br>events [% round(\"events_weighted\", 2) %], per 100 km per year [% round(\"per_100km_per_year\", 3) %] (95% CI [% round(\"ci95_low\", 3) %] to [% round(\"ci95_high\", 3) %])",
        ),
        Style::Incidents { .. } => (
            "\"incident_id\"",
            "<b>[% \"event_type\" %]</b> [% \"date_start\" %] ([% \"date_precision\" %])<br>[% \"location\" %]<br>fatalities [% coalesce(\"fatalities\", 'unknown') %]<br>precision [% \"precision\" %], within [% \"uncertainty_km\" %] km<br>[% \"explanation\" %]",
        ),
    }
}

/// The style elements shared by the `.qml` and the project's `maplayer`.
fn style_body(l: &LayerInfo) -> (String, bool) {
    let (renderer, labels, opacity) = renderer(&l.style);
    let (preview, tip) = display(&l.style);
    let mut s = renderer;
    let has_labels = labels.is_some();
    if let Some(lab) = labels {
        s.push_str(&lab);
    }
    let _ = write!(
        s,
        "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n  <layerOpacity>{}</layerOpacity>\n  <previewExpression>{}</previewExpression>\n  <mapTip>{}</mapTip>\n  <layerGeometryType>{}</layerGeometryType>\n",
        n(opacity),
        esc(preview),
        esc(tip),
        l.kind.code()
    );
    (s, has_labels)
}

const QGIS_VERSION: &str = "3.22.0-Białowieża";

fn qml(l: &LayerInfo) -> String {
    let (body, labels) = style_body(l);
    format!(
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"{QGIS_VERSION}\" styleCategories=\"AllStyleCategories\" labelsEnabled=\"{}\" hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" maxScale=\"0\" readOnly=\"0\">\n{body}</qgis>\n",
        u8::from(labels)
    )
}

// ---------------------------------------------------------------------------------------
// Project

fn wgs84() -> String {
    "<spatialrefsys nativeFormat=\"Wkt\">\n<wkt></wkt>\n<proj4>+proj=longlat +datum=WGS84 +no_defs</proj4>\n<srsid>3452</srsid>\n<srid>4326</srid>\n<authid>EPSG:4326</authid>\n<description>WGS 84</description>\n<projectionacronym>longlat</projectionacronym>\n<ellipsoidacronym>EPSG:7030</ellipsoidacronym>\n<geographicflag>true</geographicflag>\n</spatialrefsys>\n".into()
}

fn albers() -> String {
    format!(
        "<spatialrefsys>\n<wkt></wkt>\n<proj4>{}</proj4>\n<srsid>0</srsid>\n<srid>0</srid>\n<authid></authid>\n<description>{}</description>\n<projectionacronym>aea</projectionacronym>\n<ellipsoidacronym>EPSG:7030</ellipsoidacronym>\n<geographicflag>false</geographicflag>\n</spatialrefsys>\n",
        esc(REGION_ALBERS),
        esc("borderwatch Albers equal-area (29 and 39 N, centre 34 N 68 E)")
    )
}

/// Text with every line prefixed by `indent`.
fn indented(text: &str, indent: &str) -> String {
    text.lines().map(|l| format!("{indent}{l}\n")).collect()
}

fn layer_id(name: &str) -> String {
    format!("{name}_borderwatch")
}

/// Project layers from top (drawn last) to bottom.
fn drawing_order(layers: &[LayerInfo]) -> Vec<&LayerInfo> {
    const TOP_DOWN: [&str; 9] = [
        "incidents",
        "segments",
        "sectors",
        "borders",
        "corridors",
        "density_isobands",
        "districts",
        "provinces",
        "countries",
    ];
    let mut v: Vec<&LayerInfo> = layers.iter().collect();
    v.sort_by_key(|l| {
        TOP_DOWN
            .iter()
            .position(|n| *n == l.name)
            .unwrap_or(TOP_DOWN.len())
    });
    v
}

fn extent_xml(tag: &str, e: [f64; 4], indent: &str) -> String {
    format!(
        "{indent}<{tag}>\n{indent}  <xmin>{}</xmin>\n{indent}  <ymin>{}</ymin>\n{indent}  <xmax>{}</xmax>\n{indent}  <ymax>{}</ymax>\n{indent}</{tag}>\n",
        n(e[0]),
        n(e[1]),
        n(e[2]),
        n(e[3])
    )
}

fn qgs(layers: &[LayerInfo], p: &ProjectInfo) -> String {
    let order = drawing_order(layers);
    let ext_m = p.extent_km.map(|v| (v * 1000.0).round());
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis projectname=\"{}\" version=\"{QGIS_VERSION}\">\n  <homePath path=\"\"/>\n  <title>{}</title>\n  <autotransaction active=\"0\"/>\n  <evaluateDefaultValues active=\"0\"/>\n  <trust active=\"0\"/>\n  <projectCrs>\n{}  </projectCrs>\n",
        esc(&p.title),
        esc(&p.title),
        indented(&albers(), "    ")
    );
    s.push_str("  <layer-tree-group>\n    <customproperties/>\n");
    for l in &order {
        let checked = if l.name == "sectors" {
            "Qt::Unchecked"
        } else {
            "Qt::Checked"
        };
        let _ = writeln!(
            s,
            "    <layer-tree-layer id=\"{}\" name=\"{}\" source=\"./{}\" providerKey=\"ogr\" checked=\"{checked}\" expanded=\"{}\">\n      <customproperties/>\n    </layer-tree-layer>",
            esc(&layer_id(&l.name)),
            esc(&l.name),
            esc(&l.file),
            u8::from(matches!(
                l.style,
                Style::Segments { .. } | Style::Incidents { .. }
            ))
        );
    }
    s.push_str("    <custom-order enabled=\"0\">\n");
    for l in &order {
        let _ = writeln!(s, "      <item>{}</item>", esc(&layer_id(&l.name)));
    }
    s.push_str("    </custom-order>\n  </layer-tree-group>\n");
    let _ = write!(
        s,
        "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n    <units>meters</units>\n{}    <rotation>0</rotation>\n    <destinationsrs>\n{}    </destinationsrs>\n    <rendermaptile>0</rendermaptile>\n  </mapcanvas>\n",
        extent_xml("extent", ext_m, "    "),
        indented(&albers(), "      ")
    );
    s.push_str("  <projectlayers>\n");
    for l in &order {
        let (body, labels) = style_body(l);
        let _ = writeln!(
            s,
            "    <maplayer type=\"vector\" geometry=\"{}\" wkbType=\"{}\" labelsEnabled=\"{}\" styleCategories=\"AllStyleCategories\" hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" maxScale=\"0\" readOnly=\"0\" autoRefreshEnabled=\"0\" autoRefreshTime=\"0\">",
            l.kind.geometry(),
            l.kind.wkb(),
            u8::from(labels)
        );
        if let Some(b) = l.bbox {
            s.push_str(&extent_xml("extent", b, "      "));
            s.push_str(&extent_xml("wgs84extent", b, "      "));
        }
        let _ = write!(
            s,
            "      <id>{}</id>\n      <datasource>./{}</datasource>\n      <layername>{}</layername>\n      <srs>\n{}      </srs>\n",
            esc(&layer_id(&l.name)),
            esc(&l.file),
            esc(&l.name),
            indented(&wgs84(), "        ")
        );
        let _ = write!(
            s,
            "      <resourceMetadata>\n        <identifier>{}</identifier>\n        <parentidentifier>borderwatch</parentidentifier>\n        <language>en</language>\n        <type>dataset</type>\n        <title>{}</title>\n        <abstract>{}</abstract>\n        <links/>\n        <fees></fees>\n        <rights>{}</rights>\n        <license>{}</license>\n        <encoding>UTF-8</encoding>\n        <crs>\n{}        </crs>\n        <extent/>\n      </resourceMetadata>\n",
            esc(&l.name),
            esc(&l.name),
            esc(&format!("{} layer written by {}", l.name, p.generator)),
            esc(&p.attribution),
            esc(
                "Natural Earth: public domain. GeoNames: CC BY 4.0. Incident data: the licence of each source (UCDP GED: CC BY 4.0)."
            ),
            indented(&wgs84(), "          ")
        );
        s.push_str("      <provider encoding=\"UTF-8\">ogr</provider>\n");
        for line in body.lines() {
            let _ = writeln!(s, "    {line}");
        }
        s.push_str("    </maplayer>\n");
    }
    s.push_str("  </projectlayers>\n  <layerorder>\n");
    for l in &order {
        let _ = writeln!(s, "    <layer id=\"{}\"/>", esc(&layer_id(&l.name)));
    }
    s.push_str("  </layerorder>\n");
    let _ = write!(
        s,
        "  <properties>\n    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n    </SpatialRefSys>\n    <Measurement>\n      <DistanceUnits type=\"QString\">km</DistanceUnits>\n      <AreaUnits type=\"QString\">km2</AreaUnits>\n    </Measurement>\n    <Variables>\n      <variableNames type=\"QStringList\">\n        <value>borderwatch_attribution</value>\n        <value>borderwatch_generator</value>\n      </variableNames>\n      <variableValues type=\"QStringList\">\n        <value>{}</value>\n        <value>{}</value>\n      </variableValues>\n    </Variables>\n    <borderwatch>\n      <attribution type=\"QString\">{}</attribution>\n      <generator type=\"QString\">{}</generator>\n      <parameters type=\"QString\">{}</parameters>\n    </borderwatch>\n  </properties>\n",
        esc(&p.attribution),
        esc(&p.generator),
        esc(&p.attribution),
        esc(&p.generator),
        esc(&p.parameters)
    );
    let abstract_text = format!(
        "Layers written by {}.\n\nAttribution: {}\n\nRun parameters: {}",
        p.generator, p.attribution, p.parameters
    );
    let _ = write!(
        s,
        "  <projectMetadata>\n    <identifier>borderwatch</identifier>\n    <parentidentifier></parentidentifier>\n    <language>en</language>\n    <type>project</type>\n    <title>{}</title>\n    <abstract>{}</abstract>\n    <keywords vocabulary=\"borderwatch\">\n      <keyword>Afghanistan</keyword>\n      <keyword>borders</keyword>\n      <keyword>incidents</keyword>\n    </keywords>\n    <links/>\n    <history>{}</history>\n    <author>{}</author>\n  </projectMetadata>\n",
        esc(&p.title),
        esc(&abstract_text),
        esc(&format!("written by {}", p.generator)),
        esc(&p.generator)
    );
    let _ = write!(
        s,
        "  <ProjectViewSettings UseProjectScales=\"0\" rotation=\"0\">\n    <Scales/>\n    <DefaultViewExtent xmin=\"{}\" ymin=\"{}\" xmax=\"{}\" ymax=\"{}\">\n{}    </DefaultViewExtent>\n  </ProjectViewSettings>\n</qgis>\n",
        n(ext_m[0]),
        n(ext_m[1]),
        n(ext_m[2]),
        n(ext_m[3]),
        indented(&albers(), "      ")
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_classes_are_five_increasing_and_hold_the_maximum() {
        let values: Vec<Option<f64>> = [0.0, 0.0, 0.1, 0.2, 0.35, 0.5, 0.9, 2.5, 7.25]
            .iter()
            .map(|v| Some(*v))
            .chain([None])
            .collect();
        let c = rate_classes(&values);
        assert_eq!(c.len(), 5);
        assert_eq!((c[0].0, c[0].1), (0.0, 0.0));
        for w in c.windows(2) {
            assert!(w[0].1 <= w[1].0 + 1e-12 && w[1].0 < w[1].1, "{c:?}");
        }
        assert_eq!(c[4].1, 7.25);
        // Degenerate data still gives five classes.
        assert_eq!(rate_classes(&[Some(0.0), None]).len(), 5);
        assert_eq!(rate_classes(&[Some(3.0)]).len(), 5);
    }

    #[test]
    fn escapes_xml() {
        assert_eq!(esc("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
