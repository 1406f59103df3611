//! The `log` facade in a step: the runtime's logger writes the records of
//! the step and of its dependencies to stderr with their levels. The test
//! runs itself again as a child process and reads the child's stderr.

use std::process::Command;

use wasm_workflows_sdk::prelude::*;
use wasm_workflows_sdk::testing::run_step;

const CHILD: &str = "WASM_WORKFLOWS_LOG_TEST_CHILD";

fn logging(_: PluginInvocation) -> anyhow::Result<PluginResult> {
    wasm_workflows_sdk::log::info!("from the step: {}", 3);
    // What a dependency does: it uses the `log` crate itself.
    log::warn!(target: "some_dependency::pool", "from a dependency");
    log::debug!("a debug record, below the default level");
    wasm_workflows_sdk::log::error(format_args!("from the SDK's {} function", "error"));
    anyhow::bail!("and then it failed")
}

#[test]
fn records_of_the_step_and_its_dependencies_reach_stderr_with_levels() {
    if std::env::var_os(CHILD).is_some() {
        let run = run_step(logging, PluginInvocation::new("wf"));
        assert_eq!(run.result.message, "and then it failed");
        return;
    }
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "records_of_the_step_and_its_dependencies_reach_stderr_with_levels", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(child.status.success(), "{child:?}");
    let stderr = String::from_utf8(child.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().filter(|line| line.starts_with('[')).collect();
    assert_eq!(
        lines,
        [
            "[info] from the step: 3",
            "[warn] from a dependency",
            "[error] from the SDK's error function",
            "[error] step failed: and then it failed",
        ],
        "{stderr}"
    );
}
