//! A workflow step: greets `name` (default `World`) `times` times (default 1,
//! at most 100) in the output parameter `greeting`. Replace `Inputs` and the
//! body of `run` with your own step.

use wasm_workflows_sdk::prelude::*;

/// The step's inputs: one field per parameter of the template. A missing or
/// mistyped one fails the step with a message that names it.
#[derive(FromInvocation)]
struct Inputs {
    /// Who to greet: a string (a number is refused).
    #[step(default = "World")]
    name: String,
    /// How many times, from 1 to 100 (Argo passes it as text, `"3"`).
    #[step(default = 1)]
    times: u32,
}

#[workflow_step]
fn run(inputs: Inputs) -> anyhow::Result<PluginResult> {
    let Inputs { name, times } = inputs;
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
    fn refuses_a_number_for_the_name() {
        let run = run_step(run, PluginInvocation::new("test").with_parameter("name", 42));
        assert_eq!(run.result.message, "parameter \"name\": expected a string, got the number 42");
    }

    #[test]
    fn refuses_times_out_of_range() {
        let run = run_step(run, PluginInvocation::new("test").with_parameter("times", "101"));
        assert_eq!(run.result.phase, Phase::Failed);
        assert!(run.result.message.contains("\"times\""), "{}", run.result.message);
    }
}
