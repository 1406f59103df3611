use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn run<T: Default>(_invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    Ok(PluginResult::succeeded("never"))
}
