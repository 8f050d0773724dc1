//! The last resort of placing by name: a record whose place text was not found (or that gave
//! none) is placed at its stated district, province or country, flagged for review, its
//! radius reaching a place of the name just outside the district; and every answer widened
//! to the precision the source itself states.

use super::default_radius_km;
use super::names::{JustOutside, PLACE_POSITION_KM, location_from_entry};
use super::units::Context;
use crate::model::{IncidentRecord, LocateMethod, Location, PrecisionClass, Review, ReviewKind};
use std::sync::Arc;

/// The record's stated unit as its location, when its place text was not found (or it gave
/// none): the district, else the province, else the country.
pub(super) fn fall_back(
    ctx: &Context<'_>,
    r: &IncidentRecord,
    text_tried: Option<&str>,
    candidates: Vec<String>,
    just_outside: Option<JustOutside>,
) -> Option<Location> {
    if ctx.district.is_none()
        && let (Some(seat), Some(province)) = (ctx.district_seat, ctx.province)
    {
        return Some(at_district_seat(
            ctx, r, text_tried, candidates, seat, province,
        ));
    }
    let (unit, method, field) = if let Some(d) = ctx.district {
        (d, LocateMethod::FallbackDistrict, "admin2")
    } else if let Some(p) = ctx.province {
        (p, LocateMethod::FallbackProvince, "admin1")
    } else {
        (ctx.country?, LocateMethod::FallbackCountry, "country")
    };
    let written = match field {
        "admin2" => r.admin2.as_deref(),
        "admin1" => r.admin1.as_deref(),
        _ => r.country.as_deref(),
    }
    .unwrap_or("");
    let mut loc = location_from_entry(unit, 1.0, written, false);
    loc.method = method;
    let mut why = Vec::new();
    if let Some(t) = text_tried {
        why.push(format!(
            "location {t:?} was not found in {}{}",
            unit.name,
            if candidates.is_empty() {
                String::new()
            } else {
                " (places of that name lie outside it)".to_string()
            }
        ));
    }
    why.extend(ctx.not_found.iter().cloned());
    // A place of the name just outside the district: the radius reaches it.
    let reach = just_outside
        .as_ref()
        .filter(|_| method == LocateMethod::FallbackDistrict)
        .map(|j| (((j.km + PLACE_POSITION_KM) * 10.0).ceil() / 10.0, j))
        .filter(|(cover, _)| *cover > loc.radius_km);
    let placed = match reach {
        Some((cover, j)) => {
            loc.radius_km = cover;
            format!(
                "placed at {} {} [{}] with radius {cover} km, wide enough to take in {}, a place of that name just outside it",
                unit.kind, unit.name, unit.country, j.described
            )
        }
        None => format!(
            "placed at {} {} [{}] with radius {} km",
            unit.kind, unit.name, unit.country, unit.radius_km
        ),
    };
    loc.explanation = if why.is_empty() {
        format!(
            "{field} {written:?} is {} {}: {placed}",
            unit.kind, unit.name
        )
    } else {
        format!("{}: {placed}", why.join("; "))
    }
    .into();
    if text_tried.is_some() || !ctx.not_found.is_empty() {
        loc.review = Some(Arc::new(Review {
            kind: match method {
                LocateMethod::FallbackDistrict => ReviewKind::District,
                LocateMethod::FallbackProvince => ReviewKind::Province,
                _ => ReviewKind::Country,
            },
            tried: text_tried
                .map(|t| format!("location={t}"))
                .unwrap_or_else(|| {
                    [
                        ("admin2", r.admin2.as_deref()),
                        ("admin1", r.admin1.as_deref()),
                    ]
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
                    .collect::<Vec<_>>()
                    .join("; ")
                }),
            why: why.join("; "),
            candidates,
        }));
    }
    Some(loc)
}

/// A stated district the gazetteer lacks, placed at the town it is named after
/// ([`super::units::Context::district_seat`]). Its outline is unknown, so the radius covers
/// the whole stated province from the town: every point of the province lies within the
/// province's radius of its own point, so within that radius plus the town's distance from it.
fn at_district_seat(
    ctx: &Context<'_>,
    r: &IncidentRecord,
    text_tried: Option<&str>,
    candidates: Vec<String>,
    seat: &crate::model::GazetteerEntry,
    province: &crate::model::GazetteerEntry,
) -> Location {
    let written = r.admin2.as_deref().unwrap_or("");
    let mut loc = location_from_entry(seat, 1.0, written, false);
    loc.method = LocateMethod::FallbackDistrict;
    let cover =
        province.radius_km + crate::geo_util::km(seat.lon, seat.lat, province.lon, province.lat);
    loc.radius_km = (cover * 10.0).ceil() / 10.0;
    loc.precision = loc.precision.max(PrecisionClass::Province);
    let mut why = Vec::new();
    if let Some(t) = text_tried {
        why.push(format!("location {t:?} was not found in {}", province.name));
    }
    why.extend(ctx.not_found.iter().cloned());
    let placed = format!(
        "placed at {} [{}], the town the district is named after, with radius {} km covering {}",
        seat.name, seat.country, loc.radius_km, province.name
    );
    loc.explanation = format!("{}: {placed}", why.join("; ")).into();
    loc.review = Some(Arc::new(Review {
        kind: ReviewKind::District,
        tried: text_tried
            .map(|t| format!("location={t}"))
            .unwrap_or_else(|| format!("admin2={written}")),
        why: why.join("; "),
        candidates,
    }));
    loc
}

/// Widens an answer to what the source itself says of its precision (UCDP's `where_prec` 2:
/// "within about 25 km of the named place").
pub(super) fn apply_stated_precision(loc: &mut Location, stated: Option<PrecisionClass>) {
    if let Some(rp) = stated {
        if rp > loc.precision {
            loc.precision = rp;
        }
        if rp == PrecisionClass::Near && loc.radius_km < default_radius_km(rp) {
            loc.radius_km = default_radius_km(rp);
        }
    }
}
