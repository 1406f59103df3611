//! `wasm-workflows pull REF -o FILE`: fetch a module image's module.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use wasm_workflows_cli::oci::parse_reference;

use super::registry_args::{RegistryArgs, block_on};

#[derive(Debug, Args)]
pub(crate) struct PullArgs {
    /// The image: REGISTRY/REPOSITORY:TAG, or REGISTRY/REPOSITORY@sha256:DIGEST.
    reference: String,

    /// Where to write the module.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,

    #[command(flatten)]
    registry: RegistryArgs,
}

fn pull(args: PullArgs) -> Result<(), String> {
    let reference = parse_reference(&args.reference).map_err(|e| e.to_string())?;
    let registry = args.registry.registry()?;
    let pulled = block_on(registry.pull(&reference))?.map_err(|e| e.to_string())?;
    std::fs::write(&args.output, &pulled.bytes).map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    eprintln!(
        "pulled {} ({} bytes{}) to {}",
        args.reference,
        pulled.bytes.len(),
        if pulled.from_cache { ", from the cache" } else { "" },
        args.output.display()
    );
    println!("{}", pulled.manifest_digest);
    Ok(())
}

pub(crate) fn run(args: PullArgs) -> ExitCode {
    super::exit_with(pull(args))
}
