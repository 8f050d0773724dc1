//! The incident layer of a run: every incident's own fields (as `geocode` writes them), the
//! analysis's placement after them, then the input's own columns; streamed to its GeoJSON
//! file and written into the GeoPackage from the same rows.

use super::Header;
use super::layer::write_head;
use crate::density::{Analysis, Placement};
use crate::export::features::{Cell, FeatureWriter, RowFn, SqlCell};
use crate::export::gpkg::{Envelopes, GeoPackage, LayerSpec, Shape};
use crate::export::incidents;
use crate::export::qgis::{GeomKind, LayerInfo, Style};
use crate::export::schema::{Field, UserColumns};
use crate::export::{round6, write_atomic_with};
use crate::model::LocatedIncident;
use anyhow::Result;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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

/// The incident layer, streamed to `incidents.geojson` (it can hold millions of features)
/// when `geojson`, and written into `gpkg` when given, both from the same rows (the
/// GeoPackage on its own thread while the GeoJSON is formatted). Returns the GeoJSON file
/// when written, what the QGIS writer needs, and the user's columns. `event_types` are
/// [`event_types`] of `located`.
pub(super) fn write_incidents_layer(
    out: &Path,
    header: &Header,
    located: &[LocatedIncident],
    a: &Analysis,
    event_types: Vec<String>,
    geojson: bool,
    gpkg: Option<&mut GeoPackage>,
) -> Result<(Option<PathBuf>, LayerInfo, UserColumns)> {
    let rows: Vec<(&LocatedIncident, &Placement)> = located.iter().zip(&a.placements).collect();
    let user = incidents::user_columns(located);
    let fields = incidents::fields(&user, true);
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_ref()).collect();
    let row: &RowFn<(&LocatedIncident, &Placement)> = &|(l, pl), out| {
        incidents::cells(l, located, out);
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
        incidents::user_cells(l, &user, out);
        (l.location.lon, l.location.lat)
    };
    let file = "incidents.geojson";
    let path = out.join(file);
    let mut bbox = None;
    std::thread::scope(|scope| -> Result<()> {
        let package = gpkg.map(|g| {
            let (fields, rows) = (&fields, &rows);
            let point = |&(l, _): &(&LocatedIncident, &Placement)| (l.location.lon, l.location.lat);
            scope.spawn(move || write_gpkg(g, fields, rows, row, point))
        });
        if geojson {
            let mut features = FeatureWriter::new(&names, row);
            let marked = features.mark_date_like(&incidents::date_fields(&fields), &rows);
            write_atomic_with(&path, |w| {
                write_head(w, "incidents", header, &[], &marked)?;
                bbox = features.write(w, &rows)?;
                w.write_all(b"]}\n")?;
                Ok(())
            })?;
        }
        if let Some(p) = package {
            let package_bbox = p
                .join()
                .map_err(|_| anyhow::anyhow!("the GeoPackage writer panicked"))??;
            bbox = bbox.or(package_bbox);
        }
        Ok(())
    })?;
    let info = LayerInfo {
        name: "incidents".into(),
        file: file.into(),
        kind: GeomKind::Point,
        bbox,
        style: Style::Incidents { event_types },
    };
    Ok((geojson.then_some(path), info, user))
}

/// The incidents' event types as written, each once, in order: the incident layer's style
/// gives each its symbol.
pub(super) fn event_types(located: &[LocatedIncident]) -> Vec<String> {
    let mut types = BTreeSet::new();
    for l in located {
        if let Some(t) = &l.record.event_type
            && !types.contains(t)
        {
            types.insert(t.clone());
        }
    }
    types.into_iter().map(|t| t.to_string()).collect()
}

/// Rows per batch handed from the thread that builds the incidents' cells to the one that
/// inserts them.
const GPKG_BATCH_ROWS: usize = 1024;

/// A batch of incidents ready to insert: each row's point, where its values end, and the
/// values.
#[derive(Default)]
struct SqlBatch<'f> {
    points: Vec<(f64, f64)>,
    ends: Vec<usize>,
    values: Vec<SqlCell<'f>>,
}

/// The incidents into the GeoPackage; returns their bounds (min x, min y, max x, max y).
/// `point` is the point `row` gives, without the row's values.
///
/// SQLite inserts on one thread; the rows' values are made on another, a batch ahead (the
/// insert is the GeoPackage's longest step, and the other core is often free by then). The
/// R-tree goes in first, from the points (see [`GeoPackage::add_layer_indexed_first`]).
fn write_gpkg<'f, R: Sync>(
    gpkg: &mut GeoPackage,
    fields: &[Field],
    rows: &'f [R],
    row: &'f RowFn<'f, R>,
    point: impl Fn(&R) -> (f64, f64),
) -> Result<Option<[f64; 4]>> {
    let spec = LayerSpec {
        name: "incidents",
        kind: GeomKind::Point,
        fields,
        description: crate::export::schema::layer_description("incidents"),
    };
    // Each row's point as the rows below store it, its fid the row's number from 1.
    let stored = |r: &R| {
        let (x, y) = stored_point(point(r));
        Shape::Point(x, y)
    };
    let envelopes: Envelopes = (1..)
        .zip(rows)
        .filter_map(|(fid, r)| Some((fid, stored(r).envelope()?)))
        .collect();
    let mut bounds: Option<[f64; 4]> = None;
    gpkg.add_layer_indexed_first(&spec, envelopes, |out| {
        out.expect(rows.len());
        std::thread::scope(|scope| -> Result<()> {
            let (send, receive) = std::sync::mpsc::sync_channel::<SqlBatch<'f>>(2);
            let (give_back, given_back) = std::sync::mpsc::channel::<SqlBatch<'f>>();
            scope.spawn(move || {
                let mut cells = Vec::with_capacity(fields.len());
                for chunk in rows.chunks(GPKG_BATCH_ROWS) {
                    let mut batch = given_back.try_recv().unwrap_or_default();
                    batch.points.clear();
                    batch.ends.clear();
                    batch.values.clear();
                    for r in chunk {
                        let (x, y) = row(r, &mut cells);
                        batch.points.push(stored_point((x, y)));
                        batch.values.extend(cells.drain(..).map(Cell::into_sql));
                        batch.ends.push(batch.values.len());
                    }
                    if send.send(batch).is_err() {
                        // The inserting side stopped on an error, which it reports.
                        return;
                    }
                }
            });
            for batch in receive {
                let mut start = 0;
                for (&(x, y), &end) in batch.points.iter().zip(&batch.ends) {
                    out.push_values(Shape::Point(x, y), batch.values[start..end].iter())?;
                    start = end;
                    bounds = Some(match bounds {
                        None => [x, y, x, y],
                        Some(b) => [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)],
                    });
                }
                // The builder may be done and gone; the batch is then simply dropped.
                let _ = give_back.send(batch);
            }
            Ok(())
        })
    })?;
    Ok(bounds)
}

/// A point as the GeoPackage stores it: 6 decimals, no negative zero.
fn stored_point((x, y): (f64, f64)) -> (f64, f64) {
    (round6(x) + 0.0, round6(y) + 0.0)
}
