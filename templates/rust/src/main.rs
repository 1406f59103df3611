//! A workflow step: greets `name` (default `World`) in the output parameter
//! `greeting`. Replace the body of `run` with your own step.

use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    let name: String = invocation.parameter_or("name", "World")?;
    Ok(PluginResult::succeeded("greeted").with_parameter("greeting", format!("Hello, {name}!")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_workflows_sdk::testing::run_step;

    #[test]
    fn greets_the_world_by_default() {
        let run = run_step(run, PluginInvocation::new("test"));
        assert_eq!(run.result.output_parameter("greeting").and_then(Value::as_str), Some("Hello, World!"));
    }

    #[test]
    fn greets_by_name() {
        let run = run_step(run, PluginInvocation::new("test").with_parameter("name", "Argo"));
        assert_eq!(run.result.output_parameter("greeting").and_then(Value::as_str), Some("Hello, Argo!"));
    }
}
