//! The project's print layout: one A4-landscape page laid out like the report's PNG map
//! (`map_overview.png`, also A4 landscape): title and subtitle at the top, the map on the
//! left over the analysis extent, the legend on the right, a scale bar in the map's lower
//! left corner, a north arrow (an SVG QGIS ships, pointing to true north) in its upper
//! right, and the attribution along the foot. Written as QGIS 3.22 writes layouts
//! (`<Layouts><Layout>` with `LayoutItem`s of the types in `QgsLayoutItemRegistry`), with
//! fixed uuids so the project stays byte-identical on rerun.

use crate::export::qgis::project::layer_id;
use crate::export::qgis::xml::{esc, n};
use crate::export::qgis::{LayerInfo, ProjectInfo, Style};
use std::fmt::Write;

/// `QgsLayoutItemRegistry` item types (QGraphicsItem::UserType + 100 + k).
const PAGE: u32 = 65638;
const MAP: u32 = 65639;
const PICTURE: u32 = 65640;
const LABEL: u32 = 65641;
const LEGEND: u32 = 65642;
const SCALEBAR: u32 = 65646;

/// The page, mm (A4 landscape, the PNG map page's proportions).
const PAGE_MM: (f64, f64) = (297.0, 210.0);
/// The map frame: x, y, width, height, mm.
const MAP_MM: (f64, f64, f64, f64) = (5.0, 20.0, 218.0, 177.0);

/// The name of the layout in QGIS's Layout Manager.
pub(crate) const LAYOUT_NAME: &str = "borderwatch overview";

fn uuid(k: u32) -> String {
    format!("{{b0bd1a00-0000-4000-8000-{k:012}}}")
}

/// One layout item: its frame and common attributes, then `body`.
struct Item {
    kind: u32,
    k: u32,
    id: &'static str,
    rect: (f64, f64, f64, f64),
    frame: bool,
    background: bool,
    attrs: String,
    body: String,
}

impl Item {
    fn xml(&self) -> String {
        let (x, y, w, h) = self.rect;
        let u = uuid(self.k);
        format!(
            "      <LayoutItem type=\"{}\" uuid=\"{u}\" templateUuid=\"{u}\" id=\"{}\" position=\"{},{},mm\" positionOnPage=\"{},{},mm\" size=\"{},{},mm\" referencePoint=\"0\" itemRotation=\"0\" zValue=\"{}\" visibility=\"1\" positionLock=\"false\" frame=\"{}\" background=\"{}\" blendMode=\"0\" opacity=\"1\" excludeFromExports=\"0\" groupUuid=\"\" frameJoinStyle=\"miter\" outlineWidthM=\"0.3,mm\"{}>\n        <FrameColor red=\"90\" green=\"90\" blue=\"90\" alpha=\"255\"/>\n        <BackgroundColor red=\"255\" green=\"255\" blue=\"255\" alpha=\"255\"/>\n        <LayoutObject>\n          <dataDefinedProperties>\n            <Option type=\"Map\">\n              <Option type=\"QString\" value=\"\" name=\"name\"/>\n              <Option name=\"properties\"/>\n              <Option type=\"QString\" value=\"collection\" name=\"type\"/>\n            </Option>\n          </dataDefinedProperties>\n          <customproperties/>\n        </LayoutObject>\n{}      </LayoutItem>\n",
            self.kind,
            esc(self.id),
            n(x),
            n(y),
            n(x),
            n(y),
            n(w),
            n(h),
            self.k,
            self.frame,
            self.background,
            self.attrs,
            self.body
        )
    }
}

/// A text label: `size` pt, bold or not.
fn label(
    k: u32,
    id: &'static str,
    rect: (f64, f64, f64, f64),
    text: &str,
    size: f64,
    bold: bool,
) -> Item {
    Item {
        kind: LABEL,
        k,
        id,
        rect,
        frame: false,
        background: false,
        attrs: format!(
            " labelText=\"{}\" htmlState=\"0\" marginX=\"0\" marginY=\"0\" halign=\"1\" valign=\"32\"",
            esc(text)
        ),
        body: format!(
            "        <LabelFont description=\"DejaVu Sans,{},-1,5,{},0,0,0,0,0\" style=\"\"/>\n        <FontColor red=\"30\" green=\"30\" blue=\"30\" alpha=\"255\"/>\n",
            n(size),
            if bold { 75 } else { 50 }
        ),
    }
}

/// The extent, grown to the map frame's proportions (so the map shows all of it).
fn fit(e: [f64; 4]) -> [f64; 4] {
    let (w, h) = (e[2] - e[0], e[3] - e[1]);
    let aspect = MAP_MM.2 / MAP_MM.3;
    let (cx, cy) = ((e[0] + e[2]) / 2.0, (e[1] + e[3]) / 2.0);
    let (w, h) = if w / h > aspect {
        (w, w / aspect)
    } else {
        (h * aspect, h)
    };
    [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0].map(f64::round)
}

/// The `<Layouts>` element: one print layout over `ext_m` (the project's view extent, m),
/// its legend listing the analysis layers of `order` (the drawing order).
pub(super) fn layouts(order: &[&LayerInfo], p: &ProjectInfo, ext_m: [f64; 4]) -> String {
    let map_uuid = uuid(1);
    let e = fit(ext_m);
    let mut items = vec![Item {
        kind: MAP,
        k: 1,
        id: "map",
        rect: MAP_MM,
        frame: true,
        background: true,
        attrs: " keepLayerSet=\"false\" drawCanvasItems=\"true\" mapRotation=\"0\" mapFlags=\"0\" followPreset=\"false\" followPresetName=\"\" isTemporal=\"0\" labelMargin=\"0,mm\"".into(),
        body: format!(
            "        <Extent xmin=\"{}\" ymin=\"{}\" xmax=\"{}\" ymax=\"{}\"/>\n        <LayerSet/>\n        <AtlasMap atlasDriven=\"0\" margin=\"0.1\" scalingMode=\"2\"/>\n        <labelBlockingItems/>\n",
            n(e[0]),
            n(e[1]),
            n(e[2]),
            n(e[3])
        ),
    }];
    // The legend: what the map's reader needs (incidents, segments, density, borders,
    // corridors), not the context layers.
    let mut tree = String::from("        <layer-tree-group>\n          <customproperties/>\n");
    for l in order.iter().filter(|l| {
        matches!(
            l.style,
            Style::Incidents { .. }
                | Style::Segments { .. }
                | Style::Isobands { .. }
                | Style::Borders
                | Style::Corridors
        )
    }) {
        let _ = writeln!(
            tree,
            "          <layer-tree-layer id=\"{}\" name=\"{}\" source=\"{}\" providerKey=\"ogr\" checked=\"Qt::Checked\" expanded=\"1\">\n            <customproperties/>\n          </layer-tree-layer>",
            esc(&layer_id(&l.name)),
            esc(&l.name),
            esc(&super::project::source(l, p))
        );
    }
    tree.push_str("        </layer-tree-group>\n        <styles>\n");
    for (name, size, weight, top) in [
        ("title", 9.0, 75, 0.0),
        ("group", 8.0, 75, 2.0),
        ("subgroup", 7.5, 75, 2.0),
        ("symbol", 6.5, 50, 1.2),
        ("symbolLabel", 6.5, 50, 1.2),
    ] {
        let _ = writeln!(
            tree,
            "          <style name=\"{name}\" marginTop=\"{}\" marginLeft=\"1.5\" alignment=\"1\" indent=\"0\">\n            <styleFont description=\"DejaVu Sans,{},-1,5,{weight},0,0,0,0,0\" style=\"\"/>\n          </style>",
            n(top),
            n(size)
        );
    }
    tree.push_str("        </styles>\n");
    items.push(Item {
        kind: LEGEND,
        k: 2,
        id: "legend",
        rect: (226.0, 20.0, 66.0, 177.0),
        frame: false,
        background: true,
        attrs: format!(
            " map_uuid=\"{map_uuid}\" title=\"\" resizeToContents=\"0\" columnCount=\"1\" splitLayer=\"0\" equalColumnWidth=\"0\" symbolWidth=\"6\" symbolHeight=\"2.8\" wmsLegendWidth=\"50\" wmsLegendHeight=\"25\" boxSpace=\"1\" columnSpace=\"2\" lineSpacing=\"1\" symbolAlignment=\"1\" titleAlignment=\"1\" fontColor=\"#1e1e1e\" rasterBorder=\"1\" rasterBorderColor=\"0,0,0,255\" rasterBorderWidth=\"0\" legendFilterByAtlas=\"0\" wrapChar=\"\""
        ),
        body: tree,
    });
    items.push(Item {
        kind: SCALEBAR,
        k: 3,
        id: "scale bar",
        rect: (8.0, 186.0, 60.0, 9.0),
        frame: false,
        background: true,
        attrs: format!(
            " mapUuid=\"{map_uuid}\" style=\"Single Box\" unitType=\"km\" unitLabel=\"km\" numMapUnitsPerScaleBarUnit=\"1\" numSegments=\"2\" numSegmentsLeft=\"0\" numUnitsPerSegment=\"100\" segmentSizeMode=\"1\" minBarWidth=\"20\" maxBarWidth=\"50\" segmentMillimeters=\"0\" height=\"2\" labelBarSpace=\"1.5\" boxContentSpace=\"1\" alignment=\"0\" labelVerticalPlacement=\"0\" labelHorizontalPlacement=\"0\" outlineWidth=\"0.3\" lineJoinStyle=\"miter\" lineCapStyle=\"square\" numSubdivisions=\"1\" subdivisionsHeight=\"1.5\""
        ),
        body: "        <fillColor red=\"40\" green=\"40\" blue=\"40\" alpha=\"255\"/>\n        <fillColor2 red=\"255\" green=\"255\" blue=\"255\" alpha=\"255\"/>\n        <strokeColor red=\"40\" green=\"40\" blue=\"40\" alpha=\"255\"/>\n        <text-style fontFamily=\"DejaVu Sans\" fontSize=\"7\" fontSizeUnit=\"Point\" fontWeight=\"50\" fontItalic=\"0\" textColor=\"30,30,30,255\" textOpacity=\"1\" namedStyle=\"\"/>\n".into(),
    });
    items.push(Item {
        kind: PICTURE,
        k: 4,
        id: "north arrow",
        rect: (211.0, 22.0, 10.0, 15.0),
        frame: false,
        background: true,
        attrs: format!(
            " file=\"arrows/NorthArrow_02.svg\" mode=\"0\" pictureRotation=\"0\" pictureWidth=\"10\" pictureHeight=\"15\" resizeMode=\"0\" anchorPoint=\"4\" mapUuid=\"{map_uuid}\" northMode=\"1\" northOffset=\"0\" svgFillColor=\"30,30,30,255\" svgBorderColor=\"255,255,255,255\" svgBorderWidth=\"0.2\""
        ),
        body: String::new(),
    });
    let when = p
        .time_range
        .map(|(a, b)| format!("Incidents {a} to {b}. "))
        .unwrap_or_default();
    let source = match &p.gpkg {
        Some(g) => format!("layers from {g}"),
        None => "layers from the GeoJSON files".into(),
    };
    items.push(label(
        5,
        "title",
        (5.0, 4.0, 287.0, 9.0),
        &p.title,
        17.0,
        true,
    ));
    items.push(label(
        6,
        "subtitle",
        (5.0, 13.0, 287.0, 6.0),
        &format!("{when}{}; {source}", p.generator),
        10.0,
        false,
    ));
    items.push(label(
        7,
        "attribution",
        (5.0, 199.0, 287.0, 10.0),
        &p.attribution,
        6.0,
        false,
    ));
    let mut s = format!(
        "  <Layouts>\n    <Layout name=\"{}\" units=\"mm\" printResolution=\"300\" worldFileMap=\"{map_uuid}\">\n      <PageCollection>\n",
        esc(LAYOUT_NAME)
    );
    s.push_str(
        &Item {
            kind: PAGE,
            k: 0,
            id: "",
            rect: (0.0, 0.0, PAGE_MM.0, PAGE_MM.1),
            frame: false,
            background: true,
            attrs: String::new(),
            body: String::new(),
        }
        .xml()
        .replace("      <", "        <"),
    );
    s.push_str("      </PageCollection>\n");
    for i in &items {
        s.push_str(&i.xml());
    }
    s.push_str("    </Layout>\n  </Layouts>\n");
    s
}
