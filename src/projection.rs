//! The one map projection every stage shares: Albers equal-area conic for the region
//! (standard parallels 29° N and 39° N, centre 34° N 68° E, WGS 84), through proj4rs.
//! Equal-area so that densities per km² are honest; conic so that the Tajik and Pakistani
//! borders keep their shape. Coordinates out are km.

use anyhow::{Result, anyhow};
use proj4rs::proj::Proj;

/// PROJ string of the region's projection (also written into outputs for reproducibility).
pub const REGION_ALBERS: &str =
    "+proj=aea +lat_1=29 +lat_2=39 +lat_0=34 +lon_0=68 +datum=WGS84 +units=m +no_defs";

pub struct Projection {
    geographic: Proj,
    projected: Proj,
}

impl Projection {
    /// The region's equal-area projection.
    pub fn region() -> Result<Projection> {
        Projection::from_proj_string(REGION_ALBERS)
    }

    pub fn from_proj_string(s: &str) -> Result<Projection> {
        let geographic = Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
            .map_err(|e| anyhow!("geographic CRS: {e:?}"))?;
        let projected =
            Proj::from_proj_string(s).map_err(|e| anyhow!("projection {s:?}: {e:?}"))?;
        Ok(Projection {
            geographic,
            projected,
        })
    }

    /// lon/lat degrees → x/y km.
    pub fn forward(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        let (x, y) = proj4rs::adaptors::transform_vertex_2d(
            &self.geographic,
            &self.projected,
            (lon.to_radians(), lat.to_radians()),
        )
        .ok()?;
        (x.is_finite() && y.is_finite()).then_some((x / 1000.0, y / 1000.0))
    }

    /// x/y km → lon/lat degrees.
    pub fn inverse(&self, x_km: f64, y_km: f64) -> Option<(f64, f64)> {
        let (lon, lat) = proj4rs::adaptors::transform_vertex_2d(
            &self.projected,
            &self.geographic,
            (x_km * 1000.0, y_km * 1000.0),
        )
        .ok()?;
        (lon.is_finite() && lat.is_finite()).then_some((lon.to_degrees(), lat.to_degrees()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_centred() {
        let p = Projection::region().unwrap();
        let (x, y) = p.forward(68.0, 34.0).unwrap();
        assert!(x.abs() < 1e-6 && y.abs() < 1e-6);
        let (x, y) = p.forward(70.04865, 37.84137).unwrap();
        let (lon, lat) = p.inverse(x, y).unwrap();
        assert!((lon - 70.04865).abs() < 1e-8 && (lat - 37.84137).abs() < 1e-8);
    }

    #[test]
    fn equal_area() {
        // A 1°×1° cell's projected area matches its ellipsoidal area (geo's geodesic area).
        use geo::{GeodesicArea, polygon};
        let p = Projection::region().unwrap();
        for lat in [30.0, 38.0] {
            let cell = polygon![(x: 68.0, y: lat), (x: 69.0, y: lat), (x: 69.0, y: lat + 1.0), (x: 68.0, y: lat + 1.0)];
            let true_km2 = cell.geodesic_area_unsigned() / 1e6;
            // Projected area by densified shoelace.
            let mut ring = Vec::new();
            for i in 0..=100 {
                ring.push(p.forward(68.0 + i as f64 / 100.0, lat).unwrap());
            }
            for i in 0..=100 {
                ring.push(p.forward(69.0 - i as f64 / 100.0, lat + 1.0).unwrap());
            }
            let mut a = 0.0;
            for i in 0..ring.len() {
                let (x0, y0) = ring[i];
                let (x1, y1) = ring[(i + 1) % ring.len()];
                a += x0 * y1 - x1 * y0;
            }
            let proj_km2 = a.abs() / 2.0;
            assert!(
                (proj_km2 / true_km2 - 1.0).abs() < 0.001,
                "{lat}: {proj_km2} vs {true_km2}"
            );
        }
    }
}
