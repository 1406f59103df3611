//! The template's text: parameter `template` or input artifact `template`,
//! exactly one.

use wasm_workflows_sdk::prelude::*;

/// The name the main template has among the templates (includes name theirs).
pub const MAIN: &str = "template";

/// The template's text and where it came from, for messages.
pub struct Source {
    /// The text.
    pub text: String,
    /// `parameter "template"` or `input artifact "template"`.
    pub described: &'static str,
}

/// Reads the template from parameter `template` or input artifact
/// `template`; both or neither is an error that names them.
pub fn read(invocation: &PluginInvocation) -> anyhow::Result<Source> {
    let parameter: Option<String> = invocation.parameter_opt(MAIN)?;
    let artifact = invocation.artifact_opt(MAIN)?;
    match (parameter, artifact) {
        (Some(text), None) => Ok(Source { text, described: "parameter \"template\"" }),
        (None, Some(artifact)) => {
            Ok(Source { text: artifact.read_to_string()?, described: "input artifact \"template\"" })
        }
        (Some(_), Some(_)) => anyhow::bail!(
            "both parameter \"template\" and input artifact \"template\" are given: give the template in one of them"
        ),
        (None, None) => anyhow::bail!(
            "no template: give it as parameter \"template\" or as input artifact \"template\" \
             (add one to the template's inputs)"
        ),
    }
}
