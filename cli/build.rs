//! Embeds what `wasm-workflows new` writes: the files `carried-files.txt`
//! lists (the tracked files of `templates/`, `wit/` and the SDK's crates,
//! kept equal to `git ls-files` by `tests/packaging.rs`), and the SDK's
//! manifests rewritten to stand alone outside this workspace, so a project
//! made by `new` builds on a machine that has only the CLI.
//!
//! The files come from one of two places:
//! - **in the repository** (a clone, `cargo install --path cli`): from the
//!   repository itself, `..`;
//! - **in the packaged crate** (`cargo package`, `cargo install
//!   wasm-workflows-cli`): from `carried/`, where `scripts/package.sh`
//!   copied them before packaging, each `Cargo.toml` as `Cargo.toml.carried`
//!   (cargo leaves any folder with a `Cargo.toml` out of a package).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The list of carried files, beside this script: `<mode> <path>` lines.
const LIST: &str = "carried-files.txt";

/// Where a package keeps the carried files.
const PACKAGED: &str = "carried";

/// The SDK's own crate: `new` carries it and every workspace crate it depends on.
const SDK_FOLDER: &str = "sdk";

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    println!("cargo::rerun-if-changed={LIST}");
    let source = Source::find(&manifest_dir);
    let listed = read_list(&manifest_dir.join(LIST));
    for path in listed.keys() {
        println!("cargo::rerun-if-changed={}", source.file(path).display());
    }
    let read = |path: &str| -> Vec<u8> {
        assert!(listed.contains_key(path), "{LIST} does not list {path}, which `new` needs");
        let file = source.file(path);
        std::fs::read(&file).unwrap_or_else(|e| panic!("{} (listed in {LIST}): {e}", file.display()))
    };

    let mut code = String::new();
    code.push_str("/// Each template's files: language, path in the template, contents, executable.\n");
    code.push_str("pub(crate) static TEMPLATE_FILES: &[(&str, &str, &[u8], bool)] = &[\n");
    for (path, executable) in &listed {
        let Some((language, relative)) = path.strip_prefix("templates/").and_then(|rest| rest.split_once('/')) else {
            continue;
        };
        let file = source.file(path);
        writeln!(code, "    ({language:?}, {relative:?}, include_bytes!({file:?}), {executable}),").unwrap();
    }
    code.push_str("];\n\n");

    code.push_str("/// The component world and its WASI packages: path in `wit/`, contents.\n");
    code.push_str("pub(crate) static WIT_FILES: &[(&str, &[u8])] = &[\n");
    for path in listed.keys() {
        if let Some(relative) = path.strip_prefix("wit/") {
            writeln!(code, "    ({relative:?}, include_bytes!({:?})),", source.file(path)).unwrap();
        }
    }
    code.push_str("];\n\n");

    let root: toml::Table = parse_toml("Cargo.toml", &read("Cargo.toml"));
    code.push_str("/// The SDK's crates: crate name, path in the crate, contents.\n");
    code.push_str("pub(crate) static SDK_FILES: &[(&str, &str, &[u8])] = &[\n");
    for (folder, crate_name, member) in sdk_crates(&root, &read) {
        let manifest = standalone_manifest(&member, &root);
        let written = out_dir.join(format!("{crate_name}.Cargo.toml"));
        std::fs::write(&written, manifest).unwrap();
        writeln!(code, "    ({crate_name:?}, \"Cargo.toml\", include_bytes!({written:?})),").unwrap();
        let prefix = format!("{folder}/");
        for path in listed.keys() {
            if let Some(relative) = path.strip_prefix(&prefix)
                && relative != "Cargo.toml"
            {
                writeln!(code, "    ({crate_name:?}, {relative:?}, include_bytes!({:?})),", source.file(path)).unwrap();
            }
        }
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("embedded.rs"), code).unwrap();
}

/// Where the carried files are read from.
enum Source {
    /// The repository's root.
    Repository(PathBuf),
    /// A package's `carried/` folder.
    Package(PathBuf),
}

impl Source {
    fn find(manifest_dir: &Path) -> Source {
        let root = manifest_dir.parent().expect("the crate has a parent folder");
        let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
        if workspace.contains("[workspace]") && root.join("templates").is_dir() {
            return Source::Repository(root.to_owned());
        }
        let packaged = manifest_dir.join(PACKAGED);
        assert!(
            packaged.is_dir(),
            "neither the repository ({}) nor {}: a package of wasm-workflows-cli is made with scripts/package.sh",
            root.display(),
            packaged.display()
        );
        Source::Package(packaged)
    }

    /// Where the carried file `path` (relative to the repository) is.
    fn file(&self, path: &str) -> PathBuf {
        match self {
            Source::Repository(root) => root.join(path),
            Source::Package(dir) => dir.join(packaged_name(path)),
        }
    }
}

/// The name `scripts/package.sh` gives a carried file in `carried/`.
fn packaged_name(path: &str) -> String {
    match path.strip_suffix("Cargo.toml") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => format!("{path}.carried"),
        _ => path.to_owned(),
    }
}

/// The list: path → executable.
fn read_list(file: &Path) -> BTreeMap<String, bool> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (mode, path) = line.split_once(' ').unwrap_or_else(|| panic!("{LIST}: not `<mode> <path>`: {line}"));
            let executable = match mode {
                "755" => true,
                "644" => false,
                other => panic!("{LIST}: mode {other} of {path} is neither 644 nor 755"),
            };
            (path.to_owned(), executable)
        })
        .collect()
}

fn parse_toml(path: &str, bytes: &[u8]) -> toml::Table {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.parse().unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The SDK's crate and the workspace crates it depends on, transitively:
/// (folder, crate name, manifest).
fn sdk_crates(root: &toml::Table, read: &dyn Fn(&str) -> Vec<u8>) -> Vec<(String, String, toml::Table)> {
    let shared = root["workspace"]["dependencies"].as_table().unwrap();
    let mut found: Vec<(String, String, toml::Table)> = Vec::new();
    let mut pending = vec![SDK_FOLDER.to_owned()];
    while let Some(folder) = pending.pop() {
        if found.iter().any(|(seen, ..)| *seen == folder) {
            continue;
        }
        let path = format!("{folder}/Cargo.toml");
        let manifest = parse_toml(&path, &read(&path));
        let name = manifest["package"]["name"].as_str().unwrap().to_owned();
        for (dependency, value) in dependency_tables(&manifest).into_iter().flatten() {
            let workspace_path = shared.get(dependency).and_then(|shared| shared.get("path")).and_then(|p| p.as_str());
            if inherits(value)
                && let Some(workspace_path) = workspace_path
            {
                pending.push(workspace_path.to_owned());
            }
        }
        found.push((folder, name, manifest));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// The normal and build dependency tables of a manifest, target-specific ones included.
fn dependency_tables(manifest: &toml::Table) -> Vec<&toml::Table> {
    let targets = manifest.get("target").and_then(toml::Value::as_table);
    let sections =
        std::iter::once(manifest).chain(targets.into_iter().flat_map(|t| t.values().filter_map(toml::Value::as_table)));
    sections
        .flat_map(|section| {
            ["dependencies", "build-dependencies"].map(|key| section.get(key).and_then(toml::Value::as_table))
        })
        .flatten()
        .collect()
}

/// `member`'s manifest with everything it inherits from the workspace
/// written out, workspace path dependencies pointing at their sibling
/// folders (`../<crate name>`), and no dev-dependencies (tests are not carried).
fn standalone_manifest(member: &toml::Table, root: &toml::Table) -> String {
    let workspace = root["workspace"].as_table().unwrap();
    let package_defaults = workspace["package"].as_table().unwrap();
    let dependency_defaults = workspace["dependencies"].as_table().unwrap();
    let mut manifest = member.clone();
    manifest.remove("dev-dependencies");
    let package = manifest.get_mut("package").and_then(toml::Value::as_table_mut).unwrap();
    for (key, value) in package.iter_mut() {
        if inherits(value) {
            *value = package_defaults[key.as_str()].clone();
        }
    }
    package.insert("publish".into(), false.into());
    let mut tables: Vec<&mut toml::Table> = Vec::new();
    let mut targets = None;
    for (key, value) in manifest.iter_mut() {
        match key.as_str() {
            "dependencies" | "build-dependencies" => tables.push(value.as_table_mut().unwrap()),
            "target" => targets = Some(value),
            _ => {}
        }
    }
    if let Some(targets) = targets {
        for (_, target) in targets.as_table_mut().unwrap().iter_mut() {
            let target = target.as_table_mut().unwrap();
            target.remove("dev-dependencies");
            for (key, value) in target.iter_mut() {
                if key == "dependencies" || key == "build-dependencies" {
                    tables.push(value.as_table_mut().unwrap());
                }
            }
        }
    }
    for table in tables {
        for (name, value) in table.iter_mut() {
            if inherits(value) {
                *value = resolved_dependency(name, value, &dependency_defaults[name.as_str()]);
            }
        }
    }
    let header = "# Written by wasm-workflows new: the SDK's sources, carried by the CLI.\n";
    format!("{header}{}", toml::to_string(&manifest).unwrap())
}

fn inherits(value: &toml::Value) -> bool {
    value.as_table().and_then(|table| table.get("workspace")).and_then(toml::Value::as_bool) == Some(true)
}

/// A dependency written `{ workspace = true, … }`: the workspace's entry,
/// with the member's own features and optional flag added.
fn resolved_dependency(name: &str, local: &toml::Value, shared: &toml::Value) -> toml::Value {
    let mut resolved = match shared {
        toml::Value::String(version) => {
            let mut table = toml::Table::new();
            table.insert("version".into(), version.clone().into());
            table
        }
        toml::Value::Table(table) => table.clone(),
        other => panic!("workspace dependency {name}: unexpected {other}"),
    };
    if resolved.remove("path").is_some() {
        resolved.insert("path".into(), format!("../{name}").into());
    }
    let local = local.as_table().unwrap();
    if let Some(features) = local.get("features").and_then(toml::Value::as_array) {
        let merged = resolved.entry("features").or_insert_with(|| toml::Value::Array(Vec::new()));
        merged.as_array_mut().unwrap().extend(features.iter().cloned());
    }
    if let Some(optional) = local.get("optional") {
        resolved.insert("optional".into(), optional.clone());
    }
    toml::Value::Table(resolved)
}
