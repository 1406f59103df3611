//! How the host reads the JSON documents others write: a module's
//! `result.json`, an invocation given to `run`, Argo's requests. They are
//! parsed with serde_json into the SDK's wire types; the SDK's own small
//! parser stays in the guest, where it keeps modules small, and never reads
//! what a module or Argo sends the host.

use serde_json::{Map, Value as Json};
use wasm_workflows_sdk::json::{Number, Value};
use wasm_workflows_sdk::protocol::{
    ArtifactRef, Outputs, Parameter, Phase, PluginInvocation, PluginResult, S3Artifact,
};

/// A serde_json value as the SDK's.
pub fn from_json(value: Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Number(n) => Number::from_text(&n.to_string()).map_or(Value::Null, Value::Number),
        Json::String(s) => Value::String(s),
        Json::Array(items) => Value::Array(items.into_iter().map(from_json).collect()),
        Json::Object(members) => Value::Object(members.into_iter().map(|(k, v)| (k, from_json(v))).collect()),
    }
}

/// What kind of value `value` is, for messages, as the SDK says it.
fn describe(value: &Json) -> String {
    from_json(value.clone()).describe()
}

/// The members of an object, taken one by one.
struct Members(Map<String, Json>);

impl Members {
    fn of(value: Json, what: &str) -> Result<Members, String> {
        match value {
            Json::Object(members) => Ok(Members(members)),
            other => Err(format!("{what} must be a JSON object, not {}", describe(&other))),
        }
    }

    fn take(&mut self, name: &str) -> Option<Json> {
        self.0.remove(name)
    }

    fn string(&mut self, name: &str) -> Result<String, String> {
        match self.take(name) {
            Some(Json::String(s)) => Ok(s),
            Some(other) => Err(format!("\"{name}\" must be a string, not {}", describe(&other))),
            None => Err(format!("\"{name}\" is missing")),
        }
    }

    fn list<T>(&mut self, name: &str, convert: fn(Json) -> Result<T, String>) -> Result<Vec<T>, String> {
        let items = match self.take(name) {
            None | Some(Json::Null) => return Ok(Vec::new()),
            Some(Json::Array(items)) => items,
            Some(other) => return Err(format!("\"{name}\" must be an array, not {}", describe(&other))),
        };
        items.into_iter().enumerate().map(|(i, item)| convert(item).map_err(|e| format!("{name}[{i}]: {e}"))).collect()
    }
}

fn parameter(value: Json) -> Result<Parameter, String> {
    let mut parameter = Members::of(value, "a parameter")?;
    Ok(Parameter { name: parameter.string("name")?, value: from_json(parameter.take("value").unwrap_or(Json::Null)) })
}

fn artifact(value: Json) -> Result<ArtifactRef, String> {
    let mut artifact = Members::of(value, "an artifact")?;
    let s3 = match artifact.take("s3") {
        None | Some(Json::Null) => None,
        Some(s3) => Some(S3Artifact { key: Members::of(s3, "\"s3\"")?.string("key").map_err(|e| format!("s3: {e}"))? }),
    };
    Ok(ArtifactRef { name: artifact.string("name")?, path: artifact.string("path")?, s3 })
}

/// An output artifact a module lists in `result.json`: its name and path
/// only. Where it is stored is the host's choice (the template's key or the
/// repository's format), so an `s3` the module writes is not read at all.
fn output_artifact(value: Json) -> Result<ArtifactRef, String> {
    let mut artifact = Members::of(value, "an artifact")?;
    Ok(ArtifactRef { name: artifact.string("name")?, path: artifact.string("path")?, s3: None })
}

fn parse(bytes: &[u8]) -> Result<Json, String> {
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

/// The most of a module's `message` the host keeps, in bytes. A node's
/// message is stored in the workflow object (etcd holds at most about
/// 1.5 MiB an object) and `serve` builds every answer in one process, so a
/// module may not hand either the 16 MiB its `result.json` may hold.
pub const MAX_MESSAGE_BYTES: usize = 8 << 10;

/// `message` cut to at most [`MAX_MESSAGE_BYTES`] on a character boundary,
/// ending with how many bytes were cut when any were.
pub fn message_excerpt(mut message: String) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message;
    }
    let kept = message.floor_char_boundary(MAX_MESSAGE_BYTES);
    let cut = message.len() - kept;
    message.truncate(kept);
    message.push_str(&format!("… ({cut} bytes cut)"));
    message
}

/// Parses `result.json`; the error says what is wrong with it. The message
/// is kept as [`message_excerpt`] cuts it.
pub fn parse_result(bytes: &[u8]) -> Result<PluginResult, String> {
    if std::str::from_utf8(bytes).is_err() {
        return Err("it is not UTF-8 text".into());
    }
    let mut result = Members::of(parse(bytes)?, "result.json")?;
    let phase = match result.take("phase") {
        Some(Json::String(s)) if s == "Succeeded" => Phase::Succeeded,
        Some(Json::String(s)) if s == "Failed" => Phase::Failed,
        Some(other) => return Err(format!("\"phase\" must be \"Succeeded\" or \"Failed\", not {}", describe(&other))),
        None => return Err("\"phase\" is missing".into()),
    };
    let message = message_excerpt(result.string("message")?);
    let outputs = match result.take("outputs") {
        None | Some(Json::Null) => Outputs::default(),
        Some(outputs) => {
            let mut outputs = Members::of(outputs, "\"outputs\"")?;
            Outputs {
                artifacts: outputs.list("artifacts", output_artifact)?,
                parameters: outputs.list("parameters", parameter)?,
            }
        }
    };
    Ok(PluginResult { phase, message, outputs })
}

/// Parses an invocation (`input.json`), as `run --invocation` reads one.
pub fn parse_invocation(bytes: &[u8]) -> Result<PluginInvocation, String> {
    let mut invocation = Members::of(parse(bytes).map_err(|e| format!("not valid JSON: {e}"))?, "an invocation")?;
    Ok(PluginInvocation {
        workflow_name: match invocation.take("workflow_name") {
            None | Some(Json::Null) => String::new(),
            Some(Json::String(name)) => name,
            Some(other) => return Err(format!("\"workflow_name\" must be a string, not {}", describe(&other))),
        },
        plugin_options: invocation.list("plugin_options", parameter)?,
        parameters: invocation.list("parameters", parameter)?,
        artifacts: invocation.list("artifacts", artifact)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_is_cut_on_a_character_boundary() {
        let short = "é".repeat(MAX_MESSAGE_BYTES / 2);
        assert_eq!(message_excerpt(short.clone()), short);
        let long = format!("a{}", "é".repeat(MAX_MESSAGE_BYTES));
        let kept = format!("a{}", "é".repeat(MAX_MESSAGE_BYTES / 2 - 1));
        let cut = long.len() - kept.len();
        assert_eq!(message_excerpt(long), format!("{kept}… ({cut} bytes cut)"));
        let result = parse_result(format!(r#"{{"phase": "Failed", "message": "{}"}}"#, "x".repeat(1 << 20)).as_bytes());
        let message = result.unwrap().message;
        assert_eq!(
            message,
            format!("{}… ({} bytes cut)", "x".repeat(MAX_MESSAGE_BYTES), (1 << 20) - MAX_MESSAGE_BYTES)
        );
    }

    #[test]
    fn results_read_as_the_sdk_writes_them() {
        let written = PluginResult::succeeded("done")
            .with_parameter("n", 3)
            .with_parameter("text", "Grüße \"quoted\"")
            .with_artifact(ArtifactRef::new("out", "/o.txt"));
        assert_eq!(parse_result(written.to_json_text().as_bytes()).unwrap(), written);
        assert_eq!(parse_result(written.to_json().to_string_pretty().as_bytes()).unwrap(), written);
    }

    #[test]
    fn an_s3_key_in_a_result_is_not_read() {
        let result = parse_result(
            br#"{"phase": "Succeeded", "message": "m", "outputs": {"artifacts": [{"name": "a", "path": "/a", "s3": {"key": "other/secret"}}]}}"#,
        )
        .unwrap();
        assert_eq!(result.outputs.artifacts, vec![ArtifactRef::new("a", "/a")]);
        let result = parse_result(
            br#"{"phase": "Failed", "message": "m", "outputs": {"artifacts": [{"name": "a", "path": "/a", "s3": 7}]}}"#,
        )
        .unwrap();
        assert_eq!(result.outputs.artifacts[0].s3, None);
    }

    #[test]
    fn a_broken_result_says_what_is_wrong() {
        assert_eq!(parse_result(br#"{"message": "m"}"#).unwrap_err(), "\"phase\" is missing");
        assert_eq!(
            parse_result(br#"{"phase": "Done", "message": "m"}"#).unwrap_err(),
            "\"phase\" must be \"Succeeded\" or \"Failed\", not the string \"Done\""
        );
        assert_eq!(
            parse_result(br#"{"phase": "Failed", "message": "m", "outputs": {"parameters": [{"value": 1}]}}"#)
                .unwrap_err(),
            "parameters[0]: \"name\" is missing"
        );
        assert_eq!(parse_result(b"[1]").unwrap_err(), "result.json must be a JSON object, not an array of 1 elements");
        assert_eq!(parse_result(b"\xff").unwrap_err(), "it is not UTF-8 text");
        assert!(parse_result(b"{\"phase\": ").unwrap_err().contains("line 1 column 10"));
    }

    #[test]
    fn invocations_read_as_the_sdk_writes_them() {
        let invocation = PluginInvocation::new("w")
            .with_parameter("a", "1")
            .with_plugin_option("level", 2.5)
            .with_plugin_option(
                "deep",
                Value::Object(vec![("list".into(), Value::Array(vec![Value::Null, true.into()]))]),
            )
            .with_artifact("in", "/in.txt");
        assert_eq!(parse_invocation(invocation.to_json().to_string_pretty().as_bytes()).unwrap(), invocation);
        assert_eq!(parse_invocation(b"{}").unwrap(), PluginInvocation::default());
        assert_eq!(
            parse_invocation(b"[]").unwrap_err(),
            "an invocation must be a JSON object, not an array of 0 elements"
        );
    }
}
