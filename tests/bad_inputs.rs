//! Bad input, as users produce it: runs the real binary on every file in `tests/data/bad` and
//! checks the exit status, the message and where it points (table `tests/data/bad/EXPECTED.tsv`),
//! then the inputs too big to commit (a 10 MB line; a 2 GB file, opt-in), then a deterministic
//! mutation loop over the corpus that calls the ingest stage directly.
//!
//! The mutation loop checks the same properties as the cargo-fuzz targets in `fuzz/` (the
//! checker is shared: `fuzz/fuzz_targets/check.rs`), so a finding from either is a failure here
//! once its input is added to the corpus.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Instant;

#[path = "../fuzz/fuzz_targets/check.rs"]
mod check;

fn bad_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad")
}

/// Files in the corpus folder that are not inputs.
const NOT_INPUTS: [&str; 2] = ["EXPECTED.tsv", "README.md"];

/// Longest acceptable line on stderr: values in messages are clipped, whatever the input.
const MAX_MESSAGE_LINE: usize = 2_000;

/// One line of `EXPECTED.tsv`.
#[derive(Debug, Clone)]
struct Expect {
    /// Line in EXPECTED.tsv, for messages.
    tsv_line: usize,
    file: String,
    exit: i32,
    /// Substring of stderr; `None` means stderr must be empty.
    stderr: Option<String>,
    /// `FILE:LINE` that must appear on stderr followed by ':'.
    at: Option<String>,
    /// read, located, unmatched.
    counts: Option<[u64; 3]>,
}

fn expectations() -> Vec<Expect> {
    let path = bad_dir().join("EXPECTED.tsv");
    let text = fs::read_to_string(&path).expect("EXPECTED.tsv is readable");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [file, exit, stderr, at, counts] = cols[..] else {
            panic!("EXPECTED.tsv:{}: expected 5 tab-separated columns", i + 1);
        };
        let dash = |s: &str| (s != "-").then(|| s.to_string());
        let counts = dash(counts).map(|c| {
            let n: Vec<u64> = c
                .split('/')
                .map(|x| x.parse().expect("counts are read/located/unmatched"))
                .collect();
            [n[0], n[1], n[2]]
        });
        out.push(Expect {
            tsv_line: i + 1,
            file: file.to_string(),
            exit: exit.parse().expect("exit status is a number"),
            stderr: (stderr != "(empty)").then(|| stderr.to_string()),
            at: dash(at),
            counts,
        });
    }
    out
}

/// Output of one `borderwatch geocode` run.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn geocode(dir: &Path, input: &str, out_dir: &Path, extra: &[&str]) -> Run {
    let out = Command::cargo_bin("borderwatch")
        .expect("binary built")
        .current_dir(dir)
        .arg("geocode")
        .arg(input)
        .arg("-o")
        .arg(out_dir.join("o.geojson"))
        .arg("--unmatched")
        .arg(out_dir.join("u.csv"))
        .arg("--json")
        .args(extra)
        .output()
        .expect("runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// read, located, unmatched from the `--json` summary, checking that they add up.
fn summary(run: &Run) -> Result<[u64; 3], String> {
    let v: Value = serde_json::from_str(&run.stdout)
        .map_err(|e| format!("stdout is not JSON ({e}): {:?}", run.stdout))?;
    let n = |k: &str| {
        v[k].as_u64()
            .ok_or_else(|| format!("summary has no number {k:?}: {v}"))
    };
    let counts = [n("read")?, n("located")?, n("unmatched")?];
    if counts[0] != counts[1] + counts[2] {
        return Err(format!(
            "read {} != located {} + unmatched {}",
            counts[0], counts[1], counts[2]
        ));
    }
    Ok(counts)
}

#[test]
fn every_corpus_file_is_in_the_table_and_back() {
    let listed: Vec<String> = expectations().into_iter().map(|e| e.file).collect();
    let mut present = Vec::new();
    for entry in fs::read_dir(bad_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !NOT_INPUTS.contains(&name.as_str()) {
            assert!(
                listed.contains(&name),
                "{name} is in tests/data/bad but not in EXPECTED.tsv"
            );
            present.push(name);
        }
    }
    for f in &listed {
        assert!(
            present.contains(f),
            "EXPECTED.tsv lists {f}, which is missing"
        );
    }
}

#[test]
fn corpus_gives_the_expected_exit_status_and_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let mut by_file: BTreeMap<String, Vec<Expect>> = BTreeMap::new();
    for e in expectations() {
        by_file.entry(e.file.clone()).or_default().push(e);
    }
    let mut failures = Vec::new();
    for (file, expects) in &by_file {
        let run = geocode(&bad_dir(), file, tmp.path(), &[]);
        println!(
            "{file}: exit {:?}\n{}",
            run.code,
            run.stderr.trim_end().replace('\n', "\n  ")
        );
        let mut fail = |tsv_line: usize, what: String| {
            failures.push(format!("EXPECTED.tsv:{tsv_line}: {file}: {what}"));
        };
        let first = expects[0].tsv_line;
        if run.stderr.contains("panicked") {
            fail(first, format!("panicked: {}", run.stderr));
        }
        if let Some(l) = run
            .stderr
            .lines()
            .find(|l| l.chars().count() > MAX_MESSAGE_LINE)
        {
            fail(
                first,
                format!("a message line is too long to read: {l:.300}…"),
            );
        }
        if run.code == Some(1) && !run.stderr.starts_with("error: ") {
            fail(
                first,
                format!("an error must say 'error: ': {}", run.stderr),
            );
        }
        let got = if matches!(run.code, Some(0 | 2)) {
            match summary(&run) {
                Ok(c) => Some(c),
                Err(e) => {
                    fail(first, e);
                    None
                }
            }
        } else {
            None
        };
        for e in expects {
            if run.code != Some(e.exit) {
                fail(
                    e.tsv_line,
                    format!("exit {:?}, expected {}", run.code, e.exit),
                );
            }
            match &e.stderr {
                Some(s) if !run.stderr.contains(s.as_str()) => {
                    fail(e.tsv_line, format!("stderr lacks {s:?}:\n{}", run.stderr));
                }
                None if !run.stderr.is_empty() => {
                    fail(e.tsv_line, format!("stderr not empty:\n{}", run.stderr));
                }
                _ => {}
            }
            if let Some(at) = &e.at
                && !run.stderr.contains(&format!("{at}:"))
            {
                fail(e.tsv_line, format!("stderr lacks {at}:\n{}", run.stderr));
            }
            if let (Some(want), Some(got)) = (e.counts, got)
                && want != got
            {
                fail(
                    e.tsv_line,
                    format!("read/located/unmatched {got:?}, expected {want:?}"),
                );
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// `--strict` turns the first skipped or unmatched row into an error naming that row.
#[test]
fn strict_mode_fails_at_the_first_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let mut first: BTreeMap<String, Expect> = BTreeMap::new();
    for e in expectations().into_iter().filter(|e| e.exit == 2) {
        first.entry(e.file.clone()).or_insert(e);
    }
    for (file, e) in &first {
        let run = geocode(&bad_dir(), file, tmp.path(), &["--strict"]);
        assert_eq!(run.code, Some(1), "{file}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(run.stderr.contains("strict mode"), "{file}: {}", run.stderr);
        let at = e.at.as_deref().expect("exit-2 rows name a line");
        assert!(
            run.stderr.contains(&format!("{at}:")),
            "{file}: strict error does not point at {at}: {}",
            run.stderr
        );
    }
}

#[test]
fn windows1252_text_is_decoded_into_the_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let run = geocode(&bad_dir(), "windows1252.csv", tmp.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let layer = fs::read_to_string(tmp.path().join("o.geojson")).unwrap();
    for s in ["synthetic row – café “quoted”", "Khöst synthetic"] {
        assert!(layer.contains(s), "{s:?} not in the layer");
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs too big to commit: generated into a temporary folder.

/// Runs a command and returns its output and the child's peak resident memory in KiB: from
/// GNU time where it is installed (exact: the kernel's figure at exit), otherwise by polling
/// the child's `VmHWM` in /proc until it exits (may miss a peak in the last few ms).
fn run_measured(bin: &Path, args: &[&std::ffi::OsStr], tmp: &Path) -> (Output, Option<u64>) {
    let gnu_time = Path::new("/usr/bin/time");
    if gnu_time.exists() {
        let rss = tmp.join("rss.txt");
        let out = std::process::Command::new(gnu_time)
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&rss)
            .arg(bin)
            .args(args)
            .output()
            .expect("runs under /usr/bin/time");
        // GNU time writes "Command exited with non-zero status N" before the figure.
        let peak = fs::read_to_string(&rss)
            .ok()
            .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()));
        return (out, peak);
    }
    let stdout = tmp.join("stdout.txt");
    let stderr = tmp.join("stderr.txt");
    let mut child = std::process::Command::new(bin)
        .args(args)
        .stdout(fs::File::create(&stdout).unwrap())
        .stderr(fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("spawns");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = None;
    let status = loop {
        if let Ok(s) = fs::read_to_string(&status_file)
            && let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = Some(peak.map_or(kb, |p: u64| p.max(kb)));
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let out = Output {
        status,
        stdout: fs::read(&stdout).unwrap(),
        stderr: fs::read(&stderr).unwrap(),
    };
    (out, peak)
}

/// Runs `geocode` on a generated file and returns (exit code, stdout, stderr, peak KiB).
fn geocode_measured(input: &Path, tmp: &Path) -> (Option<i32>, String, String, Option<u64>) {
    let bin = assert_cmd::cargo::cargo_bin("borderwatch");
    let o = tmp.join("o.geojson");
    let u = tmp.join("u.csv");
    let args: Vec<&std::ffi::OsStr> = vec![
        "geocode".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        o.as_os_str(),
        "--unmatched".as_ref(),
        u.as_os_str(),
        "--json".as_ref(),
    ];
    let (out, peak) = run_measured(&bin, &args, tmp);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr:.2000}");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        peak,
    )
}

const HEADER: &str =
    "id,date,country,admin1,location,latitude,longitude,event_type,fatalities,notes";

/// A run of the binary on the one-row corpus file, as the memory baseline.
fn baseline_peak_kib(tmp: &Path) -> Option<u64> {
    let small = tmp.join("small.csv");
    fs::write(
        &small,
        format!("{HEADER}\nBAD1,2025-11-26,Afghanistan,Kunar,Asadabad,,,shelling,1,short\n"),
    )
    .unwrap();
    geocode_measured(&small, tmp).3
}

#[test]
fn a_ten_megabyte_line_is_read_with_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let base = baseline_peak_kib(tmp.path());

    // A valid row whose notes field is 10 MB: read, located, the notes kept.
    let ten_mb = 10 << 20;
    let big = tmp.path().join("ten_mb_notes.csv");
    let mut f = BufWriter::new(fs::File::create(&big).unwrap());
    write!(
        f,
        "{HEADER}\nBAD1,2025-11-26,Afghanistan,Kunar,Asadabad,,,shelling,1,"
    )
    .unwrap();
    let chunk = "synthetic notes ".repeat(64);
    let mut written = 0;
    while written < ten_mb {
        f.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len();
    }
    f.write_all(b"\n").unwrap();
    drop(f);
    let (code, stdout, stderr, peak) = geocode_measured(&big, tmp.path());
    assert_eq!(code, Some(0), "{stderr:.2000}");
    let run = Run {
        code,
        stdout,
        stderr,
    };
    assert_eq!(summary(&run).unwrap(), [1, 1, 0]);
    let layer_len = fs::metadata(tmp.path().join("o.geojson")).unwrap().len();
    assert!(layer_len > ten_mb as u64, "the notes are kept in the layer");
    println!("10 MB notes: peak {peak:?} KiB (baseline {base:?} KiB)");
    if let (Some(p), Some(b)) = (peak, base) {
        // The row passes through a few buffers (record, decoded value, layer text): allow
        // 12 copies of it over the baseline, far below anything that grows with the file.
        assert!(
            p < b + 12 * (ten_mb as u64 >> 10),
            "peak {p} KiB vs baseline {b} KiB"
        );
    }

    // 10 MB of text with no line break, delimiter or quote: not a table; the message lists
    // the "column" clipped, not 10 MB of it.
    let blob = tmp.path().join("ten_mb_blob.csv");
    fs::write(&blob, "x".repeat(ten_mb)).unwrap();
    let (code, _, stderr, _) = geocode_measured(&blob, tmp.path());
    assert_eq!(code, Some(1), "{stderr:.2000}");
    assert!(
        stderr.contains("not a recognised incident file"),
        "{stderr:.2000}"
    );
    assert!(stderr.len() < 2_000, "message of {} bytes", stderr.len());

    // A quote opened on line 2 and never closed, in a 20 MB file: refused, naming the line,
    // instead of reading the rest of the file into one field.
    let open = tmp.path().join("open_quote.csv");
    let mut f = BufWriter::new(fs::File::create(&open).unwrap());
    writeln!(f, "{HEADER}").unwrap();
    writeln!(
        f,
        "BAD1,2025-11-26,Afghanistan,Kunar,Asadabad,,,shelling,1,\"synthetic: quote never closed"
    )
    .unwrap();
    for i in 0..200_000 {
        writeln!(
            f,
            "BAD{},2025-11-26,Afghanistan,Kunar,Asadabad,,,shelling,1,synthetic row padded to about a hundred bytes",
            i + 2
        )
        .unwrap();
    }
    drop(f);
    let (code, _, stderr, peak) = geocode_measured(&open, tmp.path());
    assert_eq!(code, Some(1), "{stderr:.2000}");
    assert!(
        stderr.contains("the row starting on line 2 is longer than 16 MiB"),
        "{stderr:.2000}"
    );
    assert!(stderr.len() < 2_000, "message of {} bytes", stderr.len());
    println!("open quote in a 20 MB file: peak {peak:?} KiB");
}

/// Opt-in (`BORDERWATCH_BIG_TESTS=1`): a 2 GiB file, written streaming, read streaming.
///
/// The command keeps every record it reads (for the layer and the duplicate check), so a
/// 2 GiB file of 100-byte rows would need memory for 20 million records whatever the reader
/// does. To measure the reader instead, each row carries 32 KiB of blank padding in a column
/// of its own, which the ingest stage reads and discards (blank cells are not kept): ~65,000
/// rows, so the records are a few tens of MB while the file is 2 GiB. Every 1,000th row has an
/// impossible date, to check the counting of skipped rows.
#[test]
fn a_two_gigabyte_file_streams() {
    if std::env::var("BORDERWATCH_BIG_TESTS").as_deref() != Ok("1") {
        println!("skipping 2 GB streaming test: set BORDERWATCH_BIG_TESTS=1");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let base = baseline_peak_kib(tmp.path());
    let path = tmp.path().join("two_gb.csv");
    let target: u64 = 2 << 30;
    let pad = " ".repeat(32 << 10);
    let started = Instant::now();
    let mut f = BufWriter::with_capacity(1 << 20, fs::File::create(&path).unwrap());
    writeln!(f, "{HEADER},padding").unwrap();
    let (mut rows, mut bad, mut written) = (0u64, 0u64, 0u64);
    while written < target {
        rows += 1;
        let date = if rows % 1000 == 0 {
            bad += 1;
            "2025-02-31".to_string()
        } else {
            format!(
                "{}-{:02}-{:02}",
                2000 + rows % 25,
                rows % 12 + 1,
                rows % 28 + 1
            )
        };
        let line = format!(
            "BAD{rows},{date},Tajikistan,Khatlon,Shamsiddin Shohin district,,,,1,synthetic,{pad}\n"
        );
        f.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
    }
    f.flush().unwrap();
    drop(f);
    println!(
        "wrote {rows} rows, {written} bytes in {:.1?}",
        started.elapsed()
    );

    let started = Instant::now();
    let (code, stdout, stderr, peak) = geocode_measured(&path, tmp.path());
    println!(
        "geocode took {:.1?}, peak {peak:?} KiB (baseline {base:?} KiB)",
        started.elapsed()
    );
    assert_eq!(code, Some(2), "{stderr:.2000}");
    let run = Run {
        code,
        stdout,
        stderr,
    };
    assert_eq!(summary(&run).unwrap(), [rows, rows - bad, bad]);
    if let Some(p) = peak {
        // Far below the file: it is never held, nor any large part of it.
        assert!(p < 512 << 10, "peak {p} KiB for a 2 GiB file");
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic mutation loop: the fuzz targets' properties without nightly or libFuzzer.

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::try_from(self.next() % n as u64).unwrap_or(0)
        }
    }
}

/// Byte strings that CSV, JSON, number and date parsing care about.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b";",
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xFF",
    b"\xC3",
    b"\x96",
    b"\0",
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b"-",
    b".",
    b"e",
    b"NaN",
    b"inf",
    b"1e400",
    b"-99",
    b"0",
    b"13",
    b"2025-02-31",
    b"31/02/2025",
    b"99999999999999999999",
    b"#",
    b"null",
    b"\"Polygon\"",
    b"latitude",
];

fn corpus() -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = Vec::new();
    for dir in [root.join("tests/data/bad"), root.join("tests/data/ingest")] {
        let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                !NOT_INPUTS.contains(&name.as_ref())
            })
            .collect();
        paths.sort();
        seeds.extend(paths.iter().map(|p| fs::read(p).unwrap()));
    }
    seeds
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut d = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(4) {
        let len = d.len();
        let at = rng.below(len + 1);
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                d[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let i = rng.below(len);
                d[i] = t[0];
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                d.splice(at..at, t.iter().copied());
            }
            3 => d.truncate(at),
            4 => {
                let end = (at + rng.below(64)).min(len);
                d.drain(at..end);
            }
            5 => {
                let end = (at + rng.below(256)).min(len);
                let piece: Vec<u8> = d[at..end].to_vec();
                let to = rng.below(d.len() + 1);
                d.splice(to..to, piece);
            }
            6 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                d.truncate(at);
                d.extend_from_slice(&other[from..]);
            }
            _ => {
                // Replace a run of digits or letters with a token.
                let end = d[at.min(len)..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .map_or(len, |p| at + p);
                let t = TOKENS[rng.below(TOKENS.len())];
                d.splice(at.min(end)..end, t.iter().copied());
            }
        }
    }
    d
}

/// Runs `iterations` mutants through the checker; on a failure, saves the input and says where.
fn mutation_loop(iterations: u64, seed: u64) {
    let seeds = corpus();
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    for i in 0..iterations {
        let input = mutate(&mut rng, &seeds);
        let name = if input
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'[' | b'{'))
        {
            "mutant.geojson"
        } else {
            "mutant.csv"
        };
        let result = std::panic::catch_unwind(|| check::check(name, &input));
        if let Err(e) = result {
            let saved = std::env::temp_dir().join(format!("borderwatch-mutant-{seed}-{i}"));
            fs::write(&saved, &input).unwrap();
            eprintln!(
                "iteration {i} (seed {seed}) failed; input saved to {}",
                saved.display()
            );
            std::panic::resume_unwind(e);
        }
    }
    println!(
        "{iterations} mutants (seed {seed}) in {:.1?}",
        started.elapsed()
    );
}

/// A short run on every `cargo test`: the same mutants each time.
#[test]
fn mutated_corpus_never_breaks_ingest() {
    mutation_loop(1_500, 0x00B0_D3E5);
}

/// The long run: `BORDERWATCH_MUTATIONS=N` (default 200,000) and `BORDERWATCH_MUTATION_SEED`.
/// `cargo test --release --test bad_inputs -- --ignored --nocapture`
#[test]
#[ignore = "long: run with --ignored"]
fn mutation_loop_long() {
    let n = std::env::var("BORDERWATCH_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let seed = std::env::var("BORDERWATCH_MUTATION_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_260_522);
    mutation_loop(n, seed);
}
