//! From a row's values to a record: [`map_row`] (blank and HXL rows refused, then the
//! schema's mapper), and how the outcome is filed in [`Ingested`] — the record with its
//! warnings, or the skipped row (an error in strict mode). Every reader hands its rows here.

use super::header::Header;
use super::row::{Ctx, Mapped, Problem, Row, normalise_key};
use super::{IngestError, IngestOptions, Ingested, RowProblem};
use std::borrow::Cow;
use std::path::Path;

impl Ingested {
    /// Files what the header said: the columns taken (a note), how dates are read (a note),
    /// and a date column that does not settle its order (a warning).
    pub(crate) fn note_header(
        &mut self,
        header: &Header,
        settled: (Option<String>, Option<String>),
    ) {
        // Said when there is something to say: a column taken under another name, or one
        // not used. A file of native names only reads as it always did, silently.
        if let Some(t) = &header.taken
            && (t
                .mapped
                .iter()
                .any(|(theirs, native)| normalise_key(theirs) != *native)
                || !t.unused.is_empty()
                || !t.missing.is_empty())
        {
            self.notes.push(t.describe());
        }
        let (note, warning) = settled;
        self.notes.extend(note);
        if let Some(w) = warning {
            self.warnings.push(RowProblem {
                file: self.file.clone(),
                line: 0,
                column: None,
                reason: w,
                text: None,
            });
        }
    }

    pub(crate) fn stem(&self) -> String {
        Path::new(&self.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "row".to_string())
    }

    pub(crate) fn problem(
        &self,
        line: u64,
        label: Option<&str>,
        p: Problem,
        text: Option<String>,
    ) -> RowProblem {
        let reason = match label {
            Some(l) => format!("{l}: {}", p.reason),
            None => p.reason,
        };
        RowProblem {
            file: self.file.clone(),
            line,
            column: p.column,
            reason,
            text: text.or(p.value),
        }
    }

    /// Records a skipped row, or fails the file in strict mode.
    pub(crate) fn skip(
        &mut self,
        opts: &IngestOptions,
        line: u64,
        label: Option<&str>,
        p: Problem,
        raw: String,
    ) -> Result<(), IngestError> {
        let rp = self.problem(line, label, p, Some(raw));
        if opts.strict {
            return Err(IngestError::Strict(rp));
        }
        self.skipped.push(rp);
        Ok(())
    }

    /// Maps one row with `header` and files the outcome. `label` ("feature 3") prefixes
    /// reasons for JSON input, whose `line` is an index.
    pub(crate) fn take_row(
        &mut self,
        opts: &IngestOptions,
        header: &Header,
        values: &[Cow<'_, str>],
        line: u64,
        label: Option<&str>,
        raw: impl FnOnce() -> String,
    ) -> Result<(), IngestError> {
        let stem = self.stem();
        let file = crate::memo::own_copy(&self.file);
        let ctx = Ctx {
            file: &file,
            file_stem: &stem,
            line,
            format: header.schema.format(),
            date_order: header.date_order,
            pass_through: !opts.analysis_only,
        };
        let outcome = map_row(header, values, &ctx);
        self.file_row(opts, line, label, outcome, raw)
    }

    /// Files the outcome of [`map_row`]: the record and its warnings, or the skipped row
    /// (an error in strict mode).
    pub(crate) fn file_row(
        &mut self,
        opts: &IngestOptions,
        line: u64,
        label: Option<&str>,
        outcome: Result<Mapped, Problem>,
        raw: impl FnOnce() -> String,
    ) -> Result<(), IngestError> {
        match outcome {
            Ok(m) => {
                for w in m.warnings {
                    let rp = self.problem(line, label, w, None);
                    self.warnings.push(rp);
                }
                self.records.push(*m.record);
                Ok(())
            }
            Err(p) => self.skip(opts, line, label, p, raw()),
        }
    }
}

/// Maps one row with `header`: a record, or why the row is not one. Pure, so rows can be
/// mapped on several threads and filed in order afterwards.
pub(crate) fn map_row(
    header: &Header,
    values: &[Cow<'_, str>],
    ctx: &Ctx<'_>,
) -> Result<Mapped, Problem> {
    let mut row = Row::new(
        &header.names,
        &header.keys,
        header.index.as_ref(),
        header.name_order.as_deref(),
        values,
    );
    if row.is_blank() {
        Err(Problem::row("row has no values".to_string()))
    } else if row.is_hxl() {
        Err(Problem::row(
            "HXL hashtag row (column tags, not an event)".to_string(),
        ))
    } else {
        header.schema.map(&mut row, ctx)
    }
}
