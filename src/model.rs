//! Shared types that every pipeline stage uses: an incident record as read, a gazetteer entry,
//! and a resolved location with an honest statement of its precision.
//!
//! Kept deliberately small: a later stage may add its own types, but anything two stages
//! exchange lives here so that no stage has to reach into another's internals.

use serde::{Deserialize, Serialize};
use std::fmt;

mod extra;
pub use extra::Extra;

/// How much of a date is known. Reports often give only a month ("2025-12") or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    Day,
    Month,
    Year,
}

impl DatePrecision {
    pub fn as_str(self) -> &'static str {
        match self {
            DatePrecision::Day => "day",
            DatePrecision::Month => "month",
            DatePrecision::Year => "year",
        }
    }
}

/// A calendar date (proleptic Gregorian), validated on construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Builds a date, refusing impossible ones such as 2025-02-31.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01, for durations and windows.
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD` as ASCII, without the formatting machinery (the layers write two dates
    /// for each of millions of incidents); `None` for a year outside 0–9999 or a month or
    /// day past 99, which `Display` writes in full.
    pub fn iso_bytes(&self) -> Option<[u8; 10]> {
        let year = u16::try_from(self.year).ok().filter(|y| *y <= 9999)?;
        if self.month > 99 || self.day > 99 {
            return None;
        }
        let digit = |v: u16| b'0' + (v % 10) as u8;
        let (m, d) = (u16::from(self.month), u16::from(self.day));
        Some([
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ])
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.iso_bytes() {
            Some(b) => f.write_str(std::str::from_utf8(&b).map_err(|_| fmt::Error)?),
            None => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

/// Number of days in a month of a given year.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A possibly partial date: the interval `start..=end` that the report allows, and how much
/// of it was given. "2025-12" becomes 2025-12-01..=2025-12-31 with precision `Month`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateSpan {
    pub start: Date,
    pub end: Date,
    pub precision: DatePrecision,
}

impl DateSpan {
    pub fn day(d: Date) -> DateSpan {
        DateSpan {
            start: d,
            end: d,
            precision: DatePrecision::Day,
        }
    }

    /// The date as the report gave it: `2025-11-26`, `2025-12` or `2025`.
    pub fn as_reported(&self) -> String {
        match self.precision {
            DatePrecision::Day => self.start.to_string(),
            DatePrecision::Month => format!("{:04}-{:02}", self.start.year, self.start.month),
            DatePrecision::Year => format!("{:04}", self.start.year),
        }
    }
}

/// Which dataset format a record came from; decides how its fields were mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// borderwatch's own schema (CSV, JSON or GeoJSON).
    Native,
    Acled,
    UcdpGed,
    Gtd,
}

impl SourceFormat {
    pub const fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Native => "native",
            SourceFormat::Acled => "acled",
            SourceFormat::UcdpGed => "ucdp_ged",
            SourceFormat::Gtd => "gtd",
        }
    }
}

/// Where a record came from in its file, for messages and the unmatched report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordOrigin {
    /// Shared by the records of a CSV file (JSON input makes one per record).
    pub file: std::sync::Arc<str>,
    /// 1-based physical line where the record starts (the header is line 1 in a CSV).
    pub line: u64,
    pub format: SourceFormat,
}

/// How precise a location is, from exact to country-wide. Ordered from most to least precise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrecisionClass {
    /// The exact spot (UCDP where_prec 1, ACLED geo_precision 1).
    Exact,
    /// Near a known point, within about 25 km (UCDP 2, ACLED 2).
    Near,
    /// Somewhere in a district (UCDP 3, ACLED 2).
    District,
    /// Somewhere in a province (UCDP 4, ACLED 3).
    Province,
    /// Somewhere along a stretch of border, a line rather than a point (UCDP 5, ACLED 3).
    BorderZone,
    /// Only the country is known (UCDP 6, ACLED 3).
    Country,
}

impl PrecisionClass {
    pub fn as_str(self) -> &'static str {
        match self {
            PrecisionClass::Exact => "exact",
            PrecisionClass::Near => "near",
            PrecisionClass::District => "district",
            PrecisionClass::Province => "province",
            PrecisionClass::BorderZone => "border_zone",
            PrecisionClass::Country => "country",
        }
    }

    /// The UCDP GED `where_prec` code this class corresponds to.
    pub fn ucdp_where_prec(self) -> u8 {
        match self {
            PrecisionClass::Exact => 1,
            PrecisionClass::Near => 2,
            PrecisionClass::District => 3,
            PrecisionClass::Province => 4,
            PrecisionClass::BorderZone => 5,
            PrecisionClass::Country => 6,
        }
    }

    /// The ACLED `geo_precision` code (1 exact town, 2 near / district, 3 province or wider).
    pub fn acled_geo_precision(self) -> u8 {
        match self {
            PrecisionClass::Exact => 1,
            PrecisionClass::Near | PrecisionClass::District => 2,
            _ => 3,
        }
    }

    /// Maps a UCDP `where_prec` code (1–7) onto a class; 7 (waters, airspace) has none.
    pub fn from_ucdp_where_prec(code: u8) -> Option<PrecisionClass> {
        Some(match code {
            1 => PrecisionClass::Exact,
            2 => PrecisionClass::Near,
            3 => PrecisionClass::District,
            4 => PrecisionClass::Province,
            5 => PrecisionClass::BorderZone,
            6 => PrecisionClass::Country,
            _ => return None,
        })
    }
}

/// One incident record as read from an input file, mapped onto the native schema.
/// Nothing is invented: a field the source did not give is `None`, and unknown numbers stay
/// unknown rather than becoming 0. Text is held as `Box<str>` (two words, not three): a
/// million records are kept in memory at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentRecord {
    pub id: Box<str>,
    pub date: Option<DateSpan>,
    pub country: Option<Box<str>>,
    pub admin1: Option<Box<str>>,
    pub admin2: Option<Box<str>>,
    pub location: Option<Box<str>>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Precision stated by the source (native `precision` column, UCDP where_prec, ACLED
    /// geo_precision, GTD specificity), if any.
    pub stated_precision: Option<PrecisionClass>,
    pub event_type: Option<std::sync::Arc<str>>,
    pub actors: Option<Box<str>>,
    /// Best estimate of deaths; UCDP `best`.
    pub fatalities: Option<f64>,
    /// UCDP-style low and high estimates where the source gives them.
    pub fatalities_low: Option<f64>,
    pub fatalities_high: Option<f64>,
    pub wounded: Option<f64>,
    pub targets: Option<Box<str>>,
    pub origin: Option<Box<str>>,
    /// How many events the row stands for (default 1; "over 80 clashes" is one row, count 80).
    pub count: f64,
    pub source: Option<Box<str>>,
    pub source_url: Option<Box<str>>,
    pub notes: Option<Box<str>>,
    /// Columns the schema does not know, by name, passed through to outputs.
    pub extra: Extra,
    pub provenance: RecordOrigin,
}

/// What a gazetteer entry is. Decides the precision of a match against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    Country,
    Province,
    District,
    Place,
    BorderZone,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Country => "country",
            EntryKind::Province => "province",
            EntryKind::District => "district",
            EntryKind::Place => "place",
            EntryKind::BorderZone => "border-zone",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        Some(match s {
            "country" => EntryKind::Country,
            "province" => EntryKind::Province,
            "district" => EntryKind::District,
            "place" => EntryKind::Place,
            "border-zone" => EntryKind::BorderZone,
            _ => return None,
        })
    }

    /// The precision a location resolved to an entry of this kind has.
    pub fn precision(self) -> PrecisionClass {
        match self {
            EntryKind::Country => PrecisionClass::Country,
            EntryKind::Province => PrecisionClass::Province,
            EntryKind::District => PrecisionClass::District,
            EntryKind::Place => PrecisionClass::Exact,
            EntryKind::BorderZone => PrecisionClass::BorderZone,
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stretch of a border that a border-zone entry stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BorderStretch {
    pub border_id: String,
    pub km_from: f64,
    pub km_to: f64,
}

/// One gazetteer entry: a country, province, district, populated place or border zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GazetteerEntry {
    /// Stable id: `country:AF`, `province:TJ-KT`, `district:1091917913` (its Who's On First id),
    /// `place:1220479`, `border-zone:AF-TJ:TJ-KT`, `curated:...`.
    pub id: String,
    pub kind: EntryKind,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Province id (ISO 3166-2 code, e.g. `TJ-KT`) and name, where known.
    pub province_id: Option<String>,
    pub province: Option<String>,
    /// District id (GeoNames admin2 code) and name, where known.
    pub district_id: Option<String>,
    pub district: Option<String>,
    pub lon: f64,
    pub lat: f64,
    /// How far something reported "in" or "near" this entry can be from its point, in km.
    pub radius_km: f64,
    /// How the point was obtained (`geonames`, `admin-seat`, `places-centroid`, `label-point`,
    /// `stretch-midpoint`, `curated`).
    pub point_method: String,
    pub population: Option<u64>,
    /// GeoNames feature code of a place (`PPLA2` district seat, `PPL` village, `PPLQ`
    /// abandoned), or `crossing` for a curated border crossing: used to rank namesakes.
    pub feature_code: Option<String>,
    /// Other spellings, in any script, as given by the sources.
    pub aliases: Vec<String>,
    /// For border zones: the stretch of border the entry covers.
    pub stretch: Option<BorderStretch>,
    /// The unit that replaced this one (FATA → Khyber Pakhtunkhwa in 2018), so present-day
    /// names still match records placed in the old unit.
    pub successor_id: Option<String>,
    /// Free-text note (renames, successor units, the basis of a curated coordinate).
    pub note: Option<String>,
    /// Where the entry comes from (`GeoNames`, `Natural Earth`, `curated`...).
    pub source: String,
}

/// How a record's location was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocateMethod {
    /// The record's own latitude and longitude.
    Coordinates,
    /// The location text matched an entry's name.
    Exact,
    /// The location text matched one of an entry's other spellings.
    Alias,
    /// The location text was close to a name (string similarity above the threshold).
    Fuzzy,
    /// The location text named a stretch of border (a line, not a point).
    BorderZone,
    /// No usable location text: the record's district was used.
    FallbackDistrict,
    /// ... its province.
    FallbackProvince,
    /// ... its country.
    FallbackCountry,
}

impl LocateMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            LocateMethod::Coordinates => "coordinates",
            LocateMethod::Exact => "exact",
            LocateMethod::Alias => "alias",
            LocateMethod::Fuzzy => "fuzzy",
            LocateMethod::BorderZone => "border_zone",
            LocateMethod::FallbackDistrict => "fallback_district",
            LocateMethod::FallbackProvince => "fallback_province",
            LocateMethod::FallbackCountry => "fallback_country",
        }
    }
}

/// Where a record was placed and how sure we are of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lon: f64,
    pub lat: f64,
    pub precision: PrecisionClass,
    /// Radius (km) within which the event most likely happened.
    pub radius_km: f64,
    pub method: LocateMethod,
    pub gazetteer_id: Option<Box<str>>,
    pub gazetteer_name: Option<Box<str>>,
    /// Match score 0–1 (1 for exact and alias matches and for coordinates).
    pub score: f64,
    /// For border-zone locations: the stretch of border the event lies along. Boxed, like
    /// the texts held as `Box<str>`: a million located incidents are kept in memory at once,
    /// and few of them lie along a stretch.
    pub stretch: Option<Box<BorderStretch>>,
    /// The text that was looked up.
    pub matched_text: Option<Box<str>>,
    /// Two or more entries matched about equally well; the first was taken.
    pub ambiguous: bool,
    pub alternatives: Vec<String>,
    /// One line a person can read: why the record is where it is.
    /// Shared, not copied: records placed the same way (a place named a thousand times, or
    /// coordinates of one stated precision) carry one text.
    pub explanation: std::sync::Arc<str>,
    /// The district and province it lies in (point in polygon; see `GeoData::admin_area`).
    pub admin: Option<std::sync::Arc<crate::geodata::AdminArea>>,
    /// Why a person should check this answer: the place text was not matched as written
    /// (a fallback to a unit, a close spelling, an ambiguous name). `None` when it was.
    #[serde(skip)]
    pub review: Option<std::sync::Arc<Review>>,
}

/// What kind of answer needs a person's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReviewKind {
    /// Placed at the stated district: the place text was not found in it.
    District,
    /// Placed at the stated province only.
    Province,
    /// Placed at the country only.
    Country,
    /// A close spelling of the text, not the text as written.
    Fuzzy,
    /// Several places of the name about equally good: a circle covering them.
    Ambiguous,
}

impl ReviewKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::District => "district_only",
            ReviewKind::Province => "province_only",
            ReviewKind::Country => "country_only",
            ReviewKind::Fuzzy => "close_spelling",
            ReviewKind::Ambiguous => "ambiguous",
        }
    }
}

/// The review note of one answer (see [`Location::review`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub kind: ReviewKind,
    /// The text tried, as `field=text`.
    pub tried: String,
    /// Why the text was not taken as written.
    pub why: String,
    /// Up to three candidates: "Name (id, district, province [CC]; 12 km from the unit)".
    pub candidates: Vec<String>,
}

impl Location {
    /// A location from a record's own coordinates: no gazetteer entry, score 1.
    pub fn from_coordinates(
        lon: f64,
        lat: f64,
        precision: PrecisionClass,
        radius_km: f64,
        explanation: impl Into<std::sync::Arc<str>>,
    ) -> Location {
        Location {
            lon,
            lat,
            precision,
            radius_km,
            method: LocateMethod::Coordinates,
            gazetteer_id: None,
            gazetteer_name: None,
            score: 1.0,
            stretch: None,
            matched_text: None,
            ambiguous: false,
            alternatives: Vec::new(),
            explanation: explanation.into(),
            admin: None,
            review: None,
        }
    }
}

/// A record with its location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocatedIncident {
    pub record: IncidentRecord,
    pub location: Location,
    /// Other records that may report the same event: their positions in the same list of
    /// located incidents (ascending; at most a few). Positions, not ids, so a million
    /// flagged records do not carry millions of id copies.
    pub possible_duplicates: Vec<u32>,
}

/// A record (or a row that never became one) that could not be placed, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unmatched {
    pub file: String,
    pub line: u64,
    pub id: Option<String>,
    /// The text that was tried (location, admin names, coordinates).
    pub tried: String,
    pub reason: String,
    pub suggestions: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn iso_text_is_padded_and_the_fallback_writes_wide_years() {
        let d = |y, m, day| Date {
            year: y,
            month: m,
            day,
        };
        assert_eq!(d(2024, 3, 7).to_string(), "2024-03-07");
        assert_eq!(d(987, 12, 31).to_string(), "0987-12-31");
        assert_eq!(&d(2024, 11, 5).iso_bytes().unwrap(), b"2024-11-05");
        assert_eq!(d(12345, 1, 1).iso_bytes(), None);
        assert_eq!(d(12345, 1, 1).to_string(), "12345-01-01");
        assert_eq!(d(-44, 3, 15).to_string(), "-044-03-15");
    }
}
