//! The two other ways an argument or a steps/DAG output names an artifact,
//! beside `from: "{{…}}"`, as Argo's `resolveArtifact` resolves them
//! (argoproj/argo-workflows at f016ad8, `workflow/controller/scope.go`
//! 195-258):
//!
//! - `fromExpression`: an expr expression over the scope whose value is the
//!   artifact (`tasks.A.outputs.result == "x" ? tasks.B.outputs.artifacts.out
//!   : tasks.C.outputs.artifacts.out`); here each artifact of the scope is
//!   its JSON, so the value is the artifact's JSON;
//! - `subPath`: a path within the artifact named, appended to its key as
//!   Go's `path.Join` appends it (`ArtifactLocation.AppendToKey`,
//!   `pkg/apis/workflow/v1alpha1/workflow_types.go` 1496-1502): an `s3.key`
//!   of the local repository, an `http.url`'s path; a `raw` artifact has no key.

use serde_json::{Value, json};

use super::substitute::Scope;

/// Replaces each `arguments.artifacts[].fromExpression` of `step` (a step
/// or task, its `{{…}}` already replaced) with `from`, the JSON of the
/// artifact it evaluates to in `scope`; an optional artifact whose
/// expression fails is left out (`steps.go` 524-540, `dag.go` 856-872).
pub fn evaluate_from_expressions(step: &mut Value, scope: &Scope) -> Result<(), String> {
    let Some(artifacts) = step.pointer_mut("/arguments/artifacts").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    let mut kept = Vec::with_capacity(artifacts.len());
    for mut artifact in artifacts.drain(..) {
        let expression = artifact.get("fromExpression").and_then(Value::as_str).unwrap_or_default().to_owned();
        if expression.is_empty() {
            kept.push(artifact);
            continue;
        }
        match super::expressions::evaluate(&expression, scope) {
            Ok(found) => {
                if let Some(members) = artifact.as_object_mut() {
                    members.remove("fromExpression");
                    members.insert("from".into(), json!(found));
                }
                kept.push(artifact);
            }
            Err(_) if artifact.get("optional").and_then(Value::as_bool) == Some(true) => {}
            Err(error) => return Err(format!("unable to resolve references: {error}")),
        }
    }
    *artifacts = kept;
    Ok(())
}

/// `artifact` (a location) with `sub_path` appended to its key.
pub fn append_to_key(artifact: &mut Value, sub_path: &str) -> Result<(), String> {
    if let Some(key) = artifact.pointer("/s3/key").and_then(Value::as_str) {
        artifact["s3"]["key"] = json!(go_path_join(key, sub_path));
        return Ok(());
    }
    if let Some(url) = artifact.pointer("/http/url").and_then(Value::as_str) {
        let mut parsed = reqwest::Url::parse(url).map_err(|error| format!("parse {url:?}: {error}"))?;
        let joined = go_path_join(parsed.path(), sub_path);
        parsed.set_path(&joined);
        artifact["http"]["url"] = json!(parsed.to_string());
        return Ok(());
    }
    if artifact.get("raw").is_some() {
        // Argo's words, its spelling kept (`RawArtifact.GetKey`, workflow_types.go 3146-3148).
        return Err("key unsupported: raw artifat does not have key".into());
    }
    Err("key unsupported: this artifact has no key to append a subPath to".into())
}

/// Go's `path.Join(base, rest)`: the two joined with a slash, then cleaned
/// (`.` and empty parts dropped, `..` taking the part before it away).
fn go_path_join(base: &str, rest: &str) -> String {
    let joined = match (base.is_empty(), rest.is_empty()) {
        (true, true) => return String::new(),
        (true, false) => rest.to_owned(),
        (false, true) => base.to_owned(),
        (false, false) => format!("{base}/{rest}"),
    };
    let rooted = joined.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            part => parts.push(part),
        }
    }
    let cleaned = parts.join("/");
    match (rooted, cleaned.is_empty()) {
        (true, _) => format!("/{cleaned}"),
        (false, true) => ".".to_owned(),
        (false, false) => cleaned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_joined_as_go_joins_them() {
        assert_eq!(go_path_join("wf/node/out", "a/b.txt"), "wf/node/out/a/b.txt");
        assert_eq!(go_path_join("wf/out/", "./a//b"), "wf/out/a/b");
        assert_eq!(go_path_join("wf/out", "../x"), "wf/x");
        assert_eq!(go_path_join("a", "../../x"), "../x");
        assert_eq!(go_path_join("/files", "../../x"), "/x");
        assert_eq!(go_path_join("", "x"), "x");
    }

    #[test]
    fn a_sub_path_is_appended_to_the_key() {
        let mut stored = json!({"name": "out", "s3": {"key": "wf/wf-1/out"}});
        append_to_key(&mut stored, "reports/summary.csv").unwrap();
        assert_eq!(stored["s3"]["key"], "wf/wf-1/out/reports/summary.csv");
        let mut fetched = json!({"http": {"url": "http://127.0.0.1:8080/files/?x=1"}});
        append_to_key(&mut fetched, "a.txt").unwrap();
        assert_eq!(fetched["http"]["url"], "http://127.0.0.1:8080/files/a.txt?x=1");
        let mut raw = json!({"raw": {"data": "x"}});
        assert_eq!(append_to_key(&mut raw, "a").unwrap_err(), "key unsupported: raw artifat does not have key");
    }

    #[test]
    fn a_from_expression_picks_the_artifact() {
        let scope: Scope = [
            ("tasks.flip.outputs.parameters.side".to_owned(), "heads".to_owned()),
            ("tasks.heads.outputs.artifacts.out".to_owned(), r#"{"name":"out","s3":{"key":"h"}}"#.to_owned()),
            ("tasks.tails.outputs.artifacts.out".to_owned(), r#"{"name":"out","s3":{"key":"t"}}"#.to_owned()),
        ]
        .into();
        let mut task = json!({"arguments": {"artifacts": [
            {"name": "in", "fromExpression":
                "tasks.flip.outputs.parameters.side == 'heads' ? tasks.heads.outputs.artifacts.out : tasks.tails.outputs.artifacts.out"},
            {"name": "maybe", "optional": true, "fromExpression": "tasks.nope.outputs.artifacts.x.y"},
            {"name": "plain", "raw": {"data": "x"}}]}});
        evaluate_from_expressions(&mut task, &scope).unwrap();
        assert_eq!(
            task["arguments"]["artifacts"],
            json!([{"name": "in", "from": r#"{"name":"out","s3":{"key":"h"}}"#}, {"name": "plain", "raw": {"data": "x"}}])
        );
        let mut broken =
            json!({"arguments": {"artifacts": [{"name": "in", "fromExpression": "tasks.nope.outputs.artifacts.x.y"}]}});
        assert!(
            evaluate_from_expressions(&mut broken, &scope).unwrap_err().starts_with("unable to resolve references: ")
        );
    }
}
