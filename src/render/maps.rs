//! Report maps: one per border and an overview (being written).
