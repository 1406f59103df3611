use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn run(text: String) -> anyhow::Result<PluginResult> {
    Ok(PluginResult::succeeded(text))
}
