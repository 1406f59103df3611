use wasm_workflows_sdk::prelude::*;

#[workflow_step]
async fn run(_invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    Ok(PluginResult::succeeded("never"))
}
