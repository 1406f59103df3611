//! A template given its arguments, as Argo's `ProcessArgs`
//! (`workflow/common/util.go` 200) does: each input parameter takes the
//! argument of its name, else its own `value`, else its `default`; one with
//! none is `inputs.parameters.NAME was not supplied`. The global names and
//! `inputs.parameters.*` are then replaced throughout the template; names
//! resolved later (`steps.…`, `tasks.…`, `item`) are kept.

use serde_json::{Value, json};

use super::substitute::{Scope, Unresolved, replace_in};

/// `template` with `arguments` (a step's or the workflow's `arguments`)
/// and `globals` applied; the error is Argo's.
pub fn apply(template: &Value, arguments: &Value, globals: &Scope) -> Result<Value, String> {
    let mut template = template.clone();
    super::artifacts::apply_arguments(&mut template, arguments)?;
    let supplied = |name: &str| {
        arguments
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|p| p.get("value"))
            .cloned()
    };
    let mut scope = globals.clone();
    if let Some(parameters) = template.pointer_mut("/inputs/parameters").and_then(Value::as_array_mut) {
        for parameter in parameters {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            let value = supplied(&name)
                .or_else(|| parameter.get("value").cloned())
                .or_else(|| parameter.get("default").cloned())
                .filter(|v| !v.is_null())
                .ok_or_else(|| format!("inputs.parameters.{name} was not supplied"))?;
            let text = super::nodes::parameter_text(&value);
            parameter["value"] = json!(text);
            scope.insert(format!("inputs.parameters.{name}"), text);
        }
    }
    // The parameters' values are final: substitute everywhere else.
    let inputs = template.get_mut("inputs").map(Value::take);
    replace_in(&mut template, &scope, Unresolved::Keep)?;
    if let Some(mut inputs) = inputs {
        if let Some(artifacts) = inputs.get_mut("artifacts") {
            replace_in(artifacts, &scope, Unresolved::Keep)?;
        }
        template["inputs"] = inputs;
    }
    Ok(template)
}

/// The names `inputs.parameters.*` (and `inputs.artifacts.*`) of a processed template.
pub fn input_scope(template: &Value) -> Scope {
    let mut scope: Scope = template
        .pointer("/inputs/parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            Some((format!("inputs.parameters.{name}"), super::nodes::parameter_text(p.get("value")?)))
        })
        .collect();
    scope.extend(super::artifacts::input_scope(template));
    scope
}

/// The inputs a node records: the processed template's, when it has any.
pub fn node_inputs(template: &Value) -> Option<Value> {
    let inputs = template.get("inputs")?;
    let has = |key: &str| inputs.get(key).and_then(Value::as_array).is_some_and(|list| !list.is_empty());
    (has("parameters") || has("artifacts")).then(|| inputs.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_then_values_then_defaults() {
        let template = json!({"name": "t", "inputs": {"parameters": [
            {"name": "a"}, {"name": "b", "value": "own"}, {"name": "c", "default": "fallback"}]},
            "plugin": {"wasm": {"x": "{{inputs.parameters.a}}-{{inputs.parameters.b}}-{{workflow.name}}-{{steps.s.id}}"}}});
        let arguments = json!({"parameters": [{"name": "a", "value": "given"}]});
        let globals: Scope = [("workflow.name".to_owned(), "wf".to_owned())].into();
        let processed = apply(&template, &arguments, &globals).unwrap();
        assert_eq!(processed["plugin"]["wasm"]["x"], "given-own-wf-{{steps.s.id}}");
        assert_eq!(processed["inputs"]["parameters"][2]["value"], "fallback");
        assert_eq!(input_scope(&processed)["inputs.parameters.a"], "given");
    }

    #[test]
    fn a_parameter_without_a_value_is_argos_error() {
        let template = json!({"inputs": {"parameters": [{"name": "text"}]}});
        assert_eq!(apply(&template, &json!({}), &Scope::new()).unwrap_err(), "inputs.parameters.text was not supplied");
    }

    #[test]
    fn numbers_are_passed_as_text() {
        let template = json!({"inputs": {"parameters": [{"name": "n"}]}});
        let processed = apply(&template, &json!({"parameters": [{"name": "n", "value": 3}]}), &Scope::new()).unwrap();
        assert_eq!(processed["inputs"]["parameters"][0]["value"], "3");
    }
}
