//! The host contract around a step function: what `#[workflow_step]` runs.
//!
//! [`execute`] reads `input.json`, calls the step, and writes `result.json`
//! atomically (a temporary file, then a rename). Every failure becomes a
//! `Failed` result whose message says what went wrong: an error returned by
//! the step (with its whole chain), a missing or malformed input, or a panic
//! (written by a panic hook before the module traps). It returns normally in
//! every case the result could be written, because the Argo WASM plugin fails
//! any module that calls `proc_exit`, even with 0, and then ignores its result.
//!
//! Where no plugin reads `result.json` (a Kubernetes Job on a containerd wasm
//! shim), only the exit status tells that a step failed: there the
//! environment variable [`FAILED_EXIT_STATUS_ENV`] asks a `Failed` step to
//! exit with that status after writing its result. The plugin and
//! `wasm-workflows` give a module no environment, so they never see it.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;
use crate::protocol::{Phase, PluginInvocation, PluginResult};
use crate::typed::{FromInvocation, IntoResult};
use crate::{log, workdir};

/// What a step function may return: an [`IntoResult`] type (a
/// [`PluginResult`], or a struct with `#[derive(IntoResult)]`), or a
/// `Result` of one whose error converts into [`anyhow::Error`].
#[diagnostic::on_unimplemented(
    message = "a workflow step must return `anyhow::Result<T>` or `T`, where `T` is `PluginResult` or a `#[derive(IntoResult)]` struct; not `{Self}`",
    label = "this return type is not a step result",
    note = "use `anyhow::Result<PluginResult>`, or any `Result<T, E>` where `T: IntoResult` and `E` converts into `anyhow::Error`"
)]
pub trait StepOutput {
    /// The result, or the error that failed the step.
    fn into_result(self) -> anyhow::Result<PluginResult>;
}

impl<T: IntoResult> StepOutput for T {
    fn into_result(self) -> anyhow::Result<PluginResult> {
        Ok(IntoResult::into_result(self)?)
    }
}

impl<T: IntoResult, E: Into<anyhow::Error>> StepOutput for Result<T, E> {
    fn into_result(self) -> anyhow::Result<PluginResult> {
        Ok(IntoResult::into_result(self.map_err(Into::into)?)?)
    }
}

/// Runs `step` under the host contract in the work directory
/// ([`workdir::root`]). This is the whole `main` of a module; if the result
/// cannot be written it reports that on stderr and exits with status 1.
///
/// The step's input is built from the invocation ([`FromInvocation`]); an
/// input that cannot be built (a missing or mistyped parameter) fails the
/// step with the reason, as an error returned by the step does.
pub fn execute<I: FromInvocation, R: StepOutput>(step: fn(I) -> R) {
    let root = workdir::root();
    match run_in(&root, step) {
        Ok(Phase::Failed) => {
            if let Some(status) = failed_exit_status(std::env::var(FAILED_EXIT_STATUS_ENV).ok().as_deref()) {
                std::process::exit(status);
            }
        }
        Ok(_) => {}
        Err(error) => {
            log::step_error(format_args!("{error}"));
            std::process::exit(1);
        }
    }
}

/// The environment variable that makes a `Failed` step exit with the status
/// it holds (1 to 255) after writing its result, for runtimes that only read
/// exit statuses. Any other non-empty value means 1.
pub const FAILED_EXIT_STATUS_ENV: &str = "WASM_WORKFLOWS_FAILED_EXIT_STATUS";

/// The exit status a `Failed` step ends with, given the value of
/// [`FAILED_EXIT_STATUS_ENV`]: none (return normally) when it is unset or
/// empty.
fn failed_exit_status(value: Option<&str>) -> Option<i32> {
    let value = value?.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i32>() {
        Ok(status @ 1..=255) => Some(status),
        _ => {
            log::step_error(format_args!(
                "{FAILED_EXIT_STATUS_ENV}={value:?} is not an exit status from 1 to 255: exiting with 1"
            ));
            Some(1)
        }
    }
}

/// Reads the invocation from `root`, runs `step`, writes the result, and
/// says which phase it wrote.
pub(crate) fn run_in<I: FromInvocation, R: StepOutput>(root: &Path, step: fn(I) -> R) -> Result<Phase, Error> {
    log::install();
    let result = match read_invocation(root) {
        Ok(invocation) => invoke(step, invocation),
        Err(error) => PluginResult::failed(error.to_string()),
    };
    if result.phase == Phase::Failed {
        log::step_error(format_args!("step failed: {}", result.message));
    }
    write_result(root, &result)?;
    Ok(result.phase)
}

/// Reads and parses `input.json` in `root`.
pub fn read_invocation(root: &Path) -> Result<PluginInvocation, Error> {
    let path = workdir::input_file(root);
    let file = workdir::display(&path);
    let invalid = |reason: String| Error::InvalidInput { reason };
    let bytes = std::fs::read(&path).map_err(|e| {
        invalid(match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "{file} does not exist: a module is run by the Argo WASM plugin, or locally by `wasm-workflows run`"
            ),
            _ => format!("cannot read {file}: {e}"),
        })
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid(format!("{file} is empty")));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| invalid(format!("{file} is not UTF-8 text (invalid byte at offset {})", e.valid_up_to())))?;
    PluginInvocation::from_json(text).map_err(invalid)
}

/// Builds the input and calls `step`, turning an error or a panic into a
/// `Failed` result.
fn invoke<I: FromInvocation, R: StepOutput>(step: fn(I) -> R, invocation: PluginInvocation) -> PluginResult {
    install_panic_hook();
    IN_STEP.with(|in_step| in_step.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| match I::from_invocation(invocation) {
        Ok(input) => step(input).into_result(),
        Err(error) => Err(error.into()),
    }));
    IN_STEP.with(|in_step| in_step.set(false));
    match outcome {
        Ok(Ok(result)) => result,
        Ok(Err(error)) => PluginResult::failed(format!("{error:#}")),
        // Native builds unwind to here; the hook has kept the message. In wasm
        // a panic aborts, and the hook has already written the result.
        Err(_) => {
            PluginResult::failed(LAST_PANIC.with(|last| last.take()).unwrap_or_else(|| "the step panicked".into()))
        }
    }
}

/// Writes `result.json` in `root` atomically: a temporary file, then a rename.
pub fn write_result(root: &Path, result: &PluginResult) -> Result<(), Error> {
    let file = workdir::result_file(root);
    let temporary = root.join(".result.json.tmp");
    let io_error =
        |action: &str, path: &Path, error| Error::Io { action: action.into(), path: workdir::display(path), error };
    std::fs::write(&temporary, result.to_json_text()).map_err(|e| io_error("write the result to", &temporary, e))?;
    std::fs::rename(&temporary, &file).map_err(|e| io_error("move the result into place at", &file, e))
}

std::thread_local! {
    static LAST_PANIC: std::cell::Cell<Option<String>> = const { std::cell::Cell::new(None) };
    static IN_STEP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) the hook that turns a panic inside a step into a `Failed`
/// result with the panic's message and location, also printed to stderr.
/// Panics elsewhere go to the hook that was there before.
fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if !INSTALLED.swap(true, Ordering::Relaxed) {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_STEP.with(|in_step| in_step.get()) {
                return previous(info);
            }
            let payload = info.payload();
            let what = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(no message)");
            let message = match info.location() {
                Some(at) => format!("the step panicked at {}:{}:{}: {what}", at.file(), at.line(), at.column()),
                None => format!("the step panicked: {what}"),
            };
            log::step_error(format_args!("{message}"));
            let root = workdir::root();
            if let Err(error) = write_result(&root, &PluginResult::failed(message.clone())) {
                log::step_error(format_args!("{error}"));
            }
            LAST_PANIC.with(|last| last.set(Some(message)));
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::failed_exit_status;

    #[test]
    fn a_failed_step_exits_only_when_asked() {
        assert_eq!(failed_exit_status(None), None);
        assert_eq!(failed_exit_status(Some("")), None);
        assert_eq!(failed_exit_status(Some(" ")), None);
        assert_eq!(failed_exit_status(Some("1")), Some(1));
        assert_eq!(failed_exit_status(Some("42")), Some(42));
        assert_eq!(failed_exit_status(Some("255")), Some(255));
        // Anything else still asks for a failing status: 1.
        for value in ["0", "256", "-1", "yes", "true"] {
            assert_eq!(failed_exit_status(Some(value)), Some(1), "{value}");
        }
    }
}
