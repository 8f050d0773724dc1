//! The page itself: one HTML document holding the map library, the data, the figures and the
//! text, with a Content-Security-Policy that forbids every fetch, so the file opens the same
//! from a disk, an e-mail or a USB stick, and can never call out.

use super::assets;
use super::map_data::MapData;
use crate::render::xml_escape as esc;
use anyhow::Result;
use std::fmt::Write;

/// The parts of the page made elsewhere, as HTML (already escaped).
pub struct Parts {
    pub title: String,
    pub subtitle: String,
    pub summary: String,
    pub ratio: String,
    pub comparison_svg: String,
    pub profile_svg: String,
    pub borders_table: String,
    pub densest_table: String,
    pub warnings: String,
    pub method: String,
    pub attribution: String,
}

/// No fetch of any kind; inline scripts and styles, and images only as data URIs.
const CSP: &str =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/// The data as JSON safe inside a `<script>` element: every `<` escaped (it can only occur
/// inside strings, where `\u003c` means the same), so no text can close the element.
fn json_for_script(data: &MapData) -> Result<String> {
    Ok(serde_json::to_string(data)?.replace('<', "\\u003c"))
}

/// A symbol as a small inline SVG (legend and filters), in the maps' shape and colour.
fn symbol(data: &MapData, shape: &str, color: &str) -> String {
    let path = data.shapes.get(shape).copied().unwrap_or_default();
    format!(
        "<svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\"><path d=\"{path}\" fill=\"{color}\" stroke=\"#fff\" stroke-width=\"1.3\"/></svg>"
    )
}

/// The filters above the map: date range, event types (with the count of each), border.
fn filters(data: &MapData) -> String {
    let mut s = String::from("<div id=\"filters\">\n");
    s.push_str(
        "<fieldset id=\"f-dates\"><legend>dates</legend>\
         <input type=\"range\" id=\"f-from\" aria-label=\"from\"> <output id=\"f-from-out\"></output> to \
         <input type=\"range\" id=\"f-to\" aria-label=\"to\"> <output id=\"f-to-out\"></output></fieldset>\n",
    );
    s.push_str("<fieldset id=\"f-types\"><legend>types</legend>\n");
    for (i, t) in data.types.iter().enumerate() {
        let _ = writeln!(
            s,
            "<label><input type=\"checkbox\" value=\"{}\" data-index=\"{i}\" checked> {} {} ({})</label>",
            esc(&t.key),
            symbol(data, t.shape, &t.color),
            esc(&t.label),
            t.n
        );
    }
    s.push_str(
        "</fieldset>\n<label>border <select id=\"f-border\"><option value=\"\">all</option>",
    );
    for b in &data.borders {
        let _ = write!(
            s,
            "<option value=\"{}\">{} {}</option>",
            esc(&b.id),
            esc(&b.id),
            esc(&b.name)
        );
    }
    s.push_str(
        "</select></label>\n<button type=\"button\" id=\"f-reset\">show all</button>\n</div>\n",
    );
    s
}

/// The map's legend (put into the map by the script): the segment classes, the hotspot
/// casing, the event types, uncertainty and stretches.
fn legend(data: &MapData) -> String {
    let mut s = format!("<b>segments: {}</b>\n", esc(&data.classes.unit));
    for (color, label) in &data.classes.entries {
        let _ = writeln!(
            s,
            "<div><span class=\"swatch\" style=\"background:{color}\"></span>{}</div>",
            esc(label)
        );
    }
    s.push_str(
        "<div><span class=\"swatch hot\"></span>hotspot (q ≤ 0.05)</div>\n<b>incidents</b>\n",
    );
    for t in &data.types {
        let _ = writeln!(
            s,
            "<div>{} {}</div>",
            symbol(data, t.shape, &t.color),
            esc(&t.label)
        );
    }
    s.push_str(
        "<div>○ circle: how far the location may be off</div>\n\
         <div>broad band: known only along that stretch (dashed: one row for many events)</div>\n",
    );
    s
}

/// The whole document.
pub fn html(data: &MapData, p: &Parts) -> Result<String> {
    let mut s = String::with_capacity(1 << 20);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"generator\" content=\"borderwatch {}\">\n<title>{}</title>\n\
         <script>\n{}\n</script>\n<style>\n{}\n{}\n{}\n{}\n</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&p.title),
        assets::ERRORS_JS,
        assets::LEAFLET_CSS,
        assets::MARKERCLUSTER_CSS[0],
        assets::MARKERCLUSTER_CSS[1],
        assets::PAGE_CSS,
    );
    let _ = write!(
        s,
        "<header>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n</header>\n\
         <section id=\"map-section\">\n{}<div id=\"status\" role=\"status\">loading the map…</div>\n\
         <div id=\"map\"></div>\n\
         <p class=\"note\">Click a symbol, a stretch or a segment for its details. The filters are kept in \
         the address: <code>#from=2025-01-01&amp;to=2025-06-30&amp;types=drone_strike,armed_clash&amp;border=AF-PK</code> \
         opens the report so filtered. Records without a date are shown only while the whole span is. \
         Past 2,000 points, nearby incidents are clustered; zoom in to separate them.</p>\n</section>\n",
        esc(&p.title),
        p.subtitle,
        filters(data),
    );
    let _ = write!(
        s,
        "<section id=\"summary\">\n<h2>Summary</h2>\n{}</section>\n\
         <section id=\"comparison\">\n<h2>Comparison</h2>\n{}{}</section>\n\
         <section id=\"profile\">\n<h2>Along the borders</h2>\n{}</section>\n\
         <section id=\"tables\">\n<h2>Per border</h2>\n{}<h2>Densest segments</h2>\n{}</section>\n\
         <section id=\"warnings\">\n<h2>Warnings</h2>\n{}</section>\n\
         <section id=\"method\">\n<h2>Method</h2>\n{}</section>\n\
         <section id=\"attribution\">\n<h2>Sources and licences</h2>\n{}</section>\n",
        p.summary,
        p.ratio,
        p.comparison_svg,
        p.profile_svg,
        p.borders_table,
        p.densest_table,
        p.warnings,
        p.method,
        p.attribution,
    );
    let _ = write!(
        s,
        "<pre id=\"script-errors\" hidden></pre>\n<template id=\"legend-template\">\n{}</template>\n\
         <script type=\"application/json\" id=\"report-data\">{}</script>\n\
         <script>\n{}\n</script>\n<script>\n{}\n</script>\n<script>\n{}\n</script>\n</body>\n</html>\n",
        legend(data),
        json_for_script(data)?,
        assets::without_source_map(assets::LEAFLET_JS),
        assets::without_source_map(assets::MARKERCLUSTER_JS),
        assets::PAGE_JS,
    );
    Ok(s)
}
