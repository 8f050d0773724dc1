//! What an analysis returns: figures per border, segment and sector, where each incident
//! went, and the breakdowns by event type and period.

use super::hotspot;
use super::options::AnalysisOptions;
use super::stats::{Rates, Tally};
use crate::borders::Border;
use crate::borders::segments::{Sector, Segment};
use crate::model::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Figures for one segment or sector.
#[derive(Debug, Clone, Serialize)]
pub struct UnitResult<T> {
    pub unit: T,
    pub tally: Tally,
    pub rates: Rates,
    /// For segments: the test of excess over the border's rate ([`hotspot`]); `None` for
    /// sectors, for segments of no length, and when weighting by fatalities (deaths come in
    /// clusters, not as a Poisson count).
    pub hotspot: Option<hotspot::Hotspot>,
}

impl<T> UnitResult<T> {
    /// Whether the unit is a significant hotspot (q ≤ 0.05 across its border's segments).
    pub fn is_hotspot(&self) -> bool {
        self.hotspot.is_some_and(|h| h.hotspot)
    }
}

/// Figures for one border.
#[derive(Debug, Clone, Serialize)]
pub struct BorderResult {
    pub border: Border,
    pub tally: Tally,
    pub rates: Rates,
    pub segments: Vec<UnitResult<Segment>>,
    pub sectors: Vec<UnitResult<Sector>>,
    /// The sources of the records counted here, each with its weighted events in the
    /// corridor (see [`source_label`]).
    pub sources: BTreeMap<String, f64>,
    /// Earliest start and latest end date of the records counted here.
    pub data_span: Option<(Date, Date)>,
    /// The weighted events in the corridor by the side of the border their point lies on
    /// (its country code, or `left`/`right` for a user's line without countries).
    pub sides: BTreeMap<String, f64>,
}

/// Where one incident went.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    /// Nearest border (or the border of the record's stretch) and the incident's position on
    /// its nearest border (point position). Ids are shared, not copied per incident.
    pub border_id: Option<Arc<str>>,
    pub distance_km: Option<f64>,
    pub along_km: Option<f64>,
    /// Country code (or `right`/`left` for a user's line without countries) of the side.
    pub side: Option<Arc<str>>,
    /// The incident's weight after window and filters (0 when excluded).
    pub weight: f64,
    /// Share of the weight inside the corridor.
    pub in_corridor: f64,
    /// Why the incident was left out, if it was.
    pub excluded: Option<&'static str>,
}

/// One cell of a breakdown by event type or by period.
#[derive(Debug, Clone, Serialize)]
pub struct BreakdownRow {
    pub border_id: String,
    pub key: String,
    pub tally: Tally,
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub options: AnalysisOptions,
    pub window: Option<(Date, Date)>,
    pub years: Option<f64>,
    pub borders: Vec<BorderResult>,
    /// One per incident, in input order; none from [`super::analyse_tables_in`].
    pub placements: Vec<Placement>,
    pub by_type: Vec<BreakdownRow>,
    pub by_period: Vec<BreakdownRow>,
    /// Weight of all included records, and how it split.
    pub weight_in: f64,
    pub weight_in_segments: f64,
    pub weight_outside: f64,
    /// Records left out, by reason.
    pub excluded: BTreeMap<String, u64>,
    /// The weight of every included record (in a corridor or not) by the country its point
    /// lies in, as the side of its nearest border: what the inputs cover.
    pub countries: BTreeMap<String, f64>,
}
