//! Filters run by the module against the same filters run by real jq —
//! Debian's jq 1.6 (`/usr/bin/jq`) and jq 1.8 (the library bundled by
//! PyPI's `jq` package, through Python) — on the same input, compared as
//! JSON values (numbers by value: `1.0` and `1` are equal). Raw output is
//! compared as text with `jq -r -c`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{json_query_on_file, result_of};
use wasm_workflows_sdk::json::{self, Value};

/// Paths, select, map, reduce, group_by, string interpolation, formats and
/// the rest of the standard library, on tests/data/builds.json.
const FILTERS: &[&str] = &[
    ".",
    ".[0]",
    ".[0].name",
    ".[-1].owner.team",
    ".[1:3] | map(.name)",
    ".[] | .tags[0]?",
    ".[0] | keys",
    ".[0] | keys_unsorted",
    "[paths(type == \"number\")]",
    "[paths] | length",
    "path(..) | select(length == 2)",
    "getpath([0, \"owner\", \"team\"])",
    ".[0] | to_entries",
    ".[0] | has(\"notes\"), has(\"name\")",
    ".[1].owner | del(.email)",
    ".[] | select(.x > 5) | .name",
    "map(select(.status == \"Failed\") | .name)",
    "[.[] | select(.owner.email != null) | .owner.email] | unique",
    ".[] | select(.tags | index(\"fast\")) | .name",
    "first(.[] | select(.status == \"Failed\")).name",
    "map(.x * 2)",
    "map(.seconds * 2)",
    ".[0] | map_values(tostring)",
    "map(.name | ascii_upcase)",
    "map(.tags | length)",
    "map(type)",
    "map(if .x > 5 then \"big\" else \"small\" end)",
    "[.[] | .owner // \"none\"]",
    ".[] |= .name",
    "[.[] | .x] | add",
    "[.[].x] | (add / length)",
    "min_by(.x).name, max_by(.seconds).name",
    "map(.seconds) | min, max",
    "sort_by(.seconds) | map(.name)",
    "[.[] | .seconds] | sort",
    "unique_by(.status) | map(.status)",
    "reduce .[] as $b (0; . + $b.x)",
    "reduce .[] as $b ({}; .[$b.status] += 1)",
    "[foreach .[] as $b (0; . + $b.x; [$b.name, .])]",
    "group_by(.status) | map({status: .[0].status, count: length, names: map(.name)})",
    "group_by(.owner.team) | map(length)",
    "group_by(.x > 5) | map(map(.name))",
    ".[] | \"\\(.name) took \\(.seconds) s\"",
    "\"total: \\(map(.x) | add) over \\(length) steps\"",
    ".[0] | .name as $n | .x as $x | {($n): $x}",
    "(1, 2) as $x | $x * 10",
    ".[0].name | @base64",
    ".[0].name | @base64 | @base64d",
    ".[4].notes | @base64",
    ".[4].name | @uri",
    "[.[] | .name] | @csv",
    "[.[] | .name, .x] | @tsv",
    ".[4].notes | @html",
    ".[0] | @json",
    ".[4].notes | @sh",
    "[.[] | .x] | @text",
    ".[4].notes | split(\" \")",
    "[.[] | .name] | join(\"-\")",
    "map(.name | test(\"^d\"))",
    ".[4].name | sub(\"–\"; \"-\")",
    "map(.name | gsub(\"[aeiou]\"; \"_\"))",
    "[.[] | .name | capture(\"(?<first>.)(?<rest>.*)\")]",
    ".[0].name | ltrimstr(\"bu\")",
    "map(.x | tostring)",
    "\"42\" | tonumber",
    ".[0] | to_entries | from_entries",
    ".[0].owner | with_entries(.value |= ascii_upcase)",
    "[limit(2; .[])] | map(.name)",
    "[range(0; 10; 3)]",
    "try error(\"custom\") catch .",
    "[.. | numbers] | length",
    "any(.[]; .x > 40), all(.[]; .x >= 0)",
    "[.[] | .tags] | flatten",
    "[1, [2, [3]]] | flatten(1)",
    "[.[] | .tags] | transpose",
    ".[0].name | explode | implode",
    ".[0] | tojson | fromjson",
    "[.[] | .name] | index(\"lint\")",
    "{a: 1} + {b: 2} * {b: {c: 3}}",
    "{\"a\": [1, 2]} | .a += [3]",
    ".[0] | .x |= . + 1 | .x",
    "[.[] | .seconds | floor]",
    "[.[] | .seconds | sqrt | . * 100 | round]",
    "0.1 + 0.2",
    "\"\\u00e9\" | utf8bytelength",
    "\"2015-03-05T23:51:47Z\" | fromdate",
    "1425599507 | todate",
    ".[0] | walk(if type == \"string\" then ascii_upcase else . end)",
    "to_entries | map(.key)",
    "[splits(\", *\")]?",
    "now | type",
];

/// Filters whose output is compared with `jq -r -c` output.
const RAW_FILTERS: &[&str] = &[
    ".[] | .name",
    ".[4].notes",
    "[.[] | .name] | @csv",
    ".[] | \"\\(.name): \\(.status)\"",
    ".[0]",
    ".[0].x, .[0].name, .[0].tags",
];

/// Filters on a stream of values (JSON lines), where `input` and `inputs`
/// read the values after the current one.
const STREAM_FILTERS: &[&str] = &[".a", "[., input]", "[inputs]", ". as $x | [$x, (inputs | .a)]"];
const STREAM: &str = "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n{\"a\": 4}\n";

fn data_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn run_reference(program: &str, args: &[&str], install: &str) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {program}, which runs the reference jq ({e}): install it with `{install}`")
    })
}

/// jq 1.6's outputs, one per line, or its error.
fn jq_1_6(filter: &str, file: &Path, raw: bool) -> Result<String, String> {
    let file = file.to_str().unwrap();
    let mode: &[&str] = if raw { &["-r", "-c"] } else { &["-c"] };
    let output = run_reference("jq", &[mode, &[filter, file]].concat(), "apt-get install jq");
    if output.status.success() {
        Ok(String::from_utf8(output.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The Python program that runs jq 1.8 (the `jq` module from PyPI): the
/// filter and file as arguments; outputs one per line, as JSON, or raw.
const PYTHON_JQ: &str = r#"
import json, sys
try:
    import jq
except ImportError:
    sys.exit("the Python module jq is missing: pip install jq")
program, path, raw = sys.argv[1], sys.argv[2], sys.argv[3] == "raw"
try:
    values = jq.compile(program).input_text(open(path, encoding="utf-8").read()).all()
except ValueError as error:
    sys.exit(str(error))
for value in values:
    print(value if raw and isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":")))
"#;

/// jq 1.8's outputs, one per line, or its error.
fn jq_1_8(filter: &str, file: &Path, raw: bool) -> Result<String, String> {
    let file = file.to_str().unwrap();
    let output = run_reference(
        "python3",
        &["-c", PYTHON_JQ, filter, file, if raw { "raw" } else { "json" }],
        "apt-get install python3",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("pip install jq"), "jq 1.8 is not installed: {stderr}");
    if output.status.success() { Ok(String::from_utf8(output.stdout).unwrap()) } else { Err(stderr.into_owned()) }
}

/// Whether two JSON values are the same, numbers compared by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_str() == y.as_str() || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => a == b,
    }
}

/// What the module returns for jq's output lines: nothing, the one value,
/// or an array of them.
fn as_module_result(lines: &str) -> Option<Value> {
    let mut values: Vec<Value> = lines.lines().map(|line| json::parse(line).expect("jq writes JSON")).collect();
    match values.len() {
        0 => None,
        1 => values.pop(),
        _ => Some(Value::Array(values)),
    }
}

/// The references: jq 1.6 and jq 1.8.
const BOTH: &[(&str, Reference)] = &[("1.6", jq_1_6), ("1.8", jq_1_8)];

type Reference = fn(&str, &Path, bool) -> Result<String, String>;

fn compare(filters: &[&str], file: &Path, references: &[(&str, Reference)]) -> Vec<String> {
    let document = std::fs::read(file).unwrap();
    let mut differences = Vec::new();
    for filter in filters {
        let ours = result_of(&json_query_on_file(&[("query", filter)], &document));
        let ours_value = (!ours.is_empty()).then(|| json::parse(&ours).expect("the result is JSON"));
        for (version, reference) in references {
            let expected =
                reference(filter, file, false).unwrap_or_else(|e| panic!("jq {version} fails on {filter:?}: {e}"));
            let agrees = match (&ours_value, as_module_result(&expected)) {
                (None, None) => true,
                (Some(a), Some(b)) => same(a, &b),
                _ => false,
            };
            if !agrees {
                differences.push(format!("{filter}\n  module: {ours}\n  jq {version}: {}", expected.trim_end()));
            }
        }
    }
    differences
}

#[test]
fn filters_give_what_jq_gives() {
    let differences = compare(FILTERS, &data_file("builds.json"), BOTH);
    assert!(
        differences.is_empty(),
        "{} of {} filters differ:\n{}",
        differences.len(),
        FILTERS.len(),
        differences.join("\n")
    );
}

#[test]
fn a_stream_of_values_is_read_as_jq_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stream.json");
    std::fs::write(&file, STREAM).unwrap();
    // The Python binding feeds the values to the program itself, so `input`
    // and `inputs` have nothing to read there: jq 1.6 is the reference.
    let differences = compare(STREAM_FILTERS, &file, &BOTH[..1]);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn raw_output_is_what_jq_rc_prints() {
    let file = data_file("builds.json");
    let document = std::fs::read(&file).unwrap();
    for filter in RAW_FILTERS {
        let ours = result_of(&json_query_on_file(&[("query", filter), ("raw", "true")], &document));
        let jq16 = jq_1_6(filter, &file, true).unwrap();
        // jq -r ends every output with a line break; the parameter has none after the last.
        assert_eq!(ours, jq16.strip_suffix('\n').unwrap(), "{filter} (jq 1.6)");
        let jq18 = jq_1_8(filter, &file, true).unwrap();
        assert_eq!(ours, jq18.strip_suffix('\n').unwrap(), "{filter} (jq 1.8)");
    }
}
