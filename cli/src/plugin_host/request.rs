//! What Argo's agent sends to `POST /api/v1/template.execute`
//! (`{"workflow": {"metadata": {name, namespace?, uid?}}, "template": …}`),
//! and the step it asks for when the template's `plugin` is `wasm`.

use std::time::Duration;

use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::protocol::{ArtifactRef, Parameter, PluginInvocation, S3Artifact};

/// A request the host understood.
#[derive(Debug, Clone)]
pub struct ExecuteRequest {
    /// The workflow's name.
    pub workflow_name: String,
    /// The workflow's identity for this host: its uid, else namespace/name.
    pub workflow_id: String,
    /// The template, as sent.
    pub template: Value,
}

impl ExecuteRequest {
    /// Parses the body; the error says what is malformed (answered with 400).
    pub fn parse(body: &[u8]) -> Result<ExecuteRequest, String> {
        let text = std::str::from_utf8(body).map_err(|_| "the request body is not UTF-8 text".to_owned())?;
        let request = json::parse(text).map_err(|e| format!("the request body is not valid JSON: {e}"))?;
        let metadata = request.get("workflow").and_then(|w| w.get("metadata"));
        let text_of = |key: &str| metadata.and_then(|m| m.get(key)).and_then(Value::as_str).filter(|s| !s.is_empty());
        let workflow_name = text_of("name").ok_or("the request has no workflow.metadata.name")?.to_owned();
        let template = match request.get("template") {
            Some(template @ Value::Object(_)) => template.clone(),
            _ => return Err("the request has no template object".into()),
        };
        let workflow_id = match (text_of("uid"), text_of("namespace")) {
            (Some(uid), _) => uid.to_owned(),
            (None, Some(namespace)) => format!("{namespace}/{workflow_name}"),
            (None, None) => workflow_name.clone(),
        };
        Ok(ExecuteRequest { workflow_name, workflow_id, template })
    }

    /// The `plugin.wasm` block, when the template is this plugin's.
    pub fn wasm_plugin(&self) -> Option<&Value> {
        self.template.get("plugin").and_then(|plugin| plugin.get("wasm"))
    }
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
    /// The names of the template's `outputs.artifacts`.
    pub declared_outputs: Vec<String>,
}

impl WasmStep {
    /// The step of `request`'s `plugin.wasm` block `plugin`; the error says
    /// what is wrong in the template (reported as a `Failed` node).
    pub fn of(request: &ExecuteRequest, plugin: &Value) -> Result<WasmStep, String> {
        let members = plugin.as_object().ok_or("plugin.wasm must be an object")?;
        let image = match plugin.get("module").and_then(|module| module.get("oci")) {
            Some(Value::String(image)) if !image.trim().is_empty() => image.trim().to_owned(),
            Some(other) => {
                return Err(format!("plugin.wasm.module.oci must be an image reference, not {}", other.describe()));
            }
            None => {
                return Err("plugin.wasm.module has no `oci` image reference (the only module source this host \
                            supports): write `module: {oci: REGISTRY/REPOSITORY:TAG}`"
                    .into());
            }
        };
        let allowed_hosts = match plugin
            .get("permissions")
            .and_then(|p| p.get("http"))
            .and_then(|h| h.get("allowed_hosts"))
        {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(hosts)) => hosts
                .iter()
                .map(|host| {
                    host.as_str().map(str::to_owned).ok_or_else(|| {
                        format!("plugin.wasm.permissions.http.allowed_hosts must hold strings, not {}", host.describe())
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "plugin.wasm.permissions.http.allowed_hosts must be a list of origins, not {}",
                    other.describe()
                ));
            }
        };
        let timeout = match request.template.get("timeout") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(
                parse_go_duration(text)
                    .ok_or_else(|| format!("the template's timeout \"{text}\" is not a duration such as 90s or 5m"))?,
            ),
            Some(other) => {
                return Err(format!("the template's timeout must be a duration text, not {}", other.describe()));
            }
        };
        let mut invocation = PluginInvocation::new(&request.workflow_name);
        invocation.plugin_options = members
            .iter()
            .filter(|(key, _)| key != "module" && key != "permissions")
            .map(|(key, value)| Parameter::new(key, value.clone()))
            .collect();
        let inputs = request.template.get("inputs");
        invocation.parameters = list(inputs, "parameters")
            .iter()
            .filter_map(|parameter| {
                let name = parameter.get("name")?.as_str()?;
                // An input without a value has its default in Argo; none at all is an empty string.
                let value = parameter.get("value").or_else(|| parameter.get("default")).cloned();
                Some(Parameter::new(name, value.unwrap_or_else(|| Value::from(""))))
            })
            .collect();
        invocation.artifacts = list(inputs, "artifacts")
            .iter()
            .filter_map(|artifact| {
                let name = artifact.get("name")?.as_str()?;
                let path = artifact.get("path").and_then(Value::as_str).unwrap_or(name);
                let key = artifact.get("s3").and_then(|s3| s3.get("key")).and_then(Value::as_str);
                Some(ArtifactRef {
                    name: name.to_owned(),
                    path: path.to_owned(),
                    s3: key.map(|key| S3Artifact { key: key.to_owned() }),
                })
            })
            .collect();
        let declared_outputs = list(request.template.get("outputs"), "artifacts")
            .iter()
            .filter_map(|artifact| artifact.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        Ok(WasmStep { image, allowed_hosts, timeout, invocation, declared_outputs })
    }
}

fn list<'a>(object: Option<&'a Value>, key: &str) -> &'a [Value] {
    object.and_then(|o| o.get(key)).and_then(Value::as_array).unwrap_or_default()
}

/// A Go duration (`300ms`, `1.5h`, `2h45m`, `90s`), as Argo writes a
/// template's timeout; a bare number is seconds.
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return (seconds >= 0.0 && seconds.is_finite()).then(|| Duration::from_secs_f64(seconds));
    }
    let mut total = 0.0;
    let mut rest = text;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += number * unit;
        rest = &rest[unit_end..];
    }
    Some(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("2h45m"), Some(Duration::from_secs(2 * 3600 + 45 * 60)));
        assert_eq!(parse_go_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("300ms"), Some(Duration::from_millis(300)));
        assert_eq!(parse_go_duration("30"), Some(Duration::from_secs(30)));
        assert_eq!(parse_go_duration("5 minutes"), None);
        assert_eq!(parse_go_duration("s"), None);
    }

    #[test]
    fn the_workflows_identity_prefers_its_uid() {
        let body = br#"{"workflow": {"metadata": {"name": "w", "namespace": "argo", "uid": "1234"}}, "template": {}}"#;
        assert_eq!(ExecuteRequest::parse(body).unwrap().workflow_id, "1234");
        let body = br#"{"workflow": {"metadata": {"name": "w", "namespace": "argo"}}, "template": {}}"#;
        assert_eq!(ExecuteRequest::parse(body).unwrap().workflow_id, "argo/w");
        let body = br#"{"workflow": {"metadata": {"name": "w"}}, "template": {}}"#;
        assert_eq!(ExecuteRequest::parse(body).unwrap().workflow_id, "w");
    }

    #[test]
    fn a_malformed_request_says_what_is_wrong() {
        assert_eq!(
            ExecuteRequest::parse(b"{").unwrap_err().split(':').next(),
            Some("the request body is not valid JSON")
        );
        assert_eq!(
            ExecuteRequest::parse(br#"{"template": {}}"#).unwrap_err(),
            "the request has no workflow.metadata.name"
        );
        assert_eq!(
            ExecuteRequest::parse(br#"{"workflow": {"metadata": {"name": "w"}}, "template": []}"#).unwrap_err(),
            "the request has no template object"
        );
    }
}
