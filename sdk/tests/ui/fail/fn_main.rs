use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn main(_invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    Ok(PluginResult::succeeded("done"))
}
