use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
#[step(allow_unknown)]
struct Inputs {
    #[step(default = "World")]
    name: String,
    #[step(default)]
    times: u32,
    #[step(rename = "upper-case")]
    upper_case: Option<bool>,
    #[step(plugin_option, default = 2)]
    level: u8,
    #[step(workflow_name)]
    workflow: String,
    input: Option<InputArtifact>,
    tags: Option<Vec<String>>,
}

#[derive(IntoResult)]
#[step(message = "typed")]
struct Outputs {
    greeting: String,
    #[step(rename = "count")]
    times: u32,
    note: Option<String>,
    report: Option<OutputArtifact>,
}

#[workflow_step]
fn r#type(inputs: Inputs) -> anyhow::Result<Outputs> {
    let _ = (inputs.upper_case, inputs.level, inputs.input.is_some(), inputs.tags, inputs.workflow);
    Ok(Outputs { greeting: format!("Hello, {}!", inputs.name), times: inputs.times, note: None, report: None })
}
