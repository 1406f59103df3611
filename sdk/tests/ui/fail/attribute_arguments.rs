use wasm_workflows_sdk::prelude::*;

#[workflow_step(name = "hello")]
fn run(_invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    Ok(PluginResult::succeeded("never"))
}
