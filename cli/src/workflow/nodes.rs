//! The workflow's nodes as Argo's controller records them in
//! `status.nodes`: ids, names, display names, types, phases, messages, the
//! graph (`children`, `outboundNodes`) and each node's inputs and outputs.
//!
//! Facts from argoproj/argo-workflows (f016ad8):
//! - a node's id is the workflow's name, `-`, and the 32-bit FNV-1a hash of
//!   the node's name in decimal; the workflow's own node has the workflow's
//!   name (`Workflow.NodeID`, `pkg/apis/workflow/v1alpha1/workflow_types.go` 3870);
//! - a display name is the node's name without its boundary node's name and
//!   without a leading `[N].` or `.` (`initializeNode`, `workflow/controller/operator.go`
//!   3071-3075, the pattern at 2950);
//! - Skipped and Omitted phases are fulfilled but not completed
//!   (`NodePhase.Fulfilled`/`Completed`, `workflow_types.go` 2673-2685).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::watch::Watcher;

/// What kind of node (Argo's `NodeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    /// A `steps` template.
    Steps,
    /// One group of parallel steps.
    StepGroup,
    /// A `dag` template.
    Dag,
    /// A DAG task expanded by a loop.
    TaskGroup,
    /// An executor-plugin template (`plugin.wasm`).
    Plugin,
    /// A step or task that did not run (`when` false, `depends` not met, an error before it ran).
    Skipped,
    /// A template with a `retryStrategy`: its attempts are its children.
    Retry,
    /// A `suspend` template, waiting its `duration`.
    Suspend,
    /// An `http` template: one request, sent by the host.
    Http,
}

impl NodeType {
    /// Argo's name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Steps => "Steps",
            NodeType::StepGroup => "StepGroup",
            NodeType::Dag => "DAG",
            NodeType::TaskGroup => "TaskGroup",
            NodeType::Plugin => "Plugin",
            NodeType::Skipped => "Skipped",
            NodeType::Retry => "Retry",
            NodeType::Suspend => "Suspend",
            NodeType::Http => "HTTP",
        }
    }
}

/// A node's phase (Argo's `NodePhase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not started yet.
    Pending,
    /// Under way.
    Running,
    /// Done, and it worked.
    Succeeded,
    /// `when` was false, or a loop had no items.
    Skipped,
    /// Done, and it failed.
    Failed,
    /// It could not be run.
    Error,
    /// Its `depends` condition was not met.
    Omitted,
}

impl Phase {
    /// Argo's name of the phase.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Running => "Running",
            Phase::Succeeded => "Succeeded",
            Phase::Skipped => "Skipped",
            Phase::Failed => "Failed",
            Phase::Error => "Error",
            Phase::Omitted => "Omitted",
        }
    }

    /// Failed or Error.
    pub fn failed_or_error(self) -> bool {
        matches!(self, Phase::Failed | Phase::Error)
    }

    /// Ended by running: Succeeded, Failed or Error (not Skipped or Omitted).
    pub fn completed(self) -> bool {
        self.failed_or_error() || self == Phase::Succeeded
    }

    /// Nothing more will happen to it: completed, Skipped or Omitted.
    pub fn fulfilled(self) -> bool {
        self.completed() || matches!(self, Phase::Skipped | Phase::Omitted)
    }
}

/// The id of the node called `name` in workflow `workflow`.
pub fn node_id(workflow: &str, name: &str) -> String {
    if name == workflow {
        return workflow.to_owned();
    }
    format!("{workflow}-{}", fnv1a_32(name.as_bytes()))
}

/// The 32-bit FNV-1a hash.
fn fnv1a_32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193))
}

/// The display name of node `name` whose boundary node is called `boundary`.
pub fn display_name(name: &str, boundary: Option<&str>) -> String {
    let Some(boundary) = boundary else {
        return name.to_owned();
    };
    let rest = name.strip_prefix(boundary).unwrap_or(name);
    // `^(\[\d+\])?\.`: an optional step-group index, then a dot.
    let after_index = match rest.strip_prefix('[') {
        Some(inner) => match inner.find(']') {
            Some(end) if end > 0 && inner[..end].bytes().all(|b| b.is_ascii_digit()) => &inner[end + 1..],
            _ => rest,
        },
        None => rest,
    };
    match after_index.strip_prefix('.') {
        Some(display) => display.to_owned(),
        None => rest.to_owned(),
    }
}

/// One node of `status.nodes`.
#[derive(Debug, Clone)]
pub struct Node {
    /// Its id.
    pub id: String,
    /// Its full name.
    pub name: String,
    /// Its name within its boundary.
    pub display_name: String,
    /// Its type.
    pub node_type: NodeType,
    /// The template it runs (the step's or task's `template`).
    pub template_name: Option<String>,
    /// Its phase.
    pub phase: Phase,
    /// The id of the steps or DAG node it belongs to.
    pub boundary_id: Option<String>,
    /// What happened, when there is something to say.
    pub message: Option<String>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Its template's inputs, resolved.
    pub inputs: Option<Value>,
    /// Its outputs.
    pub outputs: Option<Value>,
    /// The ids of the nodes that follow it.
    pub children: Vec<String>,
    /// For a steps or DAG node: the ids of its last nodes.
    pub outbound_nodes: Vec<String>,
    /// Started by a hook (`onExit`, `hooks`): Argo's `NodeFlag.Hooked`.
    pub hooked: bool,
}

impl Node {
    /// Its parameter `name` among its outputs, as text.
    pub fn output_parameter(&self, name: &str) -> Option<String> {
        self.outputs
            .as_ref()?
            .get("parameters")?
            .as_array()?
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))?
            .get("value")
            .map(parameter_text)
    }

    /// The node as `argo get -o json` prints it.
    pub fn to_json(&self, template_scope: &str) -> Value {
        let mut node = Map::new();
        node.insert("id".into(), json!(self.id));
        node.insert("name".into(), json!(self.name));
        node.insert("displayName".into(), json!(self.display_name));
        node.insert("type".into(), json!(self.node_type.as_str()));
        if let Some(template) = &self.template_name {
            node.insert("templateName".into(), json!(template));
        }
        node.insert("templateScope".into(), json!(template_scope));
        node.insert("phase".into(), json!(self.phase.as_str()));
        if let Some(boundary) = &self.boundary_id {
            node.insert("boundaryID".into(), json!(boundary));
        }
        if let Some(message) = &self.message {
            node.insert("message".into(), json!(message));
        }
        node.insert("startedAt".into(), json!(timestamp(&self.started_at)));
        node.insert("finishedAt".into(), self.finished_at.as_ref().map_or(Value::Null, |t| json!(timestamp(t))));
        if let Some(inputs) = &self.inputs {
            node.insert("inputs".into(), inputs.clone());
        }
        if let Some(outputs) = &self.outputs {
            node.insert("outputs".into(), outputs.clone());
        }
        if !self.children.is_empty() {
            node.insert("children".into(), json!(self.children));
        }
        if !self.outbound_nodes.is_empty() {
            node.insert("outboundNodes".into(), json!(self.outbound_nodes));
        }
        Value::Object(node)
    }
}

/// A time as Argo's JSON writes it, with sub-second precision.
pub fn timestamp(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A parameter's value as Argo's `AnyString` holds it: text, numbers and
/// booleans as their text, anything else as its JSON.
pub fn parameter_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Every node of a run, by id; shared by the branches that run at once,
/// and told to the run's [`Watcher`] as each is created or changes phase.
#[derive(Default)]
pub struct Nodes {
    nodes: Arc<Mutex<BTreeMap<String, Node>>>,
    watcher: Option<Arc<dyn Watcher>>,
    changed: tokio::sync::Notify,
}

impl std::fmt::Debug for Nodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nodes")
            .field("nodes", &self.nodes)
            .field("watched", &self.watcher.is_some())
            .finish_non_exhaustive()
    }
}

/// A run's nodes as they are at any time, for a [`Watcher`] to read.
#[derive(Debug, Clone)]
pub struct NodesView {
    nodes: Arc<Mutex<BTreeMap<String, Node>>>,
}

impl NodesView {
    /// A copy of every node, by id.
    pub fn all(&self) -> BTreeMap<String, Node> {
        self.nodes.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Nodes {
    /// No nodes yet; `watcher` is told of each one.
    pub fn watched(watcher: Option<Arc<dyn Watcher>>) -> Nodes {
        Nodes { watcher, ..Nodes::default() }
    }

    /// Completes at the next creation of a node or change of a node's phase
    /// after it was made (enable it first to count those before its first poll).
    pub fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }

    /// Who watches the run, if anyone.
    pub fn watcher(&self) -> Option<&Arc<dyn Watcher>> {
        self.watcher.as_ref()
    }

    /// The nodes, to read as the run goes.
    pub fn view(&self) -> NodesView {
        NodesView { nodes: self.nodes.clone() }
    }

    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, Node>) -> T) -> T {
        f(&mut self.nodes.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Adds `node`: its id must be new.
    pub fn add(&self, node: Node) {
        let told = self.watcher.as_ref().map(|_| node.clone());
        self.with(|nodes| nodes.insert(node.id.clone(), node));
        self.changed.notify_waiters();
        if let (Some(watcher), Some(node)) = (&self.watcher, told) {
            watcher.phase_changed(&node);
        }
    }

    /// A copy of node `id`.
    pub fn get(&self, id: &str) -> Option<Node> {
        self.with(|nodes| nodes.get(id).cloned())
    }

    /// Whether node `id` exists.
    pub fn has(&self, id: &str) -> bool {
        self.with(|nodes| nodes.contains_key(id))
    }

    /// Changes node `id`, if it exists.
    pub fn update(&self, id: &str, change: impl FnOnce(&mut Node)) {
        let (phase_changed, told) = self.with(|nodes| {
            let Some(node) = nodes.get_mut(id) else { return (false, None) };
            let before = node.phase;
            change(node);
            let phase_changed = node.phase != before;
            (phase_changed, (phase_changed && self.watcher.is_some()).then(|| node.clone()))
        });
        if phase_changed {
            self.changed.notify_waiters();
        }
        if let (Some(watcher), Some(node)) = (&self.watcher, told) {
            watcher.phase_changed(&node);
        }
    }

    /// Makes `child` a child of `parent` (once).
    pub fn add_child(&self, parent: &str, child: &str) {
        self.update(parent, |node| {
            if !node.children.iter().any(|c| c == child) {
                node.children.push(child.to_owned());
            }
        });
    }

    /// Ends node `id` in `phase`, with `message` if given (Argo's `markNodePhase`).
    pub fn finish(&self, id: &str, phase: Phase, message: Option<String>) {
        self.update(id, |node| {
            node.phase = phase;
            if message.is_some() {
                node.message = message;
            }
            if phase.fulfilled() && node.finished_at.is_none() {
                node.finished_at = Some(Utc::now());
            }
        });
    }

    /// The phase of node `id`.
    pub fn phase(&self, id: &str) -> Option<Phase> {
        self.with(|nodes| nodes.get(id).map(|n| n.phase))
    }

    /// The last nodes below node `id`, as the next nodes hang from them
    /// (Argo's `getOutboundNodes`, `operator.go` 3391).
    pub fn outbound(&self, id: &str) -> Vec<String> {
        let Some(node) = self.get(id) else {
            return vec![id.to_owned()];
        };
        match node.node_type {
            NodeType::Skipped | NodeType::Plugin | NodeType::Suspend | NodeType::Http => vec![node.id],
            NodeType::TaskGroup => {
                if node.children.is_empty() {
                    vec![node.id]
                } else {
                    node.children.iter().flat_map(|child| self.outbound(child)).collect()
                }
            }
            // A retry's outbound node is its last attempt itself (`operator.go` 3432-3436).
            NodeType::Retry if !node.children.is_empty() => node.children.last().cloned().into_iter().collect(),
            NodeType::Steps | NodeType::Dag | NodeType::StepGroup | NodeType::Retry => {
                node.outbound_nodes.iter().flat_map(|outbound| self.outbound(outbound)).collect()
            }
        }
    }

    /// Sets or clears node `id`'s message (Argo's `markNodePhase` with a message).
    pub fn set_message(&self, id: &str, message: Option<String>) {
        self.update(id, |node| node.message = message);
    }

    /// Whether node `id` was started by a hook (`onExit`, `hooks`): Argo's `NodeFlag.Hooked`.
    pub fn is_hook(&self, id: &str) -> bool {
        self.with(|nodes| nodes.get(id).is_some_and(|n| n.hooked))
    }

    /// What `look` finds in the nodes, by id, without copying them.
    pub fn read<T>(&self, look: impl FnOnce(&BTreeMap<String, Node>) -> T) -> T {
        self.with(|nodes| look(nodes))
    }

    /// How many nodes `matches`.
    pub fn count(&self, matches: impl Fn(&Node) -> bool) -> usize {
        self.with(|nodes| nodes.values().filter(|n| matches(n)).count())
    }

    /// Every node, by id.
    pub fn all(&self) -> BTreeMap<String, Node> {
        self.with(|nodes| nodes.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_fnv1a_32_of_the_name_in_decimal() {
        // FNV-1a's published test vectors: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
        assert_eq!(fnv1a_32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a_32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a_32(b"foobar"), 0xbf9c_f968);
        assert_eq!(node_id("wf", "foobar"), format!("wf-{}", 0xbf9c_f968_u32));
        assert_eq!(node_id("wf", "wf"), "wf");
    }

    #[test]
    fn display_names_drop_the_boundary_and_the_separator() {
        assert_eq!(display_name("wf[0].hello", Some("wf")), "hello");
        assert_eq!(display_name("wf[0]", Some("wf")), "[0]");
        assert_eq!(display_name("wf.A", Some("wf")), "A");
        assert_eq!(display_name("wf[1].loop(0:a)", Some("wf")), "loop(0:a)");
        assert_eq!(display_name("wf", None), "wf");
        assert_eq!(display_name("wf[0].inner[2]", Some("wf[0].inner")), "[2]");
    }

    #[test]
    fn skipped_and_omitted_are_fulfilled_not_completed() {
        for phase in [Phase::Skipped, Phase::Omitted] {
            assert!(phase.fulfilled() && !phase.completed());
        }
        assert!(Phase::Error.completed() && Phase::Error.failed_or_error());
        assert!(!Phase::Running.fulfilled());
    }
}
