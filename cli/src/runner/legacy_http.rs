//! The Argo WASM plugin's legacy HTTP functions for core modules
//! (`wasi_experimental_http`: `req`, `close`, `header_get`,
//! `headers_get_all`, `body_read`), with its error codes, behind the step's
//! allow-list. See wit/legacy-http.md for the ABI.
//!
//! Requests go out through the same client as a component's `wasi:http`
//! (wasmtime-wasi-http's), so the host has one HTTP stack. A request's
//! timeout is the module's (header [`TIMEOUT_HEADER`], not sent on) or
//! 30 s, for the answer and then for each part of the body. A response body
//! is not held whole: `body_read` takes it from the connection as the
//! module reads it, and what the host holds meanwhile counts against the
//! step's memory budget.
//!
//! Also this host's streamed request bodies (import module
//! `wasm_workflows_http`: `req_start`, `req_write`, `req_finish`), which the
//! original plugin does not have: the module writes the body a piece at a
//! time into a bounded queue that the request's task sends from, so the
//! host holds a few pieces of it at once, never the whole body.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use wasm_workflows_sdk::http::legacy_abi::{self as code, MODULE, STREAMING_MODULE, TIMEOUT_HEADER};
use wasmtime::{Caller, Linker, Memory};
use wasmtime_wasi::runtime::AbortOnDropJoinHandle;
use wasmtime_wasi_http::{RequestOptions, WasiBody};

use super::limits::StepLimiter;
use super::log_stream::StepLog;
use crate::allow_list::{AllowList, Origin};

/// Responses and streamed requests open at once before `req` answers TOO_MANY_SESSIONS.
const MAX_SESSIONS: usize = 64;
/// The pieces of a streamed request body queued for sending, at most.
const QUEUED_PIECES: usize = 4;
/// The largest piece of a streamed body the host takes at once: a longer
/// write is queued in pieces this size, so at most [`QUEUED_PIECES`] of them
/// are held outside the module's memory.
const MAX_PIECE: u32 = 256 << 10;
/// A request's timeout when the module sets none (the original plugin's client default).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP state of one run: the allow-list and the open responses.
pub(crate) struct LegacyHttp {
    allowed: AllowList,
    log: StepLog,
    responses: HashMap<i32, OpenResponse>,
    streaming: HashMap<i32, StreamedRequest>,
    next_handle: i32,
}

/// A request whose body the module is writing; its task sends it.
struct StreamedRequest {
    body: tokio::sync::mpsc::Sender<Bytes>,
    timeout: Duration,
    sending: AbortOnDropJoinHandle<Result<(u16, OpenResponse), u32>>,
}

/// A response the module reads: its headers, and its body as it arrives.
struct OpenResponse {
    headers: Vec<(String, String)>,
    body: http_body_util::combinators::UnsyncBoxBody<Bytes, wasmtime_wasi_http::Error>,
    /// What arrived and the module has not read yet (counted in the budget).
    pending: Bytes,
    timeout: Duration,
    /// Drives the connection while the body is read.
    _connection: AbortOnDropJoinHandle<()>,
}

impl OpenResponse {
    /// `name:value\n` lines, as the ABI passes headers.
    fn headers_text(&self) -> String {
        self.headers.iter().map(|(name, value)| format!("{name}:{value}\n")).collect()
    }
}

/// The state a run's store holds, as the functions need it.
pub(crate) trait HttpState: Send + 'static {
    fn http(&mut self) -> &mut LegacyHttp;
    fn limiter(&mut self) -> &mut StepLimiter;
}

/// A request read from the module's memory.
struct Outgoing {
    url: String,
    method: String,
    headers: String,
    body: Vec<u8>,
}

impl LegacyHttp {
    pub(crate) fn new(allowed: AllowList, log: StepLog) -> Self {
        LegacyHttp { allowed, log, responses: HashMap::new(), streaming: HashMap::new(), next_handle: 1 }
    }

    /// Checks the request and builds it; the error is the ABI's code.
    fn prepare(&self, outgoing: Outgoing) -> Result<(http::Request<WasiBody>, Duration), u32> {
        if self.responses.len() + self.streaming.len() >= MAX_SESSIONS {
            return Err(code::TOO_MANY_SESSIONS);
        }
        let uri: http::Uri = outgoing.url.parse().map_err(|_| code::INVALID_URL)?;
        let origin = Origin::of_uri(&uri).map_err(|_| code::INVALID_URL)?;
        if !self.allowed.allows_origin(&origin) {
            self.log.note(&format!(
                "denied an HTTP request to {}: its origin is not an allowed host (--allow-host)",
                outgoing.url
            ));
            return Err(code::DESTINATION_NOT_ALLOWED);
        }
        let method = http::Method::from_bytes(outgoing.method.as_bytes()).map_err(|_| code::INVALID_METHOD)?;
        let authority = uri.authority().map(|a| a.as_str().to_owned()).ok_or(code::INVALID_URL)?;
        let mut request = http::Request::builder().method(method).uri(uri).header(http::header::HOST, authority);
        let mut timeout = DEFAULT_TIMEOUT;
        for line in outgoing.headers.lines().filter(|line| !line.trim().is_empty()) {
            let (name, value) = line.split_once(':').ok_or(code::INVALID_ENCODING)?;
            if name.trim().eq_ignore_ascii_case(TIMEOUT_HEADER) {
                if let Ok(millis) = value.trim().parse() {
                    timeout = Duration::from_millis(millis);
                }
            } else {
                let name = http::HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| code::INVALID_ENCODING)?;
                let value = http::HeaderValue::from_str(value.trim()).map_err(|_| code::INVALID_ENCODING)?;
                request = request.header(name, value);
            }
        }
        let body = Full::new(Bytes::from(outgoing.body)).map_err(|never| match never {}).boxed_unsync();
        let request = request.body(body).map_err(|_| code::INVALID_ENCODING)?;
        Ok((request, timeout))
    }

    fn store(&mut self, response: OpenResponse) -> i32 {
        let handle = self.new_handle();
        self.responses.insert(handle, response);
        handle
    }

    fn new_handle(&mut self) -> i32 {
        let handle = self.next_handle;
        self.next_handle = self.next_handle.wrapping_add(1).max(1);
        handle
    }

    /// Starts a request whose body the module writes next (its headers must
    /// hold `content-length`); answers its handle.
    fn start(&mut self, outgoing: Outgoing) -> Result<i32, u32> {
        let declared = outgoing.headers.lines().filter_map(|line| line.split_once(':')).any(|(name, value)| {
            name.trim().eq_ignore_ascii_case("content-length") && value.trim().parse::<u64>().is_ok()
        });
        if !declared {
            return Err(code::INVALID_ENCODING);
        }
        let (request, timeout) = self.prepare(outgoing)?;
        let (pieces, queue) = tokio::sync::mpsc::channel::<Bytes>(QUEUED_PIECES);
        let frames = futures_util::stream::unfold(queue, |mut queue| async move {
            queue.recv().await.map(|piece| (Ok(http_body::Frame::data(piece)), queue))
        });
        let body = http_body_util::StreamBody::new(frames).boxed_unsync();
        let request = request.map(|_| body);
        let log = self.log.clone();
        let sending = wasmtime_wasi::runtime::spawn(async move { send(request, timeout, &log).await });
        let handle = self.new_handle();
        self.streaming.insert(handle, StreamedRequest { body: pieces, timeout, sending });
        Ok(handle)
    }
}

/// Sends `request`; the status and the open response, or the ABI's code.
async fn send(request: http::Request<WasiBody>, timeout: Duration, log: &StepLog) -> Result<(u16, OpenResponse), u32> {
    let url = request.uri().to_string();
    let options = RequestOptions {
        connect_timeout: Some(timeout),
        first_byte_timeout: Some(timeout),
        between_bytes_timeout: Some(timeout),
    };
    let failed = |error: &dyn std::fmt::Display| {
        log.note(&format!("HTTP request to {url} failed: {error}"));
        code::REQUEST_ERROR
    };
    let sent = tokio::time::timeout(timeout, wasmtime_wasi_http::default_send_request(request, Some(options))).await;
    let (response, connection) = match sent {
        Err(_) => return Err(failed(&format!("no answer within {} ms", timeout.as_millis()))),
        Ok(Err(error)) => return Err(failed(&error)),
        Ok(Ok(sent)) => sent,
    };
    let connection = wasmtime_wasi::runtime::spawn(async move {
        let _ = connection.await;
    });
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    let body = response.into_body().boxed_unsync();
    Ok((status, OpenResponse { headers, body, pending: Bytes::new(), timeout, _connection: connection }))
}

/// The module's exported memory.
fn memory<T>(caller: &mut Caller<'_, T>) -> Result<Memory, u32> {
    caller.get_export("memory").and_then(|export| export.into_memory()).ok_or(code::MEMORY_NOT_FOUND)
}

fn read<T>(caller: &mut Caller<'_, T>, ptr: u32, len: u32) -> Result<Vec<u8>, u32> {
    let memory = memory(caller)?;
    let start = ptr as usize;
    let end = start.checked_add(len as usize).ok_or(code::MEMORY_ACCESS_ERROR)?;
    memory.data(&caller).get(start..end).map(<[u8]>::to_vec).ok_or(code::MEMORY_ACCESS_ERROR)
}

fn read_text<T>(caller: &mut Caller<'_, T>, ptr: u32, len: u32) -> Result<String, u32> {
    String::from_utf8(read(caller, ptr, len)?).map_err(|_| code::UTF_8_ERROR)
}

fn write<T>(caller: &mut Caller<'_, T>, ptr: u32, bytes: &[u8]) -> Result<(), u32> {
    let memory = memory(caller)?;
    let start = ptr as usize;
    let end = start.checked_add(bytes.len()).ok_or(code::MEMORY_ACCESS_ERROR)?;
    memory.data_mut(caller).get_mut(start..end).ok_or(code::MEMORY_ACCESS_ERROR)?.copy_from_slice(bytes);
    Ok(())
}

/// Copies `bytes` into the buffer at `ptr` (of `len` bytes) and its length to `written_ptr`.
fn write_buffer<T>(caller: &mut Caller<'_, T>, bytes: &[u8], ptr: u32, len: u32, written_ptr: u32) -> Result<(), u32> {
    if bytes.len() > len as usize {
        return Err(code::BUFFER_TOO_SMALL);
    }
    write(caller, ptr, bytes)?;
    write(caller, written_ptr, &(bytes.len() as u32).to_le_bytes())
}

fn answer(result: Result<(), u32>) -> u32 {
    result.err().unwrap_or(code::SUCCESS)
}

/// The next part of a response's body into the buffer at `ptr` (of `len`
/// bytes): what is pending, else the next frame from the connection.
async fn body_read<T: HttpState>(
    caller: &mut Caller<'_, T>,
    handle: i32,
    ptr: u32,
    len: u32,
    written: u32,
) -> Result<(), u32> {
    // Validate the buffer before taking anything from the body.
    let memory = memory(caller)?;
    let end = (ptr as usize).checked_add(len as usize).ok_or(code::MEMORY_ACCESS_ERROR)?;
    if end > memory.data_size(&*caller)
        || (written as usize).checked_add(4).is_none_or(|e| e > memory.data_size(&*caller))
    {
        return Err(code::MEMORY_ACCESS_ERROR);
    }
    let state = caller.data_mut();
    let response = state.http().responses.get_mut(&handle).ok_or(code::INVALID_HANDLE)?;
    if response.pending.is_empty() {
        let timeout = response.timeout;
        let next = loop {
            match tokio::time::timeout(timeout, response.body.frame()).await {
                Err(_) => break Err(code::REQUEST_ERROR),
                Ok(None) => break Ok(Bytes::new()),
                Ok(Some(Err(_))) => break Err(code::REQUEST_ERROR),
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data()
                        && !data.is_empty()
                    {
                        break Ok(data);
                    }
                }
            }
        }?;
        if !state.limiter().reserve_host(next.len()) {
            return Err(code::RUNTIME_ERROR);
        }
        state.http().responses.get_mut(&handle).ok_or(code::INVALID_HANDLE)?.pending = next;
    }
    let state = caller.data_mut();
    let response = state.http().responses.get_mut(&handle).ok_or(code::INVALID_HANDLE)?;
    let taken = response.pending.len().min(len as usize);
    let chunk = response.pending.split_to(taken);
    state.limiter().release_host(taken);
    write(caller, ptr, &chunk)?;
    write(caller, written, &(taken as u32).to_le_bytes())
}

/// Adds the five functions to `linker`.
pub(crate) fn add_to_linker<T: HttpState>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.func_wrap_async(
        MODULE,
        "req",
        |mut caller: Caller<'_, T>,
         (url, url_len, method, method_len, headers, headers_len, body, body_len, status_ptr, handle_ptr): (
            u32,
            u32,
            u32,
            u32,
            u32,
            u32,
            u32,
            u32,
            u32,
            u32,
        )| {
            Box::new(async move {
                let outgoing = (|| -> Result<Outgoing, u32> {
                    Ok(Outgoing {
                        url: read_text(&mut caller, url, url_len)?,
                        method: read_text(&mut caller, method, method_len)?,
                        headers: read_text(&mut caller, headers, headers_len)?,
                        body: read(&mut caller, body, body_len)?,
                    })
                })();
                let sent = async {
                    let outgoing = outgoing?;
                    // The host's copy of the body counts in the step's budget while it is sent.
                    let held = outgoing.body.len();
                    if !caller.data_mut().limiter().reserve_host(held) {
                        return Err(code::RUNTIME_ERROR);
                    }
                    let http = caller.data_mut().http();
                    let sending = match http.prepare(outgoing) {
                        Ok((request, timeout)) => {
                            let log = http.log.clone();
                            send(request, timeout, &log).await
                        }
                        Err(code) => Err(code),
                    };
                    caller.data_mut().limiter().release_host(held);
                    let (status, response) = sending?;
                    let handle = caller.data_mut().http().store(response);
                    write(&mut caller, status_ptr, &status.to_le_bytes())?;
                    write(&mut caller, handle_ptr, &handle.to_le_bytes())
                };
                answer(sent.await)
            })
        },
    )?;
    linker.func_wrap(MODULE, "close", |mut caller: Caller<'_, T>, handle: i32| -> u32 {
        let state = caller.data_mut();
        match state.http().responses.remove(&handle) {
            Some(response) => {
                state.limiter().release_host(response.pending.len());
                code::SUCCESS
            }
            // An unfinished streamed request is abandoned: its task is aborted.
            None if state.http().streaming.remove(&handle).is_some() => code::SUCCESS,
            None => code::INVALID_HANDLE,
        }
    })?;
    linker.func_wrap(
        MODULE,
        "header_get",
        |mut caller: Caller<'_, T>,
         handle: i32,
         name: u32,
         name_len: u32,
         buffer: u32,
         buffer_len: u32,
         written: u32|
         -> u32 {
            answer((|| {
                let name = read_text(&mut caller, name, name_len)?;
                let response = caller.data_mut().http().responses.get(&handle).ok_or(code::INVALID_HANDLE)?;
                let value = response
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&name))
                    .map(|(_, value)| value.clone())
                    .ok_or(code::HEADER_NOT_FOUND)?;
                write_buffer(&mut caller, value.as_bytes(), buffer, buffer_len, written)
            })())
        },
    )?;
    linker.func_wrap(
        MODULE,
        "headers_get_all",
        |mut caller: Caller<'_, T>, handle: i32, buffer: u32, buffer_len: u32, written: u32| -> u32 {
            answer((|| {
                let text = caller.data_mut().http().responses.get(&handle).ok_or(code::INVALID_HANDLE)?.headers_text();
                write_buffer(&mut caller, text.as_bytes(), buffer, buffer_len, written)
            })())
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "body_read",
        |mut caller: Caller<'_, T>, (handle, buffer, buffer_len, written): (i32, u32, u32, u32)| {
            Box::new(async move { answer(body_read(&mut caller, handle, buffer, buffer_len, written).await) })
        },
    )?;
    add_streaming_to_linker(linker)
}

/// Adds the streamed-request functions (`wasm_workflows_http`) to `linker`.
fn add_streaming_to_linker<T: HttpState>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.func_wrap(
        STREAMING_MODULE,
        "req_start",
        |mut caller: Caller<'_, T>,
         url: u32,
         url_len: u32,
         method: u32,
         method_len: u32,
         headers: u32,
         headers_len: u32,
         handle_ptr: u32|
         -> u32 {
            answer((|| {
                let outgoing = Outgoing {
                    url: read_text(&mut caller, url, url_len)?,
                    method: read_text(&mut caller, method, method_len)?,
                    headers: read_text(&mut caller, headers, headers_len)?,
                    body: Vec::new(),
                };
                let handle = caller.data_mut().http().start(outgoing)?;
                write(&mut caller, handle_ptr, &handle.to_le_bytes())
            })())
        },
    )?;
    linker.func_wrap_async(
        STREAMING_MODULE,
        "req_write",
        |mut caller: Caller<'_, T>, (handle, body, body_len): (i32, u32, u32)| {
            Box::new(async move {
                let written = async {
                    let request = caller.data_mut().http().streaming.get(&handle).ok_or(code::INVALID_HANDLE)?;
                    let (queue, timeout) = (request.body.clone(), request.timeout);
                    // Check the whole range first: nothing is sent of a write that cannot be read.
                    read(&mut caller, body.saturating_add(body_len.saturating_sub(1)), body_len.min(1))?;
                    let mut offset = 0;
                    while offset < body_len {
                        let length = (body_len - offset).min(MAX_PIECE);
                        let start = body.checked_add(offset).ok_or(code::MEMORY_ACCESS_ERROR)?;
                        let piece = Bytes::from(read(&mut caller, start, length)?);
                        // Waits while the sending task is behind; fails once it has ended.
                        match tokio::time::timeout(timeout, queue.send(piece)).await {
                            Ok(Ok(())) => offset += length,
                            _ => return Err(code::REQUEST_ERROR),
                        }
                    }
                    Ok(())
                };
                answer(written.await)
            })
        },
    )?;
    linker.func_wrap_async(
        STREAMING_MODULE,
        "req_finish",
        |mut caller: Caller<'_, T>, (handle, status_ptr, handle_ptr): (i32, u32, u32)| {
            Box::new(async move {
                let finished = async {
                    let StreamedRequest { body, sending, .. } =
                        caller.data_mut().http().streaming.remove(&handle).ok_or(code::INVALID_HANDLE)?;
                    // The end of the body.
                    drop(body);
                    let (status, response) = sending.await?;
                    let handle = caller.data_mut().http().store(response);
                    write(&mut caller, status_ptr, &status.to_le_bytes())?;
                    write(&mut caller, handle_ptr, &handle.to_le_bytes())
                };
                answer(finished.await)
            })
        },
    )?;
    Ok(())
}
