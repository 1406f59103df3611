//! The answer to Argo's agent: `{"node": {phase, message, outputs},
//! "requeue"?}`, or `{}` for a template that is not this plugin's.

use std::time::Duration;

use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Parameter, PluginResult};

/// The body for a template that is not this plugin's: Argo asks the next plugin.
pub const NOT_OURS: &str = "{}";

/// A node, as Argo reads it.
pub fn node(result: &PluginResult) -> String {
    let mut node = vec![
        ("phase".to_owned(), Value::from(result.phase.as_str())),
        ("message".to_owned(), Value::from(result.message.as_str())),
    ];
    let outputs = &result.outputs;
    if !outputs.parameters.is_empty() || !outputs.artifacts.is_empty() {
        let mut members = Vec::new();
        if !outputs.parameters.is_empty() {
            members.push(("parameters".to_owned(), Value::Array(outputs.parameters.iter().map(parameter).collect())));
        }
        if !outputs.artifacts.is_empty() {
            let artifacts = outputs.artifacts.iter().map(|artifact| {
                let mut members = vec![
                    ("name".to_owned(), Value::from(artifact.name.as_str())),
                    ("path".to_owned(), Value::from(artifact.path.as_str())),
                ];
                if let Some(s3) = &artifact.s3 {
                    members
                        .push(("s3".to_owned(), Value::Object(vec![("key".to_owned(), Value::from(s3.key.as_str()))])));
                }
                Value::Object(members)
            });
            members.push(("artifacts".to_owned(), Value::Array(artifacts.collect())));
        }
        node.push(("outputs".to_owned(), Value::Object(members)));
    }
    Value::Object(vec![("node".to_owned(), Value::Object(node))]).to_string()
}

/// A `Running` node that asks Argo to send the request again after `requeue`.
pub fn running(message: &str, requeue: Duration) -> String {
    let node =
        Value::Object(vec![("phase".to_owned(), Value::from("Running")), ("message".to_owned(), Value::from(message))]);
    Value::Object(vec![("node".to_owned(), node), ("requeue".to_owned(), Value::from(go_duration(requeue)))])
        .to_string()
}

/// An output parameter as Argo takes it: its value a string, number or
/// boolean; other JSON (an object, a list) as its JSON text.
fn parameter(parameter: &Parameter) -> Value {
    let value = match &parameter.value {
        Value::Null => Value::from(""),
        value @ (Value::String(_) | Value::Number(_) | Value::Bool(_)) => value.clone(),
        other => Value::from(other.to_string()),
    };
    Value::Object(vec![("name".to_owned(), Value::from(parameter.name.as_str())), ("value".to_owned(), value)])
}

/// A duration as Go writes one (`5s`, `1.5s`).
pub fn go_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis.is_multiple_of(1000) { format!("{}s", millis / 1000) } else { format!("{millis}ms") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_workflows_sdk::protocol::ArtifactRef;

    #[test]
    fn outputs_are_what_argo_reads() {
        let mut artifact = ArtifactRef::new("report", "/report.csv");
        artifact.s3 = Some(wasm_workflows_sdk::protocol::S3Artifact { key: "w/w-1/report".into() });
        let result = PluginResult::succeeded("done")
            .with_parameter("text", "Grüße")
            .with_parameter("count", 3)
            .with_parameter("ok", true)
            .with_parameter("headers", Value::Object(vec![("a".into(), "b".into())]))
            .with_artifact(artifact);
        assert_eq!(
            node(&result),
            r#"{"node":{"phase":"Succeeded","message":"done","outputs":{"parameters":[{"name":"text","value":"Grüße"},{"name":"count","value":3},{"name":"ok","value":true},{"name":"headers","value":"{\"a\":\"b\"}"}],"artifacts":[{"name":"report","path":"/report.csv","s3":{"key":"w/w-1/report"}}]}}}"#
        );
        assert_eq!(node(&PluginResult::failed("no")), r#"{"node":{"phase":"Failed","message":"no"}}"#);
        assert_eq!(
            running("still at it", Duration::from_secs(5)),
            r#"{"node":{"phase":"Running","message":"still at it"},"requeue":"5s"}"#
        );
        assert_eq!(go_duration(Duration::from_millis(1500)), "1500ms");
    }
}
