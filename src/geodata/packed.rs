//! Polygon layers (countries, provinces, districts) as features: properties and outline,
//! read from GeoJSON or from the shipped layers as `build.rs` packs them.
//!
//! Every command starts by loading the shipped layers, and parsing their 11 MB of GeoJSON
//! (a JSON number takes some 400 instructions to read) was most of that start. The packed
//! form holds the same coordinates, read at build time with the same crates; the shipped
//! GeoJSON stays the data (and what a `--geodata` folder holds, read as GeoJSON).

use anyhow::{Context, Result, bail};
use geo::{Coord, LineString, MultiPolygon, Polygon};

/// A feature's properties and outline: `None` for a feature with no geometry, or one that
/// is not a Polygon or MultiPolygon, which the layers skip.
pub(super) struct LayerFeature {
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub shape: Option<MultiPolygon<f64>>,
}

impl LayerFeature {
    /// A property's text, if the feature has it as a string.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.properties.get(key).and_then(|v| v.as_str())
    }
}

/// The shipped countries, packed by `build.rs` from `geodata/countries.geojson`.
pub(super) const COUNTRIES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/countries.packed"));
/// The shipped provinces, from `geodata/provinces.geojson`.
pub(super) const PROVINCES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/provinces.packed"));
/// The shipped districts, from `geodata/districts.geojson`.
pub(super) const DISTRICTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/districts.packed"));

/// A layer's features from GeoJSON text; `what` names the layer in errors.
pub(super) fn from_geojson(text: &str, what: &str) -> Result<Vec<LayerFeature>> {
    let fc: geojson::FeatureCollection = text
        .parse()
        .with_context(|| format!("parsing the {what} layer"))?;
    fc.features
        .into_iter()
        .map(|f| {
            let shape = match f.geometry {
                None => None,
                Some(g) => match geo::Geometry::<f64>::try_from(g)
                    .with_context(|| format!("{what} layer geometry"))?
                {
                    geo::Geometry::MultiPolygon(mp) => Some(mp),
                    geo::Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
                    _ => None,
                },
            };
            Ok(LayerFeature {
                properties: f.properties.unwrap_or_default(),
                shape,
            })
        })
        .collect()
}

/// A layer's features from its packed form (`build.rs` describes it); `what` names the
/// layer in errors.
pub(super) fn unpack(bytes: &[u8], what: &str) -> Result<Vec<LayerFeature>> {
    let mut r = Reader { bytes, at: 0 };
    let features = (0..r.count()?)
        .map(|_| {
            let n = r.count()?;
            let properties = r.take(n)?;
            let properties = serde_json::from_slice(properties)
                .with_context(|| format!("the packed {what} layer's properties"))?;
            let shape = match r.take(1)?[0] {
                0 => None,
                _ => Some(MultiPolygon(
                    (0..r.count()?)
                        .map(|_| r.polygon())
                        .collect::<Result<_>>()?,
                )),
            };
            Ok(LayerFeature { properties, shape })
        })
        .collect::<Result<Vec<_>>>()?;
    if r.at != bytes.len() {
        bail!("the packed {what} layer has bytes past its last feature");
    }
    Ok(features)
}

/// Reads the packed form from the start.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            bail!("a packed layer ends early");
        };
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn count(&mut self) -> Result<usize> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    /// A polygon as the `geojson` crate makes one from its rings: the first outside (an
    /// empty one if there is none), the rest holes, each closed by `Polygon::new`.
    fn polygon(&mut self) -> Result<Polygon<f64>> {
        let mut rings = (0..self.count()?)
            .map(|_| {
                let n = self.count()?;
                let b = self.take(n.checked_mul(16).context("a packed ring too long")?)?;
                Ok(LineString(
                    b.chunks_exact(16)
                        .map(|p| Coord {
                            x: f64::from_le_bytes(p[..8].try_into().expect("8 bytes")),
                            y: f64::from_le_bytes(p[8..].try_into().expect("8 bytes")),
                        })
                        .collect(),
                ))
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
        Ok(Polygon::new(exterior, rings.collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each shipped layer unpacks to what its GeoJSON reads as: the same properties, and
    /// the same coordinates to the bit.
    #[test]
    fn the_packed_layers_are_the_shipped_geojson() {
        for (what, packed, text) in [
            ("countries", COUNTRIES, super::super::EMBEDDED_COUNTRIES),
            ("provinces", PROVINCES, super::super::EMBEDDED_PROVINCES),
            ("districts", DISTRICTS, super::super::EMBEDDED_DISTRICTS),
        ] {
            let unpacked = unpack(packed, what).unwrap();
            let parsed = from_geojson(text, what).unwrap();
            assert_eq!(unpacked.len(), parsed.len(), "{what}");
            assert!(unpacked.len() > 5, "{what}");
            let bits = |s: &Option<MultiPolygon<f64>>| -> Vec<Vec<Vec<(u64, u64)>>> {
                s.iter()
                    .flat_map(|mp| &mp.0)
                    .map(|p| {
                        std::iter::once(p.exterior())
                            .chain(p.interiors())
                            .map(|r| r.0.iter().map(|c| (c.x.to_bits(), c.y.to_bits())).collect())
                            .collect()
                    })
                    .collect()
            };
            for (u, p) in unpacked.iter().zip(&parsed) {
                assert_eq!(u.properties, p.properties, "{what}");
                assert_eq!(bits(&u.shape), bits(&p.shape), "{what}");
                assert!(u.shape.is_some(), "{what}");
            }
        }
    }

    /// A packed layer cut short, or with bytes after its last feature, is an error.
    #[test]
    fn a_damaged_packed_layer_is_refused() {
        assert!(unpack(&PROVINCES[..PROVINCES.len() - 3], "provinces").is_err());
        let mut longer = PROVINCES.to_vec();
        longer.push(0);
        assert!(unpack(&longer, "provinces").is_err());
        assert!(unpack(&[], "provinces").is_err());
    }
}
