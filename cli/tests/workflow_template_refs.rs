//! `templateRef` and `workflowTemplateRef` in `wasm-workflows run
//! workflow.yaml`: WorkflowTemplates from the workflow's own file and from
//! `--templates DIR`, and Argo's messages when one is missing (argoproj/
//! argo-workflows at f016ad8: `workflow/validate/validate.go`,
//! `workflow/templateresolution/context.go`).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use wasm_workflows_test_support::cargo_build::{WasmTarget, target_dir};
use wasm_workflows_test_support::harness::{module, workspace_root};

const PROBE: &str = "example.org/sdk-probe:test";

/// A WorkflowTemplate `lib`: `twice` runs `echo` (the probe, echo mode) twice in a row.
const LIBRARY: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: lib
spec:
  entrypoint: twice
  arguments:
    parameters: [{name: count, value: "5"}]
  templates:
    - name: twice
      inputs:
        parameters: [{name: count}]
      steps:
        - - name: first
            template: echo
            arguments:
              parameters: [{name: count, value: "{{inputs.parameters.count}}"}]
        - - name: second
            template: echo
            arguments:
              parameters: [{name: count, value: "{{steps.first.outputs.parameters.count}}"}]
    - name: echo
      inputs:
        parameters: [{name: mode, value: echo}, {name: count}, {name: label, value: none}]
      # Declared, as Argo's validation needs for `steps.first.outputs.parameters.count`.
      outputs:
        parameters: [{name: count, valueFrom: {supplied: {}}}]
      plugin:
        wasm:
          module:
            oci: example.org/sdk-probe:test
"#;

const USES_LIBRARY: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: uses-lib
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - name: call
            templateRef: {name: lib, template: twice}
            arguments:
              parameters: [{name: count, value: "1"}]
"#;

fn run(dir: &Path, file: &str, args: &[&str]) -> (Output, Option<Value>) {
    let probe = module("sdk-probe", WasmTarget::Wasip1);
    let output = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .args([
            "run",
            dir.join(file).to_str().unwrap(),
            "-o",
            "json",
            "--module",
            &format!("{PROBE}={}", probe.display()),
        ])
        .args(args)
        .env("WASM_WORKFLOWS_CACHE_DIR", target_dir(&workspace_root()).join("workflow-run-cache"))
        .output()
        .expect("run wasm-workflows");
    let workflow = serde_json::from_slice(&output.stdout).ok();
    (output, workflow)
}

fn node<'a>(workflow: &'a Value, display: &str) -> &'a Value {
    let nodes = workflow["status"]["nodes"].as_object().unwrap();
    nodes.values().find(|n| n["displayName"] == display).unwrap_or_else(|| panic!("no node {display}: {nodes:#?}"))
}

fn count_of(node: &Value) -> &str {
    let parameters = node["outputs"]["parameters"].as_array().unwrap();
    parameters.iter().find(|p| p["name"] == "count").unwrap()["value"].as_str().unwrap()
}

#[test]
fn a_template_ref_runs_the_workflow_templates_template_from_templates_dir() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("templates")).unwrap();
    std::fs::write(folder.path().join("templates/lib.yaml"), LIBRARY).unwrap();
    std::fs::write(folder.path().join("workflow.yaml"), USES_LIBRARY).unwrap();
    let templates = folder.path().join("templates");
    let (output, workflow) = run(folder.path(), "workflow.yaml", &["--templates", templates.to_str().unwrap()]);
    let workflow = workflow.unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(workflow["status"]["phase"], "Succeeded");
    // `twice`'s own steps name `echo` of the same WorkflowTemplate (context.go 123-150).
    assert_eq!(node(&workflow, "call")["type"], "Steps");
    assert_eq!(node(&workflow, "call")["templateName"], "lib/twice");
    assert_eq!(count_of(node(&workflow, "first")), "2");
    assert_eq!(count_of(node(&workflow, "second")), "3");
}

#[test]
fn a_workflow_template_ref_in_the_same_file_runs_that_spec() {
    let folder = tempfile::tempdir().unwrap();
    let workflow = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: by-ref}\nspec:\n  workflowTemplateRef: {name: lib}\n";
    std::fs::write(folder.path().join("workflow.yaml"), format!("{workflow}---{LIBRARY}")).unwrap();
    let (output, workflow) = run(folder.path(), "workflow.yaml", &["-p", "count=10"]);
    let workflow = workflow.unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(workflow["status"]["phase"], "Succeeded");
    assert_eq!(node(&workflow, "by-ref")["templateName"], "twice");
    assert_eq!(count_of(node(&workflow, "second")), "12");
}

#[test]
fn missing_references_are_argos_errors() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("workflow.yaml"), USES_LIBRARY).unwrap();
    let (output, _) = run(folder.path(), "workflow.yaml", &[]);
    assert_eq!(output.status.code(), Some(2));
    // validate.go 679 (both a missing WorkflowTemplate and a missing template in it), prefixed as 1483 does.
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "error: templates.main.tasks.call template reference lib.twice not found"
    );
    let workflow = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: by-ref}\nspec:\n  workflowTemplateRef: {name: nowhere}\n";
    std::fs::write(folder.path().join("by-ref.yaml"), workflow).unwrap();
    let (output, _) = run(folder.path(), "by-ref.yaml", &[]);
    assert_eq!(output.status.code(), Some(2));
    // What the cluster answers for a missing one (templateresolution/context_test.go 249).
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "error: workflowtemplates.argoproj.io \"nowhere\" not found"
    );
}
