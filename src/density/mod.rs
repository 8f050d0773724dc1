//! Border analytics: incidents per border segment, sector and border, per 100 km and per year,
//! with exact Poisson intervals; a kernel density surface; the Tajik–Pakistani comparison.

pub mod assign;
pub mod columns;
pub mod compare;
pub mod kde;
pub mod stats;

use crate::borders::Border;
use crate::borders::locate::{BorderIndex, BorderPosition};
use crate::borders::segments::{Sector, Segment, sectors, segmentize};
use crate::gazetteer::normalize::event_type_key;
use crate::geodata::GeoData;
use crate::model::{Date, SourceFormat};
use assign::{CorridorSide, Shares, is_imprecise, point_shares, sigma_for_radius, stretch_shares};
use columns::{AnalysisInput, Subject};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use stats::{Contribution, LengthBasis, Rates, Tally, rates};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

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

/// Figures for one segment or sector.
#[derive(Debug, Clone, Serialize)]
pub struct UnitResult<T> {
    pub unit: T,
    pub tally: Tally,
    pub rates: Rates,
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
    pub placements: Vec<Placement>,
    pub by_type: Vec<BreakdownRow>,
    pub by_period: Vec<BreakdownRow>,
    /// Weight of all included records, and how it split.
    pub weight_in: f64,
    pub weight_in_segments: f64,
    pub weight_outside: f64,
    /// Records left out, by reason.
    pub excluded: BTreeMap<String, u64>,
}

/// The source a record counts under in a border's source mix, as (format, label): for the
/// native schema, its `source` (who reported the incident); for ACLED, the dataset alone
/// (its `source` lists the outlets each event was coded from, which vary from event to
/// event); for UCDP GED and GTD, the dataset and its variant (the `source` up to its first
/// `;`, e.g. `UCDP GED (reduced subset)`, without the outlets after it).
pub fn source_label<'a>(
    format: &'static str,
    source: Option<&'a str>,
) -> (&'static str, Option<&'a str>) {
    const NATIVE: &str = SourceFormat::Native.as_str();
    const ACLED: &str = SourceFormat::Acled.as_str();
    match format {
        NATIVE => (format, source),
        ACLED => (format, None),
        _ => (
            format,
            source.and_then(|s| s.split(';').next()).map(str::trim),
        ),
    }
}

/// Why a record is left out when an earlier one is the same event of the same dataset.
pub const REPEATED_EVENT: &str = "the same event as an earlier record (same dataset and event id)";

/// Event types that are figures, not events, and never count as events.
pub const NOT_EVENTS: &[&str] = &["statistic"];

fn day_overlap(a: (Date, Date), b: (Date, Date)) -> f64 {
    let s = a.0.days_since_epoch().max(b.0.days_since_epoch());
    let e = a.1.days_since_epoch().min(b.1.days_since_epoch());
    (e - s + 1).max(0) as f64
}

fn span_days(a: (Date, Date)) -> f64 {
    (a.1.days_since_epoch() - a.0.days_since_epoch() + 1).max(1) as f64
}

/// Runs the analysis on located incidents (in full, or just their analysed fields in
/// [`columns::IncidentColumns`]) over the given geodata (its borders may be a user's lines).
pub fn analyse<I: AnalysisInput + ?Sized>(
    located: &I,
    geo: &GeoData,
    opts: &AnalysisOptions,
) -> Analysis {
    let borders: Vec<Border> = geo
        .borders
        .iter()
        .filter(|b| {
            opts.borders.is_empty() || opts.borders.iter().any(|x| x.eq_ignore_ascii_case(&b.id))
        })
        .cloned()
        .collect();
    let index = BorderIndex::new(&borders);
    let all_sectors: Vec<Vec<Sector>> =
        borders.iter().map(|b| sectors(b, &geo.provinces)).collect();
    let all_segments: Vec<Vec<Segment>> = borders
        .iter()
        .zip(&all_sectors)
        .map(|(b, s)| segmentize(b, opts.segment_km, s))
        .collect();
    let cuts: Vec<Vec<f64>> = all_segments
        .iter()
        .map(|segs| {
            std::iter::once(0.0)
                .chain(segs.iter().map(|s| s.km_to))
                .collect()
        })
        .collect();
    let scale = |b: &Border| match opts.length_basis {
        LengthBasis::Measured => 1.0,
        LengthBasis::Published => b.published_scale().unwrap_or(1.0),
    };

    // Filters, window, weights. Canonical event types are folded once per spelling and
    // numbered, so per-incident work does not allocate.
    let types: Vec<String> = opts.types.iter().map(|t| event_type_key(t)).collect();
    let actor = opts.actor.as_ref().map(|a| a.to_lowercase());
    let mut excluded: BTreeMap<String, u64> = BTreeMap::new();
    let mut weights = vec![0.0; located.len()];
    let mut type_of_spelling: HashMap<&str, u32> = HashMap::new();
    let mut type_names: Vec<String> = Vec::new();
    let mut type_ids: HashMap<String, u32> = HashMap::new();
    // Records without a type are counted under "unknown" (with any type of that name).
    type_names.push("unknown".to_string());
    type_ids.insert("unknown".to_string(), 0);
    let unknown_type = 0u32;
    let mut event_types: Vec<Option<u32>> = Vec::with_capacity(located.len());
    let mut reasons: Vec<Option<&'static str>> = vec![None; located.len()];
    // Events already counted, by dataset and event id: an event in two overlapping files
    // counts once, the first copy the filters and the window keep. One set per dataset
    // (there are at most three), so a key is one id, not a pair: half the memory for a
    // million ids.
    let mut seen_events: Vec<(&str, HashSet<&str>)> = Vec::new();
    // The share of a record's date span inside the window (1 without a date or window):
    // its events, fatalities and wounded are apportioned by days.
    let in_window = |date: Option<(Date, Date)>| match date {
        Some(d) => {
            let lo = opts.from.unwrap_or(d.0);
            let hi = opts.to.unwrap_or(d.1);
            day_overlap(d, (lo, hi)) / span_days(d)
        }
        None => 1.0,
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
            let share = in_window(r.date);
            if share <= 0.0 {
                reason = Some("outside the date window");
            }
            w *= share;
        }
        // Among the copies of one event that pass the filters, the first counts.
        if reason.is_none()
            && r.event_id.is_some_and(|id| {
                let set = match seen_events.iter().position(|(f, _)| *f == r.format) {
                    Some(k) => &mut seen_events[k].1,
                    None => {
                        seen_events.push((r.format, HashSet::new()));
                        &mut seen_events.last_mut().expect("just pushed").1
                    }
                };
                !set.insert(id)
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
            let spans: Vec<(Date, Date)> = (0..located.len())
                .filter(|&i| weights[i] > 0.0)
                .filter_map(|i| located.subject(i).date)
                .collect();
            let s = spans.iter().map(|x| x.0).min();
            let e = spans.iter().map(|x| x.1).max();
            match (s, e) {
                (Some(s), Some(e)) => Some((opts.from.unwrap_or(s), opts.to.unwrap_or(e))),
                _ => None,
            }
        }
    };
    let years = window.map(|w| span_days(w) / 365.25);

    // Shares per incident: measured in parallel a chunk at a time (bounded memory), then
    // added up in input order, so sums are the same on any number of cores.
    let mut placements = Vec::with_capacity(located.len());
    let mut seg_tally: Vec<Vec<Tally>> = all_segments
        .iter()
        .map(|s| vec![Tally::default(); s.len()])
        .collect();
    let mut sector_tally: Vec<Vec<Tally>> = all_sectors
        .iter()
        .map(|s| vec![Tally::default(); s.len()])
        .collect();
    let mut border_tally = vec![Tally::default(); borders.len()];
    let mut source_weights: Vec<HashMap<(&str, Option<&str>), f64>> =
        vec![HashMap::new(); borders.len()];
    let mut spans: Vec<Option<(Date, Date)>> = vec![None; borders.len()];
    // Breakdowns keyed by (border, event type number) and (border, period key).
    let mut type_rows: HashMap<(usize, u32), Tally> = HashMap::new();
    let mut period_rows: HashMap<(usize, u32), Tally> = HashMap::new();
    // Period keys numbered as met ("unknown" first), and each date span's periods.
    let mut period_names: Vec<String> = vec!["unknown".to_string()];
    let mut period_ids: HashMap<String, u32> = HashMap::new();
    let mut periods_of: HashMap<(Date, Date), Vec<(u32, f64)>> = HashMap::new();
    let (mut weight_in, mut weight_in_segments, mut weight_outside) = (0.0, 0.0, 0.0);
    // Border ids and side names, shared by every placement.
    let border_ids: Vec<Arc<str>> = borders.iter().map(|b| Arc::from(b.id.as_str())).collect();
    let side_names: Vec<[Arc<str>; 2]> = borders
        .iter()
        .map(|b| {
            [
                Arc::from(b.country_b.as_deref().unwrap_or("left")),
                Arc::from(b.country_a.as_deref().unwrap_or("right")),
            ]
        })
        .collect();
    let side_name =
        |bi: usize, right: bool| -> Arc<str> { side_names[bi][usize::from(right)].clone() };
    // For each segment, the sectors it overlaps and by how many km.
    let segment_sectors: Vec<Vec<Vec<(usize, f64)>>> = all_segments
        .iter()
        .zip(&all_sectors)
        .map(|(segs, secs)| {
            segs.iter()
                .map(|seg| {
                    if seg.length_km <= 0.0 {
                        return Vec::new();
                    }
                    secs.iter()
                        .enumerate()
                        .map(|(k, sec)| {
                            let overlap =
                                (seg.km_to.min(sec.km_to) - seg.km_from.max(sec.km_from)).max(0.0);
                            (k, overlap)
                        })
                        .filter(|&(_, overlap)| overlap > 0.0)
                        .collect()
                })
                .collect()
        })
        .collect();
    // One incident's placement, its shares, and its share in each sector (non-zero ones).
    let measure = |i: usize, loc: &Subject<'_>, nearest: Option<BorderPosition>| -> Measured {
        let stretch_border = loc.stretch.and_then(|(border_id, km_from, km_to)| {
            borders
                .iter()
                .position(|b| b.id == border_id)
                .map(|bi| (bi, km_from, km_to))
        });
        let mut shares: Shares = match (stretch_border, &nearest) {
            (Some((bi, k1, k2)), _) => {
                let mut s = stretch_shares(bi, k1, k2, &cuts[bi]);
                // A long stretch has no point position: its raw count goes to the border only.
                if (k2 - k1).abs() > 2.0 * opts.segment_km {
                    s.point_segment = None;
                }
                s
            }
            (None, Some(pos)) => point_shares(
                sigma_for_radius(loc.radius_km),
                pos,
                &borders[pos.border],
                &cuts[pos.border],
                opts.corridor_km,
                opts.corridor_side,
            ),
            (None, None) => Shares {
                outside: 1.0,
                ..Default::default()
            },
        };
        // A stretch's raw count goes to its border even without a point segment.
        shares.stretch = stretch_border.is_some();
        let in_corridor: f64 = shares.segments.iter().map(|x| x.1).sum();
        let placement = Placement {
            border_id: shares
                .border
                .or(nearest.as_ref().map(|p| p.border))
                .map(|bi| border_ids[bi].clone()),
            distance_km: nearest
                .as_ref()
                .map(|p| (p.distance_km * 1000.0).round() / 1000.0),
            along_km: nearest
                .as_ref()
                .map(|p| (p.along_km * 1000.0).round() / 1000.0),
            side: nearest.as_ref().map(|p| side_name(p.border, p.right_side)),
            weight: weights[i],
            in_corridor,
            excluded: reasons[i],
        };
        // Sectors: the share of the incident along each sector's km range (either side),
        // summed over its segments in order (through each segment's overlapping sectors).
        let mut sector_shares: Vec<(usize, f64)> = Vec::new();
        if let Some(bi) = shares.border
            && weights[i] > 0.0
            && !shares.segments.is_empty()
        {
            for &(si, s) in &shares.segments {
                let seg = &all_segments[bi][si];
                for &(k, overlap) in &segment_sectors[bi][si] {
                    let term = s * overlap / seg.length_km;
                    match sector_shares.iter_mut().find(|(kk, _)| *kk == k) {
                        Some((_, acc)) => *acc += term,
                        None => sector_shares.push((k, term)),
                    }
                }
            }
            sector_shares.retain(|&(_, share)| share > 0.0);
            sector_shares.sort_unstable_by_key(|&(k, _)| k);
        }
        (placement, shares, sector_shares)
    };
    // Adds up one measured chunk, in input order.
    let mut accumulate = |first: usize, measured: Vec<Measured>| {
        for (j, (placement, shares, sector_shares)) in measured.into_iter().enumerate() {
            let i = first + j;
            let in_corridor = placement.in_corridor;
            placements.push(placement);
            let w = weights[i];
            if w <= 0.0 {
                continue;
            }
            weight_in += w;
            weight_outside += w * shares.outside;
            let Some(bi) = shares.border else { continue };
            if shares.segments.is_empty() {
                continue;
            }
            let r = located.subject(i);
            // Figures apportioned by days like the events; "aggregate" is the record's own
            // count, whatever it is weighted by.
            let days = in_window(r.date);
            let c = Contribution {
                count: w,
                fatalities: r.fatalities.map(|f| f * days),
                fatalities_low: r.fatalities_low.map(|f| f * days),
                fatalities_high: r.fatalities_high.map(|f| f * days),
                wounded: r.wounded.map(|v| v * days),
                imprecise: is_imprecise(r.precision),
                aggregate: r.count > 1.0,
            };
            for &(si, share) in &shares.segments {
                seg_tally[bi][si].add(share, &c);
                weight_in_segments += w * share;
            }
            if let Some(ps) = shares.point_segment {
                seg_tally[bi][ps].events_raw += w;
            }
            border_tally[bi].add(in_corridor, &c);
            if shares.point_segment.is_some() || shares.stretch {
                border_tally[bi].events_raw += w;
            }
            for (k, share) in sector_shares {
                sector_tally[bi][k].add(share, &c);
            }
            *source_weights[bi]
                .entry(source_label(r.format, r.source))
                .or_default() += w * in_corridor;
            if let Some(d) = r.date {
                spans[bi] = Some(match spans[bi] {
                    Some((s, e)) => (s.min(d.0), e.max(d.1)),
                    None => d,
                });
            }
            type_rows
                .entry((bi, event_types[i].unwrap_or(unknown_type)))
                .or_default()
                .add(in_corridor, &c);
            if let Some(d) = r.date {
                let span = (
                    opts.from.map_or(d.0, |f| f.max(d.0)),
                    opts.to.map_or(d.1, |t| t.min(d.1)),
                );
                let parts = periods_of.entry(span).or_insert_with(|| {
                    periods(span, opts.period)
                        .into_iter()
                        .map(|(key, days)| {
                            let id = *period_ids.entry(key.clone()).or_insert_with(|| {
                                period_names.push(key);
                                (period_names.len() - 1) as u32
                            });
                            (id, days)
                        })
                        .collect()
                });
                for &(key, days) in parts.iter() {
                    let share = in_corridor * days / span_days(span);
                    period_rows.entry((bi, key)).or_default().add(share, &c);
                }
            } else {
                period_rows.entry((bi, 0)).or_default().add(in_corridor, &c);
            }
        }
    };
    // Chunk k+1 is measured (on all cores) while chunk k is added up.
    const CHUNK: usize = 1 << 15;
    let mut previous: Option<(usize, Vec<Measured>)> = None;
    let mut chunks = (0..located.len()).step_by(CHUNK);
    loop {
        let next = chunks.next();
        let (measured, ()) = rayon::join(
            || {
                next.map(|first| {
                    let end = located.len().min(first + CHUNK);
                    // Each distinct point of the chunk is placed on the borders once: real
                    // data name the same places again and again (UCDP GED files hold about
                    // one distinct point for every four to five events).
                    // Its figures need the exact position only within the reach of the
                    // corridor: beyond corridor + 8σ of its widest record, no share is left.
                    let mut slot_of: crate::borders::locate::PointMap<u32> = Default::default();
                    let mut points: Vec<(f64, f64, f64)> = Vec::new();
                    let slots: Vec<u32> = (first..end)
                        .map(|i| {
                            let s = located.subject(i);
                            let reach = opts.corridor_km + 8.0 * sigma_for_radius(s.radius_km);
                            let next = points.len() as u32;
                            let slot = *slot_of
                                .entry((s.lon.to_bits(), s.lat.to_bits()))
                                .or_insert(next);
                            if slot == next {
                                points.push((s.lon, s.lat, reach));
                            }
                            let p = &mut points[slot as usize].2;
                            *p = p.max(reach);
                            slot
                        })
                        .collect();
                    let nearest: Vec<Option<BorderPosition>> = points
                        .par_iter()
                        .with_min_len(256)
                        .map(|&(lon, lat, reach)| index.nearest_within(lon, lat, reach))
                        .collect();
                    let m: Vec<Measured> = (first..end)
                        .into_par_iter()
                        .with_min_len(256)
                        .map(|i| {
                            let near = nearest[slots[i - first] as usize].clone();
                            measure(i, &located.subject(i), near)
                        })
                        .collect();
                    (first, m)
                })
            },
            || {
                if let Some((first, m)) = previous.take() {
                    accumulate(first, m);
                }
            },
        );
        if measured.is_none() {
            break;
        }
        previous = measured;
    }
    let period_rows: BTreeMap<(usize, String), Tally> = period_rows
        .into_iter()
        .map(|((bi, p), tally)| ((bi, period_names[p as usize].clone()), tally))
        .collect();
    let type_rows: BTreeMap<(usize, String), Tally> = type_rows
        .into_iter()
        .map(|((bi, t), tally)| ((bi, type_names[t as usize].clone()), tally))
        .collect();

    let results: Vec<BorderResult> = borders
        .iter()
        .enumerate()
        .map(|(bi, b)| {
            let k = scale(b);
            BorderResult {
                tally: border_tally[bi].clone(),
                rates: rates(
                    &border_tally[bi],
                    b.measured_km * k,
                    opts.length_basis,
                    years,
                ),
                segments: all_segments[bi]
                    .iter()
                    .zip(&seg_tally[bi])
                    .map(|(s, t)| UnitResult {
                        unit: s.clone(),
                        tally: t.clone(),
                        rates: rates(t, s.length_km * k, opts.length_basis, years),
                    })
                    .collect(),
                sectors: all_sectors[bi]
                    .iter()
                    .zip(&sector_tally[bi])
                    .map(|(s, t)| UnitResult {
                        unit: s.clone(),
                        tally: t.clone(),
                        rates: rates(t, s.length_km * k, opts.length_basis, years),
                    })
                    .collect(),
                sources: source_weights[bi]
                    .iter()
                    .map(|(&(f, s), &weight)| {
                        let name = match s {
                            Some(s) => format!("{f}: {s}"),
                            None => f.to_string(),
                        };
                        (name, weight)
                    })
                    .collect(),
                data_span: spans[bi],
                border: b.clone(),
            }
        })
        .collect();
    let rows = |m: BTreeMap<(usize, String), Tally>| -> Vec<BreakdownRow> {
        m.into_iter()
            .map(|((bi, key), tally)| BreakdownRow {
                border_id: borders[bi].id.clone(),
                key,
                tally,
            })
            .collect()
    };
    Analysis {
        options: opts.clone(),
        window,
        years,
        borders: results,
        placements,
        by_type: rows(type_rows),
        by_period: rows(period_rows),
        weight_in,
        weight_in_segments,
        weight_outside,
        excluded,
    }
}

/// One incident's placement, its shares, and its non-zero share in each sector.
type Measured = (Placement, Shares, Vec<(usize, f64)>);

/// The calendar periods a span covers, with the days of the span in each.
fn periods(span: (Date, Date), p: Period) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let (mut y, mut m) = (span.0.year, span.0.month);
    while let Some(first) = Date::new(y, m, 1) {
        if first > span.1 {
            break;
        }
        let last = Date::new(y, m, crate::model::days_in_month(y, m)).unwrap_or(first);
        let days = day_overlap((first, last), span);
        let key = match p {
            Period::Month => format!("{y:04}-{m:02}"),
            Period::Quarter => format!("{y:04}-Q{}", (m - 1) / 3 + 1),
            Period::Year => format!("{y:04}"),
        };
        match out.last_mut() {
            Some((k, d)) if *k == key => *d += days,
            _ => out.push((key, days)),
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        DatePrecision, DateSpan, IncidentRecord, LocatedIncident, Location, PrecisionClass,
        RecordOrigin, SourceFormat,
    };

    fn incident(id: &str, lon: f64, lat: f64, radius: f64, count: f64) -> LocatedIncident {
        let d = Date::new(2025, 1, 1).unwrap();
        LocatedIncident {
            record: IncidentRecord {
                id: id.into(),
                date: Some(DateSpan {
                    start: d,
                    end: Date::new(2025, 12, 31).unwrap(),
                    precision: DatePrecision::Year,
                }),
                country: None,
                admin1: None,
                admin2: None,
                location: None,
                latitude: Some(lat),
                longitude: Some(lon),
                stated_precision: None,
                event_type: Some("armed clash".into()),
                actors: None,
                fatalities: Some(1.0),
                fatalities_low: None,
                fatalities_high: None,
                wounded: None,
                targets: None,
                origin: None,
                count,
                source: None,
                source_url: None,
                notes: None,
                extra: Default::default(),
                provenance: RecordOrigin {
                    file: "t".into(),
                    line: 1,
                    format: SourceFormat::Native,
                },
            },
            location: Location::from_coordinates(
                lon,
                lat,
                PrecisionClass::Exact,
                radius,
                String::new(),
            ),
            possible_duplicates: Vec::new(),
        }
    }

    #[test]
    fn points_placed_at_known_km_are_counted_in_their_segment_and_weights_are_conserved() {
        let geo = GeoData::load(None).unwrap();
        let tj = geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
        let mut located = Vec::new();
        // Three events on the line at km 110 (segment 5 of 25 km) and one 300 km away.
        for (i, km) in [110.0, 110.5, 111.0].iter().enumerate() {
            let (lon, lat) = crate::borders::locate::point_at_km(tj, *km);
            located.push(incident(&format!("p{i}"), lon, lat, 1.0, 1.0));
        }
        located.push(incident("far", 65.0, 31.0, 1.0, 1.0));
        let mut wide = incident("wide", 70.0, 37.5, 120.0, 4.0);
        wide.record.fatalities = None;
        located.push(wide);
        let opts = AnalysisOptions::default();
        let a = analyse(&located, &geo, &opts);
        let r = a.borders.iter().find(|b| b.border.id == "AF-TJ").unwrap();
        let seg5 = &r.segments[4];
        assert_eq!(seg5.unit.id, "AF-TJ-005");
        assert!(
            seg5.tally.events_weighted > 2.99,
            "{}",
            seg5.tally.events_weighted
        );
        assert_eq!(seg5.tally.events_raw, 3.0);
        // Conservation: in segments + outside = all weight.
        assert!((a.weight_in - 8.0).abs() < 1e-9);
        assert!((a.weight_in_segments + a.weight_outside - a.weight_in).abs() < 1e-6);
        let seg_sum: f64 = a
            .borders
            .iter()
            .flat_map(|b| &b.segments)
            .map(|s| s.tally.events_weighted)
            .sum();
        assert!((seg_sum - a.weight_in_segments).abs() < 1e-6);
        // A whole year: per 100 km per year over 25 km is 4× the count.
        assert!((a.years.unwrap() - 365.0 / 365.25).abs() < 1e-9);
        // Unknown fatalities are not zeros.
        assert!(r.tally.fatalities_unknown_events > 0.0);
    }

    /// Copies of one dataset event: the first copy the filters keep counts, later ones are
    /// left out as repeats; a copy the window leaves out does not use up the event.
    #[test]
    fn a_repeated_event_counts_once_among_the_copies_kept() {
        let geo = GeoData::load(None).unwrap();
        let copy = |line: u64, dated: bool| {
            let mut l = incident("132154", 70.0, 37.0, 1.0, 1.0);
            l.record.provenance.format = SourceFormat::UcdpGed;
            l.record.provenance.line = line;
            if !dated {
                l.record.date = None;
            }
            l
        };
        let located = vec![copy(2, false), copy(3, true), copy(4, true)];
        let opts = AnalysisOptions {
            from: Date::new(2025, 1, 1),
            to: Date::new(2025, 12, 31),
            ..AnalysisOptions::default()
        };
        let a = analyse(&located, &geo, &opts);
        let why: Vec<Option<&str>> = a.placements.iter().map(|p| p.excluded).collect();
        assert_eq!(
            why,
            vec![
                Some("no date, and a date window was set"),
                None,
                Some(REPEATED_EVENT)
            ]
        );
        assert_eq!(a.weight_in, 1.0);
        // Native lists' ids are never taken for the same event.
        let mut native = located.clone();
        for l in &mut native {
            l.record.provenance.format = SourceFormat::Native;
        }
        let a = analyse(&native, &geo, &opts);
        assert_eq!(a.weight_in, 2.0);
    }

    /// A record dated only to a year, half inside the window: half its events, half its
    /// fatalities and wounded; weighted by fatalities, one event is still not an aggregate.
    #[test]
    fn figures_of_a_record_partly_in_the_window_are_apportioned_alike() {
        let geo = GeoData::load(None).unwrap();
        let tj = geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
        let (lon, lat) = crate::borders::locate::point_at_km(tj, 110.0);
        let mut l = incident("y", lon, lat, 1.0, 1.0);
        l.record.fatalities = Some(10.0);
        l.record.wounded = Some(4.0);
        let first_half = AnalysisOptions {
            from: Date::new(2025, 1, 1),
            to: Date::new(2025, 7, 2),
            ..AnalysisOptions::default()
        };
        for weight in [WeightBy::Count, WeightBy::Fatalities] {
            let opts = AnalysisOptions {
                weight,
                ..first_half.clone()
            };
            let a = analyse(&vec![l.clone()], &geo, &opts);
            let t = &a
                .borders
                .iter()
                .find(|b| b.border.id == "AF-TJ")
                .unwrap()
                .tally;
            let half = 183.0 / 365.0;
            let events = match weight {
                WeightBy::Count => half,
                WeightBy::Fatalities => 10.0 * half,
            };
            assert!(
                (t.events_weighted - events).abs() < 1e-3,
                "{weight:?} {t:?}"
            );
            assert!((t.fatalities - 10.0 * half).abs() < 1e-3, "{t:?}");
            assert!((t.wounded - 4.0 * half).abs() < 1e-3, "{t:?}");
            assert_eq!(t.aggregate_events, 0.0, "one event is not an aggregate row");
        }
    }

    #[test]
    fn periods_split_by_days() {
        let s = (
            Date::new(2025, 11, 16).unwrap(),
            Date::new(2026, 1, 15).unwrap(),
        );
        let p = periods(s, Period::Month);
        assert_eq!(
            p,
            vec![
                ("2025-11".into(), 15.0),
                ("2025-12".into(), 31.0),
                ("2026-01".into(), 15.0)
            ]
        );
        let q = periods(s, Period::Quarter);
        assert_eq!(q, vec![("2025-Q4".into(), 46.0), ("2026-Q1".into(), 15.0)]);
    }
}
