//! A cache of compiled modules on disk, so a module is compiled once.
//!
//! An entry is named by the SHA-256 of the module's bytes and a hash of the
//! engine's compatibility (wasmtime version and settings), so a new wasmtime
//! or a changed configuration never loads an incompatible entry. Entries are
//! written to a temporary file and renamed into place, so concurrent runs
//! never see half an entry; an entry that fails to load is compiled again.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

use super::ModuleKind;
use crate::cache_root::{compiled_dir, default_cache_root};

/// A module compiled for the engine, ready to instantiate (cheap to clone).
#[derive(Clone)]
pub(crate) enum Compiled {
    Core(wasmtime::Module),
    Component(Component),
}

impl Compiled {
    /// The bytes of its compiled image (code and data) in memory.
    pub(crate) fn image_bytes(&self) -> u64 {
        let range = match self {
            Compiled::Core(module) => module.image_range(),
            Compiled::Component(component) => component.image_range(),
        };
        (range.end as usize).saturating_sub(range.start as usize) as u64
    }
}

/// Where a compiled module came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileSource {
    /// Compiled in this run (and stored, when a cache is in use).
    Compiled,
    /// Loaded from the cache folder: no compilation.
    Cache,
    /// Already loaded by this runner: neither compiled nor read.
    Memory,
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
    mapped: bool,
}

impl ModuleCache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ModuleCache { dir: dir.into(), mapped: false }
    }

    /// Entries are mapped into memory rather than read and copied: for a
    /// process that ends with its step (`run`), where it saves reading the
    /// whole entry. A long-lived host reads them, so that a file changed
    /// under it by someone else cannot crash it.
    pub fn mapped(self) -> Self {
        ModuleCache { mapped: true, ..self }
    }

    /// The default folder: `compiled/` in [`default_cache_root`].
    pub fn default_dir() -> Option<PathBuf> {
        default_cache_root().map(|root| compiled_dir(&root))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry(&self, engine: &Engine, kind: ModuleKind, digest: &[u8; 32]) -> PathBuf {
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{hex}-{:016x}-{}.cwasm", hasher.finish(), kind.short_name()))
    }

    /// The compiled form of `bytes` (whose SHA-256 is `digest`), from the
    /// cache or freshly compiled.
    pub(crate) fn load_or_compile(
        &self,
        engine: &Engine,
        kind: ModuleKind,
        bytes: &[u8],
        digest: &[u8; 32],
    ) -> wasmtime::Result<(Compiled, CompileSource)> {
        let entry = self.entry(engine, kind, digest);
        // SAFETY: entries are written only by `store` below, from wasmtime's
        // own serialization, into the user's own cache folder, and replaced
        // only by a rename (a mapped entry is never changed in place); the
        // engine checks that an entry was made by a compatible one.
        let loaded = unsafe {
            if self.mapped {
                match kind {
                    ModuleKind::Core => wasmtime::Module::deserialize_file(engine, &entry).map(Compiled::Core),
                    ModuleKind::Component => Component::deserialize_file(engine, &entry).map(Compiled::Component),
                }
            } else {
                std::fs::read(&entry).map_err(wasmtime::Error::from).and_then(|serialized| match kind {
                    ModuleKind::Core => wasmtime::Module::deserialize(engine, &serialized).map(Compiled::Core),
                    ModuleKind::Component => Component::deserialize(engine, &serialized).map(Compiled::Component),
                })
            }
        };
        if let Ok(compiled) = loaded {
            return Ok((compiled, CompileSource::Cache));
        }
        let compiled = compile(engine, kind, bytes)?;
        if let Err(error) = self.store(&entry, &compiled) {
            tracing::warn!("cannot cache the compiled module in {}: {error}", self.dir.display());
        }
        Ok((compiled, CompileSource::Compiled))
    }

    fn store(&self, entry: &Path, compiled: &Compiled) -> anyhow::Result<()> {
        let bytes = match compiled {
            Compiled::Core(module) => module.serialize(),
            Compiled::Component(component) => component.serialize(),
        }
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        std::fs::create_dir_all(&self.dir)?;
        let temporary = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::fs::write(temporary.path(), bytes)?;
        temporary.persist(entry)?;
        Ok(())
    }
}

/// Compiles `bytes` (binary, or WAT text for a core module).
pub(crate) fn compile(engine: &Engine, kind: ModuleKind, bytes: &[u8]) -> wasmtime::Result<Compiled> {
    Ok(match kind {
        ModuleKind::Core => Compiled::Core(wasmtime::Module::new(engine, bytes)?),
        ModuleKind::Component => Compiled::Component(Component::new(engine, bytes)?),
    })
}
