//! A DAG task's `depends`, as Argo v4.1's `evaluateDependsLogic`
//! (`workflow/controller/dag.go`) evaluates it: with expr, over one
//! [`TaskResults`] per dependency, after every `-` in the logic and in the
//! task names became `_` (so `my-task.Succeeded` reads `my_task`). Before
//! that, `workflow/common/ancestry.go` turns `dependencies: [A, B]` and bare
//! task names in `depends` into results (`(A.Succeeded || A.Skipped ||
//! A.Daemoned)`, with `Errored`/`Failed` added for `continueOn`):
//! [`task_dependencies`], [`logic_from_dependencies`] and
//! [`validate_task_results`] do the same.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use super::error::{ErrorKind, ExpressionError};
use super::value::GoValue;

/// What a finished dependency did (`TaskResults` in `dag.go`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskResults {
    /// The node's phase is Succeeded.
    pub succeeded: bool,
    /// The node's phase is Failed.
    pub failed: bool,
    /// The node's phase is Error.
    pub errored: bool,
    /// The node's phase is Skipped.
    pub skipped: bool,
    /// The node's phase is Omitted.
    pub omitted: bool,
    /// The node is a daemon past Pending.
    pub daemoned: bool,
    /// A task group (loop) with at least one Succeeded child.
    pub any_succeeded: bool,
    /// A task group with children, all Failed.
    pub all_failed: bool,
}

impl TaskResults {
    fn to_go(self) -> GoValue {
        let fields = [
            ("Succeeded", self.succeeded),
            ("Failed", self.failed),
            ("Errored", self.errored),
            ("Skipped", self.skipped),
            ("Omitted", self.omitted),
            ("Daemoned", self.daemoned),
            ("AnySucceeded", self.any_succeeded),
            ("AllFailed", self.all_failed),
        ];
        GoValue::Map(fields.into_iter().map(|(name, value)| (name.to_string(), GoValue::Bool(value))).collect())
    }
}

/// Whether a task whose dependencies all finished runs: `logic` is its
/// `depends` (or the expansion of its `dependencies`), `results` maps each
/// dependency's task name (hyphens as written) to what it did.
pub fn depends(logic: &str, results: &BTreeMap<String, TaskResults>) -> Result<bool, ExpressionError> {
    let logic = logic.replace('-', "_");
    let env: BTreeMap<String, GoValue> =
        results.iter().map(|(name, result)| (name.replace('-', "_"), result.to_go())).collect();
    let wrap = |error: ExpressionError| {
        ExpressionError::new(error.kind(), format!("unable to evaluate expression '{logic}': {error}"))
    };
    let result = super::expr::evaluate(&logic, &env).map_err(|error| match error.kind() {
        // argoexpr.EvalBool returns a compile error as it is, a run-time
        // one wrapped in its own words; dag.go wraps both.
        ErrorKind::Evaluation => wrap(ExpressionError::new(
            ErrorKind::Evaluation,
            format!("unable to evaluate expression '{logic}': {error}"),
        )),
        _ => wrap(error),
    })?;
    match result {
        GoValue::Bool(b) => Ok(b),
        other => Err(wrap(ExpressionError::evaluation(format!(
            "unable to cast expression result '{}' to bool",
            cast_display(&other)
        )))),
    }
}

/// `%s` of a Go value that is not a string (`%!s(<nil>)`, `%!s(int=1)`).
fn cast_display(value: &GoValue) -> String {
    match value {
        GoValue::Nil => "%!s(<nil>)".into(),
        GoValue::Str(s) => s.clone(),
        other => format!("%!s({}={})", other.go_type(), super::go_format::format_v(other)),
    }
}

/// How a task depends on another (`DependencyType` in `ancestry.go`): on the
/// task, or on its loop's items (`.AnySucceeded`, `.AllFailed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DependencyType {
    /// The dependency's own node.
    Task,
    /// The children of the dependency's task group.
    Items,
}

/// A dependency's `continueOn`, which widens what a bare name accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContinueOn {
    /// `continueOn.error`: an Errored dependency counts as done.
    pub error: bool,
    /// `continueOn.failed`: a Failed dependency counts as done.
    pub failed: bool,
}

fn task_name_regex() -> &'static Regex {
    static TASK_NAME: OnceLock<Regex> = OnceLock::new();
    TASK_NAME.get_or_init(|| {
        Regex::new(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)|([a-zA-Z0-9][-a-zA-Z0-9]*)")
            .expect("valid task name pattern")
    })
}

fn task_result_regex() -> &'static Regex {
    static TASK_RESULT: OnceLock<Regex> = OnceLock::new();
    TASK_RESULT
        .get_or_init(|| Regex::new(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)").expect("valid task result pattern"))
}

/// `expandDependency`: what a bare dependency name means.
fn expand_dependency(name: &str, continue_on: ContinueOn) -> String {
    let mut results = vec![format!("{name}.Succeeded"), format!("{name}.Skipped"), format!("{name}.Daemoned")];
    if continue_on.error {
        results.push(format!("{name}.Errored"));
    }
    if continue_on.failed {
        results.push(format!("{name}.Failed"));
    }
    format!("({})", results.join(" || "))
}

/// `getTaskDependsLogic` for a task with `dependencies:` (no `depends`):
/// each dependency expanded, joined with `&&`.
pub fn logic_from_dependencies(dependencies: &[String], continue_on: impl Fn(&str) -> ContinueOn) -> String {
    dependencies.iter().map(|name| expand_dependency(name, continue_on(name))).collect::<Vec<_>>().join(" && ")
}

/// `GetTaskDependencies`: the tasks `depends` names (with how it depends
/// on each) and the logic with every bare name expanded.
pub fn task_dependencies(
    depends: &str,
    continue_on: impl Fn(&str) -> ContinueOn,
) -> (BTreeMap<String, DependencyType>, String) {
    let mut dependencies = BTreeMap::new();
    let mut bare = Vec::new();
    for captures in task_name_regex().captures_iter(depends) {
        if let Some(result) = captures.get(1) {
            let (task, result) = result.as_str().split_once('.').expect("the pattern has a dot");
            if result == "AnySucceeded" || result == "AllFailed" {
                dependencies.insert(task.to_string(), DependencyType::Items);
            } else {
                dependencies.entry(task.to_string()).or_insert(DependencyType::Task);
            }
        } else if let Some(name) = captures.get(2) {
            dependencies.insert(name.as_str().to_string(), DependencyType::Task);
            bare.push(name);
        }
    }
    let mut logic = depends.to_string();
    for name in bare.iter().rev() {
        let expanded = expand_dependency(name.as_str(), continue_on(name.as_str()));
        logic.replace_range(name.start()..name.end(), &expanded);
    }
    (dependencies, logic)
}

/// `ValidateTaskResults`: every `task.Result` in `depends` names a result
/// Argo knows.
pub fn validate_task_results(depends: &str) -> Result<(), ExpressionError> {
    const KNOWN: &[&str] =
        &["Succeeded", "Failed", "Skipped", "Omitted", "Errored", "Daemoned", "AnySucceeded", "AllFailed"];
    for found in task_result_regex().find_iter(depends) {
        let (task, result) = found.as_str().split_once('.').expect("the pattern has a dot");
        if !KNOWN.contains(&result) {
            return Err(ExpressionError::syntax(format!("task result '{result}' for task '{task}' is invalid")));
        }
    }
    Ok(())
}
