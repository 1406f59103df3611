//! The S3 artifact repository a plugin host downloads input artifacts from
//! and uploads output artifacts to, configured as Argo configures its own
//! (`artifactRepository.s3` in the workflow-controller ConfigMap; see
//! [`config`] for the file shapes and [`credentials`] for where the keys come
//! from).
//!
//! - Inputs: the object at `s3.key` goes to `artifacts-in/<path>` in the
//!   step's work directory.
//! - Outputs: `artifacts-out/<path>` goes to the key the template's
//!   `outputs.artifacts[].s3.key` gives, else to `{keyFormat}/{name}`, by
//!   default `{workflow}/{workflow}-{10 random digits}/{name}` as in the
//!   original WASM plugin, and the artifact's `s3.key` is set to it. A key
//!   the module writes in its result is ignored: a module must not choose
//!   which object of the bucket it overwrites.
//!
//! Objects are stored as they are (no tar or gzip). Files are streamed: at
//! most [`PART_SIZE`] × ([`MAX_CONCURRENT_PARTS`] + 1) bytes of an upload
//! and one response chunk of a download are in memory at a time.
//!
//! ```no_run
//! # async fn step(invocation: wasm_workflows_sdk::protocol::PluginInvocation)
//! #     -> Result<(), Box<dyn std::error::Error>> {
//! use std::path::Path;
//! use wasm_workflows_cli::plugin_host::artifact_repository::{ArtifactRepository, DEFAULT_SECRETS_DIR};
//! use wasm_workflows_cli::runner::WorkDir;
//!
//! let repository =
//!     ArtifactRepository::from_file(Path::new("/etc/wasm-workflows/artifact-repository.yaml"), Path::new(DEFAULT_SECRETS_DIR))?;
//! let work_dir = WorkDir::create()?;
//! repository.download_inputs(&invocation.artifacts, &work_dir).await?;
//! // … run the module, which lists its outputs (checked by the runner) …
//! # let outputs = Vec::new();
//! let stored = repository.upload_outputs(&invocation.workflow_name, &[], &outputs, &work_dir).await?;
//! # Ok(()) }
//! ```

pub mod config;
pub mod credentials;
mod error;
mod key_format;
mod remote;
mod transfer;

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::{ClientOptions, ObjectStore, RetryConfig};
use wasm_workflows_sdk::protocol::{ArtifactRef, S3Artifact};

use crate::executor_plugin::request::DeclaredOutput;
use crate::runner::{OutputFile, WorkDir};

pub use self::config::{ConfigError, S3RepositoryConfig};
pub use self::credentials::{CredentialError, CredentialSource, Credentials, DEFAULT_SECRETS_DIR};
pub use self::error::{ArtifactError, Direction};
use self::key_format::KeyFormat;

/// The size of one part of a multipart upload; files up to this size are
/// uploaded with one request. (S3 allows 10,000 parts: 80 GB in all.)
pub const PART_SIZE: usize = 8 * 1024 * 1024;

/// How many parts of one upload are in flight at once.
pub const MAX_CONCURRENT_PARTS: usize = 2;

/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a response may send nothing before it is given up.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// An S3 bucket holding a workflow's artifacts.
#[derive(Debug, Clone)]
pub struct ArtifactRepository {
    store: Arc<dyn ObjectStore>,
    bucket: String,
    endpoint: String,
    credentials: String,
    key_format: KeyFormat,
}

impl ArtifactRepository {
    /// The repository configured in `path` (see [`config`] for its shapes),
    /// with credentials found as [`credentials`] describes, Secrets mounted
    /// below `secrets_dir`.
    pub fn from_file(path: &Path, secrets_dir: &Path) -> Result<Self, ArtifactError> {
        let config = S3RepositoryConfig::from_file(path)?;
        let credentials = Credentials::from_process(&config, secrets_dir)?;
        Self::new(&config, credentials, secrets_dir)
    }

    /// The repository configured by `text` (YAML or JSON, shapes as for a
    /// file) that came from `origin`, e.g. an environment variable filled
    /// from a ConfigMap key: a plugin sidecar can have no volumes of its own.
    pub fn from_text(text: &str, origin: &str, secrets_dir: &Path) -> Result<Self, ArtifactError> {
        let config = S3RepositoryConfig::from_text(text, origin)?;
        let credentials = Credentials::from_process(&config, secrets_dir)?;
        Self::new(&config, credentials, secrets_dir)
    }

    /// The repository `config` describes, accessed with `credentials`
    /// (`secrets_dir` is read for `caSecret` only).
    pub fn new(
        config: &S3RepositoryConfig,
        credentials: Credentials,
        secrets_dir: &Path,
    ) -> Result<Self, ArtifactError> {
        crate::tls::install_crypto_provider();

        let key_format = KeyFormat::parse(&config.key_format())
            .map_err(|message| ArtifactError::Setup { bucket: config.bucket.clone(), message })?;
        let setup_error = |message: String| ArtifactError::Setup { bucket: config.bucket.clone(), message };
        let endpoint_url = config.endpoint_url().map_err(setup_error)?;
        let mut client = ClientOptions::new()
            .with_allow_http(config.insecure)
            .with_connect_timeout(CONNECT_TIMEOUT)
            .with_timeout_disabled()
            .with_read_timeout(READ_TIMEOUT);
        if let Some(ca) = &config.ca_secret {
            let file = ca.file(secrets_dir);
            let pem = std::fs::read(&file)
                .map_err(|e| setup_error(format!("cannot read s3.caSecret from {}: {e}", file.display())))?;
            let certificate = object_store::Certificate::from_pem(&pem)
                .map_err(|e| setup_error(format!("s3.caSecret {} is not a PEM certificate: {e}", file.display())))?;
            client = client.with_root_certificate(certificate);
        }
        let retry = RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(60), ..RetryConfig::default() };

        let (mut builder, described) = match &credentials {
            Credentials::SdkDefault => (AmazonS3Builder::from_env(), "the AWS SDK's default chain".to_owned()),
            Credentials::Keys { access_key_id, secret_access_key, session_token, source } => {
                let mut builder =
                    AmazonS3Builder::new().with_access_key_id(access_key_id).with_secret_access_key(secret_access_key);
                if let Some(token) = session_token {
                    builder = builder.with_token(token);
                }
                (builder, source.to_string())
            }
        };
        builder = builder
            .with_bucket_name(&config.bucket)
            .with_region(config.region())
            .with_virtual_hosted_style_request(
                config.addressing_style().map_err(setup_error)? == config::AddressingStyle::VirtualHosted,
            )
            .with_client_options(client)
            .with_retry(retry);
        let endpoint = match &endpoint_url {
            Some(url) => {
                builder = builder.with_endpoint(url);
                url.clone()
            }
            None => format!("AWS S3 in {}", config.region()),
        };
        let store = builder.build().map_err(|e| setup_error(format!("cannot set up the S3 client: {e}")))?;
        Ok(ArtifactRepository {
            store: Arc::new(store),
            bucket: config.bucket.clone(),
            endpoint,
            credentials: described,
            key_format,
        })
    }

    /// Downloads each input artifact's object (`s3.key`) to
    /// `artifacts-in/<path>` in `work_dir`, creating folders as needed.
    /// Stops at the first failure.
    pub async fn download_inputs(&self, artifacts: &[ArtifactRef], work_dir: &WorkDir) -> Result<(), ArtifactError> {
        for artifact in artifacts {
            transfer::download(self, artifact, work_dir).await?;
        }
        Ok(())
    }

    /// Uploads each checked output artifact from `work_dir` and answers the
    /// node's artifacts with their keys: the one the template `declared`
    /// for it, else `{keyFormat}/{name}` with this step's pod-like name
    /// `{workflow}-{10 random digits}` (one per call); each as the object
    /// was stored at it (`/report` is stored, and answered, as `report`).
    pub async fn upload_outputs(
        &self,
        workflow: &str,
        declared: &[DeclaredOutput],
        outputs: &[OutputFile],
        work_dir: &WorkDir,
    ) -> Result<Vec<ArtifactRef>, ArtifactError> {
        let folder = self.key_format.folder(workflow, &key_format::step_name(workflow));
        let mut stored = Vec::with_capacity(outputs.len());
        for output in outputs {
            let key = match declared.iter().find(|d| d.name == output.name).and_then(|d| d.key.clone()) {
                Some(key) => key,
                None => KeyFormat::key(&folder, &output.name),
            };
            let key = transfer::upload(self, output, &key, work_dir).await?;
            stored.push(ArtifactRef {
                name: output.name.clone(),
                path: output.path.clone(),
                s3: Some(S3Artifact { key }),
            });
        }
        Ok(stored)
    }
}

impl fmt::Display for ArtifactRepository {
    /// `s3://bucket at endpoint, credentials from …`, for a host's log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{} at {}, credentials from {}", self.bucket, self.endpoint, self.credentials)
    }
}
