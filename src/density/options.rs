//! The parameters of an analysis: what incidents weigh, the calendar bins, and every option
//! in one struct that is written out with the results.

use super::assign::CorridorSide;
use super::stats::LengthBasis;
use crate::model::Date;
use serde::{Deserialize, Serialize};

/// What each incident weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum WeightBy {
    /// Its `count` of events.
    Count,
    /// Its fatalities (unknown fatalities weigh nothing and are reported).
    Fatalities,
}

/// Calendar bins for the time breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Month,
    Quarter,
    Year,
}

/// Every parameter of an analysis; written out with results so a run can be reproduced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisOptions {
    pub segment_km: f64,
    pub corridor_km: f64,
    pub corridor_side: CorridorSide,
    pub length_basis: LengthBasis,
    pub weight: WeightBy,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Event types to keep (canonical or as written); empty keeps all.
    pub types: Vec<String>,
    /// Keep only records whose actors contain this text (case-insensitive).
    pub actor: Option<String>,
    pub period: Period,
    /// Borders to analyse (ids); empty means all.
    pub borders: Vec<String>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            segment_km: 25.0,
            corridor_km: 50.0,
            corridor_side: CorridorSide::Both,
            length_basis: LengthBasis::Measured,
            weight: WeightBy::Count,
            from: None,
            to: None,
            types: Vec::new(),
            actor: None,
            period: Period::Year,
            borders: Vec::new(),
        }
    }
}
