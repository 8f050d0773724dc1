//! The feature writer every GeoJSON layer uses: typed property values ([`Cell`]), the
//! collection's head, and features streamed one per line, formatted on all cores — with the
//! fields GDAL would take for dates marked as text (see [`looks_like_gdal_datetime`]).
//!
//! Knows GeoJSON and what GDAL makes of it; must not know which layer it writes.

use crate::export::round6;
use crate::model::LocatedIncident;
use anyhow::Result;
use std::borrow::Cow;
use std::io::Write;

mod json;

use json::{Key, write_integer, write_real, write_str};

/// One property value, typed as GeoJSON carries it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Text(Cow<'a, str>),
    /// Written with a decimal point (GDAL types the field Real); null when not finite.
    Real(f64),
    Int(i64),
    Bool(bool),
    /// A date, written `YYYY-MM-DD` (no allocation per record).
    Date(crate::model::Date),
}

/// Appends cells to a row's list, pushing each in place. `extend` with an array built the
/// array on the stack first, then copied it in with a call to `memcpy` (about a kilobyte
/// per incident for its forty-odd fields; `perf`, `run` on the peer's million: 84 samples
/// at 999 Hz in those two copies, none after).
macro_rules! push_cells {
    ($out:expr; $($cell:expr),+ $(,)?) => {{
        let out: &mut Vec<$crate::export::features::Cell<'_>> = $out;
        out.reserve([$(stringify!($cell)),+].len());
        $(out.push($cell);)+
    }};
}
pub(crate) use push_cells;

impl<'a> Cell<'a> {
    pub(crate) fn text<S: AsRef<str>>(v: &'a Option<S>) -> Cell<'a> {
        v.as_ref()
            .map_or(Cell::Null, |s| Cell::Text(Cow::Borrowed(s.as_ref())))
    }
    pub(crate) fn real(v: Option<f64>) -> Cell<'a> {
        v.map_or(Cell::Null, Cell::Real)
    }
    pub(crate) fn list(v: &[String]) -> Cell<'a> {
        if v.is_empty() {
            Cell::Null
        } else {
            Cell::Text(Cow::Owned(v.join("; ")))
        }
    }
    /// The ids of the records at `positions` in `all`, `; `-separated (two or more ids are
    /// never read as a date by GDAL: see [`looks_like_gdal_datetime`]). Made as text here
    /// (few records have any) so that a cell stays small, 24 bytes rather than 40 with the
    /// two lists in it: the incidents' cells are kept a task at a time for the GeoPackage
    /// (see [`RowCells`]).
    pub(crate) fn ids(positions: &[u32], all: &[LocatedIncident]) -> Cell<'a> {
        if positions.is_empty() {
            Cell::Null
        } else {
            let mut s = String::with_capacity(positions.len() * 8);
            push_ids(&mut s, positions, all);
            Cell::Text(Cow::Owned(s))
        }
    }
}

/// The value for the GeoPackage (its field's declared type decides how it is read; a date
/// is `YYYY-MM-DD` text, as the spec stores DATE). Never marked: the apostrophe is for
/// GDAL's guessing in GeoJSON only. Text borrowed from the rows (`'a`) is bound in place;
/// the rest is copied.
impl<'a> crate::export::gpkg::RowValue<'a> for Cell<'a> {
    // Inlined into the GeoPackage's insert loop, the busiest thread of `run` on a million
    // incidents: out of line, this match was a tenth of that thread (`perf`).
    #[inline]
    fn bound(&self) -> anyhow::Result<crate::export::gpkg::Bound<'a, '_>> {
        use crate::export::gpkg::{Bound, ValueRef};
        Ok(match self {
            Cell::Null => Bound::Copied(ValueRef::Null),
            Cell::Text(Cow::Borrowed(t)) => Bound::Lasting(t.as_bytes()),
            Cell::Text(Cow::Owned(t)) => Bound::Copied(ValueRef::Text(t.as_bytes())),
            Cell::Real(v) if v.is_finite() => Bound::Copied(ValueRef::Real(*v)),
            Cell::Real(_) => Bound::Copied(ValueRef::Null),
            Cell::Int(v) => Bound::Copied(ValueRef::Integer(*v)),
            Cell::Bool(b) => Bound::Copied(ValueRef::Integer(i64::from(*b))),
            Cell::Date(d) => Bound::Date(*d),
        })
    }
}

/// Gives a row's point (lon, lat) and appends its property values.
pub(crate) type RowFn<'f, R> = dyn Fn(&'f R, &mut Vec<Cell<'f>>) -> (f64, f64) + Sync + 'f;

/// Rows' values as a formatting task made them, handed on to a second writer in the rows'
/// order (the GeoPackage takes the incidents' values from the GeoJSON's formatting instead of
/// making them again: on a million incidents that was a thread's 0.5-0.6 s of CPU, `perf`).
#[derive(Default)]
pub(crate) struct RowCells<'f> {
    /// Each row's point as written (6 decimals, no negative zero).
    pub(crate) points: Vec<(f64, f64)>,
    /// Where each row's values end in `values`.
    pub(crate) ends: Vec<usize>,
    pub(crate) values: Vec<Cell<'f>>,
}

impl<'f> RowCells<'f> {
    pub(crate) fn clear(&mut self) {
        self.points.clear();
        self.ends.clear();
        self.values.clear();
    }

    /// Appends row `r`: its values as `row` makes them and its point as written; returns
    /// the point and the values.
    pub(crate) fn push<R>(&mut self, row: &RowFn<'f, R>, r: &'f R) -> ((f64, f64), &[Cell<'f>]) {
        let start = self.values.len();
        let point = written_point(row(r, &mut self.values));
        self.points.push(point);
        self.ends.push(self.values.len());
        (point, &self.values[start..])
    }
}

/// A point as the layers write it, in the GeoJSON and the GeoPackage alike: 6 decimals, no
/// negative zero.
pub(crate) fn written_point((x, y): (f64, f64)) -> (f64, f64) {
    (round6(x) + 0.0, round6(y) + 0.0)
}

/// A task's text, its points' bounds, and its rows' values when they are handed on.
type Formatted<'f> = (Vec<u8>, Option<[f64; 4]>, Option<RowCells<'f>>);

/// Where [`FeatureWriter::write`] hands each task's [`RowCells`] on, in order, and where
/// they come back to be filled again (fresh lists of a few megabytes are fresh memory,
/// faulted in page by page).
pub(crate) struct HandOn<'f> {
    pub(crate) send: std::sync::mpsc::SyncSender<RowCells<'f>>,
    pub(crate) given_back: std::sync::mpsc::Receiver<RowCells<'f>>,
}

/// Writes features one per line, streaming: the properties go straight from the records to
/// the output (no JSON tree per feature), formatted on all cores in bounded batches.
pub(crate) struct FeatureWriter<'f, R> {
    /// The field names, in order.
    fields: &'f [&'f str],
    /// `"name":` for each field, JSON-escaped once; from the second on with the comma that
    /// separates it from the one before (one copy per field, not a copy and a push).
    keys: Vec<Key>,
    /// Per field: write text with a leading apostrophe (see `mark_date_like`).
    marked: Vec<bool>,
    /// The point and the properties of row `i`.
    row: &'f RowFn<'f, R>,
}

/// Features formatted per task; batches of this many tasks are formatted, then written.
pub(crate) const FEATURES_PER_TASK: usize = 2048;

/// Tasks formatted side by side per batch of features, at most (see [`FeatureWriter::write`]).
const MAX_TASKS_PER_BATCH: usize = 4;

impl<'f, R: Sync> FeatureWriter<'f, R> {
    pub(crate) fn new(fields: &'f [&'f str], row: &'f RowFn<'f, R>) -> Self {
        FeatureWriter {
            fields,
            keys: fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let comma = if i > 0 { "," } else { "" };
                    Key::new(format!("{comma}{}:", serde_json::Value::from(*f)))
                })
                .collect(),
            marked: vec![false; fields.len()],
            row,
        }
    }

    /// Marks the text fields (other than `date_fields`) whose every non-null value GDAL
    /// would read as a date; returns their names. See [`super::layers`] on why.
    pub(crate) fn mark_date_like(&mut self, date_fields: &[&str], rows: &'f [R]) -> Vec<String> {
        let looks_like_date = looks_like_gdal_datetime;
        use rayon::prelude::*;
        let fields = self.fields;
        // Per field: Some(true) = only date-like text so far, Some(false) = not marked,
        // None = nothing seen yet.
        let skip: Vec<bool> = fields.iter().map(|f| date_fields.contains(f)).collect();
        let scan = |chunk: &'f [R]| -> Vec<Option<bool>> {
            let mut state: Vec<Option<bool>> = skip
                .iter()
                .map(|&s| if s { Some(false) } else { None })
                .collect();
            let mut cells = Vec::with_capacity(fields.len());
            for r in chunk {
                cells.clear();
                (self.row)(r, &mut cells);
                for (st, c) in state.iter_mut().zip(&cells) {
                    *st = match (*st, c) {
                        (Some(false), _) | (_, Cell::Real(_) | Cell::Int(_) | Cell::Bool(_)) => {
                            Some(false)
                        }
                        (st, Cell::Null) => st,
                        (_, Cell::Text(t)) => Some(looks_like_date(t)),
                        (_, Cell::Date(_)) => Some(true),
                    };
                }
                if state.iter().all(|s| *s == Some(false)) {
                    break;
                }
            }
            state
        };
        // A layer of one task's rows is scanned here: on the pool it would wait behind
        // whatever else the pool is doing (`run` draws its maps there meanwhile).
        let merged = if rows.len() <= FEATURES_PER_TASK {
            scan(rows)
        } else {
            rows.par_chunks(FEATURES_PER_TASK).map(scan).reduce(
                || vec![None; fields.len()],
                |a, b| {
                    a.into_iter()
                        .zip(b)
                        .map(|(x, y)| match (x, y) {
                            (Some(false), _) | (_, Some(false)) => Some(false),
                            (Some(true), _) | (_, Some(true)) => Some(true),
                            _ => None,
                        })
                        .collect()
                },
            )
        };
        let mut names = Vec::new();
        for (i, st) in merged.into_iter().enumerate() {
            self.marked[i] = st == Some(true);
            if self.marked[i] {
                names.push(fields[i].to_string());
            }
        }
        names
    }

    /// Writes `{"type":"Feature","id":N,...}` lines for `rows` (ids from 1), comma-separated,
    /// and returns the bounds of the points written. Batches are formatted on the thread
    /// pool while a writer thread writes the previous batch out. With `hand_on`, each task's
    /// rows' values go on to it, in order, after the task's text has gone to the writer; a
    /// receiver that has gone only stops the handing on.
    pub(crate) fn write<W: Write + Send + ?Sized>(
        &self,
        w: &mut W,
        rows: &'f [R],
        mut hand_on: Option<HandOn<'f>>,
    ) -> Result<Option<[f64; 4]>> {
        use rayon::prelude::*;
        let n = rows.len();
        let spare_cells = |hand_on: &Option<HandOn<'f>>| {
            hand_on
                .as_ref()
                .map(|h| h.given_back.try_recv().unwrap_or_default())
        };
        if n <= FEATURES_PER_TASK {
            // One task's rows (every layer but the incidents) are formatted here: on the
            // pool they would wait behind whatever else it is doing (`run` draws its maps
            // there meanwhile, and the incidents' GeoPackage rows wait on these layers).
            let mut buf = Vec::new();
            let mut kept = spare_cells(&hand_on);
            let bounds = self.format_chunk(&mut buf, rows, 1, n, kept.as_mut());
            w.write_all(&buf)?;
            if let (Some(h), Some(cells)) = (&hand_on, kept) {
                // A receiver that has gone reports its own error.
                let _ = h.send.send(cells);
            }
            return Ok(bounds);
        }
        // A batch is a task's rows per thread, up to four threads' worth: about 2.6 MB a
        // task, and up to five batches in flight (formatting, three waiting, being
        // written), so with a task per thread on many cores the buffers alone grew by tens
        // of megabytes at `run`'s peak; past four formatters the writer is the limit anyway.
        // Three waiting rather than one: the formatting goes on through the writer's
        // slower writes instead of stopping at each (pairs on the million: median ratio
        // 0.984 and 0.980, faster in 6 of 8 both times).
        let tasks = rayon::current_num_threads().clamp(1, MAX_TASKS_PER_BATCH);
        let mut bounds: Option<[f64; 4]> = None;
        std::thread::scope(|scope| -> Result<()> {
            let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(3);
            // Written buffers come back to be filled again: a fresh buffer of a few megabytes
            // is fresh memory, faulted in page by page (`run` returns freed memory to the
            // system while it writes; see `src/cli/memory.rs`).
            let (give_back, given_back) = std::sync::mpsc::channel::<Vec<u8>>();
            let writer = scope.spawn(move || -> std::io::Result<()> {
                for batch in receive {
                    for buf in batch {
                        w.write_all(&buf)?;
                        // The formatting side may be done and gone; the buffer is then dropped.
                        let _ = give_back.send(buf);
                    }
                }
                Ok(())
            });
            for (batch_no, batch) in rows.chunks(FEATURES_PER_TASK * tasks).enumerate() {
                let first_id = batch_no * FEATURES_PER_TASK * tasks;
                let tasks_here = batch.len().div_ceil(FEATURES_PER_TASK);
                let mut spare: Vec<Vec<u8>> = given_back.try_iter().take(tasks_here).collect();
                spare.resize_with(tasks_here, Vec::new);
                let kept: Vec<Option<RowCells<'f>>> =
                    (0..tasks_here).map(|_| spare_cells(&hand_on)).collect();
                let parts: Vec<Formatted<'f>> = batch
                    .par_chunks(FEATURES_PER_TASK)
                    .zip(spare)
                    .zip(kept)
                    .enumerate()
                    .map(|(k, ((chunk, mut buf), mut kept))| {
                        buf.clear();
                        buf.reserve(chunk.len() * 1280);
                        let first = first_id + k * FEATURES_PER_TASK + 1;
                        let bb = self.format_chunk(&mut buf, chunk, first, n, kept.as_mut());
                        (buf, bb, kept)
                    })
                    .collect();
                let mut bufs = Vec::with_capacity(parts.len());
                let mut handed = Vec::with_capacity(parts.len());
                for (buf, bb, kept) in parts {
                    bufs.push(buf);
                    handed.extend(kept);
                    if let Some(b) = bb {
                        bounds = Some(match bounds {
                            Some(a) => [
                                a[0].min(b[0]),
                                a[1].min(b[1]),
                                a[2].max(b[2]),
                                a[3].max(b[3]),
                            ],
                            None => b,
                        });
                    }
                }
                if send.send(bufs).is_err() {
                    // The writer stopped on an error: it is reported below.
                    break;
                }
                if let Some(h) = &hand_on
                    && handed.into_iter().try_for_each(|c| h.send.send(c)).is_err()
                {
                    // The receiver stopped on an error of its own, which it reports.
                    hand_on = None;
                }
            }
            drop(send);
            writer
                .join()
                .map_err(|_| anyhow::anyhow!("the writer thread panicked"))??;
            Ok(())
        })?;
        Ok(bounds)
    }

    /// Appends the features of `chunk`, ids from `first_id` (of `n` in all: the last has no
    /// comma), to `buf`; returns their points' bounds. With `kept`, the rows' points and
    /// values are kept there (cleared first) for a second writer.
    fn format_chunk(
        &self,
        buf: &mut Vec<u8>,
        chunk: &'f [R],
        first_id: usize,
        n: usize,
        mut kept: Option<&mut RowCells<'f>>,
    ) -> Option<[f64; 4]> {
        let mut bb: Option<[f64; 4]> = None;
        if let Some(k) = kept.as_deref_mut() {
            k.clear();
            // A new list gets room for the whole chunk at once: grown by doubling, each of
            // the few in flight (some 3 MB of values for a task of incidents) was copied
            // about once over, into fresh pages. A list handed back already has it.
            k.points.reserve(chunk.len());
            k.ends.reserve(chunk.len());
            k.values.reserve(chunk.len() * self.fields.len());
        }
        // Without `kept`, only the row being written is held.
        let mut own = Vec::new();
        for (j, r) in chunk.iter().enumerate() {
            let id = first_id + j;
            let ((x, y), values) = match kept.as_deref_mut() {
                Some(k) => k.push(self.row, r),
                None => {
                    own.clear();
                    (written_point((self.row)(r, &mut own)), &own[..])
                }
            };
            bb = Some(match bb {
                Some(b) => [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)],
                None => [x, y, x, y],
            });
            self.feature(buf, id, (x, y), values);
            buf.extend_from_slice(if id < n { b",\n" } else { b"\n" });
        }
        bb
    }

    fn feature(&self, buf: &mut Vec<u8>, id: usize, (x, y): (f64, f64), cells: &[Cell<'_>]) {
        buf.extend_from_slice(b"{\"type\":\"Feature\",\"id\":");
        write_integer(buf, false, id as u64, false);
        buf.extend_from_slice(b",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
        write_real(buf, x);
        buf.push(b',');
        write_real(buf, y);
        buf.extend_from_slice(b"]},\"properties\":{");
        for (i, (key, c)) in self.keys.iter().zip(cells).enumerate() {
            key.write(buf);
            match c {
                Cell::Null => buf.extend_from_slice(b"null"),
                Cell::Text(t) if self.marked[i] => write_str(buf, &format!("'{t}")),
                Cell::Text(t) => write_str(buf, t),
                Cell::Real(v) => write_real(buf, *v),
                Cell::Int(v) => write_integer(buf, *v < 0, v.unsigned_abs(), false),
                Cell::Bool(b) => buf.extend_from_slice(if *b { b"true" } else { b"false" }),
                Cell::Date(d) => {
                    // Always ASCII digits and dashes: nothing to escape.
                    buf.push(b'"');
                    if self.marked[i] {
                        buf.push(b'\'');
                    }
                    match d.iso_bytes() {
                        Some(iso) => buf.extend_from_slice(&iso),
                        None => {
                            let _ = write!(buf, "{d}");
                        }
                    }
                    buf.push(b'"');
                }
            }
        }
        buf.extend_from_slice(b"}}");
    }
}

/// The ids of the records at `positions` in `all`, `; `-separated ("?" for a position
/// past the list).
fn push_ids(out: &mut String, positions: &[u32], all: &[LocatedIncident]) {
    for (k, &j) in positions.iter().enumerate() {
        if k > 0 {
            out.push_str("; ");
        }
        out.push_str(all.get(j as usize).map_or("?", id_of));
    }
}

pub(crate) fn id_of(l: &LocatedIncident) -> &str {
    &l.record.id
}

/// The top of a FeatureCollection, up to and including `"features":[` and a line break: its
/// name, the given top-level members in order, and `text_marked_fields` when any field was
/// marked (see `mark_date_like`).
pub(crate) fn write_collection_head<W: Write + ?Sized>(
    w: &mut W,
    name: &str,
    members: &[(&str, &serde_json::Value)],
    marked: &[String],
) -> Result<()> {
    write!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":{}",
        serde_json::to_string(name)?
    )?;
    for (k, v) in members {
        write!(
            w,
            ",{}:{}",
            serde_json::to_string(k)?,
            serde_json::to_string(v)?
        )?;
    }
    if !marked.is_empty() {
        write!(
            w,
            ",\"text_marked_fields\":{}",
            serde_json::to_string(marked)?
        )?;
    }
    w.write_all(b",\"features\":[\n")?;
    Ok(())
}

/// Whether GDAL's GeoJSON reader would take this string for a date, time or date-time
/// (its `OGRParseDate` test: `Y-M-D` or `Y/M/D`, optionally followed by a time, or a bare
/// `H:M` time). Errs on the side of yes.
pub(crate) fn looks_like_gdal_datetime(s: &str) -> bool {
    let t = s.trim_start_matches(' ');
    let b = t.as_bytes();
    let digits = |i: usize| -> usize { b[i..].iter().take_while(|c| c.is_ascii_digit()).count() };
    let tail_ok = |i: usize| {
        b[i..]
            .iter()
            .all(|c| c.is_ascii_digit() || b":.TZ+- ,".contains(c))
    };
    let n1 = digits(0);
    if n1 == 0 || n1 >= b.len() {
        return false;
    }
    match b[n1] {
        sep @ (b'-' | b'/') => {
            let i = n1 + 1;
            let n2 = digits(i);
            if n2 == 0 || n2 > 2 || i + n2 >= b.len() || b[i + n2] != sep {
                return false;
            }
            let month: u32 = t[i..i + n2].parse().unwrap_or(0);
            let j = i + n2 + 1;
            let n3 = digits(j);
            if n3 == 0 || n3 > 2 {
                return false;
            }
            let day: u32 = t[j..j + n3].parse().unwrap_or(0);
            (1..=12).contains(&month) && (1..=31).contains(&day) && tail_ok(j + n3)
        }
        b':' => n1 <= 2 && digits(n1 + 1) > 0 && tail_ok(n1 + 1),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gdal_date_lookalikes() {
        for s in [
            "2025-11-26",
            "2025/11/26",
            "1/2/3",
            "25-11-26",
            " 2025-11-26",
            "2025-11-26T10:00",
            "2025-11-26Z",
            "12:30",
        ] {
            assert!(looks_like_gdal_datetime(s), "{s}");
        }
        for s in [
            "TJ-2025-11-26",
            "2025-12",
            "2025",
            "12345",
            "2025-13-45",
            "2025-11-26 (reported)",
            "near Darvoz",
            "",
        ] {
            assert!(!looks_like_gdal_datetime(s), "{s}");
        }
    }
}
