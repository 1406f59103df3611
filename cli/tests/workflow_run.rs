//! `wasm-workflows run workflow.yaml`: whole workflows, each step a real
//! module run in wasmtime, compared with what Argo's controller records
//! (node names, ids, types, phases, messages, children, outputs). Each
//! expectation cites the Argo source it comes from
//! (argoproj/argo-workflows at f016ad8, just after v4.1.2). The workflows
//! are adapted from Argo's `examples/`, their containers replaced by
//! modules of this repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use wasm_workflows_test_support::cargo_build::{WasmTarget, target_dir};
use wasm_workflows_test_support::harness::{module, workspace_root};

/// The image every test workflow names for the probe module (test-guests).
const PROBE: &str = "example.org/sdk-probe:test";

fn probe() -> PathBuf {
    module("sdk-probe", WasmTarget::Wasip1)
}

/// Argo's node id: the workflow's name, `-`, FNV-1a 32 of the node's name
/// (`Workflow.NodeID`, `pkg/apis/workflow/v1alpha1/workflow_types.go` 3870).
fn id(workflow: &str, name: &str) -> String {
    if name == workflow {
        return workflow.to_owned();
    }
    let mut hash: u32 = 2_166_136_261;
    for byte in name.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(16_777_619);
    }
    format!("{workflow}-{hash}")
}

struct Ran {
    output: Output,
    workflow: Value,
}

impl Ran {
    fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn name(&self) -> &str {
        self.workflow["metadata"]["name"].as_str().unwrap()
    }

    fn status(&self, key: &str) -> &Value {
        &self.workflow["status"][key]
    }

    /// The node called `name`, looked up by the id Argo gives it.
    fn node(&self, name: &str) -> &Value {
        let id = id(self.name(), name);
        let node = &self.workflow["status"]["nodes"][&id];
        assert!(node.is_object(), "no node {name} ({id}); nodes: {:#}", self.workflow["status"]["nodes"]);
        assert_eq!(node["name"], name);
        assert_eq!(node["id"], id.as_str());
        node
    }

    fn children(&self, name: &str) -> Vec<String> {
        let ids = self.node(name)["children"].as_array().cloned().unwrap_or_default();
        ids.iter()
            .map(|id| self.workflow["status"]["nodes"][id.as_str().unwrap()]["name"].as_str().unwrap().to_owned())
            .collect()
    }

    fn outbound(&self, name: &str) -> Vec<String> {
        let ids = self.node(name)["outboundNodes"].as_array().cloned().unwrap_or_default();
        ids.iter()
            .map(|id| self.workflow["status"]["nodes"][id.as_str().unwrap()]["name"].as_str().unwrap().to_owned())
            .collect()
    }

    fn output(&self, name: &str, parameter: &str) -> String {
        let parameters = self.node(name)["outputs"]["parameters"].as_array().cloned().unwrap_or_default();
        let found = parameters.iter().find(|p| p["name"] == parameter);
        found.unwrap_or_else(|| panic!("{name} has no output {parameter}"))["value"].as_str().unwrap().to_owned()
    }

    fn node_count(&self) -> usize {
        self.workflow["status"]["nodes"].as_object().unwrap().len()
    }
}

/// Runs the CLI, caching compiled modules and pulled images in the target directory.
fn wasm_workflows(args: &[&str]) -> Output {
    let cache = target_dir(&workspace_root()).join("workflow-run-cache");
    Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .args(args)
        .env("WASM_WORKFLOWS_CACHE_DIR", cache)
        .output()
        .expect("run wasm-workflows")
}

/// Runs `yaml` (written to a file) with `args`, `-o json`, the probe as [`PROBE`].
fn run(yaml: &str, args: &[&str]) -> Ran {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, yaml).unwrap();
    run_file(&file, &[&["--module", &format!("{PROBE}={}", probe().display())], args].concat())
}

fn run_file(file: &Path, args: &[&str]) -> Ran {
    let mut all = vec!["run", file.to_str().unwrap(), "-o", "json"];
    all.extend_from_slice(args);
    let output = wasm_workflows(&all);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let workflow = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not the workflow's JSON ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Ran { output, workflow }
}

/// The probe as a template `name`: echo mode, `count` in, `count + 1` out.
/// Its outputs are declared (`supplied`), as Argo's validation needs them
/// to be for `{{steps.X.outputs.parameters.count}}` to resolve (validate.go 1197-1213).
fn echo_template(name: &str) -> String {
    format!(
        r#"
    - name: {name}
      inputs:
        parameters:
          - name: mode
            value: echo
          - name: count
          - name: label
            value: none
      outputs:
        parameters:
          - {{name: count, valueFrom: {{supplied: {{}}}}}}
          - {{name: label, valueFrom: {{supplied: {{}}}}}}
      plugin:
        wasm:
          module:
            oci: {PROBE}
"#
    )
}

/// The probe as a template that fails: "deliberately failed".
fn failing_template(name: &str) -> String {
    format!(
        r#"
    - name: {name}
      inputs:
        parameters:
          - name: mode
            value: failed
      plugin:
        wasm:
          module:
            oci: {PROBE}
"#
    )
}

// Adapted from Argo's examples/steps.yaml: hello1, then hello2a and hello2b at once.
const STEPS: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: steps-test
spec:
  entrypoint: hello-hello-hello
  templates:
    - name: hello-hello-hello
      steps:
        - - name: hello1
            template: echo
            arguments:
              parameters: [{name: count, value: "1"}]
        - - name: hello2a
            template: echo
            arguments:
              parameters: [{name: count, value: "{{steps.hello1.outputs.parameters.count}}"}]
          - name: hello2b
            template: echo
            arguments:
              parameters: [{name: count, value: "10"}, {name: label, value: "{{workflow.name}}"}]
"#;

#[test]
fn steps_make_argos_nodes_and_graph() {
    let ran = run(&format!("{STEPS}{}", echo_template("echo")), &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    assert_eq!(ran.status("phase"), "Succeeded");
    assert!(ran.status("message").is_null());
    assert_eq!(ran.node_count(), 6);
    // The root is named after the workflow and has its name as its id (workflow_types.go 3871).
    let root = ran.node("steps-test");
    assert_eq!((root["type"].as_str(), root["displayName"].as_str()), (Some("Steps"), Some("steps-test")));
    assert_eq!(root["templateName"], "hello-hello-hello");
    // Groups are NAME[i]; the first hangs from the steps node, the next from
    // the previous group's steps (steps.go 70-110).
    assert_eq!(ran.children("steps-test"), ["steps-test[0]"]);
    assert_eq!(ran.children("steps-test[0]"), ["steps-test[0].hello1"]);
    assert_eq!(ran.children("steps-test[0].hello1"), ["steps-test[1]"]);
    assert_eq!(ran.children("steps-test[1]"), ["steps-test[1].hello2a", "steps-test[1].hello2b"]);
    let group = ran.node("steps-test[1]");
    assert_eq!((group["type"].as_str(), group["displayName"].as_str()), (Some("StepGroup"), Some("[1]")));
    assert!(group.get("templateName").is_none());
    // A step's display name drops its boundary's name and `[i].` (operator.go 3071-3075).
    let step = ran.node("steps-test[1].hello2a");
    assert_eq!(step["type"], "Plugin");
    assert_eq!(step["displayName"], "hello2a");
    assert_eq!(step["templateName"], "echo");
    assert_eq!(step["boundaryID"], "steps-test");
    assert_eq!(step["phase"], "Succeeded");
    // The node's message and outputs are the plugin's reply (taskset.go 153-156).
    assert_eq!(step["message"], "workflow steps-test");
    assert_eq!(ran.output("steps-test[0].hello1", "count"), "2");
    assert_eq!(ran.output("steps-test[1].hello2a", "count"), "3");
    assert_eq!(ran.output("steps-test[1].hello2b", "label"), "steps-test");
    // The node's inputs are the template's, resolved (operator.go 2963-2965).
    let inputs = &step["inputs"]["parameters"];
    assert_eq!(inputs[1], serde_json::json!({"name": "count", "value": "2"}));
    // The steps node's outbound nodes are its last group's steps (steps.go 203-234).
    assert_eq!(ran.outbound("steps-test"), ["steps-test[1].hello2a", "steps-test[1].hello2b"]);
    assert_eq!(root["templateScope"], "local/steps-test");
}

#[test]
fn a_failed_step_fails_its_group_and_the_workflow() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: failing
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: good
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
          - name: bad
            template: fail
        - - name: never
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
{}{}"#,
        echo_template("echo"),
        failing_template("fail")
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(1), "{}", ran.stderr());
    let bad = id("failing", "failing[0].bad");
    // A group fails with "child '<id>' failed" (steps.go 373-376); the steps
    // node takes its message (steps.go 120-128) and the workflow the root's
    // (operator.go 538-543).
    assert_eq!(ran.node("failing[0]")["phase"], "Failed");
    assert_eq!(ran.node("failing[0]")["message"], format!("child '{bad}' failed"));
    assert_eq!(ran.node("failing")["phase"], "Failed");
    assert_eq!(ran.status("phase"), "Failed");
    assert_eq!(ran.status("message"), format!("child '{bad}' failed").as_str());
    assert_eq!(ran.node("failing[0].bad")["message"], "deliberately failed");
    assert_eq!(ran.node("failing[0].good")["phase"], "Succeeded");
    // Nothing after the failed group was started.
    assert_eq!(ran.node_count(), 4);
}

// Adapted from Argo's examples/continue-on-fail.yaml.
#[test]
fn continue_on_failed_lets_the_group_succeed() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: continue-on-fail
spec:
  entrypoint: workflow-ignore
  templates:
    - name: workflow-ignore
      steps:
        - - name: A
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
        - - name: B
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
          - name: C
            template: intentional-fail
            continueOn:
              failed: true
        - - name: D
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
{}{}"#,
        echo_template("echo"),
        failing_template("intentional-fail")
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    assert_eq!(ran.node("continue-on-fail[1].C")["phase"], "Failed");
    assert_eq!(ran.node("continue-on-fail[1]")["phase"], "Succeeded");
    assert_eq!(ran.node("continue-on-fail[2].D")["phase"], "Succeeded");
    // The next group hangs from both steps of the previous one, the failed one included.
    assert_eq!(ran.children("continue-on-fail[1].C"), ["continue-on-fail[2]"]);
    assert_eq!(ran.children("continue-on-fail[1].B"), ["continue-on-fail[2]"]);
}

// Adapted from Argo's examples/dag-diamond.yaml, parameters passed down the diamond.
const DIAMOND: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: dag-diamond
spec:
  entrypoint: diamond
  templates:
    - name: diamond
      outputs:
        parameters:
          - name: total
            valueFrom:
              parameter: "{{tasks.D.outputs.parameters.count}}"
      dag:
        tasks:
          - name: A
            template: echo
            arguments: {parameters: [{name: count, value: "1"}]}
          - name: B
            dependencies: [A]
            template: echo
            arguments: {parameters: [{name: count, value: "{{tasks.A.outputs.parameters.count}}"}]}
          - name: C
            dependencies: [A]
            template: echo
            arguments: {parameters: [{name: count, value: "100"}]}
          - name: D
            dependencies: [B, C]
            template: echo
            arguments: {parameters: [{name: count, value: "{{tasks.B.outputs.parameters.count}}"}]}
"#;

#[test]
fn a_dag_diamond_runs_each_task_after_its_dependencies() {
    let ran = run(&format!("{DIAMOND}{}", echo_template("echo")), &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    let root = ran.node("dag-diamond");
    assert_eq!(root["type"], "DAG");
    // Task T is node DAG.T (dag.go 117-120); roots hang from the DAG node,
    // others from their dependencies' outbound nodes (dag.go 554-578).
    assert_eq!(ran.children("dag-diamond"), ["dag-diamond.A"]);
    assert_eq!(ran.children("dag-diamond.A"), ["dag-diamond.B", "dag-diamond.C"]);
    assert_eq!(ran.children("dag-diamond.B"), ["dag-diamond.D"]);
    assert_eq!(ran.children("dag-diamond.C"), ["dag-diamond.D"]);
    assert_eq!(ran.node("dag-diamond.D")["displayName"], "D");
    assert_eq!(ran.node("dag-diamond.D")["boundaryID"], "dag-diamond");
    assert_eq!(ran.output("dag-diamond.B", "count"), "3");
    assert_eq!(ran.output("dag-diamond.D", "count"), "4");
    // The DAG's outbound nodes are its targets' (the leaves) (dag.go 443-465),
    // its outputs come from its scope (dag.go 385-415).
    assert_eq!(ran.outbound("dag-diamond"), ["dag-diamond.D"]);
    assert_eq!(ran.output("dag-diamond", "total"), "4");
    // D started after both B and C had finished.
    let finished = |n: &str| ran.node(n)["finishedAt"].as_str().unwrap().to_owned();
    let d_started = ran.node("dag-diamond.D")["startedAt"].as_str().unwrap().to_owned();
    assert!(d_started >= finished("dag-diamond.B") && d_started >= finished("dag-diamond.C"));
}

#[test]
fn a_failed_dependency_omits_its_dependents_and_fails_the_dag_without_a_message() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: dag-fail
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - name: A
            template: fail
          - name: B
            dependencies: [A]
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
{}{}"#,
        echo_template("echo"),
        failing_template("fail")
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(1), "{}", ran.stderr());
    // A task whose dependencies are not met is a Skipped node, phase Omitted (dag.go 594-599).
    let b = ran.node("dag-fail.B");
    assert_eq!((b["type"].as_str(), b["phase"].as_str()), (Some("Skipped"), Some("Omitted")));
    assert_eq!(b["message"], "omitted: depends condition not met");
    assert_eq!(ran.children("dag-fail.A"), ["dag-fail.B"]);
    // The Omitted leaf takes its branch's phase, Failed (dag.go 140-247); a failed DAG has no message.
    assert_eq!(ran.node("dag-fail")["phase"], "Failed");
    assert!(ran.node("dag-fail").get("message").is_none());
    assert_eq!(ran.status("phase"), "Failed");
    assert!(ran.status("message").is_null());
}

// Adapted from Argo's examples/loops.yaml, loops-maps.yaml and loops-sequence.yaml.
#[test]
fn loops_name_their_children_as_argo_does_and_aggregate_outputs() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: loops
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: scalars
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{item}}}}"}}]}}
            withItems: [1, 20]
          - name: maps
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{item.n}}}}"}}, {{name: label, value: "{{{{item.os}}}}"}}]}}
            withItems:
              - {{os: "debian(9)", n: 5}}
          - name: sequence
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{item}}}}"}}]}}
            withSequence: {{start: "3", count: "2"}}
          - name: none
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{item}}}}"}}]}}
            withParam: "[]"
        - - name: param
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{item}}}}"}}]}}
            withParam: "{{{{steps.scalars.outputs.parameters.count}}}}"
{}"#,
        echo_template("echo")
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // NAME(INDEX:ITEM); maps as sorted key:value pairs, parentheses removed (operator.go 4085-4166).
    assert_eq!(
        ran.children("loops[0]"),
        [
            "loops[0].scalars(0:1)",
            "loops[0].scalars(1:20)",
            "loops[0].maps(0:n:5,os:debian9)",
            "loops[0].sequence(0:3)",
            "loops[0].sequence(1:4)",
            "loops[0].none",
        ]
    );
    assert_eq!(ran.output("loops[0].maps(0:n:5,os:debian9)", "label"), "debian(9)");
    assert_eq!(ran.output("loops[0].sequence(1:4)", "count"), "5");
    // A loop without items is a Skipped node (steps.go 585-592).
    let none = ran.node("loops[0].none");
    assert_eq!((none["type"].as_str(), none["phase"].as_str()), (Some("Skipped"), Some("Skipped")));
    assert_eq!(none["message"], "Skipped, empty params");
    // A loop's outputs: a JSON list of its children's values (operator.go 3743-3857).
    assert_eq!(ran.children("loops[1]"), ["loops[1].param(0:2)", "loops[1].param(1:21)"]);
    assert_eq!(ran.output("loops[1].param(1:21)", "count"), "22");
}

// Adapted from Argo's examples/dag-multiroot.yaml and loops-dag.yaml.
#[test]
fn a_dag_loop_is_a_task_group() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: dag-loop
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - name: A
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{item}}}}"}}]}}
            withItems: ["1", "2"]
          - name: B
            dependencies: [A]
            template: echo
            arguments: {{parameters: [{{name: count, value: "7"}}, {{name: label, value: "{{{{tasks.A.outputs.parameters.count}}}}"}}]}}
{}"#,
        echo_template("echo")
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // A loop in a DAG is a TaskGroup node over its children (dag.go 636-643).
    let group = ran.node("dag-loop.A");
    assert_eq!((group["type"].as_str(), group["phase"].as_str()), (Some("TaskGroup"), Some("Succeeded")));
    assert_eq!(ran.children("dag-loop.A"), ["dag-loop.A(0:1)", "dag-loop.A(1:2)"]);
    // The dependent hangs from each child, the group's outbound nodes (operator.go 3419-3436).
    assert_eq!(ran.children("dag-loop.A(0:1)"), ["dag-loop.B"]);
    assert_eq!(ran.children("dag-loop.A(1:2)"), ["dag-loop.B"]);
    assert_eq!(ran.output("dag-loop.B", "label"), r#"["2","3"]"#);
}

#[test]
fn parameters_from_the_command_line_and_a_file_override_the_workflows() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: params
spec:
  entrypoint: main
  arguments:
    parameters: [{{name: count, value: "1"}}, {{name: label, value: "spec"}}]
  templates:
    - name: main
      inputs:
        parameters: [{{name: count}}, {{name: label}}]
      plugin:
        wasm:
          module:
            oci: {PROBE}
          mode: ignored
    - name: other
      steps:
        - - name: only
            template: main
            arguments:
              parameters:
                - {{name: count, value: "{{{{workflow.parameters.count}}}}"}}
                - {{name: label, value: "{{{{workflow.parameters.label}}}}"}}
                - {{name: mode, value: echo}}
"#
    );
    let folder = tempfile::tempdir().unwrap();
    let parameters = folder.path().join("parameters.yaml");
    std::fs::write(&parameters, "count: 40\nlabel: from-file\n").unwrap();
    let with_mode = yaml.replace(
        "parameters: [{name: count}, {name: label}]",
        "parameters: [{name: count}, {name: label}, {name: mode, value: echo}]",
    );
    let ran =
        run(&with_mode, &["--parameter-file", parameters.to_str().unwrap(), "-p", "label=flag", "--name", "params-1"]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    assert_eq!(ran.name(), "params-1");
    assert_eq!(ran.output("params-1", "count"), "41");
    assert_eq!(ran.output("params-1", "label"), "flag");
    let ran = run(&with_mode, &["--entrypoint", "other", "--parameter", "count=5"]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // A WorkflowTemplate runs as a Workflow named after it.
    assert!(ran.name().starts_with("params-"), "{}", ran.name());
    let name = ran.name().to_owned();
    assert_eq!(ran.output(&format!("{name}[0].only"), "count"), "6");
    assert_eq!(ran.output(&format!("{name}[0].only"), "label"), "spec");
}

#[test]
fn a_missing_input_is_refused_before_running() {
    let yaml = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: missing\nspec:\n  entrypoint: echo\n  templates:{}",
        echo_template("echo")
    );
    // Argo's validation gives the entrypoint the workflow's arguments and finds the input
    // without a value (ProcessArgs, workflow/common/util.go 189, wrapped at validate.go 541):
    // `argo submit` refuses it, and the controller fails it before any node exists.
    assert_eq!(cannot_run(&yaml), "error: templates.echo inputs.parameters.count was not supplied");
}

fn cannot_run(yaml: &str) -> String {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, yaml).unwrap();
    let output = wasm_workflows(&["run", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stdout));
    assert!(output.stdout.is_empty());
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

#[test]
fn invalid_workflows_do_not_run_and_say_why() {
    let head = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: bad\nspec:\n";
    // Each template that needs a cluster is named.
    let message = cannot_run(&format!(
        "{head}  entrypoint: main\n  templates:\n    - name: main\n      container: {{image: alpine}}\n    - name: run-me\n      script: {{image: python, source: x}}\n{}",
        echo_template("echo")
    ));
    assert!(message.starts_with("error: cannot run templates main (container), run-me (script):"), "{message}");
    // Argo's validation messages (validate.go 260, 664).
    assert_eq!(
        cannot_run(&format!("{head}  templates:{}", echo_template("echo"))),
        "error: spec.entrypoint is required"
    );
    assert_eq!(
        cannot_run(&format!("{head}  entrypoint: nope\n  templates:{}", echo_template("echo"))),
        "error: template name 'nope' undefined"
    );
    let cycle = format!(
        "{head}  entrypoint: d\n  templates:\n    - name: d\n      dag:\n        tasks:\n          - {{name: A, template: echo, dependencies: [B]}}\n          - {{name: B, template: echo, dependencies: [A]}}\n{}",
        echo_template("echo")
    );
    // Argo v4.1 sorts the tasks before anything else, and the sort finds the cycle
    // (validate.go 1445-1449, util/sorting/topological_sorting.go 47).
    assert_eq!(cannot_run(&cycle), "error: templates.d sorting failed: graph with cycle");
}

#[test]
fn the_ferris_says_workflow_runs_as_its_readme_says() {
    let ferris = module("ferris-says", WasmTarget::Wasip1);
    let file = workspace_root().join("modules/ferris-says/workflow.yaml");
    let local = format!("ghcr.io/wasm-workflows/ferris-says:latest={}", ferris.display());
    let ran = run_file(&file, &["--module", &local]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    let name = ran.name().to_owned();
    assert!(name.starts_with("ferris-says-") && name.len() == "ferris-says-".len() + 5, "{name}");
    let root = ran.node(&name);
    assert_eq!(root["type"], "Plugin");
    assert_eq!(root["phase"], "Succeeded");
    let text = ran.output(&name, "text");
    assert!(text.contains("Hello World from"), "{text}");
}

#[test]
fn the_json_query_workflow_runs_both_queries() {
    let query = module("json-query", WasmTarget::Wasip1);
    let file = workspace_root().join("modules/json-query/workflow.yaml");
    let local = format!("ghcr.io/wasm-workflows/json-query={}", query.display());
    let ran = run_file(&file, &["--module", &local, "--name", "json-query-test"]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    assert_eq!(ran.output("json-query-test[0].failed-steps", "result"), r#"["test","lint"]"#);
    assert_eq!(ran.output("json-query-test[0].first-failure", "result"), "test failed after 95 s");
}

#[test]
fn a_module_that_is_not_given_and_cannot_be_pulled_fails_its_node() {
    let yaml = STEPS.replace("steps-test", "unpulled") + &echo_template("echo").replace(PROBE, "127.0.0.1:9/none:1");
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, yaml).unwrap();
    let ran = run_file(&file, &[]);
    assert_eq!(ran.code(), Some(1));
    let message = ran.node("unpulled[0].hello1")["message"].as_str().unwrap().to_owned();
    assert!(message.starts_with("cannot pull the module 127.0.0.1:9/none:1"), "{message}");
}

#[test]
fn the_default_output_is_argos_tree() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, format!("{STEPS}{}", echo_template("echo"))).unwrap();
    let output =
        wasm_workflows(&["run", file.to_str().unwrap(), "--module", &format!("{PROBE}={}", probe().display())]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let tree: Vec<String> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("STEP"))
        .map(|l| l.split("  ").filter(|c| !c.is_empty()).map(str::trim).collect::<Vec<_>>().join("|"))
        .collect();
    // get.go 414-486: StepGroups draw no line but indent their steps.
    assert_eq!(
        tree,
        [
            "STEP|TEMPLATE|PODNAME|DURATION|MESSAGE",
            "✔ steps-test|hello-hello-hello",
            "├───✔ hello1|echo|workflow steps-test",
            "└─┬─✔ hello2a|echo|workflow steps-test",
            "└─✔ hello2b|echo|workflow steps-test",
        ],
        "{stdout}"
    );
    assert!(stdout.starts_with("Name:                steps-test\nStatus:              Succeeded\n"), "{stdout}");
}

// Adapted from Argo's examples/coinflip.yaml and conditionals.yaml: `when`
// after substitution, govaluate's bare words compared as strings.
#[test]
fn when_runs_or_skips_a_step_with_argos_message() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: coinflip
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: flip
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}, {{name: label, value: heads}}]}}
        - - name: heads
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
            when: "{{{{steps.flip.outputs.parameters.label}}}} == heads"
          - name: tails
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
            when: "{{{{steps.flip.outputs.parameters.label}}}} == tails"
{}"#,
        echo_template("echo")
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    assert_eq!(ran.node("coinflip[1].heads")["phase"], "Succeeded");
    // A false `when` is a Skipped node quoting the substituted condition (steps.go 283-290).
    let tails = ran.node("coinflip[1].tails");
    assert_eq!((tails["type"].as_str(), tails["phase"].as_str()), (Some("Skipped"), Some("Skipped")));
    assert_eq!(tails["message"], "when 'heads == tails' evaluated false");
    assert_eq!(tails["templateName"], "echo");
}

// Adapted from Argo's examples/dag-conditional-parameters.yaml and the
// enhanced `depends` logic: results of a dependency, hyphens in task names.
#[test]
fn depends_reads_each_dependencys_result() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: depends
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - name: flaky-a
            template: fail
          - name: on-failure
            depends: "flaky-a.Failed"
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
          - name: on-success
            depends: "flaky-a"
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
{}{}"#,
        echo_template("echo"),
        failing_template("fail")
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.node("depends.on-failure")["phase"], "Succeeded");
    // A bare name means Succeeded, Skipped or Daemoned (ancestry.go expandDependency);
    // unmet, the task is Omitted (dag.go 594-599).
    let omitted = ran.node("depends.on-success");
    assert_eq!((omitted["type"].as_str(), omitted["phase"].as_str()), (Some("Skipped"), Some("Omitted")));
    assert_eq!(omitted["message"], "omitted: depends condition not met");
    // The Omitted leaf takes its branch's phase, Failed, so the DAG fails (dag.go 140-247).
    assert_eq!(ran.node("depends")["phase"], "Failed");
    assert_eq!(ran.code(), Some(1));
}

// ---- Retries, exit handlers, hooks, global outputs, recursion (issue 24, second slice) ----

/// The probe as template `name` with `retryStrategy` `strategy` (YAML flow
/// map): it fails while `{{retries}}` is below `succeed_at`, then echoes
/// `count` = `{{retries}}` (so its output `count` is the attempt number + 1).
fn flaky_template(name: &str, strategy: &str, succeed_at: u32) -> String {
    format!(
        r#"
    - name: {name}
      retryStrategy: {strategy}
      inputs:
        parameters:
          - name: mode
            value: "{{{{=asInt(retries) < {succeed_at} ? 'failed' : 'echo'}}}}"
          - name: count
            value: "{{{{retries}}}}"
      plugin:
        wasm:
          module:
            oci: {PROBE}
"#
    )
}

/// A steps workflow `name` whose one step `try` runs `template`.
fn one_step(name: &str, templates: &str) -> String {
    format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: {name}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: try
            template: flaky
{templates}"#
    )
}

fn names_of_children(ran: &Ran, name: &str) -> Vec<String> {
    ran.children(name)
}

// Adapted from Argo's examples/retry-with-steps.yaml and retry-script.yaml (`{{retries}}` in the template).
#[test]
fn a_retry_node_runs_attempts_until_one_succeeds() {
    let ran = run(&one_step("retries", &flaky_template("flaky", "{limit: 3}", 2)), &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // The step's node is a Retry node (operator.go 2451) over attempts NAME(N) (2509).
    let retry = ran.node("retries[0].try");
    assert_eq!((retry["type"].as_str(), retry["phase"].as_str()), (Some("Retry"), Some("Succeeded")));
    assert_eq!(retry["templateName"], "flaky");
    assert_eq!(
        names_of_children(&ran, "retries[0].try"),
        ["retries[0].try(0)", "retries[0].try(1)", "retries[0].try(2)"]
    );
    for (n, phase) in [(0, "Failed"), (1, "Failed"), (2, "Succeeded")] {
        let attempt = ran.node(&format!("retries[0].try({n})"));
        assert_eq!((attempt["type"].as_str(), attempt["phase"].as_str()), (Some("Plugin"), Some(phase)));
        assert_eq!(attempt["displayName"], format!("try({n})"));
        assert_eq!(attempt["boundaryID"], "retries");
        // {{retries}} is the attempt's number (operator.go 2520).
        assert_eq!(attempt["inputs"]["parameters"][1]["value"], n.to_string());
    }
    assert_eq!(ran.node("retries[0].try(0)")["message"], "deliberately failed");
    // The Retry node takes its last attempt's outputs (operator.go 2472-2489) and
    // is the outbound node's parent: its outbound node is its last child (3437-3440).
    assert_eq!(ran.output("retries[0].try", "count"), "3");
    assert_eq!(ran.outbound("retries"), ["retries[0].try(2)"]);
    assert!(retry["message"].is_null());
}

// Adapted from Argo's examples/retry-on-error.yaml, retry-conditional.yaml and retry-backoff.yaml.
#[test]
fn retries_end_as_the_strategy_says_with_argos_messages() {
    // `limit` attempts after the first, then "No more retries left" (operator.go 1187-1191).
    let ran = run(&one_step("exhausted", &flaky_template("flaky", "{limit: 1}", 9)), &[]);
    assert_eq!(ran.code(), Some(1));
    let retry = ran.node("exhausted[0].try");
    assert_eq!((retry["phase"].as_str(), retry["message"].as_str()), (Some("Failed"), Some("No more retries left")));
    assert_eq!(names_of_children(&ran, "exhausted[0].try").len(), 2);
    let retry_id = id("exhausted", "exhausted[0].try");
    assert_eq!(ran.node("exhausted[0]")["message"], format!("child '{retry_id}' failed"));

    // A policy that does not retry a failure ends with the attempt's phase and message (1173-1177).
    let ran = run(&one_step("on-error", &flaky_template("flaky", "{limit: 3, retryPolicy: OnError}", 9)), &[]);
    let retry = ran.node("on-error[0].try");
    assert_eq!((retry["phase"].as_str(), retry["message"].as_str()), (Some("Failed"), Some("deliberately failed")));
    assert_eq!(names_of_children(&ran, "on-error[0].try").len(), 1);

    // An expression alone retries Always while it holds, over retries and lastRetry.* (1193-1203, 2149-2170).
    let strategy = r#"{limit: 5, expression: "lastRetry.status == 'Failed' && asInt(retries) < 1"}"#;
    let ran = run(&one_step("expression", &flaky_template("flaky", strategy, 9)), &[]);
    let retry = ran.node("expression[0].try");
    assert_eq!(retry["message"], "retryStrategy.expression evaluated to false");
    assert_eq!(names_of_children(&ran, "expression[0].try").len(), 2);

    // A backoff that would end after maxDuration ends at once (1130-1137).
    let strategy = r#"{limit: 3, backoff: {duration: "10s", maxDuration: "5s"}}"#;
    let ran = run(&one_step("max-duration", &flaky_template("flaky", strategy, 9)), &[]);
    let retry = ran.node("max-duration[0].try");
    assert_eq!(retry["message"], "Backoff would exceed max duration limit");
    assert_eq!(names_of_children(&ran, "max-duration[0].try").len(), 1);
}

#[test]
fn a_backoff_waits_between_attempts() {
    let strategy = r#"{limit: 1, backoff: {duration: "1", factor: 2}}"#;
    let ran = run(&one_step("backoff", &flaky_template("flaky", strategy, 1)), &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    let time =
        |name: &str, key: &str| chrono::DateTime::parse_from_rfc3339(ran.node(name)[key].as_str().unwrap()).unwrap();
    // The next attempt starts `duration` after the last one finished (operator.go 1104-1145).
    let waited = time("backoff[0].try(1)", "startedAt") - time("backoff[0].try(0)", "finishedAt");
    assert!(waited >= chrono::Duration::milliseconds(990), "waited {waited}");
    // The "Backoff for 1 second" message is cleared once the wait is over (1147).
    assert!(ran.node("backoff[0].try")["message"].is_null());
}

#[test]
fn the_workflows_retry_strategy_wraps_every_template() {
    let yaml = one_step("everywhere", &echo_template("flaky"))
        .replace("  entrypoint: main\n", "  entrypoint: main\n  retryStrategy: {limit: 1}\n")
        .replace(
            "            template: flaky\n",
            "            template: flaky\n            arguments: {parameters: [{name: count, value: \"1\"}]}\n",
        );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // spec.retryStrategy applies to templates without one (operator.go 4475-4480), the entrypoint too.
    assert_eq!(ran.node("everywhere")["type"], "Retry");
    assert_eq!(ran.node("everywhere(0)")["type"], "Steps");
    assert_eq!(ran.node("everywhere(0)[0].try")["type"], "Retry");
    assert_eq!(ran.node("everywhere(0)[0].try(0)")["type"], "Plugin");
    assert_eq!(ran.node("everywhere(0)[0].try(0)")["displayName"], "try(0)");
    assert_eq!(ran.node_count(), 5);
}

// Adapted from Argo's examples/exit-handlers.yaml.
#[test]
fn the_workflows_exit_handler_sees_its_status_and_failures() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: exit-handlers
spec:
  entrypoint: intentional-fail
  onExit: exit-handler
  templates:
    - name: exit-handler
      steps:
        - - name: celebrate
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
            when: "{{{{workflow.status}}}} == Succeeded"
          - name: cry
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}, {{name: label, value: "{{{{workflow.failures}}}}"}}]}}
            when: "{{{{workflow.status}}}} != Succeeded"
{}{}"#,
        echo_template("echo"),
        failing_template("intentional-fail")
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(1), "{}", ran.stderr());
    // The handler is node WF.onExit, in no boundary and no node's child (operator.go 503-510).
    let handler = ran.node("exit-handlers.onExit");
    assert_eq!((handler["type"].as_str(), handler["phase"].as_str()), (Some("Steps"), Some("Succeeded")));
    assert!(handler["boundaryID"].is_null());
    let all = ran.workflow["status"]["nodes"].as_object().unwrap();
    assert!(all.values().all(|n| !n["children"].as_array().is_some_and(|c| c.contains(&handler["id"]))));
    assert_eq!(ran.node("exit-handlers.onExit[0].celebrate")["message"], "when 'Failed == Succeeded' evaluated false");
    assert_eq!(ran.node("exit-handlers.onExit[0].cry")["phase"], "Succeeded");
    // The workflow keeps its entry node's phase and message (operator.go 530-561).
    assert_eq!(ran.status("phase"), "Failed");
    assert_eq!(ran.status("message"), "deliberately failed");
    // workflow.failures: the failed nodes as JSON, Go-quoted (operator.go 450-479).
    let label = ran.output("exit-handlers.onExit[0].cry", "label");
    let json: String = serde_json::from_str(&label).unwrap_or(label.clone());
    let failures: Vec<Value> = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {label}"));
    assert_eq!(failures.len(), 1, "{failures:?}");
    let failure = &failures[0];
    assert_eq!(failure["displayName"], "exit-handlers");
    assert_eq!(failure["message"], "deliberately failed");
    assert_eq!(failure["templateName"], "intentional-fail");
    assert_eq!(failure["phase"], "Failed");
    assert_eq!(failure["podName"], "exit-handlers");
    assert!(failure["finishedAt"].as_str().unwrap().ends_with('Z'));
    let keys: Vec<&str> = json.split("\":").filter_map(|k| k.rsplit('"').next()).take(6).collect();
    assert_eq!(keys, ["displayName", "message", "templateName", "phase", "podName", "finishedAt"]);
}

#[test]
fn a_failed_exit_handler_fails_a_workflow_that_succeeded() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: bad-exit
spec:
  entrypoint: echo
  arguments: {{parameters: [{{name: count, value: "4"}}]}}
  hooks:
    exit: {{template: fail}}
    running:
      expression: workflow.status == "Running"
      template: echo
      arguments: {{parameters: [{{name: count, value: "{{{{workflow.parameters.count}}}}"}}]}}
  templates:{}{}"#,
        echo_template("echo"),
        failing_template("fail")
    );
    let ran = run(&yaml, &[]);
    // hooks.exit is the exit handler (workflow_types.go 516-524); it failed, so the
    // workflow fails with its message (operator.go 552-560).
    assert_eq!(ran.node("bad-exit")["phase"], "Succeeded");
    assert_eq!(ran.node("bad-exit.onExit")["phase"], "Failed");
    assert_eq!(ran.status("phase"), "Failed");
    assert_eq!(ran.status("message"), "deliberately failed");
    assert_eq!(ran.code(), Some(1));
    // An expression hook runs as WF.hooks.NAME, a child of the workflow's node,
    // with its own arguments only (hooks.go 16-45).
    assert_eq!(ran.children("bad-exit"), ["bad-exit.hooks.running"]);
    assert_eq!(ran.output("bad-exit.hooks.running", "count"), "5");
}

// Adapted from Argo's examples/exit-handler-step-level.yaml and life-cycle-hooks-tmpl-level.yaml.
#[test]
fn a_steps_exit_hook_runs_after_it_with_its_outputs() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: step-exit
spec:
  entrypoint: main
  arguments: {{parameters: [{{name: count, value: "7"}}]}}
  templates:
    - name: main
      steps:
        - - name: a
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
            hooks:
              exit:
                template: echo
                arguments: {{parameters: [{{name: count, value: "{{{{steps.a.outputs.parameters.count}}}}"}}]}}
              succeeded:
                expression: steps.a.status == "Succeeded"
                template: echo
                arguments: {{parameters: [{{name: count, value: "10"}}]}}
          - name: b
            template: fail
            onExit: echo
        - - name: c
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
{}{}"#,
        echo_template("echo"),
        failing_template("fail")
    );
    let ran = run(&yaml, &[]);
    // The exit hook is NODE.onExit, the node's child in its boundary (exit_handler.go 35-49);
    // its arguments name the step's own outputs (exit_handler.go 60-75).
    let exit = ran.node("step-exit[0].a.onExit");
    assert_eq!(exit["boundaryID"], "step-exit");
    assert_eq!(exit["displayName"], "a.onExit");
    assert_eq!(ran.output("step-exit[0].a.onExit", "count"), "3");
    // Other hooks run as NODE.hooks.NAME when their expression holds (hooks.go 60-112).
    assert_eq!(ran.output("step-exit[0].a.hooks.succeeded", "count"), "11");
    assert_eq!(ran.children("step-exit[0].a"), ["step-exit[0].a.hooks.succeeded", "step-exit[0].a.onExit"]);
    // onExit without arguments receives the workflow's (workflow_types.go 1864-1871), after a failure too.
    assert_eq!(ran.output("step-exit[0].b.onExit", "count"), "8");
    // The failed step still fails its group; the next group never starts.
    assert_eq!(ran.node("step-exit[0]")["phase"], "Failed");
    assert_eq!(ran.status("phase"), "Failed");
    assert!(!ran.workflow["status"]["nodes"].as_object().unwrap().contains_key(&id("step-exit", "step-exit[1].c")));
}

#[test]
fn a_tasks_exit_hook_holds_its_dependents() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: task-exit
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - name: a
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
            onExit: slow
          - name: b
            depends: a
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{tasks.a.outputs.parameters.count}}}}"}}]}}
    - name: slow
      inputs:
        parameters:
          - {{name: mode, value: sleep}}
          - {{name: ms, value: "300"}}
      plugin:
        wasm:
          module:
            oci: {PROBE}
{}"#,
        echo_template("echo"),
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // A dependency has ended when its hooks have (dag.go 982).
    let time =
        |name: &str, key: &str| chrono::DateTime::parse_from_rfc3339(ran.node(name)[key].as_str().unwrap()).unwrap();
    assert!(time("task-exit.b", "startedAt") >= time("task-exit.a.onExit", "finishedAt"));
    assert_eq!(ran.output("task-exit.b", "count"), "3");
    // The exit hook is the task's child from its start (exit_handler.go 42-49); the next
    // task hangs from the task's node, not from its exit hook (operator.go 3398-3400).
    assert_eq!(ran.children("task-exit.a"), ["task-exit.a.onExit", "task-exit.b"]);
}

// Adapted from Argo's examples/global-outputs.yaml, the output exported by a steps template.
#[test]
fn global_outputs_are_exported_by_their_global_name() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: global-outputs
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: produce
            template: producer
        - - name: consume
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{workflow.outputs.parameters.exported}}}}"}}]}}
    - name: producer
      steps:
        - - name: inner
            template: echo
            arguments: {{parameters: [{{name: count, value: "41"}}]}}
      outputs:
        parameters:
          - name: out
            globalName: exported
            valueFrom: {{parameter: "{{{{steps.inner.outputs.parameters.count}}}}"}}
{}"#,
        echo_template("echo"),
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // A steps template's outputs with a globalName become workflow.outputs.parameters.NAME
    // and status.outputs (steps.go 187, operator.go 3860-3873, workflow/util/util.go 610-641).
    assert_eq!(ran.output("global-outputs[1].consume", "count"), "43");
    assert_eq!(ran.status("outputs"), &serde_json::json!({"parameters": [{"name": "exported", "value": "42"}]}));
}

// Adapted from Argo's examples/life-cycle-hooks-wf-level.yaml: a workflow hook whose expression
// comes true while the workflow runs, once an output has been exported.
#[test]
fn workflow_hooks_are_evaluated_again_as_the_workflow_goes() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: hook-progress
spec:
  entrypoint: main
  hooks:
    exported:
      expression: 'workflow.status == "Running" && workflow.outputs?.parameters?.exported == "42"'
      template: echo
      arguments: {{parameters: [{{name: count, value: "1"}}]}}
  templates:
    - name: main
      steps:
        - - name: produce
            template: producer
        - - name: wait
            template: sleep
    - name: producer
      steps:
        - - name: inner
            template: echo
            arguments: {{parameters: [{{name: count, value: "41"}}]}}
      outputs:
        parameters:
          - name: out
            globalName: exported
            valueFrom: {{parameter: "{{{{steps.inner.outputs.parameters.count}}}}"}}
    - name: sleep
      inputs:
        parameters: [{{name: mode, value: sleep}}, {{name: ms, value: "600"}}]
      plugin:
        wasm:
          module:
            oci: {PROBE}
{}"#,
        echo_template("echo"),
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // Argo evaluates the workflow's hooks on every reconciliation, with the globals as they are
    // then (operator.go 447-481, hooks.go 16-45): this one fires once `exported` is set, while
    // `wait` still runs, not when the workflow has ended.
    let hook = ran.node("hook-progress.hooks.exported");
    assert_eq!(hook["phase"], "Succeeded");
    let wait = ran.node("hook-progress[1].wait");
    let (hook_started, wait_ended) = (hook["startedAt"].as_str().unwrap(), wait["finishedAt"].as_str().unwrap());
    assert!(hook_started < wait_ended, "the hook started at {hook_started}, after wait ended at {wait_ended}");
    assert_eq!(ran.children("hook-progress"), ["hook-progress[0]", "hook-progress.hooks.exported"]);
}

// Adapted from Argo's examples/recursive-for-loop.yaml: a counter that recurses until `when` is false.
#[test]
fn a_template_may_call_itself_until_its_when_ends_it() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: recursion
spec:
  entrypoint: loop
  arguments: {{parameters: [{{name: count, value: "0"}}]}}
  templates:
    - name: loop
      inputs:
        parameters: [{{name: count}}]
      steps:
        - - name: step
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{inputs.parameters.count}}}}"}}]}}
        - - name: again
            template: loop
            arguments: {{parameters: [{{name: count, value: "{{{{steps.step.outputs.parameters.count}}}}"}}]}}
            when: "{{{{steps.step.outputs.parameters.count}}}} < 3"
{}"#,
        echo_template("echo"),
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // Each level is a Steps node named after the step that called it.
    let deepest = "recursion[1].again[1].again[1].again";
    assert_eq!(ran.node("recursion[1].again[1].again")["type"], "Steps");
    assert_eq!(ran.node(deepest)["message"], "when '3 < 3' evaluated false");
    assert_eq!(ran.node(deepest)["phase"], "Skipped");
    assert_eq!(ran.output("recursion[1].again[1].again[0].step", "count"), "3");
    assert_eq!(ran.node("recursion[1].again[1].again")["boundaryID"], id("recursion", "recursion[1].again"));
}

#[test]
fn retry_hooks_and_leaf_fields_are_checked_before_running() {
    let head = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: bad\nspec:\n  entrypoint: main\n";
    // validate.go 687-695, 143-150, 848-853, 987-989.
    let policy = format!("{head}  templates:{}", flaky_template("main", "{retryPolicy: Sometimes}", 0));
    assert_eq!(cannot_run(&policy), "error: Sometimes is not a valid RetryPolicy");
    // The entrypoint's input comes from the workflow's arguments, so that these checks are reached.
    let count = "  arguments: {parameters: [{name: count, value: '1'}]}\n";
    let hook = format!("{head}{count}  hooks:\n    started: {{template: main}}\n  templates:{}", echo_template("main"));
    assert_eq!(cannot_run(&hook), "error: hooks.started Expression required");
    let deadline = format!(
        "{head}  templates:\n    - name: main\n      activeDeadlineSeconds: 5\n      steps: [[{{name: a, template: echo}}]]\n{}",
        echo_template("echo")
    );
    assert_eq!(cannot_run(&deadline), "error: templates.main.activeDeadlineSeconds is only valid for leaf templates");
    let parallel = format!(
        "{head}{count}  templates:{}",
        echo_template("main").replace("      plugin:", "      parallelism: 2\n      plugin:")
    );
    assert_eq!(cannot_run(&parallel), "error: templates.main.parallelism is only valid for steps and dag templates");
}

/// The probe as template `name`: sleeps `ms` milliseconds.
fn sleep_template(name: &str, ms: u32) -> String {
    format!(
        r#"
    - name: {name}
      inputs:
        parameters:
          - {{name: mode, value: sleep}}
          - {{name: ms, value: "{ms}"}}
      plugin:
        wasm:
          module:
            oci: {PROBE}
"#
    )
}

fn time_of(ran: &Ran, name: &str, key: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(ran.node(name)[key].as_str().unwrap()).unwrap()
}

// Adapted from Argo's examples/parallelism-nested.yaml and parallelism-nested-dag.yaml.
#[test]
fn parallelism_limits_steps_and_dag_children_but_not_plugin_nodes() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: parallelism
spec:
  entrypoint: main
  parallelism: 1
  templates:
    - name: main
      parallelism: 1
      steps:
        - - name: nested-a
            template: inner
          - name: nested-b
            template: inner
        - - name: plugin-a
            template: nap
          - name: plugin-b
            template: nap
        - - name: dag
            template: fan-out
    - name: inner
      steps:
        - - name: nap
            template: nap
    - name: fan-out
      parallelism: 1
      dag:
        tasks:
          - name: loop
            template: inner
            withItems: [1, 2]
{}"#,
        sleep_template("nap", 300)
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // Steps and DAG children count: one at a time (operator.go 3339-3358, node_counters.go 23-31).
    assert!(
        time_of(&ran, "parallelism[0].nested-b", "startedAt") >= time_of(&ran, "parallelism[0].nested-a", "finishedAt")
    );
    let (first, second) = ("parallelism[2].dag.loop(0:1)", "parallelism[2].dag.loop(1:2)");
    assert!(time_of(&ran, second, "startedAt") >= time_of(&ran, first, "finishedAt"));
    assert_eq!(ran.children("parallelism[2].dag.loop"), [first, second]);
    assert_eq!(ran.node("parallelism[2].dag.loop")["phase"], "Succeeded");
    // Plugin nodes are not counted, nor by spec.parallelism, which counts pods (3299-3302).
    assert!(
        time_of(&ran, "parallelism[1].plugin-b", "startedAt") < time_of(&ran, "parallelism[1].plugin-a", "finishedAt")
    );
}

// Adapted from Argo's examples/timeouts-workflow.yaml (a step outliving activeDeadlineSeconds).
#[test]
fn the_workflows_deadline_fails_the_steps_still_running() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: deadline
spec:
  entrypoint: main
  activeDeadlineSeconds: 1
  onExit: after
  templates:
    - name: main
      steps:
        - - name: long
            template: long
{}{}"#,
        sleep_template("long", 5000),
        sleep_template("after", 10)
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(1), "{}", ran.stderr());
    // A plugin node that has not replied by the deadline fails (operator.go 1424-1430) ...
    let long = ran.node("deadline[0].long");
    assert_eq!(
        (long["phase"].as_str(), long["message"].as_str()),
        (Some("Failed"), Some("Step exceeded its deadline"))
    );
    assert!(
        time_of(&ran, "deadline[0].long", "finishedAt") - time_of(&ran, "deadline[0].long", "startedAt")
            < chrono::Duration::seconds(3)
    );
    assert_eq!(ran.status("phase"), "Failed");
    // ... but the exit handler is not held to it (exec_control.go 57-66).
    assert_eq!(ran.node("deadline.onExit")["phase"], "Succeeded");
}

// Adapted from Argo's examples/exit-handler-step-level.yaml, on a loop.
#[test]
fn a_loops_hooks_see_each_childs_item() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: loop-exit
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: each
            template: echo
            arguments: {{parameters: [{{name: count, value: "{{{{item}}}}"}}]}}
            withItems: [1, 5]
            hooks:
              exit:
                template: echo
                arguments: {{parameters: [{{name: count, value: "{{{{item}}}}"}}, {{name: label, value: "{{{{steps.each.outputs.parameters.count}}}}"}}]}}
{}"#,
        echo_template("echo"),
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // The item is put in the hooks with the rest of the step (steps.go 686-703, processItem).
    // Validation lets an exit hook name its step's outputs as `steps.each…` (validate.go
    // 1106-1108), but a child's outputs are named by the child's own step name, `each(1:5)`,
    // when its hook runs (steps.go 333-346, exit_handler.go 60-75), and a name not in the
    // scope is left as it is.
    assert_eq!(ran.output("loop-exit[0].each(0:1).onExit", "count"), "2");
    for child in ["each(0:1)", "each(1:5)"] {
        let hook = format!("loop-exit[0].{child}.onExit");
        assert_eq!(ran.output(&hook, "label"), "{{steps.each.outputs.parameters.count}}");
    }
}

// Adapted from Argo's examples/life-cycle-hooks-tmpl-level.yaml.
#[test]
fn a_hook_on_running_fires_for_steps_nodes_but_not_for_pending_plugin_nodes() {
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: running-hooks
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: nested
            template: inner
            hooks:
              running:
                expression: steps.nested.status == "Running"
                template: echo
                arguments: {{parameters: [{{name: count, value: "1"}}]}}
          - name: plugin
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
            hooks:
              running:
                expression: steps.plugin.status == "Running"
                template: echo
                arguments: {{parameters: [{{name: count, value: "1"}}]}}
              pending:
                expression: steps.plugin.status == "Pending"
                template: echo
                arguments: {{parameters: [{{name: count, value: "2"}}]}}
    - name: inner
      steps:
        - - name: nap
            template: echo
            arguments: {{parameters: [{{name: count, value: "1"}}]}}
{}"#,
        echo_template("echo"),
    );
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    // A steps node is Running while its steps run: its hook fires (hooks.go 60-112).
    let hook = ran.node("running-hooks[0].nested.hooks.running");
    assert!(
        time_of(&ran, "running-hooks[0].nested.hooks.running", "startedAt")
            <= time_of(&ran, "running-hooks[0].nested", "finishedAt")
    );
    assert_eq!(hook["phase"], "Succeeded");
    // A plugin node is Pending until its reply, then ends (plugin_template.go 15, taskset.go 150-153):
    // never Running.
    assert_eq!(ran.children("running-hooks[0].plugin"), ["running-hooks[0].plugin.hooks.pending"]);
    assert_eq!(ran.output("running-hooks[0].plugin.hooks.pending", "count"), "3");
}

/// A workflow whose `main` (steps, or a DAG) runs `produce` (which exports
/// `exported` = 42 at once) beside `wait` (600 ms), `wait` with a hook on
/// that export.
fn export_while_waiting(name: &str, dag: bool) -> String {
    let hook = r#"
            hooks:
              exported:
                expression: 'workflow.outputs?.parameters?.exported == "42"'
                template: echo
                arguments: {parameters: [{name: count, value: "1"}]}"#;
    let main = if dag {
        format!(
            "      dag:\n        tasks:\n          - name: produce\n            template: producer\n          - name: wait\n            template: sleep{hook}"
        )
    } else {
        format!(
            "      steps:\n        - - name: produce\n            template: producer\n          - name: wait\n            template: sleep{hook}"
        )
    };
    format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: {name}
spec:
  entrypoint: main
  templates:
    - name: main
{main}
    - name: producer
      steps:
        - - name: inner
            template: echo
            arguments: {{parameters: [{{name: count, value: "41"}}]}}
      outputs:
        parameters:
          - name: out
            globalName: exported
            valueFrom: {{parameter: "{{{{steps.inner.outputs.parameters.count}}}}"}}
{}{}"#,
        sleep_template("sleep", 600),
        echo_template("echo"),
    )
}

#[test]
fn step_and_task_hooks_are_evaluated_again_while_their_node_runs() {
    use wasm_workflows_test_support::argo_schema::{WORKFLOW, errors, validator};
    for (workflow, dag, waiting) in [
        ("step-hook-progress", false, "step-hook-progress[0].wait"),
        ("task-hook-progress", true, "task-hook-progress.wait"),
    ] {
        let yaml = export_while_waiting(workflow, dag);
        let problems = errors(&validator(WORKFLOW), &yaml);
        assert!(problems.is_empty(), "not a valid Argo Workflow: {}", problems.join("\n"));
        let ran = run(&yaml, &[]);
        assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
        // Argo evaluates a step's (a task's) hooks at every reconciliation of its steps (DAG)
        // node while the node exists, with the workflow's names as they are then (steps.go
        // 324-341, dag.go 476-491, hooks.go 59-112): this one fires once `exported` is set,
        // while `wait` still runs, not when `wait` has ended.
        let hook_name = format!("{waiting}.hooks.exported");
        assert_eq!(ran.node(&hook_name)["phase"], "Succeeded");
        let (hook_started, wait_ended) = (time_of(&ran, &hook_name, "startedAt"), time_of(&ran, waiting, "finishedAt"));
        assert!(
            hook_started < wait_ended,
            "{workflow}: the hook started at {hook_started}, after wait ended at {wait_ended}"
        );
        assert_eq!(ran.children(waiting), [hook_name.as_str()]);
    }
}

#[test]
fn a_steps_templates_fail_fast_does_not_stop_a_loop_of_plugin_nodes() {
    use wasm_workflows_test_support::argo_schema::{WORKFLOW, errors, validator};
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: fail-fast
spec:
  entrypoint: main
  templates:
    - name: main
      failFast: true
      steps:
        - - name: each
            template: either
            arguments: {{parameters: [{{name: mode, value: "{{{{item}}}}"}}]}}
            withItems: [failed, sleep, sleep]
    - name: either
      inputs:
        parameters: [{{name: mode}}, {{name: ms, value: "400"}}]
      plugin:
        wasm:
          module:
            oci: {PROBE}
"#
    );
    let problems = errors(&validator(WORKFLOW), &yaml);
    assert!(problems.is_empty(), "not a valid Argo Workflow: {}", problems.join("\n"));
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(1), "{}", ran.stderr());
    // A template's failFast fails it once it has a failed or errored child of type Pod, Steps
    // or DAG (getUnsuccessfulChildren, node_counters.go 33-41; checkParallelism, operator.go
    // 3304-3317 and 3342-3353). A plugin node is none of those, so a loop of plugin nodes is
    // not stopped: the others run to their end, and the group fails as any group with a
    // failed child does, "child '<id>' failed" (steps.go 373-376), not with failFast's
    // "template has failed or errored children and failFast enabled".
    let failed = "fail-fast[0].each(0:failed)";
    assert_eq!(ran.node(failed)["message"], "deliberately failed");
    let failed_at = time_of(&ran, failed, "finishedAt");
    for sleeper in ["fail-fast[0].each(1:sleep)", "fail-fast[0].each(2:sleep)"] {
        assert_eq!(ran.node(sleeper)["phase"], "Succeeded");
        assert!(time_of(&ran, sleeper, "finishedAt") > failed_at, "{sleeper} ended before {failed} failed");
    }
    let message = format!("child '{}' failed", id("fail-fast", failed));
    assert_eq!(ran.node("fail-fast[0]")["message"], message.as_str());
    assert_eq!(
        (ran.node("fail-fast")["phase"].as_str(), ran.node("fail-fast")["message"].as_str()),
        (Some("Failed"), Some(message.as_str()))
    );
}

/// Whether the run has a node called `name`.
fn has_node(ran: &Ran, name: &str) -> bool {
    ran.workflow["status"]["nodes"].as_object().unwrap().values().any(|node| node["name"] == name)
}

/// A steps template (`main`) whose first group runs a DAG child that fails at once and a plugin
/// sibling that sleeps 1 s, then a second group; and a DAG template (`dag-main`) whose task `a`
/// is a steps child that fails at once, `b` a plugin that sleeps 1 s and `c` a task after `b`.
/// `fail_fast` is the field each of the two templates gets (none when empty).
fn fail_fast_workflow(name: &str, entrypoint: &str, fail_fast: &str) -> String {
    format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: {name}
spec:
  entrypoint: {entrypoint}
  templates:
    - name: main
      {fail_fast}
      steps:
        - - name: failing
            template: failing-dag
          - name: slow
            template: either
            arguments: {{parameters: [{{name: mode, value: sleep}}]}}
        - - name: later
            template: either
            arguments: {{parameters: [{{name: mode, value: sleep}}, {{name: ms, value: "1"}}]}}
    - name: dag-main
      {fail_fast}
      dag:
        tasks:
          - name: a
            template: failing-steps
          - name: b
            template: either
            arguments: {{parameters: [{{name: mode, value: sleep}}]}}
          - name: c
            dependencies: [b]
            template: either
            arguments: {{parameters: [{{name: mode, value: sleep}}, {{name: ms, value: "1"}}]}}
    - name: failing-dag
      dag:
        tasks:
          - name: fail
            template: either
            arguments: {{parameters: [{{name: mode, value: failed}}]}}
    - name: failing-steps
      steps:
        - - name: fail
            template: either
            arguments: {{parameters: [{{name: mode, value: failed}}]}}
    - name: either
      inputs:
        parameters: [{{name: mode}}, {{name: ms, value: "1000"}}]
      plugin:
        wasm:
          module:
            oci: {PROBE}
"#
    )
}

const FAIL_FAST_MESSAGE: &str = "template has failed or errored children and failFast enabled";

// A steps template's failFast (`Template.IsFailFast`, workflow_types.go 931-933): once its DAG
// child has failed, Argo marks the last step group and the steps node Failed with failFast's
// message and starts no further child (checkParallelism, operator.go 3304-3318, 3342-3353).
// The plugin sibling is not a pod, so it does not hold the check back (3309), and it runs on.
#[test]
fn a_steps_templates_fail_fast_stops_it_once_a_dag_child_has_failed() {
    use wasm_workflows_test_support::argo_schema::{WORKFLOW, errors, validator};
    let yaml = fail_fast_workflow("steps-fail-fast", "main", "failFast: true");
    let problems = errors(&validator(WORKFLOW), &yaml);
    assert!(problems.is_empty(), "not a valid Argo Workflow: {}", problems.join("\n"));
    let ran = run(&yaml, &[]);
    assert_eq!(ran.code(), Some(1), "{}", ran.stderr());
    let (failing, slow) = ("steps-fail-fast[0].failing", "steps-fail-fast[0].slow");
    assert_eq!(ran.node(failing)["phase"], "Failed");
    // The sibling already running keeps its own phase, and ended after the DAG child failed.
    assert_eq!(ran.node(slow)["phase"], "Succeeded");
    assert!(time_of(&ran, slow, "finishedAt") > time_of(&ran, failing, "finishedAt"));
    for group_and_node in ["steps-fail-fast[0]", "steps-fail-fast"] {
        let node = ran.node(group_and_node);
        assert_eq!(
            (node["phase"].as_str(), node["message"].as_str()),
            (Some("Failed"), Some(FAIL_FAST_MESSAGE)),
            "{group_and_node}"
        );
    }
    assert!(!has_node(&ran, "steps-fail-fast[1]"), "the second group started");
    assert!(!has_node(&ran, "steps-fail-fast[1].later"), "a step of the second group started");
}

// The same for a DAG template (operator.go 3304-3318): `c`, whose dependency `b` succeeds, never
// starts, because `a` (a steps child) failed while `b` still ran.
#[test]
fn a_dag_templates_fail_fast_stops_it_once_a_steps_child_has_failed() {
    let ran = run(&fail_fast_workflow("dag-fail-fast", "dag-main", "failFast: true"), &[]);
    assert_eq!(ran.code(), Some(1), "{}", ran.stderr());
    let (a, b) = ("dag-fail-fast.a", "dag-fail-fast.b");
    assert_eq!(ran.node(a)["phase"], "Failed");
    assert_eq!(ran.node(b)["phase"], "Succeeded");
    assert!(time_of(&ran, b, "finishedAt") > time_of(&ran, a, "finishedAt"));
    assert!(!has_node(&ran, "dag-fail-fast.c"), "c started");
    let dag = ran.node("dag-fail-fast");
    assert_eq!((dag["phase"].as_str(), dag["message"].as_str()), (Some("Failed"), Some(FAIL_FAST_MESSAGE)));
}

// Without the field, failFast is off (IsFailFast: only `true` turns it on): the steps template
// fails as any with a failed child (steps.go 366-380, 120-128), and the DAG runs `c` and then
// fails without a message, from its failed target `a` (dag.go 216-247).
#[test]
fn without_fail_fast_steps_and_dag_templates_run_as_before() {
    let ran = run(&fail_fast_workflow("no-fail-fast", "main", ""), &[]);
    assert_eq!(ran.code(), Some(1), "{}", ran.stderr());
    let message = format!("child '{}' failed", id("no-fail-fast", "no-fail-fast[0].failing"));
    for group_and_node in ["no-fail-fast[0]", "no-fail-fast"] {
        let node = ran.node(group_and_node);
        assert_eq!((node["phase"].as_str(), node["message"].as_str()), (Some("Failed"), Some(message.as_str())));
    }
    assert_eq!(ran.node("no-fail-fast[0].slow")["phase"], "Succeeded");
    assert!(!has_node(&ran, "no-fail-fast[1]"), "the second group started after a failed one");

    let ran = run(&fail_fast_workflow("no-fail-fast-dag", "dag-main", ""), &[]);
    assert_eq!(ran.code(), Some(1), "{}", ran.stderr());
    assert_eq!(ran.node("no-fail-fast-dag.a")["phase"], "Failed");
    assert_eq!(ran.node("no-fail-fast-dag.c")["phase"], "Succeeded");
    let dag = ran.node("no-fail-fast-dag");
    assert_eq!((dag["phase"].as_str(), dag["message"].as_null()), (Some("Failed"), Some(())));
}
