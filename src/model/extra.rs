//! A record's cells of columns no importer maps ([`super::IncidentRecord::extra`]), kept so
//! that they reach the outputs.
//!
//! A UCDP GED export passes some 35 columns through. Held as a map of owned names and
//! values, that was two allocations and a tree node per cell: `run` on 500,000 UCDP rows
//! peaked at 2,810 MiB (1,367 MiB held this way), and making and freeing the maps was a
//! large part of reading them. Here a record holds its values in one text and, per cell, a name shared
//! with the other records this thread read ([`column_name`]) and where its value
//! lies in that text.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// This thread's copy of a column's name. Remembered apart from `memo::own_copy`'s texts
/// (file names, border ids): a file with thousands of column names (JSON objects with keys
/// of their own) could otherwise fill that memo, and every record's file name would then be
/// an allocation of its own.
fn column_name(name: &str) -> Arc<str> {
    thread_local! {
        static NAMES: crate::memo::Seen<Arc<str>> = Default::default();
    }
    crate::memo::remembered(&NAMES, name, |n| n.into())
}

/// Text cells by column name: each name once, in name order (as a `BTreeMap` of them).
/// One word when empty, as most records of most files are.
#[derive(Clone, Default)]
pub struct Extra(Option<Box<Cells>>);

#[derive(Clone, Default)]
struct Cells {
    /// Per cell, in name order: its name, and where its value starts in `text` and how long
    /// it is.
    cells: Vec<(Arc<str>, u32, u32)>,
    /// The values, one after another (a replaced value's old text stays, unused).
    text: String,
}

impl Extra {
    pub fn new() -> Extra {
        Extra::default()
    }

    /// The cells `(name, value)` in name order, the first of each name kept, made at once:
    /// the usual way a row's pass-through cells become a record's.
    pub fn from_cells<'a>(cells: impl IntoIterator<Item = (&'a str, &'a str)>) -> Extra {
        let mut named: Vec<(&str, &str)> = cells.into_iter().collect();
        // Stable: of cells sharing a name, the first stays first.
        named.sort_by(|a, b| a.0.cmp(b.0));
        Extra::from_ordered_cells(named)
    }

    /// [`Self::from_cells`] for cells already in name order (equal names in the order
    /// given): a file's rows come with their columns sorted once for all of them, where
    /// each row sorted its own (making a row's cells, that sort included, was a fifth of
    /// reading a UCDP GED export's 35 pass-through columns, by `perf`).
    pub fn from_ordered_cells<'a>(cells: impl IntoIterator<Item = (&'a str, &'a str)>) -> Extra {
        let mut named: Vec<(&str, &str)> = cells.into_iter().collect();
        debug_assert!(
            named.is_sorted_by(|a, b| a.0 <= b.0),
            "cells out of name order"
        );
        named.dedup_by(|later, earlier| later.0 == earlier.0);
        if named.is_empty() {
            return Extra(None);
        }
        let mut all = Cells {
            cells: Vec::with_capacity(named.len()),
            text: String::with_capacity(named.iter().map(|c| c.1.len()).sum()),
        };
        for (name, value) in named {
            let at = all.push_text(value);
            all.cells.push((column_name(name), at.0, at.1));
        }
        Extra(Some(Box::new(all)))
    }

    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |c| c.cells.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        self.0 = None;
    }

    /// The value of the cell named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let all = self.0.as_deref()?;
        let i = all.find(name).ok()?;
        Some(all.value(i))
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets the cell named `name` to `value`, replacing any value it had.
    pub fn insert(&mut self, name: &str, value: &str) {
        let all = self.0.get_or_insert_default();
        let at = all.push_text(value);
        match all.find(name) {
            Ok(i) => (all.cells[i].1, all.cells[i].2) = at,
            Err(i) => all.cells.insert(i, (column_name(name), at.0, at.1)),
        }
    }

    /// Sets the cell named `name` to `value` unless it has one.
    pub fn insert_if_absent(&mut self, name: &str, value: &str) {
        if !self.contains_key(name) {
            self.insert(name, value);
        }
    }

    /// The cells `(name, value)`, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.0
            .iter()
            .flat_map(|all| (0..all.cells.len()).map(move |i| (&*all.cells[i].0, all.value(i))))
    }
}

impl Cells {
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.cells.binary_search_by(|c| (*c.0).cmp(name))
    }

    fn value(&self, i: usize) -> &str {
        let (_, start, len) = &self.cells[i];
        let start = *start as usize;
        &self.text[start..start + *len as usize]
    }

    /// Appends `value` to the text: where it starts, and its length. A record's text stays
    /// far under 4 GB (a row is at most a few MB).
    fn push_text(&mut self, value: &str) -> (u32, u32) {
        let start = self.text.len();
        self.text.push_str(value);
        (start as u32, value.len() as u32)
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Extra) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Extra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Extra, D::Error> {
        let cells = BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(Extra::from_cells(
            cells.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `Extra` answers as a `BTreeMap` given the same cells and changes would.
    #[test]
    fn behaves_as_a_map_of_names_to_values() {
        let cells = [
            ("conflict_name", "Afghanistan: Government"),
            ("adm_1", "Kunar province"),
            ("source_article", ""),
            ("adm_1", "a second adm_1 cell"),
            ("where_description", "Asadabad, 5 km north; \"quoted\" €"),
        ];
        let mut extra = Extra::from_cells(cells);
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in cells {
            map.entry(k.to_string()).or_insert(v.to_string());
        }
        let same = |extra: &Extra, map: &BTreeMap<String, String>| {
            let got: Vec<(&str, &str)> = extra.iter().collect();
            let want: Vec<(&str, &str)> =
                map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            assert_eq!(got, want);
            assert_eq!(extra.len(), map.len());
            for (k, v) in map {
                assert_eq!(extra.get(k), Some(v.as_str()));
                assert!(extra.contains_key(k));
            }
        };
        same(&extra, &map);
        assert_eq!(
            extra.get("adm_1"),
            Some("Kunar province"),
            "the first cell wins"
        );
        assert_eq!(extra.get("nothing"), None);

        extra.insert("adm_1", "replaced");
        map.insert("adm_1".into(), "replaced".into());
        extra.insert("zz_last", "z");
        map.insert("zz_last".into(), "z".into());
        extra.insert_if_absent("conflict_name", "not taken");
        extra.insert_if_absent("a_first", "taken");
        map.entry("a_first".into()).or_insert("taken".into());
        same(&extra, &map);

        // Equal by cells, whatever text a replaced value left behind.
        assert_eq!(extra, Extra::from_cells(extra.iter().collect::<Vec<_>>()));
        assert_ne!(extra, Extra::new());
        let json = serde_json::to_string(&extra).unwrap();
        assert_eq!(json, serde_json::to_string(&map).unwrap());
        let back: Extra = serde_json::from_str(&json).unwrap();
        assert_eq!(back, extra);
        extra.clear();
        assert!(extra.is_empty() && extra.iter().next().is_none());
    }
}
