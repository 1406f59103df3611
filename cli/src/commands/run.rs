//! `wasm-workflows run`: the command line around [`Runner`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use wasm_workflows_cli::allow_list::AllowList;
use wasm_workflows_cli::json_documents;
use wasm_workflows_cli::oci::{names_an_image, parse_reference};
use wasm_workflows_cli::runner::{
    DEFAULT_MAX_LOG, DEFAULT_MAX_MEMORY_MIB, ExitRule, InputFile, LogLines, ModuleCache, RunOptions, Runner,
    remove_leftovers,
};
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginInvocation};

use super::budget_args::BudgetArgs;
use super::registry_args::RegistryArgs;

const DEFAULT_WORKFLOW_NAME: &str = "wasm-workflows-local";

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The module: a .wasm core module (wasm32-wasip1) or component
    /// (wasm32-wasip2), or an image in a registry (REGISTRY/REPOSITORY:TAG, or @sha256:DIGEST);
    /// or a workflow: a YAML file holding an Argo Workflow or WorkflowTemplate.
    pub(super) module: String,

    /// An input parameter (of the module; of a workflow, its `spec.arguments`);
    /// the value is passed as a string, as Argo does.
    #[arg(short = 'p', long = "param", visible_alias = "parameter", value_name = "NAME=VALUE", value_parser = name_value)]
    pub(super) params: Vec<(String, String)>,

    #[command(flatten)]
    pub(super) workflow: super::run_workflow::WorkflowArgs,

    /// A plugin option (a key of the template's plugin.wasm block); the value is
    /// read as JSON when it is JSON, else as a string.
    #[arg(long = "plugin-option", value_name = "NAME=VALUE", value_parser = name_value)]
    plugin_options: Vec<(String, String)>,

    /// An input artifact from a local file, placed at PATH (default /NAME);
    /// of a workflow, its `spec.arguments` artifact NAME (PATH unused).
    #[arg(long = "artifact", value_name = "NAME=FILE[:PATH]", value_parser = artifact)]
    pub(super) artifacts: Vec<InputFile>,

    /// Copy output artifacts to DIR, each at its own path below it (DIR/PATH).
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,

    /// Allow HTTP requests to this origin: a module's (as
    /// permissions.http.allowed_hosts), or a workflow's `http` templates'
    /// and input artifacts' `http.url`; `insecure:allow-all` allows every
    /// destination. Default: none.
    #[arg(long = "allow-host", value_name = "URL")]
    pub(super) allow_hosts: Vec<String>,

    /// Start from this invocation (input.json); --param and --plugin-option add to it.
    #[arg(long, value_name = "FILE.json")]
    invocation: Option<PathBuf>,

    /// The workflow name in the invocation.
    #[arg(long, value_name = "NAME")]
    workflow_name: Option<String>,

    /// Stop the module after this many seconds, wherever it is (computing,
    /// asleep, waiting on an HTTP response).
    #[arg(long, value_name = "SECS", value_parser = super::serve::seconds)]
    pub(super) timeout: Option<Duration>,

    /// Limit what the module may hold to this many MiB: its memories,
    /// tables and the host's buffers for it together.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_MEMORY_MIB)]
    pub(super) max_memory: u64,

    /// Stop the module when it has written more than this many bytes to
    /// stdout and stderr.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LOG)]
    pub(super) max_log: u64,

    /// Compile the module even if a compiled copy is cached.
    #[arg(long)]
    pub(super) no_cache: bool,

    /// Apply the original Argo WASM plugin's rules where they differ from
    /// WASI's: any proc_exit, even with status 0, fails the step. Use it to
    /// check that a module runs on the original plugin. (`--seed-compat`,
    /// its former name, is still taken.)
    #[arg(long, alias = "seed-compat")]
    pub(super) any_exit_fails: bool,

    #[command(flatten)]
    pub(super) budgets: BudgetArgs,

    #[command(flatten)]
    pub(super) registry: RegistryArgs,
}

pub(crate) fn name_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got \"{text}\"")),
    }
}

fn artifact(text: &str) -> Result<InputFile, String> {
    let (name, rest) = name_value(text).map_err(|_| format!("expected NAME=FILE[:PATH], got \"{text}\""))?;
    let (source, path) = match rest.rfind(":/") {
        Some(at) => (&rest[..at], rest[at + 1..].to_owned()),
        None => (rest.as_str(), format!("/{name}")),
    };
    if source.is_empty() {
        return Err(format!("expected NAME=FILE[:PATH], got \"{text}\""));
    }
    Ok(InputFile { name, path, source: source.into() })
}

fn invocation(args: &RunArgs) -> Result<PluginInvocation, String> {
    let mut invocation = match &args.invocation {
        Some(file) => {
            let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            json_documents::parse_invocation(&bytes).map_err(|e| format!("{}: {e}", file.display()))?
        }
        None => PluginInvocation::new(DEFAULT_WORKFLOW_NAME),
    };
    if let Some(name) = &args.workflow_name {
        invocation.workflow_name = name.clone();
    }
    for (name, value) in &args.params {
        invocation = invocation.with_parameter(name, value.as_str());
    }
    for (name, value) in &args.plugin_options {
        let value = serde_json::from_str(value).map_or_else(|_| Value::from(value.as_str()), json_documents::from_json);
        invocation = invocation.with_plugin_option(name, value);
    }
    Ok(invocation)
}

fn options(args: &RunArgs) -> Result<RunOptions, String> {
    let invocation = invocation(args)?;
    let options = RunOptions {
        invocation,
        input: Default::default(),
        input_files: args.artifacts.clone(),
        output_dir: args.output_dir.clone(),
        allowed_hosts: AllowList::new(&args.allow_hosts)?,
        timeout: args.timeout,
        max_memory_mib: Some(args.max_memory),
        max_log_bytes: Some(args.max_log),
        log_lines: LogLines::Raw,
        exit_rule: if args.any_exit_fails { ExitRule::AnyExitFails } else { ExitRule::Wasi },
        ..RunOptions::default()
    };
    let options = args.budgets.apply(options);
    Ok(options)
}

/// The module's bytes: the file, or the image pulled from its registry (on
/// the runner's runtime: one per process).
fn module_bytes(args: &RunArgs, runner: &Runner) -> Result<Vec<u8>, String> {
    let path = Path::new(&args.module);
    if path.exists() || !names_an_image(&args.module) {
        return std::fs::read(path).map_err(|e| format!("cannot read the module {}: {e}", path.display()));
    }
    let reference = parse_reference(&args.module).map_err(|e| e.to_string())?;
    let registry = args.registry.registry()?;
    let pulled = runner.block_on(registry.pull(&reference)).map_err(|e| e.to_string())?;
    let source = if pulled.from_cache { "the cache" } else { "its registry" };
    eprintln!("[host] {} ({}) from {source}", args.module, pulled.manifest_digest);
    Ok(pulled.bytes)
}

pub(crate) fn run(args: RunArgs) -> ExitCode {
    if super::run_workflow::names_a_workflow(&args.module) {
        return super::run_workflow::run(args);
    }
    let host_error = |message: &dyn std::fmt::Display| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    };
    let options = match options(&args) {
        Ok(options) => options,
        Err(message) => return host_error(&message),
    };
    let cache = if args.no_cache { None } else { ModuleCache::default_dir().map(|dir| ModuleCache::new(dir).mapped()) };
    let runner = match Runner::single_threaded(cache) {
        Ok(runner) => runner,
        Err(error) => return host_error(&error),
    };
    let module = match module_bytes(&args, &runner) {
        Ok(module) => module,
        Err(message) => return host_error(&message),
    };
    // What a run that crashed left in its work directory.
    remove_leftovers(&std::env::temp_dir());
    let name = Path::new(&args.module);
    let outcome = match runner.run_bytes(&module, name, &options) {
        Ok(outcome) => outcome,
        Err(error) => return host_error(&error),
    };
    println!("{}", outcome.node.to_json().to_string_pretty());
    match outcome.node.phase {
        Phase::Succeeded => ExitCode::SUCCESS,
        Phase::Failed => ExitCode::FAILURE,
    }
}
