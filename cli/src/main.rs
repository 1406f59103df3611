//! `wasm-workflows`: run a workflow-step module locally as the Argo WASM plugin
//! would, and publish modules to OCI registries.

mod commands;

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
    Run(commands::run::RunArgs),

    /// Publish a module to an OCI registry; print the pushed manifest's digest.
    Push(commands::push::PushArgs),

    /// Fetch a module from an OCI registry into a file; print its manifest's digest.
    Pull(commands::pull::PullArgs),

    /// Serve Argo's executor-plugin API: run `plugin.wasm` steps in a cluster,
    /// in place of the original WASM plugin.
    Serve(commands::serve::ServeArgs),
}

fn main() -> std::process::ExitCode {
    match Cli::parse().command {
        Command::Run(args) => commands::run::run(args),
        Command::Push(args) => commands::push::run(args),
        Command::Pull(args) => commands::pull::run(args),
        Command::Serve(args) => commands::serve::run(args),
    }
}
