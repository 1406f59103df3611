use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
struct Inputs {
    #[step(defualt = 40)]
    width: u32,
}

#[derive(IntoResult)]
#[step(allow_unknown)]
struct Outputs {
    text: String,
}

fn main() {}
