//! Modules ready to run: compiled (or loaded from the cache folder), linked
//! once against the host's functions (`InstancePre`), and kept in memory by
//! their digest (within [`KeptBounds`]), so a module run again costs an
//! instantiation and nothing else.

use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime_wasi::p2::bindings::CommandPre;

use super::ModuleKind;
use super::cache::{self, CompileSource, Compiled, ModuleCache};
use super::component::{self, ComponentState};
use super::core_module::{self, CoreState};
use super::kept_modules::{KeptBounds, KeptModules, KeptSize};

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

/// The linkers (each built once, when a module of its kind first comes:
/// `run` of a core module never builds the component one) and the modules
/// prepared with them.
pub(crate) struct Preparer {
    core: OnceLock<Result<wasmtime::Linker<CoreState>, String>>,
    component: OnceLock<Result<wasmtime::component::Linker<ComponentState>, String>>,
    cache: Option<ModuleCache>,
    kept: Mutex<KeptModules>,
}

/// A module's identity: the SHA-256 of its bytes (or of the verified layer
/// it came in, when the caller knows it).
pub type ModuleDigest = [u8; 32];

/// The SHA-256 of `bytes`.
pub fn digest_of(bytes: &[u8]) -> ModuleDigest {
    Sha256::digest(bytes).into()
}

impl Preparer {
    pub(crate) fn new(cache: Option<ModuleCache>, bounds: KeptBounds) -> Preparer {
        Preparer {
            core: OnceLock::new(),
            component: OnceLock::new(),
            cache,
            kept: Mutex::new(KeptModules::new(bounds)),
        }
    }

    /// Keeps at most `bounds` in memory from now on (dropping what is kept).
    pub(crate) fn set_bounds(&mut self, bounds: KeptBounds) {
        *self.kept.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner()) = KeptModules::new(bounds);
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, KeptModules> {
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The module whose digest is `digest`, if it is kept in memory.
    pub(crate) fn find(&self, digest: &ModuleDigest) -> Option<PreparedModule> {
        self.kept().get(digest)
    }

    /// What is kept in memory now.
    pub(crate) fn kept_size(&self) -> KeptSize {
        self.kept().size()
    }

    /// The module in `bytes`, whose digest is `digest`, ready to run.
    pub(crate) fn prepare(
        &self,
        engine: &Engine,
        bytes: &[u8],
        digest: &ModuleDigest,
    ) -> wasmtime::Result<(PreparedModule, CompileSource)> {
        if let Some(prepared) = self.find(digest) {
            return Ok((prepared, CompileSource::Memory));
        }
        // Compiling takes a while: other runs go on meanwhile.
        let kind = ModuleKind::detect(bytes);
        let (compiled, source) = match &self.cache {
            Some(cache) => cache.load_or_compile(engine, kind, bytes, digest)?,
            None => (cache::compile(engine, kind, bytes)?, CompileSource::Compiled),
        };
        let image_bytes = compiled.image_bytes();
        let linked = match compiled {
            Compiled::Core(module) => {
                let linker = self.core.get_or_init(|| core_module::linker(engine).map_err(|e| format!("{e:#}")));
                let linker =
                    linker.as_ref().map_err(|e| wasmtime::format_err!("cannot link the host's functions: {e}"))?;
                linker.instantiate_pre(&module).map(Linked::Core)
            }
            Compiled::Component(component) => {
                let linker = self.component.get_or_init(|| component::linker(engine).map_err(|e| format!("{e:#}")));
                let linker =
                    linker.as_ref().map_err(|e| wasmtime::format_err!("cannot link the host's functions: {e}"))?;
                linker.instantiate_pre(&component).and_then(CommandPre::new).map(Linked::Component)
            }
        }
        .unwrap_or_else(|error| Linked::Unlinkable(kind, format!("{error:#}").into()));
        // A module that cannot be linked keeps only why.
        let image_bytes = if matches!(linked, Linked::Unlinkable(..)) { 0 } else { image_bytes };
        let prepared = PreparedModule { linked };
        if !self.kept().insert(*digest, prepared.clone(), image_bytes) {
            tracing::info!(
                bytes = image_bytes,
                "a compiled module larger than the memory kept for compiled modules (--max-compiled-mib) is not kept"
            );
        }
        Ok((prepared, source))
    }
}
