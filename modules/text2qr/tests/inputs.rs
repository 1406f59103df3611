//! Bad inputs fail the step with a message that names the input.

mod support;

use support::{text2qr, text2qr_with};
use wasm_workflows_cli::runner::InputDocument;
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::harness::{invocation, options};

fn failed(node: PluginResult) -> String {
    assert_eq!(node.phase, Phase::Failed, "{node:?}");
    assert!(node.outputs.parameters.is_empty() && node.outputs.artifacts.is_empty(), "{node:?}");
    node.message
}

#[test]
fn bad_inputs_fail_with_a_message_naming_them() {
    assert_eq!(
        failed(text2qr(&[])),
        "missing required parameter \"text\" (add it to the template's inputs.parameters)"
    );
    assert_eq!(
        failed(text2qr(&[("text", "x"), ("error_correction", "X")])),
        "parameter \"error_correction\": expected L, M, Q or H, got \"X\""
    );
    assert_eq!(
        failed(text2qr_with(options(invocation(&[("text", "x")]).with_parameter("error_correction", 7))).0),
        "parameter \"error_correction\": expected L, M, Q or H, got \"7\""
    );
    assert_eq!(
        failed(text2qr_with(options(invocation(&[]).with_parameter("text", vec!["a", "b"]))).0),
        "parameter \"text\": expected a string, got an array of 2 elements"
    );
    assert_eq!(
        failed(text2qr(&[("text", "x"), ("size", "10")])),
        "unknown parameter \"size\" (this module accepts: text, error_correction)"
    );
    assert_eq!(
        failed(text2qr(&[("text", "")])),
        "parameter \"text\": expected the text to encode, got an empty string"
    );
    let mut broken = options(invocation(&[("text", "x")]));
    broken.input = InputDocument::Raw(b"{\"parameters\": [{\"name\": \"text\"".to_vec());
    assert!(failed(text2qr_with(broken).0).starts_with("invalid input: "));
}

#[test]
fn text_too_long_for_the_level_says_what_fits() {
    let text = "a".repeat(1274);
    assert_eq!(
        failed(text2qr(&[("text", &text), ("error_correction", "H")])),
        "parameter \"text\": 1274 bytes do not fit in a QR code at error correction H (at most 1273 bytes of text, \
         more if it is only digits or upper-case letters; a lower error_correction holds more)"
    );
    // The same text fits at a lower level.
    assert_eq!(text2qr(&[("text", &text), ("error_correction", "L")]).phase, Phase::Succeeded);
}
