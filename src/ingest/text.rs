//! Byte-level input handling: encoding detection, transcoding and delimiter sniffing.
//!
//! Incident files arrive from spreadsheets, exports and scrapers, so the bytes are not always
//! clean UTF-8. This module decides, from a bounded window at the start of the file, how the
//! rest is to be decoded, so that a multi-GB file is never held in memory twice: the window is
//! chained back in front of the remaining stream and, where needed, the whole stream is
//! transcoded on the fly.

use std::borrow::Cow;
use std::io::{self, Read};

/// How many bytes at the start of a file are inspected to decide encoding and layout.
/// Large enough that a Latin-1 file almost always shows a non-ASCII byte in it, small enough
/// to be irrelevant next to a multi-GB file.
pub(crate) const SNIFF_WINDOW: usize = 4 << 20;

/// The encodings the ingest stage understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    /// Windows-1252, the usual "ANSI" of spreadsheet exports; a superset of Latin-1's
    /// printable range, so it is also the right reading of Latin-1 text.
    Windows1252,
    Utf16Le,
    Utf16Be,
}

/// What the window at the start of the file says about its encoding.
#[derive(Debug, Clone)]
pub(crate) struct Sniffed {
    pub encoding: Encoding,
    /// Length of the byte-order mark to skip (0 when there is none).
    pub bom_len: usize,
    /// A file-level note for the caller when the encoding had to be guessed.
    pub warning: Option<String>,
}

/// Reads up to `limit` bytes from the start of `reader`. Returns the bytes and whether the
/// reader is exhausted (so the window is the whole file).
pub(crate) fn fill_window<R: Read>(reader: &mut R, limit: usize) -> io::Result<(Vec<u8>, bool)> {
    // Room for the whole window at once: grown from nothing by doubling, a 4 MiB window was
    // copied about once over, into fresh pages each time (`perf record -e page-faults`).
    // Room a short file leaves unused is never touched.
    let mut buf = Vec::with_capacity(limit);
    reader.by_ref().take(limit as u64).read_to_end(&mut buf)?;
    let eof = buf.len() < limit;
    Ok((buf, eof))
}

/// Decides the encoding from a byte-order mark or, failing that, from whether the window is
/// valid UTF-8. A window cut off in the middle of a multi-byte character is still valid.
pub(crate) fn sniff_encoding(window: &[u8], at_eof: bool) -> Sniffed {
    if window.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Sniffed {
            encoding: Encoding::Utf8,
            bom_len: 3,
            warning: None,
        };
    }
    if window.starts_with(&[0xFF, 0xFE]) {
        return Sniffed {
            encoding: Encoding::Utf16Le,
            bom_len: 2,
            warning: Some("file is UTF-16 (little-endian); decoded to UTF-8".to_string()),
        };
    }
    if window.starts_with(&[0xFE, 0xFF]) {
        return Sniffed {
            encoding: Encoding::Utf16Be,
            bom_len: 2,
            warning: Some("file is UTF-16 (big-endian); decoded to UTF-8".to_string()),
        };
    }
    match std::str::from_utf8(window) {
        Ok(_) => Sniffed {
            encoding: Encoding::Utf8,
            bom_len: 0,
            warning: None,
        },
        // Truncated final character at the window edge: the file itself may be fine.
        Err(e) if e.error_len().is_none() && !at_eof => Sniffed {
            encoding: Encoding::Utf8,
            bom_len: 0,
            warning: None,
        },
        Err(e) => {
            let offset = e.valid_up_to();
            let line = window
                .get(..offset)
                .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
                + 1;
            Sniffed {
                encoding: Encoding::Windows1252,
                bom_len: 0,
                warning: Some(format!(
                    "file is not valid UTF-8 (first invalid byte on line {line}, byte offset {offset}); \
                     decoded as Windows-1252 (Latin-1), so check accented names"
                )),
            }
        }
    }
}

/// Windows-1252 code points for bytes 0x80..=0x9F; the five bytes the code page leaves
/// undefined map to the C1 control of the same value, as the WHATWG encoding standard does,
/// so no byte is ever dropped.
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// One Windows-1252 byte as a character. Total: every byte has a character.
fn windows1252_char(b: u8) -> char {
    match b {
        0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Decodes Windows-1252 bytes. Never fails: every byte maps to a character.
pub(crate) fn decode_windows1252(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| windows1252_char(b)).collect()
}

/// Decodes one CSV field. Returns the text and whether it was not UTF-8 (and was therefore
/// read as Windows-1252). Used per field so that a file that is UTF-8 in its first megabytes
/// but has stray Latin-1 bytes further down still loses nothing.
pub(crate) fn decode_field(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (Cow::Owned(decode_windows1252(bytes)), true),
    }
}

/// Decodes a CSV record's fields into `values` (cleared first), as [`decode_field`] decodes
/// each, adding the columns that were not UTF-8 to `bad_columns` (not cleared). A record
/// whose bytes are UTF-8 throughout, with every field boundary between characters, is
/// checked once as a whole rather than field by field (checking each field was about 2% of
/// `density`'s CPU on the peer's million six-column rows, `perf`); the fields are then
/// slices of it.
pub(crate) fn decode_fields<'r>(
    rec: &'r csv::ByteRecord,
    values: &mut Vec<Cow<'r, str>>,
    bad_columns: &mut Vec<usize>,
) {
    values.clear();
    if let Ok(text) = std::str::from_utf8(rec.as_slice()) {
        for i in 0..rec.len() {
            match rec.range(i) {
                Some(r) if text.is_char_boundary(r.start) && text.is_char_boundary(r.end) => {
                    values.push(Cow::Borrowed(&text[r]));
                }
                // A character split between two fields: decoded field by field below.
                _ => {
                    values.clear();
                    break;
                }
            }
        }
        if values.len() == rec.len() {
            return;
        }
    }
    for (i, f) in rec.iter().enumerate() {
        let (s, fell_back) = decode_field(f);
        if fell_back {
            bad_columns.push(i);
        }
        values.push(s);
    }
}

/// A reader that turns Windows-1252 or UTF-16 input into UTF-8 as it streams, so the CSV and
/// JSON parsers only ever see UTF-8 and the file is never materialised in memory.
pub(crate) struct Transcoder<R> {
    inner: R,
    encoding: Encoding,
    out: Vec<u8>,
    pos: usize,
    /// UTF-16 bytes not yet decoded: an odd trailing byte or a high surrogate whose partner
    /// is in the next chunk.
    carry: Vec<u8>,
    chunk: Vec<u8>,
    done: bool,
}

impl<R: Read> Transcoder<R> {
    pub(crate) fn new(inner: R, encoding: Encoding) -> Self {
        Transcoder {
            inner,
            encoding,
            out: Vec::new(),
            pos: 0,
            carry: Vec::new(),
            chunk: vec![0; 64 * 1024],
            done: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        let n = loop {
            match self.inner.read(&mut self.chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.done = true;
        }
        let read = self.chunk.get(..n).unwrap_or(&[]);
        let mut tmp = [0u8; 4];
        match self.encoding {
            Encoding::Utf8 => self.out.extend_from_slice(read),
            Encoding::Windows1252 => {
                for &b in read {
                    self.out
                        .extend_from_slice(windows1252_char(b).encode_utf8(&mut tmp).as_bytes());
                }
            }
            Encoding::Utf16Le | Encoding::Utf16Be => {
                self.carry.extend_from_slice(read);
                let big = self.encoding == Encoding::Utf16Be;
                let mut units: Vec<u16> = self
                    .carry
                    .chunks_exact(2)
                    .map(|p| {
                        if big {
                            u16::from_be_bytes([p[0], p[1]])
                        } else {
                            u16::from_le_bytes([p[0], p[1]])
                        }
                    })
                    .collect();
                let mut consumed = units.len() * 2;
                // Keep a trailing high surrogate for the next chunk unless the input has ended.
                if !self.done && units.last().is_some_and(|u| (0xD800..=0xDBFF).contains(u)) {
                    units.pop();
                    consumed -= 2;
                }
                for c in char::decode_utf16(units.iter().copied()) {
                    let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
                    self.out
                        .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                }
                self.carry.drain(..consumed);
                if self.done && !self.carry.is_empty() {
                    // An odd final byte cannot be a character.
                    self.carry.clear();
                    self.out.extend_from_slice(
                        char::REPLACEMENT_CHARACTER.encode_utf8(&mut tmp).as_bytes(),
                    );
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Transcoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.refill()?;
        }
        let avail = self.out.get(self.pos..).unwrap_or(&[]);
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.pos += n;
        Ok(n)
    }
}

/// Picks the delimiter from the header line: the most frequent of comma, semicolon and tab
/// outside quotes. The header is the only line that is reliably present and whose cells do not
/// contain free text, so it is the safest line to count on. Comma wins ties and the no-signal
/// case, since it is by far the most common.
pub(crate) fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut in_quotes = false;
    let mut counts = [0usize; 3];
    for &b in text {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = 0;
    for (i, &c) in counts.iter().enumerate().skip(1) {
        if c > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fields are decoded the same whether the record is checked whole or field by field:
    /// UTF-8 records, a stray Latin-1 byte in one field, and a character whose bytes two
    /// fields split (valid as a whole, not per field).
    #[test]
    fn a_records_fields_decode_as_each_field_alone() {
        let records: Vec<Vec<&[u8]>> = vec![
            vec![b"id", "Kabul \u{e9}t\u{e9}".as_bytes(), b"", b"69.2"],
            vec![],
            vec![b"ok", b"caf\xe9", "na\u{ef}ve".as_bytes()],
            vec![b"ab\xc3", b"\xa9cd", b"x"],
            vec![b"\xc3", b"\xa9"],
            vec![b"ok", b"ab\xc3", b"\xa9cd"],
        ];
        for fields in records {
            let rec = csv::ByteRecord::from(fields.clone());
            let (mut values, mut bad) = (vec![Cow::Borrowed("stale")], Vec::new());
            decode_fields(&rec, &mut values, &mut bad);
            let mut want_bad = Vec::new();
            let want: Vec<Cow<'_, str>> = fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let (s, fell_back) = decode_field(f);
                    if fell_back {
                        want_bad.push(i);
                    }
                    s
                })
                .collect();
            assert_eq!(values, want, "{fields:?}");
            assert_eq!(bad, want_bad, "{fields:?}");
        }
        // The split character really is valid as a whole and not per field.
        assert!(std::str::from_utf8(b"ab\xc3\xa9cdx").is_ok());
    }

    #[test]
    fn windows1252_maps_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode_windows1252(&all).chars().count(), 256);
        assert_eq!(decode_windows1252(b"K\xf6ln \x80"), "Köln €");
    }

    #[test]
    fn sniff_prefers_bom_then_validity() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFid", true).bom_len, 3);
        assert_eq!(
            sniff_encoding(b"id,\xe9", true).encoding,
            Encoding::Windows1252
        );
        // 'é' cut in half at the window edge is not evidence of Latin-1.
        assert_eq!(sniff_encoding(b"id,\xc3", false).encoding, Encoding::Utf8);
        assert_eq!(
            sniff_encoding(b"\xFF\xFEi\0", true).encoding,
            Encoding::Utf16Le
        );
    }

    #[test]
    fn transcoder_handles_utf16_split_across_chunks() {
        // "a😀b" in UTF-16LE, read one byte at a time through a tiny inner reader.
        let bytes: Vec<u8> = "a😀b"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match (self.0.split_first(), buf.first_mut()) {
                    (Some((b, rest)), Some(slot)) => {
                        *slot = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut s = String::new();
        Transcoder::new(OneByte(&bytes), Encoding::Utf16Le)
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "a😀b");
    }

    #[test]
    fn delimiter_from_header_only() {
        assert_eq!(sniff_delimiter(b"id;date;notes\n1;2025;\"a,b,c,d\""), b';');
        assert_eq!(sniff_delimiter(b"id\tdate\tnotes\n"), b'\t');
        assert_eq!(sniff_delimiter(b"id,date,\"a;b;c\"\n"), b',');
        assert_eq!(sniff_delimiter(b"id\n"), b',');
    }
}
