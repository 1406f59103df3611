//! What cannot run *here*, though Argo would run it: the templates this
//! runner does not run (containers, scripts, resources, data), each named;
//! a suspend without a duration; `inline` templates; hooks whose template
//! is missing. Asked after Argo's own checks (`super::argo_rules`) have
//! passed, on the spec with its `templateRef`s resolved.

use std::collections::BTreeMap;

use serde_json::Value;

/// The keys that make a template one kind or another (Argo's `Template.GetType`).
const KINDS: [&str; 10] =
    ["container", "containerSet", "script", "resource", "dag", "steps", "suspend", "data", "http", "plugin"];

/// What a template is, when it is one this runner runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `steps`
    Steps,
    /// `dag`
    Dag,
    /// `plugin.wasm`
    Wasm,
    /// `suspend` (with a duration: see `suspend.rs`)
    Suspend,
    /// `http` (see `http_template.rs`)
    Http,
}

/// The kind of `template`; the error names what it is instead.
pub fn kind(template: &Value) -> Result<Kind, String> {
    let present: Vec<&str> = KINDS.iter().copied().filter(|k| template.get(*k).is_some_and(|v| !v.is_null())).collect();
    match present.as_slice() {
        ["steps"] => Ok(Kind::Steps),
        ["dag"] => Ok(Kind::Dag),
        ["suspend"] => Ok(Kind::Suspend),
        ["http"] => Ok(Kind::Http),
        ["plugin"] => match template["plugin"].as_object().map(|p| p.keys().collect::<Vec<_>>()) {
            Some(keys) if keys == ["wasm"] => Ok(Kind::Wasm),
            Some(keys) => Err(format!("plugin {}", keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "))),
            None => Err("plugin".into()),
        },
        [other] => Err((*other).to_owned()),
        [] => Err("no type".into()),
        _ => Err(present.join(" and ")),
    }
}

/// The templates by name; the error is Argo's for a nameless or repeated one.
pub fn templates(spec: &Value) -> Result<BTreeMap<String, Value>, String> {
    let mut templates = BTreeMap::new();
    for (index, template) in spec.get("templates").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let name = template.get("name").and_then(Value::as_str).unwrap_or_default();
        if name.is_empty() {
            return Err(format!("spec.templates[{index}].name is required"));
        }
        if templates.insert(name.to_owned(), template.clone()).is_some() {
            return Err(format!("spec.templates[{index}].name '{name}' is not unique"));
        }
    }
    Ok(templates)
}

/// Checks that this runner can run the workflow from `entrypoint` (Argo's
/// checks passed already); the error names what it cannot run.
pub fn validate(templates: &BTreeMap<String, Value>, entrypoint: &str) -> Result<(), String> {
    if !templates.contains_key(entrypoint) {
        return Err(format!("template name '{entrypoint}' undefined"));
    }
    let refused: Vec<String> = templates
        .iter()
        .filter_map(|(name, template)| match kind(template) {
            Ok(_) => None,
            Err(what) => Some(format!("{name} ({what})")),
        })
        .collect();
    if !refused.is_empty() {
        return Err(format!(
            "cannot run templates {}: only Wasm (plugin.wasm), HTTP and suspend templates (with a \
             duration), steps and DAGs run here (container, script, resource and data templates \
             need a cluster)",
            refused.join(", ")
        ));
    }
    for (name, template) in templates {
        match kind(template) {
            Ok(Kind::Steps) => validate_steps(name, template, templates)?,
            Ok(Kind::Dag) => validate_dag(name, template, templates)?,
            Ok(Kind::Suspend) => {
                if let Some(message) = super::suspend::without_duration(name, template) {
                    return Err(message);
                }
            }
            Ok(Kind::Http) => super::http_template::check(name, template)?,
            _ => {}
        }
    }
    Ok(())
}

fn template_of(holder: &Value, templates: &BTreeMap<String, Value>) -> Result<(), String> {
    if holder.get("templateRef").is_some() || holder.get("inline").is_some() {
        return Err("templateRef and inline templates are not supported by this runner yet".into());
    }
    match holder.get("template").and_then(Value::as_str) {
        Some(name) if templates.contains_key(name) => retry_policy(&templates[name]),
        Some(name) => Err(format!("template name '{name}' undefined")),
        None => Err("template or templateRef must be specified".into()),
    }
}

/// A template's `retryStrategy.retryPolicy` is one Argo knows (`validate.go` 687-695).
fn retry_policy(template: &Value) -> Result<(), String> {
    match template.pointer("/retryStrategy/retryPolicy").and_then(Value::as_str) {
        None | Some("" | "Always" | "OnError" | "OnFailure" | "OnTransientError") => Ok(()),
        Some(other) => Err(format!("{other} is not a valid RetryPolicy")),
    }
}

/// The hooks and exit handler of a workflow, step or task: Argo checks
/// only that each hook but `exit` has an expression (`validateHooks`,
/// `validate.go` 143-150) and finds a missing template when the hook
/// runs; this runner wants each template before it starts.
fn validate_hooks(holder: &Value, base: &str, templates: &BTreeMap<String, Value>) -> Result<(), String> {
    for (name, hook) in holder.get("hooks").and_then(Value::as_object).into_iter().flatten() {
        template_of(hook, templates).map_err(|e| format!("{base}.{name} {e}"))?;
    }
    if let Some(template) = holder.get("onExit").and_then(Value::as_str).filter(|t| !t.is_empty()) {
        template_of(&serde_json::json!({"template": template}), templates)?;
    }
    Ok(())
}

/// What the spec says beside its templates: its exit handler and hooks,
/// its retry strategy.
pub fn validate_spec(spec: &Value, templates: &BTreeMap<String, Value>) -> Result<(), String> {
    if let Some(strategy) = spec.get("retryStrategy") {
        retry_policy(&serde_json::json!({ "retryStrategy": strategy }))?;
    }
    validate_hooks(spec, "hooks", templates)
}

fn validate_steps(name: &str, template: &Value, templates: &BTreeMap<String, Value>) -> Result<(), String> {
    for (index, group) in template["steps"].as_array().into_iter().flatten().enumerate() {
        for step in group.as_array().into_iter().flatten() {
            let step_name = step.get("name").and_then(Value::as_str).unwrap_or_default();
            let base = format!("templates.{name}.steps[{index}].{step_name}");
            template_of(step, templates).map_err(|e| format!("{base} {e}"))?;
            validate_hooks(step, &base, templates)?;
        }
    }
    Ok(())
}

fn validate_dag(name: &str, template: &Value, templates: &BTreeMap<String, Value>) -> Result<(), String> {
    for task in template["dag"].get("tasks").and_then(Value::as_array).into_iter().flatten() {
        let task_name = task.get("name").and_then(Value::as_str).unwrap_or_default();
        let base = format!("templates.{name}.tasks.{task_name}");
        template_of(task, templates).map_err(|e| format!("{base} {e}"))?;
        validate_hooks(task, &base, templates)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(templates: Value) -> BTreeMap<String, Value> {
        super::templates(&json!({ "templates": templates })).unwrap()
    }

    const WASM: &str = r#"{"wasm": {"module": {"oci": "x"}}}"#;

    fn wasm(name: &str) -> Value {
        json!({"name": name, "plugin": serde_json::from_str::<Value>(WASM).unwrap()})
    }

    #[test]
    fn each_template_that_cannot_run_here_is_named() {
        let templates =
            spec(json!([wasm("a"), {"name": "b", "container": {"image": "alpine"}}, {"name": "c", "script": {}}]));
        let error = validate(&templates, "a").unwrap_err();
        assert!(error.starts_with("cannot run templates b (container), c (script):"), "{error}");
    }

    #[test]
    fn inline_templates_suspends_without_a_duration_and_missing_hook_templates_are_refused() {
        let inline = spec(json!([{"name": "s", "steps": [[{"name": "x", "inline": {"suspend": {}}}]]}]));
        assert_eq!(
            validate(&inline, "s").unwrap_err(),
            "templates.s.steps[0].x templateRef and inline templates are not supported by this runner yet"
        );
        let waits = spec(json!([{"name": "wait", "suspend": {}}]));
        assert!(validate(&waits, "wait").unwrap_err().starts_with("templates.wait.suspend has no duration"));
        let hook = spec(
            json!([wasm("w"), {"name": "s", "steps": [[{"name": "x", "template": "w", "hooks": {"exit": {"template": "gone"}}}]]}]),
        );
        assert_eq!(validate(&hook, "s").unwrap_err(), "templates.s.steps[0].x.exit template name 'gone' undefined");
    }
}
