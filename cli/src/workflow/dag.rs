//! A `dag` template, as Argo's `executeDAG` and `executeDAGTask` run it
//! (`workflow/controller/dag.go`): passes over the target tasks (`target`,
//! else the leaves, sorted), each visiting a task's dependencies first and
//! starting every task whose dependencies are all fulfilled; a pass after
//! each task that ends, until the DAG's phase is known.
//!
//! - task `T` is node `DAG.T`; it hangs from the DAG node when it has no
//!   dependencies, else from each dependency's outbound nodes (554-578);
//! - a loop is a TaskGroup node `DAG.T` over children `DAG.T(j:ITEM)`
//!   (636-643); it ends Succeeded unless a child failed (702-716);
//! - `dependencies: [A]` means `A.Succeeded || A.Skipped || A.Daemoned`
//!   (and `.Errored`/`.Failed` with `continueOn`) (`workflow/common/ancestry.go`
//!   `expandDependency`); a task whose condition is false is a Skipped node,
//!   phase Omitted, "omitted: depends condition not met" (594-599);
//! - the DAG's phase comes from its target tasks' branches: an Omitted or
//!   Skipped target takes the phase of the branch above it, Failed
//!   preferred; `failFast` (on unless false) decides at the first failed
//!   target (140-247). A failed DAG has no message, but for one that the
//!   template's `failFast: true` ended: no child starts once a Steps or DAG
//!   child has failed or errored, and the DAG fails with "template has
//!   failed or errored children and failFast enabled" (operator.go 3304-3318).

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::atomic::Ordering;

use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use serde_json::Value;

use super::execution::{Boundary, Execution, FAIL_FAST_MESSAGE};
use super::expressions::DependencyResult;
use super::loops::{self, Expansion};
use super::nodes::{NodeType, Phase};
use super::outputs::{aggregate_scope, node_scope, template_outputs};
use super::substitute::Scope;

/// The results a `depends` condition may name (`workflow/common/ancestry.go` `TaskResult`).
pub const RESULTS: [&str; 8] =
    ["Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed"];

/// The names of the tasks `task` depends on, in the order it names them.
pub fn dependencies_of(task: &Value) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    };
    if let Some(list) = task.get("dependencies").and_then(Value::as_array) {
        list.iter().filter_map(Value::as_str).for_each(&mut add);
    }
    if let Some(depends) = task.get("depends").and_then(Value::as_str) {
        for (name, _) in depends_terms(depends) {
            add(name);
        }
    }
    names
}

/// The task names in a `depends` condition, each with its `.Result` if it
/// has one (Argo's `taskNameRegex`, `workflow/common/ancestry.go`).
pub fn depends_terms(depends: &str) -> Vec<(&str, Option<&str>)> {
    let bytes = depends.as_bytes();
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let mut terms = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_alphanumeric() {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && is_name(bytes[at]) {
            at += 1;
        }
        let name = &depends[start..at];
        let mut result = None;
        if at + 1 < bytes.len() && bytes[at] == b'.' && bytes[at + 1].is_ascii_uppercase() {
            let result_start = at + 1;
            let mut end = result_start;
            while end < bytes.len() && bytes[end].is_ascii_alphabetic() {
                end += 1;
            }
            result = Some(&depends[result_start..end]);
            at = end;
        }
        terms.push((name, result));
    }
    terms
}

/// `depends` with each bare task name written out as Argo's
/// `expandDependency` does: `(A.Succeeded || A.Skipped || A.Daemoned)`.
pub fn expand_depends(depends: &str) -> String {
    let mut out = String::new();
    let mut rest = depends;
    for (name, result) in depends_terms(depends) {
        let Some(at) = rest.find(name) else { continue };
        out.push_str(&rest[..at]);
        match result {
            Some(result) => {
                let term = format!("{name}.{result}");
                out.push_str(&term);
                rest = &rest[at + term.len()..];
            }
            None => {
                out.push_str(&format!("({name}.Succeeded || {name}.Skipped || {name}.Daemoned)"));
                rest = &rest[at + name.len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `result` satisfies a plain `dependencies` entry of task `dependency`.
fn satisfies_dependency(result: &DependencyResult, dependency: &Value) -> bool {
    let on = |key: &str| dependency.pointer(&format!("/continueOn/{key}")).and_then(Value::as_bool).unwrap_or(false);
    result.succeeded
        || result.skipped
        || result.daemoned
        || (on("error") && result.errored)
        || (on("failed") && result.failed)
}

/// A DAG being run.
struct Dag<'t> {
    this: Boundary,
    template: &'t Value,
    tasks: BTreeMap<String, Value>,
    /// Each task's dependencies, in the order it names them.
    dependencies: BTreeMap<String, Vec<String>>,
    /// The tasks with a loop (those that may be task groups).
    loops: Vec<String>,
    /// The scope so far: the template's, and every fulfilled task's names.
    scope: std::sync::Mutex<TasksScope>,
    /// Whether the template's `failFast` has stopped it: a child did not start for it.
    stopped: std::sync::atomic::AtomicBool,
}

/// The DAG's scope, grown as tasks end (each task's names are added once).
struct TasksScope {
    scope: Scope,
    /// The tasks not in it yet.
    waiting: Vec<String>,
}

impl Dag<'_> {
    fn task_node_name(&self, task: &str) -> String {
        format!("{}.{task}", self.this.name)
    }
}

impl Execution {
    /// Runs the DAG of `template` below node `this`.
    pub async fn run_dag(&self, this: Boundary, template: Value) {
        let tasks: BTreeMap<String, Value> = template["dag"]["tasks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| Some((t.get("name")?.as_str()?.to_owned(), t.clone())))
            .collect();
        let dependencies: BTreeMap<String, Vec<String>> =
            tasks.iter().map(|(name, task)| (name.clone(), dependencies_of(task))).collect();
        let loops =
            tasks.iter().filter(|(_, task)| loops::items(task).is_some()).map(|(name, _)| name.clone()).collect();
        let scope = TasksScope { scope: self.template_scope(&template), waiting: tasks.keys().cloned().collect() };
        let dag = Dag {
            this,
            template: &template,
            tasks,
            dependencies,
            loops,
            scope: std::sync::Mutex::new(scope),
            stopped: Default::default(),
        };
        let targets: Vec<String> = match template["dag"].get("target").and_then(Value::as_str) {
            Some(target) if !target.trim().is_empty() => {
                target.split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect()
            }
            _ => {
                let mut leaves: Vec<String> = dag
                    .tasks
                    .keys()
                    .filter(|name| !dag.dependencies.values().any(|d| d.contains(name)))
                    .cloned()
                    .collect();
                leaves.sort();
                leaves
            }
        };
        let mut running: FuturesUnordered<BoxFuture<'_, ()>> = FuturesUnordered::new();
        let phase = loop {
            // A pass; again while it completes a task group (its dependents may now start).
            loop {
                let mut visited = HashSet::new();
                for target in &targets {
                    self.visit(&dag, target, &mut running, &mut visited);
                }
                if !self.complete_task_groups(&dag) {
                    break;
                }
            }
            if dag.stopped.load(Ordering::Relaxed) {
                break Phase::Failed;
            }
            let phase = self.assess(&dag, &targets);
            if phase != Phase::Running {
                break phase;
            }
            if running.next().await.is_none() {
                break Phase::Error;
            }
            // Every other node that has ended meanwhile, before the next pass.
            while let Some(Some(())) = running.next().now_or_never() {}
            // Argo checks failFast at each reconciliation of the DAG node (operator.go 2318,
            // 3304-3318): a child that fails while others still run ends the DAG. Those already
            // running are not stopped (Argo's plugin nodes already sent to the agent run on) and
            // keep their own phases; the DAG ends once they have. A failed child that was the last
            // running is left to the pass below, as Argo's executeDAG assesses it in the same pass
            // (dag.go 317-358): failFast applies there only if that pass would start another child.
            if !running.is_empty() && self.fails_fast(&dag.this) {
                dag.stopped.store(true, Ordering::Relaxed);
                break Phase::Failed;
            }
        };
        while running.next().await.is_some() {}
        while self.complete_task_groups(&dag) {}
        let outbound: Vec<String> = targets
            .iter()
            .map(|t| self.id(&dag.task_node_name(t)))
            .filter(|id| self.nodes.has(id))
            .flat_map(|id| self.nodes.outbound(&id))
            .collect();
        self.nodes.update(&dag.this.id, |node| node.outbound_nodes = outbound);
        if dag.stopped.load(Ordering::Relaxed) {
            self.nodes.finish(&dag.this.id, Phase::Failed, Some(FAIL_FAST_MESSAGE.to_owned()));
            return;
        }
        if phase != Phase::Succeeded {
            self.nodes.finish(&dag.this.id, phase, None);
            return;
        }
        let scope = self.tasks_scope(&dag).scope.clone();
        // The tasks' outputs are exported when the DAG succeeds (dag.go 411).
        for name in dag.tasks.keys() {
            if let Some(node) = self.nodes.get(&self.id(&dag.task_node_name(name))) {
                self.export_outputs(node.outputs.as_ref());
            }
        }
        match template_outputs(dag.template, &scope) {
            Ok(outputs) => {
                self.nodes.update(&dag.this.id, |node| node.outputs = outputs);
                self.nodes.finish(&dag.this.id, Phase::Succeeded, None);
            }
            Err(message) => self.nodes.finish(&dag.this.id, Phase::Error, Some(message)),
        }
    }

    /// The DAG template's scope with the names of every fulfilled task
    /// (those whose node is fulfilled are added once, as they end) and the
    /// workflow's names as they are now.
    fn tasks_scope<'d>(&self, dag: &'d Dag<'_>) -> std::sync::MutexGuard<'d, TasksScope> {
        let mut cache = dag.scope.lock().unwrap_or_else(|p| p.into_inner());
        cache.scope.extend(self.globals());
        let waiting = std::mem::take(&mut cache.waiting);
        for name in waiting {
            let id = self.id(&dag.task_node_name(&name));
            if !self.nodes.phase(&id).is_some_and(Phase::fulfilled) {
                cache.waiting.push(name);
                continue;
            }
            let Some(node) = self.nodes.get(&id) else { continue };
            if node.node_type == NodeType::TaskGroup {
                let children: Vec<_> = node.children.iter().filter_map(|id| self.nodes.get(id)).collect();
                cache.scope.extend(aggregate_scope("tasks", &name, &children));
            }
            cache.scope.extend(node_scope("tasks", &name, &node));
        }
        cache
    }

    /// What task `name`'s dependency ended as.
    fn result_of(&self, dag: &Dag<'_>, name: &str) -> Option<DependencyResult> {
        let node = self.nodes.get(&self.id(&dag.task_node_name(name)))?;
        // A dependency has ended when it and its hooks have (`CheckAllHooksFullfilled`, dag.go 982).
        let hooks_ended = node
            .children
            .iter()
            .filter_map(|child| self.nodes.get(child))
            .filter(|child| child.hooked)
            .all(|child| child.phase.fulfilled());
        if !node.phase.fulfilled() || !hooks_ended {
            return None;
        }
        let (mut any_succeeded, mut all_failed) = (false, false);
        if node.node_type == NodeType::TaskGroup {
            all_failed = !node.children.is_empty();
            for child in &node.children {
                let phase = self.nodes.phase(child);
                any_succeeded |= phase == Some(Phase::Succeeded);
                all_failed &= phase == Some(Phase::Failed);
            }
        }
        Some(DependencyResult {
            succeeded: node.phase == Phase::Succeeded,
            failed: node.phase == Phase::Failed,
            errored: node.phase == Phase::Error,
            skipped: node.phase == Phase::Skipped,
            omitted: node.phase == Phase::Omitted,
            daemoned: false,
            any_succeeded,
            all_failed,
        })
    }

    /// Hangs node `node_name` from the DAG (no dependencies), its task
    /// group, or its dependencies' outbound nodes.
    fn connect(&self, dag: &Dag<'_>, node_name: &str, dependencies: &[String], group: Option<&str>) {
        let id = self.id(node_name);
        match group {
            Some(group) => self.nodes.add_child(group, &id),
            None if dependencies.is_empty() => self.nodes.add_child(&dag.this.id, &id),
            None => {
                for dependency in dependencies {
                    for outbound in self.nodes.outbound(&self.id(&dag.task_node_name(dependency))) {
                        self.nodes.add_child(&outbound, &id);
                    }
                }
            }
        }
    }

    /// Visits task `name`: its dependencies first, then the task itself
    /// when they are all fulfilled and it has no node yet.
    fn visit<'a>(
        &'a self,
        dag: &Dag<'_>,
        name: &str,
        running: &mut FuturesUnordered<BoxFuture<'a, ()>>,
        visited: &mut HashSet<String>,
    ) {
        if !visited.insert(name.to_owned()) {
            return;
        }
        let Some(task) = dag.tasks.get(name) else { return };
        let node_name = dag.task_node_name(name);
        let dependencies = dag.dependencies.get(name).cloned().unwrap_or_default();
        // A task group some of whose children waited for room (parallelism) is visited again
        // to start them (dag.go 636-667); any other task that has a node is done with.
        let id = self.id(&node_name);
        let existing = self.nodes.read(|nodes| nodes.get(&id).map(|n| (n.node_type, n.phase)));
        let resuming = match existing {
            Some((NodeType::TaskGroup, phase)) if !phase.fulfilled() => {
                if dag.this.parallelism.is_none() {
                    return;
                }
                Some(id)
            }
            Some(_) => return,
            None => None,
        };
        if let Some(group) = resuming {
            let cache = self.tasks_scope(dag);
            if let Ok(Expansion::Loop(children)) = loops::expand_in(task, &cache.scope) {
                self.start_children(dag, name, &cache.scope, children, &dependencies, Some(group), running);
            }
            return;
        }
        for dependency in &dependencies {
            self.visit(dag, dependency, running, visited);
        }
        let mut results = BTreeMap::new();
        for dependency in &dependencies {
            match self.result_of(dag, dependency) {
                Some(result) => results.insert(dependency.clone(), result),
                None => return,
            };
        }
        let template_name = task.get("template").and_then(Value::as_str);
        let skipped = |phase: Phase, message: String| {
            self.connect(dag, &node_name, &dependencies, None);
            self.create_node(&node_name, NodeType::Skipped, template_name, Some(&dag.this), phase, Some(message), None);
        };
        let execute = match task.get("depends").and_then(Value::as_str) {
            Some(depends) => {
                let logic = expand_depends(depends);
                match super::expressions::depends(&logic, &results) {
                    Ok(execute) => execute,
                    Err(message) => return skipped(Phase::Error, message),
                }
            }
            None => dependencies.iter().all(|dependency| {
                let result = &results[dependency];
                satisfies_dependency(result, dag.tasks.get(dependency).unwrap_or(&Value::Null))
            }),
        };
        if !execute {
            return skipped(Phase::Omitted, "omitted: depends condition not met".into());
        }
        if self.stopped_by_fail_fast(dag) {
            return;
        }
        let cache = self.tasks_scope(dag);
        let scope = &cache.scope;
        let expanded = match loops::expand_in(task, scope) {
            Ok(expanded) => expanded,
            Err(message) => return skipped(Phase::Error, message),
        };
        let group = match &expanded {
            Expansion::Loop(children) if children.is_empty() => {
                return skipped(Phase::Skipped, "Skipped, empty params".into());
            }
            Expansion::Loop(_) => {
                self.connect(dag, &node_name, &dependencies, None);
                let id = self.create_node(
                    &node_name,
                    NodeType::TaskGroup,
                    template_name,
                    Some(&dag.this),
                    Phase::Running,
                    None,
                    None,
                );
                Some(id)
            }
            Expansion::Single(_) => None,
        };
        let children = expanded.into_children(name);
        self.start_children(dag, name, scope, children, &dependencies, group, running);
    }

    /// Starts the nodes of task `name` (`children`: the task itself, or its
    /// loop's children in `group`) that do not exist yet, as the DAG's
    /// parallelism lets them.
    #[allow(clippy::too_many_arguments)]
    fn start_children<'a>(
        &'a self,
        dag: &Dag<'_>,
        name: &str,
        scope: &Scope,
        children: Vec<(String, Value)>,
        dependencies: &[String],
        group: Option<String>,
        running: &mut FuturesUnordered<BoxFuture<'a, ()>>,
    ) {
        for (child, resolved) in children {
            if self.nodes.has(&self.id(&dag.task_node_name(&child))) {
                continue;
            }
            if self.stopped_by_fail_fast(dag) {
                return;
            }
            let child_name = dag.task_node_name(&child);
            self.connect(dag, &child_name, dependencies, group.as_deref());
            let template_name = resolved.get("template").and_then(Value::as_str);
            if let Some(condition) = resolved.get("when").and_then(Value::as_str).filter(|w| !w.is_empty()) {
                let (phase, message) = match super::expressions::when(condition) {
                    Ok(true) => (None, String::new()),
                    Ok(false) => (Some(Phase::Skipped), format!("when '{condition}' evaluated false")),
                    Err(message) => (Some(Phase::Error), message),
                };
                if let Some(phase) = phase {
                    self.create_node(
                        &child_name,
                        NodeType::Skipped,
                        template_name,
                        Some(&dag.this),
                        phase,
                        Some(message),
                        None,
                    );
                    continue;
                }
            }
            if !self.has_room(&dag.this) {
                // Left for a later pass (dag.go 667-678): the node does not exist yet.
                continue;
            }
            match self.start(&child_name, &resolved, Some(&dag.this)) {
                Ok(future) if !super::exit::has_hooks(&resolved) => running.push(future),
                Ok(future) => {
                    let id = self.id(&child_name);
                    let hooked = self.with_hooks(
                        future,
                        id.clone(),
                        resolved.clone(),
                        "tasks",
                        name.to_owned(),
                        dag.this.clone(),
                        scope.clone(),
                    );
                    running.push(Box::pin(async move {
                        if let Err(message) = hooked.await {
                            self.nodes.finish(&id, Phase::Error, Some(message));
                        }
                    }));
                }
                Err(message) => {
                    let message = format!("task '{child_name}' errored: {message}");
                    self.nodes.update(&self.id(&child_name), |node| node.message = Some(message));
                }
            }
        }
    }

    /// Whether the template's `failFast` keeps a child from starting now; if so the DAG is stopped.
    /// Argo checks it before starting any child under the DAG node (operator.go 3342-3353).
    fn stopped_by_fail_fast(&self, dag: &Dag<'_>) -> bool {
        let stopped = self.fails_fast(&dag.this);
        if stopped {
            dag.stopped.store(true, Ordering::Relaxed);
        }
        stopped
    }

    /// Ends every task group whose children have all ended; whether there was one.
    fn complete_task_groups(&self, dag: &Dag<'_>) -> bool {
        let mut completed = false;
        for name in &dag.loops {
            let id = self.id(&dag.task_node_name(name));
            // The group's phase once every child has ended: the last failure's, else Succeeded.
            let ended = self.nodes.read(|nodes| {
                let node = nodes.get(&id).filter(|n| n.node_type == NodeType::TaskGroup && !n.phase.fulfilled())?;
                let mut phase = Phase::Succeeded;
                for child in &node.children {
                    let child = nodes.get(child).filter(|c| c.phase.fulfilled())?;
                    if child.phase.failed_or_error() {
                        phase = child.phase;
                    }
                }
                Some(phase)
            });
            if let Some(phase) = ended {
                self.nodes.finish(&id, phase, None);
                completed = true;
            }
        }
        completed
    }

    /// The DAG's phase so far (Argo's `assessDAGPhase`).
    fn assess(&self, dag: &Dag<'_>, targets: &[String]) -> Phase {
        let mut target_phases: BTreeMap<String, Option<Phase>> =
            targets.iter().map(|t| (self.id(&dag.task_node_name(t)), None)).collect();
        let running = self.nodes.read(|nodes| {
            let roots = nodes.get(&dag.this.id).map(|n| n.children.as_slice()).unwrap_or_default();
            let mut queue: VecDeque<(&str, Phase)> = roots.iter().map(|id| (id.as_str(), Phase::Succeeded)).collect();
            let mut seen = HashSet::new();
            while let Some((id, inherited)) = queue.pop_front() {
                if !seen.insert((id, inherited.as_str())) {
                    continue;
                }
                let Some(node) = nodes.get(id) else { return true };
                if !node.phase.fulfilled() {
                    return true;
                }
                let branch = if node.phase.completed() { node.phase } else { inherited };
                if let Some(previous) = target_phases.get_mut(id)
                    && !previous.is_some_and(Phase::failed_or_error)
                {
                    *previous = Some(branch);
                }
                queue.extend(node.children.iter().map(|child| (child.as_str(), branch)));
            }
            false
        });
        if running {
            return Phase::Running;
        }
        let fail_fast = dag.template["dag"].get("failFast").and_then(Value::as_bool).unwrap_or(true);
        let mut result = Phase::Succeeded;
        for target in targets {
            match target_phases[&self.id(&dag.task_node_name(target))] {
                None => {
                    result = Phase::Running;
                    if !fail_fast {
                        break;
                    }
                }
                Some(phase) if phase.failed_or_error() => {
                    let task = dag.tasks.get(target).unwrap_or(&Value::Null);
                    if super::steps::continues_on(task, phase) {
                        continue;
                    }
                    result = phase;
                    if fail_fast {
                        break;
                    }
                }
                Some(_) => {}
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dependencies_come_from_either_field() {
        assert_eq!(dependencies_of(&json!({"dependencies": ["A", "B"]})), ["A", "B"]);
        assert_eq!(dependencies_of(&json!({"depends": "A.Succeeded && (B-x || !C.Failed)"})), ["A", "B-x", "C"]);
    }

    #[test]
    fn bare_names_are_expanded_as_argo_does() {
        assert_eq!(expand_depends("A && B.Failed"), "(A.Succeeded || A.Skipped || A.Daemoned) && B.Failed");
        assert!(RESULTS.contains(&"AnySucceeded"));
    }

    #[test]
    fn plain_dependencies_accept_success_skips_and_continue_on() {
        let failed = DependencyResult { failed: true, ..Default::default() };
        assert!(!satisfies_dependency(&failed, &json!({})));
        assert!(satisfies_dependency(&failed, &json!({"continueOn": {"failed": true}})));
        assert!(satisfies_dependency(&DependencyResult { skipped: true, ..Default::default() }, &json!({})));
    }
}
