//! A table's header: its column names trimmed and made unique, their normalised keys, the
//! schema they show ([`super::formats`]), the native columns taken under other names
//! ([`super::columns`]), and how the date column's numeric dates are read. Every reader
//! builds one before it reads rows.

use super::columns;
use super::date_order;
use super::formats::Schema;
use super::row::{KeyIndex, column_of, normalise_key};
use super::{DateOrder, IngestError, IngestOptions};

/// The names, normalised keys and schema of a table's columns.
pub(crate) struct Header {
    pub schema: Schema,
    pub names: Vec<String>,
    pub keys: Vec<String>,
    /// `keys` indexed (see [`KeyIndex`]); `None` for a JSON object's own header.
    pub index: Option<KeyIndex>,
    /// The columns in the order of their names (a stable sort: of equal names, the first
    /// first), so that a row's pass-through cells need no sorting
    /// ([`crate::model::Extra::from_ordered_cells`]); `None` for a JSON object's own header.
    pub name_order: Option<Vec<u32>>,
    /// How numeric dates in the date column are read (decided from the values, or given).
    pub date_order: Option<DateOrder>,
    /// For native files: which column was taken for what (see [`columns`]).
    pub taken: Option<columns::Taken>,
}

/// The indices of `names` in name order, equal names in column order.
fn name_order(names: &[String]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
    order
}

impl Header {
    /// Builds the header: trims names, names empty ones `column_N`, detects the schema
    /// (`fallback` when nothing matches, e.g. Native for GeoJSON), refuses duplicates of
    /// mapped columns and renames duplicates of pass-through columns (`name (2)`) so neither
    /// value is lost from `extra`. For a native file, the names people use (`Place`,
    /// `Killed`) and `--columns` are mapped onto the native columns.
    pub(crate) fn new(
        file: &str,
        raw: &[String],
        fallback: Option<Schema>,
        opts: &IngestOptions,
    ) -> Result<Header, IngestError> {
        let mut names: Vec<String> = raw
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let n = n.trim().trim_start_matches('\u{feff}').trim();
                if n.is_empty() {
                    format!("column_{}", i + 1)
                } else {
                    n.to_string()
                }
            })
            .collect();
        let mut keys: Vec<String> = names.iter().map(|n| normalise_key(n)).collect();
        let detected = Schema::detect(&keys);
        let mut taken = None;
        let schema = match detected {
            Some(s) if s != Schema::Native => s,
            _ => {
                let mut mapped_keys = keys.clone();
                let t = columns::map_native(&names, &mut mapped_keys, &opts.columns);
                match Schema::detect(&mapped_keys).or(detected).or(fallback) {
                    Some(Schema::Native) => {
                        taken = Some(t);
                        Schema::Native
                    }
                    Some(other) => other,
                    None => {
                        return Err(IngestError::UnknownFormat {
                            file: file.to_string(),
                            header: names.clone(),
                        });
                    }
                }
            }
        };
        let mapped = schema.mapped_columns();
        for i in 0..keys.len() {
            let earlier = keys.iter().take(i).filter(|k| **k == keys[i]).count();
            if earlier == 0 {
                continue;
            }
            if mapped.contains(&keys[i].as_str()) {
                return Err(IngestError::DuplicateColumn {
                    file: file.to_string(),
                    column: names[i].clone(),
                });
            }
            names[i] = format!("{} ({})", names[i], earlier + 1);
            keys[i] = normalise_key(&names[i]);
        }
        if taken.is_some() {
            taken = Some(columns::map_native(&names, &mut keys, &opts.columns));
        }
        let name_order = name_order(&names);
        Ok(Header {
            schema,
            names,
            index: Some(KeyIndex::new(&keys)),
            name_order: Some(name_order),
            keys,
            date_order: opts.date_order,
            taken,
        })
    }

    /// The key of the column holding a whole date, when the schema has one.
    pub(crate) fn date_key(&self) -> Option<&'static str> {
        match self.schema {
            Schema::Native => Some("date"),
            Schema::Acled => Some("event_date"),
            _ => None,
        }
    }

    /// Decides how numeric dates are read from the date column's `values` (all of them, or
    /// the first rows of a long file), unless `--date-order` said; returns a note for the
    /// user, or a warning when the column does not settle it.
    pub(crate) fn settle_date_order<'v>(
        &mut self,
        opts: &IngestOptions,
        values: impl Iterator<Item = &'v str>,
    ) -> (Option<String>, Option<String>) {
        let Some(key) = self.date_key() else {
            return (None, None);
        };
        let Some(col) = self.column(key) else {
            return (None, None);
        };
        let mut votes = date_order::Votes::default();
        for v in values {
            votes.add(v);
        }
        date_order::settle(self, &self.names[col].clone(), &votes, opts.date_order)
    }

    /// The index of a column, by key.
    pub(crate) fn column(&self, key: &str) -> Option<usize> {
        column_of(&self.keys, self.index.as_ref(), key)
    }
}
