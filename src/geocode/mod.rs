//! Geocoding: joins incident records to the gazetteer and says honestly how precise each
//! location is. Every record ends either located or unmatched with a reason — never dropped.
//!
//! Order of evidence: the record's own coordinates; otherwise the most specific of
//! `location`, `admin2`, `admin1`, `country` that matches, constrained by the record's own
//! country and province so that a "Panj" in Tajikistan is not its Afghan namesake.

pub mod duplicates;
mod fallback;
mod names;
pub mod phrase;
pub mod review;
mod units;

use crate::gazetteer::{Candidate, Constraint, Gazetteer, NameMatch};
use crate::geodata::GeoData;
use crate::model::{
    EntryKind, GazetteerEntry, IncidentRecord, LocateMethod, LocatedIncident, Location,
    PrecisionClass, Unmatched,
};
use std::collections::BTreeMap;

/// The outcome of geocoding a batch: the counts always add up to the records given.
#[derive(Debug, Default)]
pub struct Geocoded {
    pub located: Vec<LocatedIncident>,
    pub unmatched: Vec<Unmatched>,
}

impl Geocoded {
    /// Located records by method, in a stable order, for the summary line.
    pub fn counts_by_method(&self) -> BTreeMap<LocateMethod, usize> {
        let mut m = BTreeMap::new();
        for l in &self.located {
            *m.entry(l.location.method).or_insert(0) += 1;
        }
        m
    }

    pub fn counts_by_precision(&self) -> BTreeMap<PrecisionClass, usize> {
        let mut m = BTreeMap::new();
        for l in &self.located {
            *m.entry(l.location.precision).or_insert(0) += 1;
        }
        m
    }
}

/// Default uncertainty radius (km) for records that bring coordinates, by stated precision,
/// used when the named unit cannot be found to borrow its own radius.
pub fn default_radius_km(p: PrecisionClass) -> f64 {
    match p {
        PrecisionClass::Exact => 1.0,
        PrecisionClass::Near => 25.0,
        PrecisionClass::District => 30.0,
        PrecisionClass::Province => 150.0,
        PrecisionClass::BorderZone => 100.0,
        PrecisionClass::Country => 400.0,
    }
}

/// Extra radius (km) for "near X": the surroundings of X, not X itself.
pub const NEAR_EXTRA_KM: f64 = 10.0;

/// Looks a free-text phrase up: reads "near", "border area of", "district" etc., then
/// searches. Border-zone phrases resolve to the zone of the named province, or to a whole
/// border ("Afghanistan–Pakistan border", "Afghan border" within Tajikistan).
pub fn lookup_phrase<'g>(g: &'g Gazetteer, text: &str, c: &Constraint) -> Vec<Candidate<'g>> {
    // The whole phrase first: "Khatlon border zone" and "Durand Line" are names in their own right.
    let whole = g.search(text, c);
    if whole.iter().any(|h| h.how != NameMatch::Fuzzy) {
        return whole;
    }
    if let Some((core, qualifier)) = phrase::split_qualifier(text) {
        let within = lookup_within(g, core, qualifier, c);
        if !within.is_empty() {
            return within;
        }
    }
    let p = phrase::parse(text);
    if p.core.is_empty() {
        return whole;
    }
    if p.border_zone {
        let zone_c = Constraint {
            kinds: vec![EntryKind::BorderZone],
            ..c.clone()
        };
        let direct = g.search(&format!("{} border", p.core), &zone_c);
        if direct.iter().any(|h| h.how != NameMatch::Fuzzy) {
            return direct;
        }
        let prov_c = Constraint {
            kinds: vec![EntryKind::Province],
            province_id: None,
            ..c.clone()
        };
        let mut out = Vec::new();
        for prov in g.search(&p.core, &prov_c) {
            for zone in g.border_zones_of(prov.entry.province_id.as_deref().unwrap_or("")) {
                out.push(Candidate {
                    entry: zone,
                    matched: prov.matched,
                    how: prov.how,
                    score: prov.score,
                });
            }
        }
        if !out.is_empty() {
            return out;
        }
        return direct;
    }
    // Nothing to read in the phrase: the whole-text search already answered.
    if p.kind_hint.is_none() && !p.near && p.core == text.trim() {
        return whole;
    }
    let kinds = match p.kind_hint {
        Some(k) if c.kinds.is_empty() || c.kinds.contains(&k) => vec![k],
        _ => c.kinds.clone(),
    };
    let hinted = g.search(&p.core, &Constraint { kinds, ..c.clone() });
    if !hinted.is_empty() {
        hinted
    } else {
        g.search(&p.core, c)
    }
}

/// How far from a place named as the qualifier ("Spinwam (Mir Ali)") a match may lie, km.
const NEAR_QUALIFIER_KM: f64 = 30.0;

/// "X (Y)" and "X, Y": X inside the district or province Y, or within
/// [`NEAR_QUALIFIER_KM`] of the place Y. The first reading of Y (best first) that has an X
/// in it wins. Where Y is found but no X in it, the answer is Y itself if Y is a district
/// or province: the unit the report names, with its own radius, never an X elsewhere.
fn lookup_within<'g>(
    g: &'g Gazetteer,
    core: &str,
    qualifier: &str,
    c: &Constraint,
) -> Vec<Candidate<'g>> {
    let unit_c = Constraint {
        kinds: vec![EntryKind::District, EntryKind::Province, EntryKind::Place],
        ..c.clone()
    };
    let find_units = |q: &str| -> Vec<Candidate<'g>> {
        lookup_phrase(g, q, &unit_c)
            .into_iter()
            .filter(|u| u.how != NameMatch::Fuzzy)
            .take(5)
            .collect()
    };
    let mut units = find_units(qualifier);
    // "Lower Kurram", "Upper Tirah": a part of the unit; the unit bounds it.
    if units.is_empty()
        && let Some((first, rest)) = qualifier.trim().split_once(' ')
        && matches!(
            crate::gazetteer::normalize::fold(first).as_str(),
            "upper"
                | "lower"
                | "central"
                | "north"
                | "south"
                | "east"
                | "west"
                | "northern"
                | "southern"
                | "eastern"
                | "western"
        )
    {
        units = find_units(rest);
    }
    for u in &units {
        let inner_c = match u.entry.kind {
            EntryKind::District => Constraint {
                district_id: Some(u.entry.id.clone()),
                ..c.clone()
            },
            EntryKind::Province => Constraint {
                province_id: u.entry.province_id.clone(),
                ..c.clone()
            },
            _ => c.clone(),
        };
        let hits: Vec<Candidate<'g>> = lookup_phrase(g, core, &inner_c)
            .into_iter()
            .filter(|h| {
                u.entry.kind != EntryKind::Place
                    || crate::geo_util::km(h.entry.lon, h.entry.lat, u.entry.lon, u.entry.lat)
                        <= NEAR_QUALIFIER_KM
            })
            .collect();
        if !hits.is_empty() {
            return hits;
        }
    }
    units
        .into_iter()
        .filter(|u| matches!(u.entry.kind, EntryKind::District | EntryKind::Province))
        .take(1)
        .collect()
}

/// Geocodes every record. `geo` supplies the gazetteer and the country outlines used to check
/// that given coordinates fall in the stated country.
///
/// Records without coordinates that name the same places get the same answer, so answers are
/// remembered per distinct (country, admin1, admin2, location, stated precision): real lists
/// repeat names far more often than they introduce new ones.
pub fn geocode_all(records: Vec<IncidentRecord>, geo: &GeoData) -> Geocoded {
    let mut out = locate_all(records, geo);
    duplicates::flag(&mut out.located);
    out
}

/// [`geocode_all`] without the duplicate check (for callers that join several batches and
/// check them together). Records are answered in parallel, in bounded chunks; the input's
/// memory is given back as it is consumed, so input and output are never both whole.
pub fn locate_all(records: Vec<IncidentRecord>, geo: &GeoData) -> Geocoded {
    let mut located = Vec::with_capacity(records.len());
    let unmatched = locate_into(records, geo, &mut located);
    Geocoded { located, unmatched }
}

/// [`locate_all`], appending each located incident to `located` where it will stay (a
/// caller that files several batches into one list makes each incident in its place, not
/// in a batch's list moved after); returns the records that could not be placed.
pub fn locate_into(
    records: Vec<IncidentRecord>,
    geo: &GeoData,
    located: &mut Vec<LocatedIncident>,
) -> Vec<Unmatched> {
    locate_each(records, geo, true, &mut |record, location| {
        located.push(LocatedIncident {
            record,
            location,
            possible_duplicates: Vec::new(),
        })
    })
}

/// [`locate_all`], handing each located record with its location to `placed`, in
/// input order, instead of making a [`LocatedIncident`] of it: the analysis keeps a few
/// fields of each and drops the rest at once. `admin_areas` false leaves out each location's
/// district and province (the analysis never reads them, and point in polygon for every
/// record is the costliest step of placing records that bring coordinates). Returns the
/// records that could not be placed.
pub fn locate_each(
    records: Vec<IncidentRecord>,
    geo: &GeoData,
    admin_areas: bool,
    placed: &mut dyn FnMut(IncidentRecord, Location),
) -> Vec<Unmatched> {
    locate_from(records.into_iter(), geo, admin_areas, placed)
}

/// [`locate_each`] for a caller that reads each placed record and keeps none: the records
/// stay where they are, handed on by reference (moving a record, some 400 bytes, cost more
/// than reading the few fields an analysis keeps).
pub fn locate_each_in_place(
    records: &[IncidentRecord],
    geo: &GeoData,
    admin_areas: bool,
    placed: &mut dyn FnMut(&IncidentRecord, Location),
) -> Vec<Unmatched> {
    locate_from(records.iter(), geo, admin_areas, placed)
}

/// Records to place, handed on in order by an iterator (owned or borrowed) that shows those
/// still to come.
trait RecordSource: ExactSizeIterator {
    fn remaining(&self) -> &[IncidentRecord];
}

impl RecordSource for std::vec::IntoIter<IncidentRecord> {
    fn remaining(&self) -> &[IncidentRecord] {
        self.as_slice()
    }
}

impl RecordSource for std::slice::Iter<'_, IncidentRecord> {
    fn remaining(&self) -> &[IncidentRecord] {
        self.as_slice()
    }
}

/// [`locate_each`] and [`locate_each_in_place`]: `rest` hands on each record as `placed`
/// takes it.
fn locate_from<S: RecordSource>(
    mut rest: S,
    geo: &GeoData,
    admin_areas: bool,
    placed: &mut dyn FnMut(S::Item, Location),
) -> Vec<Unmatched> {
    use rayon::prelude::*;
    let records = rest.remaining();
    type Key<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<PrecisionClass>,
    );
    const NO_KEY: u32 = u32::MAX;
    // Distinct places named by records without coordinates, each answered once; and the
    // distinct country and province named by records with coordinates, each looked up once
    // (a search of the gazetteer per record was a tenth of `density` on a UCDP GED export).
    let mut key_of: Vec<u32> = Vec::with_capacity(records.len());
    let mut areas_of: Vec<u32> = Vec::with_capacity(records.len());
    let mut places: Distinct<Key> = Distinct::with_capacity(records.len());
    let mut named_pairs: Distinct<(Option<&str>, Option<&str>)> = Distinct::with_capacity(0);
    for (i, r) in records.iter().enumerate() {
        if r.latitude.is_some() || r.longitude.is_some() {
            key_of.push(NO_KEY);
            let named = r.country.is_some() || r.admin1.is_some();
            areas_of.push(if named && r.latitude.is_some() && r.longitude.is_some() {
                named_pairs.number((r.country.as_deref(), r.admin1.as_deref()), i)
            } else {
                NO_KEY
            });
            continue;
        }
        areas_of.push(NO_KEY);
        let key = (
            r.country.as_deref(),
            r.admin1.as_deref(),
            r.admin2.as_deref(),
            r.location.as_deref(),
            r.stated_precision,
        );
        key_of.push(places.number(key, i));
    }
    let mut answers: Vec<Option<Result<Location, Box<Unmatched>>>> = places
        .firsts
        .par_iter()
        .map(|&i| Some(geocode_one_with(&records[i], geo, admin_areas)))
        .collect();
    // With coordinates, an unknown country is no error: every lookup succeeds.
    let areas: Vec<NamedAreas<'_>> = named_pairs
        .firsts
        .par_iter()
        .map(|&i| named_areas(&records[i], geo).unwrap_or((None, None)))
        .collect();
    // How many records share each answer: the only record of its place takes the answer
    // itself, where the others each take a copy.
    let mut uses = vec![0u32; answers.len()];
    for &k in key_of.iter().filter(|&&k| k != NO_KEY) {
        uses[k as usize] += 1;
    }
    let mut unmatched_out = Vec::new();
    // Each record is handed on once, from the input to `placed`; the chunk's locations are
    // found in parallel from the records still in the input.
    const CHUNK: usize = 1 << 16;
    let mut done = 0usize;
    while rest.len() > 0 {
        let n = rest.len().min(CHUNK);
        let first = done;
        done += n;
        // Records with coordinates have no answer to take: none is listed for them when no
        // record of the file names a place (a list as long as the chunk, of nothing).
        let owned = if answers.is_empty() {
            rayon::iter::Either::Left(rayon::iter::repeat_n(None, n))
        } else {
            let taken: Vec<Option<Result<Location, Box<Unmatched>>>> = key_of[first..first + n]
                .iter()
                .map(|&k| match k {
                    NO_KEY => None,
                    k if uses[k as usize] == 1 => answers[k as usize].take(),
                    _ => None,
                })
                .collect();
            rayon::iter::Either::Right(taken.into_par_iter())
        };
        let found: Vec<Result<Location, Box<Unmatched>>> = rest.remaining()[..n]
            .par_iter()
            .zip(owned)
            .enumerate()
            .with_min_len(256)
            .map(|(j, (r, owned))| {
                let as_record = |u: &Unmatched| {
                    Box::new(Unmatched {
                        file: r.provenance.file.to_string(),
                        line: r.provenance.line,
                        id: Some(r.id.to_string()),
                        ..u.clone()
                    })
                };
                match (key_of[first + j], owned) {
                    (_, Some(Ok(l))) => Ok(l),
                    (_, Some(Err(u))) => Err(as_record(&u)),
                    (NO_KEY, None) => match areas_of[first + j] {
                        NO_KEY => geocode_one_with(r, geo, admin_areas),
                        a => geocode_in(r, geo, admin_areas, areas[a as usize]),
                    },
                    (k, None) => match answers[k as usize].as_ref().expect("a shared answer") {
                        Ok(l) => Ok(l.clone()),
                        Err(u) => Err(as_record(u)),
                    },
                }
            })
            .collect();
        for result in found {
            let record = rest.next().expect("one record per result");
            match result {
                Ok(location) => placed(record, location),
                Err(u) => unmatched_out.push(*u),
            }
        }
    }
    unmatched_out
}

/// Keys numbered as first met, with the position of each one's first record. Only looked
/// up, never iterated: a fast hash.
struct Distinct<K> {
    numbers: rustc_hash::FxHashMap<K, u32>,
    firsts: Vec<usize>,
}

impl<K: std::hash::Hash + Eq> Distinct<K> {
    fn with_capacity(n: usize) -> Distinct<K> {
        let mut numbers = rustc_hash::FxHashMap::default();
        numbers.reserve(n);
        Distinct {
            numbers,
            firsts: Vec::new(),
        }
    }

    /// The number of `key`, met at record `i`.
    fn number(&mut self, key: K, i: usize) -> u32 {
        let next = self.firsts.len() as u32;
        let k = *self.numbers.entry(key).or_insert(next);
        if k == next {
            self.firsts.push(i);
        }
        k
    }
}

fn unmatched(
    r: &IncidentRecord,
    tried: String,
    reason: String,
    suggestions: Vec<String>,
) -> Box<Unmatched> {
    Box::new(Unmatched {
        file: r.provenance.file.to_string(),
        line: r.provenance.line,
        id: Some(r.id.to_string()),
        tried,
        reason,
        suggestions,
    })
}

fn country_shape<'a>(geo: &'a GeoData, code: &str) -> Option<&'a crate::geodata::CountryShape> {
    geo.countries.iter().find(|c| c.code == code)
}

/// Places one record, or says why it cannot be placed; a placed record also gets the
/// district and province it lies in, as far as its precision allows.
pub fn geocode_one(r: &IncidentRecord, geo: &GeoData) -> Result<Location, Box<Unmatched>> {
    geocode_one_with(r, geo, true)
}

/// [`geocode_one`], with the district and province only if `admin_areas`.
fn geocode_one_with(
    r: &IncidentRecord,
    geo: &GeoData,
    admin_areas: bool,
) -> Result<Location, Box<Unmatched>> {
    geocode_in(r, geo, admin_areas, named_areas(r, geo)?)
}

/// [`geocode_one_with`] with the areas the record names already looked up.
fn geocode_in(
    r: &IncidentRecord,
    geo: &GeoData,
    admin_areas: bool,
    areas: NamedAreas<'_>,
) -> Result<Location, Box<Unmatched>> {
    let mut loc = place_in(r, geo, areas)?;
    if !admin_areas {
        return Ok(loc);
    }
    // Only a province answer takes its province from the entry: looking a place up by id
    // reads every place's id, which the other answers never need.
    let province_id = (loc.precision == PrecisionClass::Province)
        .then_some(loc.gazetteer_id.as_deref())
        .flatten()
        .and_then(|id| geo.gazetteer.get(id))
        .and_then(|e| e.province_id.as_deref());
    loc.admin = geo.admin_area(None, loc.lon, loc.lat, loc.precision, province_id);
    Ok(loc)
}

/// The country and the province a record names, as the gazetteer has them (each `None` when
/// not named, or, for the province, not found).
type NamedAreas<'g> = (Option<&'g GazetteerEntry>, Option<&'g GazetteerEntry>);

/// The country and province `r` names. A country must be known when given (a typo there
/// would send the search abroad), unless the record brings coordinates.
fn named_areas<'g>(r: &IncidentRecord, geo: &'g GeoData) -> Result<NamedAreas<'g>, Box<Unmatched>> {
    let g = &geo.gazetteer;
    let country_entry = match &r.country {
        Some(name) => {
            let c = Constraint {
                kinds: vec![EntryKind::Country],
                ..Default::default()
            };
            match g.search(name, &c).into_iter().next() {
                Some(h) => Some(h.entry),
                None if r.latitude.is_some() => None,
                None => {
                    return Err(unmatched(
                        r,
                        format!("country={name}"),
                        format!(
                            "unknown country {name:?} (the gazetteer covers Afghanistan and its neighbours)"
                        ),
                        g.suggest(name, &c, 3),
                    ));
                }
            }
        }
        None => None,
    };
    let country = country_entry.map(|e| e.country.clone());
    let province = r.admin1.as_ref().and_then(|a| {
        let c = Constraint {
            country: country.clone(),
            kinds: vec![EntryKind::Province],
            ..Default::default()
        };
        g.search(a, &c).into_iter().next().map(|h| h.entry)
    });
    Ok((country_entry, province))
}

/// Places one record, given the areas it names ([`named_areas`]): by its coordinates, or
/// else by the place it names.
fn place_in(
    r: &IncidentRecord,
    geo: &GeoData,
    (country_entry, province): NamedAreas<'_>,
) -> Result<Location, Box<Unmatched>> {
    if let (Some(lat), Some(lon)) = (r.latitude, r.longitude) {
        return locate_by_coordinates(r, geo, lat, lon, country_entry, province);
    }
    let g = &geo.gazetteer;
    let country = country_entry.map(|e| e.country.clone());

    let ctx = units::context(g, r, country_entry);
    let text = r.location.as_deref().filter(|t| !t.trim().is_empty());
    let (mut candidates, mut just_outside) = (Vec::new(), None);
    if let Some(text) = text {
        match names::place_text(g, &ctx, text) {
            names::Outcome::Placed(mut loc) => {
                fallback::apply_stated_precision(&mut loc, r.stated_precision);
                return Ok(loc);
            }
            names::Outcome::NotFound(c, j) => (candidates, just_outside) = (c, j),
        }
    }
    if let Some(mut loc) = fallback::fall_back(&ctx, r, text, candidates, just_outside) {
        fallback::apply_stated_precision(&mut loc, r.stated_precision);
        return Ok(loc);
    }
    let base = Constraint {
        country: country.clone(),
        ..Default::default()
    };
    let tried: Vec<String> = [
        ("location", r.location.as_deref()),
        ("admin2", r.admin2.as_deref()),
        ("admin1", r.admin1.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.filter(|t| !t.trim().is_empty())
            .map(|v| format!("{k}={v}"))
    })
    .collect();
    let query = r
        .location
        .as_deref()
        .or(r.admin2.as_deref())
        .or(r.admin1.as_deref())
        .unwrap_or("");
    let reason = if tried.is_empty() {
        "no coordinates and no place name (location, admin2, admin1, country all empty)".to_string()
    } else {
        "no gazetteer entry matches, and no country is given to fall back to".to_string()
    };
    Err(unmatched(
        r,
        tried.join("; "),
        reason,
        if query.is_empty() {
            Vec::new()
        } else {
            g.suggest(query, &base, 3)
        },
    ))
}

/// "coordinates given, precision P (radius R km)" with the default radius of P, made once
/// per thread: records with coordinates are placed on every thread at once, and all of
/// them counting references to one copy made its count the most contended word of
/// placing them (nine in ten of `geocode_one_with`'s samples on a million such records).
fn coordinates_explanation(precision: PrecisionClass) -> std::sync::Arc<str> {
    use std::sync::Arc;
    const CLASSES: [PrecisionClass; 6] = [
        PrecisionClass::Exact,
        PrecisionClass::Near,
        PrecisionClass::District,
        PrecisionClass::Province,
        PrecisionClass::BorderZone,
        PrecisionClass::Country,
    ];
    thread_local! {
        static TEXTS: Vec<Arc<str>> = CLASSES
            .iter()
            .map(|&p| {
                format!(
                    "coordinates given, precision {} (radius {} km)",
                    p.as_str(),
                    default_radius_km(p)
                )
                .into()
            })
            .collect();
    }
    let i = match precision {
        PrecisionClass::Exact => 0,
        PrecisionClass::Near => 1,
        PrecisionClass::District => 2,
        PrecisionClass::Province => 3,
        PrecisionClass::BorderZone => 4,
        PrecisionClass::Country => 5,
    };
    TEXTS.with(|texts| texts[i].clone())
}

fn locate_by_coordinates(
    r: &IncidentRecord,
    geo: &GeoData,
    lat: f64,
    lon: f64,
    country: Option<&GazetteerEntry>,
    province: Option<&GazetteerEntry>,
) -> Result<Location, Box<Unmatched>> {
    let precision = r.stated_precision.unwrap_or(PrecisionClass::Exact);
    let mut note = String::new();
    if let Some(ce) = country
        && let Some(shape) = country_shape(geo, &ce.country)
        && !shape.contains(lon, lat)
    {
        if lat.abs() <= 180.0 && lon.abs() <= 90.0 && shape.contains(lat, lon) {
            return Err(unmatched(
                r,
                format!("latitude={lat}, longitude={lon}"),
                format!(
                    "latitude and longitude appear swapped: ({lat}, {lon}) lies in {} only when swapped",
                    ce.name
                ),
                Vec::new(),
            ));
        }
        let km = crate::geo_util::km(lon, lat, ce.lon, ce.lat);
        note = format!(
            "; note: the point is outside {}'s 1:10m outline ({km:.0} km from its centre)",
            ce.name
        );
    }
    // Areal precision: borrow the radius of the named unit where it can be found.
    let unit_radius = match precision {
        PrecisionClass::Province => province.map(|p| p.radius_km),
        _ => None,
    };
    let radius = unit_radius.unwrap_or_else(|| default_radius_km(precision));
    // The point itself is the feature's geometry; the explanation says how it was taken, so
    // the common case (a stated precision and its default radius) is one shared text.
    let explanation: std::sync::Arc<str> = if note.is_empty() && unit_radius.is_none() {
        coordinates_explanation(precision)
    } else {
        format!(
            "coordinates given, precision {} (radius {radius} km){note}",
            precision.as_str()
        )
        .into()
    };
    Ok(Location::from_coordinates(
        lon,
        lat,
        precision,
        radius,
        explanation,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records handed on where they lie are the records handed on by moving them: the same
    /// ones, in the same order, with the same locations, and the same left unplaced (the
    /// shipped example, whose places are named, with records placed by coordinates and
    /// records no gazetteer holds among them).
    #[test]
    fn records_read_in_place_are_those_moved_in_the_same_order() {
        let geo = GeoData::load(None).unwrap();
        let example = std::path::Path::new("geodata/incidents/example_2025_2026.csv");
        let read = crate::ingest::read_path(example, &crate::ingest::IngestOptions::DEFAULT)
            .unwrap()
            .records;
        let mut records = Vec::new();
        for (i, r) in read.into_iter().enumerate() {
            let mut nowhere = r.clone();
            nowhere.id = format!("nowhere-{i}").into();
            (nowhere.country, nowhere.admin1, nowhere.admin2) = (None, None, None);
            nowhere.location = Some("Qqqxzv Wwwkjh".into());
            (nowhere.latitude, nowhere.longitude) = (None, None);
            let mut by_coordinates = r.clone();
            by_coordinates.id = format!("point-{i}").into();
            (by_coordinates.latitude, by_coordinates.longitude) =
                (Some(34.0 + i as f64 * 0.01), Some(70.0));
            records.extend([r, nowhere, by_coordinates]);
        }
        for admin_areas in [false, true] {
            let mut moved = Vec::new();
            let unplaced_moved = locate_each(records.clone(), &geo, admin_areas, &mut |r, l| {
                moved.push((r.id.to_string(), l))
            });
            let mut in_place = Vec::new();
            let unplaced_in_place =
                locate_each_in_place(&records, &geo, admin_areas, &mut |r, l| {
                    in_place.push((r.id.to_string(), l))
                });
            assert_eq!(moved, in_place);
            assert_eq!(unplaced_moved, unplaced_in_place);
            assert_eq!(moved.len() + unplaced_moved.len(), records.len());
            assert!(!unplaced_moved.is_empty() && moved.len() > records.len() / 2);
        }
    }
}
