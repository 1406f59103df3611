//! Small step modules written in WAT for the host's tests, built in
//! milliseconds (no cargo): one sleeps, then calls a URL through the legacy
//! HTTP functions (so each run leaves a trace on a [`CountingServer`]), then
//! writes a given result, and may leave an output artifact.

use std::sync::{Arc, Mutex};

/// A WAT string literal of `text`.
fn literal(text: &str) -> String {
    text.bytes().map(|b| format!("\\{b:02x}")).collect()
}

/// What the module does.
#[derive(Debug, Clone, Default)]
pub struct StepModule {
    /// How long it sleeps first (in `poll_oneoff`), in milliseconds.
    pub sleep_ms: u64,
    /// A URL it then GETs, if any (the step's template must allow its origin).
    pub call: Option<String>,
    /// The result it writes (`result.json`).
    pub result: String,
    /// Whether it writes `artifacts-out/report` (holding "report").
    pub writes_report: bool,
}

/// `{"phase":"Succeeded","message":"done"}`.
pub const DONE: &str = r#"{"phase":"Succeeded","message":"done"}"#;

impl StepModule {
    /// A module that sleeps `sleep_ms`, then GETs `url`, then succeeds with "done".
    pub fn counted(sleep_ms: u64, url: &str) -> StepModule {
        StepModule { sleep_ms, call: Some(url.to_owned()), result: DONE.into(), writes_report: false }
    }

    /// The module, as WebAssembly.
    pub fn wasm(&self) -> Vec<u8> {
        let url = self.call.as_deref().unwrap_or_default();
        let call = if url.is_empty() {
            String::new()
        } else {
            format!(
                "(drop (call $req (i32.const 3000) (i32.const {}) (i32.const 2900) (i32.const 3) (i32.const 0)
                                   (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 2800) (i32.const 2804)))",
                url.len()
            )
        };
        let report = if self.writes_report {
            "(drop (call $open (i32.const 3) (i32.const 0) (i32.const 2600) (i32.const 20) (i32.const 9)
                              (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)))
             (i32.store (i32.const 20) (i32.const 2700)) (i32.store (i32.const 24) (i32.const 6))
             (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))"
        } else {
            ""
        };
        let wat = format!(
            r#"(module
              (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
              (import "wasi_experimental_http" "req" (func $req (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 100) "result.json")
              (data (i32.const 2600) "artifacts-out/report")
              (data (i32.const 2700) "report")
              (data (i32.const 2900) "GET")
              (data (i32.const 3000) "{url}")
              (data (i32.const 4096) "{result}")
              (func (export "_start")
                ;; one relative clock subscription: sleep
                (i64.store (i32.const 1024) (i64.const 0))
                (i32.store8 (i32.const 1032) (i32.const 0))
                (i32.store (i32.const 1040) (i32.const 1))
                (i64.store (i32.const 1048) (i64.const {ns}))
                (i64.store (i32.const 1056) (i64.const 0))
                (i32.store16 (i32.const 1064) (i32.const 0))
                (drop (call $poll (i32.const 1024) (i32.const 2048) (i32.const 1) (i32.const 2100)))
                {call}
                {report}
                (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 11) (i32.const 9)
                                  (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)))
                (i32.store (i32.const 20) (i32.const 4096))
                (i32.store (i32.const 24) (i32.const {length}))
                (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))))"#,
            url = literal(url),
            result = literal(&self.result),
            length = self.result.len(),
            ns = self.sleep_ms * 1_000_000,
        );
        wat::parse_str(wat).expect("the step module is valid WAT")
    }
}

/// A loopback HTTP server that counts the requests it gets, by path.
pub struct CountingServer {
    origin: String,
    hits: Arc<Mutex<Vec<String>>>,
}

impl CountingServer {
    /// Starts one on a free port of 127.0.0.1.
    pub fn start() -> CountingServer {
        let hits = Arc::new(Mutex::new(Vec::new()));
        let seen = hits.clone();
        let origin = crate::http_server::start(move |request| {
            seen.lock().unwrap_or_else(|p| p.into_inner()).push(request.url().to_owned());
            let _ = request.respond(tiny_http::Response::from_string("counted"));
        });
        CountingServer { origin, hits }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The requests so far.
    pub fn total(&self) -> usize {
        self.hits.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// The requests so far to `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap_or_else(|p| p.into_inner()).iter().filter(|p| *p == path).count()
    }
}
