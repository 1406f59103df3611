//! The host's work directory: `/work` in a module. On native builds it can be
//! moved (environment variable `WASM_WORKFLOWS_WORK_DIR`, or
//! [`with_root`] for one thread) so steps can be tested without wasm.
//!
//! Layout: `input.json`, `result.json`, `artifacts-in/<path>`, `artifacts-out/<path>`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The directory the host preopens for every module.
pub const WASI_ROOT: &str = "/work";

/// The environment variable that moves the work directory on native builds.
pub const ROOT_ENV: &str = "WASM_WORKFLOWS_WORK_DIR";

#[cfg(not(target_os = "wasi"))]
thread_local! {
    static ROOT_OVERRIDE: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

/// The work directory of the current step.
#[cfg(target_os = "wasi")]
pub fn root() -> PathBuf {
    PathBuf::from(WASI_ROOT)
}

/// The work directory of the current step: the one set by [`with_root`] on
/// this thread, else `$WASM_WORKFLOWS_WORK_DIR`, else `/work`.
#[cfg(not(target_os = "wasi"))]
pub fn root() -> PathBuf {
    ROOT_OVERRIDE
        .with(|root| root.borrow().clone())
        .or_else(|| std::env::var_os(ROOT_ENV).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(WASI_ROOT))
}

/// Runs `f` with `dir` as the work directory of this thread (native builds).
#[cfg(not(target_os = "wasi"))]
pub fn with_root<R>(dir: &Path, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<PathBuf>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ROOT_OVERRIDE.with(|root| *root.borrow_mut() = self.0.take());
        }
    }
    let _restore = Restore(ROOT_OVERRIDE.with(|root| root.borrow_mut().replace(dir.to_owned())));
    f()
}

/// `input.json` in `root`.
pub fn input_file(root: &Path) -> PathBuf {
    root.join("input.json")
}

/// `result.json` in `root`.
pub fn result_file(root: &Path) -> PathBuf {
    root.join("result.json")
}

/// Where input artifacts are: `artifacts-in/` in `root`.
pub fn artifacts_in(root: &Path) -> PathBuf {
    root.join("artifacts-in")
}

/// Where output artifacts go: `artifacts-out/` in `root`.
pub fn artifacts_out(root: &Path) -> PathBuf {
    root.join("artifacts-out")
}

/// A path for messages. Paths in the work directory are UTF-8 (the host
/// makes them from JSON strings), so this avoids lossy-conversion code.
pub(crate) fn display(path: &Path) -> String {
    path.to_str().unwrap_or("(a path that is not UTF-8)").to_owned()
}

/// The file for artifact `name` at `path` below `folder`, refusing paths that
/// climb out of it (`/../x`) or name no file (`/`). `..` that stays inside is
/// resolved; the leading slash is optional.
///
/// ```
/// # use std::path::Path;
/// use wasm_workflows_sdk::workdir::artifact_file;
///
/// let folder = Path::new("/work/artifacts-in");
/// assert_eq!(artifact_file(folder, "in", "/tmp/a/../message").unwrap(), folder.join("tmp/message"));
/// assert!(artifact_file(folder, "in", "/../input.json").is_err());
/// ```
pub fn artifact_file(folder: &Path, name: &str, path: &str) -> Result<PathBuf> {
    let invalid = |reason| Error::InvalidArtifactPath { name: name.to_owned(), path: path.to_owned(), reason };
    if path.contains('\0') {
        return Err(invalid("contains a NUL character"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(|| invalid("climbs out of the artifacts folder with \"..\""))?;
            }
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(invalid("names no file"));
    }
    Ok(parts.iter().fold(folder.to_owned(), |file, part| file.join(part)))
}
