//! A rectangle of the projected plane (km): built around points or lines, padded, fitted to
//! the map frame's aspect.

use crate::projection::Projection;
use geo::LineString;

/// A rectangle of projected plane coordinates, km.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub xmin: f64,
    pub ymin: f64,
    pub xmax: f64,
    pub ymax: f64,
}

impl Extent {
    pub fn new(xmin: f64, ymin: f64, xmax: f64, ymax: f64) -> Extent {
        Extent {
            xmin: xmin.min(xmax),
            ymin: ymin.min(ymax),
            xmax: xmin.max(xmax),
            ymax: ymin.max(ymax),
        }
    }

    /// The extent around some lon/lat points, once projected (`None` if none projects).
    pub fn around_lonlat(
        proj: &Projection,
        pts: impl IntoIterator<Item = (f64, f64)>,
    ) -> Option<Extent> {
        let mut e: Option<Extent> = None;
        for (lon, lat) in pts {
            let Some((x, y)) = proj.forward(lon, lat) else {
                continue;
            };
            e = Some(match e {
                None => Extent::new(x, y, x, y),
                Some(e) => Extent::new(e.xmin.min(x), e.ymin.min(y), e.xmax.max(x), e.ymax.max(y)),
            });
        }
        e
    }

    /// The extent around some lines (e.g. border lines), once projected.
    pub fn around_lines<'a>(
        proj: &Projection,
        lines: impl IntoIterator<Item = &'a LineString<f64>>,
    ) -> Option<Extent> {
        Extent::around_lonlat(
            proj,
            lines
                .into_iter()
                .flat_map(|l| l.0.iter().map(|c| (c.x, c.y))),
        )
    }

    /// The extent grown by `frac` of its larger side on every side.
    pub fn padded(self, frac: f64) -> Extent {
        let d = self.width().max(self.height()) * frac;
        Extent::new(self.xmin - d, self.ymin - d, self.xmax + d, self.ymax + d)
    }

    pub fn width(&self) -> f64 {
        self.xmax - self.xmin
    }

    pub fn height(&self) -> f64 {
        self.ymax - self.ymin
    }

    /// Whether the projected point (km) lies inside, edges included.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.xmin && x <= self.xmax && y >= self.ymin && y <= self.ymax
    }

    pub fn center(&self) -> (f64, f64) {
        ((self.xmin + self.xmax) / 2.0, (self.ymin + self.ymax) / 2.0)
    }

    /// The smallest extent with the same centre and the aspect ratio `w / h` that holds this one.
    pub fn fit_aspect(self, aspect: f64) -> Extent {
        let (cx, cy) = self.center();
        let (mut w, mut h) = (self.width().max(1e-9), self.height().max(1e-9));
        if w / h < aspect {
            w = h * aspect;
        } else {
            h = w / aspect;
        }
        Extent::new(cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)
    }
}
