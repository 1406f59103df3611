//! HTTP requests from a step, on whatever the host offers: one synchronous
//! API built on the [`http`] crate's types, with a backend chosen by target.
//!
//! - `wasm32-wasip2`: `wasi:http/outgoing-handler`, through the `wasip2`
//!   crate's generated bindings;
//! - `wasm32-wasip1`: the Argo WASM plugin's legacy `wasi_experimental_http`
//!   functions;
//! - native builds (tests of step functions): a real blocking client.
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

use std::time::Duration;

pub use self::error::HttpError;
pub use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use self::url::Url;
use crate::json::{self, Value};

/// The largest response body read unless [`Request::max_response_size`] says otherwise.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 16 << 20;

/// An HTTP request being built. Errors in the building (a bad header, say)
/// are kept and returned by [`send`](Self::send).
#[derive(Debug)]
pub struct Request {
    method: Method,
    url: String,
    headers: HeaderMap,
    body: Vec<u8>,
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
            body: Vec::new(),
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
        self.body = body.into();
        self
    }

    /// Sets a text body, with `content-type: text/plain; charset=utf-8` unless one is set.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.default_content_type("text/plain; charset=utf-8").body(text.into())
    }

    /// Sets a JSON body, with `content-type: application/json` unless one is set.
    pub fn json(self, value: &Value) -> Self {
        self.default_content_type("application/json").body(value.to_string())
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

    /// Sends the request and reads the whole response.
    pub fn send(mut self) -> Result<Response, HttpError> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let url = Url::parse(&self.url)?;
        self.declare_length()?;
        backend::send(&self, &url)
    }

    /// Sets `content-length` to the body's size when the request has a body
    /// or a method that expects one, so that every backend sends the body
    /// with its length rather than in chunks, which many servers refuse (an
    /// S3-style PUT answers 411) or drop.
    /// A `content-length` the caller set must be the body's.
    fn declare_length(&mut self) -> Result<(), HttpError> {
        let length = self.body.len();
        if let Some(given) = self.headers.get(http::header::CONTENT_LENGTH) {
            return match given.to_str().ok().and_then(|text| text.trim().parse::<usize>().ok()) {
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

    /// The body as JSON.
    pub fn json(&self) -> Result<Value, HttpError> {
        json::parse(self.text()?).map_err(|e| HttpError::Failed {
            url: self.url.clone(),
            reason: format!("the response is not valid JSON: {e}"),
        })
    }

    /// The headers as a JSON object of name to value (repeated names joined with ", ").
    pub fn headers_json(&self) -> Value {
        let mut members: Vec<(String, Value)> = Vec::new();
        for (name, value) in &self.headers {
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
}

impl From<Response> for http::Response<Vec<u8>> {
    fn from(response: Response) -> Self {
        let mut converted = http::Response::new(response.body);
        *converted.status_mut() = response.status;
        *converted.headers_mut() = response.headers;
        converted
    }
}
