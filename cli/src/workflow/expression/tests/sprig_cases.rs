//! `sprig.*` as Argo's env offers it: cases from sprig v3.3.0's own tests
//! (`strings_test.go`, `numeric_test.go`, `defaults_test.go`,
//! `list_test.go`, `dict_test.go`), rewritten from template pipes to calls
//! (`{{"fooo" | substr 0 3}}` is `sprig.substr(0, 3, 'fooo')`), and Argo's
//! own uses (`util/template/replace_test.go`: `sprig.trunc`, `sprig.dig`).

use serde_json::json;

use super::{expect_all, expect_errors, scope};
use crate::workflow::expression::{ErrorKind, evaluate};

#[test]
fn sprig_test_files() {
    let env = scope(&[("inputs.parameters.message", json!("hello world")), ("workflow.status", json!("Succeeded"))]);
    expect_all(
        &[
            // strings_test.go
            ("sprig.substr(0, 3, 'fooo')", json!("foo")),
            ("sprig.substr(0, 10, 'foo')", json!("foo")),
            ("sprig.trunc(3, 'foooooo')", json!("foo")),
            ("sprig.trunc(-3, 'baaaaaar')", json!("aar")),
            ("sprig.trunc(-999, 'baaaaaar')", json!("baaaaaar")),
            ("sprig.trunc(0, 'baaaaaz')", json!("")),
            ("sprig.quote('a', 'b', 'c')", json!(r#""a" "b" "c""#)),
            ("sprig.quote('\"a\"', 'b', 'c')", json!(r#""\"a\"" "b" "c""#)),
            ("sprig.quote(1, 2, 3)", json!(r#""1" "2" "3""#)),
            ("sprig.squote('a', 'b', 'c')", json!("'a' 'b' 'c'")),
            ("sprig.squote(1, 2, 3)", json!("'1' '2' '3'")),
            ("sprig.contains('cat', 'fair catch')", json!(true)),
            ("sprig.hasPrefix('cat', 'catch')", json!(true)),
            ("sprig.hasSuffix('cat', 'ducat')", json!(true)),
            ("sprig.trim('   5.00   ')", json!("5.00")),
            ("sprig.trimAll('$', '$5.00$')", json!("5.00")),
            ("sprig.trimPrefix('$', '$5.00')", json!("5.00")),
            ("sprig.trimSuffix('$', '5.00$')", json!("5.00")),
            ("sprig.split('$', 'foo$bar$baz')._0", json!("foo")),
            ("sprig.toString(1)", json!("1")),
            ("sprig.join('-', sprig.tuple('a', 'b', 'c'))", json!("a-b-c")),
            ("sprig.join('-', sprig.tuple(1, 2, 3))", json!("1-2-3")),
            ("sprig.b64enc('coffee')", json!("Y29mZmVl")),
            ("sprig.b64dec('Y29mZmVl')", json!("coffee")),
            ("sprig.cat('a', 'b', 'c')", json!("a b c")),
            ("sprig.indent(4, 'a\\nb\\nc')", json!("    a\n    b\n    c")),
            ("sprig.nindent(4, 'a\\nb\\nc')", json!("\n    a\n    b\n    c")),
            ("sprig.replace(' ', '-', 'I Am Henry VIII')", json!("I-Am-Henry-VIII")),
            // numeric_test.go
            ("sprig.until(5)", json!([0, 1, 2, 3, 4])),
            ("sprig.until(-5)", json!([0, -1, -2, -3, -4])),
            ("sprig.untilStep(3, 6, 1)", json!([3, 4, 5])),
            ("sprig.untilStep(0, -10, -2)", json!([0, -2, -4, -6, -8])),
            ("sprig.untilStep(3, 0, 1)", json!([])),
            ("sprig.untilStep(3, 99, 0)", json!([])),
            ("sprig.biggest(1, 2, 3, 345, 5, 6, 7)", json!(345)),
            ("sprig.max(345)", json!(345)),
            ("sprig.min(1, 2, 3, 345, 5, 6, 7)", json!(1)),
            ("sprig.add(1, 2, 3)", json!(6)),
            ("sprig.add1(1)", json!(2)),
            ("sprig.sub(3, 1)", json!(2)),
            ("sprig.mul(2, 3, 4)", json!(24)),
            ("sprig.div(7, 2)", json!(3)),
            ("sprig.mod(7, 2)", json!(1)),
            ("sprig.int('42')", json!(42)),
            ("sprig.int('5.0')", json!(5)),
            ("sprig.int('0x10')", json!(16)),
            ("sprig.int('nope')", json!(0)),
            ("sprig.int(3.7)", json!(3)),
            ("sprig.int64('7')", json!(7)),
            ("sprig.float64('1.5')", json!(1.5)),
            ("sprig.atoi('12')", json!(12)),
            ("sprig.add('2', '3')", json!(5)),
            ("sprig.ceil(1.5)", json!(2.0)),
            ("sprig.floor(1.5)", json!(1.0)),
            ("sprig.round(1.2345, 2)", json!(1.23)),
            // defaults_test.go
            ("sprig.default('foo', '')", json!("foo")),
            ("sprig.default('foo', 'bar')", json!("bar")),
            ("sprig.default('foo', nil)", json!("foo")),
            ("sprig.default(1, 0)", json!(1)),
            ("sprig.empty('')", json!(true)),
            ("sprig.empty(0)", json!(true)),
            ("sprig.empty([])", json!(true)),
            ("sprig.empty({})", json!(true)),
            ("sprig.empty('x')", json!(false)),
            ("sprig.coalesce('', nil, 'x')", json!("x")),
            ("sprig.ternary('yes', 'no', true)", json!("yes")),
            ("sprig.ternary('yes', 'no', false)", json!("no")),
            ("sprig.toJson({b: 1, a: [1, 'x']})", json!(r#"{"a":[1,"x"],"b":1}"#)),
            ("sprig.toPrettyJson({a: 1})", json!("{\n  \"a\": 1\n}")),
            ("sprig.fromJson('{\"a\": 1}').a", json!(1.0)),
            ("sprig.fromJson('not json')", serde_json::Value::Null),
            // list_test.go
            ("sprig.list(1, 'a')", json!([1, "a"])),
            ("sprig.first([1, 2, 3])", json!(1)),
            ("sprig.first([])", serde_json::Value::Null),
            ("sprig.last([1, 2, 3])", json!(3)),
            ("sprig.rest([1, 2, 3])", json!([2, 3])),
            ("sprig.initial([1, 2, 3])", json!([1, 2])),
            ("sprig.append([1, 2], 3)", json!([1, 2, 3])),
            ("sprig.prepend([1, 2], 0)", json!([0, 1, 2])),
            ("sprig.reverse([1, 2, 3])", json!([3, 2, 1])),
            ("sprig.uniq([1, 2, 2, 1])", json!([1, 2])),
            ("sprig.has(2, [1, 2])", json!(true)),
            ("sprig.without([1, 2, 3], 2)", json!([1, 3])),
            ("sprig.compact([1, '', 0, 'a'])", json!([1, "a"])),
            ("sprig.concat([1], [2, 3])", json!([1, 2, 3])),
            ("sprig.sortAlpha(['b', 'c', 'a'])", json!(["a", "b", "c"])),
            ("sprig.splitList(',', 'a,b')", json!(["a", "b"])),
            // dict_test.go
            ("sprig.dict('a', 1, 'b', 'x')", json!({"a": 1, "b": "x"})),
            ("sprig.dict('a')", json!({"a": ""})),
            ("sprig.get({a: 1}, 'a')", json!(1)),
            ("sprig.get({a: 1}, 'b')", json!("")),
            ("sprig.hasKey({a: 1}, 'a')", json!(true)),
            ("sprig.keys({b: 1, a: 2})", json!(["a", "b"])),
            ("sprig.values({a: 2})", json!([2])),
            // regex_test.go
            ("sprig.regexMatch('^[a-z]+$', 'abc')", json!(true)),
            ("sprig.regexFind('[0-9]+', 'ab12cd34')", json!("12")),
            ("sprig.regexFindAll('[0-9]+', 'ab12cd34', -1)", json!(["12", "34"])),
            ("sprig.regexReplaceAll('a(x*)b', '-ab-axxb-', '${1}W')", json!("-W-xxW-")),
            ("sprig.regexReplaceAllLiteral('a(x*)b', '-ab-axxb-', '${1}')", json!("-${1}-${1}-")),
            ("sprig.regexSplit('z+', 'pizza', -1)", json!(["pi", "a"])),
            // paths and hashes
            ("sprig.base('/a/b.txt')", json!("b.txt")),
            ("sprig.dir('/a/b.txt')", json!("/a")),
            ("sprig.ext('/a/b.txt')", json!(".txt")),
            ("sprig.clean('a//b/../c')", json!("a/c")),
            ("sprig.sha256sum('abc')", json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")),
            ("sprig.upper('abc')", json!("ABC")),
            ("sprig.lower('ABC')", json!("abc")),
            ("sprig.title('hello world')", json!("Hello World")),
            ("sprig.repeat(3, 'ab')", json!("ababab")),
            ("sprig.nospace('a b  c')", json!("abc")),
            // Argo's replace_test.go
            ("sprig.trunc(5, inputs.parameters.message)", json!("hello")),
            ("sprig.trunc(-5, inputs.parameters.message)", json!("world")),
            ("sprig.dig('status', nil, workflow)", json!("Succeeded")),
            ("sprig.dig('missing', 'fallback', workflow)", json!("fallback")),
        ],
        |expression| evaluate(expression, &env),
    );
}

#[test]
fn sprig_errors() {
    let env = scope(&[]);
    expect_errors(
        &[
            ("sprig.upper(1)", "reflect: Call using int as type string"),
            ("sprig.trunc('3', 'abc')", "reflect: Call using string as type int"),
            ("sprig.div(1, 0)", "runtime error: integer divide by zero"),
            ("sprig.env('HOME')", "invalid operation: cannot call nil"),
            ("sprig.nosuch(1)", "sprig has no function nosuch"),
            ("sprig.fail('stop here')", "stop here"),
            ("sprig.upper()", "too few input arguments"),
        ],
        |expression| evaluate(expression, &env),
    );
    let error = evaluate("sprig.now()", &env).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
    assert_eq!(error.message(), "sprig.now is not supported by wasm-workflows' expression evaluator");
}
