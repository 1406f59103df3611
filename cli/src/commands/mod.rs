//! The subcommands: each file parses its flags and calls the library.

mod budget_args;
pub(crate) mod lint;
pub(crate) mod new;
mod process_memory;
pub(crate) mod pull;
pub(crate) mod push;
mod registry_args;
pub(crate) mod run;
mod run_workflow;
pub(crate) mod serve;

/// The exit of a command that prints its own output: 0, or 2 with the error on stderr.
fn exit_with(outcome: Result<(), String>) -> std::process::ExitCode {
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::from(2)
        }
    }
}
