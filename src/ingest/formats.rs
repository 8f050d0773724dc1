//! The list of formats: which schema a header is (native, ACLED, UCDP GED full or reduced,
//! GTD), the columns each maps, and which mapper maps its rows. The one place that knows
//! every mapper; a new format is a new mapper file and a line here. The mappers themselves
//! know only the shared row toolkit ([`super::row`]).

use super::row::{Ctx, Mapped, Problem, Row};
use super::{acled, gtd, native, ucdp};
use crate::model::SourceFormat;

/// The schemas the importers understand. Two UCDP variants share one [`SourceFormat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schema {
    Native,
    Acled,
    UcdpFull,
    UcdpReduced,
    Gtd,
}

impl Schema {
    /// Recognises a schema from normalised column names. The dataset formats are checked
    /// first because they are identified by distinctive column names; native is the
    /// fallback and needs a `date` column plus at least one place column.
    pub(crate) fn detect(keys: &[String]) -> Option<Schema> {
        let has = |k: &str| keys.iter().any(|x| x == k);
        if has("event_id_cnty") && has("event_date") {
            return Some(Schema::Acled);
        }
        if has("eventid") && has("iyear") && has("imonth") && has("iday") {
            return Some(Schema::Gtd);
        }
        if has("id") && has("date_start") && has("date_end") && has("best") {
            return Some(Schema::UcdpFull);
        }
        if has("id")
            && has("year")
            && has("month")
            && has("day")
            && has("side_a")
            && has("best_death")
        {
            return Some(Schema::UcdpReduced);
        }
        let place = [
            "location",
            "latitude",
            "longitude",
            "admin1",
            "admin2",
            "country",
        ];
        if has("date") && place.iter().any(|p| has(p)) {
            return Some(Schema::Native);
        }
        None
    }

    pub(crate) fn format(self) -> SourceFormat {
        match self {
            Schema::Native => SourceFormat::Native,
            Schema::Acled => SourceFormat::Acled,
            Schema::UcdpFull | Schema::UcdpReduced => SourceFormat::UcdpGed,
            Schema::Gtd => SourceFormat::Gtd,
        }
    }

    /// The (normalised) columns this schema maps; a duplicate of one of them is ambiguous.
    pub(crate) fn mapped_columns(self) -> &'static [&'static str] {
        match self {
            Schema::Native => native::COLUMNS,
            Schema::Acled => acled::COLUMNS,
            Schema::UcdpFull => ucdp::FULL_COLUMNS,
            Schema::UcdpReduced => ucdp::REDUCED_COLUMNS,
            Schema::Gtd => gtd::COLUMNS,
        }
    }

    /// Maps one row; unmapped non-empty cells are added to `extra` (unless the reader is
    /// for an analysis only).
    pub(crate) fn map(self, row: &mut Row<'_>, ctx: &Ctx<'_>) -> Result<Mapped, Problem> {
        let mut mapped = match self {
            Schema::Native => native::map(row, ctx),
            Schema::Acled => acled::map(row, ctx),
            Schema::UcdpFull => ucdp::map_full(row, ctx),
            Schema::UcdpReduced => ucdp::map_reduced(row, ctx),
            Schema::Gtd => gtd::map(row, ctx),
        }?;
        if ctx.pass_through {
            let extra = &mut mapped.record.extra;
            if extra.is_empty() {
                *extra = row.extras();
            } else {
                for (k, v) in row.extras().iter() {
                    extra.insert_if_absent(k, v);
                }
            }
        }
        Ok(mapped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::row::normalise_key;

    #[test]
    fn detection() {
        let keys = |s: &str| s.split(',').map(normalise_key).collect::<Vec<_>>();
        assert_eq!(
            Schema::detect(&keys("id,Date, Location ")),
            Some(Schema::Native)
        );
        assert_eq!(Schema::detect(&keys("id,date")), None);
        assert_eq!(
            Schema::detect(&keys("event_id_cnty,event_date,latitude")),
            Some(Schema::Acled)
        );
        assert_eq!(
            Schema::detect(&keys("eventid,iyear,imonth,iday")),
            Some(Schema::Gtd)
        );
        assert_eq!(normalise_key("\u{feff} Event Type"), "event_type");
    }
}
