use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    Ok(PluginResult::succeeded(invocation.workflow_name))
}
