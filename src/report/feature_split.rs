//! Finding the features of a GeoJSON FeatureCollection without parsing it, so that they can
//! be parsed side by side.
//!
//! `serde_json` reading from a stream goes byte by byte through its reader: an incident layer
//! of 200,000 features (240 MB) took about 1.9 s on one core, nearly all of `report`. Here
//! the file is read in blocks, and a [`Splitter`] follows only the JSON's nesting, strings
//! and separators to find where each element of the top-level `features` array starts and
//! ends; the elements are then parsed from memory on all cores and handed on in order.
//!
//! Nothing is taken on trust: every element is parsed by `serde_json`, and what lies outside
//! the `features` arrays (the collection's other members, with the arrays left empty) is
//! parsed at the end as the streaming reader would. Anything the splitter does not expect
//! (an element that is not an object, a missing or doubled comma) and any parse error sends
//! the caller back to the streaming reader, which gives its own message, with line and
//! column.

use std::ops::Range;

/// What the splitter found in a block: complete elements (byte ranges of the block), and
/// whether the input broke the rules the fast path relies on.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Found {
    pub elements: Vec<Range<usize>>,
    pub unexpected: bool,
}

/// Where the splitter is in the `features` array.
#[derive(Debug, Clone, Copy, PartialEq)]
enum InArray {
    /// Not in a `features` array.
    No,
    /// Right after `[`: an element or the end comes next.
    Start,
    /// After a comma: an element comes next.
    Element,
    /// Inside an element.
    InElement,
    /// After an element: a comma or the end comes next.
    Separator,
}

/// The state of a scan over the bytes of one FeatureCollection, kept across blocks.
pub(super) struct Splitter<'c> {
    /// Whether the input up to a `features` array's `[` (its skeleton) reads as the
    /// streaming reader reads it; the array's elements are split off only then.
    prefix_reads: &'c (dyn Fn(&[u8]) -> bool + Sync),
    /// How many arrays and objects enclose the current byte.
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// In the top-level object: whether a key comes next (not a value).
    key_next: bool,
    /// The top-level key being read, then the key whose value comes next (up to 9 bytes:
    /// only `features` matters).
    key: Vec<u8>,
    in_array: InArray,
    /// Where the element being read started, as an offset of the whole input.
    element_start: u64,
    /// Offset of the block's first byte in the whole input.
    offset: u64,
    /// The input outside the `features` arrays' elements.
    pub skeleton: Vec<u8>,
}

/// The bytes that matter inside an element outside its strings: a quote and the brackets.
static STRUCTURE: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t
};

/// `features`, the member whose elements are split off.
const FEATURES: &[u8] = b"features";

impl<'c> Splitter<'c> {
    pub(super) fn new(prefix_reads: &'c (dyn Fn(&[u8]) -> bool + Sync)) -> Splitter<'c> {
        Splitter {
            prefix_reads,
            depth: 0,
            in_string: false,
            escaped: false,
            key_next: false,
            key: Vec::with_capacity(FEATURES.len() + 1),
            in_array: InArray::No,
            element_start: 0,
            offset: 0,
            skeleton: Vec::new(),
        }
    }

    /// Whether the scan stopped inside an element.
    pub(super) fn in_element(&self) -> bool {
        self.in_array == InArray::InElement
    }

    /// Scans the next block of the input. Elements are given as ranges of `block` when they
    /// end in it; an element still open at its end is kept by [`Splitter::carry_open`].
    /// `start` is where in `block` the new bytes begin (the bytes before it, the start of an
    /// element carried over, were scanned already).
    pub(super) fn scan(&mut self, block: &[u8], start: usize) -> Found {
        let mut found = Found::default();
        let block_offset = self.offset;
        let mut i = start;
        while i < block.len() {
            if self.in_array == InArray::InElement {
                // The bulk of a layer: inside an element only strings and nesting matter,
                // and the bytes between them are skipped a run at a time.
                if let Some(end) = self.skip_in_element(block, &mut i) {
                    let from = (self.element_start - block_offset) as usize;
                    found.elements.push(from..end);
                    self.in_array = InArray::Separator;
                }
                continue;
            }
            let b = block[i];
            let at = block_offset + i as u64;
            i += 1;
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                self.skeleton.push(b);
                if self.in_string && self.depth == 1 && self.key_next {
                    // A key written with escapes could be `features` when read: left to the
                    // streaming reader.
                    if b == b'\\' {
                        found.unexpected = true;
                        return found;
                    }
                    if self.key.len() <= 8 {
                        self.key.push(b);
                    }
                }
                continue;
            }
            if self.in_array != InArray::No && self.depth == 2 {
                // Between the elements of a `features` array: only whitespace, commas in
                // their places, the next object, or the end.
                match (b, self.in_array) {
                    (b' ' | b'\t' | b'\n' | b'\r', _) => {}
                    (b'{', InArray::Start | InArray::Element) => {
                        self.depth = 3;
                        self.in_array = InArray::InElement;
                        self.element_start = at;
                    }
                    (b',', InArray::Separator) => self.in_array = InArray::Element,
                    (b']', InArray::Start | InArray::Separator) => self.end_array(),
                    _ => {
                        found.unexpected = true;
                        return found;
                    }
                }
                continue;
            }
            self.skeleton.push(b);
            match b {
                b'"' => {
                    self.in_string = true;
                    if self.depth == 1 && self.key_next {
                        self.key.clear();
                    }
                }
                b':' if self.depth == 1 => self.key_next = false,
                b',' if self.depth == 1 => self.key_next = true,
                b'{' => {
                    self.depth += 1;
                    if self.depth == 1 {
                        self.key_next = true;
                    }
                }
                b'[' => {
                    self.depth += 1;
                    if self.depth == 2 && !self.key_next && self.key == FEATURES {
                        if !(self.prefix_reads)(&self.skeleton) {
                            found.unexpected = true;
                            return found;
                        }
                        self.in_array = InArray::Start;
                    }
                }
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        self.offset += block.len() as u64;
        found
    }

    /// Reads an element's bytes from `block[*i..]`, moving `*i` on: to just past the
    /// element's closing brace, whose end it gives, or to the end of the block. Strings are
    /// crossed by looking for their next quote or backslash, the rest by looking for the
    /// next quote or bracket.
    fn skip_in_element(&mut self, block: &[u8], i: &mut usize) -> Option<usize> {
        while *i < block.len() {
            if self.escaped {
                self.escaped = false;
                *i += 1;
                continue;
            }
            if self.in_string {
                match memchr::memchr2(b'"', b'\\', &block[*i..]) {
                    None => *i = block.len(),
                    Some(k) => {
                        *i += k + 1;
                        if block[*i - 1] == b'\\' {
                            self.escaped = true;
                        } else {
                            self.in_string = false;
                        }
                    }
                }
                continue;
            }
            let rest = &block[*i..];
            let Some(k) = rest.iter().position(|&b| STRUCTURE[usize::from(b)]) else {
                *i = block.len();
                break;
            };
            *i += k + 1;
            match rest[k] {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                _ => {
                    self.depth -= 1;
                    if self.depth == 2 {
                        return Some(*i);
                    }
                }
            }
        }
        None
    }

    /// The `]` closing a `features` array, kept in the skeleton (so the array is `[]`).
    fn end_array(&mut self) {
        self.skeleton.push(b']');
        self.depth = 1;
        self.in_array = InArray::No;
        self.key.clear();
    }

    /// After [`Splitter::scan`] of `block_len` bytes: where in that block the element still
    /// open starts (`block_len` when none is), the bytes from there on to come again at the
    /// start of the next block, which is where the next scan counts from.
    pub(super) fn carry_open(&mut self, block_len: usize) -> usize {
        let block_start = self.offset - block_len as u64;
        let keep_from = if self.in_element() {
            // The open element starts in this block, at or after its first byte.
            (self.element_start - block_start) as usize
        } else {
            block_len
        };
        self.offset = block_start + keep_from as u64;
        keep_from
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The elements and skeleton of `text` scanned in blocks of `size` bytes, carrying an
    /// open element's start into the next block as the reader does.
    fn split(text: &str, size: usize) -> (Vec<String>, String, bool) {
        let bytes = text.as_bytes();
        let mut s = Splitter::new(&|_| true);
        let mut buf: Vec<u8> = Vec::new();
        let mut elements = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let end = (at + size).min(bytes.len());
            let start = buf.len();
            buf.extend_from_slice(&bytes[at..end]);
            at = end;
            let found = s.scan(&buf, start);
            if found.unexpected {
                return (elements, String::new(), true);
            }
            for r in found.elements {
                elements.push(String::from_utf8(buf[r].to_vec()).unwrap());
            }
            let keep_from = s.carry_open(buf.len());
            buf.drain(..keep_from);
        }
        (elements, String::from_utf8(s.skeleton).unwrap(), false)
    }

    #[test]
    fn features_are_split_off_whatever_the_blocks() {
        let text = r#"{"type":"FeatureCollection","name":"x [{\"]","features":[
{"type":"Feature","properties":{"a":"}]\"{","b":[1,{"c":2}]},"geometry":null},
{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}
],"after":{"features":[1,2]}}"#;
        let want = vec![
            r#"{"type":"Feature","properties":{"a":"}]\"{","b":[1,{"c":2}]},"geometry":null}"#,
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
        ];
        for size in [1, 2, 3, 7, 16, 64, 4096] {
            let (elements, skeleton, unexpected) = split(text, size);
            assert!(!unexpected, "block size {size}");
            assert_eq!(elements, want, "block size {size}");
            assert_eq!(
                skeleton,
                r#"{"type":"FeatureCollection","name":"x [{\"]","features":[],"after":{"features":[1,2]}}"#,
                "block size {size}"
            );
        }
    }

    #[test]
    fn what_the_fast_path_cannot_vouch_for_is_flagged() {
        for bad in [
            r#"{"features":[{"a":1},,{"b":2}]}"#,
            r#"{"features":[{"a":1},]}"#,
            r#"{"features":[{"a":1} {"b":2}]}"#,
            r#"{"features":[1,2]}"#,
            r#"{"features":[,{"a":1}]}"#,
        ] {
            assert!(split(bad, 5).2, "{bad}");
        }
        // A key written with escapes, and a prefix the caller does not vouch for.
        assert!(split(r#"{"feat\u0075res":[{"a":1}],"features":[]}"#, 4).2);
        let mut s = Splitter::new(&|prefix| prefix.starts_with(b"{\"type\""));
        assert!(s.scan(br#"{"a":1,"features":[{"b":2}]}"#, 0).unexpected);
        let mut s = Splitter::new(&|prefix| prefix.starts_with(b"{\"type\""));
        let found = s.scan(br#"{"type":1,"features":[{"b":2}]}"#, 0);
        assert!(!found.unexpected && found.elements.len() == 1);
        // An empty array, and members before and after, are fine.
        let (elements, skeleton, unexpected) = split(r#"{"a":[],"features": [ ],"b":1}"#, 3);
        assert!(!unexpected && elements.is_empty());
        assert_eq!(
            skeleton,
            r#"{"a":[],"features": []"#.to_string() + r#","b":1}"#
        );
    }
}
