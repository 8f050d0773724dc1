//! The incident layer of a run: every incident's own fields (as `geocode` writes them) and
//! the analysis's placement after them, streamed to its file.

use super::Header;
use super::layer::write_head;
use crate::density::{Analysis, Placement};
use crate::export::features::{Cell, FeatureWriter, RowFn};
use crate::export::qgis::{GeomKind, LayerInfo, Style};
use crate::export::{round6, write_atomic_with};
use crate::model::LocatedIncident;
use anyhow::Result;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
/// The analysis's fields after the incident's own (see [`crate::export::incidents::FIELDS`]).
pub(super) const PLACEMENT_FIELDS: [&str; 7] = [
    "nearest_border",
    "border_distance_km",
    "border_km",
    "border_side",
    "corridor_share",
    "analysis_weight",
    "analysis_excluded",
];

/// A real number rounded to 6 decimals; null when unknown or not finite.
pub(super) fn real_cell<'a>(v: Option<f64>) -> Cell<'a> {
    match v {
        Some(x) if x.is_finite() => Cell::Real(round6(x) + 0.0),
        _ => Cell::Null,
    }
}

pub(super) fn arc_cell(v: &Option<std::sync::Arc<str>>) -> Cell<'_> {
    v.as_deref()
        .map_or(Cell::Null, |s| Cell::Text(Cow::Borrowed(s)))
}

/// The incident layer, streamed to its file (it can hold millions of features).
pub(super) fn write_incidents_layer(
    out: &Path,
    header: &Header,
    located: &[LocatedIncident],
    a: &Analysis,
) -> Result<(PathBuf, LayerInfo)> {
    let rows: Vec<(&LocatedIncident, &Placement)> = located.iter().zip(&a.placements).collect();
    let fields: Vec<&str> = crate::export::incidents::FIELDS
        .iter()
        .chain(&PLACEMENT_FIELDS)
        .copied()
        .collect();
    let row: &RowFn<(&LocatedIncident, &Placement)> = &|(l, pl), out| {
        crate::export::incidents::cells(l, located, out);
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
    let marked = features.mark_date_like(&crate::export::incidents::DATE_FIELDS, &rows);
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
