//! The question users bring: is one border's incident rate really higher than another's?
//! Each border's rate per 100 km per year with its exact 95% interval, the rate ratio with
//! its exact conditional interval, and plain warnings where the data are not comparable.

use super::stats::{poisson_ci, rate_ratio};
use super::{Analysis, BorderResult};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct BorderRate {
    pub border_id: String,
    pub events: f64,
    pub length_km: f64,
    pub length_basis: String,
    pub measured_km: f64,
    pub published_km: Option<f64>,
    pub years: Option<f64>,
    pub rate_per_100km_year: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub data_start: Option<String>,
    pub data_end: Option<String>,
    /// Each source's share of the border's weighted count (events, or fatalities with
    /// `--weight fatalities`; see [`super::source_label`]).
    pub sources: BTreeMap<String, f64>,
    /// Share of the events from district-level or coarser locations.
    pub imprecise_share: f64,
    /// Share of the events from aggregate rows (count > 1).
    pub aggregate_share: f64,
    /// Share of the events from the single largest record.
    pub largest_record_share: f64,
    /// Each side's share of the border's weighted count (the country its points lie in).
    pub sides: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: BorderRate,
    pub b: BorderRate,
    /// Whether the data can carry a comparison at all: both borders have records in their
    /// corridors and the inputs cover a country on each. When not, `ratio` and its
    /// interval are `None` and `not_comparable` says why.
    pub comparable: bool,
    pub not_comparable: Vec<String>,
    /// Rate of `a` ÷ rate of `b`, with its 95% interval.
    pub ratio: Option<f64>,
    pub ratio_low: Option<f64>,
    pub ratio_high: Option<f64>,
    pub warnings: Vec<String>,
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

fn border_rate(r: &BorderResult) -> BorderRate {
    let t = &r.tally;
    let (lo, hi) = poisson_ci(t.events_weighted, 0.95);
    let exposure = r.rates.years.map(|y| r.rates.length_km / 100.0 * y);
    BorderRate {
        border_id: r.border.id.clone(),
        events: t.events_weighted,
        length_km: r.rates.length_km,
        length_basis: r.rates.length_basis.as_str().to_string(),
        measured_km: r.border.measured_km,
        published_km: r.border.published_km,
        years: r.rates.years,
        rate_per_100km_year: r.rates.per_100km_per_year,
        ci_low: exposure.map(|e| lo / e),
        ci_high: exposure.map(|e| hi / e),
        data_start: r.data_span.map(|s| s.0.to_string()),
        data_end: r.data_span.map(|s| s.1.to_string()),
        sources: r
            .sources
            .iter()
            .map(|(name, w)| (name.clone(), share(*w, t.events_weighted)))
            .collect(),
        imprecise_share: share(t.imprecise_events, t.events_weighted),
        aggregate_share: share(t.aggregate_events, t.events_weighted),
        largest_record_share: share(t.largest_record_share, t.events_weighted),
        sides: r
            .sides
            .iter()
            .map(|(side, w)| (side.clone(), share(*w, t.events_weighted)))
            .collect(),
    }
}

/// A border's source mix for a warning: the largest four sources with their shares, each
/// name clipped to 80 characters, then what the rest add up to.
fn mix(sources: &BTreeMap<String, f64>) -> String {
    const SHOWN: usize = 4;
    const WIDTH: usize = 80;
    let mut by_share: Vec<(&String, f64)> = sources.iter().map(|(n, s)| (n, *s)).collect();
    by_share.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(y.0)));
    let mut parts: Vec<String> = by_share
        .iter()
        .take(SHOWN)
        .map(|(name, share)| {
            let name = match name.char_indices().nth(WIDTH) {
                Some((cut, _)) => format!("{}…", name[..cut].trim_end()),
                None => name.to_string(),
            };
            if *share > 0.0 && *share < 0.005 {
                format!("{name} <1%")
            } else {
                format!("{name} {:.0}%", share * 100.0)
            }
        })
        .collect();
    if by_share.len() > SHOWN {
        let rest: f64 = by_share[SHOWN..].iter().map(|x| x.1).sum();
        parts.push(format!(
            "{} more {:.0}%",
            by_share.len() - SHOWN,
            rest * 100.0
        ));
    }
    parts.join(", ")
}

/// The largest difference between two borders' shares of any one source.
fn largest_share_gap(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> f64 {
    a.keys()
        .chain(b.keys())
        .map(|k| (a.get(k).unwrap_or(&0.0) - b.get(k).unwrap_or(&0.0)).abs())
        .fold(0.0, f64::max)
}

/// Two borders' counts whose source mixes differ by more than this share of either count are
/// not measured alike: a tenth of one count from a source the other border barely has can
/// move the ratio by more than its interval allows for once counts are in the hundreds.
const SOURCE_GAP: f64 = 0.10;

/// Why two border ids cannot be compared: a usage error, refused before any figure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    #[error("{0} given twice: compare two different borders (e.g. AF-TJ AF-PK)")]
    SameBorder(String),
    #[error("unknown border {}: the borders are {}", .unknown.join(" and "), .valid.join(", "))]
    UnknownBorder {
        unknown: Vec<String>,
        valid: Vec<String>,
    },
    #[error("{} not analysed (--borders {}): add to --borders what you compare", .missing.join(" and "), .selected.join(","))]
    NotSelected {
        missing: Vec<String>,
        selected: Vec<String>,
    },
}

/// Checks a pair of border ids against the borders there are (`valid`) and, when the
/// analysis is restricted to some (`selected`, empty for all), against those.
pub fn check_pair(a: &str, b: &str, valid: &[&str], selected: &[String]) -> Result<(), PairError> {
    if a.eq_ignore_ascii_case(b) {
        return Err(PairError::SameBorder(a.to_string()));
    }
    let known = |id: &str| valid.iter().any(|v| v.eq_ignore_ascii_case(id));
    let unknown: Vec<String> = [a, b]
        .into_iter()
        .filter(|id| !known(id))
        .map(String::from)
        .collect();
    if !unknown.is_empty() {
        return Err(PairError::UnknownBorder {
            unknown,
            valid: valid.iter().map(|v| v.to_string()).collect(),
        });
    }
    let missing: Vec<String> = [a, b]
        .into_iter()
        .filter(|id| !selected.is_empty() && !selected.iter().any(|s| s.eq_ignore_ascii_case(id)))
        .map(String::from)
        .collect();
    if !missing.is_empty() {
        return Err(PairError::NotSelected {
            missing,
            selected: selected.to_vec(),
        });
    }
    Ok(())
}

/// Below this share of a border's events a side does not count as covered, for the
/// coverage warning.
const SIDE_COVERED: f64 = 0.05;

/// Why a border cannot carry a comparison, if it cannot: no record in its corridor, or
/// inputs that hold no record in either of its countries.
fn not_comparable(r: &BorderResult, analysis: &Analysis) -> Vec<String> {
    let mut why = Vec::new();
    let id = &r.border.id;
    if r.tally.records == 0 || r.tally.events_weighted <= 0.0 {
        why.push(format!(
            "{id} has no record in its corridor ({} km{})",
            analysis.options.corridor_km,
            match analysis.options.corridor_side {
                super::assign::CorridorSide::Both => " either side".to_string(),
                side => format!(", {} side", side_word(side)),
            }
        ));
    }
    let countries: Vec<&str> = [&r.border.country_a, &r.border.country_b]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let covered = |c: &str| analysis.countries.get(c).is_some_and(|w| *w > 0.0);
    if countries.len() == 2 && !countries.iter().any(|c| covered(c)) {
        let held: Vec<&str> = analysis
            .countries
            .iter()
            .filter(|(_, w)| **w > 0.0)
            .map(|(c, _)| c.as_str())
            .collect();
        why.push(format!(
            "the inputs hold no record in {} or {}, the countries either side of {id}{}",
            countries[0],
            countries[1],
            if held.is_empty() {
                String::new()
            } else {
                format!(" (their records lie in {})", held.join(", "))
            }
        ));
    }
    why
}

fn side_word(side: super::assign::CorridorSide) -> &'static str {
    match side {
        super::assign::CorridorSide::Both => "both",
        super::assign::CorridorSide::Afghan => "Afghan",
        super::assign::CorridorSide::Neighbour => "neighbour's",
    }
}

/// A border's sides as covered, for the coverage warning: those holding at least
/// [`SIDE_COVERED`] of its events, with their shares.
fn covered_sides(x: &BorderRate) -> Vec<(&str, f64)> {
    x.sides
        .iter()
        .filter(|(_, s)| **s >= SIDE_COVERED)
        .map(|(c, s)| (c.as_str(), *s))
        .collect()
}

fn sides_text(sides: &[(&str, f64)]) -> String {
    sides
        .iter()
        .map(|(c, s)| format!("{c} {:.0}%", s * 100.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compares two analysed borders. The ids must name two different analysed borders
/// ([`check_pair`]).
pub fn compare(analysis: &Analysis, a: &str, b: &str) -> Result<Comparison, PairError> {
    let ids: Vec<&str> = analysis
        .borders
        .iter()
        .map(|r| r.border.id.as_str())
        .collect();
    check_pair(a, b, &ids, &[])?;
    let find = |id: &str| {
        analysis
            .borders
            .iter()
            .find(|r| r.border.id.eq_ignore_ascii_case(id))
            .expect("checked above")
    };
    let (ra, rb) = (find(a), find(b));
    let mut why_not = not_comparable(ra, analysis);
    why_not.extend(not_comparable(rb, analysis));
    let (ba, bb) = (border_rate(ra), border_rate(rb));
    let mut warnings = Vec::new();
    let (ratio, ratio_low, ratio_high) = match (ra.rates.years, rb.rates.years) {
        _ if !why_not.is_empty() => (None, None, None),
        (Some(ya), Some(yb)) => {
            let (r, lo, hi) = rate_ratio(
                ba.events,
                ba.length_km / 100.0 * ya,
                bb.events,
                bb.length_km / 100.0 * yb,
                0.95,
            );
            (
                Some(r).filter(|v| v.is_finite()),
                Some(lo),
                Some(hi).filter(|v| v.is_finite()),
            )
        }
        _ => {
            warnings.push("no dates: rates per year cannot be computed".into());
            (None, None, None)
        }
    };
    for x in [&ba, &bb] {
        // A border with nothing in its corridor is said under "not comparable".
        if x.events < 10.0 && x.events > 0.0 {
            warnings.push(format!(
                "{} has only {:.1} events in the corridor: its interval is wide and the ratio is fragile",
                x.border_id, x.events
            ));
        }
        if x.largest_record_share > 0.5 {
            warnings.push(format!(
                "one record makes up {:.0}% of {}'s count{}",
                x.largest_record_share * 100.0,
                x.border_id,
                if x.aggregate_share > 0.5 {
                    " (an aggregate row, not individual events)"
                } else {
                    ""
                }
            ));
        } else if x.aggregate_share > 0.25 {
            warnings.push(format!(
                "{:.0}% of {}'s count comes from aggregate rows",
                x.aggregate_share * 100.0,
                x.border_id
            ));
        }
    }
    if (ba.imprecise_share - bb.imprecise_share).abs() > 0.3
        || ba.imprecise_share.max(bb.imprecise_share) > 0.5
    {
        warnings.push(format!(
            "precision differs: {:.0}% of {}'s events and {:.0}% of {}'s are located only to a district, province, border zone or country",
            ba.imprecise_share * 100.0,
            ba.border_id,
            bb.imprecise_share * 100.0,
            bb.border_id
        ));
    }
    if let (Some(sa), Some(sb)) = (ra.data_span, rb.data_span) {
        let overlap = (sa.1.days_since_epoch().min(sb.1.days_since_epoch())
            - sa.0.days_since_epoch().max(sb.0.days_since_epoch())
            + 1)
        .max(0) as f64;
        let union = (sa.1.days_since_epoch().max(sb.1.days_since_epoch())
            - sa.0.days_since_epoch().min(sb.0.days_since_epoch())
            + 1) as f64;
        if overlap / union < 0.75 {
            warnings.push(format!(
                "the data cover different periods: {} {} to {}, {} {} to {}; both rates use the analysis window",
                ba.border_id, sa.0, sa.1, bb.border_id, sb.0, sb.1
            ));
        }
    }
    let gap = largest_share_gap(&ba.sources, &bb.sources);
    // Under ten events a border's mix is a handful of records: its own warning says so.
    if ba.events >= 10.0 && bb.events >= 10.0 && gap > SOURCE_GAP {
        warnings.push(format!(
            "the sources differ (one source's share differs by {:.0} points): {} from {}; {} from {}",
            gap * 100.0,
            ba.border_id,
            mix(&ba.sources),
            bb.border_id,
            mix(&bb.sources)
        ));
    }
    // Both borders with enough events, but one's events on both sides and the other's on
    // one side only: the inputs may not report both countries alike.
    let (sa, sb) = (covered_sides(&ba), covered_sides(&bb));
    if ba.events >= 10.0 && bb.events >= 10.0 && sa.len() != sb.len() {
        warnings.push(format!(
            "the countries covered differ: {}'s events lie {} ({}), {}'s {} ({}); that may be where incidents happen or what the inputs report",
            ba.border_id,
            if sa.len() > 1 { "on both sides" } else { "on one side only" },
            sides_text(&sa),
            bb.border_id,
            if sb.len() > 1 { "on both sides" } else { "on one side only" },
            sides_text(&sb),
        ));
    }
    let basis_note = match (ba.published_km, bb.published_km) {
        (Some(pa), Some(pb)) if ba.length_basis == "measured" => format!(
            "lengths are measured on the line as drawn ({:.0} and {:.0} km); published lengths ({pa:.0}, {pb:.0} km) would change the rates by {:+.0}% and {:+.0}%",
            ba.measured_km,
            bb.measured_km,
            (ba.measured_km / pa - 1.0) * 100.0,
            (bb.measured_km / pb - 1.0) * 100.0
        ),
        _ => format!("lengths: {} basis", ba.length_basis),
    };
    warnings.push(basis_note);
    warnings.push(
        "intervals treat the apportioned counts as Poisson; they do not include the uncertainty of where imprecise events happened".into(),
    );
    if analysis.options.weight == super::WeightBy::Fatalities {
        warnings.push(
            "weighted by fatalities: deaths come in clusters (one event, many deaths), not one by one as a Poisson count assumes, so the intervals are too narrow; compare event counts for the intervals".into(),
        );
    }
    Ok(Comparison {
        a: ba,
        b: bb,
        comparable: why_not.is_empty(),
        not_comparable: why_not,
        ratio,
        ratio_low,
        ratio_high,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::density::source_label;

    fn mix_of(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(n, s)| (n.to_string(), *s)).collect()
    }

    #[test]
    fn sources_count_by_dataset_not_by_outlet() {
        // UCDP GED's source names the outlets after a ';': the dataset is what comes before.
        assert_eq!(
            source_label("ucdp_ged", Some("UCDP GED; Xinhua News Agency;Dawn")),
            ("ucdp_ged", Some("UCDP GED"))
        );
        assert_eq!(
            source_label("ucdp_ged", Some("UCDP GED (reduced subset)")),
            ("ucdp_ged", Some("UCDP GED (reduced subset)"))
        );
        // ACLED's source lists outlets only.
        assert_eq!(source_label("acled", Some("Dawn; Xinhua")), ("acled", None));
        // A native list's source is who reported the incident, kept whole.
        assert_eq!(
            source_label("native", Some("Tajik MFA; TOLOnews")),
            ("native", Some("Tajik MFA; TOLOnews"))
        );
    }

    #[test]
    fn a_source_mix_gap_over_a_tenth_is_flagged_and_listed_briefly() {
        let same = mix_of(&[("ucdp_ged: UCDP GED", 1.0)]);
        let close = mix_of(&[("ucdp_ged: UCDP GED", 0.95), ("acled", 0.05)]);
        let far = mix_of(&[("ucdp_ged: UCDP GED", 0.85), ("acled", 0.15)]);
        assert!((largest_share_gap(&same, &close) - 0.05).abs() < 1e-12);
        assert!(largest_share_gap(&same, &close) <= SOURCE_GAP);
        assert!(largest_share_gap(&same, &far) > SOURCE_GAP);
        let long = "native: ".to_string() + &"x".repeat(200);
        let many = mix_of(&[
            ("a", 0.3),
            ("b", 0.2),
            ("c", 0.2),
            ("d", 0.1),
            ("e", 0.1),
            ("f", 0.05),
            (long.as_str(), 0.05),
        ]);
        let text = mix(&many);
        assert_eq!(text, "a 30%, b 20%, c 20%, d 10%, 3 more 20%");
        assert_eq!(mix(&mix_of(&[("a", 0.998), ("b", 0.002)])), "a 100%, b <1%");
        let text = mix(&mix_of(&[(long.as_str(), 1.0)]));
        assert!(
            text.ends_with("… 100%") && text.chars().count() < 90,
            "{text}"
        );
    }

    #[test]
    fn a_pair_names_two_different_known_borders() {
        let valid = ["AF-PK", "AF-TJ"];
        assert_eq!(check_pair("AF-TJ", "af-pk", &valid, &[]), Ok(()));
        assert_eq!(
            check_pair("AF-TJ", "af-tj", &valid, &[]),
            Err(PairError::SameBorder("AF-TJ".into()))
        );
        let e = check_pair("AF-TJ", "AF-PKK", &valid, &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown border AF-PKK: the borders are AF-PK, AF-TJ"
        );
        let e = check_pair("AF-TJ", "AF-PK", &valid, &["AF-TJ".into()]).unwrap_err();
        assert!(e.to_string().starts_with("AF-PK not analysed"), "{e}");
    }
}
