//! Every template in `templates/` as a user meets it: copied out of the
//! repository on its own, built by its own `build.sh`, and its `module.wasm`
//! run in wasmtime under the host contract. Each must greet `name` `times`
//! times, round-trip any text exactly, and turn a bad parameter or a missing
//! or malformed `input.json` into a `Failed` node that names the problem.
//! The component templates (Python, JavaScript), built against the world in
//! `wit/` that `new` writes, also send an HTTP request to an allowed host.
//!
//! A missing toolchain fails the test with `build.sh`'s own message:
//! `scripts/setup-templates.sh` installs them all.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;
use wasm_workflows_cli::runner::{ExitRule, InputDocument, ModuleKind, RunOptions};
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginInvocation, PluginResult};
use wasm_workflows_test_support::cargo_build::target_dir;
use wasm_workflows_test_support::harness::{invocation, options, run, workspace_root};

/// Names with quotes, a backslash, a newline, a tab, a control character
/// and non-ASCII text, in and beyond the Basic Multilingual Plane (emoji in
/// a row once came out garbled from a JSON library's fast string writer).
const AWKWARD_NAMES: &[&str] = &["Zoë \"the\" \\ ☃\n\tend\u{1} 😀", "😀😀😀 \u{7f}\u{80}\u{ffff}\u{10ffff}"];

#[test]
fn the_c_template_keeps_the_contract() {
    let template = build_template("c");
    assert_eq!(template.kind(), ModuleKind::Core);
    assert_contract(&template.module);
    assert_runs_on_the_original_plugin(&template.module);
}

#[test]
fn the_zig_template_keeps_the_contract() {
    let template = build_template("zig");
    assert_eq!(template.kind(), ModuleKind::Core);
    assert_contract(&template.module);
    assert_runs_on_the_original_plugin(&template.module);
}

#[test]
fn the_go_template_keeps_the_contract_though_it_ends_with_proc_exit_0() {
    let template = build_template("go");
    assert_eq!(template.kind(), ModuleKind::Core);
    assert_contract(&template.module);
    // Go's wasip1 runtime always ends with proc_exit(0): WASI's normal end,
    // which the original Argo WASM plugin fails, ignoring result.json.
    let outcome = run(&template.module, &options(invocation(&[("name", "Argo")])));
    assert_eq!(outcome.exit_status, Some(0));
    let mut seed = options(invocation(&[("name", "Argo")]));
    seed.exit_rule = ExitRule::AnyExitFails;
    let node = run(&template.module, &seed).node;
    assert_eq!(node.phase, Phase::Failed, "{node:?}");
    assert!(node.message.contains("exited with status 0 through proc_exit"), "{}", node.message);
}

#[test]
fn the_assemblyscript_template_keeps_the_contract() {
    let template = build_template("assemblyscript");
    assert_eq!(template.kind(), ModuleKind::Core);
    assert_contract(&template.module);
    assert_runs_on_the_original_plugin(&template.module);
}

#[test]
fn the_python_template_keeps_the_contract_and_sends_http_to_allowed_hosts_only() {
    let template = build_template("python");
    assert_eq!(template.kind(), ModuleKind::Component);
    assert_contract(&template.module);
    assert_http_to_allowed_hosts_only(&template);
}

#[test]
fn the_javascript_template_keeps_the_contract_and_sends_http_to_allowed_hosts_only() {
    let template = build_template("javascript");
    assert_eq!(template.kind(), ModuleKind::Component);
    assert_contract(&template.module);
    assert_http_to_allowed_hosts_only(&template);
}

#[test]
fn the_rust_template_keeps_the_contract_and_its_tests_pass() {
    let template = build_template("rust");
    assert_eq!(template.kind(), ModuleKind::Core);
    assert_contract(&template.module);
    assert_runs_on_the_original_plugin(&template.module);
    // It built from the SDK's sources `new` wrote, not from this repository.
    let manifest = std::fs::read_to_string(template.project.join("Cargo.toml")).unwrap();
    assert!(manifest.contains(r#"path = "vendor/wasm-workflows-sdk""#), "{manifest}");
    assert!(template.project.join("vendor/wasm-workflows-sdk/src/lib.rs").is_file());
    assert!(template.project.join("vendor/wasm-workflows-macros/src/lib.rs").is_file());

    let tested = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(template.project.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", rust_target_dir())
        .status()
        .unwrap();
    assert!(tested.success(), "the Rust template's own tests failed");
}

/// A component template built against the repository's world (`new` wrote
/// `wit/`) sends a GET through wasi:http to a loopback server when
/// `wasm-workflows run --allow-host` allows its origin, and is refused, with a
/// message that says how to allow it, when it does not.
fn assert_http_to_allowed_hosts_only(template: &BuiltTemplate) {
    let world = std::fs::read(workspace_root().join("wit/world.wit")).unwrap();
    assert_eq!(std::fs::read(template.project.join("wit/world.wit")).unwrap(), world, "the project's world");
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", server.server_addr().to_ip().unwrap());
    let served = std::thread::spawn(move || {
        let request = server.recv_timeout(std::time::Duration::from_secs(300)).unwrap().expect("a request");
        let (method, url) = (request.method().to_string(), request.url().to_owned());
        request.respond(tiny_http::Response::from_string("Grüße from loopback").with_status_code(201)).unwrap();
        // The refused request must never arrive.
        let later = server.recv_timeout(std::time::Duration::from_millis(200)).unwrap();
        (method, url, later.is_none())
    });
    // Compiled once for both runs, and kept for the next test run.
    let cache = target_dir(&workspace_root()).join("template-http-cache");
    let cli = |allowed: &str| -> serde_json::Value {
        let output = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
            .arg("run")
            .arg(&template.module)
            .args(["--param", &format!("url={origin}/greeting?lang=de"), "--allow-host", allowed])
            .env("WASM_WORKFLOWS_CACHE_DIR", &cache)
            .output()
            .unwrap();
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
        })
    };
    let allowed = cli(&origin);
    assert_eq!(allowed["phase"], "Succeeded", "{allowed}");
    let parameter = |name: &str| {
        allowed["outputs"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].clone())
    };
    assert_eq!(parameter("status_code"), Some(201.into()), "{allowed}");
    assert_eq!(parameter("body"), Some("Grüße from loopback".into()), "{allowed}");
    assert_eq!(parameter("greeting"), Some("Hello, World!".into()), "{allowed}");

    let refused = cli("http://127.0.0.1:1");
    assert_eq!(refused["phase"], "Failed", "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains(&format!("{origin}/greeting?lang=de")) && message.contains("allowed_hosts"), "{message}");
    let (method, url, nothing_more) = served.join().unwrap();
    assert_eq!((method.as_str(), url.as_str()), ("GET", "/greeting?lang=de"));
    assert!(nothing_more, "the refused request reached the server");
}

/// Runs on the original plugin: it never calls proc_exit, so the plugin's
/// rule (`--any-exit-fails`) lets it succeed.
fn assert_runs_on_the_original_plugin(module: &Path) {
    let mut seed = options(invocation(&[("name", "Argo")]));
    seed.exit_rule = ExitRule::AnyExitFails;
    let outcome = run(module, &seed);
    assert_eq!(outcome.exit_status, None);
    assert_eq!(outcome.node.phase, Phase::Succeeded, "{:?}", outcome.node);
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
    _parent: TempDir,
    project: PathBuf,
    module: PathBuf,
}

impl BuiltTemplate {
    fn kind(&self) -> ModuleKind {
        ModuleKind::detect(&std::fs::read(&self.module).unwrap())
    }
}

/// Makes a project of `language` with `wasm-workflows new`, as a user
/// would, outside the repository, and runs its `build.sh` there.
fn build_template(language: &str) -> BuiltTemplate {
    let parent = tempfile::Builder::new().prefix(&format!("template-{language}-")).tempdir().unwrap();
    let project = parent.path().join("my-step");
    let made = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .args(["new", "--template", language])
        .arg(&project)
        .output()
        .unwrap();
    assert!(made.status.success(), "new --template {language}: {}", String::from_utf8_lossy(&made.stderr));
    let next_steps = String::from_utf8_lossy(&made.stdout);
    assert!(next_steps.contains("./build.sh") && next_steps.contains("wasm-workflows run module.wasm"), "{next_steps}");
    let built = Command::new("bash")
        .arg(project.join("build.sh"))
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
    let module = project.join("module.wasm");
    assert!(module.is_file(), "templates/{language}/build.sh made no module.wasm");
    BuiltTemplate { _parent: parent, project, module }
}

/// Where the Rust template's copies build: shared, so only the first compiles the SDK.
fn rust_target_dir() -> PathBuf {
    target_dir(&workspace_root()).join("templates")
}
