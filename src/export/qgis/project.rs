//! `borderwatch.qgs`: the QGIS project that opens every layer with its style, in drawing
//! order, on the analysis extent, with the run's attribution and parameters.

use crate::export::qgis::style::{QGIS_VERSION, style_body};
use crate::export::qgis::xml::{esc, n};
use crate::export::qgis::{LayerInfo, ProjectInfo, Style};
use crate::model::Date;
use crate::projection::REGION_ALBERS;
use std::fmt::Write;

// ---------------------------------------------------------------------------------------
// Project

pub(super) fn wgs84() -> String {
    "<spatialrefsys nativeFormat=\"Wkt\">\n<wkt></wkt>\n<proj4>+proj=longlat +datum=WGS84 +no_defs</proj4>\n<srsid>3452</srsid>\n<srid>4326</srid>\n<authid>EPSG:4326</authid>\n<description>WGS 84</description>\n<projectionacronym>longlat</projectionacronym>\n<ellipsoidacronym>EPSG:7030</ellipsoidacronym>\n<geographicflag>true</geographicflag>\n</spatialrefsys>\n".into()
}

pub(super) fn albers() -> String {
    format!(
        "<spatialrefsys>\n<wkt></wkt>\n<proj4>{}</proj4>\n<srsid>0</srsid>\n<srid>0</srid>\n<authid></authid>\n<description>{}</description>\n<projectionacronym>aea</projectionacronym>\n<ellipsoidacronym>EPSG:7030</ellipsoidacronym>\n<geographicflag>false</geographicflag>\n</spatialrefsys>\n",
        esc(REGION_ALBERS),
        esc("borderwatch Albers equal-area (29 and 39 N, centre 34 N 68 E)")
    )
}

/// Text with every line prefixed by `indent`.
pub(super) fn indented(text: &str, indent: &str) -> String {
    text.lines().map(|l| format!("{indent}{l}\n")).collect()
}

pub(super) fn layer_id(name: &str) -> String {
    format!("{name}_borderwatch")
}

/// Project layers from top (drawn last) to bottom.
pub(super) fn drawing_order(layers: &[LayerInfo]) -> Vec<&LayerInfo> {
    use crate::export::schema::LAYERS as TOP_DOWN;
    let mut v: Vec<&LayerInfo> = layers.iter().collect();
    v.sort_by_key(|l| {
        TOP_DOWN
            .iter()
            .position(|n| *n == l.name)
            .unwrap_or(TOP_DOWN.len())
    });
    v
}

pub(super) fn extent_xml(tag: &str, e: [f64; 4], indent: &str) -> String {
    format!(
        "{indent}<{tag}>\n{indent}  <xmin>{}</xmin>\n{indent}  <ymin>{}</ymin>\n{indent}  <xmax>{}</xmax>\n{indent}  <ymax>{}</ymax>\n{indent}</{tag}>\n",
        n(e[0]),
        n(e[1]),
        n(e[2]),
        n(e[3])
    )
}

/// Where the project reads a layer: its table in the GeoPackage when one is written, else
/// its GeoJSON file; relative to the project.
pub(super) fn source(l: &LayerInfo, p: &ProjectInfo) -> String {
    match &p.gpkg {
        Some(g) => format!("./{g}|layername={}", l.name),
        None => format!("./{}", l.file),
    }
}

/// The incidents layer's time: each feature from `date_start` to `date_end` (QGIS's
/// `QgsVectorLayerTemporalProperties`, mode 2 = ModeFeatureDateTimeStartAndEndFromFields,
/// as QGIS 3.22 writes it), so the Temporal Controller steps through the incidents. A
/// feature shows in a frame when it starts before the frame ends and ends at or after the
/// frame starts (limitMode 0: frames include their start, exclude their end).
const TEMPORAL: &str = "      <temporal enabled=\"1\" mode=\"2\" startField=\"date_start\" endField=\"date_end\" startExpression=\"\" endExpression=\"\" durationField=\"\" durationUnit=\"min\" fixedDuration=\"0\" accumulate=\"0\" limitMode=\"0\">\n        <fixedRange>\n          <start></start>\n          <end></end>\n        </fixedRange>\n      </temporal>\n";

/// The project's time range: from the first incident's start to the end of the last
/// incident's last day, stepped by day, week or month as the span asks (at most a few
/// hundred frames).
pub(super) fn time_settings((start, end): (Date, Date)) -> String {
    let days = end.days_since_epoch() - start.days_since_epoch();
    let unit = if days <= 120 {
        "d"
    } else if days <= 3 * 366 {
        "wk"
    } else {
        "mon"
    };
    format!(
        "  <ProjectTimeSettings timeStep=\"1\" timeStepUnit=\"{unit}\" frameRate=\"1\" cumulativeTemporalRange=\"0\">\n    <TemporalRange>\n      <start>{start}T00:00:00Z</start>\n      <end>{end}T23:59:59Z</end>\n    </TemporalRange>\n  </ProjectTimeSettings>\n"
    )
}

pub(super) fn qgs(layers: &[LayerInfo], p: &ProjectInfo) -> String {
    let order = drawing_order(layers);
    let ext_m = p.extent_km.map(|v| (v * 1000.0).round());
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis projectname=\"{}\" version=\"{QGIS_VERSION}\">\n  <homePath path=\"\"/>\n  <title>{}</title>\n  <autotransaction active=\"0\"/>\n  <evaluateDefaultValues active=\"0\"/>\n  <trust active=\"0\"/>\n  <projectCrs>\n{}  </projectCrs>\n",
        esc(&p.title),
        esc(&p.title),
        indented(&albers(), "    ")
    );
    s.push_str("  <layer-tree-group>\n    <customproperties/>\n");
    for l in &order {
        let checked = if l.name == "sectors" {
            "Qt::Unchecked"
        } else {
            "Qt::Checked"
        };
        let _ = writeln!(
            s,
            "    <layer-tree-layer id=\"{}\" name=\"{}\" source=\"{}\" providerKey=\"ogr\" checked=\"{checked}\" expanded=\"{}\">\n      <customproperties/>\n    </layer-tree-layer>",
            esc(&layer_id(&l.name)),
            esc(&l.name),
            esc(&source(l, p)),
            u8::from(matches!(
                l.style,
                Style::Segments { .. } | Style::Incidents { .. }
            ))
        );
    }
    s.push_str("    <custom-order enabled=\"0\">\n");
    for l in &order {
        let _ = writeln!(s, "      <item>{}</item>", esc(&layer_id(&l.name)));
    }
    s.push_str("    </custom-order>\n  </layer-tree-group>\n");
    let _ = write!(
        s,
        "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n    <units>meters</units>\n{}    <rotation>0</rotation>\n    <destinationsrs>\n{}    </destinationsrs>\n    <rendermaptile>0</rendermaptile>\n  </mapcanvas>\n",
        extent_xml("extent", ext_m, "    "),
        indented(&albers(), "      ")
    );
    s.push_str("  <projectlayers>\n");
    for l in &order {
        let (body, labels) = style_body(l);
        let _ = writeln!(
            s,
            "    <maplayer type=\"vector\" geometry=\"{}\" wkbType=\"{}\" labelsEnabled=\"{}\" styleCategories=\"AllStyleCategories\" hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" maxScale=\"0\" readOnly=\"0\" autoRefreshEnabled=\"0\" autoRefreshTime=\"0\">",
            l.kind.geometry(),
            l.kind.wkb(),
            u8::from(labels)
        );
        if let Some(b) = l.bbox {
            s.push_str(&extent_xml("extent", b, "      "));
            s.push_str(&extent_xml("wgs84extent", b, "      "));
        }
        let _ = write!(
            s,
            "      <id>{}</id>\n      <datasource>{}</datasource>\n      <layername>{}</layername>\n      <srs>\n{}      </srs>\n",
            esc(&layer_id(&l.name)),
            esc(&source(l, p)),
            esc(&l.name),
            indented(&wgs84(), "        ")
        );
        let _ = write!(
            s,
            "      <resourceMetadata>\n        <identifier>{}</identifier>\n        <parentidentifier>borderwatch</parentidentifier>\n        <language>en</language>\n        <type>dataset</type>\n        <title>{}</title>\n        <abstract>{}</abstract>\n        <links/>\n        <fees></fees>\n        <rights>{}</rights>\n        <license>{}</license>\n        <encoding>UTF-8</encoding>\n        <crs>\n{}        </crs>\n        <extent/>\n      </resourceMetadata>\n",
            esc(&l.name),
            esc(&l.name),
            esc(&format!("{} layer written by {}", l.name, p.generator)),
            esc(&p.attribution),
            esc(
                "Natural Earth: public domain. GeoNames: CC BY 4.0. Incident data: the licence of each source (UCDP GED: CC BY 4.0)."
            ),
            indented(&wgs84(), "          ")
        );
        s.push_str("      <provider encoding=\"UTF-8\">ogr</provider>\n");
        if let (Style::Incidents { .. }, Some(_)) = (&l.style, p.time_range) {
            s.push_str(TEMPORAL);
        }
        for line in body.lines() {
            let _ = writeln!(s, "    {line}");
        }
        s.push_str("    </maplayer>\n");
    }
    s.push_str("  </projectlayers>\n  <layerorder>\n");
    for l in &order {
        let _ = writeln!(s, "    <layer id=\"{}\"/>", esc(&layer_id(&l.name)));
    }
    s.push_str("  </layerorder>\n");
    let _ = write!(
        s,
        "  <properties>\n    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n    </SpatialRefSys>\n    <Measurement>\n      <DistanceUnits type=\"QString\">km</DistanceUnits>\n      <AreaUnits type=\"QString\">km2</AreaUnits>\n    </Measurement>\n    <Variables>\n      <variableNames type=\"QStringList\">\n        <value>borderwatch_attribution</value>\n        <value>borderwatch_generator</value>\n      </variableNames>\n      <variableValues type=\"QStringList\">\n        <value>{}</value>\n        <value>{}</value>\n      </variableValues>\n    </Variables>\n    <borderwatch>\n      <attribution type=\"QString\">{}</attribution>\n      <generator type=\"QString\">{}</generator>\n      <parameters type=\"QString\">{}</parameters>\n    </borderwatch>\n  </properties>\n",
        esc(&p.attribution),
        esc(&p.generator),
        esc(&p.attribution),
        esc(&p.generator),
        esc(&p.parameters)
    );
    if let Some(range) = p.time_range {
        s.push_str(&time_settings(range));
    }
    s.push_str(&super::layout::layouts(&order, p, ext_m));
    let abstract_text = format!(
        "Layers written by {}.\n\nAttribution: {}\n\nRun parameters: {}",
        p.generator, p.attribution, p.parameters
    );
    let _ = write!(
        s,
        "  <projectMetadata>\n    <identifier>borderwatch</identifier>\n    <parentidentifier></parentidentifier>\n    <language>en</language>\n    <type>project</type>\n    <title>{}</title>\n    <abstract>{}</abstract>\n    <keywords vocabulary=\"borderwatch\">\n      <keyword>Afghanistan</keyword>\n      <keyword>borders</keyword>\n      <keyword>incidents</keyword>\n    </keywords>\n    <links/>\n    <history>{}</history>\n    <author>{}</author>\n  </projectMetadata>\n",
        esc(&p.title),
        esc(&abstract_text),
        esc(&format!("written by {}", p.generator)),
        esc(&p.generator)
    );
    let _ = write!(
        s,
        "  <ProjectViewSettings UseProjectScales=\"0\" rotation=\"0\">\n    <Scales/>\n    <DefaultViewExtent xmin=\"{}\" ymin=\"{}\" xmax=\"{}\" ymax=\"{}\">\n{}    </DefaultViewExtent>\n  </ProjectViewSettings>\n</qgis>\n",
        n(ext_m[0]),
        n(ext_m[1]),
        n(ext_m[2]),
        n(ext_m[3]),
        indented(&albers(), "      ")
    );
    s
}
