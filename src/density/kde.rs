//! Kernel density surface on a regular grid in the region's equal-area projection, and its
//! isobands.
//!
//! Each incident is a Gaussian of bandwidth h_i = √(h² + σ_i²): the chosen bandwidth h
//! widened by its own location uncertainty σ_i (radius / 2), so a province-level report is a
//! broad low hill rather than a sharp peak at the province's label point. A border-zone report
//! is spread along its stretch. Incidents are binned onto the grid per bandwidth class and
//! each class is blurred with a separable discrete Gaussian (normalised, so mass is
//! conserved); wide classes are blurred on a coarser grid and spread back. Values are
//! incidents per 1,000 km² per year.

use super::Analysis;
use super::columns::AnalysisInput;
use crate::borders::locate::point_at_km;
use crate::projection::Projection;
use anyhow::{Result, anyhow};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct KdeOptions {
    pub bandwidth_km: f64,
    pub cols: usize,
    pub rows: usize,
    /// Margin around the analysed borders, km.
    pub margin_km: f64,
}

impl Default for KdeOptions {
    fn default() -> Self {
        KdeOptions {
            bandwidth_km: 15.0,
            cols: 1000,
            rows: 800,
            margin_km: 150.0,
        }
    }
}

/// A density grid. Row 0 is the southernmost; `values[row * cols + col]`.
#[derive(Debug, Clone)]
pub struct Surface {
    /// Lower-left corner of cell (0, 0), km in the projection.
    pub x0: f64,
    pub y0: f64,
    pub cell_km: f64,
    pub cols: usize,
    pub rows: usize,
    pub values: Vec<f64>,
    /// Years the per-year figure divides by (1 when the analysis has no window).
    pub years: f64,
    /// Total weight put on the grid.
    pub weight: f64,
}

impl Surface {
    /// Σ value × cell area: the weight the grid holds (per year × years / 1000 undone).
    pub fn integral(&self) -> f64 {
        self.values.iter().sum::<f64>() * self.cell_km * self.cell_km / 1000.0 * self.years
    }

    pub fn max(&self) -> f64 {
        self.values.iter().copied().fold(0.0, f64::max)
    }

    /// The grid the surface lies on.
    pub fn grid(&self) -> SurfaceGrid {
        SurfaceGrid {
            x0: self.x0,
            y0: self.y0,
            cell_km: self.cell_km,
            cols: self.cols,
            rows: self.rows,
        }
    }
}

fn kernel(sigma: f64) -> Vec<f64> {
    let r = (3.0 * sigma).ceil().max(1.0) as i64;
    let mut k: Vec<f64> = (-r..=r)
        .map(|i| (-0.5 * (i as f64 / sigma).powi(2)).exp())
        .collect();
    let s: f64 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= s);
    k
}

/// Separable Gaussian blur of a cols×rows grid, in place (zero beyond the edges).
fn blur(grid: &mut [f64], cols: usize, rows: usize, sigma_cells: f64) {
    let k = kernel(sigma_cells);
    let r = (k.len() / 2) as i64;
    let mut tmp = vec![0.0; grid.len()];
    for y in 0..rows {
        let row = &grid[y * cols..(y + 1) * cols];
        for (x, &v) in row.iter().enumerate() {
            if v == 0.0 {
                continue;
            }
            let lo = (x as i64 - r).max(0) as usize;
            let hi = (x as i64 + r).min(cols as i64 - 1) as usize;
            for xx in lo..=hi {
                tmp[y * cols + xx] += v * k[(xx as i64 - x as i64 + r) as usize];
            }
        }
    }
    grid.iter_mut().for_each(|v| *v = 0.0);
    for y in 0..rows {
        let lo = (y as i64 - r).max(0) as usize;
        let hi = (y as i64 + r).min(rows as i64 - 1) as usize;
        for yy in lo..=hi {
            let w = k[(yy as i64 - y as i64 + r) as usize];
            let (src, dst) = (y * cols, yy * cols);
            for x in 0..cols {
                grid[dst + x] += tmp[src + x] * w;
            }
        }
    }
}

/// Where a density surface lies: its grid, worked out from the analysed borders alone (not
/// from the incidents), so what a run writes about its surface can be written before the
/// surface is made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurfaceGrid {
    /// Lower-left corner of cell (0, 0), km in the projection.
    pub x0: f64,
    pub y0: f64,
    pub cell_km: f64,
    pub cols: usize,
    pub rows: usize,
}

/// The grid [`surface`] puts an analysis's incidents on: the analysed borders' extent in
/// `proj` plus the margin, in square cells, `opts.cols` × `opts.rows` of them. `Err` when no
/// analysed border has a point in `proj` (then there is no surface either).
pub fn surface_grid(
    analysis: &Analysis,
    opts: &KdeOptions,
    proj: &Projection,
) -> Result<SurfaceGrid> {
    // Extent: the analysed borders plus a margin.
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for b in &analysis.borders {
        for c in &b.border.line.0 {
            if let Some((x, y)) = proj.forward(c.x, c.y) {
                xs.push(x);
                ys.push(y);
            }
        }
    }
    let fold = |v: &[f64], f: fn(f64, f64) -> f64, init: f64| v.iter().copied().fold(init, f);
    if xs.is_empty() {
        return Err(anyhow!("no border to draw a density surface around"));
    }
    let (bx0, bx1) = (
        fold(&xs, f64::min, f64::INFINITY) - opts.margin_km,
        fold(&xs, f64::max, f64::NEG_INFINITY) + opts.margin_km,
    );
    let (by0, by1) = (
        fold(&ys, f64::min, f64::INFINITY) - opts.margin_km,
        fold(&ys, f64::max, f64::NEG_INFINITY) + opts.margin_km,
    );
    let cell = ((bx1 - bx0) / opts.cols as f64).max((by1 - by0) / opts.rows as f64);
    let (cols, rows) = (opts.cols, opts.rows);
    let cx = (bx0 + bx1) / 2.0;
    let cy = (by0 + by1) / 2.0;
    Ok(SurfaceGrid {
        x0: cx - cell * cols as f64 / 2.0,
        y0: cy - cell * rows as f64 / 2.0,
        cell_km: cell,
        cols,
        rows,
    })
}

/// Builds the surface for an analysis's incidents (their weights after filters and window).
pub fn surface<I: AnalysisInput + ?Sized>(
    located: &I,
    analysis: &Analysis,
    opts: &KdeOptions,
    proj: &Projection,
) -> Result<Surface> {
    surface_with_positions(located, analysis, opts, proj, &[])
}

/// [`surface`], with incidents' positions in `proj` already worked out where `known` has a
/// number for them (index by index; NaN, or past its end: projected here). `run` hands on
/// the maps' positions, worked out once on all cores, instead of projecting every incident
/// again on this one thread (`perf` on the peer's million: 0.054–0.058 s in two runs).
pub fn surface_with_positions<I: AnalysisInput + ?Sized>(
    located: &I,
    analysis: &Analysis,
    opts: &KdeOptions,
    proj: &Projection,
    known: &[[f64; 2]],
) -> Result<Surface> {
    let SurfaceGrid {
        x0,
        y0,
        cell_km: cell,
        cols,
        rows,
    } = surface_grid(analysis, opts, proj)?;
    let years = analysis.years.unwrap_or(1.0).max(1e-9);

    // Bin by bandwidth class (σ in cells, rounded to 0.5 cell).
    let mut classes: BTreeMap<u32, Vec<(f64, f64, f64)>> = BTreeMap::new();
    let mut put = |x: f64, y: f64, w: f64, sigma_km: f64| {
        let key = ((sigma_km / cell) * 2.0).round().max(1.0) as u32;
        classes.entry(key).or_default().push((x, y, w));
    };
    let mut total = 0.0;
    let h = opts.bandwidth_km;
    debug_assert_eq!(
        located.len(),
        analysis.placements.len(),
        "not this analysis's incidents"
    );
    for (i, p) in analysis.placements.iter().enumerate() {
        let w = p.weight;
        if w <= 0.0 {
            continue;
        }
        let loc = located.subject(i);
        let stretch = loc.stretch.and_then(|(border_id, km_from, km_to)| {
            analysis
                .borders
                .iter()
                .find(|b| b.border.id == border_id)
                .map(|b| (&b.border, km_from, km_to))
        });
        if let Some((b, k1, k2)) = stretch {
            let n = (((k2 - k1).abs() / cell).ceil() as usize).max(1);
            for i in 0..n {
                let km = k1 + (k2 - k1) * (i as f64 + 0.5) / n as f64;
                let (lon, lat) = point_at_km(b, km);
                if let Some((x, y)) = proj.forward(lon, lat) {
                    put(x, y, w / n as f64, h);
                }
            }
        } else if let Some((x, y)) = known
            .get(i)
            .filter(|p| !p[0].is_nan())
            .map(|p| (p[0], p[1]))
            .or_else(|| proj.forward(loc.lon, loc.lat))
        {
            let s = super::assign::sigma_for_radius(loc.radius_km);
            put(x, y, w, (h * h + s * s).sqrt());
        }
        total += w;
    }

    let mut values = vec![0.0; cols * rows];
    for (key, pts) in classes {
        let sigma_cells = key as f64 / 2.0;
        // Wide kernels: blur on a grid coarser by `f`, then spread back evenly.
        let f = ((sigma_cells / 6.0).floor() as usize).max(1);
        let (cc, rr) = (cols.div_ceil(f), rows.div_ceil(f));
        let mut g = vec![0.0; cc * rr];
        for (x, y, w) in pts {
            let c = ((x - x0) / (cell * f as f64)).floor();
            let r = ((y - y0) / (cell * f as f64)).floor();
            if c >= 0.0 && r >= 0.0 && (c as usize) < cc && (r as usize) < rr {
                g[r as usize * cc + c as usize] += w;
            }
        }
        blur(&mut g, cc, rr, sigma_cells / f as f64);
        let per = 1.0 / (f * f) as f64;
        for r in 0..rows {
            let gr = (r / f) * cc;
            for c in 0..cols {
                values[r * cols + c] += g[gr + c / f] * per;
            }
        }
    }
    // weight per cell → incidents per 1,000 km² per year.
    let to_density = 1000.0 / (cell * cell) / years;
    values.iter_mut().for_each(|v| *v *= to_density);
    Ok(Surface {
        x0,
        y0,
        cell_km: cell,
        cols,
        rows,
        values,
        years,
        weight: total,
    })
}

/// Band limits for isobands: fractions of the peak, rounded to two significant figures.
pub fn default_thresholds(s: &Surface) -> Vec<f64> {
    let max = s.max();
    if max <= 0.0 {
        return Vec::new();
    }
    let round2 = |v: f64| {
        let mag = 10f64.powf(v.log10().floor() - 1.0);
        (v / mag).round() * mag
    };
    let mut t: Vec<f64> = [0.02, 0.05, 0.1, 0.2, 0.4, 0.7]
        .iter()
        .map(|f| round2(max * f))
        .collect();
    t.push(max * 1.0001);
    t.dedup();
    t
}

/// One isoband: values in `[lo, hi)`, as lon/lat polygons.
pub struct Isoband {
    pub lo: f64,
    pub hi: f64,
    pub shape: MultiPolygon<f64>,
}

/// Isobands of the surface (contour crate), projected back to lon/lat.
pub fn isobands(s: &Surface, thresholds: &[f64], proj: &Projection) -> Result<Vec<Isoband>> {
    if thresholds.len() < 2 {
        return Ok(Vec::new());
    }
    let builder = contour::ContourBuilder::new(s.cols, s.rows, true)
        .x_origin(s.x0 + s.cell_km / 2.0)
        .y_origin(s.y0 + s.cell_km / 2.0)
        .x_step(s.cell_km)
        .y_step(s.cell_km);
    let bands = builder
        .isobands(&s.values, thresholds)
        .map_err(|e| anyhow!("isobands: {e:?}"))?;
    let unproject = |ls: &LineString<f64>| -> LineString<f64> {
        ls.0.iter()
            .filter_map(|c| proj.inverse(c.x, c.y).map(|(x, y)| Coord { x, y }))
            .collect()
    };
    Ok(bands
        .into_iter()
        .map(|b| {
            let (mp, lo, hi) = b.into_inner();
            let shape = MultiPolygon(
                mp.0.iter()
                    .map(|p| {
                        Polygon::new(
                            unproject(p.exterior()),
                            p.interiors().iter().map(unproject).collect(),
                        )
                    })
                    .collect(),
            );
            Isoband { lo, hi, shape }
        })
        .filter(|b| !b.shape.0.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn blur_conserves_mass() {
        let (c, r) = (200, 150);
        let mut g = vec![0.0; c * r];
        g[75 * c + 100] = 3.0;
        g[70 * c + 90] = 2.0;
        blur(&mut g, c, r, 7.5);
        let s: f64 = g.iter().sum();
        assert!((s - 5.0).abs() < 1e-9, "{s}");
    }
}
