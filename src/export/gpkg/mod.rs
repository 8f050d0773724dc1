//! `borderwatch.gpkg`: every layer of a run in one OGC GeoPackage 1.3, written with SQLite
//! (rusqlite, SQLite bundled) to the specification rather than through GDAL, so the tool
//! needs no GDAL to run.
//!
//! What is in the file: the required tables (`gpkg_spatial_ref_sys` with its -1, 0 and
//! 4326 rows, `gpkg_contents` with each layer's extent, `gpkg_geometry_columns`,
//! `gpkg_extensions`), `application_id` 'GPKG' and `user_version` 10300; per layer a table
//! (`fid`, `geom`, then the schema's fields with their declared types, see
//! [`super::schema`]) and its R-tree index `rtree_<layer>_geom` with the spec's triggers
//! (bulk-loaded once the rows are in, see [`rtree`], or before them where the layer's
//! envelopes are known first, as the incidents' are: [`GeoPackage::add_layer_indexed_first`]);
//! QGIS's `layer_styles` with each layer's style (the `.qml` text) as its default, so a
//! layer dragged into QGIS on its own opens styled.
//!
//! Written atomically (a temporary file in the output folder, renamed when complete) and
//! byte-identical on rerun: `last_change` and `update_time` are the run's stamp (derived
//! from the data, not the clock), rows go in the layers' order, the journal is a rollback
//! journal (`journal_mode=DELETE`, nothing kept beside the file). A new file written in one
//! transaction in a fixed order has the same pages every time, so no `VACUUM` is run (it
//! would copy the whole file again to make it 0.3% smaller; see the README's Performance).
//! Its pages are 16 KiB, not SQLite's 4 KiB: a million incidents' rows fill a quarter as
//! many pages, with fewer splits and writes (`export --layers gpkg` on the peer's million,
//! four interleaved runs: writing 2.13-2.44 -> 1.84-2.09 s, the file 383 -> 370 MB).
//!
//! Knows the GeoPackage and SQLite; the layers hand it shapes and typed values.

mod geometry;
mod insert;
mod rtree;
mod tables;

pub(crate) use rtree::Envelopes;
#[cfg(test)]
mod tests;

use super::qgis::GeomKind;
use super::schema::Field;
use anyhow::{Context, Result};
pub(crate) use geometry::Shape;
use insert::Insert;
pub(crate) use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};
use tables::quoted;

/// File name of the GeoPackage in the output folder.
pub(crate) const GPKG_FILE: &str = "borderwatch.gpkg";

/// Every layer is in lon/lat on WGS 84.
const SRS_ID: i32 = 4326;
const GEOM: &str = "geom";
const FID: &str = "fid";

/// A GeoPackage being written; [`GeoPackage::finish`] puts it in place.
pub(crate) struct GeoPackage {
    // Dropped before `tmp`, so the connection is closed before the file is removed.
    conn: Connection,
    tmp: tempfile::TempPath,
    path: PathBuf,
    /// `last_change` / `update_time` of every row, `YYYY-MM-DDTHH:MM:SS.SSSZ`.
    stamp: String,
}

/// A feature table to write.
pub(crate) struct LayerSpec<'a> {
    pub name: &'a str,
    pub kind: GeomKind,
    pub fields: &'a [Field],
    pub description: &'a str,
}

/// Rows per multi-row `INSERT` at most (fewer when the layer has so many fields that the
/// statement would need more than SQLite's limit of bound variables).
const BATCH_ROWS: usize = 256;

/// SQLite's limit of bound variables per statement (`SQLITE_MAX_VARIABLE_NUMBER` of the
/// bundled SQLite, 3.32 and later).
const MAX_VARIABLES: usize = 32766;

/// A value for a row: text that lives at least as long as the layer's statements (`'v`)
/// is bound in place; anything else is copied (see [`insert`]).
pub(crate) enum Bound<'v, 'a> {
    Lasting(&'v [u8]),
    Copied(ValueRef<'a>),
    /// A date, bound as `YYYY-MM-DD` text (copied). The date itself rather than its ten
    /// bytes of text: an array of ten bytes packed after the tag put the other variants'
    /// payloads at odd offsets, and moving a value through the insert loop became
    /// overlapping 4-byte copies whose reloads stalled (`perf annotate`: three fifths of
    /// the loop's own samples on one instruction, a million incidents).
    Date(crate::model::Date),
}

/// What a parameter of an insert holds. A statement keeps its bindings from one row to the
/// next, so a value equal to the one held (NULL, the same number, the same lasting text in
/// the same place) is not bound again: most fields of an incident layer repeat from row to
/// row, and a bind is a third of an insert's cost.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    Null,
    Integer(i64),
    /// The number's bits: the same bits are the same number (0.0 after -0.0 is bound
    /// again, which costs a bind and changes nothing).
    Real(u64),
    /// Where lasting text starts, and its length: text borrowed for the statement's life
    /// cannot change, so the same place holds the same text.
    Lasting(*const u8, usize),
    /// A date, bound as its text: the same date is the same text. (Bound again each row,
    /// every date was a copy into a fresh allocation of SQLite's and a release of the last;
    /// an incident's two dates repeat from row to row as the rows go by date.)
    Date(crate::model::Date),
    /// Copied text or a blob: always bound again.
    Other,
}

impl Held {
    fn of(value: &Bound<'_, '_>) -> Held {
        match value {
            Bound::Copied(ValueRef::Null) => Held::Null,
            Bound::Copied(ValueRef::Integer(v)) => Held::Integer(*v),
            Bound::Copied(ValueRef::Real(v)) => Held::Real(v.to_bits()),
            Bound::Date(d) => Held::Date(*d),
            Bound::Copied(_) => Held::Other,
            Bound::Lasting(t) => Held::Lasting(t.as_ptr(), t.len()),
        }
    }
}

/// Binds a date whose year does not fit `YYYY` as its text (rare: kept out of the insert
/// loop).
#[cold]
fn bind_wide_date(insert: &mut Insert<'_, '_>, at: usize, d: &crate::model::Date) -> Result<()> {
    insert.bind(at, ValueRef::Text(d.to_string().as_bytes()))
}

/// What can be pushed as a field's value.
pub(crate) trait RowValue<'v> {
    fn bound(&self) -> Result<Bound<'v, '_>>;
}

/// A value of rusqlite's, always copied (it may be a temporary).
impl<'v> RowValue<'v> for ToSqlOutput<'_> {
    fn bound(&self) -> Result<Bound<'v, '_>> {
        Ok(Bound::Copied(match self {
            ToSqlOutput::Borrowed(v) => *v,
            ToSqlOutput::Owned(v) => v.into(),
            _ => anyhow::bail!("a value of a kind the GeoPackage does not store"),
        }))
    }
}

impl<'v, T: RowValue<'v>> RowValue<'v> for &T {
    fn bound(&self) -> Result<Bound<'v, '_>> {
        (**self).bound()
    }
}

/// Inserts one layer's rows, in order (fids 1, 2, …, as the GeoJSON's feature ids, numbered
/// by SQLite).
///
/// Rows go in one `INSERT` per row, or, when the caller has said how many rows follow
/// ([`Rows::expect`]), in `INSERT … VALUES (…),(…),…` of [`BATCH_ROWS`] rows at a time,
/// with single-row inserts for the tail: same rows, same order, so the same file, for a
/// fraction of the per-statement cost (the `AUTOINCREMENT` bookkeeping, the seek to the
/// table's end, reset and step). Text that lives for `'v` is bound without a copy.
pub(crate) struct Rows<'c, 'v> {
    insert: Insert<'c, 'v>,
    /// The multi-row insert and its number of rows, when the fields allow one.
    batch: Option<(Insert<'c, 'v>, usize)>,
    blob: Vec<u8>,
    fid: i64,
    fields: usize,
    /// Rows announced and not yet pushed.
    remaining: usize,
    /// Rows bound into the multi-row insert and not yet stepped.
    pending: usize,
    /// What each field's parameter of the single-row insert holds now.
    held: Vec<Held>,
    /// The same for the multi-row insert.
    batch_held: Vec<Held>,
    /// Each feature's envelope with its fid, for the R-tree filled after the rows.
    envelopes: rtree::Envelopes,
    /// The envelopes the R-tree was filled with before the rows, when it was, and how many
    /// of them the rows have matched so far: each row's is checked against its own.
    indexed: Option<(rtree::Envelopes, usize)>,
}

impl<'v> Rows<'_, 'v> {
    /// Says that `n` more rows follow, so that they can go in multi-row inserts.
    pub(crate) fn expect(&mut self, n: usize) {
        self.remaining = n;
        if self.indexed.is_none() {
            self.envelopes.reserve_exact(n);
        }
    }

    /// Adds a feature: its shape and one value per field.
    pub(crate) fn push(&mut self, shape: Shape<'_>, values: &[ToSqlOutput<'_>]) -> Result<()> {
        self.push_values(shape, values.iter())
    }

    /// Adds a feature: its shape and one value per field, as they come.
    pub(crate) fn push_values<V: RowValue<'v>>(
        &mut self,
        shape: Shape<'_>,
        values: impl ExactSizeIterator<Item = V>,
    ) -> Result<()> {
        anyhow::ensure!(
            values.len() == self.fields,
            "{} values for {} fields",
            values.len(),
            self.fields
        );
        self.fid += 1;
        self.blob.clear();
        let envelope = shape.encode(SRS_ID, &mut self.blob);
        let width = self.fields + 2;
        let k = self.batch.as_ref().map_or(0, |(_, k)| *k);
        let batched = k > 1 && (self.pending > 0 || self.remaining >= k);
        self.remaining = self.remaining.saturating_sub(1);
        let (insert, held, first) = match &mut self.batch {
            Some((insert, _)) if batched => {
                let first = self.pending * self.fields;
                (
                    insert,
                    &mut self.batch_held[first..first + self.fields],
                    self.pending * width + 1,
                )
            }
            _ => (&mut self.insert, &mut self.held[..], 1),
        };
        // The fid parameter is never bound: NULL, so SQLite numbers the row itself, the next
        // after the table's last (a fresh table, rows in order: 1, 2, …, as `self.fid`;
        // checked when the layer is done). Given the number, SQLite looked the row up before
        // inserting it, a seek down the table per row (about 4% of `export --layers gpkg`
        // on a million incidents).
        insert.bind(first + 1, ValueRef::Blob(&self.blob))?;
        for ((i, v), held) in values.enumerate().zip(held) {
            let at = first + 2 + i;
            let value = v.bound()?;
            let now = Held::of(&value);
            if now == Held::Other || now != *held {
                match value {
                    Bound::Copied(v) => insert.bind(at, v)?,
                    Bound::Lasting(text) => insert.bind_lasting_text(at, text)?,
                    Bound::Date(d) => match d.iso_bytes() {
                        Some(iso) => insert.bind(at, ValueRef::Text(&iso))?,
                        None => bind_wide_date(insert, at, &d)?,
                    },
                }
            }
            *held = now;
        }
        let fid = self.fid;
        let rows = || format!("inserting the rows up to fid {fid}");
        if batched {
            self.pending += 1;
            if self.pending == k {
                insert.execute().with_context(rows)?;
                self.pending = 0;
            }
        } else {
            insert.execute().with_context(rows)?;
        }
        if let Some(e) = envelope {
            match &mut self.indexed {
                Some((given, at)) => {
                    anyhow::ensure!(
                        *at < given.len() && given.get(*at) == (fid, e),
                        "fid {fid}'s envelope is not the one indexed before the rows"
                    );
                    *at += 1;
                }
                None => self.envelopes.push(fid, e),
            }
        }
        Ok(())
    }
}

impl GeoPackage {
    /// Starts `path` (as a temporary file beside it) with the required tables; `stamp` is
    /// the time every row is dated (`YYYY-MM-DDTHH:MM:SS.SSSZ`).
    pub(crate) fn create(path: &Path, stamp: &str) -> Result<GeoPackage> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let tmp = tempfile::Builder::new()
            .prefix(".borderwatch-gpkg-")
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?
            .into_temp_path();
        let conn = Connection::open(&tmp).with_context(|| format!("opening {}", tmp.display()))?;
        conn.execute_batch(&format!(
            "PRAGMA page_size = 16384; PRAGMA application_id = {}; PRAGMA user_version = 10300; PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; PRAGMA cache_size = -8192; BEGIN; {}",
            i32::from_be_bytes(*b"GPKG"),
            tables::CORE
        ))
        .with_context(|| format!("writing the GeoPackage tables of {}", path.display()))?;
        Ok(GeoPackage {
            conn,
            tmp,
            path: path.to_path_buf(),
            stamp: stamp.to_string(),
        })
    }

    /// Writes a feature table, its contents entry, its R-tree index and the index's
    /// triggers; `fill` pushes the rows.
    ///
    /// Text that `fill` pushes with lifetime `'v` is bound in place (see [`RowValue`]): the
    /// layer's statements are finalized before this returns, and `'v` outlasts the call.
    pub(crate) fn add_layer<'v>(
        &mut self,
        spec: &LayerSpec<'_>,
        fill: impl FnOnce(&mut Rows<'_, 'v>) -> Result<()>,
    ) -> Result<()> {
        self.layer(spec, None, fill)
            .with_context(|| format!("writing layer {} of {}", spec.name, self.path.display()))
    }

    /// [`Self::add_layer`] for a layer whose features' envelopes are known before its rows
    /// (each fid from 1 with its envelope, those without one left out): the R-tree is filled
    /// first, and each row's envelope is checked against its own as the rows go in.
    ///
    /// The same tables and contents as `add_layer` (the file's pages come in another
    /// order). Filled after the rows, a million incidents' R-tree was the last thing `run`
    /// did, on one core, for about 0.3-0.6 s; filled first, it is done while the rest of
    /// the outputs are still being made.
    pub(crate) fn add_layer_indexed_first<'v>(
        &mut self,
        spec: &LayerSpec<'_>,
        envelopes: Envelopes,
        fill: impl FnOnce(&mut Rows<'_, 'v>) -> Result<()>,
    ) -> Result<()> {
        self.layer(spec, Some(envelopes), fill)
            .with_context(|| format!("writing layer {} of {}", spec.name, self.path.display()))
    }

    fn layer<'v>(
        &mut self,
        spec: &LayerSpec<'_>,
        indexed: Option<Envelopes>,
        fill: impl FnOnce(&mut Rows<'_, 'v>) -> Result<()>,
    ) -> Result<()> {
        let t = quoted(spec.name);
        let geometry_type = spec.kind.wkb().to_ascii_uppercase();
        let mut columns = format!(
            "{} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {} {geometry_type}",
            quoted(FID),
            quoted(GEOM)
        );
        for f in spec.fields {
            columns.push_str(&format!(", {} {}", quoted(&f.name), f.ty.sql()));
        }
        let rtree_name = format!("rtree_{}_{GEOM}", spec.name);
        self.conn.execute_batch(&format!(
            "CREATE TABLE {t} ({columns}); CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy);",
            quoted(&rtree_name)
        ))?;
        self.conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) VALUES (?1, 'features', ?1, ?2, ?3, ?4)",
            params![spec.name, spec.description, self.stamp, SRS_ID],
        )?;
        self.conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, ?2, ?3, ?4, 0, 0)",
            params![spec.name, GEOM, geometry_type, SRS_ID],
        )?;
        self.conn.execute(
            "INSERT INTO gpkg_extensions VALUES (?1, ?2, 'gpkg_rtree_index', ?3, 'write-only')",
            params![spec.name, GEOM, tables::RTREE_DEFINITION],
        )?;
        if let Some(envelopes) = &indexed {
            self.index(spec.name, &rtree_name, envelopes)?;
        }
        let width = spec.fields.len() + 2;
        let insert_of = |rows: usize| {
            let row = format!("({})", vec!["?"; width].join(", "));
            format!("INSERT INTO {t} VALUES {}", vec![row; rows].join(", "))
        };
        let k = BATCH_ROWS.min(MAX_VARIABLES / width);
        let batch = match k {
            0 | 1 => None,
            k => Some((Insert::prepare(&self.conn, &insert_of(k))?, k)),
        };
        let mut rows = Rows {
            insert: Insert::prepare(&self.conn, &insert_of(1))?,
            batch_held: vec![Held::Null; k * spec.fields.len()],
            batch,
            blob: Vec::with_capacity(256),
            fid: 0,
            fields: spec.fields.len(),
            remaining: 0,
            pending: 0,
            held: vec![Held::Null; spec.fields.len()],
            envelopes: rtree::Envelopes::default(),
            indexed: indexed.map(|e| (e, 0)),
        };
        fill(&mut rows)?;
        anyhow::ensure!(rows.pending == 0, "fewer rows pushed than announced");
        if let Some((given, matched)) = &rows.indexed {
            anyhow::ensure!(
                *matched == given.len(),
                "{} envelopes indexed before the rows, {matched} rows with one",
                given.len()
            );
        }
        let last_fid: Option<i64> =
            self.conn
                .query_row(&format!("SELECT max({}) FROM {t}", quoted(FID)), [], |r| {
                    r.get(0)
                })?;
        anyhow::ensure!(
            last_fid.unwrap_or(0) == rows.fid,
            "the rows were numbered up to {last_fid:?}, not {}",
            rows.fid
        );
        let envelopes = std::mem::take(&mut rows.envelopes);
        drop(rows);
        self.index(spec.name, &rtree_name, &envelopes)?;
        self.conn
            .execute_batch(&tables::rtree_triggers(spec.name, GEOM, FID))?;
        Ok(())
    }

    /// The layer's extent in `gpkg_contents` and its R-tree `rtree_name`, from its features'
    /// envelopes (nothing when there are none).
    fn index(&self, layer: &str, rtree_name: &str, envelopes: &Envelopes) -> Result<()> {
        if let Some(extent) = rtree::extent(envelopes) {
            let [x0, x1, y0, y1] = extent;
            self.conn.execute(
                "UPDATE gpkg_contents SET min_x = ?1, min_y = ?2, max_x = ?3, max_y = ?4 WHERE table_name = ?5",
                params![x0, y0, x1, y1, layer],
            )?;
            rtree::fill(&self.conn, rtree_name, envelopes, extent)?;
        }
        Ok(())
    }

    /// Writes `layer_styles` with one default style per layer: `(layer, QML text)`, in
    /// order.
    pub(crate) fn add_styles(&mut self, styles: &[(String, String)]) -> Result<()> {
        let write = || -> Result<()> {
            self.conn.execute_batch(tables::LAYER_STYLES)?;
            self.conn.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS styles of the layers', ?1, 0)",
                params![self.stamp],
            )?;
            let mut insert = self.conn.prepare(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) VALUES ('', '', ?1, ?2, ?1, ?3, '', 1, ?4, '', NULL, ?5)",
            )?;
            for (layer, qml) in styles {
                insert.execute(params![
                    layer,
                    GEOM,
                    qml,
                    format!("borderwatch style of {layer}"),
                    self.stamp
                ])?;
            }
            Ok(())
        };
        write().with_context(|| format!("writing the styles of {}", self.path.display()))
    }

    /// Commits and puts the file in place.
    pub(crate) fn finish(self) -> Result<PathBuf> {
        let GeoPackage {
            conn,
            tmp,
            path,
            stamp: _,
        } = self;
        conn.execute_batch("COMMIT;")
            .with_context(|| format!("writing {}", path.display()))?;
        conn.close()
            .map_err(|(_, e)| e)
            .with_context(|| format!("closing {}", path.display()))?;
        super::share_permissions(&tmp, &path)?;
        tmp.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

/// Text as an SQL value, borrowed.
pub(crate) fn text(s: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
}

/// A real number as an SQL value (NULL when not finite).
pub(crate) fn real<'a>(v: f64) -> ToSqlOutput<'a> {
    if v.is_finite() {
        ToSqlOutput::Borrowed(ValueRef::Real(v))
    } else {
        ToSqlOutput::Borrowed(ValueRef::Null)
    }
}

/// NULL.
pub(crate) const NULL: ToSqlOutput<'static> = ToSqlOutput::Borrowed(ValueRef::Null);
