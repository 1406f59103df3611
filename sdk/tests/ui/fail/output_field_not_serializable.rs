use wasm_workflows_sdk::prelude::*;

struct Drawing(Vec<u8>);

#[derive(IntoResult)]
struct Outputs {
    drawing: Drawing,
}

fn main() {}
