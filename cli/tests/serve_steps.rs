//! How `serve` keeps track of steps, driven as Argo's agent drives it:
//! every node runs exactly once (identical requests sent at once are two
//! nodes; a node's later call joins its own run), a full queue and a
//! draining host answer 503, SIGTERM lets running steps finish and be
//! handed out, and output keys come from the template only. The modules are
//! small WAT programs that sleep, call a counting server, and write a result.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::s3_server::S3Server;
use wasm_workflows_test_support::serve::{ServeProcess, serve_command, wasm_request};
use wasm_workflows_test_support::wat_steps::{CountingServer, StepModule};

const BINARY: &str = env!("CARGO_BIN_EXE_wasm-workflows");

fn registry() -> &'static TestRegistry {
    static REGISTRY: OnceLock<TestRegistry> = OnceLock::new();
    REGISTRY.get_or_init(TestRegistry::start)
}

/// Pushes `wasm` as `steps/NAME:1`.
fn push(name: &str, wasm: Vec<u8>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("module.wasm");
    std::fs::write(&file, wasm).unwrap();
    let reference = format!("{}/steps/{name}:1", registry().address());
    let pushed = Command::new(BINARY).arg("push").arg(&file).arg(&reference).output().unwrap();
    assert!(pushed.status.success(), "push {name}: {}", String::from_utf8_lossy(&pushed.stderr));
    reference
}

/// A step that sleeps `ms`, then calls the counting server: each run leaves one hit.
fn counted_step(workflow: &str, ms: u64, origin: &str) -> String {
    let image = push(&format!("counted-{workflow}"), StepModule::counted(ms, &format!("{origin}/hit")).wasm());
    wasm_request(workflow, &image, &[], json!({"permissions": {"http": {"allowed_hosts": [origin]}}}))
}

fn phase(answer: &Value) -> &str {
    answer["node"]["phase"].as_str().unwrap_or_default()
}

#[test]
fn identical_requests_sent_at_once_are_two_nodes_and_each_runs_once() {
    let host = Arc::new(ServeProcess::start(Path::new(BINARY), &["--requeue", "1"]));
    let counting = CountingServer::start();
    let origin = counting.origin();
    let step = counted_step("same", 800, origin);
    let answers: Vec<Value> = (0..2)
        .map(|_| {
            let (host, step) = (host.clone(), step.clone());
            std::thread::spawn(move || host.run_step(&step))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|thread| thread.join().unwrap())
        .collect();
    for answer in &answers {
        assert_eq!(phase(answer), "Succeeded", "{answer}");
    }
    assert_eq!(counting.total(), 2, "two nodes, two runs");
    // Sent again after both were answered: another node, another run.
    assert_eq!(phase(&host.run_step(&step)), "Succeeded");
    assert_eq!(counting.total(), 3);
}

#[test]
fn a_nodes_later_calls_join_its_own_run() {
    let host = ServeProcess::start(Path::new(BINARY), &["--running-after", "0.2", "--requeue", "1"]);
    let counting = CountingServer::start();
    let origin = counting.origin();
    let step = counted_step("requeued", 1500, origin);
    let first = host.execute(&step);
    assert_eq!((phase(&first), first["requeue"].as_str()), ("Running", Some("1s")), "{first}");
    let finished = host.run_step(&step);
    assert_eq!(phase(&finished), "Succeeded", "{finished}");
    assert_eq!(counting.total(), 1, "the node's calls ran it once");
}

#[test]
fn a_full_queue_answers_503_which_argo_retries() {
    let host = ServeProcess::start(
        Path::new(BINARY),
        &["--max-concurrent", "1", "--max-queued", "1", "--running-after", "0.2", "--requeue", "1"],
    );
    let counting = CountingServer::start();
    let origin = counting.origin();
    let long = counted_step("first", 1500, origin);
    assert_eq!(phase(&host.execute(&long)), "Running");
    let (status, body) = host.execute_with(&counted_step("second", 1500, origin), None);
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("as many as it queues (--max-queued)"), "{body}");
    // The first is still answered, and then there is room again.
    assert_eq!(phase(&host.run_step(&long)), "Succeeded");
    assert_eq!(phase(&host.run_step(&counted_step("third", 10, origin))), "Succeeded");
}

#[test]
fn on_sigterm_running_steps_finish_and_are_handed_out_then_it_exits() {
    let mut host =
        ServeProcess::start(Path::new(BINARY), &["--running-after", "0.2", "--requeue", "1", "--shutdown-grace", "20"]);
    let counting = CountingServer::start();
    let origin = counting.origin();
    let long = counted_step("draining", 1500, origin);
    assert_eq!(phase(&host.execute(&long)), "Running");
    host.terminate();
    std::thread::sleep(Duration::from_millis(100));
    let (status, body) = host.execute_with(&counted_step("too-late", 10, origin), None);
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("shutting down"), "{body}");
    let started = Instant::now();
    let finished = host.run_step(&long);
    assert_eq!(phase(&finished), "Succeeded", "{finished}");
    assert_eq!(counting.total(), 1);
    // Every node handed out: it stops long before the grace is over.
    let status = host.wait_for_exit(Duration::from_secs(10)).expect("serve exits once its steps are handed out");
    assert!(status.success(), "{status}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn output_keys_come_from_the_template_never_from_the_module() {
    let s3 = S3Server::start();
    s3.create_bucket("artifacts");
    s3.put_object("artifacts", "other-workflow/precious", b"not to be overwritten");
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        config.path(),
        format!("s3:\n  bucket: artifacts\n  endpoint: {}\n  insecure: true\n  region: us-east-1\n", s3.endpoint()),
    )
    .unwrap();
    let (mut host, files) = serve_command(Path::new(BINARY), wasm_workflows_test_support::serve::TOKEN);
    host.env("AWS_ACCESS_KEY_ID", s3.access_key()).env("AWS_SECRET_ACCESS_KEY", s3.secret_key());
    host.args(["--port", "0", "--artifact-repository"]).arg(config.path());
    let host = ServeProcess::spawn(host, files).unwrap();
    // The module names a key of its own choosing for its output.
    let sneaky = r#"{"phase":"Succeeded","message":"done","outputs":{"artifacts":[{"name":"report","path":"/report","s3":{"key":"other-workflow/precious"}}]}}"#;
    let image =
        push("keyed", StepModule { result: sneaky.into(), writes_report: true, ..StepModule::default() }.wasm());
    let mut request: Value = serde_json::from_str(&wasm_request("keys", &image, &[], json!({}))).unwrap();
    request["template"]["outputs"]["artifacts"] =
        json!([{"name": "report", "path": "/report", "s3": {"key": "keys/chosen-by-the-template"}}]);
    let answer = host.run_step(&request.to_string());
    assert_eq!(phase(&answer), "Succeeded", "{answer}");
    assert_eq!(answer["node"]["outputs"]["artifacts"][0]["s3"]["key"], "keys/chosen-by-the-template");
    assert_eq!(std::fs::read(s3.object_file("artifacts", "keys/chosen-by-the-template")).unwrap(), b"report");
    assert_eq!(
        std::fs::read(s3.object_file("artifacts", "other-workflow/precious")).unwrap(),
        b"not to be overwritten"
    );

    // Undeclared, its key comes from the key format.
    request["template"]["outputs"]["artifacts"] = json!([]);
    let answer = host.run_step(&request.to_string());
    let key = answer["node"]["outputs"]["artifacts"][0]["s3"]["key"].as_str().unwrap();
    assert!(key.starts_with("keys/keys-") && key.ends_with("/report"), "{key}");
    assert_eq!(
        std::fs::read(s3.object_file("artifacts", "other-workflow/precious")).unwrap(),
        b"not to be overwritten"
    );
}

#[test]
fn concurrent_steps_of_a_new_image_pull_and_compile_it_once() {
    let host = Arc::new(ServeProcess::start(Path::new(BINARY), &["--max-concurrent", "8", "--requeue", "1"]));
    let counting = CountingServer::start();
    let image = push("pulled-once", StepModule::counted(200, &format!("{}/hit", counting.origin())).wasm());
    let threads: Vec<_> = (0..8)
        .map(|n| {
            let host = host.clone();
            let step = wasm_request(
                &format!("pulled-{n}"),
                &image,
                &[],
                json!({"permissions": {"http": {"allowed_hosts": [counting.origin()]}}}),
            );
            std::thread::spawn(move || host.run_step(&step))
        })
        .collect();
    for thread in threads {
        let answer = thread.join().unwrap();
        assert_eq!(phase(&answer), "Succeeded", "{answer}");
    }
    let (_, metrics) = host.get("/metrics");
    assert!(metrics.contains("\nwasm_workflows_pulls_total 1\n"), "{metrics}");
    assert!(metrics.contains("\nwasm_workflows_compilations_total 1\n"), "{metrics}");
    assert!(metrics.contains("wasm_workflows_steps_total{phase=\"Succeeded\"} 8"), "{metrics}");
    assert!(metrics.contains("wasm_workflows_step_duration_seconds_count{module="), "{metrics}");
    assert_eq!(counting.total(), 8);
}

/// The value of the unlabelled gauge or counter `name` in a `/metrics` text.
fn metric(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {metrics}"))
}

/// Many distinct references (12 modules, each under 3 tags) through a host
/// that keeps 4 compiled modules: every step runs its own module, and what
/// the host keeps in memory stays within its bounds; with no room for
/// compiled code at all, steps still run (loaded from the cache folder).
#[test]
fn compiled_modules_in_memory_stay_within_their_bounds_whatever_the_references() {
    let modules = 12;
    let tags = ["a", "b", "c"];
    let dir = tempfile::tempdir().unwrap();
    let mut references = Vec::new();
    for n in 0..modules {
        let result = format!(r#"{{"phase":"Succeeded","message":"module {n}"}}"#);
        let file = dir.path().join(format!("{n}.wasm"));
        std::fs::write(&file, StepModule { result, ..StepModule::default() }.wasm()).unwrap();
        for tag in tags {
            let reference = format!("{}/steps/many-{n}:{tag}", registry().address());
            let pushed = Command::new(BINARY).arg("push").arg(&file).arg(&reference).output().unwrap();
            assert!(pushed.status.success(), "push {reference}: {}", String::from_utf8_lossy(&pushed.stderr));
            references.push((reference, format!("module {n}")));
        }
    }
    let host = ServeProcess::start(Path::new(BINARY), &["--max-compiled-modules", "4", "--max-compiled-mib", "64"]);
    for round in 0..2 {
        for (step, (reference, message)) in references.iter().enumerate() {
            let answer = host.run_step(&wasm_request(&format!("many-{round}-{step}"), reference, &[], json!({})));
            assert_eq!((phase(&answer), answer["node"]["message"].as_str()), ("Succeeded", Some(message.as_str())));
            let (_, metrics) = host.get("/metrics");
            let kept = metric(&metrics, "wasm_workflows_compiled_modules");
            assert!((1..=4).contains(&kept), "{kept} compiled modules kept, bound 4");
            assert!(metric(&metrics, "wasm_workflows_compiled_module_bytes") <= 64 << 20);
        }
    }
    let (_, metrics) = host.get("/metrics");
    assert_eq!(metric(&metrics, "wasm_workflows_module_references"), references.len() as u64);
    assert_eq!(metric(&metrics, "wasm_workflows_compilations_total"), modules as u64, "each module compiled once");
    assert!(
        metrics.contains("wasm_workflows_module_cache_hits_total{where=\"disk\"}"),
        "modules dropped from memory were loaded from the cache folder: {metrics}"
    );

    let roomless = ServeProcess::start(Path::new(BINARY), &["--max-compiled-mib", "0"]);
    for (step, (reference, message)) in references.iter().take(4).enumerate() {
        let answer = roomless.run_step(&wasm_request(&format!("roomless-{step}"), reference, &[], json!({})));
        assert_eq!(answer["node"]["message"].as_str(), Some(message.as_str()), "{answer}");
    }
    let (_, metrics) = roomless.get("/metrics");
    assert_eq!(metric(&metrics, "wasm_workflows_compiled_modules"), 0, "{metrics}");
    assert_eq!(metric(&metrics, "wasm_workflows_compiled_module_bytes"), 0, "{metrics}");
}
