//! DAG `depends`: Argo's `TestEvaluateDependsLogic` and
//! `TestEvaluateAnyAllDependsLogic` (`workflow/controller/dag_test.go`),
//! `TestGetTaskDependenciesFromDepends`, `TestGetTaskDependsLogic` and
//! `TestValidateTaskResults` (`workflow/common/ancestry_test.go`), and the
//! same logic through `govaluate` with object parameters.

use std::collections::BTreeMap;

use serde_json::json;

use crate::workflow::expression::{
    ContinueOn, DependencyType, TaskResults, depends, govaluate, logic_from_dependencies, task_dependencies,
    validate_task_results,
};

fn succeeded() -> TaskResults {
    TaskResults { succeeded: true, ..TaskResults::default() }
}

fn failed() -> TaskResults {
    TaskResults { failed: true, ..TaskResults::default() }
}

fn skipped() -> TaskResults {
    TaskResults { skipped: true, ..TaskResults::default() }
}

fn no_continue(_: &str) -> ContinueOn {
    ContinueOn::default()
}

/// Expands `depends` as the DAG does, then evaluates it over `results`.
fn run(logic: &str, results: &[(&str, TaskResults)]) -> bool {
    let (_, expanded) = task_dependencies(logic, no_continue);
    let results: BTreeMap<String, TaskResults> =
        results.iter().map(|(name, result)| (name.to_string(), *result)).collect();
    depends(&expanded, &results).unwrap_or_else(|e| panic!("{logic}: {e}"))
}

#[test]
fn evaluate_depends_logic() {
    // A succeeded: B and C (`depends: A`) run.
    assert!(run("A", &[("A", succeeded())]));
    // B succeeded, C failed.
    let done = [("A", succeeded()), ("B", succeeded()), ("C", failed())];
    assert!(run("A && (C.Succeeded || C.Failed)", &done));
    assert!(run("B || C", &done));
    assert!(!run("B && C", &done));
    // should-execute-3, with hyphens, over a Skipped dependency.
    assert!(run(
        "should-execute-2 || should-not-execute",
        &[("should-execute-2", succeeded()), ("should-not-execute", skipped())]
    ));
}

#[test]
fn evaluate_any_all_depends_logic() {
    let running_children = TaskResults { succeeded: true, ..TaskResults::default() };
    assert!(!run("A.AnySucceeded", &[("A", running_children)]));
    let one_succeeded = TaskResults { succeeded: true, any_succeeded: true, ..TaskResults::default() };
    assert!(run("A.AnySucceeded", &[("A", one_succeeded)]));
    let all_failed = TaskResults { failed: true, all_failed: true, ..TaskResults::default() };
    assert!(run("B.AllFailed", &[("B", all_failed)]));
    assert!(!run("B.AllFailed", &[("B", failed())]));
}

#[test]
fn get_task_dependencies_from_depends() {
    let (deps, logic) = task_dependencies("(task-1 || task-2.Succeeded) && !task-3.Succeeded", no_continue);
    assert_eq!(deps.len(), 3);
    assert_eq!(
        logic,
        "((task-1.Succeeded || task-1.Skipped || task-1.Daemoned) || task-2.Succeeded) && !task-3.Succeeded"
    );
    let (_, logic) = task_dependencies("(task-1 || task-2.AnySucceeded) && !task-3.Succeeded", no_continue);
    assert_eq!(
        logic,
        "((task-1.Succeeded || task-1.Skipped || task-1.Daemoned) || task-2.AnySucceeded) && !task-3.Succeeded"
    );
    let (_, logic) = task_dependencies("(task-1||(task-2.Succeeded || task-2.Failed))&&!task-3.Failed", no_continue);
    assert_eq!(
        logic,
        "((task-1.Succeeded || task-1.Skipped || task-1.Daemoned)||(task-2.Succeeded || task-2.Failed))&&!task-3.Failed"
    );
    let (deps, logic) = task_dependencies("(task-1 || task-1.Succeeded) && !task-1.Failed", no_continue);
    assert_eq!(deps, BTreeMap::from([("task-1".to_string(), DependencyType::Task)]));
    assert_eq!(
        logic,
        "((task-1.Succeeded || task-1.Skipped || task-1.Daemoned) || task-1.Succeeded) && !task-1.Failed"
    );
    let (deps, logic) = task_dependencies("task-1.Succeeded && task-1.AnySucceeded", no_continue);
    assert_eq!(deps, BTreeMap::from([("task-1".to_string(), DependencyType::Items)]));
    assert_eq!(logic, "task-1.Succeeded && task-1.AnySucceeded");
    let on = |error, failed| move |_: &str| ContinueOn { error, failed };
    assert_eq!(
        task_dependencies("task-1", on(false, true)).1,
        "(task-1.Succeeded || task-1.Skipped || task-1.Daemoned || task-1.Failed)"
    );
    assert_eq!(
        task_dependencies("task-1", on(true, false)).1,
        "(task-1.Succeeded || task-1.Skipped || task-1.Daemoned || task-1.Errored)"
    );
    assert_eq!(
        task_dependencies("task-1", on(true, true)).1,
        "(task-1.Succeeded || task-1.Skipped || task-1.Daemoned || task-1.Errored || task-1.Failed)"
    );
}

#[test]
fn get_task_depends_logic() {
    assert_eq!(
        logic_from_dependencies(&["task-1".into(), "task-2".into()], no_continue),
        "(task-1.Succeeded || task-1.Skipped || task-1.Daemoned) && (task-2.Succeeded || task-2.Skipped || task-2.Daemoned)"
    );
}

#[test]
fn validate_results() {
    assert!(validate_task_results("(task-1 || task-2.Succeeded) && !task-3").is_ok());
    assert!(
        validate_task_results(
            "((task-1.Succeeded || task-1.Omitted) || task-2.Succeeded) && !task-3.Skipped && task-2.Failed || task-6.Succeeded"
        )
        .is_ok()
    );
    assert_eq!(
        validate_task_results("(task-1.DoeNotExist || task-2.Succeeded)").unwrap_err().message(),
        "task result 'DoeNotExist' for task 'task-1' is invalid"
    );
}

#[test]
fn depends_errors_in_argo_words() {
    let results = BTreeMap::from([("A".to_string(), succeeded())]);
    let error = depends("A.Succeeded && B.Succeeded", &results).unwrap_err();
    assert_eq!(
        error.message(),
        "unable to evaluate expression 'A.Succeeded && B.Succeeded': unknown name B (1:16)\n | A.Succeeded && B.Succeeded\n | ...............^"
    );
}

/// The same logic through govaluate (how Argo v2 evaluated `depends`, and
/// what `govaluate` offers the runner): task results as object parameters.
#[test]
fn depends_through_govaluate() {
    let parameters = BTreeMap::from([
        ("A".to_string(), json!({"Succeeded": true, "Failed": false})),
        ("B".to_string(), json!({"Succeeded": false, "Failed": true})),
    ]);
    assert_eq!(govaluate("A.Succeeded || B.Failed", &parameters), Ok(json!(true)));
    assert_eq!(govaluate("A.Succeeded && !B.Failed", &parameters), Ok(json!(false)));
}
