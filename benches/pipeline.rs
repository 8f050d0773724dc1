//! Benchmark harness: `cargo bench --bench pipeline -- [GEOCODE_N] [SIZES...]`
//! (defaults: 100000 named records; whole runs at 10000 100000 1000000).
//!
//! A deterministic synthetic generator makes incident records: for geocoding, records that
//! name places (exact names, aliases, Cyrillic, misspellings) drawn from the shipped
//! gazetteer; for ingest, records with coordinates clustered near the AF-TJ and AF-PK borders
//! with mixed precision. It reports the median wall time of BENCH_REPS runs (default 3; the
//! named-records geocode: 5) per stage, for the whole `run` and `density` commands, and for
//! the analysis plus KDE in a child process that holds the incidents as analysis columns (as
//! `density` does), with each process's highest peak memory. BENCH_REAL_UCDP=N adds `density`
//! on N real-format rows built from ../shared/realdata when it is present (the file
//! BENCH_REAL_UCDP_FILE names there; `run` too with BENCH_REAL_UCDP_RUN=1). BENCH_PEER=N runs
//! only the side-by-side comparison with the geopandas peer on N events (`support/peer.rs`);
//! BENCH_REPORT=N only report.html's size and time to first draw for N incidents
//! (`support/report.rs`). BENCH_LOOKUP=1 only the whole-process `gazetteer NAME` lookups
//! (an exact name, another romanisation, a misspelling) and the example `run`.

use borderwatch::density::kde::{KdeOptions, surface};
use borderwatch::density::{AnalysisOptions, analyse};
use borderwatch::export::incidents;
use borderwatch::geocode::geocode_all;
use borderwatch::geodata::GeoData;
use borderwatch::ingest::{IngestOptions, read_bytes};
use borderwatch::model::EntryKind;
use borderwatch::pipeline::ingest_for_analysis;
use borderwatch::projection::Projection;
use std::time::Instant;

/// The binary's allocator (`src/main.rs`), so the in-process figures are the ones a user gets.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/peer.rs"]
mod peer;
#[path = "support/report.rs"]
mod report;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

fn misspell(rng: &mut Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() > 5 {
        let i = 2 + (rng.next() % (c.len() as u64 - 3)) as usize;
        c.swap(i, i - 1);
    }
    c.into_iter().collect()
}

fn named_csv(geo: &GeoData, n: usize) -> Vec<u8> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let entries: Vec<_> = geo
        .gazetteer
        .entries()
        .into_iter()
        .filter(|e| {
            matches!(e.kind, EntryKind::Place | EntryKind::District)
                && ["AF", "TJ", "PK"].contains(&e.country.as_str())
        })
        .collect();
    let mut s = String::from("id,date,country,location\n");
    for i in 0..n {
        let e = rng.pick(&entries);
        let country = match e.country.as_str() {
            "AF" => "Afghanistan",
            "TJ" => "Tajikistan",
            _ => "Pakistan",
        };
        let name = match i % 4 {
            0 => e.name.clone(),
            1 => e.aliases.first().cloned().unwrap_or_else(|| e.name.clone()),
            2 => e
                .aliases
                .iter()
                .find(|a| a.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)))
                .cloned()
                .unwrap_or_else(|| e.name.clone()),
            _ => misspell(&mut rng, &e.name),
        };
        s.push_str(&format!(
            "N{i},2025-01-01,{country},\"{}\"\n",
            name.replace('"', "")
        ));
    }
    s.into_bytes()
}

fn coords_csv(geo: &GeoData, n: usize) -> Vec<u8> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let lines: Vec<_> = geo
        .borders
        .iter()
        .filter(|b| b.id == "AF-TJ" || b.id == "AF-PK")
        .collect();
    let mut s =
        String::from("id,date,country,latitude,longitude,precision,event_type,fatalities\n");
    for i in 0..n {
        let b = rng.pick(&lines);
        let v = rng.pick(&b.line.0);
        let (lon, lat) = (
            v.x + (rng.unit() - 0.5) * 0.6,
            v.y + (rng.unit() - 0.5) * 0.6,
        );
        let prec = ["exact", "near", "district", "province"][(rng.next() % 4) as usize];
        s.push_str(&format!(
            "C{i},2024-{:02}-{:02},,{lat:.5},{lon:.5},{prec},armed_clash,{}\n",
            1 + rng.next() % 12,
            1 + rng.next() % 28,
            rng.next() % 5
        ));
    }
    s.into_bytes()
}

/// Writes `n` rows made of the real UCDP GED rows of `file` in ../shared/realdata,
/// repeated in order with new event ids so none is a repeat; false when they are absent.
fn repeated_real_ucdp(out: &std::path::Path, n: usize, file: &str) -> bool {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realdata")
        .join(file);
    let Ok(mut reader) = csv::Reader::from_path(&source) else {
        return false;
    };
    let header = reader.byte_headers().expect("header").clone();
    let rows: Vec<csv::ByteRecord> = reader.byte_records().map(|r| r.expect("row")).collect();
    let mut writer = csv::Writer::from_path(out).expect("write the repeated rows");
    writer.write_byte_record(&header).expect("write");
    for (i, row) in rows.iter().cycle().take(n).enumerate() {
        let id = (10_000_000 + i).to_string();
        let mut fields = row.iter();
        fields.next();
        let mut record = csv::ByteRecord::new();
        record.push_field(id.as_bytes());
        fields.for_each(|f| record.push_field(f));
        writer.write_byte_record(&record).expect("write");
    }
    writer.flush().expect("write");
    true
}

/// A field of /proc/self/status in kB (0 where unavailable).
fn proc_status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix(field)
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

/// Resets the process's peak resident size (Linux: `5` to /proc/self/clear_refs) and returns
/// the resident size now, in kB.
fn reset_peak_and_read_rss() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    proc_status_kb("VmRSS:")
}

/// Runs a command to its end; returns (wall ms, peak resident MB, its stdout), the peak by
/// polling the child's VmHWM in /proc (Linux).
fn watch(mut cmd: std::process::Command) -> (f64, f64, String) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the child (cargo build --release first for the binary)");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(v) = s.lines().find_map(|l| l.strip_prefix("VmHWM:"))
        {
            peak_kb = peak_kb.max(v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0));
        }
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "{cmd:?} failed: {status}");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        use std::io::Read;
        let _ = out.read_to_string(&mut stdout);
    }
    (ms, peak_kb as f64 / 1024.0, stdout)
}

/// The release binary with its arguments (quiet).
fn borderwatch(args: &[&std::ffi::OsStr]) -> std::process::Command {
    let exe = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/borderwatch");
    let mut cmd = std::process::Command::new(exe);
    cmd.args(args).arg("-q");
    cmd
}

/// The child process behind the analysis figure: reads a CSV the way `density` does (each
/// batch of located incidents kept as analysis columns only), then times the analysis of all
/// borders and the 1000 x 800 KDE. Prints "load_ms analyse_ms kde_ms".
fn analysis_child(input: &std::path::Path) {
    let geo = GeoData::load(None).expect("geodata");
    let t = Instant::now();
    let p = ingest_for_analysis(&[input.to_path_buf()], &geo, false, &mut |_| {}).expect("read");
    let ms_load = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let a = analyse(&p.located, &geo, &AnalysisOptions::default());
    let ms_analyse = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let s = surface(
        &p.located,
        &a,
        &KdeOptions::default(),
        &Projection::region(),
    )
    .expect("kde");
    let ms_kde = t.elapsed().as_secs_f64() * 1000.0;
    assert!(s.weight > 0.0 && a.placements.len() == p.located.len());
    println!("{ms_load} {ms_analyse} {ms_kde}");
}

/// Renders the main job's figures (AF-TJ and AF-PK maps, the overview, the profile and the
/// comparison) as SVG and PNG; returns the milliseconds taken.
fn render_all(
    geo: &GeoData,
    located: &[borderwatch::model::LocatedIncident],
    a: &borderwatch::density::Analysis,
    s: &borderwatch::density::kde::Surface,
) -> f64 {
    use borderwatch::render::{self, charts, maps};
    let provinces = render::embedded_provinces().expect("provinces");
    let page = render::page_size(None, None);
    let t = Instant::now();
    let proj = Projection::region();
    let bands = borderwatch::density::kde::isobands(
        s,
        &borderwatch::density::kde::default_thresholds(s),
        &proj,
    )
    .expect("isobands");
    let data = maps::MapData {
        geo,
        provinces: &provinces,
        located,
        analysis: a,
        bands: &bands,
        compared: vec!["AF-TJ".into(), "AF-PK".into()],
        subtitle: "benchmark".into(),
        inputs: String::new(),
        sources: String::new(),
        mode: Default::default(),
        positions: Default::default(),
    };
    maps::project_incidents(&data);
    let c = borderwatch::density::compare::compare(a, "AF-TJ", "AF-PK").expect("compare");
    let svgs = vec![
        maps::border_map(&data, "AF-TJ", page).expect("map"),
        maps::border_map(&data, "AF-PK", page).expect("map"),
        maps::overview_map(&data, page).expect("map"),
        charts::border_profile(a, &["AF-TJ", "AF-PK"], page).expect("profile"),
        charts::comparison_chart(&c, a, page).expect("comparison"),
    ];
    for svg in &svgs {
        render::svg_to_png(svg, page.width_px).expect("png");
    }
    t.elapsed().as_secs_f64() * 1000.0
}

/// Whole processes as a user starts them: `gazetteer NAME` for an exact name (the shipped
/// places are read only where the lookup reaches them), another romanisation and a
/// misspelling (these build the variant and fuzzy indexes over every key), and the example
/// `run` into a temporary folder. Median wall time and peak memory of `reps` runs each.
fn lookups(reps: usize) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("example");
    let cases: [(&str, Vec<&std::ffi::OsStr>); 4] = [
        (
            "gazetteer Darvoz",
            vec!["gazetteer".as_ref(), "Darvoz".as_ref()],
        ),
        (
            "gazetteer \"Shamsidin Shohin\"",
            vec!["gazetteer".as_ref(), "Shamsidin Shohin".as_ref()],
        ),
        (
            "gazetteer \"Shamsiddin Shohn\"",
            vec!["gazetteer".as_ref(), "Shamsiddin Shohn".as_ref()],
        ),
        (
            "run (the example)",
            vec!["run".as_ref(), "--out".as_ref(), out.as_os_str()],
        ),
    ];
    println!("| command | median wall | peak |");
    println!("|---|---|---|");
    for (label, args) in cases {
        let mut runs: Vec<(f64, f64)> = (0..reps)
            .map(|_| {
                let (ms, mb, _) = watch(borderwatch(&args));
                (ms, mb)
            })
            .collect();
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (ms, mb) = runs[runs.len() / 2];
        println!("| `borderwatch {label}` | {ms:.0} ms | {mb:.0} MiB |");
    }
}

/// How many times each figure is measured (`BENCH_REPS`, default 3).
fn bench_reps() -> usize {
    std::env::var("BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(3)
}

fn main() {
    if let Some(input) = std::env::var_os("BENCH_ANALYSIS_CHILD") {
        analysis_child(std::path::Path::new(&input));
        return;
    }
    if let Some(n) = std::env::var("BENCH_PEER")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let reps = bench_reps();
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = std::env::var_os("BENCH_INPUT_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| tmp.path().to_path_buf());
        peer::side_by_side(n, reps, &dir);
        return;
    }
    if std::env::var_os("BENCH_LOOKUP").is_some() {
        lookups(bench_reps());
        return;
    }
    if let Some(n) = std::env::var("BENCH_REPORT")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let reps = bench_reps();
        let tmp = tempfile::tempdir().expect("tempdir");
        let input = tmp.path().join(format!("coords_{n}.csv"));
        let geo = GeoData::load(None).expect("geodata");
        std::fs::write(&input, coords_csv(&geo, n)).expect("write the input");
        report::measure(&input, n, &tmp.path().join("out"), reps);
        return;
    }
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let geo = GeoData::load(None).expect("geodata");
    let opts = IngestOptions::default();
    let geocode_n = args.first().copied().unwrap_or(100_000);
    let sizes: Vec<usize> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        vec![10_000, 100_000, 1_000_000]
    };

    let named = named_csv(&geo, geocode_n);
    // BENCH_INPUT_DIR keeps the named records too (for profiling `borderwatch geocode`).
    if let Some(dir) = std::env::var_os("BENCH_INPUT_DIR") {
        let path = std::path::Path::new(&dir).join(format!("named_{geocode_n}.csv"));
        std::fs::write(&path, &named).expect("write the named records");
    }
    let ing = read_bytes("named.csv", &named, &opts).expect("ingest");
    // Each time on a gazetteer just loaded (not timed), as a new process has it: its lazy
    // indexes not yet built and no answers remembered.
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let fresh = GeoData::load(None).expect("geodata");
            let records = ing.records.clone();
            let s = Instant::now();
            let g = geocode_all(records, &fresh);
            let ms = s.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(g.located.len() + g.unmatched.len(), geocode_n);
            ms
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let ms = times[2];
    drop(named);
    let g = geocode_all(ing.records.clone(), &geo);
    println!(
        "geocode {geocode_n} named records (exact/alias/Cyrillic/misspelt), each time on a fresh gazetteer: {ms:.0} ms median of 5; {} located, {} unmatched",
        g.located.len(),
        g.unmatched.len()
    );

    let tmp = tempfile::tempdir().expect("tempdir");
    // BENCH_INPUT_DIR keeps the synthetic inputs (for profiling the binary on them).
    let input_dir = std::env::var_os("BENCH_INPUT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    // Each size is measured BENCH_REPS times (default 3) and the median of each figure is
    // reported: this machine's timings vary by a fifth from one run to the next.
    let reps = bench_reps();
    let median = |mut v: Vec<f64>| -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    // BENCH_REAL_UCDP=N: `density` on N real-format rows, the real UCDP GED rows of
    // ../shared/realdata (never committed) repeated with new ids: the juanr file (14
    // columns), or BENCH_REAL_UCDP_FILE, e.g. ucdp_ged_v22_1_hdx_pak.csv (the full export's
    // 50 columns, some 35 passed through to the layers); BENCH_REAL_UCDP_RUN=1 times `run`
    // on them too.
    if let Some(n) = std::env::var("BENCH_REAL_UCDP")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let file = std::env::var("BENCH_REAL_UCDP_FILE")
            .unwrap_or_else(|_| "ucdp_ged_v21_1_juanr_precise_afg_pak_tjk.csv".into());
        let input = input_dir.join(format!("real_ucdp_{n}.csv"));
        if repeated_real_ucdp(&input, n, &file) {
            let mut commands = vec!["density"];
            if std::env::var_os("BENCH_REAL_UCDP_RUN").is_some() {
                commands.push("run");
            }
            for command in commands {
                let mut runs: Vec<(f64, f64)> = (0..reps)
                    .map(|_| {
                        let (ms, peak, _) = watch(borderwatch(&[
                            command.as_ref(),
                            input.as_os_str(),
                            "--out".as_ref(),
                            tmp.path().join("real_out").as_os_str(),
                        ]));
                        (ms, peak)
                    })
                    .collect();
                let peak = runs.iter().map(|r| r.1).fold(0.0, f64::max);
                runs.sort_by(|a, b| a.0.total_cmp(&b.0));
                println!(
                    "{n:>8} real-format UCDP GED rows ({file}): `{command}` {:.0} ms, peak {peak:.0} MB",
                    runs[runs.len() / 2].0
                );
            }
        } else {
            println!("BENCH_REAL_UCDP: ../shared/realdata not present, skipped");
        }
    }
    for n in sizes {
        let coords = coords_csv(&geo, n);
        let mut figures: Vec<[f64; 8]> = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let ing = read_bytes("coords.csv", &coords, &opts).expect("ingest");
            let ms_ingest = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let g = geocode_all(ing.records, &geo);
            let ms_geocode = t.elapsed().as_secs_f64() * 1000.0;
            // Memory the analysis and the KDE add over the located incidents they are given:
            // the peak (reset through /proc/self/clear_refs) less the resident size before.
            let rss_before = reset_peak_and_read_rss();
            let t = Instant::now();
            let a = analyse(&g.located, &geo, &AnalysisOptions::default());
            let ms_analyse = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let proj = Projection::region();
            let s = surface(&g.located, &a, &KdeOptions::default(), &proj).expect("kde");
            let ms_kde = t.elapsed().as_secs_f64() * 1000.0;
            let analysis_mb = (proc_status_kb("VmHWM:") - rss_before) as f64 / 1024.0;
            let t = Instant::now();
            let text = incidents::geojson(&g.located, "bench").expect("geojson");
            let ms_write = t.elapsed().as_secs_f64() * 1000.0;
            assert!(text.len() > n && s.weight > 0.0);
            drop(text);
            let t = Instant::now();
            let ms_render = render_all(&geo, &g.located, &a, &s);
            let ms_render_wall = t.elapsed().as_secs_f64() * 1000.0;
            figures.push([
                ms_ingest,
                ms_geocode,
                ms_analyse,
                ms_kde,
                analysis_mb,
                ms_write,
                ms_render,
                ms_render_wall,
            ]);
        }
        let m = |k: usize| median(figures.iter().map(|f| f[k]).collect());
        // Memory: the first repetition's (later ones reuse pages freed before them).
        let (ms_ingest, ms_geocode, ms_analyse, ms_kde, analysis_mb, ms_write) =
            (m(0), m(1), m(2), m(3), figures[0][4], m(5));
        println!(
            "{n:>8} incidents: maps and charts (3 maps, 2 charts, SVG + PNG) {:.0} ms ({:.0} ms with setup)",
            m(6),
            m(7)
        );
        let stages = format!(
            "{n:>8} incidents: ingest {ms_ingest:.0} ms, geocode {ms_geocode:.0} ms, analyse {ms_analyse:.0} ms, KDE 1000x800 {ms_kde:.0} ms (analysis + KDE add {analysis_mb:.0} MB at peak), incident GeoJSON {ms_write:.0} ms"
        );
        let input = input_dir.join(format!("synthetic_{n}.csv"));
        std::fs::write(&input, &coords).expect("write input");
        if std::env::var_os("BENCH_SKIP_RUN").is_some() {
            println!("{stages}");
            continue;
        }
        // BENCH_RUN_DIR puts the whole run's output elsewhere (e.g. /dev/shm, to leave disk
        // writeback out of the figure).
        let run_dir = std::env::var_os("BENCH_RUN_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| tmp.path().to_path_buf())
            .join(format!("borderwatch_bench_out_{n}"));
        let mut runs = Vec::new();
        let mut geojson_runs = Vec::new();
        let mut densities = Vec::new();
        let mut children = Vec::new();
        for _ in 0..reps {
            // `run` writes the GeoPackage and the GeoJSON; `--layers geojson` leaves the
            // package out, so the difference is what the GeoPackage costs.
            for (command, extra, figures) in [
                ("run", &[][..], &mut runs),
                ("run", &["--layers", "geojson"][..], &mut geojson_runs),
                ("density", &[][..], &mut densities),
            ] {
                let mut args: Vec<&std::ffi::OsStr> = vec![
                    command.as_ref(),
                    input.as_os_str(),
                    "--out".as_ref(),
                    run_dir.as_os_str(),
                ];
                args.extend(extra.iter().map(|a: &&str| std::ffi::OsStr::new(*a)));
                let (ms, peak, _) = watch(borderwatch(&args));
                figures.push((ms, peak));
                let _ = std::fs::remove_dir_all(&run_dir);
            }
            let mut child =
                std::process::Command::new(std::env::current_exe().expect("bench binary"));
            child.env("BENCH_ANALYSIS_CHILD", &input);
            let (_, peak, out) = watch(child);
            let ms: Vec<f64> = out
                .split_whitespace()
                .map(|v| v.parse().expect("child figures"))
                .collect();
            children.push((ms[1] + ms[2], peak));
        }
        let ms_median = |v: &[(f64, f64)]| median(v.iter().map(|r| r.0).collect());
        let peak_max = |v: &[(f64, f64)]| v.iter().map(|r| r.1).fold(0.0, f64::max);
        println!(
            "{stages}; whole `run` {:.0} ms, peak {:.0} MB (`--layers geojson`, no GeoPackage: \
             {:.0} ms); `density` {:.0} ms, peak {:.0} MB; \
             analysis + KDE on analysis columns {:.0} ms in a process peaking at {:.0} MB",
            ms_median(&runs),
            peak_max(&runs),
            ms_median(&geojson_runs),
            ms_median(&densities),
            peak_max(&densities),
            ms_median(&children),
            peak_max(&children),
        );
    }
}
