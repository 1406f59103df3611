//! A step with unit tests: `cargo test` runs `run` natively through the
//! SDK's runtime (`testing::StepTest`), in a temporary work directory with
//! the input artifacts the test gives, exactly as the module runs it.
//! The step converts temperatures: parameter `celsius` (a number, or a
//! list of them in the input artifact `readings`, one a line) to
//! Fahrenheit.

use std::io::BufRead;

use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
struct Inputs {
    celsius: Option<f64>,
    readings: Option<InputArtifact>,
}

fn fahrenheit(celsius: f64) -> f64 {
    celsius * 9.0 / 5.0 + 32.0
}

#[workflow_step]
fn run(inputs: Inputs) -> anyhow::Result<PluginResult> {
    let celsius: Vec<f64> = match (inputs.celsius, inputs.readings) {
        (Some(value), None) => vec![value],
        (None, Some(file)) => {
            let mut values = Vec::new();
            for (number, line) in file.open()?.lines().enumerate() {
                let line = line?;
                let value = line.trim().parse().map_err(|_| {
                    anyhow::anyhow!("input artifact \"readings\", line {}: \"{line}\" is not a number", number + 1)
                })?;
                values.push(value);
            }
            values
        }
        _ => anyhow::bail!("give parameter \"celsius\" or input artifact \"readings\", not both or neither"),
    };
    let converted: Vec<f64> = celsius.into_iter().map(fahrenheit).collect();
    Ok(PluginResult::succeeded(format!("converted {}", converted.len())).with_parameter("fahrenheit", converted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_workflows_sdk::testing::StepTest;

    #[test]
    fn converts_a_parameter_given_as_argo_text() {
        let run = StepTest::new(PluginInvocation::new("test").with_parameter("celsius", "100")).run(run);
        assert_eq!(run.result.message, "converted 1");
        assert_eq!(run.result.output_parameter("fahrenheit").map(Value::to_string).as_deref(), Some("[212.0]"));
    }

    #[test]
    fn converts_the_lines_of_an_artifact() {
        let run =
            StepTest::new(PluginInvocation::new("test")).input_artifact("readings", "/r.txt", "0\n-40\n").run(run);
        assert_eq!(run.result.output_parameter("fahrenheit").map(Value::to_string).as_deref(), Some("[32.0,-40.0]"));
    }

    #[test]
    fn names_a_bad_line_and_a_missing_input() {
        let bad =
            StepTest::new(PluginInvocation::new("test")).input_artifact("readings", "/r.txt", "1\nwarm\n").run(run);
        assert_eq!(bad.result.phase, Phase::Failed);
        assert_eq!(bad.result.message, "input artifact \"readings\", line 2: \"warm\" is not a number");
        let neither = StepTest::new(PluginInvocation::new("test")).run(run);
        assert_eq!(
            neither.result.message,
            "give parameter \"celsius\" or input artifact \"readings\", not both or neither"
        );
    }
}
