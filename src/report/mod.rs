//! `report.html`: a run's results in one self-contained, offline HTML file — an interactive
//! map (Leaflet, bundled) of the segments in the run's classes and the incidents by type with
//! their popups, uncertainty circles and stretches, filtered by date, type and border; the
//! comparison and profile figures; the summary, per-border and densest-segment tables; the
//! warnings, the method and the attribution.
//!
//! The report is made from the files of an output folder, never from the run's memory, so
//! `borderwatch run` (which writes it last) and `borderwatch report DIR` (which rebuilds it)
//! give the same bytes; a file it needs and cannot find is named in the error.
//!
//! - [`folder`]: reading the layers, tables, summary and figures back;
//! - [`map_data`]: the map's data (basemap, segments classed as the maps class them,
//!   incidents as columns);
//! - [`figures`]: the SVG figures made safe to inline;
//! - [`sections`]: summary, tables, warnings, method, attribution;
//! - [`page`]: the document, its policy against any fetch, and the bundled library
//!   ([`assets`]).
//!
//! The report reads what the run wrote; it must not know how the figures were computed.

mod assets;
mod feature_split;
pub mod figures;
pub mod folder;
pub mod map_data;
mod page;
pub mod sections;

use crate::export::write_atomic;
use anyhow::{Context, Result};
use folder::Folder;
use std::path::{Path, PathBuf};

/// The report's file name in an output folder.
pub const REPORT_FILE: &str = "report.html";

/// The report of the run whose outputs are in `dir`, as HTML.
pub fn html(dir: &Path) -> Result<String> {
    let folder = Folder::new(dir);
    let config = folder.config()?;
    let compared = config.compare.clone().unwrap_or_default();
    let data = map_data::map_data(&folder, &compared)?;
    let head = folder.head("segments.geojson")?;
    let parameters = head.parameters.unwrap_or_default();
    let attribution = head.attribution.unwrap_or_default();
    let (ratio, warnings) = sections::warnings(&folder)?;
    let figure = |name: &str, prefix: &str, absent: &str| -> Result<String> {
        Ok(match folder.optional_text(name)? {
            Some(svg) => format!("<figure>{}</figure>\n", figures::inline_svg(&svg, prefix)),
            None => format!("<p class=\"note\">{name} is not in the folder: {absent}.</p>\n"),
        })
    };
    let parts = page::Parts {
        title: "Cross-border incidents along Afghanistan's borders".into(),
        subtitle: subtitle(&parameters, data.incidents.lat.len()),
        summary: sections::summary(&folder)?,
        ratio,
        comparison_svg: figure(
            "comparison.svg",
            "comparison",
            "the run made no comparison, or no SVG figures (--format)",
        )?,
        profile_svg: figure(
            "profile.svg",
            "profile",
            "the run made no SVG figures (--format)",
        )?,
        borders_table: sections::borders_table(&folder.csv("borders.csv")?)?,
        densest_table: sections::densest_table(&folder.csv("segments.csv")?)?,
        warnings,
        method: sections::method(&parameters),
        attribution: sections::attribution(&attribution),
    };
    page::html(&data, &parts).with_context(|| format!("making the report of {}", dir.display()))
}

/// Writes `report.html` into `dir` (atomically) from the run's files there; returns its path.
pub fn write(dir: &Path) -> Result<PathBuf> {
    let text = html(dir)?;
    let path = dir.join(REPORT_FILE);
    write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// The line under the title: the window, how many incidents, the corridor and segments,
/// the inputs (escaped).
fn subtitle(p: &serde_json::Value, located: usize) -> String {
    let get = |k: &str| p.get(k).and_then(serde_json::Value::as_str).unwrap_or("");
    let num = |k: &str| p.get(k).and_then(serde_json::Value::as_f64);
    let window = match (get("window_start"), get("window_end")) {
        ("", _) => "undated".to_string(),
        (a, b) => format!("{a} to {b}"),
    };
    let inputs: Vec<&str> = p
        .get("inputs")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(serde_json::Value::as_str)
                .map(|s| s.rsplit(['/', '\\']).next().unwrap_or(s))
                .collect()
        })
        .unwrap_or_default();
    let text = format!(
        "{window}; {located} incidents located; corridor {} km, segments {} km, {} lengths; input: {}",
        map_data::fig(num("corridor_km")),
        map_data::fig(num("segment_km")),
        get("length_basis"),
        if inputs.is_empty() {
            "none named".to_string()
        } else {
            inputs.join(", ")
        }
    );
    crate::render::xml_escape(&text)
}
