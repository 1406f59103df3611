//! Shared by the markdown module's tests: running the module, and reading
//! HTML as a browser's tokenizer reads it.

#![allow(dead_code)] // each test file uses part of this

use wasm_workflows_cli::runner::{InputFile, RunOptions};
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

/// Runs the module with these parameters (given as strings, as Argo gives them).
pub fn markdown_step(parameters: &[(&str, &str)]) -> PluginResult {
    markdown_step_with(options(invocation(parameters)))
}

/// Runs the module with these options.
pub fn markdown_step_with(options: RunOptions) -> PluginResult {
    run(&module("markdown", WasmTarget::Wasip1), &options).node
}

/// Runs the module with input artifact `input` holding `contents`.
pub fn markdown_step_on_file(parameters: &[(&str, &str)], contents: &[u8]) -> PluginResult {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.md");
    std::fs::write(&file, contents).unwrap();
    let mut run_options = options(invocation(parameters));
    run_options.input_files.push(InputFile { name: "input".into(), path: "/in/input.md".into(), source: file });
    markdown_step_with(run_options)
}

/// The `html` output parameter of a node that succeeded.
pub fn html_of(node: &PluginResult) -> String {
    assert_eq!(node.phase, Phase::Succeeded, "{}", node.message);
    node.output_parameter("html").and_then(Value::as_str).expect("an html parameter").to_owned()
}

/// `markdown` rendered by the module; `sanitize` as given (`None`: the default).
pub fn render(markdown: &str, sanitize: Option<bool>) -> String {
    let node = match sanitize {
        None => markdown_step(&[("markdown", markdown)]),
        Some(on) => markdown_step(&[("markdown", markdown), ("sanitize", if on { "true" } else { "false" })]),
    };
    html_of(&node)
}

/// One token of HTML as a browser's tokenizer (html5gum, WHATWG) reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A start tag: name and attributes, sorted by name.
    Start(String, Vec<(String, String)>),
    /// An end tag.
    End(String),
    /// Text, character references decoded.
    Text(String),
    /// A comment.
    Comment(String),
    /// A doctype.
    Doctype(String),
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The tokens of `html`, adjacent text joined.
pub fn tokens(html: &str) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    for token in html5gum::Tokenizer::new(html) {
        let piece = match token.expect("tokenizing cannot fail") {
            html5gum::Token::StartTag(tag) => Piece::Start(
                text(&tag.name),
                tag.attributes.iter().map(|(name, value)| (text(name), text(value))).collect(),
            ),
            html5gum::Token::EndTag(tag) => Piece::End(text(&tag.name)),
            html5gum::Token::String(string) => match pieces.last_mut() {
                Some(Piece::Text(previous)) => {
                    previous.push_str(&text(&string));
                    continue;
                }
                _ => Piece::Text(text(&string)),
            },
            html5gum::Token::Comment(comment) => Piece::Comment(text(&comment)),
            html5gum::Token::Doctype(doctype) => Piece::Doctype(text(&doctype.name)),
            html5gum::Token::Error(_) => continue,
        };
        pieces.push(piece);
    }
    pieces
}
