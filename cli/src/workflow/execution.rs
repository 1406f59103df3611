//! One run of a workflow: the templates, the global names, the nodes, and
//! `start`, which does what Argo's `executeTemplate` does
//! (`workflow/controller/operator.go` 2188): find the template, give it its
//! arguments, create its node (its type from the template's kind), and
//! return what runs it. A node is created before anything awaits, so the
//! children of a node are in the order Argo gives them, whatever finishes first.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use serde_json::Value;

use super::arguments;
use super::http_template::HttpTemplates;
use super::nodes::{Node, NodeType, Nodes, Phase, display_name, node_id};
use super::substitute::Scope;
use super::validate::{Kind, kind};
use super::wasm_step::{WasmSteps, node_outputs};
use crate::runner::{LineSink, LogLines};

/// A run in progress.
pub struct Execution {
    /// The workflow's name.
    pub name: String,
    /// The templates, by name.
    pub templates: BTreeMap<String, Value>,
    /// `workflow.*` names (`workflow.status`, `workflow.failures` and
    /// `workflow.outputs.*` are added as the run goes).
    pub globals: std::sync::RwLock<Scope>,
    /// How many times a `workflow.*` name has taken a new value.
    pub globals_version: std::sync::atomic::AtomicU64,
    /// The nodes so far.
    pub nodes: Nodes,
    /// What runs Wasm steps (each on a task of its own, so steps use every worker).
    pub steps: Arc<WasmSteps>,
    /// `spec.retryStrategy`: the retry strategy of every template without one.
    pub default_retry: Option<Value>,
    /// When `spec.activeDeadlineSeconds` ends (from the start, whole seconds, as Argo counts).
    pub deadline: Option<DateTime<Utc>>,
    /// `spec.arguments`: what exit hooks without arguments of their own receive.
    pub workflow_arguments: Value,
    /// The workflow's outputs (`globalName`), in the order they were first set.
    pub global_outputs: std::sync::Mutex<Vec<(String, String)>>,
    /// What sends the requests of `http` templates.
    pub http: HttpTemplates,
}

/// The message of a node that the workflow's deadline ended (`operator.go` 1428).
pub const DEADLINE_MESSAGE: &str = "Step exceeded its deadline";

/// Where a node hangs: the steps or DAG node it belongs to.
#[derive(Debug, Clone)]
pub struct Boundary {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it runs within an exit handler (the workflow's deadline does not apply there).
    pub exit_handler: bool,
    /// Its template's `parallelism`: how many of its Steps and DAG children may run at once.
    pub parallelism: Option<usize>,
    /// Its template's `failFast` (`Template.IsFailFast`: off unless true): once one of its Steps
    /// or DAG children has failed or errored, no further child starts.
    pub fail_fast: bool,
}

/// The message of a steps or DAG node, and of its last step group, that `failFast` ended
/// (`checkParallelism`, `operator.go` 3308-3316).
pub const FAIL_FAST_MESSAGE: &str = "template has failed or errored children and failFast enabled";

impl Execution {
    /// The id of node `name`.
    pub fn id(&self, name: &str) -> String {
        node_id(&self.name, name)
    }

    /// Creates node `name` (`node_type`, `phase`, `message`) below `boundary`.
    #[allow(clippy::too_many_arguments)]
    pub fn create_node(
        &self,
        name: &str,
        node_type: NodeType,
        template_name: Option<&str>,
        boundary: Option<&Boundary>,
        phase: Phase,
        message: Option<String>,
        inputs: Option<Value>,
    ) -> String {
        let id = self.id(name);
        let now = Utc::now();
        self.nodes.add(Node {
            id: id.clone(),
            name: name.to_owned(),
            display_name: display_name(name, boundary.map(|b| b.name.as_str())),
            node_type,
            template_name: template_name.filter(|t| !t.is_empty()).map(str::to_owned),
            phase,
            boundary_id: boundary.map(|b| b.id.clone()),
            message,
            started_at: now,
            finished_at: phase.fulfilled().then_some(now),
            inputs,
            outputs: None,
            children: Vec::new(),
            outbound_nodes: Vec::new(),
            hooked: false,
        });
        id
    }

    /// Starts node `name` for `holder` (a step, a task, or the entrypoint:
    /// its `template` and `arguments`, already resolved) below `boundary`.
    /// The node exists when this returns; the future runs it. An error
    /// (the template's arguments) is an `Error` node of type Skipped, as
    /// Argo's `initializeNodeOrMarkError` makes it, and its message.
    pub fn start<'a>(
        &'a self,
        name: &str,
        holder: &Value,
        boundary: Option<&Boundary>,
    ) -> Result<BoxFuture<'a, ()>, String> {
        self.start_in(name, holder, boundary, boundary.is_some_and(|b| b.exit_handler))
    }

    /// [`Execution::start`], saying whether the node is (within) an exit handler.
    pub fn start_in<'a>(
        &'a self,
        name: &str,
        holder: &Value,
        boundary: Option<&Boundary>,
        exit_handler: bool,
    ) -> Result<BoxFuture<'a, ()>, String> {
        let template_name = holder.get("template").and_then(Value::as_str).unwrap_or_default();
        let fail = |message: String| self.error_node(name, template_name, boundary, message);
        let Some(template) = self.templates.get(template_name) else {
            return fail(format!("template name '{template_name}' undefined"));
        };
        let arguments = holder.get("arguments").cloned().unwrap_or(Value::Null);
        let processed = match arguments::apply(template, &arguments, &self.globals()) {
            Ok(processed) => processed,
            Err(message) => return fail(message),
        };
        // A template with a retry strategy is a Retry node over its attempts (`operator.go` 2440-2530).
        let strategy =
            processed.get("retryStrategy").filter(|s| !s.is_null()).cloned().or_else(|| self.default_retry.clone());
        if let Some(strategy) = strategy {
            if let Err(what) = kind(&processed) {
                return fail(format!("Template '{template_name}' cannot run here: it is {what}"));
            }
            let inputs = arguments::node_inputs(&processed);
            let id =
                self.create_node(name, NodeType::Retry, Some(template_name), boundary, Phase::Running, None, inputs);
            let this = Boundary { id, name: name.to_owned(), exit_handler, parallelism: None, fail_fast: false };
            let retry = super::retry::Retry {
                this,
                template_name: template_name.to_owned(),
                boundary: boundary.cloned(),
                template: processed,
                strategy,
            };
            return Ok(Box::pin(self.run_retry(retry)));
        }
        self.start_processed(name, template_name, processed, boundary, exit_handler)
    }

    /// Records node `name` (of `template_name`, below `boundary`) as one that
    /// could not start: type Skipped, phase Error, `message`; and gives
    /// `message` back as the error.
    fn error_node<T>(
        &self,
        name: &str,
        template_name: &str,
        boundary: Option<&Boundary>,
        message: String,
    ) -> Result<T, String> {
        self.create_node(
            name,
            NodeType::Skipped,
            Some(template_name),
            boundary,
            Phase::Error,
            Some(message.clone()),
            None,
        );
        Err(message)
    }

    /// Starts node `name` for `template` (`template_name`, its arguments
    /// applied) below `boundary`, as [`Execution::start`] does past the retry strategy.
    pub fn start_processed<'a>(
        &'a self,
        name: &str,
        template_name: &str,
        processed: Value,
        boundary: Option<&Boundary>,
        exit_handler: bool,
    ) -> Result<BoxFuture<'a, ()>, String> {
        let inputs = arguments::node_inputs(&processed);
        let (node_type, phase) = match kind(&processed) {
            Ok(Kind::Steps) => (NodeType::Steps, Phase::Running),
            Ok(Kind::Dag) => (NodeType::Dag, Phase::Running),
            Ok(Kind::Wasm) => (NodeType::Plugin, Phase::Pending),
            Ok(Kind::Suspend) => (NodeType::Suspend, Phase::Pending),
            // Pending until the agent's reply (`executeHTTPTemplate`, `http_template.go` 12).
            Ok(Kind::Http) => (NodeType::Http, Phase::Pending),
            Err(what) => {
                let message = format!("Template '{template_name}' cannot run here: it is {what}");
                return self.error_node(name, template_name, boundary, message);
            }
        };
        let id = self.create_node(name, node_type, Some(template_name), boundary, phase, None, inputs);
        // Only a positive parallelism limits (`HasParallelism`, `workflow_types.go` 935-937).
        let parallelism = processed.get("parallelism").and_then(Value::as_u64).filter(|p| *p > 0).map(|p| p as usize);
        let fail_fast = processed.get("failFast").and_then(Value::as_bool).unwrap_or(false);
        let this = Boundary { id, name: name.to_owned(), exit_handler, parallelism, fail_fast };
        let running: BoxFuture<'a, ()> = match node_type {
            NodeType::Steps => Box::pin(self.run_steps(this, processed)),
            NodeType::Dag => Box::pin(self.run_dag(this, processed)),
            NodeType::Suspend => Box::pin(self.run_suspend(this.id, processed)),
            NodeType::Http => Box::pin(self.run_http(this, processed)),
            _ => Box::pin(self.run_plugin(this, processed)),
        };
        Ok(running)
    }

    /// Exports the parameters of `outputs` that have a `globalName`: as
    /// `workflow.outputs.parameters.NAME` and in `status.outputs` (Argo's
    /// `addParamToGlobalScope`, `operator.go` 3860, `workflow/util/util.go` 610).
    pub fn export_outputs(&self, outputs: Option<&Value>) {
        let parameters = outputs.and_then(|o| o.get("parameters")).and_then(Value::as_array);
        for parameter in parameters.into_iter().flatten() {
            let Some(global) = parameter.get("globalName").and_then(Value::as_str).filter(|g| !g.is_empty()) else {
                continue;
            };
            let value = parameter.get("value").map(super::nodes::parameter_text);
            if let Some(value) = &value {
                self.set_global(format!("workflow.outputs.parameters.{global}"), value.clone());
            }
            let mut exported = self.global_outputs.lock().unwrap_or_else(|p| p.into_inner());
            match exported.iter_mut().find(|(name, _)| name == global) {
                Some((_, previous)) => {
                    if let Some(value) = value {
                        *previous = value;
                    }
                }
                None => exported.push((global.to_owned(), value.unwrap_or_default())),
            }
        }
    }

    /// `status.outputs`: the exported parameters, if any.
    pub fn global_outputs(&self) -> Option<Value> {
        let exported = self.global_outputs.lock().unwrap_or_else(|p| p.into_inner());
        if exported.is_empty() {
            return None;
        }
        let parameters: Vec<Value> =
            exported.iter().map(|(name, value)| serde_json::json!({"name": name, "value": value})).collect();
        Some(serde_json::json!({ "parameters": parameters }))
    }

    /// A copy of the `workflow.*` names as they are now.
    pub fn globals(&self) -> Scope {
        self.globals.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Adds `name` = `value` to the `workflow.*` names.
    pub fn set_global(&self, name: String, value: String) {
        let previous = self.globals.write().unwrap_or_else(|p| p.into_inner()).insert(name, value.clone());
        if previous.as_ref() != Some(&value) {
            self.globals_version.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Changes each time a `workflow.*` name takes a new value.
    pub fn globals_version(&self) -> u64 {
        self.globals_version.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Ends when the workflow's deadline passes, for a node that is not part of an
    /// exit handler (`exit_handler`); never otherwise. Past it, a plugin or HTTP node
    /// that has not replied fails (`failNodesWithoutCreatedPodsAfterDeadlineOrShutdown`,
    /// `operator.go` 1424-1430).
    async fn until_deadline(&self, exit_handler: bool) {
        match self.deadline.filter(|_| !exit_handler) {
            Some(deadline) => tokio::time::sleep((deadline - Utc::now()).to_std().unwrap_or_default()).await,
            None => std::future::pending().await,
        }
    }

    /// Where node `name`'s step writes its log: to the run's watcher, else to stderr.
    fn log_lines(&self, name: &str) -> LogLines {
        match self.nodes.watcher() {
            Some(watcher) => {
                let (watcher, name) = (watcher.clone(), name.to_owned());
                LogLines::To(LineSink::new(move |line| watcher.log_line(&name, line)))
            }
            None => LogLines::Raw,
        }
    }

    async fn run_plugin(&self, this: Boundary, template: Value) {
        let id = this.id;
        self.nodes.update(&id, |node| node.phase = Phase::Running);
        let (steps, workflow, node_id) = (self.steps.clone(), self.name.clone(), id.clone());
        let log_lines = self.log_lines(&this.name);
        let mut task = tokio::spawn(async move { steps.run(&workflow, &node_id, template, log_lines).await });
        let joined = tokio::select! {
            joined = &mut task => joined,
            () = self.until_deadline(this.exit_handler) => {
                task.abort();
                self.nodes.finish(&id, Phase::Failed, Some(DEADLINE_MESSAGE.to_owned()));
                return;
            }
        };
        let result = match joined {
            Ok(result) => result,
            Err(error) => wasm_workflows_sdk::protocol::PluginResult::failed(format!("the step's task ended: {error}")),
        };
        let phase = match result.phase {
            wasm_workflows_sdk::protocol::Phase::Succeeded => Phase::Succeeded,
            wasm_workflows_sdk::protocol::Phase::Failed => Phase::Failed,
        };
        let outputs = node_outputs(&result);
        self.nodes.update(&id, |node| node.outputs = outputs);
        let message = Some(result.message).filter(|m| !m.is_empty());
        self.nodes.finish(&id, phase, message);
    }

    /// Sends the request of an `http` template; the node takes the reply
    /// as Argo's `reconcileTaskSet` copies the agent's (`taskset.go` 153-156):
    /// its phase, message and outputs (`result`, the body).
    async fn run_http(&self, this: Boundary, template: Value) {
        let outcome = tokio::select! {
            outcome = self.http.run(&template) => outcome,
            () = self.until_deadline(this.exit_handler) => {
                self.nodes.finish(&this.id, Phase::Failed, Some(DEADLINE_MESSAGE.to_owned()));
                return;
            }
        };
        if let Some(result) = outcome.result {
            self.nodes.update(&this.id, |node| node.outputs = Some(serde_json::json!({ "result": result })));
        }
        let phase = if outcome.succeeded { Phase::Succeeded } else { Phase::Failed };
        self.nodes.finish(&this.id, phase, outcome.message);
    }

    /// Whether `boundary`'s `parallelism` lets one more node start in it:
    /// fewer of its Steps and DAG children are Pending or Running than it
    /// allows; plugin nodes are not counted (`checkParallelism`,
    /// `operator.go` 3339-3358; `getActiveChildrenCounter`, `node_counters.go` 23-31).
    pub fn has_room(&self, boundary: &Boundary) -> bool {
        let Some(limit) = boundary.parallelism else {
            return true;
        };
        let active = self.nodes.count(|node| {
            node.boundary_id.as_deref() == Some(boundary.id.as_str())
                && matches!(node.node_type, NodeType::Steps | NodeType::Dag)
                && matches!(node.phase, Phase::Pending | Phase::Running)
        });
        active < limit
    }

    /// Whether `boundary`'s template has `failFast` and a failed or errored child of type Steps or
    /// DAG, so that no further child of it may start (`checkParallelism`, `operator.go` 3304-3318
    /// and 3342-3353; `getUnsuccessfulChildren`, `node_counters.go` 33-41). Argo applies it only
    /// while no pod of the node is active; plugin and HTTP nodes are not pods, so here it always
    /// applies, and failed plugin or HTTP children do not count.
    pub fn fails_fast(&self, boundary: &Boundary) -> bool {
        boundary.fail_fast
            && self.nodes.count(|node| {
                node.boundary_id.as_deref() == Some(boundary.id.as_str())
                    && matches!(node.node_type, NodeType::Steps | NodeType::Dag)
                    && node.phase.failed_or_error()
            }) > 0
    }

    /// Whether the workflow's deadline has passed.
    pub fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|deadline| Utc::now() > deadline)
    }

    /// Waits out a suspend template's duration (`operator.go` 3998-4012).
    async fn run_suspend(&self, id: String, template: Value) {
        match super::suspend::duration(&template) {
            Ok(duration) => {
                self.nodes.update(&id, |node| node.phase = Phase::Running);
                tokio::time::sleep(duration).await;
                self.nodes.finish(&id, Phase::Succeeded, None);
            }
            Err(message) => self.nodes.finish(&id, Phase::Error, Some(message)),
        }
    }

    /// The scope a steps or DAG template starts with: the global names and its inputs.
    pub fn template_scope(&self, template: &Value) -> Scope {
        let mut scope = self.globals();
        scope.extend(arguments::input_scope(template));
        scope
    }
}
