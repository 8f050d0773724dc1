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
//!
//! One file per document: `style` writes the `.qml` styles, `project` the `.qgs`
//! project, both with the XML toolkit in `xml`. This module knows the layers only as
//! `LayerInfo` (name, file, geometry, style and the values its classes come from); it must
//! not know how the layers were made.

mod layout;
mod project;
mod style;
mod xml;

use super::write_atomic;
use crate::export::qgis::project::qgs;
pub(crate) use crate::export::qgis::style::qml;
use anyhow::Result;
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

    /// The OGC geometry type name (the GeoPackage's, upper-cased).
    pub(crate) fn wkb(self) -> &'static str {
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
    /// The GeoPackage the layers are read from (`borderwatch.gpkg|layername=NAME`);
    /// `None`: each layer from its GeoJSON file.
    pub gpkg: Option<String>,
    /// First and last day of the incidents: the project's time range.
    pub time_range: Option<(crate::model::Date, crate::model::Date)>,
}

/// File name of the project.
pub(crate) const PROJECT_FILE: &str = "borderwatch.qgs";

/// Writes the project and, when `qml_files` (the layers are written as GeoJSON), `NAME.qml`
/// beside every layer; returns the files written.
pub(crate) fn write(
    out: &Path,
    layers: &[LayerInfo],
    project: &ProjectInfo,
    qml_files: bool,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for l in layers.iter().filter(|_| qml_files) {
        let path = out.join(format!("{}.qml", l.name));
        write_atomic(&path, qml(l).as_bytes())?;
        written.push(path);
    }
    let path = out.join(PROJECT_FILE);
    write_atomic(&path, qgs(layers, project).as_bytes())?;
    written.push(path);
    Ok(written)
}
