//! Where the template and its variables come from, what the step returns,
//! and the options: the template as a parameter or an artifact, the
//! context from artifacts (JSON, YAML), the `context` parameter and the
//! other parameters, includes by name and by path, the `result` outputs,
//! strict and lenient undefined variables, autoescape and the whitespace
//! options; and the component build.

mod support;

use support::{render, render_on};
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::invocation;

#[test]
fn the_template_comes_from_the_parameter_or_the_artifact() {
    let from_parameter = render(&[("template", "Hello {{ name }}!"), ("name", "Argo")], &[]);
    assert_eq!(from_parameter.text(), "Hello Argo!");
    assert_eq!(from_parameter.node.message, "rendered 11 bytes");
    assert_eq!(from_parameter.node.outputs.artifacts[0].path, "/result.txt");
    let from_artifact = render(&[("name", "Argo")], &[("template", "/in/greeting.j2", b"Hello {{ name }}!\n")]);
    // As in Jinja2, the template's last line break is dropped unless keep_trailing_newline is set.
    assert_eq!(from_artifact.text(), "Hello Argo!");
    let kept = render(
        &[("name", "Argo"), ("keep_trailing_newline", "true")],
        &[("template", "/in/greeting.j2", b"Hello {{ name }}!\n")],
    );
    assert_eq!(kept.text(), "Hello Argo!\n");
}

#[test]
fn the_context_merges_artifact_parameter_and_other_parameters_in_that_order() {
    let artifact = br#"{"a": "artifact", "b": "artifact", "c": "artifact", "list": [1, 2.5, null, true]}"#;
    let rendered = render(
        &[
            ("template", "{{ a }} {{ b }} {{ c }} {{ list }}"),
            ("context", r#"{"b": "context", "c": "context"}"#),
            ("c", "parameter"),
        ],
        &[("context", "/context.json", artifact)],
    );
    assert_eq!(rendered.text(), "artifact context parameter [1, 2.5, None, True]");
}

#[test]
fn a_yaml_context_reads_as_yaml() {
    let yaml = b"service: api\nports: [80, 443]\nlimits:\n  cpu: 500m\n  replicas: 3\nratio: 0.50\n";
    let template = "{{ service }}: {{ ports|join(',') }} {{ limits.cpu }} x{{ limits.replicas }} {{ ratio }}";
    for path in ["/values.yaml", "/values.yml", "/values"] {
        let rendered = render(&[("template", template)], &[("context", path, yaml)]);
        assert_eq!(rendered.text(), "api: 80,443 500m x3 0.5", "{path}");
    }
    // A JSON file is read as JSON whatever its name, when it starts with `{`.
    let json = render(&[("template", "{{ a }}")], &[("context", "/values", br#"{"a": 1.0}"#)]);
    assert_eq!(json.text(), "1.0");
}

#[test]
fn parameters_are_strings_and_json_values_keep_their_type() {
    let strings = render(&[("template", "{{ count }} {{ count is string }}"), ("count", "3")], &[]);
    assert_eq!(strings.text(), "3 True");
    let typed = render_on(
        WasmTarget::Wasip1,
        invocation(&[("template", "{{ count + 1 }} {{ tags|join('/') }} {{ flag }}")])
            .with_parameter("count", 3)
            .with_parameter("tags", json::parse(r#"["a", "b"]"#).unwrap())
            .with_parameter("flag", true)
            .with_parameter("context", json::parse(r#"{"unused": 1}"#).unwrap()),
        &[],
    );
    assert_eq!(typed.text(), "4 a/b True");
}

#[test]
fn other_artifacts_are_included_by_name_or_by_path() {
    let header: &[u8] = b"== {{ title }} ==";
    let macros: &[u8] = b"{% macro row(k, v) %}{{ k }}={{ v }}{% endmacro %}";
    let template = "{% include 'header' %}\n{% include 'parts/header.j2' %}\n{% include '/parts/header.j2' %}\n\
                    {% import 'macros' as m %}{{ m.row('a', 1) }}";
    let rendered = render(
        &[("template", template), ("title", "T")],
        &[("header", "/parts/header.j2", header), ("macros", "/macros.j2", macros)],
    );
    assert_eq!(rendered.text(), "== T ==\n== T ==\n== T ==\na=1");
}

#[test]
fn undefined_variables_fail_unless_lenient() {
    let strict = render(&[("template", "line 1\n{{ user.name }}")], &[]);
    assert_eq!(
        strict.failure(),
        "parameter \"template\", line 2: \"user\" is undefined (an undefined variable fails the step; \
         the parameter undefined=lenient renders it as nothing)"
    );
    let lenient =
        render(&[("template", "[{{ missing }}][{% for x in missing %}x{% endfor %}]"), ("undefined", "lenient")], &[]);
    assert_eq!(lenient.text(), "[][]");
    // Tests and defaults work in both.
    let defaults = render(&[("template", "{{ missing is defined }} {{ missing|default('d') }}")], &[]);
    assert_eq!(defaults.text(), "False d");
}

#[test]
fn autoescape_is_off_unless_asked_for() {
    let value = "<b>\"Tom\" & 'Jerry'</b>";
    let off = render(&[("template", "{{ v }}"), ("v", value)], &[]);
    assert_eq!(off.text(), value);
    let on = render(&[("template", "{{ v }} {{ v|safe }}"), ("v", value), ("autoescape", "true")], &[]);
    assert_eq!(on.text(), format!("&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&lt;/b&gt; {value}"));
}

#[test]
fn whitespace_options_are_jinja2s() {
    let template = "<ul>\n  {% for x in [1, 2] %}\n  <li>{{ x }}</li>\n  {% endfor %}\n</ul>";
    let plain = render(&[("template", template)], &[]);
    assert_eq!(plain.text(), "<ul>\n  \n  <li>1</li>\n  \n  <li>2</li>\n  \n</ul>");
    let trimmed = render(&[("template", template), ("trim_blocks", "true"), ("lstrip_blocks", "true")], &[]);
    assert_eq!(trimmed.text(), "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>");
}

#[test]
fn a_large_result_is_only_an_artifact() {
    let rendered = render(&[("template", "{% for i in range(30000) %}line {{ i }}\n{% endfor %}")], &[]);
    assert_eq!(rendered.node.phase, wasm_workflows_sdk::protocol::Phase::Succeeded, "{}", rendered.node.message);
    assert!(rendered.node.output_parameter("result").is_none());
    let text = String::from_utf8(rendered.artifact.unwrap()).unwrap();
    assert_eq!(text.lines().count(), 30000);
    assert_eq!(
        rendered.node.message,
        format!(
            "rendered {} bytes: more than the 262144 a parameter holds, so only the artifact \"result\" has them",
            text.len()
        )
    );
}

#[test]
fn the_component_renders_the_same() {
    let inv = invocation(&[("template", "{% include 'part' %} {{ n * 2 }} {{ tags|tojson }}")])
        .with_parameter("n", 21)
        .with_parameter("tags", Value::from(vec!["a"]));
    let artifacts: &[support::Artifact] = &[("part", "/part.j2", b"{{ 'part'|upper }}")];
    let core = render_on(WasmTarget::Wasip1, inv.clone(), artifacts);
    let component = render_on(WasmTarget::Wasip2, inv, artifacts);
    assert_eq!(core.text(), "PART 42 [\"a\"]");
    assert_eq!(component.text(), core.text());
    let failed = render_on(WasmTarget::Wasip2, invocation(&[("template", "{% if %}")]), &[]);
    assert_eq!(failed.failure(), "parameter \"template\", line 1: syntax error: unexpected end of block");
}

// An optional input artifact that was not given is listed in the template
// but has no file: Argo's executor skips it ("Ignoring optional artifact
// which was not supplied", "Skipping optional input artifact that was not
// found": workflow/executor/executor.go 272-276 and 334-336 at f016ad8).
// It is simply not there: the parameter `template` is the template, no
// `context` artifact is read, and an include of it fails as of any
// template no artifact provides (or is skipped with `ignore missing`).
#[test]
fn optional_artifacts_that_were_not_given_are_not_there() {
    let listed = |parameters: &[(&str, &str)]| {
        invocation(parameters)
            .with_artifact("template", "/template.j2")
            .with_artifact("context", "/values.yaml")
            .with_artifact("footer", "/footer.j2")
    };
    let rendered = render_on(
        WasmTarget::Wasip1,
        listed(&[("template", "Hello {{ name }}{% include 'footer' ignore missing %}!"), ("name", "Argo")]),
        &[],
    );
    assert_eq!(rendered.text(), "Hello Argo!");
    let failed = render_on(WasmTarget::Wasip1, listed(&[("template", "{% include 'footer' %}")]), &[]);
    let message = failed.failure();
    assert!(message.contains("\"footer\" (optional, not given)"), "{message}");
    // The template from its artifact, with the optional context absent.
    let from_artifact = render_on(
        WasmTarget::Wasip1,
        invocation(&[("name", "Argo")]).with_artifact("context", "/values.yaml"),
        &[("template", "/template.j2", b"Hi {{ name }}")],
    );
    assert_eq!(from_artifact.text(), "Hi Argo");
    // Neither the parameter nor the artifact: the same error as with none listed.
    let neither = render_on(WasmTarget::Wasip1, listed(&[]), &[]);
    assert!(neither.failure().starts_with("no template: give it as parameter"), "{}", neither.failure());
}
