use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
enum Mode {
    Fast,
    Slow,
}

#[derive(IntoResult)]
struct Pair(String, u32);

fn main() {}
