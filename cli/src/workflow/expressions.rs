//! Where the runner meets Argo's expression languages
//! ([`super::expression`]): `{{=…}}` tags (expr, with Argo's functions),
//! `when` conditions (govaluate) and `depends` conditions (expr over each
//! dependency's results). Messages are the evaluators', in Argo's words.

use std::collections::BTreeMap;

use serde_json::Value;

pub use super::expression::TaskResults as DependencyResult;
use super::substitute::Scope;

/// The text of `{{=expression}}` in `scope`, as Argo writes it into the template.
pub fn evaluate(expression: &str, scope: &Scope) -> Result<String, String> {
    let scope: BTreeMap<String, Value> = scope.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    super::expression::evaluate_to_string(expression, &scope).map_err(|e| e.to_string())
}

/// Whether `depends` condition `logic` holds for the dependencies' results
/// (task names as written).
pub fn depends(logic: &str, results: &BTreeMap<String, DependencyResult>) -> Result<bool, String> {
    super::expression::depends(logic, results).map_err(|e| e.to_string())
}

/// Whether a step's or task's `when` (after `{{…}}` substitution) holds.
pub fn when(condition: &str) -> Result<bool, String> {
    super::expression::when(condition).map_err(|e| e.to_string())
}

/// Whether expr `expression` holds in `scope` (Argo's `argoexpr.EvalBool`,
/// `util/expr/argoexpr/eval.go`): compile errors as expr words them,
/// run-time errors as "unable to evaluate expression '…': …", a result
/// that is not a boolean as "unable to cast expression result '…' to bool".
pub fn evaluate_bool(expression: &str, scope: &BTreeMap<String, Value>) -> Result<bool, String> {
    use super::expression::ErrorKind;
    match super::expression::evaluate(expression, scope) {
        Ok(Value::Bool(result)) => Ok(result),
        Ok(other) => {
            let text = super::expression::render(&other).unwrap_or_else(|_| other.to_string());
            Err(format!("unable to cast expression result '{text}' to bool"))
        }
        Err(error) if error.kind() == ErrorKind::Evaluation => {
            Err(format!("unable to evaluate expression '{expression}': {}", error.message()))
        }
        Err(error) => Err(error.to_string()),
    }
}

/// [`evaluate_bool`] over a flat scope of text.
pub fn evaluate_bool_in(expression: &str, scope: &Scope) -> Result<bool, String> {
    let scope: BTreeMap<String, Value> = scope.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    evaluate_bool(expression, &scope)
}
