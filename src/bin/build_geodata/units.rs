//! Countries, provinces and districts from Who's On First: the present-day units as polygons,
//! each with a label point and a radius that covers its whole outline, and the older units'
//! names (FATA and its agencies, NWFP, renamed Tajik districts) kept as history.

use crate::wof::Unit;
use crate::{Coord, geodesic_km, push_alias, read_csv, round6};
use anyhow::{Context, Result};
use borderwatch::gazetteer::normalize;
use borderwatch::model::{EntryKind, GazetteerEntry};
use geo::{BoundingRect, Contains, InteriorPoint, MultiPolygon, Point, Rect};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Tolerance of the Douglas–Peucker simplification of province and district outlines:
/// 0.0005° is about 50 m, far inside any district's radius, and cuts the vertices several-fold
/// (the extract's outlines have a vertex every few metres). Country outlines and the borders
/// keep every vertex.
const SIMPLIFY_DEG: f64 = 0.0005;
/// Neighbours' provinces are context only: coarser, and only those that reach the region.
const SIMPLIFY_CONTEXT_DEG: f64 = 0.005;

fn simplified(shape: &MultiPolygon<f64>, eps: f64) -> MultiPolygon<f64> {
    use geo::Simplify;
    MultiPolygon(
        shape
            .0
            .iter()
            .map(|p| p.simplify(eps))
            .filter(|p| p.exterior().0.len() >= 4)
            .collect(),
    )
}

fn meets_region(r: &Rect<f64>) -> bool {
    let (x0, y0, x1, y1) = crate::REGION;
    r.min().x <= x1 && r.max().x >= x0 && r.min().y <= y1 && r.max().y >= y0
}

/// Countries covered whole by Who's On First in the extract.
pub const WOF_COUNTRIES: [&str; 6] = ["AF", "IR", "PK", "TJ", "TM", "UZ"];

const WOF_SOURCE: &str = "Who's On First (CC0; geometry sources per SOURCES.md)";

/// A polygon unit as shipped: a province or a district.
pub struct Area {
    /// `PK-KP` for provinces; the gazetteer entry's district id for districts.
    pub id: String,
    pub wof_id: u64,
    pub name: String,
    pub country: String,
    pub province_id: Option<String>,
    pub shape: MultiPolygon<f64>,
    pub bbox: Rect<f64>,
}

impl Area {
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let p = Point::new(lon, lat);
        self.bbox.contains(&p) && self.shape.contains(&p)
    }
}

pub struct Units {
    pub entries: Vec<GazetteerEntry>,
    pub provinces: Vec<Area>,
    pub districts: Vec<Area>,
    /// Lines for the build report.
    pub report: Vec<String>,
}

/// Greatest geodesic distance from a point to any vertex of a shape, rounded up to the km:
/// wherever in the shape something happened, it lies within this radius of the point.
pub fn reach_km(p: Coord, shape: &MultiPolygon<f64>) -> f64 {
    shape
        .0
        .iter()
        .flat_map(|poly| poly.exterior().coords())
        .map(|c| geodesic_km(p, (c.x, c.y)))
        .fold(0.0, f64::max)
        .ceil()
}

/// The unit's own label point when it lies inside the outline, else a point inside it.
fn label_point(u: &Unit) -> Result<(Coord, &'static str)> {
    let p = Point::new(u.lon, u.lat);
    if u.lon.is_finite() && u.shape.contains(&p) {
        return Ok(((round6(u.lon), round6(u.lat)), "wof-label-point"));
    }
    let ip = u
        .shape
        .interior_point()
        .with_context(|| format!("{} ({}) has no interior point", u.name, u.id))?;
    Ok(((round6(ip.x()), round6(ip.y())), "interior-point"))
}

fn unit_key(name: &str) -> String {
    normalize::compact(&normalize::key(name))
}

fn entry(
    id: String,
    kind: EntryKind,
    name: &str,
    country: &str,
    point: Coord,
    radius_km: f64,
    point_method: &str,
) -> GazetteerEntry {
    GazetteerEntry {
        id,
        kind,
        name: name.to_string(),
        country: country.to_string(),
        province_id: None,
        province: None,
        district_id: None,
        district: None,
        lon: point.0,
        lat: point.1,
        radius_km,
        point_method: point_method.to_string(),
        population: None,
        feature_code: None,
        aliases: Vec::new(),
        stretch: None,
        successor_id: None,
        note: None,
        source: WOF_SOURCE.to_string(),
    }
}

pub fn build(units: &[Unit], curated: &Path) -> Result<Units> {
    let mut entries = Vec::new();
    let mut report = Vec::new();

    // --- countries -------------------------------------------------------------------------
    let mut country_aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in read_csv(&curated.join("country_names.csv"))? {
        country_aliases.insert(
            row[0].to_string(),
            row[1].split('|').map(str::to_string).collect(),
        );
    }
    for u in units
        .iter()
        .filter(|u| u.placetype == "country" && u.current)
    {
        let (point, method) = label_point(u)?;
        let mut e = entry(
            format!("country:{}", u.country),
            EntryKind::Country,
            &u.name,
            &u.country,
            point,
            reach_km(point, &u.shape),
            method,
        );
        for a in country_aliases
            .get(&u.country)
            .into_iter()
            .flatten()
            .chain(&u.names)
        {
            push_alias(&mut e.aliases, &u.name, a);
        }
        push_alias(&mut e.aliases, &u.name, &u.country);
        entries.push(e);
    }

    // --- provinces -------------------------------------------------------------------------
    let mut iso_of: BTreeMap<u64, String> = BTreeMap::new();
    for row in read_csv(&curated.join("wof_provinces.csv"))? {
        iso_of.insert(
            row[0].parse().context("wof_provinces.csv: wof_id")?,
            row[1].to_string(),
        );
    }
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
    let mut provinces: Vec<Area> = Vec::new();
    let mut province_of_wof: BTreeMap<u64, String> = BTreeMap::new();
    let mut fata: Option<&Unit> = None;
    for u in units.iter().filter(|u| u.placetype == "region") {
        let Some(code) = iso_of.get(&u.id).cloned().or_else(|| u.iso_code.clone()) else {
            continue;
        };
        // Only present-day provinces have an outline in the shipped layer; FATA is kept as
        // a name whose successor is Khyber Pakhtunkhwa.
        let is_fata = code == "PK-TA";
        if !u.current && !is_fata {
            continue;
        }
        if is_fata {
            fata = Some(u);
        }
        let core = ["AF", "PK", "TJ"].contains(&u.country.as_str());
        let shape = simplified(
            &u.shape,
            if core {
                SIMPLIFY_DEG
            } else {
                SIMPLIFY_CONTEXT_DEG
            },
        );
        let bbox = shape.bounding_rect().context("province without outline")?;
        if !core && !meets_region(&bbox) {
            continue;
        }
        let (point, method) = label_point(u)?;
        let (name, extra, note) = match curated_names.get(&code) {
            Some((n, a, note)) => (
                n.clone(),
                a.clone(),
                (!note.is_empty()).then(|| note.clone()),
            ),
            None => (u.name.clone(), Vec::new(), None),
        };
        let mut e = entry(
            format!("province:{code}"),
            EntryKind::Province,
            &name,
            &u.country,
            point,
            reach_km(point, &u.shape),
            method,
        );
        e.province_id = Some(code.clone());
        e.province = Some(name.clone());
        push_alias(&mut e.aliases, &name, &u.name);
        for a in extra.iter().chain(&u.names) {
            push_alias(&mut e.aliases, &name, a);
        }
        e.note = note;
        if is_fata {
            e.successor_id = Some("province:PK-KP".into());
        } else {
            province_of_wof.insert(u.id, code.clone());
            provinces.push(Area {
                id: code.clone(),
                wof_id: u.id,
                name: name.clone(),
                country: u.country.clone(),
                province_id: Some(code.clone()),
                bbox,
                shape,
            });
        }
        entries.push(e);
    }
    provinces.sort_by(|a, b| a.id.cmp(&b.id));
    let province_name: BTreeMap<String, String> = provinces
        .iter()
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();

    // --- districts -------------------------------------------------------------------------
    struct Fix {
        name: String,
        aliases: Vec<String>,
        note: String,
        basis: String,
    }
    let mut fixes: BTreeMap<u64, Fix> = BTreeMap::new();
    for row in read_csv(&curated.join("district_fixes.csv"))? {
        fixes.insert(
            row[0].parse().context("district_fixes.csv: wof_id")?,
            Fix {
                name: row[1].to_string(),
                aliases: row[2]
                    .split('|')
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
                note: row[3].to_string(),
                basis: row[4].to_string(),
            },
        );
    }
    // Names of retired districts ("North Wazīristān Agency", "Chāgai District") become
    // aliases of the present-day district of the same name in the same country.
    let mut old_names: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for u in units
        .iter()
        .filter(|u| u.placetype == "county" && !u.current)
    {
        old_names
            .entry((u.country.clone(), unit_key(&u.name)))
            .or_default()
            .push(&u.name);
    }
    let core: BTreeSet<&str> = ["AF", "PK", "TJ"].into();
    let mut districts = Vec::new();
    let mut fixed = BTreeSet::new();
    for u in units
        .iter()
        .filter(|u| u.placetype == "county" && u.current && core.contains(u.country.as_str()))
    {
        let (point, method) = label_point(u)?;
        let fix = fixes.get(&u.id);
        let name = fix
            .map(|f| f.name.clone())
            .unwrap_or_else(|| u.name.clone());
        let province_id = provinces
            .iter()
            .find(|p| p.country == u.country && p.contains(point.0, point.1))
            .map(|p| p.id.clone())
            .or_else(|| province_of_wof.get(&(u.parent_id as u64)).cloned());
        // Some WOF district polygons carry a stray part far outside their province (Diamir,
        // Gilgit-Baltistan, has one in Azad Kashmir): parts whose interior lies outside the
        // district's province are dropped, so places there are not given that district.
        let province_shape = provinces
            .iter()
            .find(|p| Some(&p.id) == province_id.as_ref());
        let (own, dropped): (Vec<_>, Vec<_>) = u.shape.0.iter().cloned().partition(|part| {
            province_shape.is_none_or(|p| {
                part.interior_point()
                    .is_none_or(|ip| p.contains(ip.x(), ip.y()))
            })
        });
        let full = if own.is_empty() {
            u.shape.clone()
        } else {
            MultiPolygon(own)
        };
        let shape = simplified(&full, SIMPLIFY_DEG);
        let id = format!("district:{}", u.id);
        let mut e = entry(
            id.clone(),
            EntryKind::District,
            &name,
            &u.country,
            point,
            reach_km(point, &full),
            method,
        );
        push_alias(&mut e.aliases, &name, &u.name);
        for a in u.names.iter() {
            push_alias(&mut e.aliases, &name, a);
        }
        for old in old_names
            .get(&(u.country.clone(), unit_key(&u.name)))
            .into_iter()
            .flatten()
        {
            push_alias(&mut e.aliases, &name, old);
        }
        let mut notes = Vec::new();
        if !dropped.is_empty() && full.0.len() < u.shape.0.len() {
            notes.push(format!(
                "{} part(s) of the Who's On First outline lying outside its province dropped",
                dropped.len()
            ));
        }
        if let Some(f) = fix {
            fixed.insert(u.id);
            for a in &f.aliases {
                push_alias(&mut e.aliases, &name, a);
            }
            notes.push(format!("{} (basis: {})", f.note, f.basis));
        }
        // The former FATA agencies are districts of Khyber Pakhtunkhwa since 2018; reports
        // still call them "Bajaur Agency".
        if fix.is_none_or(|f| !f.name.starts_with("Frontier Region"))
            && let Some(f) = fata
            && f.shape.contains(&Point::new(point.0, point.1))
        {
            push_alias(&mut e.aliases, &name, &format!("{name} Agency"));
            notes.push("A FATA agency until the 2018 merger into Khyber Pakhtunkhwa".into());
        }
        e.note = (!notes.is_empty()).then(|| notes.join("; "));
        e.province = province_id
            .as_ref()
            .and_then(|p| province_name.get(p).cloned());
        e.province_id = province_id.clone();
        e.district_id = Some(id.clone());
        e.district = Some(name.clone());
        entries.push(e);
        districts.push(Area {
            id,
            wof_id: u.id,
            name,
            country: u.country.clone(),
            province_id,
            bbox: shape.bounding_rect().context("district without outline")?,
            shape,
        });
    }
    if let Some(id) = fixes.keys().find(|id| !fixed.contains(id)) {
        anyhow::bail!(
            "curated/district_fixes.csv: {id} is not a present-day district of the extract"
        );
    }
    districts.sort_by(|a, b| a.id.cmp(&b.id));
    for c in core {
        report.push(format!(
            "{c}: {} provinces, {} districts",
            provinces.iter().filter(|p| p.country == c).count(),
            districts.iter().filter(|d| d.country == c).count()
        ));
    }
    Ok(Units {
        entries,
        provinces,
        districts,
        report,
    })
}
