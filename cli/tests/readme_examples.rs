//! Every module README's example runs are true: each ```console block is a
//! transcript, and every command in it is run, in bash, in a scratch folder,
//! and must print exactly what the README shows (stdout and stderr, as a
//! terminal shows them). So a README edited later stays checked.
//!
//! In a transcript:
//! - `NAME.wasm` is module NAME's shipping build for wasm32-wasip1, and
//!   `NAME-wasip2.wasm` its build for wasm32-wasip2; `wasm-workflows` is
//!   this crate's binary;
//! - the files of the module's `tests/data/` are in the folder;
//! - `cat FILE` of a file that is not there writes it with the lines shown;
//! - `cargo …` (how to build) is not run, and shows no output;
//! - a block fenced as `sh` instead of `console` is a command to type, not
//!   a transcript, and is not run (for example one that needs the network).

use std::path::Path;
use std::process::Command;

use wasm_workflows_test_support::cargo_build::{WasmTarget, target_dir};
use wasm_workflows_test_support::harness::{module, workspace_root};

/// One `$ command` of a transcript and the lines shown after it.
#[derive(Debug)]
struct Step {
    /// Where it is: README and line.
    at: String,
    command: String,
    shown: Vec<String>,
}

/// The transcripts (```console blocks) of Markdown `text`, from file `name`.
fn transcripts(text: &str, name: &str) -> Vec<Vec<Step>> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((_, line)) = lines.next() {
        if line.trim_end() != "```console" {
            continue;
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut continued = false;
        for (number, line) in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            if continued {
                let step = steps.last_mut().unwrap();
                step.command.push('\n');
                step.command.push_str(line);
                continued = line.ends_with('\\');
            } else if let Some(command) = line.strip_prefix("$ ") {
                let at = format!("{name}:{}", number + 1);
                steps.push(Step { at, command: command.to_owned(), shown: Vec::new() });
                continued = command.ends_with('\\');
            } else {
                let step = steps
                    .last_mut()
                    .unwrap_or_else(|| panic!("{name}:{}: a transcript starts with a `$ ` command", number + 1));
                step.shown.push(line.to_owned());
            }
        }
        blocks.push(steps);
    }
    blocks
}

/// The modules whose builds a command names, as (file name, module, target).
fn modules_named(command: &str, modules: &[String]) -> Vec<(String, String, WasmTarget)> {
    let mut named = Vec::new();
    for word in command.split(|c: char| c.is_whitespace() || "='\";|&<>()".contains(c)) {
        let Some(stem) = word.strip_suffix(".wasm") else { continue };
        let (name, target) = match stem.strip_suffix("-wasip2") {
            Some(name) => (name, WasmTarget::Wasip2),
            None => (stem, WasmTarget::Wasip1),
        };
        if modules.iter().any(|module| module == name) {
            named.push((word.to_owned(), name.to_owned(), target));
        }
    }
    named
}

/// Runs one command as a terminal would, in `dir`: what it prints.
fn run(command: &str, dir: &Path) -> String {
    let cli_dir = Path::new(env!("CARGO_BIN_EXE_wasm-workflows")).parent().unwrap().to_owned();
    let path =
        std::env::join_paths(std::iter::once(cli_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())))
            .unwrap();
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("exec 2>&1\n{command}"))
        .current_dir(dir)
        .env("PATH", path)
        // Compiled modules are kept between test runs: only the first run compiles.
        .env("WASM_WORKFLOWS_CACHE_DIR", target_dir(&workspace_root()).join("readme-examples-cache"))
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn module_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(workspace_root().join("modules"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Checks every transcript of one module's README: the number of commands
/// run, and what each one that printed something else printed.
fn check_readme(name: &str, modules: &[String]) -> (usize, Vec<String>) {
    let folder = workspace_root().join("modules").join(name);
    let (mut ran, mut wrong) = (0, Vec::new());
    let readme = std::fs::read_to_string(folder.join("README.md")).unwrap();
    for steps in transcripts(&readme, &format!("modules/{name}/README.md")) {
        let scratch = tempfile::tempdir().unwrap();
        let data = folder.join("tests/data");
        for file in std::fs::read_dir(&data).into_iter().flatten() {
            let file = file.unwrap().path();
            if file.is_file() {
                std::fs::copy(&file, scratch.path().join(file.file_name().unwrap())).unwrap();
            }
        }
        for step in steps {
            if step.command.starts_with("cargo ") {
                assert!(step.shown.is_empty(), "{}: `{}` is not run, so it can show no output", step.at, step.command);
                continue;
            }
            for (file, module_name, target) in modules_named(&step.command, modules) {
                let copy = scratch.path().join(&file);
                if !copy.exists() {
                    std::fs::copy(module(&module_name, target), copy).unwrap();
                }
            }
            if let Some(file) = step.command.strip_prefix("cat ").filter(|file| !file.contains(' '))
                && !scratch.path().join(file).exists()
            {
                let mut contents = step.shown.join("\n");
                contents.push('\n');
                std::fs::write(scratch.path().join(file), contents).unwrap();
                continue;
            }
            let printed = run(&step.command, scratch.path());
            let printed: Vec<&str> = printed.lines().collect();
            if printed != step.shown {
                wrong.push(format!(
                    "{}: `{}` prints something else than the README shows.\n--- shown\n{}\n--- printed\n{}\n",
                    step.at,
                    step.command,
                    step.shown.join("\n"),
                    printed.join("\n"),
                ));
            }
            ran += 1;
        }
    }
    (ran, wrong)
}

#[test]
fn every_module_readme_shows_what_its_example_runs_print() {
    let modules = module_names();
    let mut checked: Vec<(String, usize)> = Vec::new();
    let mut wrong = Vec::new();
    for name in &modules {
        let (ran, wrong_here) = check_readme(name, &modules);
        checked.push((name.clone(), ran));
        wrong.extend(wrong_here);
    }
    assert!(wrong.is_empty(), "{} example runs are not what the READMEs show:\n\n{}", wrong.len(), wrong.join("\n"));
    for (name, ran) in &checked {
        assert!(*ran >= 1, "modules/{name}/README.md runs no example (its ```console blocks show none): {checked:?}");
    }
}

#[test]
fn transcripts_are_read_as_commands_and_their_output() {
    let readme = "text\n```console\n$ cat in.json\n{\"a\": 1}\n$ wasm-workflows run x.wasm \\\n    --param a=1\nout 1\n\nout 2\n```\n```sh\n$ not-run\n```\n";
    let blocks = transcripts(readme, "README.md");
    assert_eq!(blocks.len(), 1, "only the console block is a transcript");
    let steps = &blocks[0];
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].at, "README.md:3");
    assert_eq!(steps[0].command, "cat in.json");
    assert_eq!(steps[0].shown, ["{\"a\": 1}"]);
    assert_eq!(steps[1].command, "wasm-workflows run x.wasm \\\n    --param a=1");
    assert_eq!(steps[1].shown, ["out 1", "", "out 2"]);
    let modules = ["x".to_owned(), "y".to_owned()];
    let named = modules_named("wasm-workflows run x.wasm; cp y-wasip2.wasm z.wasm", &modules);
    assert_eq!(
        named,
        [
            ("x.wasm".to_owned(), "x".to_owned(), WasmTarget::Wasip1),
            ("y-wasip2.wasm".to_owned(), "y".to_owned(), WasmTarget::Wasip2)
        ]
    );
}
