//! The shipped places, read only where a lookup needs them.
//!
//! Parsing 170,000 places and folding their half-million spellings takes most of a second:
//! too long for `borderwatch gazetteer NAME`, which needs a handful of them. So the builder
//! writes two files that make the places readable piecemeal:
//! - `places.csv.zst`: the places table in zstd frames of [`ROWS_PER_FRAME`] rows each
//!   (concatenated frames: `zstd -d` still gives the whole CSV);
//! - `place_keys.tsv.zst`: every folded spelling (the exact-match key) with the rows and
//!   spellings it belongs to, sorted by key, so a lookup is a binary search (a file of
//!   names, after its first thousand lookups, goes through a hash index built then).
//!
//! A frame is unpacked and parsed the first time one of its rows is asked for. Every row is
//! a place (a frame holding anything else is refused), so a search for other kinds skips
//! the tier's postings without unpacking a frame.

use super::table;
use crate::model::{EntryKind, GazetteerEntry};
use anyhow::{Context, Result, bail};
use hashbrown::HashTable;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Rows per zstd frame of `places.csv.zst`.
pub const ROWS_PER_FRAME: usize = 1024;

/// The first line of `place_keys.tsv.zst`, before the row count.
pub const KEYS_HEADER: &str = "# borderwatch place keys v1; rows=";

/// The places table, unpacked frame by frame on demand, with its key index.
pub(super) struct PlaceTier {
    name: String,
    packed: Cow<'static, [u8]>,
    /// The compressed bytes of each frame.
    frames: Vec<Range<usize>>,
    parsed: Vec<OnceLock<Vec<GazetteerEntry>>>,
    rows: usize,
    /// The key file, unpacked: one line per key, `key \t row.spelling row.spelling …`.
    keys: String,
    /// Where each key line starts in `keys`, and where its key ends (its tab, or the
    /// line's end).
    spans: Vec<(u32, u32)>,
    /// Lookups so far, until [`HASHED_AFTER`]; then the keys' hash index (`hashed`) is
    /// built and used: a few lookups (`borderwatch gazetteer NAME`) do not pay for it, a
    /// file of names does not wait on memory at every step of a binary search.
    lookups: AtomicUsize,
    hashed: OnceLock<HashTable<u32>>,
}

/// After this many lookups, keys are found through a hash index ([`PlaceTier::postings`]).
const HASHED_AFTER: usize = 1024;

fn hash_key(key: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(key)
}

impl PlaceTier {
    /// Reads the frame layout and the key index; no place is parsed yet.
    pub fn new(name: &str, packed: Cow<'static, [u8]>, keys_packed: &[u8]) -> Result<PlaceTier> {
        let mut frames = Vec::new();
        let mut at = 0;
        while at < packed.len() {
            let n = zstd::zstd_safe::find_frame_compressed_size(&packed[at..])
                .map_err(|code| anyhow::anyhow!("{name}: not zstd frames (error {code})"))?;
            frames.push(at..at + n);
            at += n;
        }
        let keys = String::from_utf8(
            zstd::stream::decode_all(keys_packed)
                .with_context(|| format!("{name}: the key index is not zstd"))?,
        )
        .with_context(|| format!("{name}: the key index is not UTF-8"))?;
        let first = keys.split('\n').next().unwrap_or("");
        let rows: usize = first
            .strip_prefix(KEYS_HEADER)
            .and_then(|r| r.parse().ok())
            .with_context(|| format!("{name}: the key index has no header {KEYS_HEADER:?}"))?;
        if rows.div_ceil(ROWS_PER_FRAME) != frames.len() {
            bail!(
                "{name}: {} frames for {rows} rows; expected frames of {ROWS_PER_FRAME} rows",
                frames.len()
            );
        }
        let mut spans = Vec::new();
        let mut start = first.len() + 1;
        for line in keys[start.min(keys.len())..].split_terminator('\n') {
            let key = line.split_once('\t').map_or(line, |(k, _)| k);
            spans.push((start as u32, (start + key.len()) as u32));
            start += line.len() + 1;
        }
        Ok(PlaceTier {
            name: name.to_string(),
            parsed: (0..frames.len()).map(|_| OnceLock::new()).collect(),
            packed,
            frames,
            rows,
            keys,
            spans,
            lookups: AtomicUsize::new(0),
            hashed: OnceLock::new(),
        })
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    /// The place in row `row` (0-based), parsing its frame on first use.
    pub fn get(&self, row: usize) -> &GazetteerEntry {
        let f = row / ROWS_PER_FRAME;
        let parsed = self.parsed[f].get_or_init(|| {
            self.parse_frame(f)
                .unwrap_or_else(|e| panic!("the shipped places table is damaged: {e:#}"))
        });
        &parsed[row % ROWS_PER_FRAME]
    }

    fn parse_frame(&self, f: usize) -> Result<Vec<GazetteerEntry>> {
        let packed = &self.packed[self.frames[f].clone()];
        let size = zstd::zstd_safe::get_frame_content_size(packed)
            .ok()
            .flatten()
            .with_context(|| format!("{}: frame {f} of unknown size", self.name))?;
        let mut csv = Vec::with_capacity(size as usize + 256);
        // Frame 0 begins with the header; the others are rows only.
        if f > 0 {
            csv.extend_from_slice(table::COLUMNS.join(",").as_bytes());
            csv.push(b'\n');
        }
        csv.extend(
            zstd::bulk::decompress(packed, size as usize)
                .with_context(|| format!("{}: frame {f}", self.name))?,
        );
        let expected = ROWS_PER_FRAME.min(self.rows - f * ROWS_PER_FRAME);
        let rows = table::read_csv_sized(
            &format!("{} (frame {f})", self.name),
            csv.as_slice(),
            expected,
        )?;
        if rows.len() != expected {
            bail!(
                "{}: frame {f} has {} rows, not {expected}",
                self.name,
                rows.len()
            );
        }
        // Searches skip this tier for other kinds without reading it.
        if let Some(e) = rows.iter().find(|e| e.kind != EntryKind::Place) {
            bail!("{}: {} is a {:?}, not a place", self.name, e.id, e.kind);
        }
        Ok(rows)
    }

    /// Every row, parsed (a whole-table pass: the geographer's tests, the benchmarks).
    pub fn all(&self) -> impl Iterator<Item = &GazetteerEntry> {
        (0..self.rows).map(|r| self.get(r))
    }

    /// Key line `i`'s key.
    fn key(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        &self.keys[start as usize..end as usize]
    }

    fn line(&self, i: usize) -> (&str, &str) {
        let key_end = self.spans[i].1 as usize;
        let end = match self.spans.get(i + 1) {
            Some(&(next, _)) => next as usize - 1,
            None => self.keys[key_end..]
                .find('\n')
                .map_or(self.keys.len(), |n| key_end + n),
        };
        let postings = self.keys[key_end..end].strip_prefix('\t').unwrap_or("");
        (self.key(i), postings)
    }

    /// The (row, spelling) pairs of a key, if any place has it.
    pub fn postings(&self, key: &str) -> Option<impl Iterator<Item = (u32, u32)> + '_> {
        let i = if self.lookups.load(Relaxed) < HASHED_AFTER {
            self.lookups.fetch_add(1, Relaxed);
            self.search(key)?
        } else {
            let index = self.hashed.get_or_init(|| {
                let mut index = HashTable::with_capacity(self.spans.len());
                for i in 0..self.spans.len() {
                    index.insert_unique(hash_key(self.key(i)), i as u32, |&j| {
                        hash_key(self.key(j as usize))
                    });
                }
                index
            });
            *index.find(hash_key(key), |&j| self.key(j as usize) == key)? as usize
        };
        Some(parse_postings(self.line(i).1))
    }

    /// The key line of `key`, by binary search.
    fn search(&self, key: &str) -> Option<usize> {
        self.spans
            .binary_search_by(|&(start, end)| self.keys[start as usize..end as usize].cmp(key))
            .ok()
    }

    /// How many keys the index has.
    pub fn keys_len(&self) -> usize {
        self.spans.len()
    }

    /// Every key with its postings, in key order.
    pub fn keys(&self) -> impl Iterator<Item = (&str, Vec<(u32, u32)>)> {
        (0..self.spans.len()).map(|i| {
            let (k, p) = self.line(i);
            (k, parse_postings(p).collect())
        })
    }
}

fn parse_postings(s: &str) -> impl Iterator<Item = (u32, u32)> + '_ {
    s.split(' ').filter_map(|p| {
        let (r, s) = p.split_once('.')?;
        Some((r.parse().ok()?, s.parse().ok()?))
    })
}

/// Writes the key index for a places table (the builder's side of [`PlaceTier`]): each
/// entry's name and aliases folded by [`super::normalize::compact_key`], one posting per
/// (key, entry) with its first spelling, as the runtime index keeps them.
pub fn key_index(entries: &[GazetteerEntry]) -> String {
    let mut postings: std::collections::BTreeMap<String, Vec<(usize, usize)>> =
        std::collections::BTreeMap::new();
    for (row, e) in entries.iter().enumerate() {
        for (j, spelling) in std::iter::once(&e.name).chain(e.aliases.iter()).enumerate() {
            let k = super::normalize::compact_key(spelling);
            if k.is_empty() || k.contains(['\t', '\n', ' ']) {
                continue;
            }
            let slot = postings.entry(k).or_default();
            if !slot.iter().any(|&(r, _)| r == row) {
                slot.push((row, j));
            }
        }
    }
    let mut out = format!("{KEYS_HEADER}{}\n", entries.len());
    for (k, ps) in postings {
        out.push_str(&k);
        out.push('\t');
        for (i, (r, s)) in ps.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&format!("{r}.{s}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::{EMBEDDED_PLACE_KEYS, EMBEDDED_PLACES, read_places};

    fn tier() -> PlaceTier {
        PlaceTier::new(
            "places",
            Cow::Borrowed(EMBEDDED_PLACES),
            EMBEDDED_PLACE_KEYS,
        )
        .unwrap()
    }

    /// Read piecemeal, the table is the table read whole, row for row.
    #[test]
    fn every_frame_reads_the_rows_the_whole_table_has() {
        let whole = read_places("places", EMBEDDED_PLACES).unwrap();
        let t = tier();
        assert_eq!(t.len(), whole.len());
        for (r, e) in whole.iter().enumerate() {
            assert_eq!(t.get(r).id, e.id, "row {r}");
        }
        assert_eq!(t.get(whole.len() - 1).name, whole[whole.len() - 1].name);
    }

    /// The shipped key index is the one the builder's function writes for the table, so a
    /// lookup finds exactly what folding every spelling at load time would.
    #[test]
    fn the_shipped_key_index_matches_the_table() {
        let whole = read_places("places", EMBEDDED_PLACES).unwrap();
        let shipped =
            String::from_utf8(zstd::stream::decode_all(EMBEDDED_PLACE_KEYS).unwrap()).unwrap();
        assert!(
            shipped == key_index(&whole),
            "geodata/place_keys.tsv.zst is stale: run build-geodata"
        );
        let t = tier();
        let hits: Vec<(u32, u32)> = t.postings("qalaikhumb").unwrap().collect();
        assert!(!hits.is_empty());
        for (r, s) in hits {
            let e = t.get(r as usize);
            let spelling = if s == 0 {
                &e.name
            } else {
                &e.aliases[s as usize - 1]
            };
            assert_eq!(
                crate::gazetteer::normalize::compact_key(spelling),
                "qalaikhumb"
            );
        }
        assert!(t.postings("no such place anywhere").is_none());
    }

    /// Both ways of finding a key (the binary search, then the hash index) find every key of the index, short or long, and nothing that is not a key
    /// (keys one character longer or shorter than a real one).
    #[test]
    fn every_key_is_found_and_no_other() {
        let t = tier();
        let keys: Vec<(String, Vec<(u32, u32)>)> =
            t.keys().map(|(k, p)| (k.to_string(), p)).collect();
        let known: std::collections::HashSet<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        for (i, (k, postings)) in keys.iter().enumerate() {
            assert_eq!(t.search(k), Some(i), "{k}");
            let found: Vec<(u32, u32)> = t.postings(k).expect(k).collect();
            assert_eq!(&found, postings, "{k}");
            let mut shorter = k.clone();
            shorter.pop();
            for other in [format!("{k}a"), shorter] {
                if !known.contains(other.as_str()) {
                    assert!(t.search(&other).is_none(), "{other}");
                    assert!(t.postings(&other).is_none(), "{other}");
                }
            }
        }
        assert!(t.hashed.get().is_some(), "the hash index was used");
        assert!(keys.iter().any(|(k, _)| k.len() <= 3));
        assert!(keys.iter().any(|(k, _)| k.len() > 16));
    }

    #[test]
    fn a_table_whose_frames_do_not_fit_its_index_is_refused() {
        let e = PlaceTier::new(
            "places",
            Cow::Borrowed(&EMBEDDED_PLACES[..1000]),
            EMBEDDED_PLACE_KEYS,
        );
        assert!(e.is_err());
    }
}
