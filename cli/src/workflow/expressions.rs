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
