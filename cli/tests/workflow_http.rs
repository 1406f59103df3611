//! `http` templates in `wasm-workflows run workflow.yaml`, against loopback
//! servers: the request is the one Argo's agent sends, and the node is the
//! one Argo records (argoproj/argo-workflows at f016ad8):
//! - a node of type `HTTP`, created Pending (`workflow/controller/http_template.go` 12),
//!   its phase, message and outputs copied from the agent's result (`taskset.go` 153-156);
//! - `outputs.result` is the response body, whatever the status (`workflow/executor/agent.go` 274);
//! - without `successCondition`, a 2xx status succeeds, anything else fails with
//!   "received non-2xx response code: N" (`agent.go` 277-283);
//! - a `successCondition` is expr over `request` and `response` (`statusCode`, `body`,
//!   `headers` as Go's `http.Header`); false fails with "successCondition 'C' evaluated false"
//!   (`agent.go` 284-307);
//! - `timeoutSeconds` bounds the request (`agent.go` 259-262); a request that fails fails the
//!   node with its error (`agent.go` 245-248);
//! - `{{steps.X.outputs.result}}` is the body (`addNodeOutputsToLocalScope`, `operator.go` 3667-3669).
//!
//! What a local run adds: the destination must be allowed with `--allow-host`.

use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use wasm_workflows_test_support::http_server;

/// What a loopback server received: method, path, headers (lower-case names) and body.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// A server that records each request and answers it with `answer(path)`:
/// a status, a content type and a body.
fn server(answer: fn(&str) -> (u16, &'static str, String)) -> (String, Log) {
    let log: Log = Arc::default();
    let recorded = log.clone();
    let origin = http_server::start(move |mut request| {
        let mut body = String::new();
        let _ = request.as_reader().read_to_string(&mut body);
        let received = Received {
            method: request.method().to_string(),
            path: request.url().to_owned(),
            headers: request
                .headers()
                .iter()
                .map(|h| (h.field.as_str().as_str().to_ascii_lowercase(), h.value.as_str().to_owned()))
                .collect(),
            body,
        };
        let (status, content_type, text) = answer(&received.path);
        recorded.lock().unwrap().push(received);
        let header = tiny_http::Header::from_bytes("Content-Type", content_type).unwrap();
        let _ = request.respond(tiny_http::Response::from_string(text).with_status_code(status).with_header(header));
    });
    (origin, log)
}

struct Ran {
    output: Output,
    workflow: Value,
    took: Duration,
}

impl Ran {
    /// The node whose display name is `name`.
    fn node(&self, name: &str) -> &Value {
        let nodes = self.workflow["status"]["nodes"].as_object().expect("nodes");
        nodes.values().find(|n| n["displayName"] == name).unwrap_or_else(|| panic!("no node {name}: {nodes:#?}"))
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

fn run(yaml: &str, args: &[&str]) -> Ran {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, yaml).unwrap();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .args(["run", file.to_str().unwrap(), "-o", "json"])
        .args(args)
        .output()
        .expect("run wasm-workflows");
    let took = started.elapsed();
    let workflow = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("stdout is not the workflow's JSON ({e}); stderr:\n{}", String::from_utf8_lossy(&output.stderr))
    });
    Ran { output, workflow, took }
}

/// Adapted from Argo's examples/http-hello-world.yaml: a GET, then a POST
/// of what the GET answered (its `outputs.result`).
fn get_then_post(origin: &str, extra: &str) -> String {
    format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: http-test
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: get
            template: get
            arguments:
              parameters: [{{name: url, value: "{origin}/data"}}]
        - - name: post
            template: post
            arguments:
              parameters: [{{name: payload, value: "{{{{steps.get.outputs.result}}}}"}}]
    - name: get
      inputs:
        parameters: [{{name: url}}]
      http:
        url: "{{{{inputs.parameters.url}}}}"
        headers:
          - name: Accept
            value: application/json
{extra}
    - name: post
      inputs:
        parameters: [{{name: payload}}]
      http:
        method: POST
        url: "{origin}/store"
        body: "{{{{inputs.parameters.payload}}}}"
"#
    )
}

fn answers(path: &str) -> (u16, &'static str, String) {
    match path {
        "/data" => (200, "application/json", r#"{"greeting":"hello"}"#.to_owned()),
        "/store" => (201, "text/plain", "stored".to_owned()),
        "/missing" => (404, "text/plain", "no such thing".to_owned()),
        _ => (500, "text/plain", "unexpected".to_owned()),
    }
}

#[test]
fn a_get_succeeds_and_its_body_is_the_next_steps_argument() {
    let (origin, log) = server(answers);
    let ran = run(&get_then_post(&origin, ""), &["--allow-host", &origin]);
    assert_eq!(ran.output.status.code(), Some(0), "{}", ran.stderr());
    assert_eq!(ran.workflow["status"]["phase"], "Succeeded");
    let get = ran.node("get");
    assert_eq!((get["type"].as_str(), get["phase"].as_str()), (Some("HTTP"), Some("Succeeded")));
    assert_eq!(get["templateName"], "get");
    assert!(get["message"].is_null());
    // outputs.result is the body, and nothing else (agent.go 274).
    assert_eq!(get["outputs"], serde_json::json!({"result": r#"{"greeting":"hello"}"#}));
    // A 201 is a 2xx: success (agent.go 279).
    assert_eq!(ran.node("post")["phase"], "Succeeded");
    assert_eq!(ran.node("post")["outputs"]["result"], "stored");
    let received = log.lock().unwrap().clone();
    assert_eq!(received.len(), 2, "{received:#?}");
    assert_eq!((received[0].method.as_str(), received[0].path.as_str()), ("GET", "/data"));
    assert!(received[0].headers.contains(&("accept".into(), "application/json".into())), "{received:#?}");
    assert_eq!((received[1].method.as_str(), received[1].body.as_str()), ("POST", r#"{"greeting":"hello"}"#));
}

#[test]
fn a_status_outside_2xx_fails_the_node_with_the_body_as_its_result() {
    let (origin, _) = server(answers);
    let ran = run(&get_then_post(&origin, "").replace("/data", "/missing"), &["--allow-host", &origin]);
    assert_eq!(ran.output.status.code(), Some(1), "{}", ran.stderr());
    let get = ran.node("get");
    assert_eq!(get["phase"], "Failed");
    assert_eq!(get["message"], "received non-2xx response code: 404");
    assert_eq!(get["outputs"]["result"], "no such thing");
    // The steps node fails with its group's message (steps.go 120-128, 366-380).
    assert_eq!(ran.workflow["status"]["message"], format!("child '{}' failed", get["id"].as_str().unwrap()));
}

#[test]
fn a_success_condition_decides_over_the_status_body_and_headers() {
    let (origin, _) = server(answers);
    // True: the condition reads Go's canonical header names, each a list of values.
    let holds = r#"        successCondition: >-
          response.statusCode == 200 && response.headers["Content-Type"][0] == "application/json"
          && response.body contains "hello" && request.headers["Accept"][0] == "application/json""#;
    let ran = run(&get_then_post(&origin, holds), &["--allow-host", &origin]);
    assert_eq!(ran.node("get")["phase"], "Succeeded", "{:#}", ran.node("get"));
    // False: Failed, with Argo's message; the result is still the body.
    let fails = "        successCondition: \"response.statusCode == 201\"";
    let ran = run(&get_then_post(&origin, fails), &["--allow-host", &origin]);
    let get = ran.node("get");
    assert_eq!(get["phase"], "Failed");
    assert_eq!(get["message"], "successCondition 'response.statusCode == 201' evaluated false");
    assert_eq!(get["outputs"]["result"], r#"{"greeting":"hello"}"#);
    assert_eq!(ran.workflow["status"]["phase"], "Failed");
}

#[test]
fn a_host_not_allowed_is_not_contacted_and_fails_the_node() {
    let (origin, log) = server(answers);
    let ran = run(&get_then_post(&origin, ""), &[]);
    assert_eq!(ran.output.status.code(), Some(1), "{}", ran.stderr());
    let get = ran.node("get");
    assert_eq!(get["phase"], "Failed");
    let message = get["message"].as_str().unwrap();
    let port = origin.rsplit(':').next().unwrap();
    assert_eq!(
        message,
        format!(
            "Get \"{origin}/data\": denied: its origin http://127.0.0.1:{port} is not an allowed host (allow it with \
             --allow-host http://127.0.0.1:{port})"
        )
    );
    assert!(get.get("outputs").is_none());
    assert!(log.lock().unwrap().is_empty(), "the server was contacted");
}

#[test]
fn a_redirect_to_a_host_not_allowed_is_not_followed() {
    let (elsewhere, elsewhere_log) = server(answers);
    let target = format!("{elsewhere}/data");
    let origin = http_server::start(move |request| {
        let header = tiny_http::Header::from_bytes("Location", target.as_bytes()).unwrap();
        let _ = request.respond(tiny_http::Response::empty(302).with_header(header));
    });
    let ran = run(&get_then_post(&origin, ""), &["--allow-host", &origin]);
    let get = ran.node("get");
    assert_eq!(get["phase"], "Failed");
    let message = get["message"].as_str().unwrap();
    assert!(message.contains(&format!("redirected to \"{elsewhere}/data\": denied")), "{message}");
    assert!(elsewhere_log.lock().unwrap().is_empty(), "the redirect was followed");
}

#[test]
fn a_request_past_its_timeout_fails_the_node() {
    let origin = http_server::start(|request| {
        std::thread::sleep(Duration::from_secs(4));
        let _ = request.respond(tiny_http::Response::from_string("late"));
    });
    let ran = run(&get_then_post(&origin, "        timeoutSeconds: 1"), &["--allow-host", &origin]);
    let get = ran.node("get");
    assert_eq!(get["phase"], "Failed");
    // Go's error for a request whose context's deadline passed.
    assert_eq!(get["message"], format!("Get \"{origin}/data\": context deadline exceeded"));
    assert!(ran.took < Duration::from_secs(4), "{:?}", ran.took);
}

#[test]
fn a_body_over_the_limit_fails_the_node() {
    let origin = http_server::start(|request| {
        let _ = request.respond(tiny_http::Response::from_string("z".repeat((1 << 20) + 1)));
    });
    let ran = run(&get_then_post(&origin, ""), &["--allow-host", &origin]);
    let get = ran.node("get");
    assert_eq!(get["phase"], "Failed");
    assert_eq!(
        get["message"],
        "the response body is larger than 1048576 bytes, the most an HTTP node's result holds here"
    );
}

#[test]
fn a_header_from_a_secret_cannot_run_here() {
    let yaml = get_then_post("http://127.0.0.1:9", "").replace(
        "          - name: Accept\n            value: application/json\n",
        "          - name: Authorization\n            valueFrom:\n              secretKeyRef: {name: api, key: token}\n",
    );
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, yaml).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .args(["run", file.to_str().unwrap()])
        .output()
        .expect("run wasm-workflows");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "error: templates.get.http.headers[0] (Authorization): valueFrom reads a Kubernetes secret, and a local \
             run has no cluster"
        ),
        "{stderr}"
    );
}

#[test]
fn progress_lines_name_each_node_and_phase_on_stderr() {
    let (origin, _) = server(answers);
    let ran = run(&get_then_post(&origin, ""), &["--allow-host", &origin]);
    let stderr = ran.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    // The workflow's node, then each HTTP node Pending until its reply (http_template.go 12), then done.
    assert_eq!(lines.first(), Some(&"● http-test Running"), "{stderr}");
    let position = |prefix: &str| {
        lines.iter().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no line {prefix:?}:\n{stderr}"))
    };
    let pending = position("◷ http-test[0].get Pending");
    let done = position("✔ http-test[0].get Succeeded (");
    let post = position("◷ http-test[1].post Pending");
    assert!(pending < done && done < post, "{stderr}");
    assert!(lines.last().unwrap().starts_with("✔ http-test Succeeded ("), "{stderr}");
    // StepGroups are not drawn by argo get, nor named here.
    assert!(!stderr.contains("http-test[0] "), "{stderr}");
}

#[test]
fn the_test_workflows_are_valid_argo_workflows() {
    use wasm_workflows_test_support::argo_schema::{WORKFLOW, errors, validator};
    // So the same files would run on a cluster: Argo's own schema (test-support/argo).
    let validator = validator(WORKFLOW);
    for extra in ["", "        timeoutSeconds: 1", "        successCondition: \"response.statusCode == 201\""] {
        let yaml = get_then_post("http://127.0.0.1:9", extra);
        let problems = errors(&validator, &yaml);
        assert!(problems.is_empty(), "{}\n{yaml}", problems.join("\n"));
    }
}

fn items(path: &str) -> (u16, &'static str, String) {
    match path.strip_prefix("/item/") {
        Some(name) => (200, "application/json", format!("{{ \"name\": \"{name}\", \"size\": {} }}", name.len())),
        None => (201, "text/plain", "stored".to_owned()),
    }
}

#[test]
fn a_loops_results_are_one_json_list() {
    let (origin, log) = server(items);
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: http-loop
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: get
            template: get
            arguments:
              parameters: [{{name: url, value: "{origin}/item/{{{{item}}}}"}}]
            withItems: [ab, c]
        - - name: post
            template: post
            arguments:
              parameters: [{{name: payload, value: "{{{{steps.get.outputs.result}}}}"}}]
    - name: get
      inputs:
        parameters: [{{name: url}}]
      http:
        url: "{{{{inputs.parameters.url}}}}"
    - name: post
      inputs:
        parameters: [{{name: payload}}]
      http:
        method: POST
        url: "{origin}/store"
        body: "{{{{inputs.parameters.payload}}}}"
"#
    );
    let ran = run(&yaml, &["--allow-host", &origin]);
    assert_eq!(ran.output.status.code(), Some(0), "{}", ran.stderr());
    assert_eq!(ran.node("get(0:ab)")["outputs"]["result"], r#"{ "name": "ab", "size": 2 }"#);
    // The children's results, each embedded as the JSON it is (compacted, members in their
    // order), in loop order (processAggregateNodeOutputs, operator.go 3775-3791).
    let received = log.lock().unwrap().clone();
    let posted = received.iter().find(|r| r.method == "POST").expect("the POST was sent");
    assert_eq!(posted.body, r#"[{"name":"ab","size":2},{"name":"c","size":1}]"#);
}

#[test]
fn a_retried_request_is_a_retry_node_over_http_attempts() {
    // 500 the first time, then 200.
    let calls = Arc::new(Mutex::new(0));
    let counted = calls.clone();
    let origin = http_server::start(move |request| {
        let call = {
            let mut calls = counted.lock().unwrap();
            *calls += 1;
            *calls
        };
        let status = if call == 1 { 500 } else { 200 };
        let _ = request.respond(tiny_http::Response::from_string(format!("call {call}")).with_status_code(status));
    });
    let yaml = get_then_post(&origin, "")
        .replace("    - name: get\n      inputs:", "    - name: get\n      retryStrategy: {limit: 2}\n      inputs:");
    let ran = run(&yaml, &["--allow-host", &origin]);
    // A template with a retryStrategy is a Retry node over its attempts NAME(N) (operator.go 2440-2530).
    let retry = ran.node("get");
    assert_eq!((retry["type"].as_str(), retry["phase"].as_str()), (Some("Retry"), Some("Succeeded")));
    let (first, second) = (ran.node("get(0)"), ran.node("get(1)"));
    assert_eq!((first["type"].as_str(), first["phase"].as_str()), (Some("HTTP"), Some("Failed")));
    assert_eq!(first["message"], "received non-2xx response code: 500");
    assert_eq!((second["phase"].as_str(), second["outputs"]["result"].as_str()), (Some("Succeeded"), Some("call 2")));
    assert_eq!(*calls.lock().unwrap(), 3, "two GETs and the POST");
}

#[test]
fn body_from_bytes_is_sent_decoded() {
    let (origin, log) = server(answers);
    // `bodyFrom.bytes` is a []byte, which Kubernetes writes in base64 (http_types.go 16-18, agent.go 331-334).
    let yaml = get_then_post(&origin, "")
        .replace("        body: \"{{inputs.parameters.payload}}\"", "        bodyFrom: {bytes: aGVsbG8gYnl0ZXM=}");
    let ran = run(&yaml, &["--allow-host", &origin]);
    assert_eq!(ran.output.status.code(), Some(0), "{}", ran.stderr());
    let received = log.lock().unwrap().clone();
    assert_eq!(received.iter().find(|r| r.method == "POST").map(|r| r.body.as_str()), Some("hello bytes"));
}

#[test]
fn a_request_past_the_workflows_deadline_fails_its_node() {
    let origin = http_server::start(|request| {
        std::thread::sleep(Duration::from_secs(4));
        let _ = request.respond(tiny_http::Response::from_string("late"));
    });
    let yaml =
        get_then_post(&origin, "").replace("  entrypoint: main\n", "  entrypoint: main\n  activeDeadlineSeconds: 1\n");
    let ran = run(&yaml, &["--allow-host", &origin]);
    // An HTTP node is Pending until its reply; past the deadline a Pending node fails
    // (failNodesWithoutCreatedPodsAfterDeadlineOrShutdown, operator.go 1424-1430).
    let get = ran.node("get");
    assert_eq!((get["phase"].as_str(), get["message"].as_str()), (Some("Failed"), Some("Step exceeded its deadline")));
    assert!(ran.took < Duration::from_secs(4), "{:?}", ran.took);
}

/// An HTTPS server on loopback with the self-signed certificate of
/// `tests/tls` (see its README): it answers "secure" to each request it
/// reads whole, counted in the returned counter.
fn self_signed_server() -> (String, Arc<Mutex<usize>>) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use std::io::{Read, Write};
    let certificate = CertificateDer::from(include_bytes!("tls/loopback-cert.der").to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(include_bytes!("tls/loopback-key.der").to_vec()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)
        .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("https://{}", listener.local_addr().unwrap());
    let served = Arc::new(Mutex::new(0));
    let counter = served.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let (config, counter) = (config.clone(), counter.clone());
            std::thread::spawn(move || {
                let mut tls = rustls::StreamOwned::new(rustls::ServerConnection::new(config).unwrap(), tcp);
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer) {
                        Ok(0) | Err(_) => return, // The client gave up: a handshake it refused.
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                *counter.lock().unwrap() += 1;
                let body = "secure";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes());
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (origin, served)
}

/// An `http` template that GETs `url`, `insecure` its insecureSkipVerify.
fn one_https_get(url: &str, insecure: bool) -> String {
    format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: https-test
spec:
  entrypoint: get
  templates:
    - name: get
      http:
        url: "{url}"
        insecureSkipVerify: {insecure}
"#
    )
}

#[test]
fn insecure_skip_verify_accepts_a_self_signed_certificate_and_only_then() {
    use wasm_workflows_test_support::argo_schema::{WORKFLOW, errors, validator};
    let (origin, served) = self_signed_server();
    let url = format!("{origin}/data");
    for insecure in [false, true] {
        let yaml = one_https_get(&url, insecure);
        let problems = errors(&validator(WORKFLOW), &yaml);
        assert!(problems.is_empty(), "not a valid Argo Workflow: {}", problems.join("\n"));
    }
    // Verified, as Go's client verifies without InsecureSkipVerify (agent.go 315-324): refused,
    // the request never sent.
    let verified = run(&one_https_get(&url, false), &["--allow-host", &origin]);
    let get = verified.node("https-test");
    assert_eq!(get["phase"], "Failed", "{}", verified.stderr());
    let message = get["message"].as_str().unwrap();
    assert!(message.starts_with(&format!("Get \"{url}\": ")), "{message}");
    assert!(message.contains("certificate"), "{message}");
    assert_eq!(*served.lock().unwrap(), 0);
    // insecureSkipVerify: the same server's answer is the node's result.
    let skipped = run(&one_https_get(&url, true), &["--allow-host", &origin]);
    let get = skipped.node("https-test");
    assert_eq!(get["phase"], "Succeeded", "{}", skipped.stderr());
    assert_eq!(get["outputs"]["result"], "secure");
    assert_eq!(*served.lock().unwrap(), 1);
}
