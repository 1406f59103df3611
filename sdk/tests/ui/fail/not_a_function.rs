use wasm_workflows_sdk::prelude::*;

#[workflow_step]
struct Step;

fn main() {}
