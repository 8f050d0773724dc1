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

pub struct GeoData {
    pub gazetteer: Gazetteer,
    pub borders: Vec<Border>,
    pub countries: Vec<CountryShape>,
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
        let countries = countries_from_geojson(&read("countries.geojson", EMBEDDED_COUNTRIES)?)?;
        Ok(GeoData {
            gazetteer,
            borders,
            countries,
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

fn countries_from_geojson(text: &str) -> Result<Vec<CountryShape>> {
    let fc: geojson::FeatureCollection = text.parse().context("countries.geojson")?;
    let mut out = Vec::new();
    for f in fc.features {
        let code = f
            .property("iso_a2")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let name = f
            .property("name")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let Some(g) = f.geometry else { continue };
        let shape = match geo::Geometry::<f64>::try_from(g).context("countries.geojson geometry")? {
            geo::Geometry::MultiPolygon(mp) => mp,
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            _ => continue,
        };
        out.push(CountryShape { code, name, shape });
    }
    Ok(out)
}
