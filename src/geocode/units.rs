//! The units a record states (country, province, district), as found in the gazetteer: the
//! hard limits of the search for its place text ([`super::names`]).

use super::lookup_phrase;
use super::names::{prominence, readings};
use crate::gazetteer::{Candidate, Constraint, Gazetteer, NameMatch};
use crate::model::{EntryKind, GazetteerEntry, IncidentRecord};

/// The units a record states, as found in the gazetteer.
#[derive(Debug, Default)]
pub(super) struct Context<'g> {
    pub country: Option<&'g GazetteerEntry>,
    pub province: Option<&'g GazetteerEntry>,
    pub district: Option<&'g GazetteerEntry>,
    /// A stated district the gazetteer lacks, by the town it is named after inside the stated
    /// province ([`district_seat`]).
    pub district_seat: Option<&'g GazetteerEntry>,
    /// Stated units that could not be found ("admin2 \"Kohistan\" not found in …").
    pub not_found: Vec<String>,
}

impl<'g> Context<'g> {
    pub(super) fn country_code(&self) -> Option<String> {
        self.country.map(|c| c.country.clone())
    }

    /// Country and province as a search constraint.
    pub(super) fn within_province(&self) -> Constraint {
        Constraint {
            country: self.country_code(),
            province_id: self.province.and_then(|p| p.province_id.clone()),
            ..Default::default()
        }
    }

    /// The tightest stated unit: the hard limit of the search.
    pub(super) fn tightest(&self) -> Option<&'g GazetteerEntry> {
        self.district.or(self.province).or(self.country)
    }
}

/// Looks a unit's name up (province or district) in the readings of its text; fuzzy
/// matches are accepted (there are few units under a constraint).
fn find_unit<'g>(g: &'g Gazetteer, text: &str, c: &Constraint) -> Option<&'g GazetteerEntry> {
    let mut fuzzy = None;
    for reading in readings(text) {
        let hits = lookup_phrase(g, &reading, c);
        match hits.first() {
            Some(h) if h.how != NameMatch::Fuzzy => return Some(h.entry),
            Some(h) if fuzzy.is_none() => fuzzy = Some(h.entry),
            _ => {}
        }
    }
    fuzzy
}

/// Finds the record's stated province and district. The district is searched inside the
/// province (a former FATA agency inside Khyber Pakhtunkhwa too); a district not found there
/// is looked for in the whole country only when no province was found.
pub(super) fn context<'g>(
    g: &'g Gazetteer,
    r: &IncidentRecord,
    country: Option<&'g GazetteerEntry>,
) -> Context<'g> {
    let mut ctx = Context {
        country,
        ..Default::default()
    };
    if let Some(a1) = r.admin1.as_deref().filter(|t| !t.trim().is_empty()) {
        let c = Constraint {
            country: ctx.country_code(),
            kinds: vec![EntryKind::Province],
            ..Default::default()
        };
        ctx.province = find_unit(g, a1, &c);
        if ctx.province.is_none() {
            ctx.not_found
                .push(format!("admin1 {a1:?} is not a known province"));
        }
    }
    if let Some(a2) = r.admin2.as_deref().filter(|t| !t.trim().is_empty()) {
        let c = Constraint {
            kinds: vec![EntryKind::District],
            ..ctx.within_province()
        };
        ctx.district = find_unit(g, a2, &c);
        if ctx.district.is_none() && ctx.province.is_none() {
            let c = Constraint {
                kinds: vec![EntryKind::District],
                country: ctx.country_code(),
                ..Default::default()
            };
            ctx.district = find_unit(g, a2, &c);
        }
        match (ctx.district, ctx.province) {
            (None, Some(p)) => {
                ctx.not_found.push(format!(
                    "admin2 {a2:?} is not a known district of {}",
                    p.name
                ));
                ctx.district_seat = district_seat(g, a2, &ctx);
            }
            (None, None) => ctx
                .not_found
                .push(format!("admin2 {a2:?} is not a known district")),
            _ => {}
        }
    }
    ctx
}

/// The town a district the gazetteer lacks is named after, inside the stated province: the
/// extract has no outlines for several districts (most of Azad Kashmir's; Gilgit-Baltistan's
/// newer ones such as Skardu, split from Baltistan), and districts take their seat's name.
/// Only a place matched as written (or another spelling of it) counts, and only when it is
/// the one place of the name there or clearly the most prominent (a town or seat among
/// hamlets); otherwise the record stays at its province.
fn district_seat<'g>(
    g: &'g Gazetteer,
    text: &str,
    ctx: &Context<'g>,
) -> Option<&'g GazetteerEntry> {
    let c = Constraint {
        kinds: vec![EntryKind::Place],
        ..ctx.within_province()
    };
    for reading in readings(text) {
        let hits: Vec<Candidate<'g>> = lookup_phrase(g, &reading, &c)
            .into_iter()
            .filter(|h| h.how != NameMatch::Fuzzy)
            .collect();
        return match hits.as_slice() {
            [] => continue,
            [only] => Some(only.entry),
            [first, second, ..] if prominence(first.entry) < prominence(second.entry) => {
                Some(first.entry)
            }
            _ => None,
        };
    }
    None
}
