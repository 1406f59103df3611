//! Exit handlers and lifecycle hooks, as Argo's controller runs them:
//!
//! - the workflow's `onExit` (or `hooks.exit`) runs once its entry node has
//!   ended, as node `WF.onExit` (no boundary, no parent), with
//!   `spec.arguments` unless the hook has its own, `{{workflow.status}}`
//!   and `{{workflow.failures}}` set (`operate`, `operator.go` 437-560);
//!   a workflow that succeeded but whose exit handler failed is Failed
//!   (or Error) with the handler's message (563-576);
//! - a workflow's other hooks (`hooks.NAME` with an `expression`) run as
//!   `WF.hooks.NAME`, children of the workflow's node, when their
//!   expression holds (`executeWfLifeCycleHook`, `hooks.go` 16-58);
//! - a step's or task's `onExit` (or `hooks.exit`) runs when its node has
//!   completed (Succeeded, Failed or Error), as `NODE.onExit`, a child of
//!   that node in its boundary; the step's group (the task's dependents)
//!   wait for it; its arguments may name the node's outputs as
//!   `steps.NAME.outputs.parameters.P` (`runOnExitNode`, `exit_handler.go`);
//! - a step's or task's other hooks run as `NODE.hooks.NAME` when their
//!   expression holds (`executeTmplLifeCycleHook`, `hooks.go` 60-112).

use serde_json::{Value, json};

use super::execution::{Boundary, Execution};
use futures_util::future::BoxFuture;

use super::nodes::{Node, NodeType, Phase};
use super::substitute::{Scope, Unresolved, replace_in};

/// A hook: its template, arguments and expression.
#[derive(Debug, Clone)]
pub struct Hook {
    /// The template it runs.
    pub template: String,
    /// Its arguments (the workflow's when it has none, for an exit hook).
    pub arguments: Value,
    /// When it runs (expression hooks).
    pub expression: String,
}

/// The exit hook of a workflow spec, step or task (`onExit`, else
/// `hooks.exit`), with `defaults` as arguments when it has none
/// (`GetExitHook`/`WithArgs`, `workflow_types.go` 516-524, 1850-1872).
pub fn exit_hook(holder: &Value, defaults: &Value) -> Option<Hook> {
    let with_defaults = |arguments: Option<&Value>| match arguments {
        Some(arguments) if !arguments_empty(arguments) => arguments.clone(),
        _ => defaults.clone(),
    };
    if let Some(template) = holder.get("onExit").and_then(Value::as_str).filter(|t| !t.is_empty()) {
        return Some(Hook { template: template.to_owned(), arguments: defaults.clone(), expression: String::new() });
    }
    let hook = holder.pointer("/hooks/exit")?;
    Some(Hook {
        template: hook.get("template").and_then(Value::as_str).unwrap_or_default().to_owned(),
        arguments: with_defaults(hook.get("arguments")),
        expression: hook.get("expression").and_then(Value::as_str).unwrap_or_default().to_owned(),
    })
}

/// The hooks of `holder` other than `exit`, by name (sorted, as Go's map
/// order is not defined).
pub fn other_hooks(holder: &Value) -> Vec<(String, Hook)> {
    let Some(hooks) = holder.get("hooks").and_then(Value::as_object) else {
        return Vec::new();
    };
    hooks
        .iter()
        .filter(|(name, _)| name.as_str() != "exit")
        .map(|(name, hook)| {
            let hook = Hook {
                template: hook.get("template").and_then(Value::as_str).unwrap_or_default().to_owned(),
                arguments: hook.get("arguments").cloned().unwrap_or(Value::Null),
                expression: hook.get("expression").and_then(Value::as_str).unwrap_or_default().to_owned(),
            };
            (name.clone(), hook)
        })
        .collect()
}

/// Whether a step or task has hooks (`hooks`, `onExit`) to run after its node.
pub fn has_hooks(holder: &Value) -> bool {
    holder.get("hooks").is_some_and(|h| !h.is_null()) || holder.get("onExit").is_some_and(|h| !h.is_null())
}

/// `node` as Argo's controller has it while it runs: a plugin node is
/// Pending until the plugin replies (`plugin_template.go` 15, `taskset.go`
/// 150-153), never Running.
fn as_argo_records(mut node: Node) -> Node {
    if node.node_type == NodeType::Plugin && !node.phase.fulfilled() {
        node.phase = Phase::Pending;
    }
    node
}

/// Whether `arguments` has no parameters and no artifacts (`Arguments.IsEmpty`).
fn arguments_empty(arguments: &Value) -> bool {
    let empty = |key: &str| arguments.get(key).and_then(Value::as_array).is_none_or(Vec::is_empty);
    empty("parameters") && empty("artifacts")
}

/// `{{workflow.failures}}`: the failed and errored nodes as JSON, quoted as
/// Go's `strconv.Quote` does (`operator.go` 450-478).
pub fn failures(workflow: &str, nodes: &[Node]) -> String {
    let failed: Vec<String> = nodes
        .iter()
        .filter(|node| node.phase.failed_or_error())
        .map(|node| {
            let template = node.template_name.clone().unwrap_or_default();
            let finished = node.finished_at.map_or("null".to_owned(), |t| {
                go_json_string(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            });
            format!(
                "{{\"displayName\":{},\"message\":{},\"templateName\":{},\"phase\":{},\"podName\":{},\"finishedAt\":{}}}",
                go_json_string(&node.display_name),
                go_json_string(node.message.as_deref().unwrap_or_default()),
                go_json_string(&template),
                go_json_string(node.phase.as_str()),
                go_json_string(&pod_name(workflow, &node.name, &template)),
                finished,
            )
        })
        .collect();
    let list = if failed.is_empty() { "null".to_owned() } else { format!("[{}]", failed.join(",")) };
    go_quote(&list)
}

/// A pod's name for a node (`GeneratePodName` v2, `workflow/util/pod_name.go` 50-69).
fn pod_name(workflow: &str, node: &str, template: &str) -> String {
    if workflow == node {
        return workflow.to_owned();
    }
    let mut prefix = if template.is_empty() { workflow.to_owned() } else { format!("{workflow}-{template}") };
    if prefix.len() > 242 {
        prefix.truncate(242);
    }
    let hash = super::nodes::node_id("", node);
    format!("{prefix}{hash}")
}

/// A string as Go's `json.Marshal` writes it (`<`, `>`, `&` escaped).
fn go_json_string(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Go's `strconv.Quote`.
fn go_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            '\u{7}' => quoted.push_str("\\a"),
            '\u{8}' => quoted.push_str("\\b"),
            '\u{c}' => quoted.push_str("\\f"),
            '\u{b}' => quoted.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => quoted.push_str(&format!("\\x{:02x}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

impl Execution {
    /// Runs `hook` as node `name` below `boundary`, a hook node, child of
    /// node `parent` as soon as it exists; its arguments resolved in
    /// `scope`. Returns once it has ended.
    pub async fn run_hook(&self, name: &str, hook: &Hook, parent: &str, boundary: Option<&Boundary>, scope: &Scope) {
        // Names not in the scope are left as they are (`ReplaceStrictAny` without strict prefixes,
        // exit_handler.go 84-91).
        let mut arguments = hook.arguments.clone();
        let holder = match replace_in(&mut arguments, scope, Unresolved::Keep) {
            Ok(()) => json!({"template": hook.template, "arguments": arguments}),
            Err(_) => json!({"template": hook.template, "arguments": hook.arguments}),
        };
        let started = self.start_in(name, &holder, boundary, true);
        self.nodes.update(&self.id(name), |node| node.hooked = true);
        self.nodes.add_child(parent, &self.id(name));
        if let Ok(running) = started {
            running.await;
        }
    }

    /// After step or task `step_name`'s node `node` (of `holder`, in a
    /// scope `scope` with `prefix` `steps` or `tasks`) has ended: its hooks
    /// whose expression holds, then its exit hook when it completed. The
    /// error is the hook expression's (the boundary then errs).
    pub async fn run_node_hooks(
        &self,
        holder: &Value,
        prefix: &str,
        step_name: &str,
        node: &Node,
        boundary: &Boundary,
        scope: &Scope,
    ) -> Result<(), String> {
        let mut scope = scope.clone();
        // The workflow's names as they are now (`env.GetFuncMap(scope.getParametersAny(woc.globalParams()))`, hooks.go 73).
        scope.extend(self.globals());
        scope.extend(super::outputs::node_scope(prefix, step_name, node));
        scope.insert(format!("{prefix}.{}.status", node.display_name), node.phase.as_str().to_owned());
        for (hook_name, hook) in other_hooks(holder) {
            if hook.expression.is_empty() {
                return Err(format!("Expression required for hook {}.hooks.{hook_name}", node.name));
            }
            let name = format!("{}.hooks.{hook_name}", node.name);
            if !self.nodes.has(&self.id(&name)) && super::expressions::evaluate_bool_in(&hook.expression, &scope)? {
                self.run_hook(&name, &hook, &node.id, Some(boundary), &scope).await;
            }
        }
        if !node.phase.completed() || self.nodes.has(&self.id(&format!("{}.onExit", node.name))) {
            return Ok(());
        }
        if let Some(hook) = exit_hook(holder, &self.workflow_arguments) {
            if !hook.expression.is_empty() && !super::expressions::evaluate_bool_in(&hook.expression, &scope)? {
                return Ok(());
            }
            let name = format!("{}.onExit", node.name);
            self.run_hook(&name, &hook, &node.id, Some(boundary), &scope).await;
        }
        Ok(())
    }

    /// `running`, node `id` of step or task `step_name` (`holder`, in `scope`
    /// with `prefix` `steps` or `tasks`), with its hooks: those whose
    /// expression holds when it starts (a plugin node is Pending until it
    /// replies in Argo: `plugin_template.go` 15, `taskset.go` 150-153), then
    /// again whenever its phase or a `workflow.*` name changes while it
    /// runs, then, once it has ended, the others and its exit hook. Argo
    /// evaluates a step's or task's hooks at every reconciliation of its
    /// steps or DAG node, for as long as the node exists (`steps.go`
    /// 324-341, `dag.go` 333-346 and 476-491, `hooks.go` 59-112), so a hook
    /// whose expression comes true mid-run fires then. The error is a hook
    /// expression's.
    #[allow(clippy::too_many_arguments)]
    pub async fn with_hooks(
        &self,
        running: BoxFuture<'_, ()>,
        id: String,
        holder: Value,
        prefix: &str,
        step_name: String,
        boundary: Boundary,
        scope: Scope,
    ) -> Result<(), String> {
        // The node as it starts, read before `running` is first polled: on a
        // busy machine a short node could otherwise have ended by the time
        // the hooks are checked, and a `Running` hook would never fire.
        let at_start = self.nodes.get(&id);
        let (ended, mut ended_seen) = tokio::sync::oneshot::channel::<()>();
        let watching = async {
            let Some(node) = at_start.map(as_argo_records) else { return Ok(()) };
            self.run_node_hooks(&holder, prefix, &step_name, &node, &boundary, &scope).await?;
            if other_hooks(&holder).is_empty() {
                return Ok(());
            }
            let mut evaluated = (node.phase, self.globals_version());
            loop {
                let changed = self.nodes.changed();
                tokio::pin!(changed);
                // Counts the changes from now on, those made while the hooks below run included.
                changed.as_mut().enable();
                let Some(phase) = self.nodes.phase(&id).filter(|phase| !phase.fulfilled()) else {
                    return Ok(()); // Its end is evaluated below, once `running` is done.
                };
                let now = (phase, self.globals_version());
                if now != evaluated
                    && let Some(node) = self.nodes.get(&id).map(as_argo_records)
                {
                    evaluated = now;
                    self.run_node_hooks(&holder, prefix, &step_name, &node, &boundary, &scope).await?;
                }
                tokio::select! {
                    () = &mut changed => {}
                    _ = &mut ended_seen => return Ok(()),
                }
            }
        };
        // The hooks first: a hook that fires creates its node before the node
        // it watches first runs, so it starts while that node is as it was.
        let running = async {
            running.await;
            drop(ended);
        };
        let (started, ()) = futures_util::join!(watching, running);
        let Some(node) = self.nodes.get(&id) else { return started };
        let ended = self.run_node_hooks(&holder, prefix, &step_name, &node, &boundary, &scope).await;
        started.and(ended)
    }

    /// The workflow's hooks other than `exit` whose expression holds now
    /// and that have not run yet: each as `WF.hooks.NAME`, a child of the
    /// workflow's node. The error is the first expression's.
    pub async fn run_workflow_hooks(&self, spec: &Value) -> Result<(), String> {
        for (hook_name, hook) in other_hooks(spec) {
            let name = format!("{}.hooks.{hook_name}", self.name);
            if self.nodes.has(&self.id(&name)) {
                continue;
            }
            if hook.expression.is_empty() {
                return Err(format!("Expression required for hook {name}"));
            }
            let globals = self.globals();
            if super::expressions::evaluate_bool_in(&hook.expression, &globals)? {
                self.run_hook(&name, &hook, &self.name, None, &globals).await;
            }
        }
        Ok(())
    }

    /// The workflow's hooks other than `exit`, evaluated again whenever a
    /// node is created or changes phase, until the workflow's node has
    /// ended: Argo evaluates them on every reconciliation, with
    /// `workflow.status` (the entry node's phase) and `workflow.failures`
    /// as they are then (`operate`, `operator.go` 447-481). The error is
    /// the first expression's.
    pub async fn run_workflow_hooks_while_running(&self, spec: &Value) -> Result<(), String> {
        if other_hooks(spec).is_empty() {
            return Ok(());
        }
        loop {
            let changed = self.nodes.changed();
            tokio::pin!(changed);
            // Counts the changes from now on, those made while the hooks below are evaluated included.
            changed.as_mut().enable();
            let Some(phase) = self.nodes.phase(&self.name).filter(|phase| !phase.fulfilled()) else {
                return Ok(());
            };
            self.set_status_globals(phase);
            self.run_workflow_hooks(spec).await?;
            changed.await;
        }
    }

    /// The workflow's exit handler, if it has one: node `WF.onExit`, ended.
    pub async fn run_workflow_exit(&self, spec: &Value) -> Option<Node> {
        let hook = exit_hook(spec, &self.workflow_arguments)?;
        let name = format!("{}.onExit", self.name);
        // Not a child of any node (`operator.go` 503-510): a parent that does not exist.
        self.run_hook(&name, &hook, "", None, &self.globals()).await;
        self.nodes.get(&self.id(&name))
    }

    /// Sets `workflow.status` (the workflow's phase so far) and `workflow.failures`.
    pub fn set_status_globals(&self, phase: Phase) {
        let nodes: Vec<Node> = self.nodes.all().into_values().collect();
        self.set_global("workflow.status".into(), phase.as_str().to_owned());
        self.set_global("workflow.failures".into(), failures(&self.name, &nodes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_hooks_take_the_workflows_arguments_when_they_have_none() {
        let defaults = json!({"parameters": [{"name": "a", "value": "1"}]});
        let hook = exit_hook(&json!({"onExit": "bye"}), &defaults).unwrap();
        assert_eq!((hook.template.as_str(), &hook.arguments), ("bye", &defaults));
        let own = json!({"parameters": [{"name": "b", "value": "2"}]});
        let hook = exit_hook(&json!({"hooks": {"exit": {"template": "t", "arguments": own}}}), &defaults).unwrap();
        assert_eq!(hook.arguments, own);
        assert!(exit_hook(&json!({"hooks": {"running": {"template": "t"}}}), &defaults).is_none());
    }

    #[test]
    fn strings_are_quoted_as_go_does() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
        assert_eq!(go_json_string("<a&b>"), "\"\\u003ca\\u0026b\\u003e\"");
        assert_eq!(failures("wf", &[]), "\"null\"");
    }
}
