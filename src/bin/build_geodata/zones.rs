//! Border zones (the stretch of each Afghan border along each province on either side), whole
//! borders as locations, and the curated border crossings, all derived from the shipped lines
//! and province polygons.

use crate::places::AreaIndex;
use crate::units::Area;
use crate::{Border, Coord, read_csv, round6};
use anyhow::{Context, Result};
use borderwatch::borders::locate::point_at_km;
use borderwatch::borders::sides::{PROBE_KM, side_runs};
use borderwatch::model::{BorderStretch, EntryKind, GazetteerEntry};
use std::collections::BTreeMap;
use std::path::Path;

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

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Runs of one province closer than this are one zone (a probe can miss a narrow spur).
const JOIN_GAP_KM: f64 = 5.0;

/// The part of a border between two km positions, rounded like every shipped coordinate.
fn sub_line(b: &Border, from: f64, to: f64) -> Vec<Coord> {
    borderwatch::borders::locate::sub_line(&b.line, from, to)
        .into_iter()
        .map(|(x, y)| (round6(x), round6(y)))
        .collect()
}

/// For each province along a border: its km range (the longest run of the probes of
/// [`side_runs`] that find it, runs closer than [`JOIN_GAP_KM`] joined).
fn stretches(b: &Border, provinces: &[Area], index: &AreaIndex) -> Stretches {
    let position: BTreeMap<&str, usize> = provinces
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let find = |lon: f64, lat: f64| index.at("", lon, lat).map(|p| position[p.id.as_str()]);
    let mut out = BTreeMap::new();
    for run in side_runs(&b.line, find, |i| provinces[i].country.clone()) {
        let mut joined: Vec<(f64, f64)> = Vec::new();
        for (k0, k1) in run.pieces {
            match joined.last_mut() {
                Some(last) if k0 - last.1 <= JOIN_GAP_KM => last.1 = k1,
                _ => joined.push((k0, k1)),
            }
        }
        let Some(best) = joined
            .into_iter()
            .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
        else {
            continue;
        };
        // A province found on both sides (across the Wakhan's narrow tip) keeps its longer run.
        let id = provinces[run.area].id.clone();
        let longer = out
            .get(&id)
            .is_none_or(|&(a, b): &(f64, f64)| best.1 - best.0 > b - a);
        if best.1 - best.0 >= 2.0 && longer {
            out.insert(id, best);
        }
    }
    out
}

/// Each province's km range along one border, by province id.
type Stretches = BTreeMap<String, (f64, f64)>;

pub struct Built {
    pub entries: Vec<GazetteerEntry>,
    pub zones: Vec<Zone>,
}

pub fn build(
    borders: &[Border],
    provinces: &[Area],
    anchors: &BTreeMap<u64, (String, f64, f64)>,
    curated: &Path,
) -> Result<Built> {
    let index = AreaIndex::new(provinces);
    let by_id: BTreeMap<&str, &Area> = provinces.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut entries = Vec::new();
    let mut zones = Vec::new();
    let per_border: Vec<(&Border, Stretches)> = borders
        .iter()
        .map(|b| (b, stretches(b, provinces, &index)))
        .collect();
    let mut zones_per_province: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, s) in &per_border {
        for id in s.keys() {
            *zones_per_province.entry(id.as_str()).or_insert(0) += 1;
        }
    }
    for (b, s) in &per_border {
        for (pid, &(km_from, km_to)) in s {
            let p = by_id[pid.as_str()];
            let name = if zones_per_province[pid.as_str()] > 1 {
                format!("{} border zone ({})", p.name, b.id)
            } else {
                format!("{} border zone", p.name)
            };
            let mid = point_at_km(&b.line, (km_from + km_to) / 2.0);
            let entry_id = format!("border-zone:{}:{}", b.id, p.id);
            entries.push(GazetteerEntry {
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
                radius_km: ((km_to - km_from) / 2.0).ceil().max(1.0),
                point_method: "stretch-midpoint".into(),
                population: None,
                feature_code: None,
                aliases: vec![format!("{} border area", p.name), format!("{} border", p.name)],
                stretch: Some(BorderStretch {
                    border_id: b.id.clone(),
                    km_from: round1(km_from),
                    km_to: round1(km_to),
                }),
                successor_id: None,
                note: Some(format!(
                    "Derived: the part of the {} line along which the {} polygon lies within {} km of the line",
                    b.id, p.name, PROBE_KM[PROBE_KM.len() - 1]
                )),
                source: "Derived from the Who's On First country and province polygons".into(),
            });
            zones.push(Zone {
                entry_id,
                name,
                border_id: b.id.clone(),
                province_id: p.id.clone(),
                km_from: round1(km_from),
                km_to: round1(km_to),
                coords: sub_line(b, km_from, km_to),
            });
        }
    }

    // Whole borders: "the Afghanistan–Pakistan border" is a location too.
    let mut border_aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in read_csv(&curated.join("border_names.csv"))? {
        border_aliases.insert(
            row[0].to_string(),
            row[1].split('|').map(str::to_string).collect(),
        );
    }
    for b in borders {
        let mid = point_at_km(&b.line, b.measured_km / 2.0);
        entries.push(GazetteerEntry {
            id: format!("border-zone:{}", b.id),
            kind: EntryKind::BorderZone,
            name: format!("Afghanistan–{} border", b.neighbour_name),
            // The neighbour's code; a whole border belongs to both countries (Gazetteer::satisfies).
            country: b.neighbour.clone(),
            province_id: None,
            province: None,
            district_id: None,
            district: None,
            lon: round6(mid.0),
            lat: round6(mid.1),
            radius_km: (b.measured_km / 2.0).ceil(),
            point_method: "stretch-midpoint".into(),
            population: None,
            feature_code: None,
            aliases: border_aliases.get(&b.id).cloned().unwrap_or_default(),
            stretch: Some(BorderStretch {
                border_id: b.id.clone(),
                km_from: 0.0,
                km_to: round1(b.measured_km),
            }),
            successor_id: None,
            note: Some(format!("The whole {} border, both sides", b.id)),
            source: "Derived from the Who's On First country polygons".into(),
        });
    }

    // Crossings: the border point nearest to a named place at the crossing.
    for row in read_csv(&curated.join("crossings.csv"))? {
        let border = borders
            .iter()
            .find(|b| b.id == row[3])
            .with_context(|| format!("crossing {}: unknown border", &row[0]))?;
        let wof: u64 = row[4].parse().context("crossing anchor wof id")?;
        let (country, alon, alat) = anchors.get(&wof).with_context(|| {
            format!("crossing {}: anchor {wof} is not a shipped place", &row[0])
        })?;
        let along =
            borderwatch::borders::locate::BorderIndex::new(std::slice::from_ref(&border.line))
                .position_on(0, *alon, *alat)
                .along_km;
        let (lon, lat) = point_at_km(&border.line, along);
        let province = index.at(country, *alon, *alat);
        entries.push(GazetteerEntry {
            id: row[0].to_string(),
            kind: EntryKind::Place,
            name: row[1].to_string(),
            country: country.clone(),
            province_id: province.map(|p| p.id.clone()),
            province: province.map(|p| p.name.clone()),
            district_id: None,
            district: None,
            lon: round6(lon),
            lat: round6(lat),
            radius_km: row[5].parse().context("crossing radius")?,
            point_method: format!("nearest-border-point-to:wof:{wof}"),
            population: None,
            feature_code: Some("crossing".into()),
            aliases: row[2].split('|').map(str::to_string).collect(),
            stretch: None,
            successor_id: None,
            note: Some(row[6].to_string()),
            source: "curated (geodata/curated/crossings.csv)".into(),
        });
    }
    Ok(Built { entries, zones })
}
