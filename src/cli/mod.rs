//! The command line: one file per subcommand, each a thin function over the library.
//! The clap definitions here are the single source for `--help`, the man page and completions.
//! The command line owns flags, printing, the spinner and exit statuses; it must not do a
//! job's work — that is [`crate::pipeline`]'s.

mod analysis_args;
mod borders;
mod compare;
mod density;
mod gazetteer;
mod geocode;
mod input_args;
mod report;
mod run;

use crate::pipeline::usage;
use anyhow::Result;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

/// Exit status: everything done.
pub const EXIT_OK: i32 = 0;
/// Exit status: an error stopped the command.
pub const EXIT_ERROR: i32 = 1;
/// Exit status: finished, but some input rows were skipped or left unmatched.
pub const EXIT_SKIPPED: i32 = 2;
/// Exit status: nothing matched (`gazetteer` found no entry for the name).
pub const EXIT_NO_MATCH: i32 = 3;
/// Exit status: a usage error (an unknown option or value, a reversed window, an unknown
/// border, event type or format, the same border twice): nothing was done. 64 is
/// `EX_USAGE` of BSD's sysexits.h.
pub const EXIT_USAGE: i32 = 64;

#[derive(Parser, Debug)]
#[command(
    name = "borderwatch",
    version,
    about = "Maps cross-border incidents along Afghanistan's borders",
    after_help = "Exit status: 0 ok, 1 error, 2 finished with skipped or unmatched rows, 3 no match \
(gazetteer), 64 usage error (nothing done).\n\
Geography: Natural Earth (public domain); places: GeoNames, CC BY 4.0."
)]
pub struct Cli {
    /// Read geodata from this folder instead of the copy built into the binary.
    #[arg(long, global = true, value_name = "DIR")]
    pub geodata: Option<PathBuf>,
    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail about what is done.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List Afghanistan's borders with measured and published lengths.
    #[command(after_help = "Examples:\n  borderwatch borders\n  borderwatch borders --json")]
    Borders(borders::Args),
    /// Look a name up in the gazetteer, in any spelling or script.
    #[command(
        after_help = "Examples:\n  borderwatch gazetteer \"Shamsiddin Shohin\"\n  borderwatch gazetteer Дарвоз --json\n  borderwatch gazetteer \"Khatlon border zone\""
    )]
    Gazetteer(gazetteer::Args),
    /// Locate incident records in the gazetteer; write a GeoJSON point layer and an unmatched report.
    #[command(
        after_help = "Examples:\n  borderwatch geocode geodata/incidents/example_2025_2026.csv\n  borderwatch geocode acled.csv ucdp.csv -o output/incidents.geojson --strict"
    )]
    Geocode(geocode::Args),
    /// Incidents per border, sector and segment, per 100 km and per year, with 95% intervals.
    #[command(
        after_help = "Examples:\n  borderwatch density\n  borderwatch density ../shared/realdata/ucdp_ged_v22_1_hdx_pak.csv --borders AF-PK --period year\n  borderwatch density incidents.csv --from 2025-01 --to 2025-12 --types armed_incursion --corridor-side afghan"
    )]
    Density(density::Args),
    /// Compare two borders' incident rates per 100 km per year, with intervals and warnings.
    #[command(
        after_help = "Examples:\n  borderwatch compare AF-TJ AF-PK\n  borderwatch compare AF-TJ AF-PK ucdp.csv --length-basis published --json"
    )]
    Compare(compare::Args),
    /// The main job: from incident files (the shipped example when none) to a complete output folder.
    #[command(
        after_help = "Examples:\n  borderwatch run\n  borderwatch run incidents.csv ucdp.csv --out report/ --from 2025-01 --to 2025-12\n  borderwatch run --config output/run-config.toml"
    )]
    Run(run::Args),
    /// Like `run` without maps and charts: GeoJSON layers with QGIS styles and project, and the tables.
    #[command(
        after_help = "Examples:\n  borderwatch export\n  borderwatch export incidents.csv --out layers/\n  (then open layers/borderwatch.qgs in QGIS)"
    )]
    Export(run::Args),
    /// Rebuild report.html (the interactive map, figures and tables in one offline file) from an output folder.
    #[command(
        after_help = "Examples:\n  borderwatch report\n  borderwatch report output/ucdp-pak\n  (then open output/report.html in a browser; #types=drone_strike&from=2025-01-01 opens it filtered)"
    )]
    Report(report::Args),
    /// Print shell completions (bash, zsh, fish, elvish, powershell) generated from the clap definitions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from the clap definitions.
    Man,
}

/// mimalloc's `mi_option_purge_delay` (the same number in its v2 and v3 option lists).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc (the binary's allocator) keeps memory given back to it for a second before
/// returning it to the system, in case it is asked for again. `run` and `export` hold every
/// incident with all its fields, and reading a large file frees hundreds of megabytes of
/// parsed rows as those incidents are made: with the full second that memory is still held
/// when the incidents are complete, and a million incidents peaked over 1 GiB. Returning it
/// at once cost system calls and fresh pages instead (a million incidents: 2.7-3.6 s of
/// system time against 1.6-1.8 s, and 0.5-1.7 s of wall time); 50 ms keeps the peak under
/// 1 GiB (the peer's million, still with huge pages: 923-953 MiB with 2 threads, 941-965
/// MiB with 4 to 16; without them, see [`without_huge_pages`], 888-911 MiB) at nearly the
/// speed of the full second. `density` and `compare` keep only the analysed
/// columns, and the analysis starts the moment reading ends: with a second's delay the rows
/// freed by reading were still held while it allocated its own (a million incidents peaked
/// at 390-420 MB); with a quarter of a second they are returned by then, at the same speed
/// (337-344 MB; 100 ms cost more system time). `MIMALLOC_PURGE_DELAY` in the environment
/// still decides, when set.
fn set_purge_delay(ms: std::os::raw::c_long) {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: called before any thread of this process is started (mimalloc's options
        // are not synchronised); the option number is checked against mimalloc's header.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
    }
}

/// Transparent huge pages off for this process, unless `MIMALLOC_ALLOW_THP` in the
/// environment decides (mimalloc reads it when it starts, before this runs). mimalloc asks
/// the system for huge pages for its arenas, and a huge page is cleared whole the first time
/// any byte of it is touched, and held whole while any byte of it is in use. With ordinary
/// pages, on the peer's million incidents (interleaved runs on this project's two-core
/// machine): `run` peaked at 878-908 MiB instead of 921-949 MiB, with about a second less
/// system time (1.9-2.6 s against 1.9-3.5 s) and its wall time level or a little lower
/// within the machine's noise (7.05-8.04 s against 7.26-8.09 s); `density` at 295-304 MiB
/// instead of 322-332 MiB, 1.51-1.80 s against 1.58-1.77 s.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: PR_SET_THP_DISABLE takes one integer argument and changes only how the
        // kernel backs this process's later memory; failure (an old kernel) leaves it as it
        // was, which is only slower.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

/// Runs the command line and returns the process exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are answers (stdout, 0); anything else clap refuses is a
        // usage error with its own status, not 2 ("finished with skipped rows").
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    without_huge_pages();
    match cli.command {
        Command::Run(_) | Command::Export(_) => set_purge_delay(50),
        Command::Density(_) | Command::Compare(_) => set_purge_delay(250),
        _ => {}
    }
    let result = match &cli.command {
        Command::Borders(a) => borders::run(&cli, a),
        Command::Gazetteer(a) => gazetteer::run(&cli, a),
        Command::Geocode(a) => geocode::run(&cli, a),
        Command::Density(a) => density::run(&cli, a),
        Command::Compare(a) => compare::run(&cli, a),
        Command::Run(a) => run::run(&cli, a, true),
        Command::Export(a) => run::run(&cli, a, false),
        Command::Report(a) => report::run(&cli, a),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                *shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "borderwatch",
                &mut out,
            );
            print(&String::from_utf8_lossy(&out)).map(|_| EXIT_OK)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut out)
                .map_err(anyhow::Error::from)
                .and_then(|_| print(&String::from_utf8_lossy(&out)))
                .map(|_| EXIT_OK)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => EXIT_OK,
        Err(e) if usage::is_usage(&e) => {
            eprintln!("error: {}", usage::message(&e));
            EXIT_USAGE
        }
        Err(e) => {
            eprintln!("error: {}", usage::message(&e));
            EXIT_ERROR
        }
    }
}

/// A closed pipe (`borderwatch ... | head`) is a normal end, not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes text to stdout, passing a closed pipe up as an error [`main`] recognises.
pub(crate) fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Where the inputs' messages go: stderr, unless --quiet.
pub(crate) fn log_unless_quiet(cli: &Cli) -> impl FnMut(&str) + use<> {
    let quiet = cli.quiet;
    move |m: &str| {
        if !quiet {
            eprintln!("{m}");
        }
    }
}

pub(crate) fn load_geodata(cli: &Cli) -> Result<crate::geodata::GeoData> {
    crate::geodata::GeoData::load(cli.geodata.as_deref())
}
