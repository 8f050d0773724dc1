use super::furniture::nice_km;
use super::labels::{fit_width, inside_ring, pole_of_inaccessibility};
use super::*;
use geo::{Destination, Geodesic, LineString, MultiPolygon, Point};

#[test]
fn long_lines_are_cut_to_fit_with_an_ellipsis() {
    let text = "27642 incidents located from ucdp_ged_v21_1_juanr_precise_afg_pak_tjk.csv";
    assert_eq!(fit_width(text, 20.0, false, 1e6), text);
    let w = fonts::text_width(text, 20.0, false, 0.0);
    let cut = fit_width(text, 20.0, false, w / 2.0);
    assert!(cut.ends_with('…') && cut.len() < text.len(), "{cut}");
    assert!(fonts::text_width(&cut, 20.0, false, 0.0) <= w / 2.0);
    assert!(text.starts_with(cut.trim_end_matches('…')));
    // A longer cut would not fit.
    let n = cut.chars().count() - 1;
    let longer: String = text.chars().take(n + 1).collect::<String>() + "…";
    assert!(fonts::text_width(&longer, 20.0, false, 0.0) > w / 2.0);
}

#[test]
fn nice_lengths() {
    assert_eq!(nice_km(137.0), 100.0);
    assert_eq!(nice_km(260.0), 250.0);
    assert_eq!(nice_km(49.0), 25.0);
    assert_eq!(nice_km(7.3), 5.0);
    assert_eq!(format_number(12.5), "12.5");
    assert_eq!(format_number(0.0), "0");
    assert_eq!(format_number(250.0), "250");
    assert_eq!(format_number(2.50), "2.5");
}

#[test]
fn escaping_and_rtl_text() {
    assert_eq!(
        xml_escape(r#"a<b & "c" 'd'>"#),
        "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
    );
    assert_eq!(drawable_text("Шамсиддин Шоҳин"), "Шамсиддин Шоҳин");
    let t = drawable_text("افغانستان");
    assert!(t.is_ascii() && !t.is_empty(), "{t}");
}

#[test]
fn greedy_placer_drops_overlaps_in_priority_order() {
    let bounds = Box2::new(0.0, 0.0, 100.0, 100.0);
    let a = Box2::new(10.0, 10.0, 30.0, 20.0);
    let b = Box2::new(20.0, 15.0, 40.0, 25.0); // overlaps a
    let b_alt = Box2::new(20.0, 30.0, 40.0, 40.0);
    let c = Box2::new(90.0, 90.0, 110.0, 95.0); // leaves the bounds
    let d = Box2::new(50.0, 50.0, 60.0, 60.0); // on an obstacle
    let mut taken = vec![Box2::new(55.0, 55.0, 57.0, 57.0)];
    let picks = place_labels(
        &[vec![a], vec![b, b_alt], vec![b], vec![c], vec![d]],
        &mut taken,
        bounds,
    );
    assert_eq!(picks, vec![Some(0), Some(1), None, None, None]);
    assert_eq!(taken.len(), 3);
}

fn test_canvas() -> MapCanvas {
    let proj = Projection::region();
    let extent = Extent::around_lonlat(&proj, [(67.0, 36.5), (75.0, 39.5)]).unwrap();
    MapCanvas::new(crate::render::page_size(None, None), proj, extent)
}

/// Page pixels of every point of every `points` attribute in the SVG.
fn svg_points(svg: &str) -> Vec<(f64, f64)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter_map(|n| n.attribute("points"))
        .flat_map(|p| p.split_whitespace())
        .map(|xy| {
            let (x, y) = xy.split_once(',').unwrap();
            (
                x.parse::<f64>().unwrap() / SUBPIXEL,
                y.parse::<f64>().unwrap() / SUBPIXEL,
            )
        })
        .collect()
}

#[test]
fn uncertainty_ring_is_a_ground_circle() {
    let mut c = test_canvas();
    c.circle_km(70.0, 38.0, 50.0, Rgba::BLACK, Rgba::NONE);
    let frame = c.layout().map;
    let back: Vec<(f64, f64)> = svg_points(&c.finish())
        .into_iter()
        .filter(|&(x, y)| frame.inflate(-1.0).contains(x, y))
        .collect();
    assert!(back.len() > 60, "{} ring points", back.len());
    let c = test_canvas();
    for (x, y) in back {
        let (lon, lat) = c.px_to_lonlat(x, y).unwrap();
        let d = crate::geo_util::km(70.0, 38.0, lon, lat);
        assert!((d - 50.0).abs() < 0.5, "ring point {d} km from the centre");
    }
}

#[test]
fn scale_bar_is_true_on_the_ground_at_the_centre() {
    let c = test_canvas();
    let (cx, cy) = c.extent().center();
    let (lon, lat) = c.projection().inverse(cx, cy).unwrap();
    let east = Geodesic.destination(Point::new(lon, lat), 90.0, 100_000.0);
    let a = c.to_px(lon, lat).unwrap();
    let b = c.to_px(east.x(), east.y()).unwrap();
    let measured = (b.0 - a.0).hypot(b.1 - a.1) / 100.0;
    let bar = c.px_per_ground_km().unwrap();
    assert!((measured / bar - 1.0).abs() < 0.001, "{measured} vs {bar}");
    // And the bar is drawn a round length.
    let mut c = test_canvas();
    let km = c.scale_bar_km();
    assert!([25.0, 50.0, 100.0].contains(&km), "{km}");
}

#[test]
fn dashed_lines_holes_and_rasters_are_valid_svg() {
    let mut c = test_canvas();
    let line = LineString::from(vec![(68.0, 37.0), (72.0, 38.5), (74.0, 37.5)]);
    c.line(&line, Rgba::rgb(200, 0, 0), 2.0, Some((6.0, 4.0)));
    let outer = LineString::from(vec![(68.0, 37.0), (71.0, 37.0), (71.0, 39.0), (68.0, 39.0)]);
    let hole = LineString::from(vec![(69.0, 37.5), (70.0, 37.5), (70.0, 38.5), (69.0, 38.5)]);
    let mp = MultiPolygon(vec![geo::Polygon::new(outer, vec![hole])]);
    c.polygon(&mp, Rgba::rgb(0, 0, 200).with_alpha(0.5), Rgba::BLACK, 1.0);
    let mut img = RasterImage::new(4, 4);
    img.put(1, 1, Rgba::rgb(255, 0, 0));
    let e = c.extent();
    c.raster(&img, e).unwrap();
    // A raster bigger than the frame is clipped to it.
    c.raster(&img, e.padded(0.2)).unwrap();
    c.text_px(
        10.0,
        10.0,
        "a < b & c",
        8.0,
        false,
        Rgba::BLACK,
        Align::Start,
    );
    let svg = c.finish();
    assert!(svg.contains(r#"stroke-dasharray="24 16""#));
    assert!(svg.contains(r#"fill-rule="evenodd""#));
    assert_eq!(svg.matches("<image").count(), 2);
    assert_eq!(svg.matches(r#"clip-path="url(#map-frame)""#).count(), 1);
    assert!(svg.contains("a &lt; b &amp; c"));
    roxmltree::Document::parse(&svg).unwrap();
    let (_, _, px) = crate::render::svg_to_rgba(&svg, 400).unwrap();
    assert!(!px.is_empty());
}

#[test]
fn pole_lies_inside() {
    // An L shape: the pole is in the corner square, pushed towards the inner corner,
    // where the largest inscribed circle (radius 20√2/(1+√2) ≈ 11.72) fits.
    let l = [
        (0.0, 0.0),
        (100.0, 0.0),
        (100.0, 20.0),
        (20.0, 20.0),
        (20.0, 100.0),
        (0.0, 100.0),
    ];
    let ((x, y), d) = pole_of_inaccessibility(&l).unwrap();
    assert!(inside_ring(&l, x, y));
    assert!(d > 11.0 && d <= 11.72, "{d}");
}

/// Outlines kept with their projected rings draw and label exactly as projected on the spot:
/// on a map in the region's projection (where the kept rings are used, and are made once
/// for every map), and on one in another projection (where they are not).
#[test]
fn kept_outlines_draw_as_projected_ones() {
    let geo = crate::geodata::GeoData::load(None).unwrap();
    let other = Projection::from_proj_string(
        "+proj=aea +lat_1=30 +lat_2=40 +lat_0=35 +lon_0=70 +datum=WGS84 +units=m +no_defs",
    )
    .unwrap();
    let canvases = || {
        let region = test_canvas();
        let extent = Extent::around_lonlat(&other, [(67.0, 36.5), (75.0, 39.5)]).unwrap();
        let elsewhere = MapCanvas::new(crate::render::page_size(None, None), other.clone(), extent);
        [region, elsewhere]
    };
    let districts: Vec<_> = geo.districts.iter().filter(|d| d.country == "TJ").collect();
    assert!(districts.len() > 20);
    let style = (Rgba::rgb(200, 190, 170), Rgba::rgb(120, 110, 100), 1.5);
    for (on_the_spot, kept) in canvases().into_iter().zip(canvases()) {
        let (mut on_the_spot, mut kept) = (on_the_spot, kept);
        for _ in 0..2 {
            for c in &geo.countries {
                on_the_spot.polygon(&c.shape, style.0, style.1, style.2);
                kept.polygon_kept(&c.shape, &c.plane, style.0, style.1, style.2);
                assert_eq!(
                    on_the_spot.label_point_px(&c.shape, None),
                    kept.label_point_px_kept(&c.shape, &c.plane, None),
                    "{}",
                    c.code
                );
            }
            for d in &districts {
                on_the_spot.polygon(&d.shape, Rgba::NONE, style.1, style.2);
                kept.polygon_kept(&d.shape, &d.plane, Rgba::NONE, style.1, style.2);
            }
        }
        let (a, b) = (on_the_spot.finish(), kept.finish());
        assert!(a.len() > 100_000, "{} bytes drawn", a.len());
        assert!(a == b, "the kept outlines drew differently");
    }
    assert!(
        geo.countries
            .iter()
            .all(|c| format!("{:?}", c.plane).contains("(projected)"))
    );
}

/// Distance (SVG units) from `p` to the segment a–b.
fn to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len_2 = dx * dx + dy * dy;
    let t = if len_2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len_2).clamp(0.0, 1.0)
    };
    ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
}

#[test]
fn outlines_keep_their_ends_and_stay_within_the_tolerance() {
    // A wiggly line (page pixels) with a point every quarter pixel, as projected outlines
    // have, and a repeated point.
    let mut pts: Vec<(f64, f64)> = (0..400)
        .map(|i| {
            let x = f64::from(i) * 0.25;
            (x, 20.0 + 3.0 * (x / 7.0).sin() + 0.05 * f64::from(i % 3))
        })
        .collect();
    pts.insert(10, pts[10]);
    let kept = outline_points(&pts);
    let units: Vec<(f64, f64)> = pts
        .iter()
        .map(|&p| {
            let (x, y) = ipt(p);
            (f64::from(x), f64::from(y))
        })
        .collect();
    assert_eq!(kept.first(), Some(&ipt(pts[0])));
    assert_eq!(kept.last(), Some(&ipt(pts[pts.len() - 1])));
    assert!(kept.windows(2).all(|w| w[0] != w[1]), "no repeated point");
    assert!(
        kept.len() * 3 < pts.len(),
        "{} of {} points kept",
        kept.len(),
        pts.len()
    );
    // Every point left out lies within the tolerance of the line drawn instead, and the
    // points kept are the line's own, in order.
    let kept_f: Vec<(f64, f64)> = kept
        .iter()
        .map(|&(x, y)| (f64::from(x), f64::from(y)))
        .collect();
    for p in &units {
        let d = kept_f
            .windows(2)
            .map(|w| to_segment(*p, w[0], w[1]))
            .fold(f64::INFINITY, f64::min);
        assert!(
            d <= OUTLINE_TOLERANCE_UNITS + 1e-9,
            "{p:?} is {d} units off"
        );
    }
    let mut at = 0;
    for k in &kept_f {
        at += units[at..]
            .iter()
            .position(|u| u == k)
            .expect("a point of the line");
    }
    // A straight staircase of whole units keeps only its ends; two or fewer points stay.
    let stairs: Vec<(f64, f64)> = (0..50).map(|i| (f64::from(i) * 0.25, 5.0)).collect();
    assert_eq!(
        outline_points(&stairs),
        vec![ipt(stairs[0]), ipt(stairs[49])]
    );
    assert_eq!(
        outline_points(&[(1.0, 1.0), (1.0, 1.0)]),
        vec![ipt((1.0, 1.0))]
    );
}
