//! jq's own tests through the module: every block of every test file of
//! jq 1.8.2's `tests/` (jq.test, man.test, manonig.test, onig.test,
//! base64.test, uri.test, optional.test; a program, an input line and the
//! expected outputs, or a `%%FAIL` program jq refuses) runs through the
//! compiled `.wasm` under the host contract, and its outputs are compared
//! with the expected ones as JSON values (numbers by value), as jq's own
//! test runner compares them.
//!
//! The files are not in the repository: `scripts/setup-jq-tests.sh`
//! fetches them from PyPI (the `jq` package's source bundles jq's) into
//! the target directory, and these tests run that script when they are
//! missing.
//!
//! A block passes when the module succeeds with exactly the expected
//! outputs; or, for a `%%FAIL` block, when the step fails (not traps); or
//! when the module fails with the program's error where jq 1.8 also stops
//! with an error after exactly the expected outputs (jq's runner counts
//! those as passing; a workflow step that errs fails as a whole). jq 1.8 is
//! asked, through PyPI's `jq` package, only for blocks the module failed.
//!
//! `tests/data/jq-test-differences.txt` lists the blocks that still differ
//! and why (`FILE:LINE: reason`); a file's test fails when its part of the
//! list is out of date either way, when a block traps the module, or when
//! fewer than 97 % of its blocks pass.
//!
//! jq.test's programs that import or include modules, or read their
//! metadata, are given jq's tests/modules as jq's runner gives them (`-L`):
//! as input artifacts below the folder of parameter `library`.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use support::jq_test_files::{self, Block};
use support::{json_query, json_query_with};
use wasm_workflows_cli::runner::InputFile;
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::harness::{invocation, options};

/// The share of a file's blocks that must pass, in percent.
const PASS_PERCENT: usize = 97;

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

/// The blocks of `file` listed as different, by line: `FILE:LINE: what — why`.
fn listed_differences(path: &Path, file: &str) -> BTreeMap<usize, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (name, rest) = l.split_once(':').unwrap_or_else(|| panic!("not FILE:LINE: reason: {l}"));
            let (line, why) = rest.split_once(':').unwrap_or_else(|| panic!("not FILE:LINE: reason: {l}"));
            let line = line.trim().parse().unwrap_or_else(|_| panic!("not a line number: {l}"));
            (name == file).then(|| (line, why.trim().to_owned()))
        })
        .collect()
}

/// Runs a block as jq's runner does: a program that imports, includes or
/// reads the metadata of modules finds jq's tests/modules (its `-L`) as
/// input artifacts below the folder of parameter `library`.
fn run_block(block: &Block) -> PluginResult {
    let parameters = [("query", block.program.as_str()), ("json", block.input())];
    if !["import", "include", "modulemeta"].iter().any(|word| block.program.contains(word)) {
        return json_query(&parameters);
    }
    let mut run = options(invocation(&[parameters[0], parameters[1], ("library", "/modules")]));
    for (n, (path, source)) in jq_test_files::modules().into_iter().enumerate() {
        run.input_files.push(InputFile { name: format!("module-{n}"), path: format!("/modules/{path}"), source });
    }
    json_query_with(run)
}

/// Runs every block of `file` (which has `count` blocks) through the
/// module and checks the result against the list of differences; at least
/// `floor` blocks must pass.
fn check(file: &str, count: usize, floor: usize) {
    let blocks = jq_test_files::read(file);
    assert_eq!(blocks.len(), count, "jq 1.8.2's {file} has {count} blocks");

    let mut passed = Vec::new();
    let mut traps = Vec::new();
    let mut failed_runs: Vec<&Block> = Vec::new();
    let mut different = Vec::new();
    for block in &blocks {
        let node = run_block(block);
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
    let cases: Vec<(&str, &str)> = failed_runs.iter().map(|b| (b.program.as_str(), b.input())).collect();
    for (block, jq) in failed_runs.iter().zip(jq_1_8_errors(&cases)) {
        let expected = &block.run.as_ref().unwrap().1;
        if jq.is_some_and(|before| all_same(expected, &before)) {
            passed.push(block.line);
        } else {
            different.push(block.line);
        }
    }
    assert!(traps.is_empty(), "{} blocks of {file} trap the module:\n{}", traps.len(), traps.join("\n"));

    different.sort();
    let listed =
        listed_differences(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jq-test-differences.txt"), file);
    let unlisted: Vec<String> = different
        .iter()
        .filter(|l| !listed.contains_key(l))
        .map(|l| format!("{file}:{l}: {}", blocks.iter().find(|b| b.line == *l).unwrap().program))
        .collect();
    let now_passing: Vec<&usize> = listed.keys().filter(|l| passed.contains(l)).collect();
    assert!(unlisted.is_empty(), "blocks that differ and are not listed as differences:\n{}", unlisted.join("\n"));
    assert!(now_passing.is_empty(), "blocks of {file} listed as differences that now pass: {now_passing:?}");
    assert!(passed.len() >= floor, "{} of {} blocks of {file} pass, fewer than {floor}", passed.len(), blocks.len());
    println!("{} of {} blocks of jq 1.8.2's {file} give jq's outputs", passed.len(), blocks.len());
}

/// [`PASS_PERCENT`] of `count` blocks, rounded up.
fn at_least(count: usize) -> usize {
    (count * PASS_PERCENT).div_ceil(100)
}

#[test]
fn jq_test() {
    check("jq.test", 550, at_least(550));
}

#[test]
fn man_test() {
    check("man.test", 231, at_least(231));
}

#[test]
fn manonig_test() {
    check("manonig.test", 19, at_least(19));
}

#[test]
fn onig_test() {
    check("onig.test", 47, at_least(47));
}

#[test]
fn base64_test() {
    check("base64.test", 10, at_least(10));
}

#[test]
fn uri_test() {
    check("uri.test", 20, at_least(20));
}

#[test]
fn optional_test() {
    check("optional.test", 2, at_least(2));
}
