//! How a run ended, and the node the host reports for it.

use std::path::Path;
use std::time::Duration;

use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_sdk::workdir;
use wasmtime::Trap;

use super::{ExitRule, ModuleKind, RunOptions};

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
    pub(crate) memory_limit_hit: bool,
}

impl Execution {
    /// A run that ended before the module started.
    pub(crate) fn not_started(error: wasmtime::Error) -> Self {
        Execution { ending: Ending::NotStarted(error), memory_limit_hit: false }
    }
}

/// The node the host reports: the module's result when it ended normally,
/// otherwise a `Failed` node that says what happened, carrying the module's
/// own message when it wrote one.
///
/// A normal end is a return from `_start` (or `wasi:cli/run`), or an exit
/// with status 0 under [`ExitRule::Wasi`], WASI's meaning of it; under
/// [`ExitRule::SeedPlugin`] a core module's exit always fails, as the
/// original plugin has it.
pub(crate) fn node(execution: Execution, kind: ModuleKind, work_dir: &Path, options: &RunOptions) -> PluginResult {
    let seed_rule = kind == ModuleKind::Core && options.exit_rule == ExitRule::SeedPlugin;
    let failure = match execution.ending {
        Ending::Returned => return read_result(work_dir),
        Ending::Exited(0) if !seed_rule => {
            if workdir::result_file(work_dir).exists() {
                return read_result(work_dir);
            }
            "the module exited with status 0 without writing /work/result.json".to_owned()
        }
        Ending::Exited(status) if seed_rule => format!(
            "the module exited with status {status} through proc_exit; the original Argo WASM plugin fails any \
             module that calls proc_exit, even with status 0, and ignores its result (--seed-compat): return from \
             main instead"
        ),
        Ending::Exited(status) => format!("the module exited with status {status}"),
        Ending::NotStarted(error) => format!("the module cannot be started: {error:#}"),
        _ if execution.memory_limit_hit => format!(
            "the module ran out of memory: it asked for more than the limit of {} MiB (--max-memory)",
            options.max_memory_mib.unwrap_or_default()
        ),
        Ending::TimedOut => timed_out(options.timeout),
        Ending::Stopped(error) => {
            eprintln!("[host] the module was stopped: {error:?}");
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

/// `result.json` as the module wrote it.
fn read_result(work_dir: &Path) -> PluginResult {
    let file = workdir::result_file(work_dir);
    match std::fs::read(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            PluginResult::failed("the module returned without writing /work/result.json")
        }
        Err(e) => PluginResult::failed(format!("cannot read the module's /work/result.json: {e}")),
        Ok(bytes) => match String::from_utf8(bytes) {
            Err(_) => PluginResult::failed("the module wrote a /work/result.json that is not UTF-8 text"),
            Ok(text) => PluginResult::from_json(&text).unwrap_or_else(|reason| {
                PluginResult::failed(format!("the module wrote an invalid /work/result.json: {reason}"))
            }),
        },
    }
}

/// The message of a `Failed` result the module wrote before it stopped.
fn module_message(work_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(workdir::result_file(work_dir)).ok()?;
    let result = PluginResult::from_json(&text).ok()?;
    (result.phase == Phase::Failed).then_some(result.message)
}
