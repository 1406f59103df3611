use wasm_workflows_sdk::prelude::*;

struct Step;

impl Step {
    #[workflow_step]
    fn run(&self) -> anyhow::Result<PluginResult> {
        Ok(PluginResult::succeeded("never"))
    }
}

fn main() {}
