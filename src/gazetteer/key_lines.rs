//! A sorted index of keys with their postings, as the builder writes it: a header line, then
//! one line per key, `key \t row.spelling row.spelling …`, sorted by key.
//!
//! The places' exact-match keys (`place_keys.tsv.zst`) and their transliteration skeletons
//! (`place_variants.tsv.zst`) are both such files. A lookup is a binary search over the
//! lines; after [`HASHED_AFTER`] lookups a hash index over the keys is built and used: a
//! few lookups (`borderwatch gazetteer NAME`) do not pay for it, a file of names does not
//! wait on memory at every step of a binary search.

use hashbrown::HashTable;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

/// After this many lookups, keys are found through a hash index ([`KeyLines::find`]).
const HASHED_AFTER: usize = 1024;

fn hash_key(key: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(key)
}

/// One index file, unpacked, with where each of its lines starts.
pub(super) struct KeyLines {
    text: String,
    /// The header line, without its line break.
    header_end: usize,
    /// Where each key line starts in `text`, and where its key ends (its tab, or the
    /// line's end).
    spans: Vec<(u32, u32)>,
    /// Lookups so far, until [`HASHED_AFTER`]; then `hashed` is built and used.
    lookups: AtomicUsize,
    /// Whether a thread has taken on building `hashed`: the others go on by binary search
    /// meanwhile, rather than wait for it.
    building: AtomicBool,
    hashed: OnceLock<HashTable<u32>>,
}

impl KeyLines {
    /// Reads the line layout of `text` (a header line, then the key lines).
    pub fn new(text: String) -> KeyLines {
        assert!(u32::try_from(text.len()).is_ok(), "an index under 4 GB");
        let header_end = text.find('\n').unwrap_or(text.len());
        let mut spans = Vec::new();
        let mut start = header_end + 1;
        for line in text[start.min(text.len())..].split_terminator('\n') {
            let key = line.split_once('\t').map_or(line, |(k, _)| k);
            spans.push((start as u32, (start + key.len()) as u32));
            start += line.len() + 1;
        }
        KeyLines {
            text,
            header_end,
            spans,
            lookups: AtomicUsize::new(0),
            building: AtomicBool::new(false),
            hashed: OnceLock::new(),
        }
    }

    /// The first line.
    pub fn header(&self) -> &str {
        &self.text[..self.header_end]
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Key line `i`'s key.
    pub fn key(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        &self.text[start as usize..end as usize]
    }

    /// Key line `i`: its key and its postings' text.
    pub fn line(&self, i: usize) -> (&str, &str) {
        let key_end = self.spans[i].1 as usize;
        let end = match self.spans.get(i + 1) {
            Some(&(next, _)) => next as usize - 1,
            None => self.text[key_end..]
                .find('\n')
                .map_or(self.text.len(), |n| key_end + n),
        };
        let postings = self.text[key_end..end].strip_prefix('\t').unwrap_or("");
        (self.key(i), postings)
    }

    /// The line of `key`: by binary search for the first lookups, then by the hash index
    /// (by binary search still while another thread builds it).
    pub fn find(&self, key: &str) -> Option<usize> {
        let index = match self.hashed.get() {
            Some(index) => index,
            None if self.lookups.load(Relaxed) < HASHED_AFTER => {
                self.lookups.fetch_add(1, Relaxed);
                return self.search(key);
            }
            None if self.building.swap(true, Relaxed) => return self.search(key),
            None => self.build_hashed(),
        };
        index
            .find(hash_key(key), |&j| self.key(j as usize) == key)
            .map(|&i| i as usize)
    }

    /// The hash index over the keys.
    fn build_hashed(&self) -> &HashTable<u32> {
        self.hashed.get_or_init(|| {
            let mut index = HashTable::with_capacity(self.spans.len());
            for i in 0..self.spans.len() {
                index.insert_unique(hash_key(self.key(i)), i as u32, |&j| {
                    hash_key(self.key(j as usize))
                });
            }
            index
        })
    }

    /// The line of `key`, by binary search.
    pub fn search(&self, key: &str) -> Option<usize> {
        self.spans
            .binary_search_by(|&(start, end)| self.text[start as usize..end as usize].cmp(key))
            .ok()
    }

    /// The (row, spelling) pairs of `key`, if it is a key.
    pub fn postings(&self, key: &str) -> Option<impl Iterator<Item = (u32, u32)> + '_> {
        self.find(key).map(|i| parse_postings(self.line(i).1))
    }

    /// Whether lookups have gone over to the hash index.
    #[cfg(test)]
    pub fn hashed(&self) -> bool {
        self.hashed.get().is_some()
    }
}

/// A line's postings: `row.spelling` pairs separated by spaces.
pub(super) fn parse_postings(s: &str) -> impl Iterator<Item = (u32, u32)> + '_ {
    s.split(' ').filter_map(|p| {
        let (r, s) = p.split_once('.')?;
        Some((r.parse().ok()?, s.parse().ok()?))
    })
}

/// Writes an index: the header, then each key and its postings, in the map's (key) order.
pub(super) fn write_lines(
    header: &str,
    postings: &std::collections::BTreeMap<String, Vec<(usize, usize)>>,
) -> String {
    use std::fmt::Write;
    let mut out = format!("{header}\n");
    for (k, ps) in postings {
        out.push_str(k);
        out.push('\t');
        for (i, (r, s)) in ps.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let _ = write!(out, "{r}.{s}");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> KeyLines {
        let mut m = std::collections::BTreeMap::new();
        m.insert(String::new(), vec![(9, 0)]);
        m.insert("ab".to_string(), vec![(1, 0), (4, 2)]);
        m.insert("abc".to_string(), vec![(2, 1)]);
        m.insert("b".to_string(), vec![(3, 0)]);
        KeyLines::new(write_lines("# test; rows=10", &m))
    }

    /// Keys are found by either way, an empty key among them, with their postings; a
    /// neighbour is not.
    #[test]
    fn keys_and_postings_are_read_back_either_way() {
        let k = lines();
        assert_eq!(k.header(), "# test; rows=10");
        assert_eq!(k.len(), 4);
        assert_eq!(k.line(1), ("ab", "1.0 4.2"));
        let check = |k: &KeyLines| {
            assert_eq!(k.postings("").unwrap().collect::<Vec<_>>(), [(9, 0)]);
            assert_eq!(
                k.postings("ab").unwrap().collect::<Vec<_>>(),
                [(1, 0), (4, 2)]
            );
            assert_eq!(k.postings("b").unwrap().collect::<Vec<_>>(), [(3, 0)]);
            assert!(k.postings("a").is_none());
            assert!(k.postings("bc").is_none());
        };
        check(&k);
        assert!(!k.hashed());
        for _ in 0..HASHED_AFTER {
            assert_eq!(k.find("abc"), Some(2));
        }
        check(&k);
        assert!(k.hashed());
    }

    /// A last line without its line break is read whole; a header alone holds no keys.
    #[test]
    fn a_last_line_without_a_break_and_a_header_alone() {
        let k = KeyLines::new("# h\nab\t1.0\nb\t2.3 4.0".to_string());
        assert_eq!(k.len(), 2);
        assert_eq!(k.line(1), ("b", "2.3 4.0"));
        assert_eq!(
            k.postings("b").unwrap().collect::<Vec<_>>(),
            [(2, 3), (4, 0)]
        );
        for text in ["# h", "# h\n"] {
            let k = KeyLines::new(text.to_string());
            assert_eq!((k.header(), k.len()), ("# h", 0));
            assert!(k.postings("").is_none());
        }
    }
}
