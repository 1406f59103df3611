//! Running a core module (wasm32-wasip1) as the Argo WASM plugin does:
//! WASI preview 1 with the work directory preopened as `/work`, the legacy
//! HTTP functions behind the allow-list, then `_start`; all of it async, so
//! the run's timer stops a module wherever it is.

use std::path::Path;
use std::time::Instant;

use wasmtime::{Engine, InstancePre, Linker, Store};
use wasmtime_wasi::WasiView;
use wasmtime_wasi::p1::{self, WasiP1Ctx};

use super::RunOptions;
use super::ending::{Ending, Execution};
use super::engine::watch_deadline;
use super::legacy_http::{self, HttpState, LegacyHttp};
use super::limits::{self, StepLimiter};
use super::log_stream::StepLog;
use super::wasi_context;

pub(crate) struct CoreState {
    wasi: WasiP1Ctx,
    http: LegacyHttp,
    limits: StepLimiter,
}

impl HttpState for CoreState {
    fn http(&mut self) -> &mut LegacyHttp {
        &mut self.http
    }

    fn limiter(&mut self) -> &mut StepLimiter {
        &mut self.limits
    }
}

/// The linker every core module is instantiated with.
pub(crate) fn linker(engine: &Engine) -> wasmtime::Result<Linker<CoreState>> {
    let mut linker = Linker::new(engine);
    p1::add_to_linker_async(&mut linker, |state: &mut CoreState| &mut state.wasi)?;
    legacy_http::add_to_linker(&mut linker)?;
    Ok(linker)
}

/// Runs the module in `work_dir` until it ends.
pub(crate) async fn run(
    engine: &Engine,
    module: &InstancePre<CoreState>,
    work_dir: &Path,
    options: &RunOptions,
    log: &StepLog,
    deadline: Option<Instant>,
) -> Execution {
    let limits = StepLimiter::new(options.max_memory_mib);
    let mut wasi = match wasi_context::builder(work_dir, log) {
        Ok(wasi) => wasi,
        Err(error) => return Execution::of(Ending::NotStarted(error), &limits),
    };
    let mut wasi = wasi.build_p1();
    // Every descriptor of WASI preview 1 is an entry of this table: its
    // capacity is the module's budget of open files.
    wasi.ctx().table.set_max_capacity(limits::resource_capacity(options.max_open_files));
    let state = CoreState { wasi, http: LegacyHttp::new(options.allowed_hosts.clone(), log.clone()), limits };
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.limits);
    watch_deadline(&mut store, deadline);
    let ending = start(&mut store, module).await;
    Execution::of(ending, &store.data().limits)
}

async fn start(store: &mut Store<CoreState>, module: &InstancePre<CoreState>) -> Ending {
    let instance = match module.instantiate_async(&mut *store).await {
        Ok(instance) => instance,
        Err(error) => return Ending::NotStarted(error),
    };
    match instance.get_typed_func::<(), ()>(&mut *store, "_start") {
        Ok(start) => match start.call_async(&mut *store, ()).await {
            Ok(()) => Ending::Returned,
            Err(error) => Ending::from_error(error),
        },
        Err(error) => Ending::NotStarted(
            error.context("the module has no `_start` function: build it as a command (a binary crate)"),
        ),
    }
}
