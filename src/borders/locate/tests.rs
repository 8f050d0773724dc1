//! Tests of the nearest-border query against brute force, known geodesics and the
//! country polygons.

use super::*;
use crate::borders::shipped;

#[test]
fn nearest_matches_brute_force() {
    let borders = shipped().unwrap();
    let idx = BorderIndex::new(&borders);
    let mut seed = 12345u64;
    // Most points near the borders (on the candidate grid), some far off it.
    for i in 0..240 {
        let (lon0, lon_span, lat0, lat_span) = if i % 4 == 3 {
            (40.0, 60.0, 10.0, 45.0)
        } else {
            (60.0, 16.0, 29.0, 10.0)
        };
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let lon = lon0 + (seed >> 33) as f64 / (1u64 << 31) as f64 * lon_span;
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let lat = lat0 + (seed >> 33) as f64 / (1u64 << 31) as f64 * lat_span;
        let fast = idx.nearest(lon, lat).unwrap();
        let brute = (0..borders.len())
            .map(|b| idx.position_on(b, lon, lat))
            .min_by(|a, b| a.distance_km.total_cmp(&b.distance_km))
            .unwrap();
        assert!(
            (fast.distance_km - brute.distance_km).abs() < 1e-9,
            "at {lon} {lat}"
        );
        // Borders meet at tripoints, where two are equally near.
        let tie =
            (idx.position_on(fast.border, lon, lat).distance_km - brute.distance_km).abs() < 1e-9;
        assert!(fast.border == brute.border || tie, "at {lon} {lat}");
    }
}

/// Within reach, the query's answer is the brute-force one to the bit: the least distance
/// over every segment of every border, ties to the lower border and then segment (what
/// `position_on` and `min_by` give), with that segment's position and side. Points are
/// taken near the borders, where candidates are decided by bounds or measured.
#[test]
fn the_exact_query_is_the_brute_force_answer_to_the_bit() {
    let borders = shipped().unwrap();
    let idx = BorderIndex::new(&borders);
    let mut next = crate::geo_util::test_uniform(67);
    let mut compared = 0;
    for _ in 0..160 {
        let b = &borders[(next() * borders.len() as f64) as usize % borders.len()];
        let v = b.line.0[(next() * b.line.0.len() as f64) as usize % b.line.0.len()];
        let (lon, lat) = (v.x + (next() - 0.5) * 0.9, v.y + (next() - 0.5) * 0.9);
        let brute = (0..borders.len())
            .map(|b| idx.position_on(b, lon, lat))
            .min_by(|a, b| a.distance_km.total_cmp(&b.distance_km))
            .unwrap();
        if brute.distance_km > 60.0 {
            continue;
        }
        let fast = idx.nearest_within(lon, lat, 60.0).unwrap();
        let bits = |p: &BorderPosition| {
            (
                p.border,
                p.distance_km.to_bits(),
                p.along_km.to_bits(),
                p.right_side,
            )
        };
        assert_eq!(bits(&fast), bits(&brute), "at {lon} {lat}");
        compared += 1;
    }
    assert!(compared > 100, "{compared}");
}

/// A run measured as one loop (`measure_run`) gives each segment the squared distances its
/// own measurement (`flat_candidate`) gives, to the bit: every run of every shipped border,
/// from points near it and far from it, at latitudes where the calibrated frame holds and
/// beyond.
#[test]
fn a_run_measured_at_once_is_each_segment_measured_alone() {
    let borders = shipped().unwrap();
    let idx = BorderIndex::new(&borders);
    let runs = (0u32..)
        .map_while(|run| (run < idx.runs.count()).then(|| idx.runs.span(run)))
        .collect::<Vec<_>>();
    assert!(
        runs.iter().any(|(_, s)| s.len() > 8),
        "the survey lines have long runs"
    );
    let mut next = crate::geo_util::test_uniform(41);
    let (mut flat_2, mut cal_2) = ([f64::NAN; RUN_MAX], [f64::NAN; RUN_MAX]);
    let mut measured = 0usize;
    for (i, (bi, segments)) in runs.iter().enumerate() {
        let line = &borders[*bi as usize].line.0;
        let v = line[segments.start as usize];
        // Near the run, a few km to a degree off, and now and then far away (70° N included).
        let reach = [0.02, 0.3, 1.0][i % 3];
        let (lon, lat) = if i % 50 == 7 {
            (next() * 120.0 - 10.0, next() * 140.0 - 70.0)
        } else {
            (v.x + (next() - 0.5) * reach, v.y + (next() - 0.5) * reach)
        };
        let k = lat.to_radians().cos();
        let cal = Calibrated::new(lat);
        let n = idx.measure_run(
            *bi,
            segments.clone(),
            (lon, lat, k),
            &cal,
            &mut flat_2,
            &mut cal_2,
        );
        assert_eq!(n, segments.len());
        for (j, si) in segments.clone().enumerate() {
            let (_, _, f_2, fc_2) = idx.flat_candidate((*bi, si), lon, lat, k, &cal);
            assert_eq!(
                (flat_2[j].to_bits(), cal_2[j].to_bits()),
                (f_2.to_bits(), fc_2.to_bits()),
                "border {bi} segment {si} from {lon} {lat}"
            );
            measured += 1;
        }
    }
    assert!(measured > 40_000, "{measured}");
}

/// `least` is the least value, as folding `f64::min` over them gives it, for every length
/// of a run (and none: infinite).
#[test]
fn least_is_the_minimum_for_every_run_length() {
    let mut next = crate::geo_util::test_uniform(9);
    for n in 0..=RUN_MAX {
        for _ in 0..50 {
            let values: Vec<f64> = (0..n).map(|_| (next() * 3.0).powi(2)).collect();
            let folded = values.iter().fold(f64::INFINITY, |m, &v| m.min(v));
            assert_eq!(least(&values).to_bits(), folded.to_bits(), "{values:?}");
        }
    }
}

/// A caller that settles for any distance gets the exact query's border, position and
/// side, and the distance within the tangent plane's error bound, which is the exact one
/// where the border is within 0.2°.
#[test]
fn a_settled_distance_is_the_tangent_planes_and_nothing_else_changes() {
    let borders = shipped().unwrap();
    let idx = BorderIndex::new(&borders);
    let mut next = crate::geo_util::test_uniform(61);
    let mut differ = 0;
    for _ in 0..3000 {
        let (lon, lat) = (60.0 + next() * 16.0, 29.0 + next() * 12.0);
        let exact = idx.nearest_within(lon, lat, 60.0);
        let settled = idx.nearest_settled(lon, lat, 60.0, &|_, _| true);
        let (Some(e), Some(s)) = (exact.clone(), settled.clone()) else {
            assert_eq!(exact, settled);
            continue;
        };
        assert_eq!(
            (e.border, e.along_km.to_bits(), e.right_side),
            (s.border, s.along_km.to_bits(), s.right_side),
            "at {lon} {lat}"
        );
        if e.distance_km != s.distance_km {
            differ += 1;
            let bound = crate::borders::tangent::cubic_error_km(s.distance_km);
            assert!(
                (e.distance_km - s.distance_km).abs() <= bound,
                "at {lon} {lat}"
            );
            assert!(e.distance_km > 15.0, "at {lon} {lat}: {e:?}");
        }
    }
    assert!(differ > 100, "{differ}");
}

#[test]
fn within_reach_the_answer_is_exact_and_beyond_it_close() {
    // The shipped lines are at survey resolution (30,000 vertices on AF-PK).
    {
        let borders = shipped().unwrap();
        let idx = BorderIndex::new(&borders);
        let mut next = crate::geo_util::test_uniform(21);
        let (mut exact, mut approximate) = (0, 0);
        for i in 0..1200 {
            let (lon, lat) = if i % 5 == 4 {
                (30.0 + next() * 80.0, 5.0 + next() * 55.0)
            } else {
                (60.0 + next() * 16.0, 29.0 + next() * 12.0)
            };
            let reach = [10.0, 54.0, 200.0][i % 3];
            let full = idx.nearest(lon, lat).unwrap();
            let near = idx.nearest_within(lon, lat, reach).unwrap();
            if full.distance_km <= reach {
                assert_eq!(near, full, "at {lon} {lat}");
                exact += 1;
            } else {
                // Beyond reach, and never said to be within it.
                assert!(near.distance_km > reach, "at {lon} {lat}");
                let rel = (near.distance_km - full.distance_km).abs() / full.distance_km;
                assert!(rel < 0.01, "at {lon} {lat}: {near:?} vs {full:?}");
                approximate += 1;
            }
        }
        assert!(exact > 120 && approximate > 120, "{exact} {approximate}");
    }
}

#[test]
fn the_side_agrees_with_the_country_polygons() {
    let geo = crate::geodata::GeoData::load(None).unwrap();
    let borders: Vec<Border> = geo
        .borders
        .iter()
        .filter(|b| b.country_a.is_some())
        .cloned()
        .collect();
    let idx = BorderIndex::new(&borders);
    let country = |code: &str| geo.countries.iter().find(|c| c.code == code).unwrap();
    let mut next = crate::geo_util::test_uniform(99);
    let mut checked = 0;
    for b in &borders {
        for _ in 0..400 {
            // Near a random vertex, within about 30 km.
            let v = b.line.0[(next() * b.line.0.len() as f64) as usize];
            let (lon, lat) = (v.x + (next() - 0.5) * 0.6, v.y + (next() - 0.5) * 0.6);
            let p = idx.nearest(lon, lat).unwrap();
            let pb = &borders[p.border];
            let side = if p.right_side {
                &pb.country_a
            } else {
                &pb.country_b
            };
            let side = side.as_deref().unwrap();
            let (a, c) = (
                pb.country_a.as_deref().unwrap(),
                pb.country_b.as_deref().unwrap(),
            );
            let inside_a = country(a).contains(lon, lat);
            let inside_b = country(c).contains(lon, lat);
            // Only points clearly inside one of the two countries, off the line's ends
            // (beyond an end, neither side is defined), say anything.
            let at_end = p.along_km < 0.01 || p.along_km > pb.measured_km - 0.01;
            if p.distance_km < 0.5 || inside_a == inside_b || at_end {
                continue;
            }
            let truth = if inside_a { a } else { c };
            assert_eq!(side, truth, "{} at {lon} {lat}", pb.id);
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn a_point_placed_at_km_k_is_found_at_km_k() {
    let borders = shipped().unwrap();
    let idx = BorderIndex::new(&borders);
    let tj = borders.iter().position(|b| b.id == "AF-TJ").unwrap();
    for km in [0.5, 100.0, 333.3, 600.0, 1000.0, 1171.0] {
        let (lon, lat) = idx.point_at(tj, km);
        let p = idx.position_on(tj, lon, lat);
        assert!(p.distance_km < 0.001, "{km}: {}", p.distance_km);
        assert!(
            (p.along_km - km).abs() < 0.01,
            "{km}: found at {}",
            p.along_km
        );
    }
}

#[test]
fn distance_matches_a_known_geodesic() {
    // A straight east-west line at the equator: a point 1° north of it is 110.574 km away.
    let line = geo::LineString::from(vec![(0.0, 0.0), (2.0, 0.0)]);
    let b = Border::new("T".into(), "T".into(), line);
    let idx = BorderIndex::new(&[b]);
    let p = idx.nearest(1.0, 1.0).unwrap();
    assert!((p.distance_km - 110.574).abs() < 0.01, "{}", p.distance_km);
    assert!((p.along_km - 111.319).abs() < 0.01, "{}", p.along_km);
    assert!(!p.right_side, "north of an eastward line is on its left");
}
