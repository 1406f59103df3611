//! For the tests of this repository's modules: build a workspace module once
//! per test process and run it through one shared [`Runner`], as the host
//! would. Failures to build or run panic, failing the test with the reason.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use wasm_workflows_sdk::protocol::PluginInvocation;

use crate::cargo_build::{self, WasmTarget};
use wasm_workflows_cli::runner::{ModuleCache, RunOptions, RunOutcome, Runner};

/// The repository's workspace.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the CLI crate is in the workspace").to_owned()
}

/// The shipping build (`--release`) of binary `package` for `target`,
/// built by the first caller in this process.
///
/// Only callers of the same module wait for its build: a test asking for a
/// module built already gets it at once, even while another test of the
/// process builds a different one (in a cold CI run that can take half a
/// minute, which a test timing its own run would count).
pub fn module(package: &str, target: WasmTarget) -> PathBuf {
    type Slot = Arc<OnceLock<PathBuf>>;
    static BUILT: Mutex<Vec<(String, WasmTarget, Slot)>> = Mutex::new(Vec::new());
    let slot = {
        let mut built = BUILT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match built.iter().find(|(p, t, _)| p == package && *t == target) {
            Some((_, _, slot)) => slot.clone(),
            None => {
                let slot = Slot::default();
                built.push((package.to_owned(), target, slot.clone()));
                slot
            }
        }
    };
    slot.get_or_init(|| {
        cargo_build::build_module(&workspace_root(), package, target, "release")
            .unwrap_or_else(|error| panic!("cannot build {package}: {error}"))
    })
    .clone()
}

/// The runner all tests of this process share, caching compiled modules in
/// the target directory.
pub fn runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| {
        let cache = cargo_build::target_dir(&workspace_root()).join("module-cache");
        Runner::new(Some(ModuleCache::new(cache))).expect("set up wasmtime")
    })
}

/// Runs `module` with `options` through the shared runner.
pub fn run(module: &Path, options: &RunOptions) -> RunOutcome {
    runner().run(module, options).unwrap_or_else(|error| panic!("the host could not run {}: {error}", module.display()))
}

/// An invocation with these parameters, given as strings as Argo gives them.
pub fn invocation(parameters: &[(&str, &str)]) -> PluginInvocation {
    parameters
        .iter()
        .fold(PluginInvocation::new("test-workflow"), |inv, (name, value)| inv.with_parameter(*name, *value))
}

/// Options that run `invocation` and nothing else.
pub fn options(invocation: PluginInvocation) -> RunOptions {
    RunOptions { invocation, ..RunOptions::default() }
}
