//! The Argo WASM plugin's legacy HTTP functions for core modules
//! (`wasi_experimental_http`: `req`, `close`, `header_get`,
//! `headers_get_all`, `body_read`), with its error codes, behind the step's
//! allow-list. See wit/legacy-http.md for the ABI.
//!
//! Also this host's streamed request bodies (`wasm_workflows_http`:
//! `req_start`, `req_write`, `req_finish`), which the original plugin does
//! not have: the body goes to a thread that sends the request, through a
//! bounded channel, so the host holds a few pieces of it at a time.
//!
//! Requests go through the SDK's native client. A request's timeout is the
//! module's (header [`TIMEOUT_HEADER`], not sent on) or 30 s, and
//! never beyond the run's own deadline. A response body is read from the
//! connection as the module reads it, not held whole.

use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wasm_workflows_sdk::http::legacy_abi::{self as code, MODULE, STREAMING_MODULE, TIMEOUT_HEADER};
use wasm_workflows_sdk::http::{HttpError, Method, Request, StreamingResponse};
use wasmtime::{Caller, Linker, Memory};

use crate::allow_list::{AllowList, Origin};

/// Responses and streamed requests open at once before `req` answers TOO_MANY_SESSIONS.
const MAX_SESSIONS: usize = 64;
/// A request's timeout when the module sets none (the original plugin's client default).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The pieces of a streamed request body waiting to be sent, at most.
const QUEUED_PIECES: usize = 4;
/// The most a `body_read` reads from the connection at once.
const MAX_READ: usize = 1 << 20;

/// The HTTP state of one run: the allow-list, the open responses and the
/// streamed requests being written.
pub(crate) struct LegacyHttp {
    allowed: AllowList,
    deadline: Option<Instant>,
    responses: HashMap<i32, StoredResponse>,
    streaming: HashMap<i32, StreamedRequest>,
    next_handle: i32,
}

struct StoredResponse {
    headers: Vec<(String, String)>,
    body: StreamingResponse,
    /// Read from the connection but not yet copied to the module.
    unread: Vec<u8>,
}

/// A request whose body the module is writing; its thread sends it.
struct StreamedRequest {
    body: SyncSender<Vec<u8>>,
    sending: JoinHandle<Result<(u16, StoredResponse), u32>>,
}

/// The body of a streamed request, as the sending thread reads it.
struct ChannelBody {
    pieces: Receiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl Read for ChannelBody {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            match self.pieces.recv() {
                Ok(piece) => (self.current, self.at) = (piece, 0),
                // The module finished (or abandoned) the body.
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

impl StoredResponse {
    /// `name:value\n` lines, as the ABI passes headers.
    fn headers_text(&self) -> String {
        self.headers.iter().map(|(name, value)| format!("{name}:{value}\n")).collect()
    }
}

impl LegacyHttp {
    pub(crate) fn new(allowed: AllowList, run_timeout: Option<Duration>) -> Self {
        LegacyHttp {
            allowed,
            deadline: run_timeout.map(|t| Instant::now() + t),
            responses: HashMap::new(),
            streaming: HashMap::new(),
            next_handle: 1,
        }
    }

    fn timeout(&self, requested: Option<Duration>) -> Duration {
        let wanted = requested.unwrap_or(DEFAULT_TIMEOUT);
        match self.deadline {
            Some(deadline) => wanted.min(deadline.saturating_duration_since(Instant::now())),
            None => wanted,
        }
    }

    /// Checks a request and builds it, without its body; answers it and the
    /// timeout it asked for.
    fn prepare(&self, url: &str, method: &str, headers: &str) -> Result<(Request, Duration), u32> {
        if self.responses.len() + self.streaming.len() >= MAX_SESSIONS {
            return Err(code::TOO_MANY_SESSIONS);
        }
        let origin = Origin::of(url).map_err(|_| code::INVALID_URL)?;
        if !self.allowed.allows_origin(&origin) {
            eprintln!("[host] denied an HTTP request to {url}: its origin is not an allowed host (--allow-host)");
            return Err(code::DESTINATION_NOT_ALLOWED);
        }
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| code::INVALID_METHOD)?;
        let mut request = Request::new(method, url);
        let mut requested_timeout = None;
        for line in headers.lines().filter(|line| !line.trim().is_empty()) {
            let (name, value) = line.split_once(':').ok_or(code::INVALID_ENCODING)?;
            if name.trim().eq_ignore_ascii_case(TIMEOUT_HEADER) {
                requested_timeout = value.trim().parse().ok().map(Duration::from_millis);
            } else {
                request = request.header(name.trim(), value.trim());
            }
        }
        Ok((request, self.timeout(requested_timeout)))
    }

    /// Sends the request; answers the status and a response handle.
    fn request(&mut self, url: &str, method: &str, headers: &str, body: Vec<u8>) -> Result<(u16, i32), u32> {
        let (request, timeout) = self.prepare(url, method, headers)?;
        let (status, response) = send(request.body(body).timeout(timeout), url)?;
        Ok((status, self.keep(response)))
    }

    /// Starts a request whose body the module writes next; answers its handle.
    fn start(&mut self, url: &str, method: &str, headers: &str) -> Result<i32, u32> {
        let (request, timeout) = self.prepare(url, method, headers)?;
        let length = headers
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<u64>().ok())
            .ok_or(code::INVALID_ENCODING)?;
        let (body, pieces) = sync_channel(QUEUED_PIECES);
        let url = url.to_owned();
        let request = request.body_reader(ChannelBody { pieces, current: Vec::new(), at: 0 }, length).timeout(timeout);
        let sending = std::thread::Builder::new()
            .name("legacy-http".into())
            .spawn(move || send(request, &url))
            .map_err(|_| code::RUNTIME_ERROR)?;
        let handle = self.next_handle;
        self.next_handle += 1;
        self.streaming.insert(handle, StreamedRequest { body, sending });
        Ok(handle)
    }

    /// Ends a streamed request's body and waits for its response.
    fn finish(&mut self, handle: i32) -> Result<(u16, i32), u32> {
        let StreamedRequest { body, sending } = self.streaming.remove(&handle).ok_or(code::INVALID_HANDLE)?;
        drop(body);
        let (status, response) = sending.join().map_err(|_| code::RUNTIME_ERROR)??;
        Ok((status, self.keep(response)))
    }

    fn keep(&mut self, response: StoredResponse) -> i32 {
        let handle = self.next_handle;
        self.next_handle += 1;
        self.responses.insert(handle, response);
        handle
    }

    fn response(&mut self, handle: i32) -> Result<&mut StoredResponse, u32> {
        self.responses.get_mut(&handle).ok_or(code::INVALID_HANDLE)
    }
}

/// Sends `request` and answers its status and response, or the ABI's code.
fn send(request: Request, url: &str) -> Result<(u16, StoredResponse), u32> {
    let response = request.send_streaming().map_err(|error| {
        eprintln!("[host] HTTP request to {url} failed: {error}");
        match error {
            HttpError::InvalidUrl { .. } => code::INVALID_URL,
            HttpError::InvalidHeader { .. } => code::INVALID_ENCODING,
            HttpError::InvalidMethod { .. } => code::INVALID_METHOD,
            _ => code::REQUEST_ERROR,
        }
    })?;
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    Ok((response.status().as_u16(), StoredResponse { headers, body: response, unread: Vec::new() }))
}

/// The module's exported memory.
fn memory<T>(caller: &mut Caller<'_, T>) -> Result<Memory, u32> {
    caller.get_export("memory").and_then(|export| export.into_memory()).ok_or(code::MEMORY_NOT_FOUND)
}

fn read<T>(caller: &mut Caller<'_, T>, ptr: u32, len: u32) -> Result<Vec<u8>, u32> {
    let memory = memory(caller)?;
    let (start, end) = (ptr as usize, ptr as usize + len as usize);
    memory.data(&caller).get(start..end).map(<[u8]>::to_vec).ok_or(code::MEMORY_ACCESS_ERROR)
}

fn read_text<T>(caller: &mut Caller<'_, T>, ptr: u32, len: u32) -> Result<String, u32> {
    String::from_utf8(read(caller, ptr, len)?).map_err(|_| code::UTF_8_ERROR)
}

fn write<T>(caller: &mut Caller<'_, T>, ptr: u32, bytes: &[u8]) -> Result<(), u32> {
    let memory = memory(caller)?;
    let (start, end) = (ptr as usize, ptr as usize + bytes.len());
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

/// Adds the five functions to `linker`; `state` finds the run's [`LegacyHttp`].
pub(crate) fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    state: fn(&mut T) -> &mut LegacyHttp,
) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "req",
        move |mut caller: Caller<'_, T>,
              url: u32,
              url_len: u32,
              method: u32,
              method_len: u32,
              headers: u32,
              headers_len: u32,
              body: u32,
              body_len: u32,
              status_ptr: u32,
              handle_ptr: u32|
              -> u32 {
            answer((|| {
                let url = read_text(&mut caller, url, url_len)?;
                let method = read_text(&mut caller, method, method_len)?;
                let headers = read_text(&mut caller, headers, headers_len)?;
                let body = read(&mut caller, body, body_len)?;
                let (status, handle) = state(caller.data_mut()).request(&url, &method, &headers, body)?;
                write(&mut caller, status_ptr, &status.to_le_bytes())?;
                write(&mut caller, handle_ptr, &handle.to_le_bytes())
            })())
        },
    )?;
    linker.func_wrap(MODULE, "close", move |mut caller: Caller<'_, T>, handle: i32| -> u32 {
        let http = state(caller.data_mut());
        // An abandoned streamed request: its body ends short, and its thread
        // fails the request and ends by itself.
        match (http.responses.remove(&handle), http.streaming.remove(&handle)) {
            (None, None) => code::INVALID_HANDLE,
            _ => code::SUCCESS,
        }
    })?;
    linker.func_wrap(
        MODULE,
        "header_get",
        move |mut caller: Caller<'_, T>,
              handle: i32,
              name: u32,
              name_len: u32,
              buffer: u32,
              buffer_len: u32,
              written: u32|
              -> u32 {
            answer((|| {
                let name = read_text(&mut caller, name, name_len)?;
                let response = state(caller.data_mut()).response(handle)?;
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
        move |mut caller: Caller<'_, T>, handle: i32, buffer: u32, buffer_len: u32, written: u32| -> u32 {
            answer((|| {
                let text = state(caller.data_mut()).response(handle)?.headers_text();
                write_buffer(&mut caller, text.as_bytes(), buffer, buffer_len, written)
            })())
        },
    )?;
    linker.func_wrap(
        MODULE,
        "body_read",
        move |mut caller: Caller<'_, T>, handle: i32, buffer: u32, buffer_len: u32, written: u32| -> u32 {
            answer((|| {
                let response = state(caller.data_mut()).response(handle)?;
                if response.unread.is_empty() {
                    let mut piece = vec![0u8; (buffer_len as usize).min(MAX_READ)];
                    let read = response.body.read(&mut piece).map_err(|error| {
                        eprintln!("[host] reading an HTTP response failed: {error}");
                        code::REQUEST_ERROR
                    })?;
                    piece.truncate(read);
                    response.unread = piece;
                }
                let end = response.unread.len().min(buffer_len as usize);
                let chunk = response.unread[..end].to_vec();
                write_buffer(&mut caller, &chunk, buffer, buffer_len, written)?;
                // Only what reached the module counts as read: a failed write loses nothing.
                state(caller.data_mut()).response(handle)?.unread.drain(..end);
                Ok(())
            })())
        },
    )?;
    linker.func_wrap(
        STREAMING_MODULE,
        "req_start",
        move |mut caller: Caller<'_, T>,
              url: u32,
              url_len: u32,
              method: u32,
              method_len: u32,
              headers: u32,
              headers_len: u32,
              handle_ptr: u32|
              -> u32 {
            answer((|| {
                let url = read_text(&mut caller, url, url_len)?;
                let method = read_text(&mut caller, method, method_len)?;
                let headers = read_text(&mut caller, headers, headers_len)?;
                let handle = state(caller.data_mut()).start(&url, &method, &headers)?;
                write(&mut caller, handle_ptr, &handle.to_le_bytes())
            })())
        },
    )?;
    linker.func_wrap(
        STREAMING_MODULE,
        "req_write",
        move |mut caller: Caller<'_, T>, handle: i32, body: u32, body_len: u32| -> u32 {
            answer((|| {
                let piece = read(&mut caller, body, body_len)?;
                let request = state(caller.data_mut()).streaming.get(&handle).ok_or(code::INVALID_HANDLE)?;
                // Blocks while the sending thread is behind; fails once it has ended.
                request.body.send(piece).map_err(|_| code::REQUEST_ERROR)
            })())
        },
    )?;
    linker.func_wrap(
        STREAMING_MODULE,
        "req_finish",
        move |mut caller: Caller<'_, T>, handle: i32, status_ptr: u32, handle_ptr: u32| -> u32 {
            answer((|| {
                let (status, response) = state(caller.data_mut()).finish(handle)?;
                write(&mut caller, status_ptr, &status.to_le_bytes())?;
                write(&mut caller, handle_ptr, &response.to_le_bytes())
            })())
        },
    )?;
    Ok(())
}
