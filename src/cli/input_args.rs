//! How to read the user's own files: the column names, date order and sheet they use.
//! Shared by every subcommand that reads incident files.

use crate::ingest::DateOrder;
use crate::pipeline::Reading;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Your names for native columns the built-in list does not know, e.g.
    /// `date=Datum,location=Ort,fatalities=Tote` (native=yours, comma-separated).
    #[arg(long, value_name = "NATIVE=YOURS,...", value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// How numeric dates (06/09/2023) are read when their column does not settle it:
    /// dmy (day first), mdy (month first) or ymd; wins over what the values suggest.
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrder>,
    /// The sheet of an .xlsx or .ods workbook to read [default: the first].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Your own places (CSV: name, aliases, lat, lon, kind, country, admin1, admin2,
    /// radius_km, source), added to the shipped gazetteer and found before its entries.
    #[arg(long, value_name = "FILE")]
    pub places: Option<std::path::PathBuf>,
}

impl InputArgs {
    /// The reading settings these flags give.
    pub fn reading(&self) -> Reading {
        Reading {
            columns: self.columns.clone(),
            date_order: self.date_order,
            sheet: self.sheet.clone(),
            places: self.places.clone(),
        }
    }
}
