//! `wasm-workflows serve` under load, as Argo's agent calls it: ferris-says
//! pulled once from a local registry and compiled once, then steps posted by
//! 1 and by 16 concurrent clients, each step a workflow of its own (so none
//! is answered from another's run). Prints requests per second and latency
//! percentiles; the original plugin took 60–150 ms per call.
//!
//! Run it with `scripts/benchmark.sh` (the host built with `--profile host`,
//! given as $WASM_WORKFLOWS_BIN).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasm_workflows_test_support::cargo_build::{WasmTarget, build_module};
use wasm_workflows_test_support::harness::workspace_root;
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::serve::{ServeProcess, wasm_request};

/// Steps posted per row, after the warm-up.
const STEPS: usize = 3000;

fn main() {
    let binary = std::env::var_os("WASM_WORKFLOWS_BIN")
        .map(PathBuf::from)
        .expect("WASM_WORKFLOWS_BIN names the wasm-workflows binary (scripts/benchmark.sh sets it)");
    let module = build_module(&workspace_root(), "ferris-says", WasmTarget::Wasip1, "release").unwrap();
    let registry = TestRegistry::start();
    let image = format!("{}/ferris-says:bench", registry.address());
    let pushed = Command::new(&binary).arg("push").arg(&module).arg(&image).output().unwrap();
    assert!(pushed.status.success(), "{}", String::from_utf8_lossy(&pushed.stderr));

    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    println!("## `wasm-workflows serve`: ferris-says steps ({STEPS} per row, module cached, {cores} cores)\n");
    println!("| clients | `--max-concurrent` | steps/s | p50 | p90 | p99 | max |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for clients in [1, 16] {
        let host = Arc::new(ServeProcess::start(&binary, &["--max-concurrent", &cores.to_string()]));
        // Warm-up: the pull, the compilation, the first connections.
        for n in 0..50 {
            step(&host, &image, &format!("warm-{n}"));
        }
        let started = Instant::now();
        let per_client = STEPS / clients;
        let workers: Vec<_> = (0..clients)
            .map(|client| {
                let (host, image) = (host.clone(), image.clone());
                std::thread::spawn(move || {
                    (0..per_client)
                        .map(|n| {
                            let sent = Instant::now();
                            step(&host, &image, &format!("c{client}-s{n}"));
                            sent.elapsed()
                        })
                        .collect::<Vec<Duration>>()
                })
            })
            .collect();
        let mut latencies: Vec<Duration> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
        let elapsed = started.elapsed();
        latencies.sort();
        let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        println!(
            "| {clients} | {cores} | {:.0} | {} | {} | {} | {} |",
            latencies.len() as f64 / elapsed.as_secs_f64(),
            ms(at(0.50)),
            ms(at(0.90)),
            ms(at(0.99)),
            ms(*latencies.last().unwrap())
        );
    }
    println!(
        "\nEach step is a POST of a whole template with Argo's token (a new connection each time), answered with \
         the finished node. The original plugin's recorded cost: 60–150 ms per call.\n"
    );
}

/// Posts one step of workflow `workflow` and checks it succeeded.
fn step(host: &ServeProcess, image: &str, workflow: &str) {
    let answer =
        host.execute(&wasm_request(workflow, image, &[("text", "Hello World from WebAssembly")], Default::default()));
    assert_eq!(answer["node"]["phase"], "Succeeded", "{answer}");
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}
