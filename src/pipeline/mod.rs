//! The jobs, in the library: each subcommand's work from a request to its files and a report,
//! so anything (the command line, a benchmark, a test, a later front end) can run it.
//!
//! - [`prepare`]: the front half every job shares — read every input, geocode every record,
//!   keep every row accounted for.
//! - [`run()`]: the main job (`run`, and `export` without the maps), configured by a
//!   [`RunConfig`] and reported in a [`RunReport`]; [`figures`] draws its maps and charts,
//!   [`summary`] says what it did.
//! - [`analysis`]: what `density` and `compare` start with; [`density()`](density::density),
//!   [`compare()`](compare::compare) and [`geocode()`](geocode::geocode) are their jobs.
//! - [`usage`]: requests that cannot be done, refused before anything is read or written.
//!
//! The pipeline owns the order of the stages, which files a job writes and what its report
//! says. It must not know about the command line: no flag parsing, no printing, no exit
//! statuses, no spinner. Messages about the inputs and the stage being entered go to an
//! [`Observer`], which the caller decides how to show.

pub mod analysis;
pub mod compare;
pub mod config;
pub mod density;
mod early;
pub mod figures;
pub mod geocode;
mod prefault;
pub mod prepare;
mod priority;
mod run;
pub mod summary;
pub mod usage;

pub use config::{Reading, RunConfig};
pub use prepare::{
    EXAMPLE_CSV, EXAMPLE_NAME, Prepared, PreparedForAnalysis, ingest_and_geocode,
    ingest_and_geocode_with, ingest_for_analysis, ingest_for_analysis_with,
};
pub use run::{RunReport, run};

/// Hears what a job is doing: the stage it enters and the messages about its inputs (notes,
/// warnings, skipped and unmatched rows). Both do nothing unless implemented.
pub trait Observer {
    /// A stage begins ("loading geodata", "analysing borders", …).
    fn stage(&mut self, _name: &str) {}
    /// The inputs are read and analysed, and the outputs begin: most memory freed from here
    /// on is not asked for again (the command line starts returning it to the system).
    fn outputs_begin(&mut self) {}
    /// A message about the inputs, one line (`note: …`, `warning: …`, `skipped: …`,
    /// `unmatched: …`).
    fn message(&mut self, _line: &str) {}
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {}

/// A rate ratio and its interval as the reports print it: `0.092 (95% CI 0.023 – 0.251)`,
/// the upper bound `unbounded` when there is none.
pub(crate) fn ratio_with_interval(c: &crate::density::compare::Comparison) -> String {
    format!(
        "{} (95% CI {} – {})",
        fixed3(c.ratio),
        fixed3(c.ratio_low),
        c.ratio_high
            .map(|v| format!("{v:.3}"))
            .unwrap_or_else(|| "unbounded".into())
    )
}

/// Refuses the first row that could not be used when `strict` asks for every row.
/// Loads the geodata (the copy built in when `geodata` is `None`) and adds the user's own
/// places, if any; unreadable rows of the places file and conflicts with shipped entries go
/// to `log`. With `borders_file`, its lines are the borders (the shipped ones are not read).
pub fn load_geodata(
    geodata: Option<&std::path::Path>,
    places: Option<&std::path::Path>,
    borders_file: Option<&std::path::Path>,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<crate::geodata::GeoData> {
    let mut geo = crate::geodata::GeoData::load_parts(geodata, borders_file.is_none())?;
    if let Some(p) = places {
        let (errors, conflicts) = geo.add_user_places(p)?;
        for e in errors {
            log(&format!("places: {e}"));
        }
        for c in conflicts {
            log(&format!("places: {}: {c}", p.display()));
        }
    }
    if let Some(f) = borders_file {
        geo.use_borders_file(f)?;
    }
    Ok(geo)
}

/// In strict mode, a located record whose place text was not matched as written (see
/// `review.csv`) is an error too.
pub(crate) fn refuse_review_if_strict(
    strict: bool,
    located: &[crate::model::LocatedIncident],
) -> anyhow::Result<()> {
    if !strict {
        return Ok(());
    }
    if let Some(l) = located.iter().find(|l| l.location.review.is_some()) {
        let r = l.location.review.as_ref().expect("found above");
        anyhow::bail!(
            "strict mode: {}:{}: {} not matched as written ({}): {}",
            l.record.provenance.file,
            l.record.provenance.line,
            r.tried,
            r.kind.as_str(),
            r.why
        );
    }
    Ok(())
}

pub(crate) fn refuse_if_strict(
    strict: bool,
    unmatched: &[crate::model::Unmatched],
) -> anyhow::Result<()> {
    if strict && let Some(u) = unmatched.first() {
        anyhow::bail!(
            "strict mode: {}:{}: {} ({})",
            u.file,
            u.line,
            u.reason,
            u.tried
        );
    }
    Ok(())
}

/// A figure with three decimals, or `-` when there is none (reports print both so).
pub(crate) fn fixed3(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into())
}
