//! The grid of the nearest-border query ([`super::locate::BorderIndex`]): cells over the
//! borders' surroundings, each holding, once asked, what a query from inside it reads.

use super::Border;

/// Runs of segments ([`super::runs::Runs`]), each with its distance in the index plane from
/// the cell's centre, nearest first.
pub(super) type Candidates = Box<[(u32, f64)]>;

/// Segments as (border index, segment index).
pub(super) type Segments = Box<[(u32, u32)]>;

/// A cell's lower bound of the distance to every border (km), and the segment nearest on
/// the sphere to its centre.
pub(super) type CentreSearch = (f64, Option<(u32, u32)>);

/// A grid over the borders' surroundings whose cells list, once asked, every segment that
/// can be nearest to a point in the cell (found with the R-tree). A query then scans one
/// short list with no allocation; points off the grid walk the R-tree directly.
pub(super) struct CellGrid {
    pub lon0: f64,
    pub lat0: f64,
    pub step: f64,
    pub nx: usize,
    pub ny: usize,
    pub cells: Vec<std::sync::OnceLock<Candidates>>,
    /// Per cell, once asked: a lower bound (km) of the distance from any point of the cell
    /// to every border ([`super::sphere::ChordIndex::lower_km`]), and the segment nearest on
    /// the sphere to the cell's centre.
    pub lower: Vec<std::sync::OnceLock<CentreSearch>>,
    /// Per grid vertex ((nx + 1) × (ny + 1), row by row), once asked: the segment nearest on
    /// the sphere. A vertex is a corner of up to four cells beyond reach, each of which asks.
    pub corners: Vec<std::sync::OnceLock<Option<(u32, u32)>>>,
    /// Per cell beyond reach, once asked: the segments nearest on the sphere to its corners
    /// and centre, with the segments between them on each border ([`super::locate::BorderIndex::nearest_within`]).
    pub far: Vec<std::sync::OnceLock<Segments>>,
}

/// Degrees added around the borders' bounding box to make the grid.
const GRID_MARGIN_DEG: f64 = 2.0;
/// Cell size, degrees (coarser when the borders span a large area).
const GRID_STEP_DEG: f64 = 0.1;
const GRID_MAX_CELLS: usize = 250_000;
impl CellGrid {
    pub fn new(borders: &[Border]) -> CellGrid {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for c in borders.iter().flat_map(|b| &b.line.0) {
            (x0, y0, x1, y1) = (x0.min(c.x), y0.min(c.y), x1.max(c.x), y1.max(c.y));
        }
        if x0 > x1 {
            return CellGrid {
                lon0: 0.0,
                lat0: 0.0,
                step: 1.0,
                nx: 0,
                ny: 0,
                cells: Vec::new(),
                lower: Vec::new(),
                corners: Vec::new(),
                far: Vec::new(),
            };
        }
        let (x0, y0) = (x0 - GRID_MARGIN_DEG, (y0 - GRID_MARGIN_DEG).max(-89.0));
        let (x1, y1) = (x1 + GRID_MARGIN_DEG, (y1 + GRID_MARGIN_DEG).min(89.0));
        let mut step = GRID_STEP_DEG;
        while ((x1 - x0) / step).ceil() * ((y1 - y0) / step).ceil() > GRID_MAX_CELLS as f64 {
            step *= 2.0;
        }
        let nx = ((x1 - x0) / step).ceil() as usize;
        let ny = ((y1 - y0) / step).ceil() as usize;
        CellGrid {
            lon0: x0,
            lat0: y0,
            step,
            nx,
            ny,
            cells: (0..nx * ny).map(|_| std::sync::OnceLock::new()).collect(),
            lower: (0..nx * ny).map(|_| std::sync::OnceLock::new()).collect(),
            corners: (0..(nx + 1) * (ny + 1))
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            far: (0..nx * ny).map(|_| std::sync::OnceLock::new()).collect(),
        }
    }

    pub fn cell_of(&self, lon: f64, lat: f64) -> Option<(usize, usize)> {
        let cx = ((lon - self.lon0) / self.step).floor();
        let cy = ((lat - self.lat0) / self.step).floor();
        (cx >= 0.0 && cy >= 0.0 && (cx as usize) < self.nx && (cy as usize) < self.ny)
            .then_some((cx as usize, cy as usize))
    }
}
