//! The modules steps name (`module.oci`), pulled and prepared once. What
//! is kept here is only which module a reference names (its manifest's and
//! module's digests), for at most [`MAX_REFERENCES`] references; the
//! compiled modules themselves are kept by the runner, by digest, within its
//! bounds (`--max-compiled-modules`, `--max-compiled-mib`), so neither grows
//! with the number of distinct references steps send.
//!
//! A reference pinned to a digest is answered from what is kept while its
//! module is in memory; a tag is asked of its registry again after
//! `tag_refresh` (tags move), without compiling again when its digest has
//! not changed. A module the runner no longer keeps is pulled by its digest
//! again (from the disk cache, when there is one) and loaded from the
//! compiled cache. Concurrent steps that need the same image wait for one pull.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::metrics::HostMetrics;
use crate::oci::{Reference, Registry, parse_reference};
use crate::runner::{CompileSource, ModuleDigest, PreparedModule, Runner, digest_of};

/// How many references the store remembers the module of; past it, the
/// one asked longest ago is forgotten (and pulled again when it comes back).
pub const MAX_REFERENCES: usize = 4096;

/// A module ready to run, and where it came from.
#[derive(Clone)]
pub struct Module {
    /// The module, linked and ready to instantiate.
    pub prepared: PreparedModule,
    /// The digest of its image's manifest.
    pub digest: String,
}

/// Which module a reference named when it was last asked.
struct Known {
    /// The image's manifest digest.
    manifest: String,
    /// The module's digest, by which the runner keeps it.
    module: ModuleDigest,
    fetched: Instant,
    used: Instant,
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

    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<String, Known>> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many references the store remembers now.
    pub fn references(&self) -> usize {
        self.known().len()
    }

    /// What the store remembers of `image`, if it is still good: its
    /// manifest's digest, and its module's if the module may be used as it is.
    fn remembered(&self, image: &str, pinned: bool) -> Option<(String, Option<ModuleDigest>)> {
        let mut known = self.known();
        let known = known.get_mut(image)?;
        known.used = Instant::now();
        let fresh = pinned || known.fetched.elapsed() < self.tag_refresh;
        Some((known.manifest.clone(), fresh.then_some(known.module)))
    }

    /// The module at `image`, kept in memory, when what the store
    /// remembers of `image` is still good.
    fn cached(&self, image: &str, pinned: bool) -> Option<Module> {
        let (manifest, module) = self.remembered(image, pinned)?;
        let prepared = self.runner.kept(&module?)?;
        Some(Module { prepared, digest: manifest })
    }

    /// The module at `image`, ready to run; the error says why there is none.
    pub async fn get(&self, image: &str) -> Result<Module, String> {
        let result = self.find(image).await;
        self.count_kept();
        result
    }

    async fn find(&self, image: &str) -> Result<Module, String> {
        let reference = parse_reference(image).map_err(|e| e.to_string())?;
        let pinned = reference.digest().is_some();
        if let Some(module) = self.cached(image, pinned) {
            self.metrics.cache_hits.get("memory").inc();
            return Ok(module);
        }
        let pull = self.pulls.lock().unwrap_or_else(|p| p.into_inner()).entry(image.to_owned()).or_default().clone();
        let _pulling = pull.lock().await;
        if let Some(module) = self.cached(image, pinned) {
            // Pulled by the step this one waited for: its lock is forgotten too.
            self.pulls.lock().unwrap_or_else(|p| p.into_inner()).remove(image);
            self.metrics.cache_hits.get("memory").inc();
            return Ok(module);
        }
        // A reference whose module is known but no longer in memory is
        // pulled by that digest (the disk cache has it, if there is one);
        // a tag past its refresh is asked of its registry again.
        let by_digest = match self.remembered(image, pinned) {
            Some((manifest, Some(_))) if !pinned => Some(reference.clone_with_digest(manifest)),
            _ => None,
        };
        let result = self.pull(image, by_digest.as_ref().unwrap_or(&reference)).await;
        self.pulls.lock().unwrap_or_else(|p| p.into_inner()).remove(image);
        let (module, digest) = result?;
        self.remember(image, &module, digest, by_digest.is_none());
        Ok(module)
    }

    /// Remembers that `image` names `module` (whose module digest is
    /// `digest`); `asked` when its registry was asked now (a tag's refresh
    /// starts again), forgetting the reference asked longest ago past
    /// [`MAX_REFERENCES`].
    fn remember(&self, image: &str, module: &Module, digest: ModuleDigest, asked: bool) {
        let mut known = self.known();
        let now = Instant::now();
        let fetched = match known.get(image) {
            Some(before) if !asked => before.fetched,
            _ => now,
        };
        if !known.contains_key(image)
            && known.len() >= MAX_REFERENCES
            && let Some(oldest) = known.iter().min_by_key(|(_, known)| known.used).map(|(image, _)| image.clone())
        {
            known.remove(&oldest);
        }
        known.insert(image.to_owned(), Known { manifest: module.digest.clone(), module: digest, fetched, used: now });
    }

    /// Sets the gauges of what is kept in memory.
    fn count_kept(&self) {
        let kept = self.runner.kept_size();
        self.metrics.compiled_modules.set(i64::try_from(kept.modules).unwrap_or(i64::MAX));
        self.metrics.compiled_bytes.set(i64::try_from(kept.bytes).unwrap_or(i64::MAX));
        self.metrics.module_references.set(i64::try_from(self.references()).unwrap_or(i64::MAX));
    }

    async fn pull(&self, image: &str, reference: &Reference) -> Result<(Module, ModuleDigest), String> {
        self.metrics.pulls.inc();
        let pulled = self.registry.pull(reference).await.map_err(|e| format!("cannot pull the module {image}: {e}"))?;
        let digest = layer_digest(&pulled.layer_digest).unwrap_or_else(|| digest_of(&pulled.bytes));
        let (runner, name) = (self.runner.clone(), image.to_owned());
        let compiling = Instant::now();
        let prepared =
            tokio::task::spawn_blocking(move || runner.prepare(&pulled.bytes, Some(&digest), Path::new(&name)))
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
        Ok((Module { prepared, digest: pulled.manifest_digest }, digest))
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
