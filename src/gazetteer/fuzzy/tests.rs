//! Tests of the fuzzy index: its bounds against the similarity, its scans against a
//! per-key test, its hits against comparing the query with every key.

use super::*;

/// The bounds that skip Jaro–Winkler computations never fall below the similarity, the
/// cheaper one never below the finer one, and the similarity without allocation is
/// strsim's, bit for bit.
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
        "дарваз",
        "میرانشاه",
        "میرعلی",
        "makeen",
        "makin",
    ];
    // And every word of up to 5 letters over a three-letter alphabet: repeated letters,
    // shared and partly shared prefixes, transpositions.
    let mut words: Vec<String> = vec![String::new()];
    for _ in 0..5 {
        let longer: Vec<String> = words
            .iter()
            .filter(|w| w.len() == words.last().map_or(0, String::len))
            .flat_map(|w| ["a", "b", "c"].map(|c| format!("{w}{c}")))
            .collect();
        words.extend(longer);
    }
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !w.is_empty())
        .chain(keys)
        .collect();
    assert_eq!(words.len(), 363 + keys.len());
    for &a in &words {
        for &b in &words {
            let (la, lb) = (a.chars().count() as u32, b.chars().count() as u32);
            let bound = jaro_winkler_bound(a, la, &letter_counts(a), b, lb);
            let s = strsim::jaro_winkler(a, b);
            assert_eq!(jaro_winkler(a, b).to_bits(), s.to_bits(), "{a} / {b}");
            let sets = letter_set_bound(a, b, common_prefix(a, b));
            assert!(sets >= bound, "{a} / {b}: letter sets {sets} < {bound}");
            let longest = letter_set_bound(a, b, MAX_PREFIX);
            assert!(
                longest >= sets,
                "{a} / {b}: longest prefix {longest} < {sets}"
            );
            // The scan's prefix, in bytes, is never shorter than the one in characters.
            let bytes = ((head(a) ^ head(b)).trailing_zeros() / 8).min(MAX_PREFIX as u32);
            assert!(
                bytes as usize >= common_prefix(a, b),
                "{a} / {b}: prefix {bytes}"
            );
            assert!(bound + 1e-12 >= s, "{a} / {b}: bound {bound} < {s}");
        }
    }
}

/// Every build of the scan (vector popcount, scalar popcount, portable) keeps exactly the
/// keys that a plain test of each key keeps.
#[test]
fn every_build_of_the_scan_keeps_the_same_keys() {
    // Keys over a small alphabet, of one initial and lengths 5-12, so that many are near.
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let keys: Vec<String> = (0..3000)
        .map(|_| {
            let len = 5 + next() % 8;
            std::iter::once('k')
                .chain((1..len).map(|_| b"aeikhlmnrst12"[(next() % 13) as usize] as char))
                .collect()
        })
        .collect();
    let sets: Vec<u64> = keys
        .iter()
        .map(|k| pack(letter_mask(k), k.len() as u32))
        .collect();
    let heads: Vec<u32> = keys.iter().map(|k| head(k)).collect();
    let doubles: Vec<u32> = keys.iter().map(|k| double_letters(k)).collect();
    let columns = KeyColumns {
        sets: &sets,
        heads: &heads,
        doubles: &doubles,
    };
    for query in ["khalilnaser", "kmaren", "ksthalimna1", "kalamkhel"] {
        let len = query.len() as u32;
        let shortest = 5;
        let needs: Vec<[u32; MAX_PREFIX + 1]> = (shortest..=13)
            .map(|b_len| std::array::from_fn(|p| least_matches(len, b_len, p)))
            .collect();
        let q = LetterSetQuery {
            mask: letter_mask(query),
            doubles: double_letters(query),
            head: head(query),
            len,
            shortest,
            needs: &needs,
        };
        let expected: Vec<u32> = (0..keys.len())
            .filter(|&i| {
                (q.mask ^ unpack(sets[i]).0).count_ones() <= MAX_LETTERS_APART
                    && enough_letters_match(columns, &q, i)
            })
            .map(|i| i as u32)
            .collect();
        assert!(!expected.is_empty(), "{query}: nothing near");
        let mut portable = Vec::new();
        letter_set_survivors_portable(columns, q, &mut portable);
        assert_eq!(portable, expected, "{query}: portable");
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("popcnt") {
                let mut got = Vec::new();
                // SAFETY: the CPU has the instruction (checked above).
                unsafe { letter_set_survivors_popcnt(columns, q, &mut got) };
                assert_eq!(got, expected, "{query}: popcnt");
            }
            if std::arch::is_x86_feature_detected!("avx512vpopcntdq")
                && std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("popcnt")
            {
                let mut got = Vec::new();
                // SAFETY: as above.
                unsafe { letter_set_survivors_avx512(columns, q, &mut got) };
                assert_eq!(got, expected, "{query}: avx512");
            }
        }
    }
}

fn index(keys: &[&str]) -> FuzzyIndex {
    let mut keys: Vec<(&str, Vec<(u32, u32)>)> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, vec![(i as u32, 0)]))
        .collect();
    keys.sort();
    FuzzyIndex::new(&keys, country_of)
}

/// The test indexes' entries lie in turn in Afghanistan, in Pakistan and under any country.
fn country_of(entry: u32) -> Option<&'static str> {
    [Some("AF"), Some("PK"), None][entry as usize % 3]
}

/// The hits a search under `country` finds among `all`: those of its entries and of the
/// entries found under any country.
fn under(all: &[FuzzyHit], country: &str) -> Vec<FuzzyHit> {
    all.iter()
        .filter(|h| country_of(h.entry).is_none_or(|c| c == country))
        .copied()
        .collect()
}

/// The index finds exactly what comparing the query with every key finds.
#[test]
fn hits_are_those_of_a_comparison_with_every_key() {
    let keys = [
        "darvoz",
        "darvaz",
        "drvoz",
        "darovz",
        "darvozabad",
        "kalaikhum",
        "qalaikhumb",
        "kalaikhumb",
        "miranshah",
        "miramshah",
        "miranshahcamp",
        "dattakhel",
        "datakhel",
        "dattakheyl",
    ];
    let g = index(&keys);
    for q in [
        "darvoz",
        "davroz",
        "kalaikhumb",
        "miranshha",
        "datakhel",
        "zzzz",
    ] {
        let mut expected: Vec<FuzzyHit> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                let score = strsim::jaro_winkler(q, k);
                let apart = (letter_mask(q) ^ letter_mask(k)).count_ones();
                let (lq, lk) = (q.chars().count() as i64, k.chars().count() as i64);
                let near = k.chars().next() == q.chars().next() && (lq - lk).abs() <= 3;
                (score >= FUZZY_THRESHOLD && apart <= MAX_LETTERS_APART && near).then_some(
                    FuzzyHit {
                        entry: i as u32,
                        spelling: 0,
                        score,
                    },
                )
            })
            .collect();
        expected.sort_by_key(|h| h.entry);
        assert!(
            q == "zzzz" || !expected.is_empty(),
            "{q}: a test with nothing to find"
        );
        assert_eq!(&*g.hits(q, None), &expected[..], "{q}");
        // Remembered: the same answer the second time.
        assert_eq!(&*g.hits(q, None), &expected[..], "{q}, again");
        for country in ["AF", "PK", "TJ"] {
            let theirs = under(&expected, country);
            assert_eq!(&*g.hits(q, Some(country)), &theirs[..], "{q} in {country}");
        }
    }
}

/// Keys that several entries share, and entries with several close spellings: each
/// entry's best score, with the smaller key on a tie and that key's spelling, as
/// comparing the query with every (key, entry, spelling) finds.
#[test]
fn shared_keys_give_every_entry_its_best_spelling() {
    // (key, postings): entry 1 has three spellings, entries 0 and 2 share "darvaz".
    let keys: Vec<(&str, Vec<(u32, u32)>)> = vec![
        ("darvaz", vec![(0, 1), (1, 2), (2, 0)]),
        ("darvoz", vec![(1, 0), (3, 0)]),
        ("darvozi", vec![(1, 1), (4, 2)]),
        ("drvoz", vec![(5, 0)]),
        ("kalaikhumb", vec![(6, 0), (7, 0), (8, 3)]),
    ];
    let g = FuzzyIndex::new(&keys, country_of);
    for q in ["darvoz", "darvaz", "davroz", "darvozy", "kalaikhmub"] {
        // Every (entry, score, key, spelling) that passes, then per entry the highest
        // score, the smaller key among equals, and the first spelling of that key.
        let mut passing: Vec<(u32, f64, &str, u32)> = keys
            .iter()
            .filter(|(k, _)| {
                let (lq, lk) = (q.chars().count() as i64, k.chars().count() as i64);
                strsim::jaro_winkler(q, k) >= FUZZY_THRESHOLD
                    && (letter_mask(q) ^ letter_mask(k)).count_ones() <= MAX_LETTERS_APART
                    && k.chars().next() == q.chars().next()
                    && (lq - lk).abs() <= 3
            })
            .flat_map(|(k, postings)| {
                let score = strsim::jaro_winkler(q, k);
                postings.iter().map(move |&(e, sp)| (e, score, *k, sp))
            })
            .collect();
        passing.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(b.2)));
        passing.dedup_by_key(|p| p.0);
        let expected: Vec<FuzzyHit> = passing
            .into_iter()
            .map(|(entry, score, _, spelling)| FuzzyHit {
                entry,
                spelling,
                score,
            })
            .collect();
        assert!(expected.len() >= 2, "{q}: shared keys to tell apart");
        assert_eq!(&*g.hits(q, None), &expected[..], "{q}");
        for country in ["AF", "PK"] {
            let theirs = under(&expected, country);
            assert_eq!(&*g.hits(q, Some(country)), &theirs[..], "{q} in {country}");
        }
    }
}
