//! Typed steps run through the runtime natively: inputs built from the
//! invocation by `#[derive(FromInvocation)]`, outputs written by
//! `#[derive(IntoResult)]`, and every bad input named in the message.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::prelude::*;
use wasm_workflows_sdk::testing::{StepTest, run_step};

#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Shape {
    Circle,
    Square,
}

#[derive(FromInvocation)]
struct Inputs {
    text: String,
    #[step(default = 40)]
    width: usize,
    #[step(default)]
    loud: bool,
    ratio: Option<f64>,
    #[step(rename = "shape-name", default = Shape::Circle)]
    shape: Shape,
    tags: Option<Vec<String>>,
    limits: Option<BTreeMap<String, u32>>,
    #[step(plugin_option, default = "plain")]
    style: String,
    #[step(workflow_name)]
    workflow: String,
    input: Option<InputArtifact>,
}

#[derive(IntoResult)]
#[step(message = "described")]
struct Described {
    summary: String,
    width: usize,
    tags: Vec<String>,
    note: Option<String>,
    #[step(rename = "input-bytes")]
    input_bytes: Option<usize>,
}

fn describe(inputs: Inputs) -> anyhow::Result<Described> {
    let input_bytes = match &inputs.input {
        Some(artifact) => Some(artifact.read()?.len()),
        None => None,
    };
    let text = if inputs.loud { inputs.text.to_uppercase() } else { inputs.text };
    Ok(Described {
        summary: format!(
            "{text} {:?} {:?} {} {} {:?}",
            inputs.ratio, inputs.shape, inputs.style, inputs.workflow, inputs.limits
        ),
        width: inputs.width,
        tags: inputs.tags.unwrap_or_default(),
        note: None,
        input_bytes,
    })
}

fn text(run: &wasm_workflows_sdk::testing::StepRun, name: &str) -> Value {
    run.result.output_parameter(name).cloned().unwrap_or_else(|| panic!("no output {name} in {:?}", run.result))
}

#[test]
fn fields_read_argo_strings_defaults_options_and_artifacts() {
    let invocation = PluginInvocation::new("wf-1")
        .with_parameter("text", "hi")
        .with_parameter("width", "12")
        .with_parameter("loud", "true")
        .with_parameter("ratio", "0.5")
        .with_parameter("shape-name", "square")
        .with_parameter("tags", r#"["a", "b"]"#)
        .with_parameter("limits", Value::from_iter([("x", "3")]))
        .with_plugin_option("style", "fancy");
    let run = StepTest::new(invocation).input_artifact("input", "/in/data.bin", [1u8, 2, 3]).run(describe);
    assert_eq!(run.result.phase, Phase::Succeeded, "{}", run.result.message);
    assert_eq!(run.result.message, "described");
    assert_eq!(text(&run, "summary"), Value::from(r#"HI Some(0.5) Square fancy wf-1 Some({"x": 3})"#));
    assert_eq!(text(&run, "width"), Value::from(12));
    assert_eq!(text(&run, "tags").to_string(), r#"["a","b"]"#);
    assert_eq!(text(&run, "input-bytes"), Value::from(3));
    assert_eq!(run.result.output_parameter("note"), None, "a None output is left out");

    let defaults = run_step(describe, PluginInvocation::new("wf-2").with_parameter("text", "hi"));
    assert_eq!(text(&defaults, "summary"), Value::from("hi None Circle plain wf-2 None"));
    assert_eq!(text(&defaults, "width"), Value::from(40));
    assert_eq!(defaults.result.output_parameter("input-bytes"), None);
}

fn failure(invocation: PluginInvocation) -> String {
    let run = run_step(describe, invocation);
    assert_eq!(run.result.phase, Phase::Failed);
    assert!(run.result.outputs.parameters.is_empty());
    run.result.message
}

#[test]
fn a_missing_mistyped_or_unknown_input_is_named() {
    let with_text = || PluginInvocation::new("wf").with_parameter("text", "hi");
    assert_eq!(
        failure(PluginInvocation::new("wf")),
        "missing required parameter \"text\" (add it to the template's inputs.parameters)"
    );
    assert_eq!(
        failure(PluginInvocation::new("wf").with_parameter("text", 42)),
        "parameter \"text\": expected a string, got the number 42",
        "a string field takes strings only"
    );
    assert_eq!(
        failure(with_text().with_parameter("width", "wide")),
        "parameter \"width\": expected usize, got the string \"wide\""
    );
    assert_eq!(
        failure(with_text().with_parameter("shape-name", "cube")),
        "parameter \"shape-name\": unknown variant `cube`, expected `circle` or `square`"
    );
    assert_eq!(
        failure(with_text().with_parameter("tags", "[1]")),
        "parameter \"tags\": [0]: expected a string, got the number 1"
    );
    assert_eq!(
        failure(with_text().with_parameter("colour", "red")),
        "unknown parameter \"colour\" (this module accepts: text, width, loud, ratio, shape-name, tags, limits)"
    );
    assert_eq!(
        failure(with_text().with_plugin_option("styel", "x")),
        "unknown plugin option \"styel\" (this module accepts: style)"
    );
    assert_eq!(
        failure(with_text().with_plugin_option("style", true)),
        "plugin option \"style\": expected a string, got the boolean true"
    );
}

#[derive(FromInvocation)]
struct Copy {
    input: InputArtifact,
    #[step(default = "/copy.txt")]
    path: String,
}

#[derive(IntoResult)]
struct Copied {
    #[step(message)]
    message: String,
    copy: OutputArtifact,
    also: Option<ArtifactRef>,
}

fn copy(inputs: Copy) -> anyhow::Result<Copied> {
    let mut text = String::new();
    inputs.input.open()?.read_to_string(&mut text)?;
    let mut copy = OutputArtifact::create("copy", inputs.path)?;
    copy.write_all(text.to_uppercase().as_bytes())?;
    let also = write_output_artifact("also", "/also.txt", b"also")?;
    Ok(Copied { message: format!("copied {} bytes", text.len()), copy, also: Some(also) })
}

#[test]
fn artifact_fields_in_and_out() {
    let run = StepTest::new(PluginInvocation::new("wf")).input_artifact("input", "/in.txt", "hello").run(copy);
    assert_eq!(run.result.message, "copied 5 bytes");
    assert_eq!(run.output_artifact("copy").unwrap(), b"HELLO", "an OutputArtifact field is flushed");
    assert_eq!(run.output_artifact("also").unwrap(), b"also");
    assert_eq!(run.result.outputs.artifacts[0].path, "/copy.txt");

    let missing = run_step(copy, PluginInvocation::new("wf"));
    assert_eq!(missing.result.phase, Phase::Failed);
    assert_eq!(
        missing.result.message,
        "missing input artifact \"input\" (add it to the template's inputs.artifacts; the invocation has none)"
    );
}

#[derive(FromInvocation)]
#[step(allow_unknown)]
struct Lenient {
    count: u32,
}

fn count(inputs: Lenient) -> PluginResult {
    PluginResult::succeeded("counted").with_parameter("count", inputs.count + 1)
}

#[test]
fn allow_unknown_accepts_other_parameters() {
    let run = run_step(count, PluginInvocation::new("wf").with_parameter("count", 2).with_parameter("other", "x"));
    assert_eq!(run.result.output_parameter("count"), Some(&Value::from(3)));
}

#[derive(serde::Serialize)]
struct Report {
    name: &'static str,
    sizes: Vec<u32>,
    ratio: f64,
}

fn serialized(_: PluginInvocation) -> PluginResult {
    let mut bad = BTreeMap::new();
    bad.insert(vec![1u8], "a list cannot be a key");
    PluginResult::succeeded("serialized")
        .with_parameter("report", Report { name: "r", sizes: vec![1, 2], ratio: 0.25 })
        .with_parameter("bad", bad)
}

#[test]
fn with_parameter_takes_any_serialize_and_fails_on_what_json_cannot_hold() {
    let result = serialized(PluginInvocation::new("wf"));
    assert_eq!(
        result.output_parameter("report").map(Value::to_string).as_deref(),
        Some(r#"{"name":"r","sizes":[1,2],"ratio":0.25}"#)
    );
    assert_eq!(result.phase, Phase::Failed);
    assert_eq!(
        result.message,
        "output parameter \"bad\" cannot be written as JSON: a map key must be a string, a number or a boolean, not an array of 1 elements"
    );
    assert_eq!(run_step(serialized, PluginInvocation::new("wf")).result.message, result.message);
}
