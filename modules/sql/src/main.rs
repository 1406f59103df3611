//! sql: runs SQLite SQL (the `query` parameter) over the step's input
//! artifacts, each a table named after it (CSV, JSON or NDJSON) or an
//! attached read-only database, and returns the result as the output
//! artifact `result` (CSV, JSON, NDJSON or a SQLite database) and, when
//! small, as the output parameter `result` (CSV as `sqlite3 -csv -header`
//! prints it). SQLite itself is compiled into the module.

mod columns;
mod csv;
mod insert;
mod memcmp;
mod output;
mod query;
mod tables;
mod temp_files;

use rusqlite::Connection;
use wasm_workflows_sdk::prelude::*;

use crate::output::{Output, OutputFormat, PARAMETER_LIMIT};
use crate::tables::{CsvOptions, InputFormat};

/// Memory set aside when the step starts and given back when it fails, so
/// that a query which used up the step's memory can still be reported.
const RESERVE: usize = 4 << 20;

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    let reserve = vec![0u8; RESERVE];
    let (invocation, absent) = invocation.without_absent_artifacts()?;
    let result = run_query(&invocation, &absent);
    drop(reserve);
    result.map_err(|error| {
        let mut message = error.to_string();
        if let Some(name) = absent.iter().find(|name| message.contains(&format!("no such table: {name}"))) {
            return anyhow::anyhow!("{message} (input artifact \"{name}\" is optional and was not given)");
        }
        if temp_files::ran_out_of_memory() {
            message = message.replace("disk I/O error", "out of memory");
        }
        if message.contains("out of memory") {
            anyhow::anyhow!(
                "{message}: the query needs more memory than the step has (give the step more memory, or make the query keep less: fewer rows in a sort, a GROUP BY or a DISTINCT)"
            )
        } else {
            error
        }
    })
}

/// One byte from a one-character parameter: `\t` and `tab` mean a tab.
fn single_byte(invocation: &PluginInvocation, name: &str, allow_none: bool) -> anyhow::Result<Option<Option<u8>>> {
    let Some(text) = invocation.parameter_opt::<String>(name)? else { return Ok(None) };
    let byte = match text.as_str() {
        "\\t" | "tab" => Some(b'\t'),
        "" if allow_none => None,
        one if one.len() == 1 && one.as_bytes()[0] != b'\n' && one.as_bytes()[0] != b'\r' => Some(one.as_bytes()[0]),
        _ => anyhow::bail!(
            "parameter \"{name}\": expected one ASCII character (or \\t for a tab{}), got \"{text}\"",
            if allow_none { ", or an empty string for none" } else { "" }
        ),
    };
    Ok(Some(byte))
}

/// Runs the query over the artifacts of `invocation`; `absent` names the
/// optional ones that were not given, for the message.
fn run_query(invocation: &PluginInvocation, absent: &[String]) -> anyhow::Result<PluginResult> {
    invocation.check_parameters(&["query", "format", "input_format", "delimiter", "quote", "types", "header"])?;
    let sql: String = invocation.parameter("query")?;
    let format = OutputFormat::parse(&invocation.parameter_or::<String>("format", "csv")?)?;
    let forced = invocation.parameter_opt::<String>("input_format")?.map(|f| InputFormat::parse(&f)).transpose()?;
    let delimiter = single_byte(invocation, "delimiter", false)?.flatten();
    let quote = single_byte(invocation, "quote", true)?.unwrap_or(Some(b'"'));
    anyhow::ensure!(
        delimiter.is_none() || quote.is_none() || delimiter != quote,
        "parameters \"delimiter\" and \"quote\" are the same character"
    );
    let infer_types = match invocation.parameter_or::<String>("types", "infer")?.as_str() {
        "infer" => true,
        "text" => false,
        other => anyhow::bail!("parameter \"types\": expected infer or text, got \"{other}\""),
    };

    temp_files::register();
    let header: bool = invocation.parameter_or("header", true)?;
    let db = Connection::open_in_memory()?;
    // As the sqlite3 shell: foreign keys are not enforced unless asked for.
    db.execute_batch("PRAGMA foreign_keys = OFF")?;
    // The tables are loaded in one transaction without a rollback journal
    // (a failed load fails the step anyway); the query then has one.
    db.execute_batch("PRAGMA journal_mode = OFF; BEGIN")?;
    let loaded = tables::load_all(&db, invocation, forced, CsvOptions { delimiter, quote, infer_types, header })?;
    db.execute_batch("COMMIT; PRAGMA journal_mode = MEMORY")?;

    let mut output = Output::new(&db, format)?;
    let summary = query::run(&db, &sql, &mut output)?;
    let (artifact, rows, parameter) = output.finish()?;

    let mut message = match summary.rows {
        Some(1) => "the query returned 1 row".to_owned(),
        Some(n) => format!("the query returned {n} rows"),
        None => format!("{} statements ran; none returned rows", summary.statements),
    };
    debug_assert!(summary.rows.is_none_or(|n| n == rows));
    if !loaded.is_empty() {
        message.push_str(&format!(" (from {})", loaded.join(", ")));
    }
    if !absent.is_empty() {
        let names: Vec<String> = absent.iter().map(|name| format!("\"{name}\"")).collect();
        message.push_str(&format!("; optional input artifacts not given: {}", names.join(", ")));
    }
    let mut result = PluginResult::succeeded(message.clone()).with_artifact(artifact);
    match parameter {
        Some(csv) => result = result.with_parameter("result", csv),
        None => {
            result.message = format!(
                "{message}; the result is larger than {} KiB as CSV, so only the artifact \"result\" holds it",
                PARAMETER_LIMIT / 1024
            )
        }
    }
    Ok(result)
}
