//! CommonMark 0.31.2's own examples (its `spec.txt`, 652 examples) through
//! the compiled module, compared with the expected HTML after
//! [`support::normalise`] (entities, attribute order, white space next to
//! block tags: what the spec's own runner also normalises):
//!
//! - with `sanitize=false` (raw HTML kept), every example;
//! - with sanitizing on (the default), the examples whose Markdown has no
//!   raw HTML (see [`without_raw_html`]).
//!
//! `tests/data/commonmark-differences.txt` lists the examples that differ
//! with sanitizing on, and why; the test fails when that list is out of
//! date either way.

mod support;

use support::spec_file::{Example, examples, listed_differences};
use support::{normalise, render};

/// Whether the Markdown of `example` has no raw HTML in it: no `<`
/// followed by a letter, `/`, `!` or `?` (a tag, comment, declaration,
/// processing instruction or CDATA) other than an autolink (`<scheme:…>`,
/// `<user@host>`). Code that shows HTML counts as HTML here: those
/// examples are left out too.
fn without_raw_html(example: &Example) -> bool {
    let text = example.markdown.as_bytes();
    (0..text.len()).all(|at| {
        text[at] != b'<'
            || !text.get(at + 1).is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'))
            || is_autolink(&text[at + 1..])
    })
}

/// Whether `text` (after a `<`) is the rest of a CommonMark autolink.
fn is_autolink(text: &[u8]) -> bool {
    let Some(end) = text.iter().position(|&b| b == b'>') else { return false };
    let inside = &text[..end];
    let scheme = inside.iter().take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')).count();
    let uri = (2..=32).contains(&scheme)
        && inside[0].is_ascii_alphabetic()
        && inside.get(scheme) == Some(&b':')
        && inside.iter().all(|&b| b > b' ' && b != b'<');
    let email = inside.split(|&b| b == b'@').count() == 2
        && inside.iter().all(|&b| b.is_ascii_alphanumeric() || b"@.!#$%&'*+/=?^_`{|}~-".contains(&b));
    uri || email
}

fn differing(examples: &[Example], sanitize: bool) -> Vec<(usize, String)> {
    examples
        .iter()
        .filter_map(|example| {
            let html = render(&example.markdown, Some(sanitize));
            (normalise(&html) != normalise(&example.html)).then(|| {
                (
                    example.number,
                    format!(
                        "example {} ({}): {:?}\n  expected {:?}\n  module   {:?}",
                        example.number, example.section, example.markdown, example.html, html
                    ),
                )
            })
        })
        .collect()
}

#[test]
fn every_example_with_raw_html_kept() {
    let examples = examples("spec.txt");
    assert_eq!(examples.len(), 652, "CommonMark 0.31.2 has 652 examples");
    let failing = differing(&examples, false);
    let report: Vec<&str> = failing.iter().map(|(_, report)| report.as_str()).collect();
    println!(
        "CommonMark 0.31.2, raw HTML kept: {} of {} examples match",
        examples.len() - failing.len(),
        examples.len()
    );
    assert!(failing.is_empty(), "{} examples differ:\n{}", failing.len(), report.join("\n"));
}

#[test]
fn examples_without_raw_html_when_sanitizing() {
    let examples: Vec<Example> = examples("spec.txt").into_iter().filter(without_raw_html).collect();
    assert_eq!(examples.len(), 560, "CommonMark 0.31.2 has 560 examples without raw HTML");
    let failing = differing(&examples, true);
    println!(
        "CommonMark 0.31.2 without raw HTML, sanitizing: {} of {} examples match",
        examples.len() - failing.len(),
        examples.len()
    );
    let listed = listed_differences("commonmark-differences.txt");
    let found: Vec<usize> = failing.iter().map(|(number, _)| *number).collect();
    let new: Vec<&str> = failing.iter().filter(|(n, _)| !listed.contains(n)).map(|(_, r)| r.as_str()).collect();
    let fixed: Vec<usize> = listed.iter().copied().filter(|n| !found.contains(n)).collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "tests/data/commonmark-differences.txt is out of date.\nnow differing, not listed:\n{}\nlisted, now matching: {fixed:?}",
        new.join("\n")
    );
}
