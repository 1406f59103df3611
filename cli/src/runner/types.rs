//! The types the runner's parts share: what a run is given
//! ([`RunOptions`]), what it answers ([`RunOutcome`]), what stops the host
//! ([`HostError`]), and the two kinds of module.

use std::path::PathBuf;
use std::time::Duration;

use wasm_workflows_sdk::protocol::{PluginInvocation, PluginResult};

use super::CompileSource;
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

/// What the module finds in `input.json`. Outside the tests (the
/// `test-support` feature) it is always the invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum InputDocument {
    /// The invocation, as the host writes it.
    #[default]
    Invocation,
    /// These bytes instead: to see how a module meets a broken input.
    #[cfg(feature = "test-support")]
    Raw(Vec<u8>),
    /// No `input.json` at all.
    #[cfg(feature = "test-support")]
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
    /// When `timeout` started counting (default: when the module starts). A
    /// workflow step's counts from its node's start, as Argo counts a
    /// template's `timeout`, so the time spent preparing the module and
    /// fetching its inputs is part of it.
    pub timeout_from: Option<std::time::Instant>,
    /// How much memory the module may hold, in MiB: its linear memories,
    /// tables and the host's buffers for it together (default
    /// [`DEFAULT_MAX_MEMORY_MIB`](super::DEFAULT_MAX_MEMORY_MIB)).
    pub max_memory_mib: Option<u64>,
    /// How many bytes the module may write to stdout and stderr together
    /// (default [`DEFAULT_MAX_LOG`](super::DEFAULT_MAX_LOG)); past it, it is stopped.
    pub max_log_bytes: Option<u64>,
    /// How many files, folders and other resources (streams, HTTP requests…)
    /// the module may hold open at once (default
    /// [`DEFAULT_MAX_OPEN_FILES`](super::DEFAULT_MAX_OPEN_FILES)); past it, it is stopped.
    pub max_open_files: Option<u64>,
    /// How many MiB the module may add under `/work` (default
    /// [`DEFAULT_MAX_WORK_DIR_MIB`](super::DEFAULT_MAX_WORK_DIR_MIB)); past it, it is stopped.
    pub max_work_dir_mib: Option<u64>,
    /// How many files, folders and links the module may add under `/work`
    /// (default [`DEFAULT_MAX_WORK_DIR_ENTRIES`](super::DEFAULT_MAX_WORK_DIR_ENTRIES));
    /// past it, it is stopped.
    pub max_work_dir_entries: Option<u64>,
    /// How the module's lines reach the host's log (`serve`: as events in the step's span).
    pub log_lines: super::LogLines,
    /// What an explicit exit of a core module means.
    pub exit_rule: ExitRule,
}

/// What a core module's explicit exit (`proc_exit`) means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExitRule {
    /// WASI's meaning: status 0 is a normal end (the module's `result.json`
    /// is its answer), any other status fails the step. Go's wasip1 runtime,
    /// for one, always ends with `proc_exit(0)`.
    #[default]
    Wasi,
    /// The original Argo WASM plugin's rule: any `proc_exit`, even with
    /// status 0, fails the step and its result is ignored
    /// (`wasm-workflows run --any-exit-fails`).
    AnyExitFails,
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
    /// The status it exited with, when it called `proc_exit` (or `wasi:cli/exit`).
    pub exit_status: Option<i32>,
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
    /// An input artifact's path leaves its folder or names no file.
    #[error("input {0}")]
    InputArtifactPath(wasm_workflows_sdk::Error),
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
