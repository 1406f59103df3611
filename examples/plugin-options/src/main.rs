//! Plugin options: the keys of the template's `plugin.wasm` block other
//! than `module` and `permissions` reach the step as plugin options, here
//! `greeting` and `shout`, set once per template; the parameter `name`
//! changes per step.
//!
//! ```yaml
//! plugin:
//!   wasm:
//!     module:
//!       oci: registry.example.org/examples/plugin-options:latest
//!     greeting: Good morning
//!     shout: true
//! ```

use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
struct Inputs {
    /// Who to greet (a parameter).
    #[step(default = "World")]
    name: String,
    /// How to greet (a plugin option).
    #[step(plugin_option, default = "Hello")]
    greeting: String,
    /// Upper-case the greeting (a plugin option; YAML's `true` arrives as a JSON boolean).
    #[step(plugin_option, default)]
    shout: bool,
}

#[workflow_step]
fn run(inputs: Inputs) -> anyhow::Result<PluginResult> {
    let text = format!("{}, {}!", inputs.greeting, inputs.name);
    let text = if inputs.shout { text.to_uppercase() } else { text };
    Ok(PluginResult::succeeded("greeted").with_parameter("greeting", text))
}
