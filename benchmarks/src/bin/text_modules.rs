//! The benchmark of the text modules behind docs/benchmarks.md: json-query
//! on a 50 MB document and markdown on a 5 MB one, each measured inside
//! wasm through the runner (compilation excluded, reported apart), as a
//! native build of the same module (a process with
//! `WASM_WORKFLOWS_WORK_DIR`), and against the tool a container step would
//! run — all in one run, so the ratios hold. Prints markdown tables.
//!
//! Run it with `scripts/benchmark.sh` (an optimised build of the host);
//! `text_modules json-query` runs the json-query tables only, `text_modules
//! markdown` the markdown tables only, `text_modules yaml` json-query on a
//! 10 MB stream of Kubernetes manifests beside Debian's `yq` only.
//! Needs jq (1.6, Debian), Python's `jq` package (jq 1.8), jaq
//! (`scripts/setup-jaq.sh`), cmark-gfm, pandoc and yq, and GNU time for CPU
//! time and peak memory; a missing tool fails the run with the package
//! that installs it. json-query is compared by CPU time (user + system):
//! the machine may be shared, and jq, jaq and the module use one core.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wasm_workflows_benchmarks::median::medians;
use wasm_workflows_benchmarks::random::Lcg;
use wasm_workflows_cli::runner::{InputFile, ModuleCache, RunOptions, Runner};
use wasm_workflows_sdk::protocol::{Phase, PluginInvocation};
use wasm_workflows_test_support::cargo_build::{WasmTarget, build_module, target_dir};
use wasm_workflows_test_support::harness::{invocation, options, workspace_root};

/// Timed runs per row (after one warm-up run).
const RUNS: usize = 3;
/// Sizes of the generated documents.
const JSON_BYTES: usize = 50_000_000;
const MARKDOWN_BYTES: usize = 5_000_000;
const MANIFEST_BYTES: usize = 10_000_000;

/// A JSON array of records, about `bytes` long, the same every time.
fn json_document(bytes: usize) -> String {
    const WORDS: [&str; 8] = ["alpha", "beta", "gamma", "delta", "épsilon", "zeta", "eta", "theta"];
    let mut random = Lcg(42);
    let mut text = String::with_capacity(bytes + 1000);
    text.push('[');
    let mut i = 0;
    while text.len() < bytes {
        if i > 0 {
            text.push(',');
        }
        let group = WORDS[random.next(8) as usize];
        text.push_str(&format!(
            "{{\"id\":{i},\"name\":\"item-{i}-{group}\",\"x\":{},\"score\":{}.{:02},\"group\":\"{group}\",\
             \"tags\":[\"{}\",\"{}\"],\"active\":{},\"owner\":{{\"team\":\"team-{}\",\"email\":null}}}}",
            random.next(11),
            random.next(1000),
            random.next(100),
            WORDS[random.next(8) as usize],
            WORDS[random.next(8) as usize],
            random.next(2) == 0,
            random.next(20),
        ));
        i += 1;
    }
    text.push(']');
    text
}

/// A Markdown document about `bytes` long: sections with paragraphs,
/// emphasis, links, lists, task lists, tables, code and quotes, and what
/// GFM's extensions act on: bare URLs and email addresses, a footnote.
fn markdown_document(bytes: usize) -> String {
    let mut random = Lcg(7);
    let mut text = String::with_capacity(bytes + 1000);
    let mut section = 0;
    while text.len() < bytes {
        section += 1;
        let n = random.next(1000);
        text.push_str(&format!(
            "## Section {section}: results of run {n}\n\n\
             The *build* of **step {n}** finished in `{}` seconds; see [the log](https://example.com/runs/{n}) \
             and ~~the old report~~ the <https://example.com/new/{section}> page. Numbers &amp; entities &copy; \
             stay escaped: a < b > c. Mirrors: www.example.org/runs/{n}, https://mirror.example.net/{n}?x=1 \
             or ops@example.com.[^note-{section}]\n\n[^note-{section}]: A footnote of section {section}.\n\n\
             - [x] compiled with `cargo build --release`\n- [ ] benchmarked on {} cores\n- plain item with _emphasis_\n\n\
             | step | seconds | result |\n| :--- | ---: | :---: |\n| build | {} | ok |\n| test | {} | failed |\n\n\
             ```rust\nfn step_{section}() -> u32 {{ {n} }}\n```\n\n\
             > A quoted note about run {n},\n> on two lines.\n\n1. first\n2. second\n\n",
            random.next(60),
            random.next(8) + 1,
            random.next(100),
            random.next(100),
        ));
    }
    text
}

/// A YAML stream of Kubernetes manifests about `bytes` long, separated by
/// `---`: Deployments, Services and ConfigMaps (with a literal block), the
/// same every time.
fn manifests_document(bytes: usize) -> String {
    let mut random = Lcg(24);
    let mut text = String::with_capacity(bytes + 1000);
    let mut n = 0;
    while text.len() < bytes {
        n += 1;
        if n > 1 {
            text.push_str("---\n");
        }
        let team = n % 20;
        let document = match n % 3 {
            0 => format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{n}\n  namespace: team-{team}\n  labels:\n    \
                 app: app-{n}\n    tier: backend\nspec:\n  replicas: {}\n  selector:\n    matchLabels:\n      app: app-{n}\n  \
                 template:\n    metadata:\n      labels:\n        app: app-{n}\n    spec:\n      containers:\n        \
                 - name: main\n          image: registry.example.com/app-{n}:1.{}\n          ports:\n            \
                 - containerPort: 8080\n          env:\n            - name: LOG_LEVEL\n              value: info\n          \
                 resources:\n            limits:\n              cpu: 500m\n              memory: 256Mi\n",
                random.next(9) + 1,
                random.next(100),
            ),
            1 => format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{n}\n  namespace: team-{team}\nspec:\n  selector:\n    \
                 app: app-{n}\n  ports:\n    - port: 80\n      targetPort: 8080\n      protocol: TCP\n"
            ),
            _ => format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{n}\n  namespace: team-{team}\ndata:\n  \
                 enabled: \"true\"\n  settings.yaml: |\n    retries: {}\n    timeout: 30s\n",
                random.next(5) + 1
            ),
        };
        text.push_str(&document);
    }
    text
}

/// Wall time, CPU time (user + system) and peak resident memory of a child process.
struct ProcessRun {
    time: Duration,
    cpu: Duration,
    max_rss_kib: i64,
}

/// Runs `command` to the end, its output to `stdout`, under GNU time
/// (`/usr/bin/time -f "%M %U %S"`) for its peak resident memory and CPU time. (getrusage and
/// wait4 would report this process's own peak for a child it spawns: the
/// high-water mark is inherited across fork and exec.)
fn measure_process(command: &Command, stdout: &Path) -> ProcessRun {
    let memory_file = stdout.with_extension("rss");
    let mut timed = Command::new("/usr/bin/time");
    timed.args(["-f", "%M %U %S", "-o"]).arg(&memory_file).arg(command.get_program()).args(command.get_args());
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            timed.env(key, value);
        }
    }
    let out = std::fs::File::create(stdout).unwrap();
    let start = Instant::now();
    let status = timed.stdout(out).stderr(Stdio::null()).status().unwrap_or_else(|e| panic!("{timed:?}: {e}"));
    let time = start.elapsed();
    assert!(status.success(), "{command:?} failed ({status})");
    let report = std::fs::read_to_string(&memory_file).unwrap();
    let fields: Vec<&str> = report.split_whitespace().collect();
    let max_rss_kib = fields[0].parse().unwrap();
    let cpu = Duration::from_secs_f64(fields[1].parse::<f64>().unwrap() + fields[2].parse::<f64>().unwrap());
    ProcessRun { time, cpu, max_rss_kib }
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn mib(kib: Option<i64>) -> String {
    kib.map_or("—".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0))
}

/// A work directory for a native build of a module: input.json and the input artifact.
fn native_work_dir(invocation: &PluginInvocation, artifact: Option<(&str, &str, &Path)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut invocation = invocation.clone();
    std::fs::create_dir_all(dir.path().join("artifacts-out")).unwrap();
    if let Some((name, path, source)) = artifact {
        let file = dir.path().join("artifacts-in").join(path.trim_start_matches('/'));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::hard_link(source, &file).or_else(|_| std::fs::copy(source, &file).map(|_| ())).unwrap();
        invocation = invocation.with_artifact(name, path);
    }
    std::fs::write(dir.path().join("input.json"), invocation.to_json().to_string()).unwrap();
    dir
}

/// A native (host) release build of `package`.
fn native_build(package: &str) -> PathBuf {
    let root = workspace_root();
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(&root)
        .args(["build", "--quiet", "--release", "--package", package])
        .status()
        .unwrap();
    assert!(status.success(), "native build of {package}");
    target_dir(&root).join("release").join(package)
}

fn require(program: &str, args: &[&str], package: &str) {
    let ok = Command::new(program).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(matches!(ok, Ok(s) if s.success()), "{program} is needed for this benchmark: {package}");
}

/// A row: medians of wall and CPU time, the largest peak memory.
struct Measured {
    what: String,
    wall: Duration,
    cpu: Duration,
    rss: Option<i64>,
}

impl Measured {
    /// The medians of `RUNS` runs after a warm-up.
    fn median(run: impl FnMut() -> (Duration, Duration, Option<i64>)) -> Measured {
        let (wall, cpu, rss) = medians(RUNS, run);
        Measured { what: String::new(), wall, cpu, rss }
    }

    /// A child process under GNU time.
    fn process(scratch: &Path, mut command: impl FnMut() -> Command) -> Measured {
        Measured::median(|| {
            let run = measure_process(&command(), &scratch.join("process.out"));
            (run.time, run.cpu, Some(run.max_rss_kib))
        })
    }

    fn named(self, what: &str) -> Measured {
        Measured { what: what.into(), ..self }
    }
}

/// CPU time (user + system) of this process so far, from /proc/self/stat.
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // The kernel's USER_HZ, 100 on Linux.
    Duration::from_millis(ticks * 10)
}

fn print_measured(rows: &[Measured], baseline: usize) {
    println!(
        "| what | wall, median of {RUNS} | CPU (user + system), median | CPU vs {} | peak memory |",
        rows[baseline].what
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    for row in rows {
        let ratio = row.cpu.as_secs_f64() / rows[baseline].cpu.as_secs_f64();
        println!("| {} | {} | {} | {ratio:.2}× | {} |", row.what, seconds(row.wall), seconds(row.cpu), mib(row.rss));
    }
    println!();
}

/// jaq as a native program: $JAQ, cargo's install root, or PATH (scripts/setup-jaq.sh installs it).
fn jaq_binary() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let candidates = std::env::var_os("JAQ")
        .map(PathBuf::from)
        .into_iter()
        .chain(home.map(|h| h.join("bin/jaq")))
        .chain([PathBuf::from("jaq")]);
    for candidate in candidates {
        if Command::new(&candidate).arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success()) {
            return candidate;
        }
    }
    panic!("jaq is needed for this benchmark: scripts/setup-jaq.sh installs it (or set JAQ to its path)");
}

fn main() {
    require("/usr/bin/time", &["-f", "%M", "true"], "apt-get install time");
    require("jq", &["--version"], "apt-get install jq");
    require("python3", &["-c", "import jq"], "pip install jq (its releases from 1.9 bundle jq 1.8)");
    require("cmark-gfm", &["--version"], "apt-get install cmark-gfm");
    require("pandoc", &["--version"], "apt-get install pandoc");
    require("yq", &["--version"], "apt-get install yq");
    let jq18_version = String::from_utf8(
        Command::new("python3")
            .args(["-c", "import importlib.metadata as m; print(m.version('jq'))"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();

    let root = workspace_root();
    let json_query = build_module(&root, "json-query", WasmTarget::Wasip1, "release").unwrap();
    let markdown = build_module(&root, "markdown", WasmTarget::Wasip1, "release").unwrap();
    let native_json_query = native_build("json-query");
    let native_markdown = native_build("markdown");
    let cli = std::env::var_os("WASM_WORKFLOWS_BIN").map(PathBuf::from);

    let scratch = tempfile::tempdir().unwrap();
    let scratch = scratch.path();
    let cache = scratch.join("cache");
    let runner = Runner::new(Some(ModuleCache::new(&cache))).unwrap();

    // Compilation, reported apart.
    println!("## Compilation of the modules (first run, no cache)\n");
    println!("| module | compile (Cranelift) |\n| --- | ---: |");
    for (name, module) in [("json-query", &json_query), ("markdown", &markdown)] {
        let fresh = Runner::new(None).unwrap();
        // No inputs: the step fails at once, after the compilation that is measured.
        let outcome = fresh.run(module, &options(invocation(&[]))).unwrap();
        println!("| {name} | {} |", seconds(outcome.load_time));
    }
    println!();
    if std::env::args().nth(1).as_deref() == Some("markdown") {
        markdown_tables(&runner, &markdown, &native_markdown, cli.as_deref(), &cache, scratch);
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("yaml") {
        yaml_tables(&runner, &json_query, cli.as_deref(), &cache, scratch);
        return;
    }

    // json-query on 50 MB, beside jq 1.6, jq 1.8 and jaq, by CPU time (user + system).
    let jaq = jaq_binary();
    let jaq_version = String::from_utf8(Command::new(&jaq).arg("--version").output().unwrap().stdout).unwrap();
    let document = scratch.join("document.json");
    let text = json_document(JSON_BYTES);
    std::fs::write(&document, &text).unwrap();
    drop(text);
    let size = std::fs::metadata(&document).unwrap().len();
    for query in [".[] | select(.x > 5) | .name", "group_by(.group) | map({group: .[0].group, count: length})"] {
        println!("## json-query: `{query}` on a {:.0} MB JSON document\n", size as f64 / 1e6);
        let invocation = invocation(&[("query", query)]);
        let mut run_options = options(invocation.clone());
        run_options.input_files.push(InputFile {
            name: "input".into(),
            path: "/document.json".into(),
            source: document.clone(),
        });
        let mut rows = vec![
            Measured::median(|| {
                let before = process_cpu();
                let outcome = runner.run(&json_query, &run_options).unwrap();
                assert_eq!(outcome.node.phase, Phase::Succeeded, "{}", outcome.node.message);
                (outcome.run_time, process_cpu() - before, None)
            })
            .named("json-query in wasm (runner in this process; run time, compiled module cached)"),
        ];
        if let Some(cli) = &cli {
            let args = vec![
                json_query.display().to_string(),
                "--param".into(),
                format!("query={query}"),
                "--artifact".into(),
                format!("input={}:/document.json", document.display()),
            ];
            rows.push(
                Measured::process(scratch, || {
                    let mut command = Command::new(cli);
                    command.arg("run").args(&args).env("WASM_WORKFLOWS_CACHE_DIR", &cache);
                    command
                })
                .named("json-query through `wasm-workflows run` (a process: start-up, cached module, run)"),
            );
        }
        let work = native_work_dir(&invocation, Some(("input", "/document.json", &document)));
        rows.push(
            Measured::process(scratch, || {
                let mut command = Command::new(&native_json_query);
                command.env("WASM_WORKFLOWS_WORK_DIR", work.path());
                command
            })
            .named("json-query, native build (a process)"),
        );
        let jq16 = rows.len();
        rows.push(
            Measured::process(scratch, || {
                let mut command = Command::new("jq");
                command.args(["-c", query]).arg(&document);
                command
            })
            .named("`jq -c` 1.6 (Debian), a process"),
        );
        let python = "import jq, sys, time\ntext = open(sys.argv[1], encoding='utf-8').read()\n\
             start, cpu = time.perf_counter(), time.process_time()\nout = jq.compile(sys.argv[2]).input_text(text).text()\n\
             print(time.perf_counter() - start, time.process_time() - cpu)";
        rows.push(
            Measured::median(|| {
                let run = measure_process(
                    Command::new("python3").args(["-c", python]).arg(&document).arg(query),
                    &scratch.join("py.out"),
                );
                let report = std::fs::read_to_string(scratch.join("py.out")).unwrap();
                let (wall, cpu) = report.trim().split_once(' ').unwrap();
                let secs = |t: &str| Duration::from_secs_f64(t.parse().unwrap());
                (secs(wall), secs(cpu), Some(run.max_rss_kib))
            })
            .named(&format!(
                "jq 1.8 (PyPI jq {}, timed in Python: parse + run + output text, file already read)",
                jq18_version.trim()
            )),
        );
        rows.push(
            Measured::process(scratch, || {
                let mut command = Command::new(&jaq);
                command.args(["-c", query]).arg(&document);
                command
            })
            .named(&format!("`jaq -c` ({}, native, `cargo install jaq`), a process", jaq_version.trim())),
        );
        print_measured(&rows, jq16);
    }

    // `text_modules json-query` stops here.
    if std::env::args().nth(1).as_deref() == Some("json-query") {
        return;
    }

    markdown_tables(&runner, &markdown, &native_markdown, cli.as_deref(), &cache, scratch);
    yaml_tables(&runner, &json_query, cli.as_deref(), &cache, scratch);
}

/// json-query on a 10 MB YAML stream of Kubernetes manifests
/// (`input_format=yaml`), with JSON and with YAML out, beside Debian's `yq`
/// (Python: it reads the YAML, hands JSON to jq 1.6 and, with `-y`, writes
/// jq's output back as YAML). CPU time and peak memory: GNU time counts
/// yq's jq child in the CPU time, and the peak is the larger of the two
/// processes'.
fn yaml_tables(runner: &Runner, json_query: &Path, cli: Option<&Path>, cache: &Path, scratch: &Path) {
    let document = scratch.join("manifests.yaml");
    std::fs::write(&document, manifests_document(MANIFEST_BYTES)).unwrap();
    let size = std::fs::metadata(&document).unwrap().len();
    // Debian's yq 3.1.0 says "yq 0.0.0" to --version: the package's version instead.
    let yq_version = Command::new("dpkg-query").args(["-W", "-f", "${Version}", "yq"]).output().ok();
    let yq_version = yq_version.map_or("version unknown".into(), |o| String::from_utf8_lossy(&o.stdout).into_owned());
    let filters = [
        (
            "select(.kind == \"Deployment\") | {name: .metadata.name, image: .spec.template.spec.containers[0].image}",
            "json",
            "-c",
        ),
        ("select(.kind == \"Service\") | .spec", "yaml", "-y"),
    ];
    for (query, output_format, yq_flag) in filters {
        println!(
            "## json-query, `input_format=yaml`, `output_format={output_format}`: `{query}` on {:.0} MB of Kubernetes manifests\n",
            size as f64 / 1e6
        );
        let mut run_options =
            options(invocation(&[("query", query), ("input_format", "yaml"), ("output_format", output_format)]));
        run_options.input_files.push(InputFile {
            name: "input".into(),
            path: "/manifests.yaml".into(),
            source: document.clone(),
        });
        let mut rows = vec![
            Measured::median(|| {
                let before = process_cpu();
                let outcome = runner.run(json_query, &run_options).unwrap();
                assert_eq!(outcome.node.phase, Phase::Succeeded, "{}", outcome.node.message);
                (outcome.run_time, process_cpu() - before, None)
            })
            .named("json-query in wasm (runner in this process; run time, compiled module cached)"),
        ];
        if let Some(cli) = cli {
            let args = [
                json_query.display().to_string(),
                "--param".into(),
                format!("query={query}"),
                "--param".into(),
                "input_format=yaml".into(),
                "--param".into(),
                format!("output_format={output_format}"),
                "--artifact".into(),
                format!("input={}:/manifests.yaml", document.display()),
            ];
            rows.push(
                Measured::process(scratch, || {
                    let mut command = Command::new(cli);
                    command.arg("run").args(&args).env("WASM_WORKFLOWS_CACHE_DIR", cache);
                    command
                })
                .named("json-query through `wasm-workflows run` (a process: start-up, cached module, run)"),
            );
        }
        let baseline = rows.len();
        rows.push(
            Measured::process(scratch, || {
                let mut command = Command::new("yq");
                command.args([yq_flag, query]).arg(&document);
                command
            })
            .named(&format!("`yq {yq_flag}` (Debian's yq {}: Python, jq 1.6 inside), a process", yq_version.trim())),
        );
        print_measured(&rows, baseline);
        println!("{}\n", same_outputs_as_yq(runner, json_query, &run_options, &document, query, yq_flag));
    }
    std::io::stdout().flush().unwrap();
}

/// Whether json-query's outputs for `query` are yq's: with `-c` the same
/// JSON values, with `-y` the same YAML text (ends of the texts trimmed).
fn same_outputs_as_yq(
    runner: &Runner,
    json_query: &Path,
    options: &RunOptions,
    document: &Path,
    query: &str,
    yq_flag: &str,
) -> String {
    use wasm_workflows_sdk::json::{self, Value};
    let outcome = runner.run(json_query, options).unwrap();
    assert_eq!(outcome.node.phase, Phase::Succeeded, "{}", outcome.node.message);
    let ours = match outcome.node.output_parameter("result") {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let theirs =
        String::from_utf8(Command::new("yq").args([yq_flag, query]).arg(document).output().unwrap().stdout).unwrap();
    let same = if yq_flag == "-c" {
        let ours = match json::parse(&ours).unwrap() {
            Value::Array(values) => values,
            one => vec![one],
        };
        let theirs: Vec<Value> = theirs.lines().map(|line| json::parse(line).unwrap()).collect();
        ours == theirs
    } else {
        ours.trim() == theirs.trim()
    };
    if same {
        format!("json-query's outputs are yq's ({} bytes from yq).", theirs.len())
    } else {
        format!("json-query's outputs differ from yq's ({} bytes here, {} from yq).", ours.len(), theirs.len())
    }
}

/// markdown on 5 MB: the module (as it ships, and with the GFM extensions
/// autolink, tagfilter and footnotes on) beside cmark-gfm and pandoc, by
/// wall and CPU time (user + system), as json-query's tables.
fn markdown_tables(
    runner: &Runner,
    markdown: &Path,
    native_markdown: &Path,
    cli: Option<&Path>,
    cache: &Path,
    scratch: &Path,
) {
    let source = scratch.join("document.md");
    std::fs::write(&source, markdown_document(MARKDOWN_BYTES)).unwrap();
    let size = std::fs::metadata(&source).unwrap().len();
    println!("## markdown on a {:.1} MB Markdown document\n", size as f64 / 1e6);
    let in_wasm = |parameters: &[(&str, &str)], what: &str| {
        let mut run_options = options(invocation(parameters));
        run_options.input_files.push(InputFile {
            name: "input".into(),
            path: "/document.md".into(),
            source: source.clone(),
        });
        let measured = Measured::median(|| {
            let before = process_cpu();
            let outcome = runner.run(markdown, &run_options).unwrap();
            assert_eq!(outcome.node.phase, Phase::Succeeded, "{}", outcome.node.message);
            (outcome.run_time, process_cpu() - before, None)
        });
        (measured.named(what), run_options)
    };
    let cmark_gfm = |extensions: &[&str], what: &str| {
        Measured::process(scratch, || {
            let mut command = Command::new("cmark-gfm");
            for extension in extensions {
                command.args(["-e", extension]);
            }
            command.arg(&source);
            command
        })
        .named(what)
    };
    const PLAIN: [&str; 3] = ["table", "strikethrough", "tasklist"];
    const EXTENDED: [&str; 6] = ["table", "strikethrough", "tasklist", "autolink", "tagfilter", "footnotes"];

    let (wasm, plain_options) = in_wasm(&[], "markdown in wasm (runner; run time, compiled module cached)");
    let mut rows = vec![wasm];
    let work = native_work_dir(&plain_options.invocation, Some(("input", "/document.md", &source)));
    rows.push(
        Measured::process(scratch, || {
            let mut command = Command::new(native_markdown);
            command.env("WASM_WORKFLOWS_WORK_DIR", work.path());
            command
        })
        .named("markdown, native build (a process)"),
    );
    if let Some(cli) = cli {
        let args =
            [markdown.display().to_string(), "--artifact".into(), format!("input={}:/document.md", source.display())];
        rows.push(
            Measured::process(scratch, || {
                let mut command = Command::new(cli);
                command.arg("run").args(&args).env("WASM_WORKFLOWS_CACHE_DIR", cache);
                command
            })
            .named("through `wasm-workflows run` (a process: start-up, cached module, run)"),
        );
    }
    let baseline = rows.len();
    rows.push(cmark_gfm(&PLAIN, "`cmark-gfm -e table -e strikethrough -e tasklist`, a process"));
    rows.push(
        Measured::process(scratch, || {
            let mut command = Command::new("pandoc");
            command.args(["-f", "gfm", "-t", "html"]).arg(&source);
            command
        })
        .named("`pandoc -f gfm -t html`, a process"),
    );
    let (wasm, extended_options) = in_wasm(
        &[("autolink", "true"), ("tagfilter", "true"), ("footnotes", "true")],
        "markdown in wasm, `autolink`, `tagfilter` and `footnotes` on (runner; run time, compiled module cached)",
    );
    rows.push(wasm);
    rows.push(cmark_gfm(&EXTENDED, "`cmark-gfm` with those and `-e autolink -e tagfilter -e footnotes`, a process"));
    print_measured(&rows, baseline);
    for (settings, extensions) in [(&plain_options, &PLAIN[..]), (&extended_options, &EXTENDED[..])] {
        println!("{}", same_html_as_cmark_gfm(runner, markdown, settings, &source, extensions, scratch));
    }
    println!();
    std::io::stdout().flush().unwrap();
}

/// Whether the module's HTML for the document is byte for byte cmark-gfm's
/// with these `extensions`.
fn same_html_as_cmark_gfm(
    runner: &Runner,
    markdown: &Path,
    options: &RunOptions,
    source: &Path,
    extensions: &[&str],
    scratch: &Path,
) -> String {
    let output_dir = scratch.join("markdown-output");
    let mut options = options.clone();
    options.output_dir = Some(output_dir.clone());
    let outcome = runner.run(markdown, &options).unwrap();
    assert_eq!(outcome.node.phase, Phase::Succeeded, "{}", outcome.node.message);
    let ours = std::fs::read(output_dir.join("output.html")).unwrap();
    let mut command = Command::new("cmark-gfm");
    for extension in extensions {
        command.args(["-e", extension]);
    }
    let theirs = command.arg(source).output().unwrap().stdout;
    let flags = extensions.join(", ");
    if ours == theirs {
        format!("- With {flags}: the module's HTML is byte for byte cmark-gfm's ({} bytes).", ours.len())
    } else {
        let at = ours.iter().zip(&theirs).position(|(a, b)| a != b).unwrap_or(ours.len().min(theirs.len()));
        format!("- With {flags}: the module's HTML differs from cmark-gfm's from byte {at}.")
    }
}
