//! GeoPackage geometry blobs: the binary header of OGC GeoPackage 1.3 (§2.1.3,
//! `StandardGeoPackageBinary`) followed by little-endian ISO WKB.
//!
//! Header: magic `GP`, version 0, a flags byte (bit 0: little-endian; bits 1–3: envelope
//! kind, 1 = [minx, maxx, miny, maxy]; bit 4: empty geometry), the srs_id, the envelope.
//! Every non-empty geometry carries its envelope (points too: readers then never parse the
//! WKB to place a feature); an empty one is flagged empty, with no envelope, and its WKB is
//! the empty geometry (a point of NaN coordinates, as the spec asks, or zero parts).

/// A geometry in lon/lat, borrowed from the layer that writes it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape<'a> {
    Point(f64, f64),
    Line(&'a [[f64; 2]]),
    /// Polygons, each its rings, the exterior first.
    MultiPolygon(&'a [Vec<Vec<[f64; 2]>>]),
}

const WKB_POINT: u32 = 1;
const WKB_LINESTRING: u32 = 2;
const WKB_POLYGON: u32 = 3;
const WKB_MULTIPOLYGON: u32 = 6;

/// Bit 0 of the flags: little-endian header numbers and WKB.
const LITTLE_ENDIAN: u8 = 0b0000_0001;
/// Bits 1–3 = 1: an envelope of minx, maxx, miny, maxy.
const ENVELOPE_XY: u8 = 0b0000_0010;
/// Bit 4: the geometry is empty.
const EMPTY: u8 = 0b0001_0000;

impl Shape<'_> {
    /// [minx, maxx, miny, maxy] of the shape (the GeoPackage and R-tree order); `None`
    /// when it is empty.
    pub(crate) fn envelope(&self) -> Option<[f64; 4]> {
        let mut e: Option<[f64; 4]> = None;
        let mut add = |p: &[f64; 2]| {
            e = Some(match e {
                None => [p[0], p[0], p[1], p[1]],
                Some([a, b, c, d]) => [a.min(p[0]), b.max(p[0]), c.min(p[1]), d.max(p[1])],
            });
        };
        match self {
            Shape::Point(x, y) if x.is_finite() && y.is_finite() => add(&[*x, *y]),
            Shape::Point(..) => {}
            Shape::Line(pts) => pts.iter().for_each(&mut add),
            Shape::MultiPolygon(polys) => polys
                .iter()
                .filter_map(|rings| rings.first())
                .flatten()
                .for_each(&mut add),
        }
        e
    }

    /// Appends the GeoPackage blob (header and WKB) to `out`; returns the envelope.
    pub(crate) fn encode(&self, srs_id: i32, out: &mut Vec<u8>) -> Option<[f64; 4]> {
        let envelope = self.envelope();
        out.extend_from_slice(b"GP");
        out.push(0);
        out.push(match envelope {
            Some(_) => LITTLE_ENDIAN | ENVELOPE_XY,
            None => LITTLE_ENDIAN | EMPTY,
        });
        out.extend_from_slice(&srs_id.to_le_bytes());
        for v in envelope.iter().flatten() {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let head = |out: &mut Vec<u8>, kind: u32| {
            out.push(1);
            out.extend_from_slice(&kind.to_le_bytes());
        };
        let count = |out: &mut Vec<u8>, n: usize| {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        };
        let points = |out: &mut Vec<u8>, pts: &[[f64; 2]]| {
            count(out, pts.len());
            for p in pts {
                out.extend_from_slice(&p[0].to_le_bytes());
                out.extend_from_slice(&p[1].to_le_bytes());
            }
        };
        match self {
            Shape::Point(x, y) => {
                head(out, WKB_POINT);
                let (x, y) = if envelope.is_some() {
                    (*x, *y)
                } else {
                    (f64::NAN, f64::NAN)
                };
                out.extend_from_slice(&x.to_le_bytes());
                out.extend_from_slice(&y.to_le_bytes());
            }
            Shape::Line(pts) => {
                head(out, WKB_LINESTRING);
                points(out, pts);
            }
            Shape::MultiPolygon(polys) => {
                head(out, WKB_MULTIPOLYGON);
                count(out, polys.len());
                for rings in polys.iter() {
                    head(out, WKB_POLYGON);
                    count(out, rings.len());
                    for r in rings {
                        points(out, r);
                    }
                }
            }
        }
        envelope
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_blob_is_header_envelope_and_wkb() {
        let mut b = Vec::new();
        let e = Shape::Point(70.5, 37.25).encode(4326, &mut b);
        assert_eq!(e, Some([70.5, 70.5, 37.25, 37.25]));
        assert_eq!(&b[..4], b"GP\x00\x03");
        assert_eq!(&b[4..8], &4326i32.to_le_bytes());
        assert_eq!(b.len(), 8 + 32 + 21);
        assert_eq!(&b[40..45], &[1, 1, 0, 0, 0]);
        assert_eq!(f64::from_le_bytes(b[45..53].try_into().unwrap()), 70.5);
    }

    #[test]
    fn empty_geometries_are_flagged_without_an_envelope() {
        let mut b = Vec::new();
        assert_eq!(Shape::Line(&[]).encode(4326, &mut b), None);
        assert_eq!(b[3], LITTLE_ENDIAN | EMPTY);
        assert_eq!(&b[8..], &[1, 2, 0, 0, 0, 0, 0, 0, 0]);
        let mut p = Vec::new();
        Shape::Point(f64::NAN, f64::NAN).encode(4326, &mut p);
        assert_eq!(p[3], LITTLE_ENDIAN | EMPTY);
        assert!(f64::from_le_bytes(p[13..21].try_into().unwrap()).is_nan());
    }

    #[test]
    fn multipolygon_envelope_comes_from_exteriors() {
        let square = vec![vec![
            [0.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [0.0, 1.0],
            [0.0, 0.0],
        ]];
        let polys = vec![square];
        let mut b = Vec::new();
        let e = Shape::MultiPolygon(&polys).encode(4326, &mut b);
        assert_eq!(e, Some([0.0, 2.0, 0.0, 1.0]));
        // header 8 + envelope 32 + multi (1+4+4) + polygon (1+4+4) + ring (4 + 5*16)
        assert_eq!(b.len(), 8 + 32 + 9 + 9 + 4 + 80);
    }
}
