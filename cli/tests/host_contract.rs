//! The SDK's host contract seen from the host: the probe module, built for
//! wasm32-wasip1 (and wasip2), run in wasmtime as the Argo WASM plugin runs it.
//! Every failure must reach the host as a readable `Failed` node.

use std::time::{Duration, Instant};

use wasm_workflows_cli::runner::{InputDocument, InputFile, RunOptions};
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{ArtifactRef, Phase, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

fn probe(target: WasmTarget, options: &RunOptions) -> PluginResult {
    run(&module("sdk-probe", target), options).node
}

fn p1(options: &RunOptions) -> PluginResult {
    probe(WasmTarget::Wasip1, options)
}

fn failed_message(node: PluginResult) -> String {
    assert_eq!(node.phase, Phase::Failed, "expected a failure, got {node:?}");
    node.message
}

fn value<'a>(node: &'a PluginResult, name: &str) -> &'a Value {
    node.output_parameter(name).unwrap_or_else(|| panic!("no output parameter {name} in {node:?}"))
}

#[test]
fn parameters_arrive_as_argo_strings_and_outputs_come_back_typed() {
    let mut run = options(invocation(&[("mode", "echo"), ("count", "41"), ("enabled", "true")]));
    run.invocation = run.invocation.with_plugin_option("level", 3);
    let node = p1(&run);
    assert_eq!(node.phase, Phase::Succeeded, "{}", node.message);
    assert_eq!(node.message, "workflow test-workflow");
    assert_eq!(value(&node, "count"), &Value::from(42));
    assert_eq!(value(&node, "enabled"), &Value::Bool(true));
    assert_eq!(value(&node, "label"), &Value::from("none"));
    assert_eq!(value(&node, "level"), &Value::from(3));
}

#[test]
fn all_parameters_fill_a_struct_or_say_which_is_wrong() {
    let typed = [("mode", "typed"), ("count", "7"), ("ratio", "0.5"), ("enabled", "false"), ("tags", r#"["a","b"]"#)];
    let node = p1(&options(invocation(&typed)));
    assert_eq!(value(&node, "summary"), &Value::from("7 0.5 false a+b"));

    let mut unknown = typed.to_vec();
    unknown.push(("colour", "red"));
    assert_eq!(
        failed_message(p1(&options(invocation(&unknown)))),
        "unknown parameter \"colour\" (this module accepts: mode, count, ratio, enabled, tags, note)"
    );
    let mut mistyped = typed.to_vec();
    mistyped[1] = ("count", "seven");
    assert_eq!(
        failed_message(p1(&options(invocation(&mistyped)))),
        "parameter \"count\": expected u32, got the string \"seven\""
    );
}

#[test]
fn a_missing_or_mistyped_parameter_fails_with_its_name() {
    assert_eq!(
        failed_message(p1(&options(invocation(&[])))),
        "missing required parameter \"mode\" (add it to the template's inputs.parameters)"
    );
    assert_eq!(
        failed_message(p1(&options(invocation(&[("mode", "echo"), ("count", "-1")])))),
        "parameter \"count\": expected u64, got the number -1"
    );
}

fn copy_options(out_path: Option<&str>, content: &[u8]) -> (RunOptions, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("input.txt");
    std::fs::write(&source, content).unwrap();
    let mut parameters = vec![("mode", "copy")];
    if let Some(path) = out_path {
        parameters.push(("out_path", path));
    }
    let mut run = options(invocation(&parameters));
    run.input_files.push(InputFile { name: "input".into(), path: "/tmp/input.txt".into(), source });
    run.output_dir = Some(dir.path().join("out"));
    (run, dir)
}

#[test]
fn artifacts_stream_in_and_out() {
    let content: Vec<u8> = (0..300_000u32).map(|i| b"abcdefghij\n"[i as usize % 11]).collect();
    let (run, dir) = copy_options(None, &content);
    let node = p1(&run);
    assert_eq!(node.phase, Phase::Succeeded, "{}", node.message);
    assert_eq!(node.message, "copied 300000 bytes");
    assert_eq!(node.outputs.artifacts, [ArtifactRef::new("output", "/out/copy.txt")]);
    let copied = std::fs::read(dir.path().join("out/out/copy.txt")).unwrap();
    assert_eq!(copied, content.to_ascii_uppercase());
}

#[test]
fn a_missing_input_artifact_is_a_clear_failure() {
    assert_eq!(
        failed_message(p1(&options(invocation(&[("mode", "copy")])))),
        "missing input artifact \"input\" (add it to the template's inputs.artifacts; the invocation has none)"
    );
    let listed_only = options(invocation(&[("mode", "copy")]).with_artifact("input", "/never/fetched.txt"));
    assert_eq!(
        failed_message(p1(&listed_only)),
        "input artifact \"input\" is listed, but its file /work/artifacts-in/never/fetched.txt does not exist (did the host download it?)"
    );
}

#[test]
fn artifact_paths_that_escape_are_refused() {
    let (run, _dir) = copy_options(Some("/../../etc/evil"), b"x");
    assert_eq!(
        failed_message(p1(&run)),
        "artifact \"output\" has the path \"/../../etc/evil\", which climbs out of the artifacts folder with \"..\"; \
         an artifact path stays inside the artifacts folder, e.g. \"/data/file.txt\""
    );
    let escaping_input = options(invocation(&[("mode", "copy")]).with_artifact("input", "/../input.json"));
    assert!(failed_message(p1(&escaping_input)).contains("climbs out of the artifacts folder"));
}

#[test]
fn an_output_artifact_the_module_never_wrote_fails_the_node() {
    assert_eq!(
        failed_message(p1(&options(invocation(&[("mode", "phantom-output")])))),
        "output artifact \"ghost\" (/work/artifacts-out/ghost.txt): the module wrote no file there"
    );
}

#[test]
fn an_error_reaches_the_host_with_its_whole_chain() {
    assert_eq!(
        failed_message(p1(&options(invocation(&[("mode", "error")])))),
        "step could not finish: saving the report: disk says no"
    );
    assert_eq!(failed_message(p1(&options(invocation(&[("mode", "failed")])))), "deliberately failed");
}

#[test]
fn a_panic_reaches_the_host_with_its_message_and_location() {
    let message = failed_message(p1(&options(invocation(&[("mode", "panic")]))));
    let expected_start = "the module trapped: wasm `unreachable` instruction executed (a panic or an abort in the module); \
                          the module's own message: the step panicked at test-guests/src/main.rs:";
    assert!(message.starts_with(expected_start), "{message}");
    assert!(message.ends_with(": index out of bounds: the len is 0 but the index is 3"), "{message}");
}

#[test]
fn running_out_of_memory_is_reported_as_such() {
    let mut run = options(invocation(&[("mode", "oom")]));
    run.max_memory_mib = Some(32);
    assert_eq!(
        failed_message(p1(&run)),
        "the module ran out of memory: it asked for more than the limit of 32 MiB (--max-memory)"
    );
}

#[test]
fn a_module_that_runs_too_long_is_stopped() {
    let mut run = options(invocation(&[("mode", "spin")]));
    run.timeout = Some(Duration::from_millis(300));
    let started = Instant::now();
    let message = failed_message(p1(&run));
    assert_eq!(message, "the module ran longer than the timeout of 0.3 s (--timeout) and was stopped");
    assert!(started.elapsed() < Duration::from_secs(10), "stopped after {:?}", started.elapsed());
}

#[test]
fn broken_input_documents_fail_with_what_is_wrong() {
    let with_input = |input: InputDocument| {
        let mut run = options(invocation(&[]));
        run.input = input;
        failed_message(p1(&run))
    };
    assert_eq!(
        with_input(InputDocument::Absent),
        "invalid input: /work/input.json does not exist: a module is run by the Argo WASM plugin, or locally by `wasm-workflows run`"
    );
    assert_eq!(with_input(InputDocument::Raw(Vec::new())), "invalid input: /work/input.json is empty");
    assert_eq!(
        with_input(InputDocument::Raw(b"{\"workflow_name\": \"\xc3\x28\"}".to_vec())),
        "invalid input: /work/input.json is not UTF-8 text (invalid byte at offset 19)"
    );
    assert_eq!(
        with_input(InputDocument::Raw(b"{\"parameters\": [{\"name\": \"mode\", ".to_vec())),
        "invalid input: input.json is not valid JSON: expected a string key in an object at line 1, column 34"
    );
    assert_eq!(
        with_input(InputDocument::Raw(b"{\"parameters\": {\"mode\": \"echo\"}}".to_vec())),
        "invalid input: \"parameters\" must be an array, not an object"
    );
}

#[test]
fn the_component_build_keeps_the_same_contract() {
    let p2 = |run: &RunOptions| probe(WasmTarget::Wasip2, run);
    let node = p2(&options(invocation(&[("mode", "echo"), ("count", "1")])));
    assert_eq!(value(&node, "count"), &Value::from(2));
    assert_eq!(
        failed_message(p2(&options(invocation(&[("mode", "error")])))),
        "step could not finish: saving the report: disk says no"
    );
    let panic = failed_message(p2(&options(invocation(&[("mode", "panic")]))));
    assert!(panic.contains("the module's own message: the step panicked at test-guests/src/main.rs:"), "{panic}");
    let (run, dir) = copy_options(None, b"component");
    assert_eq!(p2(&run).message, "copied 9 bytes");
    assert_eq!(std::fs::read(dir.path().join("out/out/copy.txt")).unwrap(), b"COMPONENT");
    let mut spin = options(invocation(&[("mode", "spin")]));
    spin.timeout = Some(Duration::from_millis(300));
    assert!(failed_message(p2(&spin)).starts_with("the module ran longer than the timeout of 0.3 s"));
}
