//! Benchmark harness: `cargo bench --bench pipeline` (add `-- 1000000` for another size).
//!
//! A deterministic synthetic generator makes incident records: for geocoding, records that
//! name places (exact names, aliases, Cyrillic, misspellings) drawn from the shipped
//! gazetteer; for ingest, records with coordinates clustered near the AF-TJ and AF-PK borders
//! with mixed precision. It reports wall time (median of 5 runs) per stage.

use borderwatch::export::incidents;
use borderwatch::geocode::geocode_all;
use borderwatch::geodata::GeoData;
use borderwatch::ingest::{IngestOptions, read_bytes};
use borderwatch::model::EntryKind;
use std::time::Instant;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

fn misspell(rng: &mut Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() > 5 {
        let i = 2 + (rng.next() % (c.len() as u64 - 3)) as usize;
        c.swap(i, i - 1);
    }
    c.into_iter().collect()
}

fn named_csv(geo: &GeoData, n: usize) -> Vec<u8> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let entries: Vec<_> = geo
        .gazetteer
        .entries()
        .iter()
        .filter(|e| {
            matches!(e.kind, EntryKind::Place | EntryKind::District)
                && ["AF", "TJ", "PK"].contains(&e.country.as_str())
        })
        .collect();
    let mut s = String::from("id,date,country,location\n");
    for i in 0..n {
        let e = rng.pick(&entries);
        let country = match e.country.as_str() {
            "AF" => "Afghanistan",
            "TJ" => "Tajikistan",
            _ => "Pakistan",
        };
        let name = match i % 4 {
            0 => e.name.clone(),
            1 => e.aliases.first().cloned().unwrap_or_else(|| e.name.clone()),
            2 => e
                .aliases
                .iter()
                .find(|a| a.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)))
                .cloned()
                .unwrap_or_else(|| e.name.clone()),
            _ => misspell(&mut rng, &e.name),
        };
        s.push_str(&format!(
            "N{i},2025-01-01,{country},\"{}\"\n",
            name.replace('"', "")
        ));
    }
    s.into_bytes()
}

fn coords_csv(geo: &GeoData, n: usize) -> Vec<u8> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let lines: Vec<_> = geo
        .borders
        .iter()
        .filter(|b| b.id == "AF-TJ" || b.id == "AF-PK")
        .collect();
    let mut s =
        String::from("id,date,country,latitude,longitude,precision,event_type,fatalities\n");
    for i in 0..n {
        let b = rng.pick(&lines);
        let v = rng.pick(&b.line.0);
        let (lon, lat) = (
            v.x + (rng.unit() - 0.5) * 0.6,
            v.y + (rng.unit() - 0.5) * 0.6,
        );
        let prec = ["exact", "near", "district", "province"][(rng.next() % 4) as usize];
        s.push_str(&format!(
            "C{i},2024-{:02}-{:02},,{lat:.5},{lon:.5},{prec},armed_clash,{}\n",
            1 + rng.next() % 12,
            1 + rng.next() % 28,
            rng.next() % 5
        ));
    }
    s.into_bytes()
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..5)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[2]
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let geo = GeoData::load(None).expect("geodata");
    let opts = IngestOptions::default();
    let geocode_n = sizes.first().copied().unwrap_or(100_000);
    let ingest_n = sizes.get(1).copied().unwrap_or(1_000_000);

    let named = named_csv(&geo, geocode_n);
    let ing = read_bytes("named.csv", &named, &opts).expect("ingest");
    let ms = median_ms(|| {
        let g = geocode_all(ing.records.clone(), &geo);
        assert_eq!(g.located.len() + g.unmatched.len(), geocode_n);
    });
    let g = geocode_all(ing.records.clone(), &geo);
    println!(
        "geocode {geocode_n} named records (exact/alias/Cyrillic/misspelt): {ms:.0} ms median; {} located, {} unmatched",
        g.located.len(),
        g.unmatched.len()
    );

    let coords = coords_csv(&geo, ingest_n);
    let ms_ingest = median_ms(|| {
        read_bytes("coords.csv", &coords, &opts).expect("ingest");
    });
    let ing = read_bytes("coords.csv", &coords, &opts).expect("ingest");
    let ms_geocode = median_ms(|| {
        geocode_all(ing.records.clone(), &geo);
    });
    let g = geocode_all(ing.records.clone(), &geo);
    let ms_write = median_ms(|| {
        let text = incidents::geojson(&g.located, "bench").expect("geojson");
        assert!(text.len() > ingest_n);
    });
    println!(
        "{ingest_n} records with coordinates: ingest {ms_ingest:.0} ms, locate {ms_geocode:.0} ms, write GeoJSON {ms_write:.0} ms (medians)"
    );
}
