//! The ellipsoid's tangent plane as a bound: the nearest-border query measures a candidate
//! more than 0.2° away on the ellipsoid (Karney's geodesic, the costly step) only when the
//! tangent plane, whose error is bounded here, leaves it a chance of being the nearest.

/// The WGS 84 ellipsoid's tangent plane at the mean latitude, km: `geo_util::km_near`'s
/// formula without its 0.2° limit.
pub fn tangent_km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let phi = ((lat1 + lat2) / 2.0).to_radians();
    let (s, c) = phi.sin_cos();
    let (n, m) = crate::geo_util::radii_km(s);
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
        cubic_error_km(d)
    } else {
        f64::INFINITY
    }
}

/// [`tangent_error_km`] where it holds (up to 250 km, within 70° of the equator), without
/// the check: for callers that have established both.
pub fn cubic_error_km(d: f64) -> f64 {
    6e-8 * d * d * d + 1e-6
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

/// A lower bound of [`bounds_km`]'s lower bound for every foot whose flat distance from a
/// point at latitude `lat` is at most `flat_max` km (the flat frame of
/// `BorderIndex::flat_km`: 111.2 km per degree, longitude scaled by cos `lat`), computed
/// with no trigonometry per foot: the tangent plane's radii and cosine taken at their least
/// over the latitudes the feet's mean latitude can have. The nearest-border query uses it
/// to skip candidates that cannot be nearest before measuring them on the ellipsoid.
pub struct TangentLower {
    /// km per radian of longitude and of latitude, at their least.
    x_km: f64,
    y_km: f64,
    /// `false` where the bound is not established (far north or south, or very far):
    /// [`Self::lower_km`] then bounds nothing.
    valid: bool,
}

impl TangentLower {
    pub fn new(lat: f64, flat_max: f64) -> TangentLower {
        // A foot's latitude is within flat_max / 111.2 degrees of the point's; the mean
        // latitude within half that.
        let half = flat_max / 111.2 / 2.0 * (1.0 + 1e-9) + 1e-9;
        let (lo, hi) = (lat - half, lat + half);
        let least_abs = if lo <= 0.0 && hi >= 0.0 {
            0.0
        } else {
            lo.abs().min(hi.abs())
        };
        let most_abs = lo.abs().max(hi.abs());
        // N and M grow with |latitude|, the cosine shrinks.
        let (n, m) = crate::geo_util::radii_km(least_abs.to_radians().sin());
        let c = most_abs.min(90.0).to_radians().cos().max(0.0);
        TangentLower {
            x_km: n * c * (1.0 - 1e-12),
            y_km: m * (1.0 - 1e-12),
            // tangent_error_km is finite up to 250 km and 70°: within 200 flat km the
            // tangent plane stays under 250 km (its radii exceed 111.2 km per degree by
            // under 1%, the cosine ratio by under 5% below 70°).
            valid: flat_max <= 200.0 && most_abs + half <= 69.9,
        }
    }

    /// A lower bound of `bounds_km(lon, lat, foot).0`, or −∞ where none is established.
    pub fn lower_km(&self, lon: f64, lat: f64, foot: (f64, f64)) -> f64 {
        if !self.valid {
            return f64::NEG_INFINITY;
        }
        let x = self.x_km * (foot.0 - lon).to_radians();
        let y = self.y_km * (foot.1 - lat).to_radians();
        let d = (x * x + y * y).sqrt() * (1.0 - 1e-9);
        // d − 6·10⁻⁸ d³ grows with d up to 2,000 km: the tangent plane less its error,
        // at least.
        d - cubic_error_km(d) - 1e-9
    }
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

    #[test]
    fn the_cheap_lower_bound_holds() {
        let mut next = crate::geo_util::test_uniform(8);
        let mut useful = 0;
        for _ in 0..50_000 {
            let (lon, lat) = (next() * 360.0 - 180.0, next() * 150.0 - 75.0);
            let flat_max = next() * 220.0;
            let k = lat.to_radians().cos();
            // A foot within flat_max in the flat frame.
            let (r, a) = (next() * flat_max / 111.2, next() * std::f64::consts::TAU);
            let foot = (lon + r * a.cos() / k.max(1e-6), lat + r * a.sin());
            let cheap = TangentLower::new(lat, flat_max).lower_km(lon, lat, foot);
            let lo = bounds_km(lon, lat, foot).0;
            assert!(cheap <= lo, "{lon} {lat} {foot:?}: {cheap} > {lo}");
            if cheap > 0.995 * lo && lo > 1.0 {
                useful += 1;
            }
        }
        assert!(useful > 20_000, "{useful}");
    }
}
