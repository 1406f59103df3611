//! Running a component (wasm32-wasip2): `wasi:cli/command` with the work
//! directory preopened as `/work`, and `wasi:http` behind the allow-list,
//! its response bodies counted in the step's memory budget.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use http_body_util::BodyExt;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::CommandPre;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use super::RunOptions;
use super::counted_body::CountedBody;
use super::ending::{Ending, Execution};
use super::engine::watch_deadline;
use super::limits::{self, MemoryAccount, StepLimiter};
use super::log_stream::StepLog;
use super::wasi_context;
use crate::allow_list::AllowList;

pub(crate) struct ComponentState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: AllowListHooks,
    limits: StepLimiter,
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

/// Sends a request only to an allowed destination (the module sees
/// `HTTP-request-denied` for any other); its response's body counts in
/// the step's memory budget.
struct AllowListHooks {
    allowed: AllowList,
    log: StepLog,
    memory: Arc<MemoryAccount>,
}

/// The most of a request body a module may hand the host in one write: it
/// holds at most two such chunks per request (wasmtime-wasi-http's default
/// is 1 MiB).
const REQUEST_BODY_CHUNK: usize = 64 << 10;

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
        if self.allowed.allows_uri(request.uri()) {
            let sending = wasmtime_wasi_http::default_hooks().send_request(request, options, fut);
            let memory = self.memory.clone();
            return Box::new(async move {
                let (response, io) = Box::into_pin(sending).await?;
                Ok::<_, wasmtime_wasi_http::Error>((
                    response.map(|body| CountedBody::new(body, memory).boxed_unsync()),
                    io,
                ))
            });
        }
        self.log.note(&format!(
            "denied an HTTP request to {}: its origin is not an allowed host (--allow-host)",
            request.uri()
        ));
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }

    fn p2_outgoing_body_chunk_size(&mut self) -> usize {
        REQUEST_BODY_CHUNK
    }
}

/// The linker every component is instantiated with.
pub(crate) fn linker(engine: &Engine) -> wasmtime::Result<Linker<ComponentState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    Ok(linker)
}

/// Runs the component in `work_dir` until it ends.
pub(crate) async fn run(
    engine: &Engine,
    component: &CommandPre<ComponentState>,
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
    let mut table = ResourceTable::new();
    // Files, streams, requests…: the module's budget of open files (--max-open-files).
    table.set_max_capacity(limits::resource_capacity(options.max_open_files));
    let state = ComponentState {
        wasi: wasi.build(),
        http: WasiHttpCtx::new(),
        table,
        hooks: AllowListHooks { allowed: options.allowed_hosts.clone(), log: log.clone(), memory: limits.account() },
        limits,
    };
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.limits);
    watch_deadline(&mut store, deadline);
    let ending = start(&mut store, component).await;
    Execution::of(ending, &store.data().limits)
}

async fn start(store: &mut Store<ComponentState>, component: &CommandPre<ComponentState>) -> Ending {
    let command = match component.instantiate_async(&mut *store).await {
        Ok(command) => command,
        Err(error) => return Ending::NotStarted(error),
    };
    match command.wasi_cli_run().call_run(&mut *store).await {
        Ok(Ok(())) => Ending::Returned,
        Ok(Err(())) => Ending::Exited(1),
        Err(error) => Ending::from_error(error),
    }
}
