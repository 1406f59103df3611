//! `wasm-workflows serve` under load, as Argo's agent calls it: ferris-says
//! pulled once from a local registry and compiled once, then steps posted
//! by `wrk` with 1 and 16 connections (every body a new step). First
//! `serve` alone, then distributed mode: a front (`serve --forward-to …`)
//! with one, two and three workers, all on this machine, and the front's
//! first step of a module (a worker pulls and compiles it) beside a cached one.
//!
//! Run it with `scripts/benchmark.sh` (the host built with `--profile host`,
//! given as $WASM_WORKFLOWS_BIN; `wrk` installed by scripts/setup.sh).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use wasm_workflows_benchmarks::wrk::{self, Load, ms};
use wasm_workflows_test_support::cargo_build::{WasmTarget, build_module};
use wasm_workflows_test_support::harness::workspace_root;
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::serve::{ServeProcess, TOKEN, serve_command, wasm_request};

/// How long each row's load lasts.
const SECONDS: u32 = 10;
/// The pool's token, for the workers.
const POOL_TOKEN: &str = "pool-token-pool-token-pool-token";

fn main() {
    let binary = std::env::var_os("WASM_WORKFLOWS_BIN")
        .map(PathBuf::from)
        .expect("WASM_WORKFLOWS_BIN names the wasm-workflows binary (scripts/benchmark.sh sets it)");
    let module = build_module(&workspace_root(), "ferris-says", WasmTarget::Wasip1, "release").unwrap();
    let registry = TestRegistry::start();
    let image = format!("{}/ferris-says:bench", registry.address());
    let pushed = Command::new(&binary).arg("push").arg(&module).arg(&image).output().unwrap();
    assert!(pushed.status.success(), "{}", String::from_utf8_lossy(&pushed.stderr));
    let parameters = [("text", "Hello World from WebAssembly")];
    let script = wrk::script(&image, &parameters);
    let cores = std::thread::available_parallelism().map_or(2, usize::from);

    println!("## `wasm-workflows serve`: ferris-says steps (module cached, {cores} cores, `wrk` {SECONDS} s a row)\n");
    println!("| setup | connections | steps/s | p50 | p90 | p99 | failed |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut alone_p50 = Duration::ZERO;
    for connections in [1, 16] {
        let host = ServeProcess::start(&binary, &["--max-concurrent", &cores.to_string()]);
        warm_up(&host, &image, &parameters);
        let load = wrk::run(script.path(), host.origin(), connections, SECONDS);
        if connections == 1 {
            alone_p50 = load.p50;
        }
        row("`serve`", connections, &load);
    }
    // Work directories in memory (an emptyDir with `medium: Memory` in a pod).
    let tmpfs = Path::new("/dev/shm");
    if tmpfs.is_dir() {
        for connections in [1, 16] {
            let host = serve_with_work_dirs_in(&binary, cores, tmpfs);
            warm_up(&host, &image, &parameters);
            row(
                "`serve`, work dirs on tmpfs",
                connections,
                &wrk::run(script.path(), host.origin(), connections, SECONDS),
            );
        }
    }
    let mut front_p50 = Duration::ZERO;
    let mut first_and_cached = None;
    for workers in 1..=3 {
        let pool: Vec<ServeProcess> = (0..workers).map(|_| worker(&binary, cores)).collect();
        let flags: Vec<String> = pool.iter().flat_map(|w| ["--forward-to".to_owned(), w.origin().to_owned()]).collect();
        let front = front(&binary, &flags);
        if workers == 1 {
            first_and_cached = Some(first_and_cached_step(&front, &image, &parameters));
        }
        warm_up(&front, &image, &parameters);
        for connections in [1, 16] {
            let load = wrk::run(script.path(), front.origin(), connections, SECONDS);
            if workers == 1 && connections == 1 {
                front_p50 = load.p50;
            }
            row(&format!("front + {workers} worker{}", if workers > 1 { "s" } else { "" }), connections, &load);
        }
    }
    let (first, cached) = first_and_cached.expect("measured with one worker");
    println!(
        "\nThe front's own latency (p50, 1 connection, front + 1 worker less `serve` alone): {}.\n\
         Through the front, the first step of ferris-says (its worker pulls and compiles it) took {}, a cached one {}.\n\
         Each step is a POST of a whole template with Argo's token on a kept-alive connection, answered with the \
         finished node; `failed` counts answers that were not a Succeeded node. Every process (wrk, the front, the \
         workers) shares these {cores} cores. The original plugin's recorded cost: 60–150 ms per call.\n",
        ms(front_p50.saturating_sub(alone_p50)),
        ms(first),
        ms(cached)
    );
}

fn row(setup: &str, connections: usize, load: &Load) {
    println!(
        "| {setup} | {connections} | {:.0} | {} | {} | {} | {} |",
        load.steps_per_second,
        ms(load.p50),
        ms(load.p90),
        ms(load.p99),
        load.failed
    );
}

/// The pull, the compilation, the first connections.
fn warm_up(host: &ServeProcess, image: &str, parameters: &[(&str, &str)]) {
    for n in 0..50 {
        let answer = host.run_step(&wasm_request(&format!("warm-{n}"), image, parameters, Default::default()));
        assert_eq!(answer["node"]["phase"], "Succeeded", "{answer}");
    }
}

/// How long the first step of a module took through `front`, and a later one.
fn first_and_cached_step(front: &ServeProcess, image: &str, parameters: &[(&str, &str)]) -> (Duration, Duration) {
    let timed = |workflow: &str| {
        let started = Instant::now();
        let answer = front.run_step(&wasm_request(workflow, image, parameters, Default::default()));
        assert_eq!(answer["node"]["phase"], "Succeeded", "{answer}");
        started.elapsed()
    };
    let first = timed("first");
    let mut later: Vec<Duration> = (0..20).map(|n| timed(&format!("cached-{n}"))).collect();
    later.sort();
    (first, later[later.len() / 2])
}

/// `serve` alone, its work directories made in `folder`.
fn serve_with_work_dirs_in(binary: &Path, cores: usize, folder: &Path) -> ServeProcess {
    let (mut command, files) = serve_command(binary, TOKEN);
    command.args(["--port", "0", "--max-concurrent", &cores.to_string()]).env("TMPDIR", folder);
    ServeProcess::spawn(command, files).unwrap_or_else(|log| panic!("serve did not start:\n{log}"))
}

/// A worker: a plain `serve` whose token is the pool's.
fn worker(binary: &Path, cores: usize) -> ServeProcess {
    let (mut command, files) = serve_command(binary, POOL_TOKEN);
    command.args(["--port", "0", "--max-concurrent", &cores.to_string()]);
    ServeProcess::spawn(command, files).unwrap_or_else(|log| panic!("the worker did not start:\n{log}"))
}

/// A front forwarding to the workers `flags` name.
fn front(binary: &Path, flags: &[String]) -> ServeProcess {
    let (mut command, files) = serve_command(binary, TOKEN);
    command.args(["--port", "0"]).args(flags).env("FORWARD_TOKEN", POOL_TOKEN);
    ServeProcess::spawn(command, files).unwrap_or_else(|log| panic!("the front did not start:\n{log}"))
}
