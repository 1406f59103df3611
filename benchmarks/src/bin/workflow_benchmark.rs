//! Whole workflows run locally (`wasm-workflows run workflow.yaml`, through
//! the library): what a node costs beyond its step's own run time. One
//! ferris-says step alone, then chains of 100 dependent steps (steps and
//! DAG) and fan-outs of 1,000 (`withSequence` in steps and in a DAG), the
//! module compiled once and cached. Each row is the median of 3 runs, in
//! wall time and in CPU time of the whole process (user + system, from
//! `/proc/self/stat`, 10 ms ticks): wall time on a loaded machine measures
//! the scheduler as much as the runner.
//!
//! `cargo build --profile host -p wasm-workflows-benchmarks --bins`, then
//! `$CARGO_TARGET_DIR/host/workflow_benchmark` (as `scripts/benchmark.sh`
//! builds the benchmarks).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasm_workflows_cli::runner::{self, ExitRule, ModuleCache, RunOptions, Runner, WorkDir};
use wasm_workflows_cli::workflow::nodes::Phase;
use wasm_workflows_cli::workflow::{Modules, StepLimits, SubmitOptions, WasmSteps, prepare};
use wasm_workflows_sdk::protocol::PluginInvocation;
use wasm_workflows_test_support::cargo_build::{WasmTarget, build_module};
use wasm_workflows_test_support::harness::workspace_root;

const IMAGE: &str = "bench.local/ferris-says:1";
const RUNS: usize = 3;
/// Runs of the step alone: its CPU time is the total over them, so the
/// process's 10 ms ticks make an error of 0.05 ms a step.
const STEP_ALONE_RUNS: u32 = 201;

fn template() -> String {
    format!(
        "    - name: say\n      inputs:\n        parameters:\n          - name: text\n      plugin:\n        wasm:\n          module:\n            oci: {IMAGE}\n"
    )
}

fn workflow(entry: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: bench\nspec:\n  entrypoint: main\n  templates:\n{entry}{}",
        template()
    )
}

fn one_step() -> String {
    workflow(
        "    - name: main\n      steps:\n        - - name: only\n            template: say\n            arguments: {parameters: [{name: text, value: hi}]}\n",
    )
}

fn steps_chain(n: usize) -> String {
    let mut entry = String::from("    - name: main\n      steps:\n");
    for i in 0..n {
        let text = if i == 0 { "hi".to_owned() } else { format!("step {i}") };
        entry.push_str(&format!(
            "        - - name: s{i}\n            template: say\n            arguments: {{parameters: [{{name: text, value: \"{text}\"}}]}}\n"
        ));
    }
    workflow(&entry)
}

fn dag_chain(n: usize) -> String {
    let mut entry = String::from("    - name: main\n      dag:\n        tasks:\n");
    for i in 0..n {
        let dependencies = if i == 0 { String::new() } else { format!(", dependencies: [t{}]", i - 1) };
        entry.push_str(&format!(
            "          - {{name: t{i}, template: say{dependencies}, arguments: {{parameters: [{{name: text, value: \"task {i}\"}}]}}}}\n"
        ));
    }
    workflow(&entry)
}

fn steps_fan_out(n: usize) -> String {
    workflow(&format!(
        "    - name: main\n      steps:\n        - - name: each\n            template: say\n            arguments: {{parameters: [{{name: text, value: \"{{{{item}}}}\"}}]}}\n            withSequence: {{count: \"{n}\"}}\n"
    ))
}

fn dag_fan_out(n: usize) -> String {
    workflow(&format!(
        "    - name: main\n      dag:\n        tasks:\n          - name: each\n            template: say\n            arguments: {{parameters: [{{name: text, value: \"{{{{item}}}}\"}}]}}\n            withSequence: {{count: \"{n}\"}}\n"
    ))
}

/// The CPU time (user + system) this process has used so far.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<u64> = after.split_whitespace().skip(11).take(2).filter_map(|f| f.parse().ok()).collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// Runs `yaml` once: its wall time, CPU time and node count.
fn run_once(
    runtime: &tokio::runtime::Runtime,
    runner: &Arc<Runner>,
    module: &Path,
    yaml: &str,
) -> (Duration, Duration, usize) {
    let prepared = prepare(yaml, &SubmitOptions::default()).expect("a valid workflow");
    let modules = Modules::new(runner.clone(), vec![(IMAGE.to_owned(), module.to_owned())], None);
    let limits = StepLimits {
        timeout: None,
        max_memory_mib: 512,
        max_log_bytes: 1 << 20,
        exit_rule: ExitRule::Wasi,
        max_open_files: runner::DEFAULT_MAX_OPEN_FILES,
        max_work_dir_mib: runner::DEFAULT_MAX_WORK_DIR_MIB,
        max_work_dir_entries: runner::DEFAULT_MAX_WORK_DIR_ENTRIES,
    };
    let steps = WasmSteps::new(runner.clone(), modules, limits);
    let (started, cpu) = (Instant::now(), cpu_time());
    let finished = runtime.block_on(prepared.run(steps));
    let (elapsed, used) = (started.elapsed(), cpu_time().saturating_sub(cpu));
    assert_eq!(finished.phase, Phase::Succeeded, "{:#}", finished.workflow["status"]);
    let nodes = finished.workflow["status"]["nodes"].as_object().map_or(0, |n| n.len());
    (elapsed, used, nodes)
}

fn median(
    runtime: &tokio::runtime::Runtime,
    runner: &Arc<Runner>,
    module: &Path,
    yaml: &str,
) -> (Duration, Duration, usize) {
    let mut nodes = 0;
    let (wall, cpu, _) = wasm_workflows_benchmarks::median::medians(RUNS, || {
        let (wall, cpu, count) = run_once(runtime, runner, module, yaml);
        nodes = count;
        (wall, cpu, None)
    });
    (wall, cpu, nodes)
}

/// One ferris-says step run by the runner alone, as `serve` runs it (work
/// directory, input.json, the run): the median wall time of
/// `STEP_ALONE_RUNS`, and the CPU time of all of them over their number.
fn step_alone(runtime: &tokio::runtime::Runtime, runner: &Arc<Runner>, module: &Path) -> (Duration, Duration) {
    let bytes = std::fs::read(module).unwrap();
    let (prepared, _) = runner.prepare(&bytes, None, module).unwrap();
    let invocation = PluginInvocation::new("bench").with_parameter("text", "hi");
    let options = RunOptions { invocation, max_memory_mib: Some(512), ..RunOptions::default() };
    let cpu = cpu_time();
    let mut times: Vec<Duration> = (0..STEP_ALONE_RUNS)
        .map(|_| {
            let started = Instant::now();
            let work_dir = WorkDir::create().unwrap();
            runner.write_inputs(&work_dir, &options).unwrap();
            let executed = runtime.block_on(runner.execute(&prepared, &work_dir, &options));
            assert_eq!(executed.node.phase, wasm_workflows_sdk::protocol::Phase::Succeeded);
            started.elapsed()
        })
        .collect();
    let cpu = cpu_time().saturating_sub(cpu) / STEP_ALONE_RUNS;
    times.sort();
    (times[times.len() / 2], cpu)
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn main() {
    let module = build_module(&workspace_root(), "ferris-says", WasmTarget::Wasip1, "release").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let runner = Arc::new(Runner::on_callers_runtime(Some(ModuleCache::new(cache.path().to_owned()))).unwrap());
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    // Compiles the module once; every later run finds it prepared.
    run_once(&runtime, &runner, &module, &one_step());
    let (one_workflow, one_workflow_cpu, _) = median(&runtime, &runner, &module, &one_step());
    let (one, one_cpu) = step_alone(&runtime, &runner, &module);
    println!("## Whole workflows, run locally: ferris-says steps (module cached, {cores} cores, median of {RUNS})\n");
    println!(
        "| workflow | steps | nodes | wall (ms) | wall a step (ms) | CPU (ms) | CPU a step (ms) | CPU beyond one step's own (ms a step) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| the step alone (runner, no workflow) | 1 | — | {} | {} | {} | {} | — |",
        ms(one),
        ms(one),
        ms(one_cpu),
        ms(one_cpu)
    );
    println!(
        "| a workflow of one step | 1 | 3 | {} | {} | {} | {} | — |",
        ms(one_workflow),
        ms(one_workflow),
        ms(one_workflow_cpu),
        ms(one_workflow_cpu)
    );
    let rows: [(&str, usize, String); 4] = [
        ("a chain of 100 steps", 100, steps_chain(100)),
        ("a DAG chain of 100 tasks", 100, dag_chain(100)),
        ("`withSequence` of 1,000 in one step group", 1000, steps_fan_out(1000)),
        ("`withSequence` of 1,000 in a DAG task", 1000, dag_fan_out(1000)),
    ];
    for (name, steps, yaml) in rows {
        let (total, cpu, nodes) = median(&runtime, &runner, &module, &yaml);
        let (per_step, cpu_per_step) = (total / steps as u32, cpu / steps as u32);
        println!(
            "| {name} | {steps} | {nodes} | {} | {} | {} | {} | {} |",
            ms(total),
            ms(per_step),
            ms(cpu),
            ms(cpu_per_step),
            ms(cpu_per_step.saturating_sub(one_cpu))
        );
    }
}
