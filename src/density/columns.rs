//! What the analysis and the density surface read of each incident, and a compact columnar
//! store of just that.
//!
//! A located incident in full (its record, every text field, its geocoding trail) takes
//! about 0.8 KB; the analysis reads about 100 bytes of it (and a dataset's event id). Commands that only analyse
//! (`density`, `compare`) keep each batch's incidents in [`IncidentColumns`] and drop the
//! rest, so a million incidents fit in about 100 MB. Commands that also write the full
//! records (`run`) analyse the located incidents in place through the same [`AnalysisInput`]
//! trait, so both paths share one analysis and give the same figures.

use super::BorderFrame;
use super::nearest::{ChunkNearest, Placing};
use crate::model::{Date, IncidentRecord, LocatedIncident, Location, PrecisionClass, SourceFormat};
use std::sync::Arc;

/// The fields of one incident the analysis reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Subject<'a> {
    pub lon: f64,
    pub lat: f64,
    pub precision: PrecisionClass,
    pub radius_km: f64,
    /// For border-zone locations: the border id and the km range of its stretch.
    pub stretch: Option<(&'a str, f64, f64)>,
    /// First and last day of the record's date span.
    pub date: Option<(Date, Date)>,
    pub count: f64,
    pub fatalities: Option<f64>,
    pub fatalities_low: Option<f64>,
    pub fatalities_high: Option<f64>,
    pub wounded: Option<f64>,
    /// The event type as written in the record.
    pub event_type: Option<&'a str>,
    pub actors: Option<&'a str>,
    /// The file format (`SourceFormat::as_str`) and the record's `source`.
    pub format: &'static str,
    pub source: Option<&'a str>,
    /// The dataset's own event id, for ACLED, UCDP GED and GTD rows that have one (see
    /// [`dataset_event_id`]): the same id twice is the same event.
    pub event_id: Option<&'a str>,
}

/// A record's event id as its dataset assigned it: ACLED's `event_id_cnty`, UCDP GED's `id`,
/// GTD's `eventid`, which stay the same across a dataset's versions and extracts, so two
/// files of one dataset that overlap carry the same event under the same id. None for
/// native lists (whose ids are the list keeper's) and for ids made up for rows without one
/// (`stem:line`).
pub fn dataset_event_id(r: &IncidentRecord) -> Option<&str> {
    if r.provenance.format == SourceFormat::Native {
        return None;
    }
    let made_up =
        r.id.rsplit_once(':')
            .is_some_and(|(_, line)| line.parse::<u64>() == Ok(r.provenance.line));
    (!made_up && !r.id.is_empty()).then_some(&*r.id)
}

impl<'a> Subject<'a> {
    pub fn of(l: &'a LocatedIncident) -> Subject<'a> {
        Subject::of_parts(&l.record, &l.location)
    }

    /// [`Subject::of`] a record and its location held apart.
    pub fn of_parts(r: &'a IncidentRecord, loc: &'a Location) -> Subject<'a> {
        Subject {
            lon: loc.lon,
            lat: loc.lat,
            precision: loc.precision,
            radius_km: loc.radius_km,
            stretch: loc
                .stretch
                .as_ref()
                .map(|s| (s.border_id.as_str(), s.km_from, s.km_to)),
            date: r.date.map(|d| (d.start, d.end)),
            count: r.count,
            fatalities: r.fatalities,
            fatalities_low: r.fatalities_low,
            fatalities_high: r.fatalities_high,
            wounded: r.wounded,
            event_type: r.event_type.as_deref(),
            actors: r.actors.as_deref(),
            format: r.provenance.format.as_str(),
            source: r.source.as_deref(),
            event_id: dataset_event_id(r),
        }
    }
}

/// Incidents as the analysis sees them, by position.
pub trait AnalysisInput: Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The incident at `i` (`i < len()`).
    fn subject(&self, i: usize) -> Subject<'_>;
    /// What finding the nearest border of the incident at `i` reads: longitude, latitude
    /// and uncertainty radius (km). Steps that read a field or two of every incident ask for
    /// those alone: the whole [`Subject`] of a stored incident looks up four texts.
    fn point(&self, i: usize) -> (f64, f64, f64) {
        let s = self.subject(i);
        (s.lon, s.lat, s.radius_km)
    }
    /// The first and last day of the incident at `i`, if dated.
    fn date(&self, i: usize) -> Option<(Date, Date)> {
        self.subject(i).date
    }
    /// The dataset's own event id of the incident at `i` ([`Subject::event_id`]).
    fn event_id(&self, i: usize) -> Option<&str> {
        self.subject(i).event_id
    }
    /// The nearest borders of incidents `first..end`, if they were found ahead of the
    /// analysis against `frame` with `placing` ([`super::nearest::WithEarly`]).
    fn early_nearest(
        &self,
        _first: usize,
        _end: usize,
        _frame: &BorderFrame,
        _placing: &Placing,
    ) -> Option<&ChunkNearest> {
        None
    }
}

impl AnalysisInput for [LocatedIncident] {
    fn len(&self) -> usize {
        <[LocatedIncident]>::len(self)
    }
    fn subject(&self, i: usize) -> Subject<'_> {
        Subject::of(&self[i])
    }
    fn point(&self, i: usize) -> (f64, f64, f64) {
        let l = &self[i].location;
        (l.lon, l.lat, l.radius_km)
    }
}

/// So a `&Vec` of incidents can be passed as it is.
impl AnalysisInput for Vec<LocatedIncident> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn subject(&self, i: usize) -> Subject<'_> {
        self.as_slice().subject(i)
    }
    fn point(&self, i: usize) -> (f64, f64, f64) {
        self.as_slice().point(i)
    }
}

/// Texts numbered as first met, each held once.
#[derive(Debug, Default)]
struct Interned {
    ids: rustc_hash::FxHashMap<Arc<str>, u32>,
    texts: Vec<Arc<str>>,
}

impl Interned {
    fn id(&mut self, text: Option<&str>) -> u32 {
        let Some(t) = text else { return NONE };
        if let Some(&id) = self.ids.get(t) {
            return id;
        }
        let shared: Arc<str> = Arc::from(t);
        let id = self.texts.len() as u32;
        self.texts.push(shared.clone());
        self.ids.insert(shared, id);
        id
    }

    fn get(&self, id: u32) -> Option<&str> {
        (id != NONE).then(|| &*self.texts[id as usize])
    }
}

const NONE: u32 = u32::MAX;

/// `Option<f64>` in 8 bytes: `None` is a NaN with a payload no parser produces, so every
/// number (a parsed NaN included) comes back bit for bit.
#[derive(Debug, Clone, Copy)]
struct MaybeNumber(u64);

const UNKNOWN_BITS: u64 = 0x7FF8_DEAD_BEEF_0001;

impl MaybeNumber {
    fn new(v: Option<f64>) -> MaybeNumber {
        MaybeNumber(v.map_or(UNKNOWN_BITS, f64::to_bits))
    }
    fn get(self) -> Option<f64> {
        (self.0 != UNKNOWN_BITS).then(|| f64::from_bits(self.0))
    }
}

/// The analysed fields of many incidents, about 100 bytes each (plus the event id of ACLED,
/// UCDP GED and GTD rows): numbers in columns, texts
/// (event types, actors, sources, stretch borders) numbered and held once.
#[derive(Debug, Default)]
pub struct IncidentColumns {
    lon: Vec<f64>,
    lat: Vec<f64>,
    precision: Vec<PrecisionClass>,
    radius_km: Vec<f64>,
    /// Index into `stretches`, or `NONE`.
    stretch: Vec<u32>,
    stretches: Vec<(u32, f64, f64)>,
    date: Vec<Option<(Date, Date)>>,
    count: Vec<f64>,
    /// fatalities, low, high, wounded.
    numbers: Vec<[MaybeNumber; 4]>,
    event_type: Vec<u32>,
    actors: Vec<u32>,
    /// Index into `sources` (format, source text id).
    source: Vec<u32>,
    sources: Vec<(&'static str, u32)>,
    source_ids: rustc_hash::FxHashMap<(&'static str, u32), u32>,
    /// Each row's event id as a byte range of `event_ids` (`NONE` to 0 for none: native
    /// lists), so an id costs its bytes and 8 more, not an allocation.
    event_id: Vec<(u32, u32)>,
    event_ids: String,
    texts: Interned,
}

impl IncidentColumns {
    pub fn new() -> IncidentColumns {
        IncidentColumns::default()
    }

    /// Incidents held.
    pub fn len(&self) -> usize {
        self.lon.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lon.is_empty()
    }

    /// Appends one incident's analysed fields.
    pub fn push(&mut self, s: &Subject<'_>) {
        self.lon.push(s.lon);
        self.lat.push(s.lat);
        self.precision.push(s.precision);
        self.radius_km.push(s.radius_km);
        let stretch = match s.stretch {
            Some((border, k1, k2)) => {
                let border = self.texts.id(Some(border));
                self.stretches.push((border, k1, k2));
                (self.stretches.len() - 1) as u32
            }
            None => NONE,
        };
        self.stretch.push(stretch);
        self.date.push(s.date);
        self.count.push(s.count);
        self.numbers.push([
            MaybeNumber::new(s.fatalities),
            MaybeNumber::new(s.fatalities_low),
            MaybeNumber::new(s.fatalities_high),
            MaybeNumber::new(s.wounded),
        ]);
        let event_type = self.texts.id(s.event_type);
        self.event_type.push(event_type);
        let actors = self.texts.id(s.actors);
        self.actors.push(actors);
        let key = (s.format, self.texts.id(s.source));
        let next = self.sources.len() as u32;
        let source = *self.source_ids.entry(key).or_insert(next);
        if source == next {
            self.sources.push(key);
        }
        self.source.push(source);
        let event_id = match s.event_id {
            Some(id) => {
                let start = self.event_ids.len();
                self.event_ids.push_str(id);
                let offset = |n: usize| u32::try_from(n).expect("under 4 GB of event ids");
                (offset(start), offset(self.event_ids.len()))
            }
            None => (NONE, 0),
        };
        self.event_id.push(event_id);
    }
}

impl AnalysisInput for IncidentColumns {
    fn len(&self) -> usize {
        IncidentColumns::len(self)
    }

    fn point(&self, i: usize) -> (f64, f64, f64) {
        (self.lon[i], self.lat[i], self.radius_km[i])
    }

    fn date(&self, i: usize) -> Option<(Date, Date)> {
        self.date[i]
    }

    fn event_id(&self, i: usize) -> Option<&str> {
        match self.event_id[i] {
            (NONE, _) => None,
            (start, end) => Some(&self.event_ids[start as usize..end as usize]),
        }
    }

    fn subject(&self, i: usize) -> Subject<'_> {
        let [fatalities, fatalities_low, fatalities_high, wounded] = self.numbers[i];
        let (format, source) = self.sources[self.source[i] as usize];
        Subject {
            lon: self.lon[i],
            lat: self.lat[i],
            precision: self.precision[i],
            radius_km: self.radius_km[i],
            stretch: (self.stretch[i] != NONE).then(|| {
                let (border, k1, k2) = self.stretches[self.stretch[i] as usize];
                (self.texts.get(border).unwrap_or_default(), k1, k2)
            }),
            date: self.date[i],
            count: self.count[i],
            fatalities: fatalities.get(),
            fatalities_low: fatalities_low.get(),
            fatalities_high: fatalities_high.get(),
            wounded: wounded.get(),
            event_type: self.texts.get(self.event_type[i]),
            actors: self.texts.get(self.actors[i]),
            format,
            source: self.texts.get(source),
            event_id: AnalysisInput::event_id(self, i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_datasets_own_event_ids_identify_an_event() {
        use crate::model::RecordOrigin;
        let record = |format, id: &str, line| {
            crate::ingest::blank_record(
                id.to_string(),
                RecordOrigin {
                    file: "events.csv".into(),
                    line,
                    format,
                },
            )
        };
        let ucdp = record(SourceFormat::UcdpGed, "132154", 7);
        assert_eq!(dataset_event_id(&ucdp), Some("132154"));
        let acled = record(SourceFormat::Acled, "AFG12345", 7);
        assert_eq!(dataset_event_id(&acled), Some("AFG12345"));
        // Made up for a row without an id: file stem and line.
        let made_up = record(SourceFormat::Gtd, "events:7", 7);
        assert_eq!(dataset_event_id(&made_up), None);
        // A native list's ids are its keeper's.
        let native = record(SourceFormat::Native, "TJ-2025-11-26", 7);
        assert_eq!(dataset_event_id(&native), None);
    }

    #[test]
    fn numbers_come_back_bit_for_bit_and_unknown_stays_unknown() {
        for v in [
            None,
            Some(0.0),
            Some(-0.0),
            Some(1.5),
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(f64::MIN_POSITIVE),
        ] {
            let back = MaybeNumber::new(v).get();
            assert_eq!(back.map(f64::to_bits), v.map(f64::to_bits));
        }
    }

    #[test]
    fn columns_give_back_what_was_pushed() {
        let d = Date::new(2025, 3, 1).unwrap();
        let a = Subject {
            lon: 70.5,
            lat: 37.25,
            precision: PrecisionClass::District,
            radius_km: 20.0,
            stretch: Some(("AF-TJ", 10.0, 310.0)),
            date: Some((d, d)),
            count: 80.0,
            fatalities: None,
            fatalities_low: Some(2.0),
            fatalities_high: Some(9.0),
            wounded: Some(0.0),
            event_type: Some("armed clash"),
            actors: Some("Taliban; TJ border guards"),
            format: "native",
            source: Some("UNAMA"),
            event_id: None,
        };
        let b = Subject {
            stretch: None,
            date: None,
            event_type: None,
            actors: None,
            source: None,
            format: "ucdp_ged",
            fatalities: Some(3.0),
            event_id: Some("132154"),
            lon: 69.9,
            radius_km: 25.0,
            ..a
        };
        let mut c = IncidentColumns::new();
        for s in [&a, &b, &a] {
            c.push(s);
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.subject(0), a);
        assert_eq!(c.subject(1), b);
        assert_eq!(c.subject(2), a);
        // The narrow reads are the subject's fields.
        for i in 0..c.len() {
            let s = c.subject(i);
            assert_eq!(c.point(i), (s.lon, s.lat, s.radius_km));
            assert_eq!(AnalysisInput::date(&c, i), s.date);
            assert_eq!(AnalysisInput::event_id(&c, i), s.event_id);
        }
        assert_eq!(AnalysisInput::event_id(&c, 1), Some("132154"));
        assert_eq!(c.point(1), (69.9, a.lat, 25.0));
        // Texts are held once.
        assert_eq!(c.texts.texts.len(), 4);
        assert_eq!(c.sources.len(), 2);
    }
}
