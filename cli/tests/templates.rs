//! Every template in `templates/` as a user meets it: copied out of the
//! repository on its own, built by its own `build.sh`, and its `module.wasm`
//! run in wasmtime under the host contract. Each must greet `name` `times`
//! times, round-trip any text exactly, and turn a bad parameter or a missing
//! or malformed `input.json` into a `Failed` node that names the problem.
//!
//! A missing toolchain fails the test with `build.sh`'s own message:
//! `scripts/setup-templates.sh` installs them all.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;
use wasm_workflows_cli::cargo_build::target_dir;
use wasm_workflows_cli::harness::{invocation, options, run, workspace_root};
use wasm_workflows_cli::runner::{InputDocument, ModuleKind, RunOptions};
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginInvocation, PluginResult};

/// Names with quotes, a backslash, a newline, a tab, a control character
/// and non-ASCII text, in and beyond the Basic Multilingual Plane (emoji in
/// a row once came out garbled from a JSON library's fast string writer).
const AWKWARD_NAMES: &[&str] = &["Zoë \"the\" \\ ☃\n\tend\u{1} 😀", "😀😀😀 \u{7f}\u{80}\u{ffff}\u{10ffff}"];

/// What a copy of the repository's template folder leaves out: what its
/// build makes or fetches.
const BUILD_OUTPUTS: &[&str] = &["module.wasm", "node_modules", "target", ".zig-cache", "zig-out", "__pycache__"];

#[test]
fn the_c_template_keeps_the_contract() {
    let template = build_template("c");
    assert_eq!(template.kind(), ModuleKind::Core);
    assert_contract(&template.module);
}

#[test]
fn the_zig_template_keeps_the_contract() {
    let template = build_template("zig");
    assert_eq!(template.kind(), ModuleKind::Core);
    assert_contract(&template.module);
}

#[test]
fn the_go_template_ends_with_proc_exit_0() {
    let template = build_template("go");
    assert_eq!(template.kind(), ModuleKind::Core);
    // Go's wasip1 runtime always ends with proc_exit(0), which the Argo WASM
    // plugin (and, for now, the runner) fails, ignoring result.json.
    // TODO(lead): once the runner takes proc_exit(0) after a written
    // result.json as a normal end, replace the lines below by
    // `assert_contract(&template.module);` and assert that the run ended with
    // proc_exit(0), and that `--seed-compat` still fails it.
    let node = run(&template.module, &options(invocation(&[("name", "Argo")]))).node;
    assert_eq!(node.phase, Phase::Failed, "{node:?}");
    assert!(node.message.contains("exited with status 0 through proc_exit"), "{}", node.message);
}

#[test]
fn the_assemblyscript_template_keeps_the_contract() {
    let template = build_template("assemblyscript");
    assert_eq!(template.kind(), ModuleKind::Core);
    assert_contract(&template.module);
}

#[test]
fn the_python_template_keeps_the_contract() {
    let template = build_template("python");
    assert_eq!(template.kind(), ModuleKind::Component);
    assert_contract(&template.module);
}

#[test]
fn the_javascript_template_keeps_the_contract() {
    let template = build_template("javascript");
    assert_eq!(template.kind(), ModuleKind::Component);
    assert_contract(&template.module);
}

#[test]
fn the_rust_template_keeps_the_contract_and_its_tests_pass() {
    let template = build_template("rust");
    assert_eq!(template.kind(), ModuleKind::Core);
    assert_contract(&template.module);

    let tested = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(template.dir.path().join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", rust_target_dir())
        .status()
        .unwrap();
    assert!(tested.success(), "the Rust template's own tests failed");
}

/// The cases every template must pass, with the module run as the plugin runs it.
fn assert_contract(module: &Path) {
    assert_eq!(greeting(module, invocation(&[])), "Hello, World!");
    assert_eq!(
        greeting(module, invocation(&[("name", "Argo"), ("times", "3")])),
        "Hello, Argo! Hello, Argo! Hello, Argo!"
    );
    for name in AWKWARD_NAMES {
        assert_eq!(
            greeting(module, invocation(&[("name", name), ("times", "2")])),
            format!("Hello, {name}! Hello, {name}!")
        );
    }
    assert_eq!(
        greeting(module, PluginInvocation::new("test-workflow").with_parameter("times", 2u32)),
        "Hello, World! Hello, World!",
        "times as a JSON number"
    );

    for times in ["abc", "0", "101", "-1", "2.5"] {
        let message = failure(module, &options(invocation(&[("times", times)])));
        assert!(message.contains("times"), "times={times}: the message does not name `times`: {message}");
    }
    let message = failure(module, &options(PluginInvocation::new("test-workflow").with_parameter("name", 42u32)));
    assert!(message.contains("name"), "name=42: the message does not name `name`: {message}");

    let malformed = RunOptions {
        input: InputDocument::Raw(br#"{"workflow_name": "w", "parameters": [{"name": "#.to_vec()),
        ..RunOptions::default()
    };
    let message = failure(module, &malformed);
    assert!(message.contains("input.json"), "a malformed input.json: {message}");
    let absent = RunOptions { input: InputDocument::Absent, ..RunOptions::default() };
    let message = failure(module, &absent);
    assert!(message.contains("input.json"), "no input.json: {message}");
}

/// The greeting of a run that must succeed.
fn greeting(module: &Path, invocation: PluginInvocation) -> String {
    let node = run(module, &options(invocation.clone())).node;
    assert_eq!(node.phase, Phase::Succeeded, "{invocation:?} → {node:?}");
    assert_eq!(node.message, "greeted");
    output(&node).unwrap_or_else(|| panic!("no greeting in {node:?}"))
}

/// The message of a run that must fail, having written its own result.
fn failure(module: &Path, options: &RunOptions) -> String {
    let node = run(module, options).node;
    assert_eq!(node.phase, Phase::Failed, "{options:?} → {node:?}");
    assert_eq!(output(&node), None, "a failed step has no greeting");
    assert!(!node.message.contains("trapped") && !node.message.contains("exited"), "{}", node.message);
    node.message
}

fn output(node: &PluginResult) -> Option<String> {
    node.output_parameter("greeting").and_then(Value::as_str).map(str::to_owned)
}

/// A template copied out of the repository and built there.
struct BuiltTemplate {
    dir: TempDir,
    module: PathBuf,
}

impl BuiltTemplate {
    fn kind(&self) -> ModuleKind {
        ModuleKind::detect(&std::fs::read(&self.module).unwrap())
    }
}

/// Copies `templates/<language>` out of the repository, as a user would,
/// and runs its `build.sh` there.
fn build_template(language: &str) -> BuiltTemplate {
    // TODO(lead): once `wasm-workflows new DIR --template LANG` exists, make
    // the copy with it (through env!("CARGO_BIN_EXE_wasm-workflows")), for
    // Rust with `--sdk-path`, instead of copy_folder and use_local_sdk.
    let dir = tempfile::Builder::new().prefix(&format!("template-{language}-")).tempdir().unwrap();
    copy_folder(&workspace_root().join("templates").join(language), dir.path());
    if language == "rust" {
        use_local_sdk(&dir.path().join("Cargo.toml"));
    }

    let built = Command::new("bash")
        .arg(dir.path().join("build.sh"))
        .env("CARGO_TARGET_DIR", rust_target_dir())
        .output()
        .unwrap_or_else(|error| panic!("cannot start bash for {language}'s build.sh: {error}"));
    assert!(
        built.status.success(),
        "templates/{language}/build.sh failed ({}):\n{}{}\n\
         Install every template's toolchain with scripts/setup-templates.sh.",
        built.status,
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr),
    );
    let module = dir.path().join("module.wasm");
    assert!(module.is_file(), "templates/{language}/build.sh made no module.wasm");
    BuiltTemplate { dir, module }
}

/// Where the Rust template's copies build: shared, so only the first compiles the SDK.
fn rust_target_dir() -> PathBuf {
    target_dir(&workspace_root()).join("templates")
}

fn copy_folder(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if BUILD_OUTPUTS.iter().any(|output| name == *output) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir(&target).unwrap();
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Points the Rust template's SDK dependency at this repository's SDK.
fn use_local_sdk(manifest: &Path) {
    let text = std::fs::read_to_string(manifest).unwrap();
    let sdk = workspace_root().join("sdk");
    let relative = r#"path = "../../sdk""#;
    assert!(text.contains(relative), "the Rust template no longer depends on ../../sdk");
    std::fs::write(manifest, text.replace(relative, &format!("path = {:?}", sdk.display().to_string()))).unwrap();
}
