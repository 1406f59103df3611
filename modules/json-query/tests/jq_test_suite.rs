//! jq's own tests through the module: every block of jq 1.8.2's
//! `tests/jq.test` (a program, an input line, the expected outputs; or a
//! `%%FAIL` program jq refuses) runs through the compiled `.wasm` under the
//! host contract, and its outputs are compared with the expected ones as
//! JSON values (numbers by value), as jq's own test runner compares them.
//!
//! The file is not in the repository: `scripts/setup-jq-tests.sh` fetches
//! it from PyPI (the `jq` package's source bundles jq's) into the target
//! directory, and this test runs that script when the file is missing.
//!
//! A block passes when the module succeeds with exactly the expected
//! outputs; or, for a `%%FAIL` block, when the step fails (not traps); or
//! when the module fails with the program's error where jq 1.8 also stops
//! with an error after exactly the expected outputs (jq's runner counts
//! those as passing; a workflow step that errs fails as a whole). jq 1.8 is
//! asked, through PyPI's `jq` package, only for blocks the module failed.
//!
//! `tests/data/jq-test-differences.txt` lists the blocks that still differ
//! and why; the test fails when the list is out of date either way, when a
//! block traps the module, or when fewer blocks pass than the floor.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::json_query;
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::cargo_build::target_dir;
use wasm_workflows_test_support::harness::workspace_root;

/// The fewest blocks that must pass (of 550), as measured: 95 %.
const PASS_FLOOR: usize = 523;

/// One block of jq.test.
#[derive(Debug)]
struct Block {
    /// The line of the program in jq.test: the block's name.
    line: usize,
    program: String,
    /// `None` for a `%%FAIL` block (jq refuses the program).
    run: Option<(String, Vec<String>)>,
}

/// jq.test's format: blocks separated by blank lines, `#` comments; a
/// block is a program line, an input line and output lines, or `%%FAIL`
/// (optionally `IGNORE MSG`), a program line and jq's error message.
fn blocks(text: &str) -> Vec<Block> {
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
        let program = lines[i].to_owned();
        i += 1;
        let mut rest = Vec::new();
        while i < lines.len() && !skip(lines[i]) {
            rest.push(lines[i].to_owned());
            i += 1;
        }
        let run = (!fail).then(|| (rest.remove(0), rest));
        out.push(Block { line, program, run });
    }
    out
}

fn suite_file() -> PathBuf {
    let root = workspace_root();
    let dir = std::env::var_os("JQ_TEST_SUITE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir(&root).join("jq-test-suite"));
    let file = dir.join("jq.test");
    if !file.exists() {
        let status = Command::new("bash")
            .arg(root.join("scripts/setup-jq-tests.sh"))
            .env("JQ_TEST_SUITE_DIR", &dir)
            .status()
            .expect("run scripts/setup-jq-tests.sh");
        assert!(status.success(), "scripts/setup-jq-tests.sh could not fetch jq.test");
    }
    file
}

/// Whether two JSON values are equal as jq compares them: numbers by value
/// (infinity is written as the largest double).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let clamp = |n: &json::Number| n.as_f64().map(|v| v.clamp(f64::MIN, f64::MAX));
            x.as_str() == y.as_str() || clamp(x) == clamp(y)
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && same(v, v2)))
        }
        _ => a == b,
    }
}

/// The outputs in the result: its message says how many there were.
fn outputs(message: &str, result: &str) -> Option<Vec<Value>> {
    if message.starts_with("the query gave no output") {
        return Some(Vec::new());
    }
    let value = json::parse(result).ok()?;
    if message.starts_with("the query gave 1 output") {
        return Some(vec![value]);
    }
    match value {
        Value::Array(items) => Some(items),
        _ => None,
    }
}

fn all_same(expected: &[String], actual: &[Value]) -> bool {
    expected.len() == actual.len()
        && expected.iter().zip(actual).all(|(e, a)| json::parse(e).is_ok_and(|e| same(&e, a)))
}

/// For each (program, input): jq 1.8's outputs before it stopped with an
/// error, or `None` when it did not stop with one. Asks PyPI's `jq` once.
fn jq_1_8_errors(cases: &[(&str, &str)]) -> Vec<Option<Vec<Value>>> {
    const PYTHON: &str = r#"
import json, math, sys
import jq
def plain(v):
    if isinstance(v, float) and math.isnan(v): return None
    if isinstance(v, list): return [plain(x) for x in v]
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    return v
for case in json.load(sys.stdin):
    out = []
    try:
        for v in jq.compile(case[0]).input_text(case[1]):
            out.append(plain(v))
        print("null")
    except Exception:
        print(json.dumps(out))
"#;
    let stdin = Value::Array(
        cases.iter().map(|(p, i)| Value::Array(vec![Value::String((*p).into()), Value::String((*i).into())])).collect(),
    )
    .to_string();
    let mut child = Command::new("python3")
        .args(["-c", PYTHON])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs jq 1.8 (apt-get install python3; pip install jq)");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), stdin.as_bytes()).unwrap();
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "jq 1.8 through Python failed: is PyPI's jq installed (scripts/setup.sh)?");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| match json::parse(line).unwrap() {
            Value::Array(items) => Some(items),
            _ => None,
        })
        .collect()
}

/// The blocks listed as different, by line: `LINE: what — why`.
fn listed_differences(path: &Path) -> BTreeMap<usize, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (line, why) = l.split_once(':').unwrap_or_else(|| panic!("not LINE: reason: {l}"));
            (line.trim().parse().unwrap_or_else(|_| panic!("not a line number: {l}")), why.trim().to_owned())
        })
        .collect()
}

#[test]
fn jq_s_own_tests_give_jq_s_outputs() {
    let text = std::fs::read_to_string(suite_file()).unwrap();
    let blocks = blocks(&text);
    assert_eq!(blocks.len(), 550, "jq 1.8.2's jq.test has 550 blocks");

    let mut passed = Vec::new();
    let mut traps = Vec::new();
    let mut failed_runs = Vec::new();
    let mut different = Vec::new();
    for block in &blocks {
        let input = block.run.as_ref().map_or("null", |(input, _)| input.as_str());
        let node = json_query(&[("query", &block.program), ("json", input)]);
        if node.message.contains("the module trapped") || node.message.contains("panicked") {
            traps.push(format!("line {}: {}: {}", block.line, block.program, node.message));
            continue;
        }
        match (&block.run, node.phase) {
            (None, Phase::Failed) => passed.push(block.line),
            (Some((_, expected)), Phase::Succeeded) => {
                let result = node.output_parameter("result").and_then(Value::as_str).unwrap_or_default();
                if outputs(&node.message, result).is_some_and(|actual| all_same(expected, &actual)) {
                    passed.push(block.line);
                } else {
                    different.push(block.line);
                }
            }
            (Some(_), Phase::Failed) if node.message.starts_with("parameter \"query\": the query failed") => {
                failed_runs.push(block);
            }
            _ => different.push(block.line),
        }
    }
    let cases: Vec<(&str, &str)> =
        failed_runs.iter().map(|b| (b.program.as_str(), b.run.as_ref().unwrap().0.as_str())).collect();
    for (block, jq) in failed_runs.iter().zip(jq_1_8_errors(&cases)) {
        let expected = &block.run.as_ref().unwrap().1;
        if jq.is_some_and(|before| all_same(expected, &before)) {
            passed.push(block.line);
        } else {
            different.push(block.line);
        }
    }
    assert!(traps.is_empty(), "{} blocks trap the module:\n{}", traps.len(), traps.join("\n"));

    different.sort();
    let listed = listed_differences(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jq-test-differences.txt"));
    let unlisted: Vec<String> = different
        .iter()
        .filter(|l| !listed.contains_key(l))
        .map(|l| format!("line {l}: {}", blocks.iter().find(|b| b.line == *l).unwrap().program))
        .collect();
    let now_passing: Vec<&usize> = listed.keys().filter(|l| passed.contains(l)).collect();
    assert!(unlisted.is_empty(), "blocks that differ and are not listed as differences:\n{}", unlisted.join("\n"));
    assert!(now_passing.is_empty(), "blocks listed as differences that now pass: {now_passing:?}");
    assert!(
        passed.len() >= PASS_FLOOR,
        "{} of {} blocks pass, fewer than the floor of {PASS_FLOOR}",
        passed.len(),
        blocks.len()
    );
    println!("{} of {} blocks of jq 1.8.2's jq.test give jq's outputs", passed.len(), blocks.len());
}
