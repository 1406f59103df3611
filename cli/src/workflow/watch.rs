//! Who watches a run as it goes: told of each node as it is created or
//! changes phase, and of each line a step writes to its log. The command
//! line's [`super::live`] displays are watchers.

use chrono::{DateTime, Utc};

use super::nodes::{Node, NodesView};

/// Watches a run (from the run's tasks, at once: it must be quick, and not block).
pub trait Watcher: Send + Sync {
    /// The run begins (at `at`): `workflow` is its name, `nodes` its nodes, readable at any time.
    fn started(&self, workflow: &str, at: DateTime<Utc>, nodes: NodesView) {
        let _ = (workflow, at, nodes);
    }

    /// `node` was created, or its phase changed (it is as it is just after).
    fn phase_changed(&self, node: &Node);

    /// The step of node `node_name` wrote `line` (without its newline) to its log.
    fn log_line(&self, node_name: &str, line: &str);
}
