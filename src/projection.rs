//! The one map projection every stage shares (density grids, corridors, maps).
//!
//! The map projection: an Albers equal-area conic fitted to the region (standard parallels
//! 29° N and 39° N, centred on 34° N 68° E), computed with `proj4rs`.
//!
//! Equal-area matters because density maps compare incident counts per km² between the
//! Tajik and the Pakistani border: on an equal-area projection a pixel covers the same ground
//! area everywhere on the map, so a density surface computed in projected km is honest.

use anyhow::{Context, Result, anyhow};
use proj4rs::Proj;

/// The projection the maps use by default: Albers equal-area conic for Afghanistan and its
/// neighbours (distortion of scale under 1.2 % between 27° N and 42° N).
pub const REGION_ALBERS: &str =
    "+proj=aea +lat_1=29 +lat_2=39 +lat_0=34 +lon_0=68 +datum=WGS84 +units=m +no_defs";

/// A projection from WGS 84 longitude/latitude (degrees) to plane coordinates in km.
pub struct Projection {
    geographic: Proj,
    projected: Proj,
    definition: String,
}

impl std::fmt::Debug for Projection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projection")
            .field("definition", &self.definition)
            .finish()
    }
}

impl Clone for Projection {
    fn clone(&self) -> Projection {
        Projection::from_proj_string(&self.definition).expect("a projection that parsed once")
    }
}

impl Default for Projection {
    fn default() -> Projection {
        Projection::region()
    }
}

impl Projection {
    /// The region's Albers equal-area conic ([`REGION_ALBERS`]).
    pub fn region() -> Projection {
        Projection::from_proj_string(REGION_ALBERS).expect("the built-in projection string")
    }

    /// Any projected CRS that proj4rs understands, as a PROJ.4 string in metres.
    pub fn from_proj_string(definition: &str) -> Result<Projection> {
        let projected = Proj::from_proj_string(definition)
            .map_err(|e| anyhow!("{e:?}"))
            .with_context(|| format!("projection {definition:?}"))?;
        if projected.is_latlong() {
            anyhow::bail!("projection {definition:?}: a projected CRS is needed, not lon/lat");
        }
        let geographic = Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
            .map_err(|e| anyhow!("{e:?}"))
            .context("WGS 84 geographic CRS")?;
        Ok(Projection {
            geographic,
            projected,
            definition: definition.to_string(),
        })
    }

    /// The PROJ.4 string, for map footers and metadata.
    pub fn definition(&self) -> &str {
        &self.definition
    }

    /// Projects a WGS 84 point (degrees) to plane km (x east, y north). `None` when the point
    /// cannot be projected (a non-finite coordinate, or outside the projection's domain).
    pub fn forward(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        if !lon.is_finite() || !lat.is_finite() || lat.abs() > 90.0 {
            return None;
        }
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        proj4rs::transform::transform(&self.geographic, &self.projected, &mut p).ok()?;
        (p.0.is_finite() && p.1.is_finite()).then_some((p.0 / 1000.0, p.1 / 1000.0))
    }

    /// Plane km back to WGS 84 degrees.
    pub fn inverse(&self, x_km: f64, y_km: f64) -> Option<(f64, f64)> {
        if !x_km.is_finite() || !y_km.is_finite() {
            return None;
        }
        let mut p = (x_km * 1000.0, y_km * 1000.0, 0.0);
        proj4rs::transform::transform(&self.projected, &self.geographic, &mut p).ok()?;
        let (lon, lat) = (p.0.to_degrees(), p.1.to_degrees());
        (lon.is_finite() && lat.is_finite()).then_some((lon, lat))
    }

    /// The angle (degrees, counter-clockwise from the plane's +y axis) in which true north
    /// points at a place: the meridian convergence a conic projection implies. A north arrow
    /// drawn at that place is rotated by this angle.
    pub fn north_angle_deg(&self, lon: f64, lat: f64) -> Option<f64> {
        let (x0, y0) = self.forward(lon, lat - 0.005)?;
        let (x1, y1) = self.forward(lon, lat + 0.005)?;
        // atan2 of (-dx, dy): positive when north leans to the left (west of up).
        Some((-(x1 - x0)).atan2(y1 - y0).to_degrees())
    }

    /// Plane km per ground km along the parallel through a place (the scale factor `k`).
    /// A horizontal scale bar drawn for that place is `k` times its ground length on the plane.
    pub fn parallel_scale(&self, lon: f64, lat: f64) -> Option<f64> {
        let d = 0.01;
        let (x0, y0) = self.forward(lon - d, lat)?;
        let (x1, y1) = self.forward(lon + d, lat)?;
        let plane = (x1 - x0).hypot(y1 - y0);
        let ground = crate::geo_util::km(lon - d, lat, lon + d, lat);
        (ground > 0.0).then_some(plane / ground)
    }
}

/// A (multi)polygon's rings in the region's projection (plane km): per polygon, its exterior
/// then its holes, each vertex that projects, in order.
pub type PlaneRings = Vec<Vec<Vec<(f64, f64)>>>;

/// A shape's [`PlaneRings`] in [`REGION_ALBERS`], made on first use and kept with the shape:
/// every map of a run draws the same countries, provinces and districts, and projecting their
/// hundreds of thousands of vertices again for each map was about a tenth of `run`'s
/// instructions on a few incidents (`callgrind`).
#[derive(Default)]
pub struct RegionPlane(std::sync::OnceLock<PlaneRings>);

impl RegionPlane {
    /// The rings of `shape` (the shape this is kept with) in the region's projection.
    /// Maps drawn side by side wait here for the first to project a shape, so the
    /// projecting itself must not use the pool (were the maps drawn as pool jobs, a worker
    /// waiting on it could hold the work it waits for).
    pub fn rings(&self, shape: &geo::MultiPolygon<f64>) -> &PlaneRings {
        self.0.get_or_init(|| {
            let proj = Projection::region();
            shape
                .0
                .iter()
                .map(|poly| {
                    std::iter::once(poly.exterior())
                        .chain(poly.interiors())
                        .map(|ring| {
                            ring.0
                                .iter()
                                .filter_map(|c| proj.forward(c.x, c.y))
                                .collect()
                        })
                        .collect()
                })
                .collect()
        })
    }
}

/// Not projected yet: a copy projects its shape again when first asked.
impl Clone for RegionPlane {
    fn clone(&self) -> RegionPlane {
        RegionPlane::default()
    }
}

impl std::fmt::Debug for RegionPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "RegionPlane(projected)"
        } else {
            "RegionPlane(not yet)"
        })
    }
}

impl Projection {
    /// Whether this is the region's projection ([`REGION_ALBERS`]), in which
    /// [`RegionPlane`]s are.
    pub fn is_region(&self) -> bool {
        self.definition == REGION_ALBERS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_point_matches_proj_and_round_trips() {
        let p = Projection::region();
        // PROJ 9.1.1: echo "70.04865 37.84137" | proj +proj=aea +lat_1=29 +lat_2=39 +lat_0=34
        //   +lon_0=68 +datum=WGS84 +units=m  ->  180019.3351 429349.7578
        let (x, y) = p.forward(70.04865, 37.84137).unwrap();
        assert!((x * 1000.0 - 180_019.335_1).abs() < 0.01, "x {x}");
        assert!((y * 1000.0 - 429_349.757_8).abs() < 0.01, "y {y}");
        let (lon, lat) = p.inverse(x, y).unwrap();
        let err_m = crate::geo_util::km(lon, lat, 70.04865, 37.84137) * 1000.0;
        assert!(err_m < 1.0, "round trip off by {err_m} m");
        // The origin maps to (0, 0).
        let (x0, y0) = p.forward(68.0, 34.0).unwrap();
        assert!(x0.abs() < 1e-9 && y0.abs() < 1e-9);
    }

    /// Area of the ellipsoidal cell lon0..lon0+dlon, lat0..lat1 on WGS 84, km².
    fn ellipsoid_cell_km2(lat0: f64, lat1: f64, dlon_deg: f64) -> f64 {
        let a: f64 = 6_378.137;
        let f: f64 = 1.0 / 298.257_223_563;
        let e2 = f * (2.0 - f);
        let e = e2.sqrt();
        let q = |phi: f64| {
            let s = phi.to_radians().sin();
            s / (1.0 - e2 * s * s) + (1.0 / (2.0 * e)) * ((1.0 + e * s) / (1.0 - e * s)).ln()
        };
        0.5 * a * a * (1.0 - e2) * dlon_deg.to_radians() * (q(lat1) - q(lat0))
    }

    /// Area of the projected cell (edges densified), km².
    fn projected_cell_km2(p: &Projection, lon0: f64, lat0: f64) -> f64 {
        let n = 100;
        let mut ring = Vec::new();
        for i in 0..n {
            ring.push((lon0 + i as f64 / n as f64, lat0));
        }
        for i in 0..n {
            ring.push((lon0 + 1.0, lat0 + i as f64 / n as f64));
        }
        for i in 0..n {
            ring.push((lon0 + 1.0 - i as f64 / n as f64, lat0 + 1.0));
        }
        for i in 0..n {
            ring.push((lon0, lat0 + 1.0 - i as f64 / n as f64));
        }
        let pts: Vec<(f64, f64)> = ring
            .iter()
            .map(|&(x, y)| p.forward(x, y).unwrap())
            .collect();
        let mut s = 0.0;
        for i in 0..pts.len() {
            let (x0, y0) = pts[i];
            let (x1, y1) = pts[(i + 1) % pts.len()];
            s += x0 * y1 - x1 * y0;
        }
        s.abs() / 2.0
    }

    #[test]
    fn cells_keep_their_ellipsoidal_area() {
        let p = Projection::region();
        let south = projected_cell_km2(&p, 70.0, 30.0) / ellipsoid_cell_km2(30.0, 31.0, 1.0);
        let north = projected_cell_km2(&p, 62.0, 38.0) / ellipsoid_cell_km2(38.0, 39.0, 1.0);
        assert!((south - 1.0).abs() < 0.005, "30N cell ratio {south}");
        assert!((north - 1.0).abs() < 0.005, "38N cell ratio {north}");
        assert!((south / north - 1.0).abs() < 0.005);
    }

    #[test]
    fn north_leans_with_the_meridians() {
        let p = Projection::region();
        // On the central meridian north is straight up; east of it north leans west (left).
        assert!(p.north_angle_deg(68.0, 34.0).unwrap().abs() < 1e-6);
        let east = p.north_angle_deg(72.0, 37.0).unwrap();
        let west = p.north_angle_deg(62.0, 33.0).unwrap();
        assert!(east > 1.0 && east < 3.0, "{east}");
        assert!(west < -2.0 && west > -5.0, "{west}");
        // Scale along parallels is 1 on the standard parallels, under 1 between them
        // (PROJ 9.1.1, `proj -V` at 65 E 34 N: parallel scale k = 0.99621548).
        assert!((p.parallel_scale(65.0, 29.0).unwrap() - 1.0).abs() < 1e-4);
        let k = p.parallel_scale(65.0, 34.0).unwrap();
        assert!((k - 0.996_215_48).abs() < 1e-5, "{k}");
        assert!(p.forward(f64::NAN, 30.0).is_none());
    }
}
