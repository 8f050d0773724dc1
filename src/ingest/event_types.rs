//! The event-type vocabulary.
//!
//! Reports spell the same kind of event many ways ("Drone strike", "drone-strike",
//! "DRONE STRIKE"). Grouping and filtering need one spelling, so spellings of a known type are
//! rewritten to its canonical snake_case word. Anything else is kept exactly as given: the
//! vocabulary is a convenience, not a gate, and free text carries information.

/// Canonical event types and what each means, for the README and `--help` texts.
pub const EVENT_TYPES: &[(&str, &str)] = &[
    (
        "drone_strike",
        "strike by an unmanned aircraft (drone, UAV)",
    ),
    ("airstrike", "strike by a manned or unspecified aircraft"),
    (
        "armed_incursion",
        "armed forces or fighters crossing the border into the other country",
    ),
    (
        "armed_clash",
        "exchange of fire between armed forces or groups",
    ),
    (
        "cross_border_fire",
        "fire (small arms, mortars, rockets) aimed across the border without crossing it",
    ),
    ("shelling", "artillery, mortar or rocket bombardment"),
    (
        "bombing",
        "attack with a planted or thrown explosive device (IED, grenade)",
    ),
    (
        "suicide_bombing",
        "bombing in which the attacker dies by design",
    ),
    ("ambush", "surprise attack on a moving or stationary force"),
    ("kidnapping", "abduction or hostage-taking"),
    (
        "border_closure",
        "closure of a crossing point or of the border; no violence implied",
    ),
    (
        "statistic",
        "a reported figure (e.g. a province's yearly fatalities), not an event; left out of event counts",
    ),
    ("other", "reported incident that fits none of the above"),
];

/// The words reporters and datasets use, each with the native type it means. Matched like
/// the native words (case, spaces and punctuation ignored; a plural `s` too). Reporters'
/// words in English and in the Russian of Tajik border reports; ACLED sub-event types; GTD
/// attack types. UCDP GED's types of violence (state-based, non-state, one-sided) say who
/// fought, not how, and are kept as given; so are ACLED's and GTD's types that cover several
/// native types (`Explosions/Remote violence`, `Attack`, `Armed Assault`).
pub const VOCABULARY: &[(&str, &str, &str)] = &[
    // (word, native type, whose word)
    ("drone attack", "drone_strike", "reporters"),
    ("drone", "drone_strike", "reporters"),
    ("uav strike", "drone_strike", "reporters"),
    ("quadcopter attack", "drone_strike", "reporters"),
    ("quadcopter", "drone_strike", "reporters"),
    ("air raid", "airstrike", "reporters"),
    ("air strike", "airstrike", "reporters"),
    ("aerial bombardment", "airstrike", "reporters"),
    ("bombardment by aircraft", "airstrike", "reporters"),
    ("infiltration", "armed_incursion", "reporters"),
    ("infiltration attempt", "armed_incursion", "reporters"),
    ("incursion", "armed_incursion", "reporters"),
    ("border violation", "armed_incursion", "reporters"),
    ("exchange of fire", "armed_clash", "reporters"),
    ("border clash", "armed_clash", "reporters"),
    ("clash", "armed_clash", "reporters"),
    ("firefight", "armed_clash", "reporters"),
    ("gunfight", "armed_clash", "reporters"),
    ("shootout", "armed_clash", "reporters"),
    ("skirmish", "armed_clash", "reporters"),
    ("armed attack on post", "armed_clash", "reporters"),
    ("cross border firing", "cross_border_fire", "reporters"),
    ("cross border shooting", "cross_border_fire", "reporters"),
    ("firing across the border", "cross_border_fire", "reporters"),
    ("unprovoked firing", "cross_border_fire", "reporters"),
    ("rocket attack", "shelling", "reporters"),
    ("mortar attack", "shelling", "reporters"),
    ("mortar fire", "shelling", "reporters"),
    ("artillery fire", "shelling", "reporters"),
    ("cross border shelling", "shelling", "reporters"),
    ("ied", "bombing", "reporters"),
    ("ied blast", "bombing", "reporters"),
    ("ied attack", "bombing", "reporters"),
    ("roadside bomb", "bombing", "reporters"),
    ("bomb blast", "bombing", "reporters"),
    ("blast", "bombing", "reporters"),
    ("explosion", "bombing", "reporters"),
    ("grenade attack", "bombing", "reporters"),
    ("landmine", "bombing", "reporters"),
    ("suicide attack", "suicide_bombing", "reporters"),
    ("suicide bomber", "suicide_bombing", "reporters"),
    ("suicide blast", "suicide_bombing", "reporters"),
    ("suicide car bomb", "suicide_bombing", "reporters"),
    ("svbied", "suicide_bombing", "reporters"),
    ("abduction", "kidnapping", "reporters"),
    ("border closed", "border_closure", "reporters"),
    ("crossing closed", "border_closure", "reporters"),
    ("closure", "border_closure", "reporters"),
    ("statistics", "statistic", "reporters"),
    // Tajik border reports, in Russian.
    ("перестрелка", "armed_clash", "reporters (Russian)"),
    (
        "вооруженное столкновение",
        "armed_clash",
        "reporters (Russian)",
    ),
    ("столкновение", "armed_clash", "reporters (Russian)"),
    ("боестолкновение", "armed_clash", "reporters (Russian)"),
    (
        "нарушение границы",
        "armed_incursion",
        "reporters (Russian)",
    ),
    (
        "вооруженное нарушение границы",
        "armed_incursion",
        "reporters (Russian)",
    ),
    ("проникновение", "armed_incursion", "reporters (Russian)"),
    ("прорыв границы", "armed_incursion", "reporters (Russian)"),
    ("обстрел", "cross_border_fire", "reporters (Russian)"),
    (
        "обстрел с афганской территории",
        "cross_border_fire",
        "reporters (Russian)",
    ),
    ("артобстрел", "shelling", "reporters (Russian)"),
    ("минометный обстрел", "shelling", "reporters (Russian)"),
    ("атака беспилотника", "drone_strike", "reporters (Russian)"),
    ("удар беспилотника", "drone_strike", "reporters (Russian)"),
    ("атака дрона", "drone_strike", "reporters (Russian)"),
    ("авиаудар", "airstrike", "reporters (Russian)"),
    ("взрыв", "bombing", "reporters (Russian)"),
    ("подрыв", "bombing", "reporters (Russian)"),
    ("теракт смертника", "suicide_bombing", "reporters (Russian)"),
    ("засада", "ambush", "reporters (Russian)"),
    ("похищение", "kidnapping", "reporters (Russian)"),
    ("закрытие границы", "border_closure", "reporters (Russian)"),
    // ACLED sub-event types.
    ("Air/drone strike", "airstrike", "ACLED"),
    ("Shelling/artillery/missile attack", "shelling", "ACLED"),
    ("Remote explosive/landmine/IED", "bombing", "ACLED"),
    ("Suicide bomb", "suicide_bombing", "ACLED"),
    ("Grenade", "bombing", "ACLED"),
    ("Abduction/forced disappearance", "kidnapping", "ACLED"),
    // GTD attack types.
    ("Bombing/Explosion", "bombing", "GTD"),
    ("Hostage Taking (Kidnapping)", "kidnapping", "GTD"),
    ("Hostage Taking (Barricade Incident)", "kidnapping", "GTD"),
];

/// Letters and digits only, lowercased: "Cross-border fire", "cross border fire" and
/// "CROSS_BORDER_FIRE" all become "crossborderfire"; "air strike" matches "airstrike".
fn compact(s: &str) -> String {
    compact_chars(s).collect()
}

/// The canonical word for a spelling of a known event type, or `None` for free text.
pub(crate) fn canonical_event_type(s: &str) -> Option<&'static str> {
    // Files usually write the canonical word itself; that needs no compacting.
    if let Some((canon, _)) = EVENT_TYPES.iter().find(|(canon, _)| *canon == s) {
        return Some(canon);
    }
    // Not remembered here: a file repeats a handful of spellings a million times, and
    // `normalise_event_type` remembers each one's answer.
    canonical_uncached(s)
}

/// [`canonical_event_type`] worked out from the text.
fn canonical_uncached(s: &str) -> Option<&'static str> {
    let c = compact(s);
    if c.is_empty() {
        return None;
    }
    let table = lookup_table();
    let find = |c: &str| table.get(c).copied();
    find(&c).or_else(|| {
        // A plural: "airstrikes", "IEDs", "clashes".
        let singular = c
            .strip_suffix("es")
            .filter(|_| c.ends_with("shes") || c.ends_with("ches"))
            .or_else(|| c.strip_suffix('s'))?;
        find(singular)
    })
}

/// Every native word and vocabulary word, compacted, to its native type: built once.
fn lookup_table() -> &'static std::collections::HashMap<String, &'static str> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<String, &'static str>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = std::collections::HashMap::new();
        for (word, canon, _) in VOCABULARY.iter().rev() {
            m.insert(compact(word), *canon);
        }
        for (canon, _) in EVENT_TYPES {
            m.insert(compact(canon), *canon);
        }
        m
    })
}

/// [`compact`] as an iterator, to compare without allocating.
fn compact_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
}

/// The event type to store: the canonical word when the text is a known type, else the text
/// (shared as [`stored_event_type`] shares it). Remembered per thread as written, so a
/// spelling met again is one lookup, not the vocabulary's scan and two lookups.
pub(crate) fn normalise_event_type(s: &str) -> std::sync::Arc<str> {
    thread_local! {
        static STORED: crate::memo::Seen<std::sync::Arc<str>> = Default::default();
    }
    crate::memo::remembered(&STORED, s, |s| {
        stored_event_type(canonical_event_type(s).unwrap_or(s))
    })
}

/// `text` as a record's event type: one copy per spelling a thread meets, shared by every
/// record that names it. A file names a handful of types a million times, and a copy each
/// held 30 MB of a million-incident `run` (whose peak is bounded by 1 GiB).
pub(crate) fn stored_event_type(text: &str) -> std::sync::Arc<str> {
    thread_local! {
        static SHARED: crate::memo::Seen<std::sync::Arc<str>> = Default::default();
    }
    crate::memo::remembered(&SHARED, text, |t| t.into())
}

/// The shared copies of type texts [`Unknown::add`] counts apart per batch, at most: a few
/// types on each thread; past it (free text) records are filed one by one.
const COPIES_COUNTED_APART: usize = 32;

/// Event types a file gave that are not native words (kept as written), with how many
/// records carry each, for the note the reader files.
#[derive(Debug, Default)]
pub(crate) struct Unknown(std::collections::BTreeMap<String, u64>);

impl Unknown {
    pub(crate) fn add(&mut self, records: &[crate::model::IncidentRecord]) {
        // Records share their type's text (one copy per spelling and thread, see
        // [`stored_event_type`]), so the batch is first counted by copy, comparing places
        // rather than text, and each copy's count is filed once; past a few dozen copies
        // (free text) the rest are filed one by one.
        let mut by_copy: Vec<(&std::sync::Arc<str>, u64)> = Vec::new();
        for t in records.iter().filter_map(|r| r.event_type.as_ref()) {
            if let Some(entry) = by_copy
                .iter_mut()
                .find(|(copy, _)| std::sync::Arc::ptr_eq(copy, t))
            {
                entry.1 += 1;
            } else if by_copy.len() < COPIES_COUNTED_APART {
                by_copy.push((t, 1));
            } else {
                self.file(t, 1);
            }
        }
        for (t, n) in by_copy {
            self.file(t, n);
        }
    }

    /// Counts `n` more records of type `t`.
    fn file(&mut self, t: &str, n: u64) {
        // A type counted before is counted again without a copy of its text (a canonical
        // type is never counted, so the vocabulary need not be searched first).
        if let Some(count) = self.0.get_mut(t) {
            *count += n;
        } else if !EVENT_TYPES.iter().any(|(canon, _)| *canon == t) {
            self.0.insert(t.to_string(), n);
        }
    }

    /// `event types not in the vocabulary (kept as written): attack on cantonment (1), …`,
    /// the most frequent first, at most 12 named.
    pub(crate) fn note(&self) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        let mut v: Vec<(&String, &u64)> = self.0.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut shown: Vec<String> = v
            .iter()
            .take(12)
            .map(|(t, n)| format!("{} ({n})", super::row::clip(t)))
            .collect();
        if v.len() > 12 {
            shown.push(format!("and {} more", v.len() - 12));
        }
        Some(format!(
            "event types not in the vocabulary (kept as written): {}",
            shown.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Types not in the vocabulary are counted as one count per record would count them:
    /// shared and unshared copies of a text, canonical types (never counted), records
    /// without a type, and more distinct copies than are counted apart.
    #[test]
    fn unknown_types_are_counted_once_per_record() {
        use crate::model::{IncidentRecord, RecordOrigin, SourceFormat};
        let shared: Vec<std::sync::Arc<str>> = (0..COPIES_COUNTED_APART + 8)
            .map(|i| format!("free text {}", i % 20).into())
            .collect();
        let mut records: Vec<IncidentRecord> = Vec::new();
        for i in 0..400 {
            let mut r = crate::ingest::blank_record(
                i.to_string(),
                RecordOrigin {
                    file: "events.csv".into(),
                    line: i + 2,
                    format: SourceFormat::Native,
                },
            );
            r.event_type = match i % 5 {
                0 => None,
                1 => Some(stored_event_type("airstrike")),
                2 => Some(format!("unshared {}", i % 7).into()),
                _ => Some(shared[(i / 5) as usize % shared.len()].clone()),
            };
            records.push(r);
        }
        // One batch (over a hundred distinct copies) and batches of 97.
        let mut whole = Unknown::default();
        whole.add(&records);
        let mut counted = Unknown::default();
        for batch in records.chunks(97) {
            counted.add(batch);
        }
        let mut each: std::collections::BTreeMap<String, u64> = Default::default();
        for t in records.iter().filter_map(|r| r.event_type.as_deref()) {
            if !EVENT_TYPES.iter().any(|(canon, _)| *canon == t) {
                *each.entry(t.to_string()).or_default() += 1;
            }
        }
        assert_eq!(each.len(), 27);
        assert!(!each.contains_key("airstrike"));
        assert_eq!(counted.0, each);
        assert_eq!(whole.0, each);
    }

    #[test]
    fn known_spellings_become_canonical() {
        assert_eq!(&*normalise_event_type("drone strike"), "drone_strike");
        assert_eq!(&*normalise_event_type("Drone-Strike"), "drone_strike");
        assert_eq!(&*normalise_event_type("Air strike"), "airstrike");
        assert_eq!(
            &*normalise_event_type("Cross-border fire"),
            "cross_border_fire"
        );
        assert_eq!(&*normalise_event_type("SUICIDE BOMBING"), "suicide_bombing");
        assert_eq!(&*normalise_event_type("Border closure"), "border_closure");
    }

    #[test]
    fn records_naming_one_type_share_one_copy() {
        let a = normalise_event_type("Drone strike");
        let b = normalise_event_type("drone_strike");
        assert!(
            std::sync::Arc::ptr_eq(&a, &b),
            "two spellings of one canonical type"
        );
        let c = normalise_event_type("Explosions/Remote violence");
        let d = normalise_event_type("Explosions/Remote violence");
        assert!(std::sync::Arc::ptr_eq(&c, &d), "free text named twice");
    }

    #[test]
    fn free_text_is_kept_as_given() {
        assert_eq!(
            &*normalise_event_type("Explosions/Remote violence"),
            "Explosions/Remote violence"
        );
        assert_eq!(&*normalise_event_type("Armed Assault"), "Armed Assault");
        assert_eq!(&*normalise_event_type("protest"), "protest");
        assert_eq!(canonical_event_type("—"), None);
    }

    #[test]
    fn reporters_words_and_dataset_types() {
        for (word, canon) in [
            ("exchange of fire", "armed_clash"),
            ("Border clash", "armed_clash"),
            ("cross border firing", "cross_border_fire"),
            ("Cross-border firing", "cross_border_fire"),
            ("suicide attack", "suicide_bombing"),
            ("quadcopter attack", "drone_strike"),
            ("IED", "bombing"),
            ("IEDs", "bombing"),
            ("rocket attack", "shelling"),
            ("air raid", "airstrike"),
            ("Airstrikes", "airstrike"),
            ("clashes", "armed_clash"),
            ("infiltration", "armed_incursion"),
            ("Перестрелка", "armed_clash"),
            ("вооружённое столкновение", "armed_clash"),
            ("Shelling/artillery/missile attack", "shelling"),
            ("Air/drone strike", "airstrike"),
            ("Bombing/Explosion", "bombing"),
        ] {
            assert_eq!(&*normalise_event_type(word), canon, "{word}");
        }
    }

    #[test]
    fn vocabulary_maps_onto_native_types_once() {
        let mut seen = std::collections::HashMap::new();
        for (word, canon, _) in VOCABULARY {
            assert!(
                EVENT_TYPES.iter().any(|(c, _)| c == canon),
                "{word}: {canon}"
            );
            if let Some(other) = seen.insert(compact(word), *canon) {
                panic!("{word} twice: {other} and {canon}");
            }
        }
    }

    #[test]
    fn vocabulary_is_snake_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for (canon, desc) in EVENT_TYPES {
            assert!(
                canon.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{canon}"
            );
            assert!(!desc.is_empty());
            assert!(seen.insert(compact(canon)), "{canon}");
        }
    }
}
