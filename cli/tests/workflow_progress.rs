//! What a person sees while `wasm-workflows run workflow.yaml` runs, on
//! stderr: one line per node phase change when stderr is not a terminal,
//! a tree redrawn in place when it is (`argo submit --watch`); in both,
//! each line a step logs prefixed with its node's name, as `argo logs`
//! prefixes a pod's lines with its name. Stdout keeps only the result.

use std::path::PathBuf;
use std::process::{Command, Output};

use wasm_workflows_test_support::cargo_build::{WasmTarget, target_dir};
use wasm_workflows_test_support::harness::{module, workspace_root};

const PROBE: &str = "example.org/sdk-probe:test";

/// A step that logs (the probe's `log` mode: `[info] to stderr` on
/// stderr, `to stdout` on stdout), then one that sleeps `ms` milliseconds.
fn workflow(ms: u32) -> String {
    format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: progress-test
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: talk
            template: probe
            arguments:
              parameters: [{{name: mode, value: log}}]
        - - name: wait
            template: probe
            arguments:
              parameters: [{{name: mode, value: sleep}}, {{name: ms, value: "{ms}"}}]
    - name: probe
      inputs:
        parameters:
          - name: mode
          - name: ms
            default: "0"
      plugin:
        wasm:
          module:
            oci: {PROBE}
"#
    )
}

/// The workflow file and the arguments that run it with the probe.
fn command_line(ms: u32, folder: &tempfile::TempDir) -> Vec<String> {
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, workflow(ms)).unwrap();
    let probe: PathBuf = module("sdk-probe", WasmTarget::Wasip1);
    vec![
        env!("CARGO_BIN_EXE_wasm-workflows").to_owned(),
        "run".into(),
        file.display().to_string(),
        "--module".into(),
        format!("{PROBE}={}", probe.display()),
    ]
}

fn cache() -> PathBuf {
    target_dir(&workspace_root()).join("workflow-run-cache")
}

#[test]
fn without_a_terminal_each_phase_change_is_a_line_and_logs_are_prefixed() {
    let folder = tempfile::tempdir().unwrap();
    let mut args = command_line(0, &folder);
    args.extend(["-o".into(), "json".into()]);
    let output: Output = Command::new(&args[0])
        .args(&args[1..])
        .env("WASM_WORKFLOWS_CACHE_DIR", cache())
        .output()
        .expect("run wasm-workflows");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    // Stdout is the JSON alone.
    let workflow: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is the workflow's JSON");
    assert_eq!(workflow["status"]["phase"], "Succeeded");
    let lines: Vec<&str> = stderr.lines().collect();
    let at = |wanted: &str| {
        lines.iter().position(|l| l.starts_with(wanted)).unwrap_or_else(|| panic!("no line {wanted:?}:\n{stderr}"))
    };
    // Both of the module's streams, each line named by its node.
    let logged = at("progress-test[0].talk: [info] to stderr");
    at("progress-test[0].talk: to stdout");
    // A plugin node is Pending when created, Running while its module runs (then Succeeded, with its duration).
    let (pending, running) = (at("◷ progress-test[0].talk Pending"), at("● progress-test[0].talk Running"));
    let succeeded = at("✔ progress-test[0].talk Succeeded (");
    assert!(pending < running && running < logged && logged < succeeded, "{stderr}");
    assert!(lines[succeeded].ends_with("): logged"), "its message follows: {stderr}");
    assert!(at("✔ progress-test[1].wait Succeeded (") > succeeded, "{stderr}");
    assert_eq!(lines.first(), Some(&"● progress-test Running"), "{stderr}");
    assert!(lines.last().unwrap().starts_with("✔ progress-test Succeeded ("), "{stderr}");
    // Every line is a phase change or a log line: nothing else is written.
    let phase_line = |l: &&str| ["◷ ", "● ", "✔ "].iter().any(|icon| l.starts_with(icon));
    let log_line = |l: &&str| l.starts_with("progress-test[0].talk: ");
    assert!(lines.iter().all(|l| phase_line(l) || log_line(l)), "{stderr}");
}

/// Runs `args` on a pseudo-terminal (python3's pty module): what the terminal received, and the exit status.
fn on_a_terminal(args: &[String]) -> Option<(String, i32)> {
    let script = r#"
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .env("WASM_WORKFLOWS_CACHE_DIR", cache())
        .output()
        .ok()?;
    Some((String::from_utf8_lossy(&output.stdout).into_owned(), output.status.code().unwrap_or(-1)))
}

#[test]
fn on_a_terminal_the_tree_is_redrawn_in_place_then_printed_once() {
    let folder = tempfile::tempdir().unwrap();
    let args = command_line(700, &folder);
    let Some((screen, code)) = on_a_terminal(&args) else {
        eprintln!("python3 is not installed: the terminal is not tested");
        return;
    };
    assert_eq!(code, 0, "{screen}");
    // The terminal turns each newline into CR LF.
    let screen = screen.replace("\r\n", "\n");
    // While the step sleeps the tree is drawn, with the sleeping node Running.
    let running = screen.find("● wait").unwrap_or_else(|| panic!("the live tree was not drawn: {screen:?}"));
    // Later frames go back over it: the cursor up as many lines as it took, then clear to the end.
    let back = screen[running..].find("\r\x1b[").map(|at| at + running).expect("a later frame goes back over it");
    assert!(screen[back..].contains("A\x1b[J"), "{screen:?}");
    // The step's log lines, named by their node.
    assert!(screen.contains("progress-test[0].talk: [info] to stderr\n"), "{screen:?}");
    // At the end the live tree is wiped and the tree printed once, as argo get draws it.
    let (_, last) = screen.rsplit_once("\x1b[J").expect("the live tree was wiped");
    assert!(last.starts_with("Name:                progress-test\nStatus:              Succeeded\n"), "{last:?}");
    assert!(last.contains("└───✔ wait") && !last.contains('\x1b'), "{last:?}");
}
