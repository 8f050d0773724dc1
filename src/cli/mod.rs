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
mod memory;
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
    memory::without_huge_pages();
    match cli.command {
        Command::Run(_) | Command::Export(_) => {
            memory::set_purge_delay(memory::HELD_UNTIL_RETURNED)
        }
        Command::Density(_) | Command::Compare(_) => memory::set_purge_delay(250),
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
