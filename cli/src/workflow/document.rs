//! The file a user runs: one or more YAML documents, of which one is the
//! `Workflow` (or, lacking one, the `WorkflowTemplate`) to run. A file is
//! taken for a workflow by its content, not its name.

use serde::Deserialize;
use serde_json::Value;

/// The kinds of document a run starts from.
const RUNNABLE_KINDS: [&str; 2] = ["Workflow", "WorkflowTemplate"];

/// Every YAML document in `text`, as JSON; the error names the document.
pub fn documents(text: &str) -> Result<Vec<Value>, String> {
    let mut documents = Vec::new();
    for (index, document) in yaml_serde::Deserializer::from_str(text).enumerate() {
        let value = Value::deserialize(document).map_err(|e| format!("YAML document {}: {e}", index + 1))?;
        if !value.is_null() {
            documents.push(value);
        }
    }
    Ok(documents)
}

/// Whether `bytes` hold an Argo `Workflow` or `WorkflowTemplate` in YAML (or JSON).
pub fn is_workflow(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\0asm") {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    documents(text).is_ok_and(|documents| documents.iter().any(is_runnable))
}

fn is_runnable(document: &Value) -> bool {
    let kind = document.get("kind").and_then(Value::as_str).unwrap_or_default();
    let api = document.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    RUNNABLE_KINDS.contains(&kind) && api.starts_with("argoproj.io/")
}

/// The document to run among `documents`: the first `Workflow`, else the
/// first `WorkflowTemplate`.
pub fn runnable(documents: &[Value]) -> Result<&Value, String> {
    let of_kind =
        |kind: &str| documents.iter().find(|d| is_runnable(d) && d.get("kind").and_then(Value::as_str) == Some(kind));
    of_kind("Workflow")
        .or_else(|| of_kind("WorkflowTemplate"))
        .ok_or_else(|| "the file holds no Workflow or WorkflowTemplate (apiVersion: argoproj.io/v1alpha1)".to_owned())
}

/// The name of a run of `document`: `metadata.name`, else its
/// `generateName` (a WorkflowTemplate's name and `-`) and five random
/// characters, as Kubernetes does.
pub fn run_name(document: &Value) -> Result<String, String> {
    let metadata = document.get("metadata");
    let text = |key: &str| metadata.and_then(|m| m.get(key)).and_then(Value::as_str).filter(|s| !s.is_empty());
    let is_template = document.get("kind").and_then(Value::as_str) == Some("WorkflowTemplate");
    if !is_template && let Some(name) = text("name") {
        return Ok(name.to_owned());
    }
    let prefix = match (is_template, text("name"), text("generateName")) {
        (true, Some(name), _) => format!("{name}-"),
        (_, _, Some(prefix)) => prefix.to_owned(),
        _ => return Err("the workflow has neither metadata.name nor metadata.generateName".into()),
    };
    Ok(format!("{prefix}{}", random_suffix()))
}

/// Five characters from Kubernetes' alphabet for generated names (no vowels, no 0/1/3).
fn random_suffix() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    (0..5).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str =
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: hello-\nspec:\n  entrypoint: a\n";

    #[test]
    fn a_workflow_is_known_by_its_content() {
        assert!(is_workflow(WORKFLOW.as_bytes()));
        assert!(is_workflow(format!("kind: ConfigMap\napiVersion: v1\n---\n{WORKFLOW}").as_bytes()));
        assert!(!is_workflow(b"\0asm\x01\0\0\0"));
        assert!(!is_workflow(b"kind: ConfigMap\napiVersion: v1\n"));
        assert!(!is_workflow(b"(module)"));
    }

    #[test]
    fn the_workflow_is_preferred_to_a_template_and_named() {
        let text =
            format!("apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: t\n---\n{WORKFLOW}");
        let documents = documents(&text).unwrap();
        let chosen = runnable(&documents).unwrap();
        assert_eq!(chosen["kind"], "Workflow");
        let name = run_name(chosen).unwrap();
        assert!(name.starts_with("hello-") && name.len() == "hello-".len() + 5, "{name}");
        assert!(run_name(&documents[0]).unwrap().starts_with("t-"));
    }
}
