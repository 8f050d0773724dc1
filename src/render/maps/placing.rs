//! Which incidents each map draws, worked out once for all of a run's maps: the counted
//! point incidents' positions in the region's projection, every incident's weight and
//! event-type style number, and the few counted incidents with a stretch (see
//! [`PositionsOnce`]).

use super::MapData;
use crate::density::Analysis;
use crate::model::LocatedIncident;
use crate::projection::Projection;
use crate::render::places::{self, MapPoints, PointColumns, PointWeight};

/// What every map reads of the located incidents, worked out once for all of the run's
/// maps. Every map is drawn in the region's projection, and on a million incidents
/// projecting each one for each map (and again for the compared maps' display mode) took
/// about half a second of CPU per run; walking every incident for the few with a stretch,
/// twice per map, took about 0.14 s more.
///
/// [`project_incidents`] makes it on all cores before the maps are drawn; a map drawn
/// without that makes it on first use on its own thread. Not on all cores there: were a map
/// drawn as a rayon job (`run` draws them on threads of their own), a job that waited
/// inside this lock for rayon work could be handed another map's job, which would wait on
/// the same lock on the same thread for ever (rayon-rs/rayon#1251).
///
/// `run` makes it beside the density surface, which reads the same positions
/// ([`PositionsOnce::projected`]); a clone shares what was made.
#[derive(Debug, Default, Clone)]
pub struct PositionsOnce(std::sync::Arc<std::sync::OnceLock<Placed>>);

impl PositionsOnce {
    /// `located` placed now, on all cores, for maps of `analysis` (the run's analysis: the
    /// maps' [`MapData`] must name the same two). Not from inside a rayon job (see above).
    pub fn projected(located: &[LocatedIncident], analysis: &Analysis) -> PositionsOnce {
        let once = PositionsOnce::default();
        let _ = once.0.set(Placed::of(located, analysis, true));
        once
    }

    /// Where made: each located incident's position in the region's projection, index by
    /// index (NaN for all but the counted point incidents, and where one does not project).
    pub fn region_positions(&self) -> Option<&[[f64; 2]]> {
        self.0.get().map(|p| p.at.as_slice())
    }
}

/// See [`PositionsOnce`].
#[derive(Debug)]
struct Placed {
    /// Each counted point incident's position in the region's projection (plane km), index
    /// by index; NaN where it does not project, and for every other incident (aggregate
    /// rows, records known only along a stretch, records the analysis did not count).
    at: Vec<[f64; 2]>,
    /// Each incident's weight on the maps, index by index (read only for the points `at`
    /// places).
    weights: Vec<PointWeight>,
    /// The number of each incident's event type's style ([`super::event_style_index`]),
    /// index by index.
    styles: Vec<u8>,
    /// Whether each incident names a place ([`places::names_a_place`]), index by index.
    named: Vec<bool>,
    /// How many counted point incidents there are, whether they project or not.
    point_rows: usize,
    /// The counted incidents with a stretch (aggregate rows and records known only along a
    /// stretch), by position, ascending.
    stretched: Vec<u32>,
}

impl Placed {
    /// `d`'s incidents placed, on all cores when `parallel`.
    fn new(d: &MapData<'_>, parallel: bool) -> Placed {
        Placed::of(d.located, d.analysis, parallel)
    }

    /// `located` placed for maps of `analysis`, on all cores when `parallel`.
    fn of(located: &[LocatedIncident], analysis: &Analysis, parallel: bool) -> Placed {
        use rayon::prelude::*;
        let proj = Projection::region();
        let placements = &analysis.placements;
        let counted = |i: usize| placements[i].excluded.is_none();
        let stretched = |i: usize| counted(i) && located[i].location.stretch.is_some();
        // Counted, and a point (an aggregate row always has a stretch).
        let at_index = |i: usize| {
            if counted(i) && located[i].location.stretch.is_none() {
                places::position(&located[i], &proj)
            } else {
                [f64::NAN; 2]
            }
        };
        let n = located.len().min(placements.len());
        let as_u32 = |i: usize| i as u32;
        let weight = |i: usize| PointWeight::of(&located[i]);
        let style = |i: usize| super::event_style_index(located[i].record.event_type.as_deref());
        let named = |i: usize| places::names_a_place(&located[i]);
        // One pass over the records for the four columns (each record is read once).
        let columns = |i: usize| (at_index(i), (weight(i), (style(i), named(i))));
        type Columns = (Vec<[f64; 2]>, (Vec<PointWeight>, (Vec<u8>, Vec<bool>)));
        let ((at, (weights, (styles, named))), stretched): (Columns, Vec<u32>) = if parallel {
            (
                (0..n).into_par_iter().map(columns).unzip(),
                (0..n)
                    .into_par_iter()
                    .filter(|&i| stretched(i))
                    .map(as_u32)
                    .collect(),
            )
        } else {
            (
                (0..n).map(columns).unzip(),
                (0..n).filter(|&i| stretched(i)).map(as_u32).collect(),
            )
        };
        // The counted incidents are points or stretches; counting them reads only the
        // placements.
        let point_rows = (0..n).filter(|&i| counted(i)).count() - stretched.len();
        Placed {
            at,
            weights,
            styles,
            named,
            point_rows,
            stretched,
        }
    }
}

/// Places the located incidents of `d` once, on all cores, for all of its maps. Call it
/// before drawing the maps side by side, and not from inside a rayon job (see
/// [`PositionsOnce`]).
pub fn project_incidents(d: &MapData<'_>) {
    d.positions.0.get_or_init(|| Placed::new(d, true));
}

/// The counted incidents with a stretch (see [`Placed::stretched`]), in order.
pub(super) fn stretched<'d, 'a>(
    d: &'d MapData<'a>,
) -> impl Iterator<Item = &'a LocatedIncident> + use<'d, 'a> {
    let located: &'a [LocatedIncident] = d.located;
    placed(d)
        .stretched
        .iter()
        .map(move |&i| &located[i as usize])
}

/// The located incidents placed (see [`PositionsOnce`]): made here, on this thread alone,
/// when [`project_incidents`] did not make them.
fn placed<'d>(d: &'d MapData<'_>) -> &'d Placed {
    d.positions.0.get_or_init(|| Placed::new(d, false))
}

/// The counted point incidents (neither aggregate rows nor stretches) whose position in
/// the region's projection passes `keep`, and how many point incidents there were.
pub(super) fn point_incidents<'d>(
    d: &'d MapData<'_>,
    keep: impl Fn(f64, f64) -> bool,
) -> (MapPoints<'d>, usize) {
    let placed = placed(d);
    let at = &placed.at;
    let index: Vec<u32> = (0..at.len())
        .filter(|&i| {
            let [x, y] = at[i];
            !x.is_nan() && keep(x, y)
        })
        .map(|i| i as u32)
        .collect();
    let shared = PointColumns {
        positions: at,
        weights: &placed.weights,
        styles: &placed.styles,
        named: &placed.named,
    };
    (MapPoints::new(d.located, shared, index), placed.point_rows)
}
