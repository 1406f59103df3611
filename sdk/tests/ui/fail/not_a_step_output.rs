use wasm_workflows_sdk::prelude::*;

struct Outputs {
    text: String,
}

#[workflow_step]
fn run(_invocation: PluginInvocation) -> anyhow::Result<Outputs> {
    Ok(Outputs { text: "hi".into() })
}
