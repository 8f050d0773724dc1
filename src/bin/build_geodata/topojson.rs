//! Minimal TopoJSON decoding: quantised, delta-encoded arcs and the polygons built from them.
//! We decode by hand rather than through a converter because the borders are defined by the
//! arcs themselves: a border is the arc two countries' rings share.

use anyhow::{Context, Result, bail};
use serde_json::Value;

pub type Coord = (f64, f64);

pub struct Topology {
    /// Decoded arcs in lon/lat degrees.
    pub arcs: Vec<Vec<Coord>>,
    pub geometries: Vec<TopoGeometry>,
}

pub struct TopoGeometry {
    pub id: Option<String>,
    pub name: Option<String>,
    /// Polygons, each a list of rings, each a list of arc references (negative = reversed, `!i`).
    pub polygons: Vec<Vec<Vec<i64>>>,
}

pub fn parse(text: &str, object: &str) -> Result<Topology> {
    let v: Value = serde_json::from_str(text).context("parsing TopoJSON")?;
    let (sx, sy, tx, ty) = match v.get("transform") {
        Some(t) => (
            t["scale"][0].as_f64().unwrap_or(1.0),
            t["scale"][1].as_f64().unwrap_or(1.0),
            t["translate"][0].as_f64().unwrap_or(0.0),
            t["translate"][1].as_f64().unwrap_or(0.0),
        ),
        None => bail!("TopoJSON without a transform is not supported"),
    };
    let mut arcs = Vec::new();
    for arc in v["arcs"].as_array().context("no arcs")? {
        let (mut x, mut y) = (0i64, 0i64);
        let mut pts = Vec::new();
        for p in arc.as_array().context("arc is not an array")? {
            x += p[0].as_i64().context("arc coordinate")?;
            y += p[1].as_i64().context("arc coordinate")?;
            pts.push((x as f64 * sx + tx, y as f64 * sy + ty));
        }
        arcs.push(pts);
    }
    let mut geometries = Vec::new();
    let geoms = v["objects"][object]["geometries"]
        .as_array()
        .context("no such object")?;
    for g in geoms {
        let arcs_of = |a: &Value| -> Vec<Vec<i64>> {
            a.as_array()
                .map(|rings| {
                    rings
                        .iter()
                        .map(|r| {
                            r.as_array()
                                .map(|r| r.iter().filter_map(Value::as_i64).collect())
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let polygons = match g["type"].as_str() {
            Some("Polygon") => vec![arcs_of(&g["arcs"])],
            Some("MultiPolygon") => g["arcs"]
                .as_array()
                .map(|ps| ps.iter().map(arcs_of).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        geometries.push(TopoGeometry {
            id: g.get("id").and_then(Value::as_str).map(str::to_owned),
            name: g["properties"]["name"].as_str().map(str::to_owned),
            polygons,
        });
    }
    Ok(Topology { arcs, geometries })
}

impl Topology {
    /// The coordinates of an arc reference, reversed for negative (`!i`) references.
    pub fn arc_coords(&self, reference: i64) -> Vec<Coord> {
        if reference >= 0 {
            self.arcs[reference as usize].clone()
        } else {
            let mut c = self.arcs[(!reference) as usize].clone();
            c.reverse();
            c
        }
    }

    /// Stitches a ring's arcs into one closed coordinate ring (shared end points dropped).
    pub fn ring(&self, refs: &[i64]) -> Vec<Coord> {
        let mut out: Vec<Coord> = Vec::new();
        for &r in refs {
            let c = self.arc_coords(r);
            if out.is_empty() {
                out.extend(c);
            } else {
                out.extend(c.into_iter().skip(1));
            }
        }
        out
    }
}
