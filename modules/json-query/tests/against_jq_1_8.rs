//! Programs where json-query once answered differently from jq 1.8, or
//! failed where jq runs (issue 27), through the compiled `.wasm` and
//! through jq 1.8 itself (PyPI's `jq` package bundles it): the outputs
//! must be the same values; where jq stops with an error, the module's
//! step fails with jq's message.

mod support;

use std::process::{Command, Stdio};

use support::json_query;
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::protocol::Phase;

/// (program, input).
const CASES: &[(&str, &str)] = &[
    // `%` binds as `*` and `/` do.
    ("[7 / 7 % 3, 2 * 3 % 4, 2 % 3 * 4, 1 + 7 * 3 % 4, 10 / 5 % 3]", "null"),
    ("[.[] | . * 3 % 4]", "[1, 2, 3]"),
    // The update of `reduce` keeps its last output, null when it has none.
    ("reduce range(5) as $x (0; . + $x | select($x != 2))", "null"),
    ("reduce range(3) as $x (0; ., 10)", "null"),
    // `contains` below the top level: other kinds are not contained.
    ("contains({foo: 12, bar: [{barp: 12}]})", "{\"foo\": 12, \"bar\": [1, 2, {\"barp\": 12, \"blip\": 13}]}"),
    ("contains([\"a\", {}])", "[\"a\", 1]"),
    // NaN is equal to nothing, also inside arrays and objects.
    ("[{x: nan} == {x: nan}, [nan] == [nan], [nan] < [nan], {x: 1} == {x: 1}]", "null"),
    // `?//` followed by `if`, `try` and `def` in the body.
    ("[.[] as [$a] ?// $a | if $a then 1 else 2 end]", "[[1], 2, [null]]"),
    ("[.[] as [$a] ?// $a | try error($a) catch .]", "[[1], 2]"),
    // Surrogate pairs in program strings.
    ("\"\\ud83d\\ude04\" | [., length, utf8bytelength]", "null"),
    // Formats by name.
    ("[format(\"csv\"), format(\"tsv\"), format(\"json\"), format(\"text\")]", "[1, \"a,b\", null]"),
    ("try format(\"nope\") catch .", "null"),
    // `$x` parameters also define `x`.
    ("def f($x): [x, $x]; f(1, 2)", "null"),
    ("def f($a; g): [$a, a, g]; f(1; 2)", "null"),
    // A regex and its flags as an array.
    (
        "[match([\"foo\", \"ig\"]) | .string], test([\"BAR\", \"i\"]), [capture([\"(?<x>o+)\", \"g\"])]",
        "\"foo bar FOO\"",
    ),
    // Number tests on other values.
    ("[.[] | [isinfinite, isnan, isnormal]]", "[\"a\", null, [], 1, 0]"),
    // `flatten` and `join` on objects.
    ("flatten, join(\",\")", "{\"a\": \"x\", \"b\": \"y\"}"),
    ("flatten", "{\"a\": [1, [2]], \"b\": 3}"),
    // Integer arguments are truncated.
    ("[jn(1.5; 2), ldexp(3; 1.5), ldexp(3; -1.5)]", "null"),
    // `=` takes the left side's paths on the input and sets each in turn.
    ("[try (.. = ..) catch .]", "[1, [2]]"),
    ("[try (.. = ..) catch .]", "{\"a\": {\"b\": null}}"),
    ("try error(0) = 1", "null"),
    ("[(.a, .b) = (1, 2)], (.c[1:3] |= [\"x\"]), (.[\"d\"] = .a)", "{\"a\": 5, \"c\": [1, 2, 3, 4]}"),
    ("reduce range(3) as $i ([]; .[$i] = $i * 2) | if . then .[0] = -1 else . end", "null"),
    // `$ENV` can be bound like any variable.
    ("1 as $ENV | $ENV", "null"),
    ("$ENV | type", "null"),
    // Groups that take no part in the match are kept.
    ("capture(\"(?<a>x)(?<b>q)?\")", "\"xyz\""),
    ("[match(\"(x)(q)?\")]", "\"xyz\""),
    ("[scan(\"(a)(x)?\")]", "\"ab\""),
    // Empty matches, the last one included, and several replacements one by one.
    ("[gsub(\"\"; \"-\"), gsub(\"b*\"; \"-\"), gsub(\"[^a-z]*(?<x>[a-z]*)\"; \"Z\\(.x)\")]", "\"ab123cd\""),
    ("[gsub(\"(?<x>.)\"; if .x == \"a\" then \"1\", \"2\" else \"3\" end)]", "\"ab\""),
    ("[sub(\"(?<x>b)\"; \"<\\(.x)>\", \"[\\(.x)]\"; \"g\")]", "\"abab\""),
    ("[splits(\"(x)?\")], [splits(\", *\"; null)]", "\"a, b,c\""),
    ("[test(\"( )*\"; \"gn\"), test(\"\\\\bé\"), test(\"(?<=a)b\")]", "\"ab é\""),
    // Decoders: what they refuse, and jq's words.
    ("[.[] | try @urid catch .]", "[\"%41%42\", \"%zz\", \"%e9\", \"%\", \"a%2\", \"%C3%A9\"]"),
    ("[.[] | try @base64d catch .]", "[\"YQ\", \"YWI=\", \"YWJjZA\", \"a\", \"!!\", \"YQ==YQ==\", \"\"]"),
    // Arithmetic and comparisons take the right operand first and, for each
    // of its values, the left one.
    ("[(1,2) + (10,20)], [(1,2) * (3,4) + (10,20)], [(1,2) < (1,2)], [(3,4) - (1,2) % (5,6)]", "null"),
    ("[.[] as $x | ($x, 10) - (0, 1)], [.[] / .[]], [(.[] | . * 2) >= (.[] | . + 1)]", "[1, 2]"),
    ("try (error(\"a\") + error(\"b\")) catch ., [(\"a\", \"b\") + (\"\\(1,2)\")]", "null"),
    ("[foreach .[] / .[] as $i (0; . + $i)], [if (1,2) == (2,1) then \"y\" else \"n\" end + (\"!\", \"?\")]", "[1, 2]"),
    ("[{a: (1,2) + (3,4)}], [(1,2) * (3,4) % 5], [-(1,2) + (3,4)], [1 - -(1,2) * (3,4)]", "null"),
    // A high surrogate without its low one is refused; a lone low one is U+FFFD.
    (
        "[.[] | try fromjson catch \"refused\"]",
        "[\"\\\"\\\\ud800\\\"\", \"\\\"\\\\ud800x\\\"\", \"\\\"\\\\udc00\\\"\", \"\\\"\\\\ud83d\\\\ude04\\\"\"]",
    ),
    // Halves round to the even integer.
    ("map(nearbyint), map(rint), map(round)", "[2.5, 3.5, -2.5, 0.5, 1.4]"),
];

/// For each case, jq 1.8's outputs and, when it stopped with one, its
/// error message. Asks PyPI's `jq` once.
fn jq_1_8(cases: &[(&str, &str)]) -> Vec<(Vec<Value>, Option<String>)> {
    const PYTHON: &str = r#"
import json, math, sys
import jq
def plain(v):
    if isinstance(v, float) and math.isnan(v): return None
    if isinstance(v, list): return [plain(x) for x in v]
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    return v
for program, text in json.load(sys.stdin):
    out = []
    try:
        for v in jq.compile(program).input_text(text):
            out.append(plain(v))
        print(json.dumps([out, None]))
    except Exception as e:
        print(json.dumps([out, str(e)]))
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
        .expect("python3 runs jq 1.8 (pip install jq, scripts/setup.sh)");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), stdin.as_bytes()).unwrap();
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "jq 1.8 through Python failed: is PyPI's jq installed (scripts/setup.sh)?");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| match json::parse(line).unwrap() {
            Value::Array(mut pair) => {
                let error = pair.pop().and_then(|e| e.as_str().map(str::to_owned));
                match pair.pop() {
                    Some(Value::Array(outputs)) => (outputs, error),
                    other => panic!("not jq's outputs: {other:?}"),
                }
            }
            other => panic!("not a pair: {other}"),
        })
        .collect()
}

/// The module's outputs, read back from its `result` (one output is
/// itself, several an array: the program is wrapped in `[...]`).
fn module_outputs(program: &str, input: &str) -> Result<Vec<Value>, String> {
    let node = json_query(&[("query", &format!("[{program}]")), ("json", input)]);
    if node.phase != Phase::Succeeded {
        return Err(node.message);
    }
    let result = node.output_parameter("result").and_then(Value::as_str).unwrap_or_default();
    match json::parse(result) {
        Ok(Value::Array(items)) => Ok(items),
        other => panic!("{program}: not an array: {other:?}"),
    }
}

#[test]
fn programs_give_jq_1_8_s_outputs() {
    let jq = jq_1_8(CASES);
    let mut wrong = Vec::new();
    for ((program, input), (expected, error)) in CASES.iter().zip(jq) {
        match (module_outputs(program, input), error) {
            (Ok(outputs), None) if outputs == expected => {}
            (Err(message), Some(jq_error)) if expected.is_empty() => {
                // A program jq refuses or stops: the step fails, saying so.
                assert!(message.starts_with("parameter \"query\""), "{program}: {message} (jq: {jq_error})");
            }
            (got, error) => wrong.push(format!("{program} on {input}: module {got:?}, jq {expected:?} {error:?}")),
        }
    }
    assert!(wrong.is_empty(), "{} programs differ from jq 1.8:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn a_backslash_at_the_end_of_a_string_is_a_syntax_error() {
    for program in ["\"\\", "\"a\\", "\"\\(1)\\", "@base64 \"\\"] {
        let node = json_query(&[("query", program), ("json", "null")]);
        assert_eq!(node.phase, Phase::Failed, "{program}");
        assert!(node.message.starts_with("parameter \"query\": syntax error: "), "{program}: {}", node.message);
    }
}

#[test]
fn deep_recursion_that_ends_gives_its_answer() {
    let node = json_query(&[("query", "def f: if . < 3000 then . + 1 | f else . end; f"), ("json", "0")]);
    assert_eq!(support::result_of(&node), "3000");
    let node = json_query(&[("query", "[recurse(if . < 3000 then . + 1 else empty end)] | length"), ("json", "0")]);
    assert_eq!(support::result_of(&node), "3001");
}

#[test]
fn endless_recursion_fails_with_a_message() {
    let program = "def f: 1 + f; f";
    let node = json_query(&[("query", program), ("json", "2")]);
    assert_eq!(node.phase, Phase::Failed, "{program}");
    assert!(node.message.contains("Recursion too deep"), "{program}: {}", node.message);
}
