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
    let values = parse(&document)?;
    let mut outputs = Outputs::new(raw);
    query.run(values, |value| outputs.push(value)).map_err(|error| match error {
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

/// The document's JSON values: one, or several separated by white space
/// (JSON lines), as jq reads them.
fn parse(document: &document::Document) -> anyhow::Result<Vec<value::Val>> {
    let values = json::parse_all(document.text.as_bytes()).map_err(|e| {
        anyhow::anyhow!("{}: malformed JSON at {}: {}", document.source, Position::of(&document.text, e.offset), e.reason)
    })?;
    anyhow::ensure!(!values.is_empty(), "{}: expected a JSON document, got no JSON value", document.source);
    Ok(values)
}
