//! The module's HTML against cmark-gfm, GitHub's CommonMark implementation
//! (`cmark-gfm -e table -e strikethrough -e tasklist`), for the documents in
//! tests/documents/, compared as normalised HTML (see [`normalise`]).

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use support::{Piece, render, tokens};

/// cmark-gfm's HTML for `markdown`; `unsafe_html` keeps raw HTML.
fn cmark_gfm(markdown: &str, unsafe_html: bool) -> String {
    let mut command = Command::new("cmark-gfm");
    command.args(["-e", "table", "-e", "strikethrough", "-e", "tasklist"]);
    if unsafe_html {
        command.arg("--unsafe");
    }
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap_or_else(|e| {
        panic!("cannot run cmark-gfm, the reference renderer ({e}): install it with `apt-get install cmark-gfm`")
    });
    child.stdin.take().unwrap().write_all(markdown.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "cmark-gfm failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
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
/// 3. Table cell alignment: pulldown-cmark writes `style="text-align: X"`,
///    cmark-gfm the obsolete `align="X"`; both become `align="X"`.
/// 4. White space: runs of white space in text (outside `<pre>`) become one
///    space, and white space next to a block-level tag is dropped — HTML
///    renders both the same (cmark-gfm puts a line break between table tags,
///    pulldown-cmark none; after a task checkbox one writes a space, the
///    other a line break).
/// 5. The checkbox of a task item whose text is a paragraph (a loose list):
///    cmark-gfm writes it before the `<p>`, pulldown-cmark inside it, at
///    its start; both show the box at the start of the item's first line.
fn normalise(html: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut in_pre = 0;
    for piece in tokens(html) {
        let piece = match piece {
            Piece::Start(name, attributes) => {
                in_pre += usize::from(name == "pre");
                let attributes = attributes
                    .into_iter()
                    .map(|(name, value)| match value.strip_prefix("text-align: ") {
                        Some(side) if name == "style" => ("align".to_owned(), side.to_owned()),
                        _ => (name, value),
                    })
                    .collect::<std::collections::BTreeMap<_, _>>()
                    .into_iter()
                    .collect();
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
            Piece::Start(name, attributes)
                if name == "input" && matches!(kept.last(), Some(Piece::Start(p, _)) if p == "p") =>
            {
                let paragraph = kept.pop().unwrap();
                kept.push(Piece::Start(name.clone(), attributes.clone()));
                kept.push(paragraph);
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

fn documents() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/documents");
    let mut documents: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    documents.sort();
    documents
}

#[test]
fn documents_render_as_cmark_gfm_renders_them() {
    let documents = documents();
    assert!(documents.len() >= 8, "only {} documents", documents.len());
    for document in documents {
        let name = document.file_name().unwrap().to_string_lossy().into_owned();
        let markdown = std::fs::read_to_string(&document).unwrap();
        // Documents with raw HTML are compared with sanitising off on both sides.
        let raw_html = name.starts_with("raw-html");
        let ours = render(&markdown, Some(!raw_html));
        let reference = cmark_gfm(&markdown, raw_html);
        assert_eq!(
            normalise(&ours),
            normalise(&reference),
            "{name} renders differently.\n--- module:\n{ours}\n--- cmark-gfm:\n{reference}"
        );
        if !raw_html {
            // Nothing to remove: sanitising changes nothing.
            assert_eq!(render(&markdown, Some(false)), ours, "{name}: sanitising changed a safe document");
        }
    }
}

#[test]
fn the_normalisation_keeps_real_differences() {
    assert_ne!(normalise("<p>a <em>b</em></p>"), normalise("<p>a<em>b</em></p>"));
    assert_ne!(normalise("<td align=\"left\">x</td>"), normalise("<td align=\"right\">x</td>"));
    assert_ne!(normalise("<pre><code>a  b</code></pre>"), normalise("<pre><code>a b</code></pre>"));
    assert_eq!(normalise("<p>&quot;x&quot;\n y</p>\n"), normalise("<p>\"x\" y</p>"));
    assert_eq!(
        normalise("<li><input type=\"checkbox\" disabled=\"\" /> \n<p>a task</p>"),
        normalise("<li>\n<p><input disabled=\"\" type=\"checkbox\"/>\na task</p>")
    );
}

/// cmark-gfm 0.29.0.gfm.6 (Debian 12's) draws no checkbox for a task item
/// inside a block quote; GitHub and pulldown-cmark do. So this case is
/// checked on its own instead of against cmark-gfm.
#[test]
fn task_items_inside_block_quotes_get_checkboxes() {
    let html = render("> - [ ] open\n> - [x] done\n", None);
    assert_eq!(
        html,
        "<blockquote>\n<ul>\n<li><input disabled=\"\" type=\"checkbox\"/>\nopen</li>\n\
         <li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone</li>\n</ul>\n</blockquote>\n"
    );
}
