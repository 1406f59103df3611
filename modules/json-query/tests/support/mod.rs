//! Shared by json-query's tests: running the module with the document as a
//! parameter or as the `input` artifact.

#![allow(dead_code)] // each test file uses part of this

use wasm_workflows_cli::runner::{InputFile, RunOptions};
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

/// Runs the module with these options.
pub fn json_query_with(options: RunOptions) -> PluginResult {
    run(&module("json-query", WasmTarget::Wasip1), &options).node
}

/// Runs the module with these parameters (strings, as Argo gives them).
pub fn json_query(parameters: &[(&str, &str)]) -> PluginResult {
    json_query_with(options(invocation(parameters)))
}

/// Runs the module with input artifact `input` holding `document`.
pub fn json_query_on_file(parameters: &[(&str, &str)], document: &[u8]) -> PluginResult {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("document.json");
    std::fs::write(&file, document).unwrap();
    let mut run_options = options(invocation(parameters));
    run_options.input_files.push(InputFile { name: "input".into(), path: "/data/document.json".into(), source: file });
    json_query_with(run_options)
}

/// The `result` parameter of a node that succeeded.
pub fn result_of(node: &PluginResult) -> String {
    assert_eq!(node.phase, Phase::Succeeded, "{}", node.message);
    node.output_parameter("result").and_then(Value::as_str).expect("a result parameter").to_owned()
}

/// The message of a node that failed, which has no outputs.
pub fn failure_of(node: PluginResult) -> String {
    assert_eq!(node.phase, Phase::Failed, "{node:?}");
    assert!(node.outputs.parameters.is_empty(), "{node:?}");
    node.message
}

pub mod jq_test_files;
