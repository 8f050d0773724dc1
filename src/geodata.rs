//! The shipped geography as one bundle: gazetteer, borders and country outlines, from the
//! files compiled into the binary or from a `--geodata DIR` folder with the same file names.

use crate::borders::{self, Border};
use crate::gazetteer::Gazetteer;
use anyhow::{Context, Result};
use geo::MultiPolygon;
use std::path::Path;

pub const EMBEDDED_COUNTRIES: &str = include_str!("../geodata/countries.geojson");
pub const EMBEDDED_PROVINCES: &str = include_str!("../geodata/provinces.geojson");
pub const EMBEDDED_BORDER_ZONES: &str = include_str!("../geodata/border_zones.geojson");

/// Attribution that every output carries.
pub const ATTRIBUTION: &str = "Borders, countries and provinces: Natural Earth 1:10m (public domain). \
Places and districts: GeoNames (geonames.org), CC BY 4.0.";

/// A country outline, used to tell which side of a border a point is on.
pub struct CountryShape {
    pub code: String,
    pub name: String,
    pub shape: MultiPolygon<f64>,
}

/// A province outline (Natural Earth admin-1, ISO 3166-2 id).
pub struct ProvinceShape {
    pub id: String,
    pub name: String,
    pub country: String,
    pub shape: MultiPolygon<f64>,
}

pub struct GeoData {
    pub gazetteer: Gazetteer,
    pub borders: Vec<Border>,
    pub countries: Vec<CountryShape>,
    pub provinces: Vec<ProvinceShape>,
}

impl GeoData {
    /// Loads the embedded geodata, or the folder given (e.g. by `--geodata`).
    pub fn load(dir: Option<&Path>) -> Result<GeoData> {
        let read = |file: &str, embedded: &str| -> Result<String> {
            match dir {
                Some(d) => std::fs::read_to_string(d.join(file))
                    .with_context(|| format!("reading {}", d.join(file).display())),
                None => Ok(embedded.to_string()),
            }
        };
        let gazetteer = match dir {
            Some(d) => Gazetteer::from_dir(d)?,
            None => Gazetteer::embedded()?,
        };
        let borders = borders::from_geojson(
            "borders.geojson",
            &read("borders.geojson", borders::EMBEDDED_GEOJSON)?,
        )?;
        let countries = polygons_from_geojson(&read("countries.geojson", EMBEDDED_COUNTRIES)?)?
            .into_iter()
            .map(|(code, name, _, shape)| CountryShape { code, name, shape })
            .collect();
        let provinces = polygons_from_geojson(&read("provinces.geojson", EMBEDDED_PROVINCES)?)?
            .into_iter()
            .map(|(id, name, country, shape)| ProvinceShape {
                id,
                name,
                country,
                shape,
            })
            .collect();
        Ok(GeoData {
            gazetteer,
            borders,
            countries,
            provinces,
        })
    }

    /// Replaces the shipped border lines with a user's file.
    pub fn use_borders_file(&mut self, path: &Path) -> Result<()> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        self.borders = borders::from_geojson(&path.display().to_string(), &text)?;
        Ok(())
    }
}

/// Polygon features as (id, name, country, shape); the id is `province_id` for provinces and
/// `iso_a2` for countries.
fn polygons_from_geojson(text: &str) -> Result<Vec<(String, String, String, MultiPolygon<f64>)>> {
    let fc: geojson::FeatureCollection = text.parse().context("parsing a polygon layer")?;
    let mut out = Vec::new();
    for f in fc.features {
        let prop = |k: &str| {
            f.property(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let code = if f.contains_property("province_id") {
            prop("province_id")
        } else {
            prop("iso_a2")
        };
        let name = prop("name");
        let country = if f.contains_property("country") {
            prop("country")
        } else {
            code.clone()
        };
        let Some(g) = f.geometry else { continue };
        let shape = match geo::Geometry::<f64>::try_from(g).context("polygon layer geometry")? {
            geo::Geometry::MultiPolygon(mp) => mp,
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            _ => continue,
        };
        out.push((code, name, country, shape));
    }
    Ok(out)
}
