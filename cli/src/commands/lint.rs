//! `wasm-workflows lint FILE…`: the flags of `argo lint` (`--offline`
//! always: WorkflowTemplates come from the files given), around
//! [`wasm_workflows_cli::workflow::lint`]. Exit status: 0 when nothing is
//! wrong, 1 when something is (or nothing was found to lint), 2 when a
//! path cannot be read or a flag is wrong.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{ArgAction, Args, ValueEnum};
use wasm_workflows_cli::workflow::lint::{self, LintOptions, format};

/// `-o`: how results are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// Each file with its errors under it, then a summary.
    #[default]
    Pretty,
    /// `FILE: ERROR` lines.
    Simple,
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Files and folders of manifests (`.yaml`, `.yml`, `.json`); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,

    /// Which kinds to lint: `all`, or workflows, workflowtemplates,
    /// cronworkflows, clusterworkflowtemplates (or wf, wftmpl, cwf, cwftmpl), comma-separated.
    #[arg(long, value_name = "KINDS", default_value = "all")]
    kinds: Vec<String>,

    /// How to print the results.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Output::Pretty)]
    output: Output,

    /// Fields Argo does not know are errors (`--strict=false` lets them through).
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    strict: bool,

    /// No colours.
    #[arg(long)]
    no_color: bool,
}

pub(crate) fn run(args: LintArgs) -> ExitCode {
    let kinds = match lint::kinds(&args.kinds) {
        Ok(kinds) => kinds,
        Err(message) => return super::exit_with(Err(message)),
    };
    let options = LintOptions { strict: args.strict, kinds };
    let results = match lint::lint(&args.files, &options) {
        Ok(results) => results,
        Err(message) => return super::exit_with(Err(message)),
    };
    let format = match args.output {
        Output::Pretty => format::Format::Pretty,
        Output::Simple => format::Format::Simple,
    };
    let style = format::Style { color: !args.no_color && std::io::stdout().is_terminal() };
    let mut printed = String::new();
    for result in &results {
        printed.push_str(&format::file(format, style, result));
    }
    printed.push_str(&format::summary(format, style, &results));
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(printed.as_bytes()).and_then(|()| stdout.flush());
    if format::success(&results) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
