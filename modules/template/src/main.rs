//! template: renders a Jinja template (parameter `template` or input
//! artifact `template`) with Jinja2's semantics, on minijinja. The context
//! is the input artifact `context` (JSON or YAML), the parameter `context`
//! (a JSON object) and the step's other parameters; other input artifacts
//! can be included by name or path. The text is the output artifact
//! `result` and, when small, the output parameter `result`.

mod budget;
mod context;
mod environment;
mod failure;
mod jinja2_builtins;
mod options;
mod python_text;
mod python_wrap;
mod source;
mod urlize;

use wasm_workflows_sdk::prelude::*;

use crate::options::Options;

/// The largest text also returned as the parameter `result` (Argo keeps
/// parameters in the workflow's status, which must stay small).
const MAX_PARAMETER_BYTES: usize = 256 * 1024;

/// Where the output artifact `result` is written.
const RESULT_PATH: &str = "/result.txt";

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    let (invocation, absent) = invocation.without_absent_artifacts()?;
    let options = Options::read(&invocation)?;
    let source = source::read(&invocation)?;
    let variables = context::read(&invocation)?;
    let described = source.described;
    let artifacts: Vec<String> = invocation
        .artifacts
        .iter()
        .map(|a| format!("{:?} ({})", a.name, a.path))
        .chain(absent.iter().map(|name| format!("{name:?} (optional, not given)")))
        .collect();
    let mut env = environment::build(&invocation, &options)?;
    let budget = budget::Budget::for_render(&options);
    env.set_fuel(Some(budget.fuel));
    let out_of_fuel = budget.exhausted();
    let added = env.add_template_owned(source::MAIN, source.text);
    let undefined_in = |name: &str| undefined_variables(&env, name, &variables);
    let circumstances = failure::Circumstances {
        main_described: described,
        artifacts: &artifacts,
        undefined_in: &undefined_in,
        out_of_fuel: &out_of_fuel,
    };
    let failed = |error: minijinja::Error| anyhow::anyhow!("{}", failure::describe(&error, &circumstances));
    added.map_err(failed)?;
    let template = env.get_template(source::MAIN).map_err(failed)?;
    let text = template.render(minijinja::Value::from_object(variables.clone())).map_err(failed)?;
    let artifact = write_output_artifact("result", RESULT_PATH, text.as_bytes())?;
    let mut result = PluginResult::succeeded(format!("rendered {} bytes", text.len())).with_artifact(artifact);
    if text.len() <= MAX_PARAMETER_BYTES {
        result = result.with_parameter("result", text);
    } else {
        result.message = format!(
            "rendered {} bytes: more than the {MAX_PARAMETER_BYTES} a parameter holds, so only the artifact \"result\" has them",
            text.len()
        );
    }
    Ok(result)
}

/// The variables template `name` uses that neither the context, the
/// environment's globals nor the template itself defines.
fn undefined_variables(env: &minijinja::Environment, name: &str, variables: &context::Variables) -> Vec<String> {
    let Ok(template) = env.get_template(name) else { return Vec::new() };
    let mut names: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|variable| !variables.contains_key(&minijinja::Value::from(variable.as_str())))
        .filter(|variable| !env.globals().any(|(global, _)| global == variable))
        .collect();
    names.sort();
    names
}
