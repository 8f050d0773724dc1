//! Border analytics: incidents per border segment, sector and border, per 100 km and per year,
//! with exact Poisson intervals; a kernel density surface; the Tajik–Pakistani comparison.

pub mod assign;
pub mod columns;
pub mod compare;
mod filters;
mod frame;
pub use frame::BorderFrame;
pub mod hotspot;
pub mod kde;
pub mod nearest;
pub mod options;
mod periods;
pub use periods::calendar_periods;
pub mod results;
pub mod stats;

pub use options::{AnalysisOptions, Period, WeightBy};
pub use results::{Analysis, BorderResult, BreakdownRow, Placement, UnitResult};

use crate::borders::Border;
use crate::borders::locate::BorderPosition;
use crate::geodata::GeoData;
use crate::model::{Date, SourceFormat};
use assign::{Shares, is_imprecise, point_shares, sigma_for_radius, stretch_shares};
use columns::{AnalysisInput, Subject};
use periods::{periods, span_days};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use stats::{Contribution, LengthBasis, Tally, rates};
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// Event types that are not violence (as ACLED keeps "strategic developments" apart): kept
/// and drawn, but counted only when `--types` names them.
pub const NOT_VIOLENT: &[&str] = &["border_closure"];

/// Runs the analysis on located incidents (in full, or just their analysed fields in
/// [`columns::IncidentColumns`]) over the given geodata (its borders may be a user's lines).
pub fn analyse<I: AnalysisInput + ?Sized>(
    located: &I,
    geo: &GeoData,
    opts: &AnalysisOptions,
) -> Analysis {
    analyse_in(located, &BorderFrame::new(geo, opts), opts)
}

/// [`analyse`] against a frame already built for these options ([`BorderFrame::new`]).
pub fn analyse_in<I: AnalysisInput + ?Sized>(
    located: &I,
    frame: &BorderFrame,
    opts: &AnalysisOptions,
) -> Analysis {
    analyse_keeping(located, frame, opts, true)
}

/// [`analyse_in`] for a job that writes only the tables (`density`, `compare`): the same
/// figures, with no per-incident placements (`placements` is empty). Each placement counts
/// a reference to this thread's copy of a border id and of a side name, both looked up per
/// incident, and a million placements are about 100 MB that such a job never reads. Nor is
/// a distance measured on the ellipsoid where the bounds of the candidates' distances
/// decide the nearest border and every value its bounds allow gives the same shares
/// ([`nearest::Placing`]).
pub fn analyse_tables_in<I: AnalysisInput + ?Sized>(
    located: &I,
    frame: &BorderFrame,
    opts: &AnalysisOptions,
) -> Analysis {
    analyse_keeping(located, frame, opts, false)
}

fn analyse_keeping<I: AnalysisInput + ?Sized>(
    located: &I,
    frame: &BorderFrame,
    opts: &AnalysisOptions,
    keep_placements: bool,
) -> Analysis {
    debug_assert!(frame.fits(opts), "a frame built for other options");
    let BorderFrame {
        borders,
        index,
        sectors: all_sectors,
        segments: all_segments,
        cuts,
        segment_sectors,
        ..
    } = frame;
    let scale = |b: &Border| match opts.length_basis {
        LengthBasis::Measured => 1.0,
        LengthBasis::Published => b.published_scale().unwrap_or(1.0),
    };

    // Shares per incident: measured in parallel a chunk at a time (bounded memory), then
    // added up in input order, so sums are the same on any number of cores.
    let mut placements = Vec::with_capacity(if keep_placements { located.len() } else { 0 });
    // Without placements, only the shares read a distance: it is measured exactly only
    // where they could depend on it.
    let placing = nearest::Placing::of(opts, keep_placements);
    let mut seg_tally: Vec<Vec<Tally>> = all_segments
        .iter()
        .map(|s| vec![Tally::default(); s.len()])
        .collect();
    let mut sector_tally: Vec<Vec<Tally>> = all_sectors
        .iter()
        .map(|s| vec![Tally::default(); s.len()])
        .collect();
    let mut border_tally = vec![Tally::default(); borders.len()];
    let mut source_weights: Vec<FxHashMap<(&str, Option<&str>), f64>> =
        vec![FxHashMap::default(); borders.len()];
    let mut spans: Vec<Option<(Date, Date)>> = vec![None; borders.len()];
    // Breakdowns keyed by (border, event type number) and (border, period key).
    let mut type_rows: FxHashMap<(usize, u32), Tally> = FxHashMap::default();
    let mut period_rows: FxHashMap<(usize, u32), Tally> = FxHashMap::default();
    // Period keys numbered as met ("unknown" first), and each date span's periods.
    let mut period_names: Vec<String> = vec!["unknown".to_string()];
    let mut period_ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut periods_of: FxHashMap<(Date, Date), Vec<(u32, f64)>> = FxHashMap::default();
    let (mut weight_in, mut weight_in_segments, mut weight_outside) = (0.0, 0.0, 0.0);
    // Each border's side names (the country on each side).
    let side_names: Vec<[Arc<str>; 2]> = borders
        .iter()
        .map(|b| {
            [
                Arc::from(b.country_b.as_deref().unwrap_or("left")),
                Arc::from(b.country_a.as_deref().unwrap_or("right")),
            ]
        })
        .collect();
    // Each placement holds its border's id and side: this thread's own copies, since
    // placements are made on every thread at once ([`crate::memo::own_copy`]).
    let side_name = |bi: usize, right: bool| -> Arc<str> {
        crate::memo::own_copy(&side_names[bi][usize::from(right)])
    };
    // Side names numbered (one number per distinct name), so that per-incident sums are
    // kept in arrays rather than maps keyed by text; a name's sum is still taken in input
    // order, so the figures are the same.
    let mut side_id_names: Vec<Arc<str>> = Vec::new();
    let side_ids: Vec<[u32; 2]> = side_names
        .iter()
        .map(|pair| {
            pair.clone()
                .map(|name| match side_id_names.iter().position(|n| *n == name) {
                    Some(k) => k as u32,
                    None => {
                        side_id_names.push(name);
                        (side_id_names.len() - 1) as u32
                    }
                })
        })
        .collect();
    let mut countries: Vec<Option<f64>> = vec![None; side_id_names.len()];
    let mut sides: Vec<Vec<Option<f64>>> = vec![vec![None; side_id_names.len()]; borders.len()];
    // One incident's placement, its shares, and its share in each sector (non-zero ones).
    let measure = |loc: &Subject<'_>, nearest: Option<BorderPosition>| -> Measured {
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
                loc.radius_km,
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
        let along_km = nearest.as_ref().map(|p| to_the_metre(p.along_km));
        let placement = keep_placements.then(|| Placement {
            border_id: shares
                .border
                .or(nearest.as_ref().map(|p| p.border))
                .map(|bi| crate::memo::own_copy(&borders[bi].id)),
            distance_km: nearest.as_ref().map(|p| to_the_metre(p.distance_km)),
            along_km,
            side: nearest.as_ref().map(|p| side_name(p.border, p.right_side)),
            // The filters' verdict is filed when the chunk is added up.
            weight: 0.0,
            in_corridor,
            excluded: None,
        });
        let point = Point {
            in_corridor,
            along_km,
        };
        // Sectors: the share of the incident along each sector's km range (either side),
        // summed over its segments in order (through each segment's overlapping sectors).
        let mut sector_shares = SectorShares::new();
        if let Some(bi) = shares.border
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
            sector_shares.retain(|&mut (_, share)| share > 0.0);
            sector_shares.sort_unstable_by_key(|&(k, _)| k);
        }
        let side = nearest
            .as_ref()
            .map(|p| side_ids[p.border][usize::from(p.right_side)]);
        (placement, point, shares, sector_shares, side)
    };
    // Places the records first..end (one chunk, [`nearest::CHUNK`] records from a multiple
    // of it, or the last records): their nearest borders found while the inputs were read
    // ([`nearest::EarlyNearest`]) or found now, then each record measured against its own.
    let measure_range = |first: usize, end: usize| -> Vec<Measured> {
        let found;
        let nearest = match located.early_nearest(first, end, frame, &placing) {
            Some(chunk) => chunk,
            None => {
                found = nearest::ChunkNearest::new(
                    end - first,
                    |j| located.point(first + j),
                    index,
                    placing,
                );
                &found
            }
        };
        (first..end)
            .into_par_iter()
            .with_min_len(256)
            .map(|i| measure(&located.subject(i), nearest.of(i - first)))
            .collect()
    };
    // The filters are one pass over the records in input order, the analysis's one serial
    // step: it runs on one core while the head of the records, in whole chunks, is placed on
    // the borders on the others, chunk after chunk until the filters are done (at least one
    // chunk, at most about a quarter of the records: each measured record is held until the
    // filters' weights can add it up). A head of a fixed eighth was placed before the
    // filters were done on the peer's million, a core idle for about a tenth of a second
    // (`perf sched`). The chunks are the same whatever the head: the records of a chunk that
    // share a point share its placement, made for the widest reach among them, so other
    // chunks could place a record differently.
    const CHUNK: usize = nearest::CHUNK;
    let head_most = located
        .len()
        .min(CHUNK * (located.len() / 4 / CHUNK).max(1));
    let filtering = std::sync::atomic::AtomicBool::new(true);
    let (filtered, head) = rayon::join(
        || {
            let filtered = filters::filter(located, opts);
            filtering.store(false, std::sync::atomic::Ordering::Release);
            filtered
        },
        || {
            let mut head: Vec<(usize, Vec<Measured>)> = Vec::new();
            let mut first = 0;
            while first < head_most
                && (head.is_empty() || filtering.load(std::sync::atomic::Ordering::Acquire))
            {
                let end = located.len().min(first + CHUNK);
                head.push((first, measure_range(first, end)));
                first = end;
            }
            head
        },
    );
    let head_end = head.last().map_or(0, |(first, m)| first + m.len());
    let filters::Filtered {
        weights,
        reasons,
        event_types,
        type_names,
        excluded,
        window,
        years,
    } = filtered;
    // Adds up one measured chunk, in input order.
    let mut accumulate = |first: usize, measured: Vec<Measured>| {
        for (j, (placement, point, shares, sector_shares, placement_side)) in
            measured.into_iter().enumerate()
        {
            let i = first + j;
            if let Some(mut placement) = placement {
                placement.weight = weights[i];
                placement.excluded = reasons[i];
                placements.push(placement);
            }
            let Point {
                in_corridor,
                along_km: placement_km,
            } = point;
            let w = weights[i];
            if w <= 0.0 {
                continue;
            }
            weight_in += w;
            weight_outside += w * shares.outside;
            if let Some(side) = placement_side {
                *countries[side as usize].get_or_insert(0.0) += w;
            }
            let Some(bi) = shares.border else { continue };
            if shares.segments.is_empty() {
                continue;
            }
            if let Some(side) = placement_side {
                *sides[bi][side as usize].get_or_insert(0.0) += w * in_corridor;
            }
            let r = located.subject(i);
            // Figures apportioned by days like the events; "aggregate" is the record's own
            // count, whatever it is weighted by.
            let days = filters::share_in_window(r.date, opts);
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
            // The raw count (point position, no apportioning) goes to the border, its event
            // type and its periods alike, so the tables agree.
            let raw = if shares.point_segment.is_some() || shares.stretch {
                w
            } else {
                0.0
            };
            border_tally[bi].events_raw += raw;
            for (k, share) in sector_shares {
                sector_tally[bi][k].add(share, &c);
            }
            // A sector's raw count: the events whose point position (a stretch's middle)
            // lies along it, either side, as its weighted count takes both sides.
            if raw > 0.0 {
                let km = match r.stretch {
                    Some((_, k1, k2)) if shares.stretch => Some((k1 + k2) / 2.0),
                    _ => placement_km,
                };
                if let Some(km) = km {
                    for (k, sec) in all_sectors[bi].iter().enumerate() {
                        let last = sec.km_to >= borders[bi].measured_km;
                        if km >= sec.km_from && (km < sec.km_to || (last && km <= sec.km_to)) {
                            sector_tally[bi][k].events_raw += raw;
                        }
                    }
                }
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
            let type_row = type_rows
                .entry((bi, event_types[i].unwrap_or(filters::UNKNOWN_TYPE)))
                .or_default();
            type_row.add(in_corridor, &c);
            type_row.events_raw += raw;
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
                    let row = period_rows.entry((bi, key)).or_default();
                    row.add(share, &c);
                    row.events_raw += raw * days / span_days(span);
                }
            } else {
                let row = period_rows.entry((bi, 0)).or_default();
                row.add(in_corridor, &c);
                row.events_raw += raw;
            }
        }
    };
    // Chunk k+1 is measured (on all cores) while chunk k (at first, the head's chunks) is
    // added up.
    let mut previous: Vec<(usize, Vec<Measured>)> = head;
    let mut chunks = (head_end..located.len()).step_by(CHUNK);
    loop {
        let next = chunks.next();
        let (measured, ()) = rayon::join(
            || {
                next.map(|first| {
                    (
                        first,
                        measure_range(first, located.len().min(first + CHUNK)),
                    )
                })
            },
            || {
                for (first, m) in previous.drain(..) {
                    accumulate(first, m);
                }
            },
        );
        match measured {
            Some(m) => previous.push(m),
            None => break,
        }
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
                segments: {
                    let tests = match opts.weight {
                        WeightBy::Count => hotspot::hotspots(
                            &seg_tally[bi]
                                .iter()
                                .map(|t| t.events_weighted)
                                .collect::<Vec<_>>(),
                            &all_segments[bi]
                                .iter()
                                .map(|s| s.length_km)
                                .collect::<Vec<_>>(),
                        ),
                        WeightBy::Fatalities => vec![None; all_segments[bi].len()],
                    };
                    all_segments[bi]
                        .iter()
                        .zip(&seg_tally[bi])
                        .zip(tests)
                        .map(|((s, t), hotspot)| UnitResult {
                            unit: s.clone(),
                            tally: t.clone(),
                            rates: rates(t, s.length_km * k, opts.length_basis, years),
                            hotspot,
                        })
                        .collect()
                },
                sectors: all_sectors[bi]
                    .iter()
                    .zip(&sector_tally[bi])
                    .map(|(s, t)| UnitResult {
                        unit: s.clone(),
                        tally: t.clone(),
                        rates: rates(t, s.length_km * k, opts.length_basis, years),
                        hotspot: None,
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
                sides: named_sums(&sides[bi], &side_id_names),
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
        countries: named_sums(&countries, &side_id_names),
    }
}

/// Sums kept by side number, as a map by side name (the sums met, only).
fn named_sums<T: FromIterator<(String, f64)>>(sums: &[Option<f64>], names: &[Arc<str>]) -> T {
    sums.iter()
        .zip(names)
        .filter_map(|(w, name)| w.map(|w| (name.to_string(), w)))
        .collect()
}

/// One incident's placement (when kept), its point's figures, its shares, and its non-zero
/// share in each sector. The side it lies on is numbered as in `analyse`'s side names.
type Measured = (Option<Placement>, Point, Shares, SectorShares, Option<u32>);

/// An incident's share per sector, held in place up to three sectors (nearly every
/// incident's: a segment's ends can lie in two), where a list allocated per incident was
/// about 1% of `density`'s instructions.
type SectorShares = smallvec::SmallVec<[(usize, f64); 3]>;

/// What adding up needs of an incident's placement, kept or not.
struct Point {
    /// Share of the weight inside the corridor.
    in_corridor: f64,
    /// Position on its nearest border (km), rounded to the metre as the placement has it.
    along_km: Option<f64>,
}

/// A distance in km rounded to the metre, as placements give distances and positions.
fn to_the_metre(km: f64) -> f64 {
    (km * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests;
