//! The benchmark of the template module behind docs/benchmarks.md: a
//! report over 10,000 items (a loop with `loop.cycle`, filters, a
//! conditional, a `namespace` total), rendered by the module and by
//! Python's jinja2 as a container step would run it (`python3 -c`: the
//! interpreter's start-up, `import jinja2`, reading the JSON context,
//! rendering, writing the file), each output checked against the other.
//! The module is measured as `wasm-workflows run` runs it (a process:
//! the host's start-up, the cached compiled module, the run) and inside
//! the runner (the run alone). Compared by CPU time (user + system): the
//! machine may be shared. Prints markdown tables.
//!
//! Run it with `scripts/benchmark.sh` (an optimised build of the host;
//! `WASM_WORKFLOWS_BIN` names the CLI). Needs python3 with jinja2
//! (scripts/setup.sh) and GNU time (`apt-get install time`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wasm_workflows_benchmarks::median::medians;
use wasm_workflows_cli::runner::{InputFile, ModuleCache, RunOptions, Runner};
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::cargo_build::{WasmTarget, build_module};
use wasm_workflows_test_support::harness::{invocation, options, workspace_root};

/// Timed runs per row (after one warm-up run).
const RUNS: usize = 5;
/// Items in the context.
const ITEMS: usize = 10_000;

const TEMPLATE: &str = "\
{% set ns = namespace(total=0, count=0) %}
<table>
{% for item in items %}
{% if item.active %}{% set ns.total = ns.total + item.price * item.qty %}{% set ns.count = ns.count + 1 %}{% endif %}
<tr class=\"{{ loop.cycle('odd', 'even') }}\"><td>{{ loop.index }}</td><td>{{ item.name|title }}</td>\
<td>{{ '%.2f'|format(item.price) }}</td><td>{{ item.qty }}</td><td>{{ item.tags|join(', ') }}</td>\
<td>{{ 'yes' if item.active else 'no' }}</td></tr>
{% endfor %}
</table>
{{ ns.count }} active items, total {{ '%.2f'|format(ns.total) }}
";

/// What a container step would run: jinja2 on the template and the JSON context, to a file.
const PYTHON: &str = "import json, sys, jinja2\n\
template, context, out = sys.argv[1:4]\n\
env = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined)\n\
text = env.from_string(open(template, encoding='utf-8').read()).render(json.load(open(context, encoding='utf-8')))\n\
open(out, 'w', encoding='utf-8').write(text)\n";

/// The context: `items`, deterministic.
fn context() -> String {
    let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
    let items: Vec<Value> = (0..ITEMS)
        .map(|i| {
            Value::Object(vec![
                ("id".into(), Value::from(i as u64)),
                ("name".into(), Value::from(format!("{} {} {i}", words[i % 8], words[(i / 8) % 8]))),
                ("price".into(), Value::from((i * 37 % 10_000) as f64 / 100.0 + 0.5)),
                ("qty".into(), Value::from((i % 7) as u64 + 1)),
                ("tags".into(), Value::Array((0..i % 4).map(|t| Value::from(words[(i + t) % 8])).collect())),
                ("active".into(), Value::from(i % 3 != 0)),
            ])
        })
        .collect();
    Value::Object(vec![("items".into(), Value::Array(items))]).to_string()
}

/// Wall time, CPU time (user + system) and peak memory of a child process, by GNU time.
fn measure(command: &mut Command, scratch: &Path) -> (Duration, Duration, Option<i64>) {
    let report = scratch.join("time.txt");
    let mut timed = Command::new("/usr/bin/time");
    timed.args(["-f", "%M %U %S", "-o"]).arg(&report).arg(command.get_program()).args(command.get_args());
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            timed.env(key, value);
        }
    }
    let start = Instant::now();
    let status = timed.stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
    let wall = start.elapsed();
    assert!(status.success(), "{command:?} failed ({status})");
    let report = std::fs::read_to_string(&report).unwrap();
    let fields: Vec<f64> = report.split_whitespace().map(|f| f.parse().unwrap()).collect();
    (wall, Duration::from_secs_f64(fields[1] + fields[2]), Some(fields[0] as i64))
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn main() {
    let version = Command::new("python3").args(["-c", "import jinja2; print(jinja2.__version__)"]).output();
    let version = match version {
        Ok(output) if output.status.success() => String::from_utf8(output.stdout).unwrap().trim().to_owned(),
        _ => panic!("python3 with jinja2 is needed for this benchmark: scripts/setup.sh installs it"),
    };
    let module = build_module(&workspace_root(), "template", WasmTarget::Wasip1, "release").unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let scratch = scratch.path();
    let (template, context_file) = (scratch.join("report.j2"), scratch.join("items.json"));
    std::fs::write(&template, TEMPLATE).unwrap();
    std::fs::write(&context_file, context()).unwrap();

    // jinja2's output, which the module's must equal.
    let python_out = scratch.join("python.txt");
    let mut python = Command::new("python3");
    python.args(["-c", PYTHON]).arg(&template).arg(&context_file).arg(&python_out);
    let status = python.status().unwrap();
    assert!(status.success(), "jinja2 failed on the benchmark's template");
    let expected = std::fs::read_to_string(&python_out).unwrap();

    let cache = scratch.join("cache");
    let runner = Runner::new(Some(ModuleCache::new(&cache))).unwrap();
    let mut run_options: RunOptions = options(invocation(&[("trim_blocks", "true")]));
    for (name, path, source) in [("template", "/report.j2", &template), ("context", "/items.json", &context_file)] {
        run_options.input_files.push(InputFile { name: name.into(), path: path.into(), source: source.clone() });
    }
    let output_dir = scratch.join("out");
    run_options.output_dir = Some(output_dir.clone());
    let first = runner.run(&module, &run_options).unwrap();
    assert_eq!(first.node.phase, Phase::Succeeded, "{}", first.node.message);
    let rendered = std::fs::read_to_string(output_dir.join("result.txt")).unwrap();
    assert!(rendered == expected, "the module's output differs from jinja2's");

    println!(
        "## template: a {ITEMS}-item report ({} KB of JSON in, {} KB of text out)\n",
        std::fs::metadata(&context_file).unwrap().len() / 1000,
        expected.len() / 1000
    );
    println!("Compiling the module (first run, no cache): {}.\n", seconds(first.load_time));
    println!("| what | wall, median of {RUNS} | CPU (user + system), median | CPU vs jinja2 | peak memory |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let mut rows = Vec::new();
    rows.push((
        format!("jinja2 {version}: `python3 -c` (start-up, import, read, render, write), a process"),
        medians(RUNS, || measure(&mut python, scratch)),
    ));
    if let Some(cli) = std::env::var_os("WASM_WORKFLOWS_BIN") {
        let mut command = Command::new(cli);
        command
            .args(["run", &module.display().to_string(), "--param", "trim_blocks=true", "--output-dir"])
            .arg(&output_dir)
            .arg("--artifact")
            .arg(format!("template={}:/report.j2", template.display()))
            .arg("--artifact")
            .arg(format!("context={}:/items.json", context_file.display()))
            .env("WASM_WORKFLOWS_CACHE_DIR", &cache);
        rows.push((
            "template through `wasm-workflows run` (a process: start-up, cached module, run)".to_owned(),
            medians(RUNS, || measure(&mut command, scratch)),
        ));
        assert!(std::fs::read_to_string(output_dir.join("result.txt")).unwrap() == expected);
    }
    let (run_time, _, _) = medians(RUNS, || {
        let start = Instant::now();
        let outcome = runner.run(&module, &run_options).unwrap();
        assert_eq!(outcome.node.phase, Phase::Succeeded);
        (outcome.run_time, start.elapsed(), None)
    });
    let baseline = rows[0].1.1.as_secs_f64();
    for (what, (wall, cpu, rss)) in &rows {
        let ratio = cpu.as_secs_f64() / baseline;
        println!(
            "| {what} | {} | {} | {ratio:.2}× | {:.0} MiB |",
            seconds(*wall),
            seconds(*cpu),
            rss.unwrap_or_default() as f64 / 1024.0
        );
    }
    // The runner's row has no CPU time of its own: its wall time is the run's.
    println!(
        "| template in wasm (runner in this process; the run alone, compiled module cached) | {} | — | — | — |\n",
        seconds(run_time)
    );
}
