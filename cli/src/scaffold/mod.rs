//! `wasm-workflows new`: a project from one of the templates this binary
//! carries, named after its folder. A Rust project gets the SDK's sources the
//! CLI carries in `vendor/` (the SDK is not on crates.io yet), or a path to
//! another copy of them (`--sdk-path`), so it builds without this repository.
//! A component project (Python, JavaScript) gets the component world and its
//! WASI packages (the repository's `wit/`) in `wit/`.

mod embedded;
mod project_name;

use std::path::{Path, PathBuf};

pub use self::project_name::project_name;

/// The name every template gives its project, replaced by the new project's.
const PLACEHOLDER_NAME: &str = "workflow-step";

/// How the Rust template names the SDK in the repository.
const REPOSITORY_SDK_PATH: &str = r#"path = "../../sdk""#;

/// Where a Rust project keeps the SDK's sources the CLI carries.
pub const VENDOR_DIR: &str = "vendor";

/// Where a component project keeps the world it builds against.
pub const WIT_DIR: &str = "wit";

/// The languages whose projects build a component against the world in `wit/`.
const COMPONENT_LANGUAGES: &[&str] = &["javascript", "python"];

/// The languages, each with what its template makes.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("assemblyscript", "AssemblyScript with json-as; a core module (wasm32-wasip1)"),
    ("c", "C with cJSON and wasi-libc; a core module (wasm32-wasip1)"),
    ("go", "Go 1.23 with encoding/json; a core module (wasip1)"),
    ("javascript", "JavaScript with componentize-js; a component (wasm32-wasip2)"),
    ("python", "Python with componentize-py; a component (wasm32-wasip2)"),
    ("rust", "Rust with the wasm-workflows SDK; a core module (wasm32-wasip1)"),
    ("zig", "Zig with std.json; a core module (wasm32-wasip1)"),
];

/// Where a Rust project finds the SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkSource {
    /// The sources this CLI carries, written to `vendor/`.
    Carried,
    /// A copy of the SDK's crate folder (`sdk/` of a checkout).
    Path(PathBuf),
}

/// Why a project cannot be made; nothing is written then.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// No template for the language.
    #[error("there is no template for \"{given}\"; the languages are: {}", names().join(", "))]
    UnknownLanguage {
        /// What was asked for.
        given: String,
    },
    /// The folder holds files already.
    #[error("{} exists and is not empty: choose a new folder", .dir.display())]
    NotEmpty {
        /// The folder.
        dir: PathBuf,
    },
    /// No package name can be made from the folder's name.
    #[error("cannot name a project after the folder {}: use letters or digits in its name", .dir.display())]
    Unnamable {
        /// The folder.
        dir: PathBuf,
    },
    /// The SDK folder given is not one.
    #[error("--sdk-path {}: no Cargo.toml of wasm-workflows-sdk there", .path.display())]
    NotAnSdk {
        /// The path given.
        path: PathBuf,
    },
    /// Writing failed.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The template languages.
pub fn names() -> Vec<&'static str> {
    LANGUAGES.iter().map(|(name, _)| *name).collect()
}

/// A project written.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// Its folder.
    pub dir: PathBuf,
    /// Its package name.
    pub name: String,
    /// The files written, relative to the folder.
    pub files: Vec<String>,
}

/// Writes a project of `language` into `dir` (new, or empty).
pub fn create(dir: &Path, language: &str, sdk: &SdkSource) -> Result<NewProject, ScaffoldError> {
    if !LANGUAGES.iter().any(|(name, _)| *name == language) {
        return Err(ScaffoldError::UnknownLanguage { given: language.to_owned() });
    }
    let existed = dir.exists();
    if existed && std::fs::read_dir(dir).map_or(true, |mut entries| entries.next().is_some()) {
        return Err(ScaffoldError::NotEmpty { dir: dir.to_owned() });
    }
    let folder_name =
        std::path::absolute(dir).ok().and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    let name = folder_name
        .as_deref()
        .and_then(project_name)
        .ok_or_else(|| ScaffoldError::Unnamable { dir: dir.to_owned() })?;
    let sdk_path = match sdk {
        SdkSource::Carried => format!("{VENDOR_DIR}/wasm-workflows-sdk"),
        SdkSource::Path(path) => {
            let manifest = std::fs::read_to_string(path.join("Cargo.toml")).unwrap_or_default();
            if !manifest.contains("name = \"wasm-workflows-sdk\"") {
                return Err(ScaffoldError::NotAnSdk { path: path.clone() });
            }
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            absolute.display().to_string()
        }
    };

    let mut files: Vec<(String, Vec<u8>, bool)> = embedded::TEMPLATE_FILES
        .iter()
        .filter(|(template, ..)| *template == language)
        .map(|(_, path, contents, executable)| {
            let contents = match std::str::from_utf8(contents) {
                Ok(text) => {
                    let text = text.replace(PLACEHOLDER_NAME, &name);
                    text.replace(REPOSITORY_SDK_PATH, &format!("path = {sdk_path:?}")).into_bytes()
                }
                Err(_) => contents.to_vec(),
            };
            ((*path).to_owned(), contents, *executable)
        })
        .collect();
    if language == "rust" && *sdk == SdkSource::Carried {
        for (crate_name, path, contents) in embedded::SDK_FILES {
            files.push((format!("{VENDOR_DIR}/{crate_name}/{path}"), contents.to_vec(), false));
        }
    }
    if COMPONENT_LANGUAGES.contains(&language) {
        for (path, contents) in embedded::WIT_FILES {
            files.push((format!("{WIT_DIR}/{path}"), contents.to_vec(), false));
        }
    }

    let written = write_all(dir, &files);
    if let Err(error) = written {
        // Leave nothing behind: the folder as it was.
        if existed {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let _ = if entry.path().is_dir() {
                    std::fs::remove_dir_all(entry.path())
                } else {
                    std::fs::remove_file(entry.path())
                };
            }
        } else {
            let _ = std::fs::remove_dir_all(dir);
        }
        return Err(error);
    }
    Ok(NewProject { dir: dir.to_owned(), name, files: files.into_iter().map(|(path, ..)| path).collect() })
}

fn write_all(dir: &Path, files: &[(String, Vec<u8>, bool)]) -> Result<(), ScaffoldError> {
    for (path, contents, executable) in files {
        let target = dir.join(path);
        let failed = |source| ScaffoldError::Write { path: target.clone(), source };
        std::fs::create_dir_all(target.parent().expect("a file in the project")).map_err(failed)?;
        std::fs::write(&target, contents).map_err(failed)?;
        #[cfg(unix)]
        if *executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).map_err(failed)?;
        }
    }
    Ok(())
}

/// What to do next, for the user.
pub fn next_steps(project: &NewProject, language: &str) -> String {
    let dir = project.dir.display();
    let mut text = format!("created {dir} ({language} template, project \"{}\")\n\nnext:\n", project.name);
    text.push_str(&format!(
        "  cd {dir}\n  less README.md                                   # prerequisites and how to install them\n"
    ));
    text.push_str("  ./build.sh                                       # → module.wasm\n");
    text.push_str("  wasm-workflows run module.wasm --param name=Argo # run it as the Argo WASM plugin would\n");
    text.push_str("  wasm-workflows push module.wasm REGISTRY/REPOSITORY:TAG\n");
    if language == "rust" && project.files.iter().any(|file| file.starts_with(VENDOR_DIR)) {
        text.push_str(&format!(
            "\nThe SDK's sources are in {VENDOR_DIR}/ (it is not on crates.io yet); Cargo.toml points there.\n"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_an_embedded_template_and_only_those() {
        let mut embedded: Vec<&str> = embedded::TEMPLATE_FILES.iter().map(|(language, ..)| *language).collect();
        embedded.dedup();
        assert_eq!(embedded, names());
        for language in names() {
            let has = |file: &str| embedded::TEMPLATE_FILES.iter().any(|(l, path, ..)| *l == language && *path == file);
            assert!(has("build.sh") && has("README.md"), "{language}");
        }
        assert!(
            !embedded::TEMPLATE_FILES
                .iter()
                .any(|(_, path, ..)| path.ends_with(".wasm") || path.contains("node_modules"))
        );
    }

    #[test]
    fn component_projects_get_the_world_and_its_wasi_packages() {
        let paths: Vec<&str> = embedded::WIT_FILES.iter().map(|(path, _)| *path).collect();
        assert!(paths.contains(&"world.wit"), "{paths:?}");
        for package in ["cli", "clocks", "filesystem", "http", "io", "random", "sockets"] {
            assert!(paths.contains(&format!("deps/{package}.wit").as_str()), "{package} missing from {paths:?}");
        }
        let world = embedded::WIT_FILES.iter().find(|(path, _)| *path == "world.wit").unwrap().1;
        assert!(std::str::from_utf8(world).unwrap().contains("import wasi:http/outgoing-handler@"));
        for language in COMPONENT_LANGUAGES {
            assert!(names().contains(language), "{language}");
        }
    }

    #[test]
    fn the_carried_sdk_manifests_stand_alone() {
        for crate_name in ["wasm-workflows-sdk", "wasm-workflows-macros"] {
            let (_, _, manifest) = embedded::SDK_FILES
                .iter()
                .find(|(name, path, _)| *name == crate_name && *path == "Cargo.toml")
                .unwrap();
            let manifest = std::str::from_utf8(manifest).unwrap();
            assert!(!manifest.contains("workspace"), "{crate_name} still inherits from the workspace:\n{manifest}");
            assert!(!manifest.contains("dev-dependencies"), "{manifest}");
        }
    }

    #[test]
    fn refusals_write_nothing() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("new-step");
        let error = create(&dir, "cobol", &SdkSource::Carried).unwrap_err();
        assert!(
            error.to_string().starts_with("there is no template for \"cobol\"; the languages are: assemblyscript, c,")
        );
        assert!(!dir.exists());

        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("keep.txt"), "mine").unwrap();
        assert!(matches!(create(&dir, "c", &SdkSource::Carried), Err(ScaffoldError::NotEmpty { .. })));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

        let error = create(&parent.path().join("x"), "rust", &SdkSource::Path(parent.path().into())).unwrap_err();
        assert!(matches!(error, ScaffoldError::NotAnSdk { .. }), "{error}");
        assert!(!parent.path().join("x").exists());
    }
}
