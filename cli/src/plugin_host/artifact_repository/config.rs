//! The artifact repository's configuration, written as Argo writes it in the
//! workflow-controller ConfigMap (`artifactRepository.s3`).
//!
//! A configuration file (YAML or JSON) may have any of these shapes:
//!
//! 1. the value of the ConfigMap's `artifactRepository` key — what a
//!    ConfigMap volume with `items: [{key: artifactRepository, path: …}]`
//!    mounts: `s3: {bucket: …, endpoint: …}` (other keys such as
//!    `archiveLogs` are ignored);
//! 2. the ConfigMap's data: `artifactRepository:` holding shape 1, either as
//!    the string a ConfigMap holds or as a mapping;
//! 3. the whole ConfigMap (`kind: ConfigMap`, `data.artifactRepository`), as
//!    `kubectl get configmap workflow-controller-configmap -o yaml` prints it.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use yaml_serde::{Mapping, Value};

/// A Kubernetes `SecretKeySelector`: key `key` of Secret `name`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SecretKeySelector {
    /// The Secret's name.
    pub name: String,
    /// The key inside the Secret.
    pub key: String,
}

impl SecretKeySelector {
    /// Where a Secret volume mounted at `secrets_dir/<name>` puts this key:
    /// `secrets_dir/<name>/<key>`.
    pub fn file(&self, secrets_dir: &Path) -> PathBuf {
        secrets_dir.join(&self.name).join(&self.key)
    }
}

/// How requests name the bucket: in the path (`https://host/bucket/key`) or
/// in the host name (`https://bucket.host/key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressingStyle {
    /// `https://host/bucket/key`: MinIO and most S3-compatible servers.
    Path,
    /// `https://bucket.host/key`: AWS's preferred style.
    VirtualHosted,
}

/// Argo's `S3ArtifactRepository`, the fields this host uses.
///
/// Unknown fields are ignored, so the controller's own configuration can be
/// given as it is; `createBucketIfNotPresent` is ignored too (the bucket must
/// exist). `roleARN` and `encryptionOptions` are refused: uploading without
/// them would not do what the configuration asks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3RepositoryConfig {
    /// The bucket.
    pub bucket: String,
    /// `host[:port]` of the S3 endpoint, without a scheme (absent: AWS).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The region (absent: `us-east-1`).
    #[serde(default)]
    pub region: Option<String>,
    /// Plain HTTP instead of HTTPS.
    #[serde(default)]
    pub insecure: bool,
    /// Argo's `addressingStyle`: `""` (detect), `"path"` or `"virtual-hosted"`.
    #[serde(default)]
    pub addressing_style: Option<String>,
    /// The original WASM plugin's key: `true` means path-style addressing.
    #[serde(default)]
    pub path_style_endpoint: Option<bool>,
    /// The Secret key holding the access key id.
    #[serde(default)]
    pub access_key_secret: Option<SecretKeySelector>,
    /// The Secret key holding the secret access key.
    #[serde(default)]
    pub secret_key_secret: Option<SecretKeySelector>,
    /// The Secret key holding a session token, for temporary credentials.
    #[serde(default)]
    pub session_token_secret: Option<SecretKeySelector>,
    /// The Secret key holding a PEM CA certificate for the endpoint's TLS.
    #[serde(default)]
    pub ca_secret: Option<SecretKeySelector>,
    /// Take credentials from the AWS SDK's default chain instead of Secrets.
    #[serde(default, rename = "useSDKCreds")]
    pub use_sdk_creds: bool,
    /// Where output artifacts go, with `{{workflow.name}}` and `{{pod.name}}`.
    #[serde(default)]
    pub key_format: Option<String>,
    /// Deprecated in Argo: a prefix before `{{workflow.name}}/{{pod.name}}`.
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(default, rename = "roleARN")]
    role_arn: Option<String>,
    #[serde(default)]
    encryption_options: Option<Value>,
}

/// Argo's default `keyFormat`.
pub const DEFAULT_KEY_FORMAT: &str = "{{workflow.name}}/{{pod.name}}";

impl S3RepositoryConfig {
    /// A configuration for `bucket` at `endpoint` (`host:port`), path-style,
    /// with everything else absent.
    pub fn new(bucket: impl Into<String>, endpoint: impl Into<String>) -> Self {
        S3RepositoryConfig {
            bucket: bucket.into(),
            endpoint: Some(endpoint.into()),
            region: None,
            insecure: false,
            addressing_style: None,
            path_style_endpoint: None,
            access_key_secret: None,
            secret_key_secret: None,
            session_token_secret: None,
            ca_secret: None,
            use_sdk_creds: false,
            key_format: None,
            key_prefix: None,
            role_arn: None,
            encryption_options: None,
        }
    }

    /// Reads a configuration file (YAML or JSON) of one of the shapes this
    /// module's documentation lists.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let origin = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError::new(&origin, format!("cannot read it: {e}")))?;
        Self::from_yaml(&text).map_err(|message| ConfigError::new(&origin, message))
    }

    /// Parses configuration text that came from `origin` (named in errors,
    /// e.g. "environment variable ARTIFACT_REPOSITORY").
    pub fn from_text(text: &str, origin: &str) -> Result<Self, ConfigError> {
        Self::from_yaml(text).map_err(|message| ConfigError::new(origin, message))
    }

    /// Parses configuration text (YAML or JSON) of one of the accepted shapes.
    pub fn from_yaml(text: &str) -> Result<Self, String> {
        let document: Value = yaml_serde::from_str(text).map_err(|e| format!("not YAML or JSON: {e}"))?;
        let repository = repository_of(document)?;
        let s3 = match repository.get("s3") {
            Some(s3) => s3.clone(),
            None => {
                let kinds: Vec<&str> =
                    repository.keys().filter_map(Value::as_str).filter(|k| is_repository_kind(k)).collect();
                return Err(match kinds.as_slice() {
                    [] => "has no \"s3\" repository".to_owned(),
                    kinds => format!("configures a {} artifact repository; only s3 is supported", kinds.join(", ")),
                });
            }
        };
        let config: S3RepositoryConfig = yaml_serde::from_value(s3).map_err(|e| format!("s3: {e}"))?;
        config.check()?;
        Ok(config)
    }

    /// Refuses settings this host cannot honour.
    fn check(&self) -> Result<(), String> {
        if self.bucket.is_empty() {
            return Err("s3.bucket is empty".into());
        }
        if let Some(endpoint) = &self.endpoint
            && endpoint.contains("://")
        {
            return Err(format!(
                "s3.endpoint \"{endpoint}\" has a scheme; Argo's endpoint is host[:port] (set insecure: true for plain HTTP)"
            ));
        }
        if self.role_arn.as_deref().is_some_and(|arn| !arn.is_empty()) {
            return Err("s3.roleARN is not supported: give credentials through Secrets or useSDKCreds".into());
        }
        if self.encryption_options.as_ref().is_some_and(|options| !options.is_null()) {
            return Err(
                "s3.encryptionOptions is not supported: wasm-workflows cannot encrypt artifacts as asked".into()
            );
        }
        self.addressing_style()?;
        crate::plugin_host::artifact_repository::key_format::KeyFormat::parse(&self.key_format())?;
        Ok(())
    }

    /// The addressing style to use: `addressingStyle` if set, else the
    /// original plugin's `pathStyleEndpoint`, else virtual-hosted for AWS
    /// endpoints (bucket names without dots) and path-style for the rest.
    pub fn addressing_style(&self) -> Result<AddressingStyle, String> {
        match self.addressing_style.as_deref().unwrap_or("") {
            "path" => return Ok(AddressingStyle::Path),
            "virtual-hosted" => return Ok(AddressingStyle::VirtualHosted),
            "" => {}
            other => {
                return Err(format!("s3.addressingStyle is \"{other}\"; it is \"\", \"path\" or \"virtual-hosted\""));
            }
        }
        if self.path_style_endpoint == Some(true) {
            return Ok(AddressingStyle::Path);
        }
        let aws = self.endpoint.as_deref().is_none_or(|endpoint| {
            let host = endpoint.split(':').next().unwrap_or(endpoint);
            host == "amazonaws.com" || host.ends_with(".amazonaws.com")
        });
        Ok(if aws && !self.bucket.contains('.') { AddressingStyle::VirtualHosted } else { AddressingStyle::Path })
    }

    /// The region to sign requests for.
    pub fn region(&self) -> &str {
        self.region.as_deref().filter(|region| !region.is_empty()).unwrap_or("us-east-1")
    }

    /// The endpoint's base URL (with the bucket in the host name for
    /// virtual-hosted addressing), or `None` for AWS's regional default.
    pub fn endpoint_url(&self) -> Result<Option<String>, String> {
        let Some(endpoint) = self.endpoint.as_deref().filter(|e| !e.is_empty()) else {
            return Ok(None);
        };
        let scheme = if self.insecure { "http" } else { "https" };
        Ok(Some(match self.addressing_style()? {
            AddressingStyle::Path => format!("{scheme}://{endpoint}"),
            AddressingStyle::VirtualHosted => format!("{scheme}://{}.{endpoint}", self.bucket),
        }))
    }

    /// The `keyFormat` for output artifacts: `keyFormat`, else `keyPrefix`
    /// before Argo's default, else Argo's default.
    pub fn key_format(&self) -> String {
        match (self.key_format.as_deref(), self.key_prefix.as_deref()) {
            (Some(format), _) if !format.is_empty() => format.to_owned(),
            (_, Some(prefix)) if !prefix.is_empty() => {
                format!("{}/{DEFAULT_KEY_FORMAT}", prefix.trim_end_matches('/'))
            }
            _ => DEFAULT_KEY_FORMAT.to_owned(),
        }
    }
}

/// The repository mapping (the one with `s3:`) inside any accepted shape.
fn repository_of(document: Value) -> Result<Mapping, String> {
    const SHAPES: &str = "expected `s3: {bucket, endpoint, …}`, `artifactRepository: {s3: …}` or a ConfigMap whose data has artifactRepository";
    let Value::Mapping(mut document) = document else {
        return Err(format!("is not a mapping; {SHAPES}"));
    };
    if document.get("kind").and_then(Value::as_str) == Some("ConfigMap") {
        let data = document.remove("data").unwrap_or(Value::Null);
        return match data.get("artifactRepository") {
            Some(repository) => nested_repository(repository.clone()),
            None => Err("is a ConfigMap without data.artifactRepository".into()),
        };
    }
    if let Some(repository) = document.remove("artifactRepository") {
        return nested_repository(repository);
    }
    if document.keys().filter_map(Value::as_str).any(is_repository_kind) {
        return Ok(document);
    }
    Err(format!("has no artifact repository; {SHAPES}"))
}

/// `artifactRepository`'s value: YAML text (as in a ConfigMap) or a mapping.
fn nested_repository(repository: Value) -> Result<Mapping, String> {
    let repository = match repository {
        Value::String(text) => {
            yaml_serde::from_str(&text).map_err(|e| format!("artifactRepository is not YAML: {e}"))?
        }
        other => other,
    };
    match repository {
        Value::Mapping(mapping) => Ok(mapping),
        _ => Err("artifactRepository is not a mapping".into()),
    }
}

/// The keys Argo's `ArtifactRepository` uses for its kinds of repository.
fn is_repository_kind(key: &str) -> bool {
    matches!(key, "s3" | "gcs" | "azure" | "oss" | "hdfs" | "artifactory" | "http")
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("artifact repository configuration {origin}: {message}")]
pub struct ConfigError {
    /// Where it came from: the file, or what else.
    pub origin: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    fn new(origin: &str, message: String) -> Self {
        ConfigError { origin: origin.to_owned(), message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S3: &str = "s3:\n  bucket: my-bucket\n  endpoint: minio:9000\n  insecure: true\n  accessKeySecret: {name: my-minio-cred, key: accesskey}\n  secretKeySecret: {name: my-minio-cred, key: secretkey}\n";

    #[test]
    fn reads_the_bare_s3_block() {
        let config = S3RepositoryConfig::from_yaml(S3).unwrap();
        assert_eq!(config.bucket, "my-bucket");
        assert_eq!(config.endpoint_url().unwrap().as_deref(), Some("http://minio:9000"));
        assert_eq!(
            config.access_key_secret,
            Some(SecretKeySelector { name: "my-minio-cred".into(), key: "accesskey".into() })
        );
        assert_eq!(config.region(), "us-east-1");
        assert_eq!(config.key_format(), DEFAULT_KEY_FORMAT);
    }

    #[test]
    fn reads_the_configmap_data_key_as_text_or_mapping_and_the_whole_configmap() {
        let expected = S3RepositoryConfig::from_yaml(S3).unwrap();
        let as_text = format!("artifactRepository: |\n  archiveLogs: true\n{}", indent(S3));
        assert_eq!(S3RepositoryConfig::from_yaml(&as_text).unwrap(), expected);
        let as_mapping = format!("artifactRepository:\n{}", indent(S3));
        assert_eq!(S3RepositoryConfig::from_yaml(&as_mapping).unwrap(), expected);
        let configmap = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: workflow-controller-configmap}}\ndata:\n  artifactRepository: |\n{}",
            indent(&indent(S3))
        );
        assert_eq!(S3RepositoryConfig::from_yaml(&configmap).unwrap(), expected);
    }

    #[test]
    fn reads_json() {
        let json = r#"{"s3": {"bucket": "b", "endpoint": "s3.example.com", "region": "eu-west-1"}}"#;
        let config = S3RepositoryConfig::from_yaml(json).unwrap();
        assert_eq!(config.endpoint_url().unwrap().as_deref(), Some("https://s3.example.com"));
        assert_eq!(config.region(), "eu-west-1");
    }

    #[test]
    fn refuses_other_repositories_and_unusable_settings() {
        let gcs = S3RepositoryConfig::from_yaml("gcs: {bucket: b}").unwrap_err();
        assert_eq!(gcs, "configures a gcs artifact repository; only s3 is supported");
        let nothing = S3RepositoryConfig::from_yaml("archiveLogs: true").unwrap_err();
        assert!(nothing.starts_with("has no artifact repository; expected"), "{nothing}");
        let scheme = S3RepositoryConfig::from_yaml("s3: {bucket: b, endpoint: 'http://minio:9000'}").unwrap_err();
        assert!(scheme.contains("has a scheme"), "{scheme}");
        let role = S3RepositoryConfig::from_yaml("s3: {bucket: b, roleARN: 'arn:aws:iam::1:role/r'}").unwrap_err();
        assert!(role.contains("roleARN is not supported"), "{role}");
        let style = S3RepositoryConfig::from_yaml("s3: {bucket: b, addressingStyle: sideways}").unwrap_err();
        assert!(style.contains("\"sideways\""), "{style}");
        let no_bucket = S3RepositoryConfig::from_yaml("s3: {endpoint: minio:9000}").unwrap_err();
        assert!(no_bucket.contains("missing field `bucket`"), "{no_bucket}");
        let variable = S3RepositoryConfig::from_yaml("s3: {bucket: b, keyFormat: '{{workflow.uid}}/x'}").unwrap_err();
        assert!(variable.contains("{{workflow.uid}}"), "{variable}");
    }

    #[test]
    fn chooses_the_addressing_style_as_argo_does() {
        let mut config = S3RepositoryConfig::new("bucket", "s3.amazonaws.com");
        assert_eq!(config.endpoint_url().unwrap().as_deref(), Some("https://bucket.s3.amazonaws.com"));
        config.addressing_style = Some("path".into());
        assert_eq!(config.endpoint_url().unwrap().as_deref(), Some("https://s3.amazonaws.com"));
        let mut minio = S3RepositoryConfig::new("bucket", "minio:9000");
        assert_eq!(minio.addressing_style().unwrap(), AddressingStyle::Path);
        minio.addressing_style = Some("virtual-hosted".into());
        assert_eq!(minio.endpoint_url().unwrap().as_deref(), Some("https://bucket.minio:9000"));
        let dotted = S3RepositoryConfig::new("my.bucket", "s3.eu-west-1.amazonaws.com");
        assert_eq!(dotted.addressing_style().unwrap(), AddressingStyle::Path);
        let mut original = S3RepositoryConfig::new("bucket", "s3.amazonaws.com");
        original.path_style_endpoint = Some(true);
        assert_eq!(original.addressing_style().unwrap(), AddressingStyle::Path);
    }

    #[test]
    fn key_prefix_goes_before_the_default_format() {
        let config = S3RepositoryConfig::from_yaml("s3: {bucket: b, keyPrefix: artifacts/}").unwrap();
        assert_eq!(config.key_format(), "artifacts/{{workflow.name}}/{{pod.name}}");
        let config =
            S3RepositoryConfig::from_yaml("s3: {bucket: b, keyPrefix: p, keyFormat: 'x/{{workflow.name}}'}").unwrap();
        assert_eq!(config.key_format(), "x/{{workflow.name}}");
    }

    fn indent(text: &str) -> String {
        text.lines().map(|line| format!("  {line}\n")).collect()
    }
}
