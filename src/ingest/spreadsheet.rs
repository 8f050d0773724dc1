//! .xlsx and .ods workbooks, read with calamine: the first sheet, or `--sheet NAME`.
//!
//! The sheet becomes rows of text, exactly as a CSV of it would be, and goes through the
//! same header and row mapping, so a sheet and its CSV give the same records. Cells are
//! written as text the way a person reads them: date cells as `YYYY-MM-DD` (a whole day) or
//! `YYYY-MM-DDTHH:MM:SS`, whole numbers without `.0`, booleans as `TRUE`/`FALSE`, error cells
//! (`#N/A`) as their code. Row numbers in messages are the sheet's own (header = row 1), so
//! `file.xlsx:14` is row 14 in the spreadsheet program.
//!
//! Refused with a clear message: a header that is not on the first row (an empty first row,
//! or a title line above the table), and merged header cells (in .xlsx, where the file
//! records them).

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Reader, Sheets, open_workbook_auto_from_rs};

use super::header::Header;
use super::{IngestError, IngestOptions, Ingested};
use crate::model::SourceFormat;

/// The first bytes of a ZIP archive, which .xlsx and .ods files are.
pub(crate) const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

fn refuse(file: &str, reason: String) -> IngestError {
    IngestError::Spreadsheet {
        file: file.to_string(),
        reason,
    }
}

/// Reads a workbook held in memory.
pub(crate) fn read(
    file: &str,
    bytes: Vec<u8>,
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    let mut book: Sheets<Cursor<Vec<u8>>> = match open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => {
            return Err(IngestError::NotText {
                file: file.to_string(),
                what: "this is a ZIP archive (an .xlsx or .ods spreadsheet?)",
                fix: if matches!(e, calamine::Error::Msg(_)) {
                    "save the sheet as CSV (UTF-8) and read that: it is not a workbook borderwatch can open"
                } else {
                    "save the sheet as CSV (UTF-8) and read that: the workbook could not be opened"
                },
            });
        }
    };
    let names = book.sheet_names();
    let sheet = match &opts.sheet {
        Some(want) => names
            .iter()
            .find(|n| *n == want)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(want)))
            .cloned()
            .ok_or_else(|| {
                refuse(
                    file,
                    format!(
                        "no sheet named {want:?}; the workbook has {}",
                        quoted(&names)
                    ),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| refuse(file, "the workbook has no sheets".to_string()))?,
    };
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| refuse(file, format!("sheet {sheet:?} could not be read: {e}")))?;
    if let Sheets::Xlsx(x) = &mut book
        && let Ok(merged) = x.merge_cells_by_sheet_name(&sheet)
        && let Some(m) = merged.iter().find(|m| m.start.0 == 0)
    {
        return Err(refuse(
            file,
            format!(
                "sheet {sheet:?}: merged header cells ({}{}:{}{}); unmerge them so every column has its own name on row 1",
                column_letter(m.start.1),
                m.start.0 + 1,
                column_letter(m.end.1),
                m.end.0 + 1
            ),
        ));
    }

    let mut out = Ingested {
        file: file.to_string(),
        format: SourceFormat::Native,
        rows_read: 0,
        records: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
    };
    let Some((row0, col0)) = range.start() else {
        return Err(IngestError::Empty {
            file: file.to_string(),
        });
    };
    if row0 > 0 {
        return Err(refuse(
            file,
            format!(
                "sheet {sheet:?}: row 1 is empty and the table starts on row {}; the header must be on the first row",
                row0 + 1
            ),
        ));
    }
    // Cells are placed by their absolute column, so a sheet that starts in column C gives
    // the same columns as its CSV (two empty ones first).
    let width = range.width() + col0 as usize;
    let mut rows = range.rows().map(|cells| {
        let mut v = vec![String::new(); col0 as usize];
        v.extend(cells.iter().map(cell_text));
        v.resize(width, String::new());
        v
    });
    let header_cells = rows.next().unwrap_or_default();
    let filled: Vec<&String> = header_cells
        .iter()
        .filter(|c| !c.trim().is_empty())
        .collect();
    if filled.len() == 1 && width > 1 {
        return Err(refuse(
            file,
            format!(
                "sheet {sheet:?}: row 1 holds only {:?}, which looks like a title; the header (the column names) must be on the first row",
                super::row::clip(filled[0])
            ),
        ));
    }
    if filled.is_empty() {
        return Err(IngestError::NoHeader {
            file: file.to_string(),
            line: 1,
        });
    }
    let mut header = Header::new(file, &header_cells, None, opts)?;
    out.format = header.schema.format();
    let body: Vec<Vec<String>> = rows.collect();
    let settled = match header.date_key().and_then(|k| header.column(k)) {
        Some(c) => header.settle_date_order(
            opts,
            body.iter().filter_map(|r| r.get(c).map(String::as_str)),
        ),
        None => (None, None),
    };
    out.note_header(&header, settled);
    if sheet != names[0] || names.len() > 1 {
        out.notes.push(format!(
            "sheet {sheet:?} read (the workbook has {})",
            quoted(&names)
        ));
    }
    for (i, values) in body.iter().enumerate() {
        let line = row0 as u64 + 2 + i as u64;
        out.rows_read += 1;
        let values: Vec<Cow<'_, str>> = values.iter().map(|v| Cow::Borrowed(v.as_str())).collect();
        out.take_row(opts, &header, &values, line, None, || join_cells(&values))?;
    }
    if out.rows_read == 0 {
        out.warnings.push(super::RowProblem {
            file: file.to_string(),
            line: 0,
            column: None,
            reason: format!("sheet {sheet:?} has only a header row: the file holds no incidents"),
            text: None,
        });
    }
    Ok(out)
}

fn quoted(names: &[String]) -> String {
    let v: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    if v.is_empty() {
        "no sheets".to_string()
    } else {
        v.join(", ")
    }
}

/// `A`, `B`, … `Z`, `AA` for a 0-based column.
fn column_letter(col: u32) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    s.iter().rev().collect()
}

/// A row as CSV text, for the rejects report.
fn join_cells(values: &[Cow<'_, str>]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(values.iter().map(|v| v.as_bytes()));
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

/// A cell as the text a person reads in it.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => {
            if dt.is_duration() {
                return dt.as_f64().to_string();
            }
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn broken_archive_is_refused_as_before() {
        let e = read(
            "s.xlsx",
            b"PK\x03\x04junk".to_vec(),
            &IngestOptions::DEFAULT,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.xlsx: this is a ZIP archive (an .xlsx or .ods spreadsheet?), not a text file; save the sheet as CSV"),
            "{e}"
        );
    }
}
