//! markdown: renders Markdown (parameter `markdown` or input artifact
//! `input`) to HTML — CommonMark plus tables, strikethrough and task lists —
//! as the output parameter `html` and the output artifact `html`
//! (`/output.html`). With `sanitize` (the default) no raw HTML and no unsafe
//! link addresses reach the HTML.

mod document;
mod render;
mod safe_url;

use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    invocation.check_parameters(&["markdown", "sanitize"])?;
    let sanitize: bool = invocation.parameter_or("sanitize", true)?;
    let markdown = document::read(&invocation)?;
    let html = render::to_html(&markdown, sanitize);
    let artifact = write_output_artifact("html", "/output.html", html.as_bytes())?;
    let message = format!(
        "rendered {} bytes of Markdown to {} bytes of HTML{}",
        markdown.len(),
        html.len(),
        if sanitize { "" } else { " (raw HTML kept: sanitize is off)" }
    );
    Ok(PluginResult::succeeded(message).with_parameter("html", html).with_artifact(artifact))
}
