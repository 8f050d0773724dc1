//! The report's text sections, as HTML: the summary, the per-border and densest-segment
//! tables, the warnings, the method and the attribution. Everything shown comes from the
//! run's files; every piece of text from them is escaped.

use super::folder::{Folder, Table};
use super::map_data::fig;
use crate::export::classes::class_value;
use crate::render::xml_escape as esc;
use anyhow::Result;
use serde_json::Value;
use std::fmt::Write;

/// How many of the densest segments the table lists.
pub const DENSEST: usize = 10;

/// The summary as the run printed it (`summary.txt`), without the list of files.
pub fn summary(folder: &Folder) -> Result<String> {
    let text = folder.text("summary.txt")?;
    let mut s = String::from("<ul class=\"bw-summary\">\n");
    for line in text
        .lines()
        .take_while(|l| !l.starts_with("outputs in"))
        .filter(|l| !l.trim().is_empty())
    {
        writeln!(s, "<li>{}</li>", esc(line.trim()))?;
    }
    s.push_str("</ul>\n");
    Ok(s)
}

/// One table row of cells (header cells when `th`).
fn row(cells: &[String], th: bool) -> String {
    let tag = if th { "th" } else { "td" };
    let mut s = String::from("<tr>");
    for c in cells {
        let _ = write!(s, "<{tag}>{}</{tag}>", esc(c));
    }
    s.push_str("</tr>\n");
    s
}

/// A number from a table cell as the report prints it.
fn num(cell: &str) -> String {
    cell.parse::<f64>()
        .map_or(cell.to_string(), |v| fig(Some(v)))
}

/// A 95% interval from two cells.
fn interval(lo: &str, hi: &str) -> String {
    if lo.is_empty() && hi.is_empty() {
        String::new()
    } else {
        format!("{} – {}", num(lo), num(hi))
    }
}

/// Each analysed border's figures (`borders.csv`).
pub fn borders_table(t: &Table) -> Result<String> {
    t.column("per_100km_per_year")?;
    let mut s = String::from("<table id=\"borders-table\" class=\"bw-table\">\n");
    s.push_str(&row(
        &[
            "border",
            "",
            "length, km",
            "events (weighted)",
            "events (raw)",
            "fatalities",
            "per 100 km per year",
            "95% CI",
            "data from",
            "to",
        ]
        .map(String::from),
        true,
    ));
    for r in &t.rows {
        let c = |n| t.cell(r, n);
        s.push_str(&row(
            &[
                c("border_id").to_string(),
                c("name").to_string(),
                num(c("length_km")),
                num(c("events_weighted")),
                num(c("events_raw")),
                num(c("fatalities")),
                num(c("per_100km_per_year")),
                interval(c("ci95_low"), c("ci95_high")),
                c("data_start").to_string(),
                c("data_end").to_string(),
            ],
            false,
        ));
    }
    s.push_str("</table>\n");
    Ok(s)
}

/// The densest segments (`segments.csv`), highest rate first, at most [`DENSEST`], only
/// those with an incident.
pub fn densest_table(t: &Table) -> Result<String> {
    t.column("segment_id")?;
    let value = |r: &[String]| {
        class_value(
            t.cell(r, "per_100km_per_year").parse().ok(),
            t.cell(r, "per_100km").parse().unwrap_or(0.0),
        )
    };
    let mut rows: Vec<&Vec<String>> = t.rows.iter().filter(|r| value(r) > 0.0).collect();
    rows.sort_by(|a, b| {
        value(b)
            .total_cmp(&value(a))
            .then_with(|| t.cell(a, "segment_id").cmp(t.cell(b, "segment_id")))
    });
    if rows.is_empty() {
        return Ok("<p>No segment holds an incident.</p>\n".into());
    }
    let mut s = String::from("<table id=\"segments-table\" class=\"bw-table\">\n");
    s.push_str(&row(
        &[
            "segment",
            "km",
            "provinces",
            "events (weighted)",
            "per 100 km per year",
            "95% CI",
            "hotspot (q)",
        ]
        .map(String::from),
        true,
    ));
    for r in rows.into_iter().take(DENSEST) {
        let c = |n| t.cell(r, n);
        let hotspot = match c("hotspot") {
            "true" => format!("yes ({})", num(c("hotspot_q"))),
            "false" => format!("no ({})", num(c("hotspot_q"))),
            _ => String::new(),
        };
        s.push_str(&row(
            &[
                c("segment_id").to_string(),
                format!("{}–{}", num(c("km_from")), num(c("km_to"))),
                c("provinces").to_string(),
                num(c("events_weighted")),
                fig(Some(value(r))),
                interval(c("ci95_low"), c("ci95_high")),
                hotspot,
            ],
            false,
        ));
    }
    s.push_str("</table>\n");
    Ok(s)
}

/// The comparison's result in a sentence and its warnings (`comparison.csv`, absent when
/// the run made no comparison), and what the run left out (`summary.txt`).
pub fn warnings(folder: &Folder) -> Result<(String, String)> {
    let mut items: Vec<String> = Vec::new();
    let mut ratio = String::new();
    if folder.has("comparison.csv") {
        let t = folder.csv("comparison.csv")?;
        if let (Some(a), Some(b)) = (t.rows.first(), t.rows.get(1)) {
            let (ida, idb) = (t.cell(a, "border_id"), t.cell(b, "border_id"));
            ratio = if t.cell(a, "comparable") == "true" {
                format!(
                    "Rate ratio {ida} / {idb}: {} (95% CI {}).",
                    num(t.cell(a, "rate_ratio_vs_other")),
                    interval(t.cell(a, "ratio_ci95_low"), t.cell(a, "ratio_ci95_high"))
                )
            } else {
                format!(
                    "{ida} and {idb} are not comparable, so there is no rate ratio: {}.",
                    t.cell(a, "not_comparable_because")
                )
            };
            items.extend(
                t.cell(a, "warnings")
                    .split(" | ")
                    .filter(|w| !w.trim().is_empty())
                    .map(String::from),
            );
        }
    } else {
        ratio = "The run made no comparison (comparison.csv is absent).".into();
    }
    let summary = folder.text("summary.txt")?;
    items.extend(
        summary
            .lines()
            .filter(|l| l.starts_with("left out:") || l.starts_with("to review:"))
            .map(String::from),
    );
    let mut s = String::new();
    if items.is_empty() {
        s.push_str("<p>None.</p>\n");
    } else {
        s.push_str("<ul id=\"warnings-list\">\n");
        for w in items {
            writeln!(s, "<li>{}</li>", esc(&w))?;
        }
        s.push_str("</ul>\n");
    }
    Ok((format!("<p>{}</p>\n", esc(&ratio)), s))
}

/// A parameter of the run as text ("" when absent).
fn param(p: &Value, key: &str) -> String {
    match p.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.as_f64().map_or_else(|| n.to_string(), |v| fig(Some(v))),
        _ => String::new(),
    }
}

/// The method in short, with the run's own parameters (the `parameters` member of
/// `segments.geojson`). The facts are those of the README's "Border analytics".
pub fn method(p: &Value) -> String {
    let corridor = param(p, "corridor_km");
    let side = match param(p, "corridor_side").as_str() {
        "afghan" => "on the Afghan side only",
        "neighbour" => "on the neighbour's side only",
        _ => "either side",
    };
    let segment = param(p, "segment_km");
    let basis = param(p, "length_basis");
    let window = match (param(p, "window_start"), param(p, "window_end")) {
        (a, b) if !a.is_empty() => format!("{a} to {b} ({} years)", param(p, "years")),
        _ => "the span of the data".into(),
    };
    let weight = if param(p, "weight") == "fatalities" {
        "Incidents are weighted by deaths (`--weight fatalities`); the hotspot test is then not made, as deaths come in clusters."
    } else {
        "Each incident weighs its number of events (an aggregate row, its count)."
    };
    let items = [
        format!(
            "<b>Corridor.</b> An incident counts for a border only within {corridor} km of it, {side}. \
             Imprecise locations are apportioned, not dumped into one segment: a location is a Gaussian \
             with σ = its uncertainty radius / 2, cut off at the radius, and each segment gets the share \
             that falls on it inside the corridor; a border-zone location or an aggregate row is spread \
             evenly along its stretch. What falls outside the corridor is left out, so shares add up to \
             the record's weight."
        ),
        format!(
            "<b>Segments.</b> Each border is cut every {segment} km of geodesic length (WGS 84), the \
             last segment shorter; rates are events per 100 km per year over the analysis window, \
             {window}. {weight}"
        ),
        "<b>Intervals.</b> 95% exact (Garwood) Poisson intervals; the rate ratio's interval is the \
         exact conditional (Clopper–Pearson) one. Apportioned counts are treated as Poisson, so the \
         intervals do not include the uncertainty of where imprecise events happened."
            .to_string(),
        "<b>Hotspots.</b> Each segment's count is tested against its own border's rate (exact one-sided \
         Poisson test, expected = the border's events × the segment's length ÷ the border's length); \
         the p-values of a border's segments are adjusted by Benjamini–Hochberg, and a segment is a \
         hotspot when q ≤ 0.05 (drawn with a dark casing). Not Getis–Ord Gi*: a segment is compared \
         with its whole border, not its neighbours."
            .to_string(),
        format!(
            "<b>Length basis.</b> Per-km figures divide by the {} length{}.",
            if basis == "published" {
                "published"
            } else {
                "measured"
            },
            if basis == "published" {
                " (each segment scaled by published ÷ measured)"
            } else {
                " of the line as drawn (the comparison's warnings say what published lengths would change)"
            }
        ),
        "<b>Classes.</b> Segment colours are the run's classes, the same as on the PNG and SVG maps, the \
         profile and the QGIS style: quintiles of the compared borders' non-zero segment rates, rounded \
         to two significant figures; grey is none."
            .to_string(),
    ];
    let mut s = String::from("<ul class=\"bw-method\">\n");
    for i in items {
        let _ = writeln!(s, "<li>{}</li>", i.replace('`', ""));
    }
    s.push_str("</ul>\n");
    s
}

/// The attribution: the data's (as every output carries it) and the map library's licences,
/// their text in full.
pub fn attribution(data: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "<p id=\"attribution-data\">{}</p>", esc(data));
    let _ = writeln!(
        s,
        "<p>Geodata: Who's On First (whosonfirst.org; CC0, with parts under CC BY: \
         https://whosonfirst.org/docs/licenses/), GeoNames (geonames.org, CC BY 4.0), Natural Earth \
         (public domain); how it was derived: geodata/SOURCES.md of borderwatch.</p>"
    );
    let _ = writeln!(
        s,
        "<p>Map: Leaflet {} (BSD 2-Clause, © Volodymyr Agafonkin) and Leaflet.markercluster {} \
         (MIT, © David Leaver), bundled in this file.</p>",
        super::assets::LEAFLET_VERSION,
        super::assets::MARKERCLUSTER_VERSION
    );
    for (name, text) in [
        ("Leaflet", super::assets::LEAFLET_LICENSE),
        (
            "Leaflet.markercluster",
            super::assets::MARKERCLUSTER_LICENSE,
        ),
    ] {
        let _ = writeln!(
            s,
            "<details><summary>{name} licence</summary><pre>{}</pre></details>",
            esc(text.trim_end())
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Table {
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        Table {
            header: r.headers().unwrap().iter().map(String::from).collect(),
            rows: r
                .records()
                .map(|x| x.unwrap().iter().map(String::from).collect())
                .collect(),
        }
    }

    #[test]
    fn densest_first_without_empty_segments_and_escaped() {
        let t = table(
            "segment_id,km_from,km_to,provinces,events_weighted,per_100km,per_100km_per_year,ci95_low,ci95_high,hotspot,hotspot_q\n\
             A-1,0,25,<b>x</b>,1,4,2,1,3,false,0.5\n\
             A-2,25,50,y,0,0,0,0,1,false,1\n\
             A-3,50,75,z,3,12,6,4,8,true,0.01\n",
        );
        let html = densest_table(&t).unwrap();
        assert!(html.find("A-3").unwrap() < html.find("A-1").unwrap());
        assert!(!html.contains("A-2"));
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;") && !html.contains("<b>x"));
        assert!(html.contains("yes (0.01)"));
    }

    #[test]
    fn method_states_the_runs_parameters() {
        let p = serde_json::json!({"corridor_km": 50.0, "segment_km": 25.0, "corridor_side": "afghan",
            "length_basis": "published", "window_start": "2025-01-01", "window_end": "2025-12-31", "years": 1.0});
        let m = method(&p);
        assert!(m.contains("within 50 km of it, on the Afghan side only"));
        assert!(m.contains("every 25 km"));
        assert!(m.contains("published length"));
        assert!(m.contains("2025-01-01 to 2025-12-31"));
    }
}
