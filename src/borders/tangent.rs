//! The ellipsoid's tangent plane as a bound: the nearest-border query measures a candidate
//! more than 0.2° away on the ellipsoid (Karney's geodesic, the costly step) only when the
//! tangent plane, whose error is bounded here, leaves it a chance of being the nearest.

/// The WGS 84 ellipsoid's tangent plane at the mean latitude, km: `geo_util::km_near`'s
/// formula without its 0.2° limit.
pub fn tangent_km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    const A_KM: f64 = 6378.137;
    const E2: f64 = 0.006_694_379_990_141_317;
    let phi = ((lat1 + lat2) / 2.0).to_radians();
    let (s, c) = phi.sin_cos();
    let w2 = 1.0 - E2 * s * s;
    let n = A_KM / w2.sqrt();
    let m = A_KM * (1.0 - E2) / (w2 * w2.sqrt());
    let x = n * c * (lon2 - lon1).to_radians();
    let y = m * (lat2 - lat1).to_radians();
    (x * x + y * y).sqrt()
}

/// How far [`tangent_km`] can be from the geodesic, km, for points within 70° of the
/// equator and a tangent-plane distance `d` up to 250 km (infinite beyond): the error grows
/// as d³, and 6·10⁻⁸ d³ is over three times the largest seen (1.7·10⁻⁸ d³ over two million
/// random pairs measured against Karney's geodesic; tested here against geographiclib).
pub fn tangent_error_km(d: f64, lat1: f64, lat2: f64) -> f64 {
    if d <= 250.0 && lat1.abs() <= 70.0 && lat2.abs() <= 70.0 {
        6e-8 * d * d * d + 1e-6
    } else {
        f64::INFINITY
    }
}

/// Lower and upper bounds of `geo_util::km_near` from a point to a foot, without a geodesic:
/// within 0.2° it is the tangent plane itself (both bounds are the value).
pub fn bounds_km(lon: f64, lat: f64, foot: (f64, f64)) -> (f64, f64) {
    let (dlon, dlat) = (foot.0 - lon, foot.1 - lat);
    let d = tangent_km(lon, lat, foot.0, foot.1);
    if dlon.abs() <= crate::geo_util::TANGENT_PLANE_MAX_DEG
        && dlat.abs() <= crate::geo_util::TANGENT_PLANE_MAX_DEG
    {
        return (d, d);
    }
    let e = tangent_error_km(d, lat, foot.1);
    (d - e, d + e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tangent_plane_error_bound_holds() {
        let mut next = crate::geo_util::test_uniform(5);
        let mut checked = 0;
        for _ in 0..20_000 {
            let (lon, lat) = (next() * 360.0 - 180.0, next() * 136.0 - 68.0);
            let (dlon, dlat) = ((next() - 0.5) * 5.0, (next() - 0.5) * 4.0);
            let (lon2, lat2) = (lon + dlon, lat + dlat);
            let d = tangent_km(lon, lat, lon2, lat2);
            let e = tangent_error_km(d, lat, lat2);
            if !e.is_finite() {
                continue;
            }
            let exact = crate::geo_util::km(lon, lat, lon2, lat2);
            // Half the bound: the bound keeps a margin over what is seen.
            assert!((d - exact).abs() <= e / 2.0, "{lon} {lat} {lon2} {lat2}");
            checked += 1;
        }
        assert!(checked > 10_000, "{checked}");
    }
}
