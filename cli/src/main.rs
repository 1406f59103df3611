//! `wasm-workflows`: run a workflow-step module locally as the Argo WASM plugin would.

mod run_command;

use clap::{Parser, Subcommand};

/// Develop WebAssembly modules for Argo Workflows' WASM executor plugin.
#[derive(Debug, Parser)]
#[command(name = "wasm-workflows", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a module as the plugin would; print the node's JSON on stdout.
    ///
    /// Exit status: 0 when the node Succeeded, 1 when it Failed, 2 when the
    /// module could not be run (usage or host errors).
    Run(run_command::RunArgs),
}

fn main() -> std::process::ExitCode {
    match Cli::parse().command {
        Command::Run(args) => run_command::run(args),
    }
}
