use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn run(_invocation: PluginInvocation, width: usize) -> anyhow::Result<PluginResult> {
    Ok(PluginResult::succeeded(width.to_string()))
}
