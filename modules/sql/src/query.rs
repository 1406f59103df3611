//! Runs the statements of the `query` parameter one after another, as
//! `sqlite3` does, and hands the rows of the last one that returns columns
//! to a [`Sink`].

use std::ffi::CStr;
use std::os::raw::c_int;

use rusqlite::{Connection, ffi};
use wasm_workflows_sdk::anyhow;

/// One value of a result row, as SQLite gives it.
pub enum Cell<'a> {
    /// NULL.
    Null,
    /// An INTEGER.
    Integer(i64),
    /// A REAL, with SQLite's own text for it.
    Real(f64, &'a [u8]),
    /// TEXT (UTF-8 from SQLite; may be invalid if a database holds such).
    Text(&'a [u8]),
    /// A BLOB.
    Blob(&'a [u8]),
}

/// Where result rows go.
pub trait Sink {
    /// A statement that returns these columns starts: its rows replace any
    /// earlier statement's.
    fn start(&mut self, columns: &[String]) -> anyhow::Result<()>;
    /// One row.
    fn row(&mut self, cells: &[Cell<'_>]) -> anyhow::Result<()>;
}

/// What the statements did.
pub struct Summary {
    /// How many statements ran.
    pub statements: usize,
    /// The number of rows of the result, if a statement returned columns.
    pub rows: Option<u64>,
}

/// A prepared statement, finalized when dropped.
struct Statement(*mut ffi::sqlite3_stmt);

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: the statement came from sqlite3_prepare_v2 and is finalized once.
        unsafe { ffi::sqlite3_finalize(self.0) };
    }
}

/// The connection's last error message, and where in `sql` it is when
/// SQLite says.
fn error_message(db: *mut ffi::sqlite3, sql: &str, start: usize) -> String {
    // SAFETY: db is an open connection; the message is copied at once.
    let (message, offset) = unsafe {
        let message = CStr::from_ptr(ffi::sqlite3_errmsg(db)).to_string_lossy().into_owned();
        (message, ffi::sqlite3_error_offset(db))
    };
    match usize::try_from(offset) {
        Ok(offset) if start + offset <= sql.len() => {
            let (line, column) = position(sql, start + offset);
            format!("{message} (at line {line}, column {column})")
        }
        _ => message,
    }
}

/// The line and column (from 1, in characters) of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Runs every statement of `sql` on `db`, sending the rows of statements
/// that return columns to `sink`. An error names the statement (by number
/// and line) and gives SQLite's message.
pub fn run(db: &Connection, sql: &str, sink: &mut dyn Sink) -> anyhow::Result<Summary> {
    // SAFETY: the handle is used only while `db` is borrowed, on this thread.
    let handle = unsafe { db.handle() };
    let mut start = 0usize;
    let mut summary = Summary { statements: 0, rows: None };
    while start < sql.len() {
        let rest = &sql[start..];
        let mut raw: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
        let mut tail: *const std::os::raw::c_char = std::ptr::null();
        let length = c_int::try_from(rest.len()).map_err(|_| anyhow::anyhow!("parameter \"query\" is too long"))?;
        // SAFETY: rest is valid for `length` bytes; raw and tail are out-pointers.
        let rc = unsafe { ffi::sqlite3_prepare_v2(handle, rest.as_ptr().cast(), length, &mut raw, &mut tail) };
        let consumed = if tail.is_null() { rest.len() } else { tail as usize - rest.as_ptr() as usize };
        if rc != ffi::SQLITE_OK {
            let (line, _) = position(sql, start + leading_space(rest));
            anyhow::bail!(
                "parameter \"query\": statement {} (line {line}): {}",
                summary.statements + 1,
                error_message(handle, sql, start)
            );
        }
        if raw.is_null() {
            // White space or a comment: nothing to run.
            start += consumed.max(1);
            continue;
        }
        let statement = Statement(raw);
        summary.statements += 1;
        let number = summary.statements;
        let (line, _) = position(sql, start + leading_space(rest));
        let fail = |handle| {
            anyhow::anyhow!(
                "parameter \"query\": statement {number} (line {line}): {}",
                error_message(handle, sql, start)
            )
        };
        // SAFETY: the statement is live until `statement` drops.
        let count = unsafe { ffi::sqlite3_column_count(statement.0) };
        let columns: Vec<String> = (0..count)
            .map(|i| {
                // SAFETY: i is a valid column index of a live statement.
                let name = unsafe { ffi::sqlite3_column_name(statement.0, i) };
                if name.is_null() {
                    String::new()
                } else {
                    // SAFETY: SQLite gives a NUL-terminated UTF-8 string.
                    unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned()
                }
            })
            .collect();
        if count > 0 {
            sink.start(&columns)?;
            summary.rows = Some(0);
        }
        let mut cells = Vec::with_capacity(columns.len());
        loop {
            // SAFETY: a live statement.
            match unsafe { ffi::sqlite3_step(statement.0) } {
                ffi::SQLITE_ROW => {
                    cells.clear();
                    for i in 0..count {
                        // SAFETY: row values of a live statement, read before the next step.
                        cells.push(unsafe { cell(statement.0, i) });
                    }
                    sink.row(&cells)?;
                    summary.rows = summary.rows.map(|n| n + 1);
                }
                ffi::SQLITE_DONE => break,
                _ => return Err(fail(handle)),
            }
        }
        start += consumed.max(1);
    }
    anyhow::ensure!(summary.statements > 0, "parameter \"query\" holds no SQL statement");
    Ok(summary)
}

/// How many bytes of white space start `text`.
fn leading_space(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// Column `i` of the current row.
///
/// # Safety
/// `statement` is live and on a row; the slices live until the next step.
unsafe fn cell<'a>(statement: *mut ffi::sqlite3_stmt, i: c_int) -> Cell<'a> {
    unsafe {
        let bytes = |pointer: *const u8| {
            let length = usize::try_from(ffi::sqlite3_column_bytes(statement, i)).unwrap_or(0);
            if pointer.is_null() || length == 0 { &[][..] } else { std::slice::from_raw_parts(pointer, length) }
        };
        match ffi::sqlite3_column_type(statement, i) {
            ffi::SQLITE_INTEGER => Cell::Integer(ffi::sqlite3_column_int64(statement, i)),
            ffi::SQLITE_FLOAT => {
                let value = ffi::sqlite3_column_double(statement, i);
                Cell::Real(value, bytes(ffi::sqlite3_column_text(statement, i)))
            }
            ffi::SQLITE_TEXT => Cell::Text(bytes(ffi::sqlite3_column_text(statement, i))),
            ffi::SQLITE_BLOB => Cell::Blob(bytes(ffi::sqlite3_column_blob(statement, i).cast())),
            _ => Cell::Null,
        }
    }
}
