use wasm_workflows_sdk::prelude::*;

#[derive(IntoResult)]
struct Outputs {
    #[step(message)]
    summary: String,
    size: usize,
}

#[workflow_step]
fn run(invocation: PluginInvocation) -> Outputs {
    Outputs { summary: format!("workflow {}", invocation.workflow_name), size: 1 }
}
