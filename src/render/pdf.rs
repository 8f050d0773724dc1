//! SVG to vector PDF with svg2pdf, for report writers who work in LaTeX or print: the PDF is
//! made from the same SVG as the PNG, so all three formats show the same thing. Text stays
//! text (selectable, searchable) in the bundled DejaVu Sans, subset and embedded, so no
//! system font is consulted and the file looks the same everywhere.
//!
//! svg2pdf pins its own `usvg`, older than the one resvg uses for the PNG, so the SVG is
//! parsed a second time here with that version and its own font database.
//!
//! Determinism. svg2pdf numbers and writes the objects of each embedded font in the order
//! of a `HashMap`, which differs from process to process, so two conversions of one SVG can
//! differ in bytes. [`canonical_order`] renumbers the objects in the order they are reached
//! from the trailer and writes them in that order: the same SVG then always gives the same
//! file.

use super::fonts;
use anyhow::{Context, Result};
use std::sync::{Arc, LazyLock};
use svg2pdf::usvg::{self, fontdb};

/// The bundled fonts only, every generic family mapped to them (as for the PNG).
static FONTDB: LazyLock<Arc<fontdb::Database>> =
    LazyLock::new(|| fonts::bundled_font_database!(fontdb::Database));

/// Renders an SVG document as a one-page vector PDF. `dpi` is the page's: the SVG's pixel
/// size divided by it gives the paper size (2000 px at 171 dpi is A4 landscape).
pub fn svg_to_pdf(svg: &str, dpi: f64) -> Result<Vec<u8>> {
    let mut opt = usvg::Options {
        font_family: fonts::FAMILY.to_string(),
        fontdb: FONTDB.clone(),
        ..usvg::Options::default()
    };
    // Only embedded (`data:`) images: an href naming a file is ignored rather than read.
    opt.image_href_resolver.resolve_string = Box::new(|_, _| None);
    let tree = usvg::Tree::from_str(svg, &opt).context("parsing the SVG for the PDF")?;
    let page = svg2pdf::PageOptions {
        dpi: dpi.clamp(1.0, 10_000.0) as f32,
    };
    let pdf = svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page)
        .map_err(|e| anyhow::anyhow!("converting the SVG to PDF: {e}"))?;
    canonical_order(&pdf).context("ordering the PDF's objects")
}

/// An indirect object as written (from `N 0 obj` to just before the next object) split
/// into its text before the stream data, the stream data, and the text after it
/// (references never occur inside stream data here, and must not be rewritten there).
fn stream_parts(b: &[u8]) -> (&[u8], &[u8], &[u8]) {
    match find(b, b">>\nstream\n") {
        Some(i) => {
            let data_start = i + b">>\nstream\n".len();
            let data_end = rfind(b, b"endstream").unwrap_or(b.len()).max(data_start);
            (&b[..data_start], &b[data_start..data_end], &b[data_end..])
        }
        None => (b, &[], &[]),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// `text` with each run of dictionary lines `/Name N 0 R` sorted by name: svg2pdf lists
/// a page's resources (fonts, graphics states) in `HashMap` order, and a dictionary's
/// order means nothing in PDF.
fn sorted_entries(text: &[u8]) -> Vec<u8> {
    let is_entry = |line: &[u8]| {
        let t = line.trim_ascii_start();
        t.first() == Some(&b'/')
            && t.ends_with(b" 0 R")
            && t.iter().filter(|&&c| c == b' ').count() == 3
    };
    let mut lines: Vec<&[u8]> = text.split(|&c| c == b'\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        while i < lines.len() && is_entry(lines[i]) {
            i += 1;
        }
        let name = |l: &[u8]| {
            l.trim_ascii_start()
                .split(|&c| c == b' ')
                .next()
                .map(<[u8]>::to_vec)
        };
        lines[start..i].sort_by_key(|l| name(l));
        i = i.max(start + 1);
    }
    lines.join(&b'\n')
}

/// Copies `text`, handing each reference `N 0 R` to `visit`, which may give the number to
/// write in place of `N`.
fn map_references(text: &[u8], mut visit: impl FnMut(usize) -> Option<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < text.len() {
        if !(text[i].is_ascii_digit() && (i == 0 || !text[i - 1].is_ascii_alphanumeric())) {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && text[i].is_ascii_digit() {
            i += 1;
        }
        let is_ref = text[i..].starts_with(b" 0 R")
            && text.get(i + 4).is_none_or(|c| !c.is_ascii_alphanumeric());
        let number = std::str::from_utf8(&text[start..i])
            .ok()
            .and_then(|s| s.parse().ok());
        match number.filter(|_| is_ref).and_then(&mut visit) {
            Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
            None => out.extend_from_slice(&text[start..i]),
        }
    }
    out
}

/// The object numbers `text` refers to, in order of appearance.
fn references(text: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    map_references(text, |n| {
        found.push(n);
        None
    });
    found
}

/// `text` with every reference renumbered by `new`.
fn renumber(text: &[u8], new: &[usize]) -> Vec<u8> {
    map_references(text, |n| new.get(n).copied())
}

/// Rewrites a PDF with a classic cross-reference table (as svg2pdf writes it) so that its
/// objects are numbered in the order they are first reached from the trailer, breadth
/// first, and written in that order. The content is unchanged.
fn canonical_order(pdf: &[u8]) -> Result<Vec<u8>> {
    let bad = || anyhow::anyhow!("not a PDF with a classic cross-reference table");
    let sx_at = rfind(pdf, b"startxref").ok_or_else(bad)?;
    let xref_at: usize = std::str::from_utf8(&pdf[sx_at + 9..])?
        .split_whitespace()
        .next()
        .ok_or_else(bad)?
        .parse()?;
    let table = std::str::from_utf8(pdf.get(xref_at..sx_at).ok_or_else(bad)?)?;
    let mut lines = table.lines();
    anyhow::ensure!(lines.next() == Some("xref"), bad());
    let count: usize = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .ok_or_else(bad)?
        .parse()?;
    let offsets: Vec<usize> = lines
        .by_ref()
        .take(count)
        .map(|l| l.get(..10).unwrap_or("").parse::<usize>())
        .collect::<std::result::Result<_, _>>()?;
    let trailer_at = xref_at + find(&pdf[xref_at..sx_at], b"trailer").ok_or_else(bad)?;
    let trailer = &pdf[trailer_at..sx_at];
    // Each object runs from its offset to the next object's (or the table).
    let mut by_offset: Vec<(usize, usize)> = (1..count).map(|n| (offsets[n], n)).collect();
    by_offset.sort_unstable();
    let first = by_offset.first().map_or(xref_at, |o| o.0);
    let mut objects: Vec<Option<&[u8]>> = vec![None; count];
    for (k, &(off, n)) in by_offset.iter().enumerate() {
        let end = by_offset.get(k + 1).map_or(xref_at, |o| o.0);
        let bytes = pdf.get(off..end).ok_or_else(bad)?;
        anyhow::ensure!(bytes.starts_with(format!("{n} 0 obj").as_bytes()), bad());
        objects[n] = Some(bytes);
    }
    // Breadth first from the trailer: new numbers in order of first reference.
    let mut new = vec![0usize; count];
    let mut order: Vec<usize> = Vec::with_capacity(count);
    let mut queue: std::collections::VecDeque<usize> = references(trailer).into();
    while let Some(n) = queue.pop_front() {
        if n == 0 || n >= count || new[n] != 0 || objects[n].is_none() {
            continue;
        }
        order.push(n);
        new[n] = order.len();
        if let Some(o) = objects[n] {
            let (head, _, tail) = stream_parts(o);
            queue.extend(references(&sorted_entries(head)));
            queue.extend(references(tail));
        }
    }
    // Objects nothing refers to keep their relative order, last.
    for n in 1..count {
        if new[n] == 0 && objects[n].is_some() {
            order.push(n);
            new[n] = order.len();
        }
    }
    let mut out = Vec::with_capacity(pdf.len());
    out.extend_from_slice(&pdf[..first]);
    let mut new_offsets = vec![0usize; order.len() + 1];
    for &n in &order {
        let Some(o) = objects[n] else { continue };
        new_offsets[new[n]] = out.len();
        let (head, data, tail) = stream_parts(o);
        let header_len = format!("{n} 0 obj").len();
        out.extend_from_slice(format!("{} 0 obj", new[n]).as_bytes());
        out.extend_from_slice(&renumber(&sorted_entries(&head[header_len..]), &new));
        out.extend_from_slice(data);
        out.extend_from_slice(&renumber(tail, &new));
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", order.len() + 1).as_bytes(),
    );
    for off in &new_offsets[1..] {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(&renumber(trailer, &new));
    out.extend_from_slice(format!("startxref\n{xref}\n%%EOF").as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_becomes_a_pdf_with_embedded_text() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="1414" viewBox="0 0 2000 1414">
<rect x="10" y="10" width="500" height="300" fill="#c0392b"/>
<text x="40" y="400" font-family="DejaVu Sans" font-size="40">Дарвоз, Panj</text></svg>"##;
        let pdf = svg_to_pdf(svg, 2000.0 / (297.0 / 25.4)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        // A4 landscape in points (842 x 595), the bundled font embedded (a subset).
        assert!(text.contains("/MediaBox [0 0 841.8"), "page size");
        assert!(text.contains("DejaVuSans"), "font embedded");
        assert!(
            text.contains("/FontFile2"),
            "TrueType font program embedded"
        );
        // Same input, same bytes, however the converter ordered its fonts (regular and
        // bold come out in a different order from one conversion to the next).
        let bold = svg.replace(
            "</svg>",
            r#"<text x="40" y="500" font-size="40" font-weight="bold">Ишкошим</text></svg>"#,
        );
        let first = svg_to_pdf(&bold, 170.0).unwrap();
        for _ in 0..8 {
            assert!(first == svg_to_pdf(&bold, 170.0).unwrap());
        }
        assert!(String::from_utf8_lossy(&first).contains("DejaVuSans-Bold"));
        assert!(svg_to_pdf("<svg", 72.0).is_err());
    }
}
