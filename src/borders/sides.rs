//! What lies either side of a border line: probes a short way out from the line, every half
//! kilometre along it, find the area (province) on each side. The runtime's sectors and the
//! builder's border zones both come from here, so they agree.

use super::Border;
use super::locate::point_at_km;

/// Spacing of the probes along the line, km.
pub const SAMPLE_KM: f64 = 0.5;
/// How far out from the line the probes look, km, nearest first: polygons from different
/// surveys can leave a kilometre or more between a province's edge and the country's.
pub const PROBE_KM: [f64; 2] = [2.0, 5.0];
/// Half the baseline the line's local direction is taken over, km: long enough that the
/// meanders of a river border (survey-resolution lines follow every bend of the Panj) do not
/// turn a probe back across the line.
const BASELINE_KM: f64 = 1.5;

/// The km ranges along a border where one area was found on one side.
#[derive(Debug, Clone, PartialEq)]
pub struct SideRun {
    /// True for the right of the line's direction (the Afghan side of a shipped border).
    pub right: bool,
    /// The area's index, as `find` gave it.
    pub area: usize,
    /// Consecutive probe steps joined, ascending: `(km_from, km_to)`.
    pub pieces: Vec<(f64, f64)>,
}

/// Probes both sides of `b`. `find(lon, lat)` gives the area containing a point and
/// `country(area)` its country; on each side only the areas of the country found most often
/// there are kept, so a probe that crosses a meander into the other country is dropped.
/// Runs come in order of first appearance, right side before left.
pub fn side_runs(
    b: &Border,
    find: impl Fn(f64, f64) -> Option<usize>,
    country: impl Fn(usize) -> String,
) -> Vec<SideRun> {
    let samples = (b.measured_km / SAMPLE_KM).ceil().max(1.0) as usize;
    let step = b.measured_km / samples as f64;
    // (sample, right?, area)
    let mut hits: Vec<(usize, bool, usize)> = Vec::new();
    for i in 0..samples {
        let mid = (i as f64 + 0.5) * step;
        let (mx, my) = point_at_km(b, mid);
        let (ax, ay) = point_at_km(b, (mid - BASELINE_KM).max(0.0));
        let (cx, cy) = point_at_km(b, (mid + BASELINE_KM).min(b.measured_km));
        let k = my.to_radians().cos();
        let (dx, dy) = ((cx - ax) * k, cy - ay);
        let len = (dx * dx + dy * dy).sqrt();
        if len == 0.0 {
            continue;
        }
        // Unit normal to the right of travel; offsets in degrees of latitude (~111 km).
        let (rx, ry) = (dy / len, -dx / len);
        for right in [true, false] {
            let s = if right { 1.0 } else { -1.0 };
            let found = PROBE_KM.iter().find_map(|km| {
                let off = km / 111.0;
                find(mx + s * rx * off / k, my + s * ry * off)
            });
            if let Some(area) = found {
                hits.push((i, right, area));
            }
        }
    }
    let side_country = |right: bool| {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for &(_, r, a) in &hits {
            if r == right {
                let c = country(a);
                match counts.iter_mut().find(|(x, _)| *x == c) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((c, 1)),
                }
            }
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(c, _)| c)
    };
    let (right_country, left_country) = (side_country(true), side_country(false));
    let mut runs: Vec<SideRun> = Vec::new();
    for right in [true, false] {
        let keep = if right { &right_country } else { &left_country };
        for &(i, r, area) in &hits {
            if r != right || keep.as_deref() != Some(country(area).as_str()) {
                continue;
            }
            let (k0, k1) = (i as f64 * step, (i + 1) as f64 * step);
            match runs.iter_mut().find(|x| x.right == right && x.area == area) {
                Some(run) => match run.pieces.last_mut() {
                    Some(last) if (last.1 - k0).abs() < 1e-9 => last.1 = k1,
                    _ => run.pieces.push((k0, k1)),
                },
                None => runs.push(SideRun {
                    right,
                    area,
                    pieces: vec![(k0, k1)],
                }),
            }
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::LineString;

    /// A straight east-going line along the equator: north (left) is one country, south
    /// (right) another, with a sliver of the northern country poking south at km 40–45.
    #[test]
    fn sides_keep_each_sides_country() {
        let line = LineString::from(vec![(0.0, 0.0), (0.9, 0.0)]);
        let b = Border::new("X-Y".into(), "test".into(), line);
        let find = |lon: f64, lat: f64| {
            let km = lon * 111.3;
            if lat > 0.0 {
                Some(if km < 50.0 { 0 } else { 1 })
            } else if (40.0..45.0).contains(&km) {
                Some(0)
            } else {
                Some(2)
            }
        };
        let country = |a: usize| {
            if a == 2 {
                "S".to_string()
            } else {
                "N".to_string()
            }
        };
        let runs = side_runs(&b, find, country);
        let right: Vec<_> = runs.iter().filter(|r| r.right).collect();
        assert_eq!(right.len(), 1);
        assert_eq!(right[0].area, 2);
        // The sliver's probes were dropped, leaving a hole.
        assert_eq!(right[0].pieces.len(), 2);
        let left: Vec<_> = runs.iter().filter(|r| !r.right).map(|r| r.area).collect();
        assert_eq!(left, vec![0, 1]);
    }
}
