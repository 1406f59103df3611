//! A loopback HTTP server for tests: tiny_http on a free port of
//! 127.0.0.1, answering each request on a thread of its own, for as long as
//! the test process runs.

use std::sync::Arc;

/// Starts one that hands every request to `answer`; returns its origin,
/// `http://127.0.0.1:PORT`.
pub fn start(answer: impl Fn(tiny_http::Request) + Send + Sync + 'static) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("a loopback port for the test server");
    let origin = format!("http://{}", server.server_addr().to_ip().expect("an IP address"));
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let answer = answer.clone();
            std::thread::spawn(move || answer(request));
        }
    });
    origin
}
