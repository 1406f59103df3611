//! The modules a workflow's steps name (`plugin.wasm.module.oci`): a local
//! file where `--module REF=FILE` says so, else the image pulled from its
//! registry. Each is read (or pulled) and compiled once per run, however
//! many steps use it; the runner's cache keeps compiled modules across runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::oci::{Registry, parse_reference};
use crate::runner::{PreparedModule, Runner};

/// One image's module, once it has been loaded (or has failed to load).
type Slot = Arc<Mutex<Option<Result<PreparedModule, String>>>>;

/// Where modules come from.
pub struct Modules {
    runner: Arc<Runner>,
    local: Vec<(String, PathBuf)>,
    registry: Option<Registry>,
    prepared: Mutex<HashMap<String, Slot>>,
}

impl Modules {
    /// Modules prepared by `runner`: `local` files for the images they name
    /// (`REF=FILE`), others pulled through `registry` (none: an error).
    pub fn new(runner: Arc<Runner>, local: Vec<(String, PathBuf)>, registry: Option<Registry>) -> Modules {
        Modules { runner, local, registry, prepared: Mutex::default() }
    }

    /// The local file given for `image`: the same reference, or the same
    /// repository when the `--module` reference names no tag or digest.
    fn local_file(&self, image: &str) -> Option<&Path> {
        let exact = self.local.iter().find(|(reference, _)| reference == image);
        let by_repository = || {
            let image_repository = repository(image);
            self.local.iter().find(|(reference, _)| repository(reference) == reference && reference == image_repository)
        };
        exact.or_else(by_repository).map(|(_, file)| file.as_path())
    }

    /// The module `image` names, ready to run; the error says why there is none.
    pub async fn get(&self, image: &str) -> Result<PreparedModule, String> {
        let slot = self.prepared.lock().await.entry(image.to_owned()).or_default().clone();
        let mut slot = slot.lock().await;
        if let Some(result) = slot.as_ref() {
            return result.clone();
        }
        let result = self.load(image).await;
        *slot = Some(result.clone());
        result
    }

    async fn load(&self, image: &str) -> Result<PreparedModule, String> {
        let (bytes, name, digest) = match self.local_file(image) {
            Some(file) => {
                let bytes = tokio::fs::read(file)
                    .await
                    .map_err(|e| format!("cannot read the module {} (--module {image}): {e}", file.display()))?;
                (bytes, file.to_owned(), None)
            }
            None => {
                let registry = self.registry.as_ref().ok_or_else(|| {
                    format!("the module {image} is not available: give a local file with --module {image}=FILE")
                })?;
                let reference = parse_reference(image).map_err(|e| e.to_string())?;
                let pulled =
                    registry.pull(&reference).await.map_err(|e| format!("cannot pull the module {image}: {e}"))?;
                (pulled.bytes, PathBuf::from(image), None)
            }
        };
        // On a thread of its own, not tokio's blocking pool: a compilation
        // nobody waits for any more (its step's timeout or the workflow's
        // deadline ended the node) must not keep the process alive once the
        // run is over, as a runtime's shutdown waits for its blocking tasks.
        let runner = self.runner.clone();
        let (answer, prepared) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("wasm-workflows-prepare".into())
            .spawn(move || {
                let _ = answer.send(runner.prepare(&bytes, digest.as_ref(), &name));
            })
            .map_err(|e| format!("the host could not prepare {image}: cannot start a thread: {e}"))?;
        let prepared = prepared
            .await
            .map_err(|_| format!("the host could not prepare {image}: its preparation ended without an answer"))?
            .map_err(|e| e.to_string())?;
        Ok(prepared.0)
    }
}

/// `reference` without its tag or digest.
fn repository(reference: &str) -> &str {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    match without_digest.rfind(':') {
        Some(colon) if !without_digest[colon..].contains('/') => &without_digest[..colon],
        _ => without_digest,
    }
}

#[cfg(test)]
mod tests {
    use super::repository;

    #[test]
    fn a_repository_is_a_reference_without_tag_or_digest() {
        assert_eq!(repository("ghcr.io/a/b:latest"), "ghcr.io/a/b");
        assert_eq!(repository("localhost:5000/a@sha256:00"), "localhost:5000/a");
        assert_eq!(repository("localhost:5000/a"), "localhost:5000/a");
    }
}
