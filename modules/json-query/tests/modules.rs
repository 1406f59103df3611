//! jq modules through the .wasm: `import` and `include` read module files
//! (`.jq`) and data files (`.json`) given as input artifacts below the
//! folder of parameter `library`, as jq 1.8 reads them from its `-L`
//! search path; `modulemeta` describes one. (jq.test's module blocks run
//! with jq's own tests/modules in tests/jq_test_suite.rs.)

mod support;

use support::{failure_of, json_query_with, result_of};
use wasm_workflows_cli::runner::InputFile;
use wasm_workflows_sdk::protocol::PluginResult;
use wasm_workflows_test_support::harness::{invocation, options};

/// Runs `query` on null with `files` (path below the library, contents) as
/// input artifacts below `/jq`.
fn with_library(query: &str, files: &[(&str, &str)]) -> PluginResult {
    let dir = tempfile::tempdir().unwrap();
    let mut run = options(invocation(&[("query", query), ("json", "null"), ("library", "/jq")]));
    for (n, (path, text)) in files.iter().enumerate() {
        let source = dir.path().join(format!("file-{n}"));
        std::fs::write(&source, text).unwrap();
        run.input_files.push(InputFile { name: format!("module-{n}"), path: format!("/jq/{path}"), source });
    }
    json_query_with(run)
}

const FILES: &[(&str, &str)] = &[
    ("util.jq", "def double: . * 2; def twice(f): f | f;"),
    ("k8s/k8s.jq", "import \"labels\" as l {search: \"./\"}; def app: l::app;"),
    ("k8s/labels.jq", "def app: .metadata.labels.app;"),
    ("limits.json", "{\"cpu\": 2} {\"cpu\": 4}"),
    ("outside.jq", "def secret: 1;"),
];

#[test]
fn imports_and_includes_read_the_library() {
    let node = with_library("import \"util\" as u; [3 | u::double, u::twice(. + 1)]", FILES);
    assert_eq!(result_of(&node), "[6,5]");
    let node = with_library("include \"util\"; 5 | twice(double)", FILES);
    assert_eq!(result_of(&node), "20");
    // k8s resolves to k8s/k8s.jq; its import searches its own folder.
    let node = with_library("import \"k8s\" as k; {metadata: {labels: {app: \"web\"}}} | k::app", FILES);
    assert_eq!(result_of(&node), "\"web\"");
    // A data file is an array of its values, also named `$d::d`.
    let node = with_library("import \"limits\" as $d; [$d[].cpu, ($d::d | length)]", FILES);
    assert_eq!(result_of(&node), "[2,4,2]");
}

#[test]
fn modulemeta_describes_a_module() {
    let node = with_library("\"k8s\" | modulemeta", FILES);
    assert_eq!(
        result_of(&node),
        r#"{"deps":[{"search":"./","as":"l","is_data":false,"relpath":"labels"}],"defs":["app/0"]}"#
    );
}

#[test]
fn a_module_that_is_not_there_fails_with_its_name() {
    let message = failure_of(with_library("import \"nope\" as n; n::f", FILES));
    assert!(message.contains("cannot load module \"nope\": module not found: nope"), "{message}");
    let message = failure_of(with_library("import \"../outside\" as o; o::secret", FILES));
    assert!(message.contains("may not traverse to parent directories"), "{message}");
    let message = failure_of(json_query_with(options(invocation(&[("query", "include \"util\"; 1"), ("json", "1")]))));
    assert!(message.contains("this step has no module files"), "{message}");
    let message = failure_of(with_library("include \"broken\"; 1", &[("broken.jq", "def f: (;")]));
    assert!(message.contains("in module broken.jq"), "{message}");
}
