//! The benchmark behind docs/benchmarks.md: module sizes per build profile
//! against the original project, and the time per invocation through the
//! runner (compilation cached) and through the `wasm-workflows` command,
//! against the tool a user would otherwise run. Prints markdown tables.
//!
//! Run it with `scripts/benchmark.sh` (an optimised build of the host).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use wasm_workflows_cli::runner::{ModuleCache, RunOptions, Runner};
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::cargo_build::{WasmTarget, build_module, target_dir};
use wasm_workflows_test_support::harness::{invocation, options, workspace_root};

/// Invocations timed per row.
const RUNS: usize = 200;

/// Sizes the original project shipped, and our goals: at most half.
const SEED_FERRIS_SAYS: u64 = 234_387;
const SEED_TEMPLATE: u64 = 162_693;
const GOAL_FERRIS_SAYS: u64 = 117_000;
const GOAL_TEMPLATE: u64 = 81_000;

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `wasm-opt -Oz` of `module`, if binaryen is installed.
fn wasm_opt(module: &Path) -> Option<PathBuf> {
    let output = module.with_extension("opt.wasm");
    let status = Command::new("wasm-opt").args(["-Oz", "--all-features"]).arg(module).arg("-o").arg(&output).status();
    matches!(status, Ok(s) if s.success()).then_some(output)
}

/// The Rust template as a user gets it: a project made by `wasm-workflows new`
/// outside the repository (so none of the workspace's settings apply), built
/// by its build.sh. Returns the cargo output and the shipped module.wasm (also
/// optimised with wasm-opt when binaryen is installed).
fn build_template(binary: &Path, target: &Path) -> (PathBuf, PathBuf) {
    let outside = tempfile::tempdir().unwrap().keep();
    let project = outside.join("workflow-step");
    let created = Command::new(binary)
        .arg("new")
        .arg(&project)
        .args(["--template", "rust", "--sdk-path"])
        .arg(workspace_root().join("sdk"))
        .output()
        .expect("run wasm-workflows new");
    assert!(created.status.success(), "wasm-workflows new: {}", String::from_utf8_lossy(&created.stderr));
    let status = Command::new("bash")
        .arg(project.join("build.sh"))
        .env("CARGO_TARGET_DIR", target)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run the template's build.sh");
    assert!(status.success(), "the template does not build");
    (target.join("wasm32-wasip1/release/workflow-step.wasm"), project.join("module.wasm"))
}

fn percent(part: u64, whole: u64) -> String {
    format!("{:.0} %", part as f64 * 100.0 / whole as f64)
}

fn size_table(cli: &Path) -> Vec<(&'static str, PathBuf)> {
    let root = workspace_root();
    let ferris_release = build_module(&root, "ferris-says", WasmTarget::Wasip1, "release").unwrap();
    let ferris_small = build_module(&root, "ferris-says", WasmTarget::Wasip1, "min-size").unwrap();
    let (template_cargo, template) = build_template(cli, &target_dir(&root).join("templates"));

    println!("## Module size (wasm32-wasip1)\n");
    println!("| module | build | bytes | of the original | goal |");
    println!("| --- | --- | ---: | ---: | ---: |");
    let ferris = ("ferris-says", SEED_FERRIS_SAYS, GOAL_FERRIS_SAYS);
    let templates = ("templates/rust", SEED_TEMPLATE, GOAL_TEMPLATE);
    let mut rows = vec![
        (ferris, "`cargo build --release` (`opt-level = \"s\"`), the shipping build", ferris_release.clone()),
        (ferris, "`--profile min-size` (`opt-level = \"z\"`)", ferris_small.clone()),
    ];
    match wasm_opt(&ferris_small) {
        Some(ferris_opt) => rows.push((ferris, "min-size + `wasm-opt -Oz`", ferris_opt)),
        None => println!("<!-- wasm-opt not found: install binaryen for the wasm-opt rows -->"),
    }
    rows.push((templates, "`cargo build --release` (its profile: `opt-level = \"z\"`)", template_cargo));
    rows.push((templates, "`build.sh`, the shipping build: the above + `wasm-opt -Oz`", template.clone()));
    for ((name, seed, goal), build, path) in &rows {
        let met = if size(path) <= *goal { "met" } else { "not met" };
        println!("| {name} | {build} | {} | {} | ≤ {goal} ({met}) |", size(path), percent(size(path), *seed));
    }
    // Modules the original project had no size for (or did not have): the shipping build, and wasm-opt's.
    for name in ["text2qr", "markdown", "json-query", "template", "sql"] {
        let module = build_module(&root, name, WasmTarget::Wasip1, "release").unwrap();
        println!("| {name} | `cargo build --release`, the shipping build | {} | — | — |", size(&module));
        if let Some(optimised) = wasm_opt(&module) {
            println!("| {name} | the above + `wasm-opt -Oz` | {} | — | — |", size(&optimised));
        }
    }
    // image-processor is built for speed (its codecs), not size; it has no size goal.
    let image_processor = build_module(&root, "image-processor", WasmTarget::Wasip1, "release").unwrap();
    println!(
        "| image-processor | `cargo build --release` (`opt-level = 3`, SIMD), the shipping build | {} | | |",
        size(&image_processor)
    );
    println!(
        "\nThe original project shipped ferris-says at {SEED_FERRIS_SAYS} B and its template at {SEED_TEMPLATE} B; \
         the goal is at most half.\n"
    );
    vec![("ferris-says", ferris_release), ("templates/rust", template)]
}

struct Timing {
    mean: Duration,
    median: Duration,
    p95: Duration,
}

fn time(mut run: impl FnMut()) -> Timing {
    run(); // warm up (and fill the cache)
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    samples.sort();
    Timing {
        mean: samples.iter().sum::<Duration>() / RUNS as u32,
        median: samples[RUNS / 2],
        p95: samples[RUNS * 95 / 100],
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let cli = PathBuf::from(
        std::env::var_os("WASM_WORKFLOWS_BIN")
            .expect("WASM_WORKFLOWS_BIN names the wasm-workflows binary (scripts/benchmark.sh sets it)"),
    );
    let modules = size_table(&cli);
    let cache = tempfile::tempdir().unwrap();
    let runner = Runner::new(Some(ModuleCache::new(cache.path()))).unwrap();
    let text = "Hello World from WebAssembly";
    let ferris_options: RunOptions = options(invocation(&[("text", text)]));
    let template_options: RunOptions = options(invocation(&[("name", "Argo")]));

    println!("## Time per invocation ({RUNS} runs each, after one warm-up)\n");
    let first = Instant::now();
    let cold = Runner::new(None).unwrap().run(&modules[0].1, &ferris_options).unwrap();
    let cold_time = first.elapsed();
    assert_eq!(cold.node.phase, Phase::Succeeded);
    println!("| what | mean | median | p95 |");
    println!("| --- | ---: | ---: | ---: |");
    println!("| ferris-says, first run: compile + run (no cache) | {} | | |", ms(cold_time));
    let row = |what: &str, timing: Timing| {
        println!("| {what} | {} | {} | {} |", ms(timing.mean), ms(timing.median), ms(timing.p95));
    };
    for (name, module, options) in
        [("ferris-says", &modules[0].1, &ferris_options), ("templates/rust", &modules[1].1, &template_options)]
    {
        row(
            &format!("{name} through the runner library (compiled module cached)"),
            time(|| assert_eq!(runner.run(module, options).unwrap().node.phase, Phase::Succeeded)),
        );
    }
    row(
        "ferris-says through `wasm-workflows run` (a new process each time)",
        time(|| {
            let status = Command::new(&cli)
                .args(["run"])
                .arg(&modules[0].1)
                .args(["--param", &format!("text={text}")])
                .env("WASM_WORKFLOWS_CACHE_DIR", cache.path())
                .output()
                .unwrap()
                .status;
            assert!(status.success());
        }),
    );
    if Command::new("/usr/games/cowsay").arg("x").output().is_ok() {
        row(
            "`cowsay` (Debian's, Perl), the tool a container step would run",
            time(|| assert!(Command::new("/usr/games/cowsay").arg(text).output().unwrap().status.success())),
        );
    } else {
        println!("<!-- cowsay not found: apt-get install cowsay for its row -->");
    }
    println!(
        "\nA container step adds a pod start on top of the process (seconds, not measurable on this machine, \
         which runs no container engine)."
    );
}
