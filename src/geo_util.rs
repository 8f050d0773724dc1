//! Small geodesic helpers shared by the stages (WGS 84 ellipsoid, via geo's Karney solver).

use geo::{Distance, Geodesic, Point};

/// Geodesic distance in km between two lon/lat points.
pub fn km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    Geodesic.distance(Point::new(lon1, lat1), Point::new(lon2, lat2)) / 1000.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_geodesic_distance() {
        // One degree of latitude at the equator on WGS 84 is 110.574 km.
        assert!((super::km(0.0, 0.0, 0.0, 1.0) - 110.574).abs() < 0.01);
    }
}
