//! The border layers: corridors, border lines, sectors and segments, with the analysis's
//! figures.

use super::RunMeta;
use super::geometry::{Geom, corridor_km, project_line, unproject};
use super::layer::{Layer, opt_str, probability, real, tally_rates, text};
use crate::density::Analysis;
use crate::density::assign::CorridorSide;
use crate::export::qgis::{GeomKind, Style};
use crate::projection::Projection;
use geo::{Area, LineString};
use serde_json::{Map, Value, json};
pub(super) fn side_name(s: CorridorSide) -> &'static str {
    match s {
        CorridorSide::Both => "both",
        CorridorSide::Afghan => "afghan",
        CorridorSide::Neighbour => "neighbour",
    }
}

pub(super) fn corridors_layer(a: &Analysis, proj: &Projection) -> Layer {
    let side = a.options.corridor_side;
    let mut features = Vec::new();
    for r in &a.borders {
        let b = &r.border;
        let line = project_line(b, proj);
        if line.0.len() < 2 {
            continue;
        }
        let km = corridor_km(&line, a.options.corridor_km, side);
        let mut p = Map::new();
        p.insert("border_id".into(), text(&b.id));
        p.insert("name".into(), text(&b.name));
        p.insert("corridor_km".into(), real(Some(a.options.corridor_km)));
        p.insert("corridor_side".into(), json!(side_name(side)));
        p.insert(
            "side_country".into(),
            match side {
                CorridorSide::Both => Value::Null,
                CorridorSide::Afghan => opt_str(b.country_a.clone()),
                CorridorSide::Neighbour => opt_str(b.country_b.clone()),
            },
        );
        p.insert("area_km2".into(), real(Some(km.unsigned_area().round())));
        p.insert(
            "events_weighted".into(),
            real(Some(r.tally.events_weighted)),
        );
        p.insert(
            "per_100km_per_year".into(),
            real(r.rates.per_100km_per_year),
        );
        features.push((Geom::Polygons(unproject(&km, proj)), p));
    }
    Layer {
        name: "corridors",
        kind: GeomKind::Polygon,
        features,
        members: Vec::new(),
        style: Style::Corridors,
    }
}

pub(super) fn line_coords(ls: &LineString<f64>) -> Vec<(f64, f64)> {
    ls.0.iter().map(|c| (c.x, c.y)).collect()
}

pub(super) fn borders_layer(a: &Analysis) -> Layer {
    let mut features = Vec::new();
    for r in &a.borders {
        let b = &r.border;
        let mut p = Map::new();
        p.insert("border_id".into(), text(&b.id));
        p.insert("name".into(), text(&b.name));
        p.insert("country_a".into(), opt_str(b.country_a.clone()));
        p.insert("country_b".into(), opt_str(b.country_b.clone()));
        p.insert("measured_km".into(), real(Some(b.measured_km)));
        p.insert("published_km".into(), real(b.published_km));
        p.insert(
            "published_source".into(),
            opt_str(b.published_source.clone()),
        );
        tally_rates(&mut p, &r.tally, &r.rates);
        p.insert(
            "data_start".into(),
            opt_str(r.data_span.map(|s| s.0.to_string())),
        );
        p.insert(
            "data_end".into(),
            opt_str(r.data_span.map(|s| s.1.to_string())),
        );
        p.insert(
            "sources".into(),
            text(&r.sources.keys().cloned().collect::<Vec<_>>().join("; ")),
        );
        features.push((Geom::Line(line_coords(&b.line)), p));
    }
    Layer {
        name: "borders",
        kind: GeomKind::Line,
        features,
        members: Vec::new(),
        style: Style::Borders,
    }
}

pub(super) fn sectors_layer(a: &Analysis) -> Layer {
    let mut features = Vec::new();
    let mut values = Vec::new();
    for r in &a.borders {
        for s in &r.sectors {
            let u = &s.unit;
            let mut p = Map::new();
            p.insert("sector_id".into(), text(&u.id));
            p.insert("border_id".into(), text(&u.border_id));
            p.insert("province_id".into(), text(&u.province_id));
            p.insert("province".into(), text(&u.province));
            p.insert("country".into(), text(&u.country));
            p.insert(
                "afghan_side".into(),
                json!(r.border.country_a.as_deref() == Some(u.country.as_str())),
            );
            p.insert("km_from".into(), real(Some(u.km_from)));
            p.insert("km_to".into(), real(Some(u.km_to)));
            p.insert("measured_km".into(), real(Some(u.length_km)));
            tally_rates(&mut p, &s.tally, &s.rates);
            hotspot_fields(&mut p, s.hotspot.as_ref());
            values.push(s.rates.per_100km_per_year);
            features.push((Geom::Line(u.coords.clone()), p));
        }
    }
    Layer {
        name: "sectors",
        kind: GeomKind::Line,
        features,
        members: Vec::new(),
        style: Style::Sectors { values },
    }
}

/// The test of excess over the border's rate, on segments and sectors alike (null when not
/// tested).
fn hotspot_fields(p: &mut Map<String, Value>, h: Option<&crate::density::hotspot::Hotspot>) {
    p.insert(
        "hotspot".into(),
        h.map_or(Value::Null, |h| json!(h.hotspot)),
    );
    p.insert("hotspot_q".into(), probability(h.map(|h| h.q_value)));
    p.insert("hotspot_p".into(), probability(h.map(|h| h.p_value)));
    p.insert("hotspot_expected".into(), real(h.map(|h| h.expected)));
}

pub(super) fn segments_layer(a: &Analysis, meta: &RunMeta) -> Layer {
    let mut features = Vec::new();
    let mut values = Vec::new();
    for r in &a.borders {
        for s in &r.segments {
            let u = &s.unit;
            let mut p = Map::new();
            p.insert("segment_id".into(), text(&u.id));
            p.insert("border_id".into(), text(&u.border_id));
            p.insert("index".into(), json!(u.index));
            p.insert("km_from".into(), real(Some(u.km_from)));
            p.insert("km_to".into(), real(Some(u.km_to)));
            p.insert("measured_km".into(), real(Some(u.length_km)));
            p.insert("provinces".into(), text(&u.provinces.join("; ")));
            tally_rates(&mut p, &s.tally, &s.rates);
            hotspot_fields(&mut p, s.hotspot.as_ref());
            values.push(s.rates.per_100km_per_year);
            features.push((Geom::Line(u.coords.clone()), p));
        }
    }
    Layer {
        name: "segments",
        kind: GeomKind::Line,
        features,
        members: Vec::new(),
        style: Style::Segments {
            values,
            classes: crate::export::classes::RateClasses::for_run(a, &meta.compared),
        },
    }
}
