//! Running a step natively in a temporary work directory, for unit tests of
//! a step function. It goes through the same runtime as a module: the
//! invocation is written to `input.json`, the step runs, and `result.json` is
//! read back.
//!
//! ```
//! use wasm_workflows_sdk::prelude::*;
//! use wasm_workflows_sdk::testing::StepTest;
//!
//! fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
//!     let text: String = invocation.artifact("input")?.read_to_string()?;
//!     let upper = write_output_artifact("upper", "/upper.txt", text.to_uppercase().as_bytes())?;
//!     Ok(PluginResult::succeeded("shouted").with_artifact(upper))
//! }
//!
//! let run = StepTest::new(PluginInvocation::new("test"))
//!     .input_artifact("input", "/in/text.txt", "hello")
//!     .run(run);
//! assert_eq!(run.result.phase, Phase::Succeeded);
//! assert_eq!(run.output_artifact("upper").unwrap(), b"HELLO");
//! ```

use std::path::{Path, PathBuf};

use crate::protocol::{PluginInvocation, PluginResult};
use crate::runtime::{self, StepOutput};
use crate::typed::FromInvocation;
use crate::workdir;

/// A step run to be made: the invocation and the input artifacts' contents.
#[derive(Debug, Clone)]
pub struct StepTest {
    invocation: PluginInvocation,
    input_files: Vec<(String, String, Vec<u8>)>,
}

impl StepTest {
    /// A run of `invocation`.
    pub fn new(invocation: PluginInvocation) -> Self {
        StepTest { invocation, input_files: Vec::new() }
    }

    /// Adds input artifact `name` at `path` holding `contents`.
    pub fn input_artifact(mut self, name: &str, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.invocation = self.invocation.with_artifact(name, path);
        self.input_files.push((name.to_owned(), path.to_owned(), contents.as_ref().to_vec()));
        self
    }

    /// Runs `step` in a fresh temporary work directory.
    ///
    /// # Panics
    /// If the temporary directory or its files cannot be made, or the step's
    /// result cannot be read back.
    pub fn run<I: FromInvocation, R: StepOutput>(self, step: fn(I) -> R) -> StepRun {
        let dir = tempfile::tempdir().expect("create a temporary work directory");
        let root = dir.path();
        std::fs::write(workdir::input_file(root), self.invocation.to_json().to_string()).expect("write input.json");
        for (name, path, contents) in &self.input_files {
            let file = workdir::artifact_file(&workdir::artifacts_in(root), name, path).expect("a valid artifact path");
            std::fs::create_dir_all(file.parent().expect("a file below artifacts-in")).expect("create artifacts-in");
            std::fs::write(&file, contents).expect("write an input artifact");
        }
        std::fs::create_dir_all(workdir::artifacts_out(root)).expect("create artifacts-out");
        workdir::with_root(root, || runtime::run_in(root, step)).expect("write result.json");
        let text = std::fs::read_to_string(workdir::result_file(root)).expect("read result.json");
        let result = PluginResult::from_json(&text).expect("result.json is a valid result");
        StepRun { result, dir }
    }
}

/// Runs `step` on `invocation` in a temporary work directory.
pub fn run_step<I: FromInvocation, R: StepOutput>(step: fn(I) -> R, invocation: PluginInvocation) -> StepRun {
    StepTest::new(invocation).run(step)
}

/// The outcome of a [`StepTest`]: the result and the work directory, kept
/// until this is dropped.
#[derive(Debug)]
pub struct StepRun {
    /// The result the step wrote.
    pub result: PluginResult,
    dir: tempfile::TempDir,
}

impl StepRun {
    /// The work directory the step ran in.
    pub fn work_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The file of output artifact `name`, if the result lists it.
    pub fn output_artifact_file(&self, name: &str) -> Option<PathBuf> {
        let artifact = self.result.outputs.artifacts.iter().find(|a| a.name == name)?;
        workdir::artifact_file(&workdir::artifacts_out(self.work_dir()), name, &artifact.path).ok()
    }

    /// The contents of output artifact `name`, if the result lists it and it was written.
    pub fn output_artifact(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.output_artifact_file(name)?).ok()
    }
}
