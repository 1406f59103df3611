//! `wasm-workflows serve` driven over HTTP as Argo's agent drives it, with
//! modules pulled from a real registry (docker-registry on loopback).

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{module, workspace_root};
use wasm_workflows_test_support::http_server;
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::serve::{ServeProcess, wasm_request};
use wasm_workflows_test_support::wat_steps::CountingServer;

const BINARY: &str = env!("CARGO_BIN_EXE_wasm-workflows");

/// The modules of the collection.
const COLLECTION: [&str; 6] = ["ferris-says", "http-request", "text2qr", "markdown", "json-query", "image-processor"];

/// The registry every test of this file pulls from, with the modules pushed once.
fn registry() -> &'static TestRegistry {
    static REGISTRY: OnceLock<TestRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let registry = TestRegistry::start();
        for package in COLLECTION.iter().copied().chain(["sdk-probe"]) {
            for (target, tag) in [(WasmTarget::Wasip1, "p1"), (WasmTarget::Wasip2, "p2")] {
                let reference = format!("{}/{package}:{tag}", registry.address());
                let pushed =
                    Command::new(BINARY).arg("push").arg(module(package, target)).arg(&reference).output().unwrap();
                assert!(pushed.status.success(), "push {reference}: {}", String::from_utf8_lossy(&pushed.stderr));
            }
        }
        registry
    })
}

fn image(package: &str, tag: &str) -> String {
    format!("{}/{package}:{tag}", registry().address())
}

/// A host with the tests' limits: short waits, a small memory limit.
fn host(extra: &[&str]) -> ServeProcess {
    let mut args = vec!["--max-memory", "64", "--timeout", "10"];
    if !extra.contains(&"--requeue") {
        args.extend(["--requeue", "1"]);
    }
    args.extend_from_slice(extra);
    ServeProcess::start(Path::new(BINARY), &args)
}

/// The node of an answer, checking it is one.
fn node(answer: &Value) -> &Value {
    answer.get("node").unwrap_or_else(|| panic!("no node in {answer}"))
}

fn output<'a>(answer: &'a Value, name: &str) -> &'a Value {
    assert_eq!(node(answer)["phase"], "Succeeded", "{answer}");
    let parameters = node(answer)["outputs"]["parameters"].as_array().unwrap();
    &parameters.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("no {name} in {answer}"))["value"]
}

fn failed(answer: &Value) -> String {
    assert_eq!(node(answer)["phase"], "Failed", "{answer}");
    node(answer)["message"].as_str().unwrap().to_owned()
}

#[test]
fn health_and_templates_that_are_not_ours() {
    let host = host(&[]);
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
    // The protocol's own example is a template of another plugin ("hello").
    let example =
        std::fs::read_to_string(workspace_root().join("sdk/tests/fixtures/template-execute-request.example.json"))
            .unwrap();
    assert_eq!(host.execute_with(&example, None), (200, "{}".to_owned()));
    let container =
        json!({"workflow": {"metadata": {"name": "w"}}, "template": {"name": "c", "container": {"image": "alpine"}}});
    assert_eq!(host.execute_with(&container.to_string(), None), (200, "{}".to_owned()));
}

#[test]
fn a_malformed_request_is_a_400_and_a_broken_template_a_failed_node() {
    let host = host(&[]);
    let (status, body) = host.execute_with("{not json", None);
    assert_eq!(status, 400);
    assert!(body.starts_with("the request body is not valid JSON"), "{body}");
    // A template that is not ours is answered {} whatever else is wrong with
    // the request: an error would fail the node for every plugin of the pod.
    assert_eq!(host.execute_with(r#"{"template": {}}"#, None), (200, "{}".to_owned()));
    let no_workflow = json!({"template": {"plugin": {"wasm": {"module": {"oci": "x/y:z"}}}}});
    assert_eq!(failed(&host.run_step(&no_workflow.to_string())), "the request has no workflow.metadata.name");

    let no_module = json!({"workflow": {"metadata": {"name": "w"}}, "template": {"plugin": {"wasm": {"module": {}}}}});
    let message = failed(&host.run_step(&no_module.to_string()));
    assert!(message.starts_with("plugin.wasm.module has no `oci` image reference"), "{message}");
    let bad_hosts = wasm_request(
        "w",
        &image("ferris-says", "p1"),
        &[("text", "x")],
        json!({"permissions": {"http": {"allowed_hosts": "all"}}}),
    );
    assert_eq!(
        failed(&host.run_step(&bad_hosts)),
        "plugin.wasm.permissions.http.allowed_hosts must be a list of origins, not the string \"all\""
    );
}

#[test]
fn every_request_must_carry_argos_token() {
    let host = host(&[]);
    let counter = CountingServer::start();
    let origin = counter.origin();
    let step = wasm_request(
        "token",
        &image("http-request", "p1"),
        &[("url", &format!("{origin}/hit"))],
        json!({"permissions": {"http": {"allowed_hosts": [origin]}}}),
    );
    for authorization in [
        "",
        "Bearer wrong-token-wrong-token-wrong-to",
        "Basic 0123456789abcdefghijklmnopqrstuv",
        "0123456789abcdefghijklmnopqrstuv",
    ] {
        let (status, body) = host.execute_with(&step, Some(authorization));
        assert_eq!(status, 403, "{authorization:?}: {body}");
    }
    assert_eq!(counter.total(), 0, "a request without the token ran its step");
    assert_eq!(output(&host.run_step(&step), "status_code"), 200);
    assert_eq!(counter.total(), 1);
}

#[test]
fn the_modules_run_as_core_modules_and_as_components() {
    let host = host(&[]);
    let counter = CountingServer::start();
    let origin = counter.origin();
    for tag in ["p1", "p2"] {
        let said = host.run_step(&wasm_request(
            "ferris",
            &image("ferris-says", tag),
            &[("text", "Hello Argo"), ("width", "20")],
            json!({}),
        ));
        assert!(output(&said, "text").as_str().unwrap().contains("Hello Argo"), "{tag}: {said}");
        assert_eq!(node(&said)["message"], "Ferris said it");

        let fetched = host.run_step(&wasm_request(
            "fetch",
            &image("http-request", tag),
            &[("url", &format!("{origin}/x"))],
            json!({"permissions": {"http": {"allowed_hosts": [origin]}}}),
        ));
        assert_eq!(output(&fetched, "status_code"), 200, "{tag}");
        assert_eq!(output(&fetched, "body"), "counted");
        // A JSON object output reaches Argo as its JSON text.
        let headers: Value = serde_json::from_str(output(&fetched, "headers").as_str().unwrap()).unwrap();
        assert_eq!(headers["content-length"], "7");

        // Every other key of plugin.wasm is a plugin option.
        let echoed = host.run_step(&wasm_request(
            "echo-wf",
            &image("sdk-probe", tag),
            &[("mode", "echo"), ("count", "41"), ("enabled", "true")],
            json!({"level": 7}),
        ));
        assert_eq!(output(&echoed, "count"), 42, "{tag}");
        assert_eq!(output(&echoed, "enabled"), true);
        assert_eq!(output(&echoed, "level"), 7);
        assert_eq!(node(&echoed)["message"], "workflow echo-wf");
    }
}

#[test]
fn the_text_modules_of_the_collection_run_as_core_modules_and_as_components() {
    let host = host(&[]);
    for tag in ["p1", "p2"] {
        let html = host.run_step(&wasm_request(
            "md",
            &image("markdown", tag),
            &[("markdown", "# Hi\n\n~~no~~ <script>x</script>")],
            json!({}),
        ));
        let html = output(&html, "html").as_str().unwrap().to_owned();
        assert!(html.contains("<h1>Hi</h1>") && html.contains("<del>no</del>"), "{tag}: {html}");
        assert!(!html.contains("<script>"), "{tag}: {html}");

        let sum = host.run_step(&wasm_request(
            "jq",
            &image("json-query", tag),
            &[("query", ".a | add"), ("json", r#"{"a": [1, 2]}"#)],
            json!({}),
        ));
        assert_eq!(output(&sum, "result"), "3", "{tag}");

        // text2qr writes a PNG too; the template declares no output artifact
        // and this host has no repository, so only the parameter comes back.
        let code = host.run_step(&wasm_request(
            "qr",
            &image("text2qr", tag),
            &[("text", "https://argoproj.github.io")],
            json!({}),
        ));
        assert!(output(&code, "qrcode").as_str().unwrap().contains('█'), "{tag}: {code}");
        assert_eq!(node(&code)["outputs"].get("artifacts"), None, "{tag}: {code}");
    }
}

#[test]
fn a_denied_host_and_an_unknown_module_are_failed_nodes() {
    let host = host(&[]);
    let counter = CountingServer::start();
    let origin = counter.origin();
    for tag in ["p1", "p2"] {
        let denied = failed(&host.run_step(&wasm_request(
            "deny",
            &image("http-request", tag),
            &[("url", &format!("{origin}/x"))],
            json!({}),
        )));
        assert!(denied.contains("is not an allowed host of this step"), "{tag}: {denied}");
    }
    assert_eq!(counter.total(), 0);

    let missing = image("no-such-module", "1");
    let message = failed(&host.run_step(&wasm_request("missing", &missing, &[], json!({}))));
    assert_eq!(
        message,
        format!(
            "cannot pull the module {missing}: {missing} does not exist: the registry has no tag \"1\" in repository no-such-module"
        )
    );
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let unreachable = format!("127.0.0.1:{port}/x:1");
    let message = failed(&host.run_step(&wasm_request("gone", &unreachable, &[], json!({}))));
    assert!(
        message.starts_with(&format!("cannot pull the module {unreachable}: cannot reach the registry")),
        "{message}"
    );
}

#[test]
fn traps_loops_and_memory_hogs_are_failed_nodes() {
    let host = host(&[]);
    for tag in ["p1", "p2"] {
        let probe = image("sdk-probe", tag);
        let panicked = failed(&host.run_step(&wasm_request("panic", &probe, &[("mode", "panic")], json!({}))));
        assert!(panicked.contains("the step panicked at"), "{tag}: {panicked}");

        let started = Instant::now();
        let mut spin: Value =
            serde_json::from_str(&wasm_request("spin", &probe, &[("mode", "spin")], json!({}))).unwrap();
        spin["template"]["timeout"] = json!("1s");
        let looped = failed(&host.run_step(&spin.to_string()));
        assert!(looped.starts_with("the module ran longer than the timeout of 1 s"), "{tag}: {looped}");
        assert!(started.elapsed() < Duration::from_secs(5));

        let hog = failed(&host.run_step(&wasm_request("oom", &probe, &[("mode", "oom")], json!({}))));
        assert!(
            hog.starts_with("the module ran out of memory: it asked for more than the limit of 64 MiB"),
            "{tag}: {hog}"
        );
    }
}

/// A step that fetches a body larger than its memory budget fails saying
/// so, as a component (its `wasi:http` body counts in `--max-memory`) and
/// as a core module (the legacy functions' body does); a good step beside
/// it succeeds.
#[test]
fn a_response_larger_than_the_memory_budget_fails_its_step_and_no_other() {
    let host = Arc::new(host(&["--max-concurrent", "2"]));
    let origin = http_server::start(|request| {
        let size: u64 = 100 << 20;
        let body = std::io::Read::take(std::io::repeat(b'z'), size);
        let response = tiny_http::Response::new(tiny_http::StatusCode(200), vec![], body, Some(size as usize), None);
        let _ = request.respond(response);
    });
    for tag in ["p2", "p1"] {
        let probe = image("sdk-probe", tag);
        let big = wasm_request(
            &format!("big-{tag}"),
            &probe,
            &[("mode", "fetch"), ("url", &format!("{origin}/big")), ("max_bytes", "1000000000")],
            json!({"permissions": {"http": {"allowed_hosts": [origin]}}}),
        );
        let good = wasm_request(&format!("beside-{tag}"), &probe, &[("mode", "sleep"), ("ms", "300")], json!({}));
        let steps: Vec<_> = [big, good]
            .into_iter()
            .map(|step| {
                let host = host.clone();
                std::thread::spawn(move || host.run_step(&step))
            })
            .collect();
        let mut answers = steps.into_iter().map(|step| step.join().unwrap());
        let (hog, fine) = (answers.next().unwrap(), answers.next().unwrap());
        let message = failed(&hog);
        assert!(message.contains("64 MiB (--max-memory)"), "{tag}: {message}");
        assert_eq!(node(&fine)["message"], "slept 300 ms", "{tag}: {fine}");
    }
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
}

#[test]
fn a_long_step_is_answered_running_and_runs_once() {
    let host = host(&["--running-after", "0.5", "--requeue", "1"]);
    let counter = CountingServer::start();
    let origin = counter.origin();
    let step = wasm_request(
        "long",
        &image("sdk-probe", "p1"),
        &[("mode", "sleep"), ("ms", "2500"), ("url", &format!("{origin}/done"))],
        json!({"permissions": {"http": {"allowed_hosts": [origin]}}}),
    );
    let first = host.execute(&step);
    assert_eq!(node(&first)["phase"], "Running", "{first}");
    assert_eq!(first["requeue"], "1s");
    let mut answers = 1;
    let finished = loop {
        std::thread::sleep(Duration::from_secs(1));
        let answer = host.execute(&step);
        answers += 1;
        if node(&answer)["phase"] != "Running" {
            break answer;
        }
        assert!(answers < 10, "still running after {answers} requests");
    };
    assert_eq!(node(&finished)["phase"], "Succeeded", "{finished}");
    assert_eq!(node(&finished)["message"], "slept 2500 ms");
    assert!(answers >= 3, "the step was answered early ({answers} requests)");
    assert_eq!(counter.total(), 1, "the step ran more than once");

    // The finished node was handed out once; the same request now is a new step.
    let again = host.execute(&step);
    assert_eq!(node(&again)["phase"], "Running");
}

#[test]
fn fifty_concurrent_steps_all_come_back() {
    let host = Arc::new(host(&["--max-concurrent", "4"]));
    let image = image("ferris-says", "p1");
    let threads: Vec<_> = (0..50)
        .map(|n| {
            let (host, image) = (host.clone(), image.clone());
            std::thread::spawn(move || {
                let text = format!("step number {n}");
                let answer = host.run_step(&wasm_request(&format!("wf-{n}"), &image, &[("text", &text)], json!({})));
                assert!(output(&answer, "text").as_str().unwrap().contains(&text), "{answer}");
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a step was lost");
    }
}

/// A request for sdk-probe's copy mode: input artifact `input` (at `key`)
/// upper-cased into output artifact `output`.
fn copy_request(workflow: &str, tag: &str, key: &str, declare_output: bool) -> String {
    let mut request: Value = serde_json::from_str(&wasm_request(
        workflow,
        &image("sdk-probe", tag),
        &[("mode", "copy"), ("out_path", "/reports/copy.txt")],
        json!({}),
    ))
    .unwrap();
    request["template"]["inputs"]["artifacts"] = json!([{"name": "input", "path": "/data/in.txt", "s3": {"key": key}}]);
    if declare_output {
        request["template"]["outputs"]["artifacts"] = json!([{"name": "output", "path": "/reports/copy.txt"}]);
    }
    request.to_string()
}

#[test]
fn artifacts_come_from_and_go_to_the_s3_repository() {
    let s3 = wasm_workflows_test_support::s3_server::S3Server::start();
    s3.create_bucket("artifacts");
    s3.put_object("artifacts", "wf/wf-1/input", b"hello from s3");
    let repository = s3.repository_for_serve("artifacts");
    let host = host(&repository.serve_args());
    for tag in ["p1", "p2"] {
        let answer = host.run_step(&copy_request(&format!("copy-{tag}"), tag, "wf/wf-1/input", true));
        assert_eq!(node(&answer)["phase"], "Succeeded", "{answer}");
        assert_eq!(node(&answer)["message"], "copied 13 bytes");
        let artifact = &node(&answer)["outputs"]["artifacts"][0];
        assert_eq!(artifact["name"], "output");
        assert_eq!(artifact["path"], "/reports/copy.txt");
        let key = artifact["s3"]["key"].as_str().unwrap();
        // The original plugin's layout: {workflow}/{workflow}-{10 digits}/{name}.
        let workflow = format!("copy-{tag}");
        let folder = key.strip_prefix(&format!("{workflow}/{workflow}-")).unwrap();
        assert!(folder.len() == 10 + "/output".len() && folder.ends_with("/output"), "{key}");
        assert_eq!(std::fs::read(s3.object_file("artifacts", key)).unwrap(), b"HELLO FROM S3");
    }

    let missing = failed(&host.run_step(&copy_request("missing", "p1", "wf/wf-1/nothing", true)));
    assert_eq!(missing, "input artifact \"input\": no object at s3://artifacts/wf/wf-1/nothing");

    // image-processor: a picture in, a smaller one out.
    let picture =
        Command::new("convert").args(["-size", "40x30", "gradient:red-blue", "png:-"]).output().unwrap_or_else(|e| {
            panic!(
                "cannot run ImageMagick's convert ({e}): install it with scripts/setup.sh (apt-get install imagemagick)"
            )
        });
    s3.put_object("artifacts", "wf/wf-2/picture.png", &picture.stdout);
    for tag in ["p1", "p2"] {
        let mut request: Value = serde_json::from_str(&wasm_request(
            &format!("resize-{tag}"),
            &image("image-processor", tag),
            &[("resize", "20x"), ("effect", "grayscale")],
            json!({}),
        ))
        .unwrap();
        request["template"]["inputs"]["artifacts"] =
            json!([{"name": "input", "path": "/in/picture.png", "s3": {"key": "wf/wf-2/picture.png"}}]);
        let answer = host.run_step(&request.to_string());
        assert_eq!(
            (output(&answer, "width"), output(&answer, "height"), output(&answer, "format")),
            (&json!(20), &json!(15), &json!("png")),
            "{tag}"
        );
        let key = node(&answer)["outputs"]["artifacts"][0]["s3"]["key"].as_str().unwrap();
        let stored = std::fs::read(s3.object_file("artifacts", key)).unwrap();
        assert!(stored.starts_with(b"\x89PNG"), "{tag}: the output is not a PNG");
    }
}

#[test]
fn without_a_repository_artifacts_say_so() {
    let host = host(&[]);
    assert_eq!(
        failed(&host.run_step(&copy_request("no-repo", "p1", "wf/x", true))),
        "input artifact \"input\": this host has no artifact repository to fetch it from (--artifact-repository)"
    );
}
