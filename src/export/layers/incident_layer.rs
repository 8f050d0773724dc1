//! The incident layer of a run: every incident's own fields (as `geocode` writes them), the
//! analysis's placement after them, then the input's own columns; streamed to its GeoJSON
//! file and written into the GeoPackage from the same rows.

use super::Header;
use super::layer::write_head;
use crate::density::{Analysis, Placement};
use crate::export::features::{Cell, FeatureWriter, HandOn, RowCells, RowFn, written_point};
use crate::export::gpkg::{Envelopes, GeoPackage, LayerSpec, Shape};
use crate::export::incidents;
use crate::export::qgis::{GeomKind, LayerInfo, Style};
use crate::export::schema::{Field, UserColumns};
use crate::export::{round6, write_atomic_with};
use crate::model::LocatedIncident;
use anyhow::Result;
use std::borrow::Cow;
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
/// GeoPackage on its own thread while the GeoJSON is formatted, taking each row's values as
/// the GeoJSON's formatting made them). Returns the GeoJSON file
/// when written, what the QGIS writer needs, and the user's columns. `event_types` are the
/// incidents' event types as written, each once, in order ([`super::DatesAndTypes`]).
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
        crate::export::features::push_cells!(out;
            arc_cell(&pl.border_id),
            real_cell(pl.distance_km),
            real_cell(pl.along_km),
            arc_cell(&pl.side),
            real_cell(Some(pl.in_corridor)),
            real_cell(Some(pl.weight)),
            pl.excluded
                .map_or(Cell::Null, |s| Cell::Text(Cow::Borrowed(s))),
        );
        incidents::user_cells(l, &user, out);
        (l.location.lon, l.location.lat)
    };
    let file = "incidents.geojson";
    let path = out.join(file);
    let mut bbox = None;
    std::thread::scope(|scope| -> Result<()> {
        // With both files, the GeoPackage's rows come from the GeoJSON's formatting.
        let (hand_on, from_geojson) = if geojson && gpkg.is_some() {
            // Two tasks' rows waiting: the formatting is not held up by every pause of the
            // inserts, and a task's values (a few megabytes) are not kept many times over.
            let (send, receive) = std::sync::mpsc::sync_channel(2);
            let (give_back, given_back) = std::sync::mpsc::channel();
            (
                Some(HandOn { send, given_back }),
                Some(Handed { receive, give_back }),
            )
        } else {
            (None, None)
        };
        let package = gpkg.map(|g| {
            let (fields, rows) = (&fields, &rows);
            let point = |&(l, _): &(&LocatedIncident, &Placement)| (l.location.lon, l.location.lat);
            scope.spawn(move || write_gpkg(g, fields, rows, row, point, from_geojson))
        });
        if geojson {
            let mut features = FeatureWriter::new(&names, row);
            let marked = features.mark_date_like(&incidents::date_fields(&fields), &rows);
            write_atomic_with(&path, |w| {
                write_head(w, "incidents", header, &[], &marked)?;
                bbox = features.write(w, &rows, hand_on)?;
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

/// Rows per batch handed from the thread that makes the incidents' values to the one that
/// inserts them, when there is no GeoJSON to take them from.
const GPKG_BATCH_ROWS: usize = 1024;

/// The rows' values as the GeoJSON's formatting hands them on, and where they go back.
struct Handed<'f> {
    receive: std::sync::mpsc::Receiver<RowCells<'f>>,
    give_back: std::sync::mpsc::Sender<RowCells<'f>>,
}

/// The incidents into the GeoPackage; returns their bounds (min x, min y, max x, max y).
/// `point` is the point `row` gives, without the row's values.
///
/// SQLite inserts on one thread; the rows' values are made elsewhere, ahead of it (the
/// insert is the GeoPackage's longest step, and the other core is often free by then): by
/// the GeoJSON's formatting when `from_geojson`, else on a thread of their own. The R-tree
/// goes in first, from the points (see [`GeoPackage::add_layer_indexed_first`]).
fn write_gpkg<'f, R: Sync>(
    gpkg: &mut GeoPackage,
    fields: &[Field],
    rows: &'f [R],
    row: &'f RowFn<'f, R>,
    point: impl Fn(&R) -> (f64, f64),
    from_geojson: Option<Handed<'f>>,
) -> Result<Option<[f64; 4]>> {
    let spec = LayerSpec {
        name: "incidents",
        kind: GeomKind::Point,
        fields,
        description: crate::export::schema::layer_description("incidents"),
    };
    // Each row's point as the rows below store it, its fid the row's number from 1.
    let stored = |r: &R| {
        let (x, y) = written_point(point(r));
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
            let Handed { receive, give_back } = match from_geojson {
                Some(handed) => handed,
                None => {
                    let (send, receive) = std::sync::mpsc::sync_channel::<RowCells<'f>>(2);
                    let (give_back, given_back) = std::sync::mpsc::channel::<RowCells<'f>>();
                    scope.spawn(move || {
                        for chunk in rows.chunks(GPKG_BATCH_ROWS) {
                            let mut batch = given_back.try_recv().unwrap_or_default();
                            batch.clear();
                            for r in chunk {
                                batch.push(row, r);
                            }
                            if send.send(batch).is_err() {
                                // The inserting side stopped on an error, which it reports.
                                return;
                            }
                        }
                    });
                    Handed { receive, give_back }
                }
            };
            let mut inserted = 0;
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
                inserted += batch.points.len();
                // The maker may be done and gone; the batch is then simply dropped.
                let _ = give_back.send(batch);
            }
            // Rows stop short only when their maker failed (the GeoJSON, reported by its
            // writer): a layer missing rows must not be completed.
            anyhow::ensure!(
                inserted == rows.len(),
                "the incidents' rows stopped at {inserted} of {}",
                rows.len()
            );
            Ok(())
        })
    })?;
    Ok(bounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::schema::FieldType;

    /// Rows handed on stop short only when their maker failed: the package's layer is then
    /// refused, not completed with the rows that came.
    #[test]
    fn rows_that_stop_short_are_an_error_not_a_shorter_layer() {
        let dir = tempfile::tempdir().unwrap();
        let mut gpkg =
            GeoPackage::create(&dir.path().join("t.gpkg"), "2024-01-01T00:00:00.000Z").unwrap();
        let fields = [Field {
            name: Cow::Borrowed("name"),
            ty: FieldType::Text,
        }];
        let rows: Vec<(f64, f64, String)> = (0..10)
            .map(|i| (70.0 + i as f64, 34.0, format!("p{i}")))
            .collect();
        let row: &RowFn<(f64, f64, String)> = &|(x, y, name), out| {
            out.push(Cell::Text(Cow::Borrowed(name)));
            (*x, *y)
        };
        let (send, receive) = std::sync::mpsc::sync_channel(2);
        let (give_back, _given_back) = std::sync::mpsc::channel();
        let mut first = RowCells::default();
        for r in &rows[..4] {
            first.push(row, r);
        }
        send.send(first).unwrap();
        drop(send);
        let handed = Handed { receive, give_back };
        let err =
            write_gpkg(&mut gpkg, &fields, &rows, row, |r| (r.0, r.1), Some(handed)).unwrap_err();
        assert!(format!("{err:#}").contains("stopped at 4 of 10"), "{err:#}");
    }
}
