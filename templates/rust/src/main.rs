//! A workflow step: greets `name` (default `World`) `times` times (default 1,
//! at most 100) in the output parameter `greeting`. Replace the body of `run`
//! with your own step.

use wasm_workflows_sdk::prelude::*;

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    // Typed access would read a number as its text: a name must be a string.
    let name = match invocation.parameter_value("name") {
        None => "World",
        Some(Value::String(name)) => name,
        Some(other) => anyhow::bail!("parameter \"name\" must be a string, got {other}"),
    };
    let times: u32 = invocation.parameter_or("times", 1)?;
    anyhow::ensure!((1..=100).contains(&times), "parameter \"times\" must be an integer from 1 to 100, got {times}");
    let greeting = vec![format!("Hello, {name}!"); times as usize].join(" ");
    Ok(PluginResult::succeeded("greeted").with_parameter("greeting", greeting))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_workflows_sdk::testing::run_step;

    #[test]
    fn greets_the_world_once_by_default() {
        let run = run_step(run, PluginInvocation::new("test"));
        assert_eq!(run.result.output_parameter("greeting").and_then(Value::as_str), Some("Hello, World!"));
    }

    #[test]
    fn repeats_the_greeting() {
        let invocation = PluginInvocation::new("test").with_parameter("name", "Argo").with_parameter("times", "3");
        let run = run_step(run, invocation);
        assert_eq!(
            run.result.output_parameter("greeting").and_then(Value::as_str),
            Some("Hello, Argo! Hello, Argo! Hello, Argo!")
        );
    }

    #[test]
    fn refuses_times_out_of_range() {
        let run = run_step(run, PluginInvocation::new("test").with_parameter("times", "101"));
        assert_eq!(run.result.phase, Phase::Failed);
        assert!(run.result.message.contains("\"times\""), "{}", run.result.message);
    }
}
