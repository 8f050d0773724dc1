//! The shipped geodata checked as a geographer would (merged from `tests/geodata.rs`): points fall in the country and province
//! they claim, border zones lie on their border and along their province, the zones of each
//! side cover the border, and the border lines agree with the country outlines.
//!
//! Distances to polygons and lines are geodesic (WGS 84): the nearest point of each segment
//! is found in a local equirectangular plane around the query point, then measured with
//! `geo_util::km`.

use super::{box_lower_bound2, data, entries};
use borderwatch::borders::Border;
use borderwatch::geo_util::km;
use borderwatch::geodata::{EMBEDDED_BORDER_ZONES, EMBEDDED_PROVINCES};
use borderwatch::model::EntryKind;
use geo::{
    Bearing, BoundingRect, Contains, Coord, Destination, Geodesic, LineString, MultiPolygon, Point,
    Rect,
};
use std::collections::BTreeMap;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------
// Shared data, loaded once for all tests.
// ---------------------------------------------------------------------------------------

/// Country outlines by ISO alpha-2 code.
fn countries() -> &'static BTreeMap<String, Area> {
    static COUNTRIES: OnceLock<BTreeMap<String, Area>> = OnceLock::new();
    COUNTRIES.get_or_init(|| {
        data()
            .countries
            .iter()
            .map(|c| (c.code.clone(), Area::new(c.shape.clone())))
            .collect()
    })
}

/// Province outlines (Natural Earth admin-1) by ISO 3166-2 code.
fn provinces() -> &'static BTreeMap<String, Area> {
    static PROVINCES: OnceLock<BTreeMap<String, Area>> = OnceLock::new();
    PROVINCES.get_or_init(|| {
        let fc: geojson::FeatureCollection = EMBEDDED_PROVINCES
            .parse()
            .expect("provinces.geojson parses");
        let mut out = BTreeMap::new();
        for f in fc.features {
            let id = f
                .property("province_id")
                .and_then(|v| v.as_str())
                .expect("every province feature has a province_id")
                .to_string();
            let geom = f.geometry.expect("every province feature has a geometry");
            let shape = match geo::Geometry::<f64>::try_from(geom).expect("province geometry") {
                geo::Geometry::MultiPolygon(mp) => mp,
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                other => panic!("province {id}: unexpected geometry {other:?}"),
            };
            assert!(
                out.insert(id.clone(), Area::new(shape)).is_none(),
                "province {id} appears twice in provinces.geojson"
            );
        }
        out
    })
}

/// One feature of border_zones.geojson.
struct Zone {
    border_id: String,
    province_id: String,
    km_from: f64,
    km_to: f64,
    line: LineString<f64>,
}

/// Border-zone lines by gazetteer id.
fn zones() -> &'static BTreeMap<String, Zone> {
    static ZONES: OnceLock<BTreeMap<String, Zone>> = OnceLock::new();
    ZONES.get_or_init(|| {
        let fc: geojson::FeatureCollection = EMBEDDED_BORDER_ZONES
            .parse()
            .expect("border_zones.geojson parses");
        let mut out = BTreeMap::new();
        for f in fc.features {
            let s = |k: &str| {
                f.property(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_else(|| panic!("border zone feature without {k}"))
                    .to_string()
            };
            let n = |k: &str| {
                f.property(k)
                    .and_then(|v| v.as_f64())
                    .unwrap_or_else(|| panic!("border zone feature without {k}"))
            };
            let id = s("gazetteer_id");
            let zone = Zone {
                border_id: s("border_id"),
                province_id: s("province_id"),
                km_from: n("km_from"),
                km_to: n("km_to"),
                line: match geo::Geometry::<f64>::try_from(
                    f.geometry.clone().expect("border zone geometry"),
                ) {
                    Ok(geo::Geometry::LineString(l)) => l,
                    other => panic!("border zone {id}: expected a LineString, got {other:?}"),
                },
            };
            assert!(
                out.insert(id.clone(), zone).is_none(),
                "border zone {id} appears twice in border_zones.geojson"
            );
        }
        out
    })
}

fn border(id: &str) -> &'static Border {
    data()
        .borders
        .iter()
        .find(|b| b.id == id)
        .unwrap_or_else(|| panic!("no border {id}"))
}

// ---------------------------------------------------------------------------------------
// Geometry helpers.
// ---------------------------------------------------------------------------------------

/// A (multi)polygon with bounding boxes for quick rejection.
struct Area {
    shape: MultiPolygon<f64>,
    /// Bounding box of each polygon, in the order of `shape`.
    poly_boxes: Vec<Rect<f64>>,
    /// Every ring (exterior and holes) with its bounding box: the polygon's boundary.
    rings: Vec<(Rect<f64>, LineString<f64>)>,
}

impl Area {
    fn new(shape: MultiPolygon<f64>) -> Area {
        let poly_boxes = shape
            .0
            .iter()
            .map(|p| p.bounding_rect().expect("non-empty polygon"))
            .collect();
        let rings = shape
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .filter_map(|r| Some((r.bounding_rect()?, r.clone())))
            .collect();
        Area {
            shape,
            poly_boxes,
            rings,
        }
    }

    fn contains(&self, lon: f64, lat: f64) -> bool {
        let p = Point::new(lon, lat);
        self.shape
            .0
            .iter()
            .zip(&self.poly_boxes)
            .any(|(poly, b)| in_box(b, lon, lat) && poly.contains(&p))
    }

    /// Geodesic km from the point to the nearest point of the boundary.
    fn boundary_km(&self, lon: f64, lat: f64) -> f64 {
        let p = Coord { x: lon, y: lat };
        let k = lat.to_radians().cos();
        let mut best: Option<(f64, Coord<f64>)> = None;
        for (b, ring) in &self.rings {
            let best_d2 = best.map_or(f64::INFINITY, |(d2, _)| d2);
            if box_lower_bound2(b, p, k) > best_d2 {
                continue;
            }
            for seg in ring.lines() {
                let (d2, _, c) = closest_on_segment(p, seg.start, seg.end, k);
                if best.is_none_or(|(b2, _)| d2 < b2) {
                    best = Some((d2, c));
                }
            }
        }
        let (_, c) = best.expect("area has a boundary");
        km(lon, lat, c.x, c.y)
    }

    /// 0 inside the area, else the geodesic km to its boundary.
    fn distance_km(&self, lon: f64, lat: f64) -> f64 {
        if self.contains(lon, lat) {
            0.0
        } else {
            self.boundary_km(lon, lat)
        }
    }
}

fn in_box(b: &Rect<f64>, lon: f64, lat: f64) -> bool {
    lon >= b.min().x && lon <= b.max().x && lat >= b.min().y && lat <= b.max().y
}

/// Nearest point of segment a–b to p, in a local equirectangular plane around p (longitude
/// scaled by `k` = cos(latitude)). Returns the squared plane distance, the fraction along the
/// segment and the point in lon/lat.
fn closest_on_segment(
    p: Coord<f64>,
    a: Coord<f64>,
    b: Coord<f64>,
    k: f64,
) -> (f64, f64, Coord<f64>) {
    let (ax, ay) = ((a.x - p.x) * k, a.y - p.y);
    let (dx, dy) = ((b.x - a.x) * k, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (ax + t * dx, ay + t * dy);
    let c = Coord {
        x: a.x + t * (b.x - a.x),
        y: a.y + t * (b.y - a.y),
    };
    (cx * cx + cy * cy, t, c)
}

/// Where a point falls on a border: (geodesic km from the line, km along the line from km 0).
fn locate_on_border(b: &Border, lon: f64, lat: f64) -> (f64, f64) {
    let p = Coord { x: lon, y: lat };
    let k = lat.to_radians().cos();
    let mut best: Option<(f64, usize, Coord<f64>)> = None;
    for (i, seg) in b.line.lines().enumerate() {
        let (d2, _, c) = closest_on_segment(p, seg.start, seg.end, k);
        if best.is_none_or(|(b2, _, _)| d2 < b2) {
            best = Some((d2, i, c));
        }
    }
    let (_, i, c) = best.expect("border has segments");
    let a = b.line.0[i];
    (
        km(lon, lat, c.x, c.y),
        b.vertex_km[i] + km(a.x, a.y, c.x, c.y),
    )
}

/// The point at `at_km` along a border and the index of the segment it lies on.
fn point_at_km(b: &Border, at_km: f64) -> (Coord<f64>, usize) {
    let i = b
        .vertex_km
        .windows(2)
        .position(|w| w[0] <= at_km && at_km <= w[1])
        .expect("km within the border");
    let (a, c) = (b.line.0[i], b.line.0[i + 1]);
    let span = b.vertex_km[i + 1] - b.vertex_km[i];
    let t = if span > 0.0 {
        (at_km - b.vertex_km[i]) / span
    } else {
        0.0
    };
    (
        Coord {
            x: a.x + t * (c.x - a.x),
            y: a.y + t * (c.y - a.y),
        },
        i,
    )
}

/// Total length of the union of km ranges.
fn union_km(mut ranges: Vec<(f64, f64)>) -> f64 {
    ranges.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut cur: Option<(f64, f64)> = None;
    for (from, to) in ranges {
        match cur {
            Some((cf, ct)) if from <= ct => cur = Some((cf, ct.max(to))),
            _ => {
                if let Some((cf, ct)) = cur {
                    total += ct - cf;
                }
                cur = Some((from, to));
            }
        }
    }
    if let Some((cf, ct)) = cur {
        total += ct - cf;
    }
    total
}

/// Natural Earth still has the Federally Administered Tribal Areas, merged into Khyber
/// Pakhtunkhwa in 2018: either polygon is an acceptable home for the other's ids.
fn acceptable_provinces(province_id: &str) -> Vec<&str> {
    match province_id {
        "PK-TA" | "PK-KP" => vec!["PK-TA", "PK-KP"],
        other => vec![other],
    }
}

// ---------------------------------------------------------------------------------------
// 1. Points in their country.
// ---------------------------------------------------------------------------------------

#[test]
fn places_and_districts_lie_in_their_country() {
    let countries = countries();
    let mut offenders = Vec::new();
    for kind in [EntryKind::Place, EntryKind::District] {
        let (mut n, mut inside, mut near, mut outside, mut no_polygon) = (0, 0, 0, 0, 0);
        let mut worst_near: Option<(f64, &str)> = None;
        for e in entries(kind) {
            let Some(area) = countries.get(&e.country) else {
                no_polygon += 1;
                continue;
            };
            n += 1;
            if area.contains(e.lon, e.lat) {
                inside += 1;
                continue;
            }
            let d = area.boundary_km(e.lon, e.lat);
            if d <= e.radius_km {
                near += 1;
                if worst_near.is_none_or(|(w, _)| d > w) {
                    worst_near = Some((d, &e.id));
                }
            } else {
                outside += 1;
                offenders.push(format!(
                    "{} {:?} ({}) is {d:.2} km outside {} (radius {} km)",
                    e.id, e.name, e.point_method, e.country, e.radius_km
                ));
            }
        }
        println!(
            "{n} {kind}s: {inside} inside their country, {near} within radius, {outside} beyond \
             it; {no_polygon} in countries without a polygon{}",
            worst_near.map_or(String::new(), |(d, id)| format!(
                "; farthest within radius: {id} at {d:.2} km"
            ))
        );
    }
    assert!(
        offenders.is_empty(),
        "{} points outside their country:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// 2. Points in their province.
// ---------------------------------------------------------------------------------------

#[test]
fn districts_and_places_lie_in_their_province() {
    let provinces = provinces();
    let mut offenders = Vec::new();
    for kind in [EntryKind::District, EntryKind::Place] {
        let (mut n, mut inside, mut near, mut outside, mut no_id, mut fata) = (0, 0, 0, 0, 0, 0);
        for e in entries(kind) {
            let Some(pid) = e.province_id.as_deref() else {
                no_id += 1;
                if kind == EntryKind::District {
                    offenders.push(format!(
                        "{} {:?}: district without province_id",
                        e.id, e.name
                    ));
                }
                continue;
            };
            n += 1;
            let mut areas = Vec::new();
            for id in acceptable_provinces(pid) {
                if let Some(a) = provinces.get(id) {
                    areas.push((id, a));
                }
            }
            if areas.is_empty() {
                offenders.push(format!(
                    "{} {:?}: no polygon for province {pid}",
                    e.id, e.name
                ));
                outside += 1;
                continue;
            }
            if let Some((id, _)) = areas.iter().find(|(_, a)| a.contains(e.lon, e.lat)) {
                inside += 1;
                if *id != pid {
                    fata += 1;
                }
                continue;
            }
            let d = areas
                .iter()
                .map(|(_, a)| a.boundary_km(e.lon, e.lat))
                .fold(f64::INFINITY, f64::min);
            // Province and district outlines come from different surveys and disagree by up to
            // 15 km at their edges (Astore's villages along the Line of Control); a place is
            // given its district's province.
            if d <= e.radius_km + 15.0 {
                near += 1;
            } else {
                outside += 1;
                offenders.push(format!(
                    "{} {:?} ({}) is {d:.2} km outside province {pid} (radius {} km)",
                    e.id, e.name, e.point_method, e.radius_km
                ));
            }
        }
        println!(
            "{n} {kind}s with a province: {inside} inside it ({fata} of them in the other of \
             PK-KP/PK-TA), {near} within radius, {outside} beyond it; {no_id} without province_id"
        );
    }
    assert!(
        offenders.is_empty(),
        "{} points outside their province:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// 3. Border zones on their border and along their province.
// ---------------------------------------------------------------------------------------

/// Tolerance for km positions rounded to 0.1 km in the gazetteer.
const KM_ROUNDING: f64 = 0.1;

#[test]
fn border_zones_lie_on_their_border_along_their_province() {
    let provinces = provinces();
    let zones = zones();
    let mut problems = Vec::new();
    let (mut n_zones, mut n_vertices, mut n_whole) = (0, 0, 0);
    let mut worst_on_border = 0.0_f64;
    let mut worst_midpoint = 0.0_f64;
    let mut worst_to_province: (f64, &str) = (0.0, "");
    let mut whole_borders = Vec::new();

    for e in entries(EntryKind::BorderZone) {
        let Some(st) = &e.stretch else {
            problems.push(format!("{}: border zone without a stretch", e.id));
            continue;
        };
        let Some(b) = data().borders.iter().find(|b| b.id == st.border_id) else {
            problems.push(format!("{}: unknown border {}", e.id, st.border_id));
            continue;
        };
        if !(0.0 <= st.km_from && st.km_from < st.km_to && st.km_to <= b.measured_km + 0.1) {
            problems.push(format!(
                "{}: stretch km {} to {} not within 0..{:.1} of {}",
                e.id, st.km_from, st.km_to, b.measured_km, b.id
            ));
        }

        // The entry's point is the stretch's midpoint, on the border line.
        let (d, at) = locate_on_border(b, e.lon, e.lat);
        let mid = (st.km_from + st.km_to) / 2.0;
        worst_midpoint = worst_midpoint.max((at - mid).abs());
        if d > 0.01 || (at - mid).abs() > KM_ROUNDING {
            problems.push(format!(
                "{}: point is {d:.3} km off {} at km {at:.2}, stretch midpoint is km {mid:.2}",
                e.id, b.id
            ));
        }

        let Some(pid) = e.province_id.as_deref() else {
            // A whole-border entry.
            n_whole += 1;
            whole_borders.push(b.id.clone());
            if st.km_from.abs() > 0.05 || (st.km_to - b.measured_km).abs() > KM_ROUNDING {
                problems.push(format!(
                    "{}: whole-border entry covers km {} to {}, border measures {:.2} km",
                    e.id, st.km_from, st.km_to, b.measured_km
                ));
            }
            continue;
        };

        n_zones += 1;
        let Some(z) = zones.get(&e.id) else {
            problems.push(format!("{}: no line in border_zones.geojson", e.id));
            continue;
        };
        if z.border_id != st.border_id
            || z.province_id != pid
            || (z.km_from - st.km_from).abs() > 1e-6
            || (z.km_to - st.km_to).abs() > 1e-6
        {
            problems.push(format!(
                "{}: gazetteer says {} {pid} km {}-{}, border_zones.geojson says {} {} km {}-{}",
                e.id,
                st.border_id,
                st.km_from,
                st.km_to,
                z.border_id,
                z.province_id,
                z.km_from,
                z.km_to
            ));
        }

        // On the border: every vertex within 10 m of the border line.
        for c in &z.line.0 {
            n_vertices += 1;
            let (d, _) = locate_on_border(b, c.x, c.y);
            worst_on_border = worst_on_border.max(d);
            if d > 0.01 {
                problems.push(format!(
                    "{}: vertex {:.6},{:.6} is {:.3} km off border {}",
                    e.id, c.x, c.y, d, b.id
                ));
            }
        }
        // The whole stretch is within the entry's radius of its point (radius rounded to 1 km).
        let reach = z
            .line
            .0
            .iter()
            .map(|c| km(e.lon, e.lat, c.x, c.y))
            .fold(0.0, f64::max);
        if reach > e.radius_km + 0.5 {
            problems.push(format!(
                "{}: line reaches {reach:.1} km from the point, radius is {} km",
                e.id, e.radius_km
            ));
        }
        // The line's ends sit at the stretch's km positions.
        let first = z.line.0[0];
        let last = *z.line.0.last().expect("zone line has points");
        let (_, km_first) = locate_on_border(b, first.x, first.y);
        let (_, km_last) = locate_on_border(b, last.x, last.y);
        if (km_first - st.km_from).abs() > KM_ROUNDING || (km_last - st.km_to).abs() > KM_ROUNDING {
            problems.push(format!(
                "{}: line runs km {km_first:.2} to {km_last:.2}, stretch says {} to {}",
                e.id, st.km_from, st.km_to
            ));
        }

        // Along the province: every vertex within 5.5 km of its polygon (PK-KP also FATA): the
        // zones' probes look up to 5 km out, as province and country outlines from different
        // surveys can be that far apart.
        let allowed: &[&str] = if pid == "PK-KP" {
            &["PK-KP", "PK-TA"]
        } else {
            std::slice::from_ref(&pid)
        };
        let areas: Vec<&Area> = allowed.iter().filter_map(|id| provinces.get(*id)).collect();
        if areas.is_empty() {
            problems.push(format!("{}: no polygon for province {pid}", e.id));
            continue;
        }
        let mut far = Vec::new();
        for c in &z.line.0 {
            let d = areas
                .iter()
                .map(|a| a.distance_km(c.x, c.y))
                .fold(f64::INFINITY, f64::min);
            if d > worst_to_province.0 {
                worst_to_province = (d, &e.id);
            }
            if d > 5.5 {
                far.push(format!("{:.4},{:.4} ({d:.1} km)", c.x, c.y));
            }
        }
        if !far.is_empty() {
            problems.push(format!(
                "{}: {} of {} vertices more than 5.5 km from {pid}: {}",
                e.id,
                far.len(),
                z.line.0.len(),
                far.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }

    // Every line in border_zones.geojson belongs to a gazetteer entry.
    for id in zones.keys() {
        if data().gazetteer.get(id).is_none() {
            problems.push(format!("border_zones.geojson {id}: no gazetteer entry"));
        }
    }
    // One whole-border entry per border.
    whole_borders.sort();
    let all: Vec<String> = data().borders.iter().map(|b| b.id.clone()).collect();
    if whole_borders != all {
        problems.push(format!(
            "whole-border entries {whole_borders:?}, borders {all:?}"
        ));
    }

    println!(
        "{n_zones} province border zones ({n_vertices} vertices): farthest vertex {:.4} km off \
         its border, farthest {:.2} km from its province ({}); {n_whole} whole-border entries; \
         entry points at most {:.3} km from their stretch's midpoint",
        worst_on_border, worst_to_province.0, worst_to_province.1, worst_midpoint
    );
    assert!(
        problems.is_empty(),
        "{} border-zone problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// 4. Both sides' zones cover the border.
// ---------------------------------------------------------------------------------------

#[test]
fn each_side_of_a_border_is_covered_by_zones() {
    let mut problems = Vec::new();
    for b in &data().borders {
        let neighbour = b
            .country_b
            .as_deref()
            .expect("shipped border names its neighbour");
        let mut line = format!("{}:", b.id);
        // China is not in the Who's On First extract: no Chinese provinces, no zones there.
        for side in ["AF", neighbour].into_iter().filter(|s| *s != "CN") {
            let ranges: Vec<(f64, f64)> = entries(EntryKind::BorderZone)
                .filter(|e| e.province_id.is_some() && e.country == side)
                .filter_map(|e| e.stretch.as_ref())
                .filter(|st| st.border_id == b.id)
                .map(|st| (st.km_from, st.km_to))
                .collect();
            let n = ranges.len();
            let covered = union_km(ranges);
            let share = covered / b.measured_km;
            line.push_str(&format!(
                " {side} side {n} zones cover {covered:.1} of {:.1} km ({:.1}%);",
                b.measured_km,
                share * 100.0
            ));
            // The probes find no province where the two sides' outlines (from different
            // surveys) leave a gap wider than 5 km: a few percent of AF-PK.
            if share < 0.95 {
                problems.push(format!(
                    "{} {side} side: zones cover only {:.1}% of the border",
                    b.id,
                    share * 100.0
                ));
            }
        }
        println!("{}", line.trim_end_matches(';'));
    }
    for id in ["AF-TJ", "AF-PK"] {
        assert!(border(id).measured_km > 0.0, "{id} must be checked");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// 5. Border lengths and endpoints.
// ---------------------------------------------------------------------------------------

#[test]
fn borders_measure_plausibly_and_end_on_the_country_outlines() {
    let countries = countries();
    let props: geojson::FeatureCollection = borderwatch::borders::EMBEDDED_GEOJSON
        .parse()
        .expect("borders.geojson parses");
    let mut problems = Vec::new();
    let af = countries.get("AF").expect("Afghanistan's polygon");

    for b in &data().borders {
        let published = b
            .published_km
            .expect("shipped border has a published length");
        let ratio = b.measured_km / published;
        let neighbour = b
            .country_b
            .as_deref()
            .expect("shipped border names its neighbour");
        let nb = countries
            .get(neighbour)
            .unwrap_or_else(|| panic!("no polygon for {neighbour}"));
        let ends = [b.line.0[0], *b.line.0.last().expect("border has points")];
        let mut worst_end = 0.0_f64;
        for (which, c) in ["first", "last"].iter().zip(ends) {
            for (code, area) in [("AF", af), (neighbour, nb)] {
                let d = area.boundary_km(c.x, c.y);
                worst_end = worst_end.max(d);
                // Exactly on Afghanistan's outline (the line is its vertices); the neighbour's
                // outline is another survey's (Natural Earth for China) and meets it within
                // 1.5 km at the tripoints.
                let tolerance = if code == "AF" { 0.001 } else { 1.5 };
                if d >= tolerance {
                    problems.push(format!(
                        "{}: {which} vertex {:.6},{:.6} is {:.1} m from {code}'s outline",
                        b.id,
                        c.x,
                        c.y,
                        d * 1000.0
                    ));
                }
            }
        }
        println!(
            "{}: measured {:.1} km, published {published} km ({:.0}%); km 0 at {:.4} E {:.4} N; \
             ends {:.3} m from both outlines at most",
            b.id,
            b.measured_km,
            ratio * 100.0,
            ends[0].x,
            ends[0].y,
            worst_end * 1000.0
        );
        if (b.id == "AF-TJ" || b.id == "AF-PK") && !(0.8..=1.2).contains(&ratio) {
            problems.push(format!(
                "{}: measured {:.1} km is {:.0}% of published {published} km",
                b.id,
                b.measured_km,
                ratio * 100.0
            ));
        }

        // The cumulative km run from 0 to the measured length.
        if b.vertex_km.first() != Some(&0.0)
            || (b.vertex_km.last().copied().unwrap_or(f64::NAN) - b.measured_km).abs() > 1e-9
            || b.vertex_km.windows(2).any(|w| w[1] < w[0])
        {
            problems.push(format!("{}: vertex_km does not run 0..measured_km", b.id));
        }
        // The file's own km 0 and measured length agree with the line.
        let f = props
            .features
            .iter()
            .find(|f| f.property("border_id").and_then(|v| v.as_str()) == Some(&b.id))
            .expect("feature for border");
        let num = |k: &str| f.property(k).and_then(|v| v.as_f64());
        if let (Some(lon), Some(lat)) = (num("km0_lon"), num("km0_lat")) {
            let d = km(lon, lat, ends[0].x, ends[0].y);
            if d >= 0.001 {
                problems.push(format!(
                    "{}: km0_lon/km0_lat is {:.1} m from the line's first vertex",
                    b.id,
                    d * 1000.0
                ));
            }
        }
        if let Some(m) = num("measured_km")
            && (m - b.measured_km).abs() > 0.05 + 1e-9
        {
            problems.push(format!(
                "{}: file says measured_km {m}, line measures {:.2}",
                b.id, b.measured_km
            ));
        }
    }

    // The borders chain clockwise around Afghanistan: each one ends where another starts.
    let mut chained = 0;
    for b in &data().borders {
        let end = *b.line.0.last().expect("border has points");
        match data()
            .borders
            .iter()
            .find(|o| o.id != b.id && km(end.x, end.y, o.line.0[0].x, o.line.0[0].y) < 0.001)
        {
            Some(_) => chained += 1,
            None => problems.push(format!(
                "{}: its end {:.6},{:.6} is no other border's km 0",
                b.id, end.x, end.y
            )),
        }
    }
    println!(
        "{chained} of {} borders end at the next border's km 0",
        data().borders.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// 6. Sides of the border agree with the country outlines.
// ---------------------------------------------------------------------------------------

#[test]
fn points_either_side_of_the_tajik_border_fall_in_each_country() {
    let countries = countries();
    let b = border("AF-TJ");
    let mid_km = b.measured_km / 2.0;
    let (mid, i) = point_at_km(b, mid_km);
    let (a, c) = (b.line.0[i], b.line.0[i + 1]);
    let heading = Geodesic.bearing(Point::from(a), Point::from(c));
    let mid = Point::from(mid);
    // km 0 rule: walking from km 0, Afghanistan lies to the right.
    let right = Geodesic.destination(mid, heading + 90.0, 5_000.0);
    let left = Geodesic.destination(mid, heading - 90.0, 5_000.0);
    let af = countries.get("AF").expect("AF polygon");
    let tj = countries.get("TJ").expect("TJ polygon");
    let side = |p: Point<f64>| {
        let (in_af, in_tj) = (af.contains(p.x(), p.y()), tj.contains(p.x(), p.y()));
        match (in_af, in_tj) {
            (true, false) => "AF",
            (false, true) => "TJ",
            (true, true) => "both",
            (false, false) => "neither",
        }
    };
    let (r, l) = (side(right), side(left));
    println!(
        "AF-TJ km {mid_km:.1} at {:.4} E {:.4} N, heading {heading:.0}°: 5 km right \
         ({:.4},{:.4}) in {r}, 5 km left ({:.4},{:.4}) in {l}",
        mid.x(),
        mid.y(),
        right.x(),
        right.y(),
        left.x(),
        left.y()
    );
    assert_eq!(
        (r, l),
        ("AF", "TJ"),
        "Afghanistan should lie right of the AF-TJ line walking from km 0"
    );
}
