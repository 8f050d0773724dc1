//! The density surface made smooth at print resolution. The kernel density estimate spreads
//! wide kernels (imprecise locations) on a coarser grid and copies each coarse cell back to
//! a block of fine cells, so its wide hills are built of flat blocks that show as stair-step
//! edges on a printed map. A light Gaussian blur (σ = [`SIGMA_CELLS`] grid cells, a few km)
//! rounds those blocks off while keeping the mass (a density's integral) where it was; the
//! isobands drawn on the maps and exported for QGIS are cut from the smoothed surface.

use crate::density::kde::Surface;

/// Blur width, grid cells (the surface's cell is about 3 km for the two compared borders).
pub const SIGMA_CELLS: f64 = 1.5;

/// `s` blurred with a separable Gaussian of [`SIGMA_CELLS`] cells (normalised, so the weight
/// inside the grid is kept up to what reaches its edge).
pub fn for_print(mut s: Surface) -> Surface {
    let r = (3.0 * SIGMA_CELLS).ceil() as i64;
    let mut k: Vec<f64> = (-r..=r)
        .map(|i| (-0.5 * (i as f64 / SIGMA_CELLS).powi(2)).exp())
        .collect();
    let sum: f64 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= sum);
    let (cols, rows) = (s.cols, s.rows);
    if s.values.len() != cols * rows {
        return s;
    }
    let mut tmp = vec![0.0; s.values.len()];
    for y in 0..rows {
        let row = &s.values[y * cols..(y + 1) * cols];
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
    s.values.iter_mut().for_each(|v| *v = 0.0);
    for y in 0..rows {
        let lo = (y as i64 - r).max(0) as usize;
        let hi = (y as i64 + r).min(rows as i64 - 1) as usize;
        for yy in lo..=hi {
            let w = k[(yy as i64 - y as i64 + r) as usize];
            let (src, dst) = (y * cols, yy * cols);
            for x in 0..cols {
                s.values[dst + x] += tmp[src + x] * w;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(cols: usize, rows: usize, values: Vec<f64>) -> Surface {
        Surface {
            x0: 0.0,
            y0: 0.0,
            cell_km: 3.0,
            cols,
            rows,
            values,
            years: 1.0,
            weight: 1.0,
        }
    }

    #[test]
    fn a_block_loses_its_steps_and_keeps_its_mass() {
        // A flat 4x4 block in the middle of a 20x20 grid.
        let (c, r) = (20, 20);
        let mut v = vec![0.0; c * r];
        for y in 8..12 {
            for x in 8..12 {
                v[y * c + x] = 1.0;
            }
        }
        let before: f64 = v.iter().sum();
        let s = for_print(grid(c, r, v));
        let after: f64 = s.values.iter().sum();
        assert!((before - after).abs() < 1e-9, "{before} vs {after}");
        // Along a row through the block the values now rise and fall step by step.
        let row: Vec<f64> = (0..c).map(|x| s.values[10 * c + x]).collect();
        for x in 4..9 {
            assert!(row[x] < row[x + 1], "rises at {x}: {row:?}");
        }
        assert!(row[9] < 1.0 && row[9] > 0.5);
    }
}
