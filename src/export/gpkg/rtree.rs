//! The R-tree index of a layer (`rtree_<t>_geom`), bulk-loaded: the envelopes sorted along
//! a Hilbert curve over the layer's extent, packed into full leaves, the leaves into full
//! parents up to the root, and the nodes written straight into the R-tree's own tables
//! (`_node`, `_rowid`, `_parent`) in SQLite's node format — as GDAL's bulk loader does.
//!
//! Inserting through the virtual table costs SQLite a descent, node rewrites and splits per
//! entry (about 12 s for a million points); the packed tree is written in well under a
//! second and its nodes are tighter. The result is an ordinary SQLite R-tree (`PRAGMA
//! integrity_check` walks it: cell bounds within their parents, every mapping present) that
//! SQLite, GDAL and QGIS read and update as any other. The order is a function of the
//! envelopes and fids only, so the file stays the same on rerun.
//!
//! A node (SQLite's `rtree.c`): a 16-bit big-endian depth of the tree (the root only; zero
//! elsewhere), a 16-bit cell count, then the cells — a 64-bit id (a fid in a leaf, a child
//! node number above) and min x, max x, min y, max y as 32-bit floats, all big-endian —
//! zero-padded to the node size the virtual table chose at creation (the length of its
//! empty root). The root is node 1.

use super::tables::quoted;
use anyhow::{Context, Result};
use rusqlite::Connection;

/// Bytes of a 2-D cell: the id and four coordinates.
const CELL: usize = 8 + 4 * 4;

/// SQLite's rounding of a double to a float bound that still contains it (`rtree.c`).
const RNDTOWARDS: f64 = 1.0 - 1.0 / 8388608.0;
const RNDAWAY: f64 = 1.0 + 1.0 / 8388608.0;

/// The float at or below `d`, as SQLite stores a minimum.
fn down(d: f64) -> f32 {
    let f = d as f32;
    if f64::from(f) > d {
        (d * if d < 0.0 { RNDAWAY } else { RNDTOWARDS }) as f32
    } else {
        f
    }
}

/// The float at or above `d`, as SQLite stores a maximum.
fn up(d: f64) -> f32 {
    let f = d as f32;
    if f64::from(f) < d {
        (d * if d < 0.0 { RNDTOWARDS } else { RNDAWAY }) as f32
    } else {
        f
    }
}

/// Rows of the fid → leaf table per multi-row insert.
const ROWID_BATCH: usize = 512;

/// Each feature's envelope (min x, max x, min y, max y) with its fid, in the order the
/// features were written (so fids increase). While every envelope is a point, each is kept
/// as its two coordinates: a million incidents' envelopes take 24 MB rather than 40, held
/// while the rows go in (beside the maps `run` draws meanwhile).
#[derive(Debug)]
pub(crate) enum Envelopes {
    Points(Vec<(i64, [f64; 2])>),
    Boxes(Vec<(i64, [f64; 4])>),
}

impl Default for Envelopes {
    fn default() -> Self {
        Envelopes::Points(Vec::new())
    }
}

impl Envelopes {
    pub(super) fn reserve_exact(&mut self, n: usize) {
        match self {
            Envelopes::Points(v) => v.reserve_exact(n),
            Envelopes::Boxes(v) => v.reserve_exact(n),
        }
    }

    /// Adds feature `fid`'s envelope; fids must come in increasing order.
    pub(super) fn push(&mut self, fid: i64, e: [f64; 4]) {
        match self {
            Envelopes::Points(v) if e[0] == e[1] && e[2] == e[3] => v.push((fid, [e[0], e[2]])),
            Envelopes::Points(v) => {
                let mut boxes: Vec<(i64, [f64; 4])> = Vec::with_capacity(v.capacity());
                boxes.extend(v.iter().map(|&(f, [x, y])| (f, [x, x, y, y])));
                boxes.push((fid, e));
                *self = Envelopes::Boxes(boxes);
            }
            Envelopes::Boxes(v) => v.push((fid, e)),
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Envelopes::Points(v) => v.len(),
            Envelopes::Boxes(v) => v.len(),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `at`-th envelope and its fid.
    pub(super) fn get(&self, at: usize) -> (i64, [f64; 4]) {
        match self {
            Envelopes::Points(v) => {
                let (fid, [x, y]) = v[at];
                (fid, [x, x, y, y])
            }
            Envelopes::Boxes(v) => v[at],
        }
    }

    fn iter(&self) -> impl Iterator<Item = (i64, [f64; 4])> + '_ {
        (0..self.len()).map(|at| self.get(at))
    }
}

impl FromIterator<(i64, [f64; 4])> for Envelopes {
    fn from_iter<I: IntoIterator<Item = (i64, [f64; 4])>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut all = Envelopes::default();
        // Made to its most at once: a million points' list grown by doubling was copied
        // about once over, its pages cleared twice.
        if let (_, Some(most)) = iter.size_hint() {
            all.reserve_exact(most);
        }
        for (fid, e) in iter {
            all.push(fid, e);
        }
        all
    }
}

/// Fills the empty R-tree `rtree` (just created) with `envelopes`: each a fid (a layer's
/// row number, 1, 2, …: increasing, positive, and no larger than the number of rows, which
/// sizes a table) with its min x, max x, min y, max y; `extent` is their union.
pub(super) fn fill(
    conn: &Connection,
    rtree: &str,
    envelopes: &Envelopes,
    extent: [f64; 4],
) -> Result<()> {
    if envelopes.is_empty() {
        return Ok(());
    }
    anyhow::ensure!(
        u32::try_from(envelopes.len()).is_ok(),
        "{rtree}: {} envelopes",
        envelopes.len()
    );
    let mut last = 0;
    for (fid, _) in envelopes.iter() {
        anyhow::ensure!(fid > last, "{rtree}: fid {fid} after {last}");
        last = fid;
    }
    let shadow = |suffix: &str| quoted(&format!("{rtree}_{suffix}"));
    let node_size: i64 = conn
        .query_row(
            &format!(
                "SELECT length(data) FROM {} WHERE nodeno = 1",
                shadow("node")
            ),
            [],
            |r| r.get(0),
        )
        .with_context(|| format!("reading the root of {rtree}"))?;
    let node_size = usize::try_from(node_size)?;
    let per = node_size.saturating_sub(4) / CELL;
    anyhow::ensure!(per >= 2, "{rtree}: nodes of {node_size} bytes");
    let order = curve_order(envelopes, extent);

    // Levels from the leaves up, each a list of nodes, each a list of cells (the id is a
    // fid in a leaf and, above, the position of the child in the level below).
    let leaves: Vec<Vec<(i64, [f32; 4])>> = order
        .chunks(per)
        .map(|c| {
            c.iter()
                .map(|&at| {
                    let (fid, e) = envelopes.get(at as usize);
                    (fid, [down(e[0]), up(e[1]), down(e[2]), up(e[3])])
                })
                .collect()
        })
        .collect();
    drop(order);
    let mut levels = vec![leaves];
    while levels.last().map_or(0, Vec::len) > 1 {
        let below = levels.last().map(Vec::as_slice).unwrap_or_default();
        let bounds: Vec<(i64, [f32; 4])> = below
            .iter()
            .enumerate()
            .map(|(i, cells)| (i as i64, union(cells)))
            .collect();
        levels.push(bounds.chunks(per).map(<[_]>::to_vec).collect());
    }
    // Node numbers from the root down: the root 1, then each level in order.
    let mut first = Vec::with_capacity(levels.len());
    let mut next = 1i64;
    for level in levels.iter().rev() {
        first.push(next);
        next += level.len() as i64;
    }
    first.reverse();
    let depth = u16::try_from(levels.len() - 1).context("R-tree too deep")?;

    let mut node = conn.prepare(&format!(
        "INSERT OR REPLACE INTO {} (nodeno, data) VALUES (?1, ?2)",
        shadow("node")
    ))?;
    let mut parent = conn.prepare(&format!(
        "INSERT INTO {} (nodeno, parentnode) VALUES (?1, ?2)",
        shadow("parent")
    ))?;
    let mut blob = vec![0u8; node_size];
    for (l, level) in levels.iter().enumerate().rev() {
        for (i, cells) in level.iter().enumerate() {
            let nodeno = first[l] + i as i64;
            blob.fill(0);
            if nodeno == 1 {
                blob[..2].copy_from_slice(&depth.to_be_bytes());
            }
            blob[2..4].copy_from_slice(&(cells.len() as u16).to_be_bytes());
            for (k, (id, b)) in cells.iter().enumerate() {
                let id = if l == 0 { *id } else { first[l - 1] + id };
                let at = 4 + k * CELL;
                blob[at..at + 8].copy_from_slice(&id.to_be_bytes());
                for (j, v) in b.iter().enumerate() {
                    let c = at + 8 + 4 * j;
                    blob[c..c + 4].copy_from_slice(&v.to_bits().to_be_bytes());
                }
                if l > 0 {
                    parent.raw_bind_parameter(1, id)?;
                    parent.raw_bind_parameter(2, nodeno)?;
                    parent.raw_execute()?;
                }
            }
            node.raw_bind_parameter(1, nodeno)?;
            node.raw_bind_parameter(2, &blob[..])?;
            node.raw_execute()?;
        }
    }
    // Each fid's leaf, in fid order: fids are the rows' 1, 2, … (those with an empty
    // geometry missing), so each goes to its own slot, no sort needed.
    // The fids were checked to increase, so `last` is the largest and none comes twice.
    let first_leaf = first[0];
    let mut leaf_by_fid = vec![0i64; usize::try_from(last)? + 1];
    for (i, cells) in levels[0].iter().enumerate() {
        for (fid, _) in cells {
            leaf_by_fid[usize::try_from(*fid)?] = first_leaf + i as i64;
        }
    }
    drop(levels);
    // In multi-row inserts of ROWID_BATCH rows, then one row at a time: the same rows in
    // the same order (so the same pages) for a fraction of the per-statement cost. Node
    // numbers start at 1, so 0 marks a fid without an envelope. Where the fids run on from
    // the last one inserted (every fid has an envelope but empty geometries), the rowid is
    // left for SQLite to number, the next after the table's last, which is the fid: given
    // the number, SQLite looked each row up before inserting it, a seek down the table per
    // row (as for the layer's own rows, see `Rows::push_values`).
    let insert_of = |rows: usize, numbered: bool| {
        let (columns, row) = if numbered {
            ("rowid, nodeno", "(?, ?)")
        } else {
            ("nodeno", "(?)")
        };
        format!(
            "INSERT INTO {} ({columns}) VALUES {}",
            shadow("rowid"),
            vec![row; rows].join(", ")
        )
    };
    let mut numbered_batch = conn.prepare(&insert_of(ROWID_BATCH, true))?;
    let mut running_batch = conn.prepare(&insert_of(ROWID_BATCH, false))?;
    let mut numbered_single = conn.prepare(&insert_of(1, true))?;
    let mut running_single = conn.prepare(&insert_of(1, false))?;
    // The rowid SQLite gives a row inserted without one: the table is new and empty.
    let mut next_free = 1i64;
    let mut pending: Vec<(i64, i64)> = Vec::with_capacity(ROWID_BATCH);
    let leaf_of = leaf_by_fid
        .iter()
        .enumerate()
        .filter(|&(_, &leaf)| leaf > 0)
        .map(|(fid, &leaf)| (fid as i64, leaf));
    for row in leaf_of {
        pending.push(row);
        if pending.len() < ROWID_BATCH {
            continue;
        }
        // The fids increase, so they run on exactly when the last is as far from the first
        // as the count says.
        let (first, last) = (pending[0].0, pending[ROWID_BATCH - 1].0);
        let runs_on = first == next_free && last - first + 1 == ROWID_BATCH as i64;
        for (k, (fid, leaf)) in pending.drain(..).enumerate() {
            if runs_on {
                running_batch.raw_bind_parameter(k + 1, leaf)?;
            } else {
                numbered_batch.raw_bind_parameter(2 * k + 1, fid)?;
                numbered_batch.raw_bind_parameter(2 * k + 2, leaf)?;
            }
        }
        if runs_on {
            running_batch.raw_execute()?;
        } else {
            numbered_batch.raw_execute()?;
        }
        next_free = last + 1;
    }
    for (fid, leaf) in pending {
        if fid == next_free {
            running_single.raw_bind_parameter(1, leaf)?;
            running_single.raw_execute()?;
        } else {
            numbered_single.raw_bind_parameter(1, fid)?;
            numbered_single.raw_bind_parameter(2, leaf)?;
            numbered_single.raw_execute()?;
        }
        next_free = fid + 1;
    }
    // Numbered by SQLite, a row out of step with its fid would shift every later one: the
    // last would then not be the largest fid.
    let largest: Option<i64> = conn.query_row(
        &format!("SELECT max(rowid) FROM {}", shadow("rowid")),
        [],
        |r| r.get(0),
    )?;
    anyhow::ensure!(
        largest == (next_free > 1).then_some(next_free - 1),
        "the R-tree's rows were numbered up to {largest:?}, not {}",
        next_free - 1
    );
    Ok(())
}

/// The bounds of a node's cells.
fn union(cells: &[(i64, [f32; 4])]) -> [f32; 4] {
    let mut u = [
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ];
    for (_, b) in cells {
        u = [
            u[0].min(b[0]),
            u[1].max(b[1]),
            u[2].min(b[2]),
            u[3].max(b[3]),
        ];
    }
    u
}

/// min x, max x, min y, max y of all `envelopes` (each min x, max x, min y, max y).
pub(super) fn extent(envelopes: &Envelopes) -> Option<[f64; 4]> {
    envelopes.iter().map(|(_, e)| e).reduce(|a, e| {
        [
            a[0].min(e[0]),
            a[1].max(e[1]),
            a[2].min(e[2]),
            a[3].max(e[3]),
        ]
    })
}

/// The positions of `envelopes` in the order of the Hilbert index of their centres in
/// `extent`, fid breaking ties (fids increase with position, so the position does).
fn curve_order(envelopes: &Envelopes, extent: [f64; 4]) -> Vec<u32> {
    const ORDER: u32 = 16;
    let side = f64::from((1u32 << ORDER) - 1);
    let cell = |v: f64, lo: f64, hi: f64| -> u32 {
        if hi > lo {
            (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * side).round() as u32
        } else {
            0
        }
    };
    // One key per envelope (not one per comparison): its Hilbert index (2 × ORDER = 32
    // bits) above its position (under 2^32, checked by the caller), sorted as plain
    // numbers: 8 bytes an envelope where index, fid and position took 24.
    let mut keyed: Vec<u64> = envelopes
        .iter()
        .enumerate()
        .map(|(at, (_, e))| {
            let x = cell((e[0] + e[1]) / 2.0, extent[0], extent[1]);
            let y = cell((e[2] + e[3]) / 2.0, extent[2], extent[3]);
            (hilbert(x, y, ORDER) << 32) | at as u64
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|k| k as u32).collect()
}

fn hilbert(mut x: u32, mut y: u32, order: u32) -> u64 {
    let last = (1u32 << order) - 1;
    let mut d = 0u64;
    let mut s = 1u32 << (order - 1);
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        // Turn the quadrant so the curve runs on through it.
        if ry == 0 {
            if rx == 1 {
                x = last - x;
                y = last - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s >>= 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hilbert_visits_each_cell_once_stepping_to_a_neighbour() {
        let order = 3;
        let n = 1u32 << order;
        let mut cells: Vec<(u64, u32, u32)> = (0..n)
            .flat_map(|x| (0..n).map(move |y| (hilbert(x, y, order), x, y)))
            .collect();
        cells.sort();
        for (i, w) in cells.windows(2).enumerate() {
            assert_eq!(w[0].0, i as u64);
            let step = w[0].1.abs_diff(w[1].1) + w[0].2.abs_diff(w[1].2);
            assert_eq!(step, 1, "{:?} -> {:?}", w[0], w[1]);
        }
    }

    /// A bulk-loaded tree holds what SQLite's own inserts store, passes SQLite's check and
    /// answers a window query as a scan does.
    #[test]
    fn bulk_loaded_tree_matches_sqlites_own_and_passes_its_check() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE own USING rtree(id, minx, maxx, miny, maxy);
             CREATE VIRTUAL TABLE bulk USING rtree(id, minx, maxx, miny, maxy);",
        )
        .unwrap();
        // A deterministic scatter of points and small boxes on both sides of zero.
        let mut state = 42u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let envelopes: Envelopes = (1..=6000)
            .map(|fid| {
                let (x, y) = (next() * 40.0 - 20.0 + 60.0, next() * 20.0 - 10.0);
                let (w, h) = if fid % 3 == 0 {
                    (next(), next())
                } else {
                    (0.0, 0.0)
                };
                (fid, [x, x + w, y, y + h])
            })
            .collect();
        let mut insert = conn
            .prepare("INSERT INTO own VALUES (?1, ?2, ?3, ?4, ?5)")
            .unwrap();
        for (fid, e) in envelopes.iter() {
            insert
                .execute(rusqlite::params![fid, e[0], e[1], e[2], e[3]])
                .unwrap();
        }
        let ext = extent(&envelopes).unwrap();
        fill(&conn, "bulk", &envelopes, ext).unwrap();
        let check = |t: &str| -> String {
            conn.query_row(&format!("SELECT rtreecheck('{t}')"), [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(check("bulk"), "ok");
        assert_eq!(check("own"), "ok");
        let all = |sql: &str| -> Vec<(i64, f64, f64, f64, f64)> {
            let mut s = conn.prepare(sql).unwrap();
            s.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
        };
        let own = all("SELECT * FROM own ORDER BY id");
        assert_eq!(own.len(), 6000);
        assert_eq!(all("SELECT * FROM bulk ORDER BY id"), own);
        let window = "WHERE maxx >= 61.5 AND minx <= 64 AND maxy >= -3 AND miny <= 0.5 ORDER BY id";
        let found = all(&format!("SELECT * FROM bulk {window}"));
        assert!(found.len() > 50);
        assert_eq!(found, all(&format!("SELECT * FROM own {window}")));
        // 6000 entries, 51 a node: 118 leaves, 3 nodes above them, the root.
        let root: Vec<u8> = conn
            .query_row("SELECT data FROM bulk_node WHERE nodeno = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(root.len(), 4 + 51 * CELL);
        assert_eq!(&root[..4], &[0, 2, 0, 3]);
    }

    /// Each fid's leaf goes in under the fid itself, whether the fids run on from the last
    /// (numbered by SQLite) or skip some (numbered here): batches that run on, batches with
    /// a gap inside or before them, and single rows after a gap.
    #[test]
    fn each_fid_maps_to_its_leaf_across_gaps() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING rtree(id, minx, maxx, miny, maxy);")
            .unwrap();
        let n = 3 * ROWID_BATCH as i64 + 40;
        // From fid 2 (1 has no envelope); a gap inside the second batch, one right after the
        // third and two among the last rows.
        let skipped = [1, 700, 1538, n - 20, n - 3];
        let fids: Vec<i64> = (1..=n).filter(|f| !skipped.contains(f)).collect();
        let envelopes: Envelopes = fids
            .iter()
            .map(|&fid| {
                let (x, y) = (
                    60.0 + (fid * 37 % 101) as f64 * 0.05,
                    30.0 + (fid % 13) as f64,
                );
                (fid, [x, x, y, y])
            })
            .collect();
        let ext = extent(&envelopes).unwrap();
        fill(&conn, "t", &envelopes, ext).unwrap();
        let check: String = conn
            .query_row("SELECT rtreecheck('t')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let mut s = conn
            .prepare("SELECT rowid FROM t_rowid ORDER BY rowid")
            .unwrap();
        let rowids: Vec<i64> = s
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rowids, fids);
        // Each fid is found in the leaf its row names.
        let misplaced: i64 = conn
            .query_row(
                "SELECT count(*) FROM t_rowid r WHERE NOT EXISTS (SELECT 1 FROM t \
                 WHERE id = r.rowid)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(misplaced, 0);
    }

    #[test]
    fn order_is_by_curve_then_fid() {
        let p = |fid, x, y| (fid, [x, x, y, y]);
        let e: Envelopes = [
            p(1, 1.0, 1.0),
            p(2, 0.0, 0.0),
            p(3, 1.0, 1.0),
            p(4, 0.0, 1.0),
        ]
        .into_iter()
        .collect();
        let ext = extent(&e).unwrap();
        assert_eq!(ext, [0.0, 1.0, 0.0, 1.0]);
        let fids: Vec<i64> = curve_order(&e, ext)
            .iter()
            .map(|&at| e.get(at as usize).0)
            .collect();
        // (0, 0) starts the curve; the two at (1, 1) follow each other, fid first.
        assert_eq!(fids[0], 2);
        let at = |f| fids.iter().position(|&g| g == f).unwrap();
        assert_eq!(at(3), at(1) + 1);
    }

    /// Points are kept as points until a box comes; then all are boxes, the same envelopes
    /// in the same order.
    #[test]
    fn envelopes_stay_points_until_a_box_comes() {
        let mut e = Envelopes::default();
        e.push(1, [1.0, 1.0, 2.0, 2.0]);
        e.push(2, [3.0, 3.0, 4.0, 4.0]);
        assert!(matches!(e, Envelopes::Points(_)));
        assert_eq!(e.get(1), (2, [3.0, 3.0, 4.0, 4.0]));
        e.push(5, [0.0, 1.0, 0.0, 1.0]);
        assert!(matches!(e, Envelopes::Boxes(_)));
        let all: Vec<_> = e.iter().collect();
        assert_eq!(
            all,
            [
                (1, [1.0, 1.0, 2.0, 2.0]),
                (2, [3.0, 3.0, 4.0, 4.0]),
                (5, [0.0, 1.0, 0.0, 1.0])
            ]
        );
    }

    #[test]
    fn fids_out_of_order_are_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING rtree(id, minx, maxx, miny, maxy);")
            .unwrap();
        let e: Envelopes = [(2, [0.0, 0.0, 0.0, 0.0]), (1, [1.0, 1.0, 1.0, 1.0])]
            .into_iter()
            .collect();
        let ext = extent(&e).unwrap();
        assert!(fill(&conn, "t", &e, ext).is_err());
    }
}
