//! `wasm-workflows new` as a user calls it: the languages, a project named
//! after its folder, and refusals that write nothing. (tests/templates.rs
//! builds and runs a project of every language.)

use std::path::Path;
use std::process::{Command, Output};

fn new(args: &[&str], dir: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"));
    command.arg("new").args(args);
    if let Some(dir) = dir {
        command.arg(dir);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn list_names_every_language() {
    let listed = new(&["--list"], None);
    assert!(listed.status.success());
    let languages: Vec<String> =
        text(&listed.stdout).lines().map(|line| line.split_whitespace().next().unwrap().to_owned()).collect();
    assert_eq!(languages, ["assemblyscript", "c", "go", "javascript", "python", "rust", "zig"]);
}

#[test]
fn a_project_is_named_after_its_folder() {
    let parent = tempfile::tempdir().unwrap();
    for (language, file, expected) in [
        ("javascript", "package.json", "\"name\": \"thumbnail-maker\""),
        ("assemblyscript", "package.json", "\"name\": \"thumbnail-maker\""),
        ("go", "go.mod", "module example.com/thumbnail-maker"),
        ("rust", "Cargo.toml", "name = \"thumbnail-maker\""),
        ("rust", "build.sh", "release/thumbnail-maker.wasm"),
    ] {
        let dir = parent.path().join(language).join("Thumbnail Maker");
        if !dir.exists() {
            let made = new(&["--template", language], Some(&dir));
            assert!(made.status.success(), "{}", text(&made.stderr));
            assert!(text(&made.stdout).starts_with(&format!("created {} ({language} template", dir.display())));
        }
        let contents = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(contents.contains(expected), "{language}/{file}:\n{contents}");
        assert!(!contents.contains("workflow-step"), "{language}/{file} keeps the placeholder name");
    }
    let build = parent.path().join("go/Thumbnail Maker/build.sh");
    use std::os::unix::fs::PermissionsExt;
    assert_ne!(std::fs::metadata(build).unwrap().permissions().mode() & 0o111, 0, "build.sh is executable");
}

#[test]
fn the_rust_sdk_can_come_from_a_path() {
    let parent = tempfile::tempdir().unwrap();
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("sdk");
    let dir = parent.path().join("step");
    let made = new(&["--template", "rust", "--sdk-path", sdk.to_str().unwrap()], Some(&dir));
    assert!(made.status.success(), "{}", text(&made.stderr));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains(&format!("path = {:?}", sdk.display().to_string())), "{manifest}");
    assert!(!dir.join("vendor").exists(), "nothing is vendored with --sdk-path");
}

#[test]
fn refusals_exit_two_and_write_nothing() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("step");
    let unknown = new(&["--template", "cobol"], Some(&dir));
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        text(&unknown.stderr).trim(),
        "error: there is no template for \"cobol\"; the languages are: assemblyscript, c, go, javascript, python, rust, zig"
    );
    assert!(!dir.exists());

    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let taken = new(&["--template", "c"], Some(&dir));
    assert_eq!(taken.status.code(), Some(2));
    assert_eq!(
        text(&taken.stderr).trim(),
        format!("error: {} exists and is not empty: choose a new folder", dir.display())
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    let not_sdk =
        new(&["--template", "rust", "--sdk-path", parent.path().to_str().unwrap()], Some(&parent.path().join("x")));
    assert_eq!(not_sdk.status.code(), Some(2));
    assert!(!parent.path().join("x").exists());

    let usage = new(&["--template", "c"], None);
    assert_eq!(usage.status.code(), Some(2), "no folder is a usage error");
}
