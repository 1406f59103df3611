//! Hostile modules (tests/hostile/*.wat) through `wasm-workflows run` and
//! through `wasm-workflows serve` with an S3 artifact repository: each ends
//! as a `Failed` node that says what the module did, nothing outside the
//! work directory is read or written on its behalf, and the host is alive
//! with its slot free afterwards.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::s3_server::S3Server;
use wasm_workflows_test_support::serve::{ServeProcess, wasm_request};

const BINARY: &str = env!("CARGO_BIN_EXE_wasm-workflows");

/// What a case must end with.
enum Expect {
    /// A `Failed` node whose message contains each of these.
    Failed(&'static [&'static str]),
    /// A `Succeeded` node with an output artifact whose contents contain this.
    Succeeded { artifact: &'static str, contains: &'static str },
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
        module: "many-outputs",
        outputs: &["a"],
        expect: Expect::Failed(&["the module listed 5000 output artifacts; a node may have at most 1000"]),
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

fn check(case: &Case, node: &Value, artifact_contents: impl Fn(&str) -> Vec<u8>) {
    let message = node["message"].as_str().unwrap_or_default();
    match case.expect {
        Expect::Failed(parts) => {
            assert_eq!(node["phase"], "Failed", "{}: {node}", case.module);
            for part in parts {
                assert!(message.contains(part), "{}: {message:?} lacks {part:?}", case.module);
            }
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
        let started = Instant::now();
        let ran = Command::new(BINARY)
            .arg("run")
            .arg(fixture(case.module))
            .arg("--output-dir")
            .arg(output_dir.path())
            .args(["--timeout", "2", "--max-memory", "64", "--no-cache"])
            .output()
            .unwrap();
        let took = started.elapsed();
        let stdout = String::from_utf8_lossy(&ran.stdout);
        let node: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("{}: not a node ({e}): {stdout}\n{}", case.module, String::from_utf8_lossy(&ran.stderr))
        });
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
        assert!(took < Duration::from_secs(10), "{}: took {took:?}", case.module);
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
    let host = ServeProcess::start(
        Path::new(BINARY),
        &[&["--max-concurrent", "1", "--max-memory", "64"][..], &repository.serve_args()].concat(),
    );
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
        request["template"]["timeout"] = json!("2s");
        request["template"]["outputs"]["artifacts"] =
            Value::Array(case.outputs.iter().map(|name| json!({"name": name, "path": format!("/{name}")})).collect());
        let started = Instant::now();
        let answer = host.execute(&request.to_string());
        assert!(started.elapsed() < Duration::from_secs(15), "{}: took {:?}", case.module, started.elapsed());
        let node = &answer["node"];
        check(case, node, |artifact| {
            let key = node["outputs"]["artifacts"].as_array().unwrap().iter().find(|a| a["name"] == artifact).unwrap()
                ["s3"]["key"]
                .as_str()
                .unwrap()
                .to_owned();
            std::fs::read(s3.object_file("artifacts", &key)).unwrap()
        });
        // The host is alive, and its one slot is free.
        let fine = host.execute(&wasm_request(&format!("after-{}", case.module), &well_behaved, &[], json!({})));
        assert_eq!(fine["node"]["message"], "fine", "after {}: {fine}", case.module);
    }
    let stored = files_below(&s3.object_file("artifacts", ""));
    assert_eq!(leaked(&stored, &secret), Vec::<PathBuf>::new(), "a host file reached the bucket");
    assert_eq!(host.get("/healthz"), (200, "ok\n".to_owned()));
}
