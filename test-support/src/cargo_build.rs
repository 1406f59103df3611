//! Building a module of a cargo workspace for a wasm target, as the tests
//! and the benchmark do before running it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A WASI target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmTarget {
    /// `wasm32-wasip1`: a core module, what the Argo WASM plugin runs.
    Wasip1,
    /// `wasm32-wasip2`: a component.
    Wasip2,
}

impl WasmTarget {
    /// The target triple.
    pub fn triple(self) -> &'static str {
        match self {
            WasmTarget::Wasip1 => "wasm32-wasip1",
            WasmTarget::Wasip2 => "wasm32-wasip2",
        }
    }
}

/// Builds binary `package` of the workspace at `workspace` with cargo
/// profile `profile` (`release` is the shipping build) and returns the
/// `.wasm` file. Cargo's own output goes to stderr.
pub fn build_module(workspace: &Path, package: &str, target: WasmTarget, profile: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--quiet", "--package", package, "--target", target.triple(), "--profile", profile])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of {package} for {} failed ({status})", target.triple()));
    }
    let profile_dir = if profile == "dev" { "debug" } else { profile };
    let module = target_dir(workspace).join(target.triple()).join(profile_dir).join(format!("{package}.wasm"));
    if module.is_file() { Ok(module) } else { Err(format!("cargo built no {}", module.display())) }
}

/// Cargo's target directory for `workspace`: `$CARGO_TARGET_DIR`, else `<workspace>/target`.
pub fn target_dir(workspace: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}
