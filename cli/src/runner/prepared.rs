//! Modules ready to run: compiled (or loaded from the cache folder), linked
//! once against the host's functions (`InstancePre`), and kept in memory by
//! their digest, so a module run again costs an instantiation and nothing else.

use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime_wasi::p2::bindings::CommandPre;

use super::ModuleKind;
use super::cache::{self, CompileSource, Compiled, ModuleCache};
use super::component::{self, ComponentState};
use super::core_module::{self, CoreState};

/// Compiled modules kept in memory, the most recently used last.
const KEPT_IN_MEMORY: usize = 32;

/// A module linked and ready to instantiate (cheap to clone).
#[derive(Clone)]
pub struct PreparedModule {
    pub(crate) linked: Linked,
}

#[derive(Clone)]
pub(crate) enum Linked {
    Core(wasmtime::InstancePre<CoreState>),
    Component(CommandPre<ComponentState>),
    /// A module the host's functions cannot satisfy (an unknown import, say):
    /// each run of it ends at once, saying why.
    Unlinkable(ModuleKind, Arc<str>),
}

impl PreparedModule {
    /// A core module or a component.
    pub fn kind(&self) -> ModuleKind {
        match self.linked {
            Linked::Core(_) => ModuleKind::Core,
            Linked::Component(_) => ModuleKind::Component,
            Linked::Unlinkable(kind, _) => kind,
        }
    }
}

/// The linkers (built once) and the modules prepared with them.
pub(crate) struct Preparer {
    core: wasmtime::Linker<CoreState>,
    component: wasmtime::component::Linker<ComponentState>,
    cache: Option<ModuleCache>,
    kept: Mutex<Vec<([u8; 32], PreparedModule)>>,
}

/// A module's identity: the SHA-256 of its bytes (or of the verified layer
/// it came in, when the caller knows it).
pub type ModuleDigest = [u8; 32];

/// The SHA-256 of `bytes`.
pub fn digest_of(bytes: &[u8]) -> ModuleDigest {
    Sha256::digest(bytes).into()
}

impl Preparer {
    pub(crate) fn new(engine: &Engine, cache: Option<ModuleCache>) -> wasmtime::Result<Preparer> {
        Ok(Preparer {
            core: core_module::linker(engine)?,
            component: component::linker(engine)?,
            cache,
            kept: Mutex::new(Vec::new()),
        })
    }

    /// The module in `bytes`, whose digest is `digest`, ready to run.
    pub(crate) fn prepare(
        &self,
        engine: &Engine,
        bytes: &[u8],
        digest: &ModuleDigest,
    ) -> wasmtime::Result<(PreparedModule, CompileSource)> {
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(at) = kept.iter().position(|(known, _)| known == digest) {
            let entry = kept.remove(at);
            let prepared = entry.1.clone();
            kept.push(entry);
            return Ok((prepared, CompileSource::Memory));
        }
        // Compiling takes a while: other runs go on meanwhile.
        drop(kept);
        let kind = ModuleKind::detect(bytes);
        let (compiled, source) = match &self.cache {
            Some(cache) => cache.load_or_compile(engine, kind, bytes, digest)?,
            None => (cache::compile(engine, kind, bytes)?, CompileSource::Compiled),
        };
        let linked = match compiled {
            Compiled::Core(module) => self.core.instantiate_pre(&module).map(Linked::Core),
            Compiled::Component(component) => {
                self.component.instantiate_pre(&component).and_then(CommandPre::new).map(Linked::Component)
            }
        }
        .unwrap_or_else(|error| Linked::Unlinkable(kind, format!("{error:#}").into()));
        let prepared = PreparedModule { linked };
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !kept.iter().any(|(known, _)| known == digest) {
            if kept.len() == KEPT_IN_MEMORY {
                kept.remove(0);
            }
            kept.push((*digest, prepared.clone()));
        }
        Ok((prepared, source))
    }
}
