//! Clients of `wasm-workflows serve` written the way an attacker would, on
//! loopback: what they cost the host is bounded, and the host still answers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::serve::{ServeProcess, TOKEN, wasm_request};
use wasm_workflows_test_support::wat_steps::{DONE, StepModule};

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

/// How long `call` takes: the median of `times` calls.
fn median_time(times: usize, mut call: impl FnMut()) -> Duration {
    let mut taken: Vec<Duration> = (0..times)
        .map(|_| {
            let started = Instant::now();
            call();
            started.elapsed()
        })
        .collect();
    taken.sort();
    taken[times / 2]
}

/// A good step's module pushed to a registry of its own: the request that runs it.
fn good_step(registry: &TestRegistry) -> String {
    let modules = tempfile::tempdir().unwrap();
    let file = modules.path().join("good.wasm");
    std::fs::write(&file, StepModule { result: DONE.into(), ..StepModule::default() }.wasm()).unwrap();
    let image = format!("{}/good/step:1", registry.address());
    let pushed = Command::new(BINARY).arg("push").arg(&file).arg(&image).output().unwrap();
    assert!(pushed.status.success(), "push: {}", String::from_utf8_lossy(&pushed.stderr));
    wasm_request("good", &image, &[], json!({}))
}

/// 2,000 idle connections and 300 without the token that announce a 2 MB
/// body and send 1 KiB of it, all held open: the host's memory grows by at
/// most 8 MiB (measured: 4-5), and `/healthz` and a real step answer as fast as before, to
/// within 10 ms (medians of several calls; the absolute 10 ms is asserted
/// for `/healthz` only, a debug build's step taking longer on a loaded machine).
#[test]
fn idle_connections_and_partial_bodies_cost_little_and_slow_nothing() {
    let registry = TestRegistry::start();
    let step = good_step(&registry);
    let host = ServeProcess::start(Path::new(BINARY), &[]);
    let address = host.origin().trim_start_matches("http://").to_owned();
    let healthz = || assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
    let run = || assert_eq!(host.run_step(&step)["node"]["message"], "done");
    run(); // pulled and compiled once
    let healthz_before = median_time(21, healthz);
    let step_before = median_time(5, run);
    let (memory_before, descriptors_before) = (host.resident_kib(), host.open_descriptors());

    let idle: Vec<TcpStream> = (0..2_000).map(|_| TcpStream::connect(&address).unwrap()).collect();
    let partial: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut stream = TcpStream::connect(&address).unwrap();
            let head = "POST /api/v1/template.execute HTTP/1.1\r\nHost: localhost\r\n\
                        Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n";
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&[b' '; 1024]).unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let healthz_during = median_time(21, healthz);
    let step_during = median_time(5, run);
    let memory_during = host.resident_kib();
    let grown = memory_during.saturating_sub(memory_before);
    eprintln!(
        "RSS {memory_before} -> {memory_during} KiB; /healthz {healthz_before:?} -> {healthz_during:?}; \
         step {step_before:?} -> {step_during:?}; descriptors {descriptors_before} -> {}",
        host.open_descriptors()
    );
    assert!(grown <= 8 << 10, "2,300 connections cost {grown} KiB");
    assert!(healthz_during <= Duration::from_millis(10), "/healthz took {healthz_during:?}");
    assert!(healthz_during <= healthz_before + Duration::from_millis(10), "/healthz took {healthz_during:?}");
    assert!(
        step_during <= step_before + Duration::from_millis(10),
        "the step took {step_during:?}, not {step_before:?}"
    );
    // Every one without the token was refused, its body unread.
    for mut stream in partial {
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut answer = [0; 64];
        let read = stream.read(&mut answer).unwrap_or(0);
        assert!(answer[..read].starts_with(b"HTTP/1.1 403"), "{}", String::from_utf8_lossy(&answer[..read]));
    }
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(10);
    while host.open_descriptors() > descriptors_before + 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(host.open_descriptors() <= descriptors_before + 2, "{} descriptors left", host.open_descriptors());
}

/// Past `--max-connections`, a connection is answered 503 and closed; a
/// connection silent for `--idle-timeout`, or sending a head slowly, is
/// closed, which frees its place.
#[test]
fn connections_are_capped_and_idle_ones_closed() {
    let host = ServeProcess::start(Path::new(BINARY), &["--max-connections", "10", "--idle-timeout", "2"]);
    let address = host.origin().trim_start_matches("http://").to_owned();
    let mut held: Vec<TcpStream> = (0..9).map(|_| TcpStream::connect(&address).unwrap()).collect();
    let mut slow = TcpStream::connect(&address).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: local").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status =
        status_after(host.origin(), "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", Duration::from_secs(5));
    assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
    let started = Instant::now();
    for stream in held.iter_mut().chain([&mut slow]) {
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut answer = [0; 64];
        assert_eq!(stream.read(&mut answer).unwrap_or(0), 0, "the host did not close an idle connection");
    }
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(6), "idle connections closed after {waited:?}");
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
}
