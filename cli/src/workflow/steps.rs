//! A `steps` template, as Argo's `executeSteps` and `executeStepGroup`
//! run it (`workflow/controller/steps.go`):
//!
//! - group `i` is a StepGroup node `NAME[i]`; the first hangs from the
//!   steps node, each next one from the outbound nodes of the previous
//!   group's children (from the previous group itself when it has none) (70-110);
//! - a step is node `NAME[i].STEP`, a loop's children `NAME[i].STEP(j:ITEM)`;
//!   a loop without items is a Skipped node, "Skipped, empty params" (585-592);
//!   a false `when` a Skipped node, "when 'COND' evaluated false" (283-290);
//! - the steps of a group run at once; the group fails with
//!   "child 'ID' failed" for its first failed child that does not
//!   `continueOn` that phase (366-380), and the steps node then fails with
//!   the group's message (120-128);
//! - with the template's `failFast: true`, no child starts once a Steps or
//!   DAG child has failed or errored; the last group and the steps node
//!   fail with "template has failed or errored children and failFast
//!   enabled" (operator.go 3304-3318);
//! - the steps node's outbound nodes are those of its last group's
//!   children (203-234); its outputs come from its scope.

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::Value;

use super::execution::{Boundary, Execution, FAIL_FAST_MESSAGE};
use super::loops;
use super::nodes::{NodeType, Phase};
use super::outputs::{aggregate_scope, node_scope, template_outputs};
use super::substitute::Scope;

/// A step's `continueOn`: whether a failed or errored step lets its group go on.
pub fn continues_on(step: &Value, phase: Phase) -> bool {
    let on = |key: &str| step.pointer(&format!("/continueOn/{key}")).and_then(Value::as_bool).unwrap_or(false);
    (phase == Phase::Failed && on("failed")) || (phase == Phase::Error && on("error"))
}

impl Execution {
    /// Runs the steps of `template` below node `this`.
    pub async fn run_steps(&self, this: Boundary, template: Value) {
        let mut scope = self.template_scope(&template);
        let groups: Vec<Vec<Value>> = template["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|group| group.as_array().cloned().unwrap_or_default())
            .collect();
        for (index, group) in groups.iter().enumerate() {
            // The workflow's outputs exported so far (`addWorkflowOutputsToLocalScope`, steps.go 68).
            scope.extend(self.globals());
            let group_name = format!("{}[{index}]", this.name);
            let group_id =
                self.create_node(&group_name, NodeType::StepGroup, None, Some(&this), Phase::Running, None, None);
            if index == 0 {
                self.nodes.add_child(&this.id, &group_id);
            } else {
                let previous = self.id(&format!("{}[{}]", this.name, index - 1));
                let children = self.nodes.get(&previous).map(|n| n.children).unwrap_or_default();
                if children.is_empty() {
                    self.nodes.add_child(&previous, &group_id);
                }
                for child in children {
                    for outbound in self.nodes.outbound(&child) {
                        self.nodes.add_child(&outbound, &group_id);
                    }
                }
            }
            let group_boundary = Boundary { id: group_id.clone(), name: group_name.clone(), ..this.clone() };
            self.run_group(&group_boundary, &this, group, &scope).await;
            let group_node = self.nodes.get(&group_id).expect("the group's node exists");
            if group_node.phase.failed_or_error() {
                self.set_outbound_of_steps(&this, groups.len());
                self.nodes.finish(&this.id, Phase::Failed, group_node.message);
                return;
            }
            for step in group {
                let step_name = step.get("name").and_then(Value::as_str).unwrap_or_default();
                let child_name = format!("{group_name}.{step_name}");
                match self.nodes.get(&self.id(&child_name)) {
                    Some(child) => scope.extend(node_scope("steps", step_name, &child)),
                    None => {
                        let prefix = format!("{child_name}(");
                        let children: Vec<_> = group_node
                            .children
                            .iter()
                            .filter_map(|id| self.nodes.get(id))
                            .filter(|n| n.name.starts_with(&prefix) && n.node_type != NodeType::Skipped)
                            .collect();
                        if !children.is_empty() {
                            scope.extend(aggregate_scope("steps", step_name, &children));
                        }
                        scope.extend(node_scope("steps", step_name, &group_node));
                    }
                }
            }
        }
        self.set_outbound_of_steps(&this, groups.len());
        match template_outputs(&template, &scope) {
            Ok(outputs) => {
                self.export_outputs(outputs.as_ref());
                self.nodes.update(&this.id, |node| node.outputs = outputs);
                self.nodes.finish(&this.id, Phase::Succeeded, None);
            }
            Err(message) => self.nodes.finish(&this.id, Phase::Error, Some(message)),
        }
    }

    /// The steps node's outbound nodes: those of its last group's children.
    fn set_outbound_of_steps(&self, this: &Boundary, groups: usize) {
        let last = (0..groups).rev().find_map(|i| self.nodes.get(&self.id(&format!("{}[{i}]", this.name))));
        let Some(last) = last else {
            return;
        };
        let outbound: Vec<String> = last.children.iter().flat_map(|child| self.nodes.outbound(child)).collect();
        self.nodes.update(&this.id, |node| node.outbound_nodes = outbound);
    }

    /// Runs one group of steps at once below `group`; ends its node.
    async fn run_group(&self, group: &Boundary, steps_node: &Boundary, steps: &[Value], scope: &Scope) {
        // Every step is resolved (and its loop expanded) before any starts (steps.go 251-262).
        let mut resolved_steps = Vec::new();
        for step in steps {
            match loops::expand_in(step, scope) {
                Ok(expanded) => resolved_steps
                    .push((step, expanded.into_children(step.get("name").and_then(Value::as_str).unwrap_or_default()))),
                Err(message) => {
                    self.nodes.finish(&group.id, Phase::Error, Some(message));
                    return;
                }
            }
        }
        let hook_errors = std::sync::Mutex::new(Vec::<String>::new());
        let mut running = FuturesUnordered::new();
        let mut error = None;
        let mut fail_fast = false;
        'steps: for (step, expanded) in resolved_steps {
            let step_name = step.get("name").and_then(Value::as_str).unwrap_or_default();
            let child_name = format!("{}.{step_name}", group.name);
            if expanded.is_empty() {
                let template = step.get("template").and_then(Value::as_str);
                let message = Some("Skipped, empty params".to_owned());
                let id = self.create_node(
                    &child_name,
                    NodeType::Skipped,
                    template,
                    Some(steps_node),
                    Phase::Skipped,
                    message,
                    None,
                );
                self.nodes.add_child(&group.id, &id);
                continue;
            }
            for (name, resolved) in expanded {
                let node_name = format!("{}.{name}", group.name);
                let template = resolved.get("template").and_then(Value::as_str);
                if let Some(condition) = resolved.get("when").and_then(Value::as_str).filter(|w| !w.is_empty()) {
                    let (phase, message) = match super::expressions::when(condition) {
                        Ok(true) => (None, String::new()),
                        Ok(false) => (Some(Phase::Skipped), format!("when '{condition}' evaluated false")),
                        Err(message) => (Some(Phase::Error), message),
                    };
                    if let Some(phase) = phase {
                        let id = self.create_node(
                            &node_name,
                            NodeType::Skipped,
                            template,
                            Some(steps_node),
                            phase,
                            Some(message.clone()),
                            None,
                        );
                        self.nodes.add_child(&group.id, &id);
                        if phase == Phase::Error {
                            error = Some(message);
                            break 'steps;
                        }
                        continue;
                    }
                }
                // The template's parallelism: wait for room, letting the steps started run
                // (Argo leaves the step for a later pass, steps.go 297-307).
                while !self.has_room(steps_node) {
                    if running.next().await.is_none() {
                        break;
                    }
                }
                // failFast: no further child starts once one has failed (operator.go 3342-3353).
                if self.fails_fast(steps_node) {
                    fail_fast = true;
                    break 'steps;
                }
                match self.start(&node_name, &resolved, Some(steps_node)) {
                    Ok(future) if !super::exit::has_hooks(&resolved) => {
                        self.nodes.add_child(&group.id, &self.id(&node_name));
                        running.push(future);
                    }
                    Ok(future) => {
                        let id = self.id(&node_name);
                        self.nodes.add_child(&group.id, &id);
                        // The hooks name the step as the group does: a loop's child by its own name (steps.go 333-346).
                        let child_name = resolved.get("name").and_then(Value::as_str).unwrap_or(step_name).to_owned();
                        let hooked = self.with_hooks(
                            future,
                            id,
                            resolved.clone(),
                            "steps",
                            child_name,
                            steps_node.clone(),
                            scope.clone(),
                        );
                        let hook_errors = &hook_errors;
                        running.push(Box::pin(async move {
                            if let Err(message) = hooked.await {
                                hook_errors.lock().unwrap_or_else(|p| p.into_inner()).push(message);
                            }
                        }) as futures_util::future::BoxFuture<'_, ()>);
                    }
                    Err(message) => {
                        self.nodes.add_child(&group.id, &self.id(&node_name));
                        error = Some(format!("step group deemed errored due to child {node_name} error: {message}"));
                        break 'steps;
                    }
                }
            }
        }
        // Argo checks failFast again at each reconciliation of the steps node (operator.go 2318,
        // 3304-3318): a child that fails while siblings still run ends the group and the steps
        // node. The siblings already running are not stopped (Argo's plugin nodes already sent
        // to the agent run on) and keep their own phases; the group ends once they have. A
        // failed child that is the last to end is handled as any failed child ("child 'ID'
        // failed"), as Argo's executeStepGroup does in the same pass (steps.go 366-380).
        while running.next().await.is_some() {
            fail_fast |= !running.is_empty() && self.fails_fast(steps_node);
        }
        drop(running);
        let hook_error = hook_errors.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().next();
        if let Some(message) = error.or(hook_error) {
            self.nodes.finish(&group.id, Phase::Error, Some(message));
            return;
        }
        if fail_fast {
            // Argo marks the last StepGroup below the steps node (`findLeafNodeWithType`, operator.go
            // 3277-3295, 3308-3312), then the steps node (3314), which `run_steps` does with this
            // group's message. Argo's search also walks into nested steps children's own groups;
            // here the group marked is always this one, the last of this steps node.
            self.nodes.finish(&group.id, Phase::Failed, Some(FAIL_FAST_MESSAGE.to_owned()));
            return;
        }
        let children = self.nodes.get(&group.id).map(|n| n.children).unwrap_or_default();
        for child in children {
            let Some(node) = self.nodes.get(&child) else { continue };
            let step = steps
                .iter()
                .find(|s| {
                    let name = s.get("name").and_then(Value::as_str).unwrap_or_default();
                    node.name == format!("{}.{name}", group.name)
                        || node.name.starts_with(&format!("{}.{name}(", group.name))
                })
                .cloned()
                .unwrap_or(Value::Null);
            if node.phase.failed_or_error() && !continues_on(&step, node.phase) {
                self.nodes.finish(&group.id, Phase::Failed, Some(format!("child '{}' failed", node.id)));
                return;
            }
        }
        self.nodes.finish(&group.id, Phase::Succeeded, None);
    }
}
