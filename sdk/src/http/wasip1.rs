//! wasm32-wasip1: the Argo WASM plugin's legacy `wasi_experimental_http`
//! functions (documented in wit/legacy-http.md). The imports appear in a
//! module only if it sends requests.
//!
//! The ABI has no timeout and one error code for every network failure; a
//! request's timeout travels in the header [`legacy_abi::TIMEOUT_HEADER`](super::legacy_abi::TIMEOUT_HEADER),
//! which `wasm-workflows run` applies (and removes), and a failure after the
//! timeout is reported as one.

use std::time::Instant;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use super::legacy_abi::{self as code, TIMEOUT_HEADER};
use super::{HttpError, Request, Response, Url};

#[link(wasm_import_module = "wasi_experimental_http")]
unsafe extern "C" {
    #[link_name = "req"]
    fn legacy_req(
        url: *const u8,
        url_len: usize,
        method: *const u8,
        method_len: usize,
        headers: *const u8,
        headers_len: usize,
        body: *const u8,
        body_len: usize,
        status: *mut u16,
        handle: *mut i32,
    ) -> u32;
    #[link_name = "close"]
    fn legacy_close(handle: i32) -> u32;
    #[link_name = "headers_get_all"]
    fn legacy_headers_get_all(handle: i32, buffer: *mut u8, buffer_len: usize, written: *mut usize) -> u32;
    #[link_name = "body_read"]
    fn legacy_body_read(handle: i32, buffer: *mut u8, buffer_len: usize, written: *mut usize) -> u32;
}

/// The largest header block accepted.
const MAX_HEADERS: usize = 1 << 20;

/// Closes the response handle when dropped.
struct Handle(i32);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from `req` and is closed once.
        unsafe { legacy_close(self.0) };
    }
}

/// `name:value\n` lines, as the ABI passes headers.
fn serialize(headers: &HeaderMap, timeout_ms: Option<u128>) -> String {
    let mut text = String::new();
    for (name, value) in headers {
        text.push_str(name.as_str());
        text.push(':');
        text.push_str(&String::from_utf8_lossy(value.as_bytes()));
        text.push('\n');
    }
    if let Some(ms) = timeout_ms {
        text.push_str(&format!("{TIMEOUT_HEADER}:{ms}\n"));
    }
    text
}

fn parse_headers(text: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in text.lines() {
        if let Some((name, value)) = line.split_once(':')
            && let (Ok(name), Ok(value)) =
                (HeaderName::from_bytes(name.trim().as_bytes()), HeaderValue::from_str(value.trim()))
        {
            headers.append(name, value);
        }
    }
    headers
}

pub(super) fn send(request: &Request, url: &Url) -> Result<Response, HttpError> {
    let method = request.method.as_str();
    let headers = serialize(&request.headers, request.timeout.map(|t| t.as_millis()));
    let (mut status, mut handle) = (0u16, 0i32);
    let started = Instant::now();
    // SAFETY: every pointer and length describes a live buffer of this call.
    let result = unsafe {
        legacy_req(
            url.full.as_ptr(),
            url.full.len(),
            method.as_ptr(),
            method.len(),
            headers.as_ptr(),
            headers.len(),
            request.body.as_ptr(),
            request.body.len(),
            &mut status,
            &mut handle,
        )
    };
    match result {
        code::SUCCESS => {}
        code::DESTINATION_NOT_ALLOWED => return Err(url.denied()),
        code::INVALID_METHOD => return Err(HttpError::InvalidMethod { method: method.to_owned() }),
        code::INVALID_URL => {
            return Err(HttpError::InvalidUrl { url: url.full.clone(), reason: "the host cannot request it".into() });
        }
        code::REQUEST_ERROR if request.timeout.is_some_and(|t| started.elapsed() >= t) => {
            return Err(url.timeout(request.timeout));
        }
        code::REQUEST_ERROR => {
            return Err(url.failed(
                "the host could not complete it: a refused connection, a DNS failure, a timeout or another network \
                 error (this host's HTTP interface does not say which; the host's log does)",
            ));
        }
        code::RUNTIME_ERROR => return Err(url.failed("the host's HTTP runtime failed")),
        code::TOO_MANY_SESSIONS => return Err(url.failed("too many responses are open at once")),
        other => return Err(url.failed(format!("the host answered with error code {other}"))),
    }
    let handle = Handle(handle);
    let headers = read_headers(&handle, url)?;
    let body = read_body(&handle, url, request.max_response_size)?;
    let status = StatusCode::from_u16(status).map_err(|_| url.failed(format!("invalid status {status}")))?;
    Ok(url.response(status, headers, body))
}

fn read_headers(handle: &Handle, url: &Url) -> Result<HeaderMap, HttpError> {
    let mut buffer = vec![0u8; 4096];
    loop {
        let mut written = 0usize;
        // SAFETY: `buffer` is live and `buffer.len()` long.
        match unsafe { legacy_headers_get_all(handle.0, buffer.as_mut_ptr(), buffer.len(), &mut written) } {
            code::SUCCESS => {
                buffer.truncate(written.min(buffer.len()));
                return Ok(parse_headers(&String::from_utf8_lossy(&buffer)));
            }
            code::BUFFER_TOO_SMALL if buffer.len() < MAX_HEADERS => buffer.resize(buffer.len() * 2, 0),
            other => return Err(url.failed(format!("cannot read the response headers (error code {other})"))),
        }
    }
}

fn read_body(handle: &Handle, url: &Url, limit: usize) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let mut written = 0usize;
        // SAFETY: `chunk` is live and `chunk.len()` long.
        let result = unsafe { legacy_body_read(handle.0, chunk.as_mut_ptr(), chunk.len(), &mut written) };
        if result != code::SUCCESS {
            return Err(url.failed(format!("cannot read the response body (error code {result})")));
        }
        if written == 0 {
            return Ok(body);
        }
        if body.len() + written > limit {
            return Err(url.too_large(limit));
        }
        body.extend_from_slice(&chunk[..written.min(chunk.len())]);
    }
}
