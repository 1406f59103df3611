//! HTTP requests from a step, on whatever the host offers: one synchronous
//! API built on the [`http`] crate's types, with a backend chosen by target.
//!
//! - `wasm32-wasip2`: `wasi:http/outgoing-handler`, through the `wasip2`
//!   crate's generated bindings;
//! - `wasm32-wasip1`: the Argo WASM plugin's legacy `wasi_experimental_http`
//!   functions;
//! - native builds (tests of step functions): a real blocking client.
//!
//! Bodies can be streamed both ways, within the limits the host sets: a
//! request body from any `Read` ([`Request::body_reader`], or an input
//! artifact with [`Request::body_artifact`]), a response body as a `Read`
//! ([`Request::send_streaming`]), straight into an output artifact, say.
//! Neither is held whole in the module's memory. (On wasm32-wasip1 a
//! streamed request body uses functions of the `wasm-workflows` host,
//! `wasm_workflows_http`, that the original plugin does not have; a body in
//! memory and a streamed response work on both.)
//!
//! The host sends a request only to the step's allowed hosts
//! (`permissions.http.allowed_hosts` in the workflow template); any other
//! destination fails with [`HttpError::Denied`], whose message says how to
//! allow it.
//!
//! ```no_run
//! use std::time::Duration;
//! use wasm_workflows_sdk::http::Request;
//!
//! # fn main() -> Result<(), wasm_workflows_sdk::http::HttpError> {
//! let response = Request::post("https://example.org/api")
//!     .header("accept", "application/json")
//!     .text("hello")
//!     .timeout(Duration::from_secs(5))
//!     .send()?;
//! println!("{}: {}", response.status(), response.text()?);
//! # Ok(()) }
//! ```

mod error;
pub mod legacy_abi;
#[cfg(not(target_os = "wasi"))]
mod native;
mod url;
#[cfg(all(target_os = "wasi", not(target_env = "p2")))]
mod wasip1;
#[cfg(all(target_os = "wasi", target_env = "p2"))]
mod wasip2;

#[cfg(not(target_os = "wasi"))]
use native as backend;
#[cfg(all(target_os = "wasi", not(target_env = "p2")))]
use wasip1 as backend;
#[cfg(all(target_os = "wasi", target_env = "p2"))]
use wasip2 as backend;

use std::fmt;
use std::io::{self, Read};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use self::error::HttpError;
pub use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use self::url::Url;
use crate::artifacts::InputArtifact;
use crate::json::{self, Value};

/// The largest response body read unless [`Request::max_response_size`] says otherwise.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 16 << 20;

/// The size of the pieces a streamed body moves in.
pub(crate) const CHUNK: usize = 64 << 10;

/// A request body: bytes in memory, or a reader of a known length with the
/// backend's way of sending one. That way is named only by
/// [`Request::body_reader`], so a module that never streams a request body
/// links none of it (on wasm32-wasip1: imports none of the host functions
/// the original plugin lacks).
pub(crate) enum Body {
    Bytes(Vec<u8>),
    Reader { reader: Box<dyn Read + Send>, length: u64, send: backend::SendReader },
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Bytes(bytes) => bytes.len() as u64,
            Body::Reader { length, .. } => *length,
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Bytes(bytes) => write!(f, "{} bytes", bytes.len()),
            Body::Reader { length, .. } => write!(f, "a reader of {length} bytes"),
        }
    }
}

/// Reads exactly `length` bytes of a streamed body, failing if it ends early.
pub(crate) struct BodyReader {
    reader: Box<dyn Read + Send>,
    remaining: u64,
    length: u64,
}

impl BodyReader {
    pub(crate) fn new(reader: Box<dyn Read + Send>, length: u64) -> Self {
        BodyReader { reader, remaining: length, length }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let wanted = buf.len().min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let read = self.reader.read(&mut buf[..wanted])?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the body ended after {} of the {} bytes it was to have",
                    self.length - self.remaining,
                    self.length
                ),
            ));
        }
        self.remaining -= read as u64;
        Ok(read)
    }
}

/// An HTTP request being built. Errors in the building (a bad header, say)
/// are kept and returned by [`send`](Self::send).
#[derive(Debug)]
pub struct Request {
    method: Method,
    url: String,
    headers: HeaderMap,
    body: Body,
    timeout: Option<Duration>,
    max_response_size: usize,
    error: Option<HttpError>,
}

impl Request {
    /// A request with `method` to `url` (`http://` or `https://`).
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Request {
            method,
            url: url.into(),
            headers: HeaderMap::new(),
            body: Body::Bytes(Vec::new()),
            timeout: None,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            error: None,
        }
    }

    /// A GET request.
    pub fn get(url: impl Into<String>) -> Self {
        Request::new(Method::GET, url)
    }

    /// A POST request.
    pub fn post(url: impl Into<String>) -> Self {
        Request::new(Method::POST, url)
    }

    /// A PUT request.
    pub fn put(url: impl Into<String>) -> Self {
        Request::new(Method::PUT, url)
    }

    /// A DELETE request.
    pub fn delete(url: impl Into<String>) -> Self {
        Request::new(Method::DELETE, url)
    }

    /// A request whose method is given by name (`"get"`, `"PATCH"`).
    pub fn with_method_name(method: &str, url: impl Into<String>) -> Self {
        match Method::from_bytes(method.trim().to_ascii_uppercase().as_bytes()) {
            Ok(method) => Request::new(method, url),
            Err(_) => {
                let mut request = Request::get(url);
                request.error = Some(HttpError::InvalidMethod { method: method.to_owned() });
                request
            }
        }
    }

    /// Adds a header (a repeated name adds another value).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let parsed = HeaderName::from_bytes(name.as_bytes()).map_err(|_| "not a valid header name").and_then(|n| {
            HeaderValue::from_str(value).map(|v| (n, v)).map_err(|_| "its value is not valid in a header")
        });
        match parsed {
            Ok((name, value)) => {
                self.headers.append(name, value);
            }
            Err(reason) => self.fail(HttpError::InvalidHeader { name: name.to_owned(), reason: reason.to_owned() }),
        }
        self
    }

    /// Sets the body, as given (no `content-type` is added).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Bytes(body.into());
        self
    }

    /// Streams the body from `reader`: `length` bytes (sent as
    /// `content-length`), read a piece at a time while the request is sent,
    /// so the body is never whole in memory. A reader that ends before
    /// `length` bytes fails the request; bytes beyond it are not sent.
    ///
    /// ```no_run
    /// use wasm_workflows_sdk::http::Request;
    ///
    /// # fn main() -> anyhow::Result<()> {
    /// let file = std::fs::File::open("/work/artifacts-in/data.csv")?;
    /// let length = file.metadata()?.len();
    /// let response = Request::put("https://example.org/upload").body_reader(file, length).send()?;
    /// # Ok(()) }
    /// ```
    pub fn body_reader(mut self, reader: impl Read + Send + 'static, length: u64) -> Self {
        self.body = Body::Reader { reader: Box::new(reader), length, send: backend::SEND_READER };
        self
    }

    /// Streams input artifact `artifact` as the body ([`body_reader`](Self::body_reader)
    /// with its file and size).
    pub fn body_artifact(mut self, artifact: &InputArtifact) -> Self {
        match artifact.open_with_length() {
            Ok((reader, length)) => self.body_reader(reader, length),
            Err(error) => {
                self.fail(HttpError::Failed {
                    url: self.url.clone(),
                    reason: format!("cannot send the request body: {error}"),
                });
                self
            }
        }
    }

    /// Sets a text body, with `content-type: text/plain; charset=utf-8` unless one is set.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.default_content_type("text/plain; charset=utf-8").body(text.into())
    }

    /// Sets a JSON body from any `Serialize` value (a [`Value`], a
    /// `#[derive(Serialize)]` struct), with `content-type: application/json`
    /// unless one is set.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match json::to_value(value) {
            Ok(value) => self.default_content_type("application/json").body(value.to_string()),
            Err(error) => {
                self.fail(HttpError::Failed {
                    url: self.url.clone(),
                    reason: format!("the body cannot be written as JSON: {error}"),
                });
                self
            }
        }
    }

    /// Gives up when no complete response has come after `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Fails with [`HttpError::BodyTooLarge`] on a response body larger than
    /// `bytes` (default [`DEFAULT_MAX_RESPONSE_SIZE`]).
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends the request and reads the whole response, at most
    /// [`max_response_size`](Self::max_response_size) bytes of body.
    pub fn send(self) -> Result<Response, HttpError> {
        let limit = self.max_response_size;
        let mut streaming = self.send_streaming()?;
        let mut body = Vec::new();
        let mut chunk = vec![0u8; CHUNK];
        loop {
            let read = streaming.read_chunk(&mut chunk)?;
            if read == 0 {
                break;
            }
            if body.len() + read > limit {
                return Err(streaming.url.too_large(limit));
            }
            body.extend_from_slice(&chunk[..read]);
        }
        Ok(Response { url: streaming.url.full, status: streaming.status, headers: streaming.headers, body })
    }

    /// Sends the request and gives the response with its body as a
    /// `Read`, read from the host as it is read here: a body of any size
    /// (within the host's limits) can go straight into an output artifact.
    /// [`max_response_size`](Self::max_response_size) does not apply.
    ///
    /// ```no_run
    /// use wasm_workflows_sdk::http::Request;
    /// use wasm_workflows_sdk::prelude::*;
    ///
    /// # fn main() -> anyhow::Result<()> {
    /// let mut response = Request::get("https://example.org/big.tar").send_streaming()?;
    /// let mut artifact = OutputArtifact::create("archive", "/big.tar")?;
    /// let bytes = std::io::copy(&mut response, &mut artifact)?;
    /// let result = PluginResult::succeeded(format!("{bytes} bytes")).with_artifact(artifact.finish()?);
    /// # Ok(()) }
    /// ```
    pub fn send_streaming(mut self) -> Result<StreamingResponse, HttpError> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let url = Url::parse(&self.url)?;
        self.declare_length()?;
        let (status, headers, body) = backend::open(self, &url)?;
        Ok(StreamingResponse { url, status, headers, body })
    }

    /// Sets `content-length` to the body's size when the request has a body
    /// or a method that expects one, so that every backend sends the body
    /// with its length rather than in chunks, which many servers refuse (an
    /// S3-style PUT answers 411) or drop.
    /// A `content-length` the caller set must be the body's.
    fn declare_length(&mut self) -> Result<(), HttpError> {
        let length = self.body.len();
        if let Some(given) = self.headers.get(http::header::CONTENT_LENGTH) {
            return match given.to_str().ok().and_then(|text| text.trim().parse::<u64>().ok()) {
                Some(given) if given == length => Ok(()),
                _ => Err(HttpError::InvalidHeader {
                    name: "content-length".into(),
                    reason: format!("it says {given:?}, but the body has {length} bytes (leave it out: it is set)"),
                }),
            };
        }
        let expects_body = [Method::POST, Method::PUT, Method::PATCH].contains(&self.method);
        if expects_body || length > 0 {
            self.headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(length));
        }
        Ok(())
    }

    fn default_content_type(mut self, content_type: &'static str) -> Self {
        if !self.headers.contains_key(http::header::CONTENT_TYPE) {
            self.headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        self
    }

    fn fail(&mut self, error: HttpError) {
        self.error.get_or_insert(error);
    }
}

impl From<http::Request<Vec<u8>>> for Request {
    fn from(request: http::Request<Vec<u8>>) -> Self {
        let (parts, body) = request.into_parts();
        let mut converted = Request::new(parts.method, parts.uri.to_string()).body(body);
        converted.headers = parts.headers;
        converted
    }
}

/// A response whose body is read as it comes ([`Request::send_streaming`]):
/// it is a `Read`. Read errors are `io::Error`s that carry an
/// [`HttpError`], so `?` in a step reports what happened.
pub struct StreamingResponse {
    url: Url,
    status: StatusCode,
    headers: HeaderMap,
    body: backend::IncomingBody,
}

impl fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("url", &self.url.full)
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl StreamingResponse {
    /// The status (a 404 is a response, not an error).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name`, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `content-type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// The headers as a JSON object of name to value (repeated names joined with ", ").
    pub fn headers_json(&self) -> Value {
        headers_json(&self.headers)
    }

    /// Reads the next piece of the body into `buffer`; 0 at the end.
    fn read_chunk(&mut self, buffer: &mut [u8]) -> Result<usize, HttpError> {
        self.body.read(buffer, &self.url)
    }
}

impl Read for StreamingResponse {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_chunk(buf).map_err(io::Error::other)
    }
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    url: String,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Response {
    /// The status (a 404 is a response, not an error).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name`, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `content-type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, taken.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> Result<&str, HttpError> {
        std::str::from_utf8(&self.body).map_err(|_| HttpError::NotText { url: self.url.clone() })
    }

    /// The body as JSON, read into any `Deserialize` type (a [`Value`], a
    /// `#[derive(Deserialize)]` struct), each value as its own JSON type.
    ///
    /// ```no_run
    /// use wasm_workflows_sdk::http::Request;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Release { tag_name: String }
    ///
    /// # fn main() -> Result<(), wasm_workflows_sdk::http::HttpError> {
    /// let release: Release = Request::get("https://example.org/latest").send()?.json()?;
    /// # Ok(()) }
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        let failed = |reason: String| HttpError::Failed { url: self.url.clone(), reason };
        let value = json::parse(self.text()?).map_err(|e| failed(format!("the response is not valid JSON: {e}")))?;
        json::from_value(&value).map_err(|e| failed(format!("the response's JSON is not what was expected: {e}")))
    }

    /// The headers as a JSON object of name to value (repeated names joined with ", ").
    pub fn headers_json(&self) -> Value {
        headers_json(&self.headers)
    }
}

fn headers_json(headers: &HeaderMap) -> Value {
    let mut members: Vec<(String, Value)> = Vec::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        match members.iter_mut().find(|(n, _)| n == name.as_str()) {
            Some((_, Value::String(existing))) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => members.push((name.as_str().to_owned(), Value::String(value.into_owned()))),
        }
    }
    Value::Object(members)
}

impl From<Response> for http::Response<Vec<u8>> {
    fn from(response: Response) -> Self {
        let mut converted = http::Response::new(response.body);
        *converted.status_mut() = response.status;
        *converted.headers_mut() = response.headers;
        converted
    }
}
