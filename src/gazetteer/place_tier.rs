//! The shipped places, read only where a lookup needs them.
//!
//! Parsing 170,000 places and folding their half-million spellings takes most of a second:
//! too long for `borderwatch gazetteer NAME`, which needs a handful of them. So the builder
//! writes three files that make the places readable piecemeal:
//! - `places.csv.zst`: the places table in zstd frames of [`ROWS_PER_FRAME`] rows each
//!   (concatenated frames: `zstd -d` still gives the whole CSV);
//! - `place_keys.tsv.zst`: every folded spelling (the exact-match key) with the rows and
//!   spellings it belongs to, sorted by key, so a lookup is a binary search (a file of
//!   names, after its first thousand lookups, goes through a hash index built then:
//!   [`super::key_lines`]);
//! - `place_variants.tsv.zst`: the same for each key's transliteration skeleton
//!   ([`super::normalize::variant`]), one posting per row, unpacked on the first lookup of
//!   another romanisation. Working out the skeletons of every key at run time took about
//!   50 ms of CPU before the first such lookup could be answered.
//! - `place_countries.tsv`: each row's country, as runs of rows in one country, so that a
//!   misspelling's search under a stated country scans only that country's keys without
//!   parsing a row to learn where it is (see [`super::fuzzy`]).
//!
//! A frame is unpacked the first time one of its rows is asked for, and each row parsed
//! when it is asked for (a frame's text is kept: the whole table unpacked is 32 MB). Every
//! row is a place (a row that is anything else is refused when read), so a search for other
//! kinds skips the tier's postings without unpacking a frame.

use super::key_lines::{KeyLines, write_lines};
use super::table;
use crate::model::{EntryKind, GazetteerEntry};
use anyhow::{Context, Result, bail};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

/// Rows per zstd frame of `places.csv.zst`.
pub const ROWS_PER_FRAME: usize = 1024;

/// The first line of `place_keys.tsv.zst`, before the row count.
pub const KEYS_HEADER: &str = "# borderwatch place keys v1; rows=";

/// The first line of `place_variants.tsv.zst`, before the row count.
pub const VARIANTS_HEADER: &str = "# borderwatch place variants v1; rows=";

/// The first line of `place_countries.tsv`, before the row count.
pub const COUNTRIES_HEADER: &str = "# borderwatch place countries v1; rows=";

/// The places table, unpacked frame by frame and parsed row by row on demand, with its key
/// and variant indexes.
pub(super) struct PlaceTier {
    name: String,
    packed: Cow<'static, [u8]>,
    /// The compressed bytes of each frame.
    frames: Vec<Range<usize>>,
    unpacked: Vec<OnceLock<Frame>>,
    rows: usize,
    /// The key file, unpacked.
    keys: KeyLines,
    /// The variants file, packed, and unpacked on first use.
    variants_packed: Cow<'static, [u8]>,
    variants: OnceLock<KeyLines>,
    /// The countries of the places ...
    countries: Vec<Box<str>>,
    /// ... and each row's, as its position in `countries` (asked for at every posting when
    /// the fuzzy index is built).
    row_country: Vec<u8>,
}

/// One frame of the places table, unpacked: its rows' text, and each row parsed the first
/// time it is asked for. A file of a hundred names reaches rows in most frames, but few rows
/// in each (the bench's first 100 records: 951 rows in 151 frames); parsing whole frames
/// was the largest part of such a run (41% of its CPU samples, by `perf`).
struct Frame {
    text: String,
    /// Where each row starts in `text`, then where the last one ends.
    starts: Vec<u32>,
    /// Parsed in place (not boxed: a search reads rows at every candidate it weighs, and a
    /// box was one more wait on memory each time).
    rows: Vec<OnceLock<GazetteerEntry>>,
}

/// Where each CSV row of `text` starts, and where the last one ends: rows end at line breaks
/// outside quotes (a quoted field may hold one; a doubled quote inside a quoted field turns
/// the quoting off and on again).
fn row_starts(text: &str) -> Vec<u32> {
    let bytes = text.as_bytes();
    assert!(u32::try_from(bytes.len()).is_ok(), "a frame under 4 GB");
    let mut starts = vec![0];
    let mut quoted = false;
    for at in memchr::memchr2_iter(b'"', b'\n', bytes) {
        if bytes[at] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            starts.push(at as u32 + 1);
        }
    }
    if starts.last() != Some(&(bytes.len() as u32)) {
        starts.push(bytes.len() as u32);
    }
    starts
}

/// A key or variants file (`what`, in messages), unpacked.
fn unpack_lines(name: &str, what: &str, packed: &[u8]) -> Result<KeyLines> {
    let bytes =
        zstd::stream::decode_all(packed).with_context(|| format!("{name}: {what} is not zstd"))?;
    let text = String::from_utf8(bytes).with_context(|| format!("{name}: {what} is not UTF-8"))?;
    Ok(KeyLines::new(text))
}

/// Reads `place_countries.tsv` ([`country_runs`]) for a table of `rows` rows: where each
/// run ends, and its country.
fn read_country_runs(name: &str, text: &str, rows: usize) -> Result<Vec<(u32, Box<str>)>> {
    let mut lines = text.lines();
    let stated = lines
        .next()
        .and_then(|h| h.strip_prefix(COUNTRIES_HEADER))
        .and_then(|n| n.parse::<usize>().ok());
    if stated != Some(rows) {
        bail!("{name}: the country runs do not state {COUNTRIES_HEADER}{rows}");
    }
    let mut runs = Vec::new();
    let mut end = 0usize;
    for (n, line) in lines.enumerate() {
        let at = || format!("{name}: country runs, line {}", n + 2);
        let (country, len) = line
            .split_once('\t')
            .with_context(|| format!("{}: not country, tab, rows", at()))?;
        let len: usize = len
            .parse()
            .ok()
            .filter(|&l| l > 0)
            .with_context(|| format!("{}: {len:?} is not a count of rows", at()))?;
        end += len;
        if country.is_empty() || end > rows {
            bail!("{}: an empty country, or past the last row", at());
        }
        runs.push((end as u32, country.into()));
    }
    if end != rows {
        bail!("{name}: the country runs cover {end} rows of {rows}");
    }
    Ok(runs)
}

/// The row count a key or variants file's header states.
fn stated_rows(lines: &KeyLines, header: &str) -> Option<usize> {
    lines.header().strip_prefix(header)?.parse().ok()
}

impl PlaceTier {
    /// Reads the frame layout and the key index; no place is parsed yet, and the variants
    /// are unpacked on their first lookup.
    pub fn new(
        name: &str,
        packed: Cow<'static, [u8]>,
        keys_packed: &[u8],
        variants_packed: Cow<'static, [u8]>,
        countries: &str,
    ) -> Result<PlaceTier> {
        let mut frames = Vec::new();
        let mut at = 0;
        while at < packed.len() {
            let n = zstd::zstd_safe::find_frame_compressed_size(&packed[at..])
                .map_err(|code| anyhow::anyhow!("{name}: not zstd frames (error {code})"))?;
            frames.push(at..at + n);
            at += n;
        }
        let keys = unpack_lines(name, "the key index", keys_packed)?;
        let rows = stated_rows(&keys, KEYS_HEADER)
            .with_context(|| format!("{name}: the key index has no header {KEYS_HEADER:?}"))?;
        if rows.div_ceil(ROWS_PER_FRAME) != frames.len() {
            bail!(
                "{name}: {} frames for {rows} rows; expected frames of {ROWS_PER_FRAME} rows",
                frames.len()
            );
        }
        PlaceTier {
            name: name.to_string(),
            unpacked: (0..frames.len()).map(|_| OnceLock::new()).collect(),
            packed,
            frames,
            rows,
            keys,
            variants_packed,
            variants: OnceLock::new(),
            row_country: Vec::new(),
            countries: Vec::new(),
        }
        .with_countries(name, &read_country_runs(name, countries, rows)?)
    }

    /// Each row's country from runs of rows (checked to cover the table).
    fn with_countries(mut self, name: &str, runs: &[(u32, Box<str>)]) -> Result<PlaceTier> {
        let mut start = 0;
        for (end, country) in runs {
            let at = match self.countries.iter().position(|c| c == country) {
                Some(at) => at,
                None => {
                    self.countries.push(country.clone());
                    self.countries.len() - 1
                }
            };
            let at = u8::try_from(at)
                .with_context(|| format!("{name}: places in more than 256 countries"))?;
            self.row_country
                .extend(std::iter::repeat_n(at, *end as usize - start));
            start = *end as usize;
        }
        Ok(self)
    }

    /// The country of the place in row `row`, without parsing it.
    #[inline]
    pub fn country(&self, row: usize) -> &str {
        &self.countries[usize::from(self.row_country[row])]
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    /// The place in row `row` (0-based), unpacking its frame and parsing it on first use.
    /// Asked for at every candidate a search weighs: the row already parsed is two loads.
    #[inline]
    pub fn get(&self, row: usize) -> &GazetteerEntry {
        let (f, i) = (row / ROWS_PER_FRAME, row % ROWS_PER_FRAME);
        match self.unpacked[f].get().and_then(|frame| frame.rows[i].get()) {
            Some(entry) => entry,
            None => self.read_row(f, i),
        }
    }

    /// [`Self::get`] the first time: unpacks the frame if need be and parses the row.
    #[cold]
    fn read_row(&self, f: usize, i: usize) -> &GazetteerEntry {
        let damaged =
            |e: anyhow::Error| -> ! { panic!("the shipped places table is damaged: {e:#}") };
        let frame =
            self.unpacked[f].get_or_init(|| self.unpack_frame(f).unwrap_or_else(|e| damaged(e)));
        frame.rows[i].get_or_init(|| self.parse_row(frame, f, i).unwrap_or_else(|e| damaged(e)))
    }

    fn unpack_frame(&self, f: usize) -> Result<Frame> {
        let name = &self.name;
        let packed = &self.packed[self.frames[f].clone()];
        let size = zstd::zstd_safe::get_frame_content_size(packed)
            .ok()
            .flatten()
            .with_context(|| format!("{name}: frame {f} of unknown size"))?;
        let bytes = zstd::bulk::decompress(packed, size as usize)
            .with_context(|| format!("{name}: frame {f}"))?;
        let text =
            String::from_utf8(bytes).with_context(|| format!("{name}: frame {f} is not UTF-8"))?;
        let mut starts = row_starts(&text);
        // Frame 0 begins with the header; the others are rows only.
        if f == 0 {
            let header = &text[..starts.get(1).map_or(0, |&end| end as usize)];
            if header.trim_end_matches(['\r', '\n']) != table::COLUMNS.join(",") {
                bail!(
                    "{name}: unexpected columns; expected {}",
                    table::COLUMNS.join(",")
                );
            }
            starts.remove(0);
        }
        let rows = starts.len() - 1;
        let expected = ROWS_PER_FRAME.min(self.rows - f * ROWS_PER_FRAME);
        if rows != expected {
            bail!("{name}: frame {f} has {rows} rows, not {expected}");
        }
        Ok(Frame {
            text,
            starts,
            rows: (0..rows).map(|_| OnceLock::new()).collect(),
        })
    }

    /// Row `i` of frame `f`. Every row is a place: searches skip this tier for other kinds
    /// without reading it.
    fn parse_row(&self, frame: &Frame, f: usize, i: usize) -> Result<GazetteerEntry> {
        let line = &frame.text[frame.starts[i] as usize..frame.starts[i + 1] as usize];
        let at = || format!("{} (frame {f}, row {})", self.name, i + 1);
        // A reader builds its state machine when made: one per thread, reset for each row.
        thread_local! {
            static READER: std::cell::RefCell<csv_core::Reader> =
                std::cell::RefCell::new(csv_core::Reader::new());
        }
        // Unquoted fields are never longer than the row.
        let mut out = vec![0u8; line.len()];
        let mut ends = [0usize; table::COLUMNS.len() + 1];
        let (mut input, mut written, mut fields) = (line.as_bytes(), 0, 0);
        READER.with_borrow_mut(|reader| {
            reader.reset();
            loop {
                let (result, read, wrote, ended) =
                    reader.read_record(input, &mut out[written..], &mut ends[fields..]);
                input = &input[read..];
                written += wrote;
                fields += ended;
                match result {
                    csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => {
                        return Ok(());
                    }
                    // The last row may end without a line break: the reader is then told
                    // the input ended.
                    csv_core::ReadRecordResult::InputEmpty => {}
                    csv_core::ReadRecordResult::OutputFull
                    | csv_core::ReadRecordResult::OutputEndsFull => {
                        bail!("{}: more than {} fields", at(), table::COLUMNS.len())
                    }
                }
            }
        })?;
        if fields != table::COLUMNS.len() {
            bail!(
                "{}: {fields} fields; expected {}",
                at(),
                table::COLUMNS.len()
            );
        }
        let out =
            std::str::from_utf8(&out[..written]).with_context(|| format!("{}: not UTF-8", at()))?;
        let field = |j: usize| &out[if j == 0 { 0 } else { ends[j - 1] }..ends[j]];
        let entry = table::entry_from_fields(field, &at)?;
        if entry.kind != EntryKind::Place {
            bail!("{}: {} is a {:?}, not a place", at(), entry.id, entry.kind);
        }
        Ok(entry)
    }

    /// Every row, parsed (a whole-table pass: the geographer's tests, the benchmarks).
    pub fn all(&self) -> impl Iterator<Item = &GazetteerEntry> {
        (0..self.rows).map(|r| self.get(r))
    }

    /// The (row, spelling) pairs of a key, if any place has it.
    pub fn postings(&self, key: &str) -> Option<impl Iterator<Item = (u32, u32)> + '_> {
        self.keys.postings(key)
    }

    /// The (row, first spelling) pairs of the places with a spelling whose transliteration
    /// skeleton is `skeleton`, if any, by row.
    pub fn variant_postings(
        &self,
        skeleton: &str,
    ) -> Option<impl Iterator<Item = (u32, u32)> + '_> {
        self.variants().postings(skeleton)
    }

    /// Unpacks the variant index now, if it is not yet.
    pub fn unpack_variants_now(&self) {
        self.variants();
    }

    fn variants(&self) -> &KeyLines {
        self.variants.get_or_init(|| {
            self.unpack_variants()
                .unwrap_or_else(|e| panic!("the shipped places table is damaged: {e:#}"))
        })
    }

    fn unpack_variants(&self) -> Result<KeyLines> {
        let name = &self.name;
        let lines = unpack_lines(name, "the variant index", &self.variants_packed)?;
        if stated_rows(&lines, VARIANTS_HEADER) != Some(self.rows) {
            bail!(
                "{name}: the variant index does not state {VARIANTS_HEADER}{}",
                self.rows
            );
        }
        Ok(lines)
    }

    /// How many keys the index has.
    pub fn keys_len(&self) -> usize {
        self.keys.len()
    }

    /// Every key with its postings, in key order.
    pub fn keys(&self) -> impl Iterator<Item = (&str, Vec<(u32, u32)>)> {
        (0..self.keys.len()).map(|i| {
            let (k, p) = self.keys.line(i);
            (k, super::key_lines::parse_postings(p).collect())
        })
    }
}

/// Each spelling's folded key ([`super::normalize::compact_key`]) with one posting per
/// (key, entry): its first spelling with that key.
fn key_postings(entries: &[GazetteerEntry]) -> BTreeMap<String, Vec<(usize, usize)>> {
    let mut postings: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
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
    postings
}

/// Writes the key index for a places table (the builder's side of [`PlaceTier`]): each
/// entry's name and aliases folded by [`super::normalize::compact_key`], one posting per
/// (key, entry) with its first spelling, as the runtime index keeps them.
pub fn key_index(entries: &[GazetteerEntry]) -> String {
    write_lines(
        &format!("{KEYS_HEADER}{}", entries.len()),
        &key_postings(entries),
    )
}

/// Writes the variant index for a places table: each key's transliteration skeleton
/// ([`super::normalize::variant`]) with the postings of every key that has it, one per row
/// (its least spelling), by row: what the run time once worked out from the key index.
pub fn variant_index(entries: &[GazetteerEntry]) -> String {
    let mut postings: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (key, ps) in key_postings(entries) {
        postings
            .entry(super::normalize::variant(&key))
            .or_default()
            .extend(ps);
    }
    for ps in postings.values_mut() {
        ps.sort_unstable();
        ps.dedup_by_key(|p| p.0);
    }
    write_lines(&format!("{VARIANTS_HEADER}{}", entries.len()), &postings)
}

/// Writes each row's country for a places table, one line per run of rows in one country
/// (country, tab, rows), in row order.
pub fn country_runs(entries: &[GazetteerEntry]) -> String {
    let mut out = format!("{COUNTRIES_HEADER}{}\n", entries.len());
    for run in entries.chunk_by(|a, b| a.country == b.country) {
        out.push_str(&format!("{}\t{}\n", run[0].country, run.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::{
        EMBEDDED_PLACE_COUNTRIES, EMBEDDED_PLACE_KEYS, EMBEDDED_PLACE_VARIANTS, EMBEDDED_PLACES,
        read_places,
    };

    fn tier() -> PlaceTier {
        PlaceTier::new(
            "places",
            Cow::Borrowed(EMBEDDED_PLACES),
            EMBEDDED_PLACE_KEYS,
            Cow::Borrowed(EMBEDDED_PLACE_VARIANTS),
            EMBEDDED_PLACE_COUNTRIES,
        )
        .unwrap()
    }

    /// The shipped country runs are the builder's for the table, and give each row the
    /// country its row states.
    #[test]
    fn the_shipped_country_runs_match_the_table() {
        let whole = read_places("places", EMBEDDED_PLACES).unwrap();
        assert!(
            EMBEDDED_PLACE_COUNTRIES == country_runs(&whole),
            "geodata/place_countries.tsv is stale: run build-geodata"
        );
        let t = tier();
        for (row, e) in whole.iter().enumerate() {
            assert_eq!(t.country(row), e.country, "row {row}");
        }
    }

    /// Country runs that do not cover the table exactly, or are not country, tab, count,
    /// are refused with where they are wrong.
    #[test]
    fn damaged_country_runs_are_refused() {
        let ok = format!("{COUNTRIES_HEADER}3\nPK\t2\nAF\t1\n");
        let runs = read_country_runs("t", &ok, 3).unwrap();
        assert_eq!(runs, vec![(2, "PK".into()), (3, "AF".into())]);
        for (text, says) in [
            (format!("{COUNTRIES_HEADER}4\nPK\t2\n"), "do not state"),
            (format!("{COUNTRIES_HEADER}3\nPK\t2\n"), "cover 2 rows of 3"),
            (format!("{COUNTRIES_HEADER}3\nPK\t4\n"), "past the last row"),
            (
                format!("{COUNTRIES_HEADER}3\nPK 3\n"),
                "line 2: not country",
            ),
            (
                format!("{COUNTRIES_HEADER}3\nPK\t0\nAF\t3\n"),
                "not a count",
            ),
            (format!("{COUNTRIES_HEADER}3\n\t3\n"), "an empty country"),
        ] {
            let e = read_country_runs("t", &text, 3).unwrap_err().to_string();
            assert!(e.contains(says), "{text:?}: {e}");
        }
    }

    fn unpacked(packed: &[u8]) -> String {
        String::from_utf8(zstd::stream::decode_all(packed).unwrap()).unwrap()
    }

    /// The folded key of spelling `s` (0: the name) of row `r`.
    fn folded_spelling(t: &PlaceTier, r: u32, s: u32) -> String {
        let e = t.get(r as usize);
        let spelling = if s == 0 {
            &e.name
        } else {
            &e.aliases[s as usize - 1]
        };
        crate::gazetteer::normalize::compact_key(spelling)
    }

    /// Rows end at line breaks outside quotes; a doubled quote does not end the quoting.
    #[test]
    fn rows_split_at_line_breaks_outside_quotes() {
        let text = "a,\"b\nc\",d\n\"e \"\"f\"\"\ng\",h\nlast,row";
        let starts = row_starts(text);
        let rows: Vec<&str> = starts
            .windows(2)
            .map(|w| &text[w[0] as usize..w[1] as usize])
            .collect();
        assert_eq!(
            rows,
            ["a,\"b\nc\",d\n", "\"e \"\"f\"\"\ng\",h\n", "last,row"]
        );
        assert_eq!(row_starts("x\n"), [0, 2]);
    }

    /// A row that is not a place, or has a field too many, is refused with where it is.
    #[test]
    fn a_damaged_row_is_refused_saying_where() {
        let t = tier();
        let frame = t.unpack_frame(1).unwrap();
        let good = &frame.text[frame.starts[0] as usize..frame.starts[1] as usize];
        let with = |line: String| Frame {
            starts: vec![0, line.len() as u32],
            rows: vec![OnceLock::new()],
            text: line,
        };
        let entry = t.parse_row(&with(good.to_string()), 1, 0).unwrap();
        assert_eq!(&entry, t.get(ROWS_PER_FRAME));
        let district = good.replacen(",place,", ",district,", 1);
        let e = format!("{:#}", t.parse_row(&with(district), 1, 0).unwrap_err());
        assert!(
            e.contains("frame 1, row 1") && e.contains("not a place"),
            "{e}"
        );
        let e = format!(
            "{:#}",
            t.parse_row(&with(format!("x,{good}")), 1, 0).unwrap_err()
        );
        assert!(e.contains("frame 1, row 1") && e.contains("fields"), "{e}");
    }

    /// Read piecemeal, the table is the table read whole, row for row.
    #[test]
    fn every_frame_reads_the_rows_the_whole_table_has() {
        let whole = read_places("places", EMBEDDED_PLACES).unwrap();
        let t = tier();
        assert_eq!(t.len(), whole.len());
        // Rows asked for out of order, a frame's later rows first.
        for r in (0..whole.len()).rev() {
            assert_eq!(t.get(r), &whole[r], "row {r}");
        }
        assert!(
            whole
                .iter()
                .any(|e| e.note.as_deref().is_some_and(|n| n.contains('"'))),
            "quoted fields with doubled quotes among the rows"
        );
    }

    /// The shipped key index is the one the builder's function writes for the table, so a
    /// lookup finds exactly what folding every spelling at load time would.
    #[test]
    fn the_shipped_key_index_matches_the_table() {
        let whole = read_places("places", EMBEDDED_PLACES).unwrap();
        assert!(
            unpacked(EMBEDDED_PLACE_KEYS) == key_index(&whole),
            "geodata/place_keys.tsv.zst is stale: run build-geodata"
        );
        let t = tier();
        let hits: Vec<(u32, u32)> = t.postings("qalaikhumb").unwrap().collect();
        assert!(!hits.is_empty());
        for (r, s) in hits {
            assert_eq!(folded_spelling(&t, r, s), "qalaikhumb");
        }
        assert!(t.postings("no such place anywhere").is_none());
    }

    /// The shipped variant index is the one the builder's function writes for the table,
    /// and its postings name rows with a spelling of that skeleton.
    #[test]
    fn the_shipped_variant_index_matches_the_table() {
        let whole = read_places("places", EMBEDDED_PLACES).unwrap();
        assert!(
            unpacked(EMBEDDED_PLACE_VARIANTS) == variant_index(&whole),
            "geodata/place_variants.tsv.zst is stale: run build-geodata"
        );
        let t = tier();
        let skeleton = crate::gazetteer::normalize::variant("qalaikhumb");
        let hits: Vec<(u32, u32)> = t.variant_postings(&skeleton).unwrap().collect();
        assert!(hits.windows(2).all(|w| w[0].0 < w[1].0), "{hits:?}");
        for (r, s) in hits {
            let key = folded_spelling(&t, r, s);
            assert_eq!(crate::gazetteer::normalize::variant(&key), skeleton);
        }
        assert!(t.variant_postings("no such skeleton").is_none());
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
            assert_eq!(t.keys.search(k), Some(i), "{k}");
            let found: Vec<(u32, u32)> = t.postings(k).expect(k).collect();
            assert_eq!(&found, postings, "{k}");
            let mut shorter = k.clone();
            shorter.pop();
            for other in [format!("{k}a"), shorter] {
                if !known.contains(other.as_str()) {
                    assert!(t.keys.search(&other).is_none(), "{other}");
                    assert!(t.postings(&other).is_none(), "{other}");
                }
            }
        }
        assert!(t.keys.hashed(), "the hash index was used");
        assert!(keys.iter().any(|(k, _)| k.len() <= 3));
        assert!(keys.iter().any(|(k, _)| k.len() > 16));
    }

    #[test]
    fn a_table_whose_frames_do_not_fit_its_index_is_refused() {
        let e = PlaceTier::new(
            "places",
            Cow::Borrowed(&EMBEDDED_PLACES[..1000]),
            EMBEDDED_PLACE_KEYS,
            Cow::Borrowed(EMBEDDED_PLACE_VARIANTS),
            EMBEDDED_PLACE_COUNTRIES,
        );
        assert!(e.is_err());
    }
}
