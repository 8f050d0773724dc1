//! Name normalisation: the one place that decides when two spellings are "the same".
//!
//! Reports spell places in Latin and Cyrillic, with and without diacritics, apostrophes,
//! hyphens and administrative words ("Darvozskiy Rayon", "Nohiyai Darvoz", "Дарвоз"). Every
//! name in the gazetteer and every query goes through [`fold`] and [`strip_admin_words`] so
//! they meet in one form.

use unicode_normalization::UnicodeNormalization;

/// Words that say what kind of unit a name is rather than which one. Removed before matching.
pub const ADMIN_WORDS: &[&str] = &[
    "district",
    "districts",
    "rayon",
    "raion",
    "rajon",
    "raioni",
    "nohiyai",
    "nohiya",
    "nohiyah",
    "province",
    "provinsi",
    "oblast",
    "oblasti",
    "viloyat",
    "viloyati",
    "wilayat",
    "wilayah",
    "welayat",
    "velayat",
    "agency",
    "tehsil",
    "tahsil",
    "region",
    "city",
    "shahri",
    "shahr",
    "autonomous",
    "avtonomnaya",
    "oblast'",
    "woluswali",
    "uluswali",
    "subdivision",
    "division",
    "frontier",
    "protected",
    "area",
    "territory",
    "pradesh",
    "rayoni",
    "okrug",
    "sub",
];

/// Case-, diacritic- and script-folded form: NFKD, combining marks dropped, transliterated to
/// ASCII (Cyrillic, Arabic script), lower-cased, punctuation turned into single spaces.
/// Apostrophes and modifier letters vanish rather than split a word ("Qal'ai" → "qalai").
///
/// ```
/// use borderwatch::gazetteer::normalize::fold;
/// assert_eq!(fold("Shŭrobod"), "shurobod");
/// assert_eq!(fold("Шӯробод"), "shurobod");
/// assert_eq!(fold("Qal'ai-Khumb"), "qalai khumb");
/// ```
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        // Decomposition and transliteration leave ASCII as it is; the quote marks the
        // filter below drops, the last pass drops too.
        return fold_ascii(s);
    }
    fold_unicode(s)
}

/// [`fold`] for any text: decomposed, marks dropped, transliterated.
fn fold_unicode(s: &str) -> String {
    let stripped: String = s
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .filter(|c| {
            !matches!(
                c,
                '\'' | '’' | '‘' | 'ʻ' | 'ʼ' | '`' | '´' | 'ʿ' | 'ʾ' | '"'
            )
        })
        .collect();
    fold_ascii(&deunicode::deunicode_with_tofu(&stripped, " "))
}

/// The last pass of [`fold`]: lower case, letters and digits, one space between words.
fn fold_ascii(ascii: &str) -> String {
    let mut out = String::with_capacity(ascii.len());
    let mut space = true;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            space = false;
        } else if c == '\'' || c == '`' || c == '"' {
            // transliteration marks (soft/hard signs) carry no letter
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whether a folded word is one of [`ADMIN_WORDS`], by a hash lookup: every spelling and
/// query is tested word by word, and comparing with each of the list's words in turn was a
/// measurable part of a search.
pub fn is_admin_word(word: &str) -> bool {
    static SET: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::LazyLock::new(|| ADMIN_WORDS.iter().copied().collect());
    SET.contains(word)
}

/// Removes administrative words and Russian adjectival endings that come with them
/// ("darvozskiy rayon" → "darvoz", "khatlonskaya oblast" → "khatlon"). Leaves the name alone
/// if nothing else would remain ("Rayon" stays "rayon").
///
/// ```
/// use borderwatch::gazetteer::normalize::{fold, strip_admin_words};
/// assert_eq!(strip_admin_words(&fold("Darvozskiy Rayon")), "darvoz");
/// assert_eq!(strip_admin_words(&fold("Nohiyai Darvoz")), "darvoz");
/// ```
pub fn strip_admin_words(folded: &str) -> String {
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let had_admin = words.iter().any(|w| is_admin_word(w));
    let kept: Vec<String> = words
        .iter()
        .filter(|w| !is_admin_word(w))
        .map(|w| {
            if had_admin {
                adjective_stem(w).to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    if kept.is_empty() {
        folded.to_string()
    } else {
        kept.join(" ")
    }
}

/// The matching key of a name: folded, administrative words removed.
pub fn key(s: &str) -> String {
    strip_admin_words(&fold(s))
}

/// The key without spaces, so "Qalai Khumb", "Qalaikhumb" and "Shuro-obod" / "Shuroobod" meet.
pub fn compact(key: &str) -> String {
    key.chars().filter(|c| *c != ' ').collect()
}

/// `compact(&key(s))` in one pass over the folded words, without the intermediate strings:
/// the gazetteer computes it for each of its million spellings as it loads.
pub fn compact_key(s: &str) -> String {
    let folded = fold(s);
    let words = || folded.split(' ').filter(|w| !w.is_empty());
    let had_admin = words().any(is_admin_word);
    let mut out = String::with_capacity(folded.len());
    for w in words().filter(|w| !is_admin_word(w)) {
        out.push_str(if had_admin { adjective_stem(w) } else { w });
    }
    if out.is_empty() {
        compact(&folded)
    } else {
        out
    }
}

/// A word without the Russian adjectival ending that comes with an administrative word
/// ("darvozskiy" → "darvoz"), where a stem of three letters or more remains.
fn adjective_stem(w: &str) -> &str {
    for suffix in ["skiy", "skij", "skaya", "skaja", "sky", "ski"] {
        if let Some(stem) = w.strip_suffix(suffix)
            && stem.len() >= 3
        {
            return stem;
        }
    }
    w
}

/// The transliteration skeleton of a compact key: spellings of one name in different
/// romanisations meet here. x/kh, q/k, gh/g, w/v, ph/f, dzh/j/zh, e/i, y/i, ee/i, oo/u, ou/u,
/// -obod/-abad, and doubled letters ("Shamsiddin"/"Shamsidin", "Makeen"/"Makin",
/// "Qalaikhumb"/"Kalai-Khumb", "Pul-e-Khumri"/"Puli Khumri"). Coarser than the key, so a match
/// here is a variant, ranked after exact and alias matches.
///
/// ```
/// use borderwatch::gazetteer::normalize::variant;
/// assert_eq!(variant("makeen"), variant("makin"));
/// assert_eq!(variant("qalaikhumb"), variant("kalaikhumb"));
/// assert_eq!(variant("pulekhumri"), variant("pulikhumri"));
/// assert_eq!(variant("shurobod"), variant("shurabad"));
/// assert_ne!(variant("kabul"), variant("kapul"));
/// ```
pub fn variant(compact: &str) -> String {
    // The rules rewrite ASCII only, so they work on the bytes: an ASCII pattern never
    // matches inside a character of several bytes. Two buffers take turns. A rule whose
    // spelling needs a letter the text lacks cannot apply, and is skipped without a search
    // (most keys meet few rules; the lazy index takes the skeleton of every spelling).
    let mut s = compact.as_bytes().to_vec();
    let mut spare = Vec::with_capacity(s.len() + 8);
    let mut held = letter_bits(&s);
    for &(from, to, needs) in &SKELETON_RULES {
        if held & needs == needs && replace_into(&s, from, to, &mut spare) {
            std::mem::swap(&mut s, &mut spare);
            held = letter_bits(&s);
        }
    }
    // Doubled characters once ("kabull" → "kabul").
    let s = String::from_utf8(s).expect("ASCII rewrites keep UTF-8 whole");
    let mut out = String::with_capacity(s.len());
    let mut last = None;
    for c in s.chars() {
        if last != Some(c) {
            out.push(c);
            last = Some(c);
        }
    }
    out
}

/// [`variant`]'s rules in order: (spelling, replacement, the letters the spelling needs).
const SKELETON_RULES: [(&[u8], &[u8], u32); 15] = {
    const fn rule(from: &'static [u8], to: &'static [u8]) -> (&'static [u8], &'static [u8], u32) {
        (from, to, letter_bits(from))
    }
    [
        rule(b"dzh", b"j"),
        rule(b"dj", b"j"),
        rule(b"zh", b"j"),
        rule(b"x", b"kh"),
        rule(b"kh", b"k"),
        rule(b"q", b"k"),
        rule(b"gh", b"g"),
        rule(b"ph", b"f"),
        rule(b"w", b"v"),
        rule(b"obod", b"abad"),
        rule(b"ee", b"i"),
        rule(b"oo", b"u"),
        rule(b"ou", b"u"),
        rule(b"y", b"i"),
        rule(b"e", b"i"),
    ]
};

/// The letters a–z a text holds, as bits.
const fn letter_bits(s: &[u8]) -> u32 {
    let mut bits = 0u32;
    let mut i = 0;
    while i < s.len() {
        if s[i].is_ascii_lowercase() {
            bits |= 1 << (s[i] - b'a');
        }
        i += 1;
    }
    bits
}

/// `text` with every match of `from` (left to right, not overlapping) replaced by `to`,
/// written into `out`, as [`str::replace`] does; false (and `out` untouched) if there is none.
fn replace_into(text: &[u8], from: &[u8], to: &[u8], out: &mut Vec<u8>) -> bool {
    let mut at = 0;
    let mut found = false;
    while let Some(i) = memchr::memmem::find(&text[at..], from) {
        if !found {
            out.clear();
            found = true;
        }
        out.extend_from_slice(&text[at..at + i]);
        out.extend_from_slice(to);
        at += i + from.len();
    }
    if found {
        out.extend_from_slice(&text[at..]);
    }
    found
}

/// The key an event type is grouped by: folded, words joined by `_` ("Cross-border fire" →
/// `cross_border_fire`), so spellings from different sources land in one group.
pub fn event_type_key(s: &str) -> String {
    fold(s).replace(' ', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`variant`] as first written: every rule searched for in turn.
    fn variant_by_every_rule(compact: &str) -> String {
        let mut s = compact.to_string();
        for (from, to) in [
            ("dzh", "j"),
            ("dj", "j"),
            ("zh", "j"),
            ("x", "kh"),
            ("kh", "k"),
            ("q", "k"),
            ("gh", "g"),
            ("ph", "f"),
            ("w", "v"),
            ("obod", "abad"),
            ("ee", "i"),
            ("oo", "u"),
            ("ou", "u"),
            ("y", "i"),
            ("e", "i"),
        ] {
            if s.contains(from) {
                s = s.replace(from, to);
            }
        }
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if !out.ends_with(c) {
                out.push(c);
            }
        }
        out
    }

    /// Skipping the rules whose letters a key lacks changes no skeleton: checked on every
    /// spelling of the shipped gazetteer and on strings made of the rules' own letters
    /// (where one rule's output feeds the next).
    #[test]
    fn skipping_rules_gives_the_skeleton_every_rule_gives() {
        let g = crate::gazetteer::Gazetteer::embedded().unwrap();
        let mut n = 0;
        for e in g.entries() {
            for spelling in std::iter::once(&e.name).chain(&e.aliases) {
                let k = compact_key(spelling);
                assert_eq!(variant(&k), variant_by_every_rule(&k), "{k}");
                n += 1;
            }
        }
        assert!(n > 100_000);
        let alphabet = [
            'd', 'z', 'h', 'j', 'x', 'k', 'q', 'g', 'p', 'w', 'o', 'b', 'a', 'e', 'u', 'y', 'i',
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = 1 + (state % 9) as usize;
            let s: String = (0..len)
                .map(|i| alphabet[((state >> (8 + 5 * i)) % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(variant(&s), variant_by_every_rule(&s), "{s}");
        }
    }

    #[test]
    fn the_ascii_shortcut_folds_as_the_whole_path_does() {
        for s in [
            "Qal'ai-Khumb",
            "D.I. Khan",
            "  \"Mir Ali\" (NWA) ",
            "Bagan`, Lower  Kurram\t",
            "Chak 23/2-L",
            "",
            "' ' '",
            "Tirah_valley!!",
        ] {
            assert_eq!(fold(s), fold_unicode(s), "{s:?}");
        }
    }

    #[test]
    fn folds_scripts_and_marks() {
        assert_eq!(fold("Shamsiddin Shohin"), "shamsiddin shohin");
        assert_eq!(fold("  Khatlon   Province "), "khatlon province");
        assert_eq!(fold("Дарвоз"), "darvoz");
        assert_eq!(fold("Nohiyai Rŭshon"), "nohiyai rushon");
        assert_eq!(fold("Faīẕābād"), "faizabad");
    }

    #[test]
    fn strips_admin_words() {
        assert_eq!(key("Shuro-obod District"), "shuro obod");
        assert_eq!(compact(&key("Shuro-obod District")), "shuroobod");
        for name in [
            "Shuro-obod District",
            "Darvozskiy Rayon",
            "Khatlonskaya Oblast'",
            "Rayon",
            "  Nohiyai  Darvoz ",
            "Дарвозский район",
            "Qalai Khumb",
            "Kurram Agency",
            "",
            "District",
            "Skiy",
            "Bajaur Agency (FATA)",
        ] {
            assert_eq!(compact_key(name), compact(&key(name)), "{name:?}");
        }
        assert_eq!(key("Khatlonskaya oblast'"), "khatlon");
        assert_eq!(key("South Waziristan Agency"), "south waziristan");
        assert_eq!(key("District"), "district");
    }
}
