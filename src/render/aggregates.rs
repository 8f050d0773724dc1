//! Aggregate rows: one record standing for several events (`count` > 1) along a stretch of
//! border ("over 80 clashes along the Afghanistan–Pakistan border in 2025"). Spread over the
//! density surface such a row becomes a band as long as its stretch that outweighs every
//! located event, so the maps draw it as what it is — its stretch, with its count — and the
//! density surface is drawn from the other records ([`surface_analysis`]).

use crate::density::Analysis;
use crate::model::LocatedIncident;

/// Whether a record is an aggregate row: several events known only along a border stretch.
pub fn is_aggregate(l: &LocatedIncident) -> bool {
    l.record.count > 1.0 && l.location.stretch.is_some()
}

/// The analysis to draw the density surface from: `a` with the aggregate rows weighing
/// nothing. `None` when no aggregate row is counted (use `a` itself; nothing is copied).
pub fn surface_analysis(a: &Analysis, located: &[LocatedIncident]) -> Option<Analysis> {
    let any = located
        .iter()
        .zip(&a.placements)
        .any(|(l, p)| p.weight > 0.0 && is_aggregate(l));
    if !any {
        return None;
    }
    let mut b = a.clone();
    for (l, p) in located.iter().zip(b.placements.iter_mut()) {
        if is_aggregate(l) {
            p.weight = 0.0;
        }
    }
    Some(b)
}
