//! Side by side with the geopandas peer (`../shared/peer`, the reference implementation of
//! the core job): `BENCH_PEER=1000000 cargo bench --bench pipeline`.
//!
//! Input: the peer's own `events_N.csv` when its folder holds one (made by its
//! `gen_events.py`), else this file's generator of the same shape: 70% of the events in 120
//! clusters along AF-TJ and AF-PK (σ 5–30 km, log-normal weights), 30% spread uniformly over
//! lon 60–76, lat 29–41, as real data are (whole provinces of incidents far from any
//! border). Borders: the peer's `borders.geojson` when present, else the shipped AF-TJ and
//! AF-PK. borderwatch reads a copy whose `event_date` header is `date`, with
//! `--borders-file … --segment-km 25 --corridor-km 50`.
//!
//! Each round runs, one after the other: the peer's whole job (when its folder and Python
//! environment are there: `BENCH_PEER_DIR`, default `../shared/peer`; `BENCH_PEER_PYTHON`,
//! default `.venv/bin/python3` in that folder), `borderwatch density` and `borderwatch run`
//! on the same lines, `density` with the shipped borders, and `density` with the lines
//! densified `BENCH_PEER_DENSIFY` times (default 8: each segment cut in 8, as survey-scale
//! borders have thousands of vertices). Medians over `BENCH_REPS` rounds and each command's
//! ratio to the peer; the peer's peak is its process's (Python's own, children included).

use super::{Rng, borderwatch, watch};
use borderwatch::borders::Border;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The peer's event types (ACLED's), for the generator.
const EVENT_TYPES: [&str; 4] = [
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Strategic developments",
];

/// A standard normal number (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u = rng.unit().max(1e-300);
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// `n` events in the peer's shape and header (`id,event_date,longitude,latitude,fatalities,
/// event_type`) along `lines`.
pub fn peer_shape_csv(lines: &[Border], n: usize) -> Vec<u8> {
    let mut rng = Rng(0xA076_1D64_78BD_642F);
    let total: f64 = lines.iter().map(|b| b.measured_km).sum();
    let at = |rng: &mut Rng| {
        let mut km = rng.unit() * total;
        for b in lines {
            if km <= b.measured_km {
                return borderwatch::borders::locate::point_at_km(b, km);
            }
            km -= b.measured_km;
        }
        borderwatch::borders::locate::point_at_km(&lines[lines.len() - 1], km)
    };
    // 120 clusters: centre, σ (km), cumulative weight.
    let mut clusters: Vec<((f64, f64), f64, f64)> = Vec::new();
    let mut acc = 0.0;
    for _ in 0..120 {
        let centre = at(&mut rng);
        let sigma = 5.0 + 25.0 * rng.unit();
        acc += normal(&mut rng).exp();
        clusters.push((centre, sigma, acc));
    }
    let mut s = String::from("id,event_date,longitude,latitude,fatalities,event_type\n");
    for i in 0..n {
        let (lon, lat) = if rng.unit() < 0.7 {
            let w = rng.unit() * acc;
            let k = clusters
                .partition_point(|c| c.2 < w)
                .min(clusters.len() - 1);
            let ((lon, lat), sigma, _) = clusters[k];
            let (dx, dy) = (normal(&mut rng) * sigma, normal(&mut rng) * sigma);
            (
                lon + dx / (111.2 * lat.to_radians().cos()),
                lat + dy / 111.2,
            )
        } else {
            (60.0 + 16.0 * rng.unit(), 29.0 + 12.0 * rng.unit())
        };
        s.push_str(&format!(
            "{},2023-{:02}-{:02},{lon:.5},{lat:.5},{},{}\n",
            i + 1,
            1 + rng.next() % 12,
            1 + rng.next() % 28,
            rng.next() % 4,
            EVENT_TYPES[(rng.next() % 4) as usize]
        ));
    }
    s.into_bytes()
}

/// Border lines as the GeoJSON `--borders-file` reads, each segment cut into `k` pieces.
fn lines_geojson(lines: &[Border], k: usize) -> String {
    let features: Vec<serde_json::Value> = lines
        .iter()
        .map(|b| {
            let mut coords: Vec<[f64; 2]> = Vec::new();
            for w in b.line.0.windows(2) {
                for j in 0..k {
                    let t = j as f64 / k as f64;
                    coords.push([
                        w[0].x + (w[1].x - w[0].x) * t,
                        w[0].y + (w[1].y - w[0].y) * t,
                    ]);
                }
            }
            let last = b.line.0[b.line.0.len() - 1];
            coords.push([last.x, last.y]);
            serde_json::json!({
                "type": "Feature",
                "properties": {"id": b.id, "name": b.name},
                "geometry": {"type": "LineString", "coordinates": coords},
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The side-by-side benchmark on `n` events, `reps` rounds, inputs and outputs in `work`.
pub fn side_by_side(n: usize, reps: usize, work: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let peer_dir = std::env::var_os("BENCH_PEER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/peer"));
    let python = std::env::var_os("BENCH_PEER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| peer_dir.join(".venv/bin/python3"));
    let script = peer_dir.join("peer_density.py");
    let peer_ready = script.is_file() && python.is_file();
    if !peer_ready {
        println!(
            "peer: {} or {} not there: borderwatch alone (set BENCH_PEER_DIR / BENCH_PEER_PYTHON)",
            script.display(),
            python.display()
        );
    }
    let borders_file = peer_dir.join("borders.geojson");
    let lines: Vec<Border> = match std::fs::read_to_string(&borders_file) {
        Ok(text) => borderwatch::borders::from_geojson("peer borders", &text).expect("borders"),
        Err(_) => borderwatch::borders::shipped()
            .expect("shipped borders")
            .into_iter()
            .filter(|b| b.id == "AF-TJ" || b.id == "AF-PK")
            .collect(),
    };
    let lines_path = work.join("lines.geojson");
    std::fs::write(&lines_path, lines_geojson(&lines, 1)).expect("write lines");
    let k: usize = std::env::var("BENCH_PEER_DENSIFY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&k| k > 0)
        .unwrap_or(8);
    let dense_path = work.join("lines_dense.geojson");
    std::fs::write(&dense_path, lines_geojson(&lines, k)).expect("write dense lines");
    let peer_events = peer_dir.join(format!("events_{n}.csv"));
    let events: Vec<u8> = match std::fs::read(&peer_events) {
        Ok(bytes) => {
            println!("events: {} (the peer's own)", peer_events.display());
            bytes
        }
        Err(_) => {
            println!("events: {n} from peer_shape_csv (the peer's shape; its file is absent)");
            peer_shape_csv(&lines, n)
        }
    };
    let peer_input = work.join(format!("peer_events_{n}.csv"));
    std::fs::write(&peer_input, &events).expect("write peer events");
    let header_end = events
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(events.len());
    let header = String::from_utf8_lossy(&events[..header_end]).replace("event_date", "date");
    let input = work.join(format!("borderwatch_events_{n}.csv"));
    let mut renamed = header.into_bytes();
    renamed.extend_from_slice(&events[header_end..]);
    std::fs::write(&input, renamed).expect("write events");
    drop(events);

    let out = work.join("side_by_side_out");
    let job = |command: &str, lines: Option<&Path>| {
        let mut args: Vec<&OsStr> = vec![command.as_ref(), input.as_os_str()];
        args.extend(["--out".as_ref(), out.as_os_str()]);
        if let Some(l) = lines {
            args.extend([
                "--borders-file".as_ref(),
                l.as_os_str(),
                "--segment-km".as_ref(),
                "25".as_ref(),
                "--corridor-km".as_ref(),
                "50".as_ref(),
            ]);
        }
        let figures = watch(borderwatch(&args));
        let _ = std::fs::remove_dir_all(&out);
        (figures.0, figures.1)
    };
    let names = [
        "geopandas peer (its whole job)",
        "`borderwatch density`",
        "`borderwatch run`",
        "`borderwatch density`, shipped borders",
        "`borderwatch density`, lines densified",
    ];
    let mut rows: Vec<Vec<(f64, f64)>> = vec![Vec::new(); names.len()];
    for round in 0..reps {
        if peer_ready {
            let mut cmd = std::process::Command::new(&python);
            cmd.arg(&script)
                .arg(&peer_input)
                .arg(&borders_file)
                .arg(work.join("peer_out"));
            let (ms, peak, _) = watch(cmd);
            rows[0].push((ms, peak));
        }
        rows[1].push(job("density", Some(&lines_path)));
        rows[2].push(job("run", Some(&lines_path)));
        rows[3].push(job("density", None));
        rows[4].push(job("density", Some(&dense_path)));
        let this: Vec<String> = rows
            .iter()
            .filter_map(|r| r.get(round).map(|x| format!("{:.2} s", x.0 / 1000.0)))
            .collect();
        println!("round {}: {}", round + 1, this.join(", "));
    }
    let peer_ms = (!rows[0].is_empty()).then(|| median(rows[0].iter().map(|x| x.0).collect()));
    println!(
        "side by side, {n} events, medians of {reps} rounds (peak: the highest), densified x{k}:"
    );
    println!("| | wall | peak | vs peer |\n|---|---|---|---|");
    for (name, row) in names.iter().zip(&rows) {
        if row.is_empty() {
            continue;
        }
        let ms = median(row.iter().map(|x| x.0).collect());
        let peak = row.iter().map(|x| x.1).fold(0.0, f64::max);
        let ratio = peer_ms.map_or("–".to_string(), |p| format!("{:.1}×", p / ms));
        println!(
            "| {name} | {:.2} s | {peak:.0} MiB | {ratio} |",
            ms / 1000.0
        );
    }
}
