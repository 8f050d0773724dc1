//! Incidents on a map as places: which symbols would sit on one another, the display mode
//! that follows (symbols, or counts per place), the clusters a crowded map draws, and the
//! label of a place.
//!
//! Crowding is measured, not counted: each incident's symbol is put where it would be drawn,
//! at the size it would have, and symbols whose centres lie within their radii of one another
//! are one place (greedy, heaviest first). The share of symbols hidden under another one is
//! `1 − places / symbols`. When more than half of them would be hidden on either compared
//! map ([`CROWDED_SHARE`]), both maps draw counts per place instead ([`DisplayMode`]).

use super::MapCanvas;
use crate::gazetteer::normalize::{compact, key};
use crate::model::LocatedIncident;
use crate::projection::Projection;

mod grouping;
pub use grouping::group;
use grouping::{group_until, heaviest_first, heaviest_order};

/// Above this share of symbols hidden under others, a map is crowded.
pub const CROWDED_SHARE: f64 = 0.5;

/// How a map draws its incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayMode {
    /// One symbol per incident, by event type, sized by fatalities, with its uncertainty ring.
    Symbols,
    /// One circle per place with the number of incidents there.
    Counts,
}

/// Diameter of an incident's symbol, points: grows with the square root of its deaths
/// (capped at 100); unknown or none: the smallest.
pub fn symbol_size_pt(fatalities: Option<f64>) -> f64 {
    symbol_size(fatalities.unwrap_or(0.0))
}

/// [`symbol_size_pt`] of a known number of deaths (unknown counted as 0).
pub fn symbol_size(deaths: f64) -> f64 {
    5.0 + 1.6 * deaths.clamp(0.0, 100.0).sqrt()
}

/// Diameter of a count circle, points, for `events` incidents (logarithmic: 1 → 9 pt,
/// 10 → 16, 100 → 23, 1,000 → 30).
pub fn count_size_pt(events: f64) -> f64 {
    9.0 + 7.0 * events.max(1.0).log10()
}

/// A place on the page: where, and the incidents there (indices into the list given).
#[derive(Debug, Clone)]
pub struct Place {
    pub x: f64,
    pub y: f64,
    pub lon: f64,
    pub lat: f64,
    pub members: Vec<usize>,
    /// Incidents the place stands for (the rows' `count`s).
    pub events: f64,
    /// Deaths at the place (its members' fatalities, unknown ones as 0).
    pub deaths: f64,
}

/// What a map weighs a point incident by, kept beside its position: a map's passes over a
/// million points then read these 16 bytes each, in order, not a record of over 500 bytes
/// each, in the order of the places (the loads from those records were about a fifth of
/// `places`' samples and three quarters of `draw`'s, `perf annotate` on the peer's million).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PointWeight {
    /// The incidents the row stands for: its `count`, at least 1.
    pub events: f64,
    /// Its deaths; 0 when unknown.
    pub deaths: f64,
}

impl PointWeight {
    pub fn of(l: &LocatedIncident) -> PointWeight {
        PointWeight {
            events: l.record.count.max(1.0),
            deaths: l.record.fatalities.unwrap_or(0.0),
        }
    }

    /// Adds `w`'s incidents and deaths to these.
    fn add(&mut self, w: PointWeight) {
        self.events += w.events;
        self.deaths += w.deaths;
    }
}

/// The incidents a map draws as points: indices into the run's located incidents, each
/// with its position in the map's projection, its weight and the number of its event
/// type's style. Indexing gives the incident (`points[m]`).
///
/// Positions, weights and styles are worked out once for all of a run's maps and shared
/// (positions in plane km, NaN for a point that does not project); a map keeps 4 bytes per
/// point, not a reference and a copy of its position. Positions must be in the projection
/// of the canvas the points are placed on ([`MapCanvas::plane_to_px`] takes them as they
/// are): the report maps all use the region's.
pub struct MapPoints<'a> {
    located: &'a [LocatedIncident],
    shared: PointColumns<'a>,
    index: Vec<u32>,
}

/// Per located incident (one entry each): its position in a map's projection, its weight,
/// its style's number (`render::maps::event_style_index`), and whether it names a place
/// ([`names_a_place`]).
#[derive(Clone, Copy)]
pub struct PointColumns<'a> {
    pub positions: &'a [[f64; 2]],
    pub weights: &'a [PointWeight],
    pub styles: &'a [u8],
    pub named: &'a [bool],
}

impl<'a> MapPoints<'a> {
    /// The incidents `index` picks out of `located`, with their entries in `shared` (one
    /// per located incident).
    pub fn new(
        located: &'a [LocatedIncident],
        shared: PointColumns<'a>,
        index: Vec<u32>,
    ) -> MapPoints<'a> {
        for column in [
            shared.positions.len(),
            shared.weights.len(),
            shared.styles.len(),
            shared.named.len(),
        ] {
            assert_eq!(located.len(), column, "one entry per incident");
        }
        MapPoints {
            located,
            shared,
            index,
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The incidents, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a LocatedIncident> + '_ {
        self.index.iter().map(|&i| &self.located[i as usize])
    }

    /// The weight of the incident at `m`.
    pub fn weight(&self, m: usize) -> PointWeight {
        self.shared.weights[self.index[m] as usize]
    }

    /// The number of the style of the incident at `m`'s event type.
    pub fn style(&self, m: usize) -> u8 {
        self.shared.styles[self.index[m] as usize]
    }

    /// Whether the incident at `m` names a place: [`place_label`] gives it one.
    pub fn names_a_place(&self, m: usize) -> bool {
        self.shared.named[self.index[m] as usize]
    }

    /// The weights, in order.
    pub fn weights(&self) -> impl Iterator<Item = PointWeight> + '_ {
        self.index.iter().map(|&i| self.shared.weights[i as usize])
    }

    /// The position in the map's projection (plane km) of the incident at `m`.
    fn position(&self, m: usize) -> (f64, f64) {
        let [x, y] = self.shared.positions[self.index[m] as usize];
        (x, y)
    }

    /// Each incident's weight with its position in the map's projection (plane km).
    fn iter_at(&self) -> impl Iterator<Item = (PointWeight, (f64, f64))> + '_ {
        self.index.iter().map(|&i| {
            let [x, y] = self.shared.positions[i as usize];
            (self.shared.weights[i as usize], (x, y))
        })
    }
}

/// An incident's position in `proj` (plane km; NaN where it does not project).
pub fn position(l: &LocatedIncident, proj: &Projection) -> [f64; 2] {
    match proj.forward(l.location.lon, l.location.lat) {
        Some((x, y)) => [x, y],
        None => [f64::NAN; 2],
    }
}

impl std::ops::Index<usize> for MapPoints<'_> {
    type Output = LocatedIncident;

    fn index(&self, m: usize) -> &LocatedIncident {
        &self.located[self.index[m] as usize]
    }
}

/// The share of symbols that would be hidden under another (0 with no symbols).
pub fn hidden_share(map: &MapCanvas, points: &MapPoints<'_>) -> f64 {
    let pts = symbol_points(map, points);
    if pts.is_empty() {
        return 0.0;
    }
    let cell = pts.iter().map(|p| p.2).fold(1.0, f64::max);
    let places = group(&pts, |a, b| 0.5 * a.max(b), cell);
    1.0 - places.len() as f64 / pts.len() as f64
}

/// Whether more than [`CROWDED_SHARE`] of the symbols would be hidden under another:
/// `hidden_share(map, points) > CROWDED_SHARE`, decided as soon as the grouping settles it
/// (hidden symbols only grow as points are grouped, and so do places), which on a million
/// points is long before the end.
pub fn crowded(map: &MapCanvas, points: &MapPoints<'_>) -> bool {
    if surely_crowded(map, points) {
        return true;
    }
    let pts = symbol_points(map, points);
    let n = pts.len();
    if n == 0 {
        return false;
    }
    let cell = pts.iter().map(|p| p.2).fold(1.0, f64::max);
    // hidden > share · n is settled once reached; places ≥ (1 − share) · n rules it out.
    let settled = |done: usize, places: usize| {
        let hidden = done - places;
        hidden as f64 > CROWDED_SHARE * n as f64
            || places as f64 >= (1.0 - CROWDED_SHARE) * n as f64
    };
    let order = heaviest_order(&pts);
    let places = group_until(&pts, order, |a, b| 0.5 * a.max(b), cell, settled);
    let done: usize = places.iter().map(|(_, members)| members.len()).sum();
    (done - places.len()) as f64 > CROWDED_SHARE * n as f64
}

/// Whether [`crowded`] is settled before any grouping, by the number of symbols in the frame
/// alone. Each place's first symbol lies more than half the smallest symbol's diameter
/// (`r`) from every other place's, as a symbol within reach of a place joins it and the
/// reach is half the larger diameter; so a square of side r/√2 (diagonal r) holds at most
/// one of them, and there are at most as many places as squares that meet the frame. With
/// more symbols than that by over [`CROWDED_SHARE`] of them, more than that share are
/// hidden. On a million incidents this settles each map without sorting its symbols
/// (`perf`: `crowded` was about 0.08 s of the figures' threads).
fn surely_crowded(map: &MapCanvas, points: &MapPoints<'_>) -> bool {
    let frame = map.layout().map;
    let mut symbols = 0usize;
    for (w, (x_km, y_km)) in points.iter_at() {
        let (x, y) = map.plane_to_px(x_km, y_km);
        if frame.contains(x, y) {
            // A diameter that is not a number reaches no place: the bound does not hold.
            if !symbol_size(w.deaths).is_finite() {
                return false;
            }
            symbols += 1;
        }
    }
    let side = 0.5 * map.pt(symbol_size(0.0)) / std::f64::consts::SQRT_2;
    if !(side.is_finite() && side > 0.0) {
        return false;
    }
    // A closed span of `len` meets at most ⌊len / side⌋ + 2 half-open spans of `side`.
    let squares = |len: f64| (len / side).floor() + 2.0;
    let most_places = squares(frame.width()) * squares(frame.height());
    let n = symbols as f64;
    n - most_places > CROWDED_SHARE * n
}

/// Page position, diameter (px) and weight of each item's symbol inside the map frame.
fn symbol_points(map: &MapCanvas, points: &MapPoints<'_>) -> Vec<(f64, f64, f64, f64)> {
    // Room for every point at once (see `symbol_places`).
    let mut pts = Vec::with_capacity(points.len());
    pts.extend(symbols_in_frame(map, points).map(|(_, p)| p));
    pts
}

/// The items whose symbols lie inside the map frame, in order: each one's index in
/// `points`, with its symbol's page position, diameter (px) and weight.
fn symbols_in_frame<'p>(
    map: &'p MapCanvas,
    points: &'p MapPoints<'_>,
) -> impl Iterator<Item = (usize, (f64, f64, f64, f64))> + 'p {
    points_in_frame(map, points)
        .map(|(i, w, (x, y))| (i, (x, y, map.pt(symbol_size(w.deaths)), w.deaths)))
}

/// The items whose page position lies inside the map frame, in order: each one's index in
/// `points`, its weight and its page position (px).
fn points_in_frame<'p>(
    map: &'p MapCanvas,
    points: &'p MapPoints<'_>,
) -> impl Iterator<Item = (usize, PointWeight, (f64, f64))> + 'p {
    let frame = map.layout().map;
    points
        .iter_at()
        .enumerate()
        .filter_map(move |(i, (w, (x_km, y_km)))| {
            let (x, y) = map.plane_to_px(x_km, y_km);
            frame.contains(x, y).then_some((i, w, (x, y)))
        })
}

/// Places of the items in the frame: in [`DisplayMode::Symbols`] the stacks of symbols that
/// overlap; in [`DisplayMode::Counts`] the clusters a count circle stands for (within
/// `reach_pt` of the place that holds the most incidents). Members are indices into
/// `points`.
pub fn places(
    map: &MapCanvas,
    points: &MapPoints<'_>,
    mode: DisplayMode,
    reach_pt: f64,
) -> Vec<Place> {
    match mode {
        DisplayMode::Symbols => symbol_places(map, points),
        DisplayMode::Counts => count_places(map, points, reach_pt),
    }
}

/// The stacks of overlapping symbols ([`DisplayMode::Symbols`]): see [`places`].
fn symbol_places(map: &MapCanvas, points: &MapPoints<'_>) -> Vec<Place> {
    // Room for every point at once: grown by doubling, the lists were copied about once
    // over and their pages cleared twice (a million points, the three maps: about 0.06 s,
    // `perf`). Room a map leaves unused (points outside its frame) is never touched.
    let mut kept: Vec<u32> = Vec::with_capacity(points.len());
    let mut pts: Vec<(f64, f64, f64, f64)> = Vec::with_capacity(points.len());
    for (i, p) in symbols_in_frame(map, points) {
        kept.push(i as u32);
        pts.push(p);
    }
    let cell = pts.iter().map(|p| p.2).fold(1.0, f64::max);
    group(&pts, |a, b| 0.5 * a.max(b), cell)
        .into_iter()
        .map(|(seed, mut members)| {
            let mut sum = PointWeight::default();
            for m in &mut members {
                *m = kept[*m] as usize;
                sum.add(points.weight(*m));
            }
            let (x, y) = (pts[seed].0, pts[seed].1);
            place(points, kept[seed] as usize, (x, y), members, sum)
        })
        .collect()
}

/// The clusters a count circle stands for ([`DisplayMode::Counts`]): see [`places`].
fn count_places(map: &MapCanvas, points: &MapPoints<'_>, reach_pt: f64) -> Vec<Place> {
    let at_px = |m: usize| {
        let (x_km, y_km) = points.position(m);
        map.plane_to_px(x_km, y_km)
    };
    // Exact places first (a point named a thousand times is one place), so the heaviest
    // place seeds its cluster. Found by sorting packed half-pixel keys, not with a hash
    // map: on a million points the map and its growth were the largest part of a map's
    // memory. Each one's weight is summed in input order, as a map filled in input order
    // would have them. Each point's weight goes through the sort with its key: read back
    // through its index, one cache miss per point, it was a seventh of `places`' samples
    // (`perf annotate`, the peer's million). The keys are made in the pass that finds the
    // points in the frame, with no list of their page positions: only the exact places'
    // first points and the clusters' seeds are placed on the page again (that list was 32
    // bytes a point of fresh memory per map, a tenth of `run`'s page faults on the peer's
    // million, `perf record -e page-faults`). Room for every point at once (see
    // `symbol_places`).
    let half_px = |v: f64| (v * 2.0).round() as i64 as u32;
    let mut kept: Vec<u32> = Vec::with_capacity(points.len());
    let mut keyed: Vec<(u64, u32, f64)> = Vec::with_capacity(points.len());
    for (i, weight, (x, y)) in points_in_frame(map, points) {
        let key = u64::from(half_px(x)) << 32 | u64::from(half_px(y));
        keyed.push((key, kept.len() as u32, weight.events));
        kept.push(i as u32);
    }
    keyed.sort_unstable_by_key(|&(key, i, _)| (key, i));
    // Each exact place (a run of `keyed`, numbered in key order): its first point and
    // weight; `of` gives each point's. Room for a place per point: grown by doubling, the
    // list was copied about once over (half a million places on the peer's million), into
    // fresh pages each time.
    let mut of: Vec<u32> = vec![0; kept.len()];
    let mut exact: Vec<(u32, f64)> = Vec::with_capacity(kept.len());
    exact.extend(
        keyed
            .chunk_by(|a, b| a.0 == b.0)
            .enumerate()
            .map(|(k, run)| {
                let mut weight = 0.0;
                for &(_, i, w) in run {
                    weight += w;
                    of[i as usize] = k as u32;
                }
                (run[0].1, weight)
            }),
    );
    drop(keyed);
    // The exact places in the order they are grouped: heaviest first, ties by first
    // point, with their numbers in key order. Listed in that order, the grouping reads
    // them one after another; listed by first point, it read them out of order, a cache
    // miss each (that load was about 6% of `places`' own samples, `perf annotate`).
    let mut order: Vec<(u64, u32, u32)> = exact
        .iter()
        .enumerate()
        .map(|(k, &(first, weight))| (heaviest_first(weight), first, k as u32))
        .collect();
    order.sort_unstable_by_key(|&(heavier, first, _)| (heavier, first));
    let r = map.pt(reach_pt);
    let heavy: Vec<(f64, f64, f64, f64)> = order
        .iter()
        .map(|&(_, first, k)| {
            let (x, y) = at_px(kept[first as usize] as usize);
            (x, y, r, exact[k as usize].1)
        })
        .collect();
    debug_assert!(heaviest_order(&heavy).eq(0..heavy.len()));
    let clusters = group_until(&heavy, 0..heavy.len(), |_, _| r, r, |_, _| false);
    // Each exact place's cluster, and each cluster's seed, by number in key order.
    let mut cluster_of = vec![0u32; heavy.len()];
    for (c, (_, members)) in clusters.iter().enumerate() {
        for &m in members {
            cluster_of[order[m].2 as usize] = c as u32;
        }
    }
    let seed_of: Vec<u32> = clusters.iter().map(|&(s, _)| order[s].2).collect();
    drop((order, exact, heavy));
    // Each cluster: its members, and the first point at its seed place (each list made to
    // its size: grown by doubling, they held up to twice the room). Members come in input
    // order, and their weights are added up here, read in that order, not looked up again
    // per place afterwards (a cache miss each: the loads were a tenth of `places`' samples
    // on the peer's million, `perf annotate`).
    let mut sizes = vec![0usize; clusters.len()];
    for &j in &of {
        sizes[cluster_of[j as usize] as usize] += 1;
    }
    let mut out: Vec<(usize, Vec<usize>, PointWeight)> = sizes
        .into_iter()
        .map(|n| (usize::MAX, Vec::with_capacity(n), PointWeight::default()))
        .collect();
    for (i, &j) in of.iter().enumerate() {
        let c = cluster_of[j as usize] as usize;
        if j == seed_of[c] && out[c].0 == usize::MAX {
            out[c].0 = i;
        }
        let m = kept[i] as usize;
        out[c].1.push(m);
        out[c].2.add(points.weight(m));
    }
    out.into_iter()
        .map(|(seed, members, sum)| {
            let m = kept[seed] as usize;
            place(points, m, at_px(m), members, sum)
        })
        .collect()
}

/// A place seeded by the incident at `seed` (an index into `points`), at page position
/// `(x, y)`.
fn place(
    points: &MapPoints<'_>,
    seed: usize,
    (x, y): (f64, f64),
    members: Vec<usize>,
    sum: PointWeight,
) -> Place {
    let l = &points[seed];
    Place {
        x,
        y,
        lon: l.location.lon,
        lat: l.location.lat,
        members,
        events: sum.events,
        deaths: sum.deaths,
    }
}

/// The label of an incident's place: the place as the record gave it (the part of its
/// `location` that names the matched place, else its first part; else its district or
/// province), followed by the gazetteer's name in brackets where that is a different name
/// (not just another spelling or the same name with "district", "agency" …). `None` when the
/// record names no place.
pub fn place_label(l: &LocatedIncident) -> Option<String> {
    let gaz = l.location.gazetteer_name.as_deref();
    let written = written_place(&l.record);
    let same = |a: &str, b: &str| {
        let (a, b) = (compact(&key(a)), compact(&key(b)));
        !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
    };
    let Some(written) = written else {
        return gaz.map(str::to_string);
    };
    let parts: Vec<&str> = written
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let part = gaz
        .and_then(|g| parts.iter().find(|p| same(p, g)))
        .or(parts.first())
        .copied()
        .unwrap_or(written);
    let part = shorten(part, 36);
    match gaz {
        Some(g) if !same(&part, g) => Some(format!("{part} ({g})")),
        _ => Some(part),
    }
}

/// Whether [`place_label`] gives the incident a label, without making it. A map looks
/// through a busy place's members for the first that names a place, and where none does
/// (coordinates alone) it read every member's record: a million records per map.
pub fn names_a_place(l: &LocatedIncident) -> bool {
    written_place(&l.record).is_some() || l.location.gazetteer_name.is_some()
}

/// The place as the record gives it: its location, else its district, else its province
/// (the first of them given, trimmed), unless that is blank.
fn written_place(r: &crate::model::IncidentRecord) -> Option<&str> {
    r.location
        .as_deref()
        .or(r.admin2.as_deref())
        .or(r.admin1.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `s` cut to `max` characters with an ellipsis.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncidentRecord, Location, PrecisionClass};

    /// `record` located exactly at (`lon`, `lat`).
    fn located_at(record: IncidentRecord, lon: f64, lat: f64) -> LocatedIncident {
        LocatedIncident {
            record,
            location: Location::from_coordinates(
                lon,
                lat,
                PrecisionClass::Exact,
                1.0,
                String::new(),
            ),
            possible_duplicates: Vec::new(),
        }
    }

    /// The columns maps share, for `located` on maps in `proj`: every style the first, no
    /// incident naming a place.
    struct Columns {
        positions: Vec<[f64; 2]>,
        weights: Vec<PointWeight>,
        styles: Vec<u8>,
        named: Vec<bool>,
    }

    impl Columns {
        fn of(located: &[LocatedIncident], proj: &Projection) -> Columns {
            Columns {
                positions: located.iter().map(|l| position(l, proj)).collect(),
                weights: located.iter().map(PointWeight::of).collect(),
                styles: vec![0; located.len()],
                named: vec![false; located.len()],
            }
        }

        fn shared(&self) -> PointColumns<'_> {
            PointColumns {
                positions: &self.positions,
                weights: &self.weights,
                styles: &self.styles,
                named: &self.named,
            }
        }
    }

    /// Every point drawn is in one place. A count place's members come in input order and
    /// its incidents and deaths are their sums, added in that order; a symbol place's are
    /// its stack's, in the order it was grouped. Members are the points given, not the
    /// map's own numbering of those in its frame.
    #[test]
    fn places_hold_each_point_once_with_their_sums() {
        let proj = Projection::region();
        let extent =
            crate::render::Extent::around_lonlat(&proj, [(67.0, 36.5), (75.0, 39.5)]).unwrap();
        let map = MapCanvas::new(crate::render::page_size(None, None), proj.clone(), extent);
        let mut next = crate::geo_util::test_uniform(11);
        // Three busy spots with scatter around them, some incidents at the very same spot,
        // counts and deaths of several sizes (unknown deaths too).
        let located: Vec<LocatedIncident> = (0..4000)
            .map(|i| {
                let (lon, lat) = [(68.5, 37.2), (71.0, 38.0), (73.8, 38.9)][i % 3];
                let spread = if i % 7 == 0 { 0.0 } else { 0.6 };
                let mut record = crate::ingest::numbered_record(i);
                record.count = [1.0, 1.0, 3.0, 0.5][i % 4];
                record.fatalities = [None, Some(0.0), Some(2.0), Some(17.0), Some(0.25)][i % 5];
                let (lon, lat) = (lon + spread * (next() - 0.5), lat + spread * (next() - 0.5));
                located_at(record, lon, lat)
            })
            .collect();
        let columns = Columns::of(&located, &proj);
        // Every third incident left out, so the points are not the incidents' numbers.
        let index: Vec<u32> = (0..located.len() as u32).filter(|i| i % 3 != 1).collect();
        let points = MapPoints::new(&located, columns.shared(), index);
        for (mode, reach_pt) in [(DisplayMode::Counts, 18.0), (DisplayMode::Symbols, 0.0)] {
            let places = places(&map, &points, mode, reach_pt);
            assert!(places.len() > 3 && places.len() < points.len(), "{mode:?}");
            let mut every: Vec<usize> = places.iter().flat_map(|p| p.members.clone()).collect();
            every.sort_unstable();
            assert_eq!(every, (0..points.len()).collect::<Vec<_>>(), "{mode:?}");
            for p in &places {
                if mode == DisplayMode::Counts {
                    assert!(p.members.windows(2).all(|w| w[0] < w[1]), "input order");
                }
                let (mut events, mut deaths) = (0.0, 0.0);
                for &m in &p.members {
                    let l = &points[m];
                    events += l.record.count.max(1.0);
                    deaths += l.record.fatalities.unwrap_or(0.0);
                }
                assert_eq!(
                    (p.events.to_bits(), p.deaths.to_bits()),
                    (events.to_bits(), deaths.to_bits()),
                    "{mode:?}"
                );
            }
        }
    }

    /// The flag maps look members up by says what making the label would.
    #[test]
    fn an_incident_names_a_place_exactly_when_it_has_a_label() {
        let texts = [
            None,
            Some(""),
            Some("  "),
            Some("Khost, Paktia"),
            Some(" Chitral "),
        ];
        let mut cases = 0;
        for location in texts {
            for admin2 in texts {
                for admin1 in [None, Some("Kunar"), Some(" ")] {
                    for gazetteer in [None, Some("Khōst")] {
                        let mut record = crate::ingest::numbered_record(cases);
                        record.location = location.map(Into::into);
                        record.admin2 = admin2.map(Into::into);
                        record.admin1 = admin1.map(Into::into);
                        let mut at = Location::from_coordinates(
                            69.9,
                            33.3,
                            PrecisionClass::Exact,
                            1.0,
                            String::new(),
                        );
                        at.gazetteer_name = gazetteer.map(Into::into);
                        let l = LocatedIncident {
                            record,
                            location: at,
                            possible_duplicates: Vec::new(),
                        };
                        assert_eq!(names_a_place(&l), place_label(&l).is_some(), "{l:?}");
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 150);
    }

    /// Settled by counting alone, a map is crowded by the grouping too; and counting settles
    /// a map of many symbols in a small frame.
    #[test]
    fn a_map_surely_crowded_is_crowded() {
        let proj = Projection::region();
        let mut next = crate::geo_util::test_uniform(5);
        let mut settled = 0;
        for (k, (half_deg, n)) in [(0.05, 300), (0.3, 3000), (1.0, 20_000), (1.0, 300_000)]
            .into_iter()
            .enumerate()
        {
            let extent = crate::render::Extent::around_lonlat(
                &proj,
                [
                    (70.0 - half_deg, 35.0 - half_deg),
                    (70.0 + half_deg, 35.0 + half_deg),
                ],
            )
            .unwrap();
            let map = MapCanvas::new(crate::render::page_size(None, None), proj.clone(), extent);
            let located: Vec<LocatedIncident> = (0..n)
                .map(|i| {
                    let mut record = crate::ingest::numbered_record(i);
                    record.fatalities = [None, Some(0.0), Some(4.0), Some(60.0)][i % 4];
                    let (lon, lat) = (
                        70.0 + 2.2 * half_deg * (next() - 0.5),
                        35.0 + 2.2 * half_deg * (next() - 0.5),
                    );
                    located_at(record, lon, lat)
                })
                .collect();
            let columns = Columns::of(&located, &proj);
            let shared = columns.shared();
            for m in [n / 100, n / 10, n] {
                let points = MapPoints::new(&located, shared, (0..m as u32).collect());
                let sure = surely_crowded(&map, &points);
                let hidden = hidden_share(&map, &points);
                assert!(
                    !sure || hidden > CROWDED_SHARE,
                    "{k}: {m} symbols, {hidden}"
                );
                assert_eq!(crowded(&map, &points), hidden > CROWDED_SHARE, "{k}: {m}");
                settled += usize::from(sure);
            }
            if k == 3 {
                let points = MapPoints::new(&located, shared, (0..n as u32).collect());
                assert!(
                    surely_crowded(&map, &points),
                    "300,000 symbols in a degree square"
                );
            }
        }
        // Most of these maps are left to the grouping.
        assert!((1..6).contains(&settled), "{settled}");
    }

    #[test]
    fn sizes_grow_with_deaths_and_counts() {
        assert_eq!(symbol_size_pt(None), symbol_size_pt(Some(0.0)));
        assert!(symbol_size_pt(Some(100.0)) > symbol_size_pt(Some(10.0)));
        assert_eq!(symbol_size_pt(Some(1e6)), symbol_size_pt(Some(100.0)));
        assert!((count_size_pt(1.0) - 9.0).abs() < 1e-9);
        assert!((count_size_pt(100.0) - 23.0).abs() < 1e-9);
    }
}
