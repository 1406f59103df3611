//! `wasm-workflows lint FILE…`: what `argo lint --offline` says of the
//! Workflows, WorkflowTemplates, ClusterWorkflowTemplates and
//! CronWorkflows in files and folders (`cmd/argo/lint/lint.go`): for each
//! object, its shape against Argo's schema (`schema`), then the checks of
//! Argo's validation (`super::argo_rules`, the same `run` makes), each
//! problem as `in "NAME" (Kind): MESSAGE`. `templateRef`s and
//! `workflowTemplateRef`s find the WorkflowTemplates among all the linted
//! files. Whether a workflow can run *here* is not asked: a container
//! template is valid Argo.

mod files;
pub mod format;
mod schema;

use serde::Deserialize;
use serde_json::{Value, json};

use super::argo_rules::{self, Options};
use super::template_refs::Library;

/// The kinds `lint` checks, with the names `--kinds` knows them by
/// (plural and short, as `argo lint --kinds`).
pub const KINDS: [(&str, [&str; 2]); 4] = [
    ("Workflow", ["workflows", "wf"]),
    ("WorkflowTemplate", ["workflowtemplates", "wftmpl"]),
    ("CronWorkflow", ["cronworkflows", "cwf"]),
    ("ClusterWorkflowTemplate", ["clusterworkflowtemplates", "cwftmpl"]),
];

/// What `argo lint`'s flags ask for.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// Unknown fields are errors (`--strict`, on by default).
    pub strict: bool,
    /// The kinds to lint (others are passed over).
    pub kinds: Vec<&'static str>,
}

impl Default for LintOptions {
    fn default() -> LintOptions {
        LintOptions { strict: true, kinds: KINDS.iter().map(|(kind, _)| *kind).collect() }
    }
}

/// The kinds `--kinds` names (`all`, or a comma-separated list of
/// plural or short names); the error names one it does not know.
pub fn kinds(names: &[String]) -> Result<Vec<&'static str>, String> {
    let names: Vec<&str> = names.iter().flat_map(|n| n.split(',')).map(str::trim).filter(|n| !n.is_empty()).collect();
    if names.is_empty() || names.contains(&"all") {
        return Ok(LintOptions::default().kinds);
    }
    names
        .iter()
        .map(|name| {
            KINDS
                .iter()
                .find(|(_, known)| known.contains(name))
                .map(|(kind, _)| *kind)
                .ok_or_else(|| format!("unknown kind: {name}"))
        })
        .collect()
}

/// The result of one file: its errors, and whether it held anything to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileResult {
    /// The file as given or found (`stdin` for `-`).
    pub file: String,
    /// Each problem, as `in "NAME" (Kind): MESSAGE`.
    pub errors: Vec<String>,
    /// Whether the file held an object of a kind that is linted.
    pub linted: bool,
}

/// The YAML documents of `text` (a JSON file is one), each as JSON, or
/// the error of the first that is not YAML.
fn documents(text: &str) -> Vec<Result<Value, String>> {
    let mut found = Vec::new();
    for document in yaml_serde::Deserializer::from_str(text) {
        match Value::deserialize(document) {
            Ok(Value::Null) => {}
            Ok(value) => found.push(Ok(value)),
            Err(error) => {
                found.push(Err(error.to_string()));
                break;
            }
        }
    }
    found
}

/// Lints every manifest under each of `paths`, as `argo lint --offline`
/// does; the error is a path that cannot be read.
pub fn lint(paths: &[String], options: &LintOptions) -> Result<Vec<FileResult>, String> {
    let mut manifests = Vec::new();
    for path in paths {
        manifests.extend(files::manifests(path)?);
    }
    let parsed: Vec<(String, Vec<Result<Value, String>>)> =
        manifests.into_iter().map(|manifest| (manifest.name, documents(&manifest.text))).collect();
    // The offline client knows the WorkflowTemplates of every file it was given (`pkg/apiclient/offline-client.go` 45-100).
    let all: Vec<Value> = parsed.iter().flat_map(|(_, documents)| documents.iter().flatten().cloned()).collect();
    let mut seen = std::collections::BTreeSet::new();
    for document in &all {
        let kind = document.get("kind").and_then(Value::as_str).unwrap_or_default();
        let name = document.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
        if matches!(kind, "WorkflowTemplate" | "ClusterWorkflowTemplate") && !seen.insert((kind, name)) {
            return Err(format!("duplicate {kind} found: {name:?}"));
        }
    }
    let library = Library::load(&all, None)?;
    Ok(parsed.into_iter().map(|(file, documents)| lint_file(file, &documents, &library, options)).collect())
}

fn lint_file(
    file: String,
    documents: &[Result<Value, String>],
    library: &Library,
    options: &LintOptions,
) -> FileResult {
    let mut result = FileResult { file, errors: Vec::new(), linted: false };
    for (index, document) in documents.iter().enumerate() {
        let document = match document {
            Ok(document) => document,
            Err(error) => {
                // Argo passes over a document it cannot parse; this says why it was not linted.
                result.linted = true;
                result.errors.push(format!("in object #{}: not valid YAML: {error}", index + 1));
                continue;
            }
        };
        let kind = document.get("kind").and_then(Value::as_str).unwrap_or_default();
        let Some(kind) = options.kinds.iter().copied().find(|k| *k == kind) else {
            continue;
        };
        result.linted = true;
        if let Err(error) = lint_object(kind, document, library, options.strict) {
            result.errors.push(format!("in {}: {error}", object_name(kind, document, index)));
        }
    }
    result
}

/// How `argo lint` names an object: its name, else its `generateName`, else its place (`getObjectName`).
fn object_name(kind: &str, document: &Value, index: usize) -> String {
    let text =
        |key: &str| document.pointer(&format!("/metadata/{key}")).and_then(Value::as_str).filter(|s| !s.is_empty());
    let name = match (text("name"), text("generateName")) {
        (Some(name), _) | (None, Some(name)) => name.to_owned(),
        (None, None) => format!("object #{}", index + 1),
    };
    format!("\"{name}\" ({kind})")
}

/// The first problem of one object: its shape, then Argo's validation.
fn lint_object(kind: &str, document: &Value, library: &Library, strict: bool) -> Result<(), String> {
    let problems = schema::problems(kind, document, strict);
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    match kind {
        "Workflow" => argo_rules::workflow(document, library, Options { lint: true, ..Options::default() }),
        "WorkflowTemplate" | "ClusterWorkflowTemplate" => argo_rules::workflow_template(document, library, true),
        _ => cron_workflow(document, library),
    }
}

/// Argo's `validate.CronWorkflow` (validate.go 432-476): its schedules and
/// policies, then the workflow it starts, checked as a submitted one.
fn cron_workflow(document: &Value, library: &Library) -> Result<(), String> {
    let name = document.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    if name.len() > 52 {
        return Err(format!(
            "cron workflow name {name:?} must not be more than 52 characters long (currently {})",
            name.len()
        ));
    }
    let empty = json!({});
    let spec = document.get("spec").unwrap_or(&empty);
    let schedules: Vec<&str> =
        spec.get("schedules").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    if schedules.is_empty() {
        return Err("cron workflow must have at least one schedule".into());
    }
    for schedule in schedules {
        let fields: Vec<&str> = schedule.split_whitespace().collect();
        if !schedule.starts_with('@') && fields.len() != 5 {
            // robfig/cron's standard parser.
            return Err(format!(
                "cron schedule {schedule} is malformed: expected exactly 5 fields, found {}: [{}]",
                fields.len(),
                fields.join(" ")
            ));
        }
    }
    let policy = spec.get("concurrencyPolicy").and_then(Value::as_str).unwrap_or_default();
    if !["", "Allow", "Forbid", "Replace"].contains(&policy) {
        return Err(format!("'{policy}' is not a valid concurrencyPolicy"));
    }
    if spec.get("startingDeadlineSeconds").and_then(Value::as_i64).is_some_and(|s| s < 0) {
        return Err("startingDeadlineSeconds must be positive".into());
    }
    // `ConvertCronWorkflowToWorkflow`: the workflow is named after the cron workflow.
    let workflow = json!({
        "kind": "Workflow",
        "metadata": {"generateName": format!("{name}-")},
        "spec": spec.get("workflowSpec").cloned().unwrap_or_else(|| json!({})),
    });
    argo_rules::workflow(&workflow, library, Options::default()).map_err(|e| format!("cannot validate Workflow: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_named_as_argo_lint_names_them() {
        // cmd/argo/lint/lint_test.go 315-347.
        assert_eq!(
            object_name("WorkflowTemplate", &json!({"metadata": {"name": "foo"}}), 0),
            r#""foo" (WorkflowTemplate)"#
        );
        assert_eq!(object_name("Workflow", &json!({"metadata": {"generateName": "foo-"}}), 0), r#""foo-" (Workflow)"#);
        assert_eq!(object_name("CronWorkflow", &json!({}), 2), r#""object #3" (CronWorkflow)"#);
    }

    #[test]
    fn kinds_are_known_by_their_plural_and_short_names() {
        assert_eq!(kinds(&["all".into()]).unwrap().len(), 4);
        assert_eq!(kinds(&["wf,workflowtemplates".into()]).unwrap(), ["Workflow", "WorkflowTemplate"]);
        assert_eq!(kinds(&["pods".into()]).unwrap_err(), "unknown kind: pods");
    }
}
