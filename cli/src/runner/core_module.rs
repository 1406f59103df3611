//! Running a core module (wasm32-wasip1) as the Argo WASM plugin does:
//! WASI preview 1 with the work directory preopened as `/work`, the legacy
//! HTTP functions behind the allow-list, then `_start`.

use std::path::Path;

use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};

use super::RunOptions;
use super::ending::{Ending, Execution};
use super::engine::deadline_ticks;
use super::legacy_http::{self, LegacyHttp};
use super::limits::MemoryLimit;
use super::wasi_context;

struct CoreState {
    wasi: WasiP1Ctx,
    http: LegacyHttp,
    limits: MemoryLimit,
}

/// Runs `module` in `work_dir`. Must not be called inside a tokio runtime
/// (the synchronous WASI implementation runs its own).
pub(crate) fn run(engine: &Engine, module: &Module, work_dir: &Path, options: &RunOptions) -> Execution {
    let mut wasi = match wasi_context::builder(work_dir) {
        Ok(wasi) => wasi,
        Err(error) => return Execution::not_started(error),
    };
    let state = CoreState {
        wasi: wasi.build_p1(),
        http: LegacyHttp::new(options.allowed_hosts.clone(), options.timeout),
        limits: MemoryLimit::new(options.max_memory_mib),
    };
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.limits);
    store.set_epoch_deadline(deadline_ticks(options.timeout));

    let ending = start(&mut store, engine, module);
    Execution { ending, memory_limit_hit: store.data().limits.exceeded() }
}

fn start(store: &mut Store<CoreState>, engine: &Engine, module: &Module) -> Ending {
    let mut linker = Linker::new(engine);
    let linked = p1::add_to_linker_sync(&mut linker, |state: &mut CoreState| &mut state.wasi)
        .and_then(|()| legacy_http::add_to_linker(&mut linker, |state: &mut CoreState| &mut state.http));
    if let Err(error) = linked {
        return Ending::NotStarted(error);
    }
    let instance = match linker.instantiate(&mut *store, module) {
        Ok(instance) => instance,
        Err(error) => return Ending::NotStarted(error),
    };
    match instance.get_typed_func::<(), ()>(&mut *store, "_start") {
        Ok(start) => match start.call(&mut *store, ()) {
            Ok(()) => Ending::Returned,
            Err(error) => Ending::from_error(error),
        },
        Err(error) => Ending::NotStarted(
            error.context("the module has no `_start` function: build it as a command (a binary crate)"),
        ),
    }
}
