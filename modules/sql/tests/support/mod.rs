//! Shared by the sql module's tests: running the module's `.wasm` under the
//! host contract with parameters and input artifacts, and reading what it
//! answered (the node, the `result` parameter and the `result` artifact).

#![allow(dead_code)] // each test file uses part of this

use std::path::{Path, PathBuf};
use std::process::Command;

use wasm_workflows_cli::runner::{InputFile, RunOptions};
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginInvocation, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

/// An input artifact: its name (the table's), its path in the template
/// (the extension says the format) and its contents.
pub struct Input<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub contents: &'a [u8],
}

/// An input artifact named `name` at `path`.
pub fn input<'a>(name: &'a str, path: &'a str, contents: &'a [u8]) -> Input<'a> {
    Input { name, path, contents }
}

/// What a run answered, with the folder its output artifacts were copied to.
pub struct Answer {
    pub node: PluginResult,
    pub artifacts: Vec<(String, PathBuf)>,
    _folder: tempfile::TempDir,
}

impl Answer {
    /// The `result` parameter of a node that succeeded (panics if absent).
    pub fn parameter(&self) -> &str {
        assert_eq!(self.node.phase, Phase::Succeeded, "{}", self.node.message);
        self.node.output_parameter("result").and_then(Value::as_str).expect("a result parameter")
    }

    /// The file of the `result` artifact of a node that succeeded.
    pub fn artifact_file(&self) -> &Path {
        assert_eq!(self.node.phase, Phase::Succeeded, "{}", self.node.message);
        let (_, file) = self.artifacts.iter().find(|(name, _)| name == "result").expect("a result artifact");
        file
    }

    /// The contents of the `result` artifact.
    pub fn artifact(&self) -> Vec<u8> {
        std::fs::read(self.artifact_file()).unwrap()
    }

    /// The `result` artifact as text.
    pub fn artifact_text(&self) -> String {
        String::from_utf8(self.artifact()).unwrap()
    }

    /// The message of a node that failed, which has no outputs.
    pub fn failure(&self) -> &str {
        assert_eq!(self.node.phase, Phase::Failed, "{:?}", self.node);
        assert!(self.node.outputs.parameters.is_empty(), "{:?}", self.node);
        assert!(self.node.outputs.artifacts.is_empty(), "{:?}", self.node);
        &self.node.message
    }
}

/// Runs the module built for `target` with these parameters and inputs,
/// within `max_memory_mib` if given.
pub fn sql_with(
    target: WasmTarget,
    parameters: &[(&str, &str)],
    inputs: &[Input<'_>],
    max_memory_mib: Option<u64>,
) -> Answer {
    sql_invoked(target, invocation(parameters), inputs, max_memory_mib)
}

/// Runs the module built for `target` with `invocation` (which may list
/// artifacts that have no file, as an optional one that was not given) and
/// these inputs, within `max_memory_mib` if given.
pub fn sql_invoked(
    target: WasmTarget,
    invocation: PluginInvocation,
    inputs: &[Input<'_>],
    max_memory_mib: Option<u64>,
) -> Answer {
    let folder = tempfile::tempdir().unwrap();
    let mut run_options: RunOptions = options(invocation);
    for (i, input) in inputs.iter().enumerate() {
        let source = folder.path().join(format!("input-{i}"));
        std::fs::write(&source, input.contents).unwrap();
        run_options.input_files.push(InputFile { name: input.name.into(), path: input.path.into(), source });
    }
    let out = folder.path().join("out");
    run_options.output_dir = Some(out);
    run_options.max_memory_mib = max_memory_mib;
    let outcome = run(&module("sql", target), &run_options);
    Answer { node: outcome.node, artifacts: outcome.output_files, _folder: folder }
}

/// Runs the core module (wasm32-wasip1) with these parameters and inputs.
pub fn sql(parameters: &[(&str, &str)], inputs: &[Input<'_>]) -> Answer {
    sql_with(WasmTarget::Wasip1, parameters, inputs, None)
}

/// A file of tests/data.
pub fn data(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)).unwrap()
}

/// Runs Debian's `sqlite3` with these arguments in `dir`; its stdout, or
/// its stderr if it fails.
pub fn sqlite3(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("sqlite3").current_dir(dir).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run sqlite3, the reference the module is checked against ({e}): install it with `apt-get install sqlite3` (scripts/setup.sh does)")
    });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() && !stderr.starts_with("Error") && !stderr.contains("Parse error") {
        Ok(stdout)
    } else {
        Err(stderr)
    }
}
