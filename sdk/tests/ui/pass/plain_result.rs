use wasm_workflows_sdk::prelude::*;

/// Documented steps keep their docs.
#[workflow_step]
fn step(_invocation: PluginInvocation) -> PluginResult {
    PluginResult::succeeded("plain")
}
