//! What an analysis measures against that does not depend on the incidents: the selected
//! borders, their nearest-border index, sectors, segments and how the two overlap. Built
//! apart from [`super::analyse_in`] so that a job can build it while its inputs are read
//! (with the shipped survey-resolution borders it is about a fifth of a second).

use super::AnalysisOptions;
use crate::borders::Border;
use crate::borders::locate::BorderIndex;
use crate::borders::segments::{Sector, Segment, sectors, segmentize};
use crate::geodata::GeoData;

/// The borders of an analysis with everything worked out from them alone.
pub struct BorderFrame {
    /// The borders the options select (all when they name none), in the geodata's order.
    pub borders: Vec<Border>,
    pub index: BorderIndex,
    /// Per border, its sectors (stretches between provinces).
    pub sectors: Vec<Vec<Sector>>,
    /// Per border, its segments of `segment_km`.
    pub segments: Vec<Vec<Segment>>,
    /// Per border, the km positions where segments begin, and the end of the last.
    pub cuts: Vec<Vec<f64>>,
    /// Per border and segment, the sectors it overlaps and by how many km.
    pub segment_sectors: Vec<Vec<Vec<(usize, f64)>>>,
    /// The options it was built for (borders selected, segment length).
    built_for: (Vec<String>, f64),
    /// This frame's own number among those built by this process ([`BorderFrame::stamp`]).
    stamp: u64,
}

/// The stamp of the next frame built.
static NEXT_STAMP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl BorderFrame {
    /// The frame of `geo`'s borders as `opts` selects and cuts them.
    pub fn new(geo: &GeoData, opts: &AnalysisOptions) -> BorderFrame {
        let borders: Vec<Border> = geo
            .borders
            .iter()
            .filter(|b| {
                opts.borders.is_empty()
                    || opts.borders.iter().any(|x| x.eq_ignore_ascii_case(&b.id))
            })
            .cloned()
            .collect();
        // The index and the sectors are each about half of the work: side by side.
        let (index, all_sectors) = rayon::join(
            || BorderIndex::new(&borders),
            || -> Vec<Vec<Sector>> { borders.iter().map(|b| sectors(b, &geo.provinces)).collect() },
        );
        let all_segments: Vec<Vec<Segment>> = borders
            .iter()
            .zip(&all_sectors)
            .map(|(b, s)| segmentize(b, opts.segment_km, s))
            .collect();
        let cuts = all_segments
            .iter()
            .map(|segs| {
                std::iter::once(0.0)
                    .chain(segs.iter().map(|s| s.km_to))
                    .collect()
            })
            .collect();
        let segment_sectors = all_segments
            .iter()
            .zip(&all_sectors)
            .map(|(segs, secs)| {
                segs.iter()
                    .map(|seg| {
                        if seg.length_km <= 0.0 {
                            return Vec::new();
                        }
                        secs.iter()
                            .enumerate()
                            .map(|(k, sec)| {
                                let overlap = (seg.km_to.min(sec.km_to)
                                    - seg.km_from.max(sec.km_from))
                                .max(0.0);
                                (k, overlap)
                            })
                            .filter(|&(_, overlap)| overlap > 0.0)
                            .collect()
                    })
                    .collect()
            })
            .collect();
        BorderFrame {
            borders,
            index,
            sectors: all_sectors,
            segments: all_segments,
            cuts,
            segment_sectors,
            built_for: (opts.borders.clone(), opts.segment_km),
            stamp: NEXT_STAMP.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// A number no other frame built by this process has: what was worked out against one
    /// frame (its index's answers, [`super::nearest::EarlyNearest`]) is known to be for it.
    pub fn stamp(&self) -> u64 {
        self.stamp
    }

    /// Whether this frame is the one [`BorderFrame::new`] gives for `opts`.
    pub fn fits(&self, opts: &AnalysisOptions) -> bool {
        self.built_for.0 == opts.borders && self.built_for.1.to_bits() == opts.segment_km.to_bits()
    }
}
