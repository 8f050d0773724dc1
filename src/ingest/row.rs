//! The shared row toolkit: the row abstraction every mapper works on, and the field parsers
//! they share. It knows no format: the list of formats ([`super::formats`]) knows the
//! mappers, and the mappers know only this toolkit.
//!
//! CSV rows and JSON objects both become a [`Row`]: column names with their values. An
//! importer `take`s the columns it maps; whatever it does not take ends up in
//! `IncidentRecord::extra`, so a column nobody anticipated is passed through, not dropped.

use std::borrow::Cow;

use super::keys::Key;

use crate::model::{IncidentRecord, PrecisionClass, RecordOrigin, SourceFormat};

/// A column name as the schemas compare it: trimmed, lowercased, spaces and dashes as
/// underscores ("Event Type" and "event-type" both mean `event_type`).
pub(crate) fn normalise_key(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .trim()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where the row is, for ids and origins.
pub(crate) struct Ctx<'a> {
    /// The file's name: this thread's own copy ([`crate::memo::own_copy`]), which every
    /// record made here holds.
    pub file: &'a std::sync::Arc<str>,
    pub file_stem: &'a str,
    pub line: u64,
    pub format: SourceFormat,
    /// How numeric dates of the file's date column are read (`None`: not settled).
    pub date_order: Option<super::DateOrder>,
    /// Keep the cells no importer maps in `extra` (see `IngestOptions::analysis_only`).
    pub pass_through: bool,
}

impl Ctx<'_> {
    /// The record's origin. Its file name is this thread's own copy ([`crate::memo::own_copy`]):
    /// every record holds one, and records mapped on several threads at once, all counting
    /// references to one copy, made its count the most contended word of reading a file
    /// (half of the mapping function's samples were the increment's wait). A CSV reader
    /// looks the copy up once per piece of a chunk a thread maps (rayon's `map_init`), not
    /// once per row.
    pub(crate) fn origin(&self) -> RecordOrigin {
        RecordOrigin {
            file: self.file.clone(),
            line: self.line,
            format: self.format,
        }
    }

    /// The id used when the source gives none: `{file_stem}:{line}`, stable across runs on
    /// the same file.
    pub(crate) fn generated_id(&self) -> String {
        format!("{}:{}", self.file_stem, self.line)
    }
}

/// A problem with one row, before the file and line are attached.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub column: Option<String>,
    pub reason: String,
    /// The offending value, when there is one.
    pub value: Option<String>,
}

impl Problem {
    pub(crate) fn at(field: Field<'_>, reason: String) -> Problem {
        Problem {
            column: Some(field.name.to_string()),
            reason,
            value: Some(field.value.to_string()),
        }
    }

    pub(crate) fn column(name: &str, reason: String) -> Problem {
        Problem {
            column: Some(name.to_string()),
            reason,
            value: None,
        }
    }

    pub(crate) fn row(reason: String) -> Problem {
        Problem {
            column: None,
            reason,
            value: None,
        }
    }
}

/// A mapped record plus notes on it. The record is boxed from the start: on its way from an
/// importer to a reader's batch it is handed on four or five times, and moving a pointer
/// each time, then the record once into the batch, with an allocation and a free, costs
/// less than moving the 360-byte record every time (about 3% of `density`'s CPU on a
/// million rows).
#[derive(Debug)]
pub(crate) struct Mapped {
    pub record: Box<IncidentRecord>,
    pub warnings: Vec<Problem>,
}

/// One non-empty cell: its column name as written in the file and its trimmed value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

/// Each key's column (the first with that key), so that a field is found by key without
/// scanning the names: an importer takes some 25 fields a row, and a UCDP GED export has 50
/// columns. Built once per file; a JSON object, a header of its own, goes without.
///
/// Keys are filed by a 6-bit tag (from a key's length and end bytes, [`tag_of`]), so that
/// a lookup reads one bucket of the keys with its tag: most keys an importer asks for are
/// absent from a given file (the native importer asks for some 25; a file of six columns
/// holds six) and meet an empty bucket, and a present key is compared with the one or two
/// keys sharing its tag. Looking keys up in a hash map was 3–5% of `density`'s CPU on the
/// peer's million rows (`perf`); filed by tag, the CPU fell about 6% (interleaved runs).
///
/// The keys the importers ask for are numbered when compiled ([`super::keys`]), and each
/// one's column is looked up here once, when the index is made: a row then finds a listed
/// key's column by its number ([`Row::take`] and the other lookups of a row). (Remembering
/// each thread's answers by where a key's text lies still cost about 770 instructions a
/// row, 4% of `density` on the peer's million rows: `callgrind`.)
#[derive(Debug)]
pub(crate) struct KeyIndex {
    /// Where each tag's keys start in `entries` (and the next tag's start where they end).
    starts: Vec<u32>,
    /// (key, its first column), by tag, then by column.
    entries: Vec<(Box<str>, usize)>,
    /// The column of each listed key ([`super::keys::KEYS`], in its order), if any.
    listed: Box<[Option<usize>]>,
}

impl KeyIndex {
    pub(crate) fn new(keys: &[String]) -> KeyIndex {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut entries: Vec<(u32, Box<str>, usize)> = Vec::with_capacity(keys.len());
        for (i, k) in keys.iter().enumerate() {
            if seen.insert(k.as_str()) {
                entries.push((tag_of(k), k.as_str().into(), i));
            }
        }
        entries.sort_by_key(|&(tag, _, column)| (tag, column));
        let mut starts = vec![0u32; TAGS + 1];
        for &(tag, ..) in &entries {
            starts[tag as usize + 1] += 1;
        }
        for t in 0..TAGS {
            starts[t + 1] += starts[t];
        }
        let mut index = KeyIndex {
            starts,
            entries: entries.into_iter().map(|(_, k, c)| (k, c)).collect(),
            listed: Box::new([]),
        };
        index.listed = super::keys::KEYS.iter().map(|k| index.get(k)).collect();
        index
    }

    /// The column of a listed key (`None` for a key not listed: look it up by text).
    #[inline(always)]
    fn listed_column(&self, key: Key) -> Option<Option<usize>> {
        self.listed.get(usize::from(key.id)).copied()
    }

    /// [`KeyIndex::get`] of a key, by its number when it is listed (as a row finds it).
    #[cfg(test)]
    pub(crate) fn get_key(&self, key: Key) -> Option<usize> {
        self.listed_column(key)
            .unwrap_or_else(|| self.get(key.name))
    }

    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<usize> {
        let tag = tag_of(key) as usize;
        let (from, to) = (*self.starts.get(tag)?, *self.starts.get(tag + 1)?);
        self.entries[from as usize..to as usize]
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|&(_, column)| column)
    }
}

/// How many tags [`tag_of`] gives.
const TAGS: usize = 64;

/// A key's tag in [`KeyIndex`]: equal keys have equal tags.
#[inline]
fn tag_of(key: &str) -> u32 {
    let b = key.as_bytes();
    let (first, last) = (
        b.first().copied().unwrap_or(0),
        b.last().copied().unwrap_or(0),
    );
    (b.len() as u32 * 7 + u32::from(first) * 3 + u32::from(last)) % TAGS as u32
}

/// The column of `key` among `keys`: by `index` when the table has one, else by scanning.
#[inline]
pub(crate) fn column_of(keys: &[String], index: Option<&KeyIndex>, key: &str) -> Option<usize> {
    match index {
        Some(index) => index.get(key),
        None => keys.iter().position(|k| k == key),
    }
}

/// `s.trim()`, answered at once for a cell that starts and ends with a visible ASCII
/// character (most cells: then neither end is whitespace), which `trim` would decode
/// character by character from both ends (about 2% of `density`'s instructions per row on
/// the peer's file: `callgrind`, its first 100,000 and 200,000 rows).
#[inline]
pub(crate) fn trim_cell(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// One row: names, normalised keys and values, all the same length, plus which cells an
/// importer has consumed. Values are borrowed where they can be (a CSV field that is valid
/// UTF-8 is read in place) and owned where they had to be made (a decoded Latin-1 field, a
/// JSON value).
pub(crate) struct Row<'a> {
    names: &'a [String],
    keys: &'a [String],
    /// `keys` indexed, when the table has an index.
    index: Option<&'a KeyIndex>,
    /// The columns in name order, when the table has worked it out.
    name_order: Option<&'a [u32]>,
    values: &'a [Cow<'a, str>],
    used: Vec<bool>,
}

impl<'a> Row<'a> {
    pub(crate) fn new(
        names: &'a [String],
        keys: &'a [String],
        index: Option<&'a KeyIndex>,
        name_order: Option<&'a [u32]>,
        values: &'a [Cow<'a, str>],
    ) -> Row<'a> {
        Row {
            names,
            keys,
            index,
            name_order,
            values,
            used: vec![false; values.len()],
        }
    }

    /// A listed key of an indexed row is one look in a table, inlined where it is asked;
    /// the rest (a JSON object's keys, a key not listed) are looked up by text, apart.
    #[inline(always)]
    fn index(&self, key: Key) -> Option<usize> {
        match self.index.and_then(|index| index.listed_column(key)) {
            Some(column) => column,
            None => self.index_by_text(key),
        }
    }

    #[cold]
    #[inline(never)]
    fn index_by_text(&self, key: Key) -> Option<usize> {
        match self.index {
            Some(index) => index.get(key.name),
            None => column_of(self.keys, None, key.name),
        }
    }

    fn field(&self, i: usize) -> Option<Field<'a>> {
        let value = trim_cell(self.values.get(i)?);
        let name = self.names.get(i).map_or("", String::as_str);
        (!value.is_empty()).then_some(Field { name, value })
    }

    /// The non-empty value of a column, marking the column as mapped.
    ///
    /// Inlined up to the key's column, apart: an importer asks for every key it knows, and
    /// most are not in the file (a six-column file of the native schema is asked for over
    /// twenty), which is then a table read where it is asked.
    #[inline]
    pub(crate) fn take(&mut self, key: Key) -> Option<Field<'a>> {
        let i = self.index(key)?;
        self.take_column(i)
    }

    /// [`Self::take`] of a column found.
    fn take_column(&mut self, i: usize) -> Option<Field<'a>> {
        if let Some(u) = self.used.get_mut(i) {
            *u = true;
        }
        self.field(i)
    }

    /// The non-empty value of a column as an owned string, marking it as mapped.
    pub(crate) fn take_text(&mut self, key: Key) -> Option<String> {
        self.take(key).map(|f| f.value.to_string())
    }

    /// The value of a column without marking it, so it still goes to `extra`.
    pub(crate) fn peek(&self, key: Key) -> Option<Field<'a>> {
        self.index(key).and_then(|i| self.field(i))
    }

    /// Un-marks a column so that its raw value is kept in `extra` (used when a value could
    /// not be mapped onto the model but should not be lost).
    pub(crate) fn release(&mut self, key: Key) {
        if let Some(i) = self.index(key)
            && let Some(u) = self.used.get_mut(i)
        {
            *u = false;
        }
    }

    /// The display name of a column (as written in the file), for messages.
    pub(crate) fn name_of(&self, key: Key) -> String {
        self.index(key)
            .and_then(|i| self.names.get(i))
            .map_or_else(|| key.name.to_string(), String::clone)
    }

    /// True when every cell is empty or whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        self.values.iter().all(|v| trim_cell(v).is_empty())
    }

    /// An HXL hashtag row (`#date+year,#country+name`) as HDX exports carry on line 2:
    /// metadata, not an event.
    pub(crate) fn is_hxl(&self) -> bool {
        let mut any = false;
        for v in self
            .values
            .iter()
            .map(|v| trim_cell(v))
            .filter(|v| !v.is_empty())
        {
            if !v.starts_with('#') {
                return false;
            }
            any = true;
        }
        any
    }

    /// Non-empty cells no importer took, keyed by their column name as written.
    pub(crate) fn extras(&self) -> crate::model::Extra {
        let unused = |i: usize| -> Option<(&'a str, &'a str)> {
            (self.used.get(i) == Some(&false))
                .then(|| self.field(i))
                .flatten()
                .map(|f| (f.name, f.value))
        };
        match self.name_order {
            // A row as wide as its header: its cells taken in the header's name order.
            Some(order) if order.len() == self.values.len() => {
                crate::model::Extra::from_ordered_cells(
                    order.iter().filter_map(|&i| unused(i as usize)),
                )
            }
            _ => crate::model::Extra::from_cells((0..self.values.len()).filter_map(unused)),
        }
    }
}

/// For tests: [`blank_record`] number `i` of a native file `t.csv` (id `i`, at line `i + 2`).
#[cfg(test)]
pub(crate) fn numbered_record(i: usize) -> IncidentRecord {
    let origin = RecordOrigin {
        file: "t.csv".into(),
        line: i as u64 + 2,
        format: SourceFormat::Native,
    };
    blank_record(i.to_string(), origin)
}

/// An empty record carrying only its id and origin: every field the source does not give
/// stays `None` (and `count` 1, the model's default).
pub(crate) fn blank_record(id: String, origin: RecordOrigin) -> IncidentRecord {
    IncidentRecord {
        id: id.into(),
        date: None,
        country: None,
        admin1: None,
        admin2: None,
        location: None,
        latitude: None,
        longitude: None,
        stated_precision: None,
        event_type: None,
        actors: None,
        fatalities: None,
        fatalities_low: None,
        fatalities_high: None,
        wounded: None,
        targets: None,
        origin: None,
        count: 1.0,
        source: None,
        source_url: None,
        notes: None,
        extra: Default::default(),
        provenance: origin,
    }
}

/// Shortens a value for a message to at most 80 characters, on a character boundary, showing
/// control characters (a NUL, a line break, a terminal escape) as escapes so the message stays
/// one readable line. The limit counts the escapes, so a value of control bytes stays short too.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::with_capacity(s.len().min(4 * MAX));
    let mut shown = 0;
    for c in s.chars() {
        // An escape is ASCII, so its length in bytes is its length in characters.
        let escape = c.is_control().then(|| c.escape_default());
        let n = escape.as_ref().map_or(1, ExactSizeIterator::len);
        if shown + n > MAX {
            out.push('…');
            return out;
        }
        match escape {
            Some(e) => out.extend(e),
            None => out.push(c),
        }
        shown += n;
    }
    out
}

/// Parses a number cell: finite, and with a reason that helps fix it otherwise.
pub(crate) fn number(f: Field<'_>) -> Result<f64, Problem> {
    let v = f.value;
    if let Some(n) = super::decimal::plain_decimal(v) {
        return Ok(n);
    }
    // Clipped only for a message: most cells are numbers, and clipping costs an allocation.
    let shown = || clip(v);
    if v.contains(',') {
        return Err(Problem::at(
            f,
            format!(
                "{} is not a number (write decimals with a point and no thousands separators)",
                shown()
            ),
        ));
    }
    let n: f64 = v
        .parse()
        .map_err(|_| Problem::at(f, format!("{} is not a number", shown())))?;
    if !n.is_finite() {
        return Err(Problem::at(
            f,
            format!("{} is not a finite number", shown()),
        ));
    }
    Ok(n)
}

/// A count of people (deaths, wounded): a number that cannot be negative.
pub(crate) fn non_negative(f: Field<'_>) -> Result<f64, Problem> {
    let n = number(f)?;
    if n < 0.0 {
        return Err(Problem::at(
            f,
            format!("{} is negative; a count of people cannot be", clip(f.value)),
        ));
    }
    Ok(n)
}

/// A whole-number code such as `where_prec` or `geo_precision`; "2" and "2.0" both work.
pub(crate) fn code(f: Field<'_>) -> Result<i64, Problem> {
    let n = number(f)?;
    if n.fract() != 0.0 || n.abs() > 1e15 {
        return Err(Problem::at(
            f,
            format!("{} is not a whole number", clip(f.value)),
        ));
    }
    // In range and integral, so the cast is exact.
    Ok(n as i64)
}

/// Optional non-negative count: an empty cell stays unknown (`None`), never 0.
pub(crate) fn opt_non_negative(f: Option<Field<'_>>) -> Result<Option<f64>, Problem> {
    f.map(non_negative).transpose()
}

/// Latitude and longitude, both or neither, finite and in range. When the values look
/// swapped the reason says so, since that is the usual cause of an out-of-range latitude.
/// (0, 0) is kept but flagged: it is the usual placeholder for "no coordinates".
pub(crate) fn coordinates(
    lat: Option<Field<'_>>,
    lon: Option<Field<'_>>,
    warnings: &mut Vec<Problem>,
) -> Result<(Option<f64>, Option<f64>), Problem> {
    let (lat_f, lon_f) = match (lat, lon) {
        (None, None) => return Ok((None, None)),
        (Some(f), None) => {
            return Err(Problem::at(
                f,
                "latitude given without a longitude; give both or neither".to_string(),
            ));
        }
        (None, Some(f)) => {
            return Err(Problem::at(
                f,
                "longitude given without a latitude; give both or neither".to_string(),
            ));
        }
        (Some(a), Some(b)) => (a, b),
    };
    let la = number(lat_f)?;
    let lo = number(lon_f)?;
    let swapped = la.abs() <= 180.0 && lo.abs() <= 90.0;
    if la.abs() > 90.0 {
        let mut reason = format!(
            "{} is not a latitude (must be within -90..90)",
            clip(lat_f.value)
        );
        if swapped {
            reason.push_str(&format!(
                "; latitude and longitude appear swapped (longitude {} would be a valid latitude)",
                clip(lon_f.value)
            ));
        }
        return Err(Problem::at(lat_f, reason));
    }
    if lo.abs() > 180.0 {
        return Err(Problem::at(
            lon_f,
            format!(
                "{} is not a longitude (must be within -180..180)",
                clip(lon_f.value)
            ),
        ));
    }
    if la == 0.0 && lo == 0.0 {
        warnings.push(Problem::column(
            lat_f.name,
            "coordinates are 0,0, which is usually a placeholder for unknown coordinates"
                .to_string(),
        ));
    }
    Ok((Some(la), Some(lo)))
}

/// A precision stated as a word (`exact`, `near`, `district`, `province`, `border_zone`,
/// `country`) or a UCDP `where_prec` code 1–7. Code 7 (international waters or airspace) has
/// no class: `None` plus a warning.
pub(crate) fn stated_precision(
    f: Field<'_>,
    warnings: &mut Vec<Problem>,
) -> Result<Option<PrecisionClass>, Problem> {
    // Most cells already hold a word as written here; only others need normalising.
    let class = precision_word(f.value).or_else(|| precision_word(&normalise_key(f.value)));
    if class.is_some() {
        return Ok(class);
    }
    let bad = || {
        Problem::at(
            f,
            format!(
                "{} is not a precision (use exact, near, district, province, border_zone, country, or a UCDP code 1-7)",
                clip(f.value)
            ),
        )
    };
    let n = code(f).map_err(|_| bad())?;
    match n {
        7 => {
            warnings.push(Problem::at(
                f,
                "precision code 7 (international waters or airspace) has no place on land; stated precision left unknown"
                    .to_string(),
            ));
            Ok(None)
        }
        1..=6 => Ok(u8::try_from(n)
            .ok()
            .and_then(PrecisionClass::from_ucdp_where_prec)),
        _ => Err(bad()),
    }
}

/// The precision class a normalised word names.
fn precision_word(word: &str) -> Option<PrecisionClass> {
    match word {
        "exact" => Some(PrecisionClass::Exact),
        "near" => Some(PrecisionClass::Near),
        "district" => Some(PrecisionClass::District),
        "province" => Some(PrecisionClass::Province),
        "border_zone" | "borderzone" => Some(PrecisionClass::BorderZone),
        "country" => Some(PrecisionClass::Country),
        _ => None,
    }
}

/// Joins actor names with "; ", skipping empty ones; `None` when there are none.
pub(crate) fn join_actors(parts: &[Option<String>]) -> Option<String> {
    let v: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
    (!v.is_empty()).then(|| v.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f<'a>(name: &'a str, value: &'a str) -> Field<'a> {
        Field { name, value }
    }

    #[test]
    fn clip_is_short_and_one_line() {
        assert_eq!(clip("abc"), "abc");
        let long = "é".repeat(100);
        assert_eq!(clip(&long).chars().count(), 81);
        assert!(clip(&long).ends_with('…'));
        assert_eq!(clip("a\nb\0c\u{1b}"), "a\\nb\\u{0}c\\u{1b}");
        // Escapes count towards the limit: 100 C1 controls do not make a 600-character message.
        let controls = "\u{8f}".repeat(100);
        assert!(clip(&controls).chars().count() <= 81, "{}", clip(&controls));
    }

    #[test]
    fn numbers() {
        assert_eq!(non_negative(f("fatalities", "12")).unwrap(), 12.0);
        assert_eq!(non_negative(f("fatalities", "12.0")).unwrap(), 12.0);
        assert!(
            non_negative(f("fatalities", "abc"))
                .unwrap_err()
                .reason
                .contains("abc is not a number")
        );
        assert!(non_negative(f("fatalities", "-1")).is_err());
        assert!(
            non_negative(f("fatalities", "NaN"))
                .unwrap_err()
                .reason
                .contains("not a finite")
        );
        assert!(
            number(f("x", "1,000"))
                .unwrap_err()
                .reason
                .contains("thousands")
        );
        assert_eq!(code(f("x", "2.0")).unwrap(), 2);
        assert!(code(f("x", "2.5")).is_err());
    }

    #[test]
    fn coordinate_rules() {
        let mut w = Vec::new();
        let ok = coordinates(
            Some(f("latitude", "34.5")),
            Some(f("longitude", "70.1")),
            &mut w,
        )
        .unwrap();
        assert_eq!(ok, (Some(34.5), Some(70.1)));
        assert!(coordinates(Some(f("latitude", "34.5")), None, &mut w).is_err());
        assert!(coordinates(None, Some(f("longitude", "34.5")), &mut w).is_err());
        let e = coordinates(
            Some(f("latitude", "inf")),
            Some(f("longitude", "1")),
            &mut w,
        )
        .unwrap_err();
        assert_eq!(e.column.as_deref(), Some("latitude"));
        let e = coordinates(
            Some(f("latitude", "137.2")),
            Some(f("longitude", "34.5")),
            &mut w,
        )
        .unwrap_err();
        assert!(
            e.reason
                .contains("137.2 is not a latitude (must be within -90..90)"),
            "{}",
            e.reason
        );
        assert!(e.reason.contains("appear swapped"), "{}", e.reason);
        let e = coordinates(
            Some(f("latitude", "137.2")),
            Some(f("longitude", "170")),
            &mut w,
        )
        .unwrap_err();
        assert!(!e.reason.contains("swapped"));
        let e = coordinates(
            Some(f("latitude", "34")),
            Some(f("longitude", "190")),
            &mut w,
        )
        .unwrap_err();
        assert_eq!(e.column.as_deref(), Some("longitude"));
        assert!(w.is_empty());
        coordinates(Some(f("latitude", "0")), Some(f("longitude", "0")), &mut w).unwrap();
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn precision_words_and_codes() {
        let mut w = Vec::new();
        assert_eq!(
            stated_precision(f("p", "Border zone"), &mut w).unwrap(),
            Some(PrecisionClass::BorderZone)
        );
        assert_eq!(
            stated_precision(f("p", "3"), &mut w).unwrap(),
            Some(PrecisionClass::District)
        );
        assert_eq!(stated_precision(f("p", "7"), &mut w).unwrap(), None);
        assert_eq!(w.len(), 1);
        assert!(stated_precision(f("p", "8"), &mut w).is_err());
        assert!(stated_precision(f("p", "somewhere"), &mut w).is_err());
    }
}
