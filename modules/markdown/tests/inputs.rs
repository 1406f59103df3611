//! Where the Markdown comes from (parameter or artifact), where the HTML
//! goes (parameter and artifact), and every bad input failing with a
//! message that names it.

mod support;

use support::{html_of, markdown_step, markdown_step_on_file, markdown_step_with};
use wasm_workflows_cli::runner::InputDocument;
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

#[test]
fn html_is_a_parameter_and_an_artifact() {
    let output_dir = tempfile::tempdir().unwrap();
    let mut run_options = options(invocation(&[("markdown", "# Hi\n\n- [x] done")]));
    run_options.output_dir = Some(output_dir.path().to_owned());
    let outcome = run(&module("markdown", WasmTarget::Wasip1), &run_options);
    let html = html_of(&outcome.node);
    assert_eq!(
        html,
        "<h1>Hi</h1>\n<ul>\n<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> done</li>\n</ul>\n"
    );
    let artifact = outcome.node.outputs.artifacts.iter().find(|a| a.name == "html").expect("an html artifact");
    assert_eq!(artifact.path, "/output.html");
    assert_eq!(std::fs::read_to_string(output_dir.path().join("output.html")).unwrap(), html);
    assert_eq!(outcome.node.message, format!("rendered 16 bytes of Markdown to {} bytes of HTML", html.len()));
}

#[test]
fn markdown_can_come_from_the_input_artifact() {
    let node = markdown_step_on_file(&[], "Grüße, *Köln* 🦀\n".as_bytes());
    assert_eq!(html_of(&node), "<p>Grüße, <em>Köln</em> 🦀</p>\n");
    let unsanitized = markdown_step_on_file(&[("sanitize", "false")], b"<b>kept</b>\n");
    assert_eq!(html_of(&unsanitized), "<p><b>kept</b></p>\n");
    assert!(unsanitized.message.ends_with("(raw HTML kept: sanitize is off)"), "{}", unsanitized.message);
}

#[test]
fn sanitize_accepts_booleans_as_strings_and_json() {
    let raw = "<i>x</i>";
    let as_json = markdown_step_with(options(invocation(&[("markdown", raw)]).with_parameter("sanitize", false)));
    assert_eq!(html_of(&as_json), "<p><i>x</i></p>\n");
    assert_eq!(html_of(&markdown_step(&[("markdown", raw), ("sanitize", "FALSE")])), "<p><i>x</i></p>\n");
    assert_eq!(html_of(&markdown_step(&[("markdown", raw), ("sanitize", "true")])), "<p>&lt;i&gt;x&lt;/i&gt;</p>\n");
    assert_eq!(html_of(&markdown_step(&[("markdown", "")])), "");
}

#[test]
fn bad_inputs_fail_with_a_message_naming_them() {
    let failed = |node: wasm_workflows_sdk::protocol::PluginResult| {
        assert_eq!(node.phase, Phase::Failed, "{node:?}");
        assert!(node.outputs.parameters.is_empty() && node.outputs.artifacts.is_empty(), "{node:?}");
        node.message
    };
    assert_eq!(
        failed(markdown_step(&[])),
        "no Markdown: give it as parameter \"markdown\" or as input artifact \"input\" (add one to the template's inputs)"
    );
    assert_eq!(
        failed(markdown_step_on_file(&[("markdown", "# x")], b"# y")),
        "both parameter \"markdown\" and input artifact \"input\" are given: give the Markdown in one of them"
    );
    assert_eq!(
        failed(markdown_step(&[("markdown", "x"), ("sanitise", "false")])),
        "unknown parameter \"sanitise\" (this module accepts: markdown, sanitize, autolink, tagfilter, footnotes)"
    );
    assert_eq!(
        failed(markdown_step(&[("markdown", "x"), ("sanitize", "maybe")])),
        "parameter \"sanitize\": expected a boolean, got the string \"maybe\""
    );
    assert_eq!(
        failed(markdown_step(&[("markdown", "x"), ("footnotes", "yes please")])),
        "parameter \"footnotes\": expected a boolean, got the string \"yes please\""
    );
    assert_eq!(
        failed(markdown_step_with(options(invocation(&[]).with_parameter("markdown", vec![1, 2])))),
        "parameter \"markdown\": expected a string, got an array of 2 elements"
    );
    let not_utf8 = failed(markdown_step_on_file(&[], &[b'#', b' ', 0xff, 0xfe, b'\n']));
    assert!(
        not_utf8.starts_with("cannot read input artifact \"input\" at ") && not_utf8.contains("not UTF-8 text"),
        "{not_utf8}"
    );
    let mut broken = options(invocation(&[("markdown", "x")]));
    broken.input = InputDocument::Raw(b"{\"parameters\": [".to_vec());
    let malformed = failed(markdown_step_with(broken));
    assert!(malformed.starts_with("invalid input: "), "{malformed}");
}
