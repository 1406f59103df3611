//! What makes the crates publishable: the files `wasm-workflows new` carries
//! are listed in `cli/carried-files.txt` exactly as git tracks them (so a
//! package carries no stray file and misses none), and every publishable
//! crate of the workspace has the registry's metadata. `scripts/package.sh`
//! packages and verifies the crates themselves.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use wasm_workflows_test_support::harness::workspace_root;

const LIST: &str = "cli/carried-files.txt";

/// Not `--offline`: metadata wants every crate of Cargo.lock (other
/// platforms' too), which a machine that only built the project lacks.
fn cargo_metadata(extra: &[&str]) -> Value {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .args(extra)
        .current_dir(workspace_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The folders (relative to the workspace) of the SDK's crate and of the
/// workspace crates it depends on (not for tests), transitively: what a Rust
/// project gets in `vendor/`.
fn sdk_crate_folders(metadata: &Value) -> Vec<(String, Value)> {
    let root = workspace_root();
    let packages = metadata["packages"].as_array().unwrap();
    let members: Vec<&Value> = metadata["workspace_members"].as_array().unwrap().iter().collect();
    let nodes = metadata["resolve"]["nodes"].as_array().unwrap();
    let mut found: Vec<(String, Value)> = Vec::new();
    let sdk = packages.iter().find(|p| p["name"] == "wasm-workflows-sdk").unwrap();
    let mut pending = vec![sdk["id"].clone()];
    while let Some(id) = pending.pop() {
        let package = packages.iter().find(|p| p["id"] == id).unwrap();
        let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap());
        let folder = manifest.parent().unwrap().strip_prefix(&root).unwrap().to_str().unwrap().to_owned();
        if found.iter().any(|(seen, _)| *seen == folder) {
            continue;
        }
        let node = nodes.iter().find(|node| node["id"] == id).unwrap();
        for dep in node["deps"].as_array().unwrap() {
            let not_only_dev = dep["dep_kinds"].as_array().unwrap().iter().any(|kind| kind["kind"] != "dev");
            if not_only_dev && members.contains(&&dep["pkg"]) {
                pending.push(dep["pkg"].clone());
            }
        }
        found.push((folder, package.clone()));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// What the list must hold: every tracked file of `templates/`, the world
/// and `wit/deps/`, the workspace manifest (what the SDK's crates inherit),
/// and each SDK crate's manifest, build script, readme and `src/`.
fn expected_list() -> String {
    let metadata = cargo_metadata(&[]);
    let mut pathspecs: Vec<String> =
        ["Cargo.toml", "templates", "wit/world.wit", "wit/deps"].iter().map(|s| s.to_string()).collect();
    for (folder, package) in sdk_crate_folders(&metadata) {
        for file in ["Cargo.toml", "build.rs", "src"] {
            pathspecs.push(format!("{folder}/{file}"));
        }
        if let Some(readme) = package["readme"].as_str() {
            pathspecs.push(format!("{folder}/{readme}"));
        }
    }
    let output = Command::new("git")
        .args(["ls-files", "--stage", "--"])
        .args(&pathspecs)
        .current_dir(workspace_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "git ls-files: {}", String::from_utf8_lossy(&output.stderr));
    let mut lines: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let (stage, path) = line.split_once('\t').unwrap();
            let mode = match stage.split(' ').next().unwrap() {
                "100644" => "644",
                "100755" => "755",
                other => panic!("{path} is tracked with mode {other}: `new` carries plain files only"),
            };
            format!("{mode} {path}")
        })
        .collect();
    lines.sort_by(|a, b| a[4..].cmp(&b[4..]));
    let header = std::fs::read_to_string(workspace_root().join(LIST))
        .unwrap_or_default()
        .lines()
        .take_while(|line| line.starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect::<String>();
    format!("{header}{}\n", lines.join("\n"))
}

#[test]
fn the_carried_files_are_the_tracked_files() {
    let expected = expected_list();
    let file = workspace_root().join(LIST);
    if std::env::var_os("UPDATE_CARRIED_FILES").is_some() {
        std::fs::write(&file, &expected).unwrap();
    }
    let listed = std::fs::read_to_string(&file).unwrap();
    let paths = |text: &str| -> BTreeSet<String> {
        text.lines().filter(|l| !l.starts_with('#')).map(|l| l[4..].to_owned()).collect()
    };
    let (expected_paths, listed_paths) = (paths(&expected), paths(&listed));
    assert!(
        listed == expected,
        "{LIST} is not what git tracks (missing: {:?}; not tracked: {:?}; or a mode differs). \
         Update it: UPDATE_CARRIED_FILES=1 cargo test -p wasm-workflows-cli --test packaging",
        expected_paths.difference(&listed_paths).collect::<Vec<_>>(),
        listed_paths.difference(&expected_paths).collect::<Vec<_>>(),
    );
    for must in ["templates/rust/Cargo.toml", "templates/python/build.sh", "wit/world.wit", "wit/deps/http.wit"] {
        assert!(listed_paths.contains(must), "{must}");
    }
    assert!(listed_paths.iter().any(|path| path.starts_with("sdk/src/")));
    assert!(listed_paths.iter().any(|path| path.starts_with("macros/src/")), "the SDK's macro crate is carried");
    assert!(!listed_paths.iter().any(|path| path.contains("/tests/") || path.ends_with(".wasm")));
}

/// The packages of the workspace that `cargo publish` would publish.
fn publishable(metadata: &Value) -> Vec<Value> {
    let members = metadata["workspace_members"].as_array().unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            members.contains(&p["id"]) && p["publish"].as_array().is_none_or(|registries| !registries.is_empty())
        })
        .cloned()
        .collect()
}

#[test]
fn every_publishable_crate_has_the_registry_metadata() {
    let metadata = cargo_metadata(&["--no-deps"]);
    let packages = publishable(&metadata);
    let names: BTreeSet<&str> = packages.iter().map(|p| p["name"].as_str().unwrap()).collect();
    for expected in ["wasm-workflows-sdk", "wasm-workflows-macros", "wasm-workflows-cli"] {
        assert!(names.contains(expected), "{expected} is not publishable: {names:?}");
    }
    for package in &packages {
        let name = package["name"].as_str().unwrap();
        let dir = Path::new(package["manifest_path"].as_str().unwrap()).parent().unwrap().to_owned();
        for key in ["description", "license", "repository", "rust_version", "readme"] {
            assert!(package[key].as_str().is_some_and(|v| !v.is_empty()), "{name} has no {key}");
        }
        let readme = dir.join(package["readme"].as_str().unwrap());
        assert!(readme.is_file(), "{name}'s readme {} is missing", readme.display());
        let keywords = package["keywords"].as_array().unwrap();
        assert!((1..=5).contains(&keywords.len()), "{name}: crates.io takes 1 to 5 keywords, not {keywords:?}");
        for keyword in keywords {
            let keyword = keyword.as_str().unwrap();
            assert!(
                keyword.len() <= 20
                    && keyword.starts_with(|c: char| c.is_ascii_alphabetic())
                    && keyword.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{name}: keyword {keyword:?} is not one crates.io accepts"
            );
        }
        let categories = package["categories"].as_array().unwrap();
        assert!((1..=5).contains(&categories.len()), "{name}: categories {categories:?}");
        let docs_rs = &package["metadata"]["docs"]["rs"];
        assert!(docs_rs["targets"].as_array().is_some_and(|t| !t.is_empty()), "{name} has no docs.rs targets");
        // Workspace path dependencies must also name a version, or the
        // package cannot point at the published crate.
        for dependency in package["dependencies"].as_array().unwrap() {
            if dependency["path"].is_string() && dependency["kind"] != "dev" {
                assert!(dependency["req"] != "*", "{name} depends on {} by path only", dependency["name"]);
            }
        }
    }
}
