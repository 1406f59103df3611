//! Optional input artifacts that were not given. Argo lists an optional
//! input artifact in the template whether or not it was supplied, and its
//! executor places no file for one that was not supplied or not found in
//! the repository (`workflow/executor/executor.go` 272-276 and 334-336 at
//! f016ad8); this project's host does the same. Such an artifact is simply
//! not there: the module drops it from the invocation before reading any.

use std::io::ErrorKind;

use wasm_workflows_sdk::prelude::*;

/// `invocation` without its input artifacts that have no file, and the
/// names of those.
pub fn without_absent(mut invocation: PluginInvocation) -> anyhow::Result<(PluginInvocation, Vec<String>)> {
    let mut absent = Vec::new();
    let mut present = Vec::new();
    for artifact in &invocation.artifacts {
        let file = invocation.artifact(&artifact.name)?.file().to_owned();
        match std::fs::metadata(&file) {
            Err(error) if error.kind() == ErrorKind::NotFound => absent.push(artifact.name.clone()),
            // Any other error is reported by the read that follows.
            _ => present.push(artifact.clone()),
        }
    }
    invocation.artifacts = present;
    Ok((invocation, absent))
}
