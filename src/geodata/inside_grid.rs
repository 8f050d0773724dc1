//! Point-in-outline tests for many points against one large outline: a grid of 0.1° cells,
//! each known to be wholly inside, wholly outside, or crossed by the outline. A point in a
//! crossed cell is decided from the cell's centre (its side known) and the few edges that
//! pass through the cell: the segment from the centre to the point crosses each polygon's
//! outline an odd number of times exactly when the point is on the other side of it. The
//! answer is always `geo::Contains`'s: wherever a crossing test would be degenerate (the
//! segment touches a vertex or runs along an edge, or the centre is on the outline), the
//! whole outline is tested instead.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{BoundingRect, Contains, Coord, MultiPolygon};

const GRID_DEG: f64 = 0.1;

/// A grid over one outline's bounding box.
#[derive(Debug, Clone)]
pub(super) struct InsideGrid {
    x0: f64,
    y0: f64,
    cols: usize,
    rows: usize,
    cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
enum Cell {
    Outside,
    Inside,
    /// Crossed by the outline.
    Crossed(Box<Crossed>),
}

/// An edge of an outline, from one vertex to the next.
type Edge = (Coord<f64>, Coord<f64>);

/// A crossed cell: the side of its centre for each polygon with edges in it, and those edges.
#[derive(Debug, Clone)]
struct Crossed {
    centre: Coord<f64>,
    /// Some polygon without edges in the cell covers it whole.
    covered: bool,
    /// The centre lies on the outline: every point of the cell gets the whole test.
    on_outline: bool,
    /// Per polygon with edges in the cell: whether the centre is inside it, and its edges.
    polygons: Vec<(bool, Vec<Edge>)>,
}

impl InsideGrid {
    pub(super) fn new(shape: &MultiPolygon<f64>) -> InsideGrid {
        let Some(r) = shape.bounding_rect() else {
            return InsideGrid {
                x0: 0.0,
                y0: 0.0,
                cols: 0,
                rows: 0,
                cells: Vec::new(),
            };
        };
        let (x0, y0) = (r.min().x, r.min().y);
        let cols = ((r.max().x - x0) / GRID_DEG).ceil() as usize + 1;
        let rows = ((r.max().y - y0) / GRID_DEG).ceil() as usize + 1;
        // Per cell, per polygon: the edges whose bounding box meets the cell (every edge that
        // passes through the cell is among them).
        let mut edges: Vec<Vec<(usize, Edge)>> = vec![Vec::new(); cols * rows];
        let clamp_col = |x: f64| (((x - x0) / GRID_DEG).floor().max(0.0) as usize).min(cols - 1);
        let clamp_row = |y: f64| (((y - y0) / GRID_DEG).floor().max(0.0) as usize).min(rows - 1);
        for (k, poly) in shape.0.iter().enumerate() {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for w in ring.0.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    // A hair wider than the edge, so an edge along a cell's side is in both.
                    let eps = 1e-9;
                    let (c0, c1) = (clamp_col(a.x.min(b.x) - eps), clamp_col(a.x.max(b.x) + eps));
                    let (r0, r1) = (clamp_row(a.y.min(b.y) - eps), clamp_row(a.y.max(b.y) + eps));
                    for row in r0..=r1 {
                        for col in c0..=c1 {
                            edges[row * cols + col].push((k, (a, b)));
                        }
                    }
                }
            }
        }
        let sides = centre_sides(shape, x0, y0, cols, rows);
        let cells = edges
            .into_iter()
            .enumerate()
            .map(|(i, cell_edges)| {
                let (col, row) = (i % cols, i / cols);
                let centre = Coord {
                    x: x0 + (col as f64 + 0.5) * GRID_DEG,
                    y: y0 + (row as f64 + 0.5) * GRID_DEG,
                };
                // Where the centre lies in polygon k, from the scan or, unsure, the whole test.
                let inside = |k: usize| match sides[k][i] {
                    Side::In => true,
                    Side::Out => false,
                    Side::Unsure => shape.0[k].contains(&geo::Point(centre)),
                };
                if cell_edges.is_empty() {
                    return if (0..shape.0.len()).any(inside) {
                        Cell::Inside
                    } else {
                        Cell::Outside
                    };
                }
                let mut polygons: Vec<(usize, Vec<Edge>)> = Vec::new();
                for (k, edge) in cell_edges {
                    match polygons.iter_mut().find(|(pk, _)| *pk == k) {
                        Some((_, list)) => list.push(edge),
                        None => polygons.push((k, vec![edge])),
                    }
                }
                // On the outline: on an edge, which then passes through the cell.
                let on_outline = polygons.iter().flat_map(|(_, list)| list).any(|&(a, b)| {
                    RobustKernel::orient2d(a, b, centre) == Orientation::Collinear
                        && a.x.min(b.x) <= centre.x
                        && centre.x <= a.x.max(b.x)
                        && a.y.min(b.y) <= centre.y
                        && centre.y <= a.y.max(b.y)
                });
                let covered = (0..shape.0.len())
                    .any(|k| !polygons.iter().any(|(pk, _)| *pk == k) && inside(k));
                let polygons = polygons
                    .into_iter()
                    .map(|(k, list)| (!on_outline && inside(k), list))
                    .collect();
                Cell::Crossed(Box::new(Crossed {
                    centre,
                    covered,
                    on_outline,
                    polygons,
                }))
            })
            .collect();
        InsideGrid {
            x0,
            y0,
            cols,
            rows,
            cells,
        }
    }

    pub(super) fn contains(&self, shape: &MultiPolygon<f64>, lon: f64, lat: f64) -> bool {
        let (fx, fy) = ((lon - self.x0) / GRID_DEG, (lat - self.y0) / GRID_DEG);
        if !(fx >= 0.0 && fy >= 0.0) || fx as usize >= self.cols || fy as usize >= self.rows {
            return false;
        }
        match &self.cells[fy as usize * self.cols + fx as usize] {
            Cell::Outside => false,
            Cell::Inside => true,
            Cell::Crossed(c) => c
                .contains(Coord { x: lon, y: lat })
                .unwrap_or_else(|| shape.contains(&geo::Point::new(lon, lat))),
        }
    }

    /// What [`Self::contains`] says of every point of the box `[x_min, y_min, x_max, y_max]`
    /// (edges included), where one answer holds for all. The box's points fall in the cells
    /// of its corners and those between (the same monotone arithmetic as `contains`), and
    /// off the grid the answer is `false`. In a cell the outline crosses, only the edges
    /// listed there can pass through it: when none of them meets the box, no point of the
    /// box is on another side of any polygon than the box's centre, whose answer is then
    /// the box's. Boxes over more than [`MAX_COVER_CELLS`] cells, or not finite, are
    /// [`Cover::Mixed`] without looking.
    fn cover(&self, shape: &MultiPolygon<f64>, bounds: [f64; 4]) -> Cover {
        let [x_min, y_min, x_max, y_max] = bounds;
        if !bounds.iter().all(|v| v.is_finite()) {
            return Cover::Mixed;
        }
        if self.cells.is_empty() {
            return Cover::Outside;
        }
        let col = |x: f64| ((x - self.x0) / GRID_DEG).floor();
        let row = |y: f64| ((y - self.y0) / GRID_DEG).floor();
        let (c0, c1, r0, r1) = (col(x_min), col(x_max), row(y_min), row(y_max));
        if (c1 - c0 + 1.0) * (r1 - r0 + 1.0) > MAX_COVER_CELLS {
            return Cover::Mixed;
        }
        let (cols, rows) = (self.cols as f64, self.rows as f64);
        // Some of the box off the grid, where every point is outside.
        let mut outside = c0 < 0.0 || r0 < 0.0 || c1 >= cols || r1 >= rows;
        let mut inside = false;
        let mut crossed = false;
        let clamp = |v: f64, n: f64| v.clamp(0.0, n - 1.0) as usize;
        if c1 >= 0.0 && r1 >= 0.0 && c0 < cols && r0 < rows {
            for r in clamp(r0, rows)..=clamp(r1, rows) {
                for c in clamp(c0, cols)..=clamp(c1, cols) {
                    match &self.cells[r * self.cols + c] {
                        Cell::Outside => outside = true,
                        Cell::Inside => inside = true,
                        Cell::Crossed(x) if x.covered => inside = true,
                        Cell::Crossed(x) => {
                            let mut edges = x.polygons.iter().flat_map(|(_, list)| list);
                            if edges.any(|&(a, b)| meets_box(a, b, bounds)) {
                                return Cover::Mixed;
                            }
                            crossed = true;
                        }
                    }
                }
            }
        }
        if crossed {
            let centre = (0.5 * (x_min + x_max), 0.5 * (y_min + y_max));
            match self.contains(shape, centre.0, centre.1) {
                true => inside = true,
                false => outside = true,
            }
        }
        match (inside, outside) {
            (true, false) => Cover::Inside,
            (false, _) => Cover::Outside,
            (true, true) => Cover::Mixed,
        }
    }
}

/// Whether edge a–b may meet the box `[x_min, y_min, x_max, y_max]`: their boxes overlap
/// and the box's corners are not all clearly on one side of the edge's line (a box and a
/// segment that do not meet are parted by one of the box's axes or by the segment's
/// normal). Within a hair of the line counts as meeting: a wrong "may meet" only costs a
/// point test.
fn meets_box(a: Coord<f64>, b: Coord<f64>, [x_min, y_min, x_max, y_max]: [f64; 4]) -> bool {
    if a.x.max(b.x) < x_min || a.x.min(b.x) > x_max || a.y.max(b.y) < y_min || a.y.min(b.y) > y_max
    {
        return false;
    }
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    // Twice the area of the triangle a, b, corner: the corner's distance from the line
    // times the edge's length; a billionth of a degree of distance is far above rounding.
    let side = |x: f64, y: f64| dx * (y - a.y) - dy * (x - a.x);
    let hair = 1e-9 * (dx.abs() + dy.abs());
    let corners = [
        side(x_min, y_min),
        side(x_max, y_min),
        side(x_min, y_max),
        side(x_max, y_max),
    ];
    !(corners.iter().all(|&s| s > hair) || corners.iter().all(|&s| s < -hair))
}

/// At most this many of a grid's cells are read to say what a box's points get
/// ([`InsideGrid::cover`]): a district index's cells are about four.
const MAX_COVER_CELLS: f64 = 16.0;

/// What a point-in-outline test says of every point of a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cover {
    /// Every point of the box is inside.
    Inside,
    /// No point of the box is inside.
    Outside,
    /// Not one answer for the whole box (or not known): each point must be tested.
    Mixed,
}

/// An [`InsideGrid`] built the first time a point is tested: countries, provinces and
/// districts keep one each, and most are never asked. Tests on the thread pool wait for the
/// first to build it, so building must not use the pool (see `RegionPlane::rings`).
#[derive(Debug, Clone, Default)]
pub(super) struct LazyGrid(std::sync::OnceLock<InsideGrid>);

impl LazyGrid {
    /// Whether the point lies inside `shape` (the outline this grid is kept with), exactly as
    /// `geo::Contains` says.
    pub(super) fn contains(&self, shape: &MultiPolygon<f64>, lon: f64, lat: f64) -> bool {
        self.0
            .get_or_init(|| InsideGrid::new(shape))
            .contains(shape, lon, lat)
    }

    /// What [`Self::contains`] says of every point of the box `[x_min, y_min, x_max, y_max]`,
    /// where one answer holds for all of them (the grid built if it was not).
    pub(super) fn cover(&self, shape: &MultiPolygon<f64>, bounds: [f64; 4]) -> Cover {
        self.0
            .get_or_init(|| InsideGrid::new(shape))
            .cover(shape, bounds)
    }
}

/// Where a cell's centre lies relative to one polygon.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Out,
    In,
    /// A crossing of the centre line lies within a hair of the centre: not decided here.
    Unsure,
}

/// How far (degrees) a crossing must lie from a centre for the count to decide it: computed
/// crossings are good to about 1e-14°.
const SURE_DEG: f64 = 1e-9;

/// Per polygon, per cell, where the cell's centre lies (`[polygon][cell]`): along each row's
/// centre line, a ring's crossings left of a centre are counted (odd: inside the ring; each
/// crossing found by the half-open rule, so a vertex on the line counts once or not at all),
/// and a centre is inside a polygon when it is inside its exterior and no hole — what
/// `geo::Contains` says of a point not on the outline. A centre with a crossing within
/// [`SURE_DEG`] is [`Side::Unsure`]. In a cell no edge's box meets, every crossing lies more
/// than half a cell away. One pass over the edges per row, instead of whole-outline tests
/// per cell (building the grid of a 30,000-vertex country took over a second that way).
fn centre_sides(
    shape: &MultiPolygon<f64>,
    x0: f64,
    y0: f64,
    cols: usize,
    rows: usize,
) -> Vec<Vec<Side>> {
    let mut sides = vec![vec![Side::Out; cols * rows]; shape.0.len()];
    let mut xs: Vec<f64> = Vec::new();
    let centre_x = |col: usize| x0 + (col as f64 + 0.5) * GRID_DEG;
    for row in 0..rows {
        let yc = y0 + (row as f64 + 0.5) * GRID_DEG;
        // Per ring, where each centre of the row lies.
        let mut ring_sides = |ring: &geo::LineString<f64>, out: &mut Vec<Side>| {
            xs.clear();
            for w in ring.0.windows(2) {
                let (a, b) = (w[0], w[1]);
                if (a.y > yc) != (b.y > yc) {
                    xs.push(a.x + (yc - a.y) * (b.x - a.x) / (b.y - a.y));
                }
            }
            xs.sort_unstable_by(f64::total_cmp);
            out.clear();
            out.extend((0..cols).map(|col| {
                let xc = centre_x(col);
                let left = xs.partition_point(|&x| x < xc);
                let near = |j: usize| xs.get(j).is_some_and(|&x| (x - xc).abs() < SURE_DEG);
                if near(left) || (left > 0 && near(left - 1)) {
                    Side::Unsure
                } else if left % 2 == 1 {
                    Side::In
                } else {
                    Side::Out
                }
            }));
        };
        let (mut exterior, mut hole) = (Vec::with_capacity(cols), Vec::with_capacity(cols));
        for (k, poly) in shape.0.iter().enumerate() {
            ring_sides(poly.exterior(), &mut exterior);
            for ring in poly.interiors() {
                ring_sides(ring, &mut hole);
                for (e, &h) in exterior.iter_mut().zip(&hole) {
                    *e = match (*e, h) {
                        (Side::Out, _) => Side::Out,
                        (_, Side::In) => Side::Out,
                        (Side::In, Side::Out) => Side::In,
                        _ => Side::Unsure,
                    };
                }
            }
            sides[k][row * cols..(row + 1) * cols].copy_from_slice(&exterior);
        }
    }
    sides
}

impl Crossed {
    /// Inside or not, or `None` where the crossing test would be degenerate.
    fn contains(&self, p: Coord<f64>) -> Option<bool> {
        if self.covered {
            return Some(true);
        }
        if self.on_outline {
            return None;
        }
        let mut inside = false;
        for (centre_inside, edges) in &self.polygons {
            let mut odd = false;
            for &(a, b) in edges {
                odd ^= crosses(self.centre, p, a, b)?;
            }
            inside |= *centre_inside != odd;
        }
        Some(inside)
    }
}

/// Whether segment c–p crosses edge a–b at a single interior point of both; `None` when
/// any three of the points are collinear (a touch, an end on the other, or overlap).
fn crosses(c: Coord<f64>, p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> Option<bool> {
    let side = |o: Orientation| match o {
        Orientation::Collinear => None,
        o => Some(o == Orientation::CounterClockwise),
    };
    let (ca, cb) = (
        side(RobustKernel::orient2d(c, p, a)),
        side(RobustKernel::orient2d(c, p, b)),
    );
    // Both ends of the edge on one side of the line c–p: no crossing, whatever the rest.
    if let (Some(x), Some(y)) = (ca, cb)
        && x == y
    {
        return Some(false);
    }
    let (ac, ap) = (
        side(RobustKernel::orient2d(a, b, c))?,
        side(RobustKernel::orient2d(a, b, p))?,
    );
    if ac == ap {
        return Some(false);
    }
    Some(ca? != cb?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two polygons, the first with a hole, around 60–61.6°E, 30–31.2°N.
    fn two_parts_with_a_hole() -> MultiPolygon<f64> {
        let ring = |pts: &[(f64, f64)]| geo::LineString::from(pts.to_vec());
        let part = geo::Polygon::new(
            ring(&[
                (60.0, 30.0),
                (61.03, 30.1),
                (60.77, 31.24),
                (60.1, 30.95),
                (60.0, 30.0),
            ]),
            vec![ring(&[
                (60.3, 30.4),
                (60.6, 30.4),
                (60.55, 30.8),
                (60.3, 30.4),
            ])],
        );
        let other = geo::Polygon::new(
            ring(&[(61.2, 30.0), (61.6, 30.05), (61.4, 30.5), (61.2, 30.0)]),
            vec![],
        );
        MultiPolygon(vec![part, other])
    }

    /// Where the grid gives a box one answer ([`InsideGrid::cover`]), `contains` gives it at
    /// every point of the box, corners and edges included; boxes off the grid, over its
    /// edge and of every size up to a few cells are tried, and both answers come up.
    #[test]
    fn a_boxs_cover_holds_at_each_of_its_points() {
        let shape = two_parts_with_a_hole();
        let grid = InsideGrid::new(&shape);
        let mut u = crate::geo_util::test_uniform(5);
        let mut outline: Vec<(f64, f64)> = Vec::new();
        for poly in &shape.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for w in ring.0.windows(2) {
                    for k in 0..8 {
                        let t = f64::from(k) / 8.0;
                        outline.push((
                            w[0].x + t * (w[1].x - w[0].x),
                            w[0].y + t * (w[1].y - w[0].y),
                        ));
                    }
                }
            }
        }
        let mut seen = [0usize; 3];
        for _ in 0..10_000 {
            let (w, h) = (0.003 + 0.08 * u(), 0.003 + 0.08 * u());
            let (x, y) = (59.8 + 2.0 * u(), 29.8 + 1.6 * u());
            let bounds = [x, y, x + w, y + h];
            let cover = grid.cover(&shape, bounds);
            seen[cover as usize] += 1;
            if cover == Cover::Mixed {
                continue;
            }
            let corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)];
            let inner = (0..40).map(|_| (x + w * u(), y + h * u()));
            // Points on the outline within the box: on a box given one answer, there are
            // none (they are outside, and an edge through the box makes it mixed).
            let on_outline = outline
                .iter()
                .copied()
                .filter(|&(px, py)| (x..=x + w).contains(&px) && (y..=y + h).contains(&py));
            for (px, py) in corners.into_iter().chain(inner).chain(on_outline) {
                let want = shape.contains(&geo::Point::new(px, py));
                assert_eq!(grid.contains(&shape, px, py), want, "({px}, {py})");
                assert_eq!(
                    want,
                    cover == Cover::Inside,
                    "{cover:?} {bounds:?} at ({px}, {py})"
                );
            }
        }
        // Most boxes the outline does not cross are decided, also in the cells it crosses.
        let [inside, outside, mixed] = seen;
        assert!(
            inside > 1000 && outside > 1000 && mixed > 300,
            "inside, outside, mixed: {seen:?}"
        );
        assert_eq!(
            grid.cover(&shape, [60.0, 30.0, f64::INFINITY, 31.0]),
            Cover::Mixed
        );
        assert_eq!(
            grid.cover(&shape, [60.0, 30.0, 61.0, 31.0]),
            Cover::Mixed,
            "too many cells"
        );
        let none = MultiPolygon(vec![]);
        let empty = InsideGrid::new(&none);
        assert_eq!(empty.cover(&none, [60.0, 30.0, 60.1, 30.1]), Cover::Outside);
    }

    /// The grid answers as `geo::Contains` does, on a shape with a hole and two parts, at
    /// random points, at its vertices and on its edges.
    #[test]
    fn answers_as_contains() {
        let shape = two_parts_with_a_hole();
        let grid = InsideGrid::new(&shape);
        let mut u = crate::geo_util::test_uniform(7);
        let mut points: Vec<(f64, f64)> = (0..20_000)
            .map(|_| (59.9 + 1.8 * u(), 29.9 + 1.5 * u()))
            .collect();
        for poly in &shape.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for w in ring.0.windows(2) {
                    points.push((w[0].x, w[0].y));
                    points.push(((w[0].x + w[1].x) / 2.0, (w[0].y + w[1].y) / 2.0));
                }
            }
        }
        // Points on the lines through cell centres, where the crossing test meets vertices.
        for k in 0..200 {
            points.push((60.05 + 0.1 * (k % 20) as f64, 30.05 + 0.01 * k as f64));
        }
        let mut inside = 0;
        for (x, y) in points {
            let want = shape.contains(&geo::Point::new(x, y));
            assert_eq!(grid.contains(&shape, x, y), want, "({x}, {y})");
            inside += usize::from(want);
        }
        assert!(inside > 1000, "the test reaches inside: {inside}");
    }

    /// On the shipped countries' full outlines (Afghanistan's has tens of thousands of
    /// vertices), every cell the grid calls wholly inside or outside has its centre where
    /// `geo::Contains` puts it, and points in the cells the outline crosses get its answer.
    #[test]
    fn whole_cells_agree_with_contains_on_the_shipped_countries() {
        let geo = crate::geodata::GeoData::load(None).expect("geodata");
        for country in geo
            .countries
            .iter()
            .filter(|c| ["AF", "PK", "TJ"].contains(&c.code.as_str()))
        {
            let grid = InsideGrid::new(&country.shape);
            let mut whole = 0;
            for (i, cell) in grid.cells.iter().enumerate() {
                let inside = match cell {
                    Cell::Inside => true,
                    Cell::Outside => false,
                    Cell::Crossed(_) => continue,
                };
                let (col, row) = (i % grid.cols, i / grid.cols);
                let centre = geo::Point::new(
                    grid.x0 + (col as f64 + 0.5) * GRID_DEG,
                    grid.y0 + (row as f64 + 0.5) * GRID_DEG,
                );
                assert_eq!(
                    country.shape.contains(&centre),
                    inside,
                    "{}: {centre:?}",
                    country.code
                );
                whole += 1;
            }
            assert!(whole > 1000, "{}: {whole} whole cells", country.code);
            // Points in the crossed cells too: near the outline, where the edges decide.
            let mut u = crate::geo_util::test_uniform(11);
            let mut near = 0;
            while near < 3_000 {
                let x = grid.x0 + u() * grid.cols as f64 * GRID_DEG;
                let y = grid.y0 + u() * grid.rows as f64 * GRID_DEG;
                let (col, row) = ((x - grid.x0) / GRID_DEG, (y - grid.y0) / GRID_DEG);
                let cell = &grid.cells[(row as usize).min(grid.rows - 1) * grid.cols
                    + (col as usize).min(grid.cols - 1)];
                if !matches!(cell, Cell::Crossed(_)) {
                    continue;
                }
                let want = country.shape.contains(&geo::Point::new(x, y));
                assert_eq!(
                    grid.contains(&country.shape, x, y),
                    want,
                    "{}: ({x}, {y})",
                    country.code
                );
                near += 1;
            }
        }
    }
}
