//! Possible-duplicate check run on every input: two reports of one event often arrive from
//! different sources with different dates and spellings. Flag, never merge: the analyst decides.
//!
//! Two located records are flagged as possible duplicates when all hold:
//! - the same event type (canonical, case-folded),
//! - their date spans come within [`MAX_DAYS_APART`] days of each other,
//! - their locations overlap: the distance between their points is at most the sum of their
//!   uncertainty radii (so a border-zone report overlaps a district report on that stretch),
//! - and neither is an aggregate row (count > 1) standing for many events.

use crate::model::LocatedIncident;

pub const MAX_DAYS_APART: i64 = 45;

fn event_key(l: &LocatedIncident) -> Option<String> {
    l.record
        .event_type
        .as_ref()
        .map(|t| crate::gazetteer::normalize::fold(t).replace(' ', "_"))
}

/// Fills `possible_duplicates` on each record (ids of the others), in input order.
pub fn flag(located: &mut [LocatedIncident]) {
    let n = located.len();
    let mut pairs = Vec::new();
    // Sort indices by start date so only a window of neighbours is compared.
    let mut order: Vec<usize> = (0..n)
        .filter(|&i| located[i].record.date.is_some())
        .collect();
    order.sort_by_key(|&i| located[i].record.date.map(|d| d.start.days_since_epoch()));
    for (a_pos, &a) in order.iter().enumerate() {
        let (Some(da), Some(ka)) = (located[a].record.date, event_key(&located[a])) else {
            continue;
        };
        if located[a].record.count > 1.0 {
            continue;
        }
        for &b in &order[a_pos + 1..] {
            let Some(db) = located[b].record.date else {
                continue;
            };
            if db.start.days_since_epoch() - da.end.days_since_epoch() > MAX_DAYS_APART {
                break;
            }
            if located[b].record.count > 1.0
                || event_key(&located[b]).as_deref() != Some(ka.as_str())
            {
                continue;
            }
            let (la, lb) = (&located[a].location, &located[b].location);
            let d = crate::geo_util::km(la.lon, la.lat, lb.lon, lb.lat);
            if d <= la.radius_km + lb.radius_km {
                pairs.push((a, b));
            }
        }
    }
    for (a, b) in pairs {
        let (ida, idb) = (located[a].record.id.clone(), located[b].record.id.clone());
        located[a].possible_duplicates.push(idb);
        located[b].possible_duplicates.push(ida);
    }
}
