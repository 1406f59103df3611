//! http-request built for wasm32-wasip1 (legacy HTTP functions) and
//! wasm32-wasip2 (wasi:http), run in wasmtime against a real HTTP server on
//! 127.0.0.1 that this test starts.

use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use wasm_workflows_cli::allow_list::AllowList;
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};
use wasm_workflows_test_support::http_server;

/// Bytes in the response of `/large`.
const LARGE: usize = 3 << 20;

/// The test server's origin (`http://127.0.0.1:PORT`), started once.
fn server() -> &'static str {
    static ORIGIN: OnceLock<String> = OnceLock::new();
    ORIGIN.get_or_init(|| http_server::start(answer))
}

fn answer(mut request: tiny_http::Request) {
    let text = |body: &str, content_type: &str| {
        tiny_http::Response::from_string(body)
            .with_header(tiny_http::Header::from_bytes("content-type", content_type).unwrap())
    };
    let response = match request.url() {
        "/hello" => text("hello from the test server", "text/plain"),
        "/echo" => {
            let mut body = String::new();
            request.as_reader().read_to_string(&mut body).unwrap();
            let headers: Value = request
                .headers()
                .iter()
                .map(|h| (h.field.as_str().as_str().to_ascii_lowercase(), Value::from(h.value.as_str())))
                .collect();
            let echo: Value =
                [("method", Value::from(request.method().as_str())), ("body", body.into()), ("headers", headers)]
                    .into_iter()
                    .collect();
            text(&echo.to_string(), "application/json")
                .with_header(tiny_http::Header::from_bytes("x-echo", "yes").unwrap())
        }
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            text("too late", "text/plain")
        }
        "/large" => text(&"x".repeat(LARGE), "text/plain"),
        _ => text("nothing here", "text/plain").with_status_code(404),
    };
    let _ = request.respond(response);
}

fn allow(origins: &[&str]) -> AllowList {
    AllowList::new(origins).unwrap()
}

fn request(target: WasmTarget, parameters: &[(&str, &str)], allowed: AllowList) -> PluginResult {
    let mut run_options = options(invocation(parameters));
    run_options.allowed_hosts = allowed;
    run(&module("http-request", target), &run_options).node
}

fn both(mut check: impl FnMut(WasmTarget)) {
    check(WasmTarget::Wasip1);
    check(WasmTarget::Wasip2);
}

fn output<'a>(node: &'a PluginResult, name: &str) -> &'a Value {
    assert_eq!(node.phase, Phase::Succeeded, "{}", node.message);
    node.output_parameter(name).unwrap_or_else(|| panic!("no {name} in {node:?}"))
}

fn echo(node: &PluginResult) -> Value {
    json::parse(output(node, "body").as_str().unwrap()).unwrap()
}

#[test]
fn get_returns_status_body_content_type_and_headers() {
    both(|target| {
        let url = format!("{}/hello", server());
        let node = request(target, &[("url", &url)], allow(&[server()]));
        assert_eq!(output(&node, "status_code"), &Value::from(200), "{target:?}");
        assert_eq!(output(&node, "body"), &Value::from("hello from the test server"));
        assert_eq!(output(&node, "content_type"), &Value::from("text/plain"));
        assert_eq!(output(&node, "headers").get("content-length").and_then(Value::as_str), Some("26"));
        assert_eq!(node.message, format!("GET {url} answered 200 OK"));
    });
}

#[test]
fn post_sends_the_body_with_and_without_a_content_type() {
    both(|target| {
        let url = format!("{}/echo", server());
        let typed = request(
            target,
            &[("url", &url), ("method", "post"), ("body", "{\"a\": 1}"), ("content_type", "application/json")],
            allow(&[server()]),
        );
        let echoed = echo(&typed);
        assert_eq!(echoed.get("method").and_then(Value::as_str), Some("POST"), "{target:?}");
        assert_eq!(echoed.get("body").and_then(Value::as_str), Some("{\"a\": 1}"));
        assert_eq!(
            echoed.get("headers").and_then(|h| h.get("content-type")).and_then(Value::as_str),
            Some("application/json")
        );

        // The original module dropped the body when no content type was given.
        let untyped = request(target, &[("url", &url), ("method", "PUT"), ("body", "plain words")], allow(&[server()]));
        assert_eq!(echo(&untyped).get("body").and_then(Value::as_str), Some("plain words"), "{target:?}");
        assert_eq!(echo(&untyped).get("method").and_then(Value::as_str), Some("PUT"));
    });
}

#[test]
fn custom_headers_are_sent() {
    both(|target| {
        let url = format!("{}/echo", server());
        let node = request(
            target,
            &[("url", &url), ("headers", r#"{"x-custom": "value 1", "authorization": "Bearer t"}"#)],
            allow(&[server()]),
        );
        let headers = echo(&node).get("headers").cloned().unwrap();
        assert_eq!(headers.get("x-custom").and_then(Value::as_str), Some("value 1"), "{target:?}");
        assert_eq!(headers.get("authorization").and_then(Value::as_str), Some("Bearer t"));
        assert!(headers.get(wasm_workflows_sdk::http::legacy_abi::TIMEOUT_HEADER).is_none());
        assert_eq!(output(&node, "headers").get("x-echo").and_then(Value::as_str), Some("yes"));
    });
}

#[test]
fn a_404_is_a_result_not_a_failure() {
    both(|target| {
        let node = request(target, &[("url", &format!("{}/missing", server()))], allow(&[server()]));
        assert_eq!(output(&node, "status_code"), &Value::from(404), "{target:?}");
        assert_eq!(output(&node, "body"), &Value::from("nothing here"));
    });
}

#[test]
fn a_denied_host_fails_and_says_how_to_allow_it() {
    both(|target| {
        let url = format!("{}/hello", server());
        for allowed in [allow(&[]), allow(&["http://127.0.0.2:1"]), allow(&["https://127.0.0.1"])] {
            let node = request(target, &[("url", &url)], allowed);
            assert_eq!(node.phase, Phase::Failed);
            assert_eq!(
                node.message,
                format!(
                    "the host refused to send the request to {url}: {origin} is not an allowed host of this step; \
                     allow it in the workflow template under plugin.wasm.permissions.http.allowed_hosts \
                     (e.g. `allowed_hosts: [\"{origin}\"]`)",
                    origin = server()
                ),
                "{target:?}"
            );
        }
        let trailing_slash = request(target, &[("url", &url)], allow(&[&format!("{}/", server())]));
        assert_eq!(trailing_slash.phase, Phase::Succeeded);
        let all = request(target, &[("url", &url)], allow(&["insecure:allow-all"]));
        assert_eq!(all.phase, Phase::Succeeded);
    });
}

#[test]
fn a_refused_connection_fails_and_says_so() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/");
    let p2 = request(WasmTarget::Wasip2, &[("url", &url)], allow(&["insecure:allow-all"]));
    assert_eq!(p2.phase, Phase::Failed);
    assert_eq!(p2.message, format!("the connection to {url} was refused: nothing is listening at 127.0.0.1:{port}"));
    // The legacy ABI has one code for every network failure: the module says
    // what it may be; the host's log (stderr) says which.
    let p1 = request(WasmTarget::Wasip1, &[("url", &url)], allow(&["insecure:allow-all"]));
    assert_eq!(p1.phase, Phase::Failed);
    assert!(
        p1.message
            .starts_with(&format!("the request to {url} failed: the host could not complete it: a refused connection")),
        "{}",
        p1.message
    );
}

#[test]
fn a_slow_response_times_out() {
    both(|target| {
        let started = Instant::now();
        let url = format!("{}/slow", server());
        let node = request(target, &[("url", &url), ("timeout_ms", "400")], allow(&[server()]));
        assert_eq!(node.phase, Phase::Failed);
        assert_eq!(node.message, format!("the request to {url} timed out after 400 ms"), "{target:?}");
        assert!(started.elapsed() < Duration::from_millis(2500), "{target:?} took {:?}", started.elapsed());
    });
}

#[test]
fn a_large_body_comes_back_whole() {
    both(|target| {
        let node = request(target, &[("url", &format!("{}/large", server()))], allow(&[server()]));
        let body = output(&node, "body").as_str().unwrap();
        assert_eq!(body.len(), LARGE, "{target:?}");
        assert!(body.bytes().all(|b| b == b'x'));
    });
}

#[test]
fn bad_inputs_fail_with_their_names() {
    let node = request(WasmTarget::Wasip1, &[("method", "GET")], allow(&[]));
    assert_eq!(node.message, "missing required parameter \"url\" (add it to the template's inputs.parameters)");
    let node = request(WasmTarget::Wasip1, &[("url", "http://x/"), ("headers", "[1]")], allow(&[]));
    assert_eq!(node.message, "parameter \"headers\": expected a map, got an array of 1 elements");
    let node = request(WasmTarget::Wasip1, &[("url", "http://x/"), ("timeout", "5")], allow(&[]));
    assert_eq!(
        node.message,
        "unknown parameter \"timeout\" (this module accepts: url, method, body, content_type, headers, timeout_ms)"
    );
    let node = request(WasmTarget::Wasip1, &[("url", "ftp://x/")], allow(&[]));
    assert_eq!(node.message, "invalid URL \"ftp://x/\": only http:// and https:// URLs can be requested");
    let node = request(WasmTarget::Wasip2, &[("url", "http://x/"), ("method", "GE T")], allow(&[]));
    assert_eq!(node.message, "invalid HTTP method \"GE T\"");
}
