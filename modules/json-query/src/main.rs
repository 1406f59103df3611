//! json-query: runs the jq program `query` on a JSON document (parameter
//! `json` or input artifact `input`) and returns its outputs as the output
//! parameter `result`: JSON text, or with `raw` the strings without quotes.
//! `input_format` reads the document as JSON lines or YAML instead, and
//! `output_format` writes YAML (or raw text) instead.

mod decode;
mod document;
mod json;
mod library;
mod map;
mod memory;
mod natives;
mod number;
mod ops;
mod output;
mod position;
mod query;
mod regex;
mod stack;
mod syntax;
mod value;
mod yaml;

use wasm_workflows_sdk::prelude::*;

use crate::document::Format as InputFormat;
use crate::output::{Format, Outputs};
use crate::position::Position;
use crate::query::{Query, RunError};

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    invocation.check_parameters(&["query", "json", "raw", "input_format", "output_format", "library"])?;
    let code: String = invocation.parameter("query")?;
    let (input_format, format) = formats(&invocation)?;
    let library = library(&invocation)?;
    let query = Query::compile_with(&code, library.as_ref())
        .map_err(|e| anyhow::anyhow!("parameter \"query\": syntax error: {e}"))?;
    let document = document::read(&invocation)?;
    let mut outputs = Outputs::new(format);
    // `.[] | rest` runs `rest` on each element as the parser reads it.
    let each = (input_format == InputFormat::Json)
        .then(|| syntax::after_iterate(&code).and_then(|rest| Query::compile(rest).ok()))
        .flatten();
    let ran = match each {
        Some(rest) => run_on_elements(&rest, &document, &mut outputs)?,
        None => {
            let values = parse(&document, input_format)?;
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
    let message = match (outputs.count(), format) {
        (0, _) => "the query gave no output".to_owned(),
        (1, _) => "the query gave 1 output".to_owned(),
        (n, Format::Json) => format!("the query gave {n} outputs, returned as a JSON array"),
        (n, Format::Raw) => format!("the query gave {n} outputs, returned one per line"),
        (n, Format::Yaml) => format!("the query gave {n} outputs, returned as {n} YAML documents"),
    };
    Ok(PluginResult::succeeded(message).with_parameter("result", outputs.finish()))
}

/// Parameter `library`: the folder below the input artifacts that holds
/// the program's jq modules and data files (jq's `-L`).
fn library(invocation: &PluginInvocation) -> anyhow::Result<Option<library::Library>> {
    let Some(folder) = invocation.parameter_opt::<String>("library")? else { return Ok(None) };
    let artifacts = wasm_workflows_sdk::workdir::artifacts_in(&wasm_workflows_sdk::workdir::root());
    let root = if folder.trim_matches('/').is_empty() {
        artifacts
    } else {
        wasm_workflows_sdk::workdir::artifact_file(&artifacts, "library", &folder)
            .map_err(|e| anyhow::anyhow!("parameter \"library\": {e}"))?
    };
    Ok(Some(library::Library::new(root)))
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

/// Parameters `input_format` (default `json`) and `output_format`
/// (default `json`; `raw=true` is `output_format=raw`).
fn formats(invocation: &PluginInvocation) -> anyhow::Result<(InputFormat, Format)> {
    let input: String = invocation.parameter_or("input_format", "json".to_owned())?;
    let input = InputFormat::named(&input).ok_or_else(|| {
        anyhow::anyhow!("parameter \"input_format\" must be \"json\", \"ndjson\" or \"yaml\", not \"{input}\"")
    })?;
    let raw: bool = invocation.parameter_or("raw", false)?;
    let output: Option<String> = invocation.parameter_opt("output_format")?;
    let output = match (output, raw) {
        (None, raw) => {
            if raw {
                Format::Raw
            } else {
                Format::Json
            }
        }
        (Some(name), raw) => {
            let format = Format::named(&name).ok_or_else(|| {
                anyhow::anyhow!("parameter \"output_format\" must be \"json\", \"raw\" or \"yaml\", not \"{name}\"")
            })?;
            anyhow::ensure!(
                !raw || format == Format::Raw,
                "parameters \"raw\" and \"output_format\" disagree: raw=true is output_format=raw; give one of them"
            );
            format
        }
    };
    Ok((input, output))
}

/// The document's values: JSON values one after another (as jq reads
/// them), one per line, or the documents of a YAML stream.
fn parse(document: &document::Document, format: InputFormat) -> anyhow::Result<Vec<value::Val>> {
    let malformed = |offset: usize, reason: &str| {
        anyhow::anyhow!("{}: malformed JSON at {}: {}", document.source, Position::of(&document.text, offset), reason)
    };
    let values = match format {
        InputFormat::Json => json::parse_all(document.text.as_bytes()).map_err(|e| malformed(e.offset, &e.reason))?,
        InputFormat::Ndjson => {
            let mut values = Vec::new();
            let mut offset = 0;
            for line in document.text.split_inclusive('\n') {
                if !line.trim().is_empty() {
                    values.push(json::parse_one(line).map_err(|e| malformed(offset + e.offset, &e.reason))?);
                }
                offset += line.len();
            }
            values
        }
        InputFormat::Yaml => yaml::parse_all(&document.text).map_err(|e| match e.line {
            0 => anyhow::anyhow!("{}: YAML that cannot be read: {}", document.source, e.reason),
            line => {
                anyhow::anyhow!("{}: malformed YAML at line {line}, column {}: {}", document.source, e.column, e.reason)
            }
        })?,
    };
    let none =
        if format == InputFormat::Yaml { "a YAML document, got none" } else { "a JSON document, got no JSON value" };
    anyhow::ensure!(!values.is_empty(), "{}: expected {none}", document.source);
    Ok(values)
}
