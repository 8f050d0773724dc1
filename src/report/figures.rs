//! The run's SVG figures made safe to inline in one HTML page: the XML prolog dropped, and
//! every id (with the references to it) given the figure's own prefix, so the profile's
//! `plot-AF-PK` and another figure's cannot collide, nor a figure's ids the page's.

/// An SVG document as an element to put in HTML, its ids prefixed with `prefix-`.
pub fn inline_svg(svg: &str, prefix: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    body.trim_end()
        .replace(" id=\"", &format!(" id=\"{prefix}-"))
        .replace("url(#", &format!("url(#{prefix}-"))
        .replace("href=\"#", &format!("href=\"#{prefix}-"))
        .replacen("<svg ", "<svg class=\"bw-figure\" ", 1)
}

#[cfg(test)]
mod tests {
    use super::inline_svg;

    #[test]
    fn ids_and_references_get_the_prefix_and_the_prolog_goes() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"10\"><defs><clipPath id=\"c\"/></defs>\
                   <g id=\"plot-AF-PK\" clip-path=\"url(#c)\"><use href=\"#c\"/></g></svg>\n";
        let out = inline_svg(svg, "profile");
        assert!(
            out.starts_with("<svg class=\"bw-figure\" width=\"10\">"),
            "{out}"
        );
        assert!(out.contains("id=\"profile-c\"") && out.contains("id=\"profile-plot-AF-PK\""));
        assert!(out.contains("url(#profile-c)") && out.contains("href=\"#profile-c\""));
        assert!(!out.contains("<?xml"));
    }
}
