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
mod wasi_context;
mod work_dir;

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use wasm_workflows_sdk::protocol::{PluginInvocation, PluginResult};

use self::cache::Compiled;
pub use self::cache::{CompileSource, ModuleCache};
pub use self::engine::TICK;
use crate::allow_list::AllowList;

/// An input artifact to hand the module: a local file, placed at `path`.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The artifact's name.
    pub name: String,
    /// Its path in the template (below `artifacts-in/`).
    pub path: String,
    /// The local file with its contents.
    pub source: PathBuf,
}

/// What the module finds in `input.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum InputDocument {
    /// The invocation, as the host writes it.
    #[default]
    Invocation,
    /// These bytes instead: to see how a module meets a broken input.
    Raw(Vec<u8>),
    /// No `input.json` at all.
    Absent,
}

/// What to run the module with.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The invocation (parameters, plugin options, artifact references).
    pub invocation: PluginInvocation,
    /// What `input.json` holds: normally the invocation.
    pub input: InputDocument,
    /// Input artifact files; each is also added to the invocation.
    pub input_files: Vec<InputFile>,
    /// Where to copy output artifacts (`<dir>/<path>`), if anywhere.
    pub output_dir: Option<PathBuf>,
    /// Where the module may send HTTP requests.
    pub allowed_hosts: AllowList,
    /// How long the module may run.
    pub timeout: Option<Duration>,
    /// How much linear memory the module may have, in MiB.
    pub max_memory_mib: Option<u64>,
}

/// The answer of one run.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The node: phase, message and outputs.
    pub node: PluginResult,
    /// Whether the module was compiled or came from the cache.
    pub compile: CompileSource,
    /// Output artifacts copied to the output directory: name and file.
    pub output_files: Vec<(String, PathBuf)>,
    /// Time spent compiling or loading the module.
    pub load_time: Duration,
    /// Time spent running it, from instantiation to its end.
    pub run_time: Duration,
}

/// What stops the host from running a module at all.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The module file cannot be read.
    #[error("cannot read the module {}: {source}", .path.display())]
    ReadModule {
        /// The module file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The module is not WebAssembly wasmtime can compile.
    #[error("{} is not a module this host can run: {reason}", .path.display())]
    InvalidModule {
        /// The module file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An input artifact cannot be placed.
    #[error("input artifact \"{name}\": {reason}")]
    InputArtifact {
        /// The artifact's name.
        name: String,
        /// Why.
        reason: String,
    },
    /// The work or output directory cannot be prepared.
    #[error("cannot {action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The engine cannot be set up.
    #[error("cannot set up wasmtime: {0}")]
    Engine(String),
}

/// A core module (wasip1) or a component (wasip2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleKind {
    /// A core WebAssembly module: WASI preview 1, `_start`.
    Core,
    /// A component: `wasi:cli/command`.
    Component,
}

impl ModuleKind {
    /// Tells the kind from the module's header; text (WAT) counts as a core module.
    pub fn detect(bytes: &[u8]) -> ModuleKind {
        match bytes {
            [0, b'a', b's', b'm', _, _, 1, 0, ..] => ModuleKind::Component,
            _ => ModuleKind::Core,
        }
    }

    pub(crate) fn short_name(self) -> &'static str {
        match self {
            ModuleKind::Core => "core",
            ModuleKind::Component => "component",
        }
    }
}

/// Runs modules; keep one for many runs to share the engine and the cache.
pub struct Runner {
    engine: wasmtime::Engine,
    cache: Option<ModuleCache>,
    ticker: Once,
}

impl Runner {
    /// A runner that caches compiled modules in `cache`, if given.
    pub fn new(cache: Option<ModuleCache>) -> Result<Runner, HostError> {
        let engine = engine::new_engine().map_err(|e| HostError::Engine(e.to_string()))?;
        Ok(Runner { engine, cache, ticker: Once::new() })
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
        let mut node = ending::node(execution, kind, work_dir.path(), options.timeout, options.max_memory_mib);
        let output_files = work_dir::collect_outputs(&mut node, work_dir.path(), options.output_dir.as_deref())?;
        Ok(RunOutcome { node, compile, output_files, load_time, run_time })
    }

    fn load(&self, kind: ModuleKind, bytes: &[u8]) -> wasmtime::Result<(Compiled, CompileSource)> {
        match &self.cache {
            Some(cache) => cache.load_or_compile(&self.engine, kind, bytes),
            None => Ok((cache::compile(&self.engine, kind, bytes)?, CompileSource::Compiled)),
        }
    }
}
