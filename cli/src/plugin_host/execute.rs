//! Running one step as the original plugin does, on this host's runner:
//! pull the module, place its input artifacts, run it with the step's
//! permissions and limits, upload its output artifacts, and answer a node.
//! Whatever fails is a `Failed` node that says what happened.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot};
use wasm_workflows_sdk::protocol::PluginResult;

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
    limits: StepLimits,
    permits: Semaphore,
}

impl StepRunner {
    /// Steps run on `runner` with modules from `modules`, at most
    /// `max_concurrent` at once, each within `limits`.
    pub fn new(runner: Runner, modules: ModuleStore, limits: StepLimits, max_concurrent: usize) -> StepRunner {
        StepRunner { runner: Arc::new(runner), modules, limits, permits: Semaphore::new(max_concurrent.max(1)) }
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
        if let Some(artifact) = step.invocation.artifacts.first() {
            return PluginResult::failed(format!(
                "input artifact \"{}\": this host has no artifact repository to fetch it from (--artifact-repository)",
                artifact.name
            ));
        }
        let options = RunOptions {
            invocation: step.invocation,
            input_files: Vec::<InputFile>::new(),
            allowed_hosts,
            timeout: Some(step.timeout.unwrap_or(self.limits.timeout)),
            max_memory_mib: Some(self.limits.max_memory_mib),
            exit_rule: ExitRule::Wasi,
            ..RunOptions::default()
        };
        let name = step.image.clone();
        let runner = self.runner.clone();
        let outcome = on_a_thread(move || runner.run_bytes(&module.bytes, Path::new(&name), &options)).await;
        match outcome {
            Some(Ok(outcome)) => outcome.node,
            Some(Err(error)) => PluginResult::failed(format!("the host could not run {}: {error}", step.image)),
            None => PluginResult::failed(format!("the host's run of {} ended unexpectedly", step.image)),
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
