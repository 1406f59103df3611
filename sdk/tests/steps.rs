//! Steps run through the runtime natively (the same runtime as in a
//! module): results, errors, panics, artifacts and bad input.

use std::io::{Read, Write};

use wasm_workflows_sdk::prelude::*;
use wasm_workflows_sdk::runtime;
use wasm_workflows_sdk::testing::{StepTest, run_step};

fn failing(_: PluginInvocation) -> anyhow::Result<PluginResult> {
    let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "disk says no");
    Err(anyhow::Error::new(io).context("saving the report").context("step could not finish"))
}

#[test]
fn an_error_fails_the_step_with_its_whole_chain() {
    let run = run_step(failing, PluginInvocation::new("wf"));
    assert_eq!(run.result.phase, Phase::Failed);
    assert_eq!(run.result.message, "step could not finish: saving the report: disk says no");
}

fn panicking(invocation: PluginInvocation) -> PluginResult {
    let items: Vec<u8> = Vec::new();
    let index: usize = invocation.parameter_or("index", 5).unwrap();
    PluginResult::succeeded(items[index].to_string())
}

#[test]
fn a_panic_fails_the_step_with_its_message_and_location() {
    let run = run_step(panicking, PluginInvocation::new("wf"));
    assert_eq!(run.result.phase, Phase::Failed);
    assert!(run.result.message.starts_with("the step panicked at sdk/tests/steps.rs:"), "{}", run.result.message);
    assert!(
        run.result.message.ends_with("index out of bounds: the len is 0 but the index is 5"),
        "{}",
        run.result.message
    );
}

#[derive(Debug, thiserror::Error)]
#[error("custom trouble with {0}")]
struct Custom(String);

fn custom_error(_: PluginInvocation) -> Result<PluginResult, Custom> {
    Err(Custom("the widget".into()))
}

#[test]
fn any_error_type_that_converts_into_anyhow_works() {
    assert_eq!(run_step(custom_error, PluginInvocation::new("wf")).result.message, "custom trouble with the widget");
}

fn shout(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    let mut text = String::new();
    invocation.artifact("input")?.open()?.read_to_string(&mut text)?;
    let mut out = OutputArtifact::create("loud", "/deep/er/loud.txt")?;
    out.write_all(text.to_uppercase().as_bytes())?;
    Ok(PluginResult::succeeded("shouted").with_artifact(out.finish()?))
}

#[test]
fn artifacts_are_read_and_written_below_the_work_directory() {
    let run = StepTest::new(PluginInvocation::new("wf")).input_artifact("input", "/tmp/in.txt", "quiet").run(shout);
    assert_eq!(run.result.phase, Phase::Succeeded, "{}", run.result.message);
    assert_eq!(run.result.outputs.artifacts, [ArtifactRef::new("loud", "/deep/er/loud.txt")]);
    assert_eq!(run.output_artifact("loud").unwrap(), b"QUIET");
    assert!(run.work_dir().join("artifacts-out/deep/er/loud.txt").is_file());
}

#[test]
fn a_missing_artifact_names_what_the_invocation_has() {
    let run = StepTest::new(PluginInvocation::new("wf")).input_artifact("other", "/o", "x").run(shout);
    assert_eq!(
        run.result.message,
        "missing input artifact \"input\" (add it to the template's inputs.artifacts; the invocation has \"other\")"
    );
}

#[test]
fn a_listed_artifact_whose_file_is_missing_says_so() {
    let run = run_step(shout, PluginInvocation::new("wf").with_artifact("input", "/never/downloaded"));
    assert!(
        run.result.message.starts_with("input artifact \"input\" is listed, but its file "),
        "{}",
        run.result.message
    );
    assert!(run.result.message.ends_with("artifacts-in/never/downloaded does not exist (did the host download it?)"));
}

#[test]
fn artifact_paths_that_climb_out_are_refused() {
    let run = run_step(shout, PluginInvocation::new("wf").with_artifact("input", "/../input.json"));
    assert_eq!(
        run.result.message,
        "artifact \"input\" has the path \"/../input.json\", which climbs out of the artifacts folder with \"..\"; \
         an artifact path stays inside the artifacts folder, e.g. \"/data/file.txt\""
    );
    fn escape(_: PluginInvocation) -> anyhow::Result<PluginResult> {
        let out = OutputArtifact::create("x", "a/../../result.json")?;
        Ok(PluginResult::succeeded("wrote").with_artifact(out.finish()?))
    }
    let run = run_step(escape, PluginInvocation::new("wf"));
    assert_eq!(run.result.phase, Phase::Failed);
    assert!(run.result.message.contains("climbs out of the artifacts folder"));
    fn nameless(_: PluginInvocation) -> anyhow::Result<PluginResult> {
        Ok(PluginResult::succeeded("").with_artifact(write_output_artifact("x", "/./", b"")?))
    }
    assert!(run_step(nameless, PluginInvocation::new("wf")).result.message.contains("which names no file"));
}

fn echo(invocation: PluginInvocation) -> PluginResult {
    PluginResult::succeeded(invocation.workflow_name)
}

/// Runs `echo` on `input.json` holding `contents` (or none).
fn with_input(contents: Option<&[u8]>) -> PluginResult {
    let dir = tempfile::tempdir().unwrap();
    if let Some(contents) = contents {
        std::fs::write(dir.path().join("input.json"), contents).unwrap();
    }
    wasm_workflows_sdk::workdir::with_root(dir.path(), || runtime::execute(echo));
    let text = std::fs::read_to_string(dir.path().join("result.json")).unwrap();
    assert!(!dir.path().join(".result.json.tmp").exists(), "the temporary file is renamed into place");
    PluginResult::from_json(&text).unwrap()
}

#[test]
fn bad_input_fails_the_step_and_says_why() {
    let message = |contents| {
        let result = with_input(contents);
        assert_eq!(result.phase, Phase::Failed);
        result.message
    };
    assert!(message(None).ends_with(
        "input.json does not exist: a module is run by the Argo WASM plugin, or locally by `wasm-workflows run`"
    ));
    assert!(message(Some(b"  \n")).ends_with("input.json is empty"));
    assert!(
        message(Some(b"{\"workflow_name\": \"\xff\"}"))
            .ends_with("input.json is not UTF-8 text (invalid byte at offset 19)")
    );
    assert_eq!(
        message(Some(b"{\"workflow_name\": ")),
        "invalid input: input.json is not valid JSON: unexpected end of input, expected a JSON value at line 1, column 19"
    );
    assert_eq!(message(Some(b"{\"parameters\": {}}")), "invalid input: \"parameters\" must be an array, not an object");
}

#[test]
fn good_input_runs_the_step() {
    let result = with_input(Some(br#"{"workflow_name":"wf-1","plugin_options":[],"parameters":[]}"#));
    assert_eq!((result.phase, result.message.as_str()), (Phase::Succeeded, "wf-1"));
}
