//! `wasm-workflows new DIR --template LANG`: start a module project.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use wasm_workflows_cli::scaffold::{self, LANGUAGES, SdkSource};

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The project's folder (new, or empty); the project is named after it.
    #[arg(required_unless_present = "list")]
    dir: Option<PathBuf>,

    /// The language of the template.
    #[arg(long, short, value_name = "LANG", required_unless_present = "list")]
    template: Option<String>,

    /// Rust: depend on the SDK at this path (a checkout's sdk/ folder)
    /// instead of the sources this CLI carries, written to vendor/.
    #[arg(long, value_name = "PATH")]
    sdk_path: Option<PathBuf>,

    /// List the languages.
    #[arg(long, conflicts_with_all = ["dir", "template", "sdk_path"])]
    list: bool,
}

pub(crate) fn run(args: NewArgs) -> ExitCode {
    if args.list {
        for (language, summary) in LANGUAGES {
            println!("{language:<15} {summary}");
        }
        return ExitCode::SUCCESS;
    }
    let (Some(dir), Some(language)) = (args.dir, args.template) else {
        unreachable!("clap requires DIR and --template without --list");
    };
    let sdk = args.sdk_path.map_or(SdkSource::Carried, SdkSource::Path);
    let created = scaffold::create(&dir, &language, &sdk)
        .map(|project| print!("{}", scaffold::next_steps(&project, &language)))
        .map_err(|error| error.to_string());
    super::exit_with(created)
}
