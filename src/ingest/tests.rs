//! Tests of reading files as a whole: formats, encodings, line numbers, bad rows.
use super::*;
use crate::model::{DatePrecision, PrecisionClass};

const OPTS: IngestOptions = IngestOptions::DEFAULT;

fn read(name: &str, s: &[u8]) -> Ingested {
    let got = read_bytes(name, s, &OPTS).unwrap();
    assert_eq!(
        got.rows_read,
        (got.records.len() + got.skipped.len()) as u64,
        "invariant"
    );
    got
}

const HEADER: &str = "id,date,location,latitude,longitude,event_type,fatalities,count";

/// Records handed over in batches are the records read whole, in order; the rest of the
/// result (rows, skipped rows, warnings) is the same too.
#[test]
fn batches_hold_the_same_records_as_a_whole_read() {
    let mut csv = format!("{HEADER}\n");
    let rows = 2 * BATCH_RECORDS + 5_000;
    for i in 0..rows {
        match i % 10_007 {
            // A malformed row now and then (a count that is not a number).
            17 => csv.push_str(&format!("R{i},2025-01-02,Khost,,,clash,1,many\n")),
            _ => csv.push_str(&format!(
                "R{i},2025-01-{:02},Place {},{:.3},{:.3},clash,{},\n",
                1 + i % 28,
                i % 97,
                33.0 + (i % 400) as f64 / 100.0,
                69.0 + (i % 300) as f64 / 100.0,
                i % 5
            )),
        }
    }
    let whole = read("many.csv", csv.as_bytes());
    let mut batches: Vec<Vec<IncidentRecord>> = Vec::new();
    let mut rest =
        read_reader_in_batches("many.csv", csv.as_bytes(), &OPTS, &mut |b| batches.push(b))
            .unwrap();
    assert!(rest.records.is_empty());
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    // Handed over once a batch's worth has been read, so every batch but the last holds
    // at least that many, and none much more.
    assert!(batches.len() >= 2, "{sizes:?}");
    let (last, full) = sizes.split_last().unwrap();
    assert!(
        full.iter()
            .all(|&n| (BATCH_RECORDS..2 * BATCH_RECORDS).contains(&n))
    );
    assert!(*last < 2 * BATCH_RECORDS, "{sizes:?}");
    assert!(!whole.skipped.is_empty());
    rest.records = batches.concat();
    assert_eq!(rest.records.len(), whole.records.len());
    assert!(rest == whole, "batched reading differs from a whole read");
}

#[test]
fn native_basic_and_line_numbers() {
    let csv = format!(
        "{HEADER},mystery\nTEST1,2025-11-26,Testville,34.5,70.1,drone strike,12,,x\n\
         ,2025-12,\"Test\nTown\",,,Something odd,12.0,3,\nTEST3,2025,Testburg,,,,,,\n"
    );
    let got = read("incidents.csv", csv.as_bytes());
    assert_eq!(got.format, SourceFormat::Native);
    assert_eq!(got.rows_read, 3);
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);
    let [a, b, c] = &got.records[..] else {
        panic!("3 records")
    };
    assert_eq!(a.event_type.as_deref(), Some("drone_strike"));
    assert_eq!(a.fatalities, Some(12.0));
    assert_eq!(a.count, 1.0);
    assert_eq!(a.extra.get("mystery"), Some("x"));
    assert_eq!(a.provenance.line, 2);
    assert_eq!(&*b.id, "incidents:3", "generated from stem and line");
    assert_eq!(b.location.as_deref(), Some("Test\nTown"));
    assert_eq!(b.event_type.as_deref(), Some("Something odd"));
    assert_eq!(b.count, 3.0);
    assert_eq!(b.date.unwrap().precision, DatePrecision::Month);
    assert!(b.extra.is_empty(), "empty extra cells are not kept");
    assert_eq!(
        c.provenance.line, 5,
        "physical line after an embedded newline"
    );
    assert_eq!(c.fatalities, None, "empty stays unknown, not 0");
    assert_eq!(c.latitude, None);
}

#[test]
fn bom_crlf_and_header_case() {
    let csv = b"\xEF\xBB\xBF ID , Date ,Location\r\nTEST1,2025-11-26,Testville\r\nTEST2,2025-11-27,Testburg\r\n";
    let got = read("bom.csv", csv);
    assert_eq!(got.records.len(), 2);
    assert_eq!(&*got.records[0].id, "TEST1");
    assert_eq!(got.records[1].location.as_deref(), Some("Testburg"));
    assert_eq!(got.records[1].provenance.line, 3);
    assert!(got.warnings.is_empty());
}

#[test]
fn semicolons_and_tabs() {
    let got = read(
        "semi.csv",
        b"id;date;location;notes\nTEST1;2025-11-26;Testville;\"a, b\"\n",
    );
    assert_eq!(got.records[0].notes.as_deref(), Some("a, b"));
    let got = read(
        "tab.tsv",
        b"id\tdate\tlocation\nTEST1\t2025-11-26\tTestville\n",
    );
    assert_eq!(got.records[0].location.as_deref(), Some("Testville"));
}

#[test]
fn latin1_bytes_are_decoded_with_a_warning() {
    let got = read(
        "latin1.csv",
        b"id,date,location\nTEST1,2025-11-26,K\xf6ln \x96 Test\n",
    );
    assert_eq!(got.records[0].location.as_deref(), Some("Köln – Test"));
    assert_eq!(got.warnings.len(), 1);
    assert_eq!(got.warnings[0].line, 0);
    assert!(
        got.warnings[0].reason.contains("Windows-1252"),
        "{}",
        got.warnings[0]
    );
    assert!(
        got.warnings[0].reason.contains("line 2"),
        "{}",
        got.warnings[0]
    );
}

#[test]
fn latin1_after_the_sniff_window_is_decoded_per_field() {
    let mut csv = b"id,date,location\n".to_vec();
    for i in 0..50 {
        csv.extend_from_slice(format!("TEST{i},2025-11-26,Testville\n").as_bytes());
    }
    csv.extend_from_slice(b"TESTX,2025-11-26,Z\xfcrich\n");
    let got = read_with_window("late.csv", &csv[..], &OPTS, 64, None).unwrap();
    assert_eq!(got.records.len(), 51);
    assert_eq!(got.records[50].location.as_deref(), Some("Zürich"));
    assert_eq!(got.warnings.len(), 1);
    assert_eq!(got.warnings[0].line, 52);
    assert_eq!(got.warnings[0].column.as_deref(), Some("location"));
}

#[test]
fn utf16_with_bom() {
    let text = "id\tdate\tlocation\r\nTEST1\t2025-11-26\tTeståby\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let got = read("utf16.txt", &bytes);
    assert_eq!(got.records[0].location.as_deref(), Some("Teståby"));
}

#[test]
fn empty_and_header_only() {
    for empty in [&b""[..], b"\xEF\xBB\xBF", b"  \n\r\n"] {
        match read_bytes("empty.csv", empty, &OPTS) {
            Err(e @ IngestError::Empty { .. }) => {
                assert!(e.to_string().contains("empty.csv is empty"))
            }
            other => panic!("{other:?}"),
        }
    }
    let got = read("header.csv", b"id,date,location\n");
    assert_eq!((got.rows_read, got.records.len()), (0, 0));
    let got = read("header.csv", b"id,date,location");
    assert_eq!(got.rows_read, 0);
}

#[test]
fn whole_file_errors() {
    assert!(matches!(
        read_bytes("x.csv", b",,\n1,2,3\n", &OPTS),
        Err(IngestError::NoHeader { line: 1, .. })
    ));
    let e = read_bytes("x.csv", b"name,lat,lon\na,1,2\n", &OPTS).unwrap_err();
    assert!(matches!(e, IngestError::UnknownFormat { .. }));
    assert!(e.to_string().contains("\"lat\""), "{e}");
    let e = read_bytes("x.csv", b"id,date,location,Location\n", &OPTS).unwrap_err();
    assert!(matches!(e, IngestError::DuplicateColumn { .. }), "{e}");
    let e = read_bytes("s.xlsx", b"PK\x03\x04\x14\x00", &OPTS).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("s.xlsx: this is a ZIP archive (an .xlsx or .ods spreadsheet?)"),
        "{e}"
    );
    let e = read_path(Path::new("/nonexistent/borderwatch.csv"), &OPTS).unwrap_err();
    assert!(matches!(e, IngestError::Unreadable { .. }));
}

#[test]
fn duplicate_extra_columns_are_both_kept() {
    let got = read(
        "d.csv",
        b"id,date,location,tag,tag\nTEST1,2025,Testville,a,b\n",
    );
    let extra = &got.records[0].extra;
    assert_eq!(extra.get("tag"), Some("a"));
    assert_eq!(extra.get("tag (2)"), Some("b"));
}

#[test]
fn wrong_field_count_skips_and_continues() {
    let csv = format!(
        "{HEADER}\nTEST1,2025-11-26,Testville,34,70,,1,\nTEST2,2025-11-26,Testville\nTEST3,2025-11-26,Testville,34,70,,1,\n"
    );
    let got = read("count.csv", csv.as_bytes());
    assert_eq!(got.rows_read, 3);
    assert_eq!(got.records.len(), 2);
    let s = &got.skipped[0];
    assert_eq!(s.line, 3);
    assert_eq!(s.reason, "expected 8 fields, found 3");
    assert_eq!(s.text.as_deref(), Some("TEST2,2025-11-26,Testville"));
    assert_eq!(&*got.records[1].id, "TEST3");
}

#[test]
fn unbalanced_quote_hint() {
    // The open quote swallows the rest of the file into one field of a 2-field row.
    let csv = "id,date,location\nTEST1,\"2025,Testville\nTEST2,2025,Testburg\nTEST3,2025,Testham\n";
    let got = read("q.csv", csv.as_bytes());
    assert_eq!(got.rows_read, 1);
    assert!(
        got.skipped[0].reason.contains("from line 2 to line 4"),
        "{}",
        got.skipped[0]
    );
    // Same, but the field count happens to match: kept, with a warning.
    let csv = "id,date,location\nTEST1,2025,\"Testville\nTEST2,2025,Testburg\nTEST3,2025,Testham\n";
    let got = read("q.csv", csv.as_bytes());
    assert_eq!(got.records.len(), 1);
    assert!(
        got.warnings[0]
            .to_string()
            .starts_with("q.csv:2: column location: this value runs"),
        "{}",
        got.warnings[0]
    );
}

#[test]
fn classic_mac_cr_line_ends_keep_physical_line_numbers() {
    let csv = "id,date,location\rTEST1,2025,Testville\rTEST2,2025,\"Test\rburg\"\r\rTEST3,2025,Testham\rTEST4,x,Testham\r";
    let got = read("mac.csv", csv.as_bytes());
    let lines: Vec<u64> = got.records.iter().map(|r| r.provenance.line).collect();
    assert_eq!(lines, vec![2, 3, 6]);
    assert_eq!(got.skipped[0].line, 7);
    // Mixed: LF CR is two breaks, CR LF one.
    let got = read(
        "mixed.csv",
        b"id,date,location\n\rTEST1,2025,x\r\nTEST2,2025,y\n",
    );
    let lines: Vec<u64> = got.records.iter().map(|r| r.provenance.line).collect();
    assert_eq!(lines, vec![3, 4]);
}

#[test]
fn header_only_and_long_headers_are_explained() {
    let got = read("h.csv", b"id,date,location\n");
    assert!(got.warnings[0].reason.contains("only a header line"));
    let header = format!("\"{}\n{}", "x".repeat(500), "y,".repeat(100));
    let e = read_bytes("q.csv", header.as_bytes(), &OPTS).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("quote in the header line is probably not closed"),
        "{msg}"
    );
    assert!(msg.len() < 1000, "{msg}");
}

#[test]
fn control_characters_in_values_are_shown_escaped() {
    let got = read(
        "c.csv",
        b"id,date,location\nTEST1,2025\x00,Testville\x1b[31m\n",
    );
    let msg = got.skipped[0].to_string();
    assert!(msg.contains("2025\\u{0} is not"), "{msg}");
}

#[test]
fn blank_lines_and_crlf_keep_physical_line_numbers() {
    let csv = "id,date,location\r\n\r\nTEST1,2025,\"Test\r\nville\"\r\n\nTEST2,2025,Testburg\nTEST3,2025,Testham";
    let got = read("l.csv", csv.as_bytes());
    let lines: Vec<u64> = got.records.iter().map(|r| r.provenance.line).collect();
    assert_eq!(lines, vec![3, 6, 7]);
    let got = read("l.csv", b"\n\nid,date,location\nTEST1,2025,Testville\n");
    assert_eq!(got.records[0].provenance.line, 4);
}

#[test]
fn strict_stops_at_first_bad_row() {
    let csv = format!("{HEADER}\nTEST1,2025-11-26,Testville,34,70,,1,abc\n");
    match read_bytes(
        "s.csv",
        csv.as_bytes(),
        &IngestOptions {
            strict: true,
            ..IngestOptions::DEFAULT
        },
    ) {
        Err(IngestError::Strict(p)) => assert_eq!(p.line, 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn non_numeric_fatalities_are_unknown_with_a_warning_naming_column_and_line() {
    let csv = format!(
        "{HEADER}\nTEST1,2025-11-26,Testville,34,70,,1,\nTEST2,2025-11-26,Testville,34,70,,abc,\n"
    );
    let got = read("incidents.csv", csv.as_bytes());
    assert!(got.skipped.is_empty(), "a count never rejects a row");
    assert_eq!(got.records[1].fatalities, None);
    assert_eq!(
        got.records[1].extra.get("fatalities_qualifier"),
        Some("unknown")
    );
    assert!(
        got.warnings[0]
            .to_string()
            .starts_with("incidents.csv:3: column fatalities: abc is not a number"),
        "{}",
        got.warnings[0]
    );
}

#[test]
fn coordinate_problems() {
    let csv = format!(
        "{HEADER}\nTEST1,2025,Testville,NaN,70,,,\nTEST2,2025,Testville,137.2,34.5,,,\nTEST3,2025,Testville,34.5,,,,\nTEST4,2025,Testville,34,inf,,,\n"
    );
    let got = read("incidents.csv", csv.as_bytes());
    assert_eq!(got.records.len(), 0);
    let msgs: Vec<String> = got.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs[0],
        "incidents.csv:2: column latitude: NaN is not a finite number"
    );
    assert!(msgs[1].starts_with(
        "incidents.csv:3: column latitude: 137.2 is not a latitude (must be within -90..90); latitude and longitude appear swapped"
    ), "{}", msgs[1]);
    assert!(
        msgs[2].contains("latitude given without a longitude"),
        "{}",
        msgs[2]
    );
    assert!(
        msgs[3].contains("column longitude: inf is not a finite number"),
        "{}",
        msgs[3]
    );
}

#[test]
fn native_optional_columns() {
    let csv = "id,date,date_precision,location,precision,count,wounded,fatalities_low,fatalities,fatalities_high\n\
               TEST1,2025-11-01,month,Testville,border zone,80,,1,2,3\n\
               TEST2,2025-11-01,,Testville,4,0,,,,\n\
               TEST3,2025-11-01,weekly,Testville,,,,,,\n\
               TEST4,2025-11,day,Testville,7,,-3,,,\n\
               TEST5,2025-11,day,Testville,7,,,,,\n";
    let got = read("n.csv", csv.as_bytes());
    let a = &got.records[0];
    let d = a.date.unwrap();
    assert_eq!((d.precision, d.end.day), (DatePrecision::Month, 30));
    assert_eq!(a.stated_precision, Some(PrecisionClass::BorderZone));
    assert_eq!(a.count, 80.0);
    assert_eq!(
        (a.fatalities_low, a.fatalities, a.fatalities_high),
        (Some(1.0), Some(2.0), Some(3.0))
    );
    let reasons: Vec<&str> = got.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("must be > 0"));
    assert!(reasons[1].contains("not a date precision"));
    // A negative count of wounded is unknown, with a warning; the row is kept.
    let w = &got.records[1];
    assert_eq!((&*w.id, w.wounded), ("TEST4", None));
    assert!(got.warnings.iter().any(|w| w.reason.contains("negative")));
    let e = &got.records[2];
    assert_eq!(&*e.id, "TEST5");
    assert_eq!(e.stated_precision, None);
    assert_eq!(e.extra.get("precision"), Some("7"));
    assert!(got.warnings.iter().any(|w| w.reason.contains("finer than")));
    assert!(got.warnings.iter().any(|w| w.reason.contains("code 7")));
}

#[test]
fn blank_and_hxl_rows_are_skipped_with_reason() {
    let got = read(
        "h.csv",
        b"id,date,location\n#id,#date,#loc\n , ,\nTEST1,2025,Testville\n",
    );
    assert_eq!(got.rows_read, 3);
    assert_eq!(got.records.len(), 1);
    assert!(got.skipped[0].reason.contains("HXL"));
    assert_eq!(got.skipped[1].reason, "row has no values");
}

#[test]
fn detect_format_public() {
    let h = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
    assert_eq!(
        detect_format(&h("ID, Date ,LOCATION")),
        Some(SourceFormat::Native)
    );
    assert_eq!(
        detect_format(&h("id,year,month,day,country,side_a,best_death")),
        Some(SourceFormat::UcdpGed)
    );
    assert_eq!(
        detect_format(&h("eventid,iyear,imonth,iday")),
        Some(SourceFormat::Gtd)
    );
    assert_eq!(
        detect_format(&h("event_id_cnty,event_date")),
        Some(SourceFormat::Acled)
    );
    assert_eq!(detect_format(&h("a,b")), None);
}

#[test]
fn never_panics_on_junk() {
    let inputs: Vec<Vec<u8>> = vec![
        b"\"".to_vec(),
        b"id,date,location\n\"\"\"".to_vec(),
        b"id,date,location\n\xff\xfe\xfd,\xc3,\xe2\x82\n".to_vec(),
        b"[".to_vec(),
        b"{\"type\":\"FeatureCollection\",\"features\":7}".to_vec(),
        b"[1,2,{\"date\":[1],\"location\":{}}]".to_vec(),
        b"\xFE\xFF\x00".to_vec(),
        (0..=255u8).cycle().take(5000).collect(),
        "id,date,location\nTEST1,ééééé-é,ü\n".as_bytes().to_vec(),
    ];
    for input in inputs {
        if let Ok(got) = read_bytes("junk", &input, &OPTS) {
            assert_eq!(
                got.rows_read,
                (got.records.len() + got.skipped.len()) as u64
            );
        }
    }
}

#[test]
fn row_problem_display() {
    let p = RowProblem {
        file: "incidents.csv".into(),
        line: 14,
        column: Some("latitude".into()),
        reason: "137.2 is not a latitude (must be within -90..90)".into(),
        text: Some("137.2".into()),
    };
    assert_eq!(
        p.to_string(),
        "incidents.csv:14: column latitude: 137.2 is not a latitude (must be within -90..90)"
    );
    let f = RowProblem {
        line: 0,
        column: None,
        reason: "note".into(),
        ..p
    };
    assert_eq!(f.to_string(), "incidents.csv: note");
}

/// Read for an analysis only, a file's records are the same but for the cells of columns no
/// importer maps, which are not kept; rows, skipped rows and warnings are the same. CSV (a
/// native file and a UCDP-shaped one) and JSON alike.
#[test]
fn an_analysis_only_read_keeps_everything_but_the_unmapped_cells() {
    let native = format!(
        "{HEADER},mystery,other\nT1,2025-11-26,Testville,34.5,70.1,drone strike,12,,x,y\n\
         T2,2025-11-27,Testburg,,,clash,many,,z,\nT3,2025-12,,34.6,70.2,,,,,w\n"
    );
    let ucdp = "id,date_start,date_end,where_prec,latitude,longitude,best,low,high,type_of_violence,side_a,side_b,conflict_name\n\
                U1,2020-01-01,2020-01-01,7,34.5,70.1,1,1,1,1,Test A,Test B,Test conflict\n\
                U2,2020-01-02,2020-01-02,1,34.6,70.2,2,1,3,1,Test A,,Test conflict\n";
    let json = r#"[{"id":"J1","date":"2025-01-02","latitude":34.5,"longitude":70.1,"tags":["a"]},
                   {"id":"J2","date":"2025-01-03","location":"Khost","colour":"red"}]"#;
    let analysis = IngestOptions {
        analysis_only: true,
        ..OPTS
    };
    for (name, bytes) in [
        ("incidents.csv", native.as_bytes()),
        ("ged.csv", ucdp.as_bytes()),
        ("incidents.json", json.as_bytes()),
    ] {
        let whole = read_bytes(name, bytes, &OPTS).unwrap();
        let lean = read_bytes(name, bytes, &analysis).unwrap();
        assert_eq!(
            (&whole.skipped, &whole.warnings, whole.rows_read),
            (&lean.skipped, &lean.warnings, lean.rows_read),
            "{name}"
        );
        assert_eq!(whole.records.len(), lean.records.len(), "{name}");
        let mut dropped = 0;
        for (w, l) in whole.records.iter().zip(&lean.records) {
            // What the importers note themselves (UCDP's precision note) stays.
            assert!(
                l.extra.iter().all(|(k, v)| w.extra.get(k) == Some(v)),
                "{name}"
            );
            dropped += w.extra.len() - l.extra.len();
            let (mut w, mut l) = (w.clone(), l.clone());
            w.extra.clear();
            l.extra.clear();
            assert_eq!(w, l, "{name}");
        }
        assert!(dropped >= 2, "{name}: {dropped} unmapped cells left out");
    }
}

/// A column is found by its key the same way with the table's index and without it: the
/// first of the columns with that key.
#[test]
fn the_key_index_finds_the_first_column_of_a_key() {
    let keys: Vec<String> = ["id", "date", "tag", "latitude", "tag", ""]
        .iter()
        .map(|k| k.to_string())
        .collect();
    let index = row::KeyIndex::new(&keys);
    for key in ["id", "date", "tag", "latitude", "", "longitude", "Tag"] {
        let scanned = keys.iter().position(|k| k == key);
        assert_eq!(row::column_of(&keys, Some(&index), key), scanned, "{key:?}");
        assert_eq!(row::column_of(&keys, None, key), scanned, "{key:?}");
    }
    assert_eq!(row::column_of(&keys, Some(&index), "tag"), Some(2));

    // Keys sharing a tag are told apart, and none is turned away: every key of a wide header
    // (a UCDP GED export's, and more) is found, and absent ones are not.
    let wide: Vec<String> = (0..400)
        .map(|i| {
            format!(
                "{}_{}",
                ["where", "deaths", "id", "x"][i % 4],
                i * 7919 % 1000
            )
        })
        .chain(
            "id relid year active_year code_status type_of_violence conflict_dset_id \
             conflict_new_id conflict_name dyad_dset_id dyad_new_id dyad_name side_a_dset_id \
             side_a_new_id side_a side_b_dset_id side_b_new_id side_b number_of_sources \
             source_article source_office source_date source_headline source_original \
             where_prec where_coordinates where_description adm_1 adm_2 latitude longitude \
             geom_wkt priogrid_gid country country_id region event_clarity date_prec \
             date_start date_end deaths_a deaths_b deaths_civilians deaths_unknown best high \
             low gwnoa gwnob"
                .split_whitespace()
                .map(String::from),
        )
        .collect();
    let index = row::KeyIndex::new(&wide);
    for (i, key) in wide.iter().enumerate() {
        let first = wide.iter().position(|k| k == key).unwrap();
        assert!(first <= i);
        assert_eq!(index.get(key), Some(first), "{key:?}");
    }
    for key in ["latitude", "fatalities_low", "", "where_1", "deaths_x"] {
        assert_eq!(
            index.get(key),
            wide.iter().position(|k| k == key),
            "{key:?}"
        );
    }
}

/// A key found by its number ([`row::KeyIndex::get_key`]) is in the column its text gives
/// ([`row::KeyIndex::get`]): every listed key, in indexes of listed keys in many orders,
/// with repeated and absent keys, with other columns among them, and a key not listed.
#[test]
fn keys_found_by_number_are_in_the_column_their_text_gives() {
    use super::keys::{KEYS, Key, key};
    let index_of =
        |keys: &[&str]| row::KeyIndex::new(&keys.iter().map(|k| k.to_string()).collect::<Vec<_>>());
    let mut next = crate::geo_util::test_uniform(11);
    for round in 0..200 {
        let mut columns: Vec<&str> = Vec::new();
        for _ in 0..(next() * 40.0) as usize {
            let r = next();
            columns.push(if r < 0.8 {
                KEYS[(next() * KEYS.len() as f64) as usize % KEYS.len()]
            } else if r < 0.9 {
                "not_a_listed_column"
            } else {
                "lat"
            });
        }
        let index = index_of(&columns);
        for (id, name) in KEYS.iter().enumerate() {
            let listed = Key::listed(name);
            assert_eq!(usize::from(listed.id), id);
            let first = columns.iter().position(|c| c == name);
            assert_eq!(
                index.get_key(listed),
                first,
                "{name} in {columns:?} ({round})"
            );
            assert_eq!(index.get_key(listed), index.get(name));
        }
        for name in ["not_a_listed_column", "lat", "absent"] {
            let first = columns.iter().position(|c| *c == name);
            assert_eq!(index.get_key(Key::unlisted(name)), first, "{name}");
        }
    }
    let a = index_of(&["id", "date", "latitude"]);
    let b = index_of(&["latitude", "notes", "date", "id"]);
    assert_eq!(
        (a.get_key(key!("id")), b.get_key(key!("id"))),
        (Some(0), Some(3))
    );
    assert_eq!(
        (a.get_key(key!("notes")), b.get_key(key!("notes"))),
        (None, Some(1))
    );
}

/// A row finds a listed key by its number where it has an index, and by its text where it
/// has none (a JSON object): the same cells, names and pass-through either way, for listed
/// and unlisted keys, present, repeated, empty and absent.
#[test]
fn a_row_finds_the_same_cells_by_number_and_by_text() {
    use super::keys::{Key, key};
    use std::borrow::Cow;
    let names: Vec<String> = ["ID", "Date", "latitude", "date", "Notes", "extra", "count"]
        .iter()
        .map(|n| n.to_string())
        .collect();
    let keys: Vec<String> = names.iter().map(|n| row::normalise_key(n)).collect();
    let values: Vec<Cow<'_, str>> = ["7", " 2024-05-01 ", "34.5", "1999-01-01", "", "x", "2"]
        .into_iter()
        .map(Cow::Borrowed)
        .collect();
    let index = row::KeyIndex::new(&keys);
    let asked = [
        key!("id"),
        key!("date"),
        key!("latitude"),
        key!("notes"),
        key!("count"),
        key!("longitude"),
        Key::unlisted("extra"),
        Key::unlisted("absent"),
    ];
    let look = |index: Option<&row::KeyIndex>| {
        let mut r = row::Row::new(&names, &keys, index, None, &values);
        let mut seen = Vec::new();
        for key in asked {
            let name = r.name_of(key);
            let peeked = r
                .peek(key)
                .map(|f| (f.name.to_string(), f.value.to_string()));
            let taken = r
                .take(key)
                .map(|f| (f.name.to_string(), f.value.to_string()));
            seen.push((name, peeked, taken));
        }
        r.release(key!("count"));
        (seen, r.extras())
    };
    let (by_number, extras) = look(Some(&index));
    assert_eq!((by_number.clone(), extras.clone()), look(None));
    // The first column of a repeated key, trimmed; an empty cell is no field.
    assert_eq!(
        by_number[1].2,
        Some(("Date".to_string(), "2024-05-01".to_string()))
    );
    assert_eq!(by_number[3], ("Notes".to_string(), None, None));
    assert_eq!(by_number[5], ("longitude".to_string(), None, None));
    // Released, `count` goes to the pass-through cells with the second `date`.
    let passed: Vec<(String, String)> = extras
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    assert_eq!(
        passed,
        [("count", "2"), ("date", "1999-01-01")].map(|(n, v)| (n.to_string(), v.to_string()))
    );
}

/// A row's pass-through cells are the same taken in the header's name order (worked out
/// once per file) as sorted row by row: names out of order, repeated, differing only in
/// case, and cells left empty or taken by an importer.
#[test]
fn extras_in_the_headers_name_order_match_extras_sorted_per_row() {
    use std::borrow::Cow;
    let names: Vec<String> = ["zeta", "Alpha", "mid", "alpha", "mid", "b", "", "Zeta"]
        .iter()
        .map(|n| n.to_string())
        .collect();
    let keys: Vec<String> = names.iter().map(|n| row::normalise_key(n)).collect();
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
    let mut next = crate::geo_util::test_uniform(7);
    for _ in 0..500 {
        let values: Vec<Cow<'_, str>> = (0..names.len())
            .map(|i| {
                if next() < 0.3 {
                    Cow::Borrowed("")
                } else {
                    Cow::Owned(format!("v{i}"))
                }
            })
            .collect();
        let taken: Vec<&str> = ["mid", "b"].into_iter().filter(|_| next() < 0.5).collect();
        let extras = |name_order: Option<&[u32]>| {
            let mut r = row::Row::new(&names, &keys, None, name_order, &values);
            for key in &taken {
                r.take(super::keys::Key::unlisted(key));
            }
            r.extras()
        };
        let sorted = extras(None);
        assert_eq!(extras(Some(&order)), sorted, "{values:?} {taken:?}");
        // Each name once, the first column of a repeated name kept.
        let got: Vec<(String, String)> = sorted
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let mut names_seen: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        names_seen.dedup();
        assert_eq!(names_seen.len(), got.len());
    }
}

/// A cell is trimmed as `str::trim` trims it, Unicode spaces included.
#[test]
fn cells_are_trimmed_as_trim_does() {
    for s in [
        "",
        " ",
        "a",
        "ab",
        " a",
        "a ",
        "\ta\n",
        "Kabul",
        "\u{a0}Kabul",
        "Kabul\u{a0}",
        "\u{3000}x\u{2003}",
        "é",
        " é ",
        "x\u{200b}",
        "\u{85}y",
        "1,5",
        "-",
        "\r\n",
    ] {
        assert_eq!(row::trim_cell(s), s.trim(), "{s:?}");
    }
    // Every ASCII character before and after a cell (vertical tab and form feed included).
    for b in 0..=127u8 {
        let c = char::from(b);
        for s in [
            format!("{c}x"),
            format!("x{c}"),
            format!("{c}x{c}"),
            c.to_string(),
        ] {
            assert_eq!(row::trim_cell(&s), s.trim(), "{s:?}");
        }
    }
}
