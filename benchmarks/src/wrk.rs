//! Load from `wrk` (Debian's, a C load generator that is not the
//! bottleneck) on `serve`'s execute endpoint: every body a workflow of its
//! own (a Lua script numbers them), so each is a new step, and every answer
//! checked to be a Succeeded node.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use wasm_workflows_test_support::serve::{TOKEN, wasm_request};

/// What one load run measured.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Steps answered per second.
    pub steps_per_second: f64,
    /// Latency percentiles.
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    /// Answers that were not a Succeeded node.
    pub failed: u64,
}

/// A wrk script posting steps of `image` with `parameters`, a new workflow
/// uid each time, written to a file.
pub fn script(image: &str, parameters: &[(&str, &str)]) -> tempfile::NamedTempFile {
    let body = wasm_request("bench", image, parameters, Default::default());
    let (before, after) = body.split_once("uid-bench").expect("the request carries the workflow's uid");
    // Lua's long brackets take the text as it is.
    let text = format!(
        r#"local threads = {{}}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
-- globals, so that done() reads each thread's count with thread:get
counter, failed = 0, 0
local before, after = [==[{before}]==], [==[{after}]==]
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
"#
    );
    let file = tempfile::NamedTempFile::new().expect("a file for the wrk script");
    std::fs::write(file.path(), text).expect("the wrk script written");
    file
}

/// Posts the script's steps to `origin` with `connections` for `seconds`, from one thread.
pub fn run(script: &Path, origin: &str, connections: usize, seconds: u32) -> Load {
    let output = Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), "--timeout", "30s", "-s"])
        .arg(script)
        .arg(origin)
        .output()
        .unwrap_or_else(|e| panic!("cannot run wrk ({e}): install it with scripts/setup.sh (apt-get install wrk)"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "wrk failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    let fields: Vec<f64> = stdout
        .lines()
        .find_map(|line| line.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("wrk printed no result: {stdout}"))
        .split_whitespace()
        .map(|field| field.parse().expect("a number"))
        .collect();
    let [requests, micros, p50, p90, p99, failed] = fields[..] else { panic!("{stdout}") };
    let us = |value: f64| Duration::from_micros(value as u64);
    Load {
        steps_per_second: requests / (micros / 1e6),
        p50: us(p50),
        p90: us(p90),
        p99: us(p99),
        failed: failed as u64,
    }
}

/// A duration in milliseconds, for tables.
pub fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}
