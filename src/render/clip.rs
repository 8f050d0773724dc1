//! Clipping and thinning of pixel-space geometry, so that the SVG carries only what shows
//! inside a frame: Sutherland–Hodgman for filled rings, Liang–Barsky for lines.

/// An axis-aligned box in pixels (x grows right, y grows down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Box2 {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Box2 {
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Box2 {
        Box2 {
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
        }
    }

    /// The box at `(x, y)` with width `w` and height `h`.
    pub fn xywh(x: f64, y: f64, w: f64, h: f64) -> Box2 {
        Box2::new(x, y, x + w, y + h)
    }

    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// True when the two boxes share interior area (touching edges do not count).
    pub fn overlaps(&self, o: &Box2) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// True when `o` lies wholly inside this box.
    pub fn contains_box(&self, o: &Box2) -> bool {
        o.x0 >= self.x0 && o.x1 <= self.x1 && o.y0 >= self.y0 && o.y1 <= self.y1
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    /// The box grown by `d` on every side.
    pub fn inflate(&self, d: f64) -> Box2 {
        Box2::new(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)
    }

    /// The bounding box of some points, if there are any.
    pub fn around(pts: &[(f64, f64)]) -> Option<Box2> {
        let first = pts.first()?;
        let mut b = Box2::new(first.0, first.1, first.0, first.1);
        for &(x, y) in pts {
            b.x0 = b.x0.min(x);
            b.y0 = b.y0.min(y);
            b.x1 = b.x1.max(x);
            b.y1 = b.y1.max(y);
        }
        Some(b)
    }
}

/// Drops points closer than `tol` to the last kept one (the last point is always kept), so a
/// detailed outline drawn small does not carry thousands of sub-pixel steps.
pub fn thin(pts: &[(f64, f64)], tol: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
    for (i, &p) in pts.iter().enumerate() {
        match out.last() {
            Some(&q) if i + 1 < pts.len() && (p.0 - q.0).abs() + (p.1 - q.1).abs() < tol => {}
            _ => out.push(p),
        }
    }
    out
}

/// Clips a closed ring (first point not repeated at the end) to a box; the result is a ring
/// again, possibly with edges running along the box, or empty.
pub fn clip_ring(pts: &[(f64, f64)], r: &Box2) -> Vec<(f64, f64)> {
    let Some(bb) = Box2::around(pts) else {
        return Vec::new();
    };
    if r.contains_box(&bb) {
        return pts.to_vec();
    }
    if !r.overlaps(&bb) {
        return Vec::new();
    }
    let mut out = pts.to_vec();
    for edge in 0..4 {
        if out.is_empty() {
            break;
        }
        let input = std::mem::take(&mut out);
        let inside = |p: (f64, f64)| match edge {
            0 => p.0 >= r.x0,
            1 => p.0 <= r.x1,
            2 => p.1 >= r.y0,
            _ => p.1 <= r.y1,
        };
        let cross = |a: (f64, f64), b: (f64, f64)| match edge {
            0 | 1 => {
                let x = if edge == 0 { r.x0 } else { r.x1 };
                let t = (x - a.0) / (b.0 - a.0);
                (x, a.1 + t * (b.1 - a.1))
            }
            _ => {
                let y = if edge == 2 { r.y0 } else { r.y1 };
                let t = (y - a.1) / (b.1 - a.1);
                (a.0 + t * (b.0 - a.0), y)
            }
        };
        let mut prev = *input.last().expect("non-empty");
        for &cur in &input {
            match (inside(prev), inside(cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cross(prev, cur)),
                (false, true) => {
                    out.push(cross(prev, cur));
                    out.push(cur);
                }
                (false, false) => {}
            }
            prev = cur;
        }
    }
    if out.len() < 3 { Vec::new() } else { out }
}

/// The part of a segment inside a box: its ends, and whether each end was moved.
type ClippedSegment = ((f64, f64), (f64, f64), bool, bool);

/// Liang–Barsky: the part of segment a–b inside the box.
fn clip_segment(a: (f64, f64), b: (f64, f64), r: &Box2) -> Option<ClippedSegment> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [
        (-dx, a.0 - r.x0),
        (dx, r.x1 - a.0),
        (-dy, a.1 - r.y0),
        (dy, r.y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| (a.0 + t * dx, a.1 + t * dy);
    Some((at(t0), at(t1), t0 > 0.0, t1 < 1.0))
}

/// Clips an open polyline to a box: the pieces inside, each with at least two points.
pub fn clip_polyline(pts: &[(f64, f64)], r: &Box2) -> Vec<Vec<(f64, f64)>> {
    let Some(bb) = Box2::around(pts) else {
        return Vec::new();
    };
    if r.contains_box(&bb) {
        return if pts.len() >= 2 {
            vec![pts.to_vec()]
        } else {
            Vec::new()
        };
    }
    if !r.overlaps(&bb) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for w in pts.windows(2) {
        match clip_segment(w[0], w[1], r) {
            Some((a, b, a_moved, b_moved)) => {
                if cur.is_empty() || a_moved {
                    if cur.len() >= 2 {
                        out.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                    cur.push(a);
                }
                cur.push(b);
                if b_moved {
                    if cur.len() >= 2 {
                        out.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                }
            }
            None => {
                if cur.len() >= 2 {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
    }
    if cur.len() >= 2 {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(r: &[(f64, f64)]) -> f64 {
        let mut s = 0.0;
        for i in 0..r.len() {
            let (a, b) = (r[i], r[(i + 1) % r.len()]);
            s += a.0 * b.1 - b.0 * a.1;
        }
        s.abs() / 2.0
    }

    #[test]
    fn ring_clipped_to_the_overlap() {
        let r = Box2::new(0.0, 0.0, 10.0, 10.0);
        let sq = [(5.0, 5.0), (15.0, 5.0), (15.0, 15.0), (5.0, 15.0)];
        assert!((area(&clip_ring(&sq, &r)) - 25.0).abs() < 1e-9);
        let outside = [(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)];
        assert!(clip_ring(&outside, &r).is_empty());
        let inside = [(1.0, 1.0), (2.0, 1.0), (2.0, 2.0)];
        assert_eq!(clip_ring(&inside, &r), inside.to_vec());
    }

    #[test]
    fn polyline_split_where_it_leaves_the_box() {
        let r = Box2::new(0.0, 0.0, 10.0, 10.0);
        // In, out over the right edge, back in.
        let l = [(5.0, 2.0), (15.0, 2.0), (15.0, 8.0), (5.0, 8.0)];
        let parts = clip_polyline(&l, &r);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], vec![(5.0, 2.0), (10.0, 2.0)]);
        assert_eq!(parts[1], vec![(10.0, 8.0), (5.0, 8.0)]);
        assert!(clip_polyline(&[(20.0, 0.0), (30.0, 5.0)], &r).is_empty());
    }

    #[test]
    fn thinning_keeps_ends_and_drops_subpixel_steps() {
        let pts: Vec<(f64, f64)> = (0..=100).map(|i| (i as f64 * 0.01, 0.0)).collect();
        let t = thin(&pts, 0.3);
        assert_eq!(t.first(), Some(&(0.0, 0.0)));
        assert_eq!(t.last(), Some(&(1.0, 0.0)));
        assert!(t.len() <= 5, "{}", t.len());
    }
}
