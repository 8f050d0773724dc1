//! Cutting a border into consecutive segments of equal geodesic length (the last one
//! shorter) and into named sectors: the stretch along each adjacent province on either side.

use super::Border;
use super::locate::sub_line;
use super::sides::{SideRun, side_runs};
use crate::geodata::ProvinceShape;
use geo::{BoundingRect, Contains, Point};
use serde::Serialize;

/// One stretch of a border, `km_from..km_to` from its km 0.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// `AF-TJ-007`: border id and 1-based index.
    pub id: String,
    pub border_id: String,
    pub index: usize,
    pub km_from: f64,
    pub km_to: f64,
    /// Measured geodesic length, km.
    pub length_km: f64,
    /// Names of the provinces on either side along this segment ("Khatlon", "Kunduz").
    pub provinces: Vec<String>,
    #[serde(skip)]
    pub coords: Vec<(f64, f64)>,
}

/// The stretch of a border along one province on one side.
#[derive(Debug, Clone, Serialize)]
pub struct Sector {
    /// `AF-TJ / Khatlon`.
    pub id: String,
    pub border_id: String,
    pub province_id: String,
    pub province: String,
    pub country: String,
    pub km_from: f64,
    pub km_to: f64,
    /// Length of border actually along the province (km; may be less than `km_to - km_from`
    /// when the province touches the border in pieces).
    pub length_km: f64,
    #[serde(skip)]
    pub coords: Vec<(f64, f64)>,
}

/// Cuts a border every `segment_km` along its measured geodesic length.
pub fn segmentize(b: &Border, segment_km: f64, sectors: &[Sector]) -> Vec<Segment> {
    let n = (b.measured_km / segment_km).ceil().max(1.0) as usize;
    let width = n.to_string().len().max(3);
    (0..n)
        .map(|i| {
            let km_from = i as f64 * segment_km;
            let km_to = ((i + 1) as f64 * segment_km).min(b.measured_km);
            let mut provinces: Vec<String> = sectors
                .iter()
                .filter(|s| s.border_id == b.id && s.km_from < km_to && s.km_to > km_from)
                .map(|s| s.province.clone())
                .collect();
            provinces.dedup();
            Segment {
                id: format!("{}-{:0width$}", b.id, i + 1),
                border_id: b.id.clone(),
                index: i + 1,
                km_from,
                km_to,
                length_km: km_to - km_from,
                provinces,
                coords: sub_line(b, km_from, km_to),
            }
        })
        .collect()
}

/// Sectors of a border from province polygons, by [`side_runs`]: every 0.5 km along the
/// line, the province found a little way out on either side. Works the same for shipped lines
/// and lines a user brings. Sectors are ordered by side (right, i.e. Afghan, first) then km.
pub fn sectors(b: &Border, provinces: &[ProvinceShape]) -> Vec<Sector> {
    let boxes: Vec<_> = provinces.iter().map(|p| p.shape.bounding_rect()).collect();
    // The box first: a province's grid is built the first time it is asked, and most
    // provinces' boxes are far from any probe.
    let find = |lon: f64, lat: f64| -> Option<usize> {
        let pt = Point::new(lon, lat);
        (0..provinces.len())
            .find(|&i| boxes[i].is_some_and(|r| r.contains(&pt)) && provinces[i].contains(lon, lat))
    };
    let runs = side_runs(b, find, |i| provinces[i].country.clone());
    let mut out: Vec<(bool, Sector)> = runs
        .into_iter()
        .map(
            |SideRun {
                 right,
                 area,
                 pieces,
             }| {
                let pr = &provinces[area];
                let km_from = pieces.iter().map(|x| x.0).fold(f64::INFINITY, f64::min);
                let km_to = pieces.iter().map(|x| x.1).fold(0.0, f64::max);
                let length_km = pieces.iter().map(|x| x.1 - x.0).sum();
                (
                    right,
                    Sector {
                        id: format!("{} / {}", b.id, pr.name),
                        border_id: b.id.clone(),
                        province_id: pr.id.clone(),
                        province: pr.name.clone(),
                        country: pr.country.clone(),
                        km_from,
                        km_to,
                        length_km,
                        coords: sub_line(b, km_from, km_to),
                    },
                )
            },
        )
        // Slivers under 2 km are where a province outline misses the border by a hair.
        .filter(|(_, s)| s.length_km >= 2.0)
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.km_from.total_cmp(&b.1.km_from)));
    out.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodata::GeoData;

    #[test]
    fn segments_cover_the_border_and_the_last_is_shorter() {
        let geo = GeoData::load(None).unwrap();
        let tj = geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
        let segs = segmentize(tj, 25.0, &[]);
        assert_eq!(segs.len(), 55);
        assert_eq!(segs[0].id, "AF-TJ-001");
        let total: f64 = segs.iter().map(|s| s.length_km).sum();
        assert!((total - tj.measured_km).abs() < 1e-9);
        assert!(segs.last().unwrap().length_km < 25.0);
    }

    #[test]
    fn tajik_border_sectors_name_khatlon_and_gbao() {
        let geo = GeoData::load(None).unwrap();
        let tj = geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
        let secs = sectors(tj, &geo.provinces);
        let ids: Vec<&str> = secs.iter().map(|s| s.id.as_str()).collect();
        println!("{ids:?}");
        assert!(ids.contains(&"AF-TJ / Khatlon"));
        assert!(ids.contains(&"AF-TJ / Gorno-Badakhshan"));
        assert!(ids.contains(&"AF-TJ / Kunduz"));
        let khatlon = secs.iter().find(|s| s.province_id == "TJ-KT").unwrap();
        // The builder's border zone for Khatlon is km 0–475.8 (the same probes).
        assert!(
            khatlon.km_from < 2.0 && (khatlon.km_to - 475.8).abs() < 1.0,
            "{khatlon:?}"
        );
        let tj_side: f64 = secs
            .iter()
            .filter(|s| s.country == "TJ")
            .map(|s| s.length_km)
            .sum();
        assert!(tj_side > 0.97 * tj.measured_km, "{tj_side}");
    }

    /// At every point the sectors probe along each shipped border, the province found with
    /// the provinces' grids is the one whole-outline tests find, and some probes find one.
    #[test]
    fn provinces_found_by_grid_are_those_the_whole_outlines_give() {
        let geo = GeoData::load(None).unwrap();
        let provinces = &geo.provinces;
        let whole = |lon: f64, lat: f64| {
            let pt = Point::new(lon, lat);
            (0..provinces.len()).find(|&i| provinces[i].shape.contains(&pt))
        };
        let probes = std::cell::Cell::new(0usize);
        let found = std::cell::Cell::new(0usize);
        for b in &geo.borders {
            side_runs(
                b,
                |lon, lat| {
                    let by_grid = (0..provinces.len()).find(|&i| provinces[i].contains(lon, lat));
                    assert_eq!(by_grid, whole(lon, lat), "{} at ({lon}, {lat})", b.id);
                    probes.set(probes.get() + 1);
                    found.set(found.get() + usize::from(by_grid.is_some()));
                    by_grid
                },
                |i| provinces[i].country.clone(),
            );
        }
        assert!(
            found.get() > 10_000,
            "{} of {} probes",
            found.get(),
            probes.get()
        );
    }
}
