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
fn bounds_km(lon: f64, lat: f64, foot: (f64, f64)) -> (f64, f64) {
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

/// [`bounds_km`] from one point to the feet of its candidates, with the sine and cosine of the
/// point's latitude found once: the feet lie within a few kilometres in latitude, so the mean
/// latitude's sine and cosine follow by the angle-addition formulas from short series in half the
/// difference, where each foot took a `sin_cos` (the query's `sin_cos` calls were about 2.4% of
/// `density`'s instructions with the shipped borders). The result may differ from [`bounds_km`]'s
/// in the last bits, so both bounds are widened by a part in 10¹² (thousands of times that): they
/// still hold the geodesic and `bounds_km`'s own bounds (tested), and within 0.2°, where
/// `bounds_km` gives the tangent plane itself as both bounds, they now hold it between them.
pub struct TangentFrom {
    lon: f64,
    lat: f64,
    sin_lat: f64,
    cos_lat: f64,
}

/// How much [`TangentFrom`] widens its bounds, relative.
const SERIES_MARGIN: f64 = 1e-12;
/// Feet at most this far in latitude from the point (degrees) are bounded by the series;
/// farther ones as [`bounds_km`] does. Half of it is 0.0175 rad, where the series' first
/// omitted terms are under 10⁻²¹.
const SERIES_MAX_DEG: f64 = 2.0;

impl TangentFrom {
    /// The frame of a point; `(sin_lat, cos_lat)` is `lat.to_radians().sin_cos()`.
    pub fn new(lon: f64, lat: f64, (sin_lat, cos_lat): (f64, f64)) -> TangentFrom {
        TangentFrom {
            lon,
            lat,
            sin_lat,
            cos_lat,
        }
    }

    /// Bounds (low, high) of `geo_util::km_near` from the point to `foot`.
    pub fn bounds_km(&self, foot: (f64, f64)) -> (f64, f64) {
        let (lon, lat) = (self.lon, self.lat);
        let (dlon, dlat) = (foot.0 - lon, foot.1 - lat);
        if dlat.is_nan() || dlat.abs() > SERIES_MAX_DEG {
            return bounds_km(lon, lat, foot);
        }
        let (sin_h, cos_h) = small_sin_cos((dlat / 2.0).to_radians());
        let s = self.sin_lat * cos_h + self.cos_lat * sin_h;
        let c = self.cos_lat * cos_h - self.sin_lat * sin_h;
        let (n, m) = crate::geo_util::radii_km(s);
        let x = n * c * dlon.to_radians();
        let y = m * dlat.to_radians();
        let d = (x * x + y * y).sqrt();
        let e = if dlon.abs() <= crate::geo_util::TANGENT_PLANE_MAX_DEG
            && dlat.abs() <= crate::geo_util::TANGENT_PLANE_MAX_DEG
        {
            0.0
        } else {
            tangent_error_km(d, lat, foot.1)
        };
        let widen = d * SERIES_MARGIN;
        (d - e - widen, d + e + widen)
    }
}

/// The sine and cosine of an angle of at most 0.0175 rad (1°), by their Taylor series to
/// the seventh and sixth powers: the first terms left out are under 10⁻²¹.
fn small_sin_cos(h: f64) -> (f64, f64) {
    debug_assert!(h.abs() <= 0.0175);
    let h2 = h * h;
    let sin_h = h * (1.0 - h2 / 6.0 * (1.0 - h2 / 20.0 * (1.0 - h2 / 42.0)));
    let cos_h = 1.0 - h2 / 2.0 * (1.0 - h2 / 12.0 * (1.0 - h2 / 30.0));
    (sin_h, cos_h)
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
    /// The bound for a point at latitude `lat`, whose `lat.to_radians().sin_cos()` is
    /// `(sin_lat, cos_lat)`.
    pub fn new(lat: f64, flat_max: f64, (sin_lat, cos_lat): (f64, f64)) -> TangentLower {
        // A foot's latitude is within flat_max / 111.2 degrees of the point's; the mean
        // latitude within half that.
        let half = flat_max / 111.2 / 2.0 * (1.0 + 1e-9) + 1e-9;
        let (lo, hi) = (lat - half, lat + half);
        let straddles = lo <= 0.0 && hi >= 0.0;
        let most_abs = lo.abs().max(hi.abs());
        // tangent_error_km is finite up to 250 km and 70°: within 200 flat km the tangent
        // plane stays under 250 km (its radii exceed 111.2 km per degree by under 1%, the
        // cosine ratio by under 5% below 70°).
        let valid = flat_max <= 200.0 && most_abs + half <= 69.9;
        if !valid {
            return TangentLower {
                x_km: 0.0,
                y_km: 0.0,
                valid: false,
            };
        }
        // N and M grow with |latitude|, the cosine shrinks: taken at the least and the
        // most |latitude|, |lat| ∓ half (half is under 1°), by angle addition from the
        // point's own sine and cosine. They can differ from `sin` and `cos` of those
        // latitudes in the last bits, far inside the part in 10¹² taken off below.
        let (sin_half, cos_half) = small_sin_cos(half.to_radians());
        let sin_least = if straddles {
            0.0
        } else {
            sin_lat.abs() * cos_half - cos_lat * sin_half
        };
        let cos_most = (cos_lat * cos_half - sin_lat.abs() * sin_half).max(0.0);
        let (n, m) = crate::geo_util::radii_km(sin_least);
        TangentLower {
            x_km: n * cos_most * (1.0 - 1e-12),
            y_km: m * (1.0 - 1e-12),
            valid: true,
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
    fn bounds_from_a_frame_hold_the_exact_bounds() {
        let mut next = crate::geo_util::test_uniform(21);
        let mut near = 0;
        for i in 0..200_000 {
            let (lon, lat) = (next() * 360.0 - 180.0, next() * 150.0 - 75.0);
            // Feet within 0.2°, within 2° and beyond (the exact bounds' way).
            let reach = [0.25, 2.5, 6.0][i % 3];
            let foot = (
                lon + (next() - 0.5) * 2.0 * reach,
                lat + (next() - 0.5) * 2.0 * reach,
            );
            let frame = TangentFrom::new(lon, lat, lat.to_radians().sin_cos());
            let (low, high) = frame.bounds_km(foot);
            let (exact_low, exact_high) = bounds_km(lon, lat, foot);
            assert!(
                low <= exact_low && high >= exact_high,
                "{lon} {lat} {foot:?}"
            );
            let close = (foot.0 - lon).abs() <= crate::geo_util::TANGENT_PLANE_MAX_DEG
                && (foot.1 - lat).abs() <= crate::geo_util::TANGENT_PLANE_MAX_DEG;
            if close {
                let d = crate::geo_util::km_near(lon, lat, foot.0, foot.1);
                assert!(low <= d && d <= high, "{lon} {lat} {foot:?}");
                // Close bounds, not merely true ones.
                assert!(high - low <= 3e-12 * d + 1e-300, "{lon} {lat} {foot:?}");
                near += 1;
            } else if (foot.1 - lat).abs() <= SERIES_MAX_DEG && high.is_finite() {
                assert!(high - low <= exact_high - exact_low + 3e-12 * high);
            }
        }
        assert!(near > 40_000, "{near}");
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
            let cheap = TangentLower::new(lat, flat_max, lat.to_radians().sin_cos())
                .lower_km(lon, lat, foot);
            let lo = bounds_km(lon, lat, foot).0;
            assert!(cheap <= lo, "{lon} {lat} {foot:?}: {cheap} > {lo}");
            if cheap > 0.995 * lo && lo > 1.0 {
                useful += 1;
            }
        }
        assert!(useful > 20_000, "{useful}");
    }
}
