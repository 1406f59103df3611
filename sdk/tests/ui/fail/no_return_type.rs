use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn run(_invocation: PluginInvocation) {}
