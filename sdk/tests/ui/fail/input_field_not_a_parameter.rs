use wasm_workflows_sdk::prelude::*;

struct Color(u8, u8, u8);

#[derive(FromInvocation)]
struct Inputs {
    text: String,
    color: Color,
}

fn main() {}
