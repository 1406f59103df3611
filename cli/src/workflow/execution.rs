//! One run of a workflow: the templates, the global names, the nodes, and
//! `start`, which does what Argo's `executeTemplate` does
//! (`workflow/controller/operator.go` 2188): find the template, give it its
//! arguments, create its node (its type from the template's kind), and
//! return what runs it. A node is created before anything awaits, so the
//! children of a node are in the order Argo gives them, whatever finishes first.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Utc;
use futures_util::future::BoxFuture;
use serde_json::Value;

use super::arguments;
use super::nodes::{Node, NodeType, Nodes, Phase, display_name, node_id};
use super::substitute::Scope;
use super::validate::{Kind, kind};
use super::wasm_step::{WasmSteps, node_outputs};

/// A run in progress.
pub struct Execution {
    /// The workflow's name.
    pub name: String,
    /// The templates, by name.
    pub templates: BTreeMap<String, Value>,
    /// `workflow.*` names.
    pub globals: Scope,
    /// The nodes so far.
    pub nodes: Nodes,
    /// What runs Wasm steps (each on a task of its own, so steps use every worker).
    pub steps: Arc<WasmSteps>,
}

/// Where a node hangs: the steps or DAG node it belongs to.
#[derive(Debug, Clone)]
pub struct Boundary {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

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
        let template_name = holder.get("template").and_then(Value::as_str).unwrap_or_default();
        let fail = |message: String| {
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
        };
        let Some(template) = self.templates.get(template_name) else {
            return fail(format!("template name '{template_name}' undefined"));
        };
        let arguments = holder.get("arguments").cloned().unwrap_or(Value::Null);
        let processed = match arguments::apply(template, &arguments, &self.globals) {
            Ok(processed) => processed,
            Err(message) => return fail(message),
        };
        let inputs = arguments::node_inputs(&processed);
        let (node_type, phase) = match kind(&processed) {
            Ok(Kind::Steps) => (NodeType::Steps, Phase::Running),
            Ok(Kind::Dag) => (NodeType::Dag, Phase::Running),
            Ok(Kind::Wasm) => (NodeType::Plugin, Phase::Pending),
            Ok(Kind::Suspend) => (NodeType::Suspend, Phase::Pending),
            Err(what) => return fail(format!("Template '{template_name}' cannot run here: it is {what}")),
        };
        let id = self.create_node(name, node_type, Some(template_name), boundary, phase, None, inputs);
        let this = Boundary { id, name: name.to_owned() };
        let running: BoxFuture<'a, ()> = match node_type {
            NodeType::Steps => Box::pin(self.run_steps(this, processed)),
            NodeType::Dag => Box::pin(self.run_dag(this, processed)),
            NodeType::Suspend => Box::pin(self.run_suspend(this.id, processed)),
            _ => Box::pin(self.run_plugin(this.id, processed)),
        };
        Ok(running)
    }

    async fn run_plugin(&self, id: String, template: Value) {
        self.nodes.update(&id, |node| node.phase = Phase::Running);
        let (steps, workflow, node_id) = (self.steps.clone(), self.name.clone(), id.clone());
        let result = match tokio::spawn(async move { steps.run(&workflow, &node_id, template).await }).await {
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
        let mut scope = self.globals.clone();
        scope.extend(arguments::input_scope(template));
        scope
    }
}
