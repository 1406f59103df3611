//! Arguments and inputs: the values a workflow, step or task passes
//! (`validateArguments`, validate.go 1000-1085), the inputs a template
//! declares (`validateInputs`, 735-777), and whether each input without a
//! default was given one (`ProcessArgs`, `workflow/common/util.go` 154-250).

use serde_json::Value;

use super::names::{self, Rule};
use super::variables::Scope;
use super::{list, text};

/// The arguments a template is checked with.
#[derive(Debug, Clone, Copy)]
pub enum Arguments<'v> {
    /// Argo's `FakeArguments`: every input is given a made-up value.
    Made,
    /// A step's, task's or workflow's own `arguments`.
    Given(&'v Value),
}

/// The locations an artifact can be stored at (`ArtifactLocation`'s fields).
const LOCATIONS: [&str; 11] =
    ["s3", "git", "http", "artifactory", "hdfs", "raw", "oss", "gcs", "azure", "plugin", "huggingface"];

/// Whether `artifact` says where it is (`HasLocationOrKey`).
fn has_location_or_key(artifact: &Value) -> bool {
    LOCATIONS.iter().any(|key| artifact.get(*key).is_some_and(|v| !v.is_null())) || !text(artifact, "key").is_empty()
}

fn present(value: &Value, key: &str) -> bool {
    value.get(key).is_some_and(|v| !v.is_null())
}

/// A parameter's value as text (`AnyString`: numbers and booleans are written out).
pub fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// `spec.arguments` of a workflow over those of the WorkflowTemplate it
/// refers to (`util.MergeParameters`, `MergeArtifacts`: the workflow's win).
pub fn merged(own: &Value, base: Option<&Value>) -> Value {
    let mut merged = serde_json::Map::new();
    for kind in ["parameters", "artifacts"] {
        let mut items: Vec<Value> = list(own.get(kind)).cloned().collect();
        for item in list(base.and_then(|b| b.get(kind))) {
            if !items.iter().any(|i| i.get("name") == item.get("name")) {
                items.push(item.clone());
            }
        }
        if !items.is_empty() {
            merged.insert(kind.into(), Value::Array(items));
        }
    }
    Value::Object(merged)
}

/// Argo's `validateArguments`: names, then values; `prefix` is where they are.
pub fn check(prefix: &str, arguments: &Value, allow_empty: bool) -> Result<(), String> {
    for (field, rule) in [("parameters", Rule::Parameter), ("artifacts", Rule::Parameter)] {
        names::field_names(arguments.get(field), rule).map_err(|e| format!("{prefix}{field}{e}"))?;
    }
    for parameter in list(arguments.get("parameters")) {
        let name = text(parameter, "name");
        let value = parameter.get("value").and_then(value_text);
        let value_from = parameter.get("valueFrom").filter(|v| !v.is_null());
        if value.is_none() && value_from.is_none() && !allow_empty {
            return Err(format!("{prefix}{name}.value or {prefix}{name}.valueFrom is required"));
        }
        if let Some(from) = value_from {
            let allowed =
                present(from, "configMapKeyRef") || !text(from, "event").is_empty() || present(from, "supplied");
            let refused = ["path", "jsonPath", "parameter", "expression"].iter().any(|k| !text(from, k).is_empty());
            if !allowed || refused {
                return Err(format!("{prefix}{name}.valueFrom only allows: default, configMapKeyRef and supplied"));
            }
        }
        if let Some(choices) = parameter.get("enum").filter(|e| !e.is_null()) {
            let choices: Vec<String> = choices.as_array().into_iter().flatten().filter_map(value_text).collect();
            if choices.is_empty() {
                return Err(format!("{prefix}{name}.enum should contain at least one value"));
            }
            let Some(value) = value else {
                if allow_empty {
                    // Argo stops checking the rest here (validate.go 1065-1067).
                    return Ok(());
                }
                return Err(format!("{prefix}{name}.value is required"));
            };
            if !choices.contains(&value) {
                return Err(format!("{prefix}{name}.value should be present in {prefix}{name}.enum list"));
            }
        }
    }
    for artifact in list(arguments.get("artifacts")) {
        let name = text(artifact, "name");
        if text(artifact, "from").is_empty() && !has_location_or_key(artifact) {
            return Err(format!("{prefix}{name}.from, artifact location, or key is required"));
        }
        if !text(artifact, "from").is_empty() && !text(artifact, "fromExpression").is_empty() {
            return Err(format!("{prefix}{name} shouldn't have both `from` and `fromExpression` in Artifact"));
        }
    }
    Ok(())
}

/// Argo's `validateInputs`: the input names, and the names they put in scope.
pub fn inputs_scope(template: &Value) -> Result<Scope, String> {
    let name = text(template, "name");
    let inputs = template.get("inputs");
    names::field_names(inputs.and_then(|i| i.get("parameters")), Rule::Parameter)
        .map_err(|e| format!("templates.{name}.inputs.parameters{e}"))?;
    names::field_names(inputs.and_then(|i| i.get("artifacts")), Rule::Parameter)
        .map_err(|e| format!("templates.{name}.inputs.artifacts{e}"))?;
    let mut scope = Scope::new();
    let parameters: Vec<&Value> = list(inputs.and_then(|i| i.get("parameters"))).collect();
    for parameter in &parameters {
        scope.insert(format!("inputs.parameters.{}", text(parameter, "name")));
    }
    if !parameters.is_empty() {
        scope.insert("inputs.parameters".into());
    }
    let leaf = super::leaf::kind(template).is_some_and(super::leaf::is_leaf);
    for artifact in list(inputs.and_then(|i| i.get("artifacts"))) {
        let reference = format!("inputs.artifacts.{}", text(artifact, "name"));
        scope.insert(reference.clone());
        if leaf {
            scope.insert(format!("{reference}.path"));
        } else if !text(artifact, "path").is_empty() {
            return Err(format!("templates.{name}.{reference}.path only valid in container/script templates"));
        }
        if !text(artifact, "from").is_empty() {
            return Err(format!("templates.{name}.{reference}.from not valid in inputs"));
        }
        artifact_location(&format!("templates.{name}.{reference}"), artifact)?;
    }
    Ok(scope)
}

/// Argo's `validateArtifactLocation`: a git location needs its repository.
pub fn artifact_location(prefix: &str, location: &Value) -> Result<(), String> {
    if let Some(git) = location.get("git").filter(|g| !g.is_null())
        && text(git, "repo").is_empty()
    {
        return Err(format!("{prefix}.git.repo is required"));
    }
    Ok(())
}

/// Whether each input of `template` has a value: its own, its default, or
/// one of `arguments` (`ProcessArgs`); the error is Argo's.
pub fn supplied(template: &Value, arguments: Arguments) -> Result<(), String> {
    let given = |kind: &str, name: &str| match arguments {
        Arguments::Made => Some(Value::Null),
        Arguments::Given(arguments) => list(arguments.get(kind)).find(|a| text(a, "name") == name).cloned(),
    };
    for parameter in list(template.pointer("/inputs/parameters")) {
        let name = text(parameter, "name");
        let mut value =
            parameter.get("value").and_then(value_text).or_else(|| parameter.get("default").and_then(value_text));
        let mut value_from = parameter.get("valueFrom").filter(|v| !v.is_null()).cloned();
        match given("parameters", name) {
            // A made-up argument is a value.
            Some(Value::Null) => value = Some(String::new()),
            Some(argument) => match argument.get("value").and_then(value_text) {
                Some(text) => (value, value_from) = (Some(text), None),
                None => (value, value_from) = (None, argument.get("valueFrom").filter(|v| !v.is_null()).cloned()),
            },
            None => {}
        }
        let from_config_map = value_from.as_ref().is_some_and(|from| present(from, "configMapKeyRef"));
        if !from_config_map && value.is_none() {
            return Err(format!("inputs.parameters.{name} was not supplied"));
        }
    }
    for artifact in list(template.pointer("/inputs/artifacts")) {
        let optional = artifact.get("optional").and_then(Value::as_bool).unwrap_or(false);
        if !optional && !has_location_or_key(artifact) && given("artifacts", text(artifact, "name")).is_none() {
            return Err(format!("inputs.artifacts.{} was not supplied", text(artifact, "name")));
        }
    }
    Ok(())
}
