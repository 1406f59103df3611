//! Hostile modules (tests/hostile/*.wat) through `wasm-workflows run` and
//! through `wasm-workflows serve` with an S3 artifact repository: each ends
//! as a `Failed` node that says what the module did (carrying no artifact),
//! nothing outside the work directory is read or written on its behalf,
//! the host is alive with its slot free afterwards, and nothing is left in
//! its temporary folder.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wasm_workflows_cli::runner::{RunOptions, Runner};
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::s3_server::S3Server;
use wasm_workflows_test_support::serve::{ServeProcess, TOKEN, serve_command, wasm_request};
use wasm_workflows_test_support::wat_steps::StepModule;

const BINARY: &str = env!("CARGO_BIN_EXE_wasm-workflows");

/// What a case must end with.
enum Expect {
    /// A `Failed` node whose message contains each of these.
    Failed(&'static [&'static str]),
    /// A `Succeeded` node with an output artifact whose contents contain this.
    Succeeded { artifact: &'static str, contains: &'static str },
    /// A `Succeeded` node with this message: what the module did is harmless
    /// to the step, and the host must live through what it left.
    SucceededWith(&'static str),
}

struct Case {
    module: &'static str,
    /// The output artifacts the template declares.
    outputs: &'static [&'static str],
    expect: Expect,
}

const CASES: &[Case] = &[
    Case {
        module: "symlink-relative",
        outputs: &["leak"],
        expect: Expect::Failed(&[
            "output artifact \"leak\" (/work/artifacts-out/a/b/c/leak): it is a symbolic link (to \"",
            "etc/passwd\")",
            "follows no link",
        ]),
    },
    Case { module: "symlink-absolute", outputs: &["abs"], expect: Expect::Failed(&["output artifact \"abs\""]) },
    Case {
        module: "symlink-to-directory",
        outputs: &["passwd"],
        expect: Expect::Failed(&["output artifact \"passwd\"", "/work/artifacts-out/etc is a symbolic link"]),
    },
    Case {
        module: "symlink-chain",
        outputs: &["one"],
        expect: Expect::Failed(&["output artifact \"one\"", "it is a symbolic link (to \"two\")"]),
    },
    Case {
        module: "symlink-inside",
        outputs: &["input"],
        expect: Expect::Failed(&["it is a symbolic link (to \"../input.json\")"]),
    },
    Case {
        module: "hard-link",
        outputs: &["copy"],
        expect: Expect::Succeeded { artifact: "copy", contains: "workflow_name" },
    },
    Case {
        module: "table-bomb",
        outputs: &[],
        expect: Expect::Failed(&["the module asked for tables of more than 1000000 elements in all"]),
    },
    Case {
        module: "memory-bomb",
        outputs: &[],
        expect: Expect::Failed(&["the module ran out of memory: it asked for more than the limit of 64 MiB"]),
    },
    Case {
        module: "sleeper",
        outputs: &[],
        expect: Expect::Failed(&["the module ran longer than the timeout of 2 s"]),
    },
    Case {
        module: "stdout-flood",
        outputs: &[],
        expect: Expect::Failed(&["the module wrote more than 1048576 bytes to stdout and stderr"]),
    },
    Case {
        module: "huge-result",
        outputs: &[],
        expect: Expect::Failed(&["the module wrote a /work/result.json of ", "the host reads at most 16777216"]),
    },
    Case {
        module: "long-message",
        outputs: &[],
        // "a" and 4,095 "é" (8,191 bytes) are kept of 1,048,577: one more "é"
        // would pass 8 KiB.
        expect: Expect::Failed(&["aéé", "éé… (1040386 bytes cut)"]),
    },
    Case {
        module: "many-outputs",
        outputs: &["a"],
        expect: Expect::Failed(&["the module listed 5000 output artifacts; a node may have at most 1000"]),
    },
    Case { module: "deep-folders", outputs: &[], expect: Expect::SucceededWith("made a chain of 25000 folders") },
    Case { module: "failed-with-artifact", outputs: &["report"], expect: Expect::Failed(&["failed on purpose"]) },
    Case {
        module: "artifact-unnamed",
        outputs: &[],
        expect: Expect::Failed(&[
            "the module listed an output artifact named \"\", which the host cannot store: it is empty",
        ]),
    },
    Case {
        module: "file-hoarder",
        outputs: &[],
        expect: Expect::Failed(&[
            "the module held more than 64 files, folders and other resources open at once (--max-open-files)",
        ]),
    },
    Case {
        module: "disk-filler",
        outputs: &[],
        expect: Expect::Failed(&["the module wrote more than 128 MiB under /work, its budget (--max-work-dir)"]),
    },
    Case {
        module: "garbage-pointers",
        outputs: &[],
        expect: Expect::Failed(&[
            "the module failed in a host call",
            "the module's own message: every garbage call was refused",
        ]),
    },
];

/// The timeout a case runs with, in seconds: 2 (the sleeper's message names
/// it), or 300 for a harmless case that must succeed, however busy the machine
/// (25,000 folders take a second on an idle disk, two minutes on a loaded one).
fn timeout_of(case: &Case) -> u64 {
    if matches!(case.expect, Expect::SucceededWith(_)) { 300 } else { 2 }
}

/// The budgets every case runs with.
const BUDGETS: [&str; 4] = ["--max-open-files", "64", "--max-work-dir", "128"];

fn fixture(module: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile").join(format!("{module}.wat"))
}

/// What the host must never hand out: the first line of the host's /etc/passwd.
fn secret() -> String {
    std::fs::read_to_string("/etc/passwd").unwrap().lines().next().unwrap().to_owned()
}

/// Every file below `dir`, read.
fn files_below(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                folders.push(entry.path());
            } else {
                found.push((entry.path(), std::fs::read(entry.path()).unwrap_or_default()));
            }
        }
    }
    found
}

fn leaked(files: &[(PathBuf, Vec<u8>)], secret: &str) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(secret))
        .map(|(path, _)| path.clone())
        .collect()
}

/// The work directories left in `temp_dir`.
fn work_dirs_left(temp_dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(temp_dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().starts_with("wasm-workflows-"))
        .collect()
}

/// The longest message a node may carry: the module's own cut to 8 KiB,
/// after what the host says.
const MAX_NODE_MESSAGE: usize = 9 << 10;

fn check(case: &Case, node: &Value, artifact_contents: impl Fn(&str) -> Vec<u8>) {
    let message = node["message"].as_str().unwrap_or_default();
    assert!(message.len() <= MAX_NODE_MESSAGE, "{}: a message of {} bytes", case.module, message.len());
    match case.expect {
        Expect::Failed(parts) => {
            assert_eq!(node["phase"], "Failed", "{}: {node}", case.module);
            for part in parts {
                assert!(message.contains(part), "{}: {message:?} lacks {part:?}", case.module);
            }
            let artifacts = &node["outputs"]["artifacts"];
            assert!(
                artifacts.as_array().is_none_or(Vec::is_empty),
                "{}: a failed node carries artifacts: {artifacts}",
                case.module
            );
        }
        Expect::SucceededWith(expected) => {
            assert_eq!(node["phase"], "Succeeded", "{}: {node}", case.module);
            assert_eq!(message, expected, "{}", case.module);
        }
        Expect::Succeeded { artifact, contains } => {
            assert_eq!(node["phase"], "Succeeded", "{}: {node}", case.module);
            let contents = artifact_contents(artifact);
            assert!(
                String::from_utf8_lossy(&contents).contains(contains),
                "{}: the artifact lacks {contains:?}",
                case.module
            );
        }
    }
}

#[test]
fn through_run() {
    let secret = secret();
    for case in CASES {
        let output_dir = tempfile::tempdir().unwrap();
        let temp_dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let ran = Command::new(BINARY)
            .env("TMPDIR", temp_dir.path())
            .arg("run")
            .arg(fixture(case.module))
            .arg("--output-dir")
            .arg(output_dir.path())
            .args(["--timeout", &timeout_of(case).to_string(), "--max-memory", "64", "--no-cache"])
            .args(BUDGETS)
            .output()
            .unwrap();
        let took = started.elapsed();
        let stdout = String::from_utf8_lossy(&ran.stdout);
        let node: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("{}: not a node ({e}): {stdout}\n{}", case.module, String::from_utf8_lossy(&ran.stderr))
        });
        assert_eq!(work_dirs_left(temp_dir.path()), Vec::<PathBuf>::new(), "{}: left behind", case.module);
        let expected_status = if matches!(case.expect, Expect::Failed(_)) { 1 } else { 0 };
        assert_eq!(ran.status.code(), Some(expected_status), "{}: {node}", case.module);
        check(case, &node, |artifact| {
            let path = node["outputs"]["artifacts"].as_array().unwrap().iter().find(|a| a["name"] == artifact).unwrap()
                ["path"]
                .as_str()
                .unwrap()
                .trim_start_matches('/')
                .to_owned();
            std::fs::read(output_dir.path().join(path)).unwrap()
        });
        let written = files_below(output_dir.path());
        assert_eq!(
            leaked(&written, &secret),
            Vec::<PathBuf>::new(),
            "{}: a host file left the work directory",
            case.module
        );
        if matches!(case.expect, Expect::Failed(_)) {
            assert!(written.is_empty(), "{}: a failed step wrote {written:?}", case.module);
        }
        assert!(took < Duration::from_secs(10 + timeout_of(case)), "{}: took {took:?}", case.module);
        assert!(ran.stderr.len() < (1 << 20) + 4096, "{}: {} bytes of log", case.module, ran.stderr.len());
    }
}

#[test]
fn through_serve_with_an_s3_repository() {
    let secret = secret();
    let registry = TestRegistry::start();
    let s3 = S3Server::start();
    s3.create_bucket("artifacts");
    let repository = s3.repository_for_serve("artifacts");
    let modules = tempfile::tempdir().unwrap();
    let push = |name: &str, wasm: Vec<u8>| {
        let file = modules.path().join(format!("{name}.wasm"));
        std::fs::write(&file, wasm).unwrap();
        let reference = format!("{}/hostile/{name}:1", registry.address());
        let pushed = Command::new(BINARY).arg("push").arg(&file).arg(&reference).output().unwrap();
        assert!(pushed.status.success(), "push {name}: {}", String::from_utf8_lossy(&pushed.stderr));
        reference
    };
    // One slot: every step after a hostile one shows its slot was freed.
    let temp_dir = tempfile::tempdir().unwrap();
    let (mut command, files) = serve_command(Path::new(BINARY), TOKEN);
    command
        .env("TMPDIR", temp_dir.path())
        .args(["--port", "0", "--max-concurrent", "1", "--max-memory", "64"])
        .args(BUDGETS)
        .args(repository.serve_args());
    let host = ServeProcess::spawn(command, files).unwrap_or_else(|log| panic!("serve did not start:\n{log}"));
    let well_behaved = push(
        "well-behaved",
        wat::parse_str(
            r#"(module
              (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 100) "result.json")
              (data (i32.const 200) "{\"phase\":\"Succeeded\",\"message\":\"fine\"}")
              (func (export "_start")
                (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 11) (i32.const 9)
                                  (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)))
                (i32.store (i32.const 20) (i32.const 200))
                (i32.store (i32.const 24) (i32.const 38))
                (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))))"#,
        )
        .unwrap(),
    );
    for case in CASES {
        let image = push(case.module, wat::parse_file(fixture(case.module)).unwrap());
        let mut request: Value =
            serde_json::from_str(&wasm_request(&format!("hostile-{}", case.module), &image, &[], json!({}))).unwrap();
        request["template"]["timeout"] = json!(format!("{}s", timeout_of(case)));
        request["template"]["outputs"]["artifacts"] =
            Value::Array(case.outputs.iter().map(|name| json!({"name": name, "path": format!("/{name}")})).collect());
        let started = Instant::now();
        let answer = host.run_step(&request.to_string());
        assert!(
            started.elapsed() < Duration::from_secs(15 + timeout_of(case)),
            "{}: took {:?}",
            case.module,
            started.elapsed()
        );
        let node = &answer["node"];
        check(case, node, |artifact| {
            let key = node["outputs"]["artifacts"].as_array().unwrap().iter().find(|a| a["name"] == artifact).unwrap()
                ["s3"]["key"]
                .as_str()
                .unwrap()
                .to_owned();
            std::fs::read(s3.object_file("artifacts", &key)).unwrap()
        });
        assert_eq!(work_dirs_left(temp_dir.path()), Vec::<PathBuf>::new(), "{}: left behind", case.module);
        // The host is alive, and its one slot is free.
        let fine = host.execute(&wasm_request(&format!("after-{}", case.module), &well_behaved, &[], json!({})));
        assert_eq!(fine["node"]["message"], "fine", "after {}: {fine}", case.module);
    }
    let stored = files_below(&s3.object_file("artifacts", ""));
    assert_eq!(leaked(&stored, &secret), Vec::<PathBuf>::new(), "a host file reached the bucket");
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
}

#[test]
fn what_a_killed_host_left_is_removed_at_its_next_start() {
    let registry = TestRegistry::start();
    let modules = tempfile::tempdir().unwrap();
    let file = modules.path().join("sleeper.wasm");
    std::fs::write(&file, wat::parse_file(fixture("sleeper")).unwrap()).unwrap();
    let image = format!("{}/hostile/sleeper:1", registry.address());
    let pushed = Command::new(BINARY).arg("push").arg(&file).arg(&image).output().unwrap();
    assert!(pushed.status.success(), "push: {}", String::from_utf8_lossy(&pushed.stderr));
    let temp_dir = tempfile::tempdir().unwrap();
    let start = || {
        let (mut command, files) = serve_command(Path::new(BINARY), TOKEN);
        command.env("TMPDIR", temp_dir.path()).args(["--port", "0"]);
        ServeProcess::spawn(command, files).unwrap_or_else(|log| panic!("serve did not start:\n{log}"))
    };
    let host = start();
    let request = wasm_request("killed", &image, &[], json!({}));
    let origin = host.origin().to_owned();
    std::thread::spawn(move || {
        // Never answered: the host is killed while the step sleeps.
        let _ = wasm_workflows_sdk::http::Request::post(format!("{origin}/api/v1/template.execute"))
            .header("authorization", &format!("Bearer {TOKEN}"))
            .body(request.into_bytes())
            .timeout(Duration::from_secs(30))
            .send();
    });
    let waited = Instant::now();
    while work_dirs_left(temp_dir.path()).is_empty() {
        assert!(waited.elapsed() < Duration::from_secs(20), "the step never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(host); // SIGKILL: no chance to clean up
    let left = work_dirs_left(temp_dir.path());
    assert_eq!(left.len(), 1, "{left:?}");
    // What a module may have made there: a chain too deep to name by path.
    let mut dir = cap_std::fs::Dir::open_ambient_dir(&left[0], cap_std::ambient_authority()).unwrap();
    for _ in 0..5_000 {
        dir.create_dir("d").unwrap();
        dir = dir.open_dir("d").unwrap();
    }
    let host = start();
    assert_eq!(work_dirs_left(temp_dir.path()), Vec::<PathBuf>::new(), "the next start removes it");
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
}

/// The steps past a budget, each with the budget it passes and what its
/// node must say.
const OVER_BUDGET: [(&str, &str); 3] = [
    ("file-hoarder", "the module held more than 64 files, folders and other resources open at once (--max-open-files)"),
    ("disk-filler", "the module wrote more than 16 MiB under /work, its budget (--max-work-dir)"),
    (
        "entry-bomb",
        "the module made more than 1000 files, folders and links under /work, its budget (--max-work-dir-entries)",
    ),
];

/// A good step that runs long enough to overlap its neighbours: it sleeps,
/// writes an output artifact and succeeds.
fn good_step() -> StepModule {
    let result =
        r#"{"phase":"Succeeded","message":"done","outputs":{"artifacts":[{"name":"report","path":"/report"}]}}"#;
    StepModule { sleep_ms: 500, call: None, result: result.into(), writes_report: true }
}

#[test]
fn steps_past_a_budget_spare_their_neighbours_through_runs_engine() {
    let runner = Runner::new(None).unwrap();
    let options = RunOptions {
        timeout: Some(Duration::from_secs(20)),
        max_open_files: Some(64),
        max_work_dir_mib: Some(16),
        max_work_dir_entries: Some(1000),
        ..RunOptions::default()
    };
    let outputs = tempfile::tempdir().unwrap();
    std::thread::scope(|scope| {
        let hostile: Vec<_> = OVER_BUDGET
            .iter()
            .map(|(module, expected)| {
                let (runner, options) = (&runner, &options);
                scope.spawn(move || {
                    let wasm = wat::parse_file(fixture(module)).unwrap();
                    let node = runner.run_bytes(&wasm, Path::new(module), options).unwrap().node;
                    assert_eq!(node.phase, Phase::Failed, "{module}: {}", node.message);
                    assert!(node.message.contains(expected), "{module}: {}", node.message);
                })
            })
            .collect();
        // Good steps while the hostile ones run: each succeeds with its artifact.
        for round in 0..3 {
            let dir = outputs.path().join(round.to_string());
            let good = RunOptions { output_dir: Some(dir.clone()), ..options.clone() };
            let node = runner.run_bytes(&good_step().wasm(), Path::new("good"), &good).unwrap().node;
            assert_eq!(node.phase, Phase::Succeeded, "round {round}: {}", node.message);
            assert_eq!(std::fs::read(dir.join("report")).unwrap(), b"report");
        }
        for step in hostile {
            step.join().unwrap();
        }
    });
}

#[test]
fn steps_past_a_budget_spare_their_neighbours_through_serve() {
    let registry = TestRegistry::start();
    let modules = tempfile::tempdir().unwrap();
    let push = |name: &str, wasm: Vec<u8>| {
        let file = modules.path().join(format!("{name}.wasm"));
        std::fs::write(&file, wasm).unwrap();
        let reference = format!("{}/budget/{name}:1", registry.address());
        let pushed = Command::new(BINARY).arg("push").arg(&file).arg(&reference).output().unwrap();
        assert!(pushed.status.success(), "push {name}: {}", String::from_utf8_lossy(&pushed.stderr));
        reference
    };
    let temp_dir = tempfile::tempdir().unwrap();
    let (mut command, files) = serve_command(Path::new(BINARY), TOKEN);
    command.env("TMPDIR", temp_dir.path()).args(["--port", "0", "--max-concurrent", "4"]).args([
        "--max-open-files",
        "64",
        "--max-work-dir",
        "16",
        "--max-work-dir-entries",
        "1000",
    ]);
    let host = ServeProcess::spawn(command, files).unwrap_or_else(|log| panic!("serve did not start:\n{log}"));
    let hostile: Vec<(String, &str)> = OVER_BUDGET
        .iter()
        .map(|(module, expected)| (push(module, wat::parse_file(fixture(module)).unwrap()), *expected))
        .collect();
    let good = push("good", good_step().wasm());
    std::thread::scope(|scope| {
        let host = &host;
        let running: Vec<_> = hostile
            .iter()
            .map(|(image, expected)| {
                scope.spawn(move || {
                    let mut request: Value =
                        serde_json::from_str(&wasm_request("hostile", image, &[], json!({}))).unwrap();
                    request["template"]["timeout"] = json!("20s");
                    let node = host.run_step(&request.to_string())["node"].clone();
                    assert_eq!(node["phase"], "Failed", "{image}: {node}");
                    assert!(node["message"].as_str().unwrap().contains(expected), "{image}: {node}");
                })
            })
            .collect();
        for round in 0..3 {
            let started = Instant::now();
            let node = host.run_step(&wasm_request(&format!("good-{round}"), &good, &[], json!({})))["node"].clone();
            assert_eq!(node["message"], "done", "round {round}: {node}");
            assert!(started.elapsed() < Duration::from_secs(10), "round {round}: {:?}", started.elapsed());
        }
        for step in running {
            step.join().unwrap();
        }
    });
    assert_eq!(work_dirs_left(temp_dir.path()), Vec::<PathBuf>::new());
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
}
