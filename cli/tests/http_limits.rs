//! The SDK's HTTP layer inside wasm, for what http-request does not reach:
//! a response body over the step's limit, on both kinds of module.

use wasm_workflows_cli::allow_list::AllowList;
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};
use wasm_workflows_test_support::http_server;

#[test]
fn a_response_over_the_limit_fails_and_one_within_succeeds() {
    let origin = http_server::start(|request| {
        let _ = request.respond(tiny_http::Response::from_string("z".repeat(200_000)));
    });
    let url = format!("{origin}/body");
    for target in [WasmTarget::Wasip1, WasmTarget::Wasip2] {
        let fetch = |max_bytes: &str| {
            let mut run_options = options(invocation(&[("mode", "fetch"), ("url", &url), ("max_bytes", max_bytes)]));
            run_options.allowed_hosts = AllowList::new(&[origin.as_str()]).unwrap();
            run(&module("sdk-probe", target), &run_options).node
        };
        let within = fetch("200000");
        assert_eq!((within.phase, within.message.as_str()), (Phase::Succeeded, "200000 bytes"), "{target:?}");
        let over = fetch("150000");
        assert_eq!(over.phase, Phase::Failed, "{target:?}");
        assert_eq!(
            over.message,
            format!(
                "the response from {url} is larger than the limit of 150000 bytes (raise it with Request::max_response_size)"
            ),
            "{target:?}"
        );
    }
}
