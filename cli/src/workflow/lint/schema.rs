//! Argo's published JSON schema (`cli/argo/schema.json`, built in), as
//! Argo's own decoding applies its types: the shape of a Workflow,
//! WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow before any
//! of the checks of Argo's validation.
//!
//! Two things the schema cannot say are done here as Argo's decoder does
//! them: with `--strict` (the default, as `argo lint`'s), a field the type
//! does not have is an error worded as Kubernetes' strict decoding words it
//! (`strict decoding error: unknown field "spec.templates[0].foo"`); and the
//! values Go's types accept beyond what the schema writes down are
//! accepted: an `IntOrString` or a `Quantity` may be a number, a parameter's `value`,
//! `default` and `enum` (`AnyString`) a number or a boolean, an integer
//! may be written as YAML 1.1 writes octal ones (`mode: 0755`), as Argo's
//! YAML reader reads them, and no field is required: Go's decoder requires
//! none, and Argo's validation says what must be there (a container's
//! `image`, which `templateDefaults` may give; not a script's `source`).

use std::sync::OnceLock;

use serde_json::{Value, json};

/// The schema, as published.
const SCHEMA: &str = include_str!("../../../argo/schema.json");

/// The definitions of the kinds that are linted, by kind.
const KINDS: [(&str, &str); 4] = [
    ("Workflow", "io.argoproj.workflow.v1alpha1.Workflow"),
    ("WorkflowTemplate", "io.argoproj.workflow.v1alpha1.WorkflowTemplate"),
    ("ClusterWorkflowTemplate", "io.argoproj.workflow.v1alpha1.ClusterWorkflowTemplate"),
    ("CronWorkflow", "io.argoproj.workflow.v1alpha1.CronWorkflow"),
];

/// The schema's definitions with Go's leniencies applied (see the module's comment).
fn definitions() -> &'static Value {
    static DEFINITIONS: OnceLock<Value> = OnceLock::new();
    DEFINITIONS.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).expect("the built-in schema is JSON");
        let mut definitions = schema["definitions"].clone();
        definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = json!({"type": ["string", "integer"]});
        definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"] = json!({"type": ["string", "number"]});
        let any_string = json!({"type": ["string", "number", "boolean"]});
        for (definition, fields) in [
            ("io.argoproj.workflow.v1alpha1.Parameter", &["value", "default"][..]),
            ("io.argoproj.workflow.v1alpha1.ValueFrom", &["default"][..]),
        ] {
            for field in fields {
                definitions[definition]["properties"][*field] = any_string.clone();
            }
        }
        definitions["io.argoproj.workflow.v1alpha1.Parameter"]["properties"]["enum"] =
            json!({"type": "array", "items": any_string});
        // Go's decoder requires no field; Argo's validation says what must be there, in its words.
        for definition in definitions.as_object_mut().into_iter().flat_map(|all| all.values_mut()) {
            if let Some(fields) = definition.as_object_mut() {
                fields.remove("required");
            }
        }
        definitions
    })
}

/// The compiled validator of `kind`'s definition, made when first wanted.
fn validator(kind: &str) -> Option<&'static jsonschema::Validator> {
    static VALIDATORS: [OnceLock<jsonschema::Validator>; KINDS.len()] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let index = KINDS.iter().position(|(k, _)| *k == kind)?;
    Some(VALIDATORS[index].get_or_init(|| {
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "definitions": definitions(),
            "$ref": format!("#/definitions/{}", KINDS[index].1),
        });
        jsonschema::validator_for(&root).expect("Argo's schema compiles")
    }))
}

/// The definition of `kind`, if it is one that is linted.
fn definition(kind: &str) -> Option<&'static Value> {
    let name = KINDS.iter().find(|(k, _)| *k == kind)?.1;
    definitions().get(name)
}

/// What is wrong with `document` (of `kind`) against the schema: the
/// unknown fields first (when `strict`), as one error as Kubernetes writes
/// it, then each problem the schema finds, with where it is.
pub fn problems(kind: &str, document: &Value, strict: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if strict && let Some(definition) = definition(kind) {
        let mut unknown = Vec::new();
        unknown_fields(definition, document, "", &mut unknown);
        if !unknown.is_empty() {
            let fields: Vec<String> = unknown.iter().map(|path| format!("unknown field \"{path}\"")).collect();
            problems.push(format!("strict decoding error: {}", fields.join(", ")));
        }
    }
    if let Some(validator) = validator(kind) {
        let mut read = document.clone();
        if let Some(definition) = definition(kind) {
            octal_integers(definition, &mut read);
        }
        for error in validator.iter_errors(&read) {
            let at = error.instance_path().to_string();
            let place = if at.is_empty() { String::new() } else { format!("{}: ", dotted(&at)) };
            problems.push(format!("{place}{error}"));
        }
    }
    problems
}

/// A JSON pointer (`/spec/templates/0/name`) as Kubernetes writes a field's path (`spec.templates[0].name`).
fn dotted(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() && !path.is_empty() {
            path.push_str(&format!("[{segment}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&segment);
        }
    }
    path
}

/// Integers written as YAML 1.1 writes octal ones (`mode: 0755`), which
/// Argo's YAML reader takes for numbers and this one for text, made the
/// numbers they are, where the schema wants an integer.
fn octal_integers(schema: &Value, value: &mut Value) {
    let schema = followed(schema);
    match value {
        Value::String(text) if schema.get("type").and_then(Value::as_str) == Some("integer") => {
            let digits = text.strip_prefix('0').filter(|d| !d.is_empty() && d.chars().all(|c| c.is_digit(8)));
            if let Some(number) = digits.and_then(|d| i64::from_str_radix(d, 8).ok()) {
                *value = Value::from(number);
            }
        }
        Value::Object(members) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            for (key, member) in members.iter_mut() {
                if let Some(inner) = properties.and_then(|p| p.get(key)).or(additional) {
                    octal_integers(inner, member);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                items.iter_mut().for_each(|item| octal_integers(item_schema, item));
            }
        }
        _ => {}
    }
}

/// The schema `node` with its `$ref` followed.
fn followed(node: &Value) -> &Value {
    let mut node = node;
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        match reference.strip_prefix("#/definitions/").and_then(|name| definitions().get(name)) {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// The paths of the fields of `value` that `schema` does not have, as
/// strict decoding finds them: objects with declared properties are
/// closed, maps (`additionalProperties`) and untyped values are open.
fn unknown_fields(schema: &Value, value: &Value, path: &str, found: &mut Vec<String>) {
    let schema = followed(schema);
    match value {
        Value::Object(members) => {
            let properties = schema.get("properties").and_then(Value::as_object).filter(|p| !p.is_empty());
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            for (key, member) in members {
                let inner = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match (properties.and_then(|p| p.get(key)), additional) {
                    (Some(property), _) => unknown_fields(property, member, &inner, found),
                    (None, Some(additional)) => unknown_fields(additional, member, &inner, found),
                    (None, None) if properties.is_some() => found.push(inner),
                    (None, None) => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    unknown_fields(item_schema, item, &format!("{path}[{index}]"), found);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow(template: Value) -> Value {
        json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "x-"},
            "spec": {"entrypoint": "main", "templates": [template]},
        })
    }

    #[test]
    fn unknown_fields_are_named_as_strict_decoding_names_them() {
        // test/e2e/lintfail/disallow-unknown.yaml: an extra field in a container.
        let document = workflow(json!({"name": "main", "container": {"image": "alpine", "someExtraField": "foo"}}));
        assert_eq!(
            problems("Workflow", &document, true),
            ["strict decoding error: unknown field \"spec.templates[0].container.someExtraField\""]
        );
        assert!(problems("Workflow", &document, false).is_empty());
        // A plugin's configuration and labels are open.
        let open = workflow(
            json!({"name": "main", "metadata": {"labels": {"any": "x"}}, "plugin": {"wasm": {"anything": 1}}}),
        );
        assert!(problems("Workflow", &open, true).is_empty(), "{:?}", problems("Workflow", &open, true));
    }

    #[test]
    fn go_accepts_numbers_where_the_schema_writes_strings() {
        let document = workflow(json!({
            "name": "main", "activeDeadlineSeconds": 5, "retryStrategy": {"limit": 2},
            "inputs": {"parameters": [{"name": "n", "value": 3, "enum": [3, true]}]},
            "container": {"args": ["x"]},
        }));
        assert!(problems("Workflow", &document, true).is_empty(), "{:?}", problems("Workflow", &document, true));
    }

    #[test]
    fn yaml_1_1_octal_integers_are_numbers() {
        // Argo's examples/arguments-artifacts.yaml: `mode: 0755`, read as text by a YAML 1.2 reader.
        let document = workflow(json!({
            "name": "main", "container": {"image": "alpine"},
            "inputs": {"artifacts": [{"name": "a", "path": "/a", "mode": "0755", "raw": {"data": "x"}}]},
        }));
        assert!(problems("Workflow", &document, true).is_empty(), "{:?}", problems("Workflow", &document, true));
        let mut not_octal = document.clone();
        not_octal["spec"]["templates"][0]["inputs"]["artifacts"][0]["mode"] = json!("0789");
        assert_eq!(problems("Workflow", &not_octal, true).len(), 1);
    }

    #[test]
    fn a_wrong_type_is_named_with_its_place() {
        // test/e2e/lintfail/malformed-spec.yaml: an entrypoint that is a list.
        let mut document = workflow(json!({"name": "main", "container": {"image": "alpine"}}));
        document["spec"]["entrypoint"] = json!(["main"]);
        let found = problems("Workflow", &document, true);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("spec.entrypoint: "), "{found:?}");
    }
}
