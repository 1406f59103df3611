use wasm_workflows_sdk::prelude::*;

#[derive(Debug)]
struct StepError;

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("step error")
    }
}

impl std::error::Error for StepError {}

#[workflow_step]
fn run(mut invocation: PluginInvocation) -> Result<PluginResult, StepError> {
    invocation.workflow_name.push('!');
    Ok(PluginResult::succeeded(invocation.workflow_name))
}
