//! The Markdown text: the `markdown` parameter or the `input` artifact, exactly one.

use wasm_workflows_sdk::prelude::*;

/// The Markdown from parameter `markdown` or input artifact `input`;
/// both or neither is an error that names them.
pub fn read(parameter: Option<String>, artifact: Option<InputArtifact>) -> anyhow::Result<String> {
    match (parameter, artifact) {
        (Some(text), None) => Ok(text),
        (None, Some(artifact)) => Ok(artifact.read_to_string()?),
        (Some(_), Some(_)) => anyhow::bail!(
            "both parameter \"markdown\" and input artifact \"input\" are given: give the Markdown in one of them"
        ),
        (None, None) => anyhow::bail!(
            "no Markdown: give it as parameter \"markdown\" or as input artifact \"input\" \
             (add one to the template's inputs)"
        ),
    }
}
