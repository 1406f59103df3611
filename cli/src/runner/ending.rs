//! How a run ended, and the node the host reports for it.

use std::time::Duration;

use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasmtime::Trap;
use wasmtime::component::ResourceTableError;

use super::limits::{DEFAULT_MAX_OPEN_FILES, LimitHit, StepLimiter};
use super::work_dir::WorkDir;
use super::work_dir_budget::Exceeded;
use super::{ExitRule, ModuleKind, RunOptions};
use crate::json_documents;

/// How the module's run ended.
pub(crate) enum Ending {
    /// `_start` (or `wasi:cli/run`) returned.
    Returned,
    /// The module called `proc_exit` (or `wasi:cli/exit`) with this status.
    Exited(i32),
    /// A trap or a host function's error stopped it.
    Stopped(wasmtime::Error),
    /// The timeout elapsed while the module waited on the host.
    TimedOut,
    /// It could not be instantiated (for example, a missing import).
    NotStarted(wasmtime::Error),
    /// It went past its work directory's budget.
    OverBudget(Exceeded),
}

impl Ending {
    /// Sorts out a wasmtime error: an exit, or a trap or other stop.
    pub(crate) fn from_error(error: wasmtime::Error) -> Ending {
        match error.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => Ending::Exited(exit.0),
            None => Ending::Stopped(error),
        }
    }
}

/// What the run did, for the node.
pub(crate) struct Execution {
    pub(crate) ending: Ending,
    /// The store limit the module hit, if any, and the limits' figures.
    pub(crate) limit_hit: Option<LimitHit>,
    pub(crate) max_memory_mib: usize,
    pub(crate) max_table_elements: usize,
    /// The log limit, when the module wrote past it.
    pub(crate) log_exceeded: Option<u64>,
}

impl Execution {
    /// How a run ended, with what its limiter saw.
    pub(crate) fn of(ending: Ending, limits: &StepLimiter) -> Execution {
        Execution {
            ending,
            limit_hit: limits.hit(),
            max_memory_mib: limits.max_mib(),
            max_table_elements: limits.max_table_elements(),
            log_exceeded: None,
        }
    }

    /// The status of an explicit exit, if the module made one.
    pub(crate) fn exit_status(&self) -> Option<i32> {
        match self.ending {
            Ending::Exited(status) => Some(status),
            _ => None,
        }
    }
}

/// The node the host reports: the module's result when it ended normally,
/// otherwise a `Failed` node that says what happened, carrying the module's
/// own message when it wrote one.
///
/// A normal end is a return from `_start` (or `wasi:cli/run`), or an exit
/// with status 0 under [`ExitRule::Wasi`], WASI's meaning of it; under
/// [`ExitRule::AnyExitFails`] a core module's exit always fails, as the
/// original plugin has it. `result.json` is read once, whichever way.
pub(crate) fn node(execution: Execution, kind: ModuleKind, work_dir: &WorkDir, options: &RunOptions) -> PluginResult {
    let seed_rule = kind == ModuleKind::Core && options.exit_rule == ExitRule::AnyExitFails;
    let failure = match execution.ending {
        Ending::Returned => return result_of(work_dir, "the module returned without writing /work/result.json"),
        Ending::Exited(0) if !seed_rule => {
            return result_of(work_dir, "the module exited with status 0 without writing /work/result.json");
        }
        Ending::Exited(status) if seed_rule => format!(
            "the module exited with status {status} through proc_exit; the original Argo WASM plugin fails any \
             module that calls proc_exit, even with status 0, and ignores its result (--any-exit-fails): return from \
             main instead"
        ),
        Ending::Exited(status) => format!("the module exited with status {status}"),
        Ending::NotStarted(error) => format!("the module cannot be started: {error:#}"),
        Ending::OverBudget(exceeded) => exceeded.describe(),
        _ if execution.limit_hit == Some(LimitHit::Memory) => format!(
            "the module ran out of memory: it asked for more than the limit of {} MiB (--max-memory)",
            execution.max_memory_mib
        ),
        _ if execution.limit_hit == Some(LimitHit::TableElements) => format!(
            "the module asked for tables of more than {} elements in all, the most a module may have",
            execution.max_table_elements
        ),
        _ if execution.log_exceeded.is_some() => format!(
            "the module wrote more than {} bytes to stdout and stderr (--max-log) and was stopped",
            execution.log_exceeded.unwrap_or_default()
        ),
        Ending::TimedOut => timed_out(options.timeout),
        Ending::Stopped(error)
            if matches!(error.downcast_ref::<ResourceTableError>(), Some(ResourceTableError::Full)) =>
        {
            format!(
                "the module held more than {} files, folders and other resources open at once (--max-open-files) and \
             was stopped",
                options.max_open_files.unwrap_or(DEFAULT_MAX_OPEN_FILES)
            )
        }
        Ending::Stopped(error) => {
            tracing::debug!("the module was stopped: {error:?}");
            match error.downcast_ref::<Trap>() {
                Some(Trap::Interrupt) => timed_out(options.timeout),
                Some(trap) => {
                    let what = trap.to_string();
                    let what = what.trim_start_matches("wasm trap: ");
                    match trap {
                        Trap::UnreachableCodeReached => {
                            format!("the module trapped: {what} (a panic or an abort in the module)")
                        }
                        _ => format!("the module trapped: {what}"),
                    }
                }
                None => format!("the module failed in a host call: {}", without_backtrace(&error)),
            }
        }
    };
    match module_message(work_dir) {
        Some(own) => PluginResult::failed(format!("{failure}; the module's own message: {own}")),
        None => PluginResult::failed(failure),
    }
}

/// The error's chain of messages, less wasmtime's backtrace (which goes to stderr).
fn without_backtrace(error: &wasmtime::Error) -> String {
    let messages: Vec<String> = error
        .chain()
        .map(ToString::to_string)
        .filter(|message| !message.starts_with("error while executing at wasm backtrace"))
        .collect();
    messages.join(": ")
}

fn timed_out(timeout: Option<Duration>) -> String {
    let seconds = timeout.map_or(0.0, |t| t.as_secs_f64());
    format!("the module ran longer than the timeout of {seconds} s (--timeout) and was stopped")
}

/// `result.json` as the module wrote it; `missing` is the message when it wrote none.
fn result_of(work_dir: &WorkDir, missing: &str) -> PluginResult {
    match work_dir.read_result() {
        Ok(None) => PluginResult::failed(missing),
        Err(problem) => PluginResult::failed(problem),
        Ok(Some(bytes)) => json_documents::parse_result(&bytes).unwrap_or_else(|reason| {
            PluginResult::failed(format!("the module wrote an invalid /work/result.json: {reason}"))
        }),
    }
}

/// The message of a `Failed` result the module wrote before it stopped.
fn module_message(work_dir: &WorkDir) -> Option<String> {
    let result = json_documents::parse_result(&work_dir.read_result().ok()??).ok()?;
    (result.phase == Phase::Failed).then_some(result.message)
}
