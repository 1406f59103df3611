//! What the host does with modules that break the contract in ways an SDK
//! module never would: hand-written WAT modules that exit explicitly, write
//! no or a broken result, trap, loop, grow memory, or import what is missing.

use std::path::Path;
use std::time::Duration;

use wasm_workflows_cli::runner::{CompileSource, ExitRule, HostError, ModuleCache, RunOptions, Runner};
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::harness::{invocation, options, runner};

/// WASI preview 1's `fd_write` right.
const RIGHT_FD_WRITE: u64 = 1 << 6;

/// A core module whose `_start` writes `result` to /work/result.json, then
/// runs `then` (WAT instructions).
fn writing_result(result: &str, then: &str) -> String {
    let escaped = result.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"(module
          (import "wasi_snapshot_preview1" "path_open"
            (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "result.json")
          (data (i32.const 256) "{escaped}")
          (func (export "_start")
            ;; open result.json in the first preopen (/work), creating and truncating it, for writing
            (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 11) (i32.const 9)
                                   (i64.const {rights}) (i64.const 0) (i32.const 0) (i32.const 32)))
            (i32.store (i32.const 16) (i32.const 256))
            (i32.store (i32.const 20) (i32.const {length}))
            (drop (call $fd_write (i32.load (i32.const 32)) (i32.const 16) (i32.const 1) (i32.const 40)))
            {then}))"#,
        length = result.len(),
        rights = RIGHT_FD_WRITE
    )
}

const SUCCEEDED: &str = r#"{"phase":"Succeeded","message":"all good","outputs":{"artifacts":[],"parameters":[]}}"#;
const FAILED: &str = r#"{"phase":"Failed","message":"it went wrong","outputs":{}}"#;

fn run_wat(wat: &str, options: &RunOptions) -> PluginResult {
    runner().run_bytes(wat.as_bytes(), Path::new("test.wat"), options).expect("the host runs the module").node
}

fn failed(wat: &str) -> String {
    let node = run_wat(wat, &options(invocation(&[])));
    assert_eq!(node.phase, Phase::Failed, "{node:?}");
    node.message
}

#[test]
fn a_result_written_and_returned_is_the_node() {
    let node = run_wat(&writing_result(SUCCEEDED, ""), &options(invocation(&[])));
    assert_eq!((node.phase, node.message.as_str()), (Phase::Succeeded, "all good"));
}

#[test]
fn an_exit_with_status_zero_after_the_result_is_a_normal_end() {
    let node = run_wat(&writing_result(SUCCEEDED, "(call $proc_exit (i32.const 0))"), &options(invocation(&[])));
    assert_eq!((node.phase, node.message.as_str()), (Phase::Succeeded, "all good"));
    let node = run_wat(&writing_result(FAILED, "(call $proc_exit (i32.const 0))"), &options(invocation(&[])));
    assert_eq!((node.phase, node.message.as_str()), (Phase::Failed, "it went wrong"));
    assert_eq!(
        failed(
            "(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))
                  (memory (export \"memory\") 1) (func (export \"_start\") (call $exit (i32.const 0))))"
        ),
        "the module exited with status 0 without writing /work/result.json"
    );
}

#[test]
fn an_exit_with_another_status_fails_whatever_the_result_says() {
    assert_eq!(
        failed(&writing_result(SUCCEEDED, "(call $proc_exit (i32.const 3))")),
        "the module exited with status 3"
    );
    assert_eq!(
        failed(&writing_result(FAILED, "(call $proc_exit (i32.const 3))")),
        "the module exited with status 3; the module's own message: it went wrong"
    );
}

#[test]
fn under_the_seed_plugins_rule_any_exit_fails() {
    let mut seed = options(invocation(&[]));
    seed.exit_rule = ExitRule::AnyExitFails;
    let node = run_wat(&writing_result(SUCCEEDED, "(call $proc_exit (i32.const 0))"), &seed);
    assert_eq!(node.phase, Phase::Failed);
    assert_eq!(
        node.message,
        "the module exited with status 0 through proc_exit; the original Argo WASM plugin fails any module that \
         calls proc_exit, even with status 0, and ignores its result (--any-exit-fails): return from main instead"
    );
    let node = run_wat(&writing_result(SUCCEEDED, ""), &seed);
    assert_eq!((node.phase, node.message.as_str()), (Phase::Succeeded, "all good"), "a return is fine");
}

#[test]
fn no_or_a_broken_result_is_a_failure_that_says_so() {
    assert_eq!(failed("(module (func (export \"_start\")))"), "the module returned without writing /work/result.json");
    assert_eq!(
        failed(&writing_result("{\"message\": \"no phase\"}", "")),
        "the module wrote an invalid /work/result.json: \"phase\" is missing"
    );
    assert_eq!(
        failed(&writing_result("{\"phase\": \"Succeeded\"", "")),
        "the module wrote an invalid /work/result.json: EOF while parsing an object at line 1 column 21"
    );
}

#[test]
fn a_trap_fails_and_keeps_the_modules_own_message() {
    assert_eq!(
        failed("(module (func (export \"_start\") unreachable))"),
        "the module trapped: wasm `unreachable` instruction executed (a panic or an abort in the module)"
    );
    assert_eq!(
        failed(&writing_result(FAILED, "(drop (i32.div_u (i32.const 1) (i32.const 0)))")),
        "the module trapped: integer divide by zero; the module's own message: it went wrong"
    );
}

#[test]
fn a_failing_host_call_is_reported_without_a_backtrace() {
    let bad_rights = writing_result(SUCCEEDED, "").replace(&format!("(i64.const {RIGHT_FD_WRITE})"), "(i64.const -1)");
    let message = failed(&bad_rights);
    assert!(message.starts_with("the module failed in a host call: "), "{message}");
    assert!(message.contains("path_open"), "{message}");
    assert!(!message.contains("backtrace") && !message.contains('\n'), "{message}");
}

#[test]
fn a_module_that_cannot_start_says_why() {
    let message = failed("(module (import \"env\" \"missing\" (func)) (func (export \"_start\")))");
    assert!(message.starts_with("the module cannot be started: "), "{message}");
    assert!(message.contains("env::missing"), "{message}");
    let message = failed("(module (memory (export \"memory\") 1))");
    assert!(message.starts_with("the module cannot be started: the module has no `_start` function"), "{message}");
}

#[test]
fn timeouts_and_memory_limits_apply_to_any_module() {
    let mut limited = options(invocation(&[]));
    limited.timeout = Some(Duration::from_millis(200));
    let node = run_wat("(module (func (export \"_start\") (loop (br 0))))", &limited);
    assert_eq!(node.message, "the module ran longer than the timeout of 0.2 s (--timeout) and was stopped");

    limited.timeout = None;
    limited.max_memory_mib = Some(2);
    // Grows by 64 pages (4 MiB) and traps if refused, as an allocator would.
    let greedy = "(module (memory 1) (func (export \"_start\")
                    (if (i32.eq (memory.grow (i32.const 64)) (i32.const -1)) (then unreachable))))";
    assert_eq!(
        run_wat(greedy, &limited).message,
        "the module ran out of memory: it asked for more than the limit of 2 MiB (--max-memory)"
    );
    limited.max_memory_mib = Some(8);
    assert_eq!(run_wat(greedy, &limited).message, "the module returned without writing /work/result.json");
}

#[test]
fn what_is_not_a_module_is_a_host_error() {
    let error = runner().run_bytes(b"\0asm\x01\0\0\0garbage", Path::new("bad.wasm"), &options(invocation(&[])));
    assert!(matches!(error, Err(HostError::InvalidModule { .. })), "{error:?}");
    let error = runner().run(Path::new("/no/such/module.wasm"), &options(invocation(&[]))).unwrap_err();
    assert!(error.to_string().starts_with("cannot read the module /no/such/module.wasm: "), "{error}");
}

#[test]
fn a_module_is_compiled_once_then_kept_in_memory_and_in_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let wat = writing_result(SUCCEEDED, "");
    let run =
        |runner: &Runner| runner.run_bytes(wat.as_bytes(), Path::new("cached.wat"), &options(invocation(&[]))).unwrap();
    let first = Runner::new(Some(ModuleCache::new(cache.path()))).unwrap();
    assert_eq!(run(&first).compile, CompileSource::Compiled);
    assert_eq!(run(&first).compile, CompileSource::Memory);
    assert_eq!(run(&first).node.message, "all good");

    // Another runner (another process) finds it in the cache folder.
    let second = Runner::new(Some(ModuleCache::new(cache.path()))).unwrap();
    assert_eq!(run(&second).compile, CompileSource::Cache);

    // A damaged entry is compiled again, not trusted.
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"not a compiled module").unwrap();
    }
    let third = Runner::new(Some(ModuleCache::new(cache.path()))).unwrap();
    let again = run(&third);
    assert_eq!((again.compile, again.node.message.as_str()), (CompileSource::Compiled, "all good"));
    let fourth = Runner::new(Some(ModuleCache::new(cache.path()))).unwrap();
    assert_eq!(run(&fourth).compile, CompileSource::Cache);

    // Mapped rather than read (as `run` loads them): the same entry, and a
    // damaged one is compiled again too.
    let mapped = Runner::new(Some(ModuleCache::new(cache.path()).mapped())).unwrap();
    let loaded = run(&mapped);
    assert_eq!((loaded.compile, loaded.node.message.as_str()), (CompileSource::Cache, "all good"));
    // (a file changed in place while it is mapped is undefined memory, so
    // the runner that maps it is gone first: `run` maps for one step only)
    drop(mapped);
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"damaged").unwrap();
    }
    let mapped = Runner::new(Some(ModuleCache::new(cache.path()).mapped())).unwrap();
    assert_eq!(run(&mapped).compile, CompileSource::Compiled);
}
