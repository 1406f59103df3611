//! `wasm-workflows lint`: what `argo lint` says of workflows. The invalid
//! workflows are adapted from Argo's own validation tests
//! (`workflow/validate/validate_test.go` as `vt`, `validate_dag_test.go` as
//! `vdt`, argoproj/argo-workflows at f016ad8, just after v4.1.2), each
//! citing the line of the case and the message Argo's code gives for it;
//! where Argo's test checks only part of the message, the rest follows
//! `validate.go`. Every workflow this repository ships lints clean, and a
//! workflow Argo accepts lints clean even where `run` cannot run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wasm_workflows_test_support::harness::workspace_root;

fn wasm_workflows(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-workflows")).args(args).output().expect("run wasm-workflows")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A Workflow named `name-` with `spec` (YAML, indented by two).
fn workflow(name: &str, spec: &str) -> String {
    format!("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: {name}-\nspec:\n{spec}")
}

/// A template that prints, as Argo's tests use them.
const SAY: &str = "    - name: say\n      container: {image: alpine, command: [echo, hi]}\n";

/// Each invalid workflow: where Argo's test of it is, its file, and the message.
fn invalid_workflows() -> Vec<(&'static str, &'static str, String, String)> {
    let steps = |body: &str| format!("  entrypoint: main\n  templates:\n    - name: main\n      steps:\n{body}{SAY}");
    let dag = |body: &str| {
        format!("  entrypoint: main\n  templates:\n    - name: main\n      dag:\n        tasks:\n{body}{SAY}")
    };
    let name_rule = "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric character (e.g. My-name1-2, 123-NAME)";
    vec![
        (
            "vt.go:75,130",
            "dup-templates",
            format!("  entrypoint: say\n  templates:\n{SAY}{SAY}"),
            "spec.templates[1].name 'say' is not unique".into(),
        ),
        (
            "vt.go:91,133",
            "dup-inputs",
            "  entrypoint: say\n  templates:\n    - name: say\n      inputs: {parameters: [{name: twice, value: a}, {name: twice, value: b}]}\n      container: {image: alpine}\n".into(),
            "templates.say.inputs.parameters[1].name 'twice' is not unique".into(),
        ),
        (
            "vt.go:110,136",
            "empty-input-name",
            "  entrypoint: say\n  templates:\n    - name: say\n      inputs: {parameters: [{name: '', value: a}]}\n      container: {image: alpine}\n".into(),
            "templates.say.inputs.parameters[0].name is required".into(),
        ),
        (
            "vt.go:139,206",
            "unresolved-input",
            "  entrypoint: say\n  templates:\n    - name: say\n      container: {image: 'alpine:{{inputs.parameters.tag}}'}\n".into(),
            "templates.say: failed to resolve {{inputs.parameters.tag}}".into(),
        ),
        (
            "vt.go:152,209",
            "unresolved-step-input",
            "  entrypoint: main\n  templates:\n    - name: main\n      inputs: {parameters: [{name: message, value: hello}]}\n      steps:\n        - - {name: a, template: echo, arguments: {parameters: [{name: message, value: '{{inputs.parameters.message}}'}]}}\n    - name: echo\n      container: {image: alpine, args: ['{{inputs.parameters.message}}']}\n".into(),
            "templates.main.steps[0].a templates.echo: failed to resolve {{inputs.parameters.message}}".into(),
        ),
        (
            "vt.go:181,212",
            "unresolved-output",
            "  entrypoint: main\n  templates:\n    - name: main\n      steps:\n        - - {name: say, template: say}\n      outputs: {parameters: [{name: out, valueFrom: {parameter: '{{steps.say.outputs.parameters.gone}}'}}]}\n".to_owned() + SAY,
            "templates.main.outputs failed to resolve {{steps.say.outputs.parameters.gone}}".into(),
        ),
        (
            "vt.go:472,509",
            "future-status",
            steps("        - - {name: one, template: echo, arguments: {parameters: [{name: message, value: '{{steps.two.status}}'}]}}\n        - - {name: two, template: echo, arguments: {parameters: [{name: message, value: '{{steps.one.status}}'}]}}\n    - name: echo\n      inputs: {parameters: [{name: message}]}\n      container: {image: alpine, args: ['{{inputs.parameters.message}}']}\n"),
            "templates.main.steps failed to resolve {{steps.two.status}}".into(),
        ),
        (
            "vt.go:593,611",
            "input-without-value",
            "  entrypoint: echo\n  templates:\n    - name: echo\n      inputs: {parameters: [{name: message}]}\n      container: {image: alpine}\n".into(),
            "templates.echo inputs.parameters.message was not supplied".into(),
        ),
        (
            "vt.go:752,770",
            "invalid-template-name",
            "  entrypoint: say_it\n  templates:\n    - name: say_it\n      container: {image: alpine}\n".into(),
            format!("spec.templates[0].name: 'say_it' is invalid: {name_rule}"),
        ),
        (
            "vt.go:829,871",
            "invalid-step-name",
            steps("        - - {name: a_b, template: say}\n"),
            format!("templates.main.steps[0].name 'a_b' is invalid: {name_rule}"),
        ),
        (
            "vt.go:874,895",
            "invalid-input-name",
            "  entrypoint: say\n  templates:\n    - name: say\n      inputs: {parameters: [{name: 'a.b', value: x}]}\n      container: {image: alpine}\n".into(),
            "templates.say.inputs.parameters[0].name: 'a.b' is invalid: Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1".into(),
        ),
        (
            "vt.go:992,1085",
            "output-without-value",
            "  entrypoint: say\n  templates:\n    - name: say\n      container: {image: alpine}\n      outputs: {parameters: [{name: out}]}\n".into(),
            "templates.say.outputs.parameters.out does not have valueFrom or value specified".into(),
        ),
        (
            "vt.go:1010,1088",
            "output-two-sources",
            "  entrypoint: say\n  templates:\n    - name: say\n      container: {image: alpine}\n      outputs: {parameters: [{name: out, valueFrom: {path: /out, jsonPath: '{.a}'}}]}\n".into(),
            "multiple valueFrom types specified. choose one of: path, jqFilter, jsonPath, parameter, raw".into(),
        ),
        (
            "vt.go:1031,1091",
            "output-not-a-path",
            "  entrypoint: say\n  templates:\n    - name: say\n      container: {image: alpine}\n      outputs: {parameters: [{name: out, valueFrom: {jsonPath: '{.a}'}}]}\n".into(),
            "templates.say.outputs.parameters.out.path must be specified for Container templates".into(),
        ),
        (
            "vt.go:1051,1094",
            "steps-output-path",
            "  entrypoint: main\n  templates:\n    - name: main\n      steps:\n        - - {name: say, template: say}\n      outputs: {parameters: [{name: out, valueFrom: {path: /out}}]}\n".to_owned() + SAY,
            "templates.main.outputs.parameters.out.parameter or expression must be specified for Steps templates".into(),
        ),
        (
            "vt.go:1097,1121",
            "two-kinds",
            "  entrypoint: say\n  templates:\n    - name: say\n      container: {image: alpine}\n      script: {image: python, source: 'print(1)'}\n".into(),
            "templates.say multiple template types specified. choose one of: container, containerSet, steps, script, resource, dag, suspend, template, template ref".into(),
        ),
        (
            "vt.go:1191,1230",
            "mount-collision",
            "  entrypoint: say\n  templates:\n    - name: say\n      inputs: {artifacts: [{name: data, path: /work, raw: {data: x}}]}\n      container: {image: alpine, volumeMounts: [{name: scratch, mountPath: /work}]}\n".into(),
            "templates.say.inputs.artifacts[0].path '/work' already mounted in container.volumeMounts.scratch".into(),
        ),
        (
            "vt.go:1240,1258",
            "negative-deadline",
            "  entrypoint: say\n  templates:\n    - name: say\n      activeDeadlineSeconds: -1\n      container: {image: alpine}\n".into(),
            "templates.say.activeDeadlineSeconds must be a positive integer > 0 or an argo variable".into(),
        ),
        (
            "vt.go:1261,1279",
            "leaf-parallelism",
            "  entrypoint: say\n  templates:\n    - name: say\n      parallelism: 2\n      container: {image: alpine}\n".into(),
            "templates.say.parallelism is only valid for steps and dag templates".into(),
        ),
        (
            "vt.go:1282,1339",
            "artifact-from-nowhere",
            steps("        - - {name: a, template: say, arguments: {artifacts: [{name: art}]}}\n"),
            "templates.main.steps[0].a.arguments.art.from, artifact location, or key is required".into(),
        ),
        (
            "vt.go:1345,1374",
            "argument-without-value",
            steps("        - - {name: a, template: say, arguments: {parameters: [{name: message}]}}\n"),
            "templates.main.steps[0].a.arguments.message.value or templates.main.steps[0].a.arguments.message.valueFrom is required".into(),
        ),
        (
            "vt.go:1522,1553",
            "sequence-count-and-end",
            steps("        - - {name: a, template: say, withSequence: {count: '2', end: '3'}}\n"),
            "templates.main.steps[0].a only one of count or end can be defined in withSequence".into(),
        ),
        (
            "vt.go:1705,1723",
            "undefined-template-ref",
            steps("        - - {name: a, templateRef: {name: nowhere, template: x}}\n"),
            "templates.main.steps[0].a template reference nowhere.x not found".into(),
        ),
        (
            // The message is Argo's test's, exactly; the WorkflowTemplates are in lint-library.yaml.
            "vt.go:1671,1702",
            "nested-template-ref",
            "  entrypoint: main\n  templates:\n    - name: main\n      steps:\n        - - {name: call-A, templateRef: {name: lint-target, template: A}}\n        - - {name: call-A-input, template: A}\n    - name: A\n      steps:\n        - - {name: call-B, templateRef: {name: lint-target-with-input, template: A}}\n".into(),
            "templates.main.steps[1].call-A-input templates.A.steps[0].call-B templates.A inputs.parameters.message was not supplied".into(),
        ),
        (
            "vt.go:1776,1817",
            "resource-bad-manifest",
            "  entrypoint: apply\n  templates:\n    - name: apply\n      resource:\n        action: apply\n        manifest: |\n          not-a-key\n          kind: ConfigMap\n".into(),
            "templates.apply.resource.manifest must be a valid yaml".into(),
        ),
        (
            "vt.go:1794,1821",
            "resource-bad-action",
            "  entrypoint: apply\n  templates:\n    - name: apply\n      resource: {action: explode, manifest: 'kind: ConfigMap'}\n".into(),
            "templates.apply.resource.action must be one of: get, create, apply, delete, replace, patch".into(),
        ),
        (
            "vt.go:1824,1841",
            "pod-gc",
            format!("  podGC: {{strategy: Sometimes}}\n  entrypoint: say\n  templates:\n{SAY}"),
            "podGC.strategy unknown strategy 'Sometimes'".into(),
        ),
        (
            "vt.go:2366,2390; validate.go 382-387",
            "template-ref-and-templates",
            format!("  workflowTemplateRef: {{name: lint-target}}\n  entrypoint: say\n  templates:\n{SAY}"),
            "Templates is invalid field in spec if workflow referred WorkflowTemplate reference".into(),
        ),
        (
            "vt.go:2394,2411",
            "no-image",
            "  entrypoint: say\n  templates:\n    - name: say\n      container: {command: [echo]}\n".into(),
            "templates.say.container.image may not be empty".into(),
        ),
        (
            "vt.go:2988",
            "name-too-long",
            format!("  entrypoint: say\n  templates:\n{SAY}"),
            // Named below: a Workflow with metadata.name of 70 characters.
            format!("workflow name \"{}\" must not be more than 63 characters long (currently 70)", "a".repeat(70)),
        ),
        (
            "validate.go 258-260",
            "no-entrypoint",
            format!("  templates:\n{SAY}"),
            "spec.entrypoint is required".into(),
        ),
        (
            "validate.go 663-664",
            "undefined-entrypoint",
            format!("  entrypoint: nope\n  templates:\n{SAY}"),
            "template name 'nope' undefined".into(),
        ),
        (
            "validate.go 687-695",
            "retry-policy",
            "  entrypoint: say\n  templates:\n    - name: say\n      retryStrategy: {retryPolicy: Sometimes}\n      container: {image: alpine}\n".into(),
            "Sometimes is not a valid RetryPolicy".into(),
        ),
        (
            "validate.go 143-150, 334",
            "hook-without-expression",
            format!("  entrypoint: say\n  hooks:\n    running: {{template: say}}\n  templates:\n{SAY}"),
            "hooks.running Expression required".into(),
        ),
        (
            "validate.go 848-853",
            "steps-deadline",
            format!("  entrypoint: main\n  templates:\n    - name: main\n      activeDeadlineSeconds: 5\n      steps: [[{{name: a, template: say}}]]\n{SAY}"),
            "templates.main.activeDeadlineSeconds is only valid for leaf templates".into(),
        ),
        (
            "validate.go 1170-1172",
            "two-loops",
            steps("        - - {name: a, template: say, withItems: [1], withParam: '[2]'}\n"),
            "templates.main.steps[0].a only one of withItems, withParam, withSequence can be specified".into(),
        ),
        (
            // Argo's test checks "cycle"; the sorting that runs first says so (util/sorting/topological_sorting.go 47).
            "vdt.go:25,40",
            "dag-cycle",
            dag("          - {name: A, template: say, dependencies: [C]}\n          - {name: B, template: say, dependencies: [A]}\n          - {name: C, template: say, dependencies: [A]}\n"),
            "templates.main sorting failed: graph with cycle".into(),
        ),
        (
            "topological_sorting.go 27; validate.go 1447-1449",
            "dag-unknown-dependency",
            dag("          - {name: A, template: say, dependencies: [Z]}\n"),
            "templates.main sorting failed: invalid dependency Z".into(),
        ),
        (
            // validate.go 1491-1494 writes the dependency's name where the task's belongs.
            "vdt.go:43,67",
            "dag-any-without-items",
            dag("          - {name: A, template: say}\n          - {name: B, template: say, depends: A.AnySucceeded}\n"),
            "templates.main.tasks.A dependency 'A' uses an items-based condition such as .AnySucceeded or .AllFailed but does not contain any items".into(),
        ),
        (
            "ancestry.go 104; validate.go 1480",
            "dag-bad-result",
            dag("          - {name: A, template: say}\n          - {name: B, template: say, depends: A.Finished}\n"),
            "templates.main.tasks.B task result 'Finished' for task 'A' is invalid".into(),
        ),
        (
            "vdt.go:70,87",
            "dag-undefined-template",
            dag("          - {name: A, template: echo}\n"),
            "templates.main.tasks.A template name 'echo' undefined".into(),
        ),
        (
            "vdt.go:201,317",
            "dag-not-an-ancestor",
            "  entrypoint: main\n  templates:\n    - name: echo\n      inputs: {parameters: [{name: message}]}\n      container: {image: alpine, args: ['{{inputs.parameters.message}}']}\n      outputs: {parameters: [{name: hosts, valueFrom: {path: /etc/hosts}}]}\n    - name: main\n      dag:\n        tasks:\n          - {name: A, template: echo, arguments: {parameters: [{name: message, value: a}]}}\n          - {name: B, template: echo, dependencies: [A], arguments: {parameters: [{name: message, value: '{{tasks.A.outputs.parameters.hosts}}'}]}}\n          - {name: C, template: echo, dependencies: [A], arguments: {parameters: [{name: message, value: '{{tasks.B.outputs.parameters.hosts}}'}]}}\n".into(),
            "templates.main.tasks.C missing dependency 'B' for parameter 'message'".into(),
        ),
        (
            "vdt.go:555,631",
            "dag-status-not-an-ancestor",
            "  entrypoint: main\n  templates:\n    - name: echo\n      inputs: {parameters: [{name: message}]}\n      container: {image: alpine, args: ['{{inputs.parameters.message}}']}\n    - name: main\n      dag:\n        tasks:\n          - {name: A, template: echo, arguments: {parameters: [{name: message, value: a}]}}\n          - {name: B, template: echo, dependencies: [A], arguments: {parameters: [{name: message, value: '{{tasks.A.status}}'}]}}\n          - {name: D, template: echo, dependencies: [A], arguments: {parameters: [{name: message, value: '{{tasks.B.status}}'}]}}\n".into(),
            "templates.main.tasks.D failed to resolve {{tasks.B.status}}".into(),
        ),
        (
            "vdt.go:640,666",
            "dag-missing-target",
            "  entrypoint: main\n  templates:\n    - name: main\n      dag:\n        target: NOPE\n        tasks:\n          - {name: A, template: say}\n".to_owned() + SAY,
            "templates.main.targets: target 'NOPE' is not defined".into(),
        ),
        (
            "vdt.go:745,770",
            "dag-depends-and-dependencies",
            dag("          - {name: A, template: say}\n          - {name: B, template: say, dependencies: [A]}\n          - {name: C, template: say, depends: B}\n"),
            "templates.main cannot use both 'depends' and 'dependencies' in the same DAG template".into(),
        ),
        (
            "vdt.go:775,802",
            "dag-depends-and-continue-on",
            dag("          - {name: A, template: say}\n          - {name: B, template: say, continueOn: {failed: true}}\n          - {name: C, template: say, depends: B}\n"),
            "templates.main cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'".into(),
        ),
        (
            "vdt.go:805,854",
            "dag-digit",
            dag("          - {name: 5A, template: say}\n          - {name: B, template: say, depends: 5A}\n"),
            "templates.main.tasks.5A name cannot begin with a digit when using either 'depends' or 'dependencies'".into(),
        ),
        (
            // test/e2e/lintfail/disallow-unknown.yaml; e2e/cli_test.go 1141 expects the same wording.
            "lintfail/disallow-unknown.yaml",
            "unknown-field",
            "  entrypoint: say\n  templates:\n    - name: say\n      container: {image: alpine, someExtraField: foo}\n".into(),
            "strict decoding error: unknown field \"spec.templates[0].container.someExtraField\"".into(),
        ),
    ]
}

/// The WorkflowTemplates the nested reference names (vt.go 1577-1588 and 1654-1669).
const LIBRARY: &str = "apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lint-target}
spec:
  templates:
    - name: A
      container: {image: alpine, command: [echo, hello]}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lint-target-with-input}
spec:
  templates:
    - name: A
      inputs: {parameters: [{name: message}]}
      container: {image: alpine, args: ['{{inputs.parameters.message}}']}
";

/// Writes each invalid workflow to its own file of `folder`; answers each file with its line of `lint -o simple`.
fn write_invalid(folder: &Path) -> Vec<(&'static str, PathBuf, String)> {
    std::fs::write(folder.join("lint-library.yaml"), LIBRARY).unwrap();
    let mut expected = Vec::new();
    for (source, name, spec, message) in invalid_workflows() {
        let file = folder.join(format!("{name}.yaml"));
        let mut yaml = workflow(name, &spec);
        let mut object = format!("{name}-");
        if name == "name-too-long" {
            object = "a".repeat(70);
            yaml = yaml.replace(&format!("generateName: {name}-"), &format!("name: {object}"));
        }
        std::fs::write(&file, yaml).unwrap();
        expected.push((source, file.clone(), format!("{}: in \"{object}\" (Workflow): {message}", file.display())));
    }
    expected
}

#[test]
fn argos_invalid_workflows_get_argos_messages() {
    let folder = tempfile::tempdir().unwrap();
    let expected = write_invalid(folder.path());
    let linted = wasm_workflows(&["lint", "-o", "simple", folder.path().to_str().unwrap()]);
    assert_eq!(linted.status.code(), Some(1), "{}", text(&linted.stderr));
    let stdout = text(&linted.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    for (source, file, line) in &expected {
        let prefix = format!("{}: ", file.display());
        let found: Vec<String> = lines.iter().filter(|l| l.starts_with(&prefix)).map(|l| l.to_string()).collect();
        assert_eq!(found, std::slice::from_ref(line), "{source}: {}", file.display());
    }
    // Nothing else: the library lints clean, and -o simple has no summary when something is wrong.
    assert_eq!(lines.len(), expected.len(), "{stdout}");
    assert!(expected.len() >= 45, "{} cases", expected.len());
}

#[test]
fn pretty_output_groups_errors_by_file_and_counts_them() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("two.yaml");
    let bad = workflow("first", "  templates:\n    - name: say\n      container: {image: alpine}\n");
    let also_bad =
        workflow("second", "  entrypoint: nope\n  templates:\n    - name: say\n      container: {image: alpine}\n");
    std::fs::write(&file, format!("{bad}---\n{also_bad}")).unwrap();
    let linted = wasm_workflows(&["lint", file.to_str().unwrap()]);
    assert_eq!(linted.status.code(), Some(1));
    // formatter_pretty.go 18-35 and 38-58 (no colour: not a terminal).
    assert_eq!(
        text(&linted.stdout),
        format!(
            "{}:\n   ✖ in \"first-\" (Workflow): spec.entrypoint is required\n   ✖ in \"second-\" (Workflow): template name 'nope' undefined\n\n✖ 2 linting errors found!\n",
            file.display()
        )
    );
}

#[test]
fn every_shipped_workflow_lints_clean() {
    let root = workspace_root();
    let mut files: Vec<String> = Vec::new();
    for module in std::fs::read_dir(root.join("modules")).unwrap() {
        let file = module.unwrap().path().join("workflow.yaml");
        if file.is_file() {
            files.push(file.to_str().unwrap().to_owned());
        }
    }
    assert!(files.len() >= 8, "{files:?}");
    let examples = root.join("argo-plugin/examples");
    files.push(examples.to_str().unwrap().to_owned());
    let args: Vec<&str> = ["lint"].into_iter().chain(files.iter().map(String::as_str)).collect();
    let linted = wasm_workflows(&args);
    assert_eq!(text(&linted.stdout), "✔ no linting errors found!\n", "{}", text(&linted.stderr));
    assert_eq!(linted.status.code(), Some(0));
}

#[test]
fn a_container_workflow_is_valid_argo_that_run_refuses() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("container.yaml");
    std::fs::write(&file, workflow("container", &format!("  entrypoint: say\n  templates:\n{SAY}"))).unwrap();
    let linted = wasm_workflows(&["lint", "-o", "simple", file.to_str().unwrap()]);
    assert_eq!((linted.status.code(), text(&linted.stdout).as_str()), (Some(0), "no linting errors found!\n"));
    let ran = wasm_workflows(&["run", file.to_str().unwrap()]);
    assert_eq!(ran.status.code(), Some(2));
    assert!(text(&ran.stderr).starts_with("error: cannot run templates say (container):"), "{}", text(&ran.stderr));
}

#[test]
fn lint_allows_what_only_a_submission_needs() {
    // vt.go 664 and 749: a workflow parameter without a value is refused at submission
    // (validate.Opts{}), and allowed when linting (Opts{Lint: true}, validate.go 188-191).
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("unsupplied.yaml");
    let spec = format!("  arguments: {{parameters: [{{name: missing}}]}}\n  entrypoint: say\n  templates:\n{SAY}");
    std::fs::write(&file, workflow("unsupplied", &spec)).unwrap();
    let linted = wasm_workflows(&["lint", file.to_str().unwrap()]);
    assert_eq!(linted.status.code(), Some(0), "{}", text(&linted.stdout));
    let ran = wasm_workflows(&["run", file.to_str().unwrap()]);
    assert_eq!(ran.status.code(), Some(2));
    assert_eq!(
        text(&ran.stderr).trim(),
        "error: spec.arguments.missing.value or spec.arguments.missing.valueFrom is required"
    );
}

#[test]
fn workflow_templates_lint_on_their_own_and_serve_references() {
    let folder = tempfile::tempdir().unwrap();
    // vt.go 1595-1611: a WorkflowTemplate may use workflow parameters a workflow will give it.
    let library = LIBRARY.replace("command: [echo, hello]", "command: [echo, '{{workflow.parameters.something}}']");
    std::fs::write(folder.path().join("library.yaml"), library).unwrap();
    let uses = workflow(
        "uses",
        "  entrypoint: main\n  templates:\n    - name: main\n      dag:\n        tasks:\n          - {name: a, templateRef: {name: lint-target-with-input, template: A}, arguments: {parameters: [{name: message, value: hi}]}}\n",
    );
    std::fs::write(folder.path().join("uses.yaml"), uses).unwrap();
    // A workflow's own arguments reach its WorkflowTemplate's entrypoint by name (ProcessArgs).
    let whole = workflow(
        "whole",
        "  workflowTemplateRef: {name: lint-target-with-input}\n  entrypoint: A\n  arguments: {parameters: [{name: message, value: hi}]}\n",
    );
    std::fs::write(folder.path().join("whole.yaml"), whole).unwrap();
    let linted = wasm_workflows(&["lint", folder.path().to_str().unwrap()]);
    assert_eq!(text(&linted.stdout), "✔ no linting errors found!\n");
    // Alone, the workflow's references have nothing to find.
    let alone = wasm_workflows(&["lint", "-o", "simple", folder.path().join("uses.yaml").to_str().unwrap()]);
    assert_eq!(alone.status.code(), Some(1));
    assert!(
        text(&alone.stdout).ends_with(
            "in \"uses-\" (Workflow): templates.main.tasks.a template reference lint-target-with-input.A not found\n"
        ),
        "{}",
        text(&alone.stdout)
    );
}

#[test]
fn exit_statuses_and_what_is_not_linted() {
    let folder = tempfile::tempdir().unwrap();
    // Other kinds, and files that are not manifests, are passed over; nothing to lint fails (lint.go 268-270).
    std::fs::write(folder.path().join("config.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
        .unwrap();
    std::fs::write(folder.path().join("notes.txt"), "kind: Workflow").unwrap();
    let nothing = wasm_workflows(&["lint", folder.path().to_str().unwrap()]);
    assert_eq!(nothing.status.code(), Some(1));
    assert_eq!(text(&nothing.stdout), "✖ found nothing to lint in the specified paths, failing...\n");
    // --kinds leaves out what it does not name.
    std::fs::write(folder.path().join("bad.yaml"), workflow("bad", "  templates: []\n")).unwrap();
    let only_templates = wasm_workflows(&["lint", "--kinds", "workflowtemplates", folder.path().to_str().unwrap()]);
    assert_eq!(only_templates.status.code(), Some(1));
    assert_eq!(text(&only_templates.stdout), "✖ found nothing to lint in the specified paths, failing...\n");
    // --strict=false lets unknown fields through.
    let extra = workflow("extra", &format!("  entrypoint: say\n  extra: field\n  templates:\n{SAY}"));
    let extra_file = folder.path().join("extra.yaml");
    std::fs::write(&extra_file, extra).unwrap();
    let strict = wasm_workflows(&["lint", "-o", "simple", extra_file.to_str().unwrap()]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(text(&strict.stdout).ends_with("strict decoding error: unknown field \"spec.extra\"\n"));
    let lenient = wasm_workflows(&["lint", "--strict=false", extra_file.to_str().unwrap()]);
    assert_eq!(lenient.status.code(), Some(0), "{}", text(&lenient.stdout));
    // A path that does not exist, or an unknown kind, cannot be linted at all.
    let missing = wasm_workflows(&["lint", folder.path().join("gone.yaml").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).starts_with("error: lstat "), "{}", text(&missing.stderr));
    let unknown = wasm_workflows(&["lint", "--kinds", "pods", extra_file.to_str().unwrap()]);
    assert_eq!((unknown.status.code(), text(&unknown.stderr).trim()), (Some(2), "error: unknown kind: pods"));
    // Two WorkflowTemplates of one name leave references ambiguous (pkg/apiclient/offline-client.go 82-84).
    let twice = tempfile::tempdir().unwrap();
    std::fs::write(twice.path().join("a.yaml"), LIBRARY).unwrap();
    std::fs::write(twice.path().join("b.yaml"), LIBRARY).unwrap();
    let duplicate = wasm_workflows(&["lint", twice.path().to_str().unwrap()]);
    assert_eq!(
        (duplicate.status.code(), text(&duplicate.stderr).trim()),
        (Some(2), "error: duplicate WorkflowTemplate found: \"lint-target\"")
    );
}

#[test]
fn cron_workflows_are_checked_with_the_workflow_they_start() {
    let folder = tempfile::tempdir().unwrap();
    let cron = |schedules: &str, entrypoint: &str| {
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {{name: nightly}}\nspec:\n  schedules: {schedules}\n  workflowSpec:\n    entrypoint: {entrypoint}\n    templates:\n      - name: say\n        container: {{image: alpine}}\n"
        )
    };
    let file = folder.path().join("cron.yaml");
    std::fs::write(&file, cron("['0 1 * * *']", "say")).unwrap();
    assert_eq!(wasm_workflows(&["lint", file.to_str().unwrap()]).status.code(), Some(0));
    // validate.go 438-440 and 468-471.
    for (schedules, entrypoint, message) in [
        ("[]", "say", "cron workflow must have at least one schedule"),
        ("['0 1 * * *']", "nope", "cannot validate Workflow: template name 'nope' undefined"),
    ] {
        std::fs::write(&file, cron(schedules, entrypoint)).unwrap();
        let linted = wasm_workflows(&["lint", "-o", "simple", file.to_str().unwrap()]);
        assert_eq!(text(&linted.stdout), format!("{}: in \"nightly\" (CronWorkflow): {message}\n", file.display()));
    }
}

#[test]
fn names_made_of_inputs_are_checked_as_the_values_they_will_be() {
    // Argo checks a template with its inputs' values put in (ProcessArgs, workflow/common/util.go
    // 200-318): adapted from test/e2e/testdata/exit-handler-parameterized-global-artifacts.yaml,
    // an output named after an input lints clean; given a value that is no name, it does not.
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("named.yaml");
    let spec = |variable: &str| {
        format!(
            "  entrypoint: out\n  templates:\n    - name: out\n      inputs: {{parameters: [{{name: variable, value: '{variable}'}}]}}\n      container: {{image: alpine}}\n      outputs: {{artifacts: [{{name: 'result-{{{{inputs.parameters.variable}}}}', path: /result.txt}}]}}\n"
        )
    };
    std::fs::write(&file, workflow("named", &spec("car"))).unwrap();
    let linted = wasm_workflows(&["lint", "-o", "simple", file.to_str().unwrap()]);
    assert_eq!(text(&linted.stdout), "no linting errors found!\n");
    std::fs::write(&file, workflow("named", &spec("a.b"))).unwrap();
    let linted = wasm_workflows(&["lint", "-o", "simple", file.to_str().unwrap()]);
    assert_eq!(
        text(&linted.stdout),
        format!(
            "{}: in \"named-\" (Workflow): templates.out.outputs.artifacts [0].name: 'result-a.b' is invalid: Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1\n",
            file.display()
        )
    );
}

#[test]
fn standard_input_is_linted_as_stdin() {
    // lint.go's WalkManifests: `-` is read from standard input and reported as `stdin` (lint_test.go 215).
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .args(["lint", "-o", "simple", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let yaml = workflow("piped", &format!("  entrypoint: nope\n  templates:\n{SAY}"));
    child.stdin.take().unwrap().write_all(yaml.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "stdin: in \"piped-\" (Workflow): template name 'nope' undefined\n");
}
