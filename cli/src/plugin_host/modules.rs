//! The modules steps name (`module.oci`), pulled and prepared once: a
//! reference pinned to a digest is kept for good; a tag is asked of its
//! registry again after `tag_refresh` (tags move), without pulling or
//! compiling again when its digest has not changed (the registry client
//! caches layers by digest, the runner prepared modules). Concurrent steps
//! that need the same image wait for one pull.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::metrics::HostMetrics;
use crate::oci::{Registry, parse_reference};
use crate::runner::{CompileSource, PreparedModule, Runner};

/// A module ready to run, and where it came from.
#[derive(Clone)]
pub struct Module {
    /// The module, linked and ready to instantiate.
    pub prepared: PreparedModule,
    /// The digest of its image's manifest.
    pub digest: String,
}

struct Known {
    module: Module,
    fetched: Instant,
}

/// Pulled modules, by reference.
pub struct ModuleStore {
    registry: Registry,
    runner: Arc<Runner>,
    tag_refresh: Duration,
    known: Mutex<HashMap<String, Known>>,
    /// One lock per reference being pulled: a pull is made once.
    pulls: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    metrics: Arc<HostMetrics>,
}

impl ModuleStore {
    /// Modules pulled through `registry` and prepared by `runner`; tags are
    /// asked again after `tag_refresh`; pulls and compilations counted in `metrics`.
    pub fn new(
        registry: Registry,
        runner: Arc<Runner>,
        tag_refresh: Duration,
        metrics: Arc<HostMetrics>,
    ) -> ModuleStore {
        let (known, pulls) = (Mutex::new(HashMap::new()), Mutex::default());
        ModuleStore { registry, runner, tag_refresh, known, pulls, metrics }
    }

    fn cached(&self, image: &str, pinned: bool) -> Option<Module> {
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known.get(image).filter(|k| pinned || k.fetched.elapsed() < self.tag_refresh).map(|k| k.module.clone())
    }

    /// The module at `image`, ready to run; the error says why there is none.
    pub async fn get(&self, image: &str) -> Result<Module, String> {
        let reference = parse_reference(image).map_err(|e| e.to_string())?;
        let pinned = reference.digest().is_some();
        if let Some(module) = self.cached(image, pinned) {
            self.metrics.cache_hits.get("memory").inc();
            return Ok(module);
        }
        let pull = self.pulls.lock().unwrap_or_else(|p| p.into_inner()).entry(image.to_owned()).or_default().clone();
        let _pulling = pull.lock().await;
        if let Some(module) = self.cached(image, pinned) {
            return Ok(module);
        }
        let result = self.pull(image, &reference).await;
        self.pulls.lock().unwrap_or_else(|p| p.into_inner()).remove(image);
        let module = result?;
        let known = Known { module: module.clone(), fetched: Instant::now() };
        self.known.lock().unwrap_or_else(|p| p.into_inner()).insert(image.to_owned(), known);
        Ok(module)
    }

    async fn pull(&self, image: &str, reference: &crate::oci::Reference) -> Result<Module, String> {
        self.metrics.pulls.inc();
        let pulled = self.registry.pull(reference).await.map_err(|e| format!("cannot pull the module {image}: {e}"))?;
        let digest = layer_digest(&pulled.layer_digest);
        let (runner, name) = (self.runner.clone(), image.to_owned());
        let compiling = Instant::now();
        let prepared =
            tokio::task::spawn_blocking(move || runner.prepare(&pulled.bytes, digest.as_ref(), Path::new(&name)))
                .await
                .map_err(|e| format!("the host could not prepare {image}: {e}"))?
                .map_err(|e| format!("the host could not prepare {image}: {e}"))?;
        let (prepared, source) = prepared;
        match source {
            CompileSource::Compiled => {
                self.metrics.compilations.inc();
                tracing::info!(module = image, ms = compiling.elapsed().as_millis() as u64, "compiled");
            }
            CompileSource::Cache => self.metrics.cache_hits.get("disk").inc(),
            CompileSource::Memory => self.metrics.cache_hits.get("memory").inc(),
        }
        Ok(Module { prepared, digest: pulled.manifest_digest })
    }
}

/// `sha256:<hex>` as bytes.
fn layer_digest(digest: &str) -> Option<[u8; 32]> {
    let hex = digest.strip_prefix("sha256:")?;
    let mut bytes = [0; 32];
    if hex.len() != 64 {
        return None;
    }
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_digests_are_read_as_bytes() {
        let hex = "00ff".repeat(16);
        let bytes = layer_digest(&format!("sha256:{hex}")).unwrap();
        assert_eq!((bytes[0], bytes[1], bytes[31]), (0, 255, 255));
        assert_eq!(layer_digest("sha512:00"), None);
        assert_eq!(layer_digest(&format!("sha256:{}", "zz".repeat(32))), None);
    }
}
