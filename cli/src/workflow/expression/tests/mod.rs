//! Cases for both languages, most taken as facts (expression and expected
//! value) from the languages' own test files, each table citing its file:
//! govaluate's `evaluation_test.go`, `evaluationFailure_test.go` and
//! `parsingFailure_test.go`; expr v1.17.8's `expr_test.go`; Argo's
//! `when_test.go`, `replace_test.go` and `dag_test.go`; sprig v3.3's docs
//! and tests.

mod depends_cases;
mod expr_cases;
mod govaluate_cases;
mod render_cases;
mod sprig_cases;
mod when_cases;

use std::collections::BTreeMap;

use serde_json::Value;

use super::{ErrorKind, ExpressionError};

/// A scope from `(name, value)` pairs.
pub(super) fn scope(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Runs `(expression, expected)` cases through `evaluate` and reports every
/// mismatch at once.
pub(super) fn expect_all(cases: &[(&str, Value)], run: impl Fn(&str) -> Result<Value, ExpressionError>) {
    let mut failures = Vec::new();
    for (expression, expected) in cases {
        match run(expression) {
            Ok(got) if got == *expected => {}
            Ok(got) => failures.push(format!("{expression}: expected {expected}, got {got}")),
            Err(error) => failures.push(format!("{expression}: expected {expected}, error {error}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Runs `(expression, message part)` cases that must fail, checking that
/// the message contains the part.
pub(super) fn expect_errors(cases: &[(&str, &str)], run: impl Fn(&str) -> Result<Value, ExpressionError>) {
    let mut failures = Vec::new();
    for (expression, part) in cases {
        match run(expression) {
            Ok(got) => failures.push(format!("{expression}: expected an error with {part:?}, got {got}")),
            Err(error) if error.message().contains(part) => {}
            Err(error) => failures.push(format!("{expression}: expected {part:?} in {error:?}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn error_kinds_tell_unknown_names_apart() {
    let error = super::evaluate("nosuch + 1", &BTreeMap::new()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnknownName);
    // expr's `file.Error` format: message, (line:column), line, caret.
    assert_eq!(error.to_string(), "unknown name nosuch (1:1)\n | nosuch + 1\n | ^");
    let error = super::evaluate("1 + (2", &BTreeMap::new()).unwrap_err();
    assert_eq!(error.to_string(), "unexpected token EOF (1:6)\n | 1 + (2\n | .....^");
    let error = super::evaluate("12abc", &BTreeMap::new()).unwrap_err();
    assert_eq!(error.to_string(), "bad number syntax: \"12a\" (1:3)\n | 12abc\n | ..^");
    let error = super::evaluate("x.y + nosuch", &BTreeMap::from([("x.y".to_string(), Value::from(1))])).unwrap_err();
    assert_eq!(error.to_string(), "unknown name nosuch (1:7)\n | x.y + nosuch\n | ......^");
    let error = super::evaluate("1 +", &BTreeMap::new()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Syntax);
    let error = super::evaluate("sprig.uuidv4()", &BTreeMap::new()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
    assert!(error.to_string().contains("sprig.uuidv4"), "{error}");
    let as_std: &dyn std::error::Error = &error;
    assert!(as_std.to_string().contains("not supported"));
}
