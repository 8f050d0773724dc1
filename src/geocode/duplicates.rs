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

use crate::model::LocatedIncident;

pub const MAX_DAYS_APART: i64 = 45;

/// Each record is compared with at most this many later records of the same event type (the
/// nearest in time), so the check stays linear on dense data; reports of one event arrive
/// close in time, so the cap costs little.
pub const MAX_CANDIDATES: usize = 32;

/// At most this many possible duplicates are listed per record.
pub const MAX_LISTED: usize = 5;

fn event_key(l: &LocatedIncident) -> Option<String> {
    l.record
        .event_type
        .as_ref()
        .map(|t| crate::gazetteer::normalize::event_type_key(t))
}

/// Fills `possible_duplicates` on each record (ids of the others), in input order.
pub fn flag(located: &mut [LocatedIncident]) {
    // Group by event type, then sort each group by start date.
    let mut groups: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, l) in located.iter().enumerate() {
        if l.record.date.is_some()
            && l.record.count <= 1.0
            && let Some(k) = event_key(l)
        {
            groups.entry(k).or_default().push(i);
        }
    }
    let mut pairs = Vec::new();
    for order in groups.values_mut() {
        order.sort_by_key(|&i| {
            (
                located[i].record.date.map(|d| d.start.days_since_epoch()),
                i,
            )
        });
        for (a_pos, &a) in order.iter().enumerate() {
            let Some(da) = located[a].record.date else {
                continue;
            };
            for &b in order[a_pos + 1..].iter().take(MAX_CANDIDATES) {
                let Some(db) = located[b].record.date else {
                    continue;
                };
                if db.start.days_since_epoch() - da.end.days_since_epoch() > MAX_DAYS_APART {
                    break;
                }
                let (la, lb) = (&located[a].location, &located[b].location);
                let reach = la.radius_km + lb.radius_km;
                // A flat-earth distance (at most ~1% off here) rejects most pairs cheaply.
                let k = ((la.lat + lb.lat) / 2.0).to_radians().cos();
                let approx = 111.2 * ((la.lon - lb.lon) * k).hypot(la.lat - lb.lat);
                if approx > reach * 1.02 + 1.0 {
                    continue;
                }
                if crate::geo_util::km(la.lon, la.lat, lb.lon, lb.lat) <= reach {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        }
    }
    pairs.sort_unstable();
    for (a, b) in pairs {
        let (ida, idb) = (located[a].record.id.clone(), located[b].record.id.clone());
        if located[a].possible_duplicates.len() < MAX_LISTED {
            located[a].possible_duplicates.push(idb);
        }
        if located[b].possible_duplicates.len() < MAX_LISTED {
            located[b].possible_duplicates.push(ida);
        }
    }
}
