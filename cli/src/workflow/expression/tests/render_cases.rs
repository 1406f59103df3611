//! Argo's side of `{{=…}}`: the env built from the flat scope
//! (`util/expr/env/env.go`: `expand.Expand`, then `asInt`, `asFloat`,
//! `jsonpath`, `toJson`, `sprig`), and how the result is written back
//! (`expressionReplaceCore` in `util/template/expression_template.go`: a
//! string as it is, anything else as Go's `json.Marshal` prints it). Cases
//! from Argo's `replace_test.go` and docs (`docs/variables.md`), and Go's
//! number formatting as `encoding/json` and `fmt` define it.

use serde_json::json;

use super::{expect_all, expect_errors, scope};
use crate::workflow::expression::{evaluate, evaluate_to_string, missing_variables, render};

fn argo_scope() -> std::collections::BTreeMap<String, serde_json::Value> {
    scope(&[
        ("inputs.parameters.x", json!("5")),
        ("inputs.parameters.my-param", json!("hyphenated")),
        ("inputs.parameters.json", json!(r#"{"a": {"b": [1, 2, 3]}, "name": "n"}"#)),
        ("item", json!("apple")),
        ("workflow.name", json!("wf-abc")),
        ("workflow.status", json!("Succeeded")),
        ("workflow.failures", json!(r#"{"foo":"bar"}"#)),
        ("workflow.parameters.count", json!("3")),
        ("steps.flip.outputs.result", json!("heads")),
        ("tasks.A.outputs.parameters.out", json!("7")),
        ("retries", json!("2")),
    ])
}

#[test]
fn argo_env_and_functions() {
    let env = argo_scope();
    expect_all(
        &[
            // replace_test.go
            (r#"workflow.status == "Succeeded" ? "SUCCESSFUL" : "FAILED""#, json!("SUCCESSFUL")),
            (r#"workflow.failures == "{\"foo\":\"bar\"}" ? "SUCCESSFUL" : "FAILED""#, json!("SUCCESSFUL")),
            ("sprig.int(retries)", json!(2)),
            // docs/variables.md: asInt, asFloat, string, toJson, jsonpath
            ("asInt(inputs.parameters.x) + 1", json!(6)),
            ("asFloat(inputs.parameters.x) / 2", json!(2.5)),
            ("int(inputs.parameters.x) * 2", json!(10)),
            ("string(asInt(workflow.parameters.count) + 1)", json!("4")),
            ("inputs.parameters['my-param']", json!("hyphenated")),
            ("inputs['parameters']['x']", json!("5")),
            ("item", json!("apple")),
            ("item == 'apple' ? 'fruit' : 'other'", json!("fruit")),
            ("workflow.name + '-' + steps.flip.outputs.result", json!("wf-abc-heads")),
            ("asInt(tasks.A.outputs.parameters.out) > 5", json!(true)),
            ("jsonpath(inputs.parameters.json, '$.a.b')", json!([1.0, 2.0, 3.0])),
            ("jsonpath(inputs.parameters.json, '$.a.b[1]')", json!(2.0)),
            ("jsonpath(inputs.parameters.json, '$.a.b[-1]')", json!(3.0)),
            ("jsonpath(inputs.parameters.json, '$.name')", json!("n")),
            ("jsonpath(inputs.parameters.json, '$[\"name\"]')", json!("n")),
            ("jsonpath(inputs.parameters.json, '$.a.b[*]')", json!([1.0, 2.0, 3.0])),
            ("jsonpath(inputs.parameters.json, '$.a.b[0:2]')", json!([1.0, 2.0])),
            ("jsonpath(inputs.parameters.json, '$.a.b.length')", json!(3)),
            ("jsonpath(inputs.parameters.json, '$..b')", json!([[1.0, 2.0, 3.0]])),
            ("jsonpath('[{\"n\": 1}, {\"n\": 5}]', '$[?(@.n > 2)]')", json!([{"n": 5.0}])),
            ("jsonpath('[{\"n\": 1}, {\"n\": 5}]', '$[*].n')", json!([1.0, 5.0])),
            ("toJson({b: 1, a: 'x<y'})", json!(r#"{"a":"x\u003cy","b":1}"#)),
            ("toJson(inputs.parameters.x)", json!(r#""5""#)),
            ("fromJSON(inputs.parameters.json).a.b[0]", json!(1.0)),
            ("map(split('a,b', ','), upper(#))", json!(["A", "B"])),
            ("inputs.parameters.missing ?? 'default'", json!("default")),
            ("inputs.parameters?.missing", serde_json::Value::Null),
        ],
        |expression| evaluate(expression, &env),
    );
}

/// `expand.Expand`'s `removeConflicts`: a key that is also the prefix of the
/// next key in sort order is dropped in favour of the longer one.
#[test]
fn flat_keys_expand_into_maps() {
    let env = scope(&[("a", json!("short")), ("a.b", json!("long")), ("x.y.z", json!(1)), ("x.y.w", json!(2))]);
    expect_all(
        &[
            ("a.b", json!("long")),
            ("a", json!({"b": "long"})),
            ("x.y", json!({"w": 2, "z": 1})),
            ("len(x.y)", json!(2)),
        ],
        |expression| evaluate(expression, &env),
    );
}

/// A loop over maps: Argo puts the item as JSON text under `item` and each
/// field under `item.KEY` (`processItem` in `operator.go`); the expansion
/// keeps the fields (`item` sorts right before `item.name`).
#[test]
fn map_items_and_hyphenated_steps() {
    let env = scope(&[
        ("item", json!(r#"{"name":"a","size":"2"}"#)),
        ("item.name", json!("a")),
        ("item.size", json!("2")),
        ("steps.flip-coin.outputs.result", json!("heads")),
        ("tasks.producer.outputs.parameters.msg", serde_json::Value::Null),
        ("tasks.other.outputs.parameters.msg", json!("real")),
    ]);
    expect_all(
        &[
            ("item.name", json!("a")),
            ("asInt(item.size) * 2", json!(4)),
            ("item", json!({"name": "a", "size": "2"})),
            ("steps['flip-coin'].outputs.result", json!("heads")),
            // replace_test.go, TestReplaceStrictAnyNilValues
            ("tasks.producer.outputs.parameters.msg ?? 'fallback'", json!("fallback")),
            ("tasks.other.outputs.parameters.msg ?? 'fallback'", json!("real")),
        ],
        |expression| evaluate(expression, &env),
    );
    let empty = scope(&[("tasks.producer.outputs.parameters.msg", json!(""))]);
    assert_eq!(evaluate_to_string("tasks.producer.outputs.parameters.msg ?? 'fallback'", &empty), Ok(String::new()));
    // BareExpressionRefNilErrors
    assert!(evaluate_to_string("tasks.producer.outputs.parameters.msg", &env).is_err());
}

#[test]
fn results_render_as_argo_writes_them() {
    let env = argo_scope();
    let cases = [
        ("item", "apple"),
        ("1 + 2", "3"),
        ("7 / 2", "3.5"),
        ("6 / 2", "3"),
        ("1e21 * 1.0", "1e+21"),
        ("1e20 * 1.0", "100000000000000000000"),
        ("0.000001 * 1.0", "0.000001"),
        ("0.0000001 * 1.0", "1e-7"),
        ("true", "true"),
        ("[1, 'a']", r#"[1,"a"]"#),
        ("{b: 2, a: '<&>'}", r#"{"a":"\u003c\u0026\u003e","b":2}"#),
        ("asFloat('2.50')", "2.5"),
        ("-0.5", "-0.5"),
    ];
    let mut failures = Vec::new();
    for (expression, expected) in cases {
        match evaluate_to_string(expression, &env) {
            Ok(got) if got == expected => {}
            other => failures.push(format!("{expression}: expected {expected:?}, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let error = evaluate_to_string("nil", &env).unwrap_err();
    assert_eq!(error.message(), "failed to evaluate expression \"nil\"");
    assert_eq!(render(&json!(3.0)).unwrap(), "3");
    assert_eq!(render(&json!("text")).unwrap(), "text");
    assert_eq!(render(&json!({"z": [0.5]})).unwrap(), r#"{"z":[0.5]}"#);
}

#[test]
fn argo_function_errors() {
    let env = argo_scope();
    expect_errors(
        &[
            ("asInt('x')", "invalid operation: int(x)"),
            ("jsonpath('{\"a\": 1}', '$.b')", "key: invalid token key 'b' not found"),
            ("jsonpath('{\"a\": 1}', '$.a[0]')", "index: invalid token target. expected [array slice] got [float64]"),
            ("jsonpath('not json', '$')", "expected"),
            ("1 / 0", "json: unsupported value: +Inf"),
        ],
        |expression| evaluate(expression, &env),
    );
}

/// `missingVarsInEnv`: Argo's `Test_getIdentifiers` cases (all names
/// missing from an empty scope) and `Test_hasVarInEnv`'s presence rules.
#[test]
fn missing_variables_as_argo_finds_them() {
    let empty = scope(&[]);
    let cases: [(&str, &[&str]); 7] = [
        ("item.requiredKey", &["item", "item.requiredKey"]),
        ("item.optionalKey ?? 'fallback'", &["item"]),
        ("item['optionalKey'] ?? ''", &["item"]),
        ("item?.optionalKey", &["item"]),
        ("item.a?.b", &["item"]),
        ("item.requiredKey + (item.optionalKey ?? 'x')", &["item", "item.requiredKey"]),
        ("tasks.a.outputs.result ?? 'default'", &["tasks"]),
    ];
    for (expression, want) in cases {
        let mut got = missing_variables(expression, &empty).unwrap();
        got.sort();
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{expression}");
    }
    let env =
        scope(&[("workflow.status", json!("Succeeded")), ("a.b.c", json!(42)), ("opt.leaf", serde_json::Value::Null)]);
    let missing = |e: &str| missing_variables(e, &env).unwrap();
    assert!(missing("workflow.status").is_empty());
    assert_eq!(missing("workflow.name"), ["workflow.name"]);
    assert!(missing("a.b.c + 1").is_empty());
    assert_eq!(missing("a.b.d"), ["a.b.d"]);
    assert!(missing("opt.leaf ?? 1").is_empty());
    assert!(missing("asInt(a.b.c) + len(sprig.list(1))").is_empty());
    assert_eq!(missing("retries + 1"), ["retries"]);
}
