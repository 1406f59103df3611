//! Argo's `{{…}}` tags: each tag's name (spaces around it ignored) is
//! looked up in a scope of flat dotted names (`inputs.parameters.x`,
//! `steps.a.outputs.parameters.y`, `item`, `workflow.name`) and replaced by
//! its text. A tag that starts with `=` is an expression
//! ([`super::expressions`]). What a name that is not in the scope does
//! depends on the moment: a template's own pass keeps it for later (a steps
//! template's `{{steps.…}}` are resolved step by step), a step's pass fails
//! with Argo's message, `failed to resolve {{name}}`.

use std::collections::BTreeMap;

use serde_json::Value;

/// Names and their text.
pub type Scope = BTreeMap<String, String>;

/// What to do with a tag whose name is not in the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// Leave it as it is.
    Keep,
    /// Fail: `failed to resolve {{name}}`.
    Fail,
}

/// `text` with its tags replaced.
pub fn replace(text: &str, scope: &Scope, unresolved: Unresolved) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(length) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let tag = &rest[start..start + 2 + length + 2];
        let name = rest[start + 2..start + 2 + length].trim();
        match name.strip_prefix('=') {
            Some(expression) => match super::expressions::evaluate(expression, scope) {
                Ok(text) => out.push_str(&text),
                Err(_) if unresolved == Unresolved::Keep => out.push_str(tag),
                Err(message) => return Err(message),
            },
            None => match scope.get(name) {
                Some(value) => out.push_str(value),
                None if unresolved == Unresolved::Keep || !names_a_workflow_variable(name) => out.push_str(tag),
                None => return Err(format!("failed to resolve {{{{{name}}}}}")),
            },
        }
        rest = &rest[start + 2 + length + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether `name` is one of Argo's (`GlobalVarValidWorkflowVariablePrefix`,
/// `workflow/common/common.go` 303): other tags, such as a Jinja template's
/// `{{ version }}`, are not Argo's and stay as they are
/// (`workflow/validate/validate.go` 805).
fn names_a_workflow_variable(name: &str) -> bool {
    const PREFIXES: [&str; 7] = ["item.", "steps.", "inputs.", "outputs.", "pod.", "workflow.", "tasks."];
    name == "item" || PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// Replaces the tags in every string of `value`, in place.
pub fn replace_in(value: &mut Value, scope: &Scope, unresolved: Unresolved) -> Result<(), String> {
    match value {
        Value::String(text) if text.contains("{{") => *text = replace(text, scope, unresolved)?,
        Value::Array(items) => items.iter_mut().try_for_each(|item| replace_in(item, scope, unresolved))?,
        Value::Object(members) => members.values_mut().try_for_each(|member| replace_in(member, scope, unresolved))?,
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        [("inputs.parameters.x", "1"), ("item", "{\"a\":1}")].into_iter().map(|(k, v)| (k.into(), v.into())).collect()
    }

    #[test]
    fn tags_are_replaced_with_spaces_around_the_name_ignored() {
        let text = "x={{inputs.parameters.x}} y={{ item }}";
        assert_eq!(replace(text, &scope(), Unresolved::Fail).unwrap(), "x=1 y={\"a\":1}");
    }

    #[test]
    fn unknown_names_are_kept_or_fail_with_argos_message() {
        let text = "{{steps.a.outputs.parameters.b}} and {{inputs.parameters.x}}";
        assert_eq!(replace(text, &scope(), Unresolved::Keep).unwrap(), "{{steps.a.outputs.parameters.b}} and 1");
        assert_eq!(
            replace(text, &scope(), Unresolved::Fail).unwrap_err(),
            "failed to resolve {{steps.a.outputs.parameters.b}}"
        );
    }

    #[test]
    fn every_string_of_a_document_is_replaced() {
        let mut value = serde_json::json!({"a": ["{{inputs.parameters.x}}", 2], "b": {"c": "{{item}}"}});
        replace_in(&mut value, &scope(), Unresolved::Fail).unwrap();
        assert_eq!(value, serde_json::json!({"a": ["1", 2], "b": {"c": "{\"a\":1}"}}));
    }

    #[test]
    fn tags_that_are_not_argos_are_kept() {
        let text = "{{ version }} {{ s.name }} {{inputs.parameters.x}}";
        assert_eq!(replace(text, &scope(), Unresolved::Fail).unwrap(), "{{ version }} {{ s.name }} 1");
    }

    #[test]
    fn an_unclosed_tag_is_text() {
        assert_eq!(replace("a {{b", &scope(), Unresolved::Fail).unwrap(), "a {{b");
    }
}
