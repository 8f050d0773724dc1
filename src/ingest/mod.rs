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
//!
//! The flow, one way: a reader per kind of file (`csv_input`, `json_input`, `spreadsheet`,
//! over `text` for encodings) builds the table's `header` and hands each row's values to
//! `rows`, which refuses blank rows and asks the list of formats (`formats`) for the mapper
//! of the header's schema; one mapper per format (`native`, `acled`, `ucdp`, `gtd`) turns
//! the row into a record with the shared row toolkit (`row`, and `dates`, `counts`,
//! `event_types`). A new reader or format slots in without touching the others. This stage
//! must not know places: it reads what the file says and leaves locating to `geocode`.

mod acled;
mod columns;
mod counts;
mod csv_input;
mod date_order;
mod dates;
mod decimal;
mod event_types;
mod formats;
mod gtd;
mod header;
mod json_input;
mod keys;
mod native;
mod row;
mod rows;
mod spreadsheet;
#[cfg(test)]
pub(crate) use row::blank_record;
#[cfg(test)]
pub(crate) use row::numbered_record;
mod text;
mod ucdp;

use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use serde::Serialize;

use crate::model::{IncidentRecord, SourceFormat};

pub use columns::{ALIASES, ColumnMap};
pub use dates::{DateOrder, parse_date, parse_date_in};
pub use event_types::{EVENT_TYPES, VOCABULARY};

use formats::Schema;
use row::normalise_key;
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
    /// The caller reads only the analysed fields (`density`, `compare`): the cells of
    /// columns no importer maps are not kept in `IncidentRecord::extra`. Keeping them is
    /// most of reading a file with many such columns (a UCDP GED export passes some 35
    /// through; made and freed for each of 500,000 rows, over a third of `density`'s CPU).
    pub analysis_only: bool,
}

impl IngestOptions {
    /// Nothing said: lenient, no column names, no date order, the first sheet.
    pub const DEFAULT: IngestOptions = IngestOptions {
        strict: false,
        columns: ColumnMap(std::collections::BTreeMap::new()),
        date_order: None,
        sheet: None,
        analysis_only: false,
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

/// Records handed to a [`BatchSink`] at a time (CSV; JSON input comes as one batch). The
/// pipeline geocodes one batch while the next is read, so two are held at once: 16,384
/// keeps `density` on a million records within its memory target (64Ki batches, two at a
/// time, peaked at 403–441 MiB).
pub const BATCH_RECORDS: usize = 16 << 10;

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

#[cfg(test)]
mod tests;
