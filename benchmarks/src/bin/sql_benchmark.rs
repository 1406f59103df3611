//! The sql module's benchmark behind docs/benchmarks.md: importing a
//! 100 MB CSV and running a `GROUP BY` on it, in wasm through the runner
//! (the compiled module cached), against the `sqlite3` shell doing the same
//! (`.import --csv`, then the query) and DuckDB (PyPI `duckdb`, `read_csv`
//! then the query). Compared by CPU time (user + system), the median of 3
//! runs after a warm-up; prints markdown tables.
//!
//! `cargo run --release -p wasm-workflows-benchmarks --bin sql_benchmark`
//! (`scripts/benchmark.sh` runs it with the optimised host). Needs sqlite3,
//! GNU time and Python's duckdb; a missing tool fails with what installs it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wasm_workflows_benchmarks::median::medians;
use wasm_workflows_benchmarks::random::Lcg;
use wasm_workflows_cli::runner::{InputFile, ModuleCache, Runner};
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::cargo_build::{WasmTarget, build_module};
use wasm_workflows_test_support::harness::{invocation, options, workspace_root};

/// Timed runs per row (after one warm-up run).
const RUNS: usize = 3;
/// The size of the generated CSV.
const CSV_BYTES: usize = 100_000_000;
/// The query every row runs on table `t`.
const QUERY: &str = "SELECT category, count(*) AS n, sum(amount) AS total, avg(qty) AS mean_qty, max(label) AS last_label \
                     FROM t GROUP BY category ORDER BY category";

/// A CSV of orders, about `bytes` long, the same every time: an integer
/// id, one of 40 categories, a decimal amount, an integer quantity (some
/// empty), a date and a label (some quoted, with commas).
fn csv_document(bytes: usize) -> String {
    let mut random = Lcg(7);
    let mut text = String::with_capacity(bytes + 200);
    text.push_str("id,category,amount,qty,day,label\n");
    let mut id = 0u64;
    while text.len() < bytes {
        id += 1;
        let category = random.next(40);
        let amount = format!("{}.{:02}", random.next(5000), random.next(100));
        let qty = if random.next(10) == 0 { String::new() } else { random.next(50).to_string() };
        let day = format!("2026-{:02}-{:02}", random.next(12) + 1, random.next(28) + 1);
        let label = if random.next(4) == 0 {
            format!("\"item {id}, batch {}\"", random.next(100))
        } else {
            format!("item-{id}")
        };
        text.push_str(&format!("{id},category-{category:02},{amount},{qty},{day},{label}\n"));
    }
    text
}

/// CPU time (user + system) of this process so far, from /proc/self/stat.
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// One row: medians of wall and CPU time, and the largest peak memory.
struct Row {
    what: String,
    wall: Duration,
    cpu: Duration,
    rss_kib: Option<i64>,
}

/// The medians of `RUNS` runs of `run` (wall, CPU, peak memory) after a warm-up.
fn median(what: &str, run: impl FnMut() -> (Duration, Duration, Option<i64>)) -> Row {
    let (wall, cpu, rss_kib) = medians(RUNS, run);
    Row { what: what.to_owned(), wall, cpu, rss_kib }
}

/// Runs `program args` under GNU time: wall, CPU (user + system), peak memory; its stdout.
fn process(program: &str, args: &[&str], dir: &Path) -> (Duration, Duration, Option<i64>, String) {
    let report = dir.join("time.out");
    let start = Instant::now();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M %U %S", "-o"])
        .arg(&report)
        .arg(program)
        .args(args)
        .current_dir(dir)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let wall = start.elapsed();
    assert!(output.status.success(), "{program} {args:?} failed ({})", output.status);
    let report = std::fs::read_to_string(&report).unwrap();
    let fields: Vec<&str> = report.split_whitespace().collect();
    let cpu = Duration::from_secs_f64(fields[1].parse::<f64>().unwrap() + fields[2].parse::<f64>().unwrap());
    (wall, cpu, fields[0].parse().ok(), String::from_utf8(output.stdout).unwrap())
}

fn require(program: &str, args: &[&str], install: &str) {
    let ok = Command::new(program).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(ok.is_ok_and(|s| s.success()), "{program} is needed for this benchmark: {install}");
}

fn main() {
    require("/usr/bin/time", &["-f", "%M", "true"], "apt-get install time");
    require("sqlite3", &["--version"], "apt-get install sqlite3");
    require("python3", &["-c", "import duckdb"], "pip install duckdb");
    let sqlite_version = String::from_utf8(Command::new("sqlite3").arg("--version").output().unwrap().stdout).unwrap();
    let sqlite_version = sqlite_version.split_whitespace().next().unwrap_or("").to_owned();
    let duckdb_version = String::from_utf8(
        Command::new("python3").args(["-c", "import duckdb; print(duckdb.__version__)"]).output().unwrap().stdout,
    )
    .unwrap();

    let module = build_module(&workspace_root(), "sql", WasmTarget::Wasip1, "release").unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let csv = dir.join("t.csv");
    std::fs::write(&csv, csv_document(CSV_BYTES)).unwrap();
    let size = std::fs::metadata(&csv).unwrap().len();
    let runner = Runner::new(Some(ModuleCache::new(dir.join("cache")))).unwrap();

    let mut rows = Vec::new();
    let mut module_result = String::new();
    for (types, what) in [
        ("text", "sql in wasm, `types: text` (every column TEXT, as `.import` makes them)"),
        ("infer", "sql in wasm, `types: infer` (the default: a first pass infers the types)"),
    ] {
        let mut run_options = options(invocation(&[("query", QUERY), ("types", types)]));
        run_options.input_files.push(InputFile { name: "t".into(), path: "/t.csv".into(), source: csv.clone() });
        rows.push(median(&format!("{what}; runner in this process, compiled module cached"), || {
            let before = process_cpu();
            let outcome = runner.run(&module, &run_options).unwrap();
            let cpu = process_cpu() - before;
            assert_eq!(outcome.node.phase, Phase::Succeeded, "{}", outcome.node.message);
            if types == "text" {
                module_result = outcome.node.output_parameter("result").unwrap().as_str().unwrap().to_owned();
            }
            (outcome.run_time, cpu, None)
        }));
    }
    let baseline = rows.len();
    let mut shell_result = String::new();
    rows.push(median(
        &format!("`sqlite3 -csv -header` {sqlite_version} (Debian): `.import --csv`, then the query"),
        || {
            let (wall, cpu, rss, out) =
                process("sqlite3", &["-csv", "-header", ":memory:", ".import --csv t.csv t", QUERY], dir);
            shell_result = out;
            (wall, cpu, rss)
        },
    ));
    // The same groups and counts; the sums of REALs differ in the last digits, SQLite 3.43+
    // (the module's 3.50) adding them with compensation where the 3.40 shell does not.
    let groups =
        |csv: &str| csv.lines().map(|l| l.split(',').take(2).collect::<Vec<_>>().join(",")).collect::<Vec<_>>();
    assert_eq!(groups(&module_result), groups(&shell_result), "the module and sqlite3 disagree");
    let duckdb = format!(
        "import duckdb\nduckdb.sql(\"CREATE TABLE t AS SELECT * FROM read_csv('t.csv')\")\n\
         print(duckdb.sql(\"{QUERY}\").fetchall()[:1])"
    );
    rows.push(median(
        &format!(
            "DuckDB {} (PyPI, in Python: start-up, `read_csv` into a table, the query; 2 threads)",
            duckdb_version.trim()
        ),
        || {
            let (wall, cpu, rss, _) = process("python3", &["-c", &duckdb], dir);
            (wall, cpu, rss)
        },
    ));

    println!("## sql: a {:.0} MB CSV imported, then a GROUP BY\n", size as f64 / 1e6);
    println!("Query: `{QUERY}`\n");
    println!("| what | wall, median of {RUNS} | CPU (user + system), median | CPU vs sqlite3 | peak memory |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for row in &rows {
        let ratio = row.cpu.as_secs_f64() / rows[baseline].cpu.as_secs_f64();
        let rss = row.rss_kib.map_or("—".to_owned(), |k| format!("{} MiB", k / 1024));
        println!(
            "| {} | {:.3} s | {:.3} s | {ratio:.2}× | {rss} |",
            row.what,
            row.wall.as_secs_f64(),
            row.cpu.as_secs_f64()
        );
    }
}
