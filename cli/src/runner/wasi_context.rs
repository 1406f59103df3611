//! The WASI context every module gets, whichever its kind: the work
//! directory preopened as `/work`, its stdout and stderr into the run's log
//! (on the host's stderr: stdout carries the node), and nothing else: no
//! environment variables, no arguments, no sockets.

use std::path::Path;

use wasm_workflows_sdk::workdir::WASI_ROOT;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use super::log_stream::StepLog;

pub(crate) fn builder(work_dir: &Path, log: &StepLog) -> wasmtime::Result<WasiCtxBuilder> {
    let mut wasi = WasiCtxBuilder::new();
    wasi.stdout(log.clone()).stderr(log.clone());
    // Not `allow_blocking_current_thread`: with it, a module's sleep in
    // `poll_oneoff` blocks the runtime's thread, out of the timer's reach.
    wasi.preopened_dir(work_dir, WASI_ROOT, FsPerms::ReadWrite)?;
    Ok(wasi)
}
