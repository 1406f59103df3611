//! wit/world.wit resolves against the WASI packages of the `wasip2` crate
//! (the SDK's wasip2 bindings), and components built with the SDK import
//! nothing outside it and export `wasi:cli/run`.

use std::collections::BTreeSet;
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
    let linked = Command::new("bash").arg(wit.join("link-deps.sh")).status().unwrap();
    assert!(linked.success(), "wit/link-deps.sh failed");
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
