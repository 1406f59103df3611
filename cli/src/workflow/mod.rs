//! A whole Argo workflow, run here as Argo's controller runs it
//! (`wasm-workflows run workflow.yaml`): the same nodes (names, ids, types,
//! phases, messages, children), the same `{{…}}` names, loops, step groups
//! and DAGs, with each `plugin.wasm` step run by [`crate::runner`] as the
//! executor plugin would run it, and each `http` template's request sent by
//! the host ([`HttpTemplates`], behind `--allow-host`) as Argo's agent sends it.
//!
//! [`prepare`] reads and checks a workflow (an error there means it cannot
//! run: first what Argo's validation rejects, worded as Argo words it, then
//! what only this runner cannot run); [`Prepared::run`] runs it on
//! the caller's tokio runtime and answers the Workflow object with its
//! `status`, as `argo get -o json` prints it ([`object`]), or drawn as a
//! tree ([`tree`]); [`Prepared::run_in`] also tells a [`watch::Watcher`]
//! of every node as it goes ([`live`] draws them). [`expression`] evaluates
//! `when`, `depends` and `{{=…}}`. [`lint`] checks files as `argo lint`
//! does, with the same checks of Argo's validation (`argo_rules`).

mod argo_rules;
mod arguments;
mod artifact_fetch;
mod artifact_references;
mod artifacts;
mod dag;
pub mod document;
mod execution;
mod exit;
pub mod expression;
mod expressions;
mod http_template;
pub mod lint;
pub mod live;
mod loops;
mod modules;
pub mod nodes;
pub mod object;
mod outbound;
mod outputs;
mod retry;
mod steps;
mod substitute;
mod suspend;
mod template_refs;
pub mod tree;
mod validate;
mod wasm_step;
pub mod watch;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub use self::artifacts::LocalRepository;
use self::execution::Execution;
pub use self::http_template::HttpTemplates;
pub use self::modules::Modules;
use self::nodes::{Nodes, Phase};
pub use self::outbound::Outbound;
use self::substitute::Scope;
pub use self::template_refs::Library;
pub use self::wasm_step::{StepLimits, WasmSteps};
use self::watch::Watcher;

/// What to run, beside the file: `argo submit`'s options.
#[derive(Debug, Clone, Default)]
pub struct SubmitOptions {
    /// `-p NAME=VALUE` and `--parameter-file`: the workflow's parameters.
    pub parameters: Vec<(String, String)>,
    /// `--entrypoint`: another template to start from.
    pub entrypoint: Option<String>,
    /// `--name`: the workflow's name (default: its own, or one generated).
    pub name: Option<String>,
    /// `--templates`: a folder of WorkflowTemplates that `templateRef`s name.
    pub templates_dir: Option<std::path::PathBuf>,
}

/// A workflow that can run.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The Workflow object, as submitted (arguments and entrypoint applied).
    pub workflow: Value,
    name: String,
    entrypoint: String,
    templates: BTreeMap<String, Value>,
}

/// What a run reaches beside its Wasm steps.
#[derive(Default)]
pub struct RunContext {
    /// What sends the requests of `http` templates (by default, to nowhere).
    pub http: HttpTemplates,
    /// Who watches the run as it goes, if anyone (without one, steps' logs go to stderr as they are).
    pub watcher: Option<std::sync::Arc<dyn Watcher>>,
}

/// A workflow that ran.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The Workflow object with its `status`.
    pub workflow: Value,
    /// The workflow's phase: `Succeeded`, `Failed` or `Error`.
    pub phase: Phase,
}

/// Reads the workflow in `text` (YAML, one or more documents) with
/// `options`; the error says why it cannot run.
pub fn prepare(text: &str, options: &SubmitOptions) -> Result<Prepared, String> {
    let documents = document::documents(text)?;
    let chosen = document::runnable(&documents)?;
    let name = match &options.name {
        Some(name) => name.clone(),
        None => document::run_name(chosen)?,
    };
    let mut spec = chosen.get("spec").cloned().unwrap_or_else(|| json!({}));
    if let Some(entrypoint) = &options.entrypoint {
        spec["entrypoint"] = json!(entrypoint);
    }
    apply_parameters(&mut spec, &options.parameters);
    let mut metadata = chosen.get("metadata").cloned().unwrap_or_else(|| json!({}));
    metadata["name"] = json!(name);
    let library = template_refs::Library::load(&documents, options.templates_dir.as_deref())?;
    // What Argo rejects at submission, as `argo submit` would say it (`validate.Opts{}`).
    let submitted = json!({"kind": "Workflow", "metadata": metadata, "spec": spec});
    argo_rules::workflow(&submitted, &library, argo_rules::Options::default())?;
    // Then what only this runner cannot run.
    template_refs::resolve(&mut spec, &library)?;
    let entrypoint = spec.get("entrypoint").and_then(Value::as_str).unwrap_or_default().to_owned();
    let templates = validate::templates(&spec)?;
    validate::validate(&templates, &entrypoint)?;
    validate::validate_spec(&spec, &templates)?;
    let workflow = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": metadata,
        "spec": spec,
    });
    Ok(Prepared { workflow, name, entrypoint, templates })
}

/// Sets `spec.arguments.parameters` from `parameters` (replacing a value of
/// the same name, else adding one).
fn apply_parameters(spec: &mut Value, parameters: &[(String, String)]) {
    if parameters.is_empty() {
        return;
    }
    if !spec.pointer("/arguments/parameters").is_some_and(Value::is_array) {
        if !spec.get("arguments").is_some_and(Value::is_object) {
            spec["arguments"] = json!({});
        }
        spec["arguments"]["parameters"] = json!([]);
    }
    let list = spec["arguments"]["parameters"].as_array_mut().expect("made a list above");
    for (name, value) in parameters {
        match list.iter_mut().find(|p| p.get("name").and_then(Value::as_str) == Some(name)) {
            Some(parameter) => parameter["value"] = json!(value),
            None => list.push(json!({"name": name, "value": value})),
        }
    }
}

impl Prepared {
    /// The workflow's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `workflow.*` names (`workflow.name`, `workflow.parameters.X`, …).
    fn globals(&self, created: &DateTime<Utc>) -> Scope {
        let mut globals = Scope::new();
        globals.insert("workflow.name".into(), self.name.clone());
        globals.insert("workflow.mainEntrypoint".into(), self.entrypoint.clone());
        globals.insert("workflow.creationTimestamp".into(), created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let parameters = self.workflow.pointer("/spec/arguments/parameters").and_then(Value::as_array);
        // All of them as JSON first, so that a parameter called `json` wins (`operator.go` 703-711).
        let all = serde_json::to_string(&parameters.cloned().unwrap_or_default()).unwrap_or_default();
        globals.insert("workflow.parameters".into(), all.clone());
        globals.insert("workflow.parameters.json".into(), all);
        for parameter in parameters.into_iter().flatten() {
            if let (Some(name), Some(value)) = (parameter.get("name").and_then(Value::as_str), parameter.get("value")) {
                globals.insert(format!("workflow.parameters.{name}"), nodes::parameter_text(value));
            }
        }
        globals
    }

    /// Runs the workflow, its Wasm steps on `steps`, on the caller's tokio runtime.
    pub async fn run(self, steps: WasmSteps) -> Finished {
        self.run_in(steps, RunContext::default()).await
    }

    /// [`Prepared::run`], with HTTP templates and a watcher from `context`.
    pub async fn run_in(self, steps: WasmSteps, context: RunContext) -> Finished {
        let started = Utc::now();
        let spec = self.workflow.get("spec").cloned().unwrap_or(Value::Null);
        // Argo counts the deadline from the start in whole seconds (`getWorkflowDeadline`, `operator.go` 664-674).
        let deadline = spec.get("activeDeadlineSeconds").and_then(Value::as_i64).map(|seconds| {
            let whole = DateTime::from_timestamp(started.timestamp(), 0).unwrap_or(started);
            whole + chrono::Duration::seconds(seconds)
        });
        let arguments = spec.get("arguments").cloned().unwrap_or(Value::Null);
        let execution = Execution {
            name: self.name.clone(),
            templates: self.templates.clone(),
            globals: std::sync::RwLock::new(self.globals(&started)),
            globals_version: std::sync::atomic::AtomicU64::new(0),
            nodes: Nodes::watched(context.watcher.clone()),
            steps: std::sync::Arc::new(steps),
            default_retry: spec.get("retryStrategy").filter(|s| !s.is_null()).cloned(),
            deadline,
            workflow_arguments: arguments.clone(),
            global_outputs: std::sync::Mutex::default(),
            http: context.http,
        };
        if let Some(watcher) = &context.watcher {
            watcher.started(&self.name, started, execution.nodes.view());
        }
        execution.set_status_globals(Phase::Running);
        let entry = json!({"template": self.entrypoint, "arguments": arguments});
        let mut hook_error = None;
        if let Ok(running) = execution.start(&self.name, &entry, None) {
            // The workflow's hooks run beside it once their expression holds (`operate`, `operator.go` 480).
            let hooks = async {
                if let Err(message) = execution.run_workflow_hooks_while_running(&spec).await {
                    hook_error = Some(message);
                }
            };
            futures_util::join!(running, hooks);
        }
        let root = execution.nodes.get(&self.name);
        // Argo's map from the entry node's phase to the workflow's (`operator.go` 432-441).
        let mut phase = match root.as_ref().map(|n| n.phase) {
            Some(Phase::Succeeded | Phase::Skipped | Phase::Omitted) => Phase::Succeeded,
            Some(Phase::Failed) => Phase::Failed,
            _ => Phase::Error,
        };
        execution.set_status_globals(phase);
        if hook_error.is_none()
            && let Err(message) = execution.run_workflow_hooks(&spec).await
        {
            hook_error = Some(message);
        }
        let mut message = root.and_then(|n| n.message);
        if let Some(error) = hook_error {
            // An expression that cannot be evaluated errs the entry node (`operator.go` 482-485).
            execution.nodes.finish(&self.name, Phase::Error, Some(error.clone()));
            (phase, message) = (Phase::Error, Some(error));
        }
        // The exit handler; a workflow that succeeded takes its failure (`operator.go` 495-576).
        if let Some(exit) = execution.run_workflow_exit(&spec).await
            && phase == Phase::Succeeded
            && exit.phase.failed_or_error()
        {
            phase = if exit.phase == Phase::Failed { Phase::Failed } else { Phase::Error };
            message = exit.message;
        }
        let outputs = execution.global_outputs();
        let status = object::status(&self.name, phase, message, started, Utc::now(), &execution.nodes.all());
        let mut workflow = self.workflow;
        workflow["status"] = status;
        if let Some(outputs) = outputs {
            workflow["status"]["outputs"] = outputs;
        }
        Finished { workflow, phase }
    }
}
