//! What Argo's agent sends to `POST /api/v1/template.execute`
//! (`{"workflow": {"metadata": {name, namespace?, uid?}}, "template": …}`),
//! read with serde_json, and the step it asks for when the template's
//! `plugin` is `wasm`. Every number in it is read with checked conversions:
//! out of range is a message, never a panic.

use std::time::Duration;

use serde_json::Value;
use wasm_workflows_sdk::protocol::{ArtifactRef, Parameter, PluginInvocation, S3Artifact};

use crate::json_documents::from_json;

/// What a request asks for.
#[derive(Debug)]
pub enum Incoming {
    /// A template that is not this plugin's: answered `{}`, whatever else is
    /// wrong with the request (an error would fail the node for every plugin).
    NotOurs,
    /// A `plugin.wasm` template; the error says what is malformed in the
    /// request (answered as a `Failed` node).
    Wasm(Result<ExecuteRequest, String>),
}

/// A request for a `plugin.wasm` step.
#[derive(Debug, Clone)]
pub struct ExecuteRequest {
    /// The workflow's name.
    pub workflow_name: String,
    /// The workflow's identity for this host: its uid, else namespace/name.
    pub workflow_id: String,
    /// The template, as sent.
    pub template: Value,
}

/// Reads a request body; the error (answered with 400) says why it is not
/// one: it is not a JSON object at all.
pub fn read(body: &[u8]) -> Result<Incoming, String> {
    let request: Value =
        serde_json::from_slice(body).map_err(|e| format!("the request body is not valid JSON: {e}"))?;
    if !request.is_object() {
        return Err("the request body is not a JSON object".into());
    }
    if request.pointer("/template/plugin/wasm").is_none() {
        return Ok(Incoming::NotOurs);
    }
    Ok(Incoming::Wasm(ExecuteRequest::of(request)))
}

impl ExecuteRequest {
    fn of(mut request: Value) -> Result<ExecuteRequest, String> {
        let text_of = |key: &str| {
            request
                .pointer(&format!("/workflow/metadata/{key}"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let workflow_name = text_of("name").ok_or("the request has no workflow.metadata.name")?;
        let workflow_id = match (text_of("uid"), text_of("namespace")) {
            (Some(uid), _) => uid,
            (None, Some(namespace)) => format!("{namespace}/{workflow_name}"),
            (None, None) => workflow_name.clone(),
        };
        let template = match request.get_mut("template").map(Value::take) {
            Some(template @ Value::Object(_)) => template,
            _ => return Err("the request has no template object".into()),
        };
        Ok(ExecuteRequest { workflow_name, workflow_id, template })
    }

    /// The template's name, for logs.
    pub fn template_name(&self) -> &str {
        self.template.get("name").and_then(Value::as_str).unwrap_or("(unnamed)")
    }
}

/// The keys of `plugin.wasm` that are the host's, not plugin options for the
/// module: the module, its permissions, and whether a pool may run it again
/// ([`IDEMPOTENT_OPTION`](super::IDEMPOTENT_OPTION)).
pub const HOST_KEYS: [&str; 3] = ["module", "permissions", super::IDEMPOTENT_OPTION];

/// An output artifact the template declares, and the key it gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredOutput {
    /// The artifact's name.
    pub name: String,
    /// `s3.key`, when the template sets one.
    pub key: Option<String>,
}

/// A step to run: the module, its permissions, and its invocation.
#[derive(Debug, Clone)]
pub struct WasmStep {
    /// The module's image reference (`module.oci`).
    pub image: String,
    /// `permissions.http.allowed_hosts`.
    pub allowed_hosts: Vec<String>,
    /// The template's own `timeout` (a Go duration such as `90s`), if set.
    pub timeout: Option<Duration>,
    /// What the module finds in `input.json`.
    pub invocation: PluginInvocation,
    /// The template's `outputs.artifacts`: the only place output keys come from.
    pub declared_outputs: Vec<DeclaredOutput>,
}

impl WasmStep {
    /// The step of `request`'s `plugin.wasm` block; the error says what is
    /// wrong in the template (reported as a `Failed` node).
    pub fn of(request: &ExecuteRequest) -> Result<WasmStep, String> {
        let plugin = request.template.pointer("/plugin/wasm").unwrap_or(&Value::Null);
        let members = plugin.as_object().ok_or("plugin.wasm must be an object")?;
        let image = match plugin.pointer("/module/oci") {
            Some(Value::String(image)) if !image.trim().is_empty() => image.trim().to_owned(),
            Some(other) => {
                return Err(format!("plugin.wasm.module.oci must be an image reference, not {}", describe(other)));
            }
            None => {
                return Err("plugin.wasm.module has no `oci` image reference (the only module source this host \
                            supports): write `module: {oci: REGISTRY/REPOSITORY:TAG}`"
                    .into());
            }
        };
        let allowed_hosts = match plugin.pointer("/permissions/http/allowed_hosts") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(hosts)) => hosts
                .iter()
                .map(|host| {
                    host.as_str().map(str::to_owned).ok_or_else(|| {
                        format!("plugin.wasm.permissions.http.allowed_hosts must hold strings, not {}", describe(host))
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "plugin.wasm.permissions.http.allowed_hosts must be a list of origins, not {}",
                    describe(other)
                ));
            }
        };
        let timeout = match request.template.get("timeout") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(parse_go_duration(text).map_err(|problem| {
                format!("the template's timeout \"{text}\" is not a duration such as 90s or 5m: {problem}")
            })?),
            Some(other) => {
                return Err(format!("the template's timeout must be a duration text, not {}", describe(other)));
            }
        };
        let mut invocation = PluginInvocation::new(&request.workflow_name);
        invocation.plugin_options = members
            .iter()
            .filter(|(key, _)| !HOST_KEYS.contains(&key.as_str()))
            .map(|(key, value)| Parameter { name: key.clone(), value: from_json(value.clone()) })
            .collect();
        let inputs = request.template.get("inputs");
        invocation.parameters = list(inputs, "parameters")
            .iter()
            .filter_map(|parameter| {
                let name = parameter.get("name")?.as_str()?;
                // An input without a value has its default in Argo; none at all is an empty string.
                let value = parameter.get("value").or_else(|| parameter.get("default")).cloned();
                Some(Parameter { name: name.to_owned(), value: from_json(value.unwrap_or_else(|| "".into())) })
            })
            .collect();
        invocation.artifacts = list(inputs, "artifacts")
            .iter()
            .filter_map(|artifact| {
                let name = artifact.get("name")?.as_str()?;
                let path = artifact.get("path").and_then(Value::as_str).unwrap_or(name);
                Some(ArtifactRef {
                    name: name.to_owned(),
                    path: path.to_owned(),
                    s3: s3_key(artifact).map(|key| S3Artifact { key }),
                })
            })
            .collect();
        let declared_outputs = list(request.template.get("outputs"), "artifacts")
            .iter()
            .filter_map(|artifact| {
                let name = artifact.get("name").and_then(Value::as_str)?;
                Some(DeclaredOutput { name: name.to_owned(), key: s3_key(artifact) })
            })
            .collect();
        Ok(WasmStep { image, allowed_hosts, timeout, invocation, declared_outputs })
    }
}

fn s3_key(artifact: &Value) -> Option<String> {
    artifact.pointer("/s3/key").and_then(Value::as_str).filter(|key| !key.is_empty()).map(str::to_owned)
}

fn list<'a>(object: Option<&'a Value>, key: &str) -> &'a [Value] {
    object.and_then(|o| o.get(key)).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn describe(value: &Value) -> String {
    from_json(value.clone()).describe()
}

/// A Go duration (`300ms`, `1.5h`, `2h45m`, `90s`), as Argo writes a
/// template's timeout; a bare number is seconds. The error says what is wrong.
pub fn parse_go_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let seconds = match text.parse::<f64>() {
        Ok(seconds) => seconds,
        Err(_) => {
            let mut total = 0.0;
            let mut rest = text;
            if rest.is_empty() {
                return Err("it is empty".into());
            }
            while !rest.is_empty() {
                let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or("it has no unit")?;
                let number: f64 =
                    rest[..number_end].parse().map_err(|_| format!("\"{}\" is not a number", &rest[..number_end]))?;
                rest = &rest[number_end..];
                let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
                let unit = match &rest[..unit_end] {
                    "ns" => 1e-9,
                    "us" | "µs" => 1e-6,
                    "ms" => 1e-3,
                    "s" => 1.0,
                    "m" => 60.0,
                    "h" => 3600.0,
                    other => return Err(format!("\"{other}\" is not a unit (ns, us, ms, s, m, h)")),
                };
                total += number * unit;
                rest = &rest[unit_end..];
            }
            total
        }
    };
    if seconds < 0.0 {
        return Err("it is negative".into());
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| "it is out of range".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("2h45m"), Ok(Duration::from_secs(2 * 3600 + 45 * 60)));
        assert_eq!(parse_go_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("300ms"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_go_duration("30"), Ok(Duration::from_secs(30)));
        assert!(parse_go_duration("5 minutes").is_err());
        assert!(parse_go_duration("s").is_err());
        assert!(parse_go_duration("").is_err());
        assert!(parse_go_duration("-5s").is_err());
    }

    #[test]
    fn durations_out_of_range_are_errors_not_panics() {
        for text in ["1e20", "99999999999999999999h", "inf", "NaN", "1e400", "1.7976931348623157e308s"] {
            assert!(parse_go_duration(text).is_err(), "{text}");
        }
    }

    fn wasm(body: &str) -> Result<ExecuteRequest, String> {
        match read(body.as_bytes()).unwrap() {
            Incoming::Wasm(request) => request,
            Incoming::NotOurs => panic!("not ours: {body}"),
        }
    }

    #[test]
    fn the_workflows_identity_prefers_its_uid() {
        let plugin = r#""template": {"plugin": {"wasm": {}}}"#;
        let body =
            format!(r#"{{"workflow": {{"metadata": {{"name": "w", "namespace": "argo", "uid": "1234"}}}}, {plugin}}}"#);
        assert_eq!(wasm(&body).unwrap().workflow_id, "1234");
        let body = format!(r#"{{"workflow": {{"metadata": {{"name": "w", "namespace": "argo"}}}}, {plugin}}}"#);
        assert_eq!(wasm(&body).unwrap().workflow_id, "argo/w");
        let body = format!(r#"{{"workflow": {{"metadata": {{"name": "w"}}}}, {plugin}}}"#);
        assert_eq!(wasm(&body).unwrap().workflow_id, "w");
    }

    #[test]
    fn a_template_that_is_not_ours_is_not_ours_whatever_else_is_wrong() {
        for body in
            [r#"{"template": {}}"#, r#"{}"#, r#"{"template": {"plugin": {"other": {}}}}"#, r#"{"template": []}"#]
        {
            assert!(matches!(read(body.as_bytes()), Ok(Incoming::NotOurs)), "{body}");
        }
    }

    #[test]
    fn a_malformed_request_says_what_is_wrong() {
        assert!(read(b"{").unwrap_err().starts_with("the request body is not valid JSON"));
        assert_eq!(read(b"[1]").unwrap_err(), "the request body is not a JSON object");
        assert_eq!(
            wasm(r#"{"template": {"plugin": {"wasm": {}}}}"#).unwrap_err(),
            "the request has no workflow.metadata.name"
        );
    }
}
