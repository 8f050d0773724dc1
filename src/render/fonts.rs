//! The bundled fonts (DejaVu Sans regular and bold, `assets/fonts/`), compiled into the binary
//! so that the SVG's text and the PNG's pixels agree on every machine, and a text measurer
//! for the label placer that uses the same font's advance widths.

use std::sync::LazyLock;

/// The family name the SVG asks for; the only family the PNG renderer knows.
pub const FAMILY: &str = "DejaVu Sans";

/// DejaVu Sans 2.37 (Debian `fonts-dejavu-core`), Bitstream Vera licence: `assets/fonts/LICENSE`.
pub static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold 2.37, same source and licence.
pub static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A font database holding only the bundled fonts, every generic family mapped to them, as
/// an `Arc`. A macro because the PNG (resvg) and the PDF (svg2pdf) renderers each use their
/// own version of the `fontdb` crate: `bundled_font_database!(fontdb::Database)`.
macro_rules! bundled_font_database {
    ($database:ty) => {{
        let mut db = <$database>::new();
        db.load_font_data($crate::render::fonts::REGULAR.to_vec());
        db.load_font_data($crate::render::fonts::BOLD.to_vec());
        let family = $crate::render::fonts::FAMILY;
        db.set_sans_serif_family(family);
        db.set_serif_family(family);
        db.set_monospace_family(family);
        db.set_cursive_family(family);
        db.set_fantasy_family(family);
        std::sync::Arc::new(db)
    }};
}
pub(super) use bundled_font_database;

struct Metrics {
    units_per_em: f64,
    /// Advance widths of the code points 0..ASCII_TABLE (in font units); the rest are looked up.
    ascii: Vec<u16>,
    face: ttf_parser::Face<'static>,
}

const ASCII_TABLE: usize = 0x250;

impl Metrics {
    fn new(data: &'static [u8]) -> Metrics {
        let face = ttf_parser::Face::parse(data, 0).expect("the bundled font parses");
        let units_per_em = f64::from(face.units_per_em());
        let ascii = (0..ASCII_TABLE as u32)
            .map(|c| Self::lookup(&face, char::from_u32(c).unwrap_or(' ')))
            .collect();
        Metrics {
            units_per_em,
            ascii,
            face,
        }
    }

    fn lookup(face: &ttf_parser::Face<'_>, c: char) -> u16 {
        let g = face
            .glyph_index(c)
            .or_else(|| face.glyph_index('?'))
            .unwrap_or_default();
        face.glyph_hor_advance(g).unwrap_or(0)
    }

    fn advance(&self, c: char) -> u16 {
        match self.ascii.get(c as usize) {
            Some(&w) => w,
            None => Self::lookup(&self.face, c),
        }
    }
}

static REGULAR_METRICS: LazyLock<Metrics> = LazyLock::new(|| Metrics::new(REGULAR));
static BOLD_METRICS: LazyLock<Metrics> = LazyLock::new(|| Metrics::new(BOLD));

/// Width of `text` set in the bundled font at `size` px, with `letter_spacing` px added after
/// each character but the last (kerning is ignored: it changes widths by well under 2 %).
pub fn text_width(text: &str, size: f64, bold: bool, letter_spacing: f64) -> f64 {
    let m: &Metrics = if bold {
        &BOLD_METRICS
    } else {
        &REGULAR_METRICS
    };
    let mut units = 0u64;
    let mut n = 0usize;
    for c in text.chars() {
        units += u64::from(m.advance(c));
        n += 1;
    }
    units as f64 / m.units_per_em * size + letter_spacing * n.saturating_sub(1) as f64
}

/// Height above the baseline of capital letters, as a fraction of the font size.
pub const CAP_HEIGHT: f64 = 0.73;
/// Depth below the baseline of descenders, as a fraction of the font size.
pub const DESCENT: f64 = 0.24;

#[cfg(test)]
mod tests {
    #[test]
    fn widths_follow_the_font() {
        let w = super::text_width("Khatlon", 10.0, false, 0.0);
        assert!(w > 30.0 && w < 50.0, "{w}");
        assert!(super::text_width("Khatlon", 10.0, true, 0.0) > w);
        // Cyrillic is measured from the font too (not a fallback box).
        let c = super::text_width("Хатлон", 10.0, false, 0.0);
        assert!(c > 25.0 && c < 50.0, "{c}");
        assert_eq!(super::text_width("", 10.0, false, 3.0), 0.0);
    }
}
