//! Runs a module exactly as the Argo WASM plugin would:
//!
//! 1. a fresh work directory with `artifacts-in/` and `artifacts-out/`;
//! 2. the invocation written to `input.json`;
//! 3. each input artifact placed at `artifacts-in/<path>`;
//! 4. the directory preopened as `/work`, the module started (a core module
//!    through WASI preview 1, a component through `wasi:cli/command`);
//! 5. `result.json` read back, each output artifact checked at
//!    `artifacts-out/<path>` (and copied to the output directory, if any);
//! 6. the node — phase, message, outputs — returned.
//!
//! Whatever the module does (an error, a panic, a trap, an explicit exit, a
//! timeout, running out of memory, flooding its log, no or a broken
//! `result.json`, a link where an output should be), the answer is a node
//! whose message says what happened. [`HostError`] is kept for what stops
//! the host itself: an unreadable module, a bad input artifact.
//!
//! One engine, one async runtime and one linker serve every run; a module is
//! compiled and linked once ([`PreparedModule`]) and then only instantiated.

mod cache;
mod component;
mod core_module;
mod counted_body;
mod ending;
mod engine;
mod kept_modules;
mod legacy_http;
mod limits;
mod log_stream;
mod prepared;
mod tree_removal;
mod tree_walk;
mod types;
mod wasi_context;
mod work_dir;
mod work_dir_budget;

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_sdk::workdir;

pub use self::cache::{CompileSource, ModuleCache};
use self::ending::{Ending, Execution};
pub use self::engine::TICK;
pub use self::kept_modules::{DEFAULT_MAX_KEPT_MIB, DEFAULT_MAX_KEPT_MODULES, KeptBounds, KeptSize};
use self::limits::StepLimiter;
pub use self::limits::{DEFAULT_MAX_MEMORY_MIB, DEFAULT_MAX_OPEN_FILES};
use self::log_stream::StepLog;
pub use self::log_stream::{DEFAULT_MAX_LOG, LineSink, LogLines};
use self::prepared::{Linked, Preparer};
pub use self::prepared::{ModuleDigest, PreparedModule, digest_of};
pub use self::tree_removal::remove_leftovers;
pub use self::types::{ExitRule, HostError, InputDocument, InputFile, ModuleKind, RunOptions, RunOutcome};
pub use self::work_dir::{MAX_OUTPUT_ARTIFACTS, MAX_RESULT_SIZE, OutputFile, WorkDir};
pub use self::work_dir_budget::{DEFAULT_MAX_WORK_DIR_ENTRIES, DEFAULT_MAX_WORK_DIR_MIB};
use self::work_dir_budget::{Usage, WorkDirBudget};

/// Runs modules; keep one for many runs to share the engine, the prepared
/// modules (the most recently used in memory, within [`KeptBounds`]; all of
/// them in the cache folder, if any), the async runtime and the clock
/// behind timeouts.
pub struct Runner {
    engine: wasmtime::Engine,
    preparer: Preparer,
    ticker: Once,
    runtime: Runtime,
}

/// The async runtime runs go on.
enum Runtime {
    /// The runner's own, for callers that are not async.
    Owned(tokio::runtime::Runtime),
    /// The caller's: runs are driven through [`Runner::execute`].
    Shared,
}

/// What a run did: the node and the output artifacts it checked.
pub struct Executed {
    /// The node: phase, message and outputs.
    pub node: PluginResult,
    /// The output artifacts, each a regular file in the work directory
    /// (empty unless the node succeeded).
    pub outputs: Vec<OutputFile>,
    /// Time spent running the module, from instantiation to its end.
    pub run_time: Duration,
    /// The status it exited with, when it called `proc_exit` (or `wasi:cli/exit`).
    pub exit_status: Option<i32>,
}

impl Runner {
    /// A runner with a multi-threaded runtime of its own, caching compiled
    /// modules in `cache`, if given; its blocking methods may be called
    /// from many threads at once.
    pub fn new(cache: Option<ModuleCache>) -> Result<Runner, HostError> {
        Runner::with_own_runtime(cache, tokio::runtime::Builder::new_multi_thread())
    }

    /// A runner on a single-threaded runtime of its own: the cheapest to
    /// start, for one run (`wasm-workflows run`).
    pub fn single_threaded(cache: Option<ModuleCache>) -> Result<Runner, HostError> {
        Runner::with_own_runtime(cache, tokio::runtime::Builder::new_current_thread())
    }

    fn with_own_runtime(cache: Option<ModuleCache>, mut runtime: tokio::runtime::Builder) -> Result<Runner, HostError> {
        let runtime = runtime
            .enable_all()
            .build()
            .map_err(|e| HostError::Engine(format!("cannot start an async runtime: {e}")))?;
        Runner::with(cache, Runtime::Owned(runtime))
    }

    /// A runner whose runs go on the caller's tokio runtime, through
    /// [`Runner::execute`] (`wasm-workflows serve`).
    pub fn on_callers_runtime(cache: Option<ModuleCache>) -> Result<Runner, HostError> {
        Runner::with(cache, Runtime::Shared)
    }

    fn with(cache: Option<ModuleCache>, runtime: Runtime) -> Result<Runner, HostError> {
        let engine = engine::new_engine().map_err(|e| HostError::Engine(e.to_string()))?;
        Ok(Runner { engine, preparer: Preparer::new(cache, KeptBounds::default()), ticker: Once::new(), runtime })
    }

    /// The runner, keeping at most `bounds` of compiled modules in memory
    /// (default: [`KeptBounds::default`]).
    pub fn keeping(mut self, bounds: KeptBounds) -> Runner {
        self.preparer.set_bounds(bounds);
        self
    }

    /// The module whose digest is `digest`, if it is kept in memory: ready
    /// to run without reading or compiling anything.
    pub fn kept(&self, digest: &ModuleDigest) -> Option<PreparedModule> {
        self.preparer.find(digest)
    }

    /// How many compiled modules, and bytes of them, are kept in memory now.
    pub fn kept_size(&self) -> KeptSize {
        self.preparer.kept_size()
    }

    /// Compiles (or finds) and links the module in `bytes` (binary, or WAT
    /// text for a core module); `digest` is its identity when the caller
    /// knows it (a verified OCI layer's), else its SHA-256 is taken. `name`
    /// is used in messages. Blocking: compiling takes a while.
    pub fn prepare(
        &self,
        bytes: &[u8],
        digest: Option<&ModuleDigest>,
        name: &Path,
    ) -> Result<(PreparedModule, CompileSource), HostError> {
        let digest = digest.copied().unwrap_or_else(|| digest_of(bytes));
        self.preparer
            .prepare(&self.engine, bytes, &digest)
            .map_err(|error| HostError::InvalidModule { path: name.into(), reason: format!("{error:#}") })
    }

    /// Writes the input artifacts of `options` and `input.json` into `work_dir`.
    pub fn write_inputs(&self, work_dir: &WorkDir, options: &RunOptions) -> Result<(), HostError> {
        let mut invocation = options.invocation.clone();
        for input in &options.input_files {
            work_dir.place_input(input)?;
            invocation.artifacts.retain(|a| a.name != input.name);
            invocation = invocation.with_artifact(&input.name, &input.path);
        }
        match &options.input {
            InputDocument::Invocation => {
                work_dir.write_input_document(invocation.to_json().to_string_pretty().as_bytes())
            }
            #[cfg(feature = "test-support")]
            InputDocument::Raw(bytes) => work_dir.write_input_document(bytes),
            #[cfg(feature = "test-support")]
            InputDocument::Absent => Ok(()),
        }
    }

    /// Runs `module` in `work_dir` (prepared with its inputs) with `options`,
    /// on the current tokio runtime; every limit of `options` stops it
    /// wherever it is.
    pub async fn execute(&self, module: &PreparedModule, work_dir: &WorkDir, options: &RunOptions) -> Executed {
        // The epoch's clock: for the deadline, and so that a run takes turns
        // with the runs sharing its runtime and with its own budget's watch.
        engine::start_ticker(&self.engine, &self.ticker);
        let budget = WorkDirBudget::new(options.max_work_dir_mib, options.max_work_dir_entries);
        // What the host placed there (inputs) is not the module's.
        let baseline = budget.measure(work_dir.path(), Usage::default()).await.unwrap_or_default();
        let log = StepLog::new(options.log_lines.clone(), options.max_log_bytes.unwrap_or(DEFAULT_MAX_LOG));
        let deadline =
            options.timeout.and_then(|timeout| options.timeout_from.unwrap_or_else(Instant::now).checked_add(timeout));
        let started = Instant::now();
        let path = work_dir.path();
        let running = async {
            match &module.linked {
                Linked::Core(pre) => core_module::run(&self.engine, pre, path, options, &log, deadline).await,
                Linked::Component(pre) => component::run(&self.engine, pre, path, options, &log, deadline).await,
                Linked::Unlinkable(_, why) => Execution::of(
                    Ending::NotStarted(wasmtime::Error::msg(why.to_string())),
                    &StepLimiter::new(options.max_memory_mib),
                ),
            }
        };
        // Stopped when past its work directory's budget, measured while it runs.
        let running = async {
            tokio::select! {
                execution = running => execution,
                exceeded = budget.watch(path.to_owned(), baseline) => {
                    Execution::of(Ending::OverBudget(exceeded), &StepLimiter::new(options.max_memory_mib))
                }
            }
        };
        // The timer stops a module the epoch cannot: one asleep or waiting on the host.
        let mut execution = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), running)
                .await
                .unwrap_or_else(|_| Execution::of(Ending::TimedOut, &StepLimiter::new(options.max_memory_mib))),
            None => running.await,
        };
        let run_time = started.elapsed();
        // Measured once more at the end: a module quicker than the watch is held to its budget too.
        if !matches!(execution.ending, Ending::OverBudget(_))
            && let Ok(usage) = budget.measure(path, baseline).await
            && let Some(exceeded) = budget.passed_by(usage, baseline)
        {
            execution.ending = Ending::OverBudget(exceeded);
        }
        log.finish();
        execution.log_exceeded = log.exceeded();
        let exit_status = execution.exit_status();
        // Reading result.json and checking the outputs are file work: not on
        // an async worker another step's run shares.
        let (node, outputs) = blocking_here(|| {
            let mut node = ending::node(execution, module.kind(), work_dir, options);
            let mut outputs = Vec::new();
            if node.phase == Phase::Succeeded {
                match work_dir.check_outputs(&node) {
                    Ok(checked) => outputs = checked,
                    Err(problem) => node = PluginResult::failed(problem),
                }
            } else {
                // Only what the host checked leaves a step: a node that did not
                // succeed carries none of the artifacts its module listed.
                node.outputs.artifacts.clear();
            }
            (node, outputs)
        });
        Executed { node, outputs, run_time, exit_status }
    }

    /// Runs `future` to its end on the runner's own runtime (a registry pull
    /// before a run, say), so a process needs no runtime of its own.
    ///
    /// # Panics
    ///
    /// On a runner made with [`Runner::on_callers_runtime`].
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        match &self.runtime {
            Runtime::Owned(runtime) => runtime.block_on(future),
            Runtime::Shared => panic!("Runner::block_on needs a runner with a runtime of its own"),
        }
    }

    /// Runs the module in file `module`.
    pub fn run(&self, module: &Path, options: &RunOptions) -> Result<RunOutcome, HostError> {
        let bytes = std::fs::read(module).map_err(|source| HostError::ReadModule { path: module.into(), source })?;
        self.run_bytes(&bytes, module, options)
    }

    /// Runs a module given as bytes (binary, or WAT text for a core module);
    /// `name` is used in messages. Blocks until it ends.
    ///
    /// # Panics
    ///
    /// On a runner made with [`Runner::on_callers_runtime`]: use [`Runner::execute`].
    pub fn run_bytes(&self, bytes: &[u8], name: &Path, options: &RunOptions) -> Result<RunOutcome, HostError> {
        let loading = Instant::now();
        let (module, compile) = self.prepare(bytes, None, name)?;
        let load_time = loading.elapsed();
        let work_dir = WorkDir::create()?;
        self.write_inputs(&work_dir, options)?;
        let executed = self.block_on(self.execute(&module, &work_dir, options));
        let output_files = match &options.output_dir {
            Some(dir) => copy_outputs(&work_dir, &executed.outputs, dir)?,
            None => Vec::new(),
        };
        Ok(RunOutcome {
            node: executed.node,
            compile,
            output_files,
            load_time,
            run_time: executed.run_time,
            exit_status: executed.exit_status,
        })
    }
}

/// Copies the checked output artifacts to `dir`, each at its own path below it.
fn copy_outputs(work_dir: &WorkDir, outputs: &[OutputFile], dir: &Path) -> Result<Vec<(String, PathBuf)>, HostError> {
    outputs
        .iter()
        .map(|output| {
            let target = workdir::artifact_file(dir, &output.name, &output.path).map_err(|error| HostError::Io {
                action: format!("place output artifact \"{}\"", output.name),
                source: std::io::Error::other(error.to_string()),
            })?;
            let io = |source| HostError::Io {
                action: format!("copy output artifact \"{}\" to {}", output.name, target.display()),
                source,
            };
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            let mut source = work_dir.open_output(output).map_err(io)?;
            let mut file = std::fs::File::create(&target).map_err(io)?;
            std::io::copy(&mut source, &mut file).map_err(io)?;
            Ok((output.name.clone(), target))
        })
        .collect()
}

/// Runs blocking file work that borrows the caller's state: on a
/// multi-thread runtime (`serve`) the worker first hands its other tasks to
/// another thread (`block_in_place`); on a current-thread one (`run`: one
/// step) there are no others to hold up.
pub(crate) fn blocking_here<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|handle| handle.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}
