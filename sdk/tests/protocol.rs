//! The wire format against the host's own examples.

use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::protocol::{ArtifactRef, Phase, PluginInvocation, PluginResult};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn the_documented_invocation_has_no_artifacts_and_is_accepted() {
    let invocation = PluginInvocation::from_json(&fixture("plugin-invocation.example.json")).unwrap();
    assert_eq!(invocation.workflow_name, "My Workflow Example");
    assert_eq!(invocation.plugin_options[0].name, "my option");
    assert_eq!(invocation.plugin_options[0].value.as_u64(), Some(42));
    assert_eq!(invocation.parameters[0].value.as_str(), Some("Hello World"));
    assert!(invocation.artifacts.is_empty());
}

#[test]
fn invocations_round_trip() {
    let original = PluginInvocation::from_json(&fixture("plugin-invocation.example.json")).unwrap();
    let again = PluginInvocation::from_json(&original.to_json().to_string()).unwrap();
    assert_eq!(again, original);

    let text = r#"{"workflow_name":"wf","plugin_options":[],"parameters":[{"name":"n","value":{"a":[1,"2"]}}],
                   "artifacts":[{"name":"message","path":"/tmp/message","s3":{"key":"hello/art.tgz"}}]}"#;
    let invocation = PluginInvocation::from_json(text).unwrap();
    assert_eq!(invocation.artifacts[0].s3.as_ref().unwrap().key, "hello/art.tgz");
    assert_eq!(PluginInvocation::from_json(&invocation.to_json().to_string()).unwrap(), invocation);
}

#[test]
fn the_documented_result_round_trips_to_the_same_json() {
    let text = fixture("plugin-result.example.json");
    let result = PluginResult::from_json(&text).unwrap();
    assert_eq!(result.phase, Phase::Succeeded);
    assert_eq!(result.output_parameter("text").and_then(Value::as_str), Some("Guten Tag"));
    assert_eq!(result.to_json(), json::parse(&text).unwrap());
    assert_eq!(result.to_json_text(), result.to_json().to_string());
}

#[test]
fn the_direct_writer_matches_the_value_tree() {
    let mut artifact = ArtifactRef::new("out", "/x \"quoted\".txt");
    artifact.s3 = Some(wasm_workflows_sdk::protocol::S3Artifact { key: "k".into() });
    let result = PluginResult::failed("line\nbreak ✓")
        .with_parameter("a", vec![Value::from(1), Value::Null, Value::from("s")])
        .with_parameter("b", true)
        .with_artifact(artifact)
        .with_artifact(ArtifactRef::new("second", "/2"));
    assert_eq!(result.to_json_text(), result.to_json().to_string());
    assert_eq!(PluginResult::from_json(&result.to_json_text()).unwrap(), result);
}

#[test]
fn a_template_response_node_is_a_result() {
    // The host answers Argo with the node: the same shape as a result.
    let response = json::parse(&fixture("template-execute-response.example.json")).unwrap();
    let node = PluginResult::from_json(&response.get("node").unwrap().to_string()).unwrap();
    assert_eq!(node.output_parameter("message").and_then(Value::as_str), Some("The Länd"));
}

#[test]
fn unknown_fields_are_ignored() {
    let text = r#"{"workflow_name":"wf","plugin_options":[],"parameters":[],"future":{"x":1},
                   "artifacts":[{"name":"a","path":"/a","archive":{"none":{}}}]}"#;
    assert_eq!(PluginInvocation::from_json(text).unwrap().artifacts[0].path, "/a");
    let result = r#"{"phase":"Succeeded","message":"","outputs":{"parameters":[],"exitCode":"0"},"extra":1}"#;
    assert_eq!(PluginResult::from_json(result).unwrap().phase, Phase::Succeeded);
}

#[test]
fn malformed_documents_say_what_is_wrong() {
    let cases = [
        ("[]", "input.json must be a JSON object, not an array of 0 elements"),
        ("{\"parameters\": 3}", "\"parameters\" must be an array, not the number 3"),
        ("{\"parameters\": [{\"value\": 1}]}", "parameters[0]: \"name\" is missing"),
        ("{\"parameters\": [7]}", "parameters[0]: a parameter must be a JSON object, not the number 7"),
        ("{\"artifacts\": [{\"name\": \"a\"}]}", "artifacts[0]: \"path\" is missing"),
        ("{\"workflow_name\": 5}", "\"workflow_name\" must be a string, not the number 5"),
        ("{\"parameters\": [}", "input.json is not valid JSON: expected a JSON value at line 1, column 17"),
    ];
    for (text, message) in cases {
        assert_eq!(PluginInvocation::from_json(text).unwrap_err(), message, "for {text}");
    }
    assert_eq!(
        PluginResult::from_json(r#"{"phase":"Done","message":""}"#).unwrap_err(),
        "\"phase\" must be \"Succeeded\" or \"Failed\", not the string \"Done\""
    );
    assert_eq!(PluginResult::from_json(r#"{"phase":"Failed"}"#).unwrap_err(), "\"message\" is missing");
}
