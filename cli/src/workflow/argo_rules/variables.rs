//! The `{{…}}` names in scope where a template, step or task is written,
//! and the check that each reference names one (`resolveAllVariables`,
//! `addItemsToScope`, `addOutputsToScope`, validate.go 796-840 and
//! 1129-1240): how `argo lint` finds references to outputs, steps, tasks
//! and inputs that cannot exist.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{leaf, list, text};

/// The names a reference may use at one place.
pub type Scope = BTreeSet<String>;

/// Set when a loop's items come from `withParam`: any `item.*` resolves.
const ANY_ITEM: &str = "item.*";
/// Set when an output's `globalName` is itself a reference: any `workflow.outputs.parameters.*` resolves.
const ANY_WORKFLOW_OUTPUT_PARAMETER: &str = "workflow.outputs.parameters.*";
/// The same for `workflow.outputs.artifacts.*`.
pub const ANY_WORKFLOW_OUTPUT_ARTIFACT: &str = "workflow.outputs.artifacts.*";

/// The roots of the references Argo checks; others are left alone (`common.GlobalVarValidWorkflowVariablePrefix`).
const CHECKED_ROOTS: [&str; 7] = ["item.", "steps.", "inputs.", "outputs.", "pod.", "workflow.", "tasks."];

/// Each `{{…}}` tag of `text`, without its braces, as `fasttemplate` finds them.
pub fn tags(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        found.push(&after[..end]);
        rest = &after[end + 2..];
    }
    found
}

/// Whether `text` has a `{{…}}` tag.
pub fn has_tags(text: &str) -> bool {
    !tags(text).is_empty()
}

/// Whether `text` holds a simple reference such as `{{inputs.parameters.x}}` (Argo's `isParameter`).
pub fn is_parameter(text: &str) -> bool {
    tags(text).iter().any(|tag| {
        let mut parts = tag.split('.');
        let first = parts.next().unwrap_or_default();
        !first.is_empty()
            && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    })
}

/// Argo's `resolveAllVariables`: every checked reference in `text` is in
/// one of `scopes` (the place's, the globals), or one Argo lets through;
/// the error names the first that is not.
pub fn resolve_all(scopes: &[&Scope], text: &str, workflow_template: bool) -> Result<(), String> {
    let has = |name: &str| scopes.iter().any(|scope| scope.contains(name));
    let any_item = has(ANY_ITEM);
    let any_parameter = has(ANY_WORKFLOW_OUTPUT_PARAMETER);
    let any_artifact = has(ANY_WORKFLOW_OUTPUT_ARTIFACT);
    for tag in tags(text) {
        if tag.starts_with('=') {
            // Expressions are not checked (util/template/validate.go).
            continue;
        }
        let name = tag.trim();
        if !CHECKED_ROOTS.iter().any(|root| name.starts_with(root)) || has(name) {
            continue;
        }
        let starts = |prefix: &str| name.starts_with(prefix);
        let let_through = ((name == "item" || starts("item.")) && any_item)
            || (starts("workflow.outputs.parameters.") && any_parameter)
            || (starts("workflow.outputs.artifacts.") && any_artifact)
            || starts("outputs.")
            || starts("workflow.creationTimestamp")
            || starts("workflow.scheduledTime")
            || starts("workflow.duration")
            || starts("tasks.name")
            || starts("steps.name")
            || starts("node.name")
            || (starts("workflow.parameters") && workflow_template);
        if !let_through {
            return Err(format!("failed to resolve {{{{{tag}}}}}"));
        }
    }
    Ok(())
}

/// Argo's `addItemsToScope`: the `item` names a loop gives its step or task.
pub fn add_items(holder: &Value, scope: &mut Scope) -> Result<(), String> {
    let items: Vec<&Value> = list(holder.get("withItems")).collect();
    let param = text(holder, "withParam");
    let sequence = holder.get("withSequence").filter(|s| !s.is_null());
    let defined = usize::from(!items.is_empty()) + usize::from(!param.is_empty()) + usize::from(sequence.is_some());
    if defined > 1 {
        return Err("only one of withItems, withParam, withSequence can be specified".into());
    }
    if !items.is_empty() {
        for item in items {
            match item {
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    scope.insert("item".into());
                }
                Value::Array(values) => {
                    for index in 0..values.len() {
                        scope.insert(format!("item.[{index}]"));
                    }
                }
                Value::Object(map) => {
                    for key in map.keys() {
                        scope.insert(format!("item.{key}"));
                    }
                }
                Value::Null => return Err("unsupported withItems type: {nil}".into()),
            }
        }
    } else if !param.is_empty() {
        scope.insert("item".into());
        scope.insert(ANY_ITEM.into());
    } else if let Some(sequence) = sequence {
        if sequence.get("count").is_some_and(|c| !c.is_null()) && sequence.get("end").is_some_and(|e| !e.is_null()) {
            return Err("only one of count or end can be defined in withSequence".into());
        }
        scope.insert("item".into());
    }
    Ok(())
}

/// Whether `holder` (a step or task) loops over items or a parameter (its outputs are aggregated).
pub fn aggregates(holder: &Value) -> bool {
    !list(holder.get("withItems")).collect::<Vec<_>>().is_empty() || !text(holder, "withParam").is_empty()
}

/// How a step's or task's outputs are added to a scope.
#[derive(Debug, Clone, Copy)]
pub struct Outputs<'v> {
    /// `steps` or `tasks`.
    pub root: &'static str,
    /// The step's or task's name.
    pub name: &'v str,
    /// Whether it loops, so its outputs are also aggregated.
    pub aggregate: bool,
    /// Whether it is an ancestor of where the scope is used (its `status` is known).
    pub ancestor: bool,
}

/// Argo's `addOutputsToScope`: the names step or task `outputs.name` gives
/// the steps or tasks after it, from its template (`None`: unknown until
/// it runs); global output names are added to `globals`.
pub fn add_outputs(template: Option<&Value>, outputs: Outputs, scope: &mut Scope, globals: &mut Scope) {
    let prefix = format!("{}.{}", outputs.root, outputs.name);
    for key in ["id", "startedAt", "finishedAt", "hostNodeName"] {
        scope.insert(format!("{prefix}.{key}"));
    }
    let Some(template) = template else {
        return;
    };
    if template.get("daemon").and_then(Value::as_bool) == Some(true) {
        scope.insert(format!("{prefix}.ip"));
    }
    if leaf::has_output(template) {
        scope.insert(format!("{prefix}.outputs.result"));
        scope.insert(format!("{prefix}.exitCode"));
    }
    for (kind, any) in [("parameters", ANY_WORKFLOW_OUTPUT_PARAMETER), ("artifacts", ANY_WORKFLOW_OUTPUT_ARTIFACT)] {
        for output in list(template.pointer(&format!("/outputs/{kind}"))) {
            scope.insert(format!("{prefix}.outputs.{kind}.{}", text(output, "name")));
            let global = text(output, "globalName");
            if global.is_empty() {
                continue;
            }
            if is_parameter(global) {
                scope.insert(any.into());
            } else {
                let name = format!("workflow.outputs.{kind}.{global}");
                scope.insert(name.clone());
                globals.insert(name);
            }
        }
    }
    if outputs.aggregate {
        if matches!(leaf::kind(template), Some("Script" | "ContainerSet")) {
            scope.insert(format!("{prefix}.outputs.result"));
            scope.insert(format!("{prefix}.exitCode"));
        }
        scope.insert(format!("{prefix}.outputs.parameters"));
    }
    if outputs.ancestor {
        scope.insert(format!("{prefix}.status"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_against_the_scope_and_the_exceptions_argo_makes() {
        let scope: Scope = ["inputs.parameters.x".to_owned()].into();
        let globals: Scope = ["workflow.name".to_owned()].into();
        let text =
            r#"{"a": "{{inputs.parameters.x}} {{ workflow.name }} {{=asInt(1)}} {{custom.thing}} {{outputs.result}}"}"#;
        assert!(resolve_all(&[&scope, &globals], text, false).is_ok());
        assert_eq!(
            resolve_all(&[&scope, &globals], "{{steps.nope.outputs.result}}", false).unwrap_err(),
            "failed to resolve {{steps.nope.outputs.result}}"
        );
        assert!(resolve_all(&[&scope, &globals], "{{workflow.parameters.p}}", true).is_ok());
        assert!(resolve_all(&[&scope, &globals], "{{workflow.parameters.p}}", false).is_err());
    }

    #[test]
    fn parameters_are_simple_references() {
        assert!(is_parameter("{{inputs.parameters.x}}"));
        assert!(is_parameter("a-{{workflow.parameters.name}}"));
        assert!(!is_parameter("{{=inputs.parameters.x}}"));
        assert!(!is_parameter("plain"));
    }
}
