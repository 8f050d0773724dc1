//! `borderwatch gazetteer NAME`: looks a name up and prints the best entries.

use super::{Cli, EXIT_NO_MATCH, EXIT_OK, print};
use crate::gazetteer::Constraint;
use crate::gazetteer::Gazetteer;
use crate::model::EntryKind;
use anyhow::{Result, bail};
use std::fmt::Write;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The name to look up, in any spelling or script ("Shamsiddin Shohin", Дарвоз, "Khatlon border zone").
    pub name: String,
    /// Only entries in this country (ISO alpha-2, e.g. TJ).
    #[arg(long)]
    pub country: Option<String>,
    /// Only entries of this kind: country, province, district, place, border-zone.
    #[arg(long)]
    pub kind: Option<String>,
    /// How many entries to show.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    // The gazetteer alone: a name lookup needs no polygons, and loading them would triple
    // the time of a one-name question.
    let gazetteer = match cli.geodata.as_deref() {
        Some(dir) => Gazetteer::from_dir(dir)?,
        None => Gazetteer::embedded()?,
    };
    // Kept to the end of the process: freeing a million strings one by one would add a
    // tenth of the command's time just before it exits.
    let gazetteer: &Gazetteer = Box::leak(Box::new(gazetteer));
    let kinds = match &args.kind {
        Some(k) => match EntryKind::parse(k) {
            Some(k) => vec![k],
            None => {
                bail!("unknown kind {k:?}: use country, province, district, place or border-zone")
            }
        },
        None => Vec::new(),
    };
    let constraint = Constraint {
        country: args.country.as_ref().map(|c| c.to_uppercase()),
        kinds,
        ..Default::default()
    };
    let hits = crate::geocode::lookup_phrase(gazetteer, &args.name, &constraint);
    let hits: Vec<_> = hits.into_iter().take(args.limit).collect();
    if args.json {
        let rows: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "id": h.entry.id, "name": h.entry.name, "kind": h.entry.kind.as_str(), "country": h.entry.country,
                    "province": h.entry.province, "district": h.entry.district, "lon": h.entry.lon, "lat": h.entry.lat,
                    "radius_km": h.entry.radius_km, "matched": h.matched, "match": h.how.as_str(), "score": (h.score * 1000.0).round() / 1000.0,
                    "stretch": h.entry.stretch, "point_method": h.entry.point_method, "note": h.entry.note,
                })
            })
            .collect();
        print(&(serde_json::to_string_pretty(&rows)? + "\n"))?;
        return Ok(if hits.is_empty() {
            EXIT_NO_MATCH
        } else {
            EXIT_OK
        });
    }
    let mut s = String::new();
    if hits.is_empty() {
        let sugg = gazetteer.suggest(&args.name, &constraint, 3);
        writeln!(s, "no entry matches {:?}", args.name)?;
        if !sugg.is_empty() {
            writeln!(s, "did you mean: {}", sugg.join(", "))?;
        }
    }
    for h in &hits {
        let e = h.entry;
        writeln!(s, "{}  [{}]  {}", e.name, e.kind, e.id)?;
        let mut where_ = vec![e.country.clone()];
        where_.extend(e.province.clone());
        where_.extend(
            e.district
                .clone()
                .filter(|d| Some(d) != e.province.as_ref() && e.kind != EntryKind::District),
        );
        writeln!(s, "    in: {}", where_.join(" / "))?;
        writeln!(
            s,
            "    at: {:.5} N {:.5} E, radius {} km ({})",
            e.lat, e.lon, e.radius_km, e.point_method
        )?;
        if let Some(st) = &e.stretch {
            writeln!(
                s,
                "    stretch: {} km {:.1} to {:.1}",
                st.border_id, st.km_from, st.km_to
            )?;
        }
        writeln!(
            s,
            "    matched: {:?} ({}, score {:.2})",
            h.matched,
            h.how.as_str(),
            h.score
        )?;
        if let Some(n) = &e.note {
            writeln!(s, "    note: {n}")?;
        }
    }
    // No match is said on stderr with the suggestions, and is its own exit status, so a
    // script can tell "not found" from a result.
    if hits.is_empty() {
        eprint!("{s}");
        return Ok(EXIT_NO_MATCH);
    }
    print(&s)?;
    Ok(EXIT_OK)
}
