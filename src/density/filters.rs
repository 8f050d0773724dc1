//! Which records an analysis counts, and with what weight: the event-type, actor and date
//! filters, the share of each record's dates inside the window, and one count per event
//! however many files repeat it. A pass over every record in input order, apart from the
//! placing on the borders, so that the two can run side by side.

use super::columns::AnalysisInput;
use super::periods::{day_overlap, span_days};
use super::{AnalysisOptions, NOT_EVENTS, NOT_VIOLENT, REPEATED_EVENT, WeightBy};
use crate::gazetteer::normalize::event_type_key;
use crate::model::Date;
use hashbrown::HashTable;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// What the filters decided, per record and overall.
pub(super) struct Filtered {
    /// Each record's weight (its count or fatalities, times its share of the window); 0
    /// when it is left out.
    pub weights: Vec<f64>,
    /// Why each record left out is left out.
    pub reasons: Vec<Option<&'static str>>,
    /// Each record's canonical event type, numbered as met ([`Self::type_names`]); number
    /// 0 is "unknown".
    pub event_types: Vec<Option<u32>>,
    pub type_names: Vec<String>,
    /// Records left out, by reason.
    pub excluded: BTreeMap<String, u64>,
    /// The window (the options' dates, or the span of the counted records' dates) and its
    /// length in years.
    pub window: Option<(Date, Date)>,
    pub years: Option<f64>,
}

/// The number of "unknown" in [`Filtered::type_names`].
pub(super) const UNKNOWN_TYPE: u32 = 0;

/// The share of a record's date span inside the window (1 without a date or window): its
/// events, fatalities and wounded are apportioned by days.
pub(super) fn share_in_window(date: Option<(Date, Date)>, opts: &AnalysisOptions) -> f64 {
    match date {
        // No window: a span that runs forward is all inside (its days over its days, 1
        // exactly), without counting days twice per record for each of a million records.
        // Dates compare as their days do: year, month, day, each checked by `Date::new`.
        Some(d) if opts.from.is_none() && opts.to.is_none() && d.0 <= d.1 => 1.0,
        Some(d) => {
            let lo = opts.from.unwrap_or(d.0);
            let hi = opts.to.unwrap_or(d.1);
            day_overlap(d, (lo, hi)) / span_days(d)
        }
        None => 1.0,
    }
}

/// Applies the options' filters to every record, in input order.
pub(super) fn filter<I: AnalysisInput + ?Sized>(located: &I, opts: &AnalysisOptions) -> Filtered {
    // Canonical event types are folded once per spelling and numbered, so per-incident
    // work does not allocate.
    let types: Vec<String> = opts.types.iter().map(|t| event_type_key(t)).collect();
    let actor = opts.actor.as_ref().map(|a| a.to_lowercase());
    let mut excluded: BTreeMap<String, u64> = BTreeMap::new();
    let mut weights = vec![0.0; located.len()];
    let mut type_of_spelling: FxHashMap<&str, u32> = FxHashMap::default();
    let mut type_names: Vec<String> = Vec::new();
    let mut type_ids: FxHashMap<String, u32> = FxHashMap::default();
    // Records without a type are counted under "unknown" (with any type of that name).
    type_names.push("unknown".to_string());
    type_ids.insert("unknown".to_string(), 0);
    let mut event_types: Vec<Option<u32>> = Vec::with_capacity(located.len());
    let mut reasons: Vec<Option<&'static str>> = vec![None; located.len()];
    // Events already counted, by dataset and event id: an event in two overlapping files
    // counts once, the first copy the filters and the window keep. One table per dataset
    // (there are at most three), holding the number of the record that counted, its id
    // looked up when hashes meet: 5 bytes a slot where a set of ids took 17, and made to
    // size so that it never grows (growing would hash every id again).
    let mut seen_events: Vec<(&str, HashTable<u32>)> = Vec::new();
    let hash_id = |id: &str| {
        use std::hash::{BuildHasher, Hasher};
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        h.write(id.as_bytes());
        h.finish()
    };
    for i in 0..located.len() {
        let r = located.subject(i);
        let et = r.event_type.map(|t| {
            *type_of_spelling.entry(t).or_insert_with(|| {
                let key = event_type_key(t);
                *type_ids.entry(key.clone()).or_insert_with(|| {
                    type_names.push(key);
                    (type_names.len() - 1) as u32
                })
            })
        });
        event_types.push(et);
        let et = et.map(|id| type_names[id as usize].as_str());
        let reason = if et.is_some_and(|t| NOT_EVENTS.contains(&t)) {
            Some("a statistic, not an event")
        } else if types.is_empty() && et.is_some_and(|t| NOT_VIOLENT.contains(&t)) {
            Some("not violence (a border closure); counted only when --types names it")
        } else if !types.is_empty() && !et.is_some_and(|t| types.iter().any(|x| x == t)) {
            Some("event type not selected")
        } else if actor
            .as_ref()
            .is_some_and(|a| !r.actors.unwrap_or("").to_lowercase().contains(a.as_str()))
        {
            Some("actor not selected")
        } else if (opts.from.is_some() || opts.to.is_some()) && r.date.is_none() {
            Some("no date, and a date window was set")
        } else {
            None
        };
        let mut w = match opts.weight {
            WeightBy::Count => r.count,
            WeightBy::Fatalities => r.fatalities.unwrap_or(0.0),
        };
        let mut reason = reason;
        if reason.is_none() {
            let share = share_in_window(r.date, opts);
            if share <= 0.0 {
                reason = Some("outside the date window");
            }
            w *= share;
        }
        // Among the copies of one event that pass the filters, the first counts.
        if reason.is_none()
            && r.event_id.is_some_and(|id| {
                let table = match seen_events.iter().position(|(f, _)| *f == r.format) {
                    Some(k) => &mut seen_events[k].1,
                    None => {
                        seen_events.push((r.format, HashTable::with_capacity(located.len())));
                        &mut seen_events.last_mut().expect("just pushed").1
                    }
                };
                let hash = hash_id(id);
                let same = |&j: &u32| located.event_id(j as usize) == Some(id);
                if table.find(hash, same).is_some() {
                    return true;
                }
                // Never grows (made for every record), so never hashes an entry again.
                table.insert_unique(hash, i as u32, |&j| {
                    hash_id(located.event_id(j as usize).unwrap_or_default())
                });
                false
            })
        {
            reason = Some(REPEATED_EVENT);
        }
        if let Some(why) = reason {
            match excluded.get_mut(why) {
                Some(n) => *n += 1,
                None => {
                    excluded.insert(why.to_string(), 1);
                }
            }
            w = 0.0;
        }
        weights[i] = w;
        reasons[i] = reason;
    }
    let window: Option<(Date, Date)> = match (opts.from, opts.to) {
        (Some(f), Some(t)) => Some((f, t)),
        _ => {
            // The earliest start and the latest end of the weighted records, in one pass
            // with nothing kept (this is the analysis's one serial step; listing a
            // million spans first cost 16 MB of fresh pages).
            let (s, e) = (0..located.len())
                .filter(|&i| weights[i] > 0.0)
                .filter_map(|i| located.date(i))
                .fold(
                    (None, None),
                    |(s, e): (Option<Date>, Option<Date>), (a, b)| {
                        (
                            Some(s.map_or(a, |s| s.min(a))),
                            Some(e.map_or(b, |e| e.max(b))),
                        )
                    },
                );
            match (s, e) {
                (Some(s), Some(e)) => Some((opts.from.unwrap_or(s), opts.to.unwrap_or(e))),
                _ => None,
            }
        }
    };
    let years = window.map(|w| span_days(w) / 365.25);
    Filtered {
        weights,
        reasons,
        event_types,
        type_names,
        excluded,
        window,
        years,
    }
}
