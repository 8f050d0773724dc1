//! The gazetteer: countries, provinces, districts, places and border zones with their
//! spellings, loaded from the shipped `geodata/` (embedded in the binary) or a `--geodata`
//! folder, and searched by name in any of those spellings.

mod fuzzy;
mod key_lines;
pub mod normalize;
pub mod place_tier;
mod ranking;
pub mod table;
pub mod user_places;

use crate::model::{EntryKind, GazetteerEntry};
use anyhow::{Context, Result};
pub use fuzzy::FUZZY_THRESHOLD;
use fuzzy::FuzzyIndex;
use place_tier::PlaceTier;
use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

/// The gazetteer as shipped, compiled into the binary so the tool works from any directory:
/// countries, provinces, districts, border zones and crossings in `gazetteer.csv`, and the
/// 170,000 places in `places.csv.zst` (the same columns, zstd-compressed in frames) with the
/// index of their spellings in `place_keys.tsv.zst` and of their spellings' transliteration
/// skeletons in `place_variants.tsv.zst` (see [`place_tier`]).
pub const EMBEDDED_CSV: &str = include_str!("../../geodata/gazetteer.csv");
pub const EMBEDDED_PLACES: &[u8] = include_bytes!("../../geodata/places.csv.zst");
pub const EMBEDDED_PLACE_KEYS: &[u8] = include_bytes!("../../geodata/place_keys.tsv.zst");
pub const EMBEDDED_PLACE_VARIANTS: &[u8] = include_bytes!("../../geodata/place_variants.tsv.zst");
pub const EMBEDDED_PLACE_COUNTRIES: &str = include_str!("../../geodata/place_countries.tsv");

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
#[derive(Debug, Clone, Default, PartialEq)]
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
    /// transliteration skeleton → (entry index, spelling index), for `head` and `tail`
    /// (the places' skeletons are in their own index). Built from the exact keys on first
    /// use: most commands never need it.
    variants: std::sync::OnceLock<HashMap<String, Vec<(u32, u32)>>>,
    /// For fuzzy search: keys grouped by first character, and the hits worked out so far.
    /// Built from the exact keys on first use (fuzzy search and suggestions only).
    fuzzy: std::sync::OnceLock<FuzzyIndex>,
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
            std::borrow::Cow::Borrowed(EMBEDDED_PLACE_VARIANTS),
            EMBEDDED_PLACE_COUNTRIES,
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
            fuzzy: std::sync::OnceLock::new(),
            by_id: HashMap::default(),
            place_ids: std::sync::OnceLock::new(),
        };
        g.extend(entries);
        g
    }

    fn n_places(&self) -> usize {
        self.places.as_ref().map_or(0, PlaceTier::len)
    }

    /// Whether entry `i` may satisfy the constraint, told for a shipped place without
    /// reading it (reading one unpacks its frame and parses its row): the places tier holds
    /// places only, and each place's country is known from the country runs. A common name
    /// has hundreds of places, most of them in another country than the record's.
    fn may_satisfy(&self, i: u32, c: &Constraint) -> bool {
        let Some((places, row)) = self.place_row(i) else {
            return true;
        };
        (c.kinds.is_empty() || c.kinds.contains(&EntryKind::Place))
            && c.country
                .as_deref()
                .is_none_or(|country| places.country(row) == country)
    }

    /// The places tier and the row of entry `i`, if it is a shipped place.
    fn place_row(&self, i: u32) -> Option<(&PlaceTier, usize)> {
        let places = self.places.as_ref()?;
        let row = (i as usize).checked_sub(self.head.len())?;
        (row < places.len()).then_some((places, row))
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

    /// Every exact key with its postings, sorted by key (for the lazy indexes): the places'
    /// index, already in key order, merged with the few keys of the entries read whole.
    fn all_keys(&self) -> Vec<(&str, Vec<(u32, u32)>)> {
        let mut own: Vec<(&String, &Vec<(u32, u32)>)> = self.exact.iter().collect();
        own.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut own = own.into_iter().peekable();
        let sorted = |ps: &[(u32, u32)]| {
            let mut ps = ps.to_vec();
            ps.sort_unstable();
            ps
        };
        let first = self.head.len() as u32;
        let mut keys: Vec<(&str, Vec<(u32, u32)>)> = Vec::with_capacity(
            self.exact.len() + self.places.as_ref().map_or(0, PlaceTier::keys_len),
        );
        for (k, ps) in self.places.iter().flat_map(PlaceTier::keys) {
            while let Some((own_key, own_ps)) = own.next_if(|(own_key, _)| own_key.as_str() < k) {
                keys.push((own_key.as_str(), sorted(own_ps)));
            }
            let mut postings: Vec<(u32, u32)> =
                ps.into_iter().map(|(r, s)| (first + r, s)).collect();
            if let Some((_, own_ps)) = own.next_if(|(own_key, _)| own_key.as_str() == k) {
                postings.extend_from_slice(own_ps);
            }
            postings.sort_unstable();
            keys.push((k, postings));
        }
        keys.extend(own.map(|(k, ps)| (k.as_str(), sorted(ps))));
        keys
    }

    /// Adds entries and indexes their spellings.
    pub fn extend(&mut self, entries: Vec<GazetteerEntry>) {
        // The lazy indexes are rebuilt, with the new entries, on next use.
        self.variants = std::sync::OnceLock::new();
        self.fuzzy = std::sync::OnceLock::new();
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

    /// Transliteration skeleton → postings of the entries read whole or added, from their
    /// exact keys.
    fn own_variants(&self) -> &HashMap<String, Vec<(u32, u32)>> {
        self.variants.get_or_init(|| {
            let mut m: HashMap<String, Vec<(u32, u32)>> = HashMap::default();
            for (key, postings) in &self.exact {
                m.entry(normalize::variant(key))
                    .or_default()
                    .extend(postings.iter().copied());
            }
            m
        })
    }

    /// The entries with a spelling whose transliteration skeleton is `skeleton`: one
    /// posting per entry (its least spelling of that skeleton), by entry.
    fn variant_hits(&self, skeleton: &str) -> Vec<(u32, u32)> {
        let mut hits: Vec<(u32, u32)> = self
            .own_variants()
            .get(skeleton)
            .cloned()
            .unwrap_or_default();
        let first = self.head.len() as u32;
        if let Some(places) = self
            .places
            .as_ref()
            .and_then(|p| p.variant_postings(skeleton))
        {
            hits.extend(places.map(|(r, s)| (first + r, s)));
        }
        hits.sort_unstable();
        hits.dedup_by_key(|p| p.0);
        hits
    }

    /// A name not found as written is looked up by its transliteration skeleton and then,
    /// if that fails too, in the fuzzy index. The first such name builds both indexes at
    /// once, the fuzzy one on a thread of its own (about 20 and 40 ms of work, while every
    /// search that needs either waits); a plain thread, not the pool's, as in the fuzzy
    /// index's own build. A file of names needs both within its first records.
    fn build_misspelling_indexes(&self) {
        if self.fuzzy.get().is_some() {
            return;
        }
        std::thread::scope(|scope| {
            scope.spawn(|| self.fuzzy());
            self.own_variants();
            if let Some(p) = &self.places {
                p.unpack_variants_now();
            }
        });
    }

    /// The fuzzy index over every exact key, built on first use (a misspelling, or
    /// suggestions for a name not found).
    fn fuzzy(&self) -> &FuzzyIndex {
        self.fuzzy
            .get_or_init(|| FuzzyIndex::new(&self.all_keys(), |i| self.searched_under(i)))
    }

    /// The country a search under a stated country finds entry `i` in ([`Self::satisfies`]),
    /// or `None` for a border zone, which a search under another country may find too. A
    /// shipped place's country is read without parsing its row.
    fn searched_under(&self, i: u32) -> Option<&str> {
        match self.place_row(i) {
            Some((places, row)) => Some(places.country(row)),
            None => {
                let e = self.entry(i);
                (e.kind != EntryKind::BorderZone).then_some(e.country.as_str())
            }
        }
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
        for (ei, si) in self
            .exact_hits(&key)
            .filter(|&(ei, _)| self.may_satisfy(ei, c))
        {
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
        if out.is_empty() && key.chars().count() >= 4 {
            self.build_misspelling_indexes();
        }
        if out.is_empty()
            && key.chars().count() >= 4
            && let hits = self.variant_hits(&normalize::variant(&key))
            && !hits.is_empty()
        {
            for &(ei, si) in hits.iter().filter(|&&(ei, _)| self.may_satisfy(ei, c)) {
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
            let hits = self.fuzzy().hits(&key, c.country.as_deref());
            for hit in hits.iter().filter(|h| self.may_satisfy(h.entry, c)) {
                let entry = self.entry(hit.entry);
                if self.satisfies(entry, c) {
                    out.push(Candidate {
                        entry,
                        matched: self.spelling(hit.entry, hit.spelling),
                        how: NameMatch::Fuzzy,
                        score: hit.score,
                    });
                }
            }
        }
        ranking::order_candidates(&mut out, query, &key);
        out
    }

    /// Up to `n` names close to the query, for "did you mean" in the unmatched report.
    pub fn suggest(&self, query: &str, c: &Constraint, n: usize) -> Vec<String> {
        let key = normalize::compact(&normalize::key(query));
        let mut scored: Vec<(f64, &str)> = Vec::new();
        for (other, ei, si) in self.fuzzy().keys() {
            let entry = self.entry(ei);
            if self.satisfies(entry, c) {
                let s = strsim::jaro_winkler(&key, other);
                if s >= 0.75 {
                    scored.push((s, self.spelling(ei, si)));
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

    /// The merged key list is what gathering every key in a map and sorting gives, with the
    /// user's own places (numbered after the shipped ones) among them.
    #[test]
    fn all_keys_merges_the_places_index_with_the_other_entries() {
        let g = with_users_places("Darvoz", "Zzyzx Outpost");
        let mut expected: HashMap<String, Vec<(u32, u32)>> = g.exact.clone();
        let first = g.head.len() as u32;
        for (k, ps) in g.places.iter().flat_map(PlaceTier::keys) {
            expected
                .entry(k.to_string())
                .or_default()
                .extend(ps.into_iter().map(|(r, s)| (first + r, s)));
        }
        let mut expected: Vec<(String, Vec<(u32, u32)>)> = expected.into_iter().collect();
        expected.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (_, ps) in &mut expected {
            ps.sort_unstable();
        }
        let got = g.all_keys();
        assert_eq!(got.len(), expected.len());
        assert!(
            got.iter()
                .zip(&expected)
                .all(|((k, ps), (e, eps))| k == e && ps == eps)
        );
        let darvoz = got.iter().find(|(k, _)| *k == "darvoz").expect("darvoz");
        let user = *g.by_id.get("user:1").expect("the user's place");
        assert!(darvoz.1.len() >= 2 && darvoz.1.is_sorted() && darvoz.1.contains(&(user, 0)));
    }

    /// The shipped gazetteer with two places of the user's (`user:1`, `user:2`), copies of
    /// a district under other names.
    fn with_users_places(first: &str, second: &str) -> Gazetteer {
        let mut g = gaz();
        let mine = |id: &str, name: &str| GazetteerEntry {
            id: id.into(),
            name: name.into(),
            ..g.get("district:1091917913").expect("a district").clone()
        };
        let extra = vec![mine("user:1", first), mine("user:2", second)];
        g.extend(extra);
        g
    }

    /// Variants found through the shipped index and the entries' own map are what working
    /// out every key's skeleton at load time gives (as the tool did before the index was
    /// shipped), the user's own places (numbered after the shipped ones) among them.
    #[test]
    fn variant_hits_are_every_keys_skeleton_worked_out() {
        // One spelling of a shipped place's skeleton, one of nobody's.
        let g = with_users_places("Darwaz", "Zzyzx Outpost");
        let mut whole: HashMap<String, Vec<(u32, u32)>> = HashMap::default();
        for (k, ps) in g.all_keys() {
            whole.entry(normalize::variant(k)).or_default().extend(ps);
        }
        assert!(whole.len() > 100_000);
        let user = *g.by_id.get("user:1").expect("the user's place");
        let mut seen_user = false;
        for (skeleton, mut expected) in whole {
            expected.sort_unstable();
            expected.dedup_by_key(|p| p.0);
            let got = g.variant_hits(&skeleton);
            assert_eq!(got, expected, "{skeleton}");
            seen_user |= got.len() > 1 && got.iter().any(|&(e, _)| e == user);
        }
        assert!(
            seen_user,
            "the user's Darwaz shares a skeleton with shipped entries"
        );
        assert!(g.variant_hits("no such skeleton").is_empty());
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
