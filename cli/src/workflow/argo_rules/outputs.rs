//! A template's outputs: names, references, and where each output
//! parameter's value comes from (`validateOutputs`,
//! `validateOutputParameter`, validate.go 1242-1338).

use serde_json::Value;

use super::names::{self, Rule};
use super::variables::{self, Scope};
use super::{leaf, list, text};

/// Argo's `validateOutputs`.
pub fn check(scope: &Scope, globals: &Scope, template: &Value, workflow_template: bool) -> Result<(), String> {
    let name = text(template, "name");
    let outputs = template.get("outputs");
    names::field_names(outputs.and_then(|o| o.get("parameters")), Rule::Parameter)
        .map_err(|e| format!("templates.{name}.outputs.parameters {e}"))?;
    names::field_names(outputs.and_then(|o| o.get("artifacts")), Rule::Parameter)
        .map_err(|e| format!("templates.{name}.outputs.artifacts {e}"))?;
    let text_of_outputs = outputs.map(Value::to_string).unwrap_or_else(|| "{}".into());
    variables::resolve_all(&[scope, globals], &text_of_outputs, workflow_template)
        .map_err(|e| format!("templates.{name}.outputs {e}"))?;
    let kind = leaf::kind(template).unwrap_or_default();
    for artifact in list(outputs.and_then(|o| o.get("artifacts"))) {
        let reference = format!("outputs.artifacts.{}", text(artifact, "name"));
        if !leaf::is_leaf(kind) && !text(artifact, "path").is_empty() {
            return Err(format!("templates.{name}.{reference}.path only valid in container/script templates"));
        }
        let global = text(artifact, "globalName");
        if !global.is_empty()
            && !variables::is_parameter(global)
            && let Some(problem) = names::parameter_name_problems(global).first()
        {
            return Err(format!("templates.{name}.{reference}.globalName: {problem}"));
        }
    }
    for parameter in list(outputs.and_then(|o| o.get("parameters"))) {
        let reference = format!("templates.{name}.outputs.parameters.{}", text(parameter, "name"));
        parameter_source(&reference, parameter)?;
        if let Some(from) = parameter.get("valueFrom").filter(|v| !v.is_null()) {
            let has = |key: &str| !text(from, key).is_empty();
            match kind {
                "Container" | "ContainerSet" | "Script" if !has("path") => {
                    return Err(format!("{reference}.path must be specified for {kind} templates"));
                }
                "Resource" if !has("jqFilter") && !has("jsonPath") => {
                    return Err(format!("{reference} .jqFilter or jsonPath must be specified for {kind} templates"));
                }
                "DAG" | "Steps" if !has("parameter") && !has("expression") => {
                    return Err(format!("{reference}.parameter or expression must be specified for {kind} templates"));
                }
                "DAG" | "Steps" if has("parameter") && has("expression") => {
                    return Err(format!(
                        "{reference} shouldn't have both `from` and `expression` specified in `ValueFrom` for {kind} templates"
                    ));
                }
                _ => {}
            }
        }
        let global = text(parameter, "globalName");
        if !global.is_empty()
            && !variables::is_parameter(global)
            && let Some(problem) = names::parameter_name_problems(global).first()
        {
            return Err(format!("{reference}.globalName: {problem}"));
        }
    }
    Ok(())
}

/// Argo's `validateOutputParameter`: a value, or exactly one source of one.
fn parameter_source(reference: &str, parameter: &Value) -> Result<(), String> {
    let value = parameter.get("value").filter(|v| !v.is_null());
    let from = parameter.get("valueFrom").filter(|v| !v.is_null());
    match (value, from) {
        (Some(_), Some(_)) => Err(format!("{reference} has both valueFrom and value specified, choose one")),
        (Some(_), None) => Ok(()),
        (None, None) => Err(format!("{reference} does not have valueFrom or value specified")),
        (None, Some(from)) => {
            let sources = ["path", "jqFilter", "jsonPath", "parameter", "expression"]
                .iter()
                .filter(|key| !text(from, key).is_empty())
                .count()
                + usize::from(from.get("supplied").is_some_and(|s| !s.is_null()));
            match sources {
                0 => Err(
                    "valueFrom type unspecified. choose one of: path, jqFilter, jsonPath, parameter, raw, expression"
                        .into(),
                ),
                1 => Ok(()),
                _ => Err("multiple valueFrom types specified. choose one of: path, jqFilter, jsonPath, parameter, raw"
                    .into()),
            }
        }
    }
}
