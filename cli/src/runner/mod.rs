//! Runs a module locally exactly as the Argo WASM plugin would:
//!
//! 1. a fresh work directory with `artifacts-in/` and `artifacts-out/`;
//! 2. the invocation written to `input.json`;
//! 3. each input artifact copied to `artifacts-in/<path>`;
//! 4. the directory preopened as `/work`, the module started (a core module
//!    through WASI preview 1, a component through `wasi:cli/command`);
//! 5. `result.json` read back, each output artifact taken from
//!    `artifacts-out/<path>` (and copied to the output directory, if any);
//! 6. the node — phase, message, outputs — returned.
//!
//! Whatever the module does (an error, a panic, a trap, an explicit exit, a
//! timeout, running out of memory, no or a broken `result.json`), the answer
//! is a node whose message says what happened. [`HostError`] is kept for
//! what stops the host itself: an unreadable module, a bad input artifact.

mod cache;
mod component;
mod core_module;
mod ending;
mod engine;
mod legacy_http;
mod limits;
mod types;
mod wasi_context;
mod work_dir;

use std::path::Path;
use std::sync::{Mutex, Once};
use std::time::Instant;

use sha2::{Digest, Sha256};

use self::cache::Compiled;
pub use self::cache::{CompileSource, ModuleCache};
pub use self::engine::TICK;
pub use self::types::{ExitRule, HostError, InputDocument, InputFile, ModuleKind, RunOptions, RunOutcome};

/// Compiled modules a runner keeps in memory, the most recently used last.
const LOADED_MODULES: usize = 32;

/// Runs modules; keep one for many runs to share the engine, the compiled
/// modules (the last 32 in memory, all of them in the cache
/// folder, if any) and the clock behind timeouts.
pub struct Runner {
    engine: wasmtime::Engine,
    cache: Option<ModuleCache>,
    loaded: Mutex<Vec<([u8; 32], Compiled)>>,
    ticker: Once,
}

impl Runner {
    /// A runner that caches compiled modules in `cache`, if given.
    pub fn new(cache: Option<ModuleCache>) -> Result<Runner, HostError> {
        let engine = engine::new_engine().map_err(|e| HostError::Engine(e.to_string()))?;
        Ok(Runner { engine, cache, loaded: Mutex::new(Vec::new()), ticker: Once::new() })
    }

    /// Runs the module in file `module`.
    pub fn run(&self, module: &Path, options: &RunOptions) -> Result<RunOutcome, HostError> {
        let bytes = std::fs::read(module).map_err(|source| HostError::ReadModule { path: module.into(), source })?;
        self.run_bytes(&bytes, module, options)
    }

    /// Runs a module given as bytes (binary, or WAT text for a core module);
    /// `name` is used in messages.
    pub fn run_bytes(&self, bytes: &[u8], name: &Path, options: &RunOptions) -> Result<RunOutcome, HostError> {
        let kind = ModuleKind::detect(bytes);
        let loading = Instant::now();
        let (compiled, compile) = self
            .load(kind, bytes)
            .map_err(|error| HostError::InvalidModule { path: name.into(), reason: format!("{error:#}") })?;
        let load_time = loading.elapsed();

        let work_dir = tempfile::Builder::new()
            .prefix("wasm-workflows-")
            .tempdir()
            .map_err(|source| HostError::Io { action: "create a work directory".into(), source })?;
        work_dir::prepare(work_dir.path(), options)?;

        if options.timeout.is_some() {
            engine::start_ticker(&self.engine, &self.ticker);
        }
        let running = Instant::now();
        let execution = match &compiled {
            Compiled::Core(module) => core_module::run(&self.engine, module, work_dir.path(), options),
            Compiled::Component(component) => component::run(&self.engine, component, work_dir.path(), options),
        };
        let run_time = running.elapsed();
        let mut node = ending::node(execution, kind, work_dir.path(), options);
        let output_files = work_dir::collect_outputs(&mut node, work_dir.path(), options.output_dir.as_deref())?;
        Ok(RunOutcome { node, compile, output_files, load_time, run_time })
    }

    fn load(&self, kind: ModuleKind, bytes: &[u8]) -> wasmtime::Result<(Compiled, CompileSource)> {
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        let mut loaded = self.loaded.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(at) = loaded.iter().position(|(known, _)| *known == digest) {
            let entry = loaded.remove(at);
            let compiled = entry.1.clone();
            loaded.push(entry);
            return Ok((compiled, CompileSource::Memory));
        }
        // Compiling takes a while: other runs go on meanwhile.
        drop(loaded);
        let (compiled, source) = match &self.cache {
            Some(cache) => cache.load_or_compile(&self.engine, kind, bytes, &digest)?,
            None => (cache::compile(&self.engine, kind, bytes)?, CompileSource::Compiled),
        };
        let mut loaded = self.loaded.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !loaded.iter().any(|(known, _)| *known == digest) {
            if loaded.len() == LOADED_MODULES {
                loaded.remove(0);
            }
            loaded.push((digest, compiled.clone()));
        }
        Ok((compiled, source))
    }
}
