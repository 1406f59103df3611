//! The host's side of the work directory: what it puts there before the
//! module runs (folders, input artifacts, `input.json`) and what it takes
//! from it after (the output artifacts a succeeded node lists).

use std::path::{Path, PathBuf};

use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_sdk::workdir;

use super::{HostError, InputDocument, RunOptions};

/// Creates the work directory's contents: folders, input artifacts, `input.json`.
pub(super) fn prepare(root: &Path, options: &RunOptions) -> Result<(), HostError> {
    let io = |action: String| move |source| HostError::Io { action, source };
    let artifacts_in = workdir::artifacts_in(root);
    std::fs::create_dir_all(&artifacts_in).map_err(io("create artifacts-in/".into()))?;
    std::fs::create_dir_all(workdir::artifacts_out(root)).map_err(io("create artifacts-out/".into()))?;

    let mut invocation = options.invocation.clone();
    for input in &options.input_files {
        let invalid = |reason: String| HostError::InputArtifact { name: input.name.clone(), reason };
        let file =
            workdir::artifact_file(&artifacts_in, &input.name, &input.path).map_err(|e| invalid(e.to_string()))?;
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(io(format!("create {}", parent.display())))?;
        }
        std::fs::copy(&input.source, &file)
            .map_err(|e| invalid(format!("cannot copy {} into the work directory: {e}", input.source.display())))?;
        invocation.artifacts.retain(|a| a.name != input.name);
        invocation = invocation.with_artifact(&input.name, &input.path);
    }
    let text = match &options.input {
        InputDocument::Invocation => invocation.to_json().to_string_pretty().into_bytes(),
        InputDocument::Raw(bytes) => bytes.clone(),
        InputDocument::Absent => return Ok(()),
    };
    std::fs::write(workdir::input_file(root), text).map_err(io("write input.json".into()))
}

/// Checks each output artifact of a succeeded node and copies it to
/// `output_dir`; a missing or misplaced one fails the node.
pub(super) fn collect_outputs(
    node: &mut PluginResult,
    root: &Path,
    output_dir: Option<&Path>,
) -> Result<Vec<(String, PathBuf)>, HostError> {
    if node.phase != Phase::Succeeded {
        return Ok(Vec::new());
    }
    let artifacts_out = workdir::artifacts_out(root);
    let mut copied = Vec::new();
    for artifact in &node.outputs.artifacts {
        let file = match workdir::artifact_file(&artifacts_out, &artifact.name, &artifact.path) {
            Ok(file) => file,
            Err(error) => {
                *node = PluginResult::failed(format!(
                    "the module listed an output artifact the host cannot upload: {error}"
                ));
                return Ok(Vec::new());
            }
        };
        if !file.is_file() {
            *node = PluginResult::failed(format!(
                "output artifact \"{}\" is listed with path \"{}\", but the module wrote no file at /work/artifacts-out{}{}",
                artifact.name,
                artifact.path,
                if artifact.path.starts_with('/') { "" } else { "/" },
                artifact.path
            ));
            return Ok(Vec::new());
        }
        if let Some(dir) = output_dir {
            let target = workdir::artifact_file(dir, &artifact.name, &artifact.path).expect("checked above");
            let io = |source| HostError::Io {
                action: format!("copy output artifact \"{}\" to {}", artifact.name, target.display()),
                source,
            };
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            std::fs::copy(&file, &target).map_err(io)?;
            copied.push((artifact.name.clone(), target));
        }
    }
    Ok(copied)
}
