//! Fuzzy search: the spellings within Jaro–Winkler [`FUZZY_THRESHOLD`] of a misspelt key.
//!
//! A query reads only the keys with its first character and a similar length, and of those
//! computes the similarity only where the letter-set tests allow it: over a packed array of
//! each key's letters, 64 keys at a time, then an upper bound of the similarity from the
//! letters each key lacks or holds fewer times, its length and its common prefix. The keys
//! are kept by the country of their entries, and a search under a stated country reads
//! only that country's (and the border zones', which lie in two). Within a country, a key's
//! hits do not depend on the rest of the search's constraint, so each key's are worked out
//! once and remembered (a file repeats its misspellings, and one record's phrase is
//! searched under several constraints).

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, Mutex};

/// Fuzzy matches below this similarity (Jaro–Winkler on the compact key) are not offered.
pub const FUZZY_THRESHOLD: f64 = 0.90;

/// How many characters longer or shorter than the query a close spelling may be.
const FUZZY_LENGTH_SLACK: u32 = 3;

/// At most this many letters may be in one of the two keys and not the other.
const MAX_LETTERS_APART: u32 = 4;

/// How many keys' hits are remembered, at most: a file of free text cannot grow the memory.
const REMEMBERED_KEYS: usize = 1 << 16;

/// One key in the index: its text is `text[start..end]` of its [`Initial`], the spellings
/// it folds from `postings[postings_start..postings_end]`. A key is scored once, however
/// many places share it (a third of the keys' postings are such namesakes).
struct FuzzyKey {
    start: u32,
    end: u32,
    /// Its length in characters.
    chars: u32,
    postings_start: u32,
    postings_end: u32,
}

/// The keys of one first character, sorted by length (stable: keys of one length stay in
/// key order, postings in entry order), with their letter sets and lengths in an array of
/// their own ([`pack`]) so that the first tests stream through 8 bytes per key, and their
/// text in one string in the same order, so that the keys a query reads lie side by side in
/// memory.
struct Initial {
    keys: Vec<FuzzyKey>,
    /// Each key's letter set and length, [`pack`]ed.
    sets: Vec<u64>,
    /// Each key's first four bytes ([`head`]), for its common prefix with a query.
    heads: Vec<u32>,
    /// Each key's letters that it holds twice or more ([`double_letters`]).
    doubles: Vec<u32>,
    text: String,
    /// Each key's (entry, spelling) pairs, in key order and then entry order.
    postings: Vec<(u32, u32)>,
}

impl Initial {
    fn key(&self, f: &FuzzyKey) -> &str {
        &self.text[f.start as usize..f.end as usize]
    }

    fn postings(&self, f: &FuzzyKey) -> &[(u32, u32)] {
        &self.postings[f.postings_start as usize..f.postings_end as usize]
    }
}

/// An entry's best fuzzy match for one key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct FuzzyHit {
    pub(super) entry: u32,
    pub(super) spelling: u32,
    pub(super) score: f64,
}

/// The index, in groups of entries that a search with a stated country reads or skips
/// whole: one group per country, and one for the entries every search reads.
///
/// A record's stated country is a hard limit, and the places are not spread evenly: of the
/// shipped places' 252,000 keys, 149,000 are of places in Pakistan and 98,000 in
/// Afghanistan. So a misspelling from an Afghan record scans two keys in five.
pub(super) struct FuzzyIndex {
    groups: Vec<Group>,
    /// The group of each country's entries.
    by_country: HashMap<Box<str>, usize>,
    /// The group of the entries a search under any country reads (see [`FuzzyIndex::new`]).
    everywhere: Option<usize>,
}

/// One group's keys by first character, and the hits already worked out.
struct Group {
    by_initial: HashMap<char, Initial>,
    remembered: Mutex<HashMap<Box<str>, Arc<[FuzzyHit]>>>,
}

impl FuzzyIndex {
    /// Indexes every (key, postings) pair; keys are expected sorted, so that the index does
    /// not depend on a hash map's order. `country_of` gives the country an entry is found
    /// under, or `None` for an entry that a search under any country may take (a whole
    /// border's zone lies in both of its countries).
    pub(super) fn new<'c>(
        keys: &[(&str, Vec<(u32, u32)>)],
        country_of: impl Fn(u32) -> Option<&'c str>,
    ) -> FuzzyIndex {
        let mut by_country: HashMap<Box<str>, usize> = HashMap::default();
        let mut everywhere = None;
        let mut gathered: Vec<Gathered<'_>> = Vec::new();
        // The last posting's country and group: neighbouring entries are mostly in one.
        let mut last: Option<(&str, usize)> = None;
        for &(k, ref postings) in keys {
            for &(entry, spelling) in postings {
                let country = country_of(entry);
                let group = match (country, last) {
                    (Some(c), Some((lc, g))) if c == lc => g,
                    (Some(c), _) => {
                        let g = *by_country.entry(c.into()).or_insert_with(|| {
                            gathered.push(Gathered::default());
                            gathered.len() - 1
                        });
                        last = Some((c, g));
                        g
                    }
                    (None, _) => *everywhere.get_or_insert_with(|| {
                        gathered.push(Gathered::default());
                        gathered.len() - 1
                    }),
                };
                gathered[group].add(k, entry, spelling);
            }
        }
        FuzzyIndex {
            groups: build_groups(&gathered),
            by_country,
            everywhere,
        }
    }

    /// Every (key, entry, spelling) in the index, in no particular order.
    pub(super) fn keys(&self) -> impl Iterator<Item = (&str, u32, u32)> {
        self.groups.iter().flat_map(Group::keys)
    }

    /// Each entry with a spelling at least [`FUZZY_THRESHOLD`] similar to `key` (a compact
    /// key of 4 characters or more), with its best score and that spelling (on a tie, the
    /// smaller key), in entry order: of every entry, or with a `country`, only of the
    /// entries that can be in it (the others are not scanned).
    pub(super) fn hits(&self, key: &str, country: Option<&str>) -> Arc<[FuzzyHit]> {
        let mut found: Vec<Arc<[FuzzyHit]>> = match country {
            Some(c) => self
                .by_country
                .get(c)
                .into_iter()
                .chain(&self.everywhere)
                .map(|&g| self.groups[g].hits(key))
                .collect(),
            None => self.groups.iter().map(|g| g.hits(key)).collect(),
        };
        found.retain(|hits| !hits.is_empty());
        if found.len() <= 1 {
            return found.pop().unwrap_or_else(|| Arc::new([]));
        }
        // A group holds every posting of its entries: the groups' hits are of different
        // entries, and together in entry order they are those of one index of all keys.
        let mut all: Vec<FuzzyHit> = found.iter().flat_map(|h| h.iter().copied()).collect();
        all.sort_unstable_by_key(|h| h.entry);
        all.into()
    }
}

/// Builds each group, the largest on a thread of its own (Pakistan's places hold three keys
/// in five): the index is built while every search that needs it waits. A plain thread,
/// not the pool's, since a pool thread waiting for it could take up another search that
/// needs the index being built.
fn build_groups(gathered: &[Gathered<'_>]) -> Vec<Group> {
    let Some(largest) = (0..gathered.len()).max_by_key(|&g| (gathered[g].keys.len(), g)) else {
        return Vec::new();
    };
    std::thread::scope(|scope| {
        let apart = scope.spawn(|| Group::new(&gathered[largest]));
        let mut rest: Vec<Option<Group>> = gathered
            .iter()
            .enumerate()
            .map(|(g, keys)| (g != largest).then(|| Group::new(keys)))
            .collect();
        rest[largest] = Some(
            apart
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        );
        rest.into_iter().flatten().collect()
    })
}

/// One group's keys as the index is built: each key (in key order) with its postings'
/// range in `postings`.
#[derive(Default)]
struct Gathered<'k> {
    keys: Vec<(&'k str, u32, u32)>,
    postings: Vec<(u32, u32)>,
}

impl<'k> Gathered<'k> {
    fn add(&mut self, key: &'k str, entry: u32, spelling: u32) {
        let at = self.postings.len() as u32;
        self.postings.push((entry, spelling));
        match self.keys.last_mut() {
            Some((last, _, end)) if std::ptr::eq(*last, key) => *end = at + 1,
            _ => self.keys.push((key, at, at + 1)),
        }
    }
}

impl Group {
    fn new(gathered: &Gathered<'_>) -> Group {
        // Per first character: each key with its length in characters and its postings.
        type Listed<'k> = (u32, &'k str, &'k [(u32, u32)]);
        let mut lists: HashMap<char, Vec<Listed<'_>>> = HashMap::default();
        for &(k, start, end) in &gathered.keys {
            let Some(c) = k.chars().next() else { continue };
            let chars = k.chars().count() as u32;
            let postings = &gathered.postings[start as usize..end as usize];
            lists.entry(c).or_default().push((chars, k, postings));
        }
        let by_initial = lists
            .into_iter()
            .map(|(c, mut list)| {
                list.sort_by_key(|&(chars, _, _)| chars);
                let mut initial = Initial {
                    keys: Vec::with_capacity(list.len()),
                    sets: Vec::with_capacity(list.len()),
                    heads: Vec::with_capacity(list.len()),
                    doubles: Vec::with_capacity(list.len()),
                    text: String::new(),
                    postings: Vec::new(),
                };
                for (chars, k, postings) in list {
                    let start = initial.text.len() as u32;
                    initial.text.push_str(k);
                    let postings_start = initial.postings.len() as u32;
                    initial.postings.extend_from_slice(postings);
                    initial.keys.push(FuzzyKey {
                        start,
                        end: initial.text.len() as u32,
                        chars,
                        postings_start,
                        postings_end: initial.postings.len() as u32,
                    });
                    initial.sets.push(pack(letter_mask(k), chars));
                    initial.heads.push(head(k));
                    initial.doubles.push(double_letters(k));
                }
                (c, initial)
            })
            .collect();
        Group {
            by_initial,
            remembered: Mutex::default(),
        }
    }

    fn keys(&self) -> impl Iterator<Item = (&str, u32, u32)> {
        self.by_initial.values().flat_map(|i| {
            i.keys.iter().flat_map(move |f| {
                i.postings(f)
                    .iter()
                    .map(move |&(entry, spelling)| (i.key(f), entry, spelling))
            })
        })
    }

    /// [`FuzzyIndex::hits`] among this group's entries.
    fn hits(&self, key: &str) -> Arc<[FuzzyHit]> {
        if let Some(known) = self.remembered().get(key) {
            return known.clone();
        }
        let hits: Arc<[FuzzyHit]> = self.work_out(key).into();
        let mut remembered = self.remembered();
        if remembered.len() < REMEMBERED_KEYS {
            remembered.insert(key.into(), hits.clone());
        }
        hits
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Arc<[FuzzyHit]>>> {
        // A panic elsewhere while holding the lock leaves only complete entries behind.
        self.remembered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn work_out(&self, key: &str) -> Vec<FuzzyHit> {
        let Some(initial) = key.chars().next().and_then(|c| self.by_initial.get(&c)) else {
            return Vec::new();
        };
        let len = key.chars().count() as u32;
        let query_mask = letter_mask(key);
        // Similar length only: a misspelling swaps, drops or adds one or two letters.
        let keys = &initial.keys;
        let from = keys.partition_point(|f| f.chars + FUZZY_LENGTH_SLACK < len);
        let to = keys
            .partition_point(|f| f.chars <= len + FUZZY_LENGTH_SLACK)
            .max(from);
        // For each length in the window, the fewest matching characters that can still
        // reach the threshold ([`letter_set_bound`]), so the loop tests integers.
        let shortest = len.saturating_sub(FUZZY_LENGTH_SLACK);
        // Winkler's bonus is 0.1 of the rest per character of common prefix: most keys share
        // only the first character with the query, and then need more.
        let needs: Vec<[u32; MAX_PREFIX + 1]> = (shortest..=len + FUZZY_LENGTH_SLACK)
            .map(|b_len| std::array::from_fn(|p| least_matches(len, b_len, p)))
            .collect();
        // Per entry: the best score, its spelling, and that spelling's key.
        let mut best: HashMap<u32, (f64, u32, &str)> = HashMap::default();
        let mut survivors = Vec::new();
        letter_set_survivors(
            KeyColumns {
                sets: &initial.sets[from..to],
                heads: &initial.heads[from..to],
                doubles: &initial.doubles[from..to],
            },
            LetterSetQuery {
                mask: query_mask,
                doubles: double_letters(key),
                head: head(key),
                len,
                shortest,
                needs: &needs,
            },
            &mut survivors,
        );
        // The survivors lie scattered over the window: their spans are read in one pass
        // (loads the processor overlaps), and each text is asked for a few keys ahead of
        // its similarity, so that the scan does not wait on memory key by key.
        let spans: Vec<(u32, u32)> = survivors
            .iter()
            .map(|&i| {
                let f = &keys[from + i as usize];
                (f.start, f.end)
            })
            .collect();
        let mut positions = [0u64; 128];
        for (j, (&i, &(start, end))) in survivors.iter().zip(&spans).enumerate() {
            if let Some(&(ahead, _)) = spans.get(j + PREFETCH_AHEAD) {
                prefetch(initial.text.as_bytes(), ahead as usize);
            }
            let f = &keys[from + i as usize];
            let other = &initial.text[start as usize..end as usize];
            let s = jaro_winkler_with(&mut positions, key, other);
            if s >= FUZZY_THRESHOLD {
                for &(entry, spelling) in initial.postings(f) {
                    let slot = best.entry(entry).or_insert((0.0, spelling, other));
                    if s > slot.0 || (s == slot.0 && other < slot.2) {
                        *slot = (s, spelling, other);
                    }
                }
            }
        }
        let mut hits: Vec<FuzzyHit> = best
            .into_iter()
            .map(|(entry, (score, spelling, _))| FuzzyHit {
                entry,
                spelling,
                score,
            })
            .collect();
        hits.sort_unstable_by_key(|h| h.entry);
        hits
    }
}

/// How many survivors ahead of the one being scored its text is fetched ([`prefetch`]).
const PREFETCH_AHEAD: usize = 4;

/// Asks the processor to bring `bytes[at]` into its cache (a hint: nothing is read).
#[inline(always)]
fn prefetch(bytes: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(b) = bytes.get(at) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch never faults and reads nothing; the address is inside `bytes`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(b).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (bytes, at);
}

/// The columns of a window of keys that the letter-set tests read: [`pack`]ed letter sets
/// and lengths, [`head`]s and [`double_letters`].
#[derive(Clone, Copy)]
struct KeyColumns<'a> {
    sets: &'a [u64],
    heads: &'a [u32],
    doubles: &'a [u32],
}

/// What the letter-set tests compare each key with: the query's letter set, double letters, first bytes
/// ([`head`]) and length, and per key length from `shortest` on and per common prefix, the
/// fewest matching characters that can reach the threshold ([`least_matches`]).
#[derive(Clone, Copy)]
struct LetterSetQuery<'a> {
    mask: u64,
    doubles: u32,
    head: u32,
    len: u32,
    shortest: u32,
    needs: &'a [[u32; MAX_PREFIX + 1]],
}

/// The positions in the window ([`KeyColumns`]) of the keys that pass the letter-set tests:
/// at most [`MAX_LETTERS_APART`] letters in one key and not the other, and enough
/// characters that can match for the threshold with their common prefix
/// ([`letter_set_bound`]'s reasoning). The prefix is counted in bytes, which is never less
/// than in characters, so the test never drops a key that could pass.
///
/// This scan reads every key of the window, and most fail the first test, so that test
/// runs alone first, over 64 keys at a time into a word of bits: written so that the
/// compiler can do it on vectors, built for CPUs with a vector popcount, with a scalar
/// popcount, and without either (chosen when the program runs).
fn letter_set_survivors(keys: KeyColumns<'_>, q: LetterSetQuery<'_>, out: &mut Vec<u32>) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512vpopcntdq")
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("popcnt")
        {
            // SAFETY: the CPU has the instructions the function is compiled for (checked above).
            unsafe { letter_set_survivors_avx512(keys, q, out) };
            return;
        }
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: as above.
            unsafe { letter_set_survivors_popcnt(keys, q, out) };
            return;
        }
    }
    letter_set_survivors_portable(keys, q, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
unsafe fn letter_set_survivors_avx512(
    keys: KeyColumns<'_>,
    q: LetterSetQuery<'_>,
    out: &mut Vec<u32>,
) {
    letter_set_survivors_portable(keys, q, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
unsafe fn letter_set_survivors_popcnt(
    keys: KeyColumns<'_>,
    q: LetterSetQuery<'_>,
    out: &mut Vec<u32>,
) {
    letter_set_survivors_portable(keys, q, out);
}

#[inline(always)]
fn letter_set_survivors_portable(keys: KeyColumns<'_>, q: LetterSetQuery<'_>, out: &mut Vec<u32>) {
    let mut near = Vec::with_capacity(keys.sets.len().div_ceil(64));
    near_letter_sets(keys.sets, q.mask, &mut near);
    for (word, &bits) in near.iter().enumerate() {
        let mut left = bits;
        while left != 0 {
            let i = word * 64 + left.trailing_zeros() as usize;
            left &= left - 1;
            if enough_letters_match(keys, &q, i) {
                out.push(i as u32);
            }
        }
    }
}

/// Per 64 keys, a word with bit j set where key j's letter set differs from the query's in
/// at most [`MAX_LETTERS_APART`] letters.
#[inline(always)]
fn near_letter_sets(sets: &[u64], query_mask: u64, out: &mut Vec<u64>) {
    for chunk in sets.chunks(64) {
        let mut bits = 0u64;
        for (j, &set) in chunk.iter().enumerate() {
            let apart = ((query_mask ^ set) & LETTER_BITS).count_ones();
            bits |= u64::from(apart <= MAX_LETTERS_APART) << j;
        }
        out.push(bits);
    }
}

/// The rest of the letter-set tests for key `i` of the window, whose letter set is near the
/// query's: enough characters can match for the threshold, on each side.
#[inline(always)]
fn enough_letters_match(keys: KeyColumns<'_>, q: &LetterSetQuery<'_>, i: usize) -> bool {
    let (mask, chars) = unpack(keys.sets[i]);
    let only_query = (q.mask & !mask).count_ones();
    let only_key = (mask & !q.mask).count_ones();
    let prefix = ((q.head ^ keys.heads[i]).trailing_zeros() / 8).min(MAX_PREFIX as u32);
    let need = q.needs[(chars - q.shortest) as usize][prefix as usize];
    let doubles = keys.doubles[i];
    let unmatched_query = only_query + (q.doubles & !doubles).count_ones();
    let unmatched_key = only_key + (doubles & !q.doubles).count_ones();
    q.len.saturating_sub(unmatched_query) >= need && chars.saturating_sub(unmatched_key) >= need
}

/// An upper bound of `strsim::jaro_winkler(a, b)` in one pass over `b`: a matching character
/// pairs equal characters, each used once, so at most `m` characters match, `m` being how
/// many of `b`'s characters `a`'s counts cover; Jaro is then at most (m/|a| + m/|b| + 1)/3,
/// and Winkler's bonus is the common prefix (up to 4 characters) times 0.1 of the rest.
/// Characters other than a–z and 0–9 share one count, which only loosens the bound. The
/// search no longer uses it (since the letter-set test counts double letters, it turned
/// away too few keys to pay for its pass); the tests check the letter-set bound against it.
#[cfg(test)]
fn jaro_winkler_bound(a: &str, a_len: u32, a_counts: &LetterCounts, b: &str, b_len: u32) -> f64 {
    let mut left = *a_counts;
    let mut m = 0u32;
    for c in b.chars() {
        let slot = &mut left[letter_slot(c)];
        if *slot > 0 {
            *slot -= 1;
            m += 1;
        }
    }
    if m == 0 {
        return 0.0;
    }
    let m = f64::from(m);
    let jaro = (m / f64::from(a_len) + m / f64::from(b_len) + 1.0) / 3.0;
    let prefix = common_prefix(a, b);
    (jaro + 0.1 * prefix as f64 * (1.0 - jaro)).min(1.0)
}

/// An upper bound of `strsim::jaro_winkler(a, b)` from the keys' lengths, letter sets,
/// double letters and common prefix, a test cheaper than [`jaro_winkler_bound`] (no pass
/// over the text): each letter of one key's set missing from the other's leaves at least one
/// of its characters unmatched, and so does each letter one key holds twice or more and the
/// other at most once (a letter the other lacks leaves both of its characters unmatched:
/// counted once by each test). So at most min(|a| − unmatched in a, |b| − unmatched in b)
/// characters match; Jaro is then at most (m/|a| + m/|b| + 1)/3, and Winkler's bonus 0.1
/// of the rest per prefix character. With the real prefix it is never below [`jaro_winkler_bound`] (that bound's m
/// counts letters, this one only their sets), less a margin for rounding, nor with a longer
/// prefix; the scan ([`letter_set_survivors`]) uses it with the prefix counted in bytes.
#[cfg(test)]
fn letter_set_bound(a: &str, b: &str, prefix: usize) -> f64 {
    let (a_len, b_len) = (a.chars().count() as u32, b.chars().count() as u32);
    let (a_mask, b_mask) = (letter_mask(a), letter_mask(b));
    let (a_doubles, b_doubles) = (double_letters(a), double_letters(b));
    let only_a = (a_mask & !b_mask).count_ones() + (a_doubles & !b_doubles).count_ones();
    let only_b = (b_mask & !a_mask).count_ones() + (b_doubles & !a_doubles).count_ones();
    let m = a_len
        .saturating_sub(only_a)
        .min(b_len.saturating_sub(only_b));
    matches_bound(m, a_len, b_len, prefix)
}

/// Jaro–Winkler's most for keys of these lengths when at most `m` characters match and they
/// share a prefix of `prefix` characters (Winkler counts up to [`MAX_PREFIX`]).
fn matches_bound(m: u32, a_len: u32, b_len: u32, prefix: usize) -> f64 {
    if m == 0 {
        return 0.0;
    }
    let m = f64::from(m);
    let jaro = (m / f64::from(a_len) + m / f64::from(b_len) + 1.0) / 3.0;
    (jaro + 0.1 * prefix as f64 * (1.0 - jaro)).min(1.0) + 1e-9
}

/// The fewest matching characters with which keys of these lengths and common prefix can
/// reach [`FUZZY_THRESHOLD`] by [`matches_bound`] (more than either length when none can).
fn least_matches(a_len: u32, b_len: u32, prefix: usize) -> u32 {
    (1..=a_len.min(b_len))
        .find(|&m| matches_bound(m, a_len, b_len, prefix) >= FUZZY_THRESHOLD)
        .unwrap_or(u32::MAX)
}

/// The most prefix characters Winkler's bonus counts.
const MAX_PREFIX: usize = 4;

/// A key's first four bytes (zeros past its end) as one word: the bytes two keys share from
/// the start are the trailing zero bytes of the two words' XOR.
fn head(key: &str) -> u32 {
    let mut bytes = [0u8; 4];
    for (b, k) in bytes.iter_mut().zip(key.bytes()) {
        *b = k;
    }
    u32::from_le_bytes(bytes)
}

/// How many of the first [`MAX_PREFIX`] characters two keys share.
#[cfg(test)]
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars()
        .take(MAX_PREFIX)
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many times a key has each letter and digit, with one shared count for anything else.
#[cfg(test)]
type LetterCounts = [u16; 37];

/// The count slot of one character in [`LetterCounts`].
#[cfg(test)]
fn letter_slot(c: char) -> usize {
    match c {
        'a'..='z' => (c as u8 - b'a') as usize,
        '0'..='9' => 26 + (c as u8 - b'0') as usize,
        _ => 36,
    }
}

/// A key's [`LetterCounts`].
#[cfg(test)]
fn letter_counts(key: &str) -> LetterCounts {
    let mut counts = [0u16; 37];
    for c in key.chars() {
        let slot = &mut counts[letter_slot(c)];
        *slot = slot.saturating_add(1);
    }
    counts
}

/// `strsim::jaro_winkler(a, b)`, bit for bit, computed without allocating for ASCII keys of
/// up to 64 characters (the matched flags in two words): most of the index's keys, and the
/// similarity is computed for thousands of them per misspelling.
#[cfg(test)]
fn jaro_winkler(a_text: &str, b_text: &str) -> f64 {
    jaro_winkler_with(&mut [0u64; 128], a_text, b_text)
}

/// [`jaro_winkler`] with the table of `b`'s byte positions lent by the caller: all zeros on
/// entry and again on return, so a scan zeroes it once rather than once per key.
fn jaro_winkler_with(positions: &mut [u64; 128], a_text: &str, b_text: &str) -> f64 {
    let (a, b) = (a_text.as_bytes(), b_text.as_bytes());
    if a.len() > 64
        || b.len() > 64
        || !a.is_ascii()
        || !b.is_ascii()
        || a.is_empty()
        || b.is_empty()
    {
        return strsim::jaro_winkler(a_text, b_text);
    }
    // strsim's `generic_jaro`, step for step: each character of `a` takes the first
    // character of `b` within the search range that is equal and not yet taken, found here
    // from the bits of `b`'s positions of each byte.
    let search_range = (a.len().max(b.len()) / 2).saturating_sub(1);
    for (j, &y) in b.iter().enumerate() {
        positions[y as usize] |= 1 << j;
    }
    let below = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &x) in a.iter().enumerate() {
        let low = i.saturating_sub(search_range);
        let high = b.len().min(i + search_range + 1);
        let free = positions[x as usize] & !b_flags & below(high) & !below(low);
        if free != 0 {
            a_flags |= 1 << i;
            b_flags |= free & free.wrapping_neg();
            matches += 1;
        }
    }
    for &y in b {
        positions[y as usize] = 0;
    }
    if matches == 0 {
        return 0.0;
    }
    // The matched characters of each, in order: a transposition where they differ.
    let mut transpositions = 0usize;
    let (mut a_left, mut b_left) = (a_flags, b_flags);
    while a_left != 0 {
        let (i, j) = (a_left.trailing_zeros(), b_left.trailing_zeros());
        if a[i as usize] != b[j as usize] {
            transpositions += 1;
        }
        a_left &= a_left - 1;
        b_left &= b_left - 1;
    }
    transpositions /= 2;
    let m = matches as f64;
    let sim =
        (m / a.len() as f64 + m / b.len() as f64 + (matches - transpositions) as f64 / m) / 3.0;
    if sim > 0.7 {
        let prefix = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Bits 0–35 of a packed set hold the letter set ([`letter_mask`]), the bits from here up
/// the key's length in characters.
const LENGTH_SHIFT: u32 = 40;

/// The bits of a packed set that hold its letter set.
const LETTER_BITS: u64 = (1 << LENGTH_SHIFT) - 1;

/// A key's letter set and length in one word.
fn pack(mask: u64, chars: u32) -> u64 {
    mask | u64::from(chars) << LENGTH_SHIFT
}

/// The letter set and length of [`pack`].
fn unpack(set: u64) -> (u64, u32) {
    (set & LETTER_BITS, (set >> LENGTH_SHIFT) as u32)
}

/// The letters a–z a key holds twice or more, as bits.
fn double_letters(key: &str) -> u32 {
    let (mut once, mut twice) = (0u32, 0u32);
    for b in key.bytes().filter(u8::is_ascii_lowercase) {
        let bit = 1 << (b - b'a');
        twice |= once & bit;
        once |= bit;
    }
    twice
}

/// The set of letters and digits in a key, as bits: a fast test of how different two names are.
fn letter_mask(key: &str) -> u64 {
    key.bytes().fold(0u64, |m, b| match b {
        b'a'..=b'z' => m | 1 << (b - b'a'),
        b'0'..=b'9' => m | 1 << (26 + b - b'0'),
        _ => m,
    })
}

#[cfg(test)]
mod tests;
