//! Column names as people write them in their own sheets.
//!
//! A sheet kept by hand says `Place`, `Province`, `Killed`, `Type`, `Link`, not `location`,
//! `admin1`, `fatalities`, `event_type`, `source_url`. Such names are recognised here
//! (case, spaces and punctuation ignored: `Event date`, `event-date` and `EVENT_DATE?` are
//! one name) and renamed to the native column they mean, for files that are not a dataset
//! export (ACLED, UCDP GED and GTD keep their own names). `--columns date=Datum,location=Ort`
//! maps names the table does not know, and wins over it. A native name already in the file
//! wins over an alias of it: the alias column is then passed through, and said so.

use std::collections::BTreeMap;

/// Native column → the names people use for it, compacted (lowercase letters and digits).
pub const ALIASES: &[(&str, &[&str])] = &[
    (
        "id",
        &[
            "id",
            "incidentid",
            "eventid",
            "ref",
            "reference",
            "no",
            "number",
        ],
    ),
    (
        "date",
        &[
            "date",
            "eventdate",
            "incidentdate",
            "dateofincident",
            "dateofevent",
        ],
    ),
    ("country", &["country", "countryname", "nation"]),
    (
        "admin1",
        &[
            "admin1",
            "province",
            "state",
            "region",
            "provstate",
            "provincestate",
            "oblast",
            "viloyat",
        ],
    ),
    (
        "admin2",
        &["admin2", "district", "rayon", "tehsil", "agency"],
    ),
    (
        "location",
        &[
            "location",
            "place",
            "village",
            "town",
            "city",
            "area",
            "locality",
            "site",
            "placename",
        ],
    ),
    ("latitude", &["latitude", "lat", "y"]),
    ("longitude", &["longitude", "lng", "lon", "long", "x"]),
    (
        "precision",
        &[
            "precision",
            "geoprecision",
            "locationprecision",
            "whereprec",
        ],
    ),
    (
        "event_type",
        &[
            "eventtype",
            "type",
            "incidenttype",
            "category",
            "kind",
            "attacktype",
        ],
    ),
    (
        "actors",
        &[
            "actors",
            "actor",
            "who",
            "perpetrator",
            "perpetrators",
            "group",
            "attacker",
            "attackers",
        ],
    ),
    (
        "fatalities",
        &[
            "fatalities",
            "killed",
            "deaths",
            "dead",
            "death",
            "kia",
            "nkill",
            "died",
        ],
    ),
    (
        "fatalities_low",
        &["fatalitieslow", "killedlow", "deathslow", "lowdeaths"],
    ),
    (
        "fatalities_high",
        &["fatalitieshigh", "killedhigh", "deathshigh", "highdeaths"],
    ),
    (
        "wounded",
        &["wounded", "injured", "injuries", "wia", "nwound", "hurt"],
    ),
    ("targets", &["targets", "target", "victims", "against"]),
    ("origin", &["origin", "launchedfrom", "from"]),
    ("count", &["count", "events", "numberofevents"]),
    (
        "source",
        &[
            "source",
            "sources",
            "sourcename",
            "outlet",
            "reportedby",
            "media",
        ],
    ),
    (
        "source_url",
        &["sourceurl", "link", "url", "links", "sourcelink", "weblink"],
    ),
    (
        "notes",
        &[
            "notes",
            "note",
            "comments",
            "comment",
            "description",
            "details",
            "remarks",
            "summary",
            "reporternotes",
        ],
    ),
];

/// Letters and digits only, lowercased: how names are compared here.
pub(crate) fn compact(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The native column a name means, by the alias table.
pub(crate) fn alias_of(name: &str) -> Option<&'static str> {
    let c = compact(name);
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&c.as_str()))
        .map(|(native, _)| *native)
}

/// `--columns date=Datum,location=Ort`: native column → the file's column name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap(pub BTreeMap<String, String>);

impl ColumnMap {
    /// Parses `native=Their name` pairs (comma-separated, or given one by one).
    pub fn parse<S: AsRef<str>>(pairs: &[S]) -> Result<ColumnMap, String> {
        let mut out = BTreeMap::new();
        for pair in pairs.iter().flat_map(|p| p.as_ref().split(',')) {
            let pair = pair.trim();
            if pair.is_empty() {
                continue;
            }
            let Some((native, theirs)) = pair.split_once('=') else {
                return Err(format!(
                    "--columns {pair:?}: expected NATIVE=COLUMN, e.g. date=Datum"
                ));
            };
            let native = super::row::normalise_key(native);
            if !super::native::COLUMNS.contains(&native.as_str()) {
                return Err(format!(
                    "--columns {pair:?}: {native:?} is not a native column (one of {})",
                    super::native::COLUMNS.join(", ")
                ));
            }
            out.insert(native, theirs.trim().to_string());
        }
        Ok(ColumnMap(out))
    }
}

/// What a header's columns were taken for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Taken {
    /// (the file's name, the native column), in the file's order.
    pub mapped: Vec<(String, String)>,
    /// Names not used, passed through to `extra`.
    pub unused: Vec<String>,
    /// `--columns` entries that name no column of the file.
    pub missing: Vec<String>,
}

impl Taken {
    /// One line for the user: `Date → date, Place → location; not used (passed through):
    /// Verified?`.
    pub(crate) fn describe(&self) -> String {
        let mut s = String::from("columns: ");
        let m: Vec<String> = self
            .mapped
            .iter()
            .map(|(theirs, native)| {
                if theirs == native {
                    theirs.clone()
                } else {
                    format!("{theirs} → {native}")
                }
            })
            .collect();
        s.push_str(&m.join(", "));
        if !self.unused.is_empty() {
            s.push_str(&format!(
                "; not used (passed through): {}",
                self.unused.join(", ")
            ));
        }
        if !self.missing.is_empty() {
            s.push_str(&format!(
                "; --columns names no such column: {}",
                self.missing.join(", ")
            ));
        }
        s
    }
}

/// Renames `keys` (normalised names) to the native columns they mean: `--columns` first,
/// then the alias table, never two columns to one native name, never over a native name the
/// file already has. Returns what was taken for what.
pub(crate) fn map_native(names: &[String], keys: &mut [String], columns: &ColumnMap) -> Taken {
    let natives = super::native::COLUMNS;
    let mut target: Vec<Option<String>> = vec![None; keys.len()];
    let mut claimed: Vec<String> = Vec::new();
    let mut missing = Vec::new();
    for (native, theirs) in &columns.0 {
        let want = compact(theirs);
        match names
            .iter()
            .position(|n| n == theirs)
            .or_else(|| names.iter().position(|n| compact(n) == want))
        {
            Some(i) if target[i].is_none() => {
                target[i] = Some(native.clone());
                claimed.push(native.clone());
            }
            _ => missing.push(format!("{native}={theirs}")),
        }
    }
    // Native names as written come next, then aliases, in the file's order.
    for (i, k) in keys.iter().enumerate() {
        if target[i].is_none() && natives.contains(&k.as_str()) && !claimed.contains(k) {
            target[i] = Some(k.clone());
            claimed.push(k.clone());
        }
    }
    for (i, n) in names.iter().enumerate() {
        if target[i].is_some() {
            continue;
        }
        if let Some(native) = alias_of(n)
            && !claimed.iter().any(|c| c == native)
        {
            target[i] = Some(native.to_string());
            claimed.push(native.to_string());
        }
    }
    let mut taken = Taken {
        missing,
        ..Taken::default()
    };
    for (i, t) in target.into_iter().enumerate() {
        match t {
            Some(native) => {
                taken.mapped.push((names[i].clone(), native.clone()));
                keys[i] = native;
            }
            None => {
                taken.unused.push(names[i].clone());
                // A pass-through column must not be read as the native column its key
                // happens to spell (a second `Location` column, say).
                if natives.contains(&keys[i].as_str()) {
                    keys[i] = format!("{}\u{0}unused", keys[i]);
                }
            }
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(header: &str, columns: &[&str]) -> (Vec<String>, Taken) {
        let names: Vec<String> = header.split(',').map(str::to_string).collect();
        let mut keys: Vec<String> = names
            .iter()
            .map(|n| super::super::row::normalise_key(n))
            .collect();
        let t = map_native(&names, &mut keys, &ColumnMap::parse(columns).unwrap());
        (keys, t)
    }

    #[test]
    fn a_journalist_s_header() {
        let (keys, t) = run(
            "Date,Country,Province,Place,Type,Killed,Injured,Who,Source,Link,Verified?,Reporter notes",
            &[],
        );
        assert_eq!(
            keys,
            [
                "date",
                "country",
                "admin1",
                "location",
                "event_type",
                "fatalities",
                "wounded",
                "actors",
                "source",
                "source_url",
                "verified?",
                "notes"
            ]
        );
        assert_eq!(t.unused, ["Verified?"]);
        let d = t.describe();
        assert!(d.contains("Place → location"), "{d}");
        assert!(d.ends_with("not used (passed through): Verified?"), "{d}");
    }

    #[test]
    fn case_and_punctuation_do_not_matter() {
        let (keys, _) = run("EVENT DATE,Event-Type,Lat.,Lng,Incident_type", &[]);
        assert_eq!(keys[..4], ["date", "event_type", "latitude", "longitude"]);
        assert_eq!(
            keys[4], "incident_type",
            "the second type column is passed through"
        );
    }

    #[test]
    fn native_names_win_and_columns_override() {
        let (keys, t) = run("date,location,Place,Ort,Datum", &["location=Ort"]);
        assert_eq!(keys[1], "location\u{0}unused");
        assert_eq!(keys[3], "location");
        assert_eq!(keys[2], "place", "location is taken by Ort");
        assert_eq!(t.unused, ["location", "Place", "Datum"]);
        let (keys, t) = run(
            "Datum,Ort",
            &["date=Datum", "location=ort", "admin1=Bundesland"],
        );
        assert_eq!(keys, ["date", "location"]);
        assert_eq!(t.missing, ["admin1=Bundesland"]);
        assert!(ColumnMap::parse(&["nonsense=x"]).is_err());
        assert!(ColumnMap::parse(&["date"]).is_err());
    }
}
