use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
struct Inputs {
    #[step(default)]
    image: InputArtifact,
}

#[derive(IntoResult)]
struct Outputs {
    #[step(rename = "thumbnail")]
    image: OutputArtifact,
}

fn main() {}
