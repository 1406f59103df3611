//! A syntax error names its position, a runtime error says what failed,
//! and every bad input fails the step with a message that names it.

mod support;

use support::{failure_of, json_query, json_query_on_file, json_query_with, result_of};
use wasm_workflows_cli::runner::InputDocument;
use wasm_workflows_test_support::harness::{invocation, options};

#[test]
fn syntax_errors_name_the_position() {
    let failed = |query: &str| failure_of(json_query(&[("query", query), ("json", "{}")]));
    assert_eq!(
        failed(".a | map(.b"),
        "parameter \"query\": syntax error: unclosed \"(\" (opened at line 1, column 9): expected closing parenthesis, found the end at line 1, column 12"
    );
    assert_eq!(
        failed(".a |\n  | .b"),
        "parameter \"query\": syntax error: expected term, found \"|\" at line 2, column 3"
    );
    assert_eq!(
        failed(".[] | nosuch"),
        "parameter \"query\": syntax error: undefined filter \"nosuch/0\" at line 1, column 7"
    );
    assert_eq!(
        failed("$missing"),
        "parameter \"query\": syntax error: undefined variable \"$missing\" at line 1, column 1"
    );
    assert_eq!(
        failed("if . then 1"),
        "parameter \"query\": syntax error: expected else or end, found the end at line 1, column 12"
    );
    assert_eq!(
        failed("include \"lib\"; ."),
        "parameter \"query\": syntax error: cannot load module \"lib\": this step has no module files \
         (give them as input artifacts below the folder of parameter \"library\") at line 1, column 10"
    );
}

#[test]
fn runtime_errors_say_what_failed() {
    let failed = |query: &str, json: &str| failure_of(json_query(&[("query", query), ("json", json)]));
    // jq 1.8's messages, which programs also see with `try ... catch .`.
    assert_eq!(failed(".a", "5"), "parameter \"query\": the query failed: Cannot index number with string (\"a\")");
    assert_eq!(
        failed(".[] | .a", "[{\"a\": 1}, 2]"),
        "parameter \"query\": the query failed: Cannot index number with string (\"a\")"
    );
    assert_eq!(failed("error(\"bad build\")", "null"), "parameter \"query\": the query failed: bad build");
    assert_eq!(
        failed("error({code: 3})", "null"),
        "parameter \"query\": the query failed: {\"code\":3} (not a string)"
    );
    assert_eq!(
        failed(". + 1", "\"a\""),
        "parameter \"query\": the query failed: string (\"a\") and number (1) cannot be added"
    );
    assert_eq!(
        failed("1 / 0", "null"),
        "parameter \"query\": the query failed: number (1) and number (0) cannot be divided because the divisor is zero"
    );
    assert_eq!(
        failed("[1] | .[1:] = 2", "null"),
        "parameter \"query\": the query failed: A slice of an array can only be assigned another array"
    );
    assert_eq!(failed("halt_error(4)", "\"stop\""), "parameter \"query\": the query halted with exit code 4");
    // `halt` ends the program successfully with the outputs so far.
    assert_eq!(result_of(&json_query(&[("query", "1, halt, 2"), ("json", "null")])), "1");
}

#[test]
fn results_are_json_or_raw_text() {
    let result = |parameters: &[(&str, &str)]| result_of(&json_query(parameters));
    assert_eq!(result(&[("query", ".a"), ("json", "{\"a\": \"x\"}")]), "\"x\"");
    assert_eq!(result(&[("query", ".a"), ("json", "{\"a\": \"x\"}"), ("raw", "true")]), "x");
    assert_eq!(result(&[("query", ".[]"), ("json", "[1, \"b\", null]")]), "[1,\"b\",null]");
    assert_eq!(result(&[("query", ".[]"), ("json", "[1, \"b\", null]"), ("raw", "true")]), "1\nb\nnull");
    assert_eq!(result(&[("query", "empty"), ("json", "1")]), "");
    let node = json_query(&[("query", ".[]"), ("json", "[1, 2]")]);
    assert_eq!(node.message, "the query gave 2 outputs, returned as a JSON array");
    // A document given as a JSON value rather than as text, and raw as a JSON boolean.
    let native = json_query_with(options(
        invocation(&[("query", ".b")])
            .with_parameter("json", vec![("b", 2)].into_iter().collect::<wasm_workflows_sdk::json::Value>())
            .with_parameter("raw", true),
    ));
    assert_eq!(result_of(&native), "2");
}

#[test]
fn bad_inputs_fail_with_a_message_naming_them() {
    assert_eq!(
        failure_of(json_query(&[("json", "{}")])),
        "missing required parameter \"query\" (add it to the template's inputs.parameters)"
    );
    assert_eq!(
        failure_of(json_query(&[("query", ".")])),
        "no document: give the JSON as parameter \"json\" or as input artifact \"input\" (add one to the template's inputs)"
    );
    assert_eq!(
        failure_of(json_query_on_file(&[("query", "."), ("json", "{}")], b"{}")),
        "both parameter \"json\" and input artifact \"input\" are given: give the document in one of them"
    );
    assert_eq!(
        failure_of(json_query(&[("query", "."), ("json", "{}"), ("slurp", "true")])),
        "unknown parameter \"slurp\" (this module accepts: query, json, raw, input_format, output_format, library)"
    );
    assert_eq!(
        failure_of(json_query(&[("query", "."), ("json", "{}"), ("raw", "yes")])),
        "parameter \"raw\": expected a boolean, got the string \"yes\""
    );
    assert_eq!(
        failure_of(json_query_with(options(invocation(&[("json", "{}")]).with_parameter("query", vec![1])))),
        "parameter \"query\": expected a string, got an array of 1 elements"
    );
    let malformed = failure_of(json_query(&[("query", "."), ("json", "{\"a\": 1,\n \"b\": tru}")]));
    assert!(malformed.starts_with("parameter \"json\": malformed JSON at line 2, column "), "{malformed}");
    let malformed_file = failure_of(json_query_on_file(&[("query", ".")], b"[1, 2"));
    assert!(
        malformed_file.starts_with("input artifact \"input\": malformed JSON at line 1, column "),
        "{malformed_file}"
    );
    assert_eq!(
        failure_of(json_query(&[("query", "."), ("json", "  ")])),
        "parameter \"json\": expected a JSON document, got no JSON value"
    );
    let not_utf8 = failure_of(json_query_on_file(&[("query", ".")], b"\"\xff\xfe\""));
    assert!(
        not_utf8.starts_with("cannot read input artifact \"input\" at ") && not_utf8.contains("not UTF-8 text"),
        "{not_utf8}"
    );
    let mut broken = options(invocation(&[("query", "."), ("json", "1")]));
    broken.input = InputDocument::Raw(b"[".to_vec());
    assert!(failure_of(json_query_with(broken)).starts_with("invalid input: "));
}

/// Where the module knowingly differs from jq (the README lists these;
/// tests/data/jq-test-differences.txt has the blocks of jq's own tests).
#[test]
fn known_differences_from_jq() {
    let result = |query: &str, json: &str| result_of(&json_query(&[("query", query), ("json", json)]));
    // Both sides of an operator give several values where the right one starts with a unary minus after
    // `*`, `/` or `%` (or holds `as`, `try`, `reduce`, `label`, `def`): the order of the outputs is jaq's,
    // which loops over the left side outside; jq gives [-3,-6,-4,-8].
    assert_eq!(result("[(1,2) * -(3,4)]", "null"), "[-3,-4,-6,-8]");
    // `|= empty` on several array positions deletes one after another; jq deletes both ([0,3]).
    assert_eq!(result(".[1,2] |= empty", "[0,1,2,3]"), "[0,2]");
    // Deeply nested equality answers; jq fails with "Equality check too deep".
    assert_eq!(result("reduce range(10001) as $_ ([]; [.]) | . == .", "null"), "true");
}

/// Where jaq differs from jq and the module follows jq.
#[test]
fn follows_jq_where_jaq_differs() {
    let result = |query: &str, json: &str| result_of(&json_query(&[("query", query), ("json", json)]));
    assert_eq!(result("del(.[0, 2])", "[1, 2, 3, 4]"), "[2,4]");
    assert_eq!(result("try input catch .", "1"), "\"No more inputs\"");
    assert_eq!(
        result("try (1 / 0) catch .", "null"),
        "\"number (1) and number (0) cannot be divided because the divisor is zero\""
    );
    assert_eq!(result(".", "1e1000"), "1E+1000");
    assert_eq!(result("[.[] | . - 10]", "[13911860366432393, 1.000]"), "[13911860366432382,-9]");
    assert_eq!(result("., tostring", "1.000"), "[1.000,\"1.000\"]");
    assert_eq!(result(".a[1].b = 1", "null"), "{\"a\":[null,{\"b\":1}]}");
    assert_eq!(result("[limit(-1; 1, 2)]?", "null"), "");
    assert_eq!(result("[.[] | tostring]", "[1, 1.5, 1e-5, 1e17]"), "[\"1\",\"1.5\",\"0.00001\",\"1E+17\"]");
    assert_eq!(result("$__loc__", "null"), "{\"file\":\"<top-level>\",\"line\":1}");
    // The right operand first, then the left one for each of its values.
    assert_eq!(result("[(1,2) + (10,20)]", "null"), "[11,12,21,22]");
    assert_eq!(result("try (error(\"a\") + error(\"b\")) catch .", "null"), "\"b\"");
}
