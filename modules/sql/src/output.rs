//! The result: the output artifact `result` in the chosen format, and the
//! same rows as CSV (as `sqlite3 -csv -header` prints them) for the output
//! parameter `result` while they are small.

use std::io::Write;

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};
use wasm_workflows_sdk::prelude::*;

use crate::columns::{self, quoted};
use crate::query::{Cell, Sink};

/// The largest result, as CSV, that is also given as the output parameter.
pub const PARAMETER_LIMIT: usize = 64 * 1024;

/// The schema the result of `format: sqlite` is gathered in before it is written.
const RESULT_SCHEMA: &str = "sql_module_result";

/// The formats of the output artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// CSV with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A SQLite database with the table `result`.
    Sqlite,
}

impl OutputFormat {
    /// The format named by the `format` parameter.
    pub fn parse(name: &str) -> anyhow::Result<OutputFormat> {
        Ok(match name {
            "csv" => OutputFormat::Csv,
            "json" => OutputFormat::Json,
            "ndjson" | "jsonl" => OutputFormat::Ndjson,
            "sqlite" => OutputFormat::Sqlite,
            other => anyhow::bail!("parameter \"format\": expected csv, json, ndjson or sqlite, got \"{other}\""),
        })
    }

    /// The artifact's path.
    fn path(self) -> &'static str {
        match self {
            OutputFormat::Csv => "/result.csv",
            OutputFormat::Json => "/result.json",
            OutputFormat::Ndjson => "/result.ndjson",
            OutputFormat::Sqlite => "/result.sqlite",
        }
    }
}

/// Whether `sqlite3 -csv` puts a field in quotes: when it is empty or holds
/// a control character, a space, a quote or apostrophe, DEL or any byte
/// beyond ASCII, or the separator.
fn needs_quotes(bytes: &[u8]) -> bool {
    bytes.is_empty() || bytes.iter().any(|&b| b <= b' ' || b == b'"' || b == b'\'' || b >= 0x7f || b == b',')
}

/// Appends `bytes` as a CSV field, as `sqlite3 -csv` writes it.
fn csv_field(out: &mut Vec<u8>, bytes: &[u8]) {
    if needs_quotes(bytes) {
        out.push(b'"');
        for &b in bytes {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(bytes);
    }
}

/// Appends `text` as a JSON string.
fn json_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut buffer = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Appends a cell as a JSON value: numbers as numbers (a REAL in the
/// fewest digits that give back the same double, where SQLite's text keeps
/// 15; infinities as `9e999`, as SQLite's JSON functions write them), TEXT
/// as a string, a BLOB as the string of its hexadecimal digits.
fn json_value(out: &mut Vec<u8>, cell: &Cell<'_>) {
    match cell {
        Cell::Null => out.extend_from_slice(b"null"),
        Cell::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Cell::Real(value, _) => {
            if value.is_finite() {
                out.extend_from_slice(format!("{value:?}").as_bytes());
            } else if value.is_nan() {
                out.extend_from_slice(b"null");
            } else {
                out.extend_from_slice(if *value < 0.0 { b"-9e999" } else { b"9e999" });
            }
        }
        Cell::Text(bytes) => json_string(out, &String::from_utf8_lossy(bytes)),
        Cell::Blob(bytes) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
            json_string(out, &hex);
        }
    }
}

/// The bytes `sqlite3 -csv` prints for a cell.
fn csv_bytes<'a>(cell: &'a Cell<'a>, scratch: &'a mut String) -> Option<&'a [u8]> {
    match cell {
        Cell::Null => None,
        Cell::Integer(i) => {
            *scratch = i.to_string();
            Some(scratch.as_bytes())
        }
        Cell::Real(_, text) | Cell::Text(text) | Cell::Blob(text) => Some(text),
    }
}

/// Writes the result as it comes.
pub struct Output<'db> {
    db: &'db Connection,
    format: OutputFormat,
    artifact: Option<OutputArtifact>,
    columns: Vec<String>,
    rows: u64,
    /// The result as CSV while it fits [`PARAMETER_LIMIT`].
    parameter: Vec<u8>,
    parameter_overflowed: bool,
    line: Vec<u8>,
    insert: Option<rusqlite::Statement<'db>>,
}

impl<'db> Output<'db> {
    /// An output in `format`; for `sqlite`, the result is gathered in an
    /// in-memory database attached to `db`.
    pub fn new(db: &'db Connection, format: OutputFormat) -> anyhow::Result<Output<'db>> {
        if format == OutputFormat::Sqlite {
            db.execute_batch(&format!("ATTACH DATABASE ':memory:' AS {RESULT_SCHEMA}"))?;
        }
        Ok(Output {
            db,
            format,
            artifact: None,
            columns: Vec::new(),
            rows: 0,
            parameter: Vec::new(),
            parameter_overflowed: false,
            line: Vec::new(),
            insert: None,
        })
    }

    fn artifact(&mut self) -> anyhow::Result<&mut OutputArtifact> {
        if self.artifact.is_none() {
            self.artifact = Some(OutputArtifact::create("result", self.format.path())?);
        }
        Ok(self.artifact.as_mut().expect("just made"))
    }

    /// Adds `self.line` to the parameter's CSV.
    fn line_to_parameter(&mut self) {
        if self.parameter_overflowed {
            return;
        }
        if self.parameter.len() + self.line.len() > PARAMETER_LIMIT {
            self.parameter_overflowed = true;
            self.parameter = Vec::new();
        } else {
            self.parameter.extend_from_slice(&self.line);
        }
    }

    /// Writes `self.line` to the artifact.
    fn line_to_artifact(&mut self) -> anyhow::Result<()> {
        let line = std::mem::take(&mut self.line);
        let written = self.artifact()?.write_all(&line);
        self.line = line;
        written.map_err(|e| anyhow::anyhow!("cannot write output artifact \"result\": {e}"))
    }

    /// The rows written, and the CSV for the parameter if it is small.
    pub fn finish(mut self) -> anyhow::Result<(ArtifactRef, u64, Option<String>)> {
        self.insert = None;
        match self.format {
            OutputFormat::Json => {
                self.line.clear();
                self.line.extend_from_slice(if self.rows == 0 { b"[]\n" } else { b"]\n" });
                self.line_to_artifact()?;
            }
            OutputFormat::Sqlite => {
                let file = self.artifact()?.file().to_str().map(str::to_owned);
                let file = file.ok_or_else(|| anyhow::anyhow!("the output path is not UTF-8"))?;
                // VACUUM INTO writes a new file or an empty one: the artifact's file is still empty.
                self.db
                    .execute(&format!("VACUUM {RESULT_SCHEMA} INTO ?1"), [file])
                    .map_err(|e| anyhow::anyhow!("cannot write the result database: {e}"))?;
                self.db.execute_batch(&format!("DETACH DATABASE {RESULT_SCHEMA}"))?;
            }
            OutputFormat::Csv | OutputFormat::Ndjson => {}
        }
        self.artifact()?;
        let reference = self.artifact.take().expect("made above").finish()?;
        let parameter = (!self.parameter_overflowed).then(|| String::from_utf8_lossy(&self.parameter).into_owned());
        Ok((reference, self.rows, parameter))
    }
}

impl Sink for Output<'_> {
    fn start(&mut self, columns: &[String]) -> anyhow::Result<()> {
        // A later statement's rows replace an earlier one's.
        if let Some(old) = self.artifact.take() {
            drop(old);
        }
        self.columns = columns.to_vec();
        self.rows = 0;
        self.parameter.clear();
        self.parameter_overflowed = false;
        self.line.clear();
        for (i, name) in columns.iter().enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            csv_field(&mut self.line, name.as_bytes());
        }
        self.line.push(b'\n');
        self.line_to_parameter();
        match self.format {
            OutputFormat::Csv => self.line_to_artifact()?,
            OutputFormat::Json | OutputFormat::Ndjson => {
                self.artifact()?;
            }
            OutputFormat::Sqlite => {
                self.insert = None;
                let names = columns::unique_names(columns);
                let definitions: Vec<String> = names.iter().map(|n| quoted(n)).collect();
                self.db.execute_batch(&format!(
                    "DROP TABLE IF EXISTS {RESULT_SCHEMA}.result; CREATE TABLE {RESULT_SCHEMA}.result({})",
                    definitions.join(", ")
                ))?;
                let placeholders = vec!["?"; columns.len()].join(", ");
                self.insert =
                    Some(self.db.prepare(&format!("INSERT INTO {RESULT_SCHEMA}.result VALUES ({placeholders})"))?);
            }
        }
        Ok(())
    }

    fn row(&mut self, cells: &[Cell<'_>]) -> anyhow::Result<()> {
        self.line.clear();
        let mut scratch = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            if let Some(bytes) = csv_bytes(cell, &mut scratch) {
                csv_field(&mut self.line, bytes);
            }
        }
        self.line.push(b'\n');
        self.line_to_parameter();
        match self.format {
            OutputFormat::Csv => self.line_to_artifact()?,
            OutputFormat::Json | OutputFormat::Ndjson => {
                self.line.clear();
                if self.format == OutputFormat::Json {
                    self.line.extend_from_slice(if self.rows == 0 { b"[" } else { b",\n" });
                }
                self.line.push(b'{');
                for (i, (name, cell)) in self.columns.iter().zip(cells).enumerate() {
                    if i > 0 {
                        self.line.push(b',');
                    }
                    json_string(&mut self.line, name);
                    self.line.push(b':');
                    json_value(&mut self.line, cell);
                }
                self.line.push(b'}');
                if self.format == OutputFormat::Ndjson {
                    self.line.push(b'\n');
                }
                self.line_to_artifact()?;
            }
            OutputFormat::Sqlite => {
                let insert = self.insert.as_mut().expect("made when the columns came");
                for (i, cell) in cells.iter().enumerate() {
                    let value = match cell {
                        Cell::Null => ValueRef::Null,
                        Cell::Integer(v) => ValueRef::Integer(*v),
                        Cell::Real(v, _) => ValueRef::Real(*v),
                        Cell::Text(t) => ValueRef::Text(t),
                        Cell::Blob(b) => ValueRef::Blob(b),
                    };
                    insert.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(value))?;
                }
                insert.raw_execute()?;
            }
        }
        self.rows += 1;
        Ok(())
    }
}
