//! The symbol and colour of each event type on the maps (and in the report's map), by a
//! style number the maps keep per incident.

use crate::render::canvas::{Rgba, SymbolShape};

/// Symbol and colour of an event type (canonical names from the native vocabulary).
pub fn event_style(event_type: Option<&str>) -> (SymbolShape, Rgba, &'static str) {
    style(event_style_index(event_type))
}

/// The number of an event type's style ([`style`] gives the style): one byte, which the
/// maps keep per incident so that tallying a million incidents' types by place does not
/// read each record again.
pub fn event_style_index(event_type: Option<&str>) -> u8 {
    // Asked for every incident (once a run for the maps' columns, and per map and figure
    // by [`event_style`]).
    thread_local! {
        static SEEN: crate::memo::Seen<u8> = Default::default();
    }
    match event_type {
        Some(text) => crate::memo::remembered(&SEEN, text, |t| style_index_of(Some(t))),
        None => style_index_of(None),
    }
}

/// [`event_style_index`] worked out from the text.
fn style_index_of(event_type: Option<&str>) -> u8 {
    let t = event_type
        .map(crate::gazetteer::normalize::event_type_key)
        .unwrap_or_default();
    match t.as_str() {
        "drone_strike" => 0,
        "airstrike" => 1,
        "armed_incursion" => 2,
        "armed_clash" => 3,
        "cross_border_fire" | "shelling" => 4,
        "bombing" | "suicide_bombing" => 5,
        "border_closure" => 6,
        // UCDP GED's three types of violence.
        "state_based_violence" => 7,
        "non_state_violence" => 8,
        "one_sided_violence" => 9,
        _ => OTHER_STYLE,
    }
}

/// The style of event types with none of their own.
const OTHER_STYLE: u8 = 10;

/// The styles, by the numbers [`event_style_index`] gives (the last is "other").
const STYLES: [(SymbolShape, Rgba, &str); OTHER_STYLE as usize + 1] = [
    (
        SymbolShape::Diamond,
        Rgba::rgb(126, 47, 142),
        "drone strike",
    ),
    (SymbolShape::Diamond, Rgba::rgb(60, 80, 170), "airstrike"),
    (
        SymbolShape::Triangle,
        Rgba::rgb(200, 30, 45),
        "armed incursion",
    ),
    (SymbolShape::Circle, Rgba::rgb(215, 95, 20), "armed clash"),
    (
        SymbolShape::Triangle,
        Rgba::rgb(230, 140, 20),
        "cross-border fire, shelling",
    ),
    (SymbolShape::Square, Rgba::rgb(30, 30, 30), "bombing"),
    (
        SymbolShape::Cross,
        Rgba::rgb(80, 110, 120),
        "border closure",
    ),
    (
        SymbolShape::Circle,
        Rgba::rgb(31, 120, 180),
        "state-based violence (UCDP)",
    ),
    (
        SymbolShape::Circle,
        Rgba::rgb(51, 150, 44),
        "non-state violence (UCDP)",
    ),
    (
        SymbolShape::Square,
        Rgba::rgb(200, 40, 130),
        "one-sided violence (UCDP)",
    ),
    (SymbolShape::Circle, Rgba::rgb(110, 110, 110), "other"),
];

/// The style numbered `index` by [`event_style_index`] (past the last: "other").
pub fn style(index: u8) -> (SymbolShape, Rgba, &'static str) {
    STYLES[usize::from(index.min(OTHER_STYLE))]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The maps tally a place's event types by style number, so each number must be a style
    /// of its own (its label names it in the legend), and each type must get its own style.
    #[test]
    fn each_style_number_is_one_style_and_each_type_gets_its_own() {
        let labels: Vec<&str> = (0..=OTHER_STYLE).map(|i| style(i).2).collect();
        let mut distinct = labels.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), labels.len(), "{labels:?}");
        assert_eq!(style(OTHER_STYLE + 1).2, "other");
        let expected = [
            ("drone strike", "drone strike", SymbolShape::Diamond),
            ("Drone Strike", "drone strike", SymbolShape::Diamond),
            ("airstrike", "airstrike", SymbolShape::Diamond),
            ("armed incursion", "armed incursion", SymbolShape::Triangle),
            ("armed clash", "armed clash", SymbolShape::Circle),
            (
                "cross-border fire",
                "cross-border fire, shelling",
                SymbolShape::Triangle,
            ),
            (
                "shelling",
                "cross-border fire, shelling",
                SymbolShape::Triangle,
            ),
            ("bombing", "bombing", SymbolShape::Square),
            ("suicide bombing", "bombing", SymbolShape::Square),
            ("border closure", "border closure", SymbolShape::Cross),
            (
                "State-based violence",
                "state-based violence (UCDP)",
                SymbolShape::Circle,
            ),
            (
                "Non-state violence",
                "non-state violence (UCDP)",
                SymbolShape::Circle,
            ),
            (
                "One-sided violence",
                "one-sided violence (UCDP)",
                SymbolShape::Square,
            ),
            ("Battles", "other", SymbolShape::Circle),
            ("", "other", SymbolShape::Circle),
        ];
        for (text, label, shape) in expected {
            let (got_shape, _, got_label) = event_style(Some(text));
            assert_eq!((got_label, got_shape), (label, shape), "{text:?}");
        }
        assert_eq!(event_style(None).2, "other");
        // Every style but "other" is some type's.
        let used: std::collections::BTreeSet<&str> = expected.iter().map(|e| e.1).collect();
        assert_eq!(used.len(), labels.len(), "{used:?}");
    }
}
