//! The SQL of a GeoPackage: the required tables of OGC GeoPackage 1.3 (§1.1.2, §1.1.3,
//! §2.1.5, §2.3), the R-tree spatial index extension (F.3, `gpkg_rtree_index`) with the
//! spec's triggers, and QGIS's `layer_styles` table, in the text GDAL itself writes.

/// `gpkg_spatial_ref_sys`, `gpkg_contents`, `gpkg_geometry_columns` and `gpkg_extensions`.
pub(super) const CORE: &str = "
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL PRIMARY KEY,organization TEXT NOT NULL,organization_coordsys_id INTEGER NOT NULL,definition  TEXT NOT NULL,description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,data_type TEXT NOT NULL,identifier TEXT UNIQUE,description TEXT DEFAULT '',last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),min_x DOUBLE, min_y DOUBLE,max_x DOUBLE, max_y DOUBLE,srs_id INTEGER,CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,geometry_type_name TEXT NOT NULL,srs_id INTEGER NOT NULL,z TINYINT NOT NULL,m TINYINT NOT NULL,CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),CONSTRAINT uk_gc_table_name UNIQUE (table_name),CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined Cartesian coordinate reference system');
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
";

/// The `definition` of the R-tree extension, as GDAL registers it.
pub(super) const RTREE_DEFINITION: &str = "http://www.geopackage.org/spec120/#extension_rtree";

/// QGIS's style table (the columns QGIS and GDAL create), registered as attributes.
pub(super) const LAYER_STYLES: &str = "
CREATE TABLE \"layer_styles\" ( \"id\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"f_table_catalog\" TEXT(256), \"f_table_schema\" TEXT(256), \"f_table_name\" TEXT(256), \"f_geometry_column\" TEXT(256), \"styleName\" TEXT(30), \"styleQML\" TEXT, \"styleSLD\" TEXT, \"useAsDefault\" BOOLEAN, \"description\" TEXT, \"owner\" TEXT(30), \"ui\" TEXT(30), \"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
";

/// An SQL identifier, double-quoted.
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The spec's triggers that keep `rtree_<t>_<c>` in step with edits (F.3, GeoPackage 1.3):
/// created after the rows are written, so that writing them needs no spatial SQL functions
/// (SQLite knows `ST_MinX` and friends only where GDAL or QGIS provides them).
pub(super) fn rtree_triggers(table: &str, column: &str, fid: &str) -> String {
    let rtree = quoted(&format!("rtree_{table}_{column}"));
    let trigger = |suffix: &str| quoted(&format!("rtree_{table}_{column}_{suffix}"));
    let (t, c, i) = (quoted(table), quoted(column), quoted(fid));
    let values =
        format!("(NEW.{i},ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}),ST_MinY(NEW.{c}), ST_MaxY(NEW.{c}))");
    format!(
        "CREATE TRIGGER {insert} AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN INSERT OR REPLACE INTO {rtree} VALUES {values}; END;
CREATE TRIGGER {u1} AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN INSERT OR REPLACE INTO {rtree} VALUES {values}; END;
CREATE TRIGGER {u2} AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {rtree} WHERE id = OLD.{i}; END;
CREATE TRIGGER {u3} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {rtree} WHERE id = OLD.{i}; INSERT OR REPLACE INTO {rtree} VALUES {values}; END;
CREATE TRIGGER {u4} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {rtree} WHERE id IN (OLD.{i}, NEW.{i}); END;
CREATE TRIGGER {delete} AFTER DELETE ON {t} WHEN old.{c} NOT NULL BEGIN DELETE FROM {rtree} WHERE id = OLD.{i}; END;
",
        insert = trigger("insert"),
        u1 = trigger("update1"),
        u2 = trigger("update2"),
        u3 = trigger("update3"),
        u4 = trigger("update4"),
        delete = trigger("delete"),
    )
}
