//! The gazetteer's on-disk form: one CSV row per entry, aliases joined with `|`.
//! CSV because it diffs well in review and opens in a spreadsheet; the builder writes it and
//! the tool reads it through the same column list, so the two cannot drift apart.

use crate::model::{BorderStretch, EntryKind, GazetteerEntry};
use anyhow::{Context, Result, bail};
use std::io::{Read, Write};

/// Column order of `gazetteer.csv`.
pub const COLUMNS: [&str; 21] = [
    "id",
    "kind",
    "name",
    "country",
    "province_id",
    "province",
    "district_id",
    "district",
    "lon",
    "lat",
    "radius_km",
    "point_method",
    "population",
    "feature_code",
    "border_id",
    "km_from",
    "km_to",
    "successor_id",
    "aliases",
    "note",
    "source",
];

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// Writes entries in the order given (the builder sorts them).
pub fn write_csv<W: Write>(entries: &[GazetteerEntry], out: W) -> Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record(COLUMNS)?;
    for e in entries {
        let (b, f, t) = match &e.stretch {
            Some(s) => (
                s.border_id.clone(),
                s.km_from.to_string(),
                s.km_to.to_string(),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        w.write_record([
            e.id.as_str(),
            e.kind.as_str(),
            &e.name,
            &e.country,
            opt(&e.province_id),
            opt(&e.province),
            opt(&e.district_id),
            opt(&e.district),
            &e.lon.to_string(),
            &e.lat.to_string(),
            &e.radius_km.to_string(),
            &e.point_method,
            &e.population.map(|p| p.to_string()).unwrap_or_default(),
            opt(&e.feature_code),
            &b,
            &f,
            &t,
            opt(&e.successor_id),
            &e.aliases.join("|"),
            opt(&e.note),
            &e.source,
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Reads `gazetteer.csv` (or a whole places table); `name` is used in messages.
pub fn read_csv<R: Read>(name: &str, input: R) -> Result<Vec<GazetteerEntry>> {
    let mut rdr = csv::Reader::from_reader(input);
    let header = rdr
        .headers()
        .with_context(|| format!("{name}: reading header"))?
        .clone();
    if header.iter().collect::<Vec<_>>() != COLUMNS {
        bail!("{name}: unexpected columns; expected {}", COLUMNS.join(","));
    }
    let mut out = Vec::new();
    // One record read into again and again.
    let mut row = csv::StringRecord::new();
    while rdr
        .read_record(&mut row)
        .with_context(|| format!("reading {name}"))?
    {
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        if row.len() != COLUMNS.len() {
            bail!(
                "{name}:{line}: {} fields; expected {}",
                row.len(),
                COLUMNS.len()
            );
        }
        out.push(entry_from_fields(|i| &row[i], &|| {
            format!("{name}:{line}")
        })?);
    }
    Ok(out)
}

/// One row's entry from its fields (`field(i)` is column [`COLUMNS`]`[i]`, every column
/// present); `at` says where the row is, in messages ("file:line"): worked out only for one.
pub(super) fn entry_from_fields<'a>(
    field: impl Fn(usize) -> &'a str,
    at: &dyn Fn() -> String,
) -> Result<GazetteerEntry> {
    let ctx = |col: &str| format!("{}: column {col}", at());
    let s = |i: usize| -> Option<String> { Some(field(i).to_string()).filter(|v| !v.is_empty()) };
    let num =
        |i: usize| -> Result<f64> { field(i).parse::<f64>().with_context(|| ctx(COLUMNS[i])) };
    let kind = EntryKind::parse(field(1)).with_context(|| ctx("kind"))?;
    let stretch = match s(14) {
        Some(border_id) => Some(BorderStretch {
            border_id,
            km_from: num(15)?,
            km_to: num(16)?,
        }),
        None => None,
    };
    Ok(GazetteerEntry {
        id: field(0).to_string(),
        kind,
        name: field(2).to_string(),
        country: field(3).to_string(),
        province_id: s(4),
        province: s(5),
        district_id: s(6),
        district: s(7),
        lon: num(8)?,
        lat: num(9)?,
        radius_km: num(10)?,
        point_method: field(11).to_string(),
        population: Some(field(12))
            .filter(|p| !p.is_empty())
            .map(str::parse)
            .transpose()
            .with_context(|| ctx("population"))?,
        feature_code: s(13),
        stretch,
        successor_id: s(17),
        aliases: field(18)
            .split('|')
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect(),
        note: s(19),
        source: field(20).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bad value is reported with the line it is on, for each of several rows read into
    /// one reused record, and the rows before it are read as written.
    #[test]
    fn a_bad_value_names_its_line_and_column() {
        let shipped = crate::gazetteer::EMBEDDED_CSV;
        let lines: Vec<&str> = shipped.lines().take(4).collect();
        let good = lines.join("\n");
        let rows = read_csv("gazetteer.csv", good.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        let whole = read_csv("gazetteer.csv", shipped.as_bytes()).unwrap();
        assert_eq!(rows[2].id, whole[2].id);
        assert_eq!(rows[2].aliases, whole[2].aliases);
        // The lat column of the third row (line 4) made unreadable.
        let mut fields: Vec<String> = lines[3].split(',').map(str::to_string).collect();
        assert!(!lines[3].contains('"'), "a row without quoted fields");
        fields[9] = "north".to_string();
        let bad = format!(
            "{}\n{}\n{}\n{}\n",
            lines[0],
            lines[1],
            lines[2],
            fields.join(",")
        );
        let e = read_csv("gazetteer.csv", bad.as_bytes()).unwrap_err();
        assert!(
            format!("{e:#}").contains("gazetteer.csv:4: column lat"),
            "{e:#}"
        );
    }
}
