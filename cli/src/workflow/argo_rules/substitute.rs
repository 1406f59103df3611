//! The template as Argo's validation checks it: with the values it can
//! know put in (`ProcessArgs` and `SubstituteParams`,
//! `workflow/common/util.go` 200-318). Workflow parameters with a value
//! and inputs with a value (their own, their default, or an argument's) are
//! written in; every other global, local and made-up value is a placeholder
//! (`__argo__internal__placeholder-N`), which the checks of names let
//! through. So an output named `result-{{inputs.parameters.x}}` is checked
//! as the name it will have.

use std::collections::BTreeMap;

use serde_json::Value;

use super::arguments::Arguments;
use super::variables;
use super::{list, text};

/// How Argo's placeholders begin (`util/template/placeholder.go`).
pub const PLACEHOLDER: &str = "__argo__internal__placeholder-";

/// Whether `text` is one of Argo's placeholders.
pub fn is_placeholder(text: &str) -> bool {
    text.starts_with(PLACEHOLDER)
}

/// `text` with each placeholder in it written as `x` (`isValidStepName`).
pub fn without_placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(PLACEHOLDER) {
        out.push_str(&rest[..at]);
        out.push('x');
        rest = rest[at + PLACEHOLDER.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// Hands out placeholders, each a new number.
#[derive(Debug, Default)]
pub struct Placeholders {
    next: usize,
}

impl Placeholders {
    pub fn next(&mut self) -> String {
        self.next += 1;
        format!("{PLACEHOLDER}{}", self.next)
    }
}

/// Every string in `value` with its simple `{{NAME}}` tags found in `values` replaced (expressions are left).
fn replace(value: &mut Value, values: &BTreeMap<String, String>) {
    match value {
        Value::String(text) => {
            for tag in variables::tags(&text.clone()) {
                if tag.starts_with('=') {
                    continue;
                }
                if let Some(found) = values.get(tag.trim()) {
                    *text = text.replacen(&format!("{{{{{tag}}}}}"), found, 1);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| replace(item, values)),
        Value::Object(members) => members.values_mut().for_each(|member| replace(member, values)),
        _ => {}
    }
}

/// `template` as `ProcessArgs` leaves it for the checks: `globals` (names
/// with their value, or none for a placeholder) and the template's local
/// names first, then its inputs' values from `arguments`.
pub fn substituted(
    template: &Value,
    arguments: Arguments,
    globals: &BTreeMap<String, Option<String>>,
    locals: &[&str],
    placeholders: &mut Placeholders,
) -> Value {
    let mut values = BTreeMap::new();
    for (name, value) in globals {
        values.insert(name.clone(), value.clone().unwrap_or_else(|| placeholders.next()));
    }
    for name in locals {
        values.insert((*name).to_owned(), placeholders.next());
    }
    let mut out = template.clone();
    replace(&mut out, &values);
    let mut inputs = BTreeMap::new();
    for parameter in list(out.pointer("/inputs/parameters")) {
        let name = text(parameter, "name");
        let own = parameter.get("value").or_else(|| parameter.get("default")).filter(|v| !v.is_null());
        let value = match arguments {
            Arguments::Made => Some(placeholders.next()),
            Arguments::Given(given) => {
                let argument = list(given.get("parameters")).find(|a| text(a, "name") == name);
                match argument {
                    Some(argument) => argument.get("value").and_then(super::arguments::value_text),
                    None => own.and_then(super::arguments::value_text),
                }
            }
        };
        if let Some(value) = value {
            inputs.insert(format!("inputs.parameters.{name}"), value);
        }
    }
    for artifact in list(out.pointer("/inputs/artifacts")) {
        if !text(artifact, "path").is_empty() {
            inputs
                .insert(format!("inputs.artifacts.{}.path", text(artifact, "name")), text(artifact, "path").to_owned());
        }
    }
    for artifact in list(out.pointer("/outputs/artifacts")) {
        if !text(artifact, "path").is_empty() {
            inputs.insert(
                format!("outputs.artifacts.{}.path", text(artifact, "name")),
                text(artifact, "path").to_owned(),
            );
        }
    }
    for parameter in list(out.pointer("/outputs/parameters")) {
        if let Some(path) = parameter.pointer("/valueFrom/path").and_then(Value::as_str).filter(|p| !p.is_empty()) {
            inputs.insert(format!("outputs.parameters.{}.path", text(parameter, "name")), path.to_owned());
        }
    }
    replace(&mut out, &inputs);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn known_values_are_written_in_and_the_rest_are_placeholders() {
        let template = json!({
            "name": "t",
            "inputs": {"parameters": [{"name": "x", "value": "{{workflow.parameters.p}}"}, {"name": "y"}]},
            "outputs": {"artifacts": [{"name": "result-{{inputs.parameters.x}}"}]},
            "container": {"args": ["{{ inputs.parameters.y }}", "{{workflow.name}}", "{{=inputs.parameters.x}}"]},
        });
        let globals: BTreeMap<String, Option<String>> =
            [("workflow.parameters.p".to_owned(), Some("car".to_owned())), ("workflow.name".to_owned(), None)].into();
        let given = json!({"parameters": [{"name": "y", "value": 3}]});
        let out = substituted(&template, Arguments::Given(&given), &globals, &[], &mut Placeholders::default());
        assert_eq!(out["outputs"]["artifacts"][0]["name"], "result-car");
        assert_eq!(out["container"]["args"][0], "3");
        assert!(is_placeholder(out["container"]["args"][1].as_str().unwrap()));
        assert_eq!(out["container"]["args"][2], "{{=inputs.parameters.x}}");
        let made = substituted(&template, Arguments::Made, &globals, &[], &mut Placeholders::default());
        assert!(is_placeholder(made["container"]["args"][0].as_str().unwrap()));
        assert_eq!(without_placeholders("run-__argo__internal__placeholder-12-end"), "run-x-end");
    }
}
