//! `wasm-workflows push MODULE.wasm REF`: publish a module as an OCI image.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use wasm_workflows_cli::oci::{Layout, parse_reference};
use wasm_workflows_cli::runner::ModuleKind;

use super::registry_args::{RegistryArgs, block_on};

#[derive(Debug, Args)]
pub(crate) struct PushArgs {
    /// The module: a .wasm core module or component.
    module: PathBuf,

    /// Where to push it: REGISTRY/REPOSITORY:TAG.
    reference: String,

    /// The layout: wasm-to-oci (what the original Argo WASM plugin pulls;
    /// default for core modules) or wasm-artifact (the CNCF Wasm OCI
    /// artifact; default for components).
    #[arg(long, value_enum)]
    format: Option<Layout>,

    /// What the module does (org.opencontainers.image.description).
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,

    /// Where its source is (org.opencontainers.image.source).
    #[arg(long, value_name = "URL")]
    source: Option<String>,

    /// Its version (org.opencontainers.image.version).
    #[arg(long = "module-version", value_name = "VERSION")]
    module_version: Option<String>,

    /// Another annotation of the manifest.
    #[arg(long = "annotation", value_name = "KEY=VALUE", value_parser = super::run::name_value)]
    annotations: Vec<(String, String)>,

    #[command(flatten)]
    registry: RegistryArgs,
}

/// The image's time: `$SOURCE_DATE_EPOCH` (for reproducible images), else now.
fn created() -> Result<String, String> {
    let time = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(seconds) => seconds
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH is not a number of seconds: \"{seconds}\""))?,
        Err(_) => chrono::Utc::now(),
    };
    Ok(time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn push(args: PushArgs) -> Result<(), String> {
    let module = std::fs::read(&args.module).map_err(|e| format!("cannot read {}: {e}", args.module.display()))?;
    if !module.starts_with(b"\0asm") {
        return Err(format!("{} is not a WebAssembly binary", args.module.display()));
    }
    let reference = parse_reference(&args.reference).map_err(|e| e.to_string())?;
    if reference.digest().is_some() {
        return Err(format!("push to a tag, not to a digest: {}", args.reference));
    }
    let layout = args.format.unwrap_or_else(|| Layout::default_for(ModuleKind::detect(&module)));
    let created = created()?;
    let mut annotations = BTreeMap::from([("org.opencontainers.image.created".to_owned(), created.clone())]);
    let named = [
        ("org.opencontainers.image.description", &args.description),
        ("org.opencontainers.image.source", &args.source),
        ("org.opencontainers.image.version", &args.module_version),
    ];
    for (key, value) in named {
        if let Some(value) = value {
            annotations.insert(key.to_owned(), value.clone());
        }
    }
    annotations.extend(args.annotations.iter().cloned());
    let registry = args.registry.registry()?;
    let bytes = module.len();
    let pushed =
        block_on(registry.push(module, &reference, layout, &created, &annotations))?.map_err(|e| e.to_string())?;
    eprintln!(
        "pushed {} to {} as {} ({bytes} bytes): {}",
        args.module.display(),
        args.reference,
        layout.name(),
        pushed.pinned
    );
    println!("{}", pushed.digest);
    Ok(())
}

pub(crate) fn run(args: PushArgs) -> ExitCode {
    super::exit_with(push(args))
}
