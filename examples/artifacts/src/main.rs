//! Artifacts in and out, as fields of the typed structs: the input
//! artifact `lines` (a text file) is read line by line, streamed, and its
//! lines, sorted, are written to the output artifact `sorted` at
//! `/sorted.txt`. An `OutputArtifact` field is flushed and listed in the
//! result when the step returns.
//!
//! ```console
//! $ wasm-workflows run example-artifacts.wasm --artifact lines=names.txt:/in/names.txt --param reverse=true --output-dir out
//! ```

use std::io::{BufRead, Write};

use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
struct Inputs {
    /// The text to sort.
    lines: InputArtifact,
    /// Sort from Z to A.
    #[step(default)]
    reverse: bool,
}

#[derive(IntoResult)]
struct Outputs {
    #[step(message)]
    message: String,
    /// How many lines.
    count: usize,
    sorted: OutputArtifact,
}

#[workflow_step]
fn run(inputs: Inputs) -> anyhow::Result<Outputs> {
    let mut lines: Vec<String> = inputs.lines.open()?.lines().collect::<Result<_, _>>()?;
    lines.sort();
    if inputs.reverse {
        lines.reverse();
    }
    let mut sorted = OutputArtifact::create("sorted", "/sorted.txt")?;
    for line in &lines {
        writeln!(sorted, "{line}")?;
    }
    Ok(Outputs {
        message: format!("sorted {} lines of {}", lines.len(), inputs.lines.path()),
        count: lines.len(),
        sorted,
    })
}
