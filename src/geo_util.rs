//! Small geodesic helpers shared by the stages (WGS 84 ellipsoid, via geo's Karney solver).

use geo::{Distance, Geodesic, Point};

/// Geodesic distance in km between two lon/lat points.
pub fn km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    Geodesic.distance(Point::new(lon1, lat1), Point::new(lon2, lat2)) / 1000.0
}

/// WGS 84 semi-major axis, km.
pub const A_KM: f64 = 6378.137;
/// WGS 84 first eccentricity squared.
pub const E2: f64 = 0.006_694_379_990_141_317;

/// The WGS 84 ellipsoid's radii of curvature (km) at a latitude whose sine is `sin_lat`:
/// prime vertical N and meridional M.
pub fn radii_km(sin_lat: f64) -> (f64, f64) {
    let w2 = 1.0 - E2 * sin_lat * sin_lat;
    (A_KM / w2.sqrt(), A_KM * (1.0 - E2) / (w2 * w2.sqrt()))
}

/// Points at most this far apart in latitude and in longitude (degrees) are measured in the
/// ellipsoid's tangent plane at their mean latitude (see [`km_near`]).
pub const TANGENT_PLANE_MAX_DEG: f64 = 0.2;

/// Distance in km, for points close together: in the tangent plane of the WGS 84 ellipsoid
/// at their mean latitude (meridional and prime-vertical radii of curvature there), which
/// is within a few centimetres of the geodesic for points under 0.2° apart (tested); farther
/// apart, the geodesic ([`km`]). Cheap enough for the millions of point-to-border
/// measurements of an analysis.
pub fn km_near(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (dlon, dlat) = (lon2 - lon1, lat2 - lat1);
    if dlon.abs() > TANGENT_PLANE_MAX_DEG || dlat.abs() > TANGENT_PLANE_MAX_DEG {
        return km(lon1, lat1, lon2, lat2);
    }
    let phi = ((lat1 + lat2) / 2.0).to_radians();
    let (s, c) = phi.sin_cos();
    let (n, m) = radii_km(s);
    let x = n * c * dlon.to_radians();
    let y = m * dlat.to_radians();
    (x * x + y * y).sqrt()
}

/// Deterministic uniform numbers in [0, 1) for tests (a 64-bit LCG from `seed`): random-looking
/// points that are the same on every run.
#[cfg(test)]
pub(crate) fn test_uniform(mut seed: u64) -> impl FnMut() -> f64 {
    move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_geodesic_distance() {
        // One degree of latitude at the equator on WGS 84 is 110.574 km.
        assert!((super::km(0.0, 0.0, 0.0, 1.0) - 110.574).abs() < 0.01);
    }

    #[test]
    fn the_tangent_plane_is_within_centimetres_of_the_geodesic() {
        let mut next = crate::geo_util::test_uniform(3);
        let mut worst: f64 = 0.0;
        for _ in 0..20_000 {
            let (lon, lat) = (40.0 + 60.0 * next(), -60.0 + 120.0 * next());
            let (dlon, dlat) = ((next() - 0.5) * 0.4, (next() - 0.5) * 0.4);
            let exact = super::km(lon, lat, lon + dlon, lat + dlat);
            let near = super::km_near(lon, lat, lon + dlon, lat + dlat);
            worst = worst.max((exact - near).abs());
        }
        assert!(worst < 0.00005, "worst difference {} m", worst * 1000.0);
    }
}
