//! What the page bundles: the vendored map library (`assets/leaflet/`, provenance in its
//! README) and the page's own script and style (`page.js`, `page.css` beside this file),
//! compiled into the binary so the report needs nothing but itself.

/// Leaflet's version, as vendored.
pub const LEAFLET_VERSION: &str = "1.9.4";
/// Leaflet.markercluster's version, as vendored.
pub const MARKERCLUSTER_VERSION: &str = "1.5.3";

/// Leaflet 1.9.4, minified (npm `leaflet`, `dist/leaflet.js`).
pub const LEAFLET_JS: &str = include_str!("../../assets/leaflet/leaflet.js");
/// Leaflet's stylesheet.
pub const LEAFLET_CSS: &str = include_str!("../../assets/leaflet/leaflet.css");
/// Leaflet.markercluster 1.5.3, minified (npm `leaflet.markercluster`).
pub const MARKERCLUSTER_JS: &str = include_str!("../../assets/leaflet/leaflet.markercluster.js");
/// Leaflet.markercluster's stylesheets (layout, then the default cluster colours).
pub const MARKERCLUSTER_CSS: [&str; 2] = [
    include_str!("../../assets/leaflet/MarkerCluster.css"),
    include_str!("../../assets/leaflet/MarkerCluster.Default.css"),
];
/// Leaflet's licence (BSD 2-Clause), shown in the page.
pub const LEAFLET_LICENSE: &str = include_str!("../../assets/leaflet/LICENSE-leaflet");
/// Leaflet.markercluster's licence (MIT), shown in the page.
pub const MARKERCLUSTER_LICENSE: &str = include_str!("../../assets/leaflet/LICENSE-markercluster");

/// The page's map script.
pub const PAGE_JS: &str = include_str!("page.js");
/// The page's style.
pub const PAGE_CSS: &str = include_str!("page.css");
/// Records script errors, console errors and blocked fetches into `#script-errors`, so a
/// reader (and the browser test) sees them; runs before anything else on the page.
pub const ERRORS_JS: &str = include_str!("errors.js");

/// A vendored script without its trailing `//# sourceMappingURL=` line: the map files are
/// not shipped, and nothing on the page may point outside it.
pub fn without_source_map(js: &str) -> &str {
    match js.rfind("//# sourceMappingURL=") {
        Some(i) => js[..i].trim_end(),
        None => js,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nothing_bundled_can_end_its_element_early() {
        for s in [
            super::LEAFLET_JS,
            super::MARKERCLUSTER_JS,
            super::PAGE_JS,
            super::ERRORS_JS,
        ] {
            assert!(!s.to_ascii_lowercase().contains("</script"));
        }
        for s in [super::LEAFLET_CSS, super::PAGE_CSS] {
            assert!(!s.to_ascii_lowercase().contains("</style"));
        }
        assert!(super::LEAFLET_JS.contains("version=\"1.9.4\""));
        assert!(!super::without_source_map(super::LEAFLET_JS).contains("sourceMappingURL"));
    }
}
