//! A request with a body carries its length: http-request built for
//! wasm32-wasip1 (the legacy HTTP functions, whose host sends through the
//! SDK's native client) and for wasm32-wasip2 (wasi:http), against a plain
//! HTTP/1.1 server written here on a `TcpListener` that reads a body by
//! `Content-Length` only, as many small servers and S3-style PUTs do: a
//! chunked body would reach it empty.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::OnceLock;

use wasm_workflows_cli::allow_list::AllowList;
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

/// The origin of a server that reads bodies by `Content-Length` alone,
/// started once. It answers with the body it received, and says in headers
/// how the request was framed.
fn length_only_server() -> &'static str {
    static ORIGIN: OnceLock<String> = OnceLock::new();
    ORIGIN.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || answer(stream));
            }
        });
        origin
    })
}

fn answer(stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut content_length = None;
    let mut transfer_encoding = String::from("none");
    let mut line = String::new();
    reader.read_line(&mut line).unwrap(); // the request line
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => content_length = Some(value.trim().parse::<usize>().unwrap()),
            "transfer-encoding" => transfer_encoding = value.trim().to_owned(),
            _ => {}
        }
    }
    let mut body = vec![0; content_length.unwrap_or(0)];
    reader.read_exact(&mut body).unwrap();
    let length = content_length.map_or("absent".to_owned(), |n| n.to_string());
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\
         x-request-content-length: {length}\r\nx-request-transfer-encoding: {transfer_encoding}\r\n\
         connection: close\r\n\r\n",
        body.len()
    );
    let mut stream = stream;
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
}

fn send(target: WasmTarget, method: &str, body: Option<&str>) -> PluginResult {
    let url = format!("{}/upload", length_only_server());
    let mut parameters = vec![("url", url.as_str()), ("method", method)];
    if let Some(body) = body {
        parameters.push(("body", body));
    }
    let mut run_options = options(invocation(&parameters));
    run_options.allowed_hosts = AllowList::new(&[length_only_server()]).unwrap();
    let node = run(&module("http-request", target), &run_options).node;
    assert_eq!(node.phase, Phase::Succeeded, "{target:?}: {}", node.message);
    node
}

fn response_header<'a>(node: &'a PluginResult, name: &str) -> &'a str {
    node.output_parameter("headers").and_then(|h| h.get(name)).and_then(Value::as_str).unwrap()
}

fn received(node: &PluginResult) -> &str {
    node.output_parameter("body").and_then(Value::as_str).unwrap()
}

#[test]
fn a_body_arrives_whole_at_a_server_that_reads_only_content_length() {
    // Larger than one write to the wasi:http body stream, and not ASCII.
    let large = "Grüße aus WebAssembly. ".repeat(5_000);
    for target in [WasmTarget::Wasip1, WasmTarget::Wasip2] {
        for (method, body) in [("POST", "abc"), ("PUT", large.as_str()), ("PATCH", "{\"a\": [1, 2]}")] {
            let node = send(target, method, Some(body));
            assert_eq!(received(&node), body, "{target:?} {method}");
            assert_eq!(response_header(&node, "x-request-content-length"), body.len().to_string(), "{target:?}");
            assert_eq!(response_header(&node, "x-request-transfer-encoding"), "none", "{target:?} {method}");
        }
    }
}

#[test]
fn a_post_without_a_body_says_its_length_is_zero_and_a_get_says_nothing() {
    for target in [WasmTarget::Wasip1, WasmTarget::Wasip2] {
        let post = send(target, "POST", None);
        assert_eq!(response_header(&post, "x-request-content-length"), "0", "{target:?}");
        assert_eq!(received(&post), "");
        let get = send(target, "GET", None);
        assert_eq!(response_header(&get, "x-request-content-length"), "absent", "{target:?}");
        assert_eq!(response_header(&get, "x-request-transfer-encoding"), "none", "{target:?}");
    }
}
