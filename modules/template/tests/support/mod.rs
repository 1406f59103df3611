//! Shared by the template module's tests: running the module's `.wasm`
//! under the host contract with parameters and input artifact files, and
//! reading back the node and the output artifact `result`.

#![allow(dead_code)] // each test file uses part of this

use wasm_workflows_cli::runner::{InputFile, RunOptions};
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginInvocation, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

/// An input artifact: name, path in the template, contents.
pub type Artifact<'a> = (&'a str, &'a str, &'a [u8]);

/// The node, and the output artifact `result` when the module wrote one.
pub struct Rendered {
    pub node: PluginResult,
    pub artifact: Option<Vec<u8>>,
}

impl Rendered {
    /// The rendered text of a node that succeeded: the artifact, which the
    /// parameter `result` repeats.
    pub fn text(&self) -> String {
        assert_eq!(self.node.phase, Phase::Succeeded, "{}", self.node.message);
        let artifact = String::from_utf8(self.artifact.clone().expect("an output artifact \"result\"")).unwrap();
        let parameter = self.node.output_parameter("result").and_then(Value::as_str);
        assert_eq!(parameter, Some(artifact.as_str()), "the parameter \"result\" is the artifact's text");
        artifact
    }

    /// The message of a node that failed, which has no outputs.
    pub fn failure(&self) -> String {
        assert_eq!(self.node.phase, Phase::Failed, "{:?}", self.node);
        assert!(self.node.outputs.parameters.is_empty() && self.node.outputs.artifacts.is_empty(), "{:?}", self.node);
        self.node.message.clone()
    }
}

/// Runs the module built for `target` with `invocation` and these artifacts.
pub fn render_on(target: WasmTarget, invocation: PluginInvocation, artifacts: &[Artifact]) -> Rendered {
    render_within(target, invocation, artifacts, None)
}

/// Runs the module built for `target` with `invocation` and these
/// artifacts, within `max_memory_mib` of memory if given.
pub fn render_within(
    target: WasmTarget,
    invocation: PluginInvocation,
    artifacts: &[Artifact],
    max_memory_mib: Option<u64>,
) -> Rendered {
    let inputs = tempfile::tempdir().unwrap();
    let outputs = tempfile::tempdir().unwrap();
    let mut run_options: RunOptions = options(invocation);
    for (index, (name, path, contents)) in artifacts.iter().enumerate() {
        let source = inputs.path().join(format!("artifact-{index}"));
        std::fs::write(&source, contents).unwrap();
        run_options.input_files.push(InputFile { name: (*name).into(), path: (*path).into(), source });
    }
    run_options.output_dir = Some(outputs.path().to_owned());
    run_options.max_memory_mib = max_memory_mib;
    let outcome = run(&module("template", target), &run_options);
    let artifact =
        outcome.output_files.iter().find(|(name, _)| name == "result").map(|(_, file)| std::fs::read(file).unwrap());
    Rendered { node: outcome.node, artifact }
}

/// Runs the core module with these parameters (strings, as Argo gives them)
/// and artifacts.
pub fn render(parameters: &[(&str, &str)], artifacts: &[Artifact]) -> Rendered {
    render_on(WasmTarget::Wasip1, invocation(parameters), artifacts)
}
