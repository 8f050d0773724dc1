//! Properties every ingest result must have, shared by the fuzz targets.
//!
//! Beyond "does not panic": the row accounting adds up, every skipped row points at a row,
//! line numbers are distinct and lie inside the file, messages stay short however long the
//! input's cells are, and strict mode stops at exactly the row a lenient read skips first.

use borderwatch::ingest::{IngestError, IngestOptions, Ingested, read_bytes};

/// Longest message accepted for one problem or error, in characters (values in messages are
/// clipped to a number of characters, not bytes).
const MAX_MESSAGE: usize = 2_000;

pub fn check(name: &str, data: &[u8]) {
    let lenient = read_bytes(name, data, &IngestOptions::DEFAULT);
    let strict = read_bytes(
        name,
        data,
        &IngestOptions {
            strict: true,
            ..IngestOptions::DEFAULT
        },
    );
    match (&lenient, &strict) {
        (Ok(got), Ok(s)) => {
            check_ingested(got, data);
            assert!(
                got.skipped.is_empty(),
                "strict accepted what lenient skipped"
            );
            assert_eq!(got.records, s.records);
        }
        (Ok(got), Err(IngestError::Strict(p))) => {
            check_ingested(got, data);
            assert_eq!(got.skipped.first(), Some(p), "strict stopped elsewhere");
        }
        (Ok(_), Err(e)) => panic!("only strict failed, with {e}"),
        (Err(e), _) => {
            let msg = e.to_string();
            assert!(!msg.is_empty());
            assert!(
                msg.chars().count() <= MAX_MESSAGE + name.chars().count(),
                "long message: {msg:.300}"
            );
            assert!(
                msg.contains(name),
                "message does not name the file: {msg:.300}"
            );
        }
    }
}

fn check_ingested(got: &Ingested, data: &[u8]) {
    assert_eq!(
        got.rows_read,
        (got.records.len() + got.skipped.len()) as u64,
        "every row is a record or a skipped row"
    );
    for p in got.skipped.iter().chain(&got.warnings) {
        let msg = p.to_string();
        assert!(
            msg.chars().count() <= MAX_MESSAGE + p.file.chars().count(),
            "long message: {msg:.300}"
        );
    }
    assert!(
        got.skipped.iter().all(|p| p.line >= 1),
        "skipped row without a line"
    );

    // Where each row starts: distinct, increasing in reading order, inside the file.
    let record_lines: Vec<u64> = got.records.iter().map(|r| r.provenance.line).collect();
    let skipped_lines: Vec<u64> = got.skipped.iter().map(|p| p.line).collect();
    for lines in [&record_lines, &skipped_lines] {
        assert!(
            lines.windows(2).all(|w| w[0] < w[1]),
            "lines not increasing: {lines:?}"
        );
    }
    let mut all: Vec<u64> = record_lines.iter().chain(&skipped_lines).copied().collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len() as u64, got.rows_read, "two rows on one line");
    // As the reader decides: the first byte after a UTF-8 BOM and ASCII whitespace.
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let is_json = matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'[' | b'{')
    );
    let utf16 = data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]);
    if is_json {
        assert!(
            all.iter().all(|&l| (1..=got.rows_read).contains(&l)),
            "{all:?}"
        );
    } else if !utf16 {
        let last = physical_lines(data);
        assert!(
            all.iter().all(|&l| (2..=last).contains(&l)),
            "row lines {all:?} outside 2..={last}"
        );
    }
}

/// Physical lines in the bytes, counting CRLF, a lone CR and a lone LF as one break each.
pub fn physical_lines(data: &[u8]) -> u64 {
    let mut n = 1;
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'\r' if data.get(i + 1) == Some(&b'\n') => {
                n += 1;
                i += 1;
            }
            b'\r' | b'\n' => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}
