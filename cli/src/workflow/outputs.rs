//! What finished nodes add to the scope of the steps or tasks after them,
//! and a steps or DAG template's own outputs:
//!
//! - a node gives `steps.NAME.id`, `.status`, `.startedAt`, `.finishedAt`
//!   and `.outputs.parameters.P` (`buildLocalScope`, `operator.go` 3632);
//! - a loop gives `steps.NAME.outputs.parameters` (a JSON list of its
//!   succeeded children's parameter maps, in loop order) and
//!   `.outputs.parameters.P` (their values: JSON when every one is a JSON
//!   object or list, else a list of strings) (`processAggregateNodeOutputs`,
//!   `operator.go` 3743-3857);
//! - a template's `outputs.parameters[].valueFrom.parameter` is one such
//!   name (`getTemplateOutputsFromScope`, `operator.go` 3453).

use chrono::SecondsFormat;
use serde_json::{Value, json};

use super::loops::go_json;
use super::nodes::{Node, Phase};
use super::substitute::Scope;

/// The names node `node` of step or task `name` gives (`prefix`: `steps` or `tasks`).
pub fn node_scope(prefix: &str, name: &str, node: &Node) -> Scope {
    let key = |rest: &str| format!("{prefix}.{name}.{rest}");
    let mut scope = Scope::new();
    scope.insert(key("id"), node.id.clone());
    scope.insert(key("status"), node.phase.as_str().to_owned());
    scope.insert(key("startedAt"), node.started_at.to_rfc3339_opts(SecondsFormat::Secs, true));
    if let Some(finished) = node.finished_at {
        scope.insert(key("finishedAt"), finished.to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    // An HTTP node's body (`addNodeOutputsToLocalScope`, `operator.go` 3667-3669).
    if let Some(result) = node.outputs.as_ref().and_then(|o| o.get("result")).and_then(Value::as_str) {
        scope.insert(key("outputs.result"), result.to_owned());
    }
    for parameter in
        node.outputs.as_ref().and_then(|o| o.get("parameters")).and_then(Value::as_array).into_iter().flatten()
    {
        if let (Some(parameter_name), Some(value)) =
            (parameter.get("name").and_then(Value::as_str), parameter.get("value"))
        {
            scope.insert(key(&format!("outputs.parameters.{parameter_name}")), super::nodes::parameter_text(value));
        }
    }
    scope.extend(super::artifacts::output_scope(prefix, name, node.outputs.as_ref()));
    scope
}

/// The aggregated names of a loop's `children` for step or task `name`.
pub fn aggregate_scope(prefix: &str, name: &str, children: &[Node]) -> Scope {
    let mut children: Vec<&Node> = children.iter().collect();
    children.sort_by_key(|node| loop_index(&node.name));
    let mut maps = Vec::new();
    let mut by_name: Vec<(String, Vec<String>)> = Vec::new();
    for child in children.iter().filter(|c| c.phase == Phase::Succeeded) {
        let parameters = child.outputs.as_ref().and_then(|o| o.get("parameters")).and_then(Value::as_array);
        let Some(parameters) = parameters.filter(|p| !p.is_empty()) else {
            continue;
        };
        let mut map = serde_json::Map::new();
        for parameter in parameters {
            let parameter_name = parameter.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            let text = super::nodes::parameter_text(parameter.get("value").unwrap_or(&Value::Null));
            match by_name.iter_mut().find(|(n, _)| *n == parameter_name) {
                Some((_, values)) => values.push(text.clone()),
                None => by_name.push((parameter_name.clone(), vec![text.clone()])),
            }
            map.insert(parameter_name, json!(text));
        }
        maps.push(Value::Object(map));
    }
    let key = |rest: &str| format!("{prefix}.{name}.{rest}");
    let mut scope = Scope::new();
    if let Some(results) = aggregated_results(&children) {
        scope.insert(key("outputs.result"), results);
    }
    scope.insert(key("outputs.parameters"), go_json(&Value::Array(maps)));
    for (parameter_name, values) in by_name {
        scope.insert(key(&format!("outputs.parameters.{parameter_name}")), aggregated_values(&values));
    }
    scope
}

/// The results of a loop's succeeded children (HTTP nodes' bodies), each
/// embedded as the JSON it is, in loop order (`processAggregateNodeOutputs`,
/// `operator.go` 3775-3791). Argo fails the steps or DAG node when a result
/// is not JSON (its `json.Unmarshal` error); here the name is then not set,
/// and a reference to it does not resolve.
fn aggregated_results(children: &[&Node]) -> Option<String> {
    let mut results = Vec::new();
    for child in children.iter().filter(|c| c.phase == Phase::Succeeded) {
        if let Some(result) = child.outputs.as_ref().and_then(|o| o.get("result")).and_then(Value::as_str) {
            serde_json::from_str::<serde::de::IgnoredAny>(result).ok()?;
            results.push(go_compact(result));
        }
    }
    Some(format!("[{}]", results.join(",")))
}

/// Valid JSON `raw` as Go's `json.Marshal` writes a `json.RawMessage`:
/// compacted, members in their order, `<`, `>`, `&`, U+2028 and U+2029
/// escaped (`encoding/json`'s `compact` with `escapeHTML`).
fn go_compact(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in raw.chars() {
        if !in_string {
            if !c.is_ascii_whitespace() {
                out.push(c);
                in_string = c == '"';
            }
            continue;
        }
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_string = false;
        }
    }
    out
}

/// A loop's values of one parameter: embedded JSON when every value is a
/// JSON object or list, else a JSON list of strings.
fn aggregated_values(values: &[String]) -> String {
    let parsed: Option<Vec<Value>> = values
        .iter()
        .map(|v| serde_json::from_str::<Value>(v).ok().filter(|v| v.is_object() || v.is_array()))
        .collect();
    match parsed {
        Some(values) => go_json(&Value::Array(values)),
        None => go_json(&json!(values)),
    }
}

/// The index in a loop child's name `NAME(INDEX:ITEM)`.
fn loop_index(name: &str) -> usize {
    let last = name.rsplit('(').next().unwrap_or_default();
    last.split(':').next().and_then(|i| i.parse().ok()).unwrap_or(0)
}

/// The outputs of a steps or DAG `template` from `scope`, or none when it declares none.
pub fn template_outputs(template: &Value, scope: &Scope) -> Result<Option<Value>, String> {
    let artifacts = super::artifacts::template_outputs(template, scope)?;
    let Some(declared) = template.pointer("/outputs/parameters").and_then(Value::as_array).filter(|p| !p.is_empty())
    else {
        return Ok(artifacts.map(|artifacts| json!({ "artifacts": artifacts })));
    };
    let mut parameters = Vec::new();
    for parameter in declared {
        let value_from = parameter.get("valueFrom").ok_or("output parameters must have a valueFrom specified")?;
        let default = value_from.get("default").map(super::nodes::parameter_text);
        let value = match value_from.get("parameter").and_then(Value::as_str) {
            Some(reference) => {
                let tag = reference.trim().trim_start_matches("{{").trim_end_matches("}}").trim();
                match (scope.get(tag), default) {
                    (Some(value), _) => value.clone(),
                    (None, Some(default)) => default,
                    (None, None) => return Err(format!("Unable to resolve: {tag:?}")),
                }
            }
            None => match (value_from.get("expression"), default) {
                (Some(expression), _) => {
                    let expression = expression.as_str().unwrap_or_default();
                    super::expressions::evaluate(expression, scope)?
                }
                (None, Some(default)) => default,
                (None, None) => String::new(),
            },
        };
        let mut resolved = parameter.clone();
        if let Some(members) = resolved.as_object_mut() {
            members.remove("valueFrom");
            members.insert("value".into(), json!(value));
        }
        parameters.push(resolved);
    }
    let mut outputs = json!({ "parameters": parameters });
    if let Some(artifacts) = artifacts {
        outputs["artifacts"] = Value::Array(artifacts);
    }
    Ok(Some(outputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregated_values_embed_json_only_when_all_are_objects_or_lists() {
        assert_eq!(aggregated_values(&["{\"b\":1,\"a\":2}".into(), "[1]".into()]), r#"[{"a":2,"b":1},[1]]"#);
        assert_eq!(aggregated_values(&["1".into(), "x".into()]), r#"["1","x"]"#);
    }

    #[test]
    fn aggregated_results_embed_each_as_go_marshals_a_raw_message() {
        // Members keep their order; strings are escaped as Go's encoding/json escapes HTML.
        assert_eq!(go_compact("{ \"b\": 1,\n \"a\": \"<x> & \\\" y\" }"), r#"{"b":1,"a":"\u003cx\u003e \u0026 \" y"}"#);
        let node = |index: usize, phase: Phase, result: &str| Node {
            id: format!("n{index}"),
            name: format!("wf[0].get({index}:x)"),
            display_name: String::new(),
            node_type: super::super::nodes::NodeType::Http,
            template_name: None,
            phase,
            boundary_id: None,
            message: None,
            started_at: chrono::Utc::now(),
            finished_at: None,
            inputs: None,
            outputs: Some(json!({ "result": result })),
            children: Vec::new(),
            outbound_nodes: Vec::new(),
            hooked: false,
        };
        let (a, b, failed) =
            (node(0, Phase::Succeeded, "[1, 2]"), node(1, Phase::Succeeded, "\"x\""), node(2, Phase::Failed, "{}"));
        assert_eq!(aggregated_results(&[&a, &b, &failed]).as_deref(), Some(r#"[[1,2],"x"]"#));
        let text = node(3, Phase::Succeeded, "not json");
        assert_eq!(aggregated_results(&[&a, &text]), None);
        assert_eq!(
            aggregate_scope("steps", "get", &[b.clone(), a.clone()])["steps.get.outputs.result"],
            r#"[[1,2],"x"]"#
        );
    }

    #[test]
    fn loop_indexes_come_from_the_last_parenthesis() {
        assert_eq!(loop_index("wf[0].s(12:a:b)"), 12);
        assert_eq!(loop_index("wf.t(3:[1 2])"), 3);
    }

    #[test]
    fn template_outputs_resolve_one_name_each() {
        let template = json!({"outputs": {"parameters": [
            {"name": "x", "valueFrom": {"parameter": "{{steps.a.outputs.parameters.y}}"}},
            {"name": "z", "valueFrom": {"parameter": "{{steps.b.outputs.parameters.y}}", "default": "d"}}]}});
        let scope: Scope = [("steps.a.outputs.parameters.y".to_owned(), "1".to_owned())].into();
        let outputs = template_outputs(&template, &scope).unwrap().unwrap();
        assert_eq!(outputs, json!({"parameters": [{"name": "x", "value": "1"}, {"name": "z", "value": "d"}]}));
        let missing = json!({"outputs": {"parameters": [{"name": "x", "valueFrom": {"parameter": "{{steps.q.id}}"}}]}});
        assert_eq!(template_outputs(&missing, &Scope::new()).unwrap_err(), "Unable to resolve: \"steps.q.id\"");
    }
}
