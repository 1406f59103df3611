//! `wasm-workflows`: run a workflow-step module locally as the Argo WASM plugin
//! would, start projects from templates, publish modules to OCI registries,
//! serve Argo's executor-plugin API, and check workflows as `argo lint` does.

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

    /// Start a module project from a template (`new --list` lists the languages).
    New(commands::new::NewArgs),

    /// Publish a module to an OCI registry; print the pushed manifest's digest.
    Push(commands::push::PushArgs),

    /// Fetch a module from an OCI registry into a file; print its manifest's digest.
    Pull(commands::pull::PullArgs),

    /// Serve Argo's executor-plugin API: run `plugin.wasm` steps in a cluster,
    /// in place of the original WASM plugin.
    Serve(commands::serve::ServeArgs),

    /// Check workflows as `argo lint` does: Argo's schema and validation.
    ///
    /// Exit status: 0 when nothing is wrong, 1 when something is (or there
    /// was nothing to lint), 2 when a path cannot be read.
    Lint(commands::lint::LintArgs),
}

fn main() -> std::process::ExitCode {
    match Cli::parse().command {
        Command::Run(args) => commands::run::run(args),
        Command::New(args) => commands::new::run(args),
        Command::Push(args) => commands::push::run(args),
        Command::Pull(args) => commands::pull::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Lint(args) => commands::lint::run(args),
    }
}
