//! Placing a record by the names it gives: its country, province and district bound the
//! search (hard limits), its place text is read as reports write it, and every answer's radius
//! covers where the place can be.
//!
//! The order of evidence, tightest unit first:
//! 1. the place text matched as written (or as another spelling or romanisation) inside the
//!    stated district — its polygon, or failing that its circle;
//! 2. without a stated district, inside the stated province; without either, the country;
//! 3. a close spelling (fuzzy) only inside a stated district or province, answered with a
//!    radius as wide as the district around it;
//! 4. otherwise the stated district, province or country itself (a stated district the
//!    gazetteer lacks: the town it is named after, its radius covering the province).
//!
//! A name found only outside the stated units is not taken: it is offered as a candidate in
//! the review list. The one exception is a town or village named as written just outside the
//! stated district, whose name is rare (reports give a district before its split, or the one
//! next door): it is taken with a radius that covers the stated district as well.
//!
//! Several equally good places of one name inside the unit give an ambiguous answer whose
//! circle covers all of them (or the unit, if that is smaller).

use super::phrase;
use super::units::Context;
use super::{NEAR_EXTRA_KM, lookup_phrase};
use crate::gazetteer::user_places::is_user_place;
use crate::gazetteer::{Candidate, Constraint, Gazetteer, NameMatch};
use crate::geo_util::{km, km_bounds, km_exceeds};
use crate::model::{EntryKind, GazetteerEntry, LocateMethod, Location, PrecisionClass};
use crate::model::{Review, ReviewKind};
use std::sync::Arc;

/// The spellings of a text worth trying: as written, then with abbreviations written out.
pub(super) fn readings(text: &str) -> Vec<String> {
    let mut out = vec![text.trim().to_string()];
    if let Some(x) = phrase::expand_abbreviations(text)
        && !x.is_empty()
        && x != out[0]
    {
        out.push(x);
    }
    // "FR Tank - Jandola": the unit, then a place in it.
    if let Some((first, _)) = text.split_once(" - ")
        && !first.trim().is_empty()
    {
        out.push(first.trim().to_string());
    }
    // "Kabul, a Chinese restaurant": the first part names the place.
    if let Some(first) = text.split([',', ';']).map(str::trim).next()
        && first.len() < text.trim().len()
        && !first.is_empty()
    {
        out.push(first.to_string());
    }
    out
}

/// What the place text gave.
pub(super) enum Outcome {
    Placed(Location),
    /// Nothing inside the stated units: the candidates found elsewhere, for the review list,
    /// and the nearest place of the name just outside the stated district, if any.
    NotFound(Vec<String>, Option<JustOutside>),
}

/// A place named as written that lies just outside the stated district (reports often give
/// the district a place belonged to before a boundary change, or its neighbour's). It is not
/// taken — the stated unit bounds the answer — but the fallback's radius is widened to
/// cover it, so the stated uncertainty contains the place the text names.
pub(super) struct JustOutside {
    /// Its distance from the district's point, km.
    pub km: f64,
    /// The place as a review line names it.
    pub described: String,
}

/// How far beyond a district's radius a place of the name still counts as "just outside"
/// (about a district's width in the tribal areas and Balochistan's smaller districts).
const JUST_OUTSIDE_KM: f64 = 60.0;

/// Whether a name is a Pashtun clan's ("Tori Khel", "Mamuzai", "Qamar Khel"): villages take
/// the names of the clans that live there, so a report naming one may mean the clan's lands,
/// not the village the gazetteer has.
fn clan_name(core: &str) -> bool {
    let folded = crate::gazetteer::normalize::fold(core);
    let last = folded.rsplit(' ').next().unwrap_or("");
    matches!(last, "khel" | "khail" | "kheyl" | "khels")
        || (last.len() > 5 && ["zai", "zay", "zaee"].iter().any(|s| last.ends_with(s)))
}

/// A place without population that is no administrative seat: a village.
fn is_village(e: &GazetteerEntry) -> bool {
    e.kind == EntryKind::Place
        && e.population.is_none()
        && !matches!(
            e.feature_code.as_deref(),
            Some("PPLC" | "PPLA" | "PPLA2" | "PPLA3" | "PPLA4")
        )
        && !is_user_place(e)
}

/// Whether a place lies in a district next to `d` (their circles overlap): reports often give
/// the district next door, so a fallback to `d` reaches a place of the name there.
fn neighbouring(g: &Gazetteer, d: &GazetteerEntry, e: &GazetteerEntry) -> bool {
    district_of(g, e).is_some_and(|other| {
        other.id != d.id && km(d.lon, d.lat, other.lon, other.lat) < d.radius_km + other.radius_km
    })
}

/// A candidate as a review line: "Name (district, province [CC]; 12 km from X)".
fn describe(e: &GazetteerEntry, from: Option<&GazetteerEntry>) -> String {
    let mut s = format!("{} ({}", e.name, e.id);
    for part in [e.district.as_deref(), e.province.as_deref()]
        .into_iter()
        .flatten()
    {
        s.push_str(", ");
        s.push_str(part);
    }
    s.push_str(&format!(" [{}]", e.country));
    if let Some(u) = from {
        s.push_str(&format!(
            "; {:.0} km from {}",
            km(e.lon, e.lat, u.lon, u.lat),
            u.name
        ));
    }
    s.push(')');
    s
}

/// How prominent a place is among namesakes: towns of 10,000 people, then seats, then the rest.
pub(super) fn prominence(e: &GazetteerEntry) -> (u8, u8) {
    let town = match e.kind {
        EntryKind::Place if e.population.unwrap_or(0) >= 10_000 => 0,
        EntryKind::Place if e.population.unwrap_or(0) >= 1_000 => 1,
        _ => 2,
    };
    let seat = match e.feature_code.as_deref() {
        Some("PPLC" | "PPLA" | "PPLA2" | "PPLA3" | "PPLA4") => 0,
        _ => 1,
    };
    (town, seat)
}

/// The hits that are as good as the first and too far from it to be the same place. A town
/// or seat outranks hamlets of its name; GeoNames lists some places twice a few km apart.
fn rivals<'a, 'g>(hits: &'a [Candidate<'g>]) -> Vec<&'a Candidate<'g>> {
    let Some(best) = hits.first() else {
        return Vec::new();
    };
    let named = |h: &Candidate<'_>| h.how != NameMatch::Fuzzy;
    // A user's own place is the one they mean.
    if is_user_place(best.entry) {
        return Vec::new();
    }
    hits[1..]
        .iter()
        .filter(|h| {
            named(h) == named(best)
                && (best.how != NameMatch::Fuzzy || h.score >= best.score - 0.02)
                && h.entry.kind == best.entry.kind
                && prominence(h.entry) <= prominence(best.entry)
                && km_exceeds(
                    best.entry.lon,
                    best.entry.lat,
                    h.entry.lon,
                    h.entry.lat,
                    best.entry.radius_km + h.entry.radius_km + 2.0,
                )
        })
        .collect()
}

/// The precision class a circle of this radius is worth.
fn precision_for_radius(radius_km: f64) -> PrecisionClass {
    if radius_km <= 5.0 {
        PrecisionClass::Exact
    } else if radius_km <= 30.0 {
        PrecisionClass::Near
    } else if radius_km <= 120.0 {
        PrecisionClass::District
    } else {
        PrecisionClass::Province
    }
}

/// A circle covering every entry given (centre: the mean point; radius to the farthest
/// entry's own edge).
fn covering_circle(entries: &[&GazetteerEntry]) -> (f64, f64, f64) {
    let n = entries.len() as f64;
    let lon = entries.iter().map(|e| e.lon).sum::<f64>() / n;
    let lat = entries.iter().map(|e| e.lat).sum::<f64>() / n;
    // Only the entries that can be the farthest, by the sphere's bounds, are measured on
    // the ellipsoid: the farthest is among them, so the radius is the same.
    let reach: Vec<(f64, f64)> = entries
        .iter()
        .map(|e| {
            let (low, high) = km_bounds(lon, lat, e.lon, e.lat);
            (low + e.radius_km, high + e.radius_km)
        })
        .collect();
    let floor = reach.iter().map(|r| r.0).fold(0.0, f64::max);
    let r = entries
        .iter()
        .zip(&reach)
        .filter(|(_, r)| r.1 >= floor)
        .map(|(e, _)| km(lon, lat, e.lon, e.lat) + e.radius_km)
        .fold(0.0, f64::max);
    (lon, lat, (r * 10.0).ceil() / 10.0)
}

/// The district around an entry (its own, or the stated one), for the width of fuzzy answers.
fn district_of<'g>(g: &'g Gazetteer, e: &'g GazetteerEntry) -> Option<&'g GazetteerEntry> {
    if e.kind == EntryKind::District {
        return Some(e);
    }
    e.district_id.as_deref().and_then(|d| g.get(d))
}

/// The least radius of an answer that is a named place (km): the gazetteer's points for
/// villages come from GeoNames and lie a few km from where other surveys put the same village.
pub const PLACE_POSITION_KM: f64 = 5.0;

pub(super) fn location_from_entry(
    e: &GazetteerEntry,
    score: f64,
    text: &str,
    near: bool,
) -> Location {
    let mut precision = e.kind.precision();
    // A user's own place keeps the radius they gave it.
    let mut radius = if e.kind == EntryKind::Place && !is_user_place(e) {
        e.radius_km.max(PLACE_POSITION_KM)
    } else {
        e.radius_km
    };
    if near {
        radius += NEAR_EXTRA_KM;
        if precision == PrecisionClass::Exact {
            precision = PrecisionClass::Near;
        }
    }
    Location {
        lon: e.lon,
        lat: e.lat,
        precision,
        radius_km: radius,
        method: LocateMethod::Exact,
        gazetteer_id: Some(e.id.as_str().into()),
        gazetteer_name: Some(e.name.as_str().into()),
        score,
        stretch: e.stretch.clone().map(Box::new),
        matched_text: Some(text.into()),
        ambiguous: false,
        alternatives: Vec::new(),
        explanation: "".into(),
        admin: None,
        review: None,
    }
}

/// The sentence for a matched entry: "location \"X\" is place Y [PK], Khyber Pakhtunkhwa".
fn matched_sentence(field: &str, text: &str, best: &Candidate<'_>) -> String {
    let e = best.entry;
    let mut s = format!(
        "{field} {text:?} {} {} {} [{}]{}",
        match best.how {
            NameMatch::Exact => "is",
            NameMatch::Alias => "is another spelling of",
            NameMatch::Variant => "is another romanisation of",
            NameMatch::Fuzzy => "is close to",
        },
        e.kind,
        e.name,
        e.country,
        e.province
            .as_deref()
            .filter(|_| e.kind != EntryKind::Province)
            .map(|p| format!(", {p}"))
            .unwrap_or_default(),
    );
    if best.how == NameMatch::Fuzzy {
        s.push_str(&format!(
            " (similarity {:.2} to {:?})",
            best.score, best.matched
        ));
    }
    s
}

/// Turns the hits found inside a unit into a location: the first hit, or (when namesakes
/// inside the unit are equally good) a circle covering them all, or the unit itself where that
/// is smaller. `unit` is the stated unit the hits lie in, if any.
pub(super) fn from_hits(
    g: &Gazetteer,
    hits: &[Candidate<'_>],
    text: &str,
    near: bool,
    field: &str,
    unit: Option<&GazetteerEntry>,
) -> Option<Location> {
    let best = hits.first()?;
    let mut loc = location_from_entry(best.entry, best.score, text, near);
    loc.method = match (best.entry.kind, best.how) {
        (EntryKind::BorderZone, _) => LocateMethod::BorderZone,
        (_, NameMatch::Exact) => LocateMethod::Exact,
        (_, NameMatch::Alias | NameMatch::Variant) => LocateMethod::Alias,
        (_, NameMatch::Fuzzy) => LocateMethod::Fuzzy,
    };
    let mut expl = matched_sentence(field, text, best);
    let rivals = rivals(hits);
    if !rivals.is_empty() && best.entry.kind != EntryKind::BorderZone {
        let mut all: Vec<&GazetteerEntry> = vec![best.entry];
        all.extend(rivals.iter().map(|h| h.entry));
        let (lon, lat, radius) = covering_circle(&all);
        // The point lies among the namesakes. Inside a stated district the circle is widened
        // to cover the district (the place meant may be a namesake the gazetteer lacks);
        // elsewhere the unit is taken where it is smaller than the circle.
        let (lon, lat, radius, what) = match unit {
            // Without a stated district the gazetteer may lack the place meant anywhere in
            // the province or country: the radius covers the unit.
            Some(u) => {
                let cover = km(lon, lat, u.lon, u.lat) + u.radius_km;
                (
                    lon,
                    lat,
                    radius.max((cover * 10.0).ceil() / 10.0),
                    format!("a point among them, the radius covering {}", u.name),
                )
            }
            _ => (lon, lat, radius, "a circle covering them".to_string()),
        };
        loc.lon = lon;
        loc.lat = lat;
        loc.radius_km = radius + if near { NEAR_EXTRA_KM } else { 0.0 };
        loc.precision = precision_for_radius(loc.radius_km).max(loc.precision);
        loc.ambiguous = true;
        loc.gazetteer_id = match unit {
            Some(u) if what.starts_with(&u.kind.to_string()) => Some(u.id.as_str().into()),
            _ => None,
        };
        loc.gazetteer_name = loc
            .gazetteer_id
            .as_ref()
            .and(unit.map(|u| u.name.as_str().into()));
        loc.alternatives = all
            .iter()
            .take(4)
            .map(|e| format!("{} ({})", e.name, e.id))
            .collect();
        expl = format!(
            "{field} {text:?}: AMBIGUOUS, {} {}s of this name{} ({}{}); placed at {what}, radius {} km",
            all.len(),
            best.entry.kind,
            unit.map(|u| format!(" in {}", u.name)).unwrap_or_default(),
            all.iter()
                .take(3)
                .map(|e| describe(e, None))
                .collect::<Vec<_>>()
                .join("; "),
            if all.len() > 3 { "; …" } else { "" },
            loc.radius_km
        );
        loc.review = Some(Arc::new(Review {
            kind: ReviewKind::Ambiguous,
            tried: format!("{field}={text}"),
            why: format!("{} places of this name are about equally good", all.len()),
            candidates: all.iter().take(3).map(|e| describe(e, unit)).collect(),
        }));
    } else {
        if best.how == NameMatch::Fuzzy {
            // A close spelling may be a different place: as wide as the district around it.
            if let Some(d) = unit
                .filter(|u| u.kind == EntryKind::District)
                .or_else(|| district_of(g, best.entry))
            {
                let cover = km(best.entry.lon, best.entry.lat, d.lon, d.lat) + d.radius_km;
                loc.radius_km = loc.radius_km.max((cover * 10.0).ceil() / 10.0);
                loc.precision = loc.precision.max(PrecisionClass::District);
                expl.push_str(&format!(
                    "; a close spelling, so the radius covers {}",
                    d.name
                ));
            }
            loc.review = Some(Arc::new(Review {
                kind: ReviewKind::Fuzzy,
                tried: format!("{field}={text}"),
                why: format!(
                    "not found as written; {:?} is the closest spelling (similarity {:.2})",
                    best.matched, best.score
                ),
                candidates: hits
                    .iter()
                    .take(3)
                    .map(|h| describe(h.entry, unit))
                    .collect(),
            }));
        }
        expl.push_str(&format!(", radius {} km", loc.radius_km));
    }
    if let Some(s) = &best.entry.stretch {
        expl.push_str(&format!(
            "; a line: {} km {:.0}–{:.0}",
            s.border_id, s.km_from, s.km_to
        ));
    }
    if near {
        expl.push_str(&format!("; \"near\" adds {NEAR_EXTRA_KM} km"));
    }
    loc.explanation = expl.into();
    Some(loc)
}

/// A name shared by this many places in the country is common: a single match of it inside
/// the stated district may be a namesake the gazetteer lacks, so the answer's radius covers
/// the district.
const COMMON_NAME_PLACES: usize = 3;

/// How many distinct places (more than a few km apart) the hits name.
fn distinct_places(hits: &[Candidate<'_>]) -> usize {
    let mut kept: Vec<&GazetteerEntry> = Vec::new();
    for h in hits.iter().filter(|h| h.entry.kind == EntryKind::Place) {
        if !kept.iter().any(|k| {
            km(k.lon, k.lat, h.entry.lon, h.entry.lat) <= k.radius_km + h.entry.radius_km + 2.0
        }) {
            kept.push(h.entry);
        }
    }
    kept.len()
}

/// Keeps the point and widens the radius to cover the unit `u`, saying why.
fn widen_to_cover(loc: &mut Location, u: &GazetteerEntry, why: &str) {
    let cover = (km(loc.lon, loc.lat, u.lon, u.lat) + u.radius_km) * 10.0;
    let cover = cover.ceil() / 10.0;
    if cover > loc.radius_km {
        loc.radius_km = cover;
        loc.precision = loc.precision.max(PrecisionClass::District);
        loc.explanation = format!(
            "{}; the radius ({cover} km) covers {} because {why}",
            loc.explanation, u.name
        )
        .into();
    }
}

/// Hits for a text under a constraint, split into named (exact, alias, variant) and fuzzy.
fn lookup_readings<'g>(
    g: &'g Gazetteer,
    text: &str,
    c: &Constraint,
) -> (Vec<Candidate<'g>>, Vec<Candidate<'g>>) {
    let mut fuzzy = Vec::new();
    for reading in readings(text) {
        let hits = lookup_phrase(g, &reading, c);
        if hits.iter().any(|h| h.how != NameMatch::Fuzzy) {
            return (
                hits.into_iter()
                    .filter(|h| h.how != NameMatch::Fuzzy)
                    .collect(),
                Vec::new(),
            );
        }
        if fuzzy.is_empty() {
            fuzzy = hits;
        }
    }
    (Vec::new(), fuzzy)
}

/// Places the record's location text inside its stated units, or says what was found
/// outside them.
pub(super) fn place_text(g: &Gazetteer, ctx: &Context<'_>, text: &str) -> Outcome {
    let p = phrase::parse(text);
    let near = p.near || p.surroundings;
    let province_c = ctx.within_province();
    let country_c = Constraint {
        country: ctx.country_code(),
        ..Default::default()
    };
    // A border zone may be named after the other side's province: searched by country.
    let scope_c = if p.border_zone {
        &country_c
    } else {
        &province_c
    };
    let (mut named, mut fuzzy) = lookup_readings(g, text, scope_c);
    // When the scope is the whole country, this is the lookup that a text found nowhere
    // inside the stated units is listed with ([`elsewhere`]): kept, not searched again.
    let country_lookup = (*scope_c == country_c).then(|| (named.clone(), fuzzy.clone()));
    // A border crossing lies on both sides: found from either, if it is near the stated unit.
    if named.is_empty()
        && let Some(u) = ctx.district.or(ctx.province)
    {
        let (anywhere, _) = lookup_readings(g, text, &Constraint::default());
        named.extend(anywhere.into_iter().filter(|h| {
            h.entry.id.starts_with("crossing:")
                && km(h.entry.lon, h.entry.lat, u.lon, u.lat) <= u.radius_km
        }));
    }
    // "X district" means the district: not a village named X.
    if let Some(k) = p.kind_hint {
        named.retain(|h| h.entry.kind == k);
        fuzzy.retain(|h| h.entry.kind == k);
    }
    // "X town", "X village" means the settlement: not the district or province named X.
    if p.settlement && named.iter().any(|h| h.entry.kind == EntryKind::Place) {
        named.retain(|h| h.entry.kind == EntryKind::Place);
    }
    // Inside the stated district: its polygon, or failing that its circle.
    if let Some(d) = ctx.district.filter(|_| !p.border_zone) {
        let in_polygon: Vec<Candidate<'_>> = named
            .iter()
            .filter(|h| h.entry.district_id.as_deref() == Some(d.id.as_str()) || h.entry.id == d.id)
            .cloned()
            .collect();
        let in_circle: Vec<Candidate<'_>> = named
            .iter()
            .filter(|h| {
                (h.entry.kind == EntryKind::Place || h.entry.id.starts_with("crossing:"))
                    && km(h.entry.lon, h.entry.lat, d.lon, d.lat) <= d.radius_km
            })
            .cloned()
            .collect();
        // The text may name a unit around the district (its province, its country).
        let around: Vec<Candidate<'_>> = named
            .iter()
            .filter(|h| {
                matches!(h.entry.kind, EntryKind::Province | EntryKind::Country)
                    && (Some(h.entry.id.as_str()) == ctx.province.map(|p| p.id.as_str())
                        || Some(h.entry.id.as_str()) == ctx.country.map(|c| c.id.as_str()))
            })
            .cloned()
            .collect();
        let namesakes = || {
            let (all, _) = lookup_readings(g, text, &country_c);
            distinct_places(&all)
        };
        for (i, set) in [in_polygon, in_circle, around].into_iter().enumerate() {
            if let Some(mut loc) = from_hits(g, &set, text, near, "location", Some(d)) {
                let outside = i == 1;
                let common = !loc.ambiguous
                    && set[0].entry.kind == EntryKind::Place
                    && !is_user_place(set[0].entry)
                    && namesakes() >= COMMON_NAME_PLACES;
                if (outside || common) && !loc.ambiguous {
                    widen_to_cover(
                        &mut loc,
                        d,
                        if outside {
                            "it lies outside the stated district's outline"
                        } else {
                            "many places share this name and the gazetteer may lack the one meant"
                        },
                    );
                }
                if !loc.ambiguous && clan_name(&p.core) && is_village(set[0].entry) {
                    widen_to_cover(
                        &mut loc,
                        d,
                        "the name is also a clan's, whose lands a report may mean",
                    );
                }
                if p.along_route {
                    widen_to_cover(&mut loc, d, "a road named after a place runs far beyond it");
                }
                return Outcome::Placed(loc);
            }
        }
        // A close spelling inside the district itself.
        let inside_c = Constraint {
            district_id: Some(d.id.clone()),
            ..province_c.clone()
        };
        let (_, fuzzy_inside) = lookup_readings(g, text, &inside_c);
        let fuzzy_inside: Vec<_> = fuzzy_inside
            .into_iter()
            .filter(|h| h.entry.kind == EntryKind::Place)
            .collect();
        if let Some(loc) = from_hits(g, &fuzzy_inside, text, near, "location", Some(d)) {
            return Outcome::Placed(loc);
        }
        let outside: Vec<&Candidate<'_>> = named
            .iter()
            .filter(|h| h.entry.kind == EntryKind::Place)
            .filter(|h| {
                km(h.entry.lon, h.entry.lat, d.lon, d.lat) <= d.radius_km + JUST_OUTSIDE_KM
                    || neighbouring(g, d, h.entry)
            })
            .collect();
        if let Some(loc) = settlement_just_outside(g, &p, &outside, text, near, d, namesakes) {
            return Outcome::Placed(loc);
        }
        let just_outside = outside
            .iter()
            .map(|h| (km(h.entry.lon, h.entry.lat, d.lon, d.lat), h.entry))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(dist, e)| JustOutside {
                km: dist,
                described: describe(e, Some(d)),
            });
        return Outcome::NotFound(
            elsewhere(g, ctx, text, &named, country_lookup, Some(d)),
            just_outside,
        );
    }
    if !named.is_empty() {
        let unit = if p.border_zone {
            None
        } else {
            ctx.province.or(ctx.country)
        };
        if let Some(loc) = from_hits(g, &named, text, near, "location", unit) {
            return Outcome::Placed(loc);
        }
    }
    // Close spellings: inside a stated province; without one, only for whole units (a
    // misspelt district), never for a village anywhere in the country.
    let fuzzy: Vec<Candidate<'_>> = fuzzy
        .into_iter()
        .filter(|h| ctx.province.is_some() || h.entry.kind != EntryKind::Place)
        .collect();
    if let Some(loc) = from_hits(g, &fuzzy, text, near, "location", ctx.province) {
        return Outcome::Placed(loc);
    }
    Outcome::NotFound(
        elsewhere(g, ctx, text, &named, country_lookup, ctx.tightest()),
        None,
    )
}

/// Whether an alias is another spelling of the place's own name ("Mora Bānda Kili" of Mora
/// Banda, "Zare Sar" of Zore Sar) rather than a different name, which may be a neighbourhood's
/// or a neighbour's ("Hayatabad" given to a village outside Peshawar): one folded key begins
/// with the other, or they are at least 0.85 alike (Jaro–Winkler).
fn spells_own_name(alias: &str, name: &str) -> bool {
    use crate::gazetteer::normalize::compact_key;
    let (a, n) = (compact_key(alias), compact_key(name));
    !a.is_empty()
        && !n.is_empty()
        && (a.starts_with(&n) || n.starts_with(&a) || strsim::jaro_winkler(&a, &n) >= 0.85)
}

/// A settlement the text names as written ("Tursak town", "Dalbandin town"), not found in the
/// stated district but just outside it (within [`JUST_OUTSIDE_KM`] of its circle, or in a
/// district next to it): reports often give the district a town belonged to before a split
/// (Buner from Swat, Nushki from Chagai) or the one next door. It is taken when it is the one
/// place of the name there, matched by its own name, another romanisation of it or an alias
/// that spells it ([`spells_own_name`]; an alias may be another place's name), and the name
/// is not common in the country ([`COMMON_NAME_PLACES`]); the radius covers the stated district as well, so the answer
/// still holds if the report meant a place in it that the gazetteer lacks. Areas, valleys and
/// other features named like a village are left to the district fallback.
fn settlement_just_outside<'g>(
    g: &'g Gazetteer,
    p: &phrase::Phrase,
    outside: &[&Candidate<'g>],
    text: &str,
    near: bool,
    d: &'g GazetteerEntry,
    namesakes: impl FnOnce() -> usize,
) -> Option<Location> {
    if !p.settlement {
        return None;
    }
    let own_name: Vec<Candidate<'g>> = outside
        .iter()
        .filter(|h| match h.how {
            NameMatch::Exact | NameMatch::Variant => true,
            NameMatch::Alias => spells_own_name(h.matched, &h.entry.name),
            _ => false,
        })
        .map(|h| (*h).clone())
        .collect();
    if own_name.is_empty()
        || distinct_places(&own_name) != 1
        || own_name.iter().any(|h| is_user_place(h.entry))
        || namesakes() >= COMMON_NAME_PLACES
    {
        return None;
    }
    let mut loc = from_hits(g, &own_name[..1], text, near, "location", None)?;
    widen_to_cover(
        &mut loc,
        d,
        "it lies just outside the stated district (a report may give the district before a \
         split, or the one next door)",
    );
    Some(loc)
}

/// Places of the name outside the stated units, for the review list (at most three): from
/// `country_lookup`, the country-wide lookup already made, if there was one.
fn elsewhere<'g>(
    g: &'g Gazetteer,
    ctx: &Context<'_>,
    text: &str,
    already: &[Candidate<'g>],
    country_lookup: Option<(Vec<Candidate<'g>>, Vec<Candidate<'g>>)>,
    unit: Option<&GazetteerEntry>,
) -> Vec<String> {
    let mut hits: Vec<Candidate<'g>> = already.to_vec();
    if hits.is_empty() {
        let (named, fuzzy) = country_lookup.unwrap_or_else(|| {
            let c = Constraint {
                country: ctx.country_code(),
                ..Default::default()
            };
            lookup_readings(g, text, &c)
        });
        hits = if named.is_empty() { fuzzy } else { named };
    }
    hits.iter()
        .take(3)
        .map(|h| describe(h.entry, unit))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::spells_own_name;

    /// An alias counts as the place's own name only when it spells that name.
    #[test]
    fn an_alias_spells_the_own_name_or_is_another_name() {
        assert!(spells_own_name("Mora Bānda Kili", "Mora Banda"));
        assert!(spells_own_name("Zare Sar", "Zore Sar"));
        assert!(spells_own_name("Dalbandin", "Dālbandīn"));
        assert!(!spells_own_name("Hayatabad", "Awal Din Kalle"));
        assert!(!spells_own_name("", "Kabul"));
    }
}
