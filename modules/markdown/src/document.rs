//! The Markdown text: the `markdown` parameter or the `input` artifact, exactly one.

use wasm_workflows_sdk::prelude::*;

/// Reads the Markdown from parameter `markdown` or input artifact `input`;
/// both or neither is an error that names them.
pub fn read(invocation: &PluginInvocation) -> anyhow::Result<String> {
    let parameter: Option<String> = invocation.parameter_opt("markdown")?;
    let artifact = invocation.artifact_opt("input")?;
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
