//! Input artifacts into the database: each CSV, JSON or NDJSON artifact
//! becomes a table named after it; a SQLite database artifact is attached
//! read-only under its name.

use std::io::{BufRead, Read};

use rusqlite::{Connection, ToSql, types::Value as SqlValue};
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::prelude::*;

use crate::columns::{self, ColumnType, Inference, quoted};
use crate::csv::{CsvReader, Dialect};
use crate::insert::{Field, Insert};

/// The formats an input artifact may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Comma- (or otherwise) separated values with a header row.
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A SQLite database file.
    Sqlite,
}

impl InputFormat {
    /// The format named `name` (the `input_format` parameter).
    pub fn parse(name: &str) -> anyhow::Result<InputFormat> {
        Ok(match name {
            "csv" | "tsv" => InputFormat::Csv,
            "json" => InputFormat::Json,
            "ndjson" | "jsonl" => InputFormat::Ndjson,
            "sqlite" => InputFormat::Sqlite,
            other => anyhow::bail!("parameter \"input_format\": expected csv, json, ndjson or sqlite, got \"{other}\""),
        })
    }
}

/// How CSV input is read.
#[derive(Debug, Clone, Copy)]
pub struct CsvOptions {
    /// The delimiter, when the `delimiter` parameter gives one.
    pub delimiter: Option<u8>,
    /// The quote character (`None`: no quoting).
    pub quote: Option<u8>,
    /// Infer column types (else every column is TEXT, as `.import` makes it).
    pub infer_types: bool,
    /// The first record names the columns (else they are c0, c1, …, as
    /// SQLite's CSV virtual table names them with `header=no`).
    pub header: bool,
}

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// The format of `artifact`: `forced` if given, else its path's extension,
/// else its first bytes.
fn format_of(artifact: &InputArtifact, forced: Option<InputFormat>) -> anyhow::Result<InputFormat> {
    if let Some(format) = forced {
        return Ok(format);
    }
    let path = artifact.path().to_ascii_lowercase();
    let extension = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    Ok(match extension {
        "csv" | "tsv" => InputFormat::Csv,
        "json" => InputFormat::Json,
        "ndjson" | "jsonl" => InputFormat::Ndjson,
        "db" | "sqlite" | "sqlite3" => InputFormat::Sqlite,
        _ => {
            let mut start = Vec::with_capacity(64);
            artifact.open()?.take(64).read_to_end(&mut start)?;
            let text = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&start);
            match text.iter().find(|b| !b.is_ascii_whitespace()) {
                _ if start.starts_with(SQLITE_MAGIC) => InputFormat::Sqlite,
                Some(b'[') => InputFormat::Json,
                Some(b'{') => InputFormat::Ndjson,
                _ => InputFormat::Csv,
            }
        }
    })
}

/// Loads every input artifact of `invocation` into `db`. Returns one line
/// per artifact for the step's message.
pub fn load_all(
    db: &Connection,
    invocation: &PluginInvocation,
    forced: Option<InputFormat>,
    csv: CsvOptions,
) -> anyhow::Result<Vec<String>> {
    let mut loaded = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for reference in &invocation.artifacts {
        let name = reference.name.as_str();
        anyhow::ensure!(
            !names.iter().any(|n| n.eq_ignore_ascii_case(name)),
            "input artifacts \"{}\" and \"{name}\" name the same table: SQLite's names ignore case",
            names.iter().find(|n| n.eq_ignore_ascii_case(name)).map(String::as_str).unwrap_or(name)
        );
        names.push(name.to_owned());
        let artifact = invocation.artifact(name)?;
        let format = format_of(&artifact, forced)?;
        let what = match format {
            InputFormat::Sqlite => attach(db, &artifact)?,
            InputFormat::Csv => {
                let tsv = artifact.path().to_ascii_lowercase().ends_with(".tsv");
                let dialect =
                    Dialect { delimiter: csv.delimiter.unwrap_or(if tsv { b'\t' } else { b',' }), quote: csv.quote };
                load_csv(db, &artifact, dialect, csv.infer_types, csv.header)?
            }
            InputFormat::Json => load_json(db, &artifact)?,
            InputFormat::Ndjson => load_ndjson(db, &artifact)?,
        };
        loaded.push(what);
    }
    Ok(loaded)
}

/// How much of an artifact is read at once: fewer, larger reads through WASI.
const READ_BUFFER: usize = 1 << 20;

/// Opens `artifact` for reading in large blocks.
fn open_large(artifact: &InputArtifact) -> anyhow::Result<std::io::BufReader<std::fs::File>> {
    Ok(std::io::BufReader::with_capacity(READ_BUFFER, artifact.open()?.into_inner()))
}

/// `input artifact "name"`, for messages.
fn source(artifact: &InputArtifact) -> String {
    format!("input artifact \"{}\"", artifact.name())
}

/// Attaches a database artifact read-only under its name.
fn attach(db: &Connection, artifact: &InputArtifact) -> anyhow::Result<String> {
    let path =
        artifact.file().to_str().ok_or_else(|| anyhow::anyhow!("{}: the path is not UTF-8", source(artifact)))?;
    let mut magic = Vec::new();
    artifact.open()?.take(SQLITE_MAGIC.len() as u64).read_to_end(&mut magic)?;
    anyhow::ensure!(
        magic == SQLITE_MAGIC,
        "{}: not a SQLite database (it does not start with \"SQLite format 3\")",
        source(artifact)
    );
    let uri = format!("file:{}?mode=ro&immutable=1", uri_escape(path));
    db.execute(&format!("ATTACH DATABASE ?1 AS {}", quoted(artifact.name())), [uri])
        .map_err(|e| anyhow::anyhow!("{}: cannot open the database: {e}", source(artifact)))?;
    let tables: i64 = db
        .query_row(
            &format!("SELECT count(*) FROM {}.sqlite_schema WHERE type = 'table'", quoted(artifact.name())),
            [],
            |r| r.get(0),
        )
        .map_err(|e| anyhow::anyhow!("{}: cannot read the database: {e}", source(artifact)))?;
    Ok(format!("database \"{}\" ({tables} tables, read-only)", artifact.name()))
}

/// `%`-escapes what a URI's path may not hold.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Creates table `name` with these columns.
fn create_table(db: &Connection, name: &str, columns: &[(String, ColumnType)]) -> anyhow::Result<()> {
    let definitions: Vec<String> = columns.iter().map(|(c, t)| format!("{}{}", quoted(c), t.sql())).collect();
    db.execute_batch(&format!("CREATE TABLE {}({})", quoted(name), definitions.join(", ")))
        .map_err(|e| anyhow::anyhow!("input artifact \"{name}\": cannot create its table: {e}"))
}

/// `INSERT INTO name VALUES (?, …)` for `count` columns, and `rows` rows.
fn insert_sql(name: &str, count: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; count].join(", "));
    format!("INSERT INTO {} VALUES {}", quoted(name), vec![row; rows].join(", "))
}

/// The most CSV records inserted by one statement: fewer statements to run
/// (each costs SQLite a start, a halt and a reset), each within SQLite's
/// limit on parameters.
const BATCH_ROWS: usize = 64;

/// The most memory the records of a CSV kept between type inference and
/// the insert may take (their fields and where each ends); a larger CSV is
/// read a second time instead.
const KEEP_BUDGET: usize = 512 << 20;

/// Records kept from the pass that infers the types, one insert statement's
/// worth (`rows` records of `width` fields) to a block.
struct Block {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    rows: usize,
    first_line: u64,
    last_line: u64,
}

impl Block {
    /// The records the reader keeps, copied to a block of their own size;
    /// `None` when the memory is not there.
    fn copy<R: BufRead>(reader: &CsvReader<R>, rows: usize, first_line: u64) -> Option<Block> {
        let (bytes, ends) = reader.kept();
        let mut block =
            Block { bytes: Vec::new(), ends: Vec::new(), rows, first_line, last_line: reader.record_line() };
        block.bytes.try_reserve_exact(bytes.len()).ok()?;
        block.ends.try_reserve_exact(ends.len()).ok()?;
        block.bytes.extend_from_slice(bytes);
        block.ends.extend_from_slice(ends);
        Some(block)
    }

    /// The memory it takes.
    fn size(&self) -> usize {
        self.bytes.len() + self.ends.len() * std::mem::size_of::<usize>()
    }

    /// Field `n`, counted from the first field of the first record.
    #[inline]
    fn field(&self, n: usize) -> &[u8] {
        let start = if n == 0 { 0 } else { self.ends[n - 1] };
        &self.bytes[start..self.ends[n]]
    }
}

/// The records of a CSV kept in memory while their types are inferred, in
/// blocks, as long as they fit in [`KEEP_BUDGET`] and the step's memory.
struct Blocks {
    blocks: Vec<Block>,
    size: usize,
    /// Whether every record so far is kept (else none is).
    whole: bool,
}

impl Blocks {
    /// Keeps the `rows` records the reader keeps, or, past the budget or
    /// the memory, gives every block up.
    fn keep<R: BufRead>(&mut self, reader: &CsvReader<R>, rows: usize, first_line: u64) {
        if !self.whole {
            return;
        }
        let (bytes, ends) = reader.kept();
        let more = bytes.len() + std::mem::size_of_val(ends);
        let block = (self.size + more <= KEEP_BUDGET && self.blocks.try_reserve(1).is_ok())
            .then(|| Block::copy(reader, rows, first_line))
            .flatten();
        match block {
            Some(block) => {
                self.size += block.size();
                self.blocks.push(block);
            }
            None => self.give_up(),
        }
    }

    fn give_up(&mut self) {
        self.whole = false;
        self.blocks = Vec::new();
        self.size = 0;
    }
}

/// A CSV artifact into a table. With `infer`, a first pass reads the header,
/// checks every record and infers the types, keeping the records in memory
/// when they fit (else the second pass reads the CSV again), and the second
/// inserts; else (every column TEXT) one pass checks and inserts, and a
/// malformed record fails the step as before (the table is the step's own).
fn load_csv(
    db: &Connection,
    artifact: &InputArtifact,
    dialect: Dialect,
    infer: bool,
    has_header: bool,
) -> anyhow::Result<String> {
    if !infer {
        return load_csv_streamed(db, artifact, dialect, Types::Text, has_header);
    }
    match load_csv_kept(db, artifact, dialect, has_header)? {
        Kept::Loaded(loaded) => Ok(loaded),
        Kept::TooLarge(types) => load_csv_streamed(db, artifact, dialect, Types::Known(types), has_header),
        // Read again as without keeping, so that what fails is what fails without it.
        Kept::Malformed => load_csv_streamed(db, artifact, dialect, Types::Infer, has_header),
    }
}

/// The column types of a CSV read by [`load_csv_streamed`].
enum Types {
    /// Every column TEXT.
    Text,
    /// Inferred by a first pass.
    Infer,
    /// Inferred already.
    Known(Vec<ColumnType>),
}

/// What [`load_csv_kept`] made of a CSV.
enum Kept {
    /// The table, loaded: the step's message about it.
    Loaded(String),
    /// The records do not fit in memory: the types inferred from all of them.
    TooLarge(Vec<ColumnType>),
    /// Not CSV (the streamed read says why): nothing is made.
    Malformed,
}

/// The header's names (or `c0`, `c1`, … without one) and a reader at the
/// first record of data.
fn read_header(
    artifact: &InputArtifact,
    dialect: Dialect,
    has_header: bool,
) -> anyhow::Result<(Vec<String>, CsvReader<std::io::BufReader<std::fs::File>>)> {
    let csv_error = |e: crate::csv::CsvError| anyhow::anyhow!("{}: malformed CSV at {e}", source(artifact));
    let mut reader = CsvReader::new(open_large(artifact)?, dialect);
    anyhow::ensure!(
        reader.next_record().map_err(csv_error)?,
        "{}: the CSV is empty: expected {}",
        source(artifact),
        if has_header { "a header row naming the columns" } else { "at least one record" }
    );
    let header: Vec<String> = if has_header {
        (0..reader.len()).map(|i| reader.field(i).to_owned()).collect()
    } else {
        // The first record is data: read it again below.
        let names = (0..reader.len()).map(|i| format!("c{i}")).collect();
        reader = CsvReader::new(open_large(artifact)?, dialect);
        names
    };
    reader.clear();
    Ok((header, reader))
}

/// The records of an insert statement: `rows` of them, at most `batch`.
fn batch_rows(db: &Connection, width: usize) -> usize {
    BATCH_ROWS.min(Insert::max_parameters(db) / width).max(1)
}

/// A CSV artifact read once: the types inferred while its records are kept
/// in memory, then inserted from there; when they do not fit, only the
/// types, and when the CSV is malformed, nothing (no table is made then).
/// An error is the insert's.
fn load_csv_kept(
    db: &Connection,
    artifact: &InputArtifact,
    dialect: Dialect,
    has_header: bool,
) -> anyhow::Result<Kept> {
    let Ok((header, mut reader)) = read_header(artifact, dialect, has_header) else { return Ok(Kept::Malformed) };
    let width = header.len();
    let batch = batch_rows(db, width);
    let mut inferences = vec![Inference::default(); width];
    let mut kept = Blocks { blocks: Vec::new(), size: 0, whole: true };
    let mut pending = 0;
    let mut first_line = 0;
    loop {
        match reader.keep_next_record() {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Ok(Kept::Malformed),
        }
        if reader.len() != width {
            return Ok(Kept::Malformed);
        }
        for (i, inference) in inferences.iter_mut().enumerate() {
            inference.see(reader.field_bytes(i));
        }
        if !kept.whole {
            // Past the budget: the types only, from every record.
            reader.clear();
            continue;
        }
        if pending == 0 {
            first_line = reader.record_line();
        }
        pending += 1;
        if pending == batch {
            kept.keep(&reader, pending, first_line);
            pending = 0;
            reader.clear();
        }
    }
    if pending > 0 {
        kept.keep(&reader, pending, first_line);
    }
    drop(reader);
    let types: Vec<ColumnType> = inferences.iter().map(|i| i.column_type()).collect();
    if !kept.whole {
        return Ok(Kept::TooLarge(types));
    }
    let columns: Vec<(String, ColumnType)> =
        columns::unique_names(&header).into_iter().zip(types.iter().copied()).collect();
    create_table(db, artifact.name(), &columns)?;

    let mut insert = Insert::prepare(db, &insert_sql(artifact.name(), width, batch))?;
    let mut rows = 0u64;
    // Each block is given back once inserted, for SQLite's pages to use.
    for block in kept.blocks {
        if block.rows < batch {
            // The last few records, at the end of the input.
            insert = Insert::prepare(db, &insert_sql(artifact.name(), width, block.rows))?;
        }
        let fields = (0..block.rows * width).map(|n| match block.field(n) {
            b"" if types[n % width].empty_is_null() => Field::Null,
            value => Field::Text(value),
        });
        insert.run(fields).map_err(|e| {
            anyhow::anyhow!(
                "{}: the records of lines {} to {}: cannot insert them: {e}",
                source(artifact),
                block.first_line,
                block.last_line
            )
        })?;
        rows += block.rows as u64;
    }
    Ok(Kept::Loaded(format!("table \"{}\" ({rows} rows, {width} columns, from CSV)", artifact.name())))
}

/// A CSV artifact into a table, read twice with [`Types::Infer`] (the first
/// pass infers the types, the second inserts), else once.
fn load_csv_streamed(
    db: &Connection,
    artifact: &InputArtifact,
    dialect: Dialect,
    types: Types,
    has_header: bool,
) -> anyhow::Result<String> {
    let csv_error = |e: crate::csv::CsvError| anyhow::anyhow!("{}: malformed CSV at {e}", source(artifact));
    let width_error = |reason: String| anyhow::anyhow!("{}: malformed CSV at {reason}", source(artifact));
    let (header, mut reader) = read_header(artifact, dialect, has_header)?;
    let width = header.len();
    let types = match types {
        Types::Text => vec![ColumnType::Text; width],
        Types::Known(types) => types,
        Types::Infer => {
            let mut inferences = vec![Inference::default(); width];
            while reader.next_record().map_err(csv_error)? {
                check_width(&reader, width).map_err(width_error)?;
                for (i, inference) in inferences.iter_mut().enumerate() {
                    inference.see(reader.field_bytes(i));
                }
            }
            reader = CsvReader::new(open_large(artifact)?, dialect);
            if has_header {
                reader.next_record().map_err(csv_error)?;
            }
            inferences.iter().map(|i| i.column_type()).collect()
        }
    };
    let columns: Vec<(String, ColumnType)> =
        columns::unique_names(&header).into_iter().zip(types.iter().copied()).collect();
    create_table(db, artifact.name(), &columns)?;

    // Records are inserted `batch` at a time, bound in place in the reader's buffer.
    let batch = batch_rows(db, width);
    let mut insert = Insert::prepare(db, &insert_sql(artifact.name(), width, batch))?;
    let mut rows = 0u64;
    let mut kept = 0;
    let mut first_line = reader.record_line();
    reader.clear();
    loop {
        let more = reader.keep_next_record().map_err(csv_error)?;
        if more {
            check_width(&reader, width).map_err(width_error)?;
            if kept == 0 {
                first_line = reader.record_line();
            }
            kept += 1;
            if kept < batch {
                continue;
            }
        }
        if kept > 0 {
            if kept < batch {
                // The last few records, at the end of the input.
                insert = Insert::prepare(db, &insert_sql(artifact.name(), width, kept))?;
            }
            let fields = (0..kept * width).map(|n| match reader.kept_field(n) {
                b"" if types[n % width].empty_is_null() => Field::Null,
                value => Field::Text(value),
            });
            insert.run(fields).map_err(|e| {
                anyhow::anyhow!(
                    "{}: the records of lines {first_line} to {}: cannot insert them: {e}",
                    source(artifact),
                    reader.record_line()
                )
            })?;
            rows += kept as u64;
            kept = 0;
            reader.clear();
        }
        if !more {
            break;
        }
    }
    Ok(format!("table \"{}\" ({rows} rows, {width} columns, from CSV)", artifact.name()))
}

/// Checks that the record has the header's number of fields.
fn check_width<R: BufRead>(reader: &CsvReader<R>, width: usize) -> Result<(), String> {
    if reader.len() == width {
        return Ok(());
    }
    let plural = |n: usize| if n == 1 { format!("{n} field") } else { format!("{n} fields") };
    Err(format!(
        "line {}: the record has {}, the header has {}",
        reader.record_line(),
        plural(reader.len()),
        plural(width)
    ))
}

/// A JSON value as an SQL value: numbers as INTEGER or REAL, booleans as 1
/// and 0, arrays and objects as their JSON text.
fn sql_value(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

/// A JSON object (its members in order) and the line or element it came from.
type NumberedObject = (u64, Vec<(String, Value)>);

/// The column names of objects, in the order they first appear.
#[derive(Default)]
struct Keys {
    names: Vec<String>,
}

impl Keys {
    fn see(&mut self, object: &[(String, Value)]) {
        for (key, _) in object {
            if !self.names.iter().any(|n| n == key) {
                self.names.push(key.clone());
            }
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.names.iter().position(|n| n == key)
    }
}

/// Inserts objects into a new table whose columns are their keys.
fn insert_objects(
    db: &Connection,
    artifact: &InputArtifact,
    keys: &Keys,
    objects: impl Iterator<Item = anyhow::Result<NumberedObject>>,
) -> anyhow::Result<u64> {
    anyhow::ensure!(
        !keys.names.is_empty(),
        "{}: no object has a key, so there are no columns for table \"{}\"",
        source(artifact),
        artifact.name()
    );
    let lower: Vec<String> = keys.names.iter().map(|n| n.to_ascii_lowercase()).collect();
    if let Some((i, _)) = lower.iter().enumerate().find(|(i, n)| lower[..*i].contains(n)) {
        anyhow::bail!(
            "{}: keys \"{}\" and \"{}\" would be the same column: SQLite's names ignore case",
            source(artifact),
            keys.names[lower.iter().position(|n| *n == lower[i]).unwrap_or(0)],
            keys.names[i]
        );
    }
    let columns: Vec<(String, ColumnType)> = keys.names.iter().map(|n| (n.clone(), ColumnType::Any)).collect();
    create_table(db, artifact.name(), &columns)?;
    let mut insert = db.prepare(&insert_sql(artifact.name(), columns.len(), 1))?;
    let mut rows = 0;
    let mut values = vec![SqlValue::Null; columns.len()];
    for object in objects {
        let (_, object) = object?;
        values.iter_mut().for_each(|v| *v = SqlValue::Null);
        for (key, value) in &object {
            if let Some(i) = keys.position(key) {
                values[i] = sql_value(value);
            }
        }
        let params: Vec<&dyn ToSql> = values.iter().map(|v| v as &dyn ToSql).collect();
        insert.execute(params.as_slice())?;
        rows += 1;
    }
    Ok(rows)
}

/// `what` of a JSON value, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The whole artifact as text; one too large for the step's memory is an
/// error that says so, not an abort.
fn read_text(artifact: &InputArtifact) -> anyhow::Result<String> {
    let mut file = artifact.open()?.into_inner();
    let size = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
    let mut bytes = Vec::new();
    if bytes.try_reserve_exact(size).is_err() {
        anyhow::bail!("{}: {size} bytes do not fit in the step's memory", source(artifact));
    }
    file.read_to_end(&mut bytes)?;
    String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("{}: not UTF-8 text ({e})", source(artifact)))
}

/// A JSON artifact (an array of objects) into a table.
fn load_json(db: &Connection, artifact: &InputArtifact) -> anyhow::Result<String> {
    let text = read_text(artifact)?;
    let document = json::parse(text.trim_start_matches('\u{feff}'))
        .map_err(|e| anyhow::anyhow!("{}: malformed JSON: {e}", source(artifact)))?;
    drop(text);
    let Value::Array(elements) = document else {
        anyhow::bail!("{}: expected a JSON array of objects (one per row), got {}", source(artifact), kind(&document));
    };
    let mut keys = Keys::default();
    for (i, element) in elements.iter().enumerate() {
        match element {
            Value::Object(members) => keys.see(members),
            other => anyhow::bail!(
                "{}: element {} of the array is {}: expected an object (one per row)",
                source(artifact),
                i + 1,
                kind(other)
            ),
        }
    }
    let objects = elements.into_iter().enumerate().map(|(i, element)| match element {
        Value::Object(members) => Ok((i as u64, members)),
        _ => unreachable!("checked above"),
    });
    let rows = insert_objects(db, artifact, &keys, objects)?;
    Ok(format!("table \"{}\" ({rows} rows, {} columns, from JSON)", artifact.name(), keys.names.len()))
}

/// The objects of an NDJSON artifact, with their line numbers; blank lines
/// are skipped.
fn ndjson_objects(artifact: &InputArtifact) -> anyhow::Result<impl Iterator<Item = anyhow::Result<NumberedObject>>> {
    let name = source(artifact);
    let mut lines = open_large(artifact)?.split(b'\n');
    let mut number = 0u64;
    Ok(std::iter::from_fn(move || {
        loop {
            number += 1;
            let line = match lines.next()? {
                Ok(line) => line,
                Err(e) => return Some(Err(anyhow::anyhow!("{name}: cannot read line {number}: {e}"))),
            };
            let Ok(text) = std::str::from_utf8(&line) else {
                return Some(Err(anyhow::anyhow!("{name}: line {number} is not UTF-8 text")));
            };
            let text = if number == 1 { text.trim_start_matches('\u{feff}') } else { text };
            if text.trim().is_empty() {
                continue;
            }
            return Some(match json::parse(text) {
                Ok(Value::Object(members)) => Ok((number, members)),
                Ok(other) => {
                    Err(anyhow::anyhow!("{name}: line {number} is {}: expected an object (one per line)", kind(&other)))
                }
                Err(e) => Err(anyhow::anyhow!("{name}: line {number}: malformed JSON: {e}")),
            });
        }
    }))
}

/// An NDJSON artifact (one object per line) into a table: a first pass
/// checks every line and gathers the keys; the second inserts.
fn load_ndjson(db: &Connection, artifact: &InputArtifact) -> anyhow::Result<String> {
    let mut keys = Keys::default();
    for object in ndjson_objects(artifact)? {
        keys.see(&object?.1);
    }
    let rows = insert_objects(db, artifact, &keys, ndjson_objects(artifact)?)?;
    Ok(format!("table \"{}\" ({rows} rows, {} columns, from NDJSON)", artifact.name(), keys.names.len()))
}
