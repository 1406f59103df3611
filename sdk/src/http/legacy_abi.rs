//! The names and codes of the Argo WASM plugin's legacy HTTP interface for
//! core modules, shared by the SDK (which calls it) and `wasm-workflows run`
//! (which implements it). wit/legacy-http.md describes the functions.

/// The import module the functions live in.
pub const MODULE: &str = "wasi_experimental_http";

/// The header in which a core module passes a request's timeout, in
/// milliseconds, since the interface has no place for it. `wasm-workflows
/// run` applies it and does not send it on; the original plugin sends it on
/// and applies its own timeout.
pub const TIMEOUT_HEADER: &str = "x-wasm-workflows-timeout-ms";

/// Success.
pub const SUCCESS: u32 = 0;
/// No response has this handle.
pub const INVALID_HANDLE: u32 = 1;
/// The module exports no memory.
pub const MEMORY_NOT_FOUND: u32 = 2;
/// A pointer or length is outside the module's memory.
pub const MEMORY_ACCESS_ERROR: u32 = 3;
/// The buffer is too small: call again with a larger one.
pub const BUFFER_TOO_SMALL: u32 = 4;
/// The response has no such header.
pub const HEADER_NOT_FOUND: u32 = 5;
/// A string is not UTF-8.
pub const UTF_8_ERROR: u32 = 6;
/// The destination is not among the step's allowed hosts.
pub const DESTINATION_NOT_ALLOWED: u32 = 7;
/// The method is not valid.
pub const INVALID_METHOD: u32 = 8;
/// A header line is not valid.
pub const INVALID_ENCODING: u32 = 9;
/// The URL is not valid.
pub const INVALID_URL: u32 = 10;
/// The request failed: a refused connection, a DNS failure, a timeout, a TLS or protocol error.
pub const REQUEST_ERROR: u32 = 11;
/// The host's HTTP runtime failed.
pub const RUNTIME_ERROR: u32 = 12;
/// Too many responses are open at once.
pub const TOO_MANY_SESSIONS: u32 = 13;

/// The import module of the `wasm-workflows` host's streamed request bodies,
/// which the original plugin does not have: `req_start(url_ptr, url_len,
/// method_ptr, method_len, headers_ptr, headers_len, handle_ptr)` starts a
/// request whose body follows (its headers must hold `content-length`);
/// `req_write(handle, body_ptr, body_len)` sends the next piece of the body;
/// `req_finish(handle, status_ptr, response_handle_ptr)` ends it and answers
/// as `req` does, with a response handle for `body_read` and `close`.
/// `close(handle)` abandons an unfinished request. The codes are those above.
pub const STREAMING_MODULE: &str = "wasm_workflows_http";
