//! `wasm-workflows run` as a user calls it: exit codes, the node on stdout,
//! the module's own output on stderr, and every flag.

use std::path::Path;
use std::process::{Command, Output};

use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::module;

fn wasm_workflows(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .args(args)
        .env("WASM_WORKFLOWS_CACHE_DIR", cache)
        .output()
        .expect("run wasm-workflows")
}

fn node(output: &Output) -> Value {
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    json::parse(&stdout).unwrap_or_else(|e| panic!("stdout is not the node's JSON ({e}):\n{stdout}"))
}

fn text<'a>(value: &'a Value, name: &str) -> &'a str {
    value.get(name).and_then(Value::as_str).unwrap_or_else(|| panic!("no string {name} in {value}"))
}

fn output_parameter<'a>(node: &'a Value, name: &str) -> &'a Value {
    let parameters = node.get("outputs").and_then(|o| o.get("parameters")).and_then(Value::as_array).unwrap();
    parameters
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|p| p.get("value"))
        .unwrap()
}

#[test]
fn a_succeeded_node_exits_zero_with_pure_json_on_stdout() {
    let cache = tempfile::tempdir().unwrap();
    let ferris = module("ferris-says", WasmTarget::Wasip1);
    let output = wasm_workflows(
        &["run", ferris.to_str().unwrap(), "--param", "text=Hello CLI", "--param", "width=20"],
        cache.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let node = node(&output);
    assert_eq!(text(&node, "phase"), "Succeeded");
    let drawing = output_parameter(&node, "text").as_str().unwrap();
    assert!(drawing.starts_with(" ___________\n< Hello CLI >\n"), "{drawing}");
    // The module printed the drawing to its stdout: that reaches our stderr.
    assert!(String::from_utf8_lossy(&output.stderr).contains("< Hello CLI >"));
}

#[test]
fn a_failed_node_exits_one() {
    let cache = tempfile::tempdir().unwrap();
    let ferris = module("ferris-says", WasmTarget::Wasip1);
    let output = wasm_workflows(&["run", ferris.to_str().unwrap(), "--param", "width=9"], cache.path());
    assert_eq!(output.status.code(), Some(1));
    let node = node(&output);
    assert_eq!(text(&node, "phase"), "Failed");
    assert_eq!(
        text(&node, "message"),
        "missing required parameter \"text\" (add it to the template's inputs.parameters)"
    );
}

#[test]
fn usage_and_host_errors_exit_two() {
    let cache = tempfile::tempdir().unwrap();
    let missing = wasm_workflows(&["run", "/no/such.wasm"], cache.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("error: cannot read the module /no/such.wasm: "));
    assert!(missing.stdout.is_empty());

    let ferris = module("ferris-says", WasmTarget::Wasip1);
    let ferris = ferris.to_str().unwrap();
    for bad in [
        vec!["run", ferris, "--param", "no-equals-sign"],
        vec!["run", ferris, "--timeout", "-1"],
        vec!["run", ferris, "--artifact", "name-only"],
        vec!["run", ferris, "--allow-host", "example.org"],
        vec!["run"],
    ] {
        let output = wasm_workflows(&bad, cache.path());
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {}", String::from_utf8_lossy(&output.stderr));
    }

    let not_wasm = cache.path().join("not.wasm");
    std::fs::write(&not_wasm, b"\0asm\x01\0\0\0\x01").unwrap();
    let output = wasm_workflows(&["run", not_wasm.to_str().unwrap()], cache.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a module this host can run"));
}

#[test]
fn artifacts_options_and_an_invocation_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "make me loud").unwrap();
    let out = dir.path().join("out");
    let probe = module("sdk-probe", WasmTarget::Wasip1);
    let artifact = format!("input={}:/data/in.txt", input.display());
    let output = wasm_workflows(
        &[
            "run",
            probe.to_str().unwrap(),
            "--param",
            "mode=copy",
            "--param",
            "out_path=/result/loud.txt",
            "--artifact",
            &artifact,
            "--output-dir",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read_to_string(out.join("result/loud.txt")).unwrap(), "MAKE ME LOUD");

    let invocation = dir.path().join("input.json");
    std::fs::write(
        &invocation,
        r#"{"workflow_name": "from-file", "plugin_options": [], "parameters": [{"name": "mode", "value": "echo"}, {"name": "count", "value": "1"}]}"#,
    )
    .unwrap();
    let output = wasm_workflows(
        &[
            "run",
            probe.to_str().unwrap(),
            "--invocation",
            invocation.to_str().unwrap(),
            "--param",
            "count=9",
            "--plugin-option",
            "level=4",
        ],
        dir.path(),
    );
    let node = node(&output);
    assert_eq!(text(&node, "message"), "workflow from-file");
    assert_eq!(output_parameter(&node, "count"), &Value::from(10));
    assert_eq!(output_parameter(&node, "level"), &Value::from(4));
}
