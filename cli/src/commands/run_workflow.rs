//! `wasm-workflows run workflow.yaml`: the flags `argo submit` users know,
//! around [`wasm_workflows_cli::workflow`]. Exit status: 0 Succeeded, 1
//! Failed or Error, 2 a workflow that cannot run.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde_json::Value;
use wasm_workflows_cli::allow_list::AllowList;
use wasm_workflows_cli::runner::{ExitRule, ModuleCache, Runner};
use wasm_workflows_cli::workflow::live::{LiveTree, PlainLines};
use wasm_workflows_cli::workflow::nodes::Phase;
use wasm_workflows_cli::workflow::watch::Watcher;
use wasm_workflows_cli::workflow::{
    self, HttpTemplates, LocalRepository, Modules, Outbound, RunContext, StepLimits, SubmitOptions, WasmSteps,
    document, tree,
};

use super::run::{RunArgs, name_value};

/// How the finished workflow is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// As `argo get` draws it.
    #[default]
    Tree,
    /// The Workflow with its status, as `argo get -o json` prints it.
    Json,
    /// The same, in YAML.
    Yaml,
}

/// The flags that apply to a workflow file.
#[derive(Debug, Args)]
pub(crate) struct WorkflowArgs {
    /// A workflow's parameters from a YAML or JSON file of `name: value`.
    #[arg(long, value_name = "FILE")]
    parameter_file: Option<PathBuf>,

    /// Start the workflow from this template instead of `spec.entrypoint`.
    #[arg(long, value_name = "TEMPLATE")]
    entrypoint: Option<String>,

    /// The workflow's name (default: `metadata.name`, or `generateName` and five random characters).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,

    /// How to print the finished workflow.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Output::Tree)]
    output: Output,

    /// The local artifact repository: a folder where artifacts are stored
    /// at their keys (`s3.key`), kept after the run (default: a temporary
    /// folder, removed at the end).
    #[arg(long, value_name = "DIR")]
    artifact_repository: Option<PathBuf>,

    /// A folder of WorkflowTemplates (YAML or JSON files) that the
    /// workflow's `templateRef`s and `workflowTemplateRef` name, beside
    /// those in the workflow's own file.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,

    /// Run a local .wasm wherever the workflow names image REF (repeatable).
    #[arg(long = "module", value_name = "REF=FILE", value_parser = name_value)]
    modules: Vec<(String, String)>,
}

/// Whether `argument` is a file holding a workflow (by its content).
pub(crate) fn names_a_workflow(argument: &str) -> bool {
    let path = Path::new(argument);
    path.is_file() && std::fs::read(path).is_ok_and(|bytes| document::is_workflow(&bytes))
}

/// The parameters of `--parameter-file`, then of `-p` (the later wins).
fn parameters(args: &RunArgs) -> Result<Vec<(String, String)>, String> {
    let mut parameters = Vec::new();
    if let Some(file) = &args.workflow.parameter_file {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read the parameter file {}: {e}", file.display()))?;
        let values: Value =
            yaml_serde::from_str(&text).map_err(|e| format!("the parameter file {}: {e}", file.display()))?;
        let Value::Object(values) = values else {
            return Err(format!("the parameter file {} must hold a map of names to values", file.display()));
        };
        for (name, value) in values {
            parameters.push((name, workflow::nodes::parameter_text(&value)));
        }
    }
    parameters.extend(args.params.iter().cloned());
    Ok(parameters)
}

/// The run's artifact repository: the folder the user named (kept), or a
/// temporary one (removed when this is dropped).
struct ArtifactFolder {
    repository: LocalRepository,
    temporary: bool,
}

impl ArtifactFolder {
    fn new(named: Option<PathBuf>) -> std::io::Result<ArtifactFolder> {
        let temporary = named.is_none();
        let folder = named.unwrap_or_else(|| {
            let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            std::env::temp_dir().join(format!("wasm-workflows-artifacts-{}-{}", std::process::id(), stamp.as_nanos()))
        });
        Ok(ArtifactFolder { repository: LocalRepository::new(folder)?, temporary })
    }
}

impl Drop for ArtifactFolder {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(self.repository.root());
        }
    }
}

pub(crate) fn run(args: RunArgs) -> ExitCode {
    let cannot_run = |message: &dyn std::fmt::Display| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    };
    let text = match std::fs::read_to_string(&args.module) {
        Ok(text) => text,
        Err(error) => return cannot_run(&format!("cannot read {}: {error}", args.module)),
    };
    let options = match parameters(&args) {
        Ok(parameters) => SubmitOptions {
            parameters,
            entrypoint: args.workflow.entrypoint.clone(),
            name: args.workflow.name.clone(),
            templates_dir: args.workflow.templates.clone(),
        },
        Err(message) => return cannot_run(&message),
    };
    let mut prepared = match workflow::prepare(&text, &options) {
        Ok(prepared) => prepared,
        Err(message) => return cannot_run(&message),
    };
    let repository = match ArtifactFolder::new(args.workflow.artifact_repository.clone()) {
        Ok(folder) => folder,
        Err(error) => return cannot_run(&format!("the artifact repository: {error}")),
    };
    for input in &args.artifacts {
        let key = format!("{}/arguments/{}", prepared.name(), input.name);
        match repository.repository.store_file(&input.name, &key, &input.source) {
            Ok(artifact) => prepared.set_argument_artifact(artifact),
            Err(message) => return cannot_run(&message),
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return cannot_run(&format!("cannot start an async runtime: {error}")),
    };
    let cache = if args.no_cache { None } else { ModuleCache::default_dir().map(|dir| ModuleCache::new(dir).mapped()) };
    let runner = match Runner::on_callers_runtime(cache) {
        Ok(runner) => Arc::new(runner),
        Err(error) => return cannot_run(&error),
    };
    let registry = match args.registry.registry() {
        Ok(registry) => registry,
        Err(message) => return cannot_run(&message),
    };
    let local =
        args.workflow.modules.iter().map(|(reference, file)| (reference.clone(), PathBuf::from(file))).collect();
    let limits = StepLimits {
        timeout: args.timeout,
        max_memory_mib: args.max_memory,
        max_log_bytes: args.max_log,
        exit_rule: if args.any_exit_fails { ExitRule::AnyExitFails } else { ExitRule::Wasi },
        max_open_files: args.budgets.max_open_files,
        max_work_dir_mib: args.budgets.max_work_dir,
        max_work_dir_entries: args.budgets.max_work_dir_entries,
    };
    // One allow-list for all the host sends on the workflow's behalf: http templates and input artifacts.
    let outbound = match AllowList::new(&args.allow_hosts) {
        Ok(allowed) => Outbound::new(allowed),
        Err(message) => return cannot_run(&format!("--allow-host: {message}")),
    };
    let steps = WasmSteps::new(runner.clone(), Modules::new(runner, local, Some(registry)), limits)
        .with_artifacts(repository.repository.clone(), outbound.clone());
    let http = HttpTemplates::new(outbound);
    // Progress on stderr: stdout keeps the result (the tree, or the JSON alone).
    let live = std::io::stderr().is_terminal().then(|| Arc::new(LiveTree::on_stderr(&prepared.workflow)));
    let watcher: Arc<dyn Watcher> = match &live {
        Some(live) => live.clone(),
        None => Arc::new(PlainLines::new(Box::new(std::io::stderr()))),
    };
    let context = RunContext { http, watcher: Some(watcher) };
    let finished = runtime.block_on(prepared.run_in(steps, context));
    if let Some(live) = live {
        // The tree printed next on the same terminal replaces the live one.
        let replaced = args.workflow.output == Output::Tree && std::io::stdout().is_terminal();
        live.finish(!replaced);
    }
    drop(repository);
    let printed = match args.workflow.output {
        Output::Tree => tree::draw(&finished.workflow),
        Output::Json => serde_json::to_string_pretty(&finished.workflow).unwrap_or_default() + "\n",
        Output::Yaml => yaml_serde::to_string(&finished.workflow).unwrap_or_default(),
    };
    print!("{printed}");
    match finished.phase {
        Phase::Succeeded => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
