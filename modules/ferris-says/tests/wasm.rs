//! ferris-says built for wasm32-wasip1 and run in wasmtime as the plugin runs it.

use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

fn ferris(parameters: &[(&str, &str)]) -> PluginResult {
    run(&module("ferris-says", WasmTarget::Wasip1), &options(invocation(parameters))).node
}

fn drawing(node: &PluginResult) -> &str {
    assert_eq!(node.phase, Phase::Succeeded, "{}", node.message);
    node.output_parameter("text").and_then(Value::as_str).unwrap()
}

#[test]
fn ferris_says_the_text() {
    let node = ferris(&[("text", "Hello World from WebAssembly"), ("width", "20")]);
    assert_eq!(node.message, "Ferris said it");
    assert_eq!(
        drawing(&node),
        [
            " __________________",
            "/ Hello World from \\",
            "\\ WebAssembly      /",
            " ------------------",
            "        \\",
            "         \\",
            "            _~^~^~_",
            "        \\) /  o o  \\ (/",
            "          '_   -   _'",
            "          / '-----' \\",
        ]
        .join("\n")
    );
}

#[test]
fn width_defaults_to_forty_and_accepts_numbers_and_strings() {
    let text = "a fairly long sentence that needs more than forty columns to say";
    let default = ferris(&[("text", text)]);
    assert!(drawing(&default).lines().all(|line| line.chars().count() <= 44), "{}", drawing(&default));
    assert_eq!(drawing(&default).lines().nth(1), Some("/ a fairly long sentence that needs more \\"));

    let as_number = run(
        &module("ferris-says", WasmTarget::Wasip1),
        &options(invocation(&[("text", text)]).with_parameter("width", 30)),
    )
    .node;
    assert_eq!(drawing(&as_number), drawing(&ferris(&[("text", text), ("width", "30")])));
}

#[test]
fn bad_inputs_fail_with_a_message_naming_them() {
    let failed = |parameters: &[(&str, &str)]| {
        let node = ferris(parameters);
        assert_eq!(node.phase, Phase::Failed);
        node.message
    };
    assert_eq!(failed(&[]), "missing required parameter \"text\" (add it to the template's inputs.parameters)");
    assert_eq!(
        failed(&[("text", "x"), ("width", "wide")]),
        "parameter \"width\": expected usize, got the string \"wide\""
    );
    assert_eq!(
        failed(&[("text", "x"), ("colour", "red")]),
        "unknown parameter \"colour\" (this module accepts: text, width)"
    );
    assert_eq!(
        failed(&[("text", "x"), ("width", "0")]),
        "parameter \"width\": expected a number of columns from 1 to 1000, got 0"
    );
}
