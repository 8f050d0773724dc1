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
}

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
    let folded_prefix = |words: &[String], n: usize| fold(&words[..n.min(words.len())].join(" "));
    let strip_prefix = |words: &mut Vec<String>, list: &[&str]| -> bool {
        for p in list {
            let n = p.split(' ').count();
            if words.len() > n && folded_prefix(words, n) == *p {
                words.drain(..n);
                return true;
            }
        }
        false
    };
    let mut near = false;
    let mut border_zone = false;
    loop {
        if strip_prefix(&mut words, NEAR_PREFIXES) {
            near = true;
        } else if strip_prefix(&mut words, FILLER_PREFIXES) {
        } else if strip_prefix(
            &mut words,
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
    // Trailing qualifiers: "X border area", "X district".
    let mut kind_hint = None;
    loop {
        let tail = |words: &[String], n: usize| {
            if words.len() > n {
                fold(&words[words.len() - n..].join(" "))
            } else {
                String::new()
            }
        };
        let mut changed = false;
        for z in ZONE_WORDS {
            let n = z.split(' ').count();
            if tail(&words, n) == *z {
                words.truncate(words.len() - n);
                border_zone = true;
                changed = true;
                break;
            }
        }
        if !changed {
            let last = tail(&words, 1);
            let hint = match last.as_str() {
                "district" | "rayon" | "nohiya" | "agency" | "tehsil" | "woluswali" => {
                    Some(EntryKind::District)
                }
                "province" | "oblast" | "viloyat" | "wilayat" | "region" => {
                    Some(EntryKind::Province)
                }
                _ => None,
            };
            if hint.is_some() {
                kind_hint = kind_hint.or(hint);
                words.truncate(words.len() - 1);
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
    }
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
