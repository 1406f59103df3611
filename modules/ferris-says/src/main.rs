//! ferris-says: Ferris says the `text` parameter in a speech bubble wrapped
//! at `width` columns; the output parameter `text` holds the drawing.

mod bubble;

use wasm_workflows_sdk::prelude::*;

/// The narrowest bubble that still holds a character per line.
const MIN_WIDTH: usize = 1;
/// Wide enough for any terminal; wider is almost certainly a mistake.
const MAX_WIDTH: usize = 1000;

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    invocation.check_parameters(&["text", "width"])?;
    let text: String = invocation.parameter("text")?;
    let width: usize = invocation.parameter_or("width", 40)?;
    anyhow::ensure!(
        (MIN_WIDTH..=MAX_WIDTH).contains(&width),
        "parameter \"width\": expected a number of columns from {MIN_WIDTH} to {MAX_WIDTH}, got {width}"
    );
    let drawing = bubble::say(&text, width);
    // The drawing also goes to the step's log, as cowsay would print it.
    println!("{drawing}");
    Ok(PluginResult::succeeded("Ferris said it").with_parameter("text", drawing))
}
