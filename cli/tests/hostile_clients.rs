//! Clients of `wasm-workflows serve` written the way an attacker would, on
//! loopback: what they cost the host is bounded, and the host still answers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use wasm_workflows_test_support::serve::{ServeProcess, TOKEN};

const BINARY: &str = env!("CARGO_BIN_EXE_wasm-workflows");

/// Sends `head` (a request's head and the start of its body) and reads the
/// answer's status line, waiting at most `patience`.
fn status_after(origin: &str, head: &str, patience: Duration) -> String {
    let mut stream = TcpStream::connect(origin.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(patience)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = [0; 64];
    let read = stream.read(&mut answer).unwrap_or(0);
    String::from_utf8_lossy(&answer[..read]).lines().next().unwrap_or_default().to_owned()
}

#[test]
fn a_request_without_the_token_is_refused_before_its_body_is_read() {
    let host = ServeProcess::start(Path::new(BINARY), &[]);
    // A body of 2,000,000 bytes announced, one sent: the host must not wait for the rest.
    let started = Instant::now();
    let status = status_after(
        host.origin(),
        "POST /api/v1/template.execute HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: 2000000\r\n\r\n{",
        Duration::from_secs(5),
    );
    assert_eq!(status, "HTTP/1.1 403 Forbidden");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    // With the token, a body over the limit is refused too.
    let status = status_after(
        host.origin(),
        &format!(
            "POST /api/v1/template.execute HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Length: 3000000\r\n\r\n{{"
        ),
        Duration::from_secs(5),
    );
    assert_eq!(status, "HTTP/1.1 413 Payload Too Large");
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
}
