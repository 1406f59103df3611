//! A soak of `wasm-workflows serve` (issue 22, "memory flat over time"):
//! 10,000 distinct module references (50 distinct modules, each under 200
//! tags of a local registry) and as many distinct templates, sent by good
//! steps beside a stream of hostile ones (the modules of `cli/tests/hostile/`:
//! memory, table and descriptor bombs, floods, sleepers, a disk filler, a
//! chain of 25,000 folders…) for `SOAK_SECONDS` (default 600). The serve
//! process's resident memory, open descriptors and threads, and what it says it
//! keeps (`/metrics`), are sampled every `SOAK_SAMPLE_SECONDS` (default 30)
//! and printed as a table. Every good step must succeed with its own
//! module's message: none may be lost.
//!
//! To tell what grows: `SOAK_HOSTILE=0` sends good steps only,
//! `SOAK_HOSTILE=NAME,…` only these hostile modules; `SOAK_TAGS` sets the
//! tags of each module (200), `SOAK_SERVE_ARGS` adds flags to `serve`.
//!
//! Not part of CI. Run it with the host given as $WASM_WORKFLOWS_BIN:
//!
//! ```text
//! cargo build --workspace --bins
//! WASM_WORKFLOWS_BIN=$CARGO_TARGET_DIR/debug/wasm-workflows $CARGO_TARGET_DIR/debug/soak
//! ```

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wasm_workflows_sdk::http::Request;
use wasm_workflows_test_support::harness::workspace_root;
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::serve::{ServeProcess, TOKEN, serve_command, wasm_request};
use wasm_workflows_test_support::wat_steps::StepModule;

/// Distinct good modules (distinct digests), more than serve keeps compiled by default (32).
const MODULES: usize = 50;
/// Tags of each: MODULES × TAGS distinct references (`SOAK_TAGS` to change).
const TAGS: usize = 200;
/// Threads sending good steps; one more sends hostile ones.
const GOOD_SENDERS: usize = 3;

/// The hostile modules sent, each with the step timeout it runs with.
const HOSTILE: &[(&str, u64)] = &[
    ("memory-bomb", 5),
    ("table-bomb", 5),
    ("sleeper", 2),
    ("stdout-flood", 5),
    ("huge-result", 5),
    ("many-outputs", 5),
    ("file-hoarder", 5),
    ("disk-filler", 20),
    ("entry-bomb", 20),
    ("garbage-pointers", 5),
    ("artifact-unnamed", 5),
    ("failed-with-artifact", 5),
    ("symlink-relative", 5),
    ("hard-link", 5),
    ("deep-folders", 300),
];

/// The media type of the manifests `wasm-workflows push` writes, for the tags put by hand.
const MANIFEST_TYPES: &str = "application/vnd.oci.image.manifest.v1+json";

fn seconds_from_env(name: &str, default: u64) -> Duration {
    Duration::from_secs(std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default))
}

fn main() {
    let binary = std::env::var_os("WASM_WORKFLOWS_BIN")
        .map(PathBuf::from)
        .expect("WASM_WORKFLOWS_BIN names the wasm-workflows binary to soak");
    let duration = seconds_from_env("SOAK_SECONDS", 600);
    let sample_every = seconds_from_env("SOAK_SAMPLE_SECONDS", 30);
    let setup = Instant::now();
    let registry = TestRegistry::start();
    let work = tempfile::tempdir().unwrap();
    let tags = std::env::var("SOAK_TAGS").ok().and_then(|v| v.parse().ok()).unwrap_or(TAGS);
    let references = good_references(&binary, &registry, work.path(), tags);
    // `SOAK_HOSTILE=0`: good steps only; `SOAK_HOSTILE=NAME,…`: only
    // these hostile modules (to tell what each costs).
    let chosen = std::env::var("SOAK_HOSTILE").unwrap_or_default();
    let hostile: Vec<(String, u64)> = HOSTILE
        .iter()
        .filter(|(name, _)| chosen.is_empty() || chosen.split(',').any(|c| c == *name))
        .map(|(name, timeout)| {
            let fixture = workspace_root().join("cli/tests/hostile").join(format!("{name}.wat"));
            let wasm = wat::parse_file(&fixture).unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
            (push(&binary, &registry, work.path(), &format!("hostile/{name}:1"), &wasm), *timeout)
        })
        .collect();
    println!("setup: {} references pushed in {:.0} s", references.len(), setup.elapsed().as_secs_f64());

    // Work directories on a folder of their own: the disk filler writes 128 MiB there.
    let temp_dir = work.path().join("tmp");
    std::fs::create_dir_all(&temp_dir).unwrap();
    let (mut command, files) = serve_command(&binary, TOKEN);
    command.env("TMPDIR", &temp_dir).args([
        "--port",
        "0",
        "--max-concurrent",
        "4",
        "--max-memory",
        "64",
        "--max-open-files",
        "64",
        "--max-work-dir",
        "128",
        "--requeue",
        "1",
    ]);
    // `SOAK_SERVE_ARGS`: more flags for serve, separated by spaces.
    command.args(std::env::var("SOAK_SERVE_ARGS").unwrap_or_default().split_whitespace());
    let host =
        Arc::new(ServeProcess::spawn(command, files).unwrap_or_else(|log| panic!("serve did not start:\n{log}")));

    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let counts = Arc::new(Counts::default());
    let lost = Arc::new(Mutex::new(Vec::<String>::new()));
    let references = Arc::new(references);
    let started = Instant::now();
    let mut senders: Vec<std::thread::JoinHandle<()>> = (0..GOOD_SENDERS)
        .map(|_| {
            let (host, stop, next, counts, lost, references) =
                (host.clone(), stop.clone(), next.clone(), counts.clone(), lost.clone(), references.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let (reference, message) = &references[n % references.len()];
                    let step = step_request(&format!("good-{n}"), &format!("template-{n}"), reference, 60);
                    match answer(&host, &step) {
                        Ok(node) if node["phase"] == "Succeeded" && node["message"] == message.as_str() => {
                            counts.good.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(node) => lost.lock().unwrap().push(format!("{reference}: {node}")),
                        Err(why) => lost.lock().unwrap().push(format!("{reference}: {why}")),
                    }
                }
            })
        })
        .collect();
    if !hostile.is_empty() {
        let (host, stop, counts, lost) = (host.clone(), stop.clone(), counts.clone(), lost.clone());
        senders.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let (reference, timeout) = &hostile[n % hostile.len()];
                let step = step_request(&format!("hostile-{n}"), &format!("hostile-{n}"), reference, *timeout);
                match answer(&host, &step) {
                    Ok(_) => {
                        counts.hostile.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(why) => lost.lock().unwrap().push(format!("{reference} (hostile): {why}")),
                }
                n += 1;
            }
        }));
    }

    println!(
        "\n| time (s) | good steps | hostile steps | distinct references sent | RSS (MiB) | descriptors | threads | \
         compiled kept | compiled MiB | references kept |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut samples = Vec::new();
    loop {
        let sample = Sample::take(&host, started, &counts, next.load(Ordering::Relaxed).min(references.len()));
        sample.print();
        samples.push(sample);
        if started.elapsed() >= duration {
            break;
        }
        std::thread::sleep(sample_every.min(duration.saturating_sub(started.elapsed())).max(Duration::from_secs(1)));
    }
    stop.store(true, Ordering::Relaxed);
    for sender in senders {
        sender.join().expect("a sender panicked");
    }
    let last = Sample::take(&host, started, &counts, next.load(Ordering::Relaxed).min(references.len()));
    last.print();
    samples.push(last);
    summarize(&samples);
    let lost = lost.lock().unwrap();
    for step in lost.iter().take(20) {
        println!("lost: {step:.600}");
    }
    assert!(lost.is_empty(), "{} steps were lost: a good one failed, or the host did not answer", lost.len());
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
}

/// Steps ended as expected.
#[derive(Default)]
struct Counts {
    good: AtomicU64,
    hostile: AtomicU64,
}

/// The node of `step` run to its end, or why there is none (the host did not answer).
fn answer(host: &ServeProcess, step: &str) -> Result<Value, String> {
    let answer = std::panic::catch_unwind(AssertUnwindSafe(|| host.run_step(step)))
        .map_err(|panic| panic.downcast_ref::<String>().cloned().unwrap_or_else(|| "the request failed".to_owned()))?;
    answer.get("node").cloned().ok_or_else(|| format!("no node in {answer}"))
}

/// A request for `reference` under a template of its own, with a timeout.
fn step_request(workflow: &str, template: &str, reference: &str, timeout: u64) -> String {
    let mut request: Value = serde_json::from_str(&wasm_request(workflow, reference, &[], json!({}))).unwrap();
    request["template"]["name"] = json!(template);
    request["template"]["timeout"] = json!(format!("{timeout}s"));
    request.to_string()
}

/// Pushes MODULES distinct modules, then tags each `tags` times by putting
/// its manifest again: the references and the message each module answers.
fn good_references(binary: &Path, registry: &TestRegistry, dir: &Path, tags: usize) -> Vec<(String, String)> {
    let mut references = Vec::new();
    for module in 0..MODULES {
        let message = format!("module {module}");
        let result = format!(r#"{{"phase":"Succeeded","message":"{message}"}}"#);
        let wasm = StepModule { result, ..StepModule::default() }.wasm();
        let repository = format!("soak/m{module}");
        push(binary, registry, dir, &format!("{repository}:t0"), &wasm);
        let manifest_url = |tag: &str| format!("http://{}/v2/{repository}/manifests/{tag}", registry.address());
        let manifest = Request::get(manifest_url("t0")).header("accept", MANIFEST_TYPES).send().unwrap();
        assert_eq!(manifest.status().as_u16(), 200, "{}", String::from_utf8_lossy(manifest.body()));
        let media_type = manifest.content_type().unwrap_or(MANIFEST_TYPES).to_owned();
        let manifest = manifest.into_body();
        for tag in 0..tags {
            if tag > 0 {
                let put = Request::put(manifest_url(&format!("t{tag}")))
                    .header("content-type", &media_type)
                    .body(manifest.clone())
                    .send()
                    .unwrap();
                assert_eq!(put.status().as_u16(), 201, "{}", String::from_utf8_lossy(put.body()));
            }
            references.push((format!("{}/{repository}:t{tag}", registry.address()), message.clone()));
        }
    }
    // Interleaved, so that the modules follow one another as the tags do.
    references.sort_by_key(|(reference, _)| {
        let tag: usize = reference.rsplit(":t").next().and_then(|t| t.parse().ok()).unwrap_or(0);
        let module: usize =
            reference.split("/soak/m").nth(1).and_then(|m| m.split(':').next()?.parse().ok()).unwrap_or(0);
        (tag, module)
    });
    references
}

/// Pushes `wasm` as `REGISTRY/name`.
fn push(binary: &Path, registry: &TestRegistry, dir: &Path, name: &str, wasm: &[u8]) -> String {
    let file = dir.join("module.wasm");
    std::fs::write(&file, wasm).unwrap();
    let reference = format!("{}/{name}", registry.address());
    let pushed = Command::new(binary).arg("push").arg(&file).arg(&reference).output().unwrap();
    assert!(pushed.status.success(), "push {reference}: {}", String::from_utf8_lossy(&pushed.stderr));
    reference
}

/// One sample of the serve process.
struct Sample {
    at: Duration,
    good: u64,
    hostile: u64,
    references_sent: usize,
    resident_kib: u64,
    descriptors: usize,
    threads: u64,
    compiled: u64,
    compiled_bytes: u64,
    references_kept: u64,
}

impl Sample {
    fn take(host: &ServeProcess, started: Instant, counts: &Counts, references_sent: usize) -> Sample {
        let (_, metrics) = host.get("/metrics");
        let gauge = |name: &str| {
            metrics.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok()).unwrap_or(0)
        };
        Sample {
            at: started.elapsed(),
            good: counts.good.load(Ordering::Relaxed),
            hostile: counts.hostile.load(Ordering::Relaxed),
            references_sent,
            resident_kib: host.resident_kib(),
            descriptors: host.open_descriptors(),
            threads: host.threads(),
            compiled: gauge("wasm_workflows_compiled_modules"),
            compiled_bytes: gauge("wasm_workflows_compiled_module_bytes"),
            references_kept: gauge("wasm_workflows_module_references"),
        }
    }

    fn print(&self) {
        println!(
            "| {:.0} | {} | {} | {} | {:.1} | {} | {} | {} | {:.1} | {} |",
            self.at.as_secs_f64(),
            self.good,
            self.hostile,
            self.references_sent,
            self.resident_kib as f64 / 1024.0,
            self.descriptors,
            self.threads,
            self.compiled,
            self.compiled_bytes as f64 / f64::from(1 << 20),
            self.references_kept
        );
    }
}

/// Resident memory and descriptors over the run: the first sample past the
/// first minute (the host warmed up) against the last and the highest.
fn summarize(samples: &[Sample]) {
    let warm = samples.iter().find(|s| s.at >= Duration::from_secs(60)).unwrap_or(&samples[0]);
    let last = samples.last().unwrap();
    let highest = samples.iter().map(|s| s.resident_kib).max().unwrap_or(0);
    let most_descriptors = samples.iter().map(|s| s.descriptors).max().unwrap_or(0);
    println!(
        "\nRSS: {:.1} MiB at {:.0} s, {:.1} MiB at the end, {:.1} MiB at most; descriptors: {} at {:.0} s, {} at the \
         end, {} at most; {} good and {} hostile steps in {:.0} s",
        warm.resident_kib as f64 / 1024.0,
        warm.at.as_secs_f64(),
        last.resident_kib as f64 / 1024.0,
        highest as f64 / 1024.0,
        warm.descriptors,
        warm.at.as_secs_f64(),
        last.descriptors,
        most_descriptors,
        last.good,
        last.hostile,
        last.at.as_secs_f64()
    );
}
