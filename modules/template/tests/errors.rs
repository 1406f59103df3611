//! Every bad input fails the step with a message that says what and
//! where, and nothing traps: syntax errors with their line (in the main
//! template or an included one), a missing include, a malformed or
//! misshapen context, a missing or doubled template, bad options, text
//! that is not UTF-8, errors while rendering.

mod support;

use support::render;

const LENIENT_HINT: &str =
    "(an undefined variable fails the step; the parameter undefined=lenient renders it as nothing)";

#[test]
fn syntax_errors_name_the_template_and_line() {
    assert_eq!(
        render(&[("template", "a\nb\n{% for x in y %}\nno end")], &[]).failure(),
        // (the line of the block that is not closed)
        "parameter \"template\", line 3: syntax error: unexpected end of input, expected end of block"
    );
    assert_eq!(
        render(&[], &[("template", "/t.j2", b"ok\n{{ 1 + }}")]).failure(),
        "input artifact \"template\", line 2: syntax error: unexpected end of variable block"
    );
    assert_eq!(
        render(&[("template", "x\n{% include 'part' %}")], &[("part", "/part.j2", b"a\nb {% if %}")]).failure(),
        "included template \"part\", line 2: syntax error: unexpected end of block"
    );
}

#[test]
fn undefined_variables_are_named_with_their_line_even_in_includes() {
    assert_eq!(
        render(&[("template", "{{ a }}\n{{ b }}"), ("a", "1")], &[]).failure(),
        format!("parameter \"template\", line 2: \"b\" is undefined {LENIENT_HINT}")
    );
    assert_eq!(
        render(&[("template", "{% for x in items %}{{ x }}{% endfor %}")], &[]).failure(),
        format!("parameter \"template\", line 1: \"items\" is undefined {LENIENT_HINT}")
    );
    // The variable, not the filter or the operation that met it.
    assert_eq!(
        render(&[("template", "{{ missing|upper }}")], &[]).failure(),
        format!("parameter \"template\", line 1: \"missing\" is undefined {LENIENT_HINT}")
    );
    assert_eq!(
        render(&[("template", "{{ users.x.y }}"), ("context", r#"{"users": {}}"#)], &[]).failure(),
        format!("parameter \"template\", line 1: \"users.x.y\" is undefined {LENIENT_HINT}")
    );
    assert_eq!(
        render(&[("template", "x\n{% include '/parts/p.j2' %}")], &[("p", "/parts/p.j2", b"ok {{ name }}")]).failure(),
        format!("included template \"/parts/p.j2\", line 1: \"name\" is undefined {LENIENT_HINT}")
    );
}

#[test]
fn a_missing_include_lists_the_artifacts() {
    assert_eq!(
        render(&[("template", "x\n{% include 'missing.j2' %}")], &[("part", "/parts/p.j2", b"a")]).failure(),
        "parameter \"template\", line 2: tried to include non-existing template 'missing.j2': \
         templates are loaded from input artifacts, by name or path, and the step's are: \"part\" (/parts/p.j2)"
    );
    assert_eq!(
        render(&[("template", "{% import 'm' as m %}")], &[]).failure(),
        "parameter \"template\", line 1: tried to include non-existing template 'm': \
         templates are loaded from input artifacts, by name or path, and the step's are: none"
    );
}

#[test]
fn a_bad_context_says_what_is_wrong() {
    assert_eq!(
        render(&[("template", "{{ a }}"), ("context", "{\"a\": 1,\n \"b\": tru}")], &[]).failure(),
        "parameter \"context\": malformed JSON: expected a JSON value at line 2, column 7"
    );
    assert_eq!(
        render(&[("template", "{{ a }}"), ("context", "[1]")], &[]).failure(),
        "parameter \"context\": expected a JSON object (its keys are the variables), got an array of 1 elements"
    );
    assert_eq!(
        render(&[("template", "{{ a }}")], &[("context", "/c.json", b"{\"a\": 1,}")]).failure(),
        "input artifact \"context\": malformed JSON: expected a string key in an object at line 1, column 9"
    );
    assert_eq!(
        render(&[("template", "{{ a }}")], &[("context", "/c.yaml", b"a: [1\nb: 2")]).failure(),
        "input artifact \"context\": malformed YAML: did not find expected ',' or ']' at line 2 column 2, \
         while parsing a flow sequence at line 1 column 4"
    );
    assert_eq!(
        render(&[("template", "{{ a }}")], &[("context", "/c.yaml", b"- 1")]).failure(),
        "input artifact \"context\": expected a YAML mapping (its keys are the variables), got an array of 1 elements"
    );
}

#[test]
fn the_template_must_be_given_once() {
    assert_eq!(
        render(&[("name", "x")], &[]).failure(),
        "no template: give it as parameter \"template\" or as input artifact \"template\" (add one to the template's inputs)"
    );
    assert_eq!(
        render(&[("template", "a")], &[("template", "/t.j2", b"b")]).failure(),
        "both parameter \"template\" and input artifact \"template\" are given: give the template in one of them"
    );
}

#[test]
fn bad_options_and_bad_text_are_refused() {
    assert_eq!(
        render(&[("template", "x"), ("undefined", "loose")], &[]).failure(),
        "parameter \"undefined\": expected \"strict\" (an undefined variable fails the step) or \"lenient\" \
         (it renders as nothing), got \"loose\""
    );
    assert_eq!(
        render(&[("template", "x"), ("autoescape", "maybe")], &[]).failure(),
        "parameter \"autoescape\": expected a boolean, got the string \"maybe\""
    );
    let not_utf8 = render(&[], &[("template", "/t.j2", b"\xff\xfe{{ a }}")]).failure();
    assert!(
        not_utf8.starts_with("cannot read input artifact \"template\" at ") && not_utf8.contains("not UTF-8 text"),
        "{not_utf8}"
    );
    assert_eq!(
        render(&[("template", "{% include 'p' %}")], &[("p", "/p.j2", b"\xff")]).failure(),
        "parameter \"template\", line 1: invalid operation: input artifact \"p\" is not UTF-8 text \
         (invalid utf-8 sequence of 1 bytes from index 0)"
    );
}

#[test]
fn errors_while_rendering_say_what_failed() {
    assert_eq!(
        render(&[("template", "{{ 1 / 0 }}")], &[]).failure(),
        "parameter \"template\", line 1: invalid operation: unable to calculate 1 / 0"
    );
    assert_eq!(
        render(&[("template", "\n{{ 'a'|nosuch }}")], &[]).failure(),
        "parameter \"template\", line 2: unknown filter: filter nosuch is unknown"
    );
    // A recursion without end is refused by the engine: no stack overflow.
    let deep = render(&[("template", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")], &[]).failure();
    assert_eq!(deep, "parameter \"template\", line 1: invalid operation: recursion limit exceeded");
}
