//! `borderwatch borders`: each Afghan border with its measured and published length.

use super::{Cli, EXIT_OK, load_geodata, print};
use anyhow::Result;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Use border lines from this GeoJSON file (LineStrings with an id) instead of the shipped ones.
    #[arg(long, value_name = "FILE")]
    pub borders_file: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let mut geo = load_geodata(cli)?;
    if let Some(f) = &args.borders_file {
        geo.use_borders_file(f)?;
    }
    if args.json {
        let rows: Vec<serde_json::Value> = geo
            .borders
            .iter()
            .map(|b| {
                serde_json::json!({
                    "border_id": b.id, "name": b.name, "country_a": b.country_a, "country_b": b.country_b,
                    "measured_km": (b.measured_km * 10.0).round() / 10.0,
                    "published_km": b.published_km, "published_source": b.published_source,
                    "measured_to_published": b.published_km.map(|p| (b.measured_km / p * 1000.0).round() / 1000.0),
                    "km0": [b.line.0[0].x, b.line.0[0].y],
                    "vertices": b.line.0.len(),
                })
            })
            .collect();
        print(&(serde_json::to_string_pretty(&rows)? + "\n"))?;
        return Ok(EXIT_OK);
    }
    let mut s = String::new();
    writeln!(
        s,
        "{:<7} {:<28} {:>12} {:>13} {:>7}  km 0 at",
        "border", "name", "measured km", "published km", "ratio"
    )?;
    for b in &geo.borders {
        let published = b
            .published_km
            .map(|p| format!("{p:.0}"))
            .unwrap_or_else(|| "-".into());
        let ratio = b
            .published_km
            .map(|p| format!("{:.0}%", b.measured_km / p * 100.0))
            .unwrap_or_else(|| "-".into());
        writeln!(
            s,
            "{:<7} {:<28} {:>12.1} {:>13} {:>7}  {:.4} E {:.4} N",
            b.id, b.name, b.measured_km, published, ratio, b.line.0[0].x, b.line.0[0].y
        )?;
    }
    if !cli.quiet {
        writeln!(
            s,
            "\nMeasured: geodesic length (WGS 84) of the line as drawn; Natural Earth 1:10m is coarser than \
             the surveyed line, so it measures shorter. Published: see each border's source (`--json`).\n\
             km 0 is the first tripoint reached going clockwise around Afghanistan."
        )?;
    }
    print(&s)?;
    Ok(EXIT_OK)
}
