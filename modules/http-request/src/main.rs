//! http-request: sends one HTTP request and returns the response as output
//! parameters. One source for both targets: wasm32-wasip1 (the Argo WASM
//! plugin's legacy HTTP functions) and wasm32-wasip2 (`wasi:http`).

use std::collections::BTreeMap;
use std::time::Duration;

use wasm_workflows_sdk::http::Request;
use wasm_workflows_sdk::log;
use wasm_workflows_sdk::prelude::*;

/// The step's inputs: parameter names as in the workflow.
#[derive(FromInvocation)]
struct Inputs {
    url: String,
    #[step(default = "GET")]
    method: String,
    /// Sent whether or not `content_type` is given.
    body: Option<String>,
    content_type: Option<String>,
    /// A JSON object of header name to value.
    #[step(default)]
    headers: BTreeMap<String, String>,
    timeout_ms: Option<u64>,
}

#[workflow_step]
fn run(inputs: Inputs) -> anyhow::Result<PluginResult> {
    let mut request = Request::with_method_name(&inputs.method, &inputs.url);
    for (name, value) in &inputs.headers {
        request = request.header(name, value);
    }
    if let Some(content_type) = &inputs.content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(body) = inputs.body {
        request = request.body(body);
    }
    if let Some(ms) = inputs.timeout_ms {
        request = request.timeout(Duration::from_millis(ms));
    }
    let method = request.method().clone();
    let response = request.send()?;
    let status = response.status();
    log::info!("{method} {}: {status}", inputs.url);
    let mut result = PluginResult::succeeded(format!("{method} {} answered {status}", inputs.url))
        .with_parameter("status_code", status.as_u16())
        .with_parameter("body", String::from_utf8_lossy(response.body()).into_owned())
        .with_parameter("headers", response.headers_json());
    if let Some(content_type) = response.content_type() {
        result = result.with_parameter("content_type", content_type);
    }
    Ok(result)
}
