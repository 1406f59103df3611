//! The WASI context every module gets, whichever its kind: the work
//! directory preopened as `/work`, its stdout and stderr on the host's stderr
//! (stdout carries the node), and nothing else: no environment variables, no
//! arguments, no sockets.

use std::path::Path;

use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// Where the host preopens the work directory.
pub(crate) const GUEST_WORK_DIR: &str = "/work";

pub(crate) fn builder(work_dir: &Path) -> wasmtime::Result<WasiCtxBuilder> {
    let mut wasi = WasiCtxBuilder::new();
    wasi.stdout(std::io::stderr()).inherit_stderr();
    wasi.preopened_dir(work_dir, GUEST_WORK_DIR, FsPerms::ReadWrite)?;
    Ok(wasi)
}
