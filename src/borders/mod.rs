//! Afghanistan's borders as lines: the shipped Natural Earth ones or lines a user brings.
//! Each border knows its measured geodesic length and, where shipped, the published length,
//! because a border's length depends on the map's scale and per-km figures must say which
//! basis they use.

mod calibrated;
mod cells;
pub mod locate;
pub mod runs;
pub mod segments;
pub mod sides;
pub mod sphere;
pub mod tangent;

use anyhow::{Context, Result, bail};
use geo::{Distance, Geodesic, LineString, Point};
use serde::Serialize;

/// The shipped border lines, compiled into the binary.
pub const EMBEDDED_GEOJSON: &str = include_str!("../../geodata/borders.geojson");

/// One border line, oriented so that km 0 is well defined.
#[derive(Debug, Clone, Serialize)]
pub struct Border {
    pub id: String,
    pub name: String,
    /// ISO alpha-2 of the two countries (Afghanistan first for shipped borders).
    pub country_a: Option<String>,
    pub country_b: Option<String>,
    #[serde(skip)]
    pub line: LineString<f64>,
    /// Geodesic length of the line as drawn (WGS 84 ellipsoid), km.
    pub measured_km: f64,
    /// Length published by an authority, km, and its source (shipped borders only).
    pub published_km: Option<f64>,
    pub published_source: Option<String>,
    /// Cumulative geodesic km at each vertex.
    #[serde(skip)]
    pub vertex_km: Vec<f64>,
}

impl Border {
    /// Builds a border from a line, measuring it geodesically.
    pub fn new(id: String, name: String, line: LineString<f64>) -> Border {
        // The segments' geodesic lengths on all cores (30,000 on AF-PK: the longest part of
        // loading the geodata), then added up in order, as one at a time would.
        use rayon::prelude::*;
        let lengths: Vec<f64> = line
            .0
            .par_windows(2)
            .with_min_len(1024)
            .map(|w| Geodesic.distance(Point::from(w[0]), Point::from(w[1])) / 1000.0)
            .collect();
        let mut vertex_km = Vec::with_capacity(line.0.len());
        let mut acc = 0.0;
        if !line.0.is_empty() {
            vertex_km.push(acc);
        }
        for km in lengths {
            acc += km;
            vertex_km.push(acc);
        }
        Border {
            id,
            name,
            country_a: None,
            country_b: None,
            line,
            measured_km: acc,
            published_km: None,
            published_source: None,
            vertex_km,
        }
    }

    /// Published length ÷ measured length: the factor that turns measured km into published km.
    pub fn published_scale(&self) -> Option<f64> {
        self.published_km.map(|p| p / self.measured_km)
    }
}

/// The shipped borders (AF-CN, AF-IR, AF-PK, AF-TJ, AF-TM, AF-UZ).
pub fn shipped() -> Result<Vec<Border>> {
    from_geojson("geodata/borders.geojson (embedded)", EMBEDDED_GEOJSON)
}

/// Reads border lines from GeoJSON: each feature a LineString (or a MultiLineString whose
/// parts join end to end) with an id in `border_id`, `id` property or the feature id.
pub fn from_geojson(name: &str, text: &str) -> Result<Vec<Border>> {
    let gj: geojson::GeoJson = text
        .parse()
        .with_context(|| format!("{name}: not valid GeoJSON"))?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        bail!("{name}: expected a FeatureCollection of LineStrings");
    };
    let mut out = Vec::new();
    for (i, f) in fc.features.iter().enumerate() {
        let prop = |k: &str| f.property(k).and_then(|v| v.as_str()).map(str::to_string);
        let id = prop("border_id")
            .or_else(|| prop("id"))
            .or_else(|| {
                f.id.as_ref().map(|id| match id {
                    geojson::feature::Id::String(s) => s.clone(),
                    geojson::feature::Id::Number(n) => n.to_string(),
                })
            })
            .with_context(|| {
                format!("{name}: feature {}: no border id (border_id or id)", i + 1)
            })?;
        let geom = f
            .geometry
            .as_ref()
            .with_context(|| format!("{name}: border {id}: no geometry"))?;
        let line: LineString<f64> = match geo::Geometry::<f64>::try_from(geom.clone()) {
            Ok(geo::Geometry::LineString(l)) => l,
            Ok(geo::Geometry::MultiLineString(ml)) => {
                let mut coords = Vec::new();
                for part in ml.0 {
                    let skip = usize::from(coords.last() == part.0.first());
                    coords.extend(part.0.into_iter().skip(skip));
                }
                LineString(coords)
            }
            _ => bail!("{name}: border {id}: geometry must be a LineString"),
        };
        if line.0.len() < 2 {
            bail!("{name}: border {id}: a line needs at least two points");
        }
        let mut b = Border::new(id.clone(), prop("name").unwrap_or_else(|| id.clone()), line);
        b.country_a = prop("country_a");
        b.country_b = prop("country_b");
        b.published_km = f.property("published_km").and_then(|v| v.as_f64());
        b.published_source = prop("published_source");
        out.push(b);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_borders_have_plausible_lengths() {
        let borders = shipped().unwrap();
        let ids: Vec<&str> = borders.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["AF-CN", "AF-IR", "AF-PK", "AF-TJ", "AF-TM", "AF-UZ"]);
        for b in &borders {
            let p = b.published_km.unwrap();
            let ratio = b.measured_km / p;
            println!(
                "{}: measured {:.1} km, published {p} km ({:.0}%)",
                b.id,
                b.measured_km,
                ratio * 100.0
            );
            if b.id == "AF-TJ" || b.id == "AF-PK" {
                assert!(
                    (0.8..=1.2).contains(&ratio),
                    "{} measured {} vs published {p}",
                    b.id,
                    b.measured_km
                );
            }
        }
    }

    #[test]
    fn km0_follows_the_clockwise_rule() {
        let borders = shipped().unwrap();
        let tj = borders.iter().find(|b| b.id == "AF-TJ").unwrap();
        // AF-TJ runs west (Uzbek tripoint) to east (Chinese tripoint).
        assert!(tj.line.0[0].x < tj.line.0.last().unwrap().x);
        let pk = borders.iter().find(|b| b.id == "AF-PK").unwrap();
        // AF-PK runs from the Wakhan (north-east) to the Iranian tripoint (south-west).
        assert!(pk.line.0[0].y > pk.line.0.last().unwrap().y);
    }
}
