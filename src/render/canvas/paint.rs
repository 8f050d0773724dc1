//! What the page is painted with: colours, point symbols, text anchors and label styles,
//! legend keys, and straight RGBA rasters encoded as PNG.

use anyhow::{Context, Result};
use plotters::style::RGBAColor;

/// A colour with alpha (straight, not premultiplied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Rgba {
    /// Fully transparent: "no fill" or "no stroke".
    pub const NONE: Rgba = Rgba::new(0, 0, 0, 0);
    pub const BLACK: Rgba = Rgba::rgb(0, 0, 0);
    pub const WHITE: Rgba = Rgba::rgb(255, 255, 255);

    pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
        Rgba { r, g, b, a: 255 }
    }

    /// A colour with alpha 0 (transparent) to 255 (opaque).
    pub const fn new(r: u8, g: u8, b: u8, a: u8) -> Rgba {
        Rgba { r, g, b, a }
    }

    /// The same colour with opacity `alpha` (0–1).
    pub fn with_alpha(self, alpha: f64) -> Rgba {
        Rgba {
            a: (alpha.clamp(0.0, 1.0) * 255.0).round() as u8,
            ..self
        }
    }

    /// `#rrggbb` (alpha is written separately as an opacity).
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    pub(in crate::render) fn opacity(self) -> f64 {
        f64::from(self.a) / 255.0
    }

    pub(in crate::render) fn visible(self) -> bool {
        self.a > 0
    }

    pub(super) fn plot(self) -> RGBAColor {
        RGBAColor(self.r, self.g, self.b, self.opacity())
    }
}

/// The marker of a point symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolShape {
    Circle,
    Triangle,
    Square,
    Diamond,
    /// A plus-shaped cross.
    Cross,
}

/// Where a label sits relative to its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// Centred on the point (area names).
    Center,
    /// Right of the point.
    East,
    /// Left of the point.
    West,
    /// Above the point.
    North,
    /// Below the point.
    South,
    /// The first of east, west, north, south that is free.
    Auto,
}

/// Horizontal alignment of free text (`text_px`): `x` is its left end, centre or right end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Align {
    Start,
    Middle,
    End,
}

/// How a map label looks and how much it matters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelStyle {
    pub size_pt: f64,
    pub bold: bool,
    pub color: Rgba,
    /// A halo (outline behind the letters) that keeps the label readable over the map.
    pub halo: Option<Rgba>,
    pub anchor: Anchor,
    /// Labels with higher priority are placed first; equal ones in the order given.
    pub priority: i32,
    /// Extra space between letters, in em (country names are spaced out).
    pub letter_spacing_em: f64,
    /// Distance of the label from its point, px (add the symbol's radius).
    pub offset_px: f64,
}

impl Default for LabelStyle {
    fn default() -> LabelStyle {
        LabelStyle {
            size_pt: 8.0,
            bold: false,
            color: Rgba::rgb(40, 40, 40),
            halo: Some(Rgba::WHITE.with_alpha(0.85)),
            anchor: Anchor::Auto,
            priority: 20,
            letter_spacing_em: 0.0,
            offset_px: 6.0,
        }
    }
}

/// One entry of a legend: the key drawn left of its text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LegendKey {
    Symbol {
        shape: SymbolShape,
        size_px: f64,
        fill: Rgba,
        stroke: Rgba,
    },
    Line {
        color: Rgba,
        width_px: f64,
        dash: Option<(f64, f64)>,
    },
    /// A filled area (a polygon or a density class).
    Area { fill: Rgba, stroke: Rgba },
    /// An uncertainty ring.
    Ring { stroke: Rgba, fill: Rgba },
}

/// A straight RGBA image (row 0 at the top, i.e. the north edge), e.g. a density surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RasterImage {
    pub width: u32,
    pub height: u32,
    /// `width * height * 4` bytes, R G B A, not premultiplied.
    pub rgba: Vec<u8>,
}

impl RasterImage {
    /// A transparent image.
    pub fn new(width: u32, height: u32) -> RasterImage {
        RasterImage {
            width,
            height,
            rgba: vec![0; width as usize * height as usize * 4],
        }
    }

    /// Sets one pixel (ignored outside the image).
    pub fn put(&mut self, x: u32, y: u32, c: Rgba) {
        if x < self.width && y < self.height {
            let i = (y as usize * self.width as usize + x as usize) * 4;
            self.rgba[i..i + 4].copy_from_slice(&[c.r, c.g, c.b, c.a]);
        }
    }

    /// The image as PNG bytes.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        anyhow::ensure!(
            self.rgba.len() == self.width as usize * self.height as usize * 4,
            "raster {}x{}: {} bytes, expected {}",
            self.width,
            self.height,
            self.rgba.len(),
            self.width as usize * self.height as usize * 4
        );
        encode_png(self.width, self.height, &self.rgba)
    }
}

/// Encodes straight RGBA pixels as a PNG.
pub(crate) fn encode_png(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header().context("PNG header")?;
        w.write_image_data(rgba).context("PNG data")?;
        w.finish().context("PNG end")?;
    }
    Ok(out)
}
