//! A prepared `INSERT` that binds long-lived text without copying it.
//!
//! rusqlite binds every text as `SQLITE_TRANSIENT`: SQLite copies it into memory of its own
//! (a `malloc`, a copy, and a `free` when the next row's value replaces it). The incident
//! layer binds some 25 texts per row, most of them borrowed from the incidents themselves,
//! which outlive the statement; at a million rows, binding with those copies was about a
//! third of the GeoPackage's insert thread (`perf`, the bench's 1M incidents). This statement binds such text as `SQLITE_STATIC` (SQLite
//! reads it in place when the row is stepped) and copies everything else, as rusqlite does.
//!
//! The lifetime `'v` is that of the text bound in place: the statement is finalized when
//! it is dropped, so it can never read text that has gone.

use anyhow::{Context, Result, bail};
use rusqlite::Connection;
use rusqlite::ffi;
use rusqlite::types::ValueRef;
use std::ffi::{CStr, CString, c_int};
use std::marker::PhantomData;
use std::ptr::NonNull;

/// A prepared statement of `conn`, borrowing it (`'c`), that may hold text of lifetime `'v`
/// bound in place.
pub(super) struct Insert<'c, 'v> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    db: NonNull<ffi::sqlite3>,
    _conn: PhantomData<&'c Connection>,
    _text: PhantomData<&'v [u8]>,
}

impl<'c, 'v> Insert<'c, 'v> {
    pub(super) fn prepare(conn: &'c Connection, sql: &str) -> Result<Insert<'c, 'v>> {
        // SAFETY: the handle is only used while `conn` is borrowed (`'c`), on this thread,
        // through SQLite's own API.
        let db = NonNull::new(unsafe { conn.handle() }).context("no SQLite connection")?;
        let text = CString::new(sql).context("an SQL statement with a NUL byte")?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `db` is an open connection, `text` a NUL-terminated string, `stmt` a
        // valid place for the result.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db.as_ptr(),
                text.as_ptr(),
                -1,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        check(db, rc).with_context(|| format!("preparing {}", head(sql)))?;
        Ok(Insert {
            stmt: NonNull::new(stmt).with_context(|| format!("preparing {}", head(sql)))?,
            db,
            _conn: PhantomData,
            _text: PhantomData,
        })
    }

    /// Binds parameter `i` (from 1) to `value`, copied.
    ///
    /// Short text without a NUL byte (the incidents' dates, and other short copied text) is
    /// given to SQLite NUL-terminated, so its copy is marked as terminated. A DATE column has
    /// numeric affinity: SQLite tries every text bound to it as a number, and the multi-row
    /// insert reads bound values in place, where text not marked terminated is first copied
    /// again (a `malloc`, a copy and a `free` for each of the incidents' two dates: about 4%
    /// of the GeoPackage's insert thread on a million rows, by `perf`). The value stored is
    /// the same either way.
    pub(super) fn bind(&mut self, i: usize, value: ValueRef<'_>) -> Result<()> {
        const SHORT: usize = 32;
        if let ValueRef::Text(t) = value
            && !t.is_empty()
            && t.len() < SHORT
            && !t.contains(&0)
        {
            let mut terminated = [0u8; SHORT];
            terminated[..t.len()].copy_from_slice(t);
            let (at, stmt) = (c_int::try_from(i).context("parameter number")?, self.stmt);
            // SAFETY: `stmt` is a live statement of this connection; `terminated` is
            // NUL-terminated right after the text (which has no NUL of its own), and SQLite
            // copies it (`SQLITE_TRANSIENT`) before this returns.
            let rc = unsafe {
                ffi::sqlite3_bind_text(
                    stmt.as_ptr(),
                    at,
                    terminated.as_ptr().cast(),
                    -1,
                    ffi::SQLITE_TRANSIENT(),
                )
            };
            return check(self.db, rc).with_context(|| format!("binding parameter {i}"));
        }
        self.bind_with(i, value, ffi::SQLITE_TRANSIENT())
    }

    /// Binds parameter `i` (from 1) to `text`, read in place when the row is stepped.
    pub(super) fn bind_lasting_text(&mut self, i: usize, text: &'v [u8]) -> Result<()> {
        self.bind_with(i, ValueRef::Text(text), ffi::SQLITE_STATIC())
    }

    fn bind_with(
        &mut self,
        i: usize,
        value: ValueRef<'_>,
        keep: ffi::sqlite3_destructor_type,
    ) -> Result<()> {
        let i = c_int::try_from(i).context("parameter number")?;
        let stmt = self.stmt.as_ptr();
        // SAFETY: `stmt` is a live statement of this connection; text and blobs are given
        // with their length, and either copied (`SQLITE_TRANSIENT`) or, for
        // `bind_lasting_text`, borrowed for `'v`, which outlives the statement.
        let rc = unsafe {
            match value {
                ValueRef::Null => ffi::sqlite3_bind_null(stmt, i),
                ValueRef::Integer(v) => ffi::sqlite3_bind_int64(stmt, i, v),
                ValueRef::Real(v) => ffi::sqlite3_bind_double(stmt, i, v),
                // Empty text from the static "" (as rusqlite does), never from the
                // dangling pointer of an empty slice.
                ValueRef::Text(t) => ffi::sqlite3_bind_text64(
                    stmt,
                    i,
                    if t.is_empty() {
                        c"".as_ptr()
                    } else {
                        t.as_ptr().cast()
                    },
                    t.len() as ffi::sqlite3_uint64,
                    keep,
                    ffi::SQLITE_UTF8 as u8,
                ),
                ValueRef::Blob(b) => ffi::sqlite3_bind_blob64(
                    stmt,
                    i,
                    if b.is_empty() {
                        c"".as_ptr().cast()
                    } else {
                        b.as_ptr().cast()
                    },
                    b.len() as ffi::sqlite3_uint64,
                    keep,
                ),
            }
        };
        check(self.db, rc).with_context(|| format!("binding parameter {i}"))
    }

    /// Runs the statement with the values bound, then makes it ready for the next ones
    /// (values stay bound until replaced).
    pub(super) fn execute(&mut self) -> Result<()> {
        // SAFETY: `stmt` is a live statement of this connection.
        let rc = unsafe { ffi::sqlite3_step(self.stmt.as_ptr()) };
        // SAFETY: as above; resetting keeps the bindings.
        let reset = unsafe { ffi::sqlite3_reset(self.stmt.as_ptr()) };
        if rc != ffi::SQLITE_DONE {
            check(self.db, if rc == ffi::SQLITE_ROW { reset } else { rc })?;
            bail!("an INSERT returned rows");
        }
        Ok(())
    }
}

impl Drop for Insert<'_, '_> {
    fn drop(&mut self) {
        // SAFETY: `stmt` is live and finalized once, here.
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// An error with SQLite's message when `rc` is not `SQLITE_OK`.
#[inline]
fn check(db: NonNull<ffi::sqlite3>, rc: c_int) -> Result<()> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        error(db, rc)
    }
}

#[cold]
fn error(db: NonNull<ffi::sqlite3>, rc: c_int) -> Result<()> {
    // SAFETY: `db` is an open connection; the message is copied before any other call.
    let message = unsafe {
        let m = ffi::sqlite3_errmsg(db.as_ptr());
        if m.is_null() {
            String::new()
        } else {
            CStr::from_ptr(m).to_string_lossy().into_owned()
        }
    };
    bail!("SQLite error {rc}: {message}")
}

/// The start of an SQL statement, for messages (the multi-row inserts are long).
fn head(sql: &str) -> &str {
    let end = sql.char_indices().nth(80).map_or(sql.len(), |(i, _)| i);
    &sql[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_text_in_a_date_column_is_stored_as_bound() {
        // DATE has numeric affinity: text that reads as a number is stored as one, the rest
        // as the text bound, whether or not it was given NUL-terminated.
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE d (x DATE)").unwrap();
        let long = "2023-05-01 and then some more text after it";
        let texts: [&[u8]; 5] = [b"2023-05-01", b"12", b"a\0b", long.as_bytes(), b"1.5e3"];
        {
            let mut insert =
                Insert::prepare(&conn, "INSERT INTO d VALUES (?), (?), (?), (?), (?)").unwrap();
            for (i, t) in texts.iter().enumerate() {
                insert.bind(i + 1, ValueRef::Text(t)).unwrap();
            }
            insert.execute().unwrap();
        }
        let rows: Vec<(String, Vec<u8>)> = conn
            .prepare("SELECT typeof(x), CAST(x AS BLOB) FROM d ORDER BY rowid")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let expected: Vec<(String, Vec<u8>)> = vec![
            ("text".into(), b"2023-05-01".to_vec()),
            ("integer".into(), b"12".to_vec()),
            ("text".into(), b"a\0b".to_vec()),
            ("text".into(), long.as_bytes().to_vec()),
            ("integer".into(), b"1500".to_vec()),
        ];
        assert_eq!(rows, expected);
    }

    #[test]
    fn lasting_and_copied_values_are_stored_as_bound() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a TEXT, b REAL, c INTEGER, d BLOB, e TEXT)")
            .unwrap();
        let kept = String::from("borrowed for the statement's life");
        {
            let mut insert =
                Insert::prepare(&conn, "INSERT INTO t VALUES (?, ?, ?, ?, ?)").unwrap();
            for row in 0..3 {
                insert.bind_lasting_text(1, kept.as_bytes()).unwrap();
                insert
                    .bind(2, ValueRef::Real(0.5 + f64::from(row)))
                    .unwrap();
                insert.bind(3, ValueRef::Integer(i64::from(row))).unwrap();
                let blob = vec![row as u8; 3];
                insert.bind(4, ValueRef::Blob(&blob)).unwrap();
                let copied = format!("row {row}");
                insert.bind(5, ValueRef::Text(copied.as_bytes())).unwrap();
                drop(copied);
                insert.execute().unwrap();
            }
            insert.bind(1, ValueRef::Null).unwrap();
            insert.execute().unwrap();
        }
        type Row = (Option<String>, f64, i64, Vec<u8>, String);
        let rows: Vec<Row> = conn
            .prepare("SELECT a, b, c, d, e FROM t ORDER BY rowid")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1].0.as_deref(), Some(kept.as_str()));
        assert_eq!((rows[2].1, rows[2].2), (2.5, 2));
        assert_eq!(rows[2].3, vec![2u8; 3]);
        assert_eq!(rows[2].4, "row 2");
        // Values stay bound between rows until replaced.
        assert_eq!((rows[3].0.as_deref(), rows[3].2), (None, 2));
    }

    #[test]
    fn errors_carry_sqlites_message() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER PRIMARY KEY)")
            .unwrap();
        let mut insert = Insert::prepare(&conn, "INSERT INTO t VALUES (?)").unwrap();
        insert.bind(1, ValueRef::Integer(1)).unwrap();
        insert.execute().unwrap();
        let err = insert.execute().unwrap_err();
        assert!(format!("{err:#}").contains("UNIQUE"), "{err:#}");
        assert!(Insert::prepare(&conn, "INSERT INTO nowhere VALUES (?)").is_err());
    }
}
