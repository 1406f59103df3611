//! The examples of a CommonMark-style spec file (CommonMark's `spec.txt`,
//! cmark-gfm's `extensions.txt`), and fetching those files: they are not
//! in the repository; `scripts/setup-markdown-tests.sh` fetches them from
//! their registry packages into the target directory, and is run here when
//! they are missing.

use std::path::PathBuf;
use std::process::Command;

use wasm_workflows_test_support::cargo_build::target_dir;
use wasm_workflows_test_support::harness::workspace_root;

/// One example: a fenced block of Markdown, a line `.`, the expected HTML.
#[derive(Debug, Clone)]
pub struct Example {
    /// Counted from 1 through the file, as the spec numbers them.
    pub number: usize,
    /// The heading the example is under.
    pub section: String,
    pub markdown: String,
    pub html: String,
}

/// The path of spec file `name` (`spec.txt`, `extensions.txt`), fetched
/// first if it is not there.
pub fn spec_file(name: &str) -> PathBuf {
    let root = workspace_root();
    let dir = std::env::var_os("MARKDOWN_SPECS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir(&root).join("markdown-specs"));
    let file = dir.join(name);
    if !file.exists() {
        let status = Command::new("bash")
            .arg(root.join("scripts/setup-markdown-tests.sh"))
            .env("MARKDOWN_SPECS_DIR", &dir)
            .status()
            .expect("run scripts/setup-markdown-tests.sh");
        assert!(status.success(), "scripts/setup-markdown-tests.sh could not fetch {name}");
    }
    file
}

/// The examples of spec file `name`, in order. The spec writes tabs as `→`.
pub fn examples(name: &str) -> Vec<Example> {
    let text = std::fs::read_to_string(spec_file(name)).unwrap();
    let fence = "`".repeat(32);
    let mut examples = Vec::new();
    let mut section = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("<!-- END TESTS -->") {
            break;
        }
        if let Some(heading) = line.strip_prefix('#') {
            section = heading.trim_start_matches('#').trim().to_owned();
        } else if line.starts_with(&fence) && line[fence.len()..].trim_start().starts_with("example") {
            let (mut markdown, mut html) = (String::new(), String::new());
            let mut in_html = false;
            for line in lines.by_ref() {
                if line.starts_with(&fence) {
                    break;
                } else if line == "." && !in_html {
                    in_html = true;
                } else {
                    let part = if in_html { &mut html } else { &mut markdown };
                    part.push_str(&line.replace('→', "\t"));
                    part.push('\n');
                }
            }
            examples.push(Example { number: examples.len() + 1, section: section.clone(), markdown, html });
        }
    }
    examples
}

/// The example numbers listed in a differences file (`tests/data/…`): each
/// line `N: reason`, `#` starting a comment.
pub fn listed_differences(file: &str) -> Vec<usize> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (number, reason) = line.split_once(':').unwrap_or_else(|| panic!("{file}: no `N: reason` in {line:?}"));
            assert!(!reason.trim().is_empty(), "{file}: example {number} has no reason");
            number.trim().parse().unwrap_or_else(|_| panic!("{file}: not an example number: {line:?}"))
        })
        .collect()
}
