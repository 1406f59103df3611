//! The modules steps name (`module.oci`), pulled once: a reference pinned to
//! a digest is kept for good; a tag is asked of its registry again after
//! `tag_refresh` (tags move), without pulling the module again when its
//! digest has not changed (the registry client caches layers by digest).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::oci::{OciError, Registry, parse_reference};

/// A module ready to run.
#[derive(Debug, Clone)]
pub struct Module {
    /// Its bytes.
    pub bytes: Arc<Vec<u8>>,
    /// The digest of its image's manifest.
    pub digest: String,
}

/// Pulled modules, by reference.
pub struct ModuleStore {
    registry: Registry,
    tag_refresh: Duration,
    known: Mutex<HashMap<String, (Module, Instant)>>,
}

impl ModuleStore {
    /// Modules pulled through `registry`; tags are asked again after `tag_refresh`.
    pub fn new(registry: Registry, tag_refresh: Duration) -> ModuleStore {
        ModuleStore { registry, tag_refresh, known: Mutex::new(HashMap::new()) }
    }

    /// The module at `image`.
    pub async fn get(&self, image: &str) -> Result<Module, OciError> {
        let reference = parse_reference(image)?;
        let pinned = reference.digest().is_some();
        if let Some((module, fetched)) = self.known.lock().unwrap_or_else(|p| p.into_inner()).get(image)
            && (pinned || fetched.elapsed() < self.tag_refresh)
        {
            return Ok(module.clone());
        }
        let pulled = self.registry.pull(&reference).await?;
        let module = Module { bytes: Arc::new(pulled.bytes), digest: pulled.manifest_digest };
        self.known.lock().unwrap_or_else(|p| p.into_inner()).insert(image.to_owned(), (module.clone(), Instant::now()));
        Ok(module)
    }
}
