//! Registries written the way an attacker would (test-support's
//! `hostile_registry`, on loopback), pulled from through `wasm-workflows
//! run` and through `serve`: each pull ends in a clear error within its
//! deadline, with what the registry said cut to a short printable excerpt,
//! and `serve` keeps running the steps behind it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wasm_workflows_test_support::hostile_registry::{Behaviour, HostileRegistry};
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::serve::{ServeProcess, wasm_request};
use wasm_workflows_test_support::wat_steps::{DONE, StepModule};

const BINARY: &str = env!("CARGO_BIN_EXE_wasm-workflows");

/// A registry that sends one byte a second, one whose error page is 100
/// MiB, one whose manifest is 100 MiB (refused unread: it says so), one
/// whose manifest never ends (refused once 4 MiB are read), and two that
/// ask for a bearer token whose server answers without end (refused once
/// 64 KiB are read) or one byte a second.
fn hostile() -> [(HostileRegistry, &'static str); 6] {
    [
        (HostileRegistry::start(Behaviour::SlowBytes), "took longer than 2 s (--pull-timeout)"),
        (HostileRegistry::start(Behaviour::HugeErrorBody(100 << 20)), "500"),
        (
            HostileRegistry::start(Behaviour::HugeManifest(100 << 20)),
            "its manifest is 104857600 bytes, more than the 4194304 bytes",
        ),
        (HostileRegistry::start(Behaviour::EndlessManifest), "its manifest is more than the 4194304 bytes"),
        (
            HostileRegistry::start(Behaviour::EndlessToken),
            "/token) answered more than the 65536 bytes this host reads of a token",
        ),
        (HostileRegistry::start(Behaviour::SlowToken), "took longer than 2 s (--pull-timeout)"),
    ]
}

#[test]
fn through_run_a_pull_ends_within_its_deadline_with_a_short_message() {
    for (registry, expected) in hostile() {
        let reference = format!("{}/hostile/module:1", registry.address());
        let started = Instant::now();
        let ran = Command::new(BINARY).args(["run", &reference, "--pull-timeout", "2"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&ran.stderr);
        assert_eq!(ran.status.code(), Some(2), "{reference}: {stderr}");
        assert!(stderr.contains(expected), "{reference}: {stderr:.2000}");
        assert!(stderr.len() < 2_000, "{reference}: {} bytes of message", stderr.len());
        assert!(!stderr.contains('\u{1b}'), "{reference}: a control character reached the terminal");
        assert!(started.elapsed() < Duration::from_secs(20), "{reference}: took {:?}", started.elapsed());
    }
}

#[test]
fn through_serve_a_step_from_a_hostile_registry_fails_and_frees_its_slot() {
    let good_registry = TestRegistry::start();
    let modules = tempfile::tempdir().unwrap();
    let file = modules.path().join("good.wasm");
    std::fs::write(&file, StepModule { result: DONE.into(), ..StepModule::default() }.wasm()).unwrap();
    let good = format!("{}/good/step:1", good_registry.address());
    let pushed = Command::new(BINARY).arg("push").arg(&file).arg(&good).output().unwrap();
    assert!(pushed.status.success(), "push: {}", String::from_utf8_lossy(&pushed.stderr));
    // One slot: the good step after each hostile one shows the slot was freed.
    let host = ServeProcess::start(Path::new(BINARY), &["--max-concurrent", "1", "--pull-timeout", "2"]);
    let fine: Value = host.run_step(&wasm_request("good", &good, &[], json!({})));
    assert_eq!(fine["node"]["message"], "done", "{fine}");
    let resident_before = host.resident_kib();
    for (registry, expected) in hostile() {
        let image = format!("{}/hostile/module:1", registry.address());
        let started = Instant::now();
        let answer = host.run_step(&wasm_request("hostile-registry", &image, &[], json!({})));
        let (status, body) = (answer["node"]["phase"].clone(), answer.to_string());
        assert_eq!(status, "Failed", "{image}: {body:.2000}");
        let message = answer["node"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{image}: {message:.2000}");
        assert!(body.len() < 2_000, "{image}: a node of {} bytes", body.len());
        assert!(started.elapsed() < Duration::from_secs(20), "{image}: took {:?}", started.elapsed());
        let fine: Value = host.run_step(&wasm_request("good", &good, &[], json!({})));
        assert_eq!(fine["node"]["message"], "done", "after {image}: {fine}");
    }
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
    // Hundreds of MiB were offered; at most a few MiB of it was ever held.
    let grown = host.resident_kib().saturating_sub(resident_before);
    assert!(grown < 48 << 10, "serve grew by {grown} KiB pulling from hostile registries");
}

#[test]
fn through_push_a_token_server_that_answers_without_end_is_cut_off() {
    // `oci-client` reads a token server's answer whole: push asks for its token as a pull does.
    let registry = HostileRegistry::start(Behaviour::EndlessToken);
    let modules = tempfile::tempdir().unwrap();
    let file = modules.path().join("step.wasm");
    std::fs::write(&file, StepModule { result: DONE.into(), ..StepModule::default() }.wasm()).unwrap();
    let reference = format!("{}/hostile/module:1", registry.address());
    let started = Instant::now();
    let pushed = Command::new(BINARY).arg("push").arg(&file).arg(&reference).output().unwrap();
    let stderr = String::from_utf8_lossy(&pushed.stderr);
    assert!(!pushed.status.success(), "{stderr}");
    assert!(stderr.contains("/token) answered more than the 65536 bytes this host reads of a token"), "{stderr:.2000}");
    assert!(stderr.len() < 2_000, "{} bytes of message", stderr.len());
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
}
