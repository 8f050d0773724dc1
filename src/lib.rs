//! borderwatch: maps cross-border incidents along Afghanistan's borders.
//!
//! The pipeline runs one way, one module per stage:
//! `ingest` -> `geocode` (against the `gazetteer`) -> `borders` -> `density` -> `export` / `render`.
//! Types the stages exchange live in [`model`].

pub mod gazetteer;
pub mod ingest;
pub mod model;
