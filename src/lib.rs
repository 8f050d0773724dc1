//! borderwatch: maps cross-border incidents along Afghanistan's borders.
//!
//! The pipeline runs one way, one module per stage:
//! `ingest` -> `geocode` (against the `gazetteer`) -> `borders` -> `density` -> `export` / `render`
//! -> `report` (one HTML file made from the files the others wrote).
//! Types the stages exchange live in [`model`]. [`pipeline`] runs the jobs (the main job and
//! every subcommand's) in the library; [`cli`] is only the command-line front over it.

pub mod borders;
pub mod cli;
pub mod density;
pub mod export;
pub mod gazetteer;
pub mod geo_util;
pub mod geocode;
pub mod geodata;
pub mod ingest;
mod memo;
pub mod model;
pub mod pipeline;
pub mod projection;
pub mod render;
pub mod report;
