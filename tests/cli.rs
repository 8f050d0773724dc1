//! Runs the real binary on real files, as a user would, and checks what a user would check.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bw() -> Command {
    Command::cargo_bin("borderwatch").expect("binary built")
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    manifest().join("geodata/incidents/example_2025_2026.csv")
}

fn realdata() -> Option<PathBuf> {
    let d = manifest().join("../shared/realdata");
    if d.is_dir() {
        Some(d)
    } else {
        println!("skipping: ../shared/realdata not present (only CI and the team have it)");
        None
    }
}

fn json_stdout(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn borders_lists_every_afghan_border_with_both_lengths() {
    let out = bw().arg("borders").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    print!("{text}");
    for id in ["AF-CN", "AF-IR", "AF-PK", "AF-TJ", "AF-TM", "AF-UZ"] {
        assert!(text.contains(id), "{id} missing");
    }
    let rows = json_stdout(bw().args(["borders", "--json"]));
    for row in rows.as_array().unwrap() {
        let measured = row["measured_km"].as_f64().unwrap();
        let published = row["published_km"].as_f64().unwrap();
        assert!(
            row["published_source"]
                .as_str()
                .unwrap()
                .contains("Factbook")
        );
        if ["AF-TJ", "AF-PK"].contains(&row["border_id"].as_str().unwrap()) {
            assert!((measured / published - 1.0).abs() <= 0.2, "{row}");
        }
    }
}

#[test]
fn borders_file_replaces_shipped_lines() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("lines.geojson");
    std::fs::write(
        &f,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"TEST-LINE"},
        "geometry":{"type":"LineString","coordinates":[[69.0,37.0],[70.0,37.0]]}}]}"#,
    )
    .unwrap();
    let rows = json_stdout(bw().args(["borders", "--json", "--borders-file"]).arg(&f));
    assert_eq!(rows[0]["border_id"], "TEST-LINE");
    // One degree of longitude at 37° N on WGS 84 is about 88.9 km.
    let km = rows[0]["measured_km"].as_f64().unwrap();
    assert!((km - 88.9).abs() < 0.3, "{km}");
}

fn first_hit(name: &str) -> Value {
    let rows = json_stdout(bw().args(["gazetteer", name, "--json"]));
    rows[0].clone()
}

#[test]
fn gazetteer_finds_renamed_cyrillic_and_border_zone_names() {
    let h = first_hit("Shamsiddin Shohin");
    assert_eq!(h["id"], "district:1091917913");
    assert_eq!(h["kind"], "district");
    let h = first_hit("Дарвоз");
    assert_eq!(h["id"], "district:1091917021");
    let h = first_hit("Khatlon border zone");
    assert_eq!(h["id"], "border-zone:AF-TJ:TJ-KT");
    assert_eq!(h["kind"], "border-zone");
    assert_eq!(h["stretch"]["border_id"], "AF-TJ");
    let h = first_hit("border area of Kunar");
    assert_eq!(h["id"], "border-zone:AF-PK:AF-KNR");
    let h = first_hit("NWFP");
    assert_eq!(h["id"], "province:PK-KP");
    let h = first_hit("Gilgit-Baltistan");
    assert_eq!(h["id"], "province:PK-GB");
    // The border town and the crossing point are a kilometre apart: either answers.
    let h = first_hit("Torkham");
    assert!(
        h["id"] == "crossing:torkham" || h["id"] == "place:9034791",
        "{h:#}"
    );
}

/// Regression (issue 16): `gazetteer Xyzzyville` exited 0. No match is its own status (3),
/// said on stderr with the suggestions, and `--json` prints an empty list with the same
/// status.
#[test]
fn gazetteer_without_a_match_exits_3() {
    let out = bw().args(["gazetteer", "Zzyzx Qwerty"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no entry matches"));
    assert!(out.stdout.is_empty());
    let out = bw()
        .args(["gazetteer", "Xyzzyville", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, Value::Array(Vec::new()));
    // A name that matches still exits 0.
    let out = bw().args(["gazetteer", "Darvoz"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// The usage-error exit status, distinct from 2 ("finished, but rows were skipped").
const EXIT_USAGE: i32 = 64;

/// Runs a command line that must be refused as a usage error, in an empty folder so that
/// any output written would show; returns stderr.
fn refused(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = bw().current_dir(dir.path()).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(EXIT_USAGE),
        "{args:?} was not refused as a usage error: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} printed a result");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{args:?} wrote {left:?}");
    stderr
}

/// Regression (issue 16): `compare AF-TJ AF-TJ` ran and printed every warning twice.
#[test]
fn the_same_border_twice_is_refused() {
    let e = refused(&["compare", "AF-TJ", "AF-TJ"]);
    assert!(e.contains("AF-TJ given twice"), "{e}");
    let e = refused(&["compare", "af-pk", "AF-PK"]);
    assert!(e.contains("given twice"), "{e}");
    let e = refused(&["run", "--compare", "AF-TJ,AF-TJ"]);
    assert!(e.contains("given twice"), "{e}");
}

/// Regression (issue 16): `compare AF-TJ AF-PKK` said "unknown border: AF-TJ or AF-PKK".
/// The message names the bad id only and lists every valid one (read from `borders`).
#[test]
fn an_unknown_border_is_named_with_the_valid_ids() {
    let v = json_stdout(bw().args(["borders", "--json"]));
    let ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["border_id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 2);
    let e = refused(&["compare", "AF-TJ", "AF-PKK"]);
    assert!(e.contains("unknown border AF-PKK:"), "{e}");
    assert!(!e.contains("AF-TJ or"), "{e}");
    for id in &ids {
        assert!(e.contains(id.as_str()), "{id} missing from {e}");
    }
    let e = refused(&["density", "--borders", "AF-TJ,AF-XX"]);
    assert!(e.contains("unknown border AF-XX"), "{e}");
    let e = refused(&["run", "--compare", "AF-TJ,AF-PKK"]);
    assert!(e.contains("unknown border AF-PKK"), "{e}");
    // A border left out by --borders cannot be compared either.
    let e = refused(&["compare", "AF-TJ", "AF-PK", "--borders", "AF-TJ"]);
    assert!(e.contains("AF-PK not analysed"), "{e}");
}

/// Regression (issue 16): `--from 2026-01 --to 2025-01` ran over "0.003 years".
#[test]
fn a_reversed_window_is_refused() {
    for command in [
        &["density"][..],
        &["compare", "AF-TJ", "AF-PK"],
        &["run"],
        &["export"],
    ] {
        let mut args = command.to_vec();
        args.extend(["--from", "2026-01", "--to", "2025-01"]);
        let e = refused(&args);
        assert!(
            e.contains("--from 2026-01") && e.contains("after --to 2025-01"),
            "{e}"
        );
    }
    // One month is a window: --from and --to the same month is fine.
    let dir = tempfile::tempdir().unwrap();
    let out = bw()
        .args(["density", "--from", "2025-11", "--to", "2025-11", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // A date that is no date is a usage error too, naming the flag.
    let e = refused(&["density", "--from", "2025-13"]);
    assert!(e.contains("--from \"2025-13\""), "{e}");
}

/// Regression (issue 16): `--types drone_strikes` (a typo) left every row out and exited 0.
/// An event type that is neither a known type nor in the inputs is refused, with the
/// nearest known type and the list of known types.
#[test]
fn an_unknown_event_type_is_refused_with_the_known_ones() {
    let e = refused(&["density", "--types", "drone_strikes"]);
    assert!(
        e.contains("unknown event type drone_strikes (did you mean drone_strike?)"),
        "{e}"
    );
    for t in [
        "drone_strike",
        "armed_incursion",
        "cross_border_fire",
        "border_closure",
    ] {
        assert!(e.contains(t), "{t} not listed: {e}");
    }
    let e = refused(&["run", "--types", "armed_clash,zzz"]);
    assert!(e.contains("unknown event type zzz"), "{e}");
    // A known type in another spelling, and a free-text type the input holds, are accepted.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("own.csv");
    std::fs::write(
        &input,
        "id,date,country,location,event_type\n1,2025-03-01,Tajikistan,Darvoz district,Grenade attack on post\n",
    )
    .unwrap();
    for types in ["Drone Strike", "grenade attack on post"] {
        let out = bw()
            .args(["density", "--types", types, "--out"])
            .arg(dir.path())
            .arg(&input)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 2)),
            "{types}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Regression (issue 16): `--format pdf` ran and drew no maps at all. PDF is written now
/// (tests/figures.rs); a format that is not is refused, naming the ones that are.
#[test]
fn an_unknown_format_is_refused() {
    let e = refused(&["run", "--format", "tiff"]);
    assert!(
        e.contains("tiff not supported") && e.contains("svg, png, pdf"),
        "{e}"
    );
    let e = refused(&["run", "--format", "svg,tiff"]);
    assert!(
        e.contains("tiff not supported") && !e.contains("svg not"),
        "{e}"
    );
}

/// Regression (issue 16): usage errors exited 2, the status of "finished with skipped rows".
/// Whatever clap refuses (an unknown flag, a bad value) now exits 64; --help and --version
/// still exit 0 on stdout.
#[test]
fn a_usage_error_has_its_own_exit_status() {
    let e = refused(&["density", "--bogus"]);
    assert!(e.contains("--bogus"), "{e}");
    let e = refused(&["density", "--period", "week"]);
    assert!(e.contains("week"), "{e}");
    refused(&["compare", "AF-TJ"]);
    refused(&["density", "--segment-km", "0"]);
    for args in [&["--help"][..], &["--version"], &["density", "--help"]] {
        let out = bw().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty());
    }
    // A file with skipped rows still finishes with 2: the two statuses stay apart.
    let dir = tempfile::tempdir().unwrap();
    let out = bw()
        .args(["density", "--out"])
        .arg(dir.path())
        .arg(manifest().join("tests/data/bad/wrong_field_count.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn features(path: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["features"].as_array().unwrap().clone()
}

#[test]
fn geocode_locates_every_example_row_with_honest_precision() {
    let dir = tempfile::tempdir().unwrap();
    let layer = dir.path().join("incidents.geojson");
    let report = dir.path().join("unmatched.csv");
    let out = bw()
        .args(["geocode"])
        .arg(example())
        .arg("-o")
        .arg(&layer)
        .arg("--unmatched")
        .arg(&report)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("12 read, 12 located ("), "{stdout}");
    assert!(stdout.contains(", 0 unmatched"));
    let feats = features(&layer);
    assert_eq!(feats.len(), 12);
    let by_id = |id: &str| {
        feats
            .iter()
            .find(|f| f["properties"]["incident_id"] == id)
            .unwrap()["properties"]
            .clone()
    };
    let p = by_id("TJ-2025-11-26");
    assert_eq!(p["gazetteer_id"], "district:1091917913");
    assert_eq!(p["precision"], "district");
    let p = by_id("TJ-2025-11-30");
    assert_eq!(p["gazetteer_id"], "district:1091917021");
    assert!(
        p["uncertainty_km"].as_f64().unwrap() > 15.0,
        "near widens the radius"
    );
    let p = by_id("TJ-2026-01");
    assert_eq!(p["precision"], "border_zone");
    assert_eq!(p["stretch_border"], "AF-TJ");
    let p = by_id("AFPK-2025-CLASHES");
    assert_eq!(p["stretch_border"], "AF-PK");
    assert_eq!(p["count"], 80.0);
    assert_eq!(p["fatalities"], Value::Null, "unknown stays null");
    let p = by_id("AF-2026-01-19");
    assert_eq!(p["gazetteer_id"], "place:1138958");
    // The two Tajik incursion reports are flagged as possible duplicates of each other.
    assert_eq!(by_id("TJ-2025-12")["possible_duplicates"], "TJ-2026-01");
    assert_eq!(by_id("TJ-2026-01")["possible_duplicates"], "TJ-2025-12");
    assert_eq!(
        std::fs::read_to_string(&report).unwrap().lines().count(),
        1,
        "header only"
    );
}

#[test]
fn geocode_reports_malformed_and_unmatched_rows_and_keeps_going() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.csv");
    std::fs::write(
        &input,
        "id,date,country,location,latitude,longitude,fatalities\n\
         ok1,2025-11-26,Tajikistan,Shamsiddin Shohin,,,1\n\
         bad-date,2025-02-31,Tajikistan,Darvoz,,,\n\
         bad-lat,2025-01-01,Tajikistan,,137.2,70.0,\n\
         bad-num,2025-01-01,Tajikistan,Darvoz,,,many\n\
         nowhere,2025-01-01,Tajikistan,Xqzzv Kkkk,,,\n\
         bad-country,2025-01-01,Atlantis,Darvoz,,,\n\
         swapped,2025-01-01,Tajikistan,,70.05,37.84,\n\
         ok2,2025-01-01,Tajikistan,Дарвоз,,,0\n",
    )
    .unwrap();
    let layer = dir.path().join("out.geojson");
    let report = dir.path().join("unmatched.csv");
    let out = bw()
        .arg("geocode")
        .arg(&input)
        .arg("-o")
        .arg(&layer)
        .arg("--unmatched")
        .arg(&report)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{stderr}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "skipped rows give exit status 2"
    );
    // "Xqzzv Kkkk" matches nothing, but its country is known: placed country-wide, and says so.
    // "many" fatalities do not reject the row (issue 14): unknown, with a warning.
    assert!(
        stdout.contains("8 read, 4 located (3 exact, 1 fallback_country), 4 unmatched"),
        "{stdout}"
    );
    assert!(
        stderr.contains("bad.csv:3"),
        "line of the impossible date: {stderr}"
    );
    assert!(stderr.contains("bad.csv:4"), "{stderr}");
    assert!(stderr.contains("latitude"), "{stderr}");
    assert!(
        stderr.contains("bad.csv:5: column fatalities: many is not a number"),
        "{stderr}"
    );
    assert!(stderr.contains("swapped"), "{stderr}");
    assert!(stderr.contains("Atlantis"), "{stderr}");
    let report_text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(report_text.lines().count(), 5, "{report_text}");
    let feats = features(&layer);
    assert_eq!(feats.len(), 4);
    assert!(
        feats[1]["properties"]["fatalities"].is_null(),
        "\"many\" stays unknown, never 0"
    );
    assert_eq!(feats[2]["properties"]["locate_method"], "fallback_country");
    assert!(
        feats[2]["properties"]["explanation"]
            .as_str()
            .unwrap()
            .contains("Xqzzv Kkkk")
    );
    assert_eq!(
        feats[3]["properties"]["fatalities"], 0.0,
        "a real 0 stays 0"
    );

    let strict = bw()
        .arg("geocode")
        .arg(&input)
        .arg("--strict")
        .arg("-o")
        .arg(&layer)
        .output()
        .unwrap();
    assert_eq!(
        strict.status.code(),
        Some(1),
        "--strict makes the first bad row an error"
    );
}

#[test]
fn geocode_accounts_for_every_real_ucdp_row() {
    let Some(dir) = realdata() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for (file, rows) in [
        ("ucdp_ged_v23_1_sample_afg_pak_tjk.csv", 171),
        ("ucdp_ged_v22_1_hdx_pak.csv", 6416),
        ("ucdp_ged_v21_1_juanr_precise_afg_pak_tjk.csv", 21055),
    ] {
        let layer = tmp.path().join(format!("{file}.geojson"));
        let report = tmp.path().join(format!("{file}.csv"));
        let v = json_stdout_any(
            bw().arg("geocode")
                .arg(dir.join(file))
                .arg("--json")
                .arg("-o")
                .arg(&layer)
                .arg("--unmatched")
                .arg(&report),
        );
        println!("{file}: {v}");
        let (read, located, unmatched) = (
            v["read"].as_u64().unwrap(),
            v["located"].as_u64().unwrap(),
            v["unmatched"].as_u64().unwrap(),
        );
        assert_eq!(read, rows, "{file}");
        assert_eq!(read, located + unmatched, "{file}: every row accounted for");
        assert_eq!(features(&layer).len() as u64, located);
        let report_rows = std::fs::read_to_string(&report).unwrap().lines().count() as u64;
        assert!(
            report_rows > unmatched,
            "unmatched report lists every unmatched row"
        );
    }
}

/// Like [`json_stdout`] but accepts exit status 2 (finished with unmatched rows).
fn json_stdout_any(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    assert!(
        matches!(out.status.code(), Some(0) | Some(2)),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn geocode_layer_opens_in_gdal_with_typed_fields() {
    if std::process::Command::new("ogrinfo")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("skipping: ogrinfo (Debian gdal-bin) not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let layer = dir.path().join("incidents.geojson");
    bw().arg("geocode")
        .arg(example())
        .arg("-o")
        .arg(&layer)
        .arg("--unmatched")
        .arg(dir.path().join("u.csv"))
        .assert()
        .success();
    let out = std::process::Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&layer)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&out.stdout);
    println!("{info}");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(info.contains("Layer name: incidents"));
    assert!(info.contains("Geometry: Point"));
    assert!(info.contains("Feature Count: 12"));
    for (field, ty) in [
        ("fatalities", "Real"),
        ("count", "Real"),
        ("date_start", "Date"),
        ("date_end", "Date"),
        ("uncertainty_km", "Real"),
        ("ucdp_where_prec", "Integer"),
        ("incident_id", "String"),
        ("ambiguous", "Integer(Boolean)"),
    ] {
        assert!(
            info.contains(&format!("{field}: {ty}")),
            "{field} should be {ty}"
        );
    }
}

#[test]
fn closed_pipe_ends_quietly() {
    // `borderwatch gazetteer ... | head -c1`: the reader goes away; no error, no panic.
    let exe = assert_cmd::cargo::cargo_bin("borderwatch");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' borders --json | head -c 1 >/dev/null; echo ${{PIPESTATUS:-0}}",
            exe.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// A missing file among several stops the command before any file is read: one clear
/// message, no half-done output, for every command that reads incidents.
#[test]
fn a_missing_input_stops_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no_such_file.csv");
    let bad = manifest().join("tests/data/bad/wrong_field_count.csv");
    for command in ["density", "compare", "geocode", "run"] {
        let mut cmd = bw();
        cmd.arg(command);
        match command {
            "compare" => cmd
                .args(["AF-TJ", "AF-PK", "--output"])
                .arg(dir.path().join("c.csv")),
            "geocode" => cmd.arg("-o").arg(dir.path().join("g.geojson")),
            _ => cmd.arg("--out").arg(dir.path()),
        };
        let out = cmd.arg(&bad).arg(&missing).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains("cannot read") && stderr.contains("no_such_file.csv"),
            "{command}: {stderr}"
        );
        // Regression (issue 16): the cause was said twice ("No such file or directory"
        // after the message that already quoted it).
        let why = "No such file or directory";
        assert_eq!(stderr.matches(why).count(), 1, "{command}: {stderr}");
        assert!(
            !stderr.contains("skipped:"),
            "{command} read the first file before finding the second missing: {stderr}"
        );
    }
}
