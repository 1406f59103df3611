//! Shared by the markdown module's tests: running the module, and reading
//! HTML as a browser's tokenizer reads it.

#![allow(dead_code)] // each test file uses part of this

pub mod spec_file;

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

/// `markdown` rendered by the module with these further parameters.
pub fn render_with(markdown: &str, parameters: &[(&str, &str)]) -> String {
    let mut all = vec![("markdown", markdown)];
    all.extend_from_slice(parameters);
    html_of(&markdown_step(&all))
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

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "details",
    "summary",
    "section",
];

fn is_block(piece: Option<&Piece>) -> bool {
    matches!(piece, Some(Piece::Start(name, _) | Piece::End(name)) if BLOCKS.contains(&name.as_str()))
}

/// HTML tokens with the differences that do not change what a browser
/// shows removed. These, and only these, are normalised:
///
/// 1. Character references and quoting: tokens are compared after
///    tokenizing, so `"` and `&quot;` in text, or `/>` and ` />`, are equal
///    (cmark-gfm escapes `"` in text, pulldown-cmark does not).
/// 2. Attribute order: attributes are sorted (`<input type disabled>` and
///    `<input disabled type>` are the same element).
/// 3. White space: runs of white space in text (outside `<pre>`) become one
///    space, and white space next to a block-level tag is dropped — HTML
///    renders both the same (the CommonMark spec's examples and the HTML
///    written here differ in such white space, as in `<li>\n<p>` against
///    `<li><p>`).
pub fn normalise(html: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut in_pre = 0;
    for piece in tokens(html) {
        let piece = match piece {
            Piece::Start(name, attributes) => {
                in_pre += usize::from(name == "pre");
                let attributes =
                    attributes.into_iter().collect::<std::collections::BTreeMap<_, _>>().into_iter().collect();
                Piece::Start(name, attributes)
            }
            Piece::End(name) => {
                in_pre -= usize::from(name == "pre");
                Piece::End(name)
            }
            Piece::Text(text) if in_pre == 0 => Piece::Text(collapse_white_space(&text)),
            other => other,
        };
        pieces.push(piece);
    }
    let mut kept: Vec<Piece> = Vec::new();
    for i in 0..pieces.len() {
        match &pieces[i] {
            Piece::Text(text) => {
                let mut text = text.as_str();
                if is_block(kept.last()) {
                    text = text.trim_start();
                }
                if is_block(pieces.get(i + 1)) {
                    text = text.trim_end();
                }
                if !text.is_empty() {
                    kept.push(Piece::Text(text.to_owned()));
                }
            }
            other => kept.push(other.clone()),
        }
    }
    kept
}

/// `text` with each run of white space made one space.
fn collapse_white_space(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    for c in text.chars() {
        if !c.is_whitespace() {
            collapsed.push(c);
        } else if !collapsed.ends_with(' ') {
            collapsed.push(' ');
        }
    }
    collapsed
}
