//! The column keys the importers ask a row for, numbered when the program is compiled, so
//! that a row finds a key's column by its number in a table made once per file
//! ([`super::row::KeyIndex`]) instead of by its text. An importer asks some 25 keys a row;
//! found by text (a hash of the key's address remembered per thread), the lookups were
//! about 770 instructions a row, 4% of `density` on the peer's million rows (`callgrind`).
//!
//! `key!("date")` is the key `date` with its number; a key not listed in [`KEYS`] does not
//! compile.

/// Every key an importer asks for, as [`super::row::normalise_key`] writes column names.
pub(crate) const KEYS: &[&str] = &[
    "actor1",
    "actor2",
    "actors",
    "adm_1",
    "adm_2",
    "admin1",
    "admin2",
    "attacktype1_txt",
    "best",
    "best_death",
    "city",
    "count",
    "country",
    "country_txt",
    "date",
    "date_end",
    "date_precision",
    "date_start",
    "day",
    "event_date",
    "event_id_cnty",
    "event_type",
    "eventid",
    "fatalities",
    "fatalities_high",
    "fatalities_low",
    "geo_precision",
    "gname",
    "high",
    "high_death",
    "id",
    "iday",
    "imonth",
    "iyear",
    "latitude",
    "location",
    "longitude",
    "low",
    "low_death",
    "month",
    "nkill",
    "notes",
    "nwound",
    "origin",
    "precision",
    "provstate",
    "side_a",
    "side_b",
    "source",
    "source_office",
    "source_url",
    "specificity",
    "sub_event_type",
    "summary",
    "targets",
    "targtype1_txt",
    "time_precision",
    "type_of_violence",
    "where_coordinates",
    "where_description",
    "where_prec",
    "wounded",
    "year",
];

/// A column key and its place in [`KEYS`] (a test may make one that is not listed, which
/// is then looked up by its text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    pub name: &'static str,
    pub id: u16,
}

impl Key {
    /// The number of a key made at run time, not in [`KEYS`].
    #[cfg(test)]
    pub const UNLISTED: u16 = u16::MAX;

    /// The listed key `name`: evaluated when compiled (through `key!`), where a name not
    /// in [`KEYS`] stops the build.
    pub const fn listed(name: &'static str) -> Key {
        let mut i = 0;
        while i < KEYS.len() {
            if same(KEYS[i].as_bytes(), name.as_bytes()) {
                return Key { name, id: i as u16 };
            }
            i += 1;
        }
        panic!("a column key not listed in ingest::keys::KEYS")
    }

    /// A key made at run time, found by its text.
    #[cfg(test)]
    pub fn unlisted(name: &'static str) -> Key {
        Key {
            name,
            id: Key::UNLISTED,
        }
    }
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The listed key of a literal name, numbered when compiled.
macro_rules! key {
    ($name:literal) => {{
        const KEY: $crate::ingest::keys::Key = $crate::ingest::keys::Key::listed($name);
        KEY
    }};
}
pub(crate) use key;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_listed_once_in_their_normal_form() {
        let mut seen = std::collections::BTreeSet::new();
        for k in KEYS {
            assert!(seen.insert(*k), "{k} listed twice");
            assert_eq!(super::super::row::normalise_key(k), *k);
        }
        assert!(KEYS.len() < usize::from(Key::UNLISTED));
        assert_eq!(key!("latitude").name, "latitude");
        assert_eq!(KEYS[usize::from(key!("latitude").id)], "latitude");
    }
}
