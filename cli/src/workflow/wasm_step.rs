//! One `plugin.wasm` node: the resolved template becomes a step exactly as
//! the host reads Argo's request (`executor_plugin::request::WasmStep`), the
//! module runs on the shared runner, and the node's phase, message and
//! outputs are the step's reply (Argo copies the plugin's reply into the
//! node: `workflow/controller/taskset.go` 153-156).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wasm_workflows_sdk::protocol::{Phase, PluginResult};

use super::artifact_fetch::InputFetches;
use super::artifacts::LocalRepository;
use super::modules::Modules;
use super::nodes::parameter_text;
use super::outbound::Outbound;
use crate::allow_list::AllowList;
use crate::executor_plugin::request::{ExecuteRequest, WasmStep};
use crate::runner::{ExitRule, LogLines, RunOptions, Runner, WorkDir};

/// The limits of every step of a run.
#[derive(Debug, Clone, Copy)]
pub struct StepLimits {
    /// How long a step may run, unless its template sets a `timeout`.
    pub timeout: Option<Duration>,
    /// How much memory a module may hold, in MiB.
    pub max_memory_mib: u64,
    /// How much a module may write to its log, in bytes.
    pub max_log_bytes: u64,
    /// What an explicit exit of a core module means.
    pub exit_rule: ExitRule,
    /// How many files and other resources a module may hold open at once.
    pub max_open_files: u64,
    /// How many MiB a module may write under its work directory.
    pub max_work_dir_mib: u64,
    /// How many files, folders and links a module may make there.
    pub max_work_dir_entries: u64,
}

/// What runs the Wasm steps of a run.
pub struct WasmSteps {
    runner: Arc<Runner>,
    modules: Modules,
    limits: StepLimits,
    artifacts: Option<LocalRepository>,
    /// What fetches input artifacts' `http.url`s (by default, from nowhere).
    outbound: Outbound,
}

impl WasmSteps {
    /// Steps run by `runner` with modules from `modules`, each within `limits`.
    pub fn new(runner: Arc<Runner>, modules: Modules, limits: StepLimits) -> WasmSteps {
        WasmSteps { runner, modules, limits, artifacts: None, outbound: Outbound::default() }
    }

    /// The same, with artifacts in `repository` (without one, a step with
    /// artifacts fails saying so), those at an `http.url` fetched by
    /// `outbound` (and so from the origins it allows).
    pub fn with_artifacts(self, repository: LocalRepository, outbound: Outbound) -> WasmSteps {
        WasmSteps { artifacts: Some(repository), outbound, ..self }
    }

    /// Runs the resolved `template` of node `node_id` of workflow
    /// `workflow`, its log lines going to `log_lines`; the reply as Argo records it.
    ///
    /// The step's timeout (the template's `timeout`, else `--timeout`) counts
    /// from now, the node's start, as Argo counts a template's (from the
    /// node's `startedAt`, Pending time included: `checkTemplateTimeouts`,
    /// `workflow/controller/operator.go` 2703-2710): preparing the module,
    /// fetching the input artifacts and the module's run share it.
    pub async fn run(&self, workflow: &str, node_id: &str, template: Value, log_lines: LogLines) -> PluginResult {
        let started = Instant::now();
        let request = ExecuteRequest {
            workflow_name: workflow.to_owned(),
            workflow_id: workflow.to_owned(),
            template: template.clone(),
        };
        let step = match WasmStep::of(&request) {
            Ok(step) => step,
            Err(message) => return PluginResult::failed(message),
        };
        let timeout = step.timeout.or(self.limits.timeout);
        let preparing = self.modules.get(&step.image);
        let prepared = match timeout {
            Some(timeout) => tokio::time::timeout_at((started + timeout).into(), preparing).await.map_err(|_| {
                format!(
                    "the module {} was not ready within the step's timeout of {} s",
                    step.image,
                    timeout.as_secs_f64()
                )
            }),
            None => Ok(preparing.await),
        };
        let module = match prepared {
            Ok(Ok(module)) => module,
            Ok(Err(message)) | Err(message) => return PluginResult::failed(message),
        };
        let allowed_hosts = match AllowList::new(&step.allowed_hosts) {
            Ok(list) => list,
            Err(error) => return PluginResult::failed(format!("plugin.wasm.permissions.http.allowed_hosts: {error}")),
        };
        let work_dir = match WorkDir::create() {
            Ok(work_dir) => work_dir,
            Err(error) => return PluginResult::failed(format!("the host cannot create a work directory: {error}")),
        };
        let mut fetches = InputFetches::new(&self.outbound, self.limits.max_work_dir_mib, timeout, started);
        match (&self.artifacts, step.invocation.artifacts.first()) {
            (Some(repository), Some(_)) => {
                if let Err(message) = repository.place_inputs(&template, &work_dir, &mut fetches).await {
                    return PluginResult::failed(message);
                }
            }
            (None, Some(artifact)) => {
                return PluginResult::failed(format!(
                    "input artifact \"{}\": this run has no artifact repository to fetch it from",
                    artifact.name
                ));
            }
            (_, None) => {}
        }
        let options = RunOptions {
            invocation: step.invocation,
            allowed_hosts,
            timeout,
            timeout_from: Some(started),
            max_memory_mib: Some(self.limits.max_memory_mib),
            max_log_bytes: Some(self.limits.max_log_bytes),
            log_lines,
            exit_rule: self.limits.exit_rule,
            max_open_files: Some(self.limits.max_open_files),
            max_work_dir_mib: Some(self.limits.max_work_dir_mib),
            max_work_dir_entries: Some(self.limits.max_work_dir_entries),
            ..RunOptions::default()
        };
        if let Err(error) = self.runner.write_inputs(&work_dir, &options) {
            return PluginResult::failed(format!("the host cannot prepare the work directory: {error}"));
        }
        let executed = self.runner.execute(&module, &work_dir, &options).await;
        let mut node = executed.node;
        node.outputs.artifacts.clear();
        if node.phase == Phase::Succeeded {
            match &self.artifacts {
                Some(repository) => {
                    match repository.store_outputs(
                        workflow,
                        node_id,
                        &step.declared_outputs,
                        &executed.outputs,
                        &work_dir,
                    ) {
                        Ok(stored) => node.outputs.artifacts = stored,
                        Err(message) => node = PluginResult::failed(message),
                    }
                }
                None => {
                    if let Some(output) =
                        executed.outputs.iter().find(|o| step.declared_outputs.iter().any(|d| d.name == o.name))
                    {
                        node = PluginResult::failed(format!(
                            "output artifact \"{}\": this run has no artifact repository to store it in",
                            output.name
                        ));
                    }
                }
            }
        }
        tokio::task::spawn_blocking(move || drop(work_dir));
        node
    }
}

/// A reply's outputs as a node's `outputs`: parameters as text, as Argo's
/// agent passes them; none at all when the reply has none.
pub fn node_outputs(result: &PluginResult) -> Option<Value> {
    let outputs = &result.outputs;
    if outputs.parameters.is_empty() && outputs.artifacts.is_empty() {
        return None;
    }
    let mut members = serde_json::Map::new();
    if !outputs.parameters.is_empty() {
        let parameters: Vec<Value> = outputs
            .parameters
            .iter()
            .map(|p| {
                let value: Value = serde_json::from_str(&p.value.to_string()).unwrap_or(Value::Null);
                json!({"name": p.name, "value": parameter_text(&value)})
            })
            .collect();
        members.insert("parameters".into(), Value::Array(parameters));
    }
    if !outputs.artifacts.is_empty() {
        let artifacts: Vec<Value> = outputs
            .artifacts
            .iter()
            .map(|a| match &a.s3 {
                Some(s3) => json!({"name": a.name, "path": a.path, "s3": {"key": s3.key}}),
                None => json!({"name": a.name, "path": a.path}),
            })
            .collect();
        members.insert("artifacts".into(), Value::Array(artifacts));
    }
    Some(Value::Object(members))
}
