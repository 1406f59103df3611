//! The variables the template sees: the input artifact `context` (JSON or
//! YAML), then the parameter `context` (a JSON object), then every other
//! parameter of the step, each by its name; a later one replaces an
//! earlier variable of the same name.

use indexmap::IndexMap;
use minijinja::Value as Jinja;
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::prelude::*;

use crate::options::RESERVED;

/// The variables, in the order they were given.
pub type Variables = IndexMap<Jinja, Jinja>;

/// Collects the variables from the invocation.
pub fn read(invocation: &PluginInvocation) -> anyhow::Result<Variables> {
    let mut variables = Variables::new();
    if let Some(artifact) = invocation.artifact_opt("context")? {
        let text = artifact.read_to_string()?;
        let yaml = [".yaml", ".yml"].iter().any(|extension| artifact.path().ends_with(extension));
        let json = artifact.path().ends_with(".json") || (!yaml && text.trim_start().starts_with('{'));
        let value = if json {
            json::parse(&text).map_err(|e| anyhow::anyhow!("input artifact \"context\": malformed JSON: {e}"))?
        } else {
            yaml_serde::from_str::<Value>(&text)
                .map_err(|e| anyhow::anyhow!("input artifact \"context\": malformed YAML: {e}"))?
        };
        merge(
            &mut variables,
            value,
            "input artifact \"context\"",
            if json { "a JSON object" } else { "a YAML mapping" },
        )?;
    }
    if let Some(value) = invocation.parameter_value("context").filter(|value| !value.is_null()) {
        // Argo passes a string; a JSON value given directly is taken as it is.
        let value = match value {
            Value::String(text) => {
                json::parse(text).map_err(|e| anyhow::anyhow!("parameter \"context\": malformed JSON: {e}"))?
            }
            other => other.clone(),
        };
        merge(&mut variables, value, "parameter \"context\"", "a JSON object")?;
    }
    for parameter in &invocation.parameters {
        if !RESERVED.contains(&parameter.name.as_str()) {
            variables.insert(Jinja::from(parameter.name.as_str()), to_jinja(&parameter.value));
        }
    }
    Ok(variables)
}

/// Adds the members of `value`, which must be an object, to the variables.
fn merge(variables: &mut Variables, value: Value, source: &str, expected: &str) -> anyhow::Result<()> {
    match value {
        Value::Object(members) => {
            for (name, value) in members {
                variables.insert(Jinja::from(name), to_jinja(&value));
            }
            Ok(())
        }
        other => anyhow::bail!("{source}: expected {expected} (its keys are the variables), got {}", other.describe()),
    }
}

/// A JSON value as the template sees it, as Python's `json.loads` gives it:
/// a number with a fraction or an exponent is a float, any other an integer.
pub fn to_jinja(value: &Value) -> Jinja {
    match value {
        Value::Null => Jinja::from(()),
        Value::Bool(b) => Jinja::from(*b),
        Value::Number(number) => {
            let text = number.as_str();
            let integer = !text.contains(['.', 'e', 'E']);
            match (integer, text.parse::<i64>(), text.parse::<i128>()) {
                (true, Ok(n), _) => Jinja::from(n),
                (true, _, Ok(n)) => Jinja::from(n),
                _ => Jinja::from(number.as_f64().unwrap_or(f64::NAN)),
            }
        }
        Value::String(text) => Jinja::from(text.as_str()),
        Value::Array(items) => Jinja::from(items.iter().map(to_jinja).collect::<Vec<_>>()),
        Value::Object(members) => Jinja::from_object(
            members.iter().map(|(name, value)| (Jinja::from(name.as_str()), to_jinja(value))).collect::<Variables>(),
        ),
    }
}
