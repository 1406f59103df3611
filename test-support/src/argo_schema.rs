//! Argo Workflows' published JSON schema (kept in `cli/argo/`, with its
//! origin and licence, where `wasm-workflows lint` builds it in), to check that what this repository ships — every
//! module's `workflow.yaml`, the README's workflows, `argo-plugin/`'s plugins
//! — is what Argo accepts.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

/// The definition of a `Workflow` in the schema.
pub const WORKFLOW: &str = "io.argoproj.workflow.v1alpha1.Workflow";
/// The definition of an `ExecutorPlugin` (a plugin's `plugin.yaml`).
pub const EXECUTOR_PLUGIN: &str = "io.argoproj.workflow.v1alpha1.ExecutorPlugin";

/// The schema file in this repository.
pub fn schema_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cli/argo/schema.json")
}

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let file = schema_file();
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()))
    })
}

/// A validator for the schema's definition `name` (for example [`WORKFLOW`]).
pub fn validator(definition: &str) -> jsonschema::Validator {
    let all = schema();
    assert!(all["definitions"].get(definition).is_some(), "Argo's schema has no definition {definition}");
    let mut root = serde_json::Map::new();
    root.insert("$schema".into(), all["$schema"].clone());
    root.insert("definitions".into(), all["definitions"].clone());
    root.insert("$ref".into(), Value::from(format!("#/definitions/{definition}")));
    jsonschema::validator_for(&Value::Object(root)).expect("Argo's schema compiles")
}

/// The problems of the YAML document `yaml` against `validator`, each with
/// where it is; empty when the document is valid. Panics if it is not YAML.
pub fn errors(validator: &jsonschema::Validator, yaml: &str) -> Vec<String> {
    let document: Value = yaml_serde::from_str(yaml).unwrap_or_else(|e| panic!("not valid YAML: {e}\n{yaml}"));
    validator.iter_errors(&document).map(|e| format!("{e} at {}", e.instance_path())).collect()
}
