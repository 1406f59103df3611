//! Embeds what `wasm-workflows new` writes: every template of `templates/`
//! (less what a build makes), and the SDK's sources (`sdk/`, `macros/`)
//! with manifests that stand alone outside this workspace, so a Rust project
//! made by `new` builds on a machine that has only the CLI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What a template's build makes or fetches: never embedded.
const BUILD_OUTPUTS: &[&str] = &["module.wasm", "node_modules", "target", ".zig-cache", "zig-out", "__pycache__"];

/// The SDK's crates: workspace folder and crate name.
const SDK_CRATES: &[(&str, &str)] = &[("sdk", "wasm-workflows-sdk"), ("macros", "wasm-workflows-macros")];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().unwrap().to_owned();
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let mut code = String::new();

    code.push_str("/// Each template's files: language, path in the template, contents, executable.\n");
    code.push_str("pub(crate) static TEMPLATE_FILES: &[(&str, &str, &[u8], bool)] = &[\n");
    let templates = workspace.join("templates");
    println!("cargo::rerun-if-changed={}", templates.display());
    let mut languages: Vec<PathBuf> = read_dir(&templates).into_iter().filter(|path| path.is_dir()).collect();
    languages.sort();
    for language in &languages {
        let name = language.file_name().unwrap().to_str().unwrap();
        for file in files(language) {
            let relative = file.strip_prefix(language).unwrap().to_str().unwrap().replace('\\', "/");
            writeln!(code, "    ({name:?}, {relative:?}, include_bytes!({:?}), {}),", file, executable(&file)).unwrap();
        }
    }
    code.push_str("];\n\n");

    let root: toml::Table = read_toml(&workspace.join("Cargo.toml"));
    code.push_str("/// The SDK's crates: crate name, path in the crate, contents.\n");
    code.push_str("pub(crate) static SDK_FILES: &[(&str, &str, &[u8])] = &[\n");
    for (folder, crate_name) in SDK_CRATES {
        let dir = workspace.join(folder);
        println!("cargo::rerun-if-changed={}", dir.join("Cargo.toml").display());
        println!("cargo::rerun-if-changed={}", dir.join("src").display());
        let manifest = standalone_manifest(&read_toml(&dir.join("Cargo.toml")), &root);
        let written = out_dir.join(format!("{crate_name}.Cargo.toml"));
        std::fs::write(&written, manifest).unwrap();
        writeln!(code, "    ({crate_name:?}, \"Cargo.toml\", include_bytes!({written:?})),").unwrap();
        let mut sources = files(&dir.join("src"));
        if dir.join("README.md").is_file() {
            println!("cargo::rerun-if-changed={}", dir.join("README.md").display());
            sources.push(dir.join("README.md"));
        }
        for file in sources {
            let relative = file.strip_prefix(&dir).unwrap().to_str().unwrap().replace('\\', "/");
            writeln!(code, "    ({crate_name:?}, {relative:?}, include_bytes!({file:?})),").unwrap();
        }
    }
    code.push_str("];\n");
    println!("cargo::rerun-if-changed={}", workspace.join("Cargo.toml").display());
    std::fs::write(out_dir.join("embedded.rs"), code).unwrap();
}

fn read_dir(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).collect()
}

/// The files below `dir`, sorted, less build outputs.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut entries = read_dir(dir);
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap();
        if BUILD_OUTPUTS.contains(&name) || name.ends_with(".wasm") {
            continue;
        }
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[cfg(unix)]
fn executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).unwrap().permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(file: &Path) -> bool {
    file.extension().is_some_and(|extension| extension == "sh")
}

fn read_toml(file: &Path) -> toml::Table {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    text.parse().unwrap_or_else(|e| panic!("{}: {e}", file.display()))
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
