//! What is checked before anything runs: the checks of Argo's validation
//! (`workflow/validate/validate.go`) that this runner needs, worded as
//! Argo words them, and the templates this runner cannot run (containers,
//! scripts, resources, data), each named.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::dag::{RESULTS, dependencies_of, depends_terms};

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

/// Checks the workflow before it runs, from `entrypoint`; the error is the
/// first problem, in Argo's words, or the list of templates this runner
/// cannot run.
pub fn validate(templates: &BTreeMap<String, Value>, entrypoint: &str) -> Result<(), String> {
    if entrypoint.is_empty() {
        return Err("spec.entrypoint is required".into());
    }
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
    retry_policy(&templates[entrypoint])?;
    for (name, template) in templates {
        match kind(template) {
            Ok(Kind::Steps) => {
                leaf_or_not(name, template, false)?;
                validate_steps(name, template, templates)?;
            }
            Ok(Kind::Dag) => {
                leaf_or_not(name, template, false)?;
                validate_dag(name, template, templates)?;
            }
            Ok(Kind::Suspend) => {
                leaf_or_not(name, template, true)?;
                if let Some(message) = super::suspend::without_duration(name, template) {
                    return Err(message);
                }
            }
            Ok(Kind::Http) => {
                leaf_or_not(name, template, true)?;
                super::http_template::check(name, template)?;
            }
            _ => leaf_or_not(name, template, true)?,
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

/// The hooks of a workflow, step or task (`validateHooks`, `validate.go` 143-150): the
/// template each names must exist; each but `exit` needs an expression (Argo checks
/// this for the workflow and steps, `expressions`; a task's fails when it runs).
fn validate_hooks(
    holder: &Value,
    base: &str,
    templates: &BTreeMap<String, Value>,
    expressions: bool,
) -> Result<(), String> {
    for (name, hook) in holder.get("hooks").and_then(Value::as_object).into_iter().flatten() {
        if expressions && name != "exit" && hook.get("expression").and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(format!("{base}.{name} Expression required"));
        }
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
    validate_hooks(spec, "hooks", templates, true)
}

/// What only some kinds of template may have (`validateNonLeaf`, `validateLeaf`, `validate.go` 848-853, 987-989).
fn leaf_or_not(name: &str, template: &Value, leaf: bool) -> Result<(), String> {
    let has = |key: &str| template.get(key).is_some_and(|v| !v.is_null());
    if !leaf && has("activeDeadlineSeconds") {
        return Err(format!("templates.{name}.activeDeadlineSeconds is only valid for leaf templates"));
    }
    if leaf && has("parallelism") {
        return Err(format!("templates.{name}.parallelism is only valid for steps and dag templates"));
    }
    Ok(())
}

fn validate_steps(name: &str, template: &Value, templates: &BTreeMap<String, Value>) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for (index, group) in template["steps"].as_array().into_iter().flatten().enumerate() {
        for step in group.as_array().into_iter().flatten() {
            let step_name = step.get("name").and_then(Value::as_str).unwrap_or_default();
            if step_name.is_empty() {
                return Err(format!("templates.{name}.steps[{index}].name is required"));
            }
            if !seen.insert(step_name.to_owned()) {
                return Err(format!("templates.{name}.steps[{index}].name '{step_name}' is not unique"));
            }
            template_of(step, templates).map_err(|e| format!("templates.{name}.steps[{index}].{step_name} {e}"))?;
            validate_hooks(step, &format!("templates.{name}.steps[{index}].{step_name}"), templates, true)?;
        }
    }
    Ok(())
}

fn validate_dag(name: &str, template: &Value, templates: &BTreeMap<String, Value>) -> Result<(), String> {
    let tasks: Vec<&Value> = template["dag"].get("tasks").and_then(Value::as_array).into_iter().flatten().collect();
    if tasks.is_empty() {
        return Err(format!("templates.{name} must have at least one task"));
    }
    let names: BTreeSet<&str> = tasks.iter().filter_map(|t| t.get("name").and_then(Value::as_str)).collect();
    let mut graph = BTreeMap::new();
    for task in &tasks {
        let task_name = task.get("name").and_then(Value::as_str).unwrap_or_default();
        if task.get("depends").is_some() && task.get("dependencies").is_some() {
            return Err(format!(
                "templates.{name} cannot use both 'depends' and 'dependencies' in the same DAG template"
            ));
        }
        if task.get("depends").is_some() && task.get("continueOn").is_some() {
            return Err(format!(
                "templates.{name} cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'"
            ));
        }
        template_of(task, templates).map_err(|e| format!("templates.{name}.tasks.{task_name} {e}"))?;
        validate_hooks(task, &format!("templates.{name}.tasks.{task_name}"), templates, false)?;
        for (dependency, result) in depends_terms(task.get("depends").and_then(Value::as_str).unwrap_or_default()) {
            if let Some(result) = result.filter(|r| !RESULTS.contains(r)) {
                return Err(format!(
                    "templates.{name}.tasks.{task_name} task result '{result}' for task '{dependency}' is invalid"
                ));
            }
        }
        let dependencies = dependencies_of(task);
        for dependency in &dependencies {
            if !names.contains(dependency.as_str()) {
                return Err(format!("templates.{name}.tasks.{task_name} dependency '{dependency}' not defined"));
            }
        }
        graph.insert(task_name.to_owned(), dependencies);
    }
    if let Some(target) = template["dag"].get("target").and_then(Value::as_str) {
        for target in target.split(' ').filter(|t| !t.is_empty()) {
            if !names.contains(target) {
                return Err(format!("templates.{name}.targets: target '{target}' is not defined"));
            }
        }
    }
    no_cycles(name, &tasks, &graph)
}

/// Argo's `verifyNoCycles` (`validate.go` 1624): a depth-first walk from each
/// task in order, naming the path that closes the cycle.
fn no_cycles(name: &str, tasks: &[&Value], graph: &BTreeMap<String, Vec<String>>) -> Result<(), String> {
    fn walk(
        task: &str,
        path: &mut Vec<String>,
        graph: &BTreeMap<String, Vec<String>>,
        visited: &mut BTreeSet<String>,
        template: &str,
    ) -> Result<(), String> {
        if visited.contains(task) {
            return Ok(());
        }
        for dependency in graph.get(task).into_iter().flatten() {
            if path.contains(dependency) {
                return Err(format!(
                    "templates.{template}.tasks dependency cycle detected: {}->{dependency}",
                    path.join("->")
                ));
            }
            path.push(dependency.clone());
            walk(dependency, path, graph, visited, template)?;
            path.pop();
        }
        visited.insert(task.to_owned());
        Ok(())
    }
    let mut visited = BTreeSet::new();
    for task in tasks {
        let task_name = task.get("name").and_then(Value::as_str).unwrap_or_default();
        walk(task_name, &mut Vec::new(), graph, &mut visited, name)?;
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
    fn an_undefined_entrypoint_or_template_is_argos_message() {
        let templates = spec(json!([wasm("a"), {"name": "s", "steps": [[{"name": "x", "template": "nope"}]]}]));
        assert_eq!(validate(&templates, "missing").unwrap_err(), "template name 'missing' undefined");
        assert_eq!(validate(&templates, "").unwrap_err(), "spec.entrypoint is required");
        assert_eq!(validate(&templates, "s").unwrap_err(), "templates.s.steps[0].x template name 'nope' undefined");
    }

    #[test]
    fn dag_cycles_and_missing_dependencies_are_refused() {
        let cycle = spec(json!([wasm("w"), {"name": "d", "dag": {"tasks": [
            {"name": "A", "template": "w", "dependencies": ["C"]},
            {"name": "B", "template": "w", "dependencies": ["A"]},
            {"name": "C", "template": "w", "dependencies": ["B"]}]}}]));
        assert_eq!(validate(&cycle, "d").unwrap_err(), "templates.d.tasks dependency cycle detected: C->B->A->C");
        let missing = spec(json!([wasm("w"), {"name": "d", "dag": {"tasks": [
            {"name": "A", "template": "w", "dependencies": ["Z"]}]}}]));
        assert_eq!(validate(&missing, "d").unwrap_err(), "templates.d.tasks.A dependency 'Z' not defined");
    }
}
