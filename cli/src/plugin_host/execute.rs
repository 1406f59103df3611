//! Running one step as the original plugin does, on this host's runner:
//! pull the module, place its input artifacts, run it with the step's
//! permissions and limits, upload its output artifacts, and answer a node.
//! Whatever fails is a `Failed` node that says what happened.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot};
use wasm_workflows_sdk::protocol::PluginResult;

use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_sdk::workdir::artifact_file;

use super::artifact_repository::ArtifactRepository;
use super::modules::ModuleStore;
use super::request::WasmStep;
use crate::allow_list::AllowList;
use crate::runner::{ExitRule, InputFile, RunOptions, Runner};

/// The limits every step runs within.
#[derive(Debug, Clone, Copy)]
pub struct StepLimits {
    /// How long a step may run, unless its template sets a `timeout`.
    pub timeout: Duration,
    /// How much linear memory a module may have, in MiB.
    pub max_memory_mib: u64,
}

/// What steps run on.
pub struct StepRunner {
    runner: Arc<Runner>,
    modules: ModuleStore,
    artifacts: Option<ArtifactRepository>,
    limits: StepLimits,
    permits: Semaphore,
}

impl StepRunner {
    /// Steps run on `runner` with modules from `modules` and artifacts in
    /// `artifacts` (if any), at most `max_concurrent` at once, each within `limits`.
    pub fn new(
        runner: Runner,
        modules: ModuleStore,
        artifacts: Option<ArtifactRepository>,
        limits: StepLimits,
        max_concurrent: usize,
    ) -> StepRunner {
        StepRunner {
            runner: Arc::new(runner),
            modules,
            artifacts,
            limits,
            permits: Semaphore::new(max_concurrent.max(1)),
        }
    }

    /// Runs `step` and answers its node.
    pub async fn run(&self, step: WasmStep) -> PluginResult {
        let Ok(_permit) = self.permits.acquire().await else {
            return PluginResult::failed("the host is shutting down");
        };
        let module = match self.modules.get(&step.image).await {
            Ok(module) => module,
            Err(error) => return PluginResult::failed(format!("cannot pull the module {}: {error}", step.image)),
        };
        let allowed_hosts = match AllowList::new(&step.allowed_hosts) {
            Ok(list) => list,
            Err(error) => return PluginResult::failed(format!("plugin.wasm.permissions.http.allowed_hosts: {error}")),
        };
        let staging = match tempfile::Builder::new().prefix("wasm-workflows-artifacts-").tempdir() {
            Ok(staging) => staging,
            Err(error) => {
                return PluginResult::failed(format!("the host cannot create a folder for artifacts: {error}"));
            }
        };
        let (inputs, outputs) = (staging.path().join("in"), staging.path().join("out"));
        let input_files = match self.fetch_inputs(&step, &inputs).await {
            Ok(files) => files,
            Err(message) => return PluginResult::failed(message),
        };
        let workflow = step.invocation.workflow_name.clone();
        let options = RunOptions {
            invocation: step.invocation,
            input_files,
            output_dir: Some(outputs.clone()),
            allowed_hosts,
            timeout: Some(step.timeout.unwrap_or(self.limits.timeout)),
            max_memory_mib: Some(self.limits.max_memory_mib),
            exit_rule: ExitRule::Wasi,
            ..RunOptions::default()
        };
        let runner = self.runner.clone();
        let name = step.image.clone();
        let outcome = on_a_thread(move || runner.run_bytes(&module.bytes, Path::new(&name), &options)).await;
        let mut node = match outcome {
            Some(Ok(outcome)) => outcome.node,
            Some(Err(error)) => return PluginResult::failed(format!("the host could not run {}: {error}", step.image)),
            None => return PluginResult::failed(format!("the host's run of {} ended unexpectedly", step.image)),
        };
        if node.phase == Phase::Succeeded
            && !node.outputs.artifacts.is_empty()
            && let Err(message) = self.store_outputs(&workflow, &step.declared_outputs, &mut node, &outputs).await
        {
            return PluginResult::failed(message);
        }
        node
    }

    /// Downloads the step's input artifacts below `folder`: the files to hand the module.
    async fn fetch_inputs(&self, step: &WasmStep, folder: &Path) -> Result<Vec<InputFile>, String> {
        let artifacts = &step.invocation.artifacts;
        let Some(first) = artifacts.first() else {
            return Ok(Vec::new());
        };
        let Some(repository) = &self.artifacts else {
            return Err(format!(
                "input artifact \"{}\": this host has no artifact repository to fetch it from (--artifact-repository)",
                first.name
            ));
        };
        repository.download_inputs(artifacts, folder).await.map_err(|error| error.to_string())?;
        artifacts
            .iter()
            .map(|artifact| {
                let source = artifact_file(folder, &artifact.name, &artifact.path).map_err(|e| e.to_string())?;
                Ok(InputFile { name: artifact.name.clone(), path: artifact.path.clone(), source })
            })
            .collect()
    }

    /// Uploads the node's output artifacts from `folder` and sets their keys.
    /// Without an artifact repository, an output the template declares fails
    /// the step (it would be lost); one it does not declare is left out.
    async fn store_outputs(
        &self,
        workflow: &str,
        declared: &[String],
        node: &mut PluginResult,
        folder: &Path,
    ) -> Result<(), String> {
        let outputs = &mut node.outputs.artifacts;
        match &self.artifacts {
            Some(repository) => {
                repository.upload_outputs(workflow, outputs, folder).await.map_err(|error| error.to_string())
            }
            None => {
                if let Some(artifact) = outputs.iter().find(|artifact| declared.contains(&artifact.name)) {
                    return Err(format!(
                        "output artifact \"{}\": this host has no artifact repository to store it in \
                         (--artifact-repository)",
                        artifact.name
                    ));
                }
                for artifact in outputs.iter() {
                    eprintln!(
                        "[serve] output artifact \"{}\" left out: the template does not declare it",
                        artifact.name
                    );
                }
                outputs.clear();
                Ok(())
            }
        }
    }
}

/// Runs `work` on a thread of its own (the runner is synchronous and starts
/// runtimes of its own, which it cannot inside this one); `None` if it panicked.
async fn on_a_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (sender, receiver) = oneshot::channel();
    let spawned = std::thread::Builder::new().name("wasm-workflows-step".into()).spawn(move || {
        let _ = sender.send(work());
    });
    if spawned.is_err() {
        return None;
    }
    receiver.await.ok()
}
