//! The shipped geography as one bundle: gazetteer, borders and country outlines, from the
//! files compiled into the binary or from a `--geodata DIR` folder with the same file names.

mod district_index;
mod inside_grid;
mod packed;

use crate::borders::{self, Border};
use crate::gazetteer::Gazetteer;
use crate::model::GazetteerEntry;
use crate::projection::RegionPlane;
use anyhow::{Context, Result};
use district_index::DistrictIndex;
use geo::MultiPolygon;
use inside_grid::{Cover, LazyGrid};
use packed::LayerFeature;
use std::path::Path;

pub const EMBEDDED_COUNTRIES: &str = include_str!("../geodata/countries.geojson");
pub const EMBEDDED_PROVINCES: &str = include_str!("../geodata/provinces.geojson");
pub const EMBEDDED_BORDER_ZONES: &str = include_str!("../geodata/border_zones.geojson");
pub const EMBEDDED_DISTRICTS: &str = include_str!("../geodata/districts.geojson");

/// Attribution that every output carries.
pub const ATTRIBUTION: &str = "Borders, countries, provinces, districts and places: Data from Who's On First \
(whosonfirst.org, CC0 and CC BY parts; https://whosonfirst.org/docs/licenses/). Place names, \
coordinates and populations: GeoNames (geonames.org), CC BY 4.0. Outlines of China, Kyrgyzstan, \
India and Kazakhstan: Natural Earth 1:10m (public domain).";

/// A country outline, used to tell which side of a border a point is on.
pub struct CountryShape {
    pub code: String,
    pub name: String,
    pub shape: MultiPolygon<f64>,
    /// Built on first use: a grid that answers most point-in-country tests without touching
    /// the outline's thousands of vertices.
    grid: LazyGrid,
    /// The outline in the maps' projection, made on first use.
    pub plane: RegionPlane,
}

/// The district and province a location lies in, shared by every location in the same unit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AdminArea {
    pub province_id: Option<String>,
    pub province: Option<String>,
    pub district_id: Option<String>,
    pub district: Option<String>,
}

/// A district outline (Who's On First county) with the province it belongs to.
pub struct DistrictShape {
    pub id: String,
    pub name: String,
    pub country: String,
    pub province_id: Option<String>,
    pub shape: MultiPolygon<f64>,
    grid: LazyGrid,
    /// The outline in the maps' projection, made on first use.
    pub plane: RegionPlane,
    /// Its district and province, as every location inside it carries them.
    pub admin: std::sync::Arc<AdminArea>,
}

impl DistrictShape {
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.grid.contains(&self.shape, lon, lat)
    }
}

impl CountryShape {
    pub fn new(code: String, name: String, shape: MultiPolygon<f64>) -> CountryShape {
        CountryShape {
            code,
            name,
            shape,
            grid: LazyGrid::default(),
            plane: RegionPlane::default(),
        }
    }

    /// Whether the point lies inside the country's outline (exactly as `geo::Contains` says).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.grid.contains(&self.shape, lon, lat)
    }
}

/// A province outline (Who's On First, ISO 3166-2 id).
#[derive(Debug, Clone)]
pub struct ProvinceShape {
    pub id: String,
    pub name: String,
    pub country: String,
    pub shape: MultiPolygon<f64>,
    /// Built on first use, as a district's: the sectors of a border test a point every half
    /// kilometre along it, on either side, against outlines of thousands of vertices.
    grid: LazyGrid,
    /// The outline in the maps' projection, made on first use.
    pub plane: RegionPlane,
}

impl ProvinceShape {
    pub fn new(id: String, name: String, country: String, shape: MultiPolygon<f64>) -> Self {
        ProvinceShape {
            id,
            name,
            country,
            shape,
            grid: LazyGrid::default(),
            plane: RegionPlane::default(),
        }
    }

    /// Whether the point lies inside the province's outline (exactly as `geo::Contains`
    /// says).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.grid.contains(&self.shape, lon, lat)
    }
}

/// The gazetteer, read on first use: reading the embedded 170,000 places takes about a
/// second, and a run whose records all bring coordinates never looks a name up. A folder's
/// gazetteer (`--geodata DIR`) is read at once, so a broken file is reported before any work.
pub struct LazyGazetteer {
    all: std::sync::OnceLock<Gazetteer>,
    /// The embedded countries, provinces, districts, zones and crossings alone (without the
    /// places), for looking a unit up by id when the places have not been read.
    units: std::sync::OnceLock<Gazetteer>,
}

impl LazyGazetteer {
    /// The embedded gazetteer, read when first used.
    pub fn embedded() -> LazyGazetteer {
        LazyGazetteer {
            all: std::sync::OnceLock::new(),
            units: std::sync::OnceLock::new(),
        }
    }

    /// A gazetteer already read.
    pub fn loaded(g: Gazetteer) -> LazyGazetteer {
        LazyGazetteer {
            all: std::sync::OnceLock::from(g),
            units: std::sync::OnceLock::new(),
        }
    }

    /// The gazetteer to change (adding the user's places): read now if it was not yet.
    pub fn get_mut(&mut self) -> &mut Gazetteer {
        if self.all.get().is_none() {
            let _ = std::ops::Deref::deref(&*self);
        }
        self.all.get_mut().expect("read just above")
    }

    /// A country, province, district, border zone or crossing by its id, without reading
    /// the 170,000 places when they have not been read (a map's labels need only these, and
    /// a run whose records all bring coordinates never reads the places). The units are the
    /// same entries in both.
    pub fn unit(&self, id: &str) -> Option<&GazetteerEntry> {
        match self.all.get() {
            Some(g) => g.get(id),
            None => self
                .units
                .get_or_init(|| Gazetteer::embedded_units().expect("the embedded gazetteer reads"))
                .get(id),
        }
    }
}

impl std::ops::Deref for LazyGazetteer {
    type Target = Gazetteer;
    fn deref(&self) -> &Gazetteer {
        // The embedded files are compiled in and read by the tests: failing here is a build
        // that shipped broken geodata.
        self.all
            .get_or_init(|| Gazetteer::embedded().expect("the embedded gazetteer reads"))
    }
}

pub struct GeoData {
    pub gazetteer: LazyGazetteer,
    pub borders: Vec<Border>,
    pub countries: Vec<CountryShape>,
    pub provinces: Vec<ProvinceShape>,
    pub districts: Vec<DistrictShape>,
    district_index: std::sync::OnceLock<DistrictIndex>,
    /// Province-only answers (a record placed at its province), one per province.
    province_admin: Vec<std::sync::Arc<AdminArea>>,
}

impl GeoData {
    /// Loads the embedded geodata, or the folder given (e.g. by `--geodata`).
    pub fn load(dir: Option<&Path>) -> Result<GeoData> {
        GeoData::load_parts(dir, true)
    }

    /// [`GeoData::load`], leaving the borders empty unless `shipped_borders`: a job given
    /// the user's own lines (`--borders-file`, [`GeoData::use_borders_file`]) does not read
    /// the shipped ones, whose 30,000 vertices are measured on the ellipsoid as they are
    /// read (about 30 ms, the longest part of loading).
    pub fn load_parts(dir: Option<&Path>, shipped_borders: bool) -> Result<GeoData> {
        let read = |file: &str, embedded: &str| -> Result<String> {
            match dir {
                Some(d) => std::fs::read_to_string(d.join(file))
                    .with_context(|| format!("reading {}", d.join(file).display())),
                None => Ok(embedded.to_string()),
            }
        };
        // A polygon layer: from a folder's GeoJSON, or the shipped one as packed at build
        // time ([`packed`]).
        let layer = |file: &str, shipped: &[u8], what: &str| -> Result<Vec<LayerFeature>> {
            match dir {
                Some(_) => packed::from_geojson(&read(file, "")?, what),
                None => packed::unpack(shipped, what),
            }
        };
        let gazetteer = match dir {
            Some(d) => LazyGazetteer::loaded(Gazetteer::from_dir(d)?),
            None => LazyGazetteer::embedded(),
        };
        // Four files of about 9 MB together, read two by two: the start of every command
        // waits for them.
        let (borders_countries, provinces_districts) = rayon::join(
            || -> Result<_> {
                let borders = if shipped_borders {
                    borders::from_geojson(
                        "borders.geojson",
                        &read("borders.geojson", borders::EMBEDDED_GEOJSON)?,
                    )?
                } else {
                    Vec::new()
                };
                let countries: Vec<CountryShape> =
                    polygons_of(layer("countries.geojson", packed::COUNTRIES, "polygon")?)
                        .into_iter()
                        .map(|(code, name, _, shape)| CountryShape::new(code, name, shape))
                        .collect();
                Ok((borders, countries))
            },
            || -> Result<_> {
                let provinces =
                    provinces_of(layer("provinces.geojson", packed::PROVINCES, "polygon")?);
                let districts = districts_of(
                    layer("districts.geojson", packed::DISTRICTS, "districts")?,
                    &provinces,
                )?;
                Ok((provinces, districts))
            },
        );
        let ((borders, countries), (provinces, districts)) =
            (borders_countries?, provinces_districts?);
        let province_admin = provinces
            .iter()
            .map(|p| {
                std::sync::Arc::new(AdminArea {
                    province_id: Some(p.id.clone()),
                    province: Some(p.name.clone()),
                    district_id: None,
                    district: None,
                })
            })
            .collect();
        Ok(GeoData {
            gazetteer,
            borders,
            countries,
            provinces,
            districts,
            district_index: std::sync::OnceLock::new(),
            province_admin,
        })
    }

    /// Adds the user's own places (`--places FILE`, see `gazetteer::user_places`) to the
    /// gazetteer, each given the district and province its point lies in. Returns the rows
    /// that could not be read and the conflicts with shipped entries, for the command to print.
    pub fn add_user_places(&mut self, path: &Path) -> Result<(Vec<String>, Vec<String>)> {
        let places = crate::gazetteer::user_places::read(path)?;
        let districts = &self.districts;
        let index = self
            .district_index
            .get_or_init(|| DistrictIndex::new(districts.iter().map(|d| &d.shape)));
        let district_at = |lon: f64, lat: f64| {
            let d = first_containing(index, districts, None, lon, lat)?;
            let a = &d.admin;
            Some((
                a.province_id.clone()?,
                a.province.clone()?,
                d.id.clone(),
                d.name.clone(),
            ))
        };
        let conflicts = self
            .gazetteer
            .get_mut()
            .add_user_places(places.entries, &district_at);
        Ok((
            places.errors,
            conflicts.iter().map(ToString::to_string).collect(),
        ))
    }

    /// The district (of the country given, or any) whose outline contains the point; where
    /// outlines overlap, the first in the shipped order.
    pub fn district_at(&self, country: Option<&str>, lon: f64, lat: f64) -> Option<&DistrictShape> {
        let index = self
            .district_index
            .get_or_init(|| DistrictIndex::new(self.districts.iter().map(|d| &d.shape)));
        first_containing(index, &self.districts, country, lon, lat)
    }

    /// The district and province of a location, as far as its precision allows: exact and
    /// near locations and districts get both (point in polygon), a province-level location
    /// its province only, border zones and countries neither (a label point inside one
    /// district says nothing about where in the province the event was).
    pub fn admin_area(
        &self,
        country: Option<&str>,
        lon: f64,
        lat: f64,
        precision: crate::model::PrecisionClass,
        province_id: Option<&str>,
    ) -> Option<std::sync::Arc<AdminArea>> {
        use crate::model::PrecisionClass as P;
        match precision {
            P::Exact | P::Near | P::District => {
                self.district_at(country, lon, lat).map(|d| d.admin.clone())
            }
            P::Province => {
                let from_point = || {
                    self.district_at(country, lon, lat)
                        .and_then(|d| d.province_id.as_deref())
                };
                let id = province_id.or_else(from_point)?;
                let i = self.provinces.iter().position(|p| p.id == id)?;
                Some(self.province_admin[i].clone())
            }
            P::BorderZone | P::Country => None,
        }
    }

    /// Replaces the shipped border lines with a user's file.
    pub fn use_borders_file(&mut self, path: &Path) -> Result<()> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        self.borders = borders::from_geojson(&path.display().to_string(), &text)?;
        Ok(())
    }
}

/// The first of `districts` (of `country`, or any) whose outline contains the point: the
/// index's candidates come in the shipped order, so the first found is the answer. A
/// candidate whose outline is known to hold, or to miss, the whole of the point's cell is
/// decided without an outline test.
fn first_containing<'d>(
    index: &DistrictIndex,
    districts: &'d [DistrictShape],
    country: Option<&str>,
    lon: f64,
    lat: f64,
) -> Option<&'d DistrictShape> {
    let cell = index.cell_at(lon, lat)?;
    cell.members.iter().enumerate().find_map(|(slot, &i)| {
        let d = &districts[i as usize];
        let inside = match cell.cover(slot, || d.grid.cover(&d.shape, cell.bounds)) {
            Cover::Outside => return None,
            Cover::Inside => true,
            Cover::Mixed => false,
        };
        (country.is_none_or(|c| d.country == c) && (inside || d.contains(lon, lat))).then_some(d)
    })
}

/// Polygon features as (id, name, country, shape); the id is `province_id` for provinces and
/// `iso_a2` for countries.
/// Province outlines from GeoJSON with `province_id`, `name` and `country` properties.
pub fn provinces_from_geojson(text: &str) -> Result<Vec<ProvinceShape>> {
    Ok(provinces_of(packed::from_geojson(text, "polygon")?))
}

/// The shipped province outlines ([`provinces_from_geojson`] of the embedded layer, read
/// from its packed form).
pub fn shipped_provinces() -> Result<Vec<ProvinceShape>> {
    Ok(provinces_of(packed::unpack(packed::PROVINCES, "polygon")?))
}

fn provinces_of(features: Vec<LayerFeature>) -> Vec<ProvinceShape> {
    polygons_of(features)
        .into_iter()
        .map(|(id, name, country, shape)| ProvinceShape::new(id, name, country, shape))
        .collect()
}

/// District outlines from GeoJSON with `district_id`, `name`, `country` and `province_id`.
pub fn districts_from_geojson(
    text: &str,
    provinces: &[ProvinceShape],
) -> Result<Vec<DistrictShape>> {
    districts_of(packed::from_geojson(text, "districts")?, provinces)
}

fn districts_of(
    features: Vec<LayerFeature>,
    provinces: &[ProvinceShape],
) -> Result<Vec<DistrictShape>> {
    let mut out = Vec::new();
    for f in features {
        let prop = |k: &str| f.text(k).map(str::to_string);
        let (id, name, country, province_id) = (
            prop("district_id").context("a district without district_id")?,
            prop("name").unwrap_or_default(),
            prop("country").unwrap_or_default(),
            prop("province_id"),
        );
        let Some(shape) = f.shape else { continue };
        let province = province_id
            .as_ref()
            .and_then(|pid| provinces.iter().find(|p| &p.id == pid))
            .map(|p| p.name.clone());
        out.push(DistrictShape {
            admin: std::sync::Arc::new(AdminArea {
                province_id: province_id.clone(),
                province,
                district_id: Some(id.clone()),
                district: Some(name.clone()),
            }),
            id,
            name,
            country,
            province_id,
            shape,
            grid: LazyGrid::default(),
            plane: RegionPlane::default(),
        });
    }
    Ok(out)
}

/// (id, name, country, outline) of one polygon feature.
type PolygonFeature = (String, String, String, MultiPolygon<f64>);

fn polygons_of(features: Vec<LayerFeature>) -> Vec<PolygonFeature> {
    let mut out = Vec::new();
    for f in features {
        let prop = |k: &str| f.text(k).unwrap_or_default().to_string();
        let code = if f.properties.contains_key("province_id") {
            prop("province_id")
        } else {
            prop("iso_a2")
        };
        let name = prop("name");
        let country = if f.properties.contains_key("country") {
            prop("country")
        } else {
            code.clone()
        };
        let Some(shape) = f.shape else { continue };
        out.push((code, name, country, shape));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Contains;

    /// The shipped folder read as a `--geodata` folder (its GeoJSON parsed) gives the
    /// countries, provinces and districts of the packed layers, names and outlines alike.
    #[test]
    fn a_geodata_folder_reads_as_the_packed_layers() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
        let (folder, packed) = (
            GeoData::load(Some(&dir)).unwrap(),
            GeoData::load(None).unwrap(),
        );
        let outline = |mp: &MultiPolygon<f64>| -> Vec<(u64, u64)> {
            mp.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|r| r.0.iter().map(|c| (c.x.to_bits(), c.y.to_bits())))
                .collect()
        };
        let countries = |g: &GeoData| -> Vec<_> {
            g.countries
                .iter()
                .map(|c| (c.code.clone(), c.name.clone(), outline(&c.shape)))
                .collect()
        };
        assert_eq!(countries(&folder), countries(&packed));
        let provinces = |g: &GeoData| -> Vec<_> {
            g.provinces
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        p.name.clone(),
                        p.country.clone(),
                        outline(&p.shape),
                    )
                })
                .collect()
        };
        assert_eq!(provinces(&folder), provinces(&packed));
        let districts = |g: &GeoData| -> Vec<_> {
            g.districts
                .iter()
                .map(|d| {
                    (
                        d.id.clone(),
                        d.admin.clone(),
                        d.country.clone(),
                        outline(&d.shape),
                    )
                })
                .collect()
        };
        assert_eq!(districts(&folder), districts(&packed));
        assert!(folder.districts.len() > 100, "{}", folder.districts.len());
    }

    #[test]
    fn inside_grid_agrees_with_the_exact_test() {
        let geo = GeoData::load(None).unwrap();
        let mut next = crate::geo_util::test_uniform(7);
        for c in geo
            .countries
            .iter()
            .filter(|c| ["AF", "TJ", "PK"].contains(&c.code.as_str()))
        {
            for _ in 0..3000 {
                let (lon, lat) = (59.0 + next() * 19.0, 23.0 + next() * 19.0);
                assert_eq!(
                    c.contains(lon, lat),
                    c.shape.contains(&geo::Point::new(lon, lat)),
                    "{} {lon} {lat}",
                    c.code
                );
            }
        }
    }

    /// `district_at` is the first shipped district (of the country asked, or any) whose
    /// outline contains the point, as testing every outline in order says.
    #[test]
    fn district_at_is_the_first_district_that_contains_the_point() {
        let geo = GeoData::load(None).unwrap();
        let mut next = crate::geo_util::test_uniform(11);
        let mut found = 0;
        for _ in 0..4000 {
            // Over every shipped district's box (60.5–77.0°E, 23.7–41.0°N) and a little more.
            let (lon, lat) = (60.0 + next() * 18.0, 23.5 + next() * 18.0);
            for country in [None, Some("AF"), Some("PK"), Some("TJ")] {
                let expected = geo.districts.iter().position(|d| {
                    country.is_none_or(|c| d.country == c)
                        && d.shape.contains(&geo::Point::new(lon, lat))
                });
                let got = geo
                    .district_at(country, lon, lat)
                    .map(|d| std::ptr::from_ref(d) as usize);
                let expected = expected.map(|i| std::ptr::from_ref(&geo.districts[i]) as usize);
                assert_eq!(got, expected, "{country:?} {lon} {lat}");
                found += usize::from(expected.is_some());
            }
        }
        assert!(found > 3000, "only {found} points fell in a district");
    }
}
