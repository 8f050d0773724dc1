//! report.html for a large run: `BENCH_REPORT=100000 cargo bench --bench pipeline`.
//!
//! Runs `borderwatch run` on N incidents from the bench's coordinate generator, then says the
//! report's size, the time `borderwatch report` takes to rebuild it, and, where headless
//! Chromium is installed, the time to the map's first draw: the page's own
//! `performance.now()` (from navigation start) when its status first says "N incidents
//! drawn", read from the dumped DOM (`data-first-draw-ms`). Medians over `BENCH_REPS`.

use super::{borderwatch, watch};
use std::path::Path;

/// The page's first-draw time in one headless Chromium, ms; `None` without the browser.
fn first_draw_ms(report: &Path) -> Option<f64> {
    let profile = tempfile::tempdir().ok()?;
    let o = std::process::Command::new("chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=30000",
            "--window-size=1200,900",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .ok()?;
    let dom = String::from_utf8_lossy(&o.stdout);
    let ms = dom
        .split("data-first-draw-ms=\"")
        .nth(1)?
        .split('"')
        .next()?
        .parse()
        .ok()?;
    Some(ms)
}

/// Measures the report of a run on `input` (`n` incidents) into `out`.
pub fn measure(input: &Path, n: usize, out: &Path, reps: usize) {
    let (run_ms, peak, _) = watch(borderwatch(&[
        "run".as_ref(),
        input.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    let report = out.join("report.html");
    let bytes = std::fs::metadata(&report)
        .expect("the run wrote report.html")
        .len();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let rebuild = median(
        (0..reps)
            .map(|_| watch(borderwatch(&["report".as_ref(), out.as_os_str()])).0)
            .collect(),
    );
    let draws: Vec<f64> = (0..reps).filter_map(|_| first_draw_ms(&report)).collect();
    println!(
        "{n:>8} incidents: `run` {run_ms:.0} ms (peak {peak:.0} MB); report.html {:.1} MB; \
         `report` {rebuild:.0} ms; first draw in Chromium {}",
        bytes as f64 / 1e6,
        if draws.is_empty() {
            "not measured (no chromium)".to_string()
        } else {
            format!("{:.0} ms", median(draws))
        }
    );
}
