use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn run(invocation: PluginInvocation) -> Result<PluginResult, wasm_workflows_sdk::Error> {
    let name: String = invocation.parameter_or("name", "World")?;
    Ok(PluginResult::succeeded(name))
}
