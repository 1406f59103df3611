//! cmark-gfm's own examples of GitHub's extensions (its
//! `test/extensions.txt`, cmark-gfm 0.29.0.gfm.6: tables, strikethrough,
//! autolinks, the tag filter, footnotes, task lists) through the compiled
//! module with `autolink`, `tagfilter` and `footnotes` on and raw HTML kept
//! (as cmark-gfm's test runs them: every extension, `--unsafe`), compared
//! with the expected HTML after [`support::normalise`]. An example whose
//! expected HTML is `<IGNORE>` only has to render.
//!
//! `tests/data/gfm-extensions-differences.txt` lists the examples that
//! differ, and why; the test fails when that list is out of date.

mod support;

use support::spec_file::{examples, listed_differences};
use support::{normalise, render_with};

const EXTENSIONS: [(&str, &str); 4] =
    [("sanitize", "false"), ("autolink", "true"), ("tagfilter", "true"), ("footnotes", "true")];

#[test]
fn cmark_gfm_extension_examples() {
    let examples = examples("extensions.txt");
    assert_eq!(examples.len(), 30, "cmark-gfm 0.29.0.gfm.6's extensions.txt has 30 examples");
    let mut failing = Vec::new();
    for example in &examples {
        let html = render_with(&example.markdown, &EXTENSIONS);
        if example.html.trim() != "<IGNORE>" && normalise(&html) != normalise(&example.html) {
            failing.push((
                example.number,
                format!(
                    "example {} ({}): {:?}\n  expected {:?}\n  module   {:?}",
                    example.number, example.section, example.markdown, example.html, html
                ),
            ));
        }
    }
    println!("cmark-gfm extensions.txt: {} of {} examples match", examples.len() - failing.len(), examples.len());
    let listed = listed_differences("gfm-extensions-differences.txt");
    let found: Vec<usize> = failing.iter().map(|(number, _)| *number).collect();
    let new: Vec<&str> = failing.iter().filter(|(n, _)| !listed.contains(n)).map(|(_, r)| r.as_str()).collect();
    let fixed: Vec<usize> = listed.iter().copied().filter(|n| !found.contains(n)).collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "tests/data/gfm-extensions-differences.txt is out of date.\nnow differing, not listed:\n{}\nlisted, now matching: {fixed:?}",
        new.join("\n")
    );
}
