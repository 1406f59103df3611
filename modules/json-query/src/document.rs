//! The document: the `json` parameter or the `input` artifact, exactly
//! one, read as JSON (values one after another), JSON lines or YAML
//! (parameter `input_format`).

use wasm_workflows_sdk::prelude::*;

/// The document's text and where it came from, for messages.
pub struct Document {
    /// The text.
    pub text: String,
    /// `parameter "json"` or `input artifact "input"`.
    pub source: &'static str,
}

/// How the document is read (parameter `input_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON values one after another, separated by white space or not.
    Json,
    /// One JSON value on each line (blank lines skipped).
    Ndjson,
    /// A YAML stream: each document is one value.
    Yaml,
}

impl Format {
    /// The format named `name` (`json`, `ndjson`, `yaml`).
    pub fn named(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "ndjson" => Some(Format::Ndjson),
            "yaml" => Some(Format::Yaml),
            _ => None,
        }
    }
}

/// Reads the document from parameter `json` or input artifact `input`;
/// both or neither is an error that names them.
pub fn read(invocation: &PluginInvocation) -> anyhow::Result<Document> {
    let parameter = invocation.parameter_value("json");
    let artifact = invocation.artifact_opt("input")?;
    match (parameter, artifact) {
        (Some(value), None) => {
            // Argo passes a string; a JSON value given directly is taken as it is.
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            Ok(Document { text, source: "parameter \"json\"" })
        }
        (None, Some(artifact)) => Ok(Document { text: artifact.read_to_string()?, source: "input artifact \"input\"" }),
        (Some(_), Some(_)) => anyhow::bail!(
            "both parameter \"json\" and input artifact \"input\" are given: give the document in one of them"
        ),
        (None, None) => anyhow::bail!(
            "no document: give the JSON as parameter \"json\" or as input artifact \"input\" \
             (add one to the template's inputs)"
        ),
    }
}
