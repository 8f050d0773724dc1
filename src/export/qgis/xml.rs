//! The XML toolkit of the QGIS writers: escaping, numbers and colours as QGIS writes them,
//! symbol layers and symbols, and the renderer elements (single symbol, graduated,
//! categorised). Knows QGIS's XML, not which layer is drawn how.

use std::fmt::Write;

// ---------------------------------------------------------------------------------------
// XML helpers

/// XML-escapes text for an attribute or element (control characters other than tab and
/// newline, which XML 1.0 cannot carry, are dropped).
pub(super) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\n' => o.push_str("&#10;"),
            '\t' => o.push_str("&#9;"),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// A number as QGIS writes it: shortest text that reads back to the same value.
pub(super) fn n(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

pub(super) type Rgba = (u8, u8, u8, u8);

pub(super) fn rgba(c: Rgba) -> String {
    format!("{},{},{},{}", c.0, c.1, c.2, c.3)
}

/// A QGIS string literal for expressions.
pub(super) fn qstr(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// One symbol layer: its class, properties and data-defined (expression) properties.
pub(super) struct SymLayer {
    class: &'static str,
    locked: bool,
    /// Rendering pass (with symbol levels on, all of pass 0 is drawn before pass 1).
    pass: u8,
    props: Vec<(&'static str, String)>,
    dd: Vec<(&'static str, String)>,
}

impl SymLayer {
    pub(super) fn dd(mut self, key: &'static str, expression: impl Into<String>) -> SymLayer {
        self.dd.push((key, expression.into()));
        self
    }

    pub(super) fn locked(mut self) -> SymLayer {
        self.locked = true;
        self
    }

    pub(super) fn pass(mut self, pass: u8) -> SymLayer {
        self.pass = pass;
        self
    }
}

pub(super) fn dd_xml(dd: &[(&str, String)], indent: &str) -> String {
    let mut s = format!(
        "{indent}<data_defined_properties>\n{indent}  <Option type=\"Map\">\n{indent}    <Option name=\"name\" type=\"QString\" value=\"\"/>\n"
    );
    if dd.is_empty() {
        let _ = writeln!(s, "{indent}    <Option name=\"properties\"/>");
    } else {
        let _ = writeln!(s, "{indent}    <Option name=\"properties\" type=\"Map\">");
        for (k, e) in dd {
            let _ = writeln!(
                s,
                "{indent}      <Option name=\"{}\" type=\"Map\">\n{indent}        <Option name=\"active\" type=\"bool\" value=\"true\"/>\n{indent}        <Option name=\"expression\" type=\"QString\" value=\"{}\"/>\n{indent}        <Option name=\"type\" type=\"int\" value=\"3\"/>\n{indent}      </Option>",
                esc(k),
                esc(e)
            );
        }
        let _ = writeln!(s, "{indent}    </Option>");
    }
    let _ = write!(
        s,
        "{indent}    <Option name=\"type\" type=\"QString\" value=\"collection\"/>\n{indent}  </Option>\n{indent}</data_defined_properties>\n"
    );
    s
}

/// Properties as QGIS 3.22 writes them: an Option map, and the same as `prop` elements for
/// older readers.
pub(super) fn props_xml(props: &[(&str, String)], indent: &str) -> String {
    let mut s = format!("{indent}<Option type=\"Map\">\n");
    for (k, v) in props {
        let _ = writeln!(
            s,
            "{indent}  <Option name=\"{}\" type=\"QString\" value=\"{}\"/>",
            esc(k),
            esc(v)
        );
    }
    let _ = writeln!(s, "{indent}</Option>");
    for (k, v) in props {
        let _ = writeln!(s, "{indent}<prop k=\"{}\" v=\"{}\"/>", esc(k), esc(v));
    }
    s
}

pub(super) fn symbol_xml(
    kind: &str,
    name: &str,
    alpha: f64,
    layers: &[SymLayer],
    indent: &str,
) -> String {
    let mut s = format!(
        "{indent}<symbol name=\"{}\" type=\"{kind}\" alpha=\"{}\" clip_to_extent=\"1\" force_rhr=\"0\">\n",
        esc(name),
        n(alpha)
    );
    s.push_str(&dd_xml(&[], &format!("{indent}  ")));
    for l in layers {
        let _ = writeln!(
            s,
            "{indent}  <layer class=\"{}\" pass=\"{}\" locked=\"{}\" enabled=\"1\">",
            l.class,
            l.pass,
            u8::from(l.locked)
        );
        s.push_str(&props_xml(&l.props, &format!("{indent}    ")));
        s.push_str(&dd_xml(&l.dd, &format!("{indent}    ")));
        let _ = writeln!(s, "{indent}  </layer>");
    }
    let _ = writeln!(s, "{indent}</symbol>");
    s
}

pub(super) fn line(color: Rgba, width_mm: f64) -> SymLayer {
    SymLayer {
        class: "SimpleLine",
        locked: false,
        pass: 0,
        props: vec![
            ("capstyle", "round".into()),
            ("joinstyle", "round".into()),
            ("line_color", rgba(color)),
            ("line_style", "solid".into()),
            ("line_width", n(width_mm)),
            ("line_width_unit", "MM".into()),
            ("offset", "0".into()),
            ("offset_unit", "MM".into()),
            ("use_custom_dash", "0".into()),
        ],
        dd: Vec::new(),
    }
}

pub(super) fn fill(color: Rgba, outline: Rgba, outline_mm: f64, outline_style: &str) -> SymLayer {
    let brush = if color.3 == 0 { "no" } else { "solid" };
    SymLayer {
        class: "SimpleFill",
        locked: false,
        pass: 0,
        props: vec![
            ("color", rgba(color)),
            ("joinstyle", "bevel".into()),
            ("offset", "0,0".into()),
            ("offset_unit", "MM".into()),
            ("outline_color", rgba(outline)),
            ("outline_style", outline_style.into()),
            ("outline_width", n(outline_mm)),
            ("outline_width_unit", "MM".into()),
            ("style", brush.into()),
        ],
        dd: Vec::new(),
    }
}

pub(super) fn marker(color: Rgba, outline: Rgba, outline_mm: f64, size_mm: f64) -> SymLayer {
    SymLayer {
        class: "SimpleMarker",
        locked: false,
        pass: 0,
        props: vec![
            ("angle", "0".into()),
            ("color", rgba(color)),
            ("horizontal_anchor_point", "1".into()),
            ("joinstyle", "bevel".into()),
            ("name", "circle".into()),
            ("offset", "0,0".into()),
            ("offset_unit", "MM".into()),
            ("outline_color", rgba(outline)),
            ("outline_style", "solid".into()),
            ("outline_width", n(outline_mm)),
            ("outline_width_unit", "MM".into()),
            ("scale_method", "diameter".into()),
            ("size", n(size_mm)),
            ("size_unit", "MM".into()),
            ("vertical_anchor_point", "1".into()),
        ],
        dd: Vec::new(),
    }
}

pub(super) const RENDERER_ATTRS: &str =
    "symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\"";

/// Symbol levels on: every symbol's pass 0 (casings) is drawn before any pass 1.
pub(super) const LEVELS_ATTRS: &str =
    "symbollevels=\"1\" enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\"";

pub(super) fn single_renderer(kind: &str, layers: &[SymLayer], alpha: f64) -> String {
    format!(
        "  <renderer-v2 type=\"singleSymbol\" {RENDERER_ATTRS}>\n    <symbols>\n{}    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n",
        symbol_xml(kind, "0", alpha, layers, "      ")
    )
}

/// A graduated renderer: `(lower, upper, label, symbol layers)` per class, and the ramp the
/// classes were coloured from (so reclassifying in QGIS keeps it).
pub(super) fn graduated_renderer(
    attr: &str,
    kind: &str,
    classes: Vec<(f64, f64, String, Vec<SymLayer>)>,
    ramp: &[Rgba],
    symbol_levels: bool,
) -> String {
    let mut s = format!(
        "  <renderer-v2 type=\"graduatedSymbol\" attr=\"{}\" graduatedMethod=\"GraduatedColor\" {}>\n    <ranges>\n",
        esc(attr),
        if symbol_levels {
            LEVELS_ATTRS
        } else {
            RENDERER_ATTRS
        }
    );
    for (i, (lo, hi, label, _)) in classes.iter().enumerate() {
        let _ = writeln!(
            s,
            "      <range lower=\"{}\" upper=\"{}\" label=\"{}\" symbol=\"{i}\" render=\"true\"/>",
            n(*lo),
            n(*hi),
            esc(label)
        );
    }
    s.push_str("    </ranges>\n    <symbols>\n");
    for (i, (_, _, _, layers)) in classes.iter().enumerate() {
        s.push_str(&symbol_xml(kind, &i.to_string(), 1.0, layers, "      "));
    }
    s.push_str("    </symbols>\n");
    s.push_str(&ramp_xml(ramp));
    s.push_str(
        "    <classificationMethod id=\"Custom\">\n      <symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n      <labelFormat format=\"%1 - %2\" labelprecision=\"4\" trimtrailingzeroes=\"1\"/>\n    </classificationMethod>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n",
    );
    s
}

pub(super) fn ramp_xml(ramp: &[Rgba]) -> String {
    let first = ramp.first().copied().unwrap_or((255, 255, 255, 255));
    let last = ramp.last().copied().unwrap_or((0, 0, 0, 255));
    let k = ramp.len().saturating_sub(1).max(1);
    let stops: Vec<String> = ramp
        .iter()
        .enumerate()
        .skip(1)
        .take(ramp.len().saturating_sub(2))
        .map(|(i, c)| format!("{};{}", n(i as f64 / k as f64), rgba(*c)))
        .collect();
    let props = vec![
        ("color1", rgba(first)),
        ("color2", rgba(last)),
        ("discrete", "0".to_string()),
        ("rampType", "gradient".to_string()),
        ("stops", stops.join(":")),
    ];
    format!(
        "    <colorramp type=\"gradient\" name=\"[source]\">\n{}    </colorramp>\n",
        props_xml(&props, "      ")
    )
}

/// A categorized renderer: `(value, label, symbol layers)`; the value `""` takes every
/// other value.
pub(super) fn categorized_renderer(
    attr: &str,
    kind: &str,
    cats: Vec<(String, String, Vec<SymLayer>)>,
) -> String {
    let mut s = format!(
        "  <renderer-v2 type=\"categorizedSymbol\" attr=\"{}\" {RENDERER_ATTRS}>\n    <categories>\n",
        esc(attr)
    );
    for (i, (v, label, _)) in cats.iter().enumerate() {
        let _ = writeln!(
            s,
            "      <category value=\"{}\" label=\"{}\" symbol=\"{i}\" render=\"true\"/>",
            esc(v),
            esc(label)
        );
    }
    s.push_str("    </categories>\n    <symbols>\n");
    for (i, (_, _, layers)) in cats.iter().enumerate() {
        s.push_str(&symbol_xml(kind, &i.to_string(), 1.0, layers, "      "));
    }
    s.push_str("    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn escapes_xml() {
        assert_eq!(esc("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
