//! Spreadsheets as people keep them (issue 14): a reporter's own column names, day-first dates,
//! casualty counts as written, casual event-type words, .xlsx workbooks, and an ACLED export
//! re-saved by Excel. Runs the real binary on the files in `tests/data/sheets/` (see its
//! README) and checks what a user would check: every row read, and read right.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn sheets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sheets")
}

const SHEET_CSV: &str = "journalist_2023_2025.csv";
const SHEET_XLSX: &str = "journalist_2023_2025.xlsx";

/// What `borderwatch geocode FILE --json` gave.
struct Run {
    code: i32,
    summary: Value,
    stderr: String,
    /// Located incidents' properties, by the line (sheet row) they came from.
    by_line: BTreeMap<u64, Value>,
    unmatched_csv: String,
}

fn geocode(file: &Path, extra: &[&str]) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("borderwatch")
        .unwrap()
        .arg("geocode")
        .arg(file)
        .arg("-o")
        .arg(tmp.path().join("o.geojson"))
        .arg("--unmatched")
        .arg(tmp.path().join("u.csv"))
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    if code == 1 {
        return Run {
            code,
            summary: Value::Null,
            stderr,
            by_line: BTreeMap::new(),
            unmatched_csv: String::new(),
        };
    }
    let summary: Value = serde_json::from_slice(&out.stdout).expect("summary is JSON");
    let layer: Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("o.geojson")).unwrap()).unwrap();
    let by_line = layer["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = f["properties"].clone();
            (p["source_line"].as_u64().unwrap(), p)
        })
        .collect();
    let unmatched_csv = fs::read_to_string(tmp.path().join("u.csv")).unwrap();
    Run {
        code,
        summary,
        stderr,
        by_line,
        unmatched_csv,
    }
}

/// The sheet's rows as the file holds them: (line, column name → cell).
fn sheet_rows() -> Vec<(u64, BTreeMap<String, String>)> {
    let mut r = csv::Reader::from_path(sheets().join(SHEET_CSV)).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.unwrap();
            let cells = header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect();
            (i as u64 + 2, cells)
        })
        .collect()
}

/// One of the input's own columns as the layer carries it: a field of its own, named by
/// `schema::safe_name` (null and absent are None).
fn own(p: &Value, column: &str) -> Option<String> {
    match &p[borderwatch::export::schema::safe_name(column).as_str()] {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[test]
fn a_reporters_sheet_reads_every_row() {
    let rows = sheet_rows();
    assert!(rows.len() >= 30, "the sheet has {} rows", rows.len());
    let run = geocode(&sheets().join(SHEET_CSV), &[]);
    assert_eq!(run.summary["read"].as_u64(), Some(rows.len() as u64));
    assert!(!run.stderr.contains("skipped:"), "{}", run.stderr);
    assert!(
        !run.unmatched_csv.contains("malformed row"),
        "{}",
        run.unmatched_csv
    );
    // Every row that was placed is in the layer; the others are in the unmatched report with
    // their reason, none of them for how it was written.
    let unmatched = run.summary["unmatched"].as_u64().unwrap();
    assert_eq!(run.by_line.len() as u64 + unmatched, rows.len() as u64);

    // The command says which column it took for what, and names the one it did not use.
    for said in [
        "Place → location",
        "Province → admin1",
        "Killed → fatalities",
        "Injured → wounded",
        "Type → event_type",
        "Who → actors",
        "Link → source_url",
        "Reporter notes → notes",
        "not used (passed through): Verified?",
        "numeric dates read as day/month/year",
    ] {
        assert!(
            run.stderr.contains(said),
            "{said:?} not said:\n{}",
            run.stderr
        );
    }
    for (line, cells) in &rows {
        let Some(p) = run.by_line.get(line) else {
            continue;
        };
        assert_eq!(
            p["location"].as_str().unwrap_or(""),
            cells["Place"],
            "line {line}"
        );
        assert_eq!(
            p["admin1"].as_str().unwrap_or(""),
            cells["Province"],
            "line {line}"
        );
        assert_eq!(
            p["source_url"].as_str().unwrap_or(""),
            cells["Link"],
            "line {line}"
        );
        assert_eq!(
            own(p, "Verified?").as_deref(),
            Some(cells["Verified?"].as_str()).filter(|v| !v.is_empty()),
            "line {line}: the unused column is passed through"
        );
    }
}

#[test]
fn day_first_dates_month_names_and_dotted_dates() {
    let run = geocode(&sheets().join(SHEET_CSV), &[]);
    for (line, cells) in sheet_rows() {
        let Some(p) = run.by_line.get(&line) else {
            continue;
        };
        let cell = cells["Date"].as_str();
        let (start, end, precision) = (
            p["date_start"].as_str().unwrap(),
            p["date_end"].as_str().unwrap(),
            p["date_precision"].as_str().unwrap(),
        );
        // Expected from the cell itself: dd/mm/yyyy and dd.mm.yyyy day first.
        let parts: Vec<&str> = cell.split(['/', '.']).collect();
        if parts.len() == 3 {
            let want = format!("{}-{}-{}", parts[2], parts[1], parts[0]);
            assert_eq!(
                (start, precision),
                (want.as_str(), "day"),
                "line {line}: {cell}"
            );
            continue;
        }
        match cell {
            "30 July 2023" => assert_eq!(start, "2023-07-30"),
            "Nov 21, 2024" => assert_eq!(start, "2024-11-21"),
            "6 April 2025" => assert_eq!(start, "2025-04-06"),
            "2025-01-16" => assert_eq!(start, "2025-01-16"),
            "Apr 2025" => assert_eq!(
                (start, end, precision),
                ("2025-04-01", "2025-04-30", "month")
            ),
            "Dec 2025" => assert_eq!(
                (start, end, precision),
                ("2025-12-01", "2025-12-31", "month")
            ),
            other => panic!("line {line}: date {other:?} has no expectation here"),
        }
    }
    // The pair: 06/09/2023 is 6 September because 16/03/2024 is in the same column.
    let sept6 = run
        .by_line
        .values()
        .filter(|p| p["date_start"] == "2023-09-06")
        .count();
    assert_eq!(sept6, 3, "the three rows of 06/09/2023");
}

#[test]
fn casualty_counts_are_read_as_well_as_they_can_be() {
    let run = geocode(&sheets().join(SHEET_CSV), &[]);
    let num = |v: &Value| v.as_f64();
    let mut seen = BTreeMap::new();
    for (line, cells) in sheet_rows() {
        let Some(p) = run.by_line.get(&line) else {
            continue;
        };
        for (column, best, low, high, qualifier) in [
            (
                "Killed",
                "fatalities",
                Some("fatalities_low"),
                Some("fatalities_high"),
                "fatalities_qualifier",
            ),
            ("Injured", "wounded", None, None, "wounded_qualifier"),
        ] {
            let cell = cells[column].as_str();
            let got = (
                num(&p[best]),
                low.and_then(|k| num(&p[k])),
                high.and_then(|k| num(&p[k])),
                own(p, qualifier),
            );
            let is_killed = column == "Killed";
            let lh = |l: f64, h: Option<f64>| {
                if is_killed {
                    (Some(l), h)
                } else {
                    (None, None)
                }
            };
            let want: (Option<f64>, Option<f64>, Option<f64>, Option<String>) = if cell.is_empty() {
                (None, None, None, None)
            } else if let Ok(n) = cell.parse::<f64>() {
                (Some(n), None, None, None)
            } else {
                let q = |s: &str| Some(s.to_string());
                match cell {
                    "42+" | "100+" | "at least 12" | "at least 4" => {
                        let n: f64 = cell
                            .trim_end_matches('+')
                            .trim_start_matches("at least ")
                            .parse()
                            .unwrap();
                        let (l, h) = lh(n, None);
                        (Some(n), l, h, q("at_least"))
                    }
                    "15-20" => {
                        let (l, h) = lh(15.0, Some(20.0));
                        (Some(15.0), l, h, q("range"))
                    }
                    "~30" => (Some(30.0), None, None, q("approximate")),
                    "~200" => (Some(200.0), None, None, q("approximate")),
                    "none" => (Some(0.0), None, None, q("none")),
                    "unknown" | "several" | "dozens" => (None, None, None, q("unknown")),
                    other => panic!("line {line}: {column} {other:?} has no expectation here"),
                }
            };
            assert_eq!(got, want, "line {line}: {column} {cell:?}");
            if want.3.is_some() {
                assert_eq!(
                    own(p, column).as_deref(),
                    Some(cell),
                    "line {line}: the text as written is kept"
                );
            }
            *seen.entry(cell.to_string()).or_insert(0) += 1;
        }
    }
    for quirk in [
        "at least 12",
        "42+",
        "15-20",
        "~30",
        "several",
        "unknown",
        "dozens",
    ] {
        assert!(seen.contains_key(quirk), "the sheet has no {quirk:?}");
    }
}

#[test]
fn reporters_words_become_native_event_types() {
    let run = geocode(&sheets().join(SHEET_CSV), &[]);
    let want: BTreeMap<&str, &str> = [
        ("border closed", "border_closure"),
        ("crossing closed", "border_closure"),
        ("closure", "border_closure"),
        ("exchange of fire", "armed_clash"),
        ("border clash", "armed_clash"),
        ("armed attack on post", "armed_clash"),
        ("перестрелка", "armed_clash"),
        ("Cross-border firing", "cross_border_fire"),
        ("обстрел", "cross_border_fire"),
        ("suicide attack", "suicide_bombing"),
        ("air raid", "airstrike"),
        ("airstrike", "airstrike"),
        ("Airstrikes", "airstrike"),
        ("airstrikes", "airstrike"),
        ("mortar fire", "shelling"),
        ("mortar attack", "shelling"),
        ("infiltration", "armed_incursion"),
        ("infiltration attempt", "armed_incursion"),
        ("drone attack", "drone_strike"),
        ("ambush", "ambush"),
        // Not in the vocabulary: kept as written, and named in a note.
        ("attack on cantonment", "attack on cantonment"),
        ("armed attack", "armed attack"),
        ("convoy attack", "convoy attack"),
    ]
    .into_iter()
    .collect();
    for (line, cells) in sheet_rows() {
        let Some(p) = run.by_line.get(&line) else {
            continue;
        };
        let word = cells["Type"].as_str();
        let expected = want
            .get(word)
            .unwrap_or_else(|| panic!("line {line}: type {word:?} has no expectation here"));
        assert_eq!(
            p["event_type"].as_str(),
            Some(*expected),
            "line {line}: {word}"
        );
    }
    assert!(
        run.stderr.contains("event types not in the vocabulary")
            && run.stderr.contains("attack on cantonment (1)"),
        "{}",
        run.stderr
    );
}

/// The last condition: the same sheet as .xlsx (and as .ods) gives the same
/// incidents as its CSV.
#[test]
fn the_sheet_as_xlsx_or_ods_gives_the_same_incidents_as_its_csv() {
    let csv = geocode(&sheets().join(SHEET_CSV), &[]);
    for book in [SHEET_XLSX, "journalist_2023_2025.ods"] {
        let wb = geocode(&sheets().join(book), &[]);
        assert_eq!(wb.code, csv.code, "{book}: {}", wb.stderr);
        assert_eq!(wb.summary["read"], csv.summary["read"], "{book}");
        assert_eq!(wb.summary["unmatched"], csv.summary["unmatched"], "{book}");
        assert!(!wb.stderr.contains("skipped:"), "{book}: {}", wb.stderr);
        assert!(
            wb.stderr.contains("Place → location"),
            "{book}: {}",
            wb.stderr
        );
        assert_eq!(csv.by_line.len(), wb.by_line.len(), "{book}");
        for (line, a) in &csv.by_line {
            let b = &wb.by_line[line];
            let strip = |p: &Value| {
                let mut p = p.clone();
                p.as_object_mut().unwrap().remove("source_file");
                p
            };
            assert_eq!(
                strip(a),
                strip(b),
                "{book}: row {line} differs from the CSV"
            );
        }
    }
    let xlsx = geocode(&sheets().join(SHEET_XLSX), &[]);
    assert!(
        xlsx.stderr
            .contains("sheet \"Incidents\" read (the workbook has \"Incidents\", \"About\")"),
        "{}",
        xlsx.stderr
    );
}

#[test]
fn sheet_option_and_refused_workbooks() {
    let run = geocode(&sheets().join(SHEET_XLSX), &["--sheet", "nope"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no sheet named \"nope\"")
            && run.stderr.contains("\"Incidents\", \"About\""),
        "{}",
        run.stderr
    );
    let run = geocode(&sheets().join(SHEET_XLSX), &["--sheet", "incidents"]);
    assert_eq!(
        run.summary["read"].as_u64(),
        Some(sheet_rows().len() as u64)
    );
    let run = geocode(&sheets().join("refused_title_row.xlsx"), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("refused_title_row.xlsx: sheet \"Incidents\": row 1 holds only \"Border incidents 2023-2025\"")
            && run.stderr.contains("must be on the first row"),
        "{}",
        run.stderr
    );
    let run = geocode(&sheets().join("refused_merged_header.xlsx"), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("merged header cells (A1:B1)"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_acled_export_resaved_by_excel_reads_every_row() {
    let file = sheets().join("acled_resaved_by_excel.csv");
    let rows = csv::Reader::from_path(&file).unwrap().records().count() as u64;
    let run = geocode(&file, &[]);
    assert_eq!(run.summary["read"].as_u64(), Some(rows));
    assert!(!run.stderr.contains("skipped:"), "{}", run.stderr);
    assert!(!run.unmatched_csv.contains("malformed row"));
    let dates: Vec<(&str, &str)> = run
        .by_line
        .values()
        .map(|p| {
            (
                p["incident_id"].as_str().unwrap(),
                p["date_start"].as_str().unwrap(),
            )
        })
        .collect();
    for want in [
        ("TEST101", "2020-04-27"),
        ("TEST102", "2020-05-03"),
        ("TEST103", "2021-06-01"),
        ("TEST104", "2022-01-01"),
        ("TEST105", "2023-09-09"),
        ("TEST106", "2024-12-31"),
    ] {
        if dates.iter().any(|(id, _)| *id == want.0) {
            assert!(dates.contains(&want), "{want:?} in {dates:?}");
        }
    }
    let types: BTreeMap<&str, &str> = run
        .by_line
        .values()
        .map(|p| {
            (
                p["incident_id"].as_str().unwrap(),
                p["event_type"].as_str().unwrap(),
            )
        })
        .collect();
    for (id, t) in [
        ("TEST102", "airstrike"),
        ("TEST103", "shelling"),
        ("TEST104", "bombing"),
        ("TEST101", "armed_clash"),
    ] {
        if let Some(got) = types.get(id) {
            assert_eq!(got, &t, "{id}");
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_day_first_column_is_read_day_first() {
    let tmp = tempfile::tempdir().unwrap();
    // Two rows of the sheet: 6 September 2023 (Chitral) and 16 March 2024 (Mir Ali).
    let f = write(
        tmp.path(),
        "pair.csv",
        "Date,Country,Province,Place\n06/09/2023,Pakistan,Khyber Pakhtunkhwa,Chitral\n16/03/2024,Pakistan,Khyber Pakhtunkhwa,Mir Ali\n",
    );
    let run = geocode(&f, &[]);
    let got: Vec<&str> = run
        .by_line
        .values()
        .map(|p| p["date_start"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["2023-09-06", "2024-03-16"], "{}", run.stderr);

    // Alone, 06/09/2023 is ambiguous: said, refused, and --date-order settles it.
    let f = write(
        tmp.path(),
        "alone.csv",
        "Date,Country,Province,Place\n06/09/2023,Pakistan,Khyber Pakhtunkhwa,Chitral\n",
    );
    let run = geocode(&f, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("could be day-first or month-first")
            && run.stderr.contains("--date-order"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("alone.csv:2: column Date:"),
        "{}",
        run.stderr
    );
    let run = geocode(&f, &["--date-order", "dmy"]);
    assert_eq!(
        run.by_line[&2]["date_start"], "2023-09-06",
        "{}",
        run.stderr
    );
    let run = geocode(&f, &["--date-order", "mdy"]);
    assert_eq!(
        run.by_line[&2]["date_start"], "2023-06-09",
        "{}",
        run.stderr
    );
}

#[test]
fn columns_flag_maps_names_the_table_does_not_know() {
    let tmp = tempfile::tempdir().unwrap();
    // A row of the sheet (Torkham, 3 March 2025) under German column names.
    let f = write(
        tmp.path(),
        "de.csv",
        "Datum,Land,Ort,Tote,Art\n2025-03-03,Afghanistan,Torkham,1,exchange of fire\n",
    );
    let run = geocode(&f, &[]);
    assert_eq!(run.code, 1, "no date column without --columns");
    assert!(run.stderr.contains("not a recognised incident file"));
    let run = geocode(
        &f,
        &[
            "--columns",
            "date=Datum,country=Land,location=Ort",
            "--columns",
            "fatalities=Tote,event_type=Art",
        ],
    );
    let p = &run.by_line[&2];
    assert_eq!(p["date_start"], "2025-03-03", "{}", run.stderr);
    assert_eq!(p["location"], "Torkham");
    assert_eq!(p["fatalities"].as_f64(), Some(1.0));
    assert_eq!(p["event_type"], "armed_clash");
    assert!(run.stderr.contains("Datum → date"), "{}", run.stderr);
    let run = geocode(&f, &["--columns", "nonsense=Datum"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a native column"), "{}", run.stderr);
}

/// Border closures stay in the layer but out of the density unless `--types` asks for them,
/// as statistics are left out.
#[test]
fn border_closures_are_kept_but_left_out_of_the_density_by_default() {
    let closures = sheet_rows()
        .iter()
        .filter(|(_, c)| {
            ["border closed", "crossing closed", "closure"].contains(&c["Type"].as_str())
        })
        .count() as f64;
    assert!(closures > 0.0);
    let density = |extra: &[&str]| -> Value {
        let out = Command::cargo_bin("borderwatch")
            .unwrap()
            .arg("density")
            .arg(sheets().join(SHEET_CSV))
            .arg("--json")
            .args(extra)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).expect("density --json")
    };
    let all = density(&[]);
    let left_out: f64 = all["excluded"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.contains("border closure"))
        .map(|(_, v)| v.as_f64().unwrap())
        .sum();
    assert_eq!(left_out, closures, "{}", all["excluded"]);
    let only = density(&["--types", "border_closure"]);
    assert_eq!(
        only["weight_in"].as_f64(),
        Some(closures),
        "{}",
        only["excluded"]
    );
    // The layer keeps them.
    let run = geocode(&sheets().join(SHEET_CSV), &[]);
    let in_layer = run
        .by_line
        .values()
        .filter(|p| p["event_type"] == "border_closure")
        .count() as f64;
    assert_eq!(in_layer, closures);
}

/// Columns nobody maps reach the layer cell for cell, whichever of them a row fills, in any
/// order of the header and whatever their names sort like.
#[test]
fn every_unused_column_reaches_the_layer_row_by_row() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("own columns.csv");
    let header = [
        "id",
        "date",
        "Zeta",
        "latitude",
        "alpha",
        "longitude",
        "Mid col",
        "Ω note",
        "event_type",
    ];
    let rows = [
        [
            "R1",
            "2025-03-01",
            "z1",
            "34.52",
            "a1",
            "69.17",
            "",
            "ω1",
            "clash",
        ],
        [
            "R2",
            "2025-03-02",
            "",
            "34.53",
            "",
            "69.18",
            "m2",
            "",
            "clash",
        ],
        [
            "R3",
            "2025-03-03",
            "z3",
            "34.54",
            "a3",
            "69.19",
            "m3",
            "ω3",
            "clash",
        ],
        [
            "R4",
            "2025-03-04",
            "",
            "34.55",
            "a4",
            "69.20",
            "",
            "",
            "clash",
        ],
    ];
    let mut csv = header.join(",") + "\n";
    for r in &rows {
        csv.push_str(&r.join(","));
        csv.push('\n');
    }
    fs::write(&file, csv).unwrap();
    let run = geocode(&file, &[]);
    assert_eq!(run.by_line.len(), rows.len(), "{}", run.stderr);
    for (i, r) in rows.iter().enumerate() {
        let p = &run.by_line[&(i as u64 + 2)];
        for (k, name) in header.iter().enumerate() {
            if ["Zeta", "alpha", "Mid col", "Ω note"].contains(name) {
                let want = Some(r[k]).filter(|v| !v.is_empty());
                assert_eq!(own(p, name).as_deref(), want, "row {}: {name}", i + 1);
            }
        }
    }
}
