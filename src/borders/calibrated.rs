//! A flat frame calibrated to the WGS 84 ellipsoid at a query point, with a bound of its
//! error, so that the nearest-border query keeps only the candidates that can still be
//! nearest.
//!
//! The query's own flat frame (`BorderIndex::flat_km`: 111.2 km per degree, longitude
//! scaled by the cosine of the point's latitude) is within about 1% of the ellipsoid in
//! any direction, and the query keeps every candidate within that margin of the best, a
//! few km of line at corridor distances: on the survey-resolution borders (a vertex every
//! 90 m) dozens of segments a point. This frame measures the same offset with the
//! ellipsoid's radii of curvature at the point (prime vertical N across, meridional M
//! along), so the only difference from the tangent plane at the mean latitude, which is
//! what `geo_util::km_near` measures (or the geodesic, within the bounded error of
//! [`super::tangent::tangent_error_km`]), is how the radii and the cosine change between
//! the point's latitude and the mean one: a fraction of a percent at 50 km.

use super::tangent::cubic_error_km;
use std::f64::consts::PI;

/// Up to this latitude (degrees) the bound is established: a foot within 250 km is then
/// within 70°, where the tangent plane's error bound holds.
const MAX_LAT: f64 = 67.5;
/// The farthest flat distance (km) the bound is used for: every tangent-plane distance it
/// bounds stays under the 250 km of the error bound.
const MAX_KM: f64 = 200.0;

/// The calibrated frame at one query point.
pub struct Calibrated {
    /// km per degree of the query frame's offsets: across (longitude already scaled by the
    /// cosine of the point's latitude), N·π/180; along the meridian, M·π/180.
    x_km: f64,
    y_km: f64,
    /// |tan| of the point's latitude: how fast the cosine changes with latitude.
    tan_abs: f64,
    valid: bool,
    /// The sine and cosine of the point's latitude.
    sin_cos: (f64, f64),
}

impl Calibrated {
    pub fn new(lat: f64) -> Calibrated {
        let (s, c) = lat.to_radians().sin_cos();
        let (n, m) = crate::geo_util::radii_km(s);
        Calibrated {
            x_km: n * PI / 180.0,
            y_km: m * PI / 180.0,
            tan_abs: (s / c).abs(),
            valid: lat.abs() <= MAX_LAT,
            sin_cos: (s, c),
        }
    }

    /// `lat.to_radians().sin_cos()` of the point's latitude `lat`.
    pub fn sin_cos(&self) -> (f64, f64) {
        self.sin_cos
    }

    /// The length of an offset of the query frame (degrees; `dx` already scaled by the
    /// cosine of the point's latitude), km.
    pub fn km(&self, dx: f64, dy: f64) -> f64 {
        self.km_2(dx, dy).sqrt()
    }

    /// The square of [`Self::km`], whose square root it is exactly.
    #[inline(always)]
    pub fn km_2(&self, dx: f64, dy: f64) -> f64 {
        let (x, y) = (dx * self.x_km, dy * self.y_km);
        x * x + y * y
    }

    /// km of this frame per degree of an index plane that scales longitude by `lon_scale`,
    /// at its least, for a point whose cosine of latitude is `k`: a distance in that plane
    /// times this never exceeds [`Self::km`] of the same offset.
    pub fn plane_km_lower(&self, k: f64, lon_scale: f64) -> f64 {
        (self.x_km * k / lon_scale).min(self.y_km) * 0.999
    }

    /// The relative error of the frame against the tangent plane at the mean latitude, for
    /// offsets of at most `f` km: the mean latitude is within h = f / (2 M') radians of the
    /// point's, which changes the cosine by at most |tan|·h + h²/2 and N and M by at most
    /// 0.34% and 1.02% of h (their logarithmic derivatives, e²/2 and 3e²/2 over 1 − e², at
    /// most).
    fn rho(&self, f: f64) -> f64 {
        let h = f * PI / (360.0 * self.y_km);
        (self.tan_abs + 0.011) * h + h * h
    }

    /// A flat distance (of the query frame, km) beyond which a candidate cannot be the
    /// nearest, given `best`, the least calibrated distance of a candidate found so far, and
    /// `old_limit`, the query frame's own limit (`keep_within`) that every candidate it
    /// keeps is under; infinite where the bound is not established.
    ///
    /// With the error bound e of the tangent plane against the geodesic, a candidate at
    /// calibrated distance f is at least g(f) = f(1 − ρ(f)) − e(f(1 + ρ(f))) away on the
    /// ellipsoid, and the best at most U = f_b(1 + ρ(f_b)) + e(…). g grows with f up to
    /// 200 km (its slope stays above 0.9 there), so every candidate beyond a limit L with
    /// g(L) ≥ U is farther than the best, hence not the nearest. L is worked out with ρ and
    /// e taken at a value Y above it, and refused (infinite) if it is not below Y.
    pub fn keep_limit(&self, best: f64, old_limit: f64) -> f64 {
        // Every candidate the query frame keeps must be in range: the calibrated distance
        // is at most N·π/180 / 111.2 times the query frame's.
        let in_range = old_limit * self.x_km / 111.2 * (1.0 + 1e-9) <= MAX_KM;
        if !self.valid || !in_range {
            return f64::INFINITY;
        }
        let upper_best = best * (1.0 + self.rho(best));
        let u = upper_best + cubic_error_km(upper_best);
        let y = u * 1.05 + 0.5;
        let rho_y = self.rho(y);
        let limit = (u + cubic_error_km(y * (1.0 + rho_y))) / (1.0 - rho_y);
        if limit <= y && y * (1.0 + rho_y) <= 250.0 {
            // A margin for rounding in the distances compared with it.
            limit * (1.0 + 1e-9) + 1e-9
        } else {
            f64::INFINITY
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The frame's error bound against `geo_util::km_near` (the tangent plane within 0.2°,
    /// the geodesic beyond), over random points and offsets within 200 km.
    #[test]
    fn the_calibrated_frame_is_within_its_bound_of_the_ellipsoid() {
        let mut next = crate::geo_util::test_uniform(17);
        let mut checked = 0;
        let mut worst: f64 = 0.0;
        for _ in 0..200_000 {
            let (lon, lat) = (next() * 360.0 - 180.0, next() * 2.0 * MAX_LAT - MAX_LAT);
            let k = lat.to_radians().cos();
            let (r, a) = (next() * 1.8, next() * std::f64::consts::TAU);
            let (dx, dy) = (r * a.cos(), r * a.sin());
            let cal = Calibrated::new(lat);
            let f = cal.km(dx, dy);
            if f > MAX_KM {
                continue;
            }
            let foot = (lon + dx / k, lat + dy);
            let km = crate::geo_util::km_near(lon, lat, foot.0, foot.1);
            let rho = cal.rho(f);
            let e = cubic_error_km;
            let (lo, hi) = (f * (1.0 - rho), f * (1.0 + rho));
            assert!(km >= lo - e(hi), "{lon} {lat} {dx} {dy}: {km} < {lo}");
            assert!(km <= hi + e(hi), "{lon} {lat} {dx} {dy}: {km} > {hi}");
            worst = worst.max((km / f - 1.0).abs() / rho.max(1e-12));
            checked += 1;
        }
        assert!(checked > 100_000, "{checked}");
        // The bound is not loose by orders of magnitude.
        assert!(worst > 0.3, "{worst}");
    }

    #[test]
    fn a_candidate_beyond_the_limit_is_farther_than_the_best() {
        let mut next = crate::geo_util::test_uniform(29);
        for _ in 0..20_000 {
            let lat = next() * 2.0 * MAX_LAT - MAX_LAT;
            let cal = Calibrated::new(lat);
            let best = next() * 150.0;
            let limit = cal.keep_limit(best, best * 1.1 + 1.0);
            assert!(limit.is_finite() && limit >= best, "{lat} {best} {limit}");
            // g(f) at the limit and beyond exceeds the best's upper bound.
            let e = cubic_error_km;
            let upper = best * (1.0 + cal.rho(best));
            let u = upper + e(upper);
            for f in [limit, limit * 1.001 + 0.001, (limit + MAX_KM) / 2.0, MAX_KM] {
                let g = f * (1.0 - cal.rho(f)) - e(f * (1.0 + cal.rho(f)));
                assert!(g >= u, "{lat} {best}: g({f}) = {g} < {u}");
            }
        }
        // Out of range, no limit.
        assert!(Calibrated::new(80.0).keep_limit(10.0, 11.0).is_infinite());
        assert!(Calibrated::new(30.0).keep_limit(10.0, 250.0).is_infinite());
    }
}
