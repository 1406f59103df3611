//! `wasm-workflows serve`: Argo's executor-plugin API for `plugin.wasm`
//! templates (see the library's `plugin_host`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::budget_args::BudgetArgs;
use super::process_memory;
use clap::Args;
use wasm_workflows_cli::cache_root::{compiled_dir, default_cache_root, oci_dir};
use wasm_workflows_cli::executor_plugin::router::router;
use wasm_workflows_cli::executor_plugin::token::{DEFAULT_TOKEN_FILE, Token};
use wasm_workflows_cli::forward::Front;
use wasm_workflows_cli::forward::membership::{self, Membership, WorkerSource, parse_worker_url};
use wasm_workflows_cli::logging::{self, LogFormat};
use wasm_workflows_cli::oci::{Credentials, DEFAULT_MAX_MODULE_SIZE, ImageCache, Registry, RegistryOptions};
use wasm_workflows_cli::plugin_host::artifact_repository::{ArtifactRepository, DEFAULT_SECRETS_DIR};
use wasm_workflows_cli::plugin_host::connections::{self, ConnectionLimits, DEFAULT_MAX_CONNECTIONS};
use wasm_workflows_cli::plugin_host::execute::{StepExecutor, StepLimits};
use wasm_workflows_cli::plugin_host::metrics::HostMetrics;
use wasm_workflows_cli::plugin_host::modules::ModuleStore;
use wasm_workflows_cli::plugin_host::{AnswerRules, PluginHost};
use wasm_workflows_cli::runner::{
    DEFAULT_MAX_KEPT_MIB, DEFAULT_MAX_KEPT_MODULES, DEFAULT_MAX_LOG, KeptBounds, ModuleCache, Runner, remove_leftovers,
};

/// The port the host listens on unless told otherwise. Argo calls the
/// sidecar's first container port, and every plugin's sidecar shares the
/// agent pod's network: 9276 (WASM on a phone keypad) clashes with neither
/// the original plugin's 3000 nor the 4355 of Argo's example plugin.
pub(crate) const DEFAULT_PORT: u16 = 9276;

/// The environment variable that may hold the artifact repository's
/// configuration (a plugin's sidecar can mount no ConfigMap of its own).
pub(crate) const ARTIFACT_REPOSITORY_ENV: &str = "ARTIFACT_REPOSITORY";

/// The environment variable that may hold the registries' credentials as a
/// Docker config JSON (a plugin's sidecar can mount no Secret of its own:
/// it gets a `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson`
/// through a `secretKeyRef`).
pub(crate) const REGISTRY_CREDENTIALS_ENV: &str = "REGISTRY_CREDENTIALS";

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on (in Argo's agent pod, the plugin is called on localhost).
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,

    /// The port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,

    /// Where to keep pulled and compiled modules (default: $WASM_WORKFLOWS_CACHE_DIR, else ~/.cache/wasm-workflows).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    /// Steps run at once; more wait (default: the number of cores).
    #[arg(long, value_name = "N")]
    max_concurrent: Option<usize>,

    /// The S3 artifact repository, written as Argo's `artifactRepository`
    /// (default: the text of $ARTIFACT_REPOSITORY, if set; else none).
    #[arg(long, value_name = "FILE")]
    artifact_repository: Option<PathBuf>,

    /// Where Secrets named by the artifact repository are mounted (NAME/KEY files).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_SECRETS_DIR)]
    secrets_dir: PathBuf,

    /// Speak plain HTTP to this registry (HOST or HOST:PORT); loopback registries always get plain HTTP.
    #[arg(long = "insecure-registry", value_name = "HOST[:PORT]")]
    insecure_registries: Vec<String>,

    /// The registries' credentials: a Docker config JSON (`{"auths": {…}}`,
    /// a kubernetes.io/dockerconfigjson Secret's `.dockerconfigjson`), read
    /// again at every pull (default: the text of $REGISTRY_CREDENTIALS, if
    /// set; else Docker's own config).
    #[arg(long, value_name = "FILE")]
    registry_credentials: Option<PathBuf>,

    /// The file holding Argo's token, which every request must carry.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_TOKEN_FILE)]
    token_file: PathBuf,

    /// How long a step may run unless its template sets `timeout`.
    #[arg(long, value_name = "SECS", default_value = "600", value_parser = seconds)]
    timeout: Duration,

    /// How much memory a module may hold, in MiB: its memories, tables and
    /// the host's buffers for it together.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    max_memory: u64,

    /// How many bytes a module may write to stdout and stderr; past it, it is stopped.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LOG)]
    max_log: u64,

    #[command(flatten)]
    budgets: BudgetArgs,

    /// The largest module pulled, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_MODULE_SIZE >> 20)]
    max_module_size: u64,

    /// How many compiled modules to keep in memory, the most recently used
    /// (one with data segments also holds a descriptor); one dropped is
    /// loaded again from the cache folder when next needed.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_KEPT_MODULES)]
    max_compiled_modules: usize,

    /// How many MiB of compiled modules to keep in memory, in all.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_KEPT_MIB)]
    max_compiled_mib: u64,

    /// Give up a pull that takes longer than this many seconds: the step fails.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = seconds)]
    pull_timeout: Duration,

    /// Steps that may be unfinished (running or waiting) at once; a new step
    /// beyond them is answered 503, which Argo retries.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_queued: usize,

    /// HTTP connections held open at once; past them a new one is answered
    /// 503 and closed.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,

    /// Close a connection that sends nothing for this long, or takes longer
    /// to send a request's head.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    idle_timeout: Duration,

    /// Answer `Running` (and have Argo ask again) when a step runs longer
    /// than this; Argo gives up on a call after 30 s.
    #[arg(long, value_name = "SECS", default_value = "20", value_parser = seconds)]
    running_after: Duration,

    /// When Argo asks again after a `Running` answer.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = seconds)]
    requeue: Duration,

    /// Ask the registry again for a tag (not a digest) after this long.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = seconds)]
    tag_refresh: Duration,

    /// On SIGTERM, how long running steps may take to finish and be handed
    /// out before the host exits (Kubernetes waits 30 s by default).
    #[arg(long, value_name = "SECS", default_value = "25", value_parser = seconds)]
    shutdown_grace: Duration,

    /// Forwarding mode: run no module here, send each step to a worker of a
    /// pool (a `serve` at http://HOST:PORT); repeat for each worker.
    #[arg(long = "forward-to", value_name = "URL", conflicts_with = "forward_to_dns")]
    forward_to: Vec<String>,

    /// Forwarding mode: the workers are the addresses this name (a
    /// headless Service's) resolves to, resolved again every few seconds.
    #[arg(long, value_name = "NAME:PORT")]
    forward_to_dns: Option<String>,

    /// How the log is written: text for people, or JSON lines for log collectors.
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    /// In forwarding mode, the file holding the pool's token, sent to the
    /// workers (default: the text of $FORWARD_TOKEN: a plugin's sidecar can
    /// mount no Secret of its own).
    #[arg(long, value_name = "FILE")]
    forward_token_file: Option<PathBuf>,
}

/// The environment variable that may hold the pool's token for a front.
pub(crate) const FORWARD_TOKEN_ENV: &str = "FORWARD_TOKEN";

/// A positive number of seconds, checked.
pub(crate) fn seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 => {
            Duration::try_from_secs_f64(secs).map_err(|_| format!("{text} seconds is out of range"))
        }
        _ => Err(format!("expected a positive number of seconds, got \"{text}\"")),
    }
}

/// What this process serves: steps, or a pool's front.
enum Service {
    Host(PluginHost),
    Front(Front),
}

fn host(args: &ServeArgs) -> Result<PluginHost, String> {
    let token = Token::read(&args.token_file)?;
    // What a host that crashed here left in its steps' work directories.
    remove_leftovers(&std::env::temp_dir());
    let metrics = Arc::new(HostMetrics::default());
    let cache_root = args.cache_dir.clone().or_else(default_cache_root);
    let runner = Runner::on_callers_runtime(cache_root.as_deref().map(|root| ModuleCache::new(compiled_dir(root))))
        .map_err(|e| e.to_string())?
        .keeping(KeptBounds {
            max_modules: args.max_compiled_modules,
            max_bytes: args.max_compiled_mib.saturating_mul(1 << 20),
        });
    let runner = Arc::new(runner);
    let registry = Registry::new(
        RegistryOptions {
            credentials: registry_credentials(args)?,
            insecure_registries: args.insecure_registries.clone(),
            insecure: false,
            max_module_size: Some(args.max_module_size.saturating_mul(1 << 20)),
            pull_timeout: Some(args.pull_timeout),
        },
        cache_root.as_deref().map(|root| ImageCache::new(oci_dir(root))),
    );
    let concurrent = max_concurrent(args);
    let limits = StepLimits {
        timeout: args.timeout,
        max_memory_mib: args.max_memory,
        max_log_bytes: args.max_log,
        max_open_files: args.budgets.max_open_files,
        max_work_dir_mib: args.budgets.max_work_dir,
        max_work_dir_entries: args.budgets.max_work_dir_entries,
    };
    let modules = ModuleStore::new(registry, runner.clone(), args.tag_refresh, metrics.clone());
    let steps = StepExecutor::new(runner, modules, artifact_repository(args)?, limits, concurrent, metrics.clone());
    let answering =
        AnswerRules { running_after: args.running_after, requeue: args.requeue, max_queued: args.max_queued };
    Ok(PluginHost::new(token, answering, steps, metrics))
}

/// Steps run at once: `--max-concurrent`, else the number of cores.
fn max_concurrent(args: &ServeArgs) -> usize {
    args.max_concurrent.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
}

/// Where a front's workers come from, if this process is a front.
fn worker_source(args: &ServeArgs) -> Result<Option<WorkerSource>, String> {
    if let Some(name) = &args.forward_to_dns {
        return Ok(Some(WorkerSource::Dns(name.clone())));
    }
    if args.forward_to.is_empty() {
        return Ok(None);
    }
    let workers = args.forward_to.iter().map(|url| parse_worker_url(url)).collect::<Result<_, _>>()?;
    Ok(Some(WorkerSource::Fixed(workers)))
}

/// The pool's token a front sends: `--forward-token-file`, else `$FORWARD_TOKEN`.
fn pool_token(args: &ServeArgs) -> Result<String, String> {
    let token = match &args.forward_token_file {
        Some(file) => Token::read(file)?.secret().to_owned(),
        None => std::env::var(FORWARD_TOKEN_ENV).unwrap_or_default().trim().to_owned(),
    };
    if token.is_empty() {
        return Err(format!(
            "forwarding mode needs the pool's token: give --forward-token-file FILE, or set ${FORWARD_TOKEN_ENV} \
             (the workers' --token-file holds the same token)"
        ));
    }
    Ok(token)
}

/// The credentials of `--registry-credentials`, else of `$REGISTRY_CREDENTIALS`, else Docker's.
fn registry_credentials(args: &ServeArgs) -> Result<Credentials, String> {
    let credentials = match (&args.registry_credentials, std::env::var(REGISTRY_CREDENTIALS_ENV)) {
        (Some(file), _) => Credentials::config_json_file(file.clone())?,
        (None, Ok(text)) if !text.trim().is_empty() => {
            Credentials::config_json_text(text, &format!("${REGISTRY_CREDENTIALS_ENV}"))?
        }
        _ => Credentials::DockerConfig,
    };
    tracing::info!("registry credentials: {}", credentials.describe());
    Ok(credentials)
}

/// The artifact repository of `--artifact-repository`, else of `$ARTIFACT_REPOSITORY`, if any.
fn artifact_repository(args: &ServeArgs) -> Result<Option<ArtifactRepository>, String> {
    let repository = match (&args.artifact_repository, std::env::var(ARTIFACT_REPOSITORY_ENV)) {
        (Some(file), _) => ArtifactRepository::from_file(file, &args.secrets_dir),
        (None, Ok(text)) if !text.trim().is_empty() => {
            ArtifactRepository::from_text(&text, &format!("${ARTIFACT_REPOSITORY_ENV}"), &args.secrets_dir)
        }
        _ => {
            tracing::info!("no artifact repository: steps with artifacts fail (--artifact-repository)");
            return Ok(None);
        }
    };
    let repository = repository.map_err(|e| e.to_string())?;
    tracing::info!("artifact repository: {repository}");
    Ok(Some(repository))
}

async fn serve(args: ServeArgs, service: Service) -> Result<(), String> {
    let address = SocketAddr::new(args.bind, args.port);
    let listener =
        tokio::net::TcpListener::bind(address).await.map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("listening on http://{address}");
    let limits = ConnectionLimits { max_connections: args.max_connections, idle_timeout: args.idle_timeout };
    match service {
        Service::Host(host) => {
            let host = Arc::new(host);
            let app = router(host.clone());
            let grace = args.shutdown_grace;
            connections::serve(listener, app, limits, drained(host, grace)).await.map_err(|e| e.to_string())
        }
        Service::Front(front) => {
            let app = router(Arc::new(front));
            connections::serve(listener, app, limits, terminated()).await.map_err(|e| e.to_string())
        }
    }
}

/// Resolves on SIGTERM (Kubernetes stopping the pod) or Ctrl-C.
async fn terminated() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match terminate.as_mut() { Some(signal) => { signal.recv().await; } None => std::future::pending().await } } => {}
    }
}

/// Resolves once the host may stop: on SIGTERM (Kubernetes stopping the
/// pod) or Ctrl-C it stops taking steps (503), and waits up to `grace` for
/// those it has to finish (their uploads included) and be handed out.
async fn drained(host: Arc<PluginHost>, grace: Duration) {
    terminated().await;
    host.drain();
    tracing::info!(
        "stopping: no new steps; waiting up to {} s for {} to finish and be handed out",
        grace.as_secs_f64(),
        host.steps_in_flight()
    );
    let deadline = tokio::time::Instant::now().checked_add(grace);
    while host.steps_in_flight() > 0 && deadline.is_none_or(|deadline| tokio::time::Instant::now() < deadline) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    match host.steps_in_flight() {
        0 => tracing::info!("every step handed out; stopping"),
        left => tracing::warn!("stopping with {left} steps not handed out ({} unfinished)", host.unfinished()),
    }
}

pub(crate) fn run(args: ServeArgs) -> ExitCode {
    process_memory::one_malloc_arena();
    logging::init(args.log_format);
    let started = (|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .max_blocking_threads(process_memory::max_blocking_threads(max_concurrent(&args)))
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        runtime.spawn(process_memory::give_back_freed_memory());
        let service = match worker_source(&args)? {
            None => Service::Host(host(&args)?),
            Some(source) => {
                let token = Token::read(&args.token_file)?;
                let pool_token = pool_token(&args)?;
                let membership = runtime.block_on(Membership::new(source));
                tracing::info!("forwarding to the pool's workers: {}", membership::list(&membership.workers()));
                runtime.spawn(membership.clone().keep_resolving());
                Service::Front(Front::new(token, pool_token, membership)?)
            }
        };
        runtime.block_on(serve(args, service))
    })();
    super::exit_with(started)
}
