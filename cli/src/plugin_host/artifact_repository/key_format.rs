//! Where output artifacts go: Argo's `keyFormat` (default
//! `{{workflow.name}}/{{pod.name}}`) followed by the artifact's name.
//!
//! A plugin step has no pod of its own; like the original WASM plugin, each
//! step gets a pod-like name `{workflow}-{10 random digits}`, so the default
//! layout is `{workflow}/{workflow}-{10 digits}/{name}`.

use rand::RngExt;

/// The variables a key format may use.
const VARIABLES: [&str; 2] = ["workflow.name", "pod.name"];

/// A parsed `keyFormat`: literal text and variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyFormat {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    WorkflowName,
    PodName,
}

impl KeyFormat {
    /// Parses `format`, refusing variables other than `{{workflow.name}}`
    /// and `{{pod.name}}` (spaces inside the braces are allowed).
    pub(crate) fn parse(format: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut rest = format;
        while let Some(start) = rest.find("{{") {
            let end = rest[start..]
                .find("}}")
                .map(|end| start + end)
                .ok_or_else(|| format!("s3.keyFormat \"{format}\" opens a variable with {{{{ that is never closed"))?;
            if start > 0 {
                pieces.push(Piece::Text(rest[..start].to_owned()));
            }
            pieces.push(match rest[start + 2..end].trim() {
                "workflow.name" => Piece::WorkflowName,
                "pod.name" => Piece::PodName,
                other => {
                    return Err(format!(
                        "s3.keyFormat uses {{{{{other}}}}}, which a plugin step cannot fill; it may use {}",
                        VARIABLES.map(|v| format!("{{{{{v}}}}}")).join(" and ")
                    ));
                }
            });
            rest = &rest[end + 2..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        Ok(KeyFormat { pieces })
    }

    /// The folder for one step's outputs in `workflow`, whose pod-like name
    /// is `pod`.
    pub(crate) fn folder(&self, workflow: &str, pod: &str) -> String {
        let mut folder = String::new();
        for piece in &self.pieces {
            folder.push_str(match piece {
                Piece::Text(text) => text,
                Piece::WorkflowName => workflow,
                Piece::PodName => pod,
            });
        }
        folder.trim_matches('/').to_owned()
    }

    /// The key of output artifact `name` in `folder`.
    pub(crate) fn key(folder: &str, name: &str) -> String {
        if folder.is_empty() { name.to_owned() } else { format!("{folder}/{name}") }
    }
}

/// A pod-like name for one step of `workflow`: `{workflow}-{10 random digits}`.
pub(crate) fn step_name(workflow: &str) -> String {
    let mut rng = rand::rng();
    let digits: String = (0..10).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect();
    format!("{workflow}-{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin_host::artifact_repository::config::DEFAULT_KEY_FORMAT;

    #[test]
    fn the_default_layout_is_workflow_then_step_then_name() {
        let format = KeyFormat::parse(DEFAULT_KEY_FORMAT).unwrap();
        let folder = format.folder("hello-n7nbj", "hello-n7nbj-4176884829");
        assert_eq!(KeyFormat::key(&folder, "result"), "hello-n7nbj/hello-n7nbj-4176884829/result");
    }

    #[test]
    fn text_and_spaced_variables_are_kept() {
        let format = KeyFormat::parse("artifacts/{{ workflow.name }}/steps/{{pod.name}}/").unwrap();
        assert_eq!(format.folder("wf", "wf-1"), "artifacts/wf/steps/wf-1");
        assert_eq!(KeyFormat::key("", "x"), "x");
    }

    #[test]
    fn unknown_or_unclosed_variables_are_refused() {
        let unknown = KeyFormat::parse("{{workflow.creationTimestamp.Y}}/{{pod.name}}").unwrap_err();
        assert_eq!(
            unknown,
            "s3.keyFormat uses {{workflow.creationTimestamp.Y}}, which a plugin step cannot fill; it may use {{workflow.name}} and {{pod.name}}"
        );
        let unclosed = KeyFormat::parse("{{workflow.name").unwrap_err();
        assert!(unclosed.contains("never closed"), "{unclosed}");
    }

    #[test]
    fn step_names_have_ten_digits() {
        let name = step_name("wf");
        let digits = name.strip_prefix("wf-").unwrap();
        assert_eq!(digits.len(), 10);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{name}");
    }
}
