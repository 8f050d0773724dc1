//! The gazetteer: countries, provinces, districts, places and border zones with their
//! spellings, loaded from the shipped `geodata/` (embedded in the binary) or a `--geodata`
//! folder, and searched by name in any of those spellings.

pub mod normalize;
pub mod place_tier;
pub mod table;
pub mod user_places;

use crate::model::{EntryKind, GazetteerEntry};
use anyhow::{Context, Result};
use place_tier::PlaceTier;
use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

/// The gazetteer as shipped, compiled into the binary so the tool works from any directory:
/// countries, provinces, districts, border zones and crossings in `gazetteer.csv`, and the
/// 170,000 places in `places.csv.zst` (the same columns, zstd-compressed in frames) with the
/// index of their spellings in `place_keys.tsv.zst` (see [`place_tier`]).
pub const EMBEDDED_CSV: &str = include_str!("../../geodata/gazetteer.csv");
pub const EMBEDDED_PLACES: &[u8] = include_bytes!("../../geodata/places.csv.zst");
pub const EMBEDDED_PLACE_KEYS: &[u8] = include_bytes!("../../geodata/place_keys.tsv.zst");

/// Unpacks a whole places table (every frame), checking every row.
fn read_places(name: &str, packed: &[u8]) -> Result<Vec<GazetteerEntry>> {
    let csv = zstd::stream::decode_all(packed).with_context(|| format!("{name}: not zstd"))?;
    table::read_csv(name, csv.as_slice())
}

/// How a name matched an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameMatch {
    /// The entry's own name (after folding).
    Exact,
    /// One of its other spellings.
    Alias,
    /// Another romanisation of a name or spelling (see [`normalize::variant`]).
    Variant,
    /// Close to a name or alias, by string similarity.
    Fuzzy,
}

impl NameMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            NameMatch::Exact => "exact",
            NameMatch::Alias => "alias",
            NameMatch::Variant => "variant",
            NameMatch::Fuzzy => "fuzzy",
        }
    }
}

/// One candidate entry for a query.
#[derive(Debug, Clone)]
pub struct Candidate<'g> {
    pub entry: &'g GazetteerEntry,
    /// The spelling that matched, as the gazetteer has it.
    pub matched: &'g str,
    pub how: NameMatch,
    /// 1.0 for exact and alias matches; the similarity (0–1) for fuzzy ones.
    pub score: f64,
}

/// What a caller knows about where the place must be.
#[derive(Debug, Clone, Default)]
pub struct Constraint {
    /// ISO alpha-2 country the entry must be in.
    pub country: Option<String>,
    /// Province id (ISO 3166-2) the entry must be in (present-day successors accepted).
    pub province_id: Option<String>,
    /// District id (gazetteer id, `district:…`) the entry must be in, or be.
    pub district_id: Option<String>,
    /// Kinds allowed; empty means any.
    pub kinds: Vec<EntryKind>,
}

/// Fuzzy matches below this similarity (Jaro–Winkler on the compact key) are not offered.
pub const FUZZY_THRESHOLD: f64 = 0.90;

/// One key in the fuzzy index.
struct FuzzyKey {
    key: String,
    /// Its length in characters.
    chars: u32,
    entry: u32,
    spelling: u32,
    /// The letters and digits it has, as bits ([`letter_mask`]).
    mask: u64,
}

/// Keys by first character, each list sorted by length then key, so that a query reads only
/// the keys within [`FUZZY_LENGTH_SLACK`] characters of its own length.
type FuzzyIndex = HashMap<char, Vec<FuzzyKey>>;

/// How many characters longer or shorter than the query a close spelling may be.
const FUZZY_LENGTH_SLACK: u32 = 3;

/// The searchable gazetteer.
///
/// Entries are numbered in one sequence: the entries read whole (`head`: the units, or
/// everything when read from a folder), then the shipped places read piecemeal (`places`),
/// then entries added later (`tail`: the user's own places).
pub struct Gazetteer {
    head: Vec<GazetteerEntry>,
    places: Option<PlaceTier>,
    tail: Vec<GazetteerEntry>,
    /// compact key → (entry number, spelling index: 0 = name, i + 1 = alias i), for `head`
    /// and `tail`; the places' keys are in their own index.
    exact: HashMap<String, Vec<(u32, u32)>>,
    /// transliteration skeleton → (entry index, spelling index)
    /// Built from the exact keys on first use: most commands never need it.
    variants: std::sync::OnceLock<HashMap<String, Vec<(u32, u32)>>>,
    /// For fuzzy search: keys grouped by first character, with their letter sets.
    /// Built from the exact keys on first use (fuzzy search and suggestions only).
    by_initial: std::sync::OnceLock<FuzzyIndex>,
    by_id: HashMap<String, u32>,
    /// The places' ids, built on the first lookup of a place by id.
    place_ids: std::sync::OnceLock<HashMap<String, u32>>,
}

impl Gazetteer {
    /// The shipped gazetteer: the units read whole, the places as lookups reach them.
    pub fn embedded() -> Result<Gazetteer> {
        let units = table::read_csv("geodata/gazetteer.csv (embedded)", EMBEDDED_CSV.as_bytes())?;
        let mut g = Gazetteer::new(units);
        g.places = Some(PlaceTier::new(
            "geodata/places.csv.zst (embedded)",
            std::borrow::Cow::Borrowed(EMBEDDED_PLACES),
            EMBEDDED_PLACE_KEYS,
        )?);
        Ok(g)
    }

    /// The shipped units alone (`gazetteer.csv`: countries, provinces, districts, border
    /// zones, crossings), without the places.
    pub fn embedded_units() -> Result<Gazetteer> {
        let entries = table::read_csv("geodata/gazetteer.csv (embedded)", EMBEDDED_CSV.as_bytes())?;
        Ok(Gazetteer::new(entries))
    }

    /// Reads `gazetteer.csv` and `places.csv.zst` from a geodata folder, every row checked
    /// as it is read.
    pub fn from_dir(dir: &Path) -> Result<Gazetteer> {
        let path = dir.join("gazetteer.csv");
        let f =
            std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        let mut entries = table::read_csv(&path.display().to_string(), std::io::BufReader::new(f))?;
        let places = dir.join("places.csv.zst");
        if places.exists() {
            let packed =
                std::fs::read(&places).with_context(|| format!("reading {}", places.display()))?;
            entries.extend(read_places(&places.display().to_string(), &packed)?);
        }
        Ok(Gazetteer::new(entries))
    }

    pub fn new(entries: Vec<GazetteerEntry>) -> Gazetteer {
        let mut g = Gazetteer {
            head: Vec::new(),
            places: None,
            tail: Vec::new(),
            exact: HashMap::default(),
            variants: std::sync::OnceLock::new(),
            by_initial: std::sync::OnceLock::new(),
            by_id: HashMap::default(),
            place_ids: std::sync::OnceLock::new(),
        };
        g.extend(entries);
        g
    }

    fn n_places(&self) -> usize {
        self.places.as_ref().map_or(0, PlaceTier::len)
    }

    /// The entry numbered `i`.
    fn entry(&self, i: u32) -> &GazetteerEntry {
        let i = i as usize;
        let n_head = self.head.len();
        match &self.places {
            Some(p) if i >= n_head && i < n_head + p.len() => p.get(i - n_head),
            _ if i < n_head => &self.head[i],
            _ => &self.tail[i - n_head - self.n_places()],
        }
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.head.len() + self.n_places() + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The exact-key postings of a key: the entries read whole, then the shipped places.
    fn exact_hits<'a>(&'a self, key: &str) -> impl Iterator<Item = (u32, u32)> + 'a {
        let first = self.head.len() as u32;
        let places = self
            .places
            .as_ref()
            .and_then(|p| p.postings(key))
            .into_iter()
            .flatten()
            .map(move |(r, s)| (first + r, s));
        self.exact
            .get(key)
            .into_iter()
            .flatten()
            .copied()
            .chain(places)
    }

    /// Every exact key with its postings, sorted by key (for the lazy indexes).
    fn all_keys(&self) -> Vec<(String, Vec<(u32, u32)>)> {
        let mut keys: HashMap<String, Vec<(u32, u32)>> = self.exact.clone();
        if let Some(p) = &self.places {
            let first = self.head.len() as u32;
            for (k, ps) in p.keys() {
                keys.entry(k.to_string())
                    .or_default()
                    .extend(ps.into_iter().map(|(r, s)| (first + r, s)));
            }
        }
        let mut keys: Vec<(String, Vec<(u32, u32)>)> = keys.into_iter().collect();
        keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (_, ps) in &mut keys {
            ps.sort_unstable();
        }
        keys
    }

    /// Adds entries and indexes their spellings.
    pub fn extend(&mut self, entries: Vec<GazetteerEntry>) {
        // The lazy indexes are rebuilt, with the new entries, on next use.
        self.variants = std::sync::OnceLock::new();
        self.by_initial = std::sync::OnceLock::new();
        // Folding many entries' spellings is most of a load: done on every core.
        use rayon::prelude::*;
        let keys: Vec<Vec<String>> = entries
            .par_iter()
            .map(|e| {
                std::iter::once(&e.name)
                    .chain(e.aliases.iter())
                    .map(|spelling| normalize::compact_key(spelling))
                    .collect()
            })
            .collect();
        let first = self.len();
        self.by_id.reserve(entries.len());
        self.exact.reserve(keys.iter().map(Vec::len).sum());
        // Before any places are attached, new entries join the head; after, the tail.
        if self.places.is_none() {
            self.head.extend(entries);
        } else {
            self.tail.extend(entries);
        }
        for (offset, keys) in keys.into_iter().enumerate() {
            let i = (first + offset) as u32;
            let id = self.entry(i).id.clone();
            self.by_id.insert(id, i);
            for (j, k) in keys.into_iter().enumerate() {
                if k.is_empty() {
                    continue;
                }
                let slot = self.exact.entry(k).or_default();
                if !slot.iter().any(|&(ei, _)| ei == i) {
                    slot.push((i, j as u32));
                }
            }
        }
    }

    /// Transliteration skeleton → postings, from the exact keys (sorted, so the postings'
    /// order does not depend on the hash map's).
    fn variants(&self) -> &HashMap<String, Vec<(u32, u32)>> {
        self.variants.get_or_init(|| {
            let mut m: HashMap<String, Vec<(u32, u32)>> = HashMap::default();
            for (k, postings) in self.all_keys() {
                m.entry(normalize::variant(&k))
                    .or_default()
                    .extend(postings.iter().copied());
            }
            // One posting per entry: its first spelling, as the exact index keeps.
            for slot in m.values_mut() {
                slot.sort_unstable();
                slot.dedup_by_key(|p| p.0);
            }
            m
        })
    }

    /// Keys by first character with their lengths and letter sets, for fuzzy search.
    fn by_initial(&self) -> &FuzzyIndex {
        self.by_initial.get_or_init(|| {
            let mut m: FuzzyIndex = HashMap::default();
            for (k, postings) in self.all_keys() {
                let Some(c) = k.chars().next() else { continue };
                let (chars, mask) = (k.chars().count() as u32, letter_mask(&k));
                let list = m.entry(c).or_default();
                for &(entry, spelling) in &postings {
                    list.push(FuzzyKey {
                        key: k.clone(),
                        chars,
                        entry,
                        spelling,
                        mask,
                    });
                }
            }
            for list in m.values_mut() {
                // Stable: keys of one length stay in key order, postings in entry order.
                list.sort_by_key(|f| f.chars);
            }
            m
        })
    }

    /// Every entry, in number order (the places all parsed: a whole-table pass).
    pub fn entries(&self) -> Vec<&GazetteerEntry> {
        let mut out: Vec<&GazetteerEntry> = Vec::with_capacity(self.len());
        out.extend(self.head.iter());
        if let Some(p) = &self.places {
            out.extend(p.all());
        }
        out.extend(self.tail.iter());
        out
    }

    pub fn get(&self, id: &str) -> Option<&GazetteerEntry> {
        if let Some(&i) = self.by_id.get(id) {
            return Some(self.entry(i));
        }
        let p = self.places.as_ref()?;
        let first = self.head.len() as u32;
        let ids = self.place_ids.get_or_init(|| {
            p.all()
                .enumerate()
                .map(|(r, e)| (e.id.clone(), first + r as u32))
                .collect()
        });
        ids.get(id).map(|&i| self.entry(i))
    }

    fn spelling(&self, entry: u32, spelling: u32) -> &str {
        let e = self.entry(entry);
        if spelling == 0 {
            &e.name
        } else {
            &e.aliases[spelling as usize - 1]
        }
    }

    /// Whether an entry satisfies a constraint. A record placed in Khyber Pakhtunkhwa accepts
    /// an entry in the former FATA, which became part of it.
    pub fn satisfies(&self, e: &GazetteerEntry, c: &Constraint) -> bool {
        if let Some(country) = &c.country
            && &e.country != country
        {
            // A whole border (a border zone without a province) lies in both its countries.
            let whole_border = e.kind == EntryKind::BorderZone && e.province_id.is_none();
            let other_side = e
                .stretch
                .as_ref()
                .is_some_and(|s| s.border_id.starts_with(&format!("{country}-")));
            if !(whole_border && other_side) {
                return false;
            }
        }
        if let Some(p) = &c.province_id {
            let Some(ep) = &e.province_id else {
                return false;
            };
            let succ = |id: &str| {
                self.get(&format!("province:{id}"))
                    .and_then(|x| x.successor_id.clone())
            };
            let same = ep == p
                || succ(ep).as_deref() == Some(&format!("province:{p}"))
                || succ(p).as_deref() == Some(&format!("province:{ep}"));
            if !same {
                return false;
            }
        }
        if let Some(d) = &c.district_id
            && e.district_id.as_ref() != Some(d)
            && &e.id != d
        {
            return false;
        }
        c.kinds.is_empty() || c.kinds.contains(&e.kind)
    }

    /// Finds entries by name: exact and alias matches on the folded key, then (only if none
    /// survive the constraint) fuzzy ones above [`FUZZY_THRESHOLD`]. Best first; ties broken
    /// by kind (a district before a place of the same name, whether the name is the entry's
    /// own or one of its spellings: transliterations are equally good names), then own name
    /// before alias, population, feature code (seats before villages, abandoned places last),
    /// then the older GeoNames id, so the order is deterministic.
    pub fn search(&self, query: &str, c: &Constraint) -> Vec<Candidate<'_>> {
        let key = normalize::compact(&normalize::key(query));
        if key.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<Candidate<'_>> = Vec::new();
        for (ei, si) in self.exact_hits(&key) {
            let entry = self.entry(ei);
            if self.satisfies(entry, c) {
                let how = if si == 0 {
                    NameMatch::Exact
                } else {
                    NameMatch::Alias
                };
                out.push(Candidate {
                    entry,
                    matched: self.spelling(ei, si),
                    how,
                    score: 1.0,
                });
            }
        }
        if out.is_empty()
            && key.chars().count() >= 4
            && let Some(hits) = self.variants().get(&normalize::variant(&key))
        {
            for &(ei, si) in hits {
                let entry = self.entry(ei);
                if self.satisfies(entry, c) {
                    out.push(Candidate {
                        entry,
                        matched: self.spelling(ei, si),
                        how: NameMatch::Variant,
                        score: 1.0,
                    });
                }
            }
        }
        if out.is_empty() && key.chars().count() >= 4 {
            let initial = key.chars().next().unwrap_or(' ');
            let len = key.chars().count() as u32;
            // Per entry: the best score, its spelling, and that spelling's key (on a tie the
            // smaller key wins, whatever order the keys are read in).
            let mut best: HashMap<u32, (f64, u32, &str)> = HashMap::default();
            let qmask = letter_mask(&key);
            let list = self
                .by_initial()
                .get(&initial)
                .map_or(&[][..], Vec::as_slice);
            // Similar length only: a misspelling swaps, drops or adds one or two letters.
            let from = list.partition_point(|f| f.chars + FUZZY_LENGTH_SLACK < len);
            let to = list.partition_point(|f| f.chars <= len + FUZZY_LENGTH_SLACK);
            for f in &list[from..to.max(from)] {
                // At most 4 letters in one name but not the other, and a similarity that
                // could still reach the threshold.
                if (qmask ^ f.mask).count_ones() > 4
                    || jaro_winkler_bound(&key, len, qmask, &f.key, f.chars, f.mask)
                        < FUZZY_THRESHOLD
                {
                    continue;
                }
                let s = strsim::jaro_winkler(&key, &f.key);
                if s >= FUZZY_THRESHOLD && self.satisfies(self.entry(f.entry), c) {
                    let slot = best.entry(f.entry).or_insert((0.0, f.spelling, &f.key));
                    if s > slot.0 || (s == slot.0 && f.key.as_str() < slot.2) {
                        *slot = (s, f.spelling, &f.key);
                    }
                }
            }
            for (ei, (score, si, _)) in best {
                out.push(Candidate {
                    entry: self.entry(ei),
                    matched: self.spelling(ei, si),
                    how: NameMatch::Fuzzy,
                    score,
                });
            }
        }
        let query_words = normalize::fold(query);
        let extra = |spelling: &str| extra_admin_words(spelling, &query_words);
        let affinity = |c: &Candidate<'_>| {
            // An alias hit whose entry's own name begins with the query ("Malakand" →
            // "Malakand PA") before one that only shares a spelling (a division's name given
            // to its districts).
            u8::from(
                c.how != NameMatch::Exact
                    && !normalize::compact(&normalize::key(&c.entry.name)).starts_with(&key),
            )
        };
        let mine = |c: &Candidate<'_>| !user_places::is_user_place(c.entry);
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                // The user's own places first: they know which place they mean.
                .then(mine(a).cmp(&mine(b)))
                .then(kind_rank(a.entry).cmp(&kind_rank(b.entry)))
                .then(a.how.cmp(&b.how))
                .then(extra(a.matched).cmp(&extra(b.matched)))
                .then(affinity(a).cmp(&affinity(b)))
                .then(
                    b.entry
                        .population
                        .unwrap_or(0)
                        .cmp(&a.entry.population.unwrap_or(0)),
                )
                .then(feature_rank(a.entry).cmp(&feature_rank(b.entry)))
                .then(a.entry.id.len().cmp(&b.entry.id.len()))
                .then(a.entry.id.cmp(&b.entry.id))
        });
        out
    }

    /// Up to `n` names close to the query, for "did you mean" in the unmatched report.
    pub fn suggest(&self, query: &str, c: &Constraint, n: usize) -> Vec<String> {
        let key = normalize::compact(&normalize::key(query));
        let mut scored: Vec<(f64, &str)> = Vec::new();
        for list in self.by_initial().values() {
            for f in list {
                let entry = self.entry(f.entry);
                if self.satisfies(entry, c) {
                    let s = strsim::jaro_winkler(&key, &f.key);
                    if s >= 0.75 {
                        scored.push((s, self.spelling(f.entry, f.spelling)));
                    }
                }
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, name) in scored {
            if !out.iter().any(|x| x == name) {
                out.push(name.to_string());
            }
            if out.len() == n {
                break;
            }
        }
        out
    }

    /// The border zone of a province (on a given border, or the only one it has).
    pub fn border_zones_of(&self, province_id: &str) -> Vec<&GazetteerEntry> {
        // Places are never border zones: only the entries read whole are searched.
        self.head
            .iter()
            .chain(self.tail.iter())
            .filter(|e| {
                e.kind == EntryKind::BorderZone && e.province_id.as_deref() == Some(province_id)
            })
            .collect()
    }
}

/// How many administrative words a spelling has that the query does not ("Frontier Region
/// Lakki Marwat" for "Lakki Marwat": 2): the plainer name is the one meant.
fn extra_admin_words(spelling: &str, folded_query: &str) -> usize {
    let query: Vec<&str> = folded_query.split(' ').collect();
    normalize::fold(spelling)
        .split(' ')
        .filter(|w| normalize::ADMIN_WORDS.contains(w) && !query.contains(w))
        .count()
}

/// An upper bound of `strsim::jaro_winkler(a, b)` from the letters each has, in a few steps
/// per character (the similarity itself compares every pair within a window and allocates):
/// a matching character of `a` must be a letter `b` has, and the other way round, so at most
/// `m` characters match; Jaro is then at most (m/|a| + m/|b| + 1)/3, and Winkler's bonus for
/// a common prefix of up to 4 characters adds at most 0.4 of the rest. Characters outside
/// a–z and 0–9 are not in the letter sets and count as matching.
fn jaro_winkler_bound(a: &str, a_len: u32, a_mask: u64, b: &str, b_len: u32, b_mask: u64) -> f64 {
    let possible = |s: &str, other: u64| {
        s.chars()
            .filter(|&c| {
                let bit = letter_mask_of(c);
                bit == 0 || other & bit != 0
            })
            .count() as f64
    };
    let m = possible(a, b_mask).min(possible(b, a_mask));
    if m == 0.0 {
        return 0.0;
    }
    let jaro = (m / a_len as f64 + m / b_len as f64 + 1.0) / 3.0;
    (jaro + 0.4 * (1.0 - jaro)).min(1.0)
}

/// The bit of one letter or digit in a letter set (0 for any other character).
fn letter_mask_of(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (c as u8 - b'a'),
        '0'..='9' => 1 << (26 + c as u8 - b'0'),
        _ => 0,
    }
}

/// The set of letters and digits in a key, as bits: a fast test of how different two names are.
fn letter_mask(key: &str) -> u64 {
    key.bytes().fold(0u64, |m, b| match b {
        b'a'..=b'z' => m | 1 << (b - b'a'),
        b'0'..=b'9' => m | 1 << (26 + b - b'0'),
        _ => m,
    })
}

/// Among equally good name matches: a town (10,000 people or more) first — "Kabul" means the
/// city, "Farkhor" the district's seat town — then the administrative unit (a report naming
/// "Darvoz" most often means the district, not the hamlet of that name in it), then smaller
/// places.
fn kind_rank(e: &GazetteerEntry) -> u8 {
    match e.kind {
        EntryKind::Place if e.population.unwrap_or(0) >= 10_000 => 0,
        EntryKind::District => 1,
        EntryKind::Place => 2,
        EntryKind::Province => 3,
        EntryKind::BorderZone => 4,
        EntryKind::Country => 5,
    }
}

/// Among places of equal name and population, by GeoNames feature code: the capital, then
/// seats of provinces and districts, then towns and villages, then sections of places, and
/// abandoned or historical places last (a report naming a village means one people live in).
fn feature_rank(e: &GazetteerEntry) -> u8 {
    match e.feature_code.as_deref() {
        Some("PPLC") => 0,
        Some("PPLA") => 1,
        Some("PPLA2") => 2,
        Some("PPLA3" | "PPLA4" | "PPLA5") => 3,
        Some("PPL" | "PPLL" | "PPLS" | "PPLF" | "PPLR") | None => 4,
        Some("PPLX") => 5,
        Some("PPLQ" | "PPLH" | "PPLW") => 7,
        Some(_) => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaz() -> Gazetteer {
        Gazetteer::embedded().expect("embedded gazetteer parses")
    }

    #[test]
    fn finds_renamed_district_in_any_script() {
        let g = gaz();
        for q in [
            "Shamsiddin Shohin",
            "Шамсиддин Шохин",
            "Shuroobod district",
            "Shuro-obod",
        ] {
            let hits = g.search(q, &Constraint::default());
            assert_eq!(
                hits.first().map(|h| h.entry.id.as_str()),
                Some("district:1091917913"),
                "{q}"
            );
        }
    }

    #[test]
    fn finds_darvoz_spellings() {
        let g = gaz();
        for q in ["Дарвоз", "Darvaz", "Darvozskiy Rayon", "Nohiyai Darvoz"] {
            let hits = g.search(
                q,
                &Constraint {
                    country: Some("TJ".into()),
                    ..Default::default()
                },
            );
            assert_eq!(
                hits.first().map(|h| h.entry.id.as_str()),
                Some("district:1091917021"),
                "{q}"
            );
        }
    }

    #[test]
    fn fuzzy_catches_misspelling_and_constraint_filters() {
        let g = gaz();
        // One "d" fewer is another romanisation; a dropped vowel is a misspelling.
        let hits = g.search("Shamsidin Shohin", &Constraint::default());
        assert_eq!(hits[0].how, NameMatch::Variant);
        assert_eq!(hits[0].entry.id, "district:1091917913");
        let hits = g.search("Shamsiddin Shohn", &Constraint::default());
        assert_eq!(hits[0].how, NameMatch::Fuzzy);
        assert_eq!(hits[0].entry.id, "district:1091917913");
        let tj = Constraint {
            country: Some("TJ".into()),
            ..Default::default()
        };
        assert!(
            g.search("Panj", &tj)
                .iter()
                .all(|h| h.entry.country == "TJ")
        );
    }

    /// The bound that skips Jaro–Winkler computations never falls below the similarity.
    #[test]
    fn the_similarity_bound_is_an_upper_bound() {
        let keys = [
            "shamsiddinshohin",
            "shamsidinshohn",
            "darvoz",
            "darvaz",
            "qalaikhumb",
            "kalaikhum",
            "miranshah",
            "miramshah",
            "dattakhel",
            "datakhel",
            "ab",
            "xyz",
            "дарвоз",
            "makeen",
            "makin",
        ];
        for a in keys {
            for b in keys {
                let (la, lb) = (a.chars().count() as u32, b.chars().count() as u32);
                let bound = jaro_winkler_bound(a, la, letter_mask(a), b, lb, letter_mask(b));
                let s = strsim::jaro_winkler(a, b);
                assert!(bound + 1e-12 >= s, "{a} / {b}: bound {bound} < {s}");
            }
        }
    }

    #[test]
    fn fata_places_satisfy_khyber_pakhtunkhwa() {
        let g = gaz();
        let kp = Constraint {
            province_id: Some("PK-KP".into()),
            ..Default::default()
        };
        let hits = g.search("Miran Shah", &kp);
        assert!(
            !hits.is_empty(),
            "Miran Shah (former FATA) must be found under Khyber Pakhtunkhwa"
        );
    }
}
