//! The flags every command that talks to a registry shares.

use std::io::Read;
use std::time::Duration;

use clap::Args;
use wasm_workflows_cli::cache_root::{default_cache_root, oci_dir};
use wasm_workflows_cli::oci::{Credentials, DEFAULT_MAX_MODULE_SIZE, ImageCache, Registry, RegistryOptions};

#[derive(Debug, Args)]
pub(crate) struct RegistryArgs {
    /// The user name for the registry (with --password-stdin); default:
    /// Docker's credentials (`docker login`), else none.
    #[arg(long, value_name = "USER", requires = "password_stdin")]
    username: Option<String>,

    /// Read the password (or token) for --username from standard input.
    #[arg(long, requires = "username")]
    password_stdin: bool,

    /// Speak plain HTTP to this registry (HOST or HOST:PORT); loopback registries
    /// always get plain HTTP.
    #[arg(long = "insecure-registry", value_name = "HOST[:PORT]")]
    insecure_registries: Vec<String>,

    /// Speak plain HTTP to every registry.
    #[arg(long)]
    insecure: bool,

    /// The largest module pulled, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_MODULE_SIZE >> 20)]
    max_module_size: u64,

    /// Give up a pull that takes longer than this many seconds.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = super::serve::seconds)]
    pull_timeout: Duration,
}

impl RegistryArgs {
    /// The registry client these flags describe, caching pulls in the user's cache.
    pub(crate) fn registry(&self) -> Result<Registry, String> {
        let credentials = match &self.username {
            Some(username) => {
                let mut password = String::new();
                std::io::stdin()
                    .read_to_string(&mut password)
                    .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
                let password = password.trim_end_matches(['\r', '\n']).to_owned();
                if password.is_empty() {
                    return Err("--password-stdin: standard input holds no password".into());
                }
                Credentials::Basic { username: username.clone(), password }
            }
            None => Credentials::DockerConfig,
        };
        let options = RegistryOptions {
            credentials,
            insecure_registries: self.insecure_registries.clone(),
            insecure: self.insecure,
            max_module_size: Some(self.max_module_size.saturating_mul(1 << 20)),
            pull_timeout: Some(self.pull_timeout),
        };
        let cache = default_cache_root().map(|root| ImageCache::new(oci_dir(&root)));
        Ok(Registry::new(options, cache))
    }
}

/// A runtime for one command's registry calls.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))?;
    Ok(runtime.block_on(future))
}
