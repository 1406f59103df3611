//! govaluate: cases from Knetic/govaluate's own tests at the commit Argo
//! vendors (7625b7f): `evaluation_test.go` (TestNoParameterEvaluation,
//! TestParameterizedEvaluation), `evaluationFailure_test.go` and
//! `parsingFailure_test.go`; expected values and messages as those files
//! state them. govaluate computes with float64 only, so every number here
//! is a float.

use serde_json::{Value, json};

use super::{expect_all, expect_errors, scope};
use crate::workflow::expression::govaluate;

fn run(expression: &str) -> Result<Value, crate::workflow::expression::ExpressionError> {
    govaluate(expression, &Default::default())
}

/// evaluation_test.go, TestNoParameterEvaluation (the cases without
/// functions).
#[test]
fn literals_and_operators() {
    expect_all(
        &[
            ("51 + 49", json!(100.0)),
            ("100 - 51", json!(49.0)),
            ("100 & 50", json!(32.0)),
            ("100 | 50", json!(118.0)),
            ("100 ^ 50", json!(86.0)),
            ("2 << 1", json!(4.0)),
            ("2 >> 1", json!(1.0)),
            ("~10", json!(-11.0)),
            ("5 * 20", json!(100.0)),
            ("100 / 20", json!(5.0)),
            ("100 % 2", json!(0.0)),
            ("101 % 2", json!(1.0)),
            ("10 ** 2", json!(100.0)),
            ("20 + 30 + 50", json!(100.0)),
            ("20 & 30 & 50", json!(16.0)),
            ("20 * 5 - 49", json!(51.0)),
            ("100 - (5 * 10)", json!(50.0)),
            ("50 + (5 * (15 - 5))", json!(100.0)),
            ("100 ^ (23 * (2 | 5))", json!(197.0)),
            ("(1 == 1) || (true == true)", json!(true)),
            ("(1 == 1) && (true == true)", json!(true)),
            ("2 > 1", json!(true)),
            ("5 < 10 && 1 < 5", json!(true)),
            ("1 > 10 && 11 > 10", json!(false)),
            ("true == true && false == true", json!(false)),
            ("10 < 50 && (1 != 2 && 1 > 0)", json!(true)),
            ("'foo' == 'foo'", json!(true)),
            ("'foo' != 'bar'", json!(true)),
            ("'foobar' =~ 'oba'", json!(true)),
            ("'foo' !~ 'bar'", json!(true)),
            ("5 + 10 * 2", json!(25.0)),
            ("10 * 10 * 10", json!(1000.0)),
            ("10 * 10 * 10 + 1 * 10 * 10", json!(1100.0)),
            ("1 + 101 % 2 * 5", json!(6.0)),
            ("1 + 5 ** 3 % 2 * 5", json!(6.0)),
            ("50 << 1 & 90", json!(64.0)),
            ("90 & 50 << 1", json!(64.0)),
            ("90 + 50 << 1 * 5", json!(4480.0)),
            ("1 - 2 - 4 - 8", json!(-13.0)),
            ("1 * 4 / 2 * 8", json!(16.0)),
            ("true ?? true ? 100 + 200 : 400", json!(300.0)),
            ("'2014-01-02 14:12:22' == '2014-01-02 14:12:22'", json!(true)),
            ("'2014-01-02 14:12:22' > '2014-01-02 12:12:22'", json!(true)),
            ("'2014-01-02 14:12:22' > '2014-01-02 16:12:22'", json!(false)),
            ("'2014-01-02 14:12:22' >= '2014-01-02 12:12:22'", json!(true)),
            ("'2014-01-02 14:12:22' >= '2014-01-02 16:12:22'", json!(false)),
            ("'2014-01-02 14:12:22' < '2014-01-02 16:12:22'", json!(true)),
            ("'2014-01-02 14:12:22' < '2014-01-02 11:12:22'", json!(false)),
            ("'2014-01-02 09:12:22' <= '2014-01-02 12:12:22'", json!(true)),
            ("'2014-01-02 14:12:22' <= '2014-01-02 11:12:22'", json!(false)),
            ("-1 < 0", json!(true)),
            ("'ab' < 'abc'", json!(true)),
            ("'ab' <= 'abc'", json!(true)),
            ("'aba' > 'abc'", json!(false)),
            ("'aba' >= 'abc'", json!(false)),
            ("!true == false", json!(true)),
            ("!(10 < 0)", json!(true)),
            ("10 * -10", json!(-100.0)),
            ("true ? 10", json!(10.0)),
            ("false ? 10", Value::Null),
            ("10 > 5 ? 35.50", json!(35.5)),
            ("1 > 5 ? 35.50", Value::Null),
            ("(5 * (15 - 5)) > 5 ? 35.50", json!(35.5)),
            ("true ? 35.50 > 10", json!(true)),
            ("false ? 35.50 : 50", json!(50.0)),
            ("(false ? 5 : 35.50) > 10", json!(true)),
            ("(true ? 1 : 5) < 10", json!(true)),
            ("true ? 1 : 5 > 10", json!(1.0)),
            ("(2 == 2) ? 1 : (true ? 2 : 3)", json!(1.0)),
            ("false ? 1 : (true ? 2 : 3)", json!(2.0)),
            ("true ? (false ? 1 : (false ? 2 : 3)) : (false ? 4 : 5)", json!(3.0)),
            ("'foo' + 'bar' == 'foobar'", json!(true)),
            ("'foo' + 123 == 'foo123'", json!(true)),
            ("123 + 'bar' == '123bar'", json!(true)),
            ("'foo' + '02/05/1970' == 'foobar'", json!(false)),
            ("'foo' + true == 'footrue'", json!(true)),
            ("true + 'bar' == 'truebar'", json!(true)),
            ("1 ?? 2", json!(1.0)),
            ("1 in (1, 2, 3)", json!(true)),
            ("!(1 in (1, 2, 3))", json!(false)),
            ("(true && true) || (true && false)", json!(true)),
            ("true && true || true && false", json!(true)),
            ("false || true && true || false", json!(true)),
            ("(10 * 10 * 10) > 10", json!(true)),
            ("false && true || true", json!(true)),
            ("true || false && true", json!(true)),
            ("true && true || false && false", json!(true)),
            ("(2 + 2) + 2 == 6", json!(true)),
            ("(2 + 2) >= 4", json!(true)),
        ],
        run,
    );
}

/// Cases written here: hex literals, a comma list, `[bracketed names]`,
/// escapes in strings, and ints from JSON read as float64.
#[test]
fn lexing_details() {
    let parameters = scope(&[("response-time", json!(120)), ("name", json!("x")), ("list", json!([1, 2]))]);
    expect_all(
        &[
            ("0x1F + 1", json!(32.0)),
            ("1, 2, 3", json!([1.0, 2.0, 3.0])),
            ("[response-time] > 100", json!(true)),
            ("[response-time] / 7", json!(120.0 / 7.0)),
            ("'it\\'s' + 'x'", json!("it'sx")),
            ("name in ('x', 'y')", json!(true)),
            ("name + 1", json!("x1")),
            ("1.5 + 0.25", json!(1.75)),
            ("list == list", json!(true)),
            ("7 % 2.5", json!(2.0)),
            ("'2014-01-02' < '2014-01-03'", json!(true)),
            ("'2014-01-02T10:00:00Z' == '2014-01-02 10:00:00'", json!(true)),
            ("'2014-01-02T12:00:00+02:00' == '2014-01-02T10:00:00Z'", json!(true)),
            ("'3:04PM' > '9:00AM'", json!(true)),
        ],
        |expression| govaluate(expression, &parameters),
    );
}

/// An expression, its parameters, and the value expected.
type ParameterCase = (&'static str, Vec<(&'static str, Value)>, Value);

/// evaluation_test.go, TestParameterizedEvaluation (values as given there;
/// Go ints are cast to float64 as `sanitizedParameters` does).
#[test]
fn parameters() {
    let cases: Vec<ParameterCase> = vec![
        ("foo + 2", vec![("foo", json!(2.0))], json!(4.0)),
        ("foo * bar", vec![("foo", json!(5.0)), ("bar", json!(2.0))], json!(10.0)),
        ("foo * foo * foo", vec![("foo", json!(10.0))], json!(1000.0)),
        ("foo + foo + foo", vec![("foo", json!(10.0))], json!(30.0)),
        ("foo + FoO + FOO", vec![("foo", json!(8.0)), ("FoO", json!(4.0)), ("FOO", json!(2.0))], json!(14.0)),
        ("-1 < -foo", vec![("foo", json!(-8.0))], json!(true)),
        ("foo > 1", vec![("foo", json!(2))], json!(true)),
        ("(foo == true) || (bar == true)", vec![("foo", json!(true)), ("bar", json!(false))], json!(true)),
        ("foo > 10 && bar > 10", vec![("foo", json!(1)), ("bar", json!(11))], json!(false)),
        ("'foobar' =~ foo", vec![("foo", json!("obar"))], json!(true)),
        ("'foobar' !~ foo", vec![("foo", json!("baz"))], json!(true)),
        ("foo =~ bar", vec![("foo", json!("foobar")), ("bar", json!("oba"))], json!(true)),
        ("foo !~ bar", vec![("foo", json!("foobar")), ("bar", json!("baz"))], json!(true)),
        ("commission ? 10", vec![("commission", json!(true))], json!(10.0)),
        ("partner == 'amazon' ? 10", vec![("partner", json!("amazon"))], json!(10.0)),
        ("partner == 'amazon' ? 10", vec![("partner", json!("ebay"))], Value::Null),
        ("theft && period == 24 ? 60", vec![("theft", json!(true)), ("period", json!(24))], json!(60.0)),
        ("theft && period == 24 ? 60", vec![("theft", json!(false)), ("period", json!(24))], Value::Null),
        ("foo + 'bar'", vec![("foo", json!("baz"))], json!("bazbar")),
        ("foo + bar", vec![("foo", json!("baz")), ("bar", json!("quux"))], json!("bazquux")),
        ("foo + bar", vec![("foo", json!("baz")), ("bar", json!(123))], json!("baz123")),
        ("foo + 123 + 'bar' + true", vec![("foo", json!("baz"))], json!("baz123bartrue")),
        ("foo ?? 1.0", vec![("foo", Value::Null)], json!(1.0)),
        (
            "(foo >= 2887057408 && foo <= 2887122943) || (foo >= 168100864 && foo <= 168118271)",
            vec![("foo", json!(2887057409u64))],
            json!(true),
        ),
        ("arr == arr", vec![("arr", json!([1, 2]))], json!(true)),
        ("arr != arr", vec![("arr", json!([1, 2]))], json!(false)),
        ("true || fail", vec![], json!(true)),
        ("false && fail", vec![], json!(false)),
        ("true ? 1 : fail", vec![], json!(1.0)),
        ("'foo' ?? fail", vec![], json!("foo")),
    ];
    let mut failures = Vec::new();
    for (expression, parameters, expected) in &cases {
        let parameters = scope(parameters);
        match govaluate(expression, &parameters) {
            Ok(got) if got == *expected => {}
            other => failures.push(format!("{expression}: expected {expected}, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Accessors read fields of an object parameter, as govaluate reads a
/// struct's (evaluation_test.go's `foo.String`; evaluationFailure_test.go's
/// `foo.NotExists`), which is how `A.Succeeded` reads a DAG task's result.
#[test]
fn accessors() {
    let parameters = scope(&[
        ("A", json!({"Succeeded": true, "Failed": false})),
        ("B", json!({"Succeeded": false, "Failed": true, "Nested": {"Value": 3}})),
        ("s", json!("text")),
    ]);
    expect_all(
        &[
            ("A.Succeeded || B.Failed", json!(true)),
            ("A.Succeeded && B.Succeeded", json!(false)),
            ("!A.Failed", json!(true)),
            ("B.Nested.Value * 2", json!(6.0)),
        ],
        |expression| govaluate(expression, &parameters),
    );
    expect_errors(
        &[
            ("A.NotExists", "No method or field 'NotExists' present on parameter 'A'"),
            ("B.Nested.NotExists", "No method or field 'NotExists' present on parameter 'Nested'"),
            ("s.Length", "Unable to access 'Length', 's' is not a struct"),
            ("C.Succeeded", "No parameter 'C' found."),
        ],
        |expression| govaluate(expression, &parameters),
    );
}

/// evaluationFailure_test.go: type errors name the value and operator.
#[test]
fn type_errors() {
    let parameters = scope(&[("number", json!(1)), ("string", json!("foo")), ("bool", json!(true))]);
    expect_errors(
        &[
            ("1 + true", "Value '1' cannot be used with the modifier '+', it is not a number"),
            ("number + bool", "cannot be used with the modifier"),
            ("number - bool", "Value 'true' cannot be used with the modifier '-', it is not a number"),
            ("number * bool", "cannot be used with the modifier"),
            ("number / bool", "cannot be used with the modifier"),
            ("number ** bool", "cannot be used with the modifier"),
            ("number % bool", "cannot be used with the modifier"),
            ("number | bool", "cannot be used with the modifier"),
            ("number & bool", "cannot be used with the modifier"),
            ("number ^ bool", "cannot be used with the modifier"),
            ("number << bool", "cannot be used with the modifier"),
            ("number >> bool", "cannot be used with the modifier"),
            ("number && number", "Value '1' cannot be used with the logical operator '&&', it is not a bool"),
            ("number || number", "cannot be used with the logical operator"),
            ("string && string", "cannot be used with the logical operator"),
            ("string || string", "cannot be used with the logical operator"),
            ("number && string", "cannot be used with the logical operator"),
            ("number || string", "cannot be used with the logical operator"),
            ("bool && string", "Value 'foo' cannot be used with the logical operator '&&'"),
            ("string || bool", "cannot be used with the logical operator"),
            ("true > true", "Value 'true' cannot be used with the comparator '>', it is not a number"),
            ("bool > bool", "cannot be used with the comparator"),
            ("bool >= bool", "cannot be used with the comparator"),
            ("bool < bool", "cannot be used with the comparator"),
            ("bool <= bool", "cannot be used with the comparator"),
            ("number > string", "cannot be used with the comparator"),
            ("number >= string", "cannot be used with the comparator"),
            ("number < string", "cannot be used with the comparator"),
            ("number =~ string", "cannot be used with the comparator"),
            ("number =~ bool", "cannot be used with the comparator"),
            ("bool =~ number", "cannot be used with the comparator"),
            ("bool =~ string", "cannot be used with the comparator"),
            ("number !~ string", "cannot be used with the comparator"),
            ("number !~ bool", "cannot be used with the comparator"),
            ("bool !~ number", "cannot be used with the comparator"),
            ("bool !~ string", "cannot be used with the comparator"),
            ("1 in 2", "Value '2' cannot be used with the comparator 'in', it is not a number"),
            ("1 in 'foo'", "cannot be used with the comparator"),
            ("1 in true", "cannot be used with the comparator"),
            ("10 ? true", "Value '10' cannot be used with the ternary operator '?', it is not a bool"),
            ("'foo' ? true", "cannot be used with the ternary operator"),
            ("-string", "Value 'foo' cannot be used with the prefix '-'"),
            ("!number", "Value '1' cannot be used with the prefix '!'"),
            (
                "'foo' =~ string + '['",
                "Unable to compile regexp pattern 'foo[': error parsing regexp: missing closing ]",
            ),
            ("missing > 1", "No parameter 'missing' found."),
        ],
        |expression| govaluate(expression, &parameters),
    );
}

/// parsingFailure_test.go: syntax errors, each message's stable part.
#[test]
fn syntax_errors() {
    expect_errors(
        &[
            ("1 = 1", "Invalid token: '='"),
            ("1 === 1", "Invalid token: '==='"),
            ("true &&& false", "Invalid token: '&&&'"),
            ("true ||| false", "Invalid token"),
            ("10 > 5 +", "Unexpected end of expression"),
            ("10 + 5 >", "Unexpected end of expression"),
            ("10 > 5 &&", "Unexpected end of expression"),
            ("true ?", "Unexpected end of expression"),
            ("'wat' =~", "Unexpected end of expression"),
            (" / =~", "Cannot transition token types"),
            ("> 10", "Cannot transition token types from UNKNOWN [<nil>] to COMPARATOR [>]"),
            ("+ 5", "Cannot transition token types"),
            ("&& 5 < 10", "Cannot transition token types"),
            ("10 10", "Cannot transition token types from NUMERIC [10] to NUMERIC [10]"),
            ("'foo' 'foo'", "Cannot transition token types from STRING [foo] to STRING [foo]"),
            ("10 > < 10", "Cannot transition token types"),
            (" ) ( arg2", "Cannot transition token types"),
            ("[foo bar", "Unclosed parameter bracket"),
            ("foo == 'responseTime", "Unclosed string literal"),
            ("foo =~ '[abc'", "missing closing ]"),
            ("10 > (1 + 50", "Unbalanced parenthesis"),
            ("127.0.0.1", "Unable to parse numeric value '127.0.0.1' to float64"),
            ("foobar()", "Undefined function foobar"),
            ("foo.Bar.", "Hanging accessor on token 'foo.Bar.'"),
            ("foo.bar", "Unable to access unexported field 'bar' in token 'foo.bar'"),
            ("0x", "Cannot transition token types"),
            ("0x > 0", "Unable to parse hex value '' to uint64"),
            ("0x1.1", "Cannot transition token types"),
            ("0x12g1", "Cannot transition token types"),
            ("5 >-3", "Invalid token: '>-'"),
        ],
        run,
    );
}
