//! The multi-row inserts write the same file as one insert per row.

use super::*;
use crate::export::schema::FieldType;
use std::borrow::Cow;

/// Fields of the given names and types.
fn fields(list: &[(&'static str, FieldType)]) -> Vec<Field> {
    list.iter()
        .map(|&(name, ty)| Field {
            name: Cow::Borrowed(name),
            ty,
        })
        .collect()
}

/// A point layer "points" with `fields`.
fn points(fields: &[Field]) -> LayerSpec<'_> {
    LayerSpec {
        name: "points",
        kind: GeomKind::Point,
        fields,
        description: "points",
    }
}

/// A package of `n` points with a few fields (text, real, NULLs), rows announced or not.
fn package(dir: &Path, n: usize, announce: bool) -> Vec<u8> {
    let path = dir.join(format!("{n}-{announce}.gpkg"));
    let fields = fields(&[("name", FieldType::Text), ("value", FieldType::Real)]);
    let spec = points(&fields);
    let mut g = GeoPackage::create(&path, "2024-01-01T00:00:00.000Z").unwrap();
    g.add_layer(&spec, |rows| {
        if announce {
            rows.expect(n);
        }
        for i in 0..n {
            let name = format!("p{i}");
            let values = [
                if i % 3 == 0 { NULL } else { text(&name) },
                if i % 5 == 0 {
                    NULL
                } else {
                    real(i as f64 / 7.0)
                },
            ];
            rows.push(Shape::Point(60.0 + i as f64 * 1e-3, 30.0), &values)?;
        }
        Ok(())
    })
    .unwrap();
    std::fs::read(g.finish().unwrap()).unwrap()
}

#[test]
fn batches_write_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    // Several full batches, then a tail of single-row inserts.
    let n = 3 * BATCH_ROWS + 17;
    let batched = package(dir.path(), n, true);
    assert_eq!(batched, package(dir.path(), n, false));
    let conn = Connection::open(dir.path().join(format!("{n}-true.gpkg"))).unwrap();
    let (count, max, nulls): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), max(fid), count(*) - count(name) FROM points",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((count, max), (n as i64, n as i64));
    assert_eq!(nulls, n.div_ceil(3) as i64);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn fewer_rows_than_announced_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let fields = fields(&[("name", FieldType::Text)]);
    let spec = points(&fields);
    let mut g =
        GeoPackage::create(&dir.path().join("short.gpkg"), "2024-01-01T00:00:00.000Z").unwrap();
    let result = g.add_layer(&spec, |rows| {
        rows.expect(BATCH_ROWS + 1);
        rows.push(Shape::Point(60.0, 30.0), &[text("only")])
    });
    assert!(result.is_err());
}

/// A test value: text bound in place, or a number, or NULL.
#[derive(Clone, Copy)]
enum Value<'v> {
    Lasting(&'v str),
    Int(i64),
    Real(f64),
    Null,
}

impl<'v> RowValue<'v> for Value<'v> {
    fn bound(&self) -> Result<Bound<'v, '_>> {
        Ok(match *self {
            Value::Lasting(t) => Bound::Lasting(t.as_bytes()),
            Value::Int(v) => Bound::Copied(ValueRef::Integer(v)),
            Value::Real(v) => Bound::Copied(ValueRef::Real(v)),
            Value::Null => Bound::Copied(ValueRef::Null),
        })
    }
}

/// Rows whose values repeat in runs and then change (the case where a held value is not
/// bound again), written with text bound in place or every value copied.
fn repeating_package(dir: &Path, names: &[String], in_place: bool) -> Vec<u8> {
    let path = dir.join(format!("repeating-{in_place}.gpkg"));
    let fields = fields(&[
        ("name", FieldType::Text),
        ("n", FieldType::Integer),
        ("value", FieldType::Real),
    ]);
    let spec = points(&fields);
    let n = 2 * BATCH_ROWS + 37;
    let row = |i: usize| -> [Value<'_>; 3] {
        [
            match (i / 7) % 4 {
                3 => Value::Null,
                k => Value::Lasting(&names[k]),
            },
            if i % 11 == 10 {
                Value::Null
            } else {
                Value::Int((i / 5) as i64)
            },
            match i % 6 {
                0 | 1 => Value::Real(0.0),
                2 => Value::Real(-0.0),
                3 => Value::Null,
                _ => Value::Real((i / 13) as f64 * 0.5),
            },
        ]
    };
    let mut g = GeoPackage::create(&path, "2024-01-01T00:00:00.000Z").unwrap();
    g.add_layer(&spec, |rows| {
        rows.expect(n);
        for i in 0..n {
            let point = Shape::Point(60.0 + i as f64 * 1e-3, 30.0);
            let values = row(i);
            if in_place {
                rows.push_values(point, values.iter())?;
            } else {
                let copied: Vec<ToSqlOutput<'_>> = values
                    .iter()
                    .map(|v| match *v {
                        Value::Lasting(t) => text(t),
                        Value::Int(v) => ToSqlOutput::from(v),
                        Value::Real(v) => real(v),
                        Value::Null => NULL,
                    })
                    .collect();
                rows.push(point, &copied)?;
            }
        }
        Ok(())
    })
    .unwrap();
    let bytes = std::fs::read(g.finish().unwrap()).unwrap();
    // What was stored is what each row gave, row by row.
    let conn = Connection::open(&path).unwrap();
    let mut query = conn
        .prepare("SELECT fid, name, n, value FROM points ORDER BY fid")
        .unwrap();
    type Stored = (i64, Option<String>, Option<i64>, Option<f64>);
    let stored: Vec<Stored> = query
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(stored.len(), n);
    for (i, (fid, name, number, value)) in stored.into_iter().enumerate() {
        assert_eq!(fid, i as i64 + 1);
        let [want_name, want_number, want_value] = row(i);
        let want_name = match want_name {
            Value::Lasting(t) => Some(t.to_string()),
            _ => None,
        };
        assert_eq!(name, want_name, "row {i}");
        let want_number = match want_number {
            Value::Int(v) => Some(v),
            _ => None,
        };
        assert_eq!(number, want_number, "row {i}");
        let want_value = match want_value {
            Value::Real(v) => Some(v),
            _ => None,
        };
        // SQLite stores -0.0 as 0 (a REAL with an integer value is kept as an integer).
        assert_eq!(value, want_value, "row {i}");
    }
    bytes
}

/// Text bound in place, with repeated values not bound again, across full batches and the
/// single-row tail, stores every row's own values and writes the same file as copying all.
#[test]
fn text_in_place_and_held_values_write_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = ["Torkham", "", "Spin Boldak"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let in_place = repeating_package(dir.path(), &names, true);
    assert_eq!(in_place, repeating_package(dir.path(), &names, false));
}

/// Every table's rows, table by table in name order, each row's values in order.
fn contents(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut names = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    let names: Vec<String> = names
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for name in names {
        let mut rows = conn
            .prepare(&format!(
                "SELECT * FROM {} ORDER BY rowid",
                tables::quoted(&name)
            ))
            .unwrap();
        let width = rows.column_count();
        let mut q = rows.query([]).unwrap();
        while let Some(r) = q.next().unwrap() {
            let values: Vec<String> = (0..width)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect();
            out.push(format!("{name}: {}", values.join(" | ")));
        }
    }
    out
}

/// Points for the indexed-first tests: a spread, and one empty point (no envelope).
fn scattered(n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| match i {
            7 => (f64::NAN, f64::NAN),
            _ => (
                60.0 + (i * 37 % 101) as f64 * 0.01,
                30.0 + (i % 13) as f64 * 0.1,
            ),
        })
        .collect()
}

/// A package of `pts` written with the R-tree filled after the rows, or before them from
/// `indexed` envelopes.
fn package_of(path: &Path, pts: &[(f64, f64)], indexed: Option<Envelopes>) -> Result<()> {
    let fields = fields(&[("name", FieldType::Text)]);
    let spec = points(&fields);
    let mut g = GeoPackage::create(path, "2024-01-01T00:00:00.000Z").unwrap();
    let fill = |rows: &mut Rows<'_, '_>| {
        rows.expect(pts.len());
        for (i, &(x, y)) in pts.iter().enumerate() {
            rows.push(Shape::Point(x, y), &[text(&format!("p{i}"))])?;
        }
        Ok(())
    };
    match indexed {
        Some(e) => g.add_layer_indexed_first(&spec, e, fill)?,
        None => g.add_layer(&spec, fill)?,
    }
    g.finish().map(drop)
}

/// Filled before the rows, the R-tree and every other table hold what they hold when it is
/// filled after them, and the index answers queries.
#[test]
fn an_r_tree_filled_first_holds_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let pts = scattered(3 * BATCH_ROWS + 5);
    let envelopes: Envelopes = (1..)
        .zip(&pts)
        .filter_map(|(fid, &(x, y))| Some((fid, Shape::Point(x, y).envelope()?)))
        .collect();
    let (after, first) = (dir.path().join("after.gpkg"), dir.path().join("first.gpkg"));
    package_of(&after, &pts, None).unwrap();
    package_of(&first, &pts, Some(envelopes)).unwrap();
    let (a, b) = (contents(&after), contents(&first));
    assert!(a.iter().any(|r| r.starts_with("rtree_points_geom_node")));
    assert_eq!(a, b);
    let conn = Connection::open(&first).unwrap();
    let (check, inside): (String, i64) = conn
        .query_row(
            "SELECT rtreecheck('rtree_points_geom'), (SELECT count(*) FROM rtree_points_geom \
             WHERE minx >= 60.0 AND maxx <= 60.5)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(check, "ok");
    let expected = pts.iter().filter(|p| (60.0..=60.5).contains(&p.0)).count();
    assert_eq!(inside, expected as i64);
}

/// Rows whose points are not the envelopes indexed before them are refused: one moved, one
/// too many, one too few.
#[test]
fn rows_that_differ_from_the_indexed_envelopes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pts = scattered(40);
    let envelopes = |pts: &[(f64, f64)]| -> Envelopes {
        (1..)
            .zip(pts)
            .filter_map(|(fid, &(x, y))| Some((fid, Shape::Point(x, y).envelope()?)))
            .collect()
    };
    let mut moved = pts.clone();
    moved[20].0 += 1e-6;
    for (name, given) in [
        ("moved", envelopes(&moved)),
        ("short", envelopes(&pts[..39])),
        ("long", envelopes(&scattered(41))),
    ] {
        let path = dir.path().join(format!("{name}.gpkg"));
        assert!(package_of(&path, &pts, Some(given)).is_err(), "{name}");
    }
}

/// A date field holds `YYYY-MM-DD` text, and a year past 9999 is written in full, as the
/// GeoJSON writes it; in single-row and multi-row inserts alike.
#[test]
fn dates_are_stored_as_their_text_whatever_the_year() {
    let dir = tempfile::tempdir().unwrap();
    let fields = fields(&[("day", FieldType::Date)]);
    let spec = points(&fields);
    let dates = [
        crate::model::Date::new(2023, 1, 2),
        crate::model::Date::new(12_345, 6, 7),
        None,
        crate::model::Date::new(987, 11, 30),
    ];
    let expected = ["2023-01-02", "12345-06-07", "", "0987-11-30"];
    // Two full multi-row batches, then five rows inserted one at a time. Each date comes
    // three rows running, so a parameter is given the date it holds (not bound again) as
    // often as a new one, in both kinds of insert.
    let n = 2 * BATCH_ROWS + 5;
    let date_of_row = |i: usize| (i / 3) % dates.len();
    let path = dir.path().join("dates.gpkg");
    let mut g = GeoPackage::create(&path, "2024-01-01T00:00:00.000Z").unwrap();
    g.add_layer(&spec, |rows| {
        rows.expect(n);
        for i in 0..n {
            let cell = dates[date_of_row(i)].map_or(
                crate::export::features::Cell::Null,
                crate::export::features::Cell::Date,
            );
            rows.push_values(Shape::Point(60.0, 30.0), std::iter::once(&cell))?;
        }
        Ok(())
    })
    .unwrap();
    let path = g.finish().unwrap();
    let conn = Connection::open(&path).unwrap();
    let mut stmt = conn
        .prepare("SELECT fid, coalesce(day, '') FROM points ORDER BY fid")
        .unwrap();
    let stored: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stored.len(), n);
    for (fid, day) in stored {
        let i = (fid - 1) as usize;
        assert_eq!(day, expected[date_of_row(i)], "fid {fid}");
    }
}
