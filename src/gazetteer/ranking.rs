//! The order of a query's candidates, best first: what a search answers with when several
//! entries match a name.

use super::{Candidate, NameMatch, normalize, user_places};
use crate::model::{EntryKind, GazetteerEntry};
use rustc_hash::FxHashMap as HashMap;

/// Orders a query's candidates, best first: by score; the user's own places (they know
/// which place they mean); [`kind_rank`]; how the name matched; then, among candidates still
/// equal, fewer administrative words the query did not write ([`extra_admin_words`]); an
/// alias hit whose entry's own name begins with the query ("Malakand" → "Malakand PA")
/// before one that only shares a spelling (a division's name given to its districts); more
/// people; [`feature_rank`]; and the id. The stable sort by the first keys leaves the
/// candidates still equal side by side, and only those need the tie-breakers that fold
/// text: a misspelling's hundreds of candidates mostly differ in score.
pub(super) fn order_candidates(candidates: &mut [Candidate<'_>], query: &str, key: &str) {
    let mine = |c: &Candidate<'_>| !user_places::is_user_place(c.entry);
    let first_keys = |a: &Candidate<'_>, b: &Candidate<'_>| {
        b.score
            .total_cmp(&a.score)
            .then(mine(a).cmp(&mine(b)))
            .then(kind_rank(a.entry).cmp(&kind_rank(b.entry)))
            .then(a.how.cmp(&b.how))
    };
    candidates.sort_by(first_keys);
    let folded_query = normalize::fold(query);
    let query_words: Vec<&str> = folded_query.split(' ').collect();
    // Worked out once per distinct name or spelling: a common name has hundreds of
    // candidates.
    let mut name_begins: HashMap<&str, bool> = HashMap::default();
    let mut extra_words: HashMap<&str, usize> = HashMap::default();
    let mut start = 0;
    while start < candidates.len() {
        let end = start
            + candidates[start..]
                .iter()
                .position(|c| first_keys(&candidates[start], c).is_ne())
                .unwrap_or(candidates.len() - start);
        if end - start > 1 {
            let run = &candidates[start..end];
            // Tied candidates share how they matched; most often their spelling too, and
            // then neither text tie-breaker can tell them apart.
            let same_spelling = run.iter().all(|c| c.matched == run[0].matched);
            let exact = run[0].how == NameMatch::Exact;
            // Each candidate with its tie-breakers worked out once, not in every comparison:
            // extra administrative words, no affinity, more people, feature rank.
            let mut keyed: Vec<(Candidate<'_>, TieBreakers)> = run
                .iter()
                .map(|c| {
                    let extra = if same_spelling {
                        0
                    } else {
                        *extra_words
                            .entry(c.matched)
                            .or_insert_with(|| extra_admin_words(c.matched, &query_words))
                    };
                    let affinity = !exact
                        && !*name_begins.entry(&c.entry.name).or_insert_with(|| {
                            normalize::compact_key(&c.entry.name).starts_with(key)
                        });
                    let people = std::cmp::Reverse(c.entry.population.unwrap_or(0));
                    (c.clone(), (extra, affinity, people, feature_rank(c.entry)))
                })
                .collect();
            keyed.sort_by(|(a, a_keys), (b, b_keys)| {
                a_keys
                    .cmp(b_keys)
                    .then(a.entry.id.len().cmp(&b.entry.id.len()))
                    .then(a.entry.id.cmp(&b.entry.id))
            });
            for (slot, (c, _)) in candidates[start..end].iter_mut().zip(keyed) {
                *slot = c;
            }
        }
        start = end;
    }
}

/// A tied candidate's tie-breakers, in order: extra administrative words, no affinity with
/// the query, more people first, feature rank.
type TieBreakers = (usize, bool, std::cmp::Reverse<u64>, u8);

/// How many administrative words a spelling has that the query does not ("Frontier Region
/// Lakki Marwat" for "Lakki Marwat": 2): the plainer name is the one meant. The query comes
/// as its folded words.
fn extra_admin_words(spelling: &str, query_words: &[&str]) -> usize {
    normalize::fold(spelling)
        .split(' ')
        .filter(|w| normalize::is_admin_word(w) && !query_words.contains(w))
        .count()
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

    /// The word-at-a-time count of administrative words is the count over the folded text.
    #[test]
    fn extra_admin_words_counts_the_folded_words() {
        let queries = ["lakki marwat", "lakki marwat district", ""];
        for spelling in [
            "Frontier Region Lakki Marwat",
            "Lakki Marwat District",
            "DISTRICT-Lakki  (Marwat) area",
            "Dis'trict Lakki",
            "Tehsil`s Sub-Division",
            "Lakki Marwat districtsubdivisionareaxx",
            "",
            "  ",
            "Raion",
            "Лаккі Марват район",
        ] {
            for q in queries {
                let words: Vec<&str> = q.split(' ').collect();
                let expected = normalize::fold(spelling)
                    .split(' ')
                    .filter(|w| normalize::ADMIN_WORDS.contains(w) && !words.contains(w))
                    .count();
                assert_eq!(
                    extra_admin_words(spelling, &words),
                    expected,
                    "{spelling} / {q}"
                );
            }
        }
        assert_eq!(
            extra_admin_words("Frontier Region Lakki Marwat", &["lakki", "marwat"]),
            2
        );
    }
}
