//! Running one step as the original plugin does, on this host's runner:
//! pull the module, download its input artifacts into a fresh work
//! directory, run it with the step's permissions and limits, upload its
//! output artifacts straight from the work directory, and answer a node.
//! Whatever fails is a `Failed` node that says what happened.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use wasm_workflows_sdk::protocol::{Phase, PluginResult};

use super::artifact_repository::ArtifactRepository;
use super::metrics::HostMetrics;
use super::modules::ModuleStore;
use crate::allow_list::AllowList;
use crate::executor_plugin::request::WasmStep;
use crate::metrics::InProgress;
use crate::runner::{Executed, ExitRule, LogLines, PreparedModule, RunOptions, Runner, WorkDir};

/// The limits every step runs within.
#[derive(Debug, Clone, Copy)]
pub struct StepLimits {
    /// How long a step may run, unless its template sets a `timeout`.
    pub timeout: Duration,
    /// How much memory a module may hold, in MiB.
    pub max_memory_mib: u64,
    /// How much a module may write to its log, in bytes.
    pub max_log_bytes: u64,
    /// How many files and other resources a module may hold open at once.
    pub max_open_files: u64,
    /// How many MiB a module may write under its work directory.
    pub max_work_dir_mib: u64,
    /// How many files, folders and links a module may make there.
    pub max_work_dir_entries: u64,
}

/// What steps run on.
pub struct StepExecutor {
    runner: Arc<Runner>,
    modules: ModuleStore,
    artifacts: Option<ArtifactRepository>,
    limits: StepLimits,
    permits: Semaphore,
    metrics: Arc<HostMetrics>,
}

impl StepExecutor {
    /// Steps run on `runner` with modules from `modules` and artifacts in
    /// `artifacts` (if any), at most `max_concurrent` at once, each within
    /// `limits`, counted in `metrics`.
    pub fn new(
        runner: Arc<Runner>,
        modules: ModuleStore,
        artifacts: Option<ArtifactRepository>,
        limits: StepLimits,
        max_concurrent: usize,
        metrics: Arc<HostMetrics>,
    ) -> StepExecutor {
        let permits = Semaphore::new(max_concurrent.max(1));
        StepExecutor { runner, modules, artifacts, limits, permits, metrics }
    }

    /// Runs `step` and answers its node; the module's lines are log events
    /// in the caller's span (which names the step).
    pub async fn run(&self, step: WasmStep) -> PluginResult {
        let queued = InProgress::of(&self.metrics.steps_queued);
        let Ok(_permit) = self.permits.acquire().await else {
            return PluginResult::failed("the host is shutting down");
        };
        drop(queued);
        let _running = InProgress::of(&self.metrics.steps_running);
        let module = match self.modules.get(&step.image).await {
            Ok(module) => module,
            Err(message) => return PluginResult::failed(message),
        };
        let allowed_hosts = match AllowList::new(&step.allowed_hosts) {
            Ok(list) => list,
            Err(error) => return PluginResult::failed(format!("plugin.wasm.permissions.http.allowed_hosts: {error}")),
        };
        // Creating the folder and writing the inputs are file work: off the async worker.
        let work_dir = match crate::runner::blocking_here(WorkDir::create) {
            Ok(work_dir) => work_dir,
            Err(error) => return PluginResult::failed(format!("the host cannot create a work directory: {error}")),
        };
        let node = self.run_in(step, allowed_hosts, &module.prepared, &work_dir).await;
        // Whatever the module made there, removed off the async workers.
        work_dir.remove().await;
        node
    }

    /// Runs `step` in `work_dir`: its inputs fetched, the module run, its
    /// outputs uploaded.
    async fn run_in(
        &self,
        step: WasmStep,
        allowed_hosts: AllowList,
        module: &PreparedModule,
        work_dir: &WorkDir,
    ) -> PluginResult {
        if let Err(message) = self.fetch_inputs(&step, work_dir).await {
            return PluginResult::failed(message);
        }
        let workflow = step.invocation.workflow_name.clone();
        let options = RunOptions {
            invocation: step.invocation,
            allowed_hosts,
            timeout: Some(step.timeout.unwrap_or(self.limits.timeout)),
            max_memory_mib: Some(self.limits.max_memory_mib),
            max_log_bytes: Some(self.limits.max_log_bytes),
            max_open_files: Some(self.limits.max_open_files),
            max_work_dir_mib: Some(self.limits.max_work_dir_mib),
            max_work_dir_entries: Some(self.limits.max_work_dir_entries),
            log_lines: LogLines::Events,
            exit_rule: ExitRule::Wasi,
            ..RunOptions::default()
        };
        if let Err(error) = crate::runner::blocking_here(|| self.runner.write_inputs(work_dir, &options)) {
            return PluginResult::failed(format!("the host cannot prepare the work directory: {error}"));
        }
        let Executed { mut node, outputs, .. } = self.runner.execute(module, work_dir, &options).await;
        if node.phase != Phase::Succeeded || outputs.is_empty() {
            return node;
        }
        match &self.artifacts {
            Some(repository) => {
                match repository.upload_outputs(&workflow, &step.declared_outputs, &outputs, work_dir).await {
                    Ok(stored) => node.outputs.artifacts = stored,
                    Err(error) => return PluginResult::failed(error.to_string()),
                }
            }
            None => {
                // Without a repository, an output the template declares
                // fails the step (it would be lost); one it does not is left out.
                if let Some(output) = outputs.iter().find(|o| step.declared_outputs.iter().any(|d| d.name == o.name)) {
                    return PluginResult::failed(format!(
                        "output artifact \"{}\": this host has no artifact repository to store it in \
                         (--artifact-repository)",
                        output.name
                    ));
                }
                for output in &outputs {
                    tracing::warn!("output artifact \"{}\" left out: the template does not declare it", output.name);
                }
                node.outputs.artifacts.clear();
            }
        }
        node
    }

    /// Downloads the step's input artifacts into `work_dir`.
    async fn fetch_inputs(&self, step: &WasmStep, work_dir: &WorkDir) -> Result<(), String> {
        let artifacts = &step.invocation.artifacts;
        let Some(first) = artifacts.first() else {
            return Ok(());
        };
        let Some(repository) = &self.artifacts else {
            return Err(format!(
                "input artifact \"{}\": this host has no artifact repository to fetch it from (--artifact-repository)",
                first.name
            ));
        };
        repository.download_inputs(artifacts, work_dir).await.map_err(|error| error.to_string())
    }
}
