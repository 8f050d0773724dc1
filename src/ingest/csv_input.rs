//! CSV reading: one record at a time from a stream, so file size does not matter.
//!
//! The reader is `flexible` so a row with the wrong number of fields does not stop the file;
//! the count is checked here and such a row is skipped with a reason. Records are read as
//! bytes and decoded per field, which is what lets a UTF-8 file with a few stray Latin-1 bytes
//! far down be read without loss.
//!
//! Memory stays bounded whatever the file: a row longer than [`MAX_ROW_BYTES`] (in practice a
//! quote left open that would swallow the rest of the file) is refused with its line, and the
//! line-break log behind the line numbers keeps a bounded number of entries.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

use rayon::prelude::*;

use super::header::Header;
use super::row::{Ctx, Problem};
use super::rows::map_row;
use super::text::{decode_field, decode_fields};
use super::{BATCH_RECORDS, IngestError, IngestOptions, Ingested};
use crate::model::IncidentRecord;

/// How many rows with non-UTF-8 fields get their own warning before the rest are summarised.
const ENCODING_WARNINGS_LISTED: u64 = 20;

pub(crate) fn read<S: Read>(
    stream: S,
    delimiter: u8,
    opts: &IngestOptions,
    out: &mut Ingested,
    sink: Option<&mut dyn FnMut(Vec<IncidentRecord>)>,
) -> Result<(), IngestError> {
    read_limited(stream, delimiter, opts, out, MAX_ROW_BYTES, sink)
}

/// [`read`] with the longest acceptable row as a parameter, for tests.
pub(crate) fn read_limited<S: Read>(
    stream: S,
    delimiter: u8,
    opts: &IngestOptions,
    out: &mut Ingested,
    max_row: u64,
    mut sink: Option<&mut dyn FnMut(Vec<IncidentRecord>)>,
) -> Result<(), IngestError> {
    let log = Rc::new(RefCell::new(Breaks::default()));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Tracked {
            inner: stream,
            log: Rc::clone(&log),
            max_row,
        });
    let mut rec = csv::ByteRecord::new();
    let file: std::sync::Arc<str> = out.file.as_str().into();
    if !next_record(&mut rdr, &file, &mut rec)? {
        return Err(IngestError::Empty {
            file: out.file.clone(),
        });
    }
    let (header_line, _) = lines_of(&rec, &rdr, &log);
    let raw_names: Vec<String> = rec.iter().map(|f| decode_field(f).0.into_owned()).collect();
    if raw_names
        .iter()
        .all(|n| n.trim().trim_start_matches('\u{feff}').trim().is_empty())
    {
        return Err(IngestError::NoHeader {
            file: out.file.clone(),
            line: header_line,
        });
    }
    let mut header = Header::new(&out.file, &raw_names, None, opts)?;
    out.format = header.schema.format();
    let stem = out.stem();

    // Rows are read in chunks (bounded in rows and bytes) and each chunk is mapped on the
    // thread pool while this thread reads the next one and files the one before, in file
    // order, so the outcome is the same as reading one row at a time. A read error or a
    // strict-mode stop is reported after every row before it has been filed, as before.
    let mut mapping: Vec<Pending> = Vec::new();
    let mut reading: Vec<Pending> = Vec::new();
    let mut chunk = fill(&mut rdr, &log, &file, &mut mapping);
    // The date column's order (day-first or month-first) is judged on the first chunk.
    let date_col = header.date_key().and_then(|k| header.column(k));
    let first_dates: Vec<Cow<'_, str>> = match date_col {
        Some(c) => mapping[..chunk.rows]
            .iter()
            .filter_map(|p| p.rec.get(c).map(|f| decode_field(f).0))
            .collect(),
        None => Vec::new(),
    };
    let settled = header.settle_date_order(opts, first_dates.iter().map(|v| v.as_ref()));
    drop(first_dates);
    out.note_header(&header, settled);
    let ctx = RowCtx {
        header: &header,
        file: &file,
        stem: &stem,
        delimiter,
        pass_through: !opts.analysis_only,
    };
    let mut unfiled = Mapped::default();
    let mut encoding_rows = 0u64;
    loop {
        let more = chunk.failure.is_none() && !chunk.at_end;
        let mut mapped = Mapped::default();
        let mut next_chunk = None;
        let previous = std::mem::take(&mut unfiled);
        // A full batch goes to the sink while the pool works, not after. The next batch is
        // made to its full size at once (under BATCH_RECORDS before its last chunk, so under
        // BATCH_RECORDS + CHUNK_ROWS after): growing it by doubling copied every record
        // about once more and left it up to half empty.
        let batch = match sink {
            Some(_) if out.records.len() >= BATCH_RECORDS => std::mem::replace(
                &mut out.records,
                Vec::with_capacity(BATCH_RECORDS + CHUNK_ROWS),
            ),
            _ => Vec::new(),
        };
        // The pool maps this chunk and appends the previous chunk's records; this thread
        // reads the next chunk, files the previous chunk's notes and hands on a full batch.
        let mut records = std::mem::take(&mut out.records);
        let filed = rayon::in_place_scope(|s| {
            let rows = &mapping[..chunk.rows];
            let (mapped, records, ctx) = (&mut mapped, &mut records, &ctx);
            let previous_records = previous.records;
            s.spawn(move |_| {
                rayon::join(
                    || {
                        (mapped.records, mapped.notes) = rows
                            .par_iter()
                            .map_init(
                                || {
                                    let values = Vec::with_capacity(ctx.header.names.len());
                                    (values, crate::memo::own_copy(ctx.file))
                                },
                                |(values, file), p| ctx.prepare(p, values, file),
                            )
                            .unzip();
                    },
                    || move_records(records, previous_records),
                );
            });
            if more {
                next_chunk = Some(fill(&mut rdr, &log, &file, &mut reading));
            }
            let filed = file_notes(out, opts, &header.names, previous.notes, &mut encoding_rows);
            if let Some(sink) = sink.as_deref_mut()
                && !batch.is_empty()
            {
                sink(batch);
            }
            filed
        });
        out.records = records;
        filed?;
        match next_chunk {
            Some(c) => {
                unfiled = mapped;
                chunk = c;
                std::mem::swap(&mut mapping, &mut reading);
            }
            None => {
                move_records(&mut out.records, mapped.records);
                file_notes(out, opts, &header.names, mapped.notes, &mut encoding_rows)?;
                if let Some(e) = chunk.failure {
                    return Err(e);
                }
                break;
            }
        }
    }
    if encoding_rows > ENCODING_WARNINGS_LISTED {
        out.warnings.push(super::RowProblem {
            file: out.file.clone(),
            line: 0,
            column: None,
            reason: format!(
                "{encoding_rows} rows had fields that were not valid UTF-8 and were decoded as Windows-1252; \
                 only the first {ENCODING_WARNINGS_LISTED} are listed"
            ),
            text: None,
        });
    }
    Ok(())
}

/// Rows read before a chunk is mapped. Large enough to keep both cores busy between the
/// sequential steps, small enough that a chunk's records are a few MB; half a batch
/// ([`BATCH_RECORDS`]), so that a batch is handed on as soon as it is full.
const CHUNK_ROWS: usize = 8 << 10;

/// Field bytes read before a chunk is mapped, so memory stays bounded when rows are long
/// (each row is at most [`MAX_ROW_BYTES`] anyway).
const CHUNK_BYTES: usize = 16 << 20;

/// A row read but not yet mapped, with the physical lines it starts and ends on.
#[derive(Default)]
struct Pending {
    rec: csv::ByteRecord,
    line: u64,
    end: u64,
}

/// What mapping one row gave, to be filed in order.
/// The record goes to [`Mapped::records`], the rest to [`Mapped::notes`], so that the records
/// can be moved into place while the notes are filed.
type Outcome = (Option<Box<IncidentRecord>>, Note);

/// One mapped chunk, in file order: the kept rows' records, and a note per row.
#[derive(Default)]
struct Mapped {
    records: Vec<Option<Box<IncidentRecord>>>,
    notes: Vec<Note>,
}

/// What mapping one row gave besides its record, to be filed in order.
struct Note {
    line: u64,
    kind: NoteKind,
}

enum NoteKind {
    /// The row is not a record: why, and the raw row re-quoted.
    Skipped(Problem, String),
    Kept {
        warnings: Vec<Problem>,
        /// A warning that an unbalanced quote may have swallowed rows.
        swallowed: Option<Problem>,
        /// Columns whose bytes were not UTF-8 and were decoded as Windows-1252.
        bad_columns: Vec<usize>,
    },
}

/// What every row of one file is mapped with; shared by the threads that map a chunk.
struct RowCtx<'a> {
    header: &'a Header,
    file: &'a std::sync::Arc<str>,
    stem: &'a str,
    delimiter: u8,
    /// Keep unmapped cells in `extra` (see `IngestOptions::analysis_only`).
    pass_through: bool,
}

impl RowCtx<'_> {
    /// Decodes and maps one row; `values` is scratch space reused between rows, `file` this
    /// thread's own copy of the file's name (see [`Ctx::file`]).
    fn prepare<'r>(
        &self,
        p: &'r Pending,
        values: &mut Vec<Cow<'r, str>>,
        file: &std::sync::Arc<str>,
    ) -> Outcome {
        let (line, end) = (p.line, p.end);
        let mut bad_columns = Vec::new();
        decode_fields(&p.rec, values, &mut bad_columns);
        let width = self.header.names.len();
        if values.len() != width && !values.iter().all(|v| v.trim().is_empty()) {
            let mut reason = format!("expected {width} fields, found {}", values.len());
            if end > line {
                reason.push_str(&format!(
                    "; the row runs from line {line} to line {end}, so an unbalanced quote may have joined lines"
                ));
            }
            let kind = NoteKind::Skipped(Problem::row(reason), join_raw(values, self.delimiter));
            return (None, Note { line, kind });
        }
        let ctx = Ctx {
            file,
            file_stem: self.stem,
            line,
            format: self.header.schema.format(),
            date_order: self.header.date_order,
            pass_through: self.pass_through,
        };
        match map_row(self.header, values, &ctx) {
            Ok(m) => {
                let swallowed = if end > line {
                    swallowed_rows(&self.header.names, values, self.delimiter, line, end)
                } else {
                    None
                };
                let kind = NoteKind::Kept {
                    warnings: m.warnings,
                    swallowed,
                    bad_columns,
                };
                (Some(m.record), Note { line, kind })
            }
            Err(p) => {
                let kind = NoteKind::Skipped(p, join_raw(values, self.delimiter));
                (None, Note { line, kind })
            }
        }
    }
}

/// Reads the next record; `false` at the end of the input.
fn next_record<S: Read>(
    rdr: &mut csv::Reader<Tracked<S>>,
    file: &str,
    rec: &mut csv::ByteRecord,
) -> Result<bool, IngestError> {
    rdr.read_byte_record(rec).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(source) => IngestError::Unreadable {
            file: file.to_string(),
            source,
        },
        other => IngestError::Unreadable {
            file: file.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:?}")),
        },
    })
}

/// A chunk of rows read into a buffer of [`Pending`] rows.
struct Chunk {
    /// How many of the buffer's rows were read.
    rows: usize,
    /// The error that stopped reading, after the rows before it.
    failure: Option<IngestError>,
    at_end: bool,
}

/// Reads up to [`CHUNK_ROWS`] rows (or [`CHUNK_BYTES`] of fields) into `buf`, reusing its
/// records' memory.
fn fill<S: Read>(
    rdr: &mut csv::Reader<Tracked<S>>,
    log: &RefCell<Breaks>,
    file: &str,
    buf: &mut Vec<Pending>,
) -> Chunk {
    let mut chunk = Chunk {
        rows: 0,
        failure: None,
        at_end: false,
    };
    let mut bytes = 0;
    while chunk.rows < CHUNK_ROWS && bytes < CHUNK_BYTES {
        if chunk.rows == buf.len() {
            buf.push(Pending::default());
        }
        let p = &mut buf[chunk.rows];
        match next_record(rdr, file, &mut p.rec) {
            Ok(true) => {
                (p.line, p.end) = lines_of(&p.rec, rdr, log);
                bytes += p.rec.as_slice().len();
                chunk.rows += 1;
            }
            Ok(false) => {
                chunk.at_end = true;
                break;
            }
            Err(e) => {
                chunk.failure = Some(e);
                break;
            }
        }
    }
    chunk
}

/// Files mapped rows' notes in order: the kept rows' warnings, skipped rows (or, in strict
/// mode, the error that stops the file), and notes on rows that were not UTF-8. The records
/// themselves are moved by [`move_records`].
fn file_notes(
    out: &mut Ingested,
    opts: &IngestOptions,
    names: &[String],
    notes: Vec<Note>,
    encoding_rows: &mut u64,
) -> Result<(), IngestError> {
    for Note { line, kind } in notes {
        out.rows_read += 1;
        match kind {
            NoteKind::Skipped(problem, raw) => out.skip(opts, line, None, problem, raw)?,
            NoteKind::Kept {
                warnings,
                swallowed,
                bad_columns,
            } => {
                for w in warnings {
                    let rp = out.problem(line, None, w, None);
                    out.warnings.push(rp);
                }
                if let Some(w) = swallowed {
                    let rp = out.problem(line, None, w, None);
                    out.warnings.push(rp);
                }
                if !bad_columns.is_empty() {
                    *encoding_rows += 1;
                    if *encoding_rows <= ENCODING_WARNINGS_LISTED {
                        let rp = encoding_warning(&out.file, names, &bad_columns, line);
                        out.warnings.push(rp);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Appends a mapped chunk's records, in order.
///
/// A plain loop: through `extend` over the iterator adapters each record (some 400 bytes)
/// was copied three times on its way from its box to the list, twice here (`callgrind`'s
/// count of `memcpy` calls).
fn move_records(records: &mut Vec<IncidentRecord>, mapped: Vec<Option<Box<IncidentRecord>>>) {
    records.reserve(mapped.len());
    for record in mapped.into_iter().flatten() {
        records.push(*record);
    }
}

/// The note on a kept row with fields that were not UTF-8.
fn encoding_warning(
    file: &str,
    names: &[String],
    bad_columns: &[usize],
    line: u64,
) -> super::RowProblem {
    let names: Vec<&str> = bad_columns
        .iter()
        .filter_map(|&i| names.get(i).map(String::as_str))
        .collect();
    super::RowProblem {
        file: file.to_string(),
        line,
        column: (names.len() == 1).then(|| names.join("")),
        reason: format!(
            "not valid UTF-8 in {}; decoded as Windows-1252 (Latin-1)",
            if names.len() == 1 {
                "this column".to_string()
            } else {
                format!("columns {}", names.join(", "))
            }
        ),
        text: None,
    }
}

/// The physical lines a record starts and ends on.
///
/// Lines are counted here rather than taken from the csv crate, which counts `\n` bytes only
/// (so a file with classic Mac CR line ends would be "all on line 1") and records a record's
/// position *before* it skips blank lines and the `\n` of a CRLF pair left over from the
/// previous record. The [`Breaks`] log knows where the line breaks are: a record starts at the
/// first byte after the run of breaks its reported position falls in, and ends on the line of
/// its terminator (or of its last byte, at the end of the file).
fn lines_of<S: Read>(
    rec: &csv::ByteRecord,
    rdr: &csv::Reader<Tracked<S>>,
    log: &RefCell<Breaks>,
) -> (u64, u64) {
    let Some(pos) = rec.position() else {
        return (0, 0);
    };
    let mut log = log.borrow_mut();
    let start = log.line_of_record_at(pos.byte());
    // The reader now stands just past this record's terminator (LF, CR, or CR LF), or at the
    // end of the input; either way the byte before is on the record's last line.
    let after = rdr.position().byte();
    let end = 1 + log.breaks_before(after.saturating_sub(1));
    log.forget_before(after);
    (start, end.max(start))
}

/// How many line-break runs [`Breaks`] keeps at most. Queries only ever need the oldest run
/// (where the current record starts) and the runs in the csv reader's look-ahead (at most its
/// 8 KB buffer, so at most 4 Ki runs); runs in between are dropped from the log once there are
/// this many, which keeps a record with a million quoted line breaks from filling memory.
const MAX_RUNS: usize = 8 << 10;

/// How many leading bytes of a run are kept to count breaks inside it. A record's terminator
/// is always the first byte of a run (or the second, for the LF of CR LF), so counts part-way
/// into a run are never needed further in than this.
const RUN_HEAD: usize = 4;

/// The longest row accepted, in bytes. A longer one is almost always a quote left open that
/// has joined the rest of the file into one field (or a file that is not a table at all); it
/// is refused so that reading never holds more than this much of the file at once.
pub(crate) const MAX_ROW_BYTES: u64 = 16 << 20;

/// A maximal run of `\r`/`\n` bytes in the input, at a byte offset.
struct Run {
    start: u64,
    len: u64,
    /// Line breaks (CR LF, lone CR, lone LF) in the input before this run.
    before: u64,
    /// Line breaks in this run.
    breaks: u64,
    /// The run's first bytes (the first `len` of them, up to [`RUN_HEAD`]).
    head: [u8; RUN_HEAD],
    /// The run's last byte, to join a CR at the end of one read with an LF at the start of
    /// the next.
    last: u8,
}

impl Run {
    fn end(&self) -> u64 {
        self.start + self.len
    }

    /// Line breaks that are complete within the run's first `k` bytes.
    fn breaks_within(&self, k: u64) -> u64 {
        if k >= self.len {
            return self.breaks;
        }
        let kept = usize::try_from(self.len).map_or(RUN_HEAD, |l| l.min(RUN_HEAD));
        let head = &self.head[..kept];
        let k = usize::try_from(k).map_or(kept, |k| k.min(kept));
        let (mut n, mut i) = (0, 0);
        while i < head.len() {
            let width = if head[i] == b'\r' && head.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            if i + width > k {
                break;
            }
            n += 1;
            i += width;
        }
        n
    }
}

/// Line-break runs seen by [`Tracked`] that the CSV reader has not yet moved past, and the
/// running totals needed to turn a byte offset into a line number.
#[derive(Default)]
struct Breaks {
    runs: VecDeque<Run>,
    /// Bytes passed through so far.
    offset: u64,
    /// Line breaks in the runs already forgotten (all of them before the oldest kept run).
    forgotten: u64,
    /// Where the row being read started (the reader's position after the previous row).
    row_start: u64,
}

impl Breaks {
    /// How many runs (in offset order) `before` holds for: [`VecDeque::partition_point`],
    /// with the first few runs tried in turn before a binary search. A row's own line breaks
    /// are nearly always among them: the log keeps runs from the row being read on.
    fn runs_before(&self, before: impl Fn(&Run) -> bool) -> usize {
        const TRIED_IN_TURN: usize = 4;
        match self
            .runs
            .iter()
            .take(TRIED_IN_TURN)
            .position(|r| !before(r))
        {
            Some(i) => i,
            None => self.runs.partition_point(before),
        }
    }

    /// The run containing byte `pos`.
    fn run_at(&self, pos: u64) -> Option<&Run> {
        let i = self.runs_before(|r| r.start <= pos);
        self.runs.get(i.checked_sub(1)?).filter(|r| pos < r.end())
    }

    /// Line breaks that end before byte `pos`.
    fn breaks_before(&self, pos: u64) -> u64 {
        let i = self.runs_before(|r| r.start < pos);
        match i.checked_sub(1).and_then(|i| self.runs.get(i)) {
            Some(r) => r.before + r.breaks_within(pos - r.start),
            None => self.forgotten,
        }
    }

    /// The 1-based line of the first byte that is not a line break at or after `pos`, which
    /// is where a record the csv crate places at `pos` really starts.
    fn line_of_record_at(&self, pos: u64) -> u64 {
        let start = self.run_at(pos).map_or(pos, Run::end);
        1 + self.breaks_before(start)
    }

    fn push(&mut self, at: u64, b: u8) {
        match self.runs.back_mut() {
            Some(r) if r.end() == at => {
                if !(r.last == b'\r' && b == b'\n') {
                    r.breaks += 1;
                }
                if let Some(slot) = usize::try_from(r.len).ok().and_then(|i| r.head.get_mut(i)) {
                    *slot = b;
                }
                r.len += 1;
                r.last = b;
            }
            last => {
                let before = last.map_or(self.forgotten, |r| r.before + r.breaks);
                let mut head = [0; RUN_HEAD];
                head[0] = b;
                self.runs.push_back(Run {
                    start: at,
                    len: 1,
                    before,
                    breaks: 1,
                    head,
                    last: b,
                });
                if self.runs.len() > MAX_RUNS {
                    self.runs.remove(1);
                }
            }
        }
    }

    /// Drops runs that end before `pos`, where the next row starts.
    fn forget_before(&mut self, pos: u64) {
        while let Some(r) = self.runs.front()
            && r.end() < pos
        {
            self.forgotten = r.before + r.breaks;
            self.runs.pop_front();
        }
        self.row_start = pos;
    }
}

/// Passes bytes through to the CSV reader while logging where line breaks are, and refuses a
/// row longer than [`MAX_ROW_BYTES`].
pub(crate) struct Tracked<R> {
    inner: R,
    log: Rc<RefCell<Breaks>>,
    max_row: u64,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut log = self.log.borrow_mut();
        let base = log.offset;
        for i in memchr::memchr2_iter(b'\r', b'\n', &buf[..n.min(buf.len())]) {
            log.push(base + i as u64, buf[i]);
        }
        log.offset += n as u64;
        // The reader looks ahead by at most its buffer, so allow for that before refusing.
        let pending = log.offset - log.row_start;
        if pending > self.max_row.saturating_add(buf.len() as u64) {
            let line = log.line_of_record_at(log.row_start);
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the row starting on line {line} is longer than {} MiB; a quote (\") left open \
                     may have joined the rest of the file into one field, or this is not a table",
                    self.max_row >> 20
                ),
            ));
        }
        Ok(n)
    }
}

/// A kept record over several lines whose text contains a line with as many delimiters as a
/// whole row: most likely a quote left open that swallowed the following rows.
fn swallowed_rows(
    names: &[String],
    values: &[Cow<'_, str>],
    delimiter: u8,
    line: u64,
    end: u64,
) -> Option<Problem> {
    let d = char::from(delimiter);
    let needed = names.len().saturating_sub(1).max(1);
    values.iter().enumerate().find_map(|(i, v)| {
        let looks_like_rows = v.lines().skip(1).any(|l| l.matches(d).count() >= needed);
        looks_like_rows.then(|| {
            Problem::column(
                names.get(i).map_or("", String::as_str),
                format!(
                    "this value runs from line {line} to line {end} and contains what look like further rows; \
                     check for an unbalanced quote"
                ),
            )
        })
    })
}

/// Re-creates the row as CSV text with the file's delimiter, quoting where needed, so a
/// skipped row can be written to a rejects file and read back.
fn join_raw(values: &[Cow<'_, str>], delimiter: u8) -> String {
    let d = char::from(delimiter);
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(d);
        }
        if v.contains([d, '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&v.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::IngestOptions;
    use crate::model::SourceFormat;

    fn ingested(file: &str) -> Ingested {
        Ingested {
            file: file.to_string(),
            format: SourceFormat::Native,
            rows_read: 0,
            records: Vec::new(),
            skipped: Vec::new(),
            warnings: Vec::new(),
            notes: Vec::new(),
        }
    }

    const LENIENT: IngestOptions = IngestOptions::DEFAULT;

    #[test]
    fn an_overlong_row_is_refused_naming_its_line() {
        let mut csv = b"id,date,location\nTEST1,2025,Testville\nTEST2,2025,\"open".to_vec();
        // Longer than the limit plus the csv reader's 8 KB look-ahead.
        csv.extend(std::iter::repeat_n(b'x', 20_000));
        csv.extend_from_slice(b"\nTEST3,2025,Testham\n");
        let mut out = ingested("long.csv");
        let e = read_limited(&csv[..], b',', &LENIENT, &mut out, 1024, None).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("cannot read long.csv: the row starting on line 3 is longer than"),
            "{msg}"
        );
        assert_eq!(out.records.len(), 1, "rows before it were read");
        // The same file with the limit above its longest row reads in full.
        let mut out = ingested("long.csv");
        read_limited(&csv[..], b',', &LENIENT, &mut out, 1 << 20, None).unwrap();
        assert_eq!(out.rows_read, 2);
    }

    #[test]
    fn many_quoted_line_breaks_keep_line_numbers_and_bounded_log() {
        // One record with more line breaks than the log keeps runs for, then two more rows.
        let mut csv = String::from("id,date,location\r\nTEST1,2025,\"Test");
        for _ in 0..3 * MAX_RUNS {
            csv.push_str("\r\nx");
        }
        csv.push_str("\"\r\nTEST2,2025,Testburg\r\nTEST3,2025,x,extra\r\n");
        let mut out = ingested("many.csv");
        read(csv.as_bytes(), b',', &LENIENT, &mut out, None).unwrap();
        let first = 2;
        let second = first + 3 * MAX_RUNS as u64 + 1;
        let lines: Vec<u64> = out.records.iter().map(|r| r.provenance.line).collect();
        assert_eq!(lines, vec![first, second]);
        assert_eq!(out.skipped[0].line, second + 1);
    }

    #[test]
    fn breaks_are_counted_one_per_crlf_cr_or_lf() {
        let mut log = Breaks::default();
        for (i, &b) in b"\r\n\n\r\r\n".iter().enumerate() {
            log.push(10 + i as u64, b);
        }
        // CR LF, LF, CR, CR LF: four breaks in one run of six bytes.
        assert_eq!(log.breaks_before(10), 0);
        assert_eq!(
            log.breaks_before(11),
            0,
            "the CR of a CR LF is not a break alone"
        );
        assert_eq!(log.breaks_before(12), 1);
        assert_eq!(log.breaks_before(16), 4);
        assert_eq!(log.line_of_record_at(10), 5);
        assert_eq!(log.line_of_record_at(3), 1);
    }

    #[test]
    fn raw_rows_are_requoted() {
        let v: Vec<Cow<'_, str>> = vec!["a".into(), "b,c".into(), "say \"hi\"".into()];
        assert_eq!(join_raw(&v, b','), "a,\"b,c\",\"say \"\"hi\"\"\"");
        assert_eq!(join_raw(&v, b';'), "a;b,c;\"say \"\"hi\"\"\"");
    }
}
