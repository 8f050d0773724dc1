//! The user's own places (`--places FILE`): a CSV of places the shipped gazetteer lacks or
//! places wrongly, added to it for every command. A user's place is taken before a shipped
//! entry of the same name (the user knows which one they mean); where the two disagree by
//! more than their radii, the conflict is reported.
//!
//! Columns (header required, any order, case- and punctuation-insensitive): `name`, `lat`,
//! `lon` required; `aliases` (separated by `|` or `;`), `kind` (place, district, province;
//! default place), `country` (ISO code or name), `admin1`, `admin2`, `radius_km` (default 5),
//! `source`.

use super::{Constraint, Gazetteer, NameMatch, normalize};
use crate::model::{EntryKind, GazetteerEntry};
use anyhow::{Context, Result, bail};
use std::path::Path;

/// Ids of user places start with this, so ranking and reports can tell them apart.
pub const USER_ID_PREFIX: &str = "user:";

/// Whether an entry is one of the user's own places.
pub fn is_user_place(e: &GazetteerEntry) -> bool {
    e.id.starts_with(USER_ID_PREFIX)
}

/// Default radius (km) of a user's place without `radius_km`.
pub const DEFAULT_RADIUS_KM: f64 = 5.0;

/// What reading a places file gave.
#[derive(Debug, Default)]
pub struct UserPlaces {
    pub entries: Vec<GazetteerEntry>,
    /// Rows that could not be read: "file:line:column: message" (the rest are still read).
    pub errors: Vec<String>,
}

/// A user's place whose name the shipped gazetteer gives to other places, none of them where
/// the user puts it.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub user_id: String,
    pub user_name: String,
    /// How many shipped entries have the name.
    pub shipped: usize,
    /// The nearest of them: id, name, km from the user's place.
    pub nearest_id: String,
    pub nearest_name: String,
    pub km: f64,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "your place {:?} ({}) is also the name of {} shipped {} (nearest: {:?}, {}, {:.0} km away): yours is used",
            self.user_name,
            self.user_id,
            self.shipped,
            if self.shipped == 1 {
                "entry"
            } else {
                "entries"
            },
            self.nearest_name,
            self.nearest_id,
            self.km
        )
    }
}

fn column_key(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads a places CSV. Rows with errors are listed, not fatal; a file without the required
/// columns is an error.
pub fn read(path: &Path) -> Result<UserPlaces> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8_lossy(&text);
    parse(
        &path.display().to_string(),
        text.trim_start_matches('\u{feff}'),
    )
}

/// Parses places CSV text; `name` is the file name used in messages.
pub fn parse(name: &str, text: &str) -> Result<UserPlaces> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{name}: reading the header"))?
        .iter()
        .map(column_key)
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let name_col = col(&["name", "place", "placename"]);
    let lat_col = col(&["lat", "latitude", "y"]);
    let lon_col = col(&["lon", "lng", "long", "longitude", "x"]);
    let (Some(name_col), Some(lat_col), Some(lon_col)) = (name_col, lat_col, lon_col) else {
        bail!("{name}: a places file needs the columns name, lat and lon (found: {headers:?})");
    };
    let aliases_col = col(&["aliases", "alias", "othernames", "alternatenames"]);
    let kind_col = col(&["kind", "type"]);
    let country_col = col(&["country", "iso", "countrycode"]);
    let admin1_col = col(&["admin1", "province", "state", "region"]);
    let admin2_col = col(&["admin2", "district"]);
    let radius_col = col(&["radiuskm", "radius"]);
    let source_col = col(&["source", "sources"]);
    let mut out = UserPlaces::default();
    for (i, rec) in rdr.records().enumerate() {
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i as u64 + 2, |p| p.line());
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.errors.push(format!("{name}:{line}: {e}"));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).unwrap_or("");
        let number = |c: usize, what: &str, lo: f64, hi: f64| -> Result<f64, String> {
            let v = get(Some(c));
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(x),
                _ => Err(format!(
                    "{name}:{line}:{}: {what} {v:?} is not a number between {lo} and {hi}",
                    c + 1
                )),
            }
        };
        let place = get(Some(name_col));
        if place.is_empty() {
            out.errors
                .push(format!("{name}:{line}:{}: empty name", name_col + 1));
            continue;
        }
        let (lat, lon) = match (
            number(lat_col, "lat", -90.0, 90.0),
            number(lon_col, "lon", -180.0, 180.0),
        ) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                out.errors.push(e);
                continue;
            }
        };
        let radius_km = match radius_col.filter(|&c| !get(Some(c)).is_empty()) {
            Some(c) => match number(c, "radius_km", 0.0, 2000.0) {
                Ok(r) => r,
                Err(e) => {
                    out.errors.push(e);
                    continue;
                }
            },
            None => DEFAULT_RADIUS_KM,
        };
        let kind = match normalize::fold(get(kind_col)).as_str() {
            "" | "place" | "village" | "town" | "city" | "site" | "crossing" => EntryKind::Place,
            "district" => EntryKind::District,
            "province" => EntryKind::Province,
            other => {
                out.errors.push(format!(
                    "{name}:{line}:{}: kind {other:?} is not place, district or province",
                    kind_col.map_or(0, |c| c + 1)
                ));
                continue;
            }
        };
        let aliases = get(aliases_col)
            .split(['|', ';'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
        let blank = |s: &str| (!s.is_empty()).then(|| s.to_string());
        out.entries.push(GazetteerEntry {
            id: format!("{USER_ID_PREFIX}{}", line),
            kind,
            name: place.to_string(),
            // Resolved against the gazetteer by `Gazetteer::add_user_places`.
            country: get(country_col).to_string(),
            province_id: None,
            province: blank(get(admin1_col)),
            district_id: None,
            district: blank(get(admin2_col)),
            lon,
            lat,
            radius_km,
            point_method: "user".into(),
            population: None,
            feature_code: None,
            aliases,
            stretch: None,
            successor_id: None,
            note: None,
            source: blank(get(source_col)).unwrap_or_else(|| format!("user places file {name}")),
        });
    }
    Ok(out)
}

impl Gazetteer {
    /// Adds the user's places: their country, province and district names resolved against
    /// the gazetteer (the district, where `district_at` finds one, from the point). Returns
    /// the conflicts with shipped entries of the same name.
    pub fn add_user_places(
        &mut self,
        places: Vec<GazetteerEntry>,
        district_at: &dyn Fn(f64, f64) -> Option<(String, String, String, String)>,
    ) -> Vec<Conflict> {
        let mut conflicts = Vec::new();
        let mut resolved = Vec::with_capacity(places.len());
        for mut e in places {
            if !e.country.is_empty() {
                let c = Constraint {
                    kinds: vec![EntryKind::Country],
                    ..Default::default()
                };
                if let Some(h) = self.search(&e.country, &c).first() {
                    e.country = h.entry.country.clone();
                }
            }
            if let Some((pid, pname, did, dname)) = district_at(e.lon, e.lat) {
                e.province_id = Some(pid);
                e.province = Some(pname);
                if e.kind == EntryKind::Place {
                    e.district_id = Some(did);
                    e.district = Some(dname);
                }
            } else if let Some(p) = e.province.clone() {
                let c = Constraint {
                    kinds: vec![EntryKind::Province],
                    country: (!e.country.is_empty()).then(|| e.country.clone()),
                    ..Default::default()
                };
                if let Some(h) = self.search(&p, &c).first() {
                    e.province_id = h.entry.province_id.clone();
                    e.province = Some(h.entry.name.clone());
                }
            }
            if e.kind == EntryKind::Province {
                e.province_id = Some(e.id.clone());
            }
            let c = Constraint {
                country: (!e.country.is_empty()).then(|| e.country.clone()),
                kinds: vec![e.kind],
                ..Default::default()
            };
            let shipped: Vec<(f64, &GazetteerEntry)> = self
                .search(&e.name, &c)
                .into_iter()
                .filter(|h| h.how != NameMatch::Fuzzy && !is_user_place(h.entry))
                .map(|h| {
                    let km = crate::geo_util::km(e.lon, e.lat, h.entry.lon, h.entry.lat);
                    (km, h.entry)
                })
                .collect();
            let nearest = shipped
                .iter()
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
            // The same place (within both radii) is no conflict.
            if let Some(&(km, n)) = nearest
                && km > e.radius_km + n.radius_km
            {
                conflicts.push(Conflict {
                    user_id: e.id.clone(),
                    user_name: e.name.clone(),
                    shipped: shipped.len(),
                    nearest_id: n.id.clone(),
                    nearest_name: n.name.clone(),
                    km,
                });
            }
            resolved.push(e);
        }
        self.extend(resolved);
        conflicts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_places_and_lists_bad_rows() {
        let text = "Name,Lat,Lon,Aliases,Kind,Country,Admin1,Radius km\n\
                    Makeen,32.633,69.85,Makin|Makeen Bazaar,place,PK,Khyber Pakhtunkhwa,3\n\
                    Nowhere,abc,69.0,,,,,\n\
                    Far,95,69.0,,,,,\n\
                    Spot,33.0,70.0,,hamlet,,,\n";
        let p = parse("mine.csv", text).unwrap();
        assert_eq!(p.entries.len(), 1);
        let e = &p.entries[0];
        assert_eq!(
            (e.name.as_str(), e.lat, e.lon, e.radius_km),
            ("Makeen", 32.633, 69.85, 3.0)
        );
        assert_eq!(e.aliases, vec!["Makin", "Makeen Bazaar"]);
        assert!(e.id.starts_with(USER_ID_PREFIX));
        assert_eq!(p.errors.len(), 3, "{:?}", p.errors);
        assert!(
            p.errors[0].starts_with("mine.csv:3:2: lat \"abc\""),
            "{}",
            p.errors[0]
        );
        assert!(p.errors[1].starts_with("mine.csv:4:2:"), "{}", p.errors[1]);
        assert!(p.errors[2].contains("kind \"hamlet\""), "{}", p.errors[2]);
    }

    #[test]
    fn a_file_without_coordinates_is_refused() {
        let e = parse("mine.csv", "name,where\nX,Y\n").unwrap_err();
        assert!(e.to_string().contains("name, lat and lon"), "{e}");
    }

    #[test]
    fn a_users_place_is_found_first_and_its_conflict_reported() {
        let mut g = Gazetteer::embedded().unwrap();
        let p = parse(
            "mine.csv",
            "name,lat,lon,country\nLuni,30.625,70.375,Pakistan\n",
        )
        .unwrap();
        let conflicts = g.add_user_places(p.entries, &|_, _| None);
        // The four shipped Lunis of Pakistan lie 140 km and more from the user's.
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert!(
            conflicts[0].to_string().contains("yours is used"),
            "{}",
            conflicts[0]
        );
        let hits = g.search("Luni", &Constraint::default());
        assert!(
            hits[0].entry.id.starts_with(USER_ID_PREFIX),
            "{:?}",
            hits[0].entry.id
        );
        assert_eq!(hits[0].entry.country, "PK");
    }
}
