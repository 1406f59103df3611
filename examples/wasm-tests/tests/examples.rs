//! Every example of `examples/`, built for wasm (the shipping build) and run
//! in wasmtime under the host contract, against a real HTTP server on
//! 127.0.0.1 where it needs one. The streaming example moves bodies three
//! times larger than the module's memory limit, both ways, on both kinds of
//! module.

use std::path::PathBuf;
use std::sync::OnceLock;

use wasm_workflows_cli::allow_list::AllowList;
use wasm_workflows_cli::runner::InputFile;
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::protocol::{Phase, PluginInvocation, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run, workspace_root};
use wasm_workflows_test_support::http_server;

/// The module's memory limit in the streaming runs, and the bodies moved.
const MEMORY_MIB: u64 = 8;
const LARGE: usize = 24 << 20;

fn byte_at(i: usize) -> u8 {
    (i.wrapping_mul(31).wrapping_add(7) % 251) as u8
}

/// FNV-1a, to compare bodies without keeping them.
fn fnv(bytes: impl IntoIterator<Item = u8>, mut hash: u64) -> u64 {
    for b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    hash
}
const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// The test server's origin, started once: `/large` answers LARGE bytes,
/// `PUT /upload` answers the length and hash of the body it read, and
/// `POST /orders` is a small JSON API.
fn server() -> &'static str {
    static ORIGIN: OnceLock<String> = OnceLock::new();
    ORIGIN.get_or_init(|| http_server::start(answer))
}

fn answer(mut request: tiny_http::Request) {
    let response = match (request.method().as_str(), request.url()) {
        ("GET", "/large") => {
            let body: Vec<u8> = (0..LARGE).map(byte_at).collect();
            tiny_http::Response::from_data(body)
        }
        ("PUT", "/upload") => {
            let (mut length, mut hash, mut buffer) = (0usize, FNV_START, vec![0u8; 1 << 16]);
            let reader = request.as_reader();
            loop {
                let read = reader.read(&mut buffer).unwrap();
                if read == 0 {
                    break;
                }
                hash = fnv(buffer[..read].iter().copied(), hash);
                length += read;
            }
            tiny_http::Response::from_string(format!("{length} {hash:x}"))
        }
        ("POST", "/orders") => {
            let json_body = request
                .headers()
                .iter()
                .any(|h| h.field.equiv("content-type") && h.value.as_str() == "application/json");
            let mut body = String::new();
            request.as_reader().read_to_string(&mut body).unwrap();
            let order = json::parse(&body).unwrap();
            let total: u64 = order
                .get("items")
                .and_then(Value::as_array)
                .unwrap()
                .iter()
                .map(|item| item.get("quantity").and_then(Value::as_u64).unwrap())
                .sum();
            match (json_body, order.get("express")) {
                (true, Some(Value::Bool(false))) => {
                    tiny_http::Response::from_string(format!(r#"{{"id": "A-{total}", "total": {total}}}"#))
                }
                _ => tiny_http::Response::from_string("not the order expected").with_status_code(400),
            }
        }
        _ => tiny_http::Response::from_string("nothing here").with_status_code(404),
    };
    let _ = request.respond(response);
}

fn example(name: &str, target: WasmTarget) -> PathBuf {
    module(&format!("example-{name}"), target)
}

fn succeeded(node: PluginResult) -> PluginResult {
    assert_eq!(node.phase, Phase::Succeeded, "{}", node.message);
    node
}

fn output(node: &PluginResult, name: &str) -> String {
    node.output_parameter(name).unwrap_or_else(|| panic!("no output {name} in {node:?}")).to_string()
}

#[test]
fn typed_step_reads_and_writes_structs() {
    let wasm = example("typed-step", WasmTarget::Wasip1);
    let node = succeeded(
        run(&wasm, &options(invocation(&[("text", "the quickest brown fox"), ("min-length", "4"), ("upper", "true")])))
            .node,
    );
    assert_eq!(node.message, "counted");
    assert_eq!(output(&node, "words"), "2");
    assert_eq!(output(&node, "longest"), r#""quickest""#);
    assert_eq!(output(&node, "list"), r#"["QUICKEST","BROWN"]"#);

    let defaults = succeeded(run(&wasm, &options(invocation(&[("text", "a b")]))).node);
    assert_eq!(output(&defaults, "words"), "2");
    assert!(defaults.output_parameter("list").is_none(), "None outputs are left out");

    let failed = |parameters: &[(&str, &str)]| run(&wasm, &options(invocation(parameters))).node.message;
    assert_eq!(failed(&[]), "missing required parameter \"text\" (add it to the template's inputs.parameters)");
    assert_eq!(
        failed(&[("text", "x"), ("min-length", "long")]),
        "parameter \"min-length\": expected usize, got the string \"long\""
    );
    assert_eq!(
        failed(&[("text", "x"), ("min_length", "2")]),
        "unknown parameter \"min_length\" (this module accepts: text, min-length, upper)"
    );
}

#[test]
fn artifacts_stream_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("names.txt");
    std::fs::write(&source, "mallory\nalice\nbob\n").unwrap();
    let out = dir.path().join("out");
    let mut run_options = options(invocation(&[("reverse", "true")]));
    run_options.input_files.push(InputFile { name: "lines".into(), path: "/in/names.txt".into(), source });
    run_options.output_dir = Some(out.clone());
    let node = succeeded(run(&example("artifacts", WasmTarget::Wasip1), &run_options).node);
    assert_eq!(node.message, "sorted 3 lines of /in/names.txt");
    assert_eq!(output(&node, "count"), "3");
    assert_eq!(std::fs::read_to_string(out.join("sorted.txt")).unwrap(), "mallory\nbob\nalice\n");

    let missing = run(&example("artifacts", WasmTarget::Wasip1), &options(invocation(&[]))).node;
    assert_eq!(
        missing.message,
        "missing input artifact \"lines\" (add it to the template's inputs.artifacts; the invocation has none)"
    );
}

#[test]
fn plugin_options_come_from_the_plugin_block() {
    let wasm = example("plugin-options", WasmTarget::Wasip1);
    let greeting = |invocation: PluginInvocation| output(&succeeded(run(&wasm, &options(invocation)).node), "greeting");
    assert_eq!(greeting(invocation(&[])), r#""Hello, World!""#);
    assert_eq!(
        greeting(
            invocation(&[("name", "Argo")])
                .with_plugin_option("greeting", "Good morning")
                .with_plugin_option("shout", true)
        ),
        r#""GOOD MORNING, ARGO!""#
    );
    let wrong = run(&wasm, &options(invocation(&[]).with_plugin_option("shout", "loudly"))).node;
    assert_eq!(wrong.message, "plugin option \"shout\": expected a boolean, got the string \"loudly\"");
}

#[test]
fn the_tested_step_runs_in_wasm_as_in_its_unit_tests() {
    let wasm = example("tested-step", WasmTarget::Wasip1);
    let node = succeeded(run(&wasm, &options(invocation(&[("celsius", "100")]))).node);
    assert_eq!(output(&node, "fahrenheit"), "[212.0]");
}

#[test]
fn json_api_sends_and_reads_typed_json() {
    let items = r#"[{"name": "bolt", "quantity": 3}, {"name": "nut", "quantity": 4}]"#;
    let mut run_options = options(invocation(&[("url", &format!("{}/orders", server())), ("items", items)]));
    run_options.allowed_hosts = AllowList::new(&[server()]).unwrap();
    let node = succeeded(run(&example("json-api", WasmTarget::Wasip1), &run_options).node);
    assert_eq!(node.message, "order A-7");
    assert_eq!(output(&node, "receipt"), r#"{"id":"A-7","total":7}"#);
}

/// Runs the streaming example on `target` with the memory limit, uploading
/// a LARGE file and downloading LARGE bytes.
fn stream(target: WasmTarget) {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("upload.bin");
    std::fs::write(&source, (0..LARGE).map(|i| byte_at(i + 1)).collect::<Vec<u8>>()).unwrap();
    let out = dir.path().join("out");
    let mut run_options = options(invocation(&[
        ("url", &format!("{}/large", server())),
        ("upload_url", &format!("{}/upload", server())),
    ]));
    run_options.input_files.push(InputFile { name: "upload".into(), path: "/upload.bin".into(), source });
    run_options.output_dir = Some(out.clone());
    run_options.allowed_hosts = AllowList::new(&[server()]).unwrap();
    run_options.max_memory_mib = Some(MEMORY_MIB);
    let node = succeeded(run(&example("streaming-http", target), &run_options).node);
    assert_eq!(node.message, format!("downloaded {LARGE} bytes from {}/large", server()), "{target:?}");
    assert_eq!(output(&node, "upload_status"), "200");
    let downloaded = std::fs::read(out.join("download.bin")).unwrap();
    assert_eq!(downloaded.len(), LARGE);
    assert_eq!(fnv(downloaded, FNV_START), fnv((0..LARGE).map(byte_at), FNV_START), "{target:?}");
}

fn upload_seen_by_server(target: WasmTarget) -> String {
    // The server's answer to the upload is the length and hash it read.
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("upload.bin");
    std::fs::write(&source, (0..LARGE).map(|i| byte_at(i + 1)).collect::<Vec<u8>>()).unwrap();
    let mut run_options = options(invocation(&[("mode", "upload"), ("url", &format!("{}/upload", server()))]));
    run_options.input_files.push(InputFile { name: "input".into(), path: "/upload.bin".into(), source });
    run_options.allowed_hosts = AllowList::new(&[server()]).unwrap();
    run_options.max_memory_mib = Some(MEMORY_MIB);
    succeeded(run(&module("sdk-probe", target), &run_options).node).message
}

#[test]
fn streamed_bodies_larger_than_the_module_memory_go_both_ways_on_a_core_module() {
    stream(WasmTarget::Wasip1);
    let expected = format!("{LARGE} {:x}", fnv((0..LARGE).map(|i| byte_at(i + 1)), FNV_START));
    assert_eq!(upload_seen_by_server(WasmTarget::Wasip1), expected);
}

#[test]
fn streamed_bodies_larger_than_the_module_memory_go_both_ways_on_a_component() {
    stream(WasmTarget::Wasip2);
    let expected = format!("{LARGE} {:x}", fnv((0..LARGE).map(|i| byte_at(i + 1)), FNV_START));
    assert_eq!(upload_seen_by_server(WasmTarget::Wasip2), expected);
}

#[test]
fn the_same_body_read_whole_does_not_fit_in_that_memory() {
    for target in [WasmTarget::Wasip1, WasmTarget::Wasip2] {
        let mut run_options = options(invocation(&[
            ("mode", "fetch"),
            ("url", &format!("{}/large", server())),
            ("max_bytes", &(2 * LARGE).to_string()),
        ]));
        run_options.allowed_hosts = AllowList::new(&[server()]).unwrap();
        run_options.max_memory_mib = Some(MEMORY_MIB);
        let node = run(&module("sdk-probe", target), &run_options).node;
        assert_eq!(node.phase, Phase::Failed, "{target:?}: {}", node.message);
        assert!(node.message.contains("memory"), "{target:?}: {}", node.message);
    }
}

/// The README's Rust section shows the template's own step.
#[test]
fn the_readme_shows_the_rust_template_code() {
    let root = workspace_root();
    let template = std::fs::read_to_string(root.join("templates/rust/src/main.rs")).unwrap();
    let step = template.split("#[cfg(test)]").next().unwrap();
    let code =
        step.lines().skip_while(|line| line.starts_with("//!") || line.is_empty()).collect::<Vec<_>>().join("\n");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains(code.trim()), "README.md's Rust section should hold templates/rust/src/main.rs:\n{code}");
}

/// The original plugin lacks the streamed-request functions, and a module
/// that imports them does not start there: only a core module that streams
/// a request body may import them.
#[test]
fn only_a_core_module_that_streams_a_request_body_imports_the_streaming_functions() {
    let imports = |wasm: PathBuf| {
        let bytes = std::fs::read(wasm).unwrap();
        bytes.windows(b"wasm_workflows_http".len()).any(|w| w == b"wasm_workflows_http")
    };
    assert!(imports(example("streaming-http", WasmTarget::Wasip1)));
    assert!(!imports(example("json-api", WasmTarget::Wasip1)), "json-api sends bodies from memory only");
    assert!(!imports(module("http-request", WasmTarget::Wasip1)), "http-request runs on the original plugin");
}
