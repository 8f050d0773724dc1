//! The layers' geometry: rounded lon/lat rings and lines, bounds, the region clip, and the
//! corridors as the analysis counts them (buffered in the Albers plane, flat ends, one side
//! when asked).

use super::REGION;
use crate::borders::Border;
use crate::density::Analysis;
use crate::density::assign::CorridorSide;
use crate::export::round6;
use crate::projection::Projection;
use geo::algorithm::buffer::{BufferStyle, LineCap, LineJoin};
use geo::orient::{Direction, Orient};
use geo::{
    Area, BooleanOps, BoundingRect, Buffer, Coord, InteriorPoint, LineString, MultiPolygon,
    Polygon, Rect, Simplify,
};

// ---------------------------------------------------------------------------------------
// Geometry

/// One feature's geometry, in lon/lat.
pub(super) enum Geom {
    Line(Vec<(f64, f64)>),
    Polygons(MultiPolygon<f64>),
}

pub(super) fn r6(v: f64) -> f64 {
    round6(v) + 0.0
}

/// A ring rounded to 6 decimals, without repeated positions, closed; `None` when fewer
/// than four positions remain.
pub(super) fn ring(ls: &LineString<f64>) -> Option<Vec<[f64; 2]>> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(ls.0.len() + 1);
    for c in &ls.0 {
        let p = [r6(c.x), r6(c.y)];
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    if out.len() > 1 && out.first() != out.last() {
        out.push(out[0]);
    }
    (out.len() >= 4).then_some(out)
}

/// A geometry as both outputs write it: rounded to 6 decimals, repeated positions dropped,
/// exterior rings counter-clockwise (RFC 7946); a polygon ring with fewer than four
/// positions left is dropped. Rounded once, so the GeoJSON and the GeoPackage hold the
/// same coordinates.
pub(super) enum Rounded {
    Line(Vec<[f64; 2]>),
    Polygons(Vec<Vec<Vec<[f64; 2]>>>),
}

impl Geom {
    /// The geometry as written (see [`Rounded`]); adds its positions to `bbox`.
    pub(super) fn rounded(&self, bbox: &mut Bounds) -> Rounded {
        match self {
            Geom::Line(coords) => {
                let mut pts: Vec<[f64; 2]> = Vec::with_capacity(coords.len());
                for &(x, y) in coords {
                    let p = [r6(x), r6(y)];
                    if pts.last() != Some(&p) {
                        pts.push(p);
                    }
                }
                if pts.len() == 1 {
                    pts.push(pts[0]);
                }
                for p in &pts {
                    bbox.add(p[0], p[1]);
                }
                Rounded::Line(pts)
            }
            Geom::Polygons(mp) => {
                let mp = mp.orient(Direction::Default);
                let mut polys = Vec::new();
                for poly in &mp.0 {
                    let Some(ext) = ring(poly.exterior()) else {
                        continue;
                    };
                    for p in &ext {
                        bbox.add(p[0], p[1]);
                    }
                    let mut rings = vec![ext];
                    rings.extend(poly.interiors().iter().filter_map(ring));
                    polys.push(rings);
                }
                Rounded::Polygons(polys)
            }
        }
    }
}

impl Rounded {
    /// Writes the GeoJSON geometry; null when nothing is left. Straight from the positions:
    /// made into a `serde_json::Value` first, every position was an array of two numbers
    /// allocated and freed again (the context layers' hundreds of thousands of positions,
    /// every run). The text is the same either way.
    pub(super) fn write_json(&self, w: &mut (dyn std::io::Write + Send)) -> serde_json::Result<()> {
        /// A GeoJSON geometry object: its type, then its coordinates.
        #[derive(serde::Serialize)]
        struct Geometry<'a, C> {
            #[serde(rename = "type")]
            kind: &'static str,
            coordinates: &'a C,
        }
        match self {
            Rounded::Line(pts) if pts.is_empty() => serde_json::to_writer(w, &()),
            Rounded::Polygons(p) if p.is_empty() => serde_json::to_writer(w, &()),
            Rounded::Line(pts) => serde_json::to_writer(
                w,
                &Geometry {
                    kind: "LineString",
                    coordinates: pts,
                },
            ),
            Rounded::Polygons(p) => serde_json::to_writer(
                w,
                &Geometry {
                    kind: "MultiPolygon",
                    coordinates: p,
                },
            ),
        }
    }

    /// The geometry for the GeoPackage writer.
    pub(super) fn shape(&self) -> crate::export::gpkg::Shape<'_> {
        use crate::export::gpkg::Shape;
        match self {
            Rounded::Line(pts) => Shape::Line(pts),
            Rounded::Polygons(p) => Shape::MultiPolygon(p),
        }
    }
}

/// A lon/lat bounding box under construction.
#[derive(Default, Clone, Copy)]
pub(super) struct Bounds(pub(super) Option<[f64; 4]>);

impl Bounds {
    pub(super) fn add(&mut self, x: f64, y: f64) {
        self.0 = Some(match self.0 {
            None => [x, y, x, y],
            Some([a, b, c, d]) => [a.min(x), b.min(y), c.max(x), d.max(y)],
        });
    }
}

/// The part of a shape inside [`REGION`].
pub(super) fn clip_region(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let region = Rect::new(
        Coord {
            x: REGION[0],
            y: REGION[1],
        },
        Coord {
            x: REGION[2],
            y: REGION[3],
        },
    );
    match mp.bounding_rect() {
        None => MultiPolygon(Vec::new()),
        Some(b)
            if b.min().x >= REGION[0]
                && b.min().y >= REGION[1]
                && b.max().x <= REGION[2]
                && b.max().y <= REGION[3] =>
        {
            mp.clone()
        }
        Some(_) => mp.intersection(&region.to_polygon()),
    }
}

/// Half-width of the cut that separates the two sides of a corridor, km (5 m: invisible at
/// any map scale the layer is meant for).
pub(super) const SIDE_CUT_KM: f64 = 0.005;

/// A border's corridor in the projected plane (km): the line buffered by `half_km` with flat
/// ends and round joins; for one side only, the pieces on that side (right = walking from
/// km 0, the Afghan side of shipped borders).
pub(super) fn corridor_km(
    line: &LineString<f64>,
    half_km: f64,
    side: CorridorSide,
) -> MultiPolygon<f64> {
    // Survey-resolution lines have tens of thousands of vertices and buffering them took most
    // of a run; the drawn corridor moves by at most 1% of its half-width (0.1 km at most) when
    // the line is simplified first. Which incidents a corridor holds is decided by distance to
    // the full line, never by this polygon.
    let simplified = line.simplify((half_km / 100.0).min(0.1));
    let line = &simplified;
    let style = |d: f64| {
        BufferStyle::new(d)
            .line_cap(LineCap::Butt)
            .line_join(LineJoin::Round(0.05))
    };
    let both = line.buffer_with_style(style(half_km));
    let want_right = match side {
        CorridorSide::Both => return both,
        CorridorSide::Afghan => true,
        CorridorSide::Neighbour => false,
    };
    // The cut runs past both ends so that it severs the corridor there too.
    let cut = extended(line, 2.0 * half_km).buffer_with_style(style(SIDE_CUT_KM));
    let pieces = both.difference(&cut);
    MultiPolygon(
        pieces
            .0
            .into_iter()
            .filter(|p| p.unsigned_area() > 0.5)
            .filter(|p| {
                p.interior_point()
                    .is_some_and(|ip| right_of(line, ip.0) == want_right)
            })
            .collect(),
    )
}

/// The line with its first and last segments extended outwards by `km`.
pub(super) fn extended(line: &LineString<f64>, km: f64) -> LineString<f64> {
    let mut c = line.0.clone();
    let push = |from: Coord<f64>, to: Coord<f64>| -> Coord<f64> {
        let (dx, dy) = (to.x - from.x, to.y - from.y);
        let len = (dx * dx + dy * dy).sqrt();
        if len > 0.0 {
            Coord {
                x: to.x + dx / len * km,
                y: to.y + dy / len * km,
            }
        } else {
            to
        }
    };
    if c.len() >= 2 {
        let (a, b) = (c[1], c[0]);
        c[0] = push(a, b);
        let k = c.len();
        let (a, b) = (c[k - 2], c[k - 1]);
        c[k - 1] = push(a, b);
    }
    LineString(c)
}

/// Whether `p` lies to the right of the nearest segment of `line` (walking from its start).
pub(super) fn right_of(line: &LineString<f64>, p: Coord<f64>) -> bool {
    let mut best = (f64::INFINITY, 0.0);
    for w in line.0.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (qx, qy) = (a.x + dx * t, a.y + dy * t);
        let d2 = (p.x - qx).powi(2) + (p.y - qy).powi(2);
        if d2 < best.0 {
            best = (d2, dx * (p.y - a.y) - dy * (p.x - a.x));
        }
    }
    best.1 <= 0.0
}

pub(super) fn project_line(b: &Border, proj: &Projection) -> LineString<f64> {
    b.line
        .0
        .iter()
        .filter_map(|c| proj.forward(c.x, c.y).map(|(x, y)| Coord { x, y }))
        .collect()
}

pub(super) fn unproject(mp: &MultiPolygon<f64>, proj: &Projection) -> MultiPolygon<f64> {
    let ring = |ls: &LineString<f64>| -> LineString<f64> {
        ls.0.iter()
            .filter_map(|c| proj.inverse(c.x, c.y).map(|(x, y)| Coord { x, y }))
            .collect()
    };
    MultiPolygon(
        mp.0.iter()
            .map(|p| Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect()))
            .collect(),
    )
}

/// The analysis extent in the projected plane (km): the analysed borders with their
/// corridors and a margin; the whole region when no border was analysed.
pub(super) fn analysis_extent(a: &Analysis, proj: &Projection) -> [f64; 4] {
    let mut b = Bounds::default();
    for r in &a.borders {
        for c in &project_line(&r.border, proj).0 {
            b.add(c.x, c.y);
        }
    }
    if b.0.is_none() {
        for (lon, lat) in [
            (REGION[0], REGION[1]),
            (REGION[2], REGION[1]),
            (REGION[0], REGION[3]),
            (REGION[2], REGION[3]),
        ] {
            if let Some((x, y)) = proj.forward(lon, lat) {
                b.add(x, y);
            }
        }
    }
    let [x0, y0, x1, y1] = b.0.unwrap_or([-1000.0, -1000.0, 1000.0, 1000.0]);
    let m = a.options.corridor_km + 0.05 * (x1 - x0).max(y1 - y0);
    [x0 - m, y0 - m, x1 + m, y1 + m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sided_corridor_keeps_the_right_side() {
        // An eastward line: its right side is south (negative y).
        let line = LineString::from(vec![(0.0, 0.0), (100.0, 0.0), (200.0, 10.0)]);
        let right = corridor_km(&line, 50.0, CorridorSide::Afghan);
        let left = corridor_km(&line, 50.0, CorridorSide::Neighbour);
        let both = corridor_km(&line, 50.0, CorridorSide::Both);
        let r = right.bounding_rect().unwrap();
        let l = left.bounding_rect().unwrap();
        assert!(r.max().y < 11.0 && r.min().y < -49.0, "{r:?}");
        assert!(l.min().y > -0.01 && l.max().y > 49.0, "{l:?}");
        let (ar, al, ab) = (
            right.unsigned_area(),
            left.unsigned_area(),
            both.unsigned_area(),
        );
        assert!((ar + al - ab).abs() / ab < 0.01, "{ar} + {al} vs {ab}");
        // Flat ends: nothing beyond x = 0 on the left.
        assert!(both.bounding_rect().unwrap().min().x > -0.01);
    }
}
