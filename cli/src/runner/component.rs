//! Running a component (wasm32-wasip2): `wasi:cli/command` with the work
//! directory preopened as `/work`, and `wasi:http` behind the allow-list.

use std::future::Future;
use std::path::Path;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::Command;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use super::RunOptions;
use super::ending::{Ending, Execution};
use super::engine::deadline_ticks;
use super::limits::MemoryLimit;
use super::wasi_context;
use crate::allow_list::AllowList;

struct ComponentState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: AllowListHooks,
    limits: MemoryLimit,
}

impl WasiView for ComponentState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for ComponentState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// Sends a request only to an allowed destination; the module sees
/// `HTTP-request-denied` for any other.
struct AllowListHooks {
    allowed: AllowList,
}

type ResponseFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<WasiBody>,
                Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for AllowListHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> ResponseFuture {
        let url = request.uri().to_string();
        if self.allowed.allows(&url) {
            return wasmtime_wasi_http::default_hooks().send_request(request, options, fut);
        }
        eprintln!("[host] denied an HTTP request to {url}: its origin is not an allowed host (--allow-host)");
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}

/// Runs `component` in `work_dir` on a tokio runtime of its own.
pub(crate) fn run(engine: &Engine, component: &Component, work_dir: &Path, options: &RunOptions) -> Execution {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return Execution::not_started(error.into()),
    };
    runtime.block_on(run_async(engine, component, work_dir, options))
}

async fn run_async(engine: &Engine, component: &Component, work_dir: &Path, options: &RunOptions) -> Execution {
    let mut wasi = match wasi_context::builder(work_dir) {
        Ok(wasi) => wasi,
        Err(error) => return Execution::not_started(error),
    };
    let state = ComponentState {
        wasi: wasi.build(),
        http: WasiHttpCtx::new(),
        table: ResourceTable::new(),
        hooks: AllowListHooks { allowed: options.allowed_hosts.clone() },
        limits: MemoryLimit::new(options.max_memory_mib),
    };
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.limits);
    store.set_epoch_deadline(deadline_ticks(options.timeout));

    let ending = start(&mut store, engine, component, options).await;
    Execution { ending, memory_limit_hit: store.data().limits.exceeded() }
}

async fn start(
    store: &mut Store<ComponentState>,
    engine: &Engine,
    component: &Component,
    options: &RunOptions,
) -> Ending {
    let mut linker = Linker::new(engine);
    let linked = wasmtime_wasi::p2::add_to_linker_async(&mut linker)
        .and_then(|()| wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker));
    if let Err(error) = linked {
        return Ending::NotStarted(error);
    }
    let command = match Command::instantiate_async(&mut *store, component, &linker).await {
        Ok(command) => command,
        Err(error) => return Ending::NotStarted(error),
    };
    let run = command.wasi_cli_run().call_run(&mut *store);
    let outcome = match options.timeout {
        // Epoch interruption stops running wasm; this also stops a module
        // that waits on the host (an HTTP response, say).
        Some(timeout) => match tokio::time::timeout(timeout, run).await {
            Ok(outcome) => outcome,
            Err(_) => return Ending::TimedOut,
        },
        None => run.await,
    };
    match outcome {
        Ok(Ok(())) => Ending::Returned,
        Ok(Err(())) => Ending::Exited(1),
        Err(error) => Ending::from_error(error),
    }
}
