//! `LAYER.qml`: how each layer is drawn — the classes and colours (the run's rate classes,
//! ramps, event-type colours), the renderer and labels of each [`Style`], and the QML
//! document QGIS reads as the layer's default style.

use crate::export::qgis::xml::{
    Rgba, SymLayer, categorized_renderer, esc, fill, graduated_renderer, line, marker, n, qstr,
    rgba, single_renderer, symbol_xml,
};
use crate::export::qgis::{LayerInfo, Style};
use std::fmt::Write;

// ---------------------------------------------------------------------------------------
// Classes and colours

/// ColorBrewer YlOrRd, 5 classes: the run's segment ramp ([`crate::export::classes::SEGMENT_RAMP`]).
pub(super) const YL_OR_RD: [Rgba; 5] = {
    let r = crate::export::classes::SEGMENT_RAMP;
    [
        (r[0][0], r[0][1], r[0][2], 255),
        (r[1][0], r[1][1], r[1][2], 255),
        (r[2][0], r[2][1], r[2][2], 255),
        (r[3][0], r[3][1], r[3][2], 255),
        (r[4][0], r[4][1], r[4][2], 255),
    ]
};

/// ColorBrewer BuPu (without its near-white end), translucent.
pub(super) const BU_PU: [Rgba; 6] = [
    (191, 211, 230, 170),
    (158, 188, 218, 175),
    (140, 150, 198, 180),
    (140, 107, 177, 185),
    (136, 65, 157, 190),
    (110, 1, 107, 200),
];

/// The colour at `t` (0–1) along a ramp, linearly interpolated.
pub(super) fn ramp_at(ramp: &[Rgba], t: f64) -> Rgba {
    let t = t.clamp(0.0, 1.0) * (ramp.len() - 1) as f64;
    let i = (t.floor() as usize).min(ramp.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (ramp[i], ramp[i + 1]);
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2), mix(a.3, b.3))
}

/// Rounds to three significant figures.
pub(super) fn round3(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let m = 10f64.powf(v.abs().log10().floor() - 2.0);
    (v / m).round() * m
}

pub(super) fn label_num(v: f64) -> String {
    let r = round3(v);
    let s = format!("{r:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() { "0".into() } else { s.into() }
}

/// Five classes for rates: exactly 0 ("none"), then the quartiles of the non-zero rates
/// (equal intervals when there are too few distinct values). The values are rounded as the
/// layer writes them, so the top class holds the maximum exactly.
pub(super) fn rate_classes(values: &[Option<f64>]) -> Vec<(f64, f64, String)> {
    let mut v: Vec<f64> = values
        .iter()
        .flatten()
        .map(|x| crate::export::round6(*x))
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
pub(super) fn segment_classes(
    classes: &crate::export::classes::RateClasses,
    values: &[Option<f64>],
) -> Vec<(f64, f64, String, Rgba)> {
    let none = crate::export::classes::SEGMENT_NONE;
    let mut out = vec![(
        0.0,
        0.0,
        "0 (none)".to_string(),
        (none[0], none[1], none[2], 255),
    )];
    let written_max = values
        .iter()
        .flatten()
        .map(|x| crate::export::round6(*x))
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
pub(super) const EVENT_COLOURS: &[(&str, Rgba)] = &[
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
pub(super) const EXTRA_COLOURS: &[Rgba] = &[
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
pub(super) const SIZE_EXPRESSION: &str =
    "CASE WHEN \"fatalities\" IS NULL THEN 1.8 ELSE 2.4 + 0.9 * sqrt(min(\"fatalities\", 200)) END";

pub(super) const PRECISE: &str = "\"precision\" IN ('exact', 'near')";

pub(super) fn darker(c: Rgba) -> Rgba {
    let d = |v: u8| (f64::from(v) * 0.55).round() as u8;
    (d(c.0), d(c.1), d(c.2), 255)
}

pub(super) fn incidents_renderer(event_types: &[String]) -> String {
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
pub(super) fn country_fill(code: &str) -> Rgba {
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
pub(super) fn renderer(style: &Style) -> (String, Option<String>, f64) {
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
                Some(labeling(&Label {
                    field: "name",
                    size_pt: 9.0,
                    color: (110, 110, 110, 255),
                    italic: true,
                    placement: 1,
                    dist_mm: 0.0,
                })),
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
        // Provinces named at their centre, small and grey under the incidents' labels.
        Style::Provinces => (
            single_renderer(
                "fill",
                &[fill((0, 0, 0, 0), (140, 140, 140, 255), 0.15, "solid")],
                1.0,
            ),
            Some(labeling(&Label {
                field: "name",
                size_pt: 7.0,
                color: (120, 120, 120, 255),
                italic: false,
                placement: 1,
                dist_mm: 0.0,
            })),
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
        // Incidents by the place as the input wrote it (null: no label).
        Style::Incidents { event_types } => (
            incidents_renderer(event_types),
            Some(labeling(&Label {
                field: "location",
                size_pt: 7.5,
                color: (40, 20, 20, 255),
                italic: false,
                placement: 6,
                dist_mm: 1.0,
            })),
            1.0,
        ),
    }
}

/// How a layer's features are labelled: by `field`, in this size (pt) and colour; italic
/// (context names) or upright; `placement` as QGIS numbers them (0 around a point, 1 over
/// it / a polygon's centre, 6 in cartographic positions around a point) at `dist_mm`.
pub(super) struct Label<'a> {
    pub field: &'a str,
    pub size_pt: f64,
    pub color: Rgba,
    pub italic: bool,
    pub placement: u8,
    pub dist_mm: f64,
}

pub(super) fn labeling(l: &Label<'_>) -> String {
    let (weight, italic, named) = if l.italic {
        (50, 1, "Italic")
    } else {
        (50, 0, "Regular")
    };
    format!(
        "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n      <text-style fieldName=\"{}\" isExpression=\"0\" fontFamily=\"Sans Serif\" fontSize=\"{}\" fontSizeUnit=\"Point\" fontWeight=\"{weight}\" fontItalic=\"{italic}\" textColor=\"{}\" textOpacity=\"1\" namedStyle=\"{named}\">\n        <text-buffer bufferDraw=\"1\" bufferSize=\"0.7\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"0.8\" bufferNoFill=\"1\" bufferJoinStyle=\"128\"/>\n      </text-style>\n      <text-format wrapChar=\"\" multilineAlign=\"3\"/>\n      <placement placement=\"{}\" dist=\"{}\" distUnits=\"MM\" fitInPolygonOnly=\"0\"/>\n      <rendering drawLabels=\"1\" obstacle=\"1\" displayAll=\"0\" labelPerPart=\"0\" mergeLines=\"0\" limitNumLabels=\"0\" minFeatureSize=\"0\" upsidedownLabels=\"0\" scaleVisibility=\"0\"/>\n    </settings>\n  </labeling>\n",
        esc(l.field),
        n(l.size_pt),
        rgba(l.color),
        l.placement,
        n(l.dist_mm)
    )
}

/// Display expression (identify results, attribute form titles) and map tip.
pub(super) fn display(style: &Style) -> (&'static str, &'static str) {
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
pub(super) fn style_body(l: &LayerInfo) -> (String, bool) {
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

pub(super) const QGIS_VERSION: &str = "3.22.0-Białowieża";

/// The `.qml` document of a layer: its default style, in a file beside the GeoJSON and in the
/// GeoPackage's `layer_styles`.
pub(crate) fn qml(l: &LayerInfo) -> String {
    let (body, labels) = style_body(l);
    format!(
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"{QGIS_VERSION}\" styleCategories=\"AllStyleCategories\" labelsEnabled=\"{}\" hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" maxScale=\"0\" readOnly=\"0\">\n{body}</qgis>\n",
        u8::from(labels)
    )
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
}
