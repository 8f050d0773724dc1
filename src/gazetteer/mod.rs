//! The gazetteer: countries, provinces, districts, places and border zones with their
//! spellings, loaded from the shipped `geodata/` (embedded) or a `--geodata` folder.

pub mod normalize;
pub mod table;
