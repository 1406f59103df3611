//! A finished workflow drawn as `argo get` draws it
//! (`cmd/argo/commands/common/get.go`, `PrintWorkflowHelper` 52-195 and the
//! render tree 233-565): a header, then one line per node under its steps
//! or DAG node (StepGroups draw no line of their own but indent their
//! steps; TaskGroups and Omitted nodes are not drawn), siblings ordered by
//! start time and then loop index or name; columns as Go's tabwriter
//! aligns them (padding 2). Without colours, as `argo get --no-color`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The icon of a phase (`JobStatusIconMap`, `cmd/argo/commands/common/common.go` 61-68;
/// `argo get` draws no Omitted node, a progress line draws it as Skipped).
pub(super) fn icon(phase: &str) -> &'static str {
    match phase {
        "Pending" => "◷",
        "Running" => "●",
        "Succeeded" => "✔",
        "Skipped" | "Omitted" => "○",
        "Failed" => "✖",
        "Error" => "⚠",
        _ => " ",
    }
}

struct Drawn<'a> {
    node: &'a Value,
    children: Vec<String>,
}

fn text<'a>(node: &'a Value, key: &str) -> &'a str {
    node.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The index in a loop child's display name, if it has one.
fn loop_index(name: &str) -> Option<usize> {
    let open = name.rfind('(')?;
    name[open + 1..].split(':').next()?.parse().ok()
}

/// `workflow` (with its `status`) as `argo get` prints it.
pub fn draw(workflow: &Value) -> String {
    draw_at(workflow, None)
}

/// [`draw`], or, given the time `now`, a workflow still running: its
/// duration so far in the header, and each node's (until it ended, or
/// until `now`) in the DURATION column, as `argo get` shows a pod's.
pub fn draw_at(workflow: &Value, now: Option<DateTime<Utc>>) -> String {
    let name = workflow.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    let status = &workflow["status"];
    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: &str| out.push_str(&format!("{label:<20} {value}\n"));
    line(&mut out, "Name:", name);
    line(&mut out, "Status:", text(status, "phase"));
    if !text(status, "message").is_empty() {
        line(&mut out, "Message:", text(status, "message"));
    }
    let started = text(status, "startedAt").parse::<DateTime<Utc>>().ok();
    let finished = text(status, "finishedAt").parse::<DateTime<Utc>>().ok();
    if let (Some(started), Some(finished)) = (started, finished) {
        line(&mut out, "Started:", &started.to_rfc3339());
        line(&mut out, "Finished:", &finished.to_rfc3339());
        let duration = (finished - started).to_std().unwrap_or_default();
        line(&mut out, "Duration:", &format!("{:.3} seconds", duration.as_secs_f64()));
    } else if let (Some(started), Some(now)) = (started, now) {
        line(&mut out, "Started:", &started.to_rfc3339());
        let duration = (now - started).to_std().unwrap_or_default();
        line(&mut out, "Duration:", &format!("{:.3} seconds", duration.as_secs_f64()));
    }
    let parameters = workflow.pointer("/spec/arguments/parameters").and_then(Value::as_array);
    if let Some(parameters) = parameters.filter(|p| !p.is_empty()) {
        line(&mut out, "Parameters:", "");
        for parameter in parameters {
            if let Some(value) = parameter.get("value") {
                let value = super::nodes::parameter_text(value);
                line(&mut out, &format!("  {}:", text(parameter, "name")), &value);
            }
        }
    }
    let Some(nodes) = status.get("nodes").and_then(Value::as_object) else {
        return out;
    };
    if !nodes.contains_key(name) {
        return out;
    }
    // The render tree: StepGroups own their children; others hang in their boundary.
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, node) in nodes {
        if text(node, "type") == "StepGroup" {
            for child in node.get("children").and_then(Value::as_array).into_iter().flatten() {
                owner.insert(child.as_str().unwrap_or_default(), id);
            }
        }
    }
    let mut drawn: BTreeMap<&str, Drawn<'_>> =
        nodes.iter().map(|(id, node)| (id.as_str(), Drawn { node, children: Vec::new() })).collect();
    for (id, node) in nodes {
        let kind = text(node, "type");
        if !matches!(kind, "Steps" | "DAG" | "StepGroup" | "Plugin" | "Skipped" | "Suspend" | "HTTP" | "Pod") {
            continue;
        }
        let parent =
            owner.get(id.as_str()).copied().or_else(|| Some(text(node, "boundaryID")).filter(|b| !b.is_empty()));
        if let Some(parent) = parent
            && let Some(parent) = drawn.get_mut(parent)
        {
            parent.children.push(id.clone());
        }
    }
    let order = |id: &String| {
        let node = &nodes[id];
        let display = text(node, "displayName").to_owned();
        (text(node, "startedAt").to_owned(), loop_index(&display).map_or(0, |i| i + 1), display)
    };
    for entry in drawn.values_mut() {
        entry.children.sort_by_key(order);
    }
    let mut rows: Vec<[String; 5]> = Vec::new();
    render(&drawn, name, " ", " ", now.as_ref(), &mut rows);
    out.push('\n');
    let header = ["STEP", "TEMPLATE", "PODNAME", "DURATION", "MESSAGE"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (width, cell) in widths.iter_mut().zip(row.iter()) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(rows.iter()) {
        let mut text_line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            text_line.push_str(cell);
            text_line.push_str(&" ".repeat(width - cell.chars().count() + 2));
        }
        out.push_str(text_line.trim_end());
        out.push('\n');
    }
    out
}

/// Draws node `id` and what hangs from it (Argo's `renderNodes` and
/// `renderChild`), with durations until `now` when given.
fn render(
    drawn: &BTreeMap<&str, Drawn<'_>>,
    id: &str,
    prefix: &str,
    child_prefix: &str,
    now: Option<&DateTime<Utc>>,
    rows: &mut Vec<[String; 5]>,
) {
    let Some(entry) = drawn.get(id) else { return };
    let node = entry.node;
    let kind = text(node, "type");
    let phase = text(node, "phase");
    let (filtered, child_indent) = match (kind, phase) {
        ("StepGroup", _) => (true, true),
        ("Skipped", "Omitted") => (true, false),
        _ => (false, false),
    };
    if !filtered {
        rows.push([
            format!("{prefix}{} {}", icon(phase), text(node, "displayName")),
            text(node, "templateName").to_owned(),
            String::new(),
            now.map(|now| node_duration(node, now)).unwrap_or_default(),
            text(node, "message").to_owned(),
        ]);
    }
    let last = entry.children.len().saturating_sub(1);
    for (index, child) in entry.children.iter().enumerate() {
        let (part, sub) = if filtered && child_indent {
            match index {
                _ if last == 0 => ("──", "  "),
                0 => ("┬─", "│ "),
                i if i == last => ("└─", "  "),
                _ => ("├─", "│ "),
            }
        } else if !filtered {
            if index == last { ("└─", "  ") } else { ("├─", "│ ") }
        } else {
            ("", "")
        };
        let (node_prefix, next_prefix) = if !filtered {
            (format!("{child_prefix}{part}"), format!("{child_prefix}{sub}"))
        } else if index == 0 {
            (format!("{prefix}{part}"), format!("{child_prefix}{sub}"))
        } else {
            (format!("{child_prefix}{part}"), format!("{child_prefix}{sub}"))
        };
        render(drawn, child, &node_prefix, &next_prefix, now, rows);
    }
}

/// How long `node` ran (until `now` if it has not ended), in Argo's short
/// form (`RelativeDurationShort`, `util/humanize/humanize.go` 69-86: `1s`,
/// `12s`, `1m`, `3h`, `2d`), below a second in milliseconds (`340ms`;
/// Argo writes `0s`).
fn node_duration(node: &Value, now: &DateTime<Utc>) -> String {
    let Ok(started) = text(node, "startedAt").parse::<DateTime<Utc>>() else {
        return String::new();
    };
    let finished = text(node, "finishedAt").parse::<DateTime<Utc>>().unwrap_or(*now);
    short_duration((finished - started).to_std().unwrap_or_default())
}

/// A duration as Argo's `RelativeDurationShort` writes it, milliseconds below a second.
pub fn short_duration(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0 => format!("{}ms", duration.as_millis()),
        1..60 => format!("{seconds}s"),
        60..3_600 => format!("{}m", seconds / 60),
        3_600..86_400 => format!("{}h", seconds / 3_600),
        _ => format!("{}d", seconds / 86_400),
    }
}
