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
    let c = compact(s);
    if c.is_empty() {
        return None;
    }
    EVENT_TYPES
        .iter()
        .find(|(canon, _)| compact_chars(canon).eq(c.chars()))
        .map(|(canon, _)| *canon)
}

/// [`compact`] as an iterator, to compare without allocating.
fn compact_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

/// The event type to store: the canonical word when the text is a known type, else the text.
pub(crate) fn normalise_event_type(s: &str) -> String {
    canonical_event_type(s).map_or_else(|| s.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_spellings_become_canonical() {
        assert_eq!(normalise_event_type("drone strike"), "drone_strike");
        assert_eq!(normalise_event_type("Drone-Strike"), "drone_strike");
        assert_eq!(normalise_event_type("Air strike"), "airstrike");
        assert_eq!(
            normalise_event_type("Cross-border fire"),
            "cross_border_fire"
        );
        assert_eq!(normalise_event_type("SUICIDE BOMBING"), "suicide_bombing");
        assert_eq!(normalise_event_type("Border closure"), "border_closure");
    }

    #[test]
    fn free_text_is_kept_as_given() {
        assert_eq!(
            normalise_event_type("Shelling/artillery/missile attack"),
            "Shelling/artillery/missile attack"
        );
        assert_eq!(
            normalise_event_type("Bombing/Explosion"),
            "Bombing/Explosion"
        );
        assert_eq!(canonical_event_type("—"), None);
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
