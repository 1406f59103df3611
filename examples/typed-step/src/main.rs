//! A typed step: its inputs and outputs are structs. `Inputs` is read from
//! the invocation (`#[derive(FromInvocation)]`): Argo's strings become the
//! fields' types, defaults fill what is absent, and a missing or mistyped
//! parameter fails the step with a message that names it. `Stats` becomes
//! the result (`#[derive(IntoResult)]`): each field an output parameter.
//!
//! ```console
//! $ wasm-workflows run example-typed-step.wasm --param text="the quick brown fox" --param min-length=4
//! ```

use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
struct Inputs {
    /// The text to look at.
    text: String,
    /// Words shorter than this are not counted (Argo passes `"4"`).
    #[step(rename = "min-length", default = 1)]
    min_length: usize,
    /// Also give the words, upper-cased.
    #[step(default)]
    upper: bool,
}

#[derive(IntoResult)]
#[step(message = "counted")]
struct Stats {
    /// How many words are counted.
    words: usize,
    /// The longest of them (left out when there is none).
    longest: Option<String>,
    /// The counted words, when `upper` is set: a JSON array.
    list: Option<Vec<String>>,
}

#[workflow_step]
fn run(inputs: Inputs) -> anyhow::Result<Stats> {
    let words: Vec<&str> = inputs.text.split_whitespace().filter(|w| w.chars().count() >= inputs.min_length).collect();
    let longest = words.iter().max_by_key(|w| w.chars().count()).map(|w| w.to_string());
    let list = inputs.upper.then(|| words.iter().map(|w| w.to_uppercase()).collect());
    Ok(Stats { words: words.len(), longest, list })
}
