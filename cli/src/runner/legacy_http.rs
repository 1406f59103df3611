//! The Argo WASM plugin's legacy HTTP functions for core modules
//! (`wasi_experimental_http`: `req`, `close`, `header_get`,
//! `headers_get_all`, `body_read`), with its error codes, behind the step's
//! allow-list. See wit/legacy-http.md for the ABI.
//!
//! Requests go through the SDK's native client. A request's timeout is the
//! module's (header [`TIMEOUT_HEADER`], not sent on) or 30 s, and
//! never beyond the run's own deadline.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use wasm_workflows_sdk::http::legacy_abi::{self as code, MODULE, TIMEOUT_HEADER};
use wasm_workflows_sdk::http::{HttpError, Method, Request};
use wasmtime::{Caller, Linker, Memory};

use crate::allow_list::{AllowList, Origin};

/// Responses open at once before `req` answers TOO_MANY_SESSIONS.
const MAX_SESSIONS: usize = 64;
/// A request's timeout when the module sets none (the original plugin's client default).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest response body the host holds for a module.
const MAX_BODY: usize = 256 << 20;

/// The HTTP state of one run: the allow-list and the open responses.
pub(crate) struct LegacyHttp {
    allowed: AllowList,
    deadline: Option<Instant>,
    responses: HashMap<i32, StoredResponse>,
    next_handle: i32,
}

struct StoredResponse {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    read: usize,
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

    /// Sends the request; answers the status and a response handle.
    fn request(&mut self, url: &str, method: &str, headers: &str, body: Vec<u8>) -> Result<(u16, i32), u32> {
        if self.responses.len() >= MAX_SESSIONS {
            return Err(code::TOO_MANY_SESSIONS);
        }
        let origin = Origin::of(url).map_err(|_| code::INVALID_URL)?;
        if !self.allowed.allows_origin(&origin) {
            eprintln!("[host] denied an HTTP request to {url}: its origin is not an allowed host (--allow-host)");
            return Err(code::DESTINATION_NOT_ALLOWED);
        }
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| code::INVALID_METHOD)?;
        let mut request = Request::new(method, url).body(body).max_response_size(MAX_BODY);
        let mut requested_timeout = None;
        for line in headers.lines().filter(|line| !line.trim().is_empty()) {
            let (name, value) = line.split_once(':').ok_or(code::INVALID_ENCODING)?;
            if name.trim().eq_ignore_ascii_case(TIMEOUT_HEADER) {
                requested_timeout = value.trim().parse().ok().map(Duration::from_millis);
            } else {
                request = request.header(name.trim(), value.trim());
            }
        }
        let response = request.timeout(self.timeout(requested_timeout)).send().map_err(|error| {
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
        let status = response.status().as_u16();
        let handle = self.next_handle;
        self.next_handle += 1;
        self.responses.insert(handle, StoredResponse { headers, body: response.into_body(), read: 0 });
        Ok((status, handle))
    }

    fn response(&mut self, handle: i32) -> Result<&mut StoredResponse, u32> {
        self.responses.get_mut(&handle).ok_or(code::INVALID_HANDLE)
    }
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
        match state(caller.data_mut()).responses.remove(&handle) {
            Some(_) => code::SUCCESS,
            None => code::INVALID_HANDLE,
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
                let end = response.body.len().min(response.read + buffer_len as usize);
                let chunk = response.body[response.read..end].to_vec();
                write_buffer(&mut caller, &chunk, buffer, buffer_len, written)?;
                // Only what reached the module counts as read: a failed write loses nothing.
                state(caller.data_mut()).response(handle)?.read = end;
                Ok(())
            })())
        },
    )?;
    Ok(())
}
