//! The host's JSON documents: [`PluginInvocation`] (`input.json`) and
//! [`PluginResult`] (`result.json`), wire-compatible with the Argo WASM
//! plugin. Unknown fields are ignored; `artifacts` may be absent.

use serde::Serialize;

use crate::json::{self, Value};

/// A named value: an input or output parameter, or a plugin option.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The name.
    pub name: String,
    /// The value; Argo passes parameter values as strings.
    pub value: Value,
}

impl Parameter {
    /// A parameter with `name` and `value`.
    pub fn new(name: impl Into<String>, value: impl Into<Value>) -> Self {
        Parameter { name: name.into(), value: value.into() }
    }
}

/// Where an input artifact comes from in S3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Artifact {
    /// The object key.
    pub key: String,
}

/// An artifact: its name, its path (below `artifacts-in/` or
/// `artifacts-out/`, leading slash optional) and, for inputs, its S3 key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactRef {
    /// The name.
    pub name: String,
    /// The path, as in the template (e.g. `/tmp/message`).
    pub path: String,
    /// Where the host fetched it from, when it says.
    pub s3: Option<S3Artifact>,
}

impl ArtifactRef {
    /// An artifact reference with `name` and `path`.
    pub fn new(name: impl Into<String>, path: impl Into<String>) -> Self {
        ArtifactRef { name: name.into(), path: path.into(), s3: None }
    }
}

/// What the host passes a step: the contents of `/work/input.json`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PluginInvocation {
    /// The workflow's name.
    pub workflow_name: String,
    /// The keys of the template's `plugin.wasm` block other than `module` and `permissions`.
    pub plugin_options: Vec<Parameter>,
    /// The step's input parameters.
    pub parameters: Vec<Parameter>,
    /// The step's input artifacts (absent in older hosts: empty).
    pub artifacts: Vec<ArtifactRef>,
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The step did what it was asked.
    Succeeded,
    /// The step failed; the message says why.
    Failed,
}

impl Phase {
    /// `"Succeeded"` or `"Failed"`, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Succeeded => "Succeeded",
            Phase::Failed => "Failed",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step's outputs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outputs {
    /// Output artifacts, each written below `artifacts-out/`.
    pub artifacts: Vec<ArtifactRef>,
    /// Output parameters.
    pub parameters: Vec<Parameter>,
}

/// What a step answers: the contents of `/work/result.json`.
///
/// ```
/// use wasm_workflows_sdk::prelude::*;
///
/// let result = PluginResult::succeeded("greeted").with_parameter("greeting", "Hello, World!");
/// assert_eq!(result.phase, Phase::Succeeded);
/// assert_eq!(result.output_parameter("greeting").and_then(|v| v.as_str()), Some("Hello, World!"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PluginResult {
    /// Succeeded or Failed.
    pub phase: Phase,
    /// A message for the workflow's node.
    pub message: String,
    /// Output parameters and artifacts.
    pub outputs: Outputs,
}

impl PluginResult {
    /// A succeeded result with `message` and no outputs yet.
    pub fn succeeded(message: impl Into<String>) -> Self {
        PluginResult { phase: Phase::Succeeded, message: message.into(), outputs: Outputs::default() }
    }

    /// A failed result with `message`.
    pub fn failed(message: impl Into<String>) -> Self {
        PluginResult { phase: Phase::Failed, message: message.into(), outputs: Outputs::default() }
    }

    /// Adds an output parameter: any value serde can serialize (a string, a
    /// number, a [`Value`], a `#[derive(Serialize)]` struct, which becomes a
    /// JSON object).
    ///
    /// A value that cannot be written as JSON (a map whose keys are not
    /// strings, numbers or booleans) makes the result `Failed` with a message
    /// that names the parameter.
    pub fn with_parameter(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        let name = name.into();
        match json::to_value(&value) {
            Ok(value) => self.outputs.parameters.push(Parameter { name, value }),
            Err(error) if self.phase == Phase::Succeeded => {
                self.phase = Phase::Failed;
                self.message = crate::Error::InvalidOutput { name, error }.to_string();
            }
            Err(_) => {}
        }
        self
    }

    /// Adds an output artifact, as returned by
    /// [`OutputArtifact::finish`](crate::artifacts::OutputArtifact::finish).
    pub fn with_artifact(mut self, artifact: ArtifactRef) -> Self {
        self.outputs.artifacts.push(artifact);
        self
    }

    /// The value of output parameter `name`, if set.
    pub fn output_parameter(&self, name: &str) -> Option<&Value> {
        self.outputs.parameters.iter().find(|p| p.name == name).map(|p| &p.value)
    }

    /// Parses `result.json` text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let mut result = Members::of(json::parse(text).map_err(|e| e.to_string())?, "result.json")?;
        let phase = match result.take("phase") {
            Some(Value::String(s)) if s == "Succeeded" => Phase::Succeeded,
            Some(Value::String(s)) if s == "Failed" => Phase::Failed,
            Some(other) => {
                return Err(format!("\"phase\" must be \"Succeeded\" or \"Failed\", not {}", other.describe()));
            }
            None => return Err("\"phase\" is missing".into()),
        };
        let message = result.string("message")?;
        let outputs = match result.take("outputs") {
            None | Some(Value::Null) => Outputs::default(),
            Some(outputs) => {
                let mut outputs = Members::of(outputs, "\"outputs\"")?;
                Outputs {
                    artifacts: outputs.list("artifacts", artifact_from_json)?,
                    parameters: outputs.list("parameters", parameter_from_json)?,
                }
            }
        };
        Ok(PluginResult { phase, message, outputs })
    }

    /// The compact JSON text written to `result.json`: the same as
    /// `to_json().to_string()`, written directly, without copying values.
    pub fn to_json_text(&self) -> String {
        let mut out = format!("{{\"phase\":\"{}\",\"message\":", self.phase.as_str());
        json::write_string(&mut out, &self.message);
        out.push_str(",\"outputs\":{\"artifacts\":[");
        for (i, artifact) in self.outputs.artifacts.iter().enumerate() {
            out.push_str(if i == 0 { "{\"name\":" } else { ",{\"name\":" });
            json::write_string(&mut out, &artifact.name);
            out.push_str(",\"path\":");
            json::write_string(&mut out, &artifact.path);
            if let Some(s3) = &artifact.s3 {
                out.push_str(",\"s3\":{\"key\":");
                json::write_string(&mut out, &s3.key);
                out.push('}');
            }
            out.push('}');
        }
        out.push_str("],\"parameters\":[");
        for (i, parameter) in self.outputs.parameters.iter().enumerate() {
            out.push_str(if i == 0 { "{\"name\":" } else { ",{\"name\":" });
            json::write_string(&mut out, &parameter.name);
            out.push_str(",\"value\":");
            json::write_value(&mut out, &parameter.value, None);
            out.push('}');
        }
        out.push_str("]}}");
        out
    }

    /// The JSON document, as written to `result.json`.
    pub fn to_json(&self) -> Value {
        Value::Object(vec![
            ("phase".into(), self.phase.as_str().into()),
            ("message".into(), self.message.as_str().into()),
            ("outputs".into(), outputs_to_json(&self.outputs)),
        ])
    }
}

/// The `outputs` object: `{"artifacts": [...], "parameters": [...]}`.
pub fn outputs_to_json(outputs: &Outputs) -> Value {
    Value::Object(vec![
        ("artifacts".into(), Value::Array(outputs.artifacts.iter().map(artifact_to_json).collect())),
        ("parameters".into(), Value::Array(outputs.parameters.iter().map(parameter_to_json).collect())),
    ])
}

impl PluginInvocation {
    /// An invocation of workflow `workflow_name` with nothing in it yet.
    pub fn new(workflow_name: impl Into<String>) -> Self {
        PluginInvocation { workflow_name: workflow_name.into(), ..Default::default() }
    }

    /// Adds (or replaces) an input parameter.
    pub fn with_parameter(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        set(&mut self.parameters, Parameter::new(name, value));
        self
    }

    /// Adds (or replaces) a plugin option.
    pub fn with_plugin_option(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        set(&mut self.plugin_options, Parameter::new(name, value));
        self
    }

    /// Adds an input artifact reference.
    pub fn with_artifact(mut self, name: impl Into<String>, path: impl Into<String>) -> Self {
        self.artifacts.push(ArtifactRef::new(name, path));
        self
    }

    /// Parses `input.json` text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value = json::parse(text).map_err(|e| format!("input.json is not valid JSON: {e}"))?;
        let mut invocation = Members::of(value, "input.json")?;
        Ok(PluginInvocation {
            workflow_name: match invocation.take("workflow_name") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(name)) => name,
                Some(other) => return Err(format!("\"workflow_name\" must be a string, not {}", other.describe())),
            },
            plugin_options: invocation.list("plugin_options", parameter_from_json)?,
            parameters: invocation.list("parameters", parameter_from_json)?,
            artifacts: invocation.list("artifacts", artifact_from_json)?,
        })
    }

    /// The JSON document, as written to `input.json`.
    pub fn to_json(&self) -> Value {
        Value::Object(vec![
            ("workflow_name".into(), self.workflow_name.as_str().into()),
            ("plugin_options".into(), Value::Array(self.plugin_options.iter().map(parameter_to_json).collect())),
            ("parameters".into(), Value::Array(self.parameters.iter().map(parameter_to_json).collect())),
            ("artifacts".into(), Value::Array(self.artifacts.iter().map(artifact_to_json).collect())),
        ])
    }
}

fn set(list: &mut Vec<Parameter>, parameter: Parameter) {
    match list.iter_mut().find(|p| p.name == parameter.name) {
        Some(existing) => *existing = parameter,
        None => list.push(parameter),
    }
}

/// The members of a JSON object, taken out one by one.
struct Members(Vec<(String, Value)>);

impl Members {
    fn of(value: Value, what: &str) -> Result<Members, String> {
        match value {
            Value::Object(members) => Ok(Members(members)),
            other => Err(format!("{what} must be a JSON object, not {}", other.describe())),
        }
    }

    /// Member `name` (the last one, if repeated).
    fn take(&mut self, name: &str) -> Option<Value> {
        let index = self.0.iter().rposition(|(key, _)| key == name)?;
        Some(self.0.swap_remove(index).1)
    }

    fn string(&mut self, name: &str) -> Result<String, String> {
        match self.take(name) {
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(format!("\"{name}\" must be a string, not {}", other.describe())),
            None => Err(format!("\"{name}\" is missing")),
        }
    }

    /// The array `name`, each element converted; absent or null is empty.
    fn list<T>(&mut self, name: &str, convert: fn(Value) -> Result<T, String>) -> Result<Vec<T>, String> {
        let items = match self.take(name) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(format!("\"{name}\" must be an array, not {}", other.describe())),
        };
        let mut converted = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            converted.push(convert(item).map_err(|e| format!("{name}[{i}]: {e}"))?);
        }
        Ok(converted)
    }
}

fn parameter_from_json(value: Value) -> Result<Parameter, String> {
    let mut parameter = Members::of(value, "a parameter")?;
    Ok(Parameter { name: parameter.string("name")?, value: parameter.take("value").unwrap_or(Value::Null) })
}

fn parameter_to_json(parameter: &Parameter) -> Value {
    Value::Object(vec![("name".into(), parameter.name.as_str().into()), ("value".into(), parameter.value.clone())])
}

fn artifact_from_json(value: Value) -> Result<ArtifactRef, String> {
    let mut artifact = Members::of(value, "an artifact")?;
    let s3 = match artifact.take("s3") {
        None | Some(Value::Null) => None,
        Some(s3) => Some(S3Artifact { key: Members::of(s3, "\"s3\"")?.string("key").map_err(|e| format!("s3: {e}"))? }),
    };
    Ok(ArtifactRef { name: artifact.string("name")?, path: artifact.string("path")?, s3 })
}

fn artifact_to_json(artifact: &ArtifactRef) -> Value {
    let mut members =
        vec![("name".into(), artifact.name.as_str().into()), ("path".into(), artifact.path.as_str().into())];
    if let Some(s3) = &artifact.s3 {
        members.push(("s3".into(), Value::Object(vec![("key".into(), s3.key.as_str().into())])));
    }
    Value::Object(members)
}
