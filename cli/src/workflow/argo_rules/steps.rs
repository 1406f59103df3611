//! A steps template (`validateSteps`, validate.go 1087-1168): each step
//! named once and well, its loop, arguments, template and hooks, and its
//! references to the steps before it.

use serde_json::Value;

use super::arguments::{self, Arguments};
use super::names;
use super::substitute;
use super::variables::{self, Outputs};
use super::{Base, Checker, Scope, hooks, list, text};

/// Argo's `validateNonLeaf`.
pub fn non_leaf(template: &Value) -> Result<(), String> {
    if template.get("activeDeadlineSeconds").is_some_and(|d| !d.is_null()) {
        return Err(format!(
            "templates.{}.activeDeadlineSeconds is only valid for leaf templates",
            text(template, "name")
        ));
    }
    Ok(())
}

/// Whether a step or task has an exit handler (`HasExitHook`).
pub fn has_exit_hook(holder: &Value) -> bool {
    !text(holder, "onExit").is_empty() || holder.pointer("/hooks/exit").is_some_and(|h| !h.is_null())
}

/// A step or task's name with each `{{…}}` written as `x`, as Argo checks
/// names that a placeholder stands in (`isValidStepName`).
fn without_references(name: &str) -> String {
    let mut sanitized = name.to_owned();
    for tag in variables::tags(name) {
        sanitized = sanitized.replacen(&format!("{{{{{tag}}}}}"), "x", 1);
    }
    sanitized
}

impl<'a> Checker<'a> {
    pub(super) fn steps(&mut self, scope: &mut Scope, base: Base<'a>, template: &Value) -> Result<(), String> {
        non_leaf(template)?;
        let name = text(template, "name");
        let mut seen = std::collections::BTreeSet::new();
        for (index, group) in list(template.get("steps")).enumerate() {
            for step in group.as_array().into_iter().flatten() {
                let step_name = text(step, "name");
                let at = format!("templates.{name}.steps[{index}]");
                if step_name.is_empty() {
                    return Err(format!("{at}.name is required"));
                }
                if !seen.insert(step_name.to_owned()) {
                    return Err(format!("{at}.name '{step_name}' is not unique"));
                }
                let problems =
                    names::field_name_problems(&substitute::without_placeholders(&without_references(step_name)));
                if !problems.is_empty() {
                    return Err(format!("{at}.name '{step_name}' is invalid: {}", problems.join(";")));
                }
                scope.insert(format!("steps.{step_name}.status"));
                let here = format!("{at}.{step_name}");
                variables::add_items(step, scope).map_err(|e| format!("{here} {e}"))?;
                let own_arguments = step.get("arguments").cloned().unwrap_or(Value::Null);
                arguments::check(&format!("{here}.arguments."), &own_arguments, false)?;
                let resolved = self.holder(step, base, Arguments::Made).map_err(|e| format!("{here} {e}"))?;
                let outputs = Outputs { root: "steps", name: step_name, aggregate: false, ancestor: false };
                if has_exit_hook(step) {
                    variables::add_outputs(resolved.as_ref(), outputs, scope, &mut self.globals);
                }
                hooks(&here, step)?;
                // The step's scope is the template's with an inline template's inputs.
                let inline: Scope = list(step.pointer("/inline/inputs/parameters"))
                    .map(|parameter| format!("inputs.parameters.{}", text(parameter, "name")))
                    .collect();
                self.resolve_all(&[scope, &inline], &step.to_string())
                    .map_err(|e| format!("templates.{name}.steps {e}"))?;
                let outputs = Outputs { aggregate: variables::aggregates(step), ..outputs };
                variables::add_outputs(resolved.as_ref(), outputs, scope, &mut self.globals);
                // The template again, with the step's own arguments.
                self.holder(step, base, Arguments::Given(&own_arguments)).map_err(|e| format!("{here} {e}"))?;
            }
        }
        Ok(())
    }
}
