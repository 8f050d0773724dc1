//! Writing results: the layers as GeoJSON and as one GeoPackage, and CSV tables, each file
//! written atomically (temporary file, then rename) so an interrupted run never leaves a
//! half-written layer.
//!
//! [`incidents`] writes the located incidents (the point layer `geocode` writes) and the
//! unmatched report; [`layers`] every layer of a run with its QGIS style and the project
//! ([`qgis`]), as GeoJSON and into `borderwatch.gpkg` (`gpkg`); [`schema`] holds every
//! layer's fields and types; [`tables`] the CSV tables; [`classes`] the rate classes the
//! layers share with the maps. The GeoJSON writers share one feature writer (`features`) and never import each
//! other. Export reads what the earlier stages made; it must not know how a map is drawn,
//! nor the command line.

pub mod classes;
mod features;
pub(crate) mod gpkg;
pub mod incidents;
mod large_file;
pub mod layers;
pub mod qgis;
pub mod review;
pub mod schema;
pub mod tables;

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Writes a file atomically: a temporary file in the same folder, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| Ok(w.write_all(bytes)?))
}

/// Like [`write_atomic`], for content produced as it is written (buffered): a large layer is
/// streamed to the temporary file instead of being built in memory first, its whole blocks
/// past the page cache where the system allows (see [`large_file`]).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut (dyn Write + Send)) -> Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    {
        let mut w = large_file::LargeFileWriter::new(tmp.as_file());
        fill(&mut w)
            .and_then(|()| Ok(w.flush()?))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    share_permissions(tmp.path(), path)?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Temporary files are created owner-only; outputs are for sharing (0666 less the umask).
/// `tmp` is the temporary file that becomes `path`.
fn share_permissions(tmp: &Path, path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            tmp,
            std::fs::Permissions::from_mode(0o666 & !current_umask()),
        )
        .with_context(|| format!("setting permissions of {}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = (tmp, path);
    Ok(())
}

/// The process umask, read without changing it (from /proc; 022 when unknown).
#[cfg(unix)]
fn current_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// Rounds a coordinate to 6 decimals (about 0.1 m), as every layer does.
pub fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// A CSV cell made safe for spreadsheets: text starting with `=`, `+`, `-` or `@` (which a
/// spreadsheet would run as a formula) gets a leading apostrophe. Numbers are left alone.
pub fn spreadsheet_safe(cell: &str) -> String {
    let starts_formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_formula && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn neutralises_formulas_not_numbers() {
        assert_eq!(super::spreadsheet_safe("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(super::spreadsheet_safe("-12.5"), "-12.5");
        assert_eq!(super::spreadsheet_safe("@cmd"), "'@cmd");
        assert_eq!(super::spreadsheet_safe("Kabul"), "Kabul");
    }
}
