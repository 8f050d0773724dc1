//! Usage errors: a request that asks for something that cannot be done (a reversed window,
//! an event type no input has, an unknown border or format) is refused before any output is
//! written, with a message saying what was wrong and what would be right. The command line
//! gives them their own exit status (`cli::EXIT_USAGE`); this module knows nothing of the
//! command line beyond the flag names its messages use.

use crate::density::columns::AnalysisInput;
use crate::density::compare::PairError;
use crate::export::layers::{LAYER_FORMATS, LayerFormats};
use crate::gazetteer::normalize::event_type_key;
use crate::ingest::EVENT_TYPES;
use crate::model::Date;
use anyhow::Result;
use std::collections::{BTreeSet, HashSet};

/// A request (flags or a run configuration) asking for something that cannot be done.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A usage error with this message.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// Whether an error is a usage error (also a border pair that cannot be compared).
pub fn is_usage(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.is::<UsageError>() || c.is::<PairError>())
}

/// Refuses a window that ends before it starts.
pub fn check_window(
    from: Option<Date>,
    to: Option<Date>,
    from_text: Option<&str>,
    to_text: Option<&str>,
) -> Result<()> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(usage(format!(
            "--from {} ({f}) is after --to {} ({t}): the window would be empty; give the earlier date to --from",
            from_text.unwrap_or_default(),
            to_text.unwrap_or_default()
        )));
    }
    Ok(())
}

/// Refuses border ids that are not among `valid`, naming them and listing the valid ones.
pub fn check_borders(selected: &[String], valid: &[&str]) -> Result<()> {
    let unknown: Vec<&str> = selected
        .iter()
        .filter(|s| !valid.iter().any(|v| v.eq_ignore_ascii_case(s)))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(usage(format!(
        "--borders: unknown border {}: the borders are {}",
        unknown.join(" and "),
        valid.join(", ")
    )))
}

/// The image formats maps and charts can be written in.
pub const FORMATS: [&str; 3] = ["svg", "png", "pdf"];

/// Refuses image formats that are not written.
pub fn check_formats(formats: &[String]) -> Result<()> {
    let unknown: Vec<&str> = formats
        .iter()
        .map(|f| f.trim())
        .filter(|f| !FORMATS.iter().any(|k| k.eq_ignore_ascii_case(f)))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(usage(format!(
        "--format: {} not supported: maps and charts are written as {} (e.g. --format svg,png,pdf)",
        unknown.join(", "),
        FORMATS.join(", ")
    )))
}

/// The layer formats `--layers` names; unknown ones are refused.
pub fn layer_formats(names: &[String]) -> Result<LayerFormats> {
    LayerFormats::parse(names).map_err(|unknown| {
        usage(format!(
            "--layers: {} not supported: layers are written as {} (e.g. --layers gpkg,geojson)",
            unknown
                .iter()
                .map(|u| format!("{u:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            LAYER_FORMATS.join(" and ")
        ))
    })
}

/// Refuses `--types` that name neither a known event type nor one the inputs hold (a typo
/// would otherwise leave every row out): names them, suggests the nearest, and lists the
/// known types and those in the inputs.
pub fn check_types<I: AnalysisInput + ?Sized>(types: &[String], located: &I) -> Result<()> {
    if types.is_empty() {
        return Ok(());
    }
    let canonical: Vec<&str> = EVENT_TYPES.iter().map(|(t, _)| *t).collect();
    let mut spellings: HashSet<&str> = HashSet::new();
    for i in 0..located.len() {
        if let Some(t) = located.subject(i).event_type {
            spellings.insert(t);
        }
    }
    let in_inputs: BTreeSet<String> = spellings.into_iter().map(event_type_key).collect();
    let known = |key: &str| canonical.contains(&key) || in_inputs.contains(key);
    let unknown: Vec<&String> = types
        .iter()
        .filter(|t| !known(&event_type_key(t)))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let all: Vec<&str> = canonical
        .iter()
        .copied()
        .chain(in_inputs.iter().map(String::as_str))
        .collect();
    let nearest = |t: &str| {
        let key = event_type_key(t);
        all.iter()
            .map(|k| (strsim::jaro_winkler(&key, k), *k))
            .filter(|(score, _)| *score >= 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)))
            .map(|(_, k)| k)
    };
    let named: Vec<String> = unknown
        .iter()
        .map(|t| match nearest(t) {
            Some(k) => format!("{t} (did you mean {k}?)"),
            None => t.to_string(),
        })
        .collect();
    let others: Vec<&str> = in_inputs
        .iter()
        .map(String::as_str)
        .filter(|k| !canonical.contains(k))
        .collect();
    Err(usage(format!(
        "--types: unknown event type {}: the known types are {}{}",
        named.join(", "),
        canonical.join(", "),
        if others.is_empty() {
            String::new()
        } else {
            format!("; the inputs also hold {}", others.join(", "))
        }
    )))
}

/// The error's message with each cause once: a cause whose text the message already holds
/// (an I/O error quoted by the context around it) is not repeated.
pub fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let e = anyhow::Error::new(crate::ingest::IngestError::Unreadable {
            file: "x.csv".into(),
            source: io,
        });
        assert_eq!(message(&e), "cannot read x.csv: No such file or directory");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(message(&e), "outer: inner");
    }

    #[test]
    fn a_reversed_window_and_unknown_formats_are_usage_errors() {
        let (a, b) = (Date::new(2026, 1, 1), Date::new(2025, 1, 31));
        let e = check_window(a, b, Some("2026-01"), Some("2025-01")).unwrap_err();
        assert!(
            is_usage(&e) && e.to_string().contains("--from 2026-01"),
            "{e}"
        );
        assert!(check_window(b, a, None, None).is_ok());
        let e = check_formats(&["svg".into(), "eps".into()]).unwrap_err();
        assert!(
            is_usage(&e) && e.to_string().contains("eps not supported"),
            "{e}"
        );
        assert!(check_formats(&["SVG".into(), "png".into(), "pdf".into()]).is_ok());
        let e = check_borders(&["AF-PKK".into()], &["AF-PK", "AF-TJ"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--borders: unknown border AF-PKK: the borders are AF-PK, AF-TJ"
        );
    }
}
