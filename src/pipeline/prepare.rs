//! The pipeline's front half as one call: read every input, geocode every record, and keep
//! every row accounted for (located, or unmatched with its reason). Subcommands and the main
//! job share it so they cannot disagree about what was read.

use super::prefault::Prefault;
use crate::density::columns::{IncidentColumns, Subject};
use crate::geocode::{Geocoded, duplicates, locate_each_in_place, locate_into};
use crate::geodata::GeoData;
use crate::ingest::{self, IngestOptions};
use crate::model::{IncidentRecord, LocatedIncident, Unmatched};
use anyhow::Result;
use std::io::Read;
use std::path::PathBuf;

/// The shipped example incidents, compiled in so the main job runs from any directory.
pub const EXAMPLE_NAME: &str = "geodata/incidents/example_2025_2026.csv";
pub const EXAMPLE_CSV: &[u8] = include_bytes!("../../geodata/incidents/example_2025_2026.csv");

/// Records read, located and unmatched. `rows_read == located.len() + unmatched.len()`.
#[derive(Debug, Default)]
pub struct Prepared {
    pub rows_read: u64,
    pub geocoded: Geocoded,
    /// Malformed rows (file by file, in file order), then the records that could not be
    /// placed (in input order).
    pub unmatched: Vec<Unmatched>,
    /// Input files as named in messages (the example when none was given).
    pub inputs: Vec<String>,
    pub warnings: Vec<String>,
}

/// Reads the inputs (the shipped example when `inputs` is empty) and geocodes them.
/// Warnings and skipped rows go to `log` after each file is read; records that could not be
/// placed, at the end.
pub fn ingest_and_geocode(
    inputs: &[PathBuf],
    geo: &GeoData,
    strict: bool,
    log: &mut dyn FnMut(&str),
) -> Result<Prepared> {
    let opts = IngestOptions {
        strict,
        ..IngestOptions::DEFAULT
    };
    ingest_and_geocode_with(inputs, geo, &opts, log)
}

/// [`ingest_and_geocode`] with every reading option (`--columns`, `--date-order`, `--sheet`).
pub fn ingest_and_geocode_with(
    inputs: &[PathBuf],
    geo: &GeoData,
    opts: &IngestOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Prepared> {
    ingest_and_geocode_watched(inputs, geo, opts, log, &mut |_| {})
}

/// [`ingest_and_geocode_with`], showing `after_batch` the incidents located so far after
/// each batch is added (on the thread that adds them, while the next batch is read).
pub fn ingest_and_geocode_watched(
    inputs: &[PathBuf],
    geo: &GeoData,
    opts: &IngestOptions,
    log: &mut dyn FnMut(&str),
    after_batch: &mut (dyn FnMut(&Vec<LocatedIncident>) + Send),
) -> Result<Prepared> {
    let mut located: Vec<LocatedIncident> = Vec::new();
    // The list's spare room being faulted in ahead of the filling (see `prefault`); stopped
    // before the room moves.
    let mut prefault: Option<Prefault> = None;
    let accounted = ingest_and_locate(inputs, opts, log, &mut |records, expected_rows| {
        if let Some(room) = room_to_move_into(
            located.len(),
            located.capacity(),
            records.len(),
            expected_rows,
        ) {
            // A new list, not the list grown in place: `realloc` copies the whole old room,
            // used or not, which would make all of it memory.
            let mut roomier = Vec::new();
            if roomier.try_reserve_exact(room).is_ok() {
                prefault = None;
                roomier.append(&mut located);
                located = roomier;
                prefault = Prefault::spare_room_of(&mut located);
            }
        }
        if located.capacity() - located.len() < records.len() {
            // The list will grow in place: its room may move.
            prefault = None;
        }
        // Each located incident is made in its place in the list, not in a batch's list
        // first and moved (half a kilobyte each, on the thread everything waits for).
        let not_placed = locate_into(records, geo, &mut located);
        if let Some(p) = &prefault {
            p.follow(&located, expected_rows);
        }
        after_batch(&located);
        not_placed
    })?;
    drop(prefault);
    // The duplicate check runs over every file's records together.
    duplicates::flag(&mut located);
    let mut unmatched = accounted.malformed;
    unmatched.extend(accounted.not_placed.iter().cloned());
    let out = Prepared {
        rows_read: accounted.rows_read,
        geocoded: Geocoded {
            located,
            unmatched: accounted.not_placed,
        },
        unmatched,
        inputs: accounted.inputs,
        warnings: accounted.warnings,
    };
    debug_assert_eq!(
        out.rows_read as usize,
        out.geocoded.located.len() + out.unmatched.len()
    );
    Ok(out)
}

/// Records read and accounted for, keeping of each located incident only what the analysis
/// reads (for `density` and `compare`, which write no records).
/// `rows_read == located.len() + unmatched.len()`.
#[derive(Debug, Default)]
pub struct PreparedForAnalysis {
    pub rows_read: u64,
    pub located: IncidentColumns,
    /// Malformed rows, then records that could not be placed (as in [`Prepared`]).
    pub unmatched: Vec<Unmatched>,
    pub inputs: Vec<String>,
    pub warnings: Vec<String>,
}

/// [`ingest_and_geocode`] for an analysis: each batch of located incidents is reduced to
/// its analysed fields as it is placed, so memory grows by about 100 bytes per incident,
/// not 0.8 KB. There is no duplicate check (the analysis does not read it).
pub fn ingest_for_analysis(
    inputs: &[PathBuf],
    geo: &GeoData,
    strict: bool,
    log: &mut dyn FnMut(&str),
) -> Result<PreparedForAnalysis> {
    let opts = IngestOptions {
        strict,
        ..IngestOptions::DEFAULT
    };
    ingest_for_analysis_with(inputs, geo, &opts, log)
}

/// [`ingest_for_analysis`] with every reading option.
pub fn ingest_for_analysis_with(
    inputs: &[PathBuf],
    geo: &GeoData,
    opts: &IngestOptions,
    log: &mut dyn FnMut(&str),
) -> Result<PreparedForAnalysis> {
    ingest_for_analysis_watched(inputs, geo, opts, log, &mut |_| {})
}

/// [`ingest_for_analysis_with`], showing `after_batch` the incidents located so far after
/// each batch is added (on the thread that adds them, while the next batch is read).
pub fn ingest_for_analysis_watched(
    inputs: &[PathBuf],
    geo: &GeoData,
    opts: &IngestOptions,
    log: &mut dyn FnMut(&str),
    after_batch: &mut (dyn FnMut(&IncidentColumns) + Send),
) -> Result<PreparedForAnalysis> {
    let mut located = IncidentColumns::new();
    // No district or province per incident, and no unmapped columns: the analysis reads
    // neither. Each record leaves its analysed fields in the columns and goes.
    let opts = IngestOptions {
        analysis_only: true,
        ..opts.clone()
    };
    let accounted = ingest_and_locate(inputs, &opts, log, &mut |records, _| {
        let not_placed = locate_each_in_place(&records, geo, false, &mut |record, location| {
            located.push(&Subject::of_parts(record, &location))
        });
        after_batch(&located);
        not_placed
    })?;
    let mut unmatched = accounted.malformed;
    unmatched.extend(accounted.not_placed);
    debug_assert_eq!(
        accounted.rows_read as usize,
        located.len() + unmatched.len()
    );
    Ok(PreparedForAnalysis {
        rows_read: accounted.rows_read,
        located,
        unmatched,
        inputs: accounted.inputs,
        warnings: accounted.warnings,
    })
}

/// Reads each file, handing its records to `sink` a batch at a time, and files what each
/// gave besides: rows read, notes and warnings (logged too) and malformed rows.
fn read_inputs(
    files: Vec<(String, Box<dyn Read + '_>)>,
    opts: &IngestOptions,
    out: &mut Accounted,
    log: &mut dyn FnMut(&str),
    sink: &mut dyn FnMut(Vec<IncidentRecord>),
) -> Result<()> {
    for (name, reader) in files {
        let ing = ingest::read_reader_in_batches(&name, reader, opts, sink)?;
        out.rows_read += ing.rows_read;
        out.inputs.push(ing.file.clone());
        for n in &ing.notes {
            log(&format!("note: {}: {n}", ing.file));
        }
        for w in &ing.warnings {
            out.warnings.push(w.to_string());
            log(&format!("warning: {w}"));
        }
        for p in ing.skipped {
            log(&format!("skipped: {p}"));
            out.malformed.push(Unmatched {
                reason: match &p.column {
                    Some(c) => format!("malformed row: column {c}: {}", p.reason),
                    None => format!("malformed row: {}", p.reason),
                },
                file: p.file,
                line: p.line,
                id: None,
                tried: p.text.unwrap_or_default(),
                suggestions: Vec::new(),
            });
        }
    }
    Ok(())
}

/// Everything but the located incidents, which went to the caller batch by batch.
struct Accounted {
    rows_read: u64,
    /// Rows that could not be read, file by file.
    malformed: Vec<Unmatched>,
    /// Records that could not be placed, in input order.
    not_placed: Vec<Unmatched>,
    inputs: Vec<String>,
    warnings: Vec<String>,
}

/// Reads each input, handing its records a batch at a time, in input order, to `locate`
/// (which places and keeps them, and returns those it could not place) as they are read, so
/// the whole file's records are never held. With each batch goes an estimate of the rows
/// of all inputs together, for keepers that would rather make room once (see
/// [`RowEstimate`]; `None` when an input's size is unknown, as a pipe's is).
/// Every input is opened first, so a missing file stops the command before any work is
/// done.
fn ingest_and_locate(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    log: &mut dyn FnMut(&str),
    locate: &mut (dyn FnMut(Vec<IncidentRecord>, Option<usize>) -> Vec<Unmatched> + Send),
) -> Result<Accounted> {
    let bytes_read = std::cell::Cell::new(0u64);
    let mut total_bytes = Some(0u64);
    let files: Vec<(String, Box<dyn Read + '_>)> = if inputs.is_empty() {
        total_bytes = Some(EXAMPLE_CSV.len() as u64);
        vec![(
            EXAMPLE_NAME.to_string(),
            Box::new(Counted::new(EXAMPLE_CSV, &bytes_read)),
        )]
    } else {
        inputs
            .iter()
            .map(|path| {
                let (name, f) = ingest::open(path)?;
                // A pipe or a device has no size to go by (its length reads 0).
                let size = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
                total_bytes = total_bytes.zip(size).map(|(a, b)| a.saturating_add(b));
                Ok((
                    name,
                    Box::new(Counted::new(f, &bytes_read)) as Box<dyn Read + '_>,
                ))
            })
            .collect::<Result<_, ingest::IngestError>>()?
    };
    let mut estimate = RowEstimate::default();
    let mut expected_rows = |batch: usize| -> Option<usize> {
        estimate.after_batch(batch, bytes_read.get(), total_bytes?)
    };
    let mut out = Accounted {
        rows_read: 0,
        malformed: Vec::new(),
        not_placed: Vec::new(),
        inputs: Vec::new(),
        warnings: Vec::new(),
    };
    // Each batch is geocoded and handed on by a thread of its own while this one reads the
    // next: handing on is serial work (filing every record into the caller's store), which
    // otherwise left one core idle between batches. The channel holds one batch, so that
    // reading hands a full batch on without waiting for the locator inside a chunk (the
    // pool, done mapping, then waited too); at most three batches are held at once, each
    // 16,384 records (6 MB before their texts).
    let (to_locate, batches) =
        std::sync::mpsc::sync_channel::<(Vec<IncidentRecord>, Option<usize>)>(1);
    let not_placed = std::thread::scope(|scope| -> Result<Vec<Unmatched>> {
        let locator = scope.spawn(move || {
            let mut not_placed = Vec::new();
            for (records, expected_rows) in batches {
                not_placed.append(&mut locate(records, expected_rows));
            }
            not_placed
        });
        // The locator ends only when this sender goes, after the last batch.
        let read = read_inputs(files, opts, &mut out, log, &mut |records| {
            let expected = expected_rows(records.len());
            let _ = to_locate.send((records, expected));
        });
        drop(to_locate);
        let not_placed = locator
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        read.map(|()| not_placed)
    })?;
    for u in &not_placed {
        log(&format!(
            "unmatched: {}:{}: {} ({})",
            u.file, u.line, u.reason, u.tried
        ));
    }
    out.not_placed = not_placed;
    Ok(out)
}

/// An estimate of the rows of all inputs, remade as each batch is handed on.
///
/// Reading looks ahead: a file's first 4 MiB are read at once (to tell its encoding and
/// delimiter), and the batches come from them for a while with no more bytes read. Rows in
/// proportion to the bytes read so ran low at first and grew with every batch: on the
/// peer's million (56 MB) the estimates after the first batches were 218k, 437k, 655k and
/// 740k rows, and the located incidents moved to a larger list four times (196,608 of them
/// copied). So only the first batch is scaled in proportion; after that, the rows still to
/// come are the bytes still to read at the rate of bytes per row seen since reading went
/// past what it had first read (the look-ahead then stays about the same, and cancels).
/// Until that rate is known there is no estimate. With more than one input, each file's
/// own first read skews the rate for a while; a keeper of the rows makes room for more as
/// it needs it anyway.
#[derive(Debug, Default)]
struct RowEstimate {
    /// Rows handed on so far.
    rows: usize,
    /// Bytes read at the previous batch (`None` before the first).
    last_bytes: Option<u64>,
    /// Rows handed on and bytes read at the first batch after reading moved on.
    since: Option<(usize, u64)>,
}

impl RowEstimate {
    /// The estimate after `batch` more rows are handed on, `bytes_read` of inputs of
    /// `total_bytes` in all having been read. Never fewer than the rows handed on.
    fn after_batch(&mut self, batch: usize, bytes_read: u64, total_bytes: u64) -> Option<usize> {
        self.rows += batch;
        let rows = self.rows;
        let at_least = |n: f64| (n.ceil() as usize).max(rows);
        let Some(last) = self.last_bytes.replace(bytes_read) else {
            return (bytes_read > 0)
                .then(|| at_least(rows as f64 * total_bytes as f64 / bytes_read as f64));
        };
        let Some((rows0, bytes0)) = self.since else {
            if bytes_read > last {
                self.since = Some((rows, bytes_read));
            }
            return None;
        };
        (rows > rows0 && bytes_read > bytes0).then(|| {
            let bytes_per_row = (bytes_read - bytes0) as f64 / (rows - rows0) as f64;
            at_least(rows as f64 + total_bytes.saturating_sub(bytes_read) as f64 / bytes_per_row)
        })
    }
}

/// The room to move `len` located incidents (in a list of room `capacity`) into before
/// `incoming` more join them, if they should move. Grown by doubling, a million incidents
/// (600 MB) were copied about once over and their pages cleared twice; so, with an
/// `expected` count of all rows, the room is that and a quarter more, made while little is
/// held (and remade there as the estimate grows). Room never used is address space, not
/// memory. Once much is held, or with no estimate, they move only when the room is full,
/// to at least twice it.
fn room_to_move_into(
    len: usize,
    capacity: usize,
    incoming: usize,
    expected: Option<usize>,
) -> Option<usize> {
    let needed = len.saturating_add(incoming);
    let with_margin = |n: usize| n.saturating_add(n / 4);
    let estimate = expected.map(|e| e.max(needed));
    let early = len <= capacity / 4;
    if capacity < needed {
        Some(with_margin(estimate.unwrap_or(needed)).max(capacity.saturating_mul(2)))
    } else {
        match estimate {
            Some(e) if early && capacity < e.saturating_add(e / 8) => Some(with_margin(e)),
            _ => None,
        }
    }
}

/// A reader that adds the bytes it reads to a shared count (how far through its inputs a
/// job is).
struct Counted<'c, R> {
    inner: R,
    read: &'c std::cell::Cell<u64>,
}

impl<'c, R> Counted<'c, R> {
    fn new(inner: R, read: &'c std::cell::Cell<u64>) -> Counted<'c, R> {
        Counted { inner, read }
    }
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// How many incidents are copied from list to list while `rows` arrive in batches of
    /// `batch`, with the estimate `expected` gives after each batch.
    fn copied(rows: usize, batch: usize, expected: impl Fn(usize) -> Option<usize>) -> usize {
        let (mut len, mut capacity, mut copied) = (0, 0, 0);
        while len < rows {
            let incoming = batch.min(rows - len);
            if let Some(room) = room_to_move_into(len, capacity, incoming, expected(len + incoming))
            {
                assert!(room >= len + incoming, "room for what comes");
                copied += len;
                capacity = room;
            }
            len += incoming;
        }
        copied
    }

    #[test]
    fn rows_are_estimated_from_the_bytes_read_per_row_once_reading_moves_on() {
        let total = 55_934_252;
        let mut e = RowEstimate::default();
        // The bytes read after each batch of 16,384 rows of the peer's million: the first
        // 4 MiB are read at once, and the first three batches come from them.
        let seen: Vec<Option<usize>> = [
            4_194_304, 4_194_304, 4_194_304, 4_947_968, 5_857_280, 6_774_784, 7_692_288,
        ]
        .into_iter()
        .map(|bytes| e.after_batch(16_384, bytes, total))
        .collect();
        // The first in proportion; none while the rate is unknown.
        assert_eq!(seen[..4], [Some(218_494), None, None, None]);
        // Then close to the million, a little low by the look-ahead (about 22,000 rows).
        for est in &seen[4..] {
            let est = est.expect("an estimate");
            assert!((960_000..1_000_000).contains(&est), "{est}");
        }
        // Nothing read: no estimate.
        assert_eq!(RowEstimate::default().after_batch(10, 0, 1000), None);
        // Never fewer than were handed on, whatever the sizes say.
        assert_eq!(
            RowEstimate::default().after_batch(500, 2000, 1000),
            Some(500)
        );
        let mut e = RowEstimate::default();
        assert_eq!(e.after_batch(7, 1, u64::MAX), Some(usize::MAX));
        assert_eq!(e.after_batch(7, 2, u64::MAX), None);
        assert_eq!(e.after_batch(7, 3, u64::MAX), Some(usize::MAX));
    }

    #[test]
    fn the_incidents_move_little_with_an_estimate_and_as_if_doubled_without() {
        let n = 1_000_000;
        // A fair estimate from the first batch: one move, of nothing held.
        assert_eq!(copied(n, 16_384, |_| Some(n)), 0);
        // One that starts low, as reading's look-ahead makes it, and settles: the moves
        // come while little is held.
        let settling = |seen: usize| {
            Some((n as f64 * (0.2 + 0.8 * (seen as f64 / 65_536.0).min(1.0))) as usize)
        };
        assert!(copied(n, 16_384, settling) < n / 10);
        // No estimate (a pipe): at least doubling, so about one copy of everything (as a
        // vector's own growth), not the four of growing by a quarter.
        let doubling = copied(n, 16_384, |_| None);
        assert!(doubling <= 3 * n / 2, "{doubling}");
        // An estimate that stays a fifth low to the end: one late move, doubling.
        let low = copied(n, 16_384, |_| Some(n * 4 / 5));
        assert!(low <= n, "{low}");
    }

    /// The located incidents are given their room once, from the inputs' size: not the
    /// next power of two a vector grown by doubling ends at (131,072 for these 70,000 rows).
    #[test]
    fn room_for_the_located_incidents_comes_from_the_inputs_size() {
        let geo = GeoData::load(None).unwrap();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        // Over the 4 MiB that reading looks at first, so the rows come in several batches.
        writeln!(file, "id,date,longitude,latitude,event_type,notes").unwrap();
        let notes = "reported by two local sources; the village named differs between them. ";
        for i in 0..70_000u32 {
            let lon = 65.0 + f64::from(i % 1000) * 0.005;
            writeln!(
                file,
                "{i},2024-05-01,{lon:.3},34.500,armed clash,{notes}{notes}"
            )
            .unwrap();
        }
        file.flush().unwrap();
        let prepared =
            ingest_and_geocode(&[file.path().to_path_buf()], &geo, false, &mut |_| {}).unwrap();
        let located = &prepared.geocoded.located;
        assert_eq!(located.len(), 70_000);
        let room = located.capacity() as f64 / located.len() as f64;
        assert!(
            (1.0..1.5).contains(&room),
            "capacity {}",
            located.capacity()
        );
    }
}
