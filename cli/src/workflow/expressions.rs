//! Where the runner meets Argo's expression languages: `{{=…}}` tags
//! (expr, with Argo's functions) and `depends` conditions. The evaluators
//! themselves are another part's (`workflow::expression`); until it is in
//! this tree, an expression is refused with a message that says so.

use super::substitute::Scope;

/// The text of `{{=expression}}` in `scope`.
pub fn evaluate(expression: &str, _scope: &Scope) -> Result<String, String> {
    Err(format!(
        "expression {{{{={expression}}}}} cannot be evaluated yet: `{{{{=…}}}}` expressions are not supported by this version of wasm-workflows"
    ))
}

/// Whether `depends` condition `logic` holds for the dependencies' results.
pub fn depends(logic: &str, _results: &std::collections::BTreeMap<String, DependencyResult>) -> Result<bool, String> {
    Err(format!(
        "depends '{logic}' cannot be evaluated yet: `depends` conditions are not supported by this version of wasm-workflows (use `dependencies`)"
    ))
}

/// What a dependency ended as, in the terms `depends` reads (Argo's
/// `TaskResults`, `workflow/controller/dag.go` 956).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DependencyResult {
    /// `.Succeeded`
    pub succeeded: bool,
    /// `.Failed`
    pub failed: bool,
    /// `.Errored`
    pub errored: bool,
    /// `.Skipped`
    pub skipped: bool,
    /// `.Omitted`
    pub omitted: bool,
    /// `.Daemoned` (never: no daemons here)
    pub daemoned: bool,
    /// `.AnySucceeded`: a loop's child succeeded
    pub any_succeeded: bool,
    /// `.AllFailed`: every child of a loop failed
    pub all_failed: bool,
}

/// Whether a step's or task's `when` (after `{{…}}` substitution) holds.
pub fn when(condition: &str) -> Result<bool, String> {
    Err(format!(
        "when '{condition}' cannot be evaluated yet: `when` conditions are not supported by this version of wasm-workflows"
    ))
}
