//! The Workflow's `status` as `argo get -o json` prints it: phase,
//! message, start and end (with sub-second precision), and the nodes by id.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::nodes::{Node, Phase, timestamp};

/// The `status` of workflow `name`.
pub fn status(
    name: &str,
    phase: Phase,
    message: Option<String>,
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
    nodes: &BTreeMap<String, Node>,
) -> Value {
    let scope = format!("local/{name}");
    let nodes: Map<String, Value> = nodes.iter().map(|(id, node)| (id.clone(), node.to_json(&scope))).collect();
    let mut status = Map::new();
    status.insert("phase".into(), json!(phase.as_str()));
    status.insert("startedAt".into(), json!(timestamp(&started)));
    status.insert("finishedAt".into(), json!(timestamp(&finished)));
    if let Some(message) = message {
        status.insert("message".into(), json!(message));
    }
    status.insert("nodes".into(), Value::Object(nodes));
    Value::Object(status)
}
