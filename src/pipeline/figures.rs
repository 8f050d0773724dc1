//! The main job's figures: a map of each compared border, the overview, the profile and
//! (with a comparison) the comparison chart, drawn and rasterised side by side and written
//! in order. Owns which figures a run draws, their file names and the maps' subtitle; the
//! drawing itself is `render`'s.

use super::config::RunConfig;
use super::run::Made;
use crate::density::compare::Comparison;
use crate::render::{charts, maps};
use anyhow::Result;

/// One figure of the run.
enum Figure<'a> {
    BorderMap(&'a str),
    Overview,
    Profile,
    Comparison(&'a Comparison),
}

/// Draws every figure in the formats `cfg` asks for and hands each file to `put` (name,
/// bytes), in order.
pub(super) fn draw(
    made: &Made<'_>,
    cfg: &RunConfig,
    put: &mut dyn FnMut(&str, &[u8]) -> Result<()>,
) -> Result<()> {
    let page = crate::render::page_size(cfg.width, cfg.dpi.map(f64::from));
    let formats = cfg.format.clone().unwrap_or_default();
    let provinces = crate::render::embedded_provinces()?;
    let analysis = made.analysis;
    let located = &made.prepared.geocoded.located;
    let data = maps::MapData {
        geo: made.geo,
        provinces: &provinces,
        located,
        analysis,
        bands: made.bands,
        compared: made.pair.to_vec(),
        subtitle: subtitle(made),
        inputs: inputs_named(&made.prepared.inputs),
        sources: made.meta.sources.join("; "),
    };
    // Which figures: each border of the pair that was analysed, the overview, the profile
    // and (with a comparison) the comparison chart.
    let pair_ids: Vec<&str> = made
        .pair
        .iter()
        .map(String::as_str)
        .filter(|id| {
            analysis
                .borders
                .iter()
                .any(|b| b.border.id.eq_ignore_ascii_case(id))
        })
        .collect();
    let mut jobs: Vec<(String, Figure)> = pair_ids
        .iter()
        .map(|id| (format!("map_{id}"), Figure::BorderMap(id)))
        .collect();
    jobs.push(("map_overview".into(), Figure::Overview));
    jobs.push(("profile".into(), Figure::Profile));
    if let Some(c) = made.comparison {
        jobs.push(("comparison".into(), Figure::Comparison(c)));
    }
    // Figures are drawn and rasterised side by side, then written in order.
    let want_png = formats.iter().any(|f| f.eq_ignore_ascii_case("png"));
    let drawn: Vec<(String, Option<Vec<u8>>)> = {
        use rayon::prelude::*;
        jobs.par_iter()
            .map(|(_, job)| -> Result<(String, Option<Vec<u8>>)> {
                let svg = match job {
                    Figure::BorderMap(id) => maps::border_map(&data, id, page)?,
                    Figure::Overview => maps::overview_map(&data, page)?,
                    Figure::Profile => charts::border_profile(analysis, &pair_ids, page)?,
                    Figure::Comparison(c) => charts::comparison_chart(c, analysis, page)?,
                };
                let png = want_png
                    .then(|| crate::render::svg_to_png(&svg, page.width_px))
                    .transpose()?;
                Ok((svg, png))
            })
            .collect::<Result<_>>()?
    };
    for ((name, _), (svg, png)) in jobs.iter().zip(drawn) {
        if formats.iter().any(|f| f.eq_ignore_ascii_case("svg")) {
            put(&format!("{name}.svg"), svg.as_bytes())?;
        }
        if let Some(png) = png {
            put(&format!("{name}.png"), &png)?;
        }
    }
    Ok(())
}

/// The maps' subtitle: the window, how many incidents were located (and counted), the
/// filters and the analysis's main parameters.
fn subtitle(made: &Made<'_>) -> String {
    let (analysis, opts) = (made.analysis, made.opts);
    let located = made.prepared.geocoded.located.len();
    let window = analysis
        .window
        .map(|w| format!("{} to {}", w.0, w.1))
        .unwrap_or_else(|| "undated".into());
    let mut filters = Vec::new();
    if !opts.types.is_empty() {
        filters.push(format!("types {}", opts.types.join(", ")));
    }
    if let Some(a) = &opts.actor {
        filters.push(format!("actor \"{a}\""));
    }
    format!(
        "{window}; {} incidents located{}{}; corridor {} km, segments {} km, {} lengths",
        located,
        match analysis.excluded.values().sum::<u64>() {
            0 => String::new(),
            left_out => format!(", {} counted", located as u64 - left_out),
        },
        if filters.is_empty() {
            String::new()
        } else {
            format!("; {}", filters.join("; "))
        },
        opts.corridor_km,
        opts.segment_km,
        opts.length_basis.as_str(),
    )
}

/// The inputs as a map's subtitle names them: file names without their folders (the full
/// paths are in run-config.toml), the first three and how many more.
fn inputs_named(inputs: &[String]) -> String {
    let names: Vec<&str> = inputs
        .iter()
        .map(|p| {
            std::path::Path::new(p)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(p)
        })
        .collect();
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}
