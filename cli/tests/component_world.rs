//! wit/world.wit resolves against the WASI packages vendored in wit/deps,
//! which are byte for byte those of the `wasip2` crate behind the SDK's
//! wasip2 bindings; components built with the SDK import nothing outside the
//! world and export `wasi:cli/run`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{module, workspace_root};
use wit_parser::{Resolve, WorldKey};

/// Interface names without their version: `wasi:cli/run`.
fn unversioned(name: &str) -> String {
    name.split('@').next().unwrap_or(name).to_owned()
}

fn world_interfaces() -> (BTreeSet<String>, BTreeSet<String>) {
    let wit = workspace_root().join("wit");
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_dir(&wit).expect("wit/ resolves");
    let world = resolve.select_world(&[package], Some("step")).expect("the world `step`");
    let names = |items: Vec<&WorldKey>| -> BTreeSet<String> {
        items
            .into_iter()
            .filter_map(|key| match key {
                WorldKey::Interface(id) => resolve.id_of(*id).map(|name| unversioned(&name)),
                WorldKey::Name(_) => None,
            })
            .collect()
    };
    let world = &resolve.worlds[world];
    (names(world.imports.keys().collect()), names(world.exports.keys().collect()))
}

#[test]
fn the_world_is_a_command_with_outgoing_http() {
    let (imports, exports) = world_interfaces();
    for expected in ["wasi:filesystem/preopens", "wasi:cli/stdout", "wasi:http/outgoing-handler", "wasi:http/types"] {
        assert!(imports.contains(expected), "{expected} missing from {imports:?}");
    }
    assert_eq!(exports, BTreeSet::from(["wasi:cli/run".to_owned()]));
}

/// The folder of the `wasip2` crate the SDK depends on, from `cargo metadata`.
/// Not `--offline`: metadata wants every crate of Cargo.lock, other
/// platforms' included, and a machine that has only built the project has
/// fetched just those its targets need.
fn sdk_wasip2_crate() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(workspace_root().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let id_of = |name: &str| packages.iter().find(|p| p["name"] == name).map(|p| p["id"].clone()).unwrap();
    let sdk = id_of("wasm-workflows-sdk");
    let node = metadata["resolve"]["nodes"].as_array().unwrap().iter().find(|node| node["id"] == sdk).unwrap();
    let wasip2 =
        node["deps"].as_array().unwrap().iter().find(|dep| dep["name"] == "wasip2").expect("the SDK uses wasip2");
    let package = packages.iter().find(|p| p["id"] == wasip2["pkg"]).unwrap();
    PathBuf::from(package["manifest_path"].as_str().unwrap()).parent().unwrap().to_owned()
}

#[test]
fn the_vendored_wasi_packages_are_those_of_the_sdk_bindings() {
    let vendored = workspace_root().join("wit/deps");
    let crate_deps = sdk_wasip2_crate().join("wit/deps");
    let names = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names(&vendored), names(&crate_deps), "wit/deps and {} hold different packages", crate_deps.display());
    for name in names(&vendored) {
        assert!(
            std::fs::read(vendored.join(&name)).unwrap() == std::fs::read(crate_deps.join(&name)).unwrap(),
            "wit/deps/{name} differs from {}: copy the crate's file (see wit/README.md)",
            crate_deps.join(&name).display()
        );
    }
}

#[test]
fn sdk_components_stay_inside_the_world() {
    let (world_imports, world_exports) = world_interfaces();
    let engine = wasmtime::Engine::default();
    let component =
        wasmtime::component::Component::from_file(&engine, module("sdk-probe", WasmTarget::Wasip2)).unwrap();
    let ty = component.component_type();
    let imports: BTreeSet<String> = ty.imports(&engine).map(|(name, _)| unversioned(name)).collect();
    let outside: Vec<&String> = imports.difference(&world_imports).collect();
    assert!(outside.is_empty(), "the component imports {outside:?}, which wit/world.wit does not offer");
    let exports: BTreeSet<String> = ty.exports(&engine).map(|(name, _)| unversioned(name)).collect();
    assert!(exports.is_subset(&world_exports) && !exports.is_empty(), "exports {exports:?}");
}
