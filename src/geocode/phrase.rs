//! Reading a free-text location phrase: "near Darvoz district", "border area of Khatlon",
//! "Khatlon border zone", "Afghan border (place not given)". The phrase decides the kind of
//! entry wanted and whether the location is approximate, before any name is looked up.

use crate::gazetteer::normalize::fold;
use crate::model::EntryKind;

/// What a location phrase asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    /// The name to look up, as written (qualifiers removed).
    pub core: String,
    /// "near X", "around X", "outskirts of X": the location is X's surroundings.
    pub near: bool,
    /// "border area of X", "X border zone": the stretch of border along X.
    pub border_zone: bool,
    /// "X district", "X province": the kind the writer meant.
    pub kind_hint: Option<EntryKind>,
    /// "X town", "X village": a word that says what sort of place X is was removed.
    pub settlement: bool,
    /// "X area", "X valley", "X check post", "X border crossing", "X road": the event was at a
    /// feature around or along X, not in X itself (read like "near X").
    pub surroundings: bool,
    /// "X road", "X highway", "X bypass": a route named after X, which runs far from X.
    pub along_route: bool,
}

/// Surroundings words naming a route: the event may lie anywhere along it.
const ROUTE_WORDS: &[&str] = &["road", "highway", "bypass", "motorway", "route", "railway"];

/// Words after a name that say it is a settlement: the place itself.
const SETTLEMENT_WORDS: &[&str] = &[
    "town",
    "township",
    "village",
    "vill",
    "city",
    "bazaar",
    "bazar",
    "market",
    "cantonment",
    "cantt",
    "headquarters",
    "hq",
];

/// Words after a name that put the event around or along the named place (multi-word first).
const SURROUNDINGS_WORDS: &[&str] = &[
    "border crossing point",
    "border crossing",
    "crossing point",
    "check post",
    "check point",
    "security post",
    "police post",
    "police station",
    "checkpost",
    "checkpoint",
    "crossing",
    "post",
    "area",
    "areas",
    "valley",
    "camp",
    "sector",
    "road",
    "highway",
    "bridge",
    "dam",
    "river",
    "pass",
    "mountains",
    "mountain",
    "hills",
    "hill",
    "range",
    "outskirts",
    "suburbs",
    "surroundings",
    "vicinity",
    "locality",
    "forest",
    "airport",
    "airfield",
    "air base",
    "airbase",
    "base",
    "garrison",
    "fort",
    "shrine",
    "mosque",
    "school",
    "hospital",
    "college",
    "university",
    "complex",
    "stream",
    "nullah",
    "gas field",
    "oil field",
    "field",
    "bypass",
    "chowk",
    "square",
    "station",
    "bus stand",
    "railway station",
    "police station",
    "jail",
    "prison",
];

/// Trailing words meaning "the district (or sub-district) X", misspellings included.
const DISTRICT_WORDS: &[&str] = &[
    "district",
    "distrcit",
    "disrict",
    "distric",
    "dist",
    "distt",
    "rayon",
    "nohiya",
    "agency",
    "woluswali",
    "uluswali",
];

/// Trailing words naming a sub-district: read as the area around the place of that name.
const SUBDISTRICT_WORDS: &[&str] = &[
    "tehsil",
    "tahsil",
    "teshsil",
    "tehseel",
    "tehsill",
    "subdivision",
    "jamoat",
];

const NEAR_PREFIXES: &[&str] = &[
    "near",
    "nr",
    "close to",
    "around",
    "outskirts of",
    "vicinity of",
    "in the vicinity of",
    "not far from",
];
const FILLER_PREFIXES: &[&str] = &["in", "at", "the", "in the", "at the", "on the"];
const ZONE_WORDS: &[&str] = &[
    "border area",
    "border zone",
    "border region",
    "border district",
    "frontier",
    "border",
];

/// Parses a location phrase. Parenthesised remarks ("(place not given)") are dropped.
///
/// ```
/// use borderwatch::geocode::phrase::parse;
/// let p = parse("border area of Khatlon");
/// assert!(p.border_zone);
/// assert_eq!(p.core, "Khatlon");
/// let p = parse("near Darvoz district");
/// assert!(p.near);
/// assert_eq!(p.core, "Darvoz");
/// ```
pub fn parse(text: &str) -> Phrase {
    // One record's text is parsed again by every lookup that reads it (under each
    // constraint, for each reading): the last few phrases of this thread are remembered.
    thread_local! {
        static RECENT: std::cell::RefCell<std::collections::VecDeque<(String, Phrase)>> =
            const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
    }
    const REMEMBERED: usize = 4;
    if let Some(p) = RECENT.with_borrow(|recent| {
        recent
            .iter()
            .find(|(t, _)| t == text)
            .map(|(_, p)| p.clone())
    }) {
        return p;
    }
    let p = parse_anew(text);
    RECENT.with_borrow_mut(|recent| {
        if recent.len() == REMEMBERED {
            recent.pop_front();
        }
        recent.push_back((text.to_string(), p.clone()));
    });
    p
}

fn parse_anew(text: &str) -> Phrase {
    let mut s = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = (depth - 1).max(0),
            _ if depth == 0 => s.push(c),
            _ => {}
        }
    }
    let mut words: Vec<String> = s.split_whitespace().map(str::to_string).collect();
    // Each word folded once: the folded text of several words is their folded words joined
    // (folding never joins or splits across a space), so the many prefixes and tails tested
    // below are compared word by word, without folding them again.
    let mut folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
    let strip_prefix = |words: &mut Vec<String>, folded: &mut Vec<String>, list: &[&str]| -> bool {
        for p in list {
            let n = word_count(p);
            if words.len() > n && folded_is(&folded[..n], p) {
                words.drain(..n);
                folded.drain(..n);
                return true;
            }
        }
        false
    };
    let mut near = false;
    let mut border_zone = false;
    loop {
        if strip_prefix(&mut words, &mut folded, NEAR_PREFIXES) {
            near = true;
        } else if strip_prefix(&mut words, &mut folded, FILLER_PREFIXES) {
        } else if strip_prefix(
            &mut words,
            &mut folded,
            &[
                "border area of",
                "border zone of",
                "border region of",
                "border areas of",
                "frontier of",
                "border of",
            ],
        ) {
            border_zone = true;
        } else {
            break;
        }
    }
    // Trailing qualifiers: "X border area", "X district", "X town", "X check post".
    let mut kind_hint = None;
    let mut settlement = false;
    let mut surroundings = false;
    let mut along_route = false;
    loop {
        // Whether the last `n` words (with at least one before them) fold to `w`.
        let tail_is = |folded: &[String], n: usize, w: &str| {
            folded.len() > n && folded_is(&folded[folded.len() - n..], w)
        };
        let mut changed = false;
        for w in [
            "border crossing point",
            "border crossing",
            "border post",
            "border check post",
        ] {
            let n = word_count(w);
            if tail_is(&folded, n, w) {
                words.truncate(words.len() - n);
                folded.truncate(words.len());
                surroundings = true;
                changed = true;
                break;
            }
        }
        for z in ZONE_WORDS.iter().filter(|_| !changed) {
            let n = word_count(z);
            if tail_is(&folded, n, z) {
                words.truncate(words.len() - n);
                folded.truncate(words.len());
                border_zone = true;
                changed = true;
                break;
            }
        }
        if !changed {
            for w in SURROUNDINGS_WORDS {
                let n = word_count(w);
                if tail_is(&folded, n, w) {
                    words.truncate(words.len() - n);
                    folded.truncate(words.len());
                    surroundings = true;
                    along_route |= ROUTE_WORDS.contains(w);
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            // The last word folded, when a word comes before it.
            let last = match folded.as_slice() {
                [_, .., last] => last.clone(),
                _ => String::new(),
            };
            if SETTLEMENT_WORDS.contains(&last.as_str()) {
                words.truncate(words.len() - 1);
                folded.truncate(words.len());
                settlement = true;
                continue;
            }
            let hint = if DISTRICT_WORDS.contains(&last.as_str()) {
                Some(EntryKind::District)
            } else if SUBDISTRICT_WORDS.contains(&last.as_str()) {
                // A tehsil is an area around its seat: the seat's place or the district.
                surroundings = true;
                words.truncate(words.len() - 1);
                folded.truncate(words.len());
                changed = true;
                None
            } else if matches!(
                last.as_str(),
                "province" | "oblast" | "viloyat" | "wilayat" | "region"
            ) {
                Some(EntryKind::Province)
            } else {
                None
            };
            if hint.is_some() {
                kind_hint = kind_hint.or(hint);
                words.truncate(words.len() - 1);
                folded.truncate(words.len());
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let core = words
        .join(" ")
        .trim_matches(|c: char| c == ',' || c == ';' || c == '.' || c.is_whitespace())
        .to_string();
    Phrase {
        core,
        near,
        border_zone,
        kind_hint,
        settlement,
        surroundings,
        along_route,
    }
}

/// Whether words folded one by one ([`fold`]) make the folded text `pattern` (words
/// separated by single spaces): the same test as folding the words joined. A phrase is
/// tested against a hundred patterns, and most differ from it in their first and last
/// words: those are compared first, without the word iterators.
fn folded_is(folded: &[String], pattern: &str) -> bool {
    let (Some(first), Some(last)) = (first_token(folded), last_token(folded)) else {
        return false;
    };
    let p = pattern.as_bytes();
    let starts = p.starts_with(first.as_bytes()) && p.get(first.len()).is_none_or(|&b| b == b' ');
    let ends = p.ends_with(last.as_bytes())
        && (p.len() == last.len() || p[p.len() - last.len() - 1] == b' ');
    starts
        && ends
        && folded
            .iter()
            .flat_map(|w| w.split(' '))
            .filter(|t| !t.is_empty())
            .eq(pattern.split(' '))
}

/// The first of the words' space-separated tokens that is not empty.
fn first_token(folded: &[String]) -> Option<&str> {
    folded.iter().find_map(|w| {
        let w = w.trim_start_matches(' ');
        let end = w.bytes().position(|b| b == b' ').unwrap_or(w.len());
        (end > 0).then(|| &w[..end])
    })
}

/// The last of the words' space-separated tokens that is not empty.
fn last_token(folded: &[String]) -> Option<&str> {
    folded.iter().rev().find_map(|w| {
        let w = w.trim_end_matches(' ');
        let start = w.bytes().rposition(|b| b == b' ').map_or(0, |at| at + 1);
        (start < w.len()).then(|| &w[start..])
    })
}

/// How many words a pattern of words separated by single spaces has.
fn word_count(pattern: &str) -> usize {
    1 + pattern.bytes().filter(|&b| b == b' ').count()
}

/// Abbreviations reports use for units, as folded words → the unit's name. "D.I. Khan" folds
/// to "d i khan"; "NWA" and "SWA" are the Waziristans.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("d i khan", "dera ismail khan"),
    ("di khan", "dera ismail khan"),
    ("dik", "dera ismail khan"),
    ("d g khan", "dera ghazi khan"),
    ("dg khan", "dera ghazi khan"),
    ("nwa", "north waziristan"),
    ("swa", "south waziristan"),
    ("kp", "khyber pakhtunkhwa"),
    ("kpk", "khyber pakhtunkhwa"),
    ("k p", "khyber pakhtunkhwa"),
    ("k p k", "khyber pakhtunkhwa"),
    ("nwfp", "khyber pakhtunkhwa"),
    ("n w f p", "khyber pakhtunkhwa"),
    ("gb", "gilgit baltistan"),
    ("gbao", "gorno badakhshan"),
    ("ajk", "azad kashmir"),
    ("ajandk", "azad kashmir"),
    ("fata", "federally administered tribal areas"),
    ("ict", "islamabad capital territory"),
    ("fr", "frontier region"),
];

/// The text with its abbreviations written out ("Mir Ali, NWA" → "mir ali, north
/// waziristan"; "Datta Khel NW" → "datta khel, north waziristan"), folded; `None` when there
/// is nothing to expand. Punctuation other than commas and brackets is folded away.
pub fn expand_abbreviations(text: &str) -> Option<String> {
    // Fold each comma/bracket-separated part on its own so the separators survive.
    let mut parts: Vec<(String, char)> = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if matches!(c, ',' | '(' | ')' | ';') {
            parts.push((fold(&cur), c));
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    parts.push((fold(&cur), ' '));
    let mut changed = false;
    let mut out = String::new();
    for (part, sep) in &parts {
        let mut words: Vec<&str> = part.split(' ').filter(|w| !w.is_empty()).collect();
        let mut expanded = String::new();
        // "X NW" / "X SW": the Waziristans after a place name.
        let tail = match words.last() {
            Some(&"nw") if words.len() > 1 => Some("north waziristan"),
            Some(&"sw") if words.len() > 1 => Some("south waziristan"),
            _ => None,
        };
        if tail.is_some() {
            words.pop();
        }
        let mut i = 0;
        while i < words.len() {
            let mut hit = None;
            for n in (1..=4).rev() {
                if i + n <= words.len() {
                    let phrase = words[i..i + n].join(" ");
                    if let Some((_, full)) = ABBREVIATIONS.iter().find(|(a, _)| *a == phrase) {
                        hit = Some((n, *full));
                        break;
                    }
                }
            }
            if !expanded.is_empty() {
                expanded.push(' ');
            }
            match hit {
                Some((n, full)) => {
                    expanded.push_str(full);
                    changed = true;
                    i += n;
                }
                None => {
                    expanded.push_str(words[i]);
                    i += 1;
                }
            }
        }
        if let Some(t) = tail {
            expanded.push_str(", ");
            expanded.push_str(t);
            changed = true;
        }
        out.push_str(&expanded);
        if *sep != ' ' {
            out.push(*sep);
            if matches!(*sep, ',' | ';') {
                out.push(' ');
            }
        }
    }
    changed.then(|| out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Splits "X (Y)" and "X, Y" into the place and the unit or place it lies in: reports write
/// "Gardai (Bajaur)", "Sui, Dera Bugti". Only the last qualifier is taken ("A, B, C" → "A, B"
/// inside "C"); text without one gives `None`.
pub fn split_qualifier(text: &str) -> Option<(&str, &str)> {
    let t = text.trim();
    if let Some(inner) = t.strip_suffix(')')
        && let Some(open) = inner.rfind('(')
    {
        let (core, qual) = (inner[..open].trim(), inner[open + 1..].trim());
        if !core.is_empty() && !qual.is_empty() {
            return Some((core, qual));
        }
    }
    let comma = t.rfind(',')?;
    let (core, qual) = (t[..comma].trim(), t[comma + 1..].trim());
    (!core.is_empty() && !qual.is_empty()).then_some((core, qual))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-by-word test is the test on the folded text of the words joined, whatever
    /// the words fold to (nothing, several words, punctuation only).
    #[test]
    fn folded_is_compares_the_folded_text() {
        let phrases = [
            "Mir Ali border area",
            "near  the Torkham border crossing point",
            "D.I. Khan district",
            "Chaman -- check post",
            "... border",
            "border",
            "Border Crossing",
            "Angoor Adda, border crossing",
            "",
        ];
        let patterns = [
            "border crossing point",
            "border crossing",
            "border",
            "d i khan district",
            "check post",
            "near the",
            "mir ali border area",
            "khan district",
        ];
        for phrase in phrases {
            let folded: Vec<String> = phrase.split_whitespace().map(fold).collect();
            for n in 0..=folded.len() {
                for part in [&folded[..n], &folded[folded.len() - n..]] {
                    for p in patterns {
                        let joined = fold(&part.join(" "));
                        assert_eq!(folded_is(part, p), joined == p, "{part:?} / {p}");
                    }
                }
            }
        }
    }

    #[test]
    fn reads_qualifiers() {
        let p = parse("Khatlon border zone");
        assert_eq!(
            (p.core.as_str(), p.border_zone, p.near),
            ("Khatlon", true, false)
        );
        let p = parse("Afghan border (place not given)");
        assert_eq!((p.core.as_str(), p.border_zone), ("Afghan", true));
        let p = parse("near Shamsiddin Shohin district");
        assert_eq!(
            (p.core.as_str(), p.near, p.kind_hint),
            ("Shamsiddin Shohin", true, Some(EntryKind::District))
        );
        let p = parse("Kabul");
        assert_eq!(
            (p.core.as_str(), p.near, p.border_zone, p.kind_hint),
            ("Kabul", false, false, None)
        );
        let p = parse("Khatlon Province");
        assert_eq!(
            (p.core.as_str(), p.kind_hint),
            ("Khatlon", Some(EntryKind::Province))
        );
    }

    #[test]
    fn reads_feature_words() {
        let p = parse("Gardai Area");
        assert_eq!((p.core.as_str(), p.surroundings), ("Gardai", true));
        let p = parse("Chaman town");
        assert_eq!(
            (p.core.as_str(), p.settlement, p.surroundings),
            ("Chaman", true, false)
        );
        let p = parse("Angoor Adda border crossing");
        assert_eq!(
            (p.core.as_str(), p.surroundings, p.border_zone),
            ("Angoor Adda", true, false)
        );
        let p = parse("Tirah valley");
        assert_eq!((p.core.as_str(), p.surroundings), ("Tirah", true));
        let p = parse("Kurram Distrcit");
        assert_eq!(
            (p.core.as_str(), p.kind_hint),
            ("Kurram", Some(EntryKind::District))
        );
        let p = parse("Khatlon border area");
        assert_eq!((p.core.as_str(), p.border_zone), ("Khatlon", true));
        let p = parse("Angoor Adda road");
        assert_eq!(
            (p.core.as_str(), p.surroundings, p.along_route),
            ("Angoor Adda", true, true)
        );
        let p = parse("Tirah valley");
        assert!(!p.along_route);
        let p = parse("Gandao village, Bara teshsil");
        assert_eq!(
            (p.core.as_str(), p.surroundings),
            ("Gandao village, Bara", true)
        );
    }

    #[test]
    fn expands_abbreviations() {
        assert_eq!(
            expand_abbreviations("Mir Ali, NWA").as_deref(),
            Some("mir ali, north waziristan")
        );
        assert_eq!(
            expand_abbreviations("Datta Khel NW").as_deref(),
            Some("datta khel, north waziristan")
        );
        assert_eq!(
            expand_abbreviations("D.I. Khan").as_deref(),
            Some("dera ismail khan")
        );
        assert_eq!(
            expand_abbreviations("KPK").as_deref(),
            Some("khyber pakhtunkhwa")
        );
        assert_eq!(expand_abbreviations("Sui (Dera Bugti)"), None);
    }

    #[test]
    fn qualifiers_split_off() {
        assert_eq!(
            split_qualifier("Gardai (Bajaur)"),
            Some(("Gardai", "Bajaur"))
        );
        assert_eq!(
            split_qualifier("Sui, Dera Bugti"),
            Some(("Sui", "Dera Bugti"))
        );
        assert_eq!(split_qualifier("A, B, C"), Some(("A, B", "C")));
        assert_eq!(split_qualifier("Darvoz"), None);
        assert_eq!(split_qualifier("(Bajaur)"), None);
    }
}
