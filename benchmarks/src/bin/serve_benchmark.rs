//! `wasm-workflows serve` under load, as Argo's agent calls it: ferris-says
//! pulled once from a local registry and compiled once, then steps posted
//! by `wrk` (Debian's, a C load generator that is not the bottleneck) with
//! 1 and with 16 connections, every body a workflow of its own (a Lua
//! script numbers them) so each is a new step. Prints steps per second and
//! latency percentiles; the original plugin took 60–150 ms per call.
//!
//! Run it with `scripts/benchmark.sh` (the host built with `--profile host`,
//! given as $WASM_WORKFLOWS_BIN; `wrk` installed by scripts/setup.sh).

use std::path::PathBuf;
use std::process::Command;

use wasm_workflows_test_support::cargo_build::{WasmTarget, build_module};
use wasm_workflows_test_support::harness::workspace_root;
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::serve::{ServeProcess, TOKEN, wasm_request};

/// How long each row's load lasts.
const SECONDS: u32 = 10;

fn main() {
    let binary = std::env::var_os("WASM_WORKFLOWS_BIN")
        .map(PathBuf::from)
        .expect("WASM_WORKFLOWS_BIN names the wasm-workflows binary (scripts/benchmark.sh sets it)");
    let module = build_module(&workspace_root(), "ferris-says", WasmTarget::Wasip1, "release").unwrap();
    let registry = TestRegistry::start();
    let image = format!("{}/ferris-says:bench", registry.address());
    let pushed = Command::new(&binary).arg("push").arg(&module).arg(&image).output().unwrap();
    assert!(pushed.status.success(), "{}", String::from_utf8_lossy(&pushed.stderr));
    let script = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(script.path(), lua_script(&image)).unwrap();

    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    println!("## `wasm-workflows serve`: ferris-says steps (module cached, {cores} cores, `wrk` {SECONDS} s a row)\n");
    println!("| connections | `--max-concurrent` | steps/s | p50 | p90 | p99 | failed |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for connections in [1, 16] {
        let host = ServeProcess::start(&binary, &["--max-concurrent", &cores.to_string()]);
        // Warm-up: the pull, the compilation, the first connections.
        for n in 0..50 {
            let answer =
                host.run_step(&wasm_request(&format!("warm-{n}"), &image, &[("text", "Hi")], Default::default()));
            assert_eq!(answer["node"]["phase"], "Succeeded", "{answer}");
        }
        let run = Command::new("wrk")
            .args(["-t1", &format!("-c{connections}"), &format!("-d{SECONDS}s"), "--timeout", "30s", "-s"])
            .arg(script.path())
            .arg(host.origin())
            .output()
            .unwrap_or_else(|e| panic!("cannot run wrk ({e}): install it with scripts/setup.sh (apt-get install wrk)"));
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success(), "wrk failed: {stdout}{}", String::from_utf8_lossy(&run.stderr));
        let result: Vec<f64> = stdout
            .lines()
            .find_map(|line| line.strip_prefix("RESULT "))
            .unwrap_or_else(|| panic!("wrk printed no result: {stdout}"))
            .split_whitespace()
            .map(|field| field.parse().unwrap())
            .collect();
        let [requests, micros, p50, p90, p99, failed] = result[..] else { panic!("{stdout}") };
        let ms = |us: f64| format!("{:.2} ms", us / 1000.0);
        println!(
            "| {connections} | {cores} | {:.0} | {} | {} | {} | {failed} |",
            requests / (micros / 1e6),
            ms(p50),
            ms(p90),
            ms(p99)
        );
    }
    println!(
        "\nEach step is a POST of a whole template with Argo's token on a kept-alive connection, answered with the \
         finished node; `failed` counts answers that were not a Succeeded node. The original plugin's recorded \
         cost: 60–150 ms per call.\n"
    );
}

/// A wrk script posting the step of `image` with a new workflow uid each
/// time, counting answers that are not a Succeeded node, and printing
/// `RESULT requests duration_us p50_us p90_us p99_us failed`.
fn lua_script(image: &str) -> String {
    let body = wasm_request("bench", image, &[("text", "Hello World from WebAssembly")], Default::default());
    let (before, after) = body.split_once("uid-bench").expect("the request carries the workflow's uid");
    // Lua's long brackets take the text as it is.
    let quote = |text: &str| format!("[==[{text}]==]");
    format!(
        r#"local threads = {{}}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
local counter, failed = 0, 0
local before, after = {before}, {after}
local headers = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {TOKEN}"}}
function request()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/template.execute", headers, before .. "uid-" .. id .. "-" .. counter .. after)
end
function response(status, _, body)
  if status ~= 200 or not string.find(body, '"phase":"Succeeded"', 1, true) then
    failed = failed + 1
  end
end
function done(summary, latency, _)
  local failures = 0
  for _, thread in ipairs(threads) do failures = failures + thread:get("failed") end
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), failures))
end
"#,
        before = quote(before),
        after = quote(after),
    )
}
