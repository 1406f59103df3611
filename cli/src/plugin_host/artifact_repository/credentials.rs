//! The credentials for the artifact repository, looked for in this order:
//!
//! 1. `useSDKCreds: true`: the AWS SDK's default chain (environment
//!    variables, a web-identity token as EKS's IRSA mounts it, ECS container
//!    credentials, EC2 instance metadata). Nothing else is read.
//! 2. The Secrets named by `accessKeySecret` and `secretKeySecret` (and
//!    `sessionTokenSecret`, if set), read from files where a Kubernetes
//!    Secret volume puts them: `<secrets dir>/<secret name>/<key>`.
//! 3. `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and
//!    `AWS_SESSION_TOKEN`) in the environment, when the Secrets' files are
//!    absent: e.g. running `serve` on a laptop with the cluster's configuration.
//!
//! Neither is an error naming every place looked at. So is a half: one
//! Secret file present without the other.

use std::fmt;
use std::path::{Path, PathBuf};

use super::config::{S3RepositoryConfig, SecretKeySelector};

/// Where a Kubernetes Secret volume for the repository is mounted by default
/// (one folder per Secret: `<this>/<secret name>/<key>`).
pub const DEFAULT_SECRETS_DIR: &str = "/var/run/secrets/wasm-workflows";

/// The environment variables read in step 3.
pub const ACCESS_KEY_ENV: &str = "AWS_ACCESS_KEY_ID";
/// The environment variable holding the secret access key.
pub const SECRET_KEY_ENV: &str = "AWS_SECRET_ACCESS_KEY";
/// The environment variable holding a session token (optional).
pub const SESSION_TOKEN_ENV: &str = "AWS_SESSION_TOKEN";

/// Credentials for the repository. `Debug` shows where they came from, never
/// the secrets.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// An access key pair.
    Keys {
        /// The access key id.
        access_key_id: String,
        /// The secret access key.
        secret_access_key: String,
        /// A session token, for temporary credentials.
        session_token: Option<String>,
        /// Where they were found.
        source: CredentialSource,
    },
    /// The AWS SDK's default chain (`useSDKCreds: true`).
    SdkDefault,
}

/// Where access keys were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Files of mounted Secrets.
    SecretFiles {
        /// The access key id's file.
        access_key: PathBuf,
        /// The secret access key's file.
        secret_key: PathBuf,
    },
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
    Environment,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::SecretFiles { access_key, secret_key } => {
                write!(f, "Secret files {} and {}", access_key.display(), secret_key.display())
            }
            CredentialSource::Environment => write!(f, "environment variables {ACCESS_KEY_ENV} and {SECRET_KEY_ENV}"),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Keys { source, session_token, .. } => f
                .debug_struct("Keys")
                .field("source", source)
                .field("session_token", &session_token.as_ref().map(|_| "(set)"))
                .finish_non_exhaustive(),
            Credentials::SdkDefault => f.write_str("SdkDefault"),
        }
    }
}

/// Credentials that cannot be found or read.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// A Secret file exists but cannot be read.
    #[error("cannot read s3.{field} from {}: {error}", path.display())]
    Unreadable {
        /// The configuration field naming the Secret.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// What reading it said.
        error: std::io::Error,
    },
    /// One of the two Secret files is missing.
    #[error(
        "s3.{present} is mounted at {} but s3.{missing} is not at {}: mount both keys of the Secrets",
        present_path.display(), missing_path.display()
    )]
    HalfMounted {
        /// The field whose file exists.
        present: &'static str,
        /// Its file.
        present_path: PathBuf,
        /// The field whose file is missing.
        missing: &'static str,
        /// Where it was looked for.
        missing_path: PathBuf,
    },
    /// No credentials anywhere.
    #[error("no credentials for bucket \"{bucket}\": {looked}")]
    NotFound {
        /// The bucket.
        bucket: String,
        /// Where they were looked for.
        looked: String,
    },
}

impl Credentials {
    /// Looks for credentials in the order this module's documentation
    /// gives, reading the environment through `env`.
    pub fn resolve(
        config: &S3RepositoryConfig,
        secrets_dir: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, CredentialError> {
        if config.use_sdk_creds {
            return Ok(Credentials::SdkDefault);
        }
        let mut looked = Vec::new();
        if let (Some(access), Some(secret)) = (&config.access_key_secret, &config.secret_key_secret) {
            let access_file = access.file(secrets_dir);
            let secret_file = secret.file(secrets_dir);
            match (access_file.exists(), secret_file.exists()) {
                (true, true) => {
                    let session_token = match &config.session_token_secret {
                        Some(token) if token.file(secrets_dir).exists() => {
                            Some(read_secret("sessionTokenSecret", token, secrets_dir)?)
                        }
                        _ => None,
                    };
                    return Ok(Credentials::Keys {
                        access_key_id: read_secret("accessKeySecret", access, secrets_dir)?,
                        secret_access_key: read_secret("secretKeySecret", secret, secrets_dir)?,
                        session_token,
                        source: CredentialSource::SecretFiles { access_key: access_file, secret_key: secret_file },
                    });
                }
                (true, false) => return Err(half("accessKeySecret", access_file, "secretKeySecret", secret_file)),
                (false, true) => return Err(half("secretKeySecret", secret_file, "accessKeySecret", access_file)),
                (false, false) => {
                    looked.push(format!("no files {} and {}", access_file.display(), secret_file.display()));
                }
            }
        } else {
            looked.push("s3.accessKeySecret and s3.secretKeySecret are not both configured".to_owned());
        }
        let non_empty = |name| env(name).filter(|value: &String| !value.is_empty());
        if let (Some(access_key_id), Some(secret_access_key)) = (non_empty(ACCESS_KEY_ENV), non_empty(SECRET_KEY_ENV)) {
            return Ok(Credentials::Keys {
                access_key_id,
                secret_access_key,
                session_token: non_empty(SESSION_TOKEN_ENV),
                source: CredentialSource::Environment,
            });
        }
        looked.push(format!("{ACCESS_KEY_ENV} and {SECRET_KEY_ENV} are not both set"));
        Err(CredentialError::NotFound { bucket: config.bucket.clone(), looked: looked.join("; ") })
    }

    /// [`Credentials::resolve`] with the process's environment.
    pub fn from_process(config: &S3RepositoryConfig, secrets_dir: &Path) -> Result<Self, CredentialError> {
        Self::resolve(config, secrets_dir, |name| std::env::var(name).ok())
    }
}

fn half(present: &'static str, present_path: PathBuf, missing: &'static str, missing_path: PathBuf) -> CredentialError {
    CredentialError::HalfMounted { present, present_path, missing, missing_path }
}

/// A Secret's value, without the line end an `echo` into a Secret leaves.
fn read_secret(
    field: &'static str,
    selector: &SecretKeySelector,
    secrets_dir: &Path,
) -> Result<String, CredentialError> {
    let path = selector.file(secrets_dir);
    match std::fs::read_to_string(&path) {
        Ok(value) => Ok(value.trim().to_owned()),
        Err(error) => Err(CredentialError::Unreadable { field, path, error }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config() -> S3RepositoryConfig {
        S3RepositoryConfig::from_yaml(
            "s3: {bucket: b, endpoint: 'minio:9000', accessKeySecret: {name: cred, key: accesskey}, secretKeySecret: {name: cred, key: secretkey}}",
        )
        .unwrap()
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn secret_files_come_before_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("cred")).unwrap();
        std::fs::write(dir.path().join("cred/accesskey"), "from-file\n").unwrap();
        std::fs::write(dir.path().join("cred/secretkey"), "secret-from-file").unwrap();
        let found =
            Credentials::resolve(&config(), dir.path(), env(&[(ACCESS_KEY_ENV, "a"), (SECRET_KEY_ENV, "s")])).unwrap();
        let Credentials::Keys { access_key_id, secret_access_key, source, .. } = &found else { panic!("{found:?}") };
        assert_eq!((access_key_id.as_str(), secret_access_key.as_str()), ("from-file", "secret-from-file"));
        assert!(matches!(source, CredentialSource::SecretFiles { .. }));
        assert!(!format!("{found:?}").contains("secret-from-file"));
    }

    #[test]
    fn the_environment_serves_when_no_secret_is_mounted() {
        let dir = tempfile::tempdir().unwrap();
        let found = Credentials::resolve(
            &config(),
            dir.path(),
            env(&[(ACCESS_KEY_ENV, "a"), (SECRET_KEY_ENV, "s"), (SESSION_TOKEN_ENV, "t")]),
        )
        .unwrap();
        assert_eq!(
            found,
            Credentials::Keys {
                access_key_id: "a".into(),
                secret_access_key: "s".into(),
                session_token: Some("t".into()),
                source: CredentialSource::Environment
            }
        );
    }

    #[test]
    fn nothing_found_names_every_place_looked_at() {
        let dir = tempfile::tempdir().unwrap();
        let error = Credentials::resolve(&config(), dir.path(), env(&[(ACCESS_KEY_ENV, "a")])).unwrap_err();
        let expected = format!(
            "no credentials for bucket \"b\": no files {0}/cred/accesskey and {0}/cred/secretkey; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
            dir.path().display()
        );
        assert_eq!(error.to_string(), expected);
    }

    #[test]
    fn half_a_mounted_secret_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("cred")).unwrap();
        std::fs::write(dir.path().join("cred/accesskey"), "a").unwrap();
        let error = Credentials::resolve(&config(), dir.path(), env(&[])).unwrap_err();
        assert!(matches!(error, CredentialError::HalfMounted { missing: "secretKeySecret", .. }), "{error}");
    }

    #[test]
    fn sdk_credentials_read_nothing_else() {
        let mut config = config();
        config.use_sdk_creds = true;
        assert_eq!(
            Credentials::resolve(&config, Path::new("/nonexistent"), env(&[])).unwrap(),
            Credentials::SdkDefault
        );
    }
}
