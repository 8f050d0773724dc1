//! Grouping points on a page into places, heaviest first: what a map counts as one place
//! (symbols that would sit on one another, or the points a count circle stands for).

use rustc_hash::FxHashMap;

/// Groups points (page px, diameter px, weight) into places: heaviest first, a point joins
/// the nearest place whose centre is within `reach(d_point, d_place)` px, else starts its
/// own. Deterministic: ties go by input order.
pub fn group(
    pts: &[(f64, f64, f64, f64)],
    reach: impl Fn(f64, f64) -> f64,
    cell: f64,
) -> Vec<(usize, Vec<usize>)> {
    group_until(pts, heaviest_order(pts), reach, cell, |_, _| false)
}

/// The indices of `pts` heaviest first, ties by index: the order [`group`] takes them in.
pub(super) fn heaviest_order(pts: &[(f64, f64, f64, f64)]) -> impl Iterator<Item = usize> + use<> {
    // Heaviest first; ties go by index, so the order is total and an unstable sort gives the
    // stable one's. Sorted in place (a radix sort's second buffer of the pairs raised
    // `run`'s peak), as packed (weight key, index) pairs rather than indices compared
    // through `pts`, whose two loads per comparison missed the cache (`callgrind` with cache
    // simulation, `places` and `crowded` on 200,000 points: 1,026 -> 912 M instructions,
    // 13.8 -> 11.8 M first-level read misses).
    let mut keyed: Vec<(u64, usize)> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| (heaviest_first(p.3), i))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i)
}

/// [`group`] taking the points in `order` (each index once), stopped early when
/// `stop(points grouped, places)` says so (the places so far).
pub(super) fn group_until(
    pts: &[(f64, f64, f64, f64)],
    order: impl Iterator<Item = usize>,
    reach: impl Fn(f64, f64) -> f64,
    cell: f64,
    mut stop: impl FnMut(usize, usize) -> bool,
) -> Vec<(usize, Vec<usize>)> {
    let cell = cell.max(1.0);
    let cell_of = |x: f64, y: f64| Grid::cell_of(x, y, cell);
    let mut grid = Grid::new(pts.iter().map(|p| cell_of(p.0, p.1)), pts.len());
    let mut places: Vec<(usize, Vec<usize>)> = Vec::new();
    // Each place's seed point (x, y, diameter), beside `places`: read for every neighbour
    // looked at, it is one load here rather than two dependent ones through `places` and
    // `pts`.
    let mut seeds: Vec<(f64, f64, f64)> = Vec::new();
    for (done, i) in order.enumerate() {
        if stop(done, places.len()) {
            break;
        }
        let (x, y, d, _) = pts[i];
        let (cx, cy) = cell_of(x, y);
        let mut best: Option<(f64, usize)> = None;
        for gx in cx - 1..=cx + 1 {
            for gy in cy - 1..=cy + 1 {
                for &p in grid.get(gx, gy) {
                    let seed = seeds[p];
                    // Squared distances (`hypot` was most of the grouping's time on a
                    // million points): the same order, and within reach when the square is.
                    let (dx, dy) = (seed.0 - x, seed.1 - y);
                    let dist2 = dx * dx + dy * dy;
                    let r = reach(d, seed.2);
                    if dist2 <= r * r && best.is_none_or(|(bd, _)| dist2 < bd) {
                        best = Some((dist2, p));
                    }
                }
            }
        }
        match best {
            Some((_, p)) => places[p].1.push(i),
            None => {
                grid.push(cx, cy, places.len());
                places.push((i, vec![i]));
                seeds.push((x, y, d));
            }
        }
    }
    places
}

/// A key whose ascending order is `f64::total_cmp`'s descending order of `w`.
pub(super) fn heaviest_first(w: f64) -> u64 {
    // `total_cmp` compares these bits as signed integers (negative numbers' magnitude bits
    // flipped); the sign bit flipped makes that order unsigned, and `!` reverses it.
    let bits = w.to_bits() as i64;
    let ordered = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
    !((ordered as u64) ^ (1 << 63))
}

/// The places seeded in each grid cell, in the order they were seeded. A page's cells are
/// few, so they are a table indexed by cell (with a border of empty cells for the
/// neighbours' lookups); a hash map only where the points spread over more cells than
/// [`Grid::MAX_CELLS`] or many times their number (a million points grouped on a map asked
/// the hash map 9 times each).
enum Grid {
    Dense(CellTable),
    Sparse(FxHashMap<(i64, i64), Vec<usize>>),
}

/// A dense block of grid cells, `width` × `height` from cell (`x0`, `y0`), row by row.
struct CellTable {
    x0: i64,
    y0: i64,
    width: i64,
    height: i64,
    cells: Vec<Vec<usize>>,
}

impl CellTable {
    /// Where cell (`x`, `y`) is in `cells`, if in the block.
    fn slot(&self, x: i64, y: i64) -> Option<usize> {
        let (i, j) = (x - self.x0, y - self.y0);
        ((0..self.width).contains(&i) && (0..self.height).contains(&j))
            .then(|| (j * self.width + i) as usize)
    }
}

impl Grid {
    const MAX_CELLS: i64 = 1 << 20;

    /// The cell of a point, for cells of `size`.
    fn cell_of(x: f64, y: f64, size: f64) -> (i64, i64) {
        ((x / size).floor() as i64, (y / size).floor() as i64)
    }

    /// A grid for `points` points in `cells`.
    fn new(cells: impl Iterator<Item = (i64, i64)>, points: usize) -> Grid {
        let bounds = cells.fold(None, |b: Option<[i64; 4]>, (x, y)| {
            Some(b.map_or([x, y, x, y], |b| {
                [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
            }))
        });
        let Some([x0, y0, x1, y1]) = bounds else {
            return Grid::Sparse(FxHashMap::default());
        };
        // One empty cell on each side: the neighbours every lookup visits.
        let (width, height) = (
            x1.saturating_sub(x0).saturating_add(3),
            y1.saturating_sub(y0).saturating_add(3),
        );
        let most = Grid::MAX_CELLS.min(64 * points as i64 + 4096);
        if width.saturating_mul(height) > most {
            return Grid::Sparse(FxHashMap::default());
        }
        Grid::Dense(CellTable {
            x0: x0 - 1,
            y0: y0 - 1,
            width,
            height,
            cells: vec![Vec::new(); (width * height) as usize],
        })
    }

    fn get(&self, x: i64, y: i64) -> &[usize] {
        match self {
            Grid::Dense(table) => table.slot(x, y).map_or(&[][..], |k| &table.cells[k]),
            Grid::Sparse(map) => map.get(&(x, y)).map_or(&[][..], |v| v.as_slice()),
        }
    }

    fn push(&mut self, x: i64, y: i64, place: usize) {
        match self {
            Grid::Dense(table) => {
                let k = table
                    .slot(x, y)
                    .expect("a grid made for the points holds each of them");
                table.cells[k].push(place);
            }
            Grid::Sparse(map) => map.entry((x, y)).or_default().push(place),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_joins_what_overlaps_and_keeps_the_heaviest_as_seed() {
        // Two stacked symbols and one apart.
        let pts = [
            (10.0, 10.0, 8.0, 1.0),
            (11.0, 10.0, 8.0, 5.0),
            (60.0, 10.0, 8.0, 0.0),
        ];
        let g = group(&pts, |a, b| 0.5 * a.max(b), 8.0);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].0, 1, "the heaviest seeds its place");
        assert_eq!(g[0].1, vec![1, 0]);
        assert_eq!(g[1].1, vec![2]);
        // Far apart: every point its own place.
        let apart: Vec<_> = (0..50)
            .map(|i| (f64::from(i) * 20.0, 5.0, 8.0, 1.0))
            .collect();
        assert_eq!(group(&apart, |a, b| 0.5 * a.max(b), 8.0).len(), 50);
    }

    /// [`group`] as its rule says, by brute force: heaviest first (ties by input order),
    /// each point joins the nearest seed within reach, else seeds its own place.
    fn group_by_brute_force(
        pts: &[(f64, f64, f64, f64)],
        reach: impl Fn(f64, f64) -> f64,
    ) -> Vec<(usize, Vec<usize>)> {
        let mut order: Vec<usize> = (0..pts.len()).collect();
        order.sort_by(|&a, &b| pts[b].3.total_cmp(&pts[a].3).then(a.cmp(&b)));
        let mut places: Vec<(usize, Vec<usize>)> = Vec::new();
        for i in order {
            let (x, y, d, _) = pts[i];
            let best = places
                .iter()
                .enumerate()
                .map(|(p, (seed, _))| {
                    let s = pts[*seed];
                    let (dx, dy) = (s.0 - x, s.1 - y);
                    (dx * dx + dy * dy, p, s.2)
                })
                .filter(|&(dist2, _, ds)| dist2 <= reach(d, ds).powi(2))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            match best {
                Some((_, p, _)) => places[p].1.push(i),
                None => places.push((i, vec![i])),
            }
        }
        places
    }

    #[test]
    fn grouping_by_grid_matches_the_rule_on_a_page_and_spread_far_apart() {
        // A small deterministic generator: the same points on every run.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut pts: Vec<(f64, f64, f64, f64)> = (0..3000)
            .map(|_| {
                let (x, y) = (next() * 600.0, next() * 400.0);
                (x, y, 5.0 + next() * 15.0, (next() * 4.0).floor())
            })
            .collect();
        let reach = |a: f64, b: f64| 0.5 * a.max(b);
        let cell = pts.iter().map(|p| p.2).fold(1.0, f64::max);
        // On a page: the table of cells.
        let cells_of = |pts: &[(f64, f64, f64, f64)]| {
            Grid::new(pts.iter().map(|p| Grid::cell_of(p.0, p.1, cell)), pts.len())
        };
        assert!(matches!(cells_of(&pts), Grid::Dense(_)));
        assert_eq!(group(&pts, reach, cell), group_by_brute_force(&pts, reach));
        // One point far away: too many cells for a table, so the hash map.
        pts.push((4.0e9, -3.0e9, 8.0, 1.0));
        assert!(matches!(cells_of(&pts), Grid::Sparse(_)));
        assert_eq!(group(&pts, reach, cell), group_by_brute_force(&pts, reach));
    }

    #[test]
    fn the_weight_key_orders_as_total_cmp_reversed() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            1e300,
            2.5,
            2.5000000000000004,
        ];
        let mut next = crate::geo_util::test_uniform(3);
        values.extend((0..2000).map(|_| (next() - 0.5) * 10f64.powi((next() * 40.0) as i32 - 20)));
        for &a in &values {
            for &b in &values {
                assert_eq!(
                    heaviest_first(a).cmp(&heaviest_first(b)),
                    b.total_cmp(&a),
                    "{a} {b}"
                );
            }
        }
    }
}
