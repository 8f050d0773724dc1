//! Unit tests of the analysis (placing, counting, windows, periods).

use super::*;
use crate::model::{
    DatePrecision, DateSpan, IncidentRecord, LocatedIncident, Location, PrecisionClass,
    RecordOrigin, SourceFormat,
};
use assign::share_reach_km;

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

/// Issue 16, item 6: both borders with enough events, AF-TJ's on both sides and AF-PK's on
/// the Pakistani side only: comparable, with a warning that the countries covered differ.
/// The points are found by side first (20 km either side of each border), so the test does
/// not depend on the lines' exact course.
#[test]
fn countries_covered_alike_or_not_are_said() {
    let geo = GeoData::load(None).unwrap();
    let mut candidates = Vec::new();
    for id in ["AF-TJ", "AF-PK"] {
        let b = geo.borders.iter().find(|b| b.id == id).unwrap();
        for k in 1..40 {
            let (lon, lat) =
                crate::borders::locate::point_at_km(b, b.measured_km * k as f64 / 40.0);
            for (dx, dy) in [(0.2, 0.0), (-0.2, 0.0), (0.0, 0.2), (0.0, -0.2)] {
                candidates.push(incident("c", lon + dx, lat + dy, 1.0, 1.0));
            }
        }
    }
    let opts = AnalysisOptions::default();
    let a = analyse(&candidates, &geo, &opts);
    let pick = |border: &str, side: &str| -> Vec<LocatedIncident> {
        candidates
            .iter()
            .zip(&a.placements)
            .filter(|(_, p)| {
                p.border_id.as_deref() == Some(border)
                    && p.side.as_deref() == Some(side)
                    && p.in_corridor > 0.999
            })
            .map(|(l, _)| l.clone())
            .take(12)
            .collect()
    };
    let (tj_af, tj_tj, pk_pk) = (
        pick("AF-TJ", "AF"),
        pick("AF-TJ", "TJ"),
        pick("AF-PK", "PK"),
    );
    assert!(tj_af.len() == 12 && tj_tj.len() == 12 && pk_pk.len() == 12);
    let warning = |located: &Vec<LocatedIncident>| {
        let a = analyse(located, &geo, &opts);
        let c = super::compare::compare(&a, "AF-TJ", "AF-PK").unwrap();
        assert!(c.comparable && c.ratio.is_some(), "{:?}", c.not_comparable);
        println!("{:#?}", c.warnings);
        c.warnings
            .into_iter()
            .find(|w| w.starts_with("the countries covered differ"))
    };
    let mut one_sided: Vec<LocatedIncident> = tj_af.clone();
    one_sided.extend(tj_tj.clone());
    one_sided.extend(pk_pk.clone());
    let w = warning(&one_sided).expect("AF-PK's events lie on one side only");
    assert!(w.contains("AF-PK's on one side only (PK 100%)"), "{w}");
    assert!(w.contains("AF-TJ's events lie on both sides"), "{w}");
    // Both borders one-sided alike: no warning.
    let mut alike = tj_tj;
    alike.extend(pk_pk);
    assert_eq!(warning(&alike), None);
}

/// Records of one chunk of 32,768 that share a point share its placement, made for the
/// widest reach among them (exact for the one with a wide uncertainty, and so for both).
/// Whatever runs beside the filters, the chunks stay where they were: a head of records
/// measured first once cut them elsewhere on inputs over 262,144 records, and the first of
/// these two records got a cheaper placement (286.739 km instead of 286.463).
#[test]
fn records_sharing_a_point_in_one_chunk_share_its_placement() {
    let geo = GeoData::load(None).unwrap();
    let filler = incident("f", 69.0, 37.2, 0.0, 1.0);
    let mut located: Vec<LocatedIncident> = vec![filler; 300_000];
    // In the middle of Afghanistan, far beyond the corridor for a precise record.
    located[33_000] = incident("i", 66.5, 34.0, 0.0, 1.0);
    located[40_000] = incident("j", 66.5, 34.0, 2000.0, 1.0);
    let a = analyse(&located, &geo, &AnalysisOptions::default());
    let (i, j) = (&a.placements[33_000], &a.placements[40_000]);
    assert_eq!(i.distance_km, j.distance_km);
    assert_eq!(i.along_km, j.along_km);
    assert_eq!(i.side, j.side);
}

/// The tables' analysis (no placements kept) gives every figure the full analysis gives:
/// raw counts by sector read the point's position as the placement rounds it.
#[test]
fn an_analysis_for_tables_has_the_full_analysis_figures_without_placements() {
    let geo = GeoData::load(None).unwrap();
    let frame = BorderFrame::new(&geo, &AnalysisOptions::default());
    let tj = geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
    let mut located = Vec::new();
    for i in 0..2_000u32 {
        let km = f64::from(i) * 0.6871;
        let (lon, lat) = crate::borders::locate::point_at_km(tj, km);
        let radius = f64::from(i % 7) * 9.0;
        located.push(incident(&format!("p{i}"), lon, lat + 0.01, radius, 1.0));
        let spread = (
            65.0 + f64::from(i % 97) * 0.1,
            31.0 + f64::from(i % 89) * 0.1,
        );
        located.push(incident(&format!("s{i}"), spread.0, spread.1, radius, 2.0));
    }
    for opts in [
        AnalysisOptions::default(),
        AnalysisOptions {
            corridor_side: assign::CorridorSide::Afghan,
            ..AnalysisOptions::default()
        },
    ] {
        assert_tables_are_the_full_analysis(&located, &frame, &opts);
    }
}

/// The analysis for the tables alone has no placements and every other figure of the full
/// analysis, which places every record.
fn assert_tables_are_the_full_analysis(
    located: &[LocatedIncident],
    frame: &BorderFrame,
    opts: &AnalysisOptions,
) {
    let full = analyse_in(located, frame, opts);
    let tables = analyse_tables_in(located, frame, opts);
    assert_eq!(full.placements.len(), located.len());
    assert!(tables.placements.is_empty());
    let without = Analysis {
        placements: Vec::new(),
        ..full
    };
    assert_eq!(
        serde_json::to_string(&without).unwrap(),
        serde_json::to_string(&tables).unwrap()
    );
}

/// Placed for the tables alone, a point keeps its exact border, position and side; its
/// distance differs from the exact one only by the tangent plane's error bound, and only
/// where the shares cannot tell (the analyses' tables are the same, for either corridor
/// side); and that is most points placed more than 0.2° from their border, well inside the
/// corridor.
#[test]
fn placing_for_the_tables_measures_only_what_the_shares_read() {
    let geo = GeoData::load(None).unwrap();
    let frame = BorderFrame::new(&geo, &AnalysisOptions::default());
    let mut next = crate::geo_util::test_uniform(53);
    let located: Vec<LocatedIncident> = (0..12_000)
        .map(|i| {
            let (lon, lat) = (60.0 + next() * 16.0, 29.0 + next() * 12.0);
            let radius = [0.0, 0.001, 2.0, 20.0][i % 4];
            incident(&format!("p{i}"), lon, lat, radius, 1.0)
        })
        .collect();
    for side in [assign::CorridorSide::Both, assign::CorridorSide::Afghan] {
        let opts = AnalysisOptions {
            corridor_side: side,
            ..AnalysisOptions::default()
        };
        let point = |j: usize| located.point(j);
        let n = located.len();
        let exact =
            nearest::ChunkNearest::new(n, point, &frame.index, nearest::Placing::of(&opts, true));
        let tables =
            nearest::ChunkNearest::new(n, point, &frame.index, nearest::Placing::of(&opts, false));
        // Points whose exact distance is over 0.2° of latitude or longitude in any
        // direction, and within the corridor by more than their radius.
        let (mut beyond, mut estimated_beyond) = (0, 0);
        let mut estimated = 0;
        for (j, incident) in located.iter().enumerate() {
            let (e, t) = (exact.of(j), tables.of(j));
            let (Some(e), Some(t)) = (e.clone(), t.clone()) else {
                assert_eq!(e, t);
                continue;
            };
            assert_eq!(
                (e.border, e.along_km.to_bits(), e.right_side),
                (t.border, t.along_km.to_bits(), t.right_side),
                "{j}"
            );
            let far = incident.location.radius_km <= 2.0
                && e.distance_km > 32.0
                && e.distance_km < opts.corridor_km - 3.0;
            beyond += usize::from(far);
            if e.distance_km != t.distance_km {
                estimated += 1;
                estimated_beyond += usize::from(far);
                let bound = crate::borders::tangent::cubic_error_km(t.distance_km);
                assert!(
                    (e.distance_km - t.distance_km).abs() <= bound,
                    "{j}: {e:?} {t:?}"
                );
                assert!(
                    e.distance_km > 15.0 && e.distance_km < opts.corridor_km,
                    "{j}: {e:?}"
                );
            }
        }
        // About 70% of them (389 of 557 on either side when written); for the rest, a
        // neighbouring segment's nearest point is farther by less than the bounds' few
        // metres, and both are measured.
        assert!(
            estimated > 500 && 2 * estimated_beyond > beyond && beyond > 300,
            "{estimated} {estimated_beyond} {beyond}"
        );
        assert_tables_are_the_full_analysis(&located, &frame, &opts);
    }
}

/// Records that share a point with other radii (placed once, for the widest reach), over
/// several chunks: the analysis for the tables, its distances only as exact as the shares
/// need, has the full analysis's figures, for both sides and for the neighbour's side.
#[test]
fn tables_from_shared_points_placed_for_the_widest_reach_are_the_full_analysis() {
    let geo = GeoData::load(None).unwrap();
    let located = scattered_over_chunks();
    for side in [assign::CorridorSide::Both, assign::CorridorSide::Neighbour] {
        let opts = AnalysisOptions {
            corridor_side: side,
            ..AnalysisOptions::default()
        };
        let frame = BorderFrame::new(&geo, &opts);
        assert_tables_are_the_full_analysis(&located, &frame, &opts);
    }
}

/// Points are queried in cell order, not input order: each placement is still the one its
/// own query gives (from a fresh index, queried in input order), for points scattered over
/// many cells, a third of them repeated far down the input.
#[test]
fn placements_are_each_points_own_whatever_order_the_points_are_queried_in() {
    let geo = GeoData::load(None).unwrap();
    let opts = AnalysisOptions::default();
    let frame = BorderFrame::new(&geo, &opts);
    let mut next = crate::geo_util::test_uniform(11);
    let mut located = Vec::new();
    let mut again = Vec::new();
    for i in 0..3_000 {
        let (lon, lat) = (60.0 + next() * 16.0, 29.0 + next() * 12.0);
        located.push(incident(&format!("r{i}"), lon, lat, 0.0, 1.0));
        if i % 3 == 0 {
            again.push(incident(&format!("again{i}"), lon, lat, 0.0, 1.0));
        }
    }
    located.append(&mut again);
    located.reverse();
    let a = analyse_in(&located, &frame, &opts);
    let fresh = crate::borders::locate::BorderIndex::new(frame.index.borders());
    let reach = share_reach_km(opts.corridor_km, 0.0);
    for (l, p) in located.iter().zip(&a.placements) {
        let (lon, lat) = (l.location.lon, l.location.lat);
        let own = fresh.nearest_within(lon, lat, reach).unwrap();
        let id = &fresh.borders()[own.border].id;
        assert_eq!(p.border_id.as_deref(), Some(id.as_str()), "{lon} {lat}");
        assert_eq!(
            p.distance_km,
            Some(to_the_metre(own.distance_km)),
            "{lon} {lat}"
        );
        assert_eq!(p.along_km, Some(to_the_metre(own.along_km)), "{lon} {lat}");
    }
}

/// Without a window, a record's share in it is its days over its days: 1 for a span that
/// runs forward, 0 for one that runs backward, as when the days are counted.
#[test]
fn share_in_no_window_is_the_days_counted() {
    let opts = AnalysisOptions::default();
    assert!(opts.from.is_none() && opts.to.is_none());
    let day = |y, m, d| crate::model::Date::new(y, m, d).unwrap();
    let spans = [
        (day(2024, 3, 1), day(2024, 3, 1)),
        (day(2023, 12, 31), day(2024, 1, 1)),
        (day(2024, 1, 1), day(2024, 12, 31)),
        (day(2024, 2, 1), day(2024, 1, 31)),
        (day(2025, 1, 1), day(2024, 12, 31)),
    ];
    for d in spans {
        let counted = periods::day_overlap(d, d) / periods::span_days(d);
        assert_eq!(filters::share_in_window(Some(d), &opts), counted, "{d:?}");
    }
    assert_eq!(filters::share_in_window(None, &opts), 1.0);
    // A window with only a start, or only an end, is still counted in days.
    let from_only = AnalysisOptions {
        from: Some(day(2024, 1, 1)),
        ..AnalysisOptions::default()
    };
    let to_only = AnalysisOptions {
        to: Some(day(2024, 1, 1)),
        ..AnalysisOptions::default()
    };
    for o in [&from_only, &to_only] {
        for d in spans {
            let window = (o.from.unwrap_or(d.0), o.to.unwrap_or(d.1));
            let counted = periods::day_overlap(d, window) / periods::span_days(d);
            assert_eq!(filters::share_in_window(Some(d), o), counted, "{d:?}");
        }
    }
    let (across, before) = (spans[1], (day(2023, 12, 1), day(2023, 12, 31)));
    assert_eq!(filters::share_in_window(Some(across), &from_only), 0.5);
    assert_eq!(filters::share_in_window(Some(before), &from_only), 0.0);
}

/// `run` writes the surface's grid into the layers' headers before the surface is made, so
/// the grid worked out from the borders alone must be the one the surface is made on, and
/// there is a grid exactly when there is a surface.
#[test]
fn the_surface_lies_on_the_grid_worked_out_before_it() {
    use crate::density::kde::{KdeOptions, surface, surface_grid};
    use crate::projection::Projection;
    let geo = GeoData::load(None).unwrap();
    let proj = Projection::region();
    let located = vec![
        incident("a", 70.5, 37.2, 1.0, 1.0),
        incident("b", 71.0, 34.5, 25.0, 2.0),
    ];
    for borders in [vec![], vec!["AF-TJ".to_string()], vec!["AF-PK".to_string()]] {
        let opts = AnalysisOptions {
            borders,
            ..AnalysisOptions::default()
        };
        let a = analyse(&located, &geo, &opts);
        for kde in [
            KdeOptions::default(),
            KdeOptions {
                cols: 300,
                rows: 500,
                margin_km: 20.0,
                ..KdeOptions::default()
            },
        ] {
            let made = surface(&located, &a, &kde, &proj).unwrap();
            assert_eq!(surface_grid(&a, &kde, &proj).unwrap(), made.grid());
            assert!(made.weight > 0.0);
        }
    }
    // No analysed border: neither a grid nor a surface.
    let mut a = analyse(&located, &geo, &AnalysisOptions::default());
    a.borders.clear();
    let kde = KdeOptions::default();
    assert!(surface_grid(&a, &kde, &proj).is_err());
    assert!(surface(&located, &a, &kde, &proj).is_err());
}

/// Positions handed to the surface (the maps', in `run`) give the surface made without
/// them, bit for bit, whichever incidents they cover: NaN or missing ones are projected.
#[test]
fn a_surface_from_known_positions_is_the_surface() {
    use crate::density::kde::{KdeOptions, surface, surface_with_positions};
    use crate::projection::Projection;
    let geo = GeoData::load(None).unwrap();
    let proj = Projection::region();
    let located: Vec<LocatedIncident> = (0..40)
        .map(|i| {
            let (lon, lat) = (69.0 + 0.11 * f64::from(i), 34.0 + 0.09 * f64::from(i % 13));
            incident(
                &format!("p{i}"),
                lon,
                lat,
                [1.0, 5.0, 25.0][i as usize % 3],
                1.0,
            )
        })
        .collect();
    let a = analyse(&located, &geo, &AnalysisOptions::default());
    let kde = KdeOptions::default();
    let plain = surface(&located, &a, &kde, &proj).unwrap();
    let at: Vec<[f64; 2]> = located
        .iter()
        .map(|l| match proj.forward(l.location.lon, l.location.lat) {
            Some((x, y)) => [x, y],
            None => [f64::NAN; 2],
        })
        .collect();
    let mut gappy = at.clone();
    for p in gappy.iter_mut().step_by(3) {
        *p = [f64::NAN; 2];
    }
    for known in [&at[..], &at[..17], &gappy[..], &[]] {
        let made = surface_with_positions(&located, &a, &kde, &proj, known).unwrap();
        assert_eq!(made.grid(), plain.grid());
        assert_eq!(made.weight.to_bits(), plain.weight.to_bits());
        assert!(
            made.values
                .iter()
                .zip(&plain.values)
                .all(|(x, y)| x.to_bits() == y.to_bits())
        );
    }
    assert!(plain.weight > 0.0);
    // And they are what it reads: moved, the surface moves.
    let moved: Vec<[f64; 2]> = at.iter().map(|p| [p[0] + 50.0, p[1]]).collect();
    let made = surface_with_positions(&located, &a, &kde, &proj, &moved).unwrap();
    assert_ne!(made.values, plain.values);
}

/// Records for the early-placing tests: two whole chunks and part of a third, scattered
/// over the region (far from and near the borders), every fifth point repeated within
/// its chunk with a wider radius.
fn scattered_over_chunks() -> Vec<LocatedIncident> {
    let mut next = crate::geo_util::test_uniform(29);
    let n = 2 * nearest::CHUNK + 1_000;
    let mut located = Vec::with_capacity(n);
    while located.len() < n {
        let (lon, lat) = (60.0 + next() * 16.0, 29.0 + next() * 12.0);
        let radius = if next() < 0.5 { 0.0 } else { 25.0 };
        located.push(incident("r", lon, lat, radius, 1.0));
        if located.len() % 5 == 0 && located.len() < n {
            located.push(incident("again", lon, lat, 60.0, 1.0));
        }
    }
    located
}

/// The early chunks of `located`, placed as the reading's placer places them.
fn early_chunks(
    located: &[LocatedIncident],
    frame: &BorderFrame,
    placing: nearest::Placing,
) -> Vec<Option<nearest::ChunkNearest>> {
    let stop = std::sync::atomic::AtomicBool::new(false);
    (0..located.len() / nearest::CHUNK)
        .map(|k| {
            let first = k * nearest::CHUNK;
            nearest::ChunkNearest::new_unless_stopped(
                nearest::CHUNK,
                |j| located.point(first + j),
                &frame.index,
                placing,
                &stop,
            )
        })
        .collect()
}

/// Nearest borders found ahead of the analysis, on one thread, give the analysis's own
/// figures and placements; and they are what it reads: answers found for another reach
/// (labelled as for the analysis's corridor) change the placements of their chunks only.
#[test]
fn nearest_borders_found_early_are_read_and_give_the_analysis_own_figures() {
    let geo = GeoData::load(None).unwrap();
    let opts = AnalysisOptions::default();
    let frame = BorderFrame::new(&geo, &opts);
    let located = scattered_over_chunks();
    let own = analyse_in(&located, &frame, &opts);
    let placing = nearest::Placing::of(&opts, true);

    let early = nearest::EarlyNearest::new(
        &frame,
        placing,
        located.len(),
        early_chunks(&located, &frame, placing),
    );
    assert_eq!(early.placed(), 2);
    let with_early = nearest::WithEarly {
        input: &located,
        early: &early,
    };
    let read_early = analyse_in(&with_early, &frame, &opts);
    assert_eq!(
        serde_json::to_string(&own).unwrap(),
        serde_json::to_string(&read_early).unwrap()
    );

    // Answers for a 10 km reach: beyond it, a point's distance is the cheaper estimate.
    let ten_km = nearest::Placing {
        corridor_km: 10.0,
        ..placing
    };
    let other = nearest::EarlyNearest::new(
        &frame,
        placing,
        located.len(),
        early_chunks(&located, &frame, ten_km),
    );
    let with_other = nearest::WithEarly {
        input: &located,
        early: &other,
    };
    let read_other = analyse_in(&with_other, &frame, &opts);
    let differs = |range: std::ops::Range<usize>| {
        range
            .filter(|&i| own.placements[i].distance_km != read_other.placements[i].distance_km)
            .count()
    };
    assert!(
        differs(0..2 * nearest::CHUNK) > 0,
        "the early answers are read"
    );
    assert_eq!(differs(2 * nearest::CHUNK..located.len()), 0);
}

/// A chunk placed on one thread is the chunk placed on all cores; once told to stop, the
/// placing gives up.
#[test]
fn a_chunk_placed_on_one_thread_is_the_chunk_placed_on_all_and_stops_when_told() {
    let geo = GeoData::load(None).unwrap();
    let opts = AnalysisOptions::default();
    let frame = BorderFrame::new(&geo, &opts);
    let located = scattered_over_chunks();
    let point = |j: usize| located.point(j);
    for keep in [true, false] {
        let placing = nearest::Placing::of(&opts, keep);
        let all = nearest::ChunkNearest::new(5_000, point, &frame.index, placing);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let one =
            nearest::ChunkNearest::new_unless_stopped(5_000, point, &frame.index, placing, &stop)
                .unwrap();
        assert_eq!(all.len(), 5_000);
        assert!((0..5_000).all(|j| all.of(j) == one.of(j)));
        assert!((0..5_000).any(|j| all.of(j).is_some()));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let stopped =
            nearest::ChunkNearest::new_unless_stopped(5_000, point, &frame.index, placing, &stop);
        assert!(stopped.is_none());
    }
}

/// Early answers are read only for what they were found for: the same frame (not another
/// built alike), the same placing (corridor, and exact distances or not), and a whole
/// chunk from its start.
#[test]
fn early_answers_are_refused_for_another_frame_placing_or_range() {
    let geo = GeoData::load(None).unwrap();
    let opts = AnalysisOptions::default();
    let frame = BorderFrame::new(&geo, &opts);
    let located = scattered_over_chunks();
    let corridor = &nearest::Placing::of(&opts, false);
    let early = nearest::EarlyNearest::new(
        &frame,
        *corridor,
        located.len(),
        early_chunks(&located, &frame, *corridor),
    );
    let chunk = nearest::CHUNK;
    assert!(early.chunk(0, chunk, &frame, corridor).is_some());
    assert!(early.chunk(chunk, 2 * chunk, &frame, corridor).is_some());
    assert!(
        early
            .chunk(2 * chunk, 3 * chunk, &frame, corridor)
            .is_none()
    );
    assert!(early.chunk(0, chunk - 1, &frame, corridor).is_none());
    assert!(early.chunk(1, chunk + 1, &frame, corridor).is_none());
    let wider = nearest::Placing {
        corridor_km: corridor.corridor_km + 1.0,
        ..*corridor
    };
    assert!(early.chunk(0, chunk, &frame, &wider).is_none());
    let exact = nearest::Placing::of(&opts, true);
    assert!(early.chunk(0, chunk, &frame, &exact).is_none());
    let one_side = nearest::Placing {
        shares_only: Some(assign::CorridorSide::Afghan),
        ..*corridor
    };
    assert!(early.chunk(0, chunk, &frame, &one_side).is_none());
    let alike = BorderFrame::new(&geo, &opts);
    assert!(early.chunk(0, chunk, &alike, corridor).is_none());
    // A chunk left to the analysis is not read from those placed after it.
    let mut gap = early_chunks(&located, &frame, *corridor);
    gap[0] = None;
    let gap = nearest::EarlyNearest::new(&frame, *corridor, located.len(), gap);
    assert_eq!(gap.placed(), 1);
    assert!(gap.chunk(0, chunk, &frame, corridor).is_none());
    let second = gap.chunk(chunk, 2 * chunk, &frame, corridor).unwrap();
    let own = early.chunk(chunk, 2 * chunk, &frame, corridor).unwrap();
    assert!((0..chunk).all(|j| second.of(j) == own.of(j)));
}
