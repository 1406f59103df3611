//! json-query: runs the jq program `query` on a JSON document (parameter
//! `json` or input artifact `input`) and returns its outputs as the output
//! parameter `result`: JSON text, or with `raw` the strings without quotes.

mod document;
mod json;
mod map;
mod natives;
mod number;
mod ops;
mod output;
mod position;
mod query;
mod syntax;
mod value;

use wasm_workflows_sdk::prelude::*;

use crate::output::Outputs;
use crate::position::Position;
use crate::query::{Query, RunError};

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    invocation.check_parameters(&["query", "json", "raw"])?;
    let code: String = invocation.parameter("query")?;
    let raw: bool = invocation.parameter_or("raw", false)?;
    let query = Query::compile(&code).map_err(|e| anyhow::anyhow!("parameter \"query\": syntax error: {e}"))?;
    let document = document::read(&invocation)?;
    let mut outputs = Outputs::new(raw);
    // `.[] | rest` runs `rest` on each element as the parser reads it.
    let each = syntax::after_iterate(&code).and_then(|rest| Query::compile(rest).ok());
    let ran = match each {
        Some(rest) => run_on_elements(&rest, &document, &mut outputs)?,
        None => {
            let values = parse(&document)?;
            // The document lives until the step ends: the process's end frees it
            // faster than dropping it value by value (the extra reference also
            // keeps it from being freed while the program runs).
            std::mem::forget(values.clone());
            query.run(values.into_iter(), |value| outputs.push(value))
        }
    };
    ran.map_err(|error| match error {
        RunError::Error(reason) => anyhow::anyhow!("parameter \"query\": the query failed: {reason}"),
        RunError::Halt(code) => anyhow::anyhow!("parameter \"query\": the query halted with exit code {code}"),
    })?;
    let message = match outputs.count() {
        0 => "the query gave no output".to_owned(),
        1 => "the query gave 1 output".to_owned(),
        n => format!("the query gave {n} outputs, returned as a JSON array"),
    };
    let message = if raw && outputs.count() > 1 { message.replace("as a JSON array", "one per line") } else { message };
    Ok(PluginResult::succeeded(message).with_parameter("result", outputs.finish()))
}

/// `rest` on each element of the document's arrays (and values of its
/// objects) as they are read. As jq reads the whole document before it
/// runs the program, malformed JSON anywhere fails the step as malformed
/// JSON, even after a program error; a value that is neither array nor
/// object fails as `.[]` fails on it.
fn run_on_elements(
    rest: &Query,
    document: &document::Document,
    outputs: &mut Outputs,
) -> anyhow::Result<Result<(), RunError>> {
    let mut elements = json::Elements::new(document.text.as_bytes());
    let ran = rest.run(elements.by_ref(), |value| outputs.push(value));
    if ran.is_err() || elements.not_iterable.is_some() {
        elements.check_rest();
    }
    if let Some(e) = &elements.error {
        anyhow::bail!(
            "{}: malformed JSON at {}: {}",
            document.source,
            Position::of(&document.text, e.offset),
            e.reason
        );
    }
    Ok(match (ran, elements.not_iterable.take()) {
        (Ok(()), Some(value)) => {
            Err(RunError::Error(value.not_iterable().into_val().as_str().unwrap_or_default().to_owned()))
        }
        (ran, _) => ran,
    })
}

/// The document's JSON values: one, or several separated by white space
/// (JSON lines), as jq reads them.
fn parse(document: &document::Document) -> anyhow::Result<Vec<value::Val>> {
    let values = json::parse_all(document.text.as_bytes()).map_err(|e| {
        anyhow::anyhow!(
            "{}: malformed JSON at {}: {}",
            document.source,
            Position::of(&document.text, e.offset),
            e.reason
        )
    })?;
    anyhow::ensure!(!values.is_empty(), "{}: expected a JSON document, got no JSON value", document.source);
    Ok(values)
}
