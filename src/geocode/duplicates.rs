//! Possible-duplicate check run on every input: two reports of one event often arrive from
//! different sources with different dates and spellings. Flag, never merge: the analyst decides.
//!
//! Two located records are flagged as possible duplicates when all hold:
//! - the same event type (canonical, case-folded),
//! - their date spans come within [`MAX_DAYS_APART`] days of each other,
//! - their locations overlap: the distance between their points is at most the sum of their
//!   uncertainty radii (so a border-zone report overlaps a district report on that stretch),
//! - and neither is an aggregate row (count > 1) standing for many events.
//!
//! Each record is compared with the [`MAX_CANDIDATES`] next reports of its type in time.

use crate::model::{DateSpan, LocatedIncident};
use std::collections::HashMap;

pub const MAX_DAYS_APART: i64 = 45;

/// Each record is compared with at most this many later records of the same event type (the
/// nearest in time), so the check stays linear on dense data; reports of one event arrive
/// close in time, so the cap costs little.
pub const MAX_CANDIDATES: usize = 32;

/// At most this many possible duplicates are listed per record.
pub const MAX_LISTED: usize = 5;

/// What the check needs of one record, packed so the scan stays in cache.
struct Report {
    start: i64,
    end: i64,
    lon: f64,
    lat: f64,
    /// cos(lat), computed once per report rather than once per pair.
    cos_lat: f64,
    radius_km: f64,
    index: u32,
    /// The record's event type's group, in what was padding after `index` (56 bytes either way).
    group: u32,
}

/// The [`MAX_LISTED`] lowest record indices seen (so the list is the same whatever order
/// pairs are found in).
#[derive(Clone, Copy, Default)]
struct Lowest {
    len: u8,
    items: [u32; MAX_LISTED],
}

impl Lowest {
    fn offer(&mut self, v: u32) {
        let n = usize::from(self.len);
        let pos = self.items[..n].partition_point(|&x| x < v);
        if pos == MAX_LISTED || self.items[..n].get(pos) == Some(&v) {
            return;
        }
        let end = n.min(MAX_LISTED - 1);
        self.items.copy_within(pos..end, pos + 1);
        self.items[pos] = v;
        self.len = (n + 1).min(MAX_LISTED) as u8;
    }
    fn merge(&mut self, other: &Lowest) {
        for &v in &other.items[..usize::from(other.len)] {
            self.offer(v);
        }
    }
}

/// Whether two reports overlap in place (see the module notes).
fn overlap(a: &Report, b: &Report) -> bool {
    let reach = a.radius_km + b.radius_km;
    // A flat-earth distance (at most ~1% off at these latitudes and distances) settles
    // most pairs cheaply; only those near the limit are measured geodesically.
    // The mean of the two cosines is within cos(Δlat/2) of the cosine of the mean latitude
    // (0.2% at 7° apart), well inside the margins below.
    let k = (a.cos_lat + b.cos_lat) / 2.0;
    let (dx, dy) = ((a.lon - b.lon) * k * 111.2, (a.lat - b.lat) * 111.2);
    let approx2 = dx * dx + dy * dy;
    let (outer, inner) = (reach * 1.02 + 1.0, (reach * 0.97 - 1.0).max(0.0));
    if approx2 > outer * outer {
        return false;
    }
    if approx2 < inner * inner {
        return true;
    }
    crate::geo_util::km(a.lon, a.lat, b.lon, b.lat) <= reach
}

/// Records per part of the pool's search for the copies of the event types' texts.
const COPIES_PER_PART: usize = 16_384;

/// Fills `possible_duplicates` on each record (the others' positions, ascending).
pub fn flag(located: &mut [LocatedIncident]) {
    use rayon::prelude::*;
    // Group by canonical event type (folded once per spelling), then sort by start date. A
    // record's type is found by the address of its copy of the text: the records of a file
    // share a few copies of each type (`ingest::event_types`). The copies are gathered on the
    // pool and numbered in the order they first come, each spelling folded once; a serial
    // pass over the records did this, about a tenth of a second of a million's `run` with the
    // other core idle (`perf`).
    /// A record that may have duplicates: its dates and its type.
    fn typed(l: &LocatedIncident) -> Option<(DateSpan, &str)> {
        let r = &l.record;
        match (r.date, r.event_type.as_deref()) {
            // Aggregate rows (count > 1) stand for many events: never duplicates.
            (Some(d), Some(t)) if r.count <= 1.0 => Some((d, t)),
            _ => None,
        }
    }
    let copy = |t: &str| (t.as_ptr() as usize, t.len());
    let copies_in_order: Vec<Vec<&str>> = located
        .par_chunks(COPIES_PER_PART)
        .map(|part| {
            let mut seen: rustc_hash::FxHashSet<(usize, usize)> = Default::default();
            part.iter()
                .filter_map(|l| typed(l).map(|(_, t)| t))
                .filter(|t| seen.insert(copy(t)))
                .collect()
        })
        .collect();
    let mut group_of: HashMap<&str, u32> = HashMap::new();
    let mut group_by_key: HashMap<String, u32> = HashMap::new();
    let mut group_of_copy: rustc_hash::FxHashMap<(usize, usize), u32> = Default::default();
    for t in copies_in_order.into_iter().flatten() {
        group_of_copy.entry(copy(t)).or_insert_with(|| {
            *group_of.entry(t).or_insert_with(|| {
                let next = group_by_key.len() as u32;
                *group_by_key
                    .entry(crate::gazetteer::normalize::event_type_key(t))
                    .or_insert(next)
            })
        });
    }
    // Each record's report, made on the pool (it reads every record), then sorted on the
    // pool by group, start and index: each group is then a run of the list, in the order
    // its scan needs. Filed group by group first, a million reports were moved one by one
    // on one thread while the other core waited (`perf`: about 0.05 s), and held twice.
    //
    // Every record gets a report, each written in its place: a record that cannot have
    // duplicates gets one in group `UNTYPED`, which sorts after every real group and is cut
    // off. Filtered on the pool instead, the reports were gathered in growing lists per
    // split, then copied into one (a million reports of 56 bytes: about 14 thousand page
    // faults, `perf record -e page-faults`).
    const UNTYPED: u32 = u32::MAX;
    assert!(group_by_key.len() < UNTYPED as usize, "event type groups");
    let mut reports: Vec<Report> = Vec::with_capacity(located.len());
    located
        .par_iter()
        .enumerate()
        .map(|(i, l)| match typed(l) {
            Some((d, t)) => Report {
                start: d.start.days_since_epoch(),
                end: d.end.days_since_epoch(),
                lon: l.location.lon,
                lat: l.location.lat,
                cos_lat: l.location.lat.to_radians().cos(),
                radius_km: l.location.radius_km,
                index: i as u32,
                group: group_of_copy[&copy(t)],
            },
            None => Report {
                start: 0,
                end: 0,
                lon: 0.0,
                lat: 0.0,
                cos_lat: 0.0,
                radius_km: 0.0,
                index: i as u32,
                group: UNTYPED,
            },
        })
        .collect_into_vec(&mut reports);
    reports.par_sort_unstable_by_key(|r| (r.group, r.start, r.index));
    let typed_reports = reports.partition_point(|r| r.group != UNTYPED);
    reports.truncate(typed_reports);
    let groups: Vec<&[Report]> = reports.chunk_by(|a, b| a.group == b.group).collect();
    // Each task scans a run of reports against their next candidates and keeps its own
    // lists; merging keeps the lowest indices, so the result does not depend on the split.
    // A few parts, each with its own list array (not one per rayon split).
    const TASK: usize = 16_384;
    let tasks: Vec<(&[Report], usize)> = groups
        .iter()
        .flat_map(|&g| (0..g.len()).step_by(TASK).map(move |from| (g, from)))
        .collect();
    // Each part holds a list per record, so parts are few (at most 4) whatever the cores.
    let part = tasks
        .len()
        .div_ceil(rayon::current_num_threads().clamp(1, 4))
        .max(1);
    let found: Vec<Lowest> = tasks
        .par_chunks(part)
        .map(|part| {
            let mut lists = vec![Lowest::default(); located.len()];
            for &(g, from) in part {
                for a_pos in from..(from + TASK).min(g.len()) {
                    let a = &g[a_pos];
                    for b in g[a_pos + 1..].iter().take(MAX_CANDIDATES) {
                        if b.start - a.end > MAX_DAYS_APART {
                            break;
                        }
                        if overlap(a, b) {
                            lists[a.index as usize].offer(b.index);
                            lists[b.index as usize].offer(a.index);
                        }
                    }
                }
            }
            lists
        })
        .reduce_with(|mut x, y| {
            for (a, b) in x.iter_mut().zip(&y) {
                a.merge(b);
            }
            x
        })
        .unwrap_or_default();
    located
        .par_iter_mut()
        .zip(&found)
        .for_each(|(l, f)| l.possible_duplicates = f.items[..usize::from(f.len)].to_vec());
}

#[cfg(test)]
mod tests {
    use super::{Lowest, MAX_DAYS_APART, MAX_LISTED, Report, flag, overlap};
    use crate::model::{Date, DatePrecision, DateSpan, LocatedIncident, Location, PrecisionClass};

    /// A located report of `event_type` (its own copy of the text) on `date`.
    fn report(
        i: usize,
        event_type: &str,
        date: Date,
        lon: f64,
        lat: f64,
        r: f64,
    ) -> LocatedIncident {
        let mut record = crate::ingest::numbered_record(i);
        record.date = Some(DateSpan {
            start: date,
            end: date,
            precision: DatePrecision::Day,
        });
        (record.latitude, record.longitude) = (Some(lat), Some(lon));
        record.event_type = Some(event_type.into());
        let location = Location::from_coordinates(lon, lat, PrecisionClass::Near, r, String::new());
        LocatedIncident {
            record,
            location,
            possible_duplicates: Vec::new(),
        }
    }

    /// Every pair is judged by the module's rule, spellings of a type grouped whatever copy
    /// of the text each record holds; the lists are the lowest partners, ascending.
    #[test]
    fn flags_match_the_rule_pair_by_pair_whatever_copies_hold_the_spellings_and_skip_the_untyped() {
        let mut next = crate::geo_util::test_uniform(11);
        let types = ["Armed clash", "armed clash", "ARMED  CLASH", "Drone strike"];
        // Three years of reports, so that no report has more than `MAX_CANDIDATES` of its
        // type within `MAX_DAYS_APART` days (past that the check stops by design).
        let mut located: Vec<LocatedIncident> = (0..300)
            .map(|i| {
                let t = types[(next() * 4.0) as usize];
                let mut pick = |n: f64| (next() * n) as u8;
                let date = Date::new(2024 + i32::from(pick(3.0)), 1 + pick(12.0), 1 + pick(28.0));
                let (lon, lat) = (69.0 + next() * 0.4, 36.0 + next() * 0.4);
                let r = [1.0, 5.0, 25.0][(next() * 3.0) as usize];
                report(i, t, date.unwrap(), lon, lat, r)
            })
            .collect();
        located[7].record.count = 3.0;
        // Records that can have no duplicates, among the others (first, last and between):
        // without a type, or without a date.
        for i in [0, 11, 150, 299] {
            located[i].record.event_type = None;
        }
        for i in [1, 23, 151, 298] {
            located[i].record.date = None;
        }
        flag(&mut located);
        let key = |l: &LocatedIncident| {
            crate::gazetteer::normalize::event_type_key(l.record.event_type.as_deref().unwrap())
        };
        let typed = |l: &LocatedIncident| {
            l.record.count <= 1.0 && l.record.date.is_some() && l.record.event_type.is_some()
        };
        let mut flagged = 0;
        for (a, la) in located.iter().enumerate() {
            let mut expected: Vec<usize> = (0..located.len())
                .filter(|&b| {
                    let lb = &located[b];
                    if b == a || !typed(la) || !typed(lb) {
                        return false;
                    }
                    let (da, db) = (la.record.date.unwrap(), lb.record.date.unwrap());
                    let days = (da.start.days_since_epoch() - db.start.days_since_epoch()).abs();
                    let km = crate::geo_util::km(
                        la.location.lon,
                        la.location.lat,
                        lb.location.lon,
                        lb.location.lat,
                    );
                    key(la) == key(lb)
                        && days <= MAX_DAYS_APART
                        && km <= la.location.radius_km + lb.location.radius_km
                })
                .collect();
            expected.truncate(MAX_LISTED);
            let listed: Vec<usize> = la.possible_duplicates.iter().map(|&b| b as usize).collect();
            assert_eq!(listed, expected, "record {a}");
            flagged += usize::from(!listed.is_empty());
        }
        assert!(flagged > 30, "{flagged} records flagged");
        for i in [7, 0, 11, 150, 299, 1, 23, 151, 298] {
            assert!(located[i].possible_duplicates.is_empty(), "record {i}");
        }
    }

    #[test]
    fn the_quick_overlap_test_agrees_with_geodesic_distance() {
        let mut next = crate::geo_util::test_uniform(7);
        for _ in 0..20_000 {
            let r = |lon: f64, lat: f64, radius_km: f64| Report {
                start: 0,
                end: 0,
                lon,
                lat,
                cos_lat: lat.to_radians().cos(),
                radius_km,
                index: 0,
                group: 0,
            };
            let (lon, lat) = (60.0 + 16.0 * next(), 29.0 + 10.0 * next());
            let a = r(
                lon,
                lat,
                [1.0, 25.0, 30.0, 150.0, 400.0][(next() * 5.0) as usize],
            );
            let b = r(
                lon + (next() - 0.5) * 8.0,
                lat + (next() - 0.5) * 8.0,
                [1.0, 25.0, 30.0, 150.0, 400.0][(next() * 5.0) as usize],
            );
            let exact =
                crate::geo_util::km(a.lon, a.lat, b.lon, b.lat) <= a.radius_km + b.radius_km;
            assert_eq!(
                overlap(&a, &b),
                exact,
                "{} {} / {} {}",
                a.lon,
                a.lat,
                b.lon,
                b.lat
            );
        }
    }

    #[test]
    fn keeps_the_lowest_indices_in_order() {
        let mut l = Lowest::default();
        for v in [9, 3, 7, 3, 1, 8, 2, 6] {
            l.offer(v);
        }
        assert_eq!(usize::from(l.len), MAX_LISTED);
        assert_eq!(l.items, [1, 2, 3, 6, 7]);
        let mut m = Lowest::default();
        m.offer(0);
        m.offer(7);
        m.merge(&l);
        assert_eq!(m.items, [0, 1, 2, 3, 6]);
    }

    /// Spellings of one type held in different copies, first seen in different parts of the
    /// pool's search for copies, are one group: a report early in the list and one at its end
    /// are each other's duplicates; the records between, spread apart, flag nothing.
    #[test]
    fn copies_first_seen_in_different_parts_group_their_spellings_together() {
        use super::COPIES_PER_PART;
        let day = Date::new(2024, 3, 1).unwrap();
        let n = 2 * COPIES_PER_PART + 500;
        let first_spelling: std::sync::Arc<str> = "Armed clash".into();
        let other_type: std::sync::Arc<str> = "Drone strike".into();
        let mut located: Vec<LocatedIncident> = (0..n)
            .map(|i| {
                // About 200 m apart along a line, each within 10 m: no pair overlaps.
                let lon = 60.0 + i as f64 * 0.002;
                let mut l = report(i, "x", day, lon, 30.0, 0.01);
                l.record.event_type = Some(other_type.clone());
                l
            })
            .collect();
        located[3].record.event_type = Some(first_spelling.clone());
        // Another copy, another spelling, at the same place and day as record 3.
        let last = n - 1;
        located[last] = report(last, "ARMED  CLASH", day, 60.0 + 3.0 * 0.002, 30.0, 0.01);
        flag(&mut located);
        assert_eq!(located[3].possible_duplicates, [last as u32]);
        assert_eq!(located[last].possible_duplicates, [3]);
        let others = located
            .iter()
            .enumerate()
            .filter(|&(i, l)| i != 3 && i != last && !l.possible_duplicates.is_empty())
            .count();
        assert_eq!(others, 0);
    }
}
