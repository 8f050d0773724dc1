use super::axes::{km_label, linear_ticks, log_ticks};
use super::comparison::full_period_days;
use super::svg::{Font, Svg, wrap};
use super::*;
use crate::density::Period;

#[test]
fn ticks_and_labels() {
    assert_eq!(linear_ticks(5.8, 4.0), vec![0.0, 2.0, 4.0, 6.0]);
    assert_eq!(linear_ticks(5.8, 5.0), vec![0.0, 2.0, 4.0, 6.0]);
    assert_eq!(linear_ticks(5.8, 3.0), vec![0.0, 2.0, 4.0, 6.0]);
    assert_eq!(linear_ticks(5.8, 2.0), vec![0.0, 5.0, 10.0]);
    assert_eq!(
        linear_ticks(1.04, 5.0),
        vec![0.0, 0.25, 0.5, 0.75, 1.0, 1.25]
    );
    assert_eq!(linear_ticks(0.31, 5.0).last(), Some(&0.4));
    assert_eq!(linear_ticks(0.0, 4.0).last(), Some(&1.0));
    assert_eq!(
        log_ticks(0.05, 6.0),
        vec![0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
    );
    assert_eq!(km_label(2245.7), "2,246");
    assert_eq!(km_label(250.0), "250");
    assert_eq!(full_period_days(Period::Quarter, "2025-Q1"), Some(90.0));
    assert_eq!(full_period_days(Period::Year, "2024"), Some(366.0));
    assert_eq!(full_period_days(Period::Month, "2025-02"), Some(28.0));
}

#[test]
fn wrapping_respects_the_width() {
    let svg = Svg::new(crate::render::page_size(None, None));
    let f = Font::new(8.0, TEXT);
    let text = "the data cover different periods: AF-TJ 2025-11-26 to 2026-01-31, AF-PK 2025-01-01 to 2026-01-19; both rates use the analysis window";
    let lines = wrap(&svg, text, f, 400.0);
    assert!(lines.len() > 1);
    assert!(lines.iter().all(|l| svg.width(l, f) <= 400.0));
    assert_eq!(lines.join(" "), text);
    let long = wrap(&svg, &"x".repeat(300), f, 100.0);
    assert!(long.len() > 2 && long.iter().all(|l| svg.width(l, f) <= 100.0));
}
