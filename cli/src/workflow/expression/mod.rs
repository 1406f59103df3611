//! The expression languages Argo's controller evaluates, in pure Rust:
//!
//! - [`govaluate()`]: Knetic/govaluate, which Argo uses for `when` conditions
//!   (through [`when()`], its `shouldExecute`): every number a float64,
//!   bare words as strings, `=~` regular expressions, `in (…)`, `?:`, `??`.
//! - [`evaluate()`]: expr-lang/expr (v1.17, as Argo v4.1 vendors it), the
//!   language of `{{=…}}` tags, retry `expression`s, hooks and DAG
//!   `depends` ([`depends()`]), with the functions Argo adds to its env
//!   (`asInt`, `asFloat`, `toJson`, `jsonpath`, `sprig.*`). expr keeps ints
//!   and floats apart; Go's JSON gives only floats.
//! - [`evaluate_to_string()`] and [`render()`]: how Argo writes a `{{=…}}`
//!   result back into the template.
//!
//! Values are `serde_json::Value`s at the boundary; inside, each language
//! works on a Go-like value that keeps Go's int/float distinction.

mod depends;
mod error;
mod expr;
mod go_format;
mod go_regex;
mod govaluate;
mod value;
mod when;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use depends::{
    ContinueOn, DependencyType, TaskResults, depends, logic_from_dependencies, task_dependencies, validate_task_results,
};
pub use error::{ErrorKind, ExpressionError};
pub use when::when;

/// Evaluates a govaluate expression, as `govaluate.NewEvaluableExpression(
/// expression).Evaluate(parameters)` does: parameters are looked up by their
/// whole (possibly dotted) name first, then as fields of an object
/// (`A.Succeeded` with `{"A": {"Succeeded": true}}`). Numbers come back as
/// floats, as govaluate's are float64.
pub fn govaluate(
    expression: &str,
    parameters: &BTreeMap<String, serde_json::Value>,
) -> Result<serde_json::Value, ExpressionError> {
    let parameters =
        parameters.iter().map(|(name, value)| (name.clone(), value::GoValue::from_json_as_floats(value))).collect();
    let result = govaluate::evaluate(expression, Some(&parameters))?;
    result.to_json()
}

/// Evaluates an expr expression (the body of a `{{=…}}` tag) against Argo's
/// flat scope (`inputs.parameters.x`, `item`, `workflow.name`, …): the scope
/// is expanded into nested maps as Argo's `util/expand` does, and Argo's
/// functions are added (`util/expr/env/env.go`).
pub fn evaluate(
    expression: &str,
    scope: &BTreeMap<String, serde_json::Value>,
) -> Result<serde_json::Value, ExpressionError> {
    evaluate_go(expression, scope)?.to_json()
}

/// Evaluates an expr expression and renders the result as Argo writes it
/// into the template it came from (`expressionReplaceCore`): a string as it
/// is, anything else as Go's `json.Marshal` prints it (`3`, `2.5`, `1e+21`,
/// `{"a":1}`). A nil result is an error, in Argo's words.
pub fn evaluate_to_string(
    expression: &str,
    scope: &BTreeMap<String, serde_json::Value>,
) -> Result<String, ExpressionError> {
    let result = evaluate_go(expression, scope)?;
    if result == value::GoValue::Nil {
        return Err(ExpressionError::evaluation(format!(
            "failed to evaluate expression {}",
            go_format::go_quote(expression)
        )));
    }
    render_go(&result)
}

/// Renders a value as Argo writes an expression's result into a template:
/// a string as it is, anything else as Go's `json.Marshal` prints it.
/// Integral floats print without a fraction (`3`), as Go prints them.
pub fn render(value: &serde_json::Value) -> Result<String, ExpressionError> {
    render_go(&value::GoValue::from_json(value))
}

/// The variables an expr expression needs that `scope` lacks: its
/// identifiers and plain member paths (`workflow.status`,
/// `inputs.parameters.x`), except those guarded by `??` or `?.`, as Argo's
/// `missingVarsInEnv` finds them before it evaluates a `{{=…}}` tag (and
/// leaves the tag unresolved when one of them binds later, such as `item`,
/// `retries` or `workflow.status`).
pub fn missing_variables(
    expression: &str,
    scope: &BTreeMap<String, serde_json::Value>,
) -> Result<Vec<String>, ExpressionError> {
    expr::identifiers::missing_variables(expression, scope)
}

fn render_go(value: &value::GoValue) -> Result<String, ExpressionError> {
    match value {
        value::GoValue::Str(text) => Ok(text.clone()),
        other => go_format::json_marshal(other),
    }
}

fn evaluate_go(
    expression: &str,
    scope: &BTreeMap<String, serde_json::Value>,
) -> Result<value::GoValue, ExpressionError> {
    let env = expr::env::argo_env(scope);
    expr::evaluate(expression, &env)
}
