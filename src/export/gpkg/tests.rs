//! The multi-row inserts write the same file as one insert per row.

use super::*;
use crate::export::schema::FieldType;
use std::borrow::Cow;

/// A package of `n` points with a few fields (text, real, NULLs), rows announced or not.
fn package(dir: &Path, n: usize, announce: bool) -> Vec<u8> {
    let path = dir.join(format!("{n}-{announce}.gpkg"));
    let fields: Vec<Field> = [("name", FieldType::Text), ("value", FieldType::Real)]
        .into_iter()
        .map(|(name, ty)| Field {
            name: Cow::Borrowed(name),
            ty,
        })
        .collect();
    let spec = LayerSpec {
        name: "points",
        kind: GeomKind::Point,
        fields: &fields,
        description: "points",
    };
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
    let fields = [Field {
        name: Cow::Borrowed("name"),
        ty: FieldType::Text,
    }];
    let spec = LayerSpec {
        name: "points",
        kind: GeomKind::Point,
        fields: &fields,
        description: "points",
    };
    let mut g =
        GeoPackage::create(&dir.path().join("short.gpkg"), "2024-01-01T00:00:00.000Z").unwrap();
    let result = g.add_layer(&spec, |rows| {
        rows.expect(BATCH_ROWS + 1);
        rows.push(Shape::Point(60.0, 30.0), &[text("only")])
    });
    assert!(result.is_err());
}
