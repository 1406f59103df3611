//! A DAG template (`validateDAG`, validate.go 1420-1560): its tasks sorted
//! by their dependencies (an unknown one or a cycle is refused there),
//! their names, `depends` results, templates, targets, and references to
//! the tasks they depend on.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::arguments::{self, Arguments};
use super::names::{self, Rule};
use super::steps::{has_exit_hook, non_leaf};
use super::variables::{self, Outputs};
use super::{Base, Checker, Scope, list, text};
// The results a `depends` term may ask for are those of `ValidateTaskResults` (`workflow/common/ancestry.go` 90-107).
use crate::workflow::dag::{RESULTS, dependencies_of, depends_terms};

/// The tasks in an order where each comes after those it depends on
/// (`sortDAGTasks` and `TopologicalSorting`, `util/sorting/topological_sorting.go`); the error is theirs.
fn sorted<'t>(tasks: &[&'t Value]) -> Result<Vec<&'t Value>, String> {
    let mut by_name: BTreeMap<&str, &Value> = BTreeMap::new();
    for task in tasks {
        let name = text(task, "name");
        if by_name.insert(name, task).is_some() {
            return Err(format!("duplicated nodeName {name}"));
        }
    }
    let dependencies: Vec<Vec<String>> = tasks.iter().map(|t| dependencies_of(t)).collect();
    for wanted in dependencies.iter().flatten() {
        if !by_name.contains_key(wanted.as_str()) {
            return Err(format!("invalid dependency {wanted}"));
        }
    }
    let mut order = Vec::new();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    while order.len() < tasks.len() {
        let ready: Vec<usize> = (0..tasks.len())
            .filter(|&i| !placed.contains(text(tasks[i], "name")))
            .filter(|&i| dependencies[i].iter().all(|d| placed.contains(d.as_str())))
            .collect();
        if ready.is_empty() {
            return Err("graph with cycle".into());
        }
        for index in ready {
            placed.insert(text(tasks[index], "name"));
            order.push(tasks[index]);
        }
    }
    Ok(order)
}

/// Every task `name` depends on, directly or not (`GetTaskAncestry`).
fn ancestry(name: &str, dependencies: &BTreeMap<&str, Vec<String>>) -> Vec<String> {
    let mut found: BTreeSet<String> = BTreeSet::new();
    let mut waiting: Vec<String> = dependencies.get(name).cloned().unwrap_or_default();
    while let Some(next) = waiting.pop() {
        if next != name && !found.contains(&next) {
            waiting.extend(dependencies.get(next.as_str()).cloned().unwrap_or_default());
            found.insert(next);
        }
    }
    found.into_iter().collect()
}

/// Argo's `validateDAGTaskArgumentDependency`: a `{{tasks.X…}}` argument needs X among the ancestors.
fn argument_dependencies(task_arguments: &Value, ancestry: &[String]) -> Result<(), String> {
    let task_of =
        |text: &str| text.strip_prefix("{{tasks.").map(|rest| rest.split('.').next().unwrap_or_default().to_owned());
    for parameter in list(task_arguments.get("parameters")) {
        let value = match parameter.get("value") {
            Some(Value::String(value)) => value.clone(),
            _ => continue,
        };
        if let Some(task) = task_of(&value).filter(|t| !ancestry.contains(t)) {
            return Err(format!("missing dependency '{task}' for parameter '{}'", text(parameter, "name")));
        }
    }
    for artifact in list(task_arguments.get("artifacts")) {
        if let Some(task) = task_of(text(artifact, "from")).filter(|t| !ancestry.contains(t)) {
            return Err(format!("missing dependency '{task}' for artifact '{}'", text(artifact, "name")));
        }
    }
    Ok(())
}

impl<'a> Checker<'a> {
    pub(super) fn dag(&mut self, scope: &mut Scope, base: Base<'a>, template: &Value) -> Result<(), String> {
        non_leaf(template)?;
        let name = text(template, "name");
        let written: Vec<&Value> = list(template.pointer("/dag/tasks")).collect();
        if written.is_empty() {
            return Err(format!("templates.{name} must have at least one task"));
        }
        let using_depends = written.iter().any(|t| !text(t, "depends").is_empty());
        let tasks = sorted(&written).map_err(|e| format!("templates.{name} sorting failed: {e}"))?;
        names::field_names(template.pointer("/dag/tasks"), Rule::Field)
            .map_err(|e| format!("templates.{name}.tasks{e}"))?;
        let by_name: BTreeMap<&str, &Value> = tasks.iter().map(|t| (text(t, "name"), *t)).collect();
        let dependencies: BTreeMap<&str, Vec<String>> =
            tasks.iter().map(|t| (text(t, "name"), dependencies_of(t))).collect();
        let mut resolved: BTreeMap<&str, Option<Value>> = BTreeMap::new();
        for task in &tasks {
            let task_name = text(task, "name");
            let here = format!("templates.{name}.tasks.{task_name}");
            let has_dependencies = list(task.get("dependencies")).next().is_some();
            if (using_depends || has_dependencies) && task_name.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(format!(
                    "{here} name cannot begin with a digit when using either 'depends' or 'dependencies'"
                ));
            }
            if using_depends && has_dependencies {
                return Err(format!(
                    "templates.{name} cannot use both 'depends' and 'dependencies' in the same DAG template"
                ));
            }
            if using_depends && task.get("continueOn").is_some_and(|c| !c.is_null()) {
                return Err(format!(
                    "templates.{name} cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'"
                ));
            }
            let template_of_task = self.holder(task, base, Arguments::Made).map_err(|e| format!("{here} {e}"))?;
            let outputs =
                Outputs { root: "tasks", name: task_name, aggregate: variables::aggregates(task), ancestor: false };
            variables::add_outputs(template_of_task.as_ref(), outputs, scope, &mut self.globals);
            resolved.insert(task_name, template_of_task);
            let depends = text(task, "depends");
            for (dependency, result) in depends_terms(depends) {
                if let Some(result) = result.filter(|r| !RESULTS.contains(r)) {
                    return Err(format!("{here} task result '{result}' for task '{dependency}' is invalid"));
                }
            }
            for (dependency, result) in depends_terms(depends) {
                let loops = by_name
                    .get(dependency)
                    .is_some_and(|d| variables::aggregates(d) || d.get("withSequence").is_some_and(|s| !s.is_null()));
                if matches!(result, Some("AnySucceeded" | "AllFailed")) && !loops {
                    // Argo names the dependency where the task's name belongs (validate.go 1491-1494).
                    return Err(format!(
                        "templates.{name}.tasks.{dependency} dependency '{dependency}' uses an items-based condition \
                         such as .AnySucceeded or .AllFailed but does not contain any items"
                    ));
                }
            }
        }
        let target = template.pointer("/dag/target").and_then(Value::as_str).unwrap_or_default();
        self.resolve_all(&[scope], target).map_err(|e| format!("templates.{name}.targets {e}"))?;
        if !target.is_empty() {
            for wanted in target.split(' ') {
                if !variables::is_parameter(wanted) && !by_name.contains_key(wanted) {
                    return Err(format!("templates.{name}.targets: target '{wanted}' is not defined"));
                }
            }
        }
        for task in &tasks {
            let task_name = text(task, "name");
            let here = format!("templates.{name}.tasks.{task_name}");
            let template_of_task = resolved.get(task_name).cloned().flatten();
            if task.get("hooks").is_some_and(|h| !h.is_null()) {
                scope.insert(format!("tasks.{task_name}.status"));
            }
            let outputs = Outputs { root: "tasks", name: task_name, aggregate: false, ancestor: false };
            variables::add_outputs(template_of_task.as_ref(), outputs, scope, &mut self.globals);
            if has_exit_hook(task) {
                variables::add_outputs(template_of_task.as_ref(), outputs, scope, &mut self.globals);
            }
            // The task's scope is the template's with its ancestors' outputs and status, and its
            // loop's and inline template's names. Only the ancestors it names are added: the
            // others cannot change what its references resolve to.
            let ancestors = ancestry(task_name, &dependencies);
            let task_text = task.to_string();
            let named: BTreeSet<&str> = variables::tags(&task_text)
                .into_iter()
                .filter_map(|tag| tag.trim().strip_prefix("tasks.")?.split('.').next())
                .collect();
            let mut task_scope = Scope::new();
            for ancestor in ancestors.iter().filter(|a| named.contains(a.as_str())) {
                let Some(ancestor_task) = by_name.get(ancestor.as_str()) else { continue };
                let outputs = Outputs {
                    root: "tasks",
                    name: ancestor,
                    aggregate: variables::aggregates(ancestor_task),
                    ancestor: true,
                };
                let ancestor_template = resolved.get(ancestor.as_str()).cloned().flatten();
                variables::add_outputs(ancestor_template.as_ref(), outputs, &mut task_scope, &mut self.globals);
            }
            for parameter in list(task.pointer("/inline/inputs/parameters")) {
                task_scope.insert(format!("inputs.parameters.{}", text(parameter, "name")));
            }
            variables::add_items(task, &mut task_scope).map_err(|e| format!("{here} {e}"))?;
            self.resolve_all(&[scope, &task_scope], &task_text).map_err(|e| format!("{here} {e}"))?;
            let own_arguments = task.get("arguments").cloned().unwrap_or(Value::Null);
            arguments::check(&format!("{here}.arguments."), &own_arguments, false)?;
            argument_dependencies(&own_arguments, &ancestors).map_err(|e| format!("{here} {e}"))?;
            // The template again, with the task's own arguments.
            self.holder(task, base, Arguments::Given(&own_arguments)).map_err(|e| format!("{here} {e}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tasks_sort_after_their_dependencies_and_cycles_are_refused() {
        let tasks = [json!({"name": "B", "dependencies": ["A"]}), json!({"name": "A"})];
        let order: Vec<&str> =
            sorted(&tasks.iter().collect::<Vec<_>>()).unwrap().iter().map(|t| text(t, "name")).collect();
        assert_eq!(order, ["A", "B"]);
        let cycle = [json!({"name": "A", "depends": "B"}), json!({"name": "B", "depends": "A"})];
        assert_eq!(sorted(&cycle.iter().collect::<Vec<_>>()).unwrap_err(), "graph with cycle");
        let unknown = [json!({"name": "A", "dependencies": ["Z"]})];
        assert_eq!(sorted(&unknown.iter().collect::<Vec<_>>()).unwrap_err(), "invalid dependency Z");
    }

    #[test]
    fn ancestry_is_transitive() {
        let dependencies: BTreeMap<&str, Vec<String>> =
            [("A", vec![]), ("B", vec!["A".to_owned()]), ("C", vec!["B".to_owned()])].into_iter().collect();
        let mut found = ancestry("C", &dependencies);
        found.sort();
        assert_eq!(found, ["A", "B"]);
    }
}
