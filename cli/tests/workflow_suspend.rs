//! `suspend` templates in `wasm-workflows run workflow.yaml`: with a
//! `duration` the node waits it out and succeeds, as Argo's
//! `executeSuspend` resumes it (argoproj/argo-workflows at f016ad8,
//! `workflow/controller/operator.go` 3986-4032); without one the workflow
//! cannot run here (nobody can `argo resume` a local run).

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

fn run(yaml: &str) -> (Output, Option<Value>, Duration) {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, yaml).unwrap();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .args(["run", file.to_str().unwrap(), "-o", "json"])
        .output()
        .expect("run wasm-workflows");
    let took = started.elapsed();
    let workflow = serde_json::from_slice(&output.stdout).ok();
    (output, workflow, took)
}

// Adapted from Argo's examples/suspend-template.yaml (its `delay` step).
const DELAY: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: suspend-template
spec:
  entrypoint: suspend
  templates:
    - name: suspend
      steps:
        - - name: delay
            template: delay
    - name: delay
      suspend:
        duration: "1"
"#;

#[test]
fn a_suspend_with_a_duration_waits_then_succeeds() {
    let (output, workflow, took) = run(DELAY);
    let workflow = workflow.unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(workflow["status"]["phase"], "Succeeded");
    assert!(took >= Duration::from_secs(1), "{took:?}");
    let nodes = workflow["status"]["nodes"].as_object().unwrap();
    let delay = nodes.values().find(|n| n["displayName"] == "delay").unwrap();
    // NodeTypeSuspend, marked Succeeded when the duration has passed (operator.go 4011).
    assert_eq!((delay["type"].as_str(), delay["phase"].as_str()), (Some("Suspend"), Some("Succeeded")));
    assert!(delay["message"].is_null());
}

#[test]
fn a_suspend_without_a_duration_cannot_run_here() {
    let (output, _, _) = run(&DELAY.replace("      suspend:\n        duration: \"1\"\n", "      suspend: {}\n"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: templates.delay.suspend has no duration: it would wait for `argo resume`"),
        "{stderr}"
    );
}
