//! Border analytics checked against independent computations and run as a user would.

use assert_cmd::Command;
use borderwatch::density::kde::{KdeOptions, default_thresholds, isobands, surface};
use borderwatch::density::{AnalysisOptions, analyse};
use borderwatch::geodata::GeoData;
use borderwatch::projection::Projection;
use serde_json::Value;
use std::path::PathBuf;

fn realdata() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata");
    if d.is_dir() {
        Some(d)
    } else {
        println!("skipping: ../shared/realdata not present (only CI and the team have it)");
        None
    }
}

#[test]
fn kde_integral_equals_total_weight_and_isobands_exist() {
    let geo = GeoData::load(None).unwrap();
    let prepared =
        borderwatch::pipeline::ingest_and_geocode(&[], &geo, false, &mut |_| {}).unwrap();
    let located: Vec<_> = prepared
        .geocoded
        .located
        .into_iter()
        // Kernels that stay well inside the grid (the grid's margin is 150 km).
        .filter(|l| l.location.radius_km <= 30.0 || l.location.stretch.is_some())
        .collect();
    let a = analyse(&located, &geo, &AnalysisOptions::default());
    let proj = Projection::region();
    let s = surface(&located, &a, &KdeOptions::default(), &proj).unwrap();
    let total: f64 = a.placements.iter().map(|p| p.weight).sum();
    println!("weight {total}, integral {}", s.integral());
    assert!(total > 80.0);
    assert!((s.integral() - total).abs() / total < 0.01);
    let bands = isobands(&s, &default_thresholds(&s), &proj).unwrap();
    assert!(!bands.is_empty());
    assert!(bands.iter().all(|b| b.lo < b.hi));
}

fn json(args: &[&str]) -> Value {
    let out = Command::cargo_bin("borderwatch")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 2)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn density_on_the_example_conserves_weight_and_writes_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let v = json(&["density", "--json", "--out", out]);
    let (inn, seg, outside) = (
        v["weight_in"].as_f64().unwrap(),
        v["weight_in_segments"].as_f64().unwrap(),
        v["weight_outside"].as_f64().unwrap(),
    );
    assert!((seg + outside - inn).abs() < 1e-6, "weights conserved");
    assert_eq!(v["excluded"]["a statistic, not an event"], 1);
    let pk = v["borders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["border_id"] == "AF-PK")
        .unwrap();
    // The 80 clashes along the whole AF–PK border spread over its segments.
    assert!(pk["tally"]["events_weighted"].as_f64().unwrap() >= 80.0);
    let segs: f64 = pk["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["events_weighted"].as_f64().unwrap())
        .sum();
    assert!((segs - pk["tally"]["events_weighted"].as_f64().unwrap()).abs() < 1e-6);
    let tj = v["borders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["border_id"] == "AF-TJ")
        .unwrap();
    let khatlon = tj["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sector_id"] == "AF-TJ / Khatlon")
        .unwrap();
    assert!(
        khatlon["tally"]["events_weighted"].as_f64().unwrap() > 1.0,
        "Shamsiddin Shohin events lie on Khatlon's stretch"
    );
    for f in [
        "segments.csv",
        "sectors.csv",
        "borders.csv",
        "by_event_type.csv",
        "by_period.csv",
    ] {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(text.lines().count() > 1, "{f}");
    }
}

/// A comparison's warnings from `compare --json`.
fn warnings_of(v: &Value) -> Vec<&str> {
    v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect()
}

#[test]
fn compare_gives_rates_intervals_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cmp.csv");
    let v = json(&[
        "compare",
        "AF-TJ",
        "AF-PK",
        "--json",
        "--output",
        csv.to_str().unwrap(),
    ]);
    let (a, b) = (&v["a"], &v["b"]);
    assert_eq!(a["border_id"], "AF-TJ");
    for x in [a, b] {
        let (r, lo, hi) = (
            x["rate_per_100km_year"].as_f64().unwrap(),
            x["ci_low"].as_f64().unwrap(),
            x["ci_high"].as_f64().unwrap(),
        );
        assert!(lo <= r && r <= hi);
    }
    let warnings = warnings_of(&v);
    println!("{warnings:#?}");
    assert!(
        warnings.iter().any(|w| w.contains("aggregate row")),
        "AF-PK's count is one aggregate row"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("AF-TJ has only") && w.contains("events in the corridor"))
    );
    assert!(
        !warnings
            .iter()
            .any(|w| w.contains("weighted by fatalities"))
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 3);

    // Weighted by fatalities: the intervals are said to be too narrow, and single events
    // with many deaths are not called aggregate rows.
    let v = json(&[
        "compare",
        "AF-TJ",
        "AF-PK",
        "--json",
        "--weight",
        "fatalities",
        "--output",
        csv.to_str().unwrap(),
    ]);
    let warnings = warnings_of(&v);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("weighted by fatalities") && w.contains("too narrow")),
        "{warnings:#?}"
    );
    assert_eq!(v["a"]["aggregate_share"].as_f64(), Some(0.0), "{}", v["a"]);
}

#[test]
fn density_on_real_ucdp_rows_prints_checkable_figures() {
    let Some(dir) = realdata() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let file = dir.join("ucdp_ged_v21_1_juanr_precise_afg_pak_tjk.csv");
    let v = json(&[
        "density",
        file.to_str().unwrap(),
        "--json",
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(v["read"], 21055);
    assert_eq!(
        v["located"].as_u64().unwrap() + v["unmatched"].as_u64().unwrap(),
        21055
    );
    let (inn, seg, outside) = (
        v["weight_in"].as_f64().unwrap(),
        v["weight_in_segments"].as_f64().unwrap(),
        v["weight_outside"].as_f64().unwrap(),
    );
    assert!((seg + outside - inn).abs() < 1e-6 * inn);
    for b in v["borders"].as_array().unwrap() {
        println!(
            "{}: {:.1} events, {:.3} per 100 km per year",
            b["border_id"],
            b["tally"]["events_weighted"].as_f64().unwrap(),
            b["rates"]["per_100km_per_year"]
                .as_f64()
                .unwrap_or(f64::NAN)
        );
    }
    let pk = v["borders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["border_id"] == "AF-PK")
        .unwrap();
    assert!(
        pk["tally"]["events_weighted"].as_f64().unwrap() > 1000.0,
        "thousands of UCDP events lie within 50 km of the Durand Line"
    );
}

/// The parallel stages (geocoding, the duplicate check, the analysis and the incident layer)
/// give the same result on any number of threads: the records of the real UCDP rows (or,
/// without them, of the example) copied past several chunks' worth — half of the copies
/// with coordinates near the original point, half naming the place as the original did —
/// geocoded, checked for duplicates, analysed and written on 1 and on 3 threads.
#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let geo = GeoData::load(None).unwrap();
    let inputs: Vec<PathBuf> = match realdata() {
        Some(d) => std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .collect(),
        None => Vec::new(),
    };
    let base = borderwatch::pipeline::ingest_and_geocode(&inputs, &geo, false, &mut |_| {})
        .unwrap()
        .geocoded
        .located;
    let mut records = Vec::new();
    let mut k = 0usize;
    while records.len() < 150_000 {
        k += 1;
        for l in &base {
            let mut r = l.record.clone();
            r.id = (format!("{}#{k}", r.id)).into();
            if k.is_multiple_of(2) {
                r.longitude = Some(l.location.lon + (k % 17) as f64 * 0.01);
                r.latitude = Some(l.location.lat + (k % 13) as f64 * 0.01);
            }
            records.push(r);
        }
    }
    let run = |threads: usize| -> (String, String, String) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let g = borderwatch::geocode::geocode_all(records.clone(), &geo);
            let a = analyse(&g.located, &geo, &AnalysisOptions::default());
            let text = borderwatch::export::incidents::geojson(&g.located, "test").unwrap();
            (
                serde_json::to_string(&g.unmatched).unwrap(),
                serde_json::to_string(&a).unwrap(),
                text,
            )
        })
    };
    let (u1, a1, g1) = run(1);
    let (u3, a3, g3) = run(3);
    assert!(
        u1 == u3,
        "the unmatched records differ between 1 and 3 threads"
    );
    assert!(a1 == a3, "the analysis differs between 1 and 3 threads");
    assert!(
        g1 == g3,
        "the incident layer differs between 1 and 3 threads"
    );
    assert!(
        g1.contains("possible_duplicates\":\""),
        "the copies should be flagged as possible duplicates"
    );
}

/// `density` and `compare` keep only the analysed fields of each incident (read and placed a
/// batch at a time); `run` analyses the full records. Both must give the same figures, the
/// same density surface and the same rows accounted for: checked with filters on and off, on
/// several inputs at once: the real UCDP rows (or, without them, the example) repeated past
/// several batches, the example (border zones, sources), ACLED, GTD and GeoJSON files and a
/// file with malformed rows.
#[test]
fn analysis_columns_give_the_same_figures_as_full_records() {
    use borderwatch::density::{Period, WeightBy};
    use borderwatch::pipeline::{EXAMPLE_CSV, ingest_and_geocode, ingest_for_analysis};
    // The file to repeat, and a window and an actor that keep some of its rows.
    let (source, (from, to), actor) = match realdata() {
        Some(d) => (
            std::fs::read(d.join("ucdp_ged_v21_1_juanr_precise_afg_pak_tjk.csv")).unwrap(),
            ((2008, 1, 1), (2016, 6, 30)),
            "taleban",
        ),
        None => (
            EXAMPLE_CSV.to_vec(),
            ((2025, 3, 1), (2026, 6, 30)),
            "afghan",
        ),
    };
    let text = String::from_utf8(source).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let body = body.trim_end_matches('\n');
    let body_rows = body.lines().count();
    let mut csv = format!("{header}\n");
    let mut rows = 0;
    while rows < 150_000 {
        csv.push_str(body);
        csv.push('\n');
        rows += body_rows;
    }
    let dir = tempfile::tempdir().unwrap();
    let repeated = dir.path().join("repeated.csv");
    std::fs::write(&repeated, &csv).unwrap();
    let example = dir.path().join("example.csv");
    std::fs::write(&example, EXAMPLE_CSV).unwrap();
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let inputs = vec![
        repeated,
        example,
        here.join("ingest/acled_synthetic.csv"),
        here.join("ingest/gtd_synthetic.csv"),
        here.join("ingest/native_synthetic.geojson"),
        here.join("bad/wrong_field_count.csv"),
    ];

    let geo = GeoData::load(None).unwrap();
    let full = ingest_and_geocode(&inputs, &geo, false, &mut |_| {}).unwrap();
    let lean = ingest_for_analysis(&inputs, &geo, false, &mut |_| {}).unwrap();
    assert!(lean.located.len() > 150_000, "{}", lean.located.len());
    assert!(
        !lean.unmatched.is_empty(),
        "the malformed rows are accounted for"
    );
    assert_eq!(lean.located.len(), full.geocoded.located.len());
    assert_eq!(lean.rows_read, full.rows_read);
    assert_eq!(
        serde_json::to_string(&lean.unmatched).unwrap(),
        serde_json::to_string(&full.unmatched).unwrap()
    );
    assert_eq!(lean.warnings, full.warnings);

    let filtered = AnalysisOptions {
        weight: WeightBy::Fatalities,
        period: Period::Month,
        from: borderwatch::model::Date::new(from.0, from.1, from.2),
        to: borderwatch::model::Date::new(to.0, to.1, to.2),
        actor: Some(actor.into()),
        ..AnalysisOptions::default()
    };
    let proj = Projection::region();
    for opts in [AnalysisOptions::default(), filtered] {
        let a_full = analyse(&full.geocoded.located, &geo, &opts);
        let a_lean = analyse(&lean.located, &geo, &opts);
        assert!(a_full.weight_in > 0.0);
        assert!(
            serde_json::to_string(&a_full).unwrap() == serde_json::to_string(&a_lean).unwrap(),
            "the analysis of the columns differs from the analysis of the full records"
        );
        let s_full = surface(
            &full.geocoded.located,
            &a_full,
            &KdeOptions::default(),
            &proj,
        )
        .unwrap();
        let s_lean = surface(&lean.located, &a_lean, &KdeOptions::default(), &proj).unwrap();
        assert!(
            s_full
                .values
                .iter()
                .map(|v| v.to_bits())
                .eq(s_lean.values.iter().map(|v| v.to_bits()))
        );
    }
}

/// Two files of one dataset that overlap (two versions or extracts of UCDP GED, say) carry the
/// same event under the same id: it counts once, the first time it is met, and the second
/// copy is listed as left out with the reason; rows of a native list are never merged this
/// way.
#[test]
fn an_event_in_two_files_of_one_dataset_counts_once() {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let acled = here.join("tests/data/ingest/acled_synthetic.csv");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("acled_again.csv");
    std::fs::copy(&acled, &copy).unwrap();
    let out = dir.path().join("out");
    let density = |inputs: &[&PathBuf]| -> Value {
        let mut args: Vec<String> = vec!["density".into(), "--json".into(), "-q".into()];
        args.extend(inputs.iter().map(|p| p.display().to_string()));
        args.extend(["--out".into(), out.display().to_string()]);
        json(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let once = density(&[&acled]);
    let twice = density(&[&acled, &copy]);
    let located = once["located"].as_u64().unwrap();
    assert!(located > 0);
    assert_eq!(twice["located"].as_u64().unwrap(), 2 * located);
    assert_eq!(
        twice["excluded"]["the same event as an earlier record (same dataset and event id)"],
        located,
        "{}",
        twice["excluded"]
    );
    assert_eq!(once["weight_in"], twice["weight_in"]);
    assert_eq!(once["borders"], twice["borders"]);

    // The same rows as a native list (its own ids, not a dataset's) are counted twice.
    let example = dir.path().join("example.csv");
    std::fs::write(&example, borderwatch::pipeline::EXAMPLE_CSV).unwrap();
    let example_copy = dir.path().join("example_again.csv");
    std::fs::write(&example_copy, borderwatch::pipeline::EXAMPLE_CSV).unwrap();
    let one = density(&[&example]);
    let two = density(&[&example, &example_copy]);
    let w1 = one["weight_in"].as_f64().unwrap();
    assert!((two["weight_in"].as_f64().unwrap() - 2.0 * w1).abs() < 1e-9);
}

/// A CSV table as rows of (column → cell).
fn table(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn cell(row: &std::collections::HashMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {:?}", row[col]))
}

/// Regression (issue 16): `events_raw` was 0 on every row of `by_event_type.csv` and
/// `by_period.csv` while `borders.csv` had the counts. Per border, the breakdowns add up to
/// the border's figures, raw and weighted.
#[test]
fn the_breakdowns_add_up_to_the_borders_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    for period in ["year", "month"] {
        json(&["density", "--json", "--out", out, "--period", period]);
        let borders = table(&dir.path().join("borders.csv"));
        let mut raw_total = 0.0;
        for file in ["by_event_type.csv", "by_period.csv"] {
            let rows = table(&dir.path().join(file));
            for b in &borders {
                let id = &b["border_id"];
                let of = |col: &str| -> f64 {
                    rows.iter()
                        .filter(|r| &r["border_id"] == id)
                        .map(|r| cell(r, col))
                        .sum()
                };
                for col in ["events_raw", "events_weighted", "fatalities"] {
                    // Cells are rounded to 4 decimals.
                    let tolerance = 1e-4 * (rows.len() as f64 + 1.0);
                    assert!(
                        (of(col) - cell(b, col)).abs() <= tolerance,
                        "{file} {id} {col}: {} vs borders.csv {}",
                        of(col),
                        cell(b, col)
                    );
                }
                raw_total += of("events_raw");
            }
        }
        assert!(raw_total > 0.0, "the example has raw counts");
        // Sectors take both sides, as their weighted counts do: per side, their raw events
        // add up to no more than the border's, and a border's raw events are in its sectors.
        let sectors = table(&dir.path().join("sectors.csv"));
        for b in &borders {
            let id = &b["border_id"];
            let mine: Vec<_> = sectors.iter().filter(|r| &r["border_id"] == id).collect();
            let mut per_side: std::collections::HashMap<&str, f64> = Default::default();
            for r in &mine {
                *per_side.entry(r["country"].as_str()).or_default() += cell(r, "events_raw");
            }
            let tolerance = 1e-4 * (mine.len() as f64 + 1.0);
            for (side, raw) in &per_side {
                assert!(
                    raw <= &(cell(b, "events_raw") + tolerance),
                    "{id} {side}: {raw}"
                );
            }
            if cell(b, "events_raw") > 0.0 && !mine.is_empty() {
                assert!(
                    per_side.values().any(|v| *v > 0.0),
                    "{id}: no raw events in sectors"
                );
            }
        }
    }
}

/// Regression (issue 16): the Kabul bombing (20 km radius, farther than that beyond AF-PK's
/// corridor) put 0.0002 events into AF-PK. No incident reaches past its stated radius: one
/// whose radius ends outside the corridor has no share in it.
#[test]
fn no_incident_puts_weight_beyond_its_radius() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("borderwatch")
        .unwrap()
        .args(["export", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("incidents.geojson")).unwrap(),
    )
    .unwrap();
    let corridor = v["parameters"]["corridor_km"].as_f64().unwrap_or(50.0);
    let mut beyond = 0;
    for f in v["features"].as_array().unwrap() {
        let p = &f["properties"];
        let (Some(d), Some(r), Some(share)) = (
            p["border_distance_km"].as_f64(),
            p["uncertainty_km"].as_f64(),
            p["corridor_share"].as_f64(),
        ) else {
            continue;
        };
        if p["stretch_border"].is_string() {
            continue;
        }
        if d - r > corridor {
            beyond += 1;
            assert_eq!(share, 0.0, "{}", p["location"]);
        }
        assert!((0.0..=1.0).contains(&share));
    }
    assert!(
        beyond > 0,
        "the example has incidents whose radius ends outside the corridor"
    );
}

/// Writes a native CSV of points (lon, lat, count) dated in 2025, precise coordinates.
fn points_csv(path: &std::path::Path, points: &[(f64, f64, u32)]) {
    let mut text = String::from("id,date,latitude,longitude,precision,event_type,count\n");
    for (i, (lon, lat, n)) in points.iter().enumerate() {
        text.push_str(&format!(
            "p{i},2025-06-01,{lat},{lon},exact,armed_clash,{n}\n"
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// Issue 16, item 6: a comparison needs both borders covered. Records only on the
/// Pakistani side of AF-PK give no ratio (null in --json and comparison.csv) and say why:
/// AF-TJ has no record in its corridor, and the inputs hold no record in either of its
/// countries.
#[test]
fn a_border_without_records_gives_no_ratio_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("pk_only.csv");
    // Landi Kotal, Parachinar, Miran Shah, Wana: towns in Pakistan near the Durand Line.
    points_csv(
        &input,
        &[
            (71.141, 34.098, 5),
            (70.099, 33.900, 4),
            (70.066, 33.000, 3),
            (69.570, 32.300, 3),
        ],
    );
    let csv_out = dir.path().join("cmp.csv");
    let v = json(&[
        "compare",
        "AF-TJ",
        "AF-PK",
        input.to_str().unwrap(),
        "--json",
        "--output",
        csv_out.to_str().unwrap(),
    ]);
    assert_eq!(v["comparable"], false);
    for k in ["ratio", "ratio_low", "ratio_high"] {
        assert!(v[k].is_null(), "{k}: {}", v[k]);
    }
    let why: Vec<&str> = v["not_comparable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        why.iter()
            .any(|w| w.contains("AF-TJ has no record in its corridor")),
        "{why:?}"
    );
    assert!(
        why.iter()
            .any(|w| w.contains("no record in AF or TJ") && w.contains("PK")),
        "{why:?}"
    );
    // AF-PK's own figures are still there.
    assert!(v["b"]["rate_per_100km_year"].as_f64().unwrap() > 0.0);
    let rows = table(&csv_out);
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!(r["comparable"], "false");
        assert_eq!(r["rate_ratio_vs_other"], "");
        assert_eq!(r["ratio_ci95_low"], "");
        assert!(r["not_comparable_because"].contains("AF-TJ has no record"));
    }
    // The text says so instead of a ratio.
    let out = Command::cargo_bin("borderwatch")
        .unwrap()
        .args(["compare", "AF-TJ", "AF-PK", "--output"])
        .arg(&csv_out)
        .arg(&input)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not comparable, so no rate ratio"), "{text}");
    assert!(!text.contains("rate ratio AF-TJ / AF-PK"), "{text}");
    // The example covers both borders: a ratio.
    let v = json(&[
        "compare",
        "AF-TJ",
        "AF-PK",
        "--json",
        "--output",
        csv_out.to_str().unwrap(),
    ]);
    assert_eq!(v["comparable"], true);
    assert!(v["ratio"].as_f64().is_some());
}

/// On the Pakistan-only UCDP file (issue 16: "rate ratio 0 (95% CI 0–0.002)"), no ratio.
#[test]
fn the_pakistan_only_ucdp_file_gives_no_ratio() {
    let Some(d) = realdata() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let csv_out = tmp.path().join("cmp.csv");
    let v = json(&[
        "compare",
        "AF-TJ",
        "AF-PK",
        d.join("ucdp_ged_v22_1_hdx_pak.csv").to_str().unwrap(),
        "--json",
        "--output",
        csv_out.to_str().unwrap(),
    ]);
    println!("{}", v["not_comparable"]);
    assert_eq!(v["comparable"], false);
    assert!(v["ratio"].is_null() && v["ratio_low"].is_null() && v["ratio_high"].is_null());
    assert!(v["not_comparable"][0].as_str().unwrap().contains("AF-TJ"));
}

/// Issue 16, item 7: 30 events at one place on AF-TJ and one at each of ten others: the
/// segment holding the 30 is a hotspot, none of the others is; segments.csv, the segments
/// layer and tables_metadata.json carry `hotspot` and `hotspot_q`.
#[test]
fn a_cluster_of_events_makes_its_segment_a_hotspot() {
    let geo = GeoData::load(None).unwrap();
    let tj = geo.borders.iter().find(|b| b.id == "AF-TJ").unwrap();
    let n = (tj.measured_km / 25.0).floor() as usize;
    assert!(n >= 12);
    let mid = |k: usize| borderwatch::borders::locate::point_at_km(tj, 25.0 * k as f64 + 12.5);
    let hot = n / 2;
    let mut points = vec![(mid(hot).0, mid(hot).1, 30)];
    for k in (0..n).filter(|k| *k != hot).take(10) {
        points.push((mid(k).0, mid(k).1, 1));
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cluster.csv");
    points_csv(&input, &points);
    let out = Command::cargo_bin("borderwatch")
        .unwrap()
        .args(["export", "--out"])
        .arg(dir.path())
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = table(&dir.path().join("segments.csv"));
    let hot_id = format!("AF-TJ-{:03}", hot + 1);
    for r in rows.iter().filter(|r| r["border_id"] == "AF-TJ") {
        let (q, p) = (cell(r, "hotspot_q"), cell(r, "hotspot_p"));
        assert!((0.0..=1.0).contains(&q) && p <= q + 1e-12, "{r:?}");
        assert_eq!(r["hotspot"] == "true", q <= 0.05, "{r:?}");
        assert_eq!(r["hotspot"] == "true", r["segment_id"] == hot_id, "{r:?}");
    }
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("segments.geojson")).unwrap(),
    )
    .unwrap();
    let hot_features: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["hotspot"] == true)
        .map(|f| f["properties"]["segment_id"].as_str().unwrap())
        .collect();
    assert_eq!(hot_features, vec![hot_id.as_str()]);
    let meta = std::fs::read_to_string(dir.path().join("tables_metadata.json")).unwrap();
    assert!(meta.contains("\"hotspot\"") && meta.contains("\"hotspot_q\""));
    // Weighted by fatalities the test is not made: the fields are empty.
    json(&[
        "density",
        "--json",
        "--out",
        dir.path().to_str().unwrap(),
        "--weight",
        "fatalities",
        input.to_str().unwrap(),
    ]);
    let rows = table(&dir.path().join("segments.csv"));
    assert!(
        rows.iter()
            .all(|r| r["hotspot"].is_empty() && r["hotspot_q"].is_empty())
    );
}

/// `density` on a list of several whole chunks (some of whose nearest borders it finds while
/// the list is read, as many as idle time allows, differently from run to run) writes the
/// tables an analysis in the library gives, which finds every nearest border itself.
#[test]
fn density_tables_are_the_analysis_own_however_many_chunks_are_placed_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("spread.csv");
    // xorshift: deterministic, about 100,000 points over the region, a fifth repeated.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut unit = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut csv = String::from("id,date,longitude,latitude,fatalities\n");
    let mut last = (0.0, 0.0);
    for i in 0..100_000 {
        if i % 5 != 4 {
            last = (60.0 + unit() * 16.0, 29.0 + unit() * 12.0);
        }
        let day = 1 + i % 28;
        csv.push_str(&format!(
            "e{i},2025-02-{day:02},{:.5},{:.5},{}\n",
            last.0,
            last.1,
            i % 3
        ));
    }
    std::fs::write(&csv_path, &csv).unwrap();
    let geo = GeoData::load(None).unwrap();
    let located = borderwatch::pipeline::ingest_and_geocode(
        std::slice::from_ref(&csv_path),
        &geo,
        false,
        &mut |_| {},
    )
    .unwrap()
    .geocoded
    .located;
    assert_eq!(located.len(), 100_000);
    let own = analyse(&located, &geo, &AnalysisOptions::default());
    for round in 0..2 {
        let out = dir.path().join(format!("out{round}"));
        Command::cargo_bin("borderwatch")
            .unwrap()
            .args(["density", "-q", "--out"])
            .arg(&out)
            .arg(&csv_path)
            .assert()
            .success();
        let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
        use borderwatch::export::tables;
        assert_eq!(read("segments.csv"), tables::segments_csv(&own).unwrap());
        assert_eq!(read("sectors.csv"), tables::sectors_csv(&own).unwrap());
        assert_eq!(read("borders.csv"), tables::borders_csv(&own).unwrap());
    }
}
