//! Ingest stage: reads incident files (native CSV/JSON/GeoJSON, ACLED, UCDP GED, GTD) into
//! [`IncidentRecord`]s without losing anything.
//!
//! "Without losing anything" is the design rule every choice here follows:
//! - every data row ends up either as a record or as a [`RowProblem`] in `skipped`, so
//!   `rows_read == records.len() + skipped.len()` always holds and a caller can write the
//!   rejected rows (their raw text is in `RowProblem::text`) to a rejects file;
//! - columns no importer maps go to `IncidentRecord::extra`;
//! - unknown numbers stay `None`, never 0;
//! - odd encodings are decoded (and reported) rather than refused.
//!
//! Whole-file failures (unreadable, empty, a binary file such as an .xlsx, unrecognised
//! header, malformed JSON, a CSV row over 16 MiB) are
//! [`IngestError`]s; row-level trouble never is, unless [`IngestOptions::strict`] asks for it.
//!
//! Line numbers: for CSV, `RecordOrigin::line` and `RowProblem::line` are the 1-based
//! physical line where the record starts (header = line 1), counting CR LF, a lone CR and a
//! lone LF as one line break each; this differs from the record index when quoted fields
//! contain newlines or there are blank lines. For JSON and GeoJSON, they are the 1-based index
//! of the array item or feature, and messages say "item N" or "feature N" to make that clear.

mod acled;
mod columns;
mod counts;
mod csv_input;
mod date_order;
mod dates;
mod event_types;
mod gtd;
mod json_input;
mod native;
mod row;
mod spreadsheet;
#[cfg(test)]
pub(crate) use row::blank_record;
mod text;
mod ucdp;

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use serde::Serialize;

use crate::model::{IncidentRecord, SourceFormat};

pub use columns::{ALIASES, ColumnMap};
pub use dates::{DateOrder, parse_date, parse_date_in};
pub use event_types::{EVENT_TYPES, VOCABULARY};

use row::{Ctx, Mapped, Problem, Row, Schema, normalise_key};
use text::Encoding;

/// How forgiving to be, and what the user says about their files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestOptions {
    /// Stop at the first row that cannot be read ([`IngestError::Strict`]) instead of
    /// skipping it. For pipelines where a silently smaller dataset is worse than no result.
    pub strict: bool,
    /// `--columns date=Datum,...`: the file's names for native columns the alias table does
    /// not know (native files only).
    pub columns: ColumnMap,
    /// `--date-order`: how numeric dates (`06/09/2023`) are read when their column does
    /// not settle it; it wins over what the values suggest.
    pub date_order: Option<DateOrder>,
    /// `--sheet NAME`: which sheet of an .xlsx or .ods workbook to read (the first when
    /// not given).
    pub sheet: Option<String>,
}

impl IngestOptions {
    /// Nothing said: lenient, no column names, no date order, the first sheet.
    pub const DEFAULT: IngestOptions = IngestOptions {
        strict: false,
        columns: ColumnMap(std::collections::BTreeMap::new()),
        date_order: None,
        sheet: None,
    };
}

/// The result of reading one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    /// The file name as given by the caller; used in every message and `RecordOrigin`.
    pub file: String,
    pub format: SourceFormat,
    /// Data rows seen (CSV records after the header, JSON items or features).
    pub rows_read: u64,
    pub records: Vec<IncidentRecord>,
    /// Rows that could not be read, with the reason and the raw row.
    pub skipped: Vec<RowProblem>,
    /// Notes on kept rows (line > 0) or on the whole file (line 0), e.g. an encoding guess.
    pub warnings: Vec<RowProblem>,
    /// What the reader decided about the file, for the user: which column was taken for
    /// what and which were not used, how numeric dates were read, which event types stayed
    /// outside the vocabulary. Not problems.
    pub notes: Vec<String>,
}

/// A problem with one row (or, with `line` 0, with the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub file: String,
    /// 1-based physical line where the row starts (CSV) or 1-based item/feature index
    /// (JSON, GeoJSON); 0 for file-level notes.
    pub line: u64,
    /// The column the problem is in, as written in the file's header.
    pub column: Option<String>,
    pub reason: String,
    /// For skipped rows: the raw row (CSV re-quoted with the file's delimiter, or compact
    /// JSON), so it can be written out and fixed. For warnings: the offending value.
    pub text: Option<String>,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, ": column {c}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Whole-file failures: the caller cannot get any rows out of the file.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {file}: {source}")]
    Unreadable {
        file: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "{file} is empty: expected a CSV header line, a JSON array or a GeoJSON FeatureCollection"
    )]
    Empty { file: String },
    #[error(
        "{file}:{line}: the first line has no column names; a CSV file must start with a header line"
    )]
    NoHeader { file: String, line: u64 },
    #[error(
        "{file}: not a recognised incident file (columns: {}). Expected native columns (date plus one of \
         location, latitude/longitude, admin1, admin2, country), ACLED (event_id_cnty, event_date), \
         UCDP GED (id, date_start, date_end, best; or id, year, month, day, side_a, best_death) \
         or GTD (eventid, iyear, imonth, iday)",
        show_header(.header)
    )]
    UnknownFormat { file: String, header: Vec<String> },
    #[error("{file}: column {column:?} appears more than once, so it is unclear which one to use")]
    DuplicateColumn { file: String, column: String },
    #[error("{file}:{line}:{column}: not valid JSON: {message}")]
    BadJson {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{file}: {reason}")]
    UnsupportedJson { file: String, reason: String },
    #[error("strict mode: {0}")]
    Strict(RowProblem),
    /// A workbook that opened but whose sheet cannot be read as a table.
    #[error("{file}: {reason}")]
    Spreadsheet { file: String, reason: String },
    /// A binary file recognised by its first bytes (a spreadsheet, an archive, a PDF).
    #[error("{file}: {what}, not a text file; {fix}")]
    NotText {
        file: String,
        what: &'static str,
        fix: &'static str,
    },
}

/// Binary formats people pass by mistake, by their first bytes: what it is and what to do.
const BINARY_MAGIC: &[(&[u8], &str, &str)] = &[
    (
        b"PK\x03\x04",
        "this is a ZIP archive (an .xlsx or .ods spreadsheet?)",
        "save the sheet as CSV (UTF-8) and read that",
    ),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "this is an old Excel (.xls) or other Office file",
        "save the sheet as CSV (UTF-8) and read that",
    ),
    (
        b"\x1F\x8B",
        "this is gzip-compressed",
        "decompress it first (gunzip)",
    ),
    (
        b"%PDF-",
        "this is a PDF",
        "export the table from its source as CSV",
    ),
];

/// The first columns of an unrecognised header, each clipped, for the error message. A name
/// that spans lines means the header opened a quote it never closed, which is said.
fn show_header(h: &[String]) -> String {
    let mut s: Vec<String> = h
        .iter()
        .take(12)
        .map(|c| format!("\"{}\"", row::clip(c)))
        .collect();
    if h.len() > 12 {
        s.push(format!("… {} more", h.len() - 12));
    }
    if s.is_empty() {
        return "none".to_string();
    }
    let mut out = s.join(", ");
    if h.iter().any(|c| c.contains(['\n', '\r'])) {
        out.push_str("; a column name runs over several lines, so a quote in the header line is probably not closed");
    }
    out
}

/// Reads an incident file. The file is streamed: only a bounded window at its start is held
/// to detect encoding and layout (JSON input is the exception; see [`read_reader`]).
pub fn read_path(path: &Path, opts: &IngestOptions) -> Result<Ingested, IngestError> {
    let (file, f) = open(path)?;
    read_reader(&file, f, opts)
}

/// Receives records in file order, a batch at a time, as a file is read.
pub type BatchSink<'a> = &'a mut dyn FnMut(Vec<IncidentRecord>);

/// Records handed to a [`BatchSink`] at a time (CSV; JSON input comes as one batch).
pub const BATCH_RECORDS: usize = 64 << 10;

/// [`read_reader`], handing the records to `sink` in batches of about [`BATCH_RECORDS`] as
/// they are read, so a caller that keeps less than the whole record (the analysis) never
/// holds the whole file's records. The returned [`Ingested`] has everything but the records.
/// On an error (a read failure, or a bad row in strict mode) the sink has already received
/// the records before it.
pub fn read_reader_in_batches<R: Read>(
    file_name: &str,
    reader: R,
    opts: &IngestOptions,
    sink: BatchSink,
) -> Result<Ingested, IngestError> {
    read_with_window(file_name, reader, opts, text::SNIFF_WINDOW, Some(sink))
}

/// Opens an incident file for [`read_reader`] or [`read_reader_in_batches`]; returns the
/// name used in messages (the path as given) with the open file.
pub fn open(path: &Path) -> Result<(String, File), IngestError> {
    let file = path.display().to_string();
    match File::open(path) {
        Ok(f) => Ok((file, f)),
        Err(source) => Err(IngestError::Unreadable { file, source }),
    }
}

/// A shorter-lived loan of an optional sink.
fn reborrow<'s>(
    sink: &'s mut Option<BatchSink<'_>>,
) -> Option<&'s mut dyn FnMut(Vec<IncidentRecord>)> {
    match sink {
        Some(s) => Some(&mut **s),
        None => None,
    }
}

/// Reads an incident file already in memory; `file_name` is used in messages and for
/// generated ids.
pub fn read_bytes(
    file_name: &str,
    bytes: &[u8],
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    read_reader(file_name, bytes, opts)
}

/// Reads an incident file from any reader (a file, stdin, a decompressor). CSV is processed
/// record by record. JSON and GeoJSON are parsed into a tree first, so their memory use grows
/// with the file.
pub fn read_reader<R: Read>(
    file_name: &str,
    reader: R,
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    read_with_window(file_name, reader, opts, text::SNIFF_WINDOW, None)
}

/// Recognises a format from a header (column names in any case, surrounding spaces ignored).
/// Both UCDP GED variants (full and the reduced juanr one) are `UcdpGed`.
pub fn detect_format(header: &[String]) -> Option<SourceFormat> {
    let keys: Vec<String> = header.iter().map(|h| normalise_key(h)).collect();
    Schema::detect(&keys).map(Schema::format)
}

fn read_with_window<R: Read>(
    file: &str,
    reader: R,
    opts: &IngestOptions,
    window: usize,
    sink: Option<BatchSink>,
) -> Result<Ingested, IngestError> {
    // Event types outside the vocabulary are counted on the way, and named in a note.
    let mut types = event_types::Unknown::default();
    let mut out = match sink {
        Some(sink) => {
            let mut counting = |batch: Vec<IncidentRecord>| {
                types.add(&batch);
                sink(batch);
            };
            read_inner(file, reader, opts, window, Some(&mut counting))?
        }
        None => {
            let out = read_inner(file, reader, opts, window, None)?;
            types.add(&out.records);
            out
        }
    };
    out.notes.extend(types.note());
    Ok(out)
}

fn read_inner<R: Read>(
    file: &str,
    mut reader: R,
    opts: &IngestOptions,
    window: usize,
    mut sink: Option<BatchSink>,
) -> Result<Ingested, IngestError> {
    let unreadable = |source| IngestError::Unreadable {
        file: file.to_string(),
        source,
    };
    let (buf, at_eof) = text::fill_window(&mut reader, window).map_err(unreadable)?;
    if buf.starts_with(spreadsheet::ZIP_MAGIC) {
        // .xlsx and .ods are ZIP archives: read the whole workbook and its sheet.
        let mut bytes = buf;
        reader.read_to_end(&mut bytes).map_err(unreadable)?;
        let mut out = spreadsheet::read(file, bytes, opts)?;
        if let Some(sink) = sink
            && !out.records.is_empty()
        {
            sink(std::mem::take(&mut out.records));
        }
        return Ok(out);
    }
    if let Some((_, what, fix)) = BINARY_MAGIC.iter().find(|(m, _, _)| buf.starts_with(m)) {
        return Err(IngestError::NotText {
            file: file.to_string(),
            what,
            fix,
        });
    }
    let sniffed = text::sniff_encoding(&buf, at_eof);
    let mut out = Ingested {
        file: file.to_string(),
        format: SourceFormat::Native,
        rows_read: 0,
        records: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
    };

    // Look at the start of the decoded text: JSON or CSV, and which delimiter.
    let body = buf.get(sniffed.bom_len..).unwrap_or(&[]);
    let decoded_head;
    let head: &[u8] = match sniffed.encoding {
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let mut v = Vec::new();
            text::Transcoder::new(body, sniffed.encoding)
                .read_to_end(&mut v)
                .map_err(unreadable)?;
            decoded_head = v;
            &decoded_head
        }
        _ => body,
    };
    let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first.is_none() && at_eof {
        return Err(IngestError::Empty {
            file: file.to_string(),
        });
    }
    let is_json = matches!(first, Some(b'[' | b'{'));
    let delimiter = text::sniff_delimiter(head);

    if let Some(w) = sniffed.warning {
        out.warnings.push(RowProblem {
            file: file.to_string(),
            line: 0,
            column: None,
            reason: w,
            text: None,
        });
    }

    let mut cursor = Cursor::new(buf);
    cursor.set_position(sniffed.bom_len as u64);
    let stream = cursor.chain(reader);
    match (sniffed.encoding, is_json) {
        (Encoding::Utf8, true) => json_input::read(stream, opts, &mut out)?,
        (Encoding::Utf8, false) => {
            csv_input::read(stream, delimiter, opts, &mut out, reborrow(&mut sink))?
        }
        (enc, true) => json_input::read(text::Transcoder::new(stream, enc), opts, &mut out)?,
        (enc, false) => csv_input::read(
            text::Transcoder::new(stream, enc),
            delimiter,
            opts,
            &mut out,
            reborrow(&mut sink),
        )?,
    }
    if let Some(sink) = sink
        && !out.records.is_empty()
    {
        sink(std::mem::take(&mut out.records));
    }
    if out.rows_read == 0 {
        // Not an error (an export of an empty query is a valid file), but worth saying: an
        // empty layer from a file the user expected rows in is otherwise silent.
        out.warnings.push(RowProblem {
            file: file.to_string(),
            line: 0,
            column: None,
            reason: if is_json {
                "no items or features: the file holds no incidents".to_string()
            } else {
                "only a header line: the file holds no incidents".to_string()
            },
            text: None,
        });
    }
    Ok(out)
}

/// The names, normalised keys and schema of a table's columns.
pub(crate) struct Header {
    pub schema: Schema,
    pub names: Vec<String>,
    pub keys: Vec<String>,
    /// How numeric dates in the date column are read (decided from the values, or given).
    pub date_order: Option<DateOrder>,
    /// For native files: which column was taken for what (see [`columns`]).
    pub taken: Option<columns::Taken>,
}

impl Header {
    /// Builds the header: trims names, names empty ones `column_N`, detects the schema
    /// (`fallback` when nothing matches, e.g. Native for GeoJSON), refuses duplicates of
    /// mapped columns and renames duplicates of pass-through columns (`name (2)`) so neither
    /// value is lost from `extra`. For a native file, the names people use (`Place`,
    /// `Killed`) and `--columns` are mapped onto the native columns.
    pub(crate) fn new(
        file: &str,
        raw: &[String],
        fallback: Option<Schema>,
        opts: &IngestOptions,
    ) -> Result<Header, IngestError> {
        let mut names: Vec<String> = raw
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let n = n.trim().trim_start_matches('\u{feff}').trim();
                if n.is_empty() {
                    format!("column_{}", i + 1)
                } else {
                    n.to_string()
                }
            })
            .collect();
        let mut keys: Vec<String> = names.iter().map(|n| normalise_key(n)).collect();
        let detected = Schema::detect(&keys);
        let mut taken = None;
        let schema = match detected {
            Some(s) if s != Schema::Native => s,
            _ => {
                let mut mapped_keys = keys.clone();
                let t = columns::map_native(&names, &mut mapped_keys, &opts.columns);
                match Schema::detect(&mapped_keys).or(detected).or(fallback) {
                    Some(Schema::Native) => {
                        taken = Some(t);
                        Schema::Native
                    }
                    Some(other) => other,
                    None => {
                        return Err(IngestError::UnknownFormat {
                            file: file.to_string(),
                            header: names.clone(),
                        });
                    }
                }
            }
        };
        let mapped = schema.mapped_columns();
        for i in 0..keys.len() {
            let earlier = keys.iter().take(i).filter(|k| **k == keys[i]).count();
            if earlier == 0 {
                continue;
            }
            if mapped.contains(&keys[i].as_str()) {
                return Err(IngestError::DuplicateColumn {
                    file: file.to_string(),
                    column: names[i].clone(),
                });
            }
            names[i] = format!("{} ({})", names[i], earlier + 1);
            keys[i] = normalise_key(&names[i]);
        }
        if taken.is_some() {
            taken = Some(columns::map_native(&names, &mut keys, &opts.columns));
        }
        Ok(Header {
            schema,
            names,
            keys,
            date_order: opts.date_order,
            taken,
        })
    }

    /// The key of the column holding a whole date, when the schema has one.
    pub(crate) fn date_key(&self) -> Option<&'static str> {
        match self.schema {
            Schema::Native => Some("date"),
            Schema::Acled => Some("event_date"),
            _ => None,
        }
    }

    /// Decides how numeric dates are read from the date column's `values` (all of them, or
    /// the first rows of a long file), unless `--date-order` said; returns a note for the
    /// user, or a warning when the column does not settle it.
    pub(crate) fn settle_date_order<'v>(
        &mut self,
        opts: &IngestOptions,
        values: impl Iterator<Item = &'v str>,
    ) -> (Option<String>, Option<String>) {
        let Some(key) = self.date_key() else {
            return (None, None);
        };
        let Some(col) = self.keys.iter().position(|k| k == key) else {
            return (None, None);
        };
        let mut votes = date_order::Votes::default();
        for v in values {
            votes.add(v);
        }
        date_order::settle(self, &self.names[col].clone(), &votes, opts.date_order)
    }

    /// The index of a column, by key.
    pub(crate) fn column(&self, key: &str) -> Option<usize> {
        self.keys.iter().position(|k| k == key)
    }
}

impl Ingested {
    /// Files what the header said: the columns taken (a note), how dates are read (a note),
    /// and a date column that does not settle its order (a warning).
    pub(crate) fn note_header(
        &mut self,
        header: &Header,
        settled: (Option<String>, Option<String>),
    ) {
        // Said when there is something to say: a column taken under another name, or one
        // not used. A file of native names only reads as it always did, silently.
        if let Some(t) = &header.taken
            && (t
                .mapped
                .iter()
                .any(|(theirs, native)| normalise_key(theirs) != *native)
                || !t.unused.is_empty()
                || !t.missing.is_empty())
        {
            self.notes.push(t.describe());
        }
        let (note, warning) = settled;
        self.notes.extend(note);
        if let Some(w) = warning {
            self.warnings.push(RowProblem {
                file: self.file.clone(),
                line: 0,
                column: None,
                reason: w,
                text: None,
            });
        }
    }

    fn stem(&self) -> String {
        Path::new(&self.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "row".to_string())
    }

    fn problem(
        &self,
        line: u64,
        label: Option<&str>,
        p: Problem,
        text: Option<String>,
    ) -> RowProblem {
        let reason = match label {
            Some(l) => format!("{l}: {}", p.reason),
            None => p.reason,
        };
        RowProblem {
            file: self.file.clone(),
            line,
            column: p.column,
            reason,
            text: text.or(p.value),
        }
    }

    /// Records a skipped row, or fails the file in strict mode.
    fn skip(
        &mut self,
        opts: &IngestOptions,
        line: u64,
        label: Option<&str>,
        p: Problem,
        raw: String,
    ) -> Result<(), IngestError> {
        let rp = self.problem(line, label, p, Some(raw));
        if opts.strict {
            return Err(IngestError::Strict(rp));
        }
        self.skipped.push(rp);
        Ok(())
    }

    /// Maps one row with `header` and files the outcome. `label` ("feature 3") prefixes
    /// reasons for JSON input, whose `line` is an index.
    fn take_row(
        &mut self,
        opts: &IngestOptions,
        header: &Header,
        values: &[Cow<'_, str>],
        line: u64,
        label: Option<&str>,
        raw: impl FnOnce() -> String,
    ) -> Result<(), IngestError> {
        let stem = self.stem();
        let file: std::sync::Arc<str> = self.file.as_str().into();
        let ctx = Ctx {
            file: &file,
            file_stem: &stem,
            line,
            format: header.schema.format(),
            date_order: header.date_order,
        };
        let outcome = map_row(header, values, &ctx);
        self.file_row(opts, line, label, outcome, raw)
    }

    /// Files the outcome of [`map_row`]: the record and its warnings, or the skipped row
    /// (an error in strict mode).
    fn file_row(
        &mut self,
        opts: &IngestOptions,
        line: u64,
        label: Option<&str>,
        outcome: Result<Mapped, Problem>,
        raw: impl FnOnce() -> String,
    ) -> Result<(), IngestError> {
        match outcome {
            Ok(m) => {
                for w in m.warnings {
                    let rp = self.problem(line, label, w, None);
                    self.warnings.push(rp);
                }
                self.records.push(m.record);
                Ok(())
            }
            Err(p) => self.skip(opts, line, label, p, raw()),
        }
    }
}

/// Maps one row with `header`: a record, or why the row is not one. Pure, so rows can be
/// mapped on several threads and filed in order afterwards.
fn map_row(header: &Header, values: &[Cow<'_, str>], ctx: &Ctx<'_>) -> Result<Mapped, Problem> {
    let mut row = Row::new(&header.names, &header.keys, values);
    if row.is_blank() {
        Err(Problem::row("row has no values".to_string()))
    } else if row.is_hxl() {
        Err(Problem::row(
            "HXL hashtag row (column tags, not an event)".to_string(),
        ))
    } else {
        header.schema.map(&mut row, ctx)
    }
}

#[cfg(test)]
mod tests;
