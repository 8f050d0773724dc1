//! CSV reading: one record at a time from a stream, so file size does not matter.
//!
//! The reader is `flexible` so a row with the wrong number of fields does not stop the file;
//! the count is checked here and such a row is skipped with a reason. Records are read as
//! bytes and decoded per field, which is what lets a UTF-8 file with a few stray Latin-1 bytes
//! far down be read without loss.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

use super::row::Problem;
use super::text::decode_field;
use super::{Header, IngestError, IngestOptions, Ingested};

/// How many rows with non-UTF-8 fields get their own warning before the rest are summarised.
const ENCODING_WARNINGS_LISTED: u64 = 20;

pub(crate) fn read<S: Read>(
    stream: S,
    delimiter: u8,
    opts: &IngestOptions,
    out: &mut Ingested,
) -> Result<(), IngestError> {
    let log = Rc::new(RefCell::new(Breaks::default()));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Tracked {
            inner: stream,
            log: Rc::clone(&log),
        });
    let mut rec = csv::ByteRecord::new();
    let file = out.file.clone();
    let next = |rdr: &mut csv::Reader<Tracked<S>>, rec: &mut csv::ByteRecord| {
        rdr.read_byte_record(rec).map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(source) => IngestError::Unreadable {
                file: file.clone(),
                source,
            },
            other => IngestError::Unreadable {
                file: file.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:?}")),
            },
        })
    };

    if !next(&mut rdr, &mut rec)? {
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
    let header = Header::new(&out.file, &raw_names, None)?;
    out.format = header.schema.format();
    let width = header.names.len();

    let mut values: Vec<String> = Vec::with_capacity(width);
    let mut encoding_rows = 0u64;
    while next(&mut rdr, &mut rec)? {
        let (line, end) = lines_of(&rec, &rdr, &log);
        out.rows_read += 1;
        values.clear();
        let mut bad_columns = Vec::new();
        for (i, f) in rec.iter().enumerate() {
            let (s, fell_back) = decode_field(f);
            if fell_back {
                bad_columns.push(i);
            }
            values.push(s.into_owned());
        }
        let raw = || join_raw(&values, delimiter);

        if values.len() != width && !values.iter().all(|v| v.trim().is_empty()) {
            let mut reason = format!("expected {width} fields, found {}", values.len());
            if end > line {
                reason.push_str(&format!(
                    "; the row runs from line {line} to line {end}, so an unbalanced quote may have joined lines"
                ));
            }
            out.skip(opts, line, None, Problem::row(reason), raw())?;
            continue;
        }

        let kept_before = out.records.len();
        out.take_row(opts, &header, &values, line, None, raw)?;
        let kept = out.records.len() > kept_before;
        if kept
            && end > line
            && let Some(w) = swallowed_rows(&header.names, &values, delimiter, line, end)
        {
            let rp = out.problem(line, None, w, None);
            out.warnings.push(rp);
        }
        if kept && !bad_columns.is_empty() {
            encoding_rows += 1;
            if encoding_rows <= ENCODING_WARNINGS_LISTED {
                let names: Vec<&str> = bad_columns
                    .iter()
                    .filter_map(|&i| header.names.get(i).map(String::as_str))
                    .collect();
                out.warnings.push(super::RowProblem {
                    file: out.file.clone(),
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
                });
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

/// The physical lines a record starts and ends on.
///
/// The csv crate records a record's position *before* it skips blank lines and the `\n` of
/// a CRLF pair left over from the previous record, so its line number can be one or more
/// lines early. The [`Breaks`] log knows which line-break bytes lie at that position and
/// corrects for them. (Should csv ever report the true start, nothing lies there and the
/// correction is zero.)
fn lines_of<S: Read>(
    rec: &csv::ByteRecord,
    rdr: &csv::Reader<Tracked<S>>,
    log: &RefCell<Breaks>,
) -> (u64, u64) {
    let Some(pos) = rec.position() else {
        return (0, 0);
    };
    let mut log = log.borrow_mut();
    let start = pos.line() + log.newlines_from(pos.byte());
    // The reader now stands just past this record's terminator (LF, CR, or the CR of CRLF).
    let after = rdr.position();
    let end = match after.byte().checked_sub(1).and_then(|b| log.break_at(b)) {
        Some(b'\n') => after.line().saturating_sub(1),
        _ => after.line(),
    };
    log.forget_before(after.byte());
    (start, end.max(start))
}

/// A maximal run of `\r`/`\n` bytes in the input, at a byte offset.
struct Run {
    start: u64,
    bytes: Vec<u8>,
}

/// Line-break runs seen by [`Tracked`] that the CSV reader has not yet moved past. Bounded
/// by the line breaks in one record plus the reader's 8 KB buffer.
#[derive(Default)]
struct Breaks {
    runs: VecDeque<Run>,
    offset: u64,
}

impl Breaks {
    fn run_at(&self, pos: u64) -> Option<&Run> {
        self.runs
            .iter()
            .find(|r| r.start <= pos && pos < r.start + r.bytes.len() as u64)
    }

    /// `\n` bytes from `pos` to the end of the run of breaks containing it.
    fn newlines_from(&self, pos: u64) -> u64 {
        self.run_at(pos).map_or(0, |r| {
            let skip = usize::try_from(pos - r.start).unwrap_or(usize::MAX);
            r.bytes.iter().skip(skip).filter(|&&b| b == b'\n').count() as u64
        })
    }

    /// The line-break byte at `pos`, if there is one.
    fn break_at(&self, pos: u64) -> Option<u8> {
        let r = self.run_at(pos)?;
        r.bytes.get(usize::try_from(pos - r.start).ok()?).copied()
    }

    fn forget_before(&mut self, pos: u64) {
        while self
            .runs
            .front()
            .is_some_and(|r| r.start + (r.bytes.len() as u64) < pos)
        {
            self.runs.pop_front();
        }
    }
}

/// Passes bytes through to the CSV reader while logging where line breaks are.
pub(crate) struct Tracked<R> {
    inner: R,
    log: Rc<RefCell<Breaks>>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut log = self.log.borrow_mut();
        let base = log.offset;
        for (i, &b) in buf.iter().take(n).enumerate() {
            if b != b'\r' && b != b'\n' {
                continue;
            }
            let at = base + i as u64;
            match log.runs.back_mut() {
                Some(r) if r.start + r.bytes.len() as u64 == at => r.bytes.push(b),
                _ => log.runs.push_back(Run {
                    start: at,
                    bytes: vec![b],
                }),
            }
        }
        log.offset += n as u64;
        Ok(n)
    }
}

/// A kept record over several lines whose text contains a line with as many delimiters as a
/// whole row: most likely a quote left open that swallowed the following rows.
fn swallowed_rows(
    names: &[String],
    values: &[String],
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
fn join_raw(values: &[String], delimiter: u8) -> String {
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
    use super::join_raw;

    #[test]
    fn raw_rows_are_requoted() {
        let v = vec!["a".to_string(), "b,c".to_string(), "say \"hi\"".to_string()];
        assert_eq!(join_raw(&v, b','), "a,\"b,c\",\"say \"\"hi\"\"\"");
        assert_eq!(join_raw(&v, b';'), "a;b,c;\"say \"\"hi\"\"\"");
    }
}
