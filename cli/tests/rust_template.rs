//! templates/rust builds as a user's copy would (its own build.sh) and runs
//! in wasmtime; its own unit tests pass.

use std::process::Command;

use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::cargo_build::target_dir;
use wasm_workflows_test_support::harness::{invocation, options, run, workspace_root};

#[test]
fn the_rust_template_builds_runs_and_tests() {
    let template = workspace_root().join("templates/rust");
    let target = target_dir(&workspace_root()).join("templates");
    let built = Command::new("bash").arg(template.join("build.sh")).env("CARGO_TARGET_DIR", &target).status().unwrap();
    assert!(built.success(), "build.sh failed");
    let module = template.join("module.wasm");

    let greeted = run(&module, &options(invocation(&[])));
    assert_eq!(greeted.node.phase, Phase::Succeeded);
    assert_eq!(greeted.node.output_parameter("greeting").and_then(Value::as_str), Some("Hello, World!"));
    let named = run(&module, &options(invocation(&[("name", "Argo")])));
    assert_eq!(named.node.output_parameter("greeting").and_then(Value::as_str), Some("Hello, Argo!"));

    let tested = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(template.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .unwrap();
    assert!(tested.success(), "the template's own tests failed");
}
