//! `argo-plugin/runwasi/job.yaml` as containerd's runwasi wasmtime shim runs
//! it: the container's root file system preopened as `/`, the step
//! container's `command` as the arguments and its `env` as the environment,
//! `/work/input.json` from the Job's ConfigMap. Nothing there reads
//! `result.json` for Kubernetes, so the exit status must say whether the step
//! failed: the module exits 0 for a `Succeeded` step and non-zero for a
//! `Failed` one, while under `wasm-workflows run` (no environment, as the
//! original plugin) the same `Failed` step still returns normally.

use std::path::Path;
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{module, workspace_root};
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// The Job's documents: its ConfigMap and its Job.
fn job_documents() -> (Value, Value) {
    let text = std::fs::read_to_string(workspace_root().join("argo-plugin/runwasi/job.yaml")).unwrap();
    let documents: Vec<Value> =
        yaml_serde::Deserializer::from_str(&text).map(|document| Value::deserialize(document).unwrap()).collect();
    let of_kind = |kind: &str| documents.iter().find(|d| d["kind"] == kind).unwrap().clone();
    (of_kind("ConfigMap"), of_kind("Job"))
}

/// What ended the module's `_start`: its exit status (0 when it returned).
fn run_as_the_shim(wasm: &Path, rootfs: &Path, step: &Value) -> i32 {
    let command: Vec<String> =
        step["command"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    let env: Vec<(String, String)> = step["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_owned(), e["value"].as_str().unwrap().to_owned()))
        .collect();
    let engine = Engine::default();
    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |cx| cx).unwrap();
    let mut wasi = WasiCtxBuilder::new();
    wasi.inherit_stderr().args(&command).envs(&env);
    wasi.preopened_dir(rootfs, "/", FsPerms::ReadWrite).unwrap();
    let mut store = Store::new(&engine, wasi.build_p1());
    let module = Module::from_file(&engine, wasm).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start").unwrap();
    match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(error) => match error.downcast_ref::<I32Exit>() {
            Some(exit) => exit.0,
            None => panic!("the module trapped: {error:?}"),
        },
    }
}

/// A root file system laid out as the Job's volumes lay it out, with the
/// ConfigMap's invocation changed by `edit`.
fn rootfs(config_map: &Value, edit: impl Fn(&mut Value)) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("work");
    std::fs::create_dir_all(work.join("artifacts-in")).unwrap();
    std::fs::create_dir_all(work.join("artifacts-out")).unwrap();
    let mut invocation: Value = serde_json::from_str(config_map["data"]["input.json"].as_str().unwrap()).unwrap();
    edit(&mut invocation);
    std::fs::write(work.join("input.json"), invocation.to_string()).unwrap();
    root
}

fn result(root: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root.join("work/result.json")).unwrap()).unwrap()
}

#[test]
fn a_failed_step_fails_the_job_and_a_good_one_does_not() {
    let (config_map, job) = job_documents();
    let pod = &job["spec"]["template"]["spec"];
    let step = pod["containers"].as_array().unwrap().iter().find(|c| c["name"] == "step").unwrap();
    let wasm = module("ferris-says", WasmTarget::Wasip1);

    // The Job as shipped: the step succeeds and the container exits 0.
    let good = rootfs(&config_map, |_| {});
    assert_eq!(run_as_the_shim(&wasm, good.path(), step), 0);
    let node = result(good.path());
    assert_eq!(node["phase"], "Succeeded", "{node}");
    assert!(node["outputs"]["parameters"][0]["value"].as_str().unwrap().contains("Hello from runwasi"));

    // A bad parameter: the result says why, and the container exits 1.
    let set_width = |invocation: &mut Value| {
        for parameter in invocation["parameters"].as_array_mut().unwrap() {
            if parameter["name"] == "width" {
                parameter["value"] = "abc".into();
            }
        }
    };
    let bad = rootfs(&config_map, set_width);
    assert_eq!(run_as_the_shim(&wasm, bad.path(), step), 1);
    let node = result(bad.path());
    assert_eq!(node["phase"], "Failed", "{node}");
    assert!(node["message"].as_str().unwrap().contains("width"), "{node}");

    // The plugin's contract is unchanged: `wasm-workflows run` gives the
    // module no environment, so the same Failed step returns normally and
    // its node is the module's own Failed result, not an exit.
    let run = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .arg("run")
        .arg(&wasm)
        .args(["--param", "text=Hello", "--param", "width=abc"])
        .env("WASM_WORKFLOWS_CACHE_DIR", bad.path().join("cache"))
        .env(wasm_workflows_sdk::runtime::FAILED_EXIT_STATUS_ENV, "1")
        .output()
        .unwrap();
    let node: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(node["phase"], "Failed", "{node}");
    let message = node["message"].as_str().unwrap();
    assert!(message.contains("width") && !message.contains("exit"), "{message}");
}
