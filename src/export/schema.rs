//! The fixed schema of every layer: each field's name, type and meaning, declared here and
//! never taken from the values. A field that has no value in a run keeps its type (the
//! GeoPackage declares it; the GeoJSON writes the same properties on every feature, numbers
//! as numbers), so the layers of two runs can be merged and compared in QGIS.
//!
//! The user's own columns (those no importer maps, [`crate::model::IncidentRecord::extra`])
//! become incident fields of their own after the schema's ([`UserColumns`]): names made safe
//! and unique, typed Integer or Real when every value in the column reads as one, else Text.
//!
//! Knows field names and types; must not know how a layer is written.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// The type of a field, as declared in the GeoPackage and described in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Real,
    /// A whole number that fits 32 bits.
    Integer,
    /// A whole number beyond 32 bits (only a user's column can be one).
    Integer64,
    /// true/false (GeoJSON booleans; GeoPackage BOOLEAN, 0 or 1).
    Boolean,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
}

impl FieldType {
    /// The GeoPackage column type (the spec's names, OGC 12-128r18 table 1).
    pub fn sql(self) -> &'static str {
        match self {
            FieldType::Text => "TEXT",
            FieldType::Real => "REAL",
            // 32 bits: GDAL reads MEDIUMINT as Integer, as it types whole numbers in
            // GeoJSON, so both files have the same types.
            FieldType::Integer => "MEDIUMINT",
            FieldType::Integer64 => "INTEGER",
            FieldType::Boolean => "BOOLEAN",
            FieldType::Date => "DATE",
        }
    }

    /// The type as GDAL's `ogrinfo` names it.
    pub fn gdal(self) -> &'static str {
        match self {
            FieldType::Text => "String",
            FieldType::Real => "Real",
            FieldType::Integer => "Integer",
            FieldType::Integer64 => "Integer64",
            FieldType::Boolean => "Integer(Boolean)",
            FieldType::Date => "Date",
        }
    }

    /// The type's name in `tables_metadata.json` (as the CSV columns are described there).
    pub fn metadata(self) -> &'static str {
        match self {
            FieldType::Text => "string",
            FieldType::Real => "number",
            FieldType::Integer | FieldType::Integer64 => "integer",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
        }
    }
}

/// One field of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: Cow<'static, str>,
    pub ty: FieldType,
}

use FieldType::{Boolean as B, Date as D, Integer as I, Real as R, Text as T};

type Spec = &'static [(&'static str, FieldType)];

/// The counts and rates of a unit (border, sector, segment), in the CSV tables' names.
const TALLY_RATES: Spec = &[
    ("events_weighted", R),
    ("events_raw", R),
    ("records", I),
    ("fatalities", R),
    ("fatalities_low", R),
    ("fatalities_high", R),
    ("fatalities_unknown_events", R),
    ("wounded", R),
    ("wounded_unknown_events", R),
    ("largest_record_share", R),
    ("imprecise_events", R),
    ("aggregate_events", R),
    ("length_km", R),
    ("length_basis", T),
    ("years", R),
    ("per_100km", R),
    ("per_100km_per_year", R),
    ("ci95_low", R),
    ("ci95_high", R),
];

const HOTSPOT: Spec = &[
    ("hotspot", B),
    ("hotspot_q", R),
    ("hotspot_p", R),
    ("hotspot_expected", R),
];

/// The incident's own fields, as `geocode` writes them (the user's columns follow).
pub(crate) const INCIDENT: Spec = &[
    ("incident_id", T),
    ("date_start", D),
    ("date_end", D),
    ("date_precision", T),
    ("country", T),
    ("admin1", T),
    ("admin2", T),
    ("location", T),
    ("event_type", T),
    ("actors", T),
    ("fatalities", R),
    ("fatalities_low", R),
    ("fatalities_high", R),
    ("wounded", R),
    ("targets", T),
    ("origin", T),
    ("count", R),
    ("source", T),
    ("source_url", T),
    ("notes", T),
    ("source_format", T),
    ("source_file", T),
    ("source_line", I),
    ("gazetteer_id", T),
    ("gazetteer_name", T),
    ("province_id", T),
    ("province", T),
    ("district_id", T),
    ("district", T),
    ("locate_method", T),
    ("match_score", R),
    ("precision", T),
    ("ucdp_where_prec", I),
    ("acled_geo_precision", I),
    ("uncertainty_km", R),
    ("stretch_border", T),
    ("stretch_km_from", R),
    ("stretch_km_to", R),
    ("ambiguous", B),
    ("alternatives", T),
    ("explanation", T),
    ("possible_duplicates", T),
];

/// The analysis's placement of an incident, after its own fields in a run's layer.
pub(crate) const PLACEMENT: Spec = &[
    ("nearest_border", T),
    ("border_distance_km", R),
    ("border_km", R),
    ("border_side", T),
    ("corridor_share", R),
    ("analysis_weight", R),
    ("analysis_excluded", T),
];

/// The layers a run writes, from the top of the map down (the project's drawing order and
/// the README's), then the layer `geocode` writes.
pub const LAYERS: [&str; 10] = [
    "incidents",
    "segments",
    "sectors",
    "borders",
    "corridors",
    "density_isobands",
    "districts",
    "provinces",
    "countries",
    "incidents (geocode)",
];

/// What a layer is, one line (the GeoPackage's `gpkg_contents.description`).
pub fn layer_description(layer: &str) -> &'static str {
    match layer {
        "incidents" => "located incidents with their placement by the analysis",
        "segments" => "border segments with counts, rates per 100 km per year and hotspot tests",
        "sectors" => {
            "the stretch of each border along each province, either side, with the same figures"
        }
        "borders" => "analysed border lines with their counts and rates",
        "corridors" => "the corridor counted along each border",
        "density_isobands" => "kernel density of incidents as isobands (per 1,000 km2 per year)",
        "countries" => "countries, clipped to the region",
        "provinces" => "provinces of AF, PK and TJ and their neighbours, clipped to the region",
        "districts" => "districts of AF, PK and TJ, clipped to the region",
        _ => "",
    }
}

/// The parts of a layer's schema, in order (the user's columns excluded).
fn parts(layer: &str) -> Vec<Spec> {
    match layer {
        "countries" => vec![&[("iso_a2", T), ("name", T)]],
        "provinces" => vec![&[("province_id", T), ("name", T), ("country", T)]],
        "districts" => vec![&[
            ("district_id", T),
            ("name", T),
            ("province_id", T),
            ("country", T),
        ]],
        "density_isobands" => vec![&[("band", I), ("lo", R), ("hi", R), ("label", T)]],
        "corridors" => vec![&[
            ("border_id", T),
            ("name", T),
            ("corridor_km", R),
            ("corridor_side", T),
            ("side_country", T),
            ("area_km2", R),
            ("events_weighted", R),
            ("per_100km_per_year", R),
        ]],
        "borders" => vec![
            &[
                ("border_id", T),
                ("name", T),
                ("country_a", T),
                ("country_b", T),
                ("measured_km", R),
                ("published_km", R),
                ("published_source", T),
            ],
            TALLY_RATES,
            &[("data_start", D), ("data_end", D), ("sources", T)],
        ],
        "sectors" => vec![
            &[
                ("sector_id", T),
                ("border_id", T),
                ("province_id", T),
                ("province", T),
                ("country", T),
                ("afghan_side", B),
                ("km_from", R),
                ("km_to", R),
                ("measured_km", R),
            ],
            TALLY_RATES,
            HOTSPOT,
        ],
        "segments" => vec![
            &[
                ("segment_id", T),
                ("border_id", T),
                ("index", I),
                ("km_from", R),
                ("km_to", R),
                ("measured_km", R),
                ("provinces", T),
            ],
            TALLY_RATES,
            HOTSPOT,
        ],
        "incidents" => vec![INCIDENT, PLACEMENT],
        "incidents (geocode)" => vec![INCIDENT],
        _ => Vec::new(),
    }
}

/// The fields of `layer` (one of [`LAYERS`]) before any user column; empty for an unknown
/// layer.
pub fn fields(layer: &str) -> Vec<Field> {
    parts(layer)
        .into_iter()
        .flatten()
        .map(|&(name, ty)| Field {
            name: Cow::Borrowed(name),
            ty,
        })
        .collect()
}

/// What a field of `layer` holds, for the README and `tables_metadata.json`.
pub fn describe(layer: &str, name: &str) -> &'static str {
    if layer.starts_with("incidents") {
        match name {
            "fatalities" => return "best-estimate deaths (unknown = null, never 0)",
            "fatalities_low" | "fatalities_high" => return "low and high estimates of deaths",
            "country" => return "country as given",
            "wounded" => return "wounded (unknown = null)",
            _ => {}
        }
    } else if let Some(d) = crate::export::layers::column_description(name) {
        return d;
    }
    match name {
        "iso_a2" => "ISO 3166-1 alpha-2 country code",
        "largest_record_share" => "share of events_weighted from the largest single record",
        "imprecise_events" => "weighted events placed no better than their district",
        "aggregate_events" => "weighted events from rows that stand for several events",
        "wounded" => "wounded, apportioned; unknown counts as nothing",
        "name" => "the unit's name",
        "province_id" => "gazetteer id of the province",
        "district_id" => "gazetteer id of the district",
        "country" => "country, ISO code",
        "band" => "isoband number, 1 = lowest",
        "lo" | "hi" => "isoband limits, incidents per 1,000 km2 per year",
        "label" => "isoband limits as text",
        "border_id" => "border id (AF-TJ, AF-PK, ...)",
        "corridor_km" => "corridor half-width, km",
        "corridor_side" => "both, afghan or neighbour",
        "side_country" => "the country whose side the corridor covers (null: both sides)",
        "area_km2" => "corridor area, km2",
        "country_a" | "country_b" => "the two countries of the border",
        "measured_km" => "length as drawn (geodesic), km",
        "published_km" => "published length, km",
        "published_source" => "where the published length comes from",
        "data_start" | "data_end" => "first and last incident date counted on the border",
        "sources" => "incident sources counted on the border",
        "sector_id" => "sector id (border and province)",
        "province" => "province name",
        "afghan_side" => "true for the Afghan side of the border",
        "segment_id" => "segment id (border and index)",
        "index" => "segment number along the border from km 0",
        "provinces" => "provinces the segment runs along",
        "incident_id" => "the record's id (made from file and line when the input has none)",
        "date_start" | "date_end" => "first and last day the record can mean",
        "date_precision" => "day, month, year or span",
        "admin1" | "admin2" => "province and district as given",
        "location" => "the place text as given",
        "event_type" => "event type (native vocabulary, or as given)",
        "actors" => "who acted",
        "targets" => "against whom",
        "origin" => "launched from where",
        "count" => "how many events the row stands for",
        "source" | "source_url" | "notes" => "provenance as given",
        "source_format" => "native, acled, ucdp_ged, gtd ...",
        "source_file" | "source_line" => "where the record was read",
        "gazetteer_id" | "gazetteer_name" => "the gazetteer entry matched",
        "district" => "district name (by point in polygon)",
        "locate_method" => "how the record was placed",
        "match_score" => "name match score, 0-1",
        "precision" => "exact, near, district, province, border_zone or country",
        "ucdp_where_prec" | "acled_geo_precision" => "the precision in that dataset's codes",
        "uncertainty_km" => "radius the true place lies within, km",
        "stretch_border" | "stretch_km_from" | "stretch_km_to" => {
            "for a border-zone location: the border and its stretch, km"
        }
        "ambiguous" => "true when several places fit equally well",
        "alternatives" => "other candidate places",
        "explanation" => "why the record was placed where it is",
        "possible_duplicates" => "ids of records that may report the same event",
        "nearest_border" => "the nearest analysed border",
        "border_distance_km" => "distance to it, km",
        "border_km" => "position along it, km from its km 0",
        "border_side" => "country on whose side the incident lies",
        "corridor_share" => "share of the record inside the corridor",
        "analysis_weight" => "weight the analysis gives the record",
        "analysis_excluded" => "why the analysis left the record out (null: counted)",
        _ => "",
    }
}

/// The user's own columns of a set of records, as incident fields: in name order, each
/// with its original column name, its field name and type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserColumns {
    /// (column name as read, field), by column name (`incidents::user_cells` relies on
    /// it).
    pub columns: Vec<(String, Field)>,
}

/// The type a user's column needs once it holds `v` as well as values needing `now`.
fn widened(now: FieldType, v: &str) -> FieldType {
    let real = || v.parse::<f64>().is_ok_and(f64::is_finite);
    match now {
        I | FieldType::Integer64 => match v.parse::<i64>() {
            Ok(i) if now == I && i32::try_from(i).is_ok() => I,
            Ok(_) => FieldType::Integer64,
            Err(_) if real() => R,
            Err(_) => T,
        },
        R if real() => R,
        _ => T,
    }
}

/// The wider of two types of a user's column (Integer < Integer64 < Real < Text).
fn widest(a: FieldType, b: FieldType) -> FieldType {
    let rank = |t: FieldType| match t {
        I => 0,
        FieldType::Integer64 => 1,
        R => 2,
        _ => 3,
    };
    if rank(a) >= rank(b) { a } else { b }
}

impl UserColumns {
    /// The columns of `extras` (each record's `extra`), named clear of `taken` (the
    /// layer's schema fields). A column is Integer when every value reads as a whole number
    /// (Integer64 when one needs more than 32 bits), Real when every value reads as a
    /// number, Text otherwise; empty cells do not count.
    pub fn of<'a>(
        extras: impl rayon::iter::ParallelIterator<Item = &'a crate::model::Extra>,
        taken: &[Field],
    ) -> UserColumns {
        use rayon::iter::ParallelIterator;
        // A column's type is the widest its values need (Integer < Integer64 < Real < Text),
        // whatever their order: worked out over the incidents in parallel, then joined (a
        // pass over 500,000 UCDP rows' 35 columns took 0.8 s on one core, before any layer
        // could be written).
        let kinds: BTreeMap<&str, FieldType> = extras
            .fold(
                BTreeMap::new,
                |mut kinds: BTreeMap<&str, FieldType>, extra| {
                    for (k, v) in extra.iter() {
                        let v = v.trim();
                        if v.is_empty() {
                            continue;
                        }
                        let kind = kinds.entry(k).or_insert(I);
                        *kind = widened(*kind, v);
                    }
                    kinds
                },
            )
            .reduce(BTreeMap::new, |mut a, b| {
                for (k, kind) in b {
                    a.entry(k)
                        .and_modify(|t| *t = widest(*t, kind))
                        .or_insert(kind);
                }
                a
            });
        let mut used: BTreeSet<String> = taken.iter().map(|f| f.name.to_lowercase()).collect();
        let columns = kinds
            .into_iter()
            .map(|(k, ty)| {
                let base = safe_name(k);
                let mut name = base.clone();
                let mut n = 2;
                while used.contains(&name) {
                    name = format!("{base}_{n}");
                    n += 1;
                }
                used.insert(name.clone());
                (
                    k.to_string(),
                    Field {
                        name: Cow::Owned(name),
                        ty,
                    },
                )
            })
            .collect();
        UserColumns { columns }
    }

    /// The fields, in order.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.columns.iter().map(|(_, f)| f)
    }
}

/// A column name as a field name any GIS and SQL accepts unquoted: ASCII (transliterated),
/// lower case, letters, digits and single underscores, not starting with a digit, at most
/// 60 characters; `column` when nothing is left.
pub fn safe_name(s: &str) -> String {
    let mut out = String::new();
    for c in deunicode::deunicode(s).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let mut out = out.trim_end_matches('_').to_string();
    out.truncate(60);
    if out.is_empty() {
        out = "column".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "c_");
    }
    out
}

/// The schema as one Markdown table (field, type, layers, meaning), as the README lists
/// it: one row per field, meaning and type, with the layers that carry it.
pub fn markdown_table() -> String {
    let mut rows: Vec<(String, FieldType, &'static str, Vec<&str>)> = Vec::new();
    for layer in LAYERS.iter().filter(|l| !l.contains(' ')) {
        for f in fields(layer) {
            let d = describe(layer, &f.name);
            match rows
                .iter_mut()
                .find(|r| r.0 == f.name && r.1 == f.ty && r.2 == d)
            {
                Some(r) => r.3.push(layer),
                None => rows.push((f.name.to_string(), f.ty, d, vec![layer])),
            }
        }
    }
    let mut s = String::from("| field | type | layers | what it holds |\n|---|---|---|---|\n");
    for (name, ty, d, layers) in rows {
        s.push_str(&format!(
            "| `{name}` | {} | {} | {d} |\n",
            ty.gdal(),
            layers.join(", ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_the_schema() {
        let readme = include_str!("../../README.md");
        let table = markdown_table();
        if !readme.contains(&table) {
            panic!("README.md should hold this table (the layers' fields):\n{table}");
        }
    }

    /// Typed in parallel, a column gets the type the values give read one after another
    /// (each value's rule applied to the type so far), whatever the values' order.
    #[test]
    fn user_columns_typed_in_parallel_match_the_values_read_in_order() {
        let pool = [
            "1",
            "-5",
            "2147483648",
            "-2147483649",
            "9223372036854775808",
            "1.5",
            "1e3",
            "NaN",
            "inf",
            "abc",
            " 7 ",
            "",
            "0x10",
            "3.",
        ];
        let sequential = |values: &[&str]| -> Option<FieldType> {
            let mut now: Option<FieldType> = None;
            for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                let n = now.unwrap_or(I);
                now = Some(match (n, v.parse::<i64>()) {
                    (I, Ok(i)) if i32::try_from(i).is_ok() => I,
                    (I | FieldType::Integer64, Ok(_)) => FieldType::Integer64,
                    (I | FieldType::Integer64 | R, _)
                        if v.parse::<f64>().is_ok_and(f64::is_finite) =>
                    {
                        R
                    }
                    _ => T,
                });
            }
            now
        };
        let mut next = crate::geo_util::test_uniform(11);
        for _ in 0..300 {
            let n = 1 + (next() * 3000.0) as usize;
            // Mostly one kind of value per column, with now and then another.
            let columns: Vec<Vec<&str>> = (0..4)
                .map(|_| {
                    let usual = pool[(next() * pool.len() as f64) as usize];
                    (0..n)
                        .map(|_| {
                            if next() < 0.002 {
                                pool[(next() * pool.len() as f64) as usize]
                            } else {
                                usual
                            }
                        })
                        .collect()
                })
                .collect();
            let rows: Vec<crate::model::Extra> = (0..n)
                .map(|i| {
                    crate::model::Extra::from_cells(
                        ["a", "b", "c", "d"]
                            .iter()
                            .zip(&columns)
                            .map(|(name, values)| (*name, values[i])),
                    )
                })
                .collect();
            let u = UserColumns::of(
                rayon::iter::IntoParallelRefIterator::par_iter(&rows),
                &fields("incidents"),
            );
            let got: Vec<(&str, FieldType)> =
                u.columns.iter().map(|(k, f)| (k.as_str(), f.ty)).collect();
            let want: Vec<(&str, FieldType)> = ["a", "b", "c", "d"]
                .iter()
                .zip(&columns)
                .filter_map(|(name, values)| sequential(values).map(|t| (*name, t)))
                .collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn user_columns_are_typed_by_every_value_and_named_clear_of_the_schema() {
        let rows: Vec<crate::model::Extra> = [
            vec![
                ("Verified?", "yes"),
                ("Casualties (est.)", "3"),
                ("event_type", "x"),
            ],
            vec![
                ("Casualties (est.)", "4.5"),
                ("Rank", "2"),
                ("EVENT TYPE", "y"),
            ],
            vec![("Rank", " 7 "), ("Verified?", ""), ("Big", "123456789012")],
        ]
        .iter()
        .map(|r| crate::model::Extra::from_cells(r.iter().copied()))
        .collect();
        let u = UserColumns::of(
            rayon::iter::IntoParallelRefIterator::par_iter(&rows),
            &fields("incidents"),
        );
        let got: Vec<(&str, &str, FieldType)> = u
            .columns
            .iter()
            .map(|(k, f)| (k.as_str(), f.name.as_ref(), f.ty))
            .collect();
        assert_eq!(
            got,
            [
                ("Big", "big", FieldType::Integer64),
                ("Casualties (est.)", "casualties_est", R),
                ("EVENT TYPE", "event_type_2", T),
                ("Rank", "rank", I),
                ("Verified?", "verified", T),
                ("event_type", "event_type_3", T),
            ]
        );
    }

    #[test]
    fn safe_names() {
        assert_eq!(safe_name("Reporter notes"), "reporter_notes");
        assert_eq!(safe_name("1st source"), "c_1st_source");
        assert_eq!(safe_name("Дата"), "data");
        assert_eq!(safe_name("??"), "column");
    }

    #[test]
    fn every_layer_has_its_schema_and_every_field_a_description() {
        for l in LAYERS {
            let f = fields(l);
            assert!(!f.is_empty(), "{l}");
            let names: BTreeSet<&str> = f.iter().map(|f| f.name.as_ref()).collect();
            assert_eq!(names.len(), f.len(), "{l}: unique names");
            for x in &f {
                assert!(!describe(l, &x.name).is_empty(), "{l}.{}", x.name);
            }
        }
    }
}
