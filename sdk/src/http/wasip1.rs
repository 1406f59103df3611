//! wasm32-wasip1: the Argo WASM plugin's legacy `wasi_experimental_http`
//! functions (documented in wit/legacy-http.md). The imports appear in a
//! module only if it sends requests.
//!
//! A streamed request body goes through three functions of the
//! `wasm-workflows` host (import module
//! [`STREAMING_MODULE`](super::legacy_abi::STREAMING_MODULE)): `req_start`,
//! `req_write` for each piece, `req_finish` for the response. They appear in
//! a module only if it streams a request body; the original plugin does not
//! have them.
//!
//! The ABI has no timeout and one error code for every network failure; a
//! request's timeout travels in the header [`legacy_abi::TIMEOUT_HEADER`](super::legacy_abi::TIMEOUT_HEADER),
//! which `wasm-workflows run` applies (and removes), and a failure after the
//! timeout is reported as one.

use std::io::Read;
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use super::legacy_abi::{self as code, TIMEOUT_HEADER};
use super::{Body, BodyReader, CHUNK, HttpError, Request, Url};

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

#[link(wasm_import_module = "wasm_workflows_http")]
unsafe extern "C" {
    #[link_name = "req_start"]
    fn stream_start(
        url: *const u8,
        url_len: usize,
        method: *const u8,
        method_len: usize,
        headers: *const u8,
        headers_len: usize,
        handle: *mut i32,
    ) -> u32;
    #[link_name = "req_write"]
    fn stream_write(handle: i32, body: *const u8, body_len: usize) -> u32;
    #[link_name = "req_finish"]
    fn stream_finish(handle: i32, status: *mut u16, response: *mut i32) -> u32;
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

/// What an error code of `req` or `req_finish` means.
fn request_error(result: u32, url: &Url, method: &str, timeout: Option<Duration>, started: Instant) -> HttpError {
    match result {
        code::DESTINATION_NOT_ALLOWED => url.denied(),
        code::INVALID_METHOD => HttpError::InvalidMethod { method: method.to_owned() },
        code::INVALID_URL => {
            HttpError::InvalidUrl { url: url.full.clone(), reason: "the host cannot request it".into() }
        }
        code::REQUEST_ERROR if timeout.is_some_and(|t| started.elapsed() >= t) => url.timeout(timeout),
        code::REQUEST_ERROR => url.failed(
            "the host could not complete it: a refused connection, a DNS failure, a timeout or another network \
             error (this host's HTTP interface does not say which; the host's log does)",
        ),
        code::RUNTIME_ERROR => url.failed("the host's HTTP runtime failed"),
        code::TOO_MANY_SESSIONS => url.failed("too many responses are open at once"),
        other => url.failed(format!("the host answered with error code {other}")),
    }
}

/// The response body, read from the host as it is asked for.
pub(super) struct IncomingBody(Handle);

impl IncomingBody {
    pub(super) fn read(&mut self, buffer: &mut [u8], url: &Url) -> Result<usize, HttpError> {
        let mut written = 0usize;
        // SAFETY: `buffer` is live and `buffer.len()` long.
        let result = unsafe { legacy_body_read((self.0).0, buffer.as_mut_ptr(), buffer.len(), &mut written) };
        if result != code::SUCCESS {
            return Err(url.failed(format!("cannot read the response body (error code {result})")));
        }
        Ok(written.min(buffer.len()))
    }
}

pub(super) fn open(request: Request, url: &Url) -> Result<(StatusCode, HeaderMap, IncomingBody), HttpError> {
    let method = request.method.as_str();
    let headers = serialize(&request.headers, request.timeout.map(|t| t.as_millis()));
    let (mut status, mut handle) = (0u16, 0i32);
    let started = Instant::now();
    let result = match request.body {
        // SAFETY: every pointer and length describes a live buffer of this call.
        Body::Bytes(ref body) => unsafe {
            legacy_req(
                url.full.as_ptr(),
                url.full.len(),
                method.as_ptr(),
                method.len(),
                headers.as_ptr(),
                headers.len(),
                body.as_ptr(),
                body.len(),
                &mut status,
                &mut handle,
            )
        },
        Body::Reader { reader, length, send } => {
            send(BodyReader::new(reader, length), url, method, &headers, &mut status, &mut handle)?
        }
    };
    if result != code::SUCCESS {
        return Err(request_error(result, url, method, request.timeout, started));
    }
    let handle = Handle(handle);
    let headers = read_headers(&handle, url)?;
    let status = StatusCode::from_u16(status).map_err(|_| url.failed(format!("invalid status {status}")))?;
    Ok((status, headers, IncomingBody(handle)))
}

/// How a reader body is sent: [`stream`], named only where a request is
/// given one.
pub(super) type SendReader = fn(BodyReader, &Url, &str, &str, &mut u16, &mut i32) -> Result<u32, HttpError>;
pub(super) const SEND_READER: SendReader = stream;

/// Sends a request whose body is read from `body` a piece at a time;
/// answers `req_finish`'s code.
fn stream(
    mut body: BodyReader,
    url: &Url,
    method: &str,
    headers: &str,
    status: &mut u16,
    response: &mut i32,
) -> Result<u32, HttpError> {
    let mut handle = 0i32;
    // SAFETY: every pointer and length describes a live buffer of this call.
    let started = unsafe {
        stream_start(
            url.full.as_ptr(),
            url.full.len(),
            method.as_ptr(),
            method.len(),
            headers.as_ptr(),
            headers.len(),
            &mut handle,
        )
    };
    if started != code::SUCCESS {
        return Ok(started);
    }
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let read = match body.read(&mut chunk) {
            Ok(read) => read,
            Err(error) => {
                // SAFETY: the handle came from `req_start`; closing it abandons the request.
                unsafe { legacy_close(handle) };
                return Err(url.failed(format!("cannot read the request body: {error}")));
            }
        };
        if read == 0 {
            break;
        }
        // SAFETY: `chunk[..read]` is live.
        if unsafe { stream_write(handle, chunk.as_ptr(), read) } != code::SUCCESS {
            // The host stopped taking the body: `req_finish` says why.
            break;
        }
    }
    // SAFETY: the handle came from `req_start` and is finished once.
    Ok(unsafe { stream_finish(handle, status, response) })
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
