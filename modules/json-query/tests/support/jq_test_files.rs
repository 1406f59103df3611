//! jq 1.8.2's own test files (`tests/*.test` of its source), fetched by
//! `scripts/setup-jq-tests.sh` from PyPI's `jq` package at setup time
//! (never kept in the repository), and their format: blocks separated by
//! blank lines, `#` comments; a block is a program line, an input line and
//! the expected output lines, or `%%FAIL` (optionally `IGNORE MSG`), a
//! program line and jq's error message.

use std::path::PathBuf;
use std::process::Command;

use wasm_workflows_test_support::cargo_build::target_dir;
use wasm_workflows_test_support::harness::workspace_root;

/// Every test file of jq 1.8.2's `tests/`.
pub const FILES: &[&str] =
    &["jq.test", "man.test", "manonig.test", "onig.test", "base64.test", "uri.test", "optional.test"];

/// One block of a test file.
#[derive(Debug)]
pub struct Block {
    /// The line of the program in its file: the block's name.
    pub line: usize,
    pub program: String,
    /// The input and the expected outputs; `None` for a `%%FAIL` block
    /// (jq refuses the program).
    pub run: Option<(String, Vec<String>)>,
}

impl Block {
    /// The block's input (`null` for a `%%FAIL` block).
    pub fn input(&self) -> &str {
        self.run.as_ref().map_or("null", |(input, _)| input.as_str())
    }
}

/// The blocks of a test file's text.
pub fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').collect();
    let skip = |l: &str| l.trim().is_empty() || l.starts_with('#');
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if skip(lines[i]) {
            i += 1;
            continue;
        }
        let fail = lines[i].starts_with("%%FAIL");
        if fail {
            i += 1;
        }
        let line = i + 1;
        let program = lines.get(i).copied().unwrap_or_default().to_owned();
        i += 1;
        let mut rest = Vec::new();
        while i < lines.len() && !skip(lines[i]) {
            rest.push(lines[i].to_owned());
            i += 1;
        }
        let run = (!fail && !rest.is_empty()).then(|| (rest.remove(0), rest));
        out.push(Block { line, program, run });
    }
    out
}

/// The blocks of test file `name` (one of [`FILES`]), fetched first when
/// they are not there yet.
pub fn read(name: &str) -> Vec<Block> {
    blocks(&std::fs::read_to_string(fetched().join(name)).unwrap())
}

/// jq's tests/modules (what jq's runner gives jq.test with `-L`): each
/// file's path below that folder, and where it is.
pub fn modules() -> Vec<(String, PathBuf)> {
    fn walk(dir: &std::path::Path, below: &str, out: &mut Vec<(String, PathBuf)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{below}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.push((name, entry.path()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&fetched().join("modules"), "", &mut out);
    out.sort();
    out
}

/// The folder of the fetched files, fetched first when they are not there yet.
fn fetched() -> PathBuf {
    let root = workspace_root();
    let dir = std::env::var_os("JQ_TEST_SUITE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir(&root).join("jq-test-suite"));
    if FILES.iter().any(|f| !dir.join(f).exists()) || !dir.join("modules/c/c.jq").exists() {
        let status = Command::new("bash")
            .arg(root.join("scripts/setup-jq-tests.sh"))
            .env("JQ_TEST_SUITE_DIR", &dir)
            .status()
            .expect("run scripts/setup-jq-tests.sh");
        assert!(status.success(), "scripts/setup-jq-tests.sh could not fetch jq's test files");
    }
    dir
}
