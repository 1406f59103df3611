//! markdown: renders Markdown (parameter `markdown` or input artifact
//! `input`) to HTML — CommonMark plus tables, strikethrough and task lists,
//! and on request GFM's autolinks, tag filter and footnotes — as the output
//! parameter `html` and the output artifact `html` (`/output.html`). With
//! `sanitize` (the default) no raw HTML and no unsafe link addresses reach
//! the HTML.

mod autolink;
mod document;
mod escape;
mod footnotes;
mod html;
mod pipeline;
mod raw_html;
mod render;
mod safe_url;
mod sanitize;
mod tables;
mod tag_filter;

use wasm_workflows_sdk::prelude::*;

/// The step's inputs: the Markdown comes in exactly one of `markdown` and `input`.
#[derive(FromInvocation)]
pub struct Inputs {
    /// The Markdown text.
    markdown: Option<String>,
    /// Whether raw HTML and unsafe link addresses are removed.
    #[step(default = true)]
    sanitize: bool,
    /// GFM's extended autolinks (`www.…`, bare URLs, email addresses).
    #[step(default)]
    autolink: bool,
    /// GFM's tag filter on raw HTML that is kept.
    #[step(default)]
    tagfilter: bool,
    /// GFM's footnotes.
    #[step(default)]
    footnotes: bool,
    /// A Markdown file.
    input: Option<InputArtifact>,
}

#[workflow_step]
fn run(inputs: Inputs) -> anyhow::Result<PluginResult> {
    let settings = render::Settings {
        sanitize: inputs.sanitize,
        autolink: inputs.autolink,
        tagfilter: inputs.tagfilter,
        footnotes: inputs.footnotes,
    };
    let markdown = document::read(inputs.markdown, inputs.input)?;
    let html = render::to_html(&markdown, settings);
    let artifact = write_output_artifact("html", "/output.html", html.as_bytes())?;
    let message = format!(
        "rendered {} bytes of Markdown to {} bytes of HTML{}",
        markdown.len(),
        html.len(),
        if settings.sanitize { "" } else { " (raw HTML kept: sanitize is off)" }
    );
    Ok(PluginResult::succeeded(message).with_parameter("html", html).with_artifact(artifact))
}
