//! A prepared `INSERT` that binds the fields of CSV records in place:
//! SQLite reads them from the reader's buffer while the rows are inserted,
//! with no copy (SQLITE_STATIC), which is most of a large import's time.

use std::ffi::CStr;
use std::os::raw::c_int;

use rusqlite::{Connection, ffi};
use wasm_workflows_sdk::anyhow;

/// A prepared statement that inserts one row at a time.
pub struct Insert {
    db: *mut ffi::sqlite3,
    statement: *mut ffi::sqlite3_stmt,
}

/// A field's value to bind.
pub enum Field<'a> {
    /// NULL.
    Null,
    /// TEXT (the column's affinity may make it a number).
    Text(&'a [u8]),
}

impl Insert {
    /// Prepares `sql` on `db`, which must outlive the insert.
    pub fn prepare(db: &Connection, sql: &str) -> anyhow::Result<Insert> {
        // SAFETY: the handle stays valid while `db` lives, which the caller keeps.
        let handle = unsafe { db.handle() };
        let mut statement = std::ptr::null_mut();
        let length = c_int::try_from(sql.len())?;
        // SAFETY: sql is valid for `length` bytes; statement is an out-pointer.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(handle, sql.as_ptr().cast(), length, &mut statement, std::ptr::null_mut())
        };
        let insert = Insert { db: handle, statement };
        if rc != ffi::SQLITE_OK {
            anyhow::bail!("cannot prepare the insert: {}", insert.message());
        }
        Ok(insert)
    }

    /// The most parameters a statement on `db` may have (SQLite's limit).
    pub fn max_parameters(db: &Connection) -> usize {
        // SAFETY: the handle is valid while `db` lives; -1 only reads the limit.
        let limit = unsafe { ffi::sqlite3_limit(db.handle(), ffi::SQLITE_LIMIT_VARIABLE_NUMBER, -1) };
        usize::try_from(limit).unwrap_or(1)
    }

    fn message(&self) -> String {
        // SAFETY: db is open; the message is copied at once.
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }.to_string_lossy().into_owned()
    }

    /// Runs the insert with `fields` bound in order (one per parameter: the
    /// columns of each of its rows).
    pub fn run<'a>(&mut self, fields: impl Iterator<Item = Field<'a>>) -> anyhow::Result<()> {
        for (i, field) in fields.enumerate() {
            let index = c_int::try_from(i + 1)?;
            // SAFETY: a live statement; SQLITE_STATIC text stays valid until the
            // step below ends, since the fields borrow from the caller for this call.
            let rc = unsafe {
                match field {
                    Field::Null => ffi::sqlite3_bind_null(self.statement, index),
                    Field::Text(bytes) => ffi::sqlite3_bind_text(
                        self.statement,
                        index,
                        bytes.as_ptr().cast(),
                        c_int::try_from(bytes.len())?,
                        ffi::SQLITE_STATIC(),
                    ),
                }
            };
            if rc != ffi::SQLITE_OK {
                anyhow::bail!("{}", self.message());
            }
        }
        // SAFETY: a live statement with its parameters bound.
        let rc = unsafe { ffi::sqlite3_step(self.statement) };
        let failed = (rc != ffi::SQLITE_DONE).then(|| self.message());
        // SAFETY: reset for the next row (every parameter is bound again then).
        unsafe { ffi::sqlite3_reset(self.statement) };
        match failed {
            Some(message) => anyhow::bail!("{message}"),
            None => Ok(()),
        }
    }
}

impl Drop for Insert {
    fn drop(&mut self) {
        // SAFETY: finalized once; a null statement is a no-op.
        unsafe { ffi::sqlite3_finalize(self.statement) };
    }
}
