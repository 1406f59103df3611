//! What kind a template is (`Template.GetType`, `IsLeaf`, `IsPodType`,
//! `HasOutput`, `workflow_types.go` 3457-3566) and the checks of leaf
//! templates, the ones that run something (`validateLeaf`, validate.go
//! 855-990): container, script, resource, data, HTTP and plugin templates.

use serde_json::Value;

use super::substitute::is_placeholder;
use super::variables::{self, Scope};
use super::{Base, list, text};

/// The keys that make a template one kind or another, in `GetType`'s order, with its name for the kind.
const KINDS: [(&str, &str); 10] = [
    ("container", "Container"),
    ("containerSet", "ContainerSet"),
    ("steps", "Steps"),
    ("dag", "DAG"),
    ("script", "Script"),
    ("resource", "Resource"),
    ("data", "Data"),
    ("suspend", "Suspend"),
    ("http", "HTTP"),
    ("plugin", "Plugin"),
];

fn present(template: &Value, key: &str) -> bool {
    template.get(key).is_some_and(|v| !v.is_null())
}

/// The template's kind as Argo names it (`Container`, `Steps`, `DAG`, …), or `None`.
pub fn kind(template: &Value) -> Option<&'static str> {
    KINDS.iter().find(|(key, _)| present(template, key)).map(|(_, kind)| *kind)
}

/// Argo's `validateTemplateType`: exactly one kind.
pub fn one_kind(template: &Value) -> Result<(), String> {
    let name = text(template, "name");
    let choices =
        "choose one of: container, containerSet, steps, script, resource, dag, suspend, template, template ref";
    match KINDS.iter().filter(|(key, _)| present(template, key)).count() {
        0 => Err(format!("templates.{name} template type unspecified. {choices}")),
        1 => Ok(()),
        _ => Err(format!("templates.{name} multiple template types specified. {choices}")),
    }
}

/// Whether a template of `kind` runs something itself.
pub fn is_leaf(kind: &str) -> bool {
    matches!(kind, "Container" | "ContainerSet" | "Script" | "Resource" | "Data" | "HTTP" | "Plugin")
}

/// Whether a template of `kind` runs in a pod of its own.
pub fn is_pod(kind: &str) -> bool {
    matches!(kind, "Container" | "ContainerSet" | "Script" | "Resource" | "Data")
}

/// Whether the template has `outputs.result` and an exit code (a plugin is assumed to).
pub fn has_output(template: &Value) -> bool {
    let main_container = list(template.pointer("/containerSet/containers")).any(|c| text(c, "name") == "main");
    ["container", "script", "data", "http", "plugin"].iter().any(|key| present(template, key)) || main_container
}

/// Argo's `validateLeaf`.
pub fn check(
    scope: &Scope,
    globals: &Scope,
    base: Base,
    template: &Value,
    workflow_template: bool,
) -> Result<(), String> {
    let name = text(template, "name");
    variables::resolve_all(&[scope, globals], &template.to_string(), workflow_template)
        .map_err(|e| format!("templates.{name}: {e}"))?;
    if let Some(container) = template.get("container").filter(|c| !c.is_null()) {
        let mut mounted: Vec<(String, String)> = Vec::new();
        for (index, mount) in list(container.get("volumeMounts")).enumerate() {
            let path = text(mount, "mountPath");
            if let Some((_, previous)) = mounted.iter().find(|(p, _)| p == path) {
                return Err(format!(
                    "templates.{name}.container.volumeMounts[{index}].mountPath '{path}' already mounted in {previous}"
                ));
            }
            mounted.push((path.to_owned(), format!("container.volumeMounts.{}", text(mount, "name"))));
        }
        for (index, artifact) in list(template.pointer("/inputs/artifacts")).enumerate() {
            let path = text(artifact, "path");
            if let Some((_, previous)) = mounted.iter().find(|(p, _)| p == path) {
                return Err(format!(
                    "templates.{name}.inputs.artifacts[{index}].path '{path}' already mounted in {previous}"
                ));
            }
            mounted.push((path.to_owned(), format!("inputs.artifacts.{}", text(artifact, "name"))));
        }
        image(base, template, "container")?;
    }
    super::containers::check(template)?;
    if let Some(resource) = template.get("resource").filter(|r| !r.is_null()) {
        resource_fields(name, template, resource)?;
    }
    if present(template, "script") {
        image(base, template, "script")?;
    }
    if let Some(deadline) = template.get("activeDeadlineSeconds").filter(|d| !d.is_null()) {
        let valid = match deadline {
            Value::Number(number) => number.as_i64().is_some_and(|n| n >= 0),
            Value::String(text) => {
                text.parse::<i64>().is_ok_and(|n| n >= 0) || variables::is_parameter(text) || is_placeholder(text)
            }
            _ => false,
        };
        if !valid {
            return Err(format!(
                "templates.{name}.activeDeadlineSeconds must be a positive integer > 0 or an argo variable"
            ));
        }
    }
    if present(template, "parallelism") {
        return Err(format!("templates.{name}.parallelism is only valid for steps and dag templates"));
    }
    Ok(())
}

/// A container's or script's image: its own, or the spec's `templateDefaults`.
fn image(base: Base, template: &Value, key: &str) -> Result<(), String> {
    let own = template.pointer(&format!("/{key}/image")).and_then(Value::as_str).unwrap_or_default();
    let default =
        base.spec.pointer(&format!("/templateDefaults/{key}/image")).and_then(Value::as_str).unwrap_or_default();
    if own.is_empty() && default.is_empty() {
        return Err(format!("templates.{}.{key}.image may not be empty", text(template, "name")));
    }
    Ok(())
}

/// A resource template's action and manifest (validate.go 915-955).
fn resource_fields(name: &str, template: &Value, resource: &Value) -> Result<(), String> {
    let action = text(resource, "action");
    let known = ["get", "create", "apply", "delete", "replace", "patch"];
    if !variables::is_parameter(action) && !is_placeholder(action) && !known.contains(&action) {
        return Err(format!(
            "templates.{name}.resource.action must be one of: get, create, apply, delete, replace, patch"
        ));
    }
    if action == "delete" || action == "get" {
        return Ok(());
    }
    let manifest = text(resource, "manifest");
    let manifest_from = resource.get("manifestFrom").filter(|m| !m.is_null());
    if manifest.is_empty() && manifest_from.is_none() {
        return Err(format!(
            "either templates.{name}.resource.manifest or templates.{name}.resource.manifestFrom must be specified"
        ));
    }
    if !manifest.is_empty() && manifest_from.is_some() {
        return Err(
            "shouldn't have both `manifest` and `manifestFrom` specified in `Manifest` for resource template".into()
        );
    }
    if let Some(artifact) = manifest_from.and_then(|m| m.get("artifact")).filter(|a| !a.is_null()) {
        let wanted = text(artifact, "name");
        if !list(template.pointer("/inputs/artifacts")).any(|a| text(a, "name") == wanted) {
            return Err(format!("artifact {wanted} in `manifestFrom` refer to a non-exist artifact"));
        }
    }
    if !manifest.is_empty() && !is_placeholder(manifest) {
        // Argo parses the manifest with its references already replaced by placeholders.
        let mut replaced = manifest.to_owned();
        for tag in variables::tags(manifest) {
            replaced = replaced.replace(&format!("{{{{{tag}}}}}"), "placeholder");
        }
        if yaml_serde::from_str::<Value>(&replaced).is_err() {
            return Err(format!("templates.{name}.resource.manifest must be a valid yaml"));
        }
    }
    Ok(())
}
