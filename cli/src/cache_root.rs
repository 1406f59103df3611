//! Where wasm-workflows keeps its caches: compiled modules (`compiled/`)
//! and pulled module images (`oci/`).

use std::path::{Path, PathBuf};

/// The environment variable that moves the cache folder.
pub const CACHE_DIR_ENV: &str = "WASM_WORKFLOWS_CACHE_DIR";

/// `$WASM_WORKFLOWS_CACHE_DIR`, else `$XDG_CACHE_HOME/wasm-workflows`, else
/// `$HOME/.cache/wasm-workflows`; `None` when none of them is set.
pub fn default_cache_root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CACHE_DIR_ENV) {
        return Some(dir.into());
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))?;
    Some(base.join("wasm-workflows"))
}

/// The compiled-module cache below `root`.
pub fn compiled_dir(root: &Path) -> PathBuf {
    root.join("compiled")
}

/// The pulled-image cache below `root`.
pub fn oci_dir(root: &Path) -> PathBuf {
    root.join("oci")
}
