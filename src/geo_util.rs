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

/// The great-circle distance on a sphere of the mean Earth radius differs from the WGS 84
/// geodesic by under 0.6% (a meridian at the equator is 0.56% shorter, one at the poles
/// 0.45% longer): [`km_bounds`] allows 1%.
const SPHERE_MARGIN: f64 = 0.01;

/// Bounds (low, high) of the geodesic distance in km between two points, from the
/// great-circle distance on the sphere: a fraction of the geodesic's cost, enough to settle
/// most comparisons of a distance with a limit, or to tell which of several distances can
/// be the largest, before any geodesic is measured.
pub fn km_bounds(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> (f64, f64) {
    const MEAN_RADIUS_KM: f64 = 6371.0088;
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let half_dphi = (phi2 - phi1) / 2.0;
    let half_dlambda = (lon2 - lon1).to_radians() / 2.0;
    let h = half_dphi.sin().powi(2) + phi1.cos() * phi2.cos() * half_dlambda.sin().powi(2);
    let d = 2.0 * MEAN_RADIUS_KM * h.clamp(0.0, 1.0).sqrt().asin();
    // A metre more either way for rounding.
    (
        (d * (1.0 - SPHERE_MARGIN) - 0.001).max(0.0),
        d * (1.0 + SPHERE_MARGIN) + 0.001,
    )
}

/// Whether the geodesic distance between two points is more than `limit` km: the same
/// answer as comparing [`km`] with it, measuring the geodesic only when the sphere's
/// [`km_bounds`] lie on both sides of the limit.
pub fn km_exceeds(lon1: f64, lat1: f64, lon2: f64, lat2: f64, limit: f64) -> bool {
    let (low, high) = km_bounds(lon1, lat1, lon2, lat2);
    if low > limit {
        true
    } else if high <= limit {
        false
    } else {
        km(lon1, lat1, lon2, lat2) > limit
    }
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

    /// The sphere's bounds hold the geodesic for points near and far, in the region and
    /// anywhere (poles, equator, long meridians), with room to spare.
    #[test]
    fn the_sphere_bounds_hold_the_geodesic() {
        let mut next = crate::geo_util::test_uniform(7);
        let mut widest: f64 = 0.0;
        for i in 0..40_000 {
            let (lon1, lat1, lon2, lat2) = if i % 2 == 0 {
                // Within the region: lon 55-80, lat 25-45.
                (
                    55.0 + 25.0 * next(),
                    25.0 + 20.0 * next(),
                    55.0 + 25.0 * next(),
                    25.0 + 20.0 * next(),
                )
            } else {
                (
                    -180.0 + 360.0 * next(),
                    -89.0 + 178.0 * next(),
                    -180.0 + 360.0 * next(),
                    -89.0 + 178.0 * next(),
                )
            };
            // Now and then a short hop, and a meridian.
            let (lon2, lat2) = match i % 5 {
                1 => (lon1 + (next() - 0.5) * 0.01, lat1 + (next() - 0.5) * 0.01),
                3 => (lon1, lat2),
                _ => (lon2, lat2),
            };
            let exact = super::km(lon1, lat1, lon2, lat2);
            let (low, high) = super::km_bounds(lon1, lat1, lon2, lat2);
            assert!(low <= exact && exact <= high, "{lon1} {lat1} {lon2} {lat2}");
            if exact > 1.0 {
                let off = (exact - (low + high) / 2.0).abs() / exact;
                widest = widest.max(off);
            }
            for limit in [0.0, exact - 0.0005, exact, exact + 0.0005, exact * 1.02] {
                assert_eq!(
                    super::km_exceeds(lon1, lat1, lon2, lat2, limit),
                    exact > limit,
                    "{lon1} {lat1} {lon2} {lat2} / {limit}"
                );
            }
        }
        assert!(widest < 0.007, "the sphere was {:.2}% off", widest * 100.0);
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
