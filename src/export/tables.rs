//! CSV tables of the analysis: per segment, per sector, per border, breakdowns, comparison.
//! Cells that a spreadsheet would run as a formula are neutralised; unknown is an empty cell.

use super::spreadsheet_safe;
use crate::density::compare::Comparison;
use crate::density::hotspot::Hotspot;
use crate::density::stats::{Rates, Tally};
use crate::density::{Analysis, BreakdownRow};
use anyhow::Result;

/// A number rounded to 4 decimals; empty when unknown.
pub fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let r = (x * 1e4).round() / 1e4;
            if r == 0.0 { "0".into() } else { r.to_string() }
        }
        _ => String::new(),
    }
}

const TALLY_COLUMNS: [&str; 9] = [
    "events_weighted",
    "events_raw",
    "records",
    "fatalities",
    "fatalities_low",
    "fatalities_high",
    "fatalities_unknown_events",
    "wounded",
    "wounded_unknown_events",
];

fn tally_cells(t: &Tally) -> Vec<String> {
    vec![
        num(Some(t.events_weighted)),
        num(Some(t.events_raw)),
        t.records.to_string(),
        num(Some(t.fatalities)),
        num(Some(t.fatalities_low)),
        num(Some(t.fatalities_high)),
        num(Some(t.fatalities_unknown_events)),
        num(Some(t.wounded)),
        num(Some(t.wounded_unknown_events)),
    ]
}

const RATE_COLUMNS: [&str; 7] = [
    "length_km",
    "length_basis",
    "years",
    "per_100km",
    "per_100km_per_year",
    "ci95_low",
    "ci95_high",
];

fn rate_cells(r: &Rates) -> Vec<String> {
    vec![
        num(Some(r.length_km)),
        r.length_basis.as_str().into(),
        num(r.years),
        num(Some(r.per_100km)),
        num(r.per_100km_per_year),
        num(r.ci_low),
        num(r.ci_high),
    ]
}

fn write(header: Vec<&str>, rows: Vec<Vec<String>>) -> Result<String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(&header)?;
    for r in rows {
        w.write_record(r.iter().map(|c| spreadsheet_safe(c)))?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

pub fn segments_csv(a: &Analysis) -> Result<String> {
    let mut header = vec![
        "segment_id",
        "border_id",
        "index",
        "km_from",
        "km_to",
        "provinces",
    ];
    header.extend(TALLY_COLUMNS);
    header.extend(RATE_COLUMNS);
    header.extend(HOTSPOT_COLUMNS);
    let rows = a
        .borders
        .iter()
        .flat_map(|b| &b.segments)
        .map(|s| {
            let mut row = vec![
                s.unit.id.clone(),
                s.unit.border_id.clone(),
                s.unit.index.to_string(),
                num(Some(s.unit.km_from)),
                num(Some(s.unit.km_to)),
                s.unit.provinces.join("; "),
            ];
            row.extend(tally_cells(&s.tally));
            row.extend(rate_cells(&s.rates));
            row.extend(hotspot_cells(s.hotspot.as_ref()));
            row
        })
        .collect();
    write(header, rows)
}

/// A segment's test of excess over its border's rate (see `density::hotspot`).
const HOTSPOT_COLUMNS: [&str; 4] = ["hotspot", "hotspot_q", "hotspot_p", "hotspot_expected"];

/// The hotspot cells: empty when the segment was not tested (no length, or weighted by
/// fatalities).
fn hotspot_cells(h: Option<&Hotspot>) -> Vec<String> {
    match h {
        Some(h) => vec![
            h.hotspot.to_string(),
            sig(h.q_value),
            sig(h.p_value),
            num(Some(h.expected)),
        ],
        None => vec![String::new(); 4],
    }
}

/// A probability to 4 significant digits (a q-value of 3e-9 is not 0).
fn sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return num(Some(v));
    }
    let digits = 3 - v.abs().log10().floor() as i32;
    if digits <= 0 {
        return num(Some(v));
    }
    let f = format!("{v:.*}", digits.min(30) as usize);
    f.parse::<f64>().map(|x| x.to_string()).unwrap_or(f)
}

pub fn sectors_csv(a: &Analysis) -> Result<String> {
    let mut header = vec![
        "sector_id",
        "border_id",
        "province_id",
        "province",
        "country",
        "km_from",
        "km_to",
    ];
    header.extend(TALLY_COLUMNS);
    header.extend(RATE_COLUMNS);
    let rows = a
        .borders
        .iter()
        .flat_map(|b| &b.sectors)
        .map(|s| {
            let u = &s.unit;
            let mut row = vec![
                u.id.clone(),
                u.border_id.clone(),
                u.province_id.clone(),
                u.province.clone(),
                u.country.clone(),
                num(Some(u.km_from)),
                num(Some(u.km_to)),
            ];
            row.extend(tally_cells(&s.tally));
            row.extend(rate_cells(&s.rates));
            row
        })
        .collect();
    write(header, rows)
}

pub fn borders_csv(a: &Analysis) -> Result<String> {
    let mut header = vec![
        "border_id",
        "name",
        "measured_km",
        "published_km",
        "data_start",
        "data_end",
    ];
    header.extend(TALLY_COLUMNS);
    header.extend(RATE_COLUMNS);
    let rows = a
        .borders
        .iter()
        .map(|b| {
            let mut row = vec![
                b.border.id.clone(),
                b.border.name.clone(),
                num(Some(b.border.measured_km)),
                num(b.border.published_km),
                b.data_span.map(|s| s.0.to_string()).unwrap_or_default(),
                b.data_span.map(|s| s.1.to_string()).unwrap_or_default(),
            ];
            row.extend(tally_cells(&b.tally));
            row.extend(rate_cells(&b.rates));
            row
        })
        .collect();
    write(header, rows)
}

pub fn breakdown_csv(rows: &[BreakdownRow], key: &str) -> Result<String> {
    let mut header = vec!["border_id", key];
    header.extend(TALLY_COLUMNS);
    let rows = rows
        .iter()
        .map(|r| {
            let mut row = vec![r.border_id.clone(), r.key.clone()];
            row.extend(tally_cells(&r.tally));
            row
        })
        .collect();
    write(header, rows)
}

pub fn comparison_csv(c: &Comparison) -> Result<String> {
    let header = vec![
        "border_id",
        "events",
        "length_km",
        "length_basis",
        "years",
        "rate_per_100km_year",
        "ci95_low",
        "ci95_high",
        "data_start",
        "data_end",
        "imprecise_share",
        "aggregate_share",
        "rate_ratio_vs_other",
        "ratio_ci95_low",
        "ratio_ci95_high",
        "comparable",
        "not_comparable_because",
        "warnings",
    ];
    let row = |x: &crate::density::compare::BorderRate, first: bool| {
        vec![
            x.border_id.clone(),
            num(Some(x.events)),
            num(Some(x.length_km)),
            x.length_basis.clone(),
            num(x.years),
            num(x.rate_per_100km_year),
            num(x.ci_low),
            num(x.ci_high),
            x.data_start.clone().unwrap_or_default(),
            x.data_end.clone().unwrap_or_default(),
            num(Some(x.imprecise_share)),
            num(Some(x.aggregate_share)),
            if first {
                num(c.ratio)
            } else {
                num(c.ratio.map(|r| 1.0 / r))
            },
            if first {
                num(c.ratio_low)
            } else {
                num(c.ratio_high.map(|r| 1.0 / r))
            },
            if first {
                num(c.ratio_high)
            } else {
                num(c.ratio_low.map(|r| 1.0 / r))
            },
            c.comparable.to_string(),
            c.not_comparable.join(" | "),
            c.warnings.join(" | "),
        ]
    };
    write(header, vec![row(&c.a, true), row(&c.b, false)])
}
