//! Afghanistan's borders as the edges its Who's On First polygon shares with its neighbours'.
//!
//! Every vertex of Afghanistan's outline is labelled with the neighbour whose outline holds
//! the same vertex (to the 6th decimal). Where the two polygons follow the same line with
//! different vertices (about 38 km of AF–PK, a few stretches of AF–IR), the unlabelled run
//! between two vertices of the same neighbour belongs to that neighbour, and **Afghanistan's
//! vertices are taken throughout**, so each line is exactly an edge of Afghanistan's polygon.
//! China is not in the extract: AF–CN is the run of Afghanistan's outline left between the
//! AF–TJ and AF–PK ends (the Wakhan's eastern tip).

use crate::{Border, Coord, line_km};
use anyhow::{Context, Result, bail};
use geo::MultiPolygon;
use std::collections::{BTreeMap, HashMap};

fn key(c: Coord) -> (i64, i64) {
    ((c.0 * 1e6).round() as i64, (c.1 * 1e6).round() as i64)
}

/// Signed area of a ring (positive = counter-clockwise in lon/lat).
fn signed_area(r: &[Coord]) -> f64 {
    r.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum::<f64>()
        / 2.0
}

/// Derives each Afghan border, oriented clockwise around Afghanistan (Afghanistan on the
/// right walking from km 0), so km 0 is the tripoint reached first going clockwise: AF–TJ runs
/// west → east from the Uzbek tripoint, AF–PK from the Wakhan (Chinese tripoint) to Iran.
pub fn derive(
    afghanistan: &MultiPolygon<f64>,
    neighbours: &[(&str, &str, &MultiPolygon<f64>)],
    published: &BTreeMap<String, (f64, String)>,
) -> Result<Vec<Border>> {
    let main = afghanistan
        .0
        .iter()
        .max_by_key(|p| p.exterior().0.len())
        .context("Afghanistan has no polygon")?;
    let mut ring: Vec<Coord> = main.exterior().coords().map(|c| (c.x, c.y)).collect();
    if ring.first() == ring.last() {
        ring.pop();
    }
    if signed_area(&[ring.as_slice(), &ring[..1]].concat()) > 0.0 {
        ring.reverse();
    }
    let mut owner: HashMap<(i64, i64), &str> = HashMap::new();
    for (code, _, shape) in neighbours {
        for poly in &shape.0 {
            for r in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for c in r.coords() {
                    owner.insert(key((c.x, c.y)), code);
                }
            }
        }
    }
    let n = ring.len();
    let mut label: Vec<Option<&str>> = ring.iter().map(|&c| owner.get(&key(c)).copied()).collect();
    // Fill each unlabelled run with its neighbours' label where both ends agree; the run
    // between AF-TJ and AF-PK is China.
    let start = (0..n)
        .find(|&i| label[i].is_some())
        .context("Afghanistan shares no vertex with any neighbour")?;
    let mut i = 0;
    while i < n {
        let at = (start + i) % n;
        if label[at].is_some() {
            i += 1;
            continue;
        }
        let before = label[(at + n - 1) % n];
        let mut len = 0;
        while label[(at + len) % n].is_none() {
            len += 1;
        }
        let after = label[(at + len) % n];
        let fill = match (before, after) {
            (Some(a), Some(b)) if a == b => a,
            (Some("TJ"), Some("PK")) | (Some("PK"), Some("TJ")) => "CN",
            (a, b) => bail!(
                "{len} vertices of Afghanistan's outline at {:?} lie between {a:?} and {b:?}: no rule places them",
                ring[at]
            ),
        };
        for k in 0..len {
            label[(at + k) % n] = Some(fill);
        }
        i += len;
    }
    let label: Vec<&str> = label.into_iter().map(|l| l.unwrap_or("?")).collect();
    // Rotate so the ring starts where a border starts, then cut it into runs.
    let first = (0..n)
        .find(|&i| label[i] != label[(i + n - 1) % n])
        .context("Afghanistan's outline touches a single neighbour")?;
    let mut runs: Vec<(&str, Vec<Coord>)> = Vec::new();
    for k in 0..n {
        let i = (first + k) % n;
        match runs.last_mut() {
            Some((l, coords)) if *l == label[i] => coords.push(ring[i]),
            _ => runs.push((label[i], vec![ring[i]])),
        }
    }
    let mut borders = Vec::new();
    for r in 0..runs.len() {
        // Each line ends on the next border's first vertex: tripoint to tripoint, no gap.
        let next_first = runs[(r + 1) % runs.len()].1[0];
        let (code, coords) = &runs[r];
        let mut coords = coords.clone();
        coords.push(next_first);
        if runs.iter().filter(|(c, _)| c == code).count() != 1 {
            bail!("AF-{code} is not one continuous stretch of Afghanistan's outline");
        }
        let name = neighbours
            .iter()
            .find(|(c, _, _)| c == code)
            .map(|(_, name, _)| name.to_string())
            .unwrap_or_else(|| "China".to_string());
        let id = format!("AF-{code}");
        let (published_km, published_source) = published.get(&id).cloned().with_context(|| {
            format!("no published length for {id} in curated/published_lengths.csv")
        })?;
        let line = borderwatch::borders::Border::new(
            id.clone(),
            id.clone(),
            coords
                .iter()
                .map(|&(x, y)| geo::coord! {x: x, y: y})
                .collect(),
        );
        borders.push(Border {
            measured_km: line_km(&coords),
            line,
            id,
            neighbour: code.to_string(),
            neighbour_name: name,
            coords,
            published_km,
            published_source,
        });
    }
    borders.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(borders)
}
