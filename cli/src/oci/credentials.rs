//! Credentials for a registry: given on the command line, Docker's own
//! (`docker login`, credential helpers included), a Docker config JSON given
//! as a file or as text (a Kubernetes `kubernetes.io/dockerconfigjson`
//! Secret's `.dockerconfigjson`, mounted or in an environment variable), else none.

use std::path::PathBuf;

use docker_credential::{CredentialRetrievalError, DockerCredential};
use oci_client::secrets::RegistryAuth;

use super::OciError;

/// Where the credentials for a registry come from.
#[derive(Clone, Default)]
pub enum Credentials {
    /// Docker's configuration (`$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`, with its credential helpers); anonymous when
    /// it has nothing for the registry.
    #[default]
    DockerConfig,
    /// A user name and password (`--username`, `--password-stdin`).
    Basic {
        /// The user name.
        username: String,
        /// The password or token.
        password: String,
    },
    /// A Docker config JSON (`{"auths": {"HOST[:PORT]": {"auth": …}}}`), the
    /// form of a `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson`.
    ConfigJson(ConfigJson),
    /// None.
    Anonymous,
}

/// Where a Docker config JSON comes from.
#[derive(Clone)]
pub enum ConfigJson {
    /// Its text, read once (an environment variable's value).
    Text {
        /// The JSON.
        text: String,
        /// Where it came from, for messages (`$REGISTRY_CREDENTIALS`).
        origin: String,
    },
    /// A file, read again at every pull, so that a mounted Secret that
    /// Kubernetes updates takes effect. While it does not exist, pulls are
    /// anonymous (a Secret volume marked `optional` that is absent).
    File(PathBuf),
}

impl Credentials {
    /// The credentials in the Docker config JSON `text`, from `origin`
    /// (for messages); an error if it is not one.
    pub fn config_json_text(text: String, origin: &str) -> Result<Credentials, String> {
        check_config_json(&text).map_err(|reason| format!("{origin}: {reason}"))?;
        Ok(Credentials::ConfigJson(ConfigJson::Text { text, origin: origin.to_owned() }))
    }

    /// The credentials in the Docker config JSON file `file`; an error if it
    /// exists and is not one. A missing file is no error (see [`ConfigJson::File`]).
    pub fn config_json_file(file: PathBuf) -> Result<Credentials, String> {
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                check_config_json(&text).map_err(|reason| format!("{}: {reason}", file.display()))?;
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(format!("cannot read {}: {error}", file.display())),
        }
        Ok(Credentials::ConfigJson(ConfigJson::File(file)))
    }

    /// In words, for a host's log: where credentials come from and for which registries.
    pub fn describe(&self) -> String {
        match self {
            Credentials::DockerConfig => "Docker's config (docker login), else none".into(),
            Credentials::Basic { username, .. } => format!("user \"{username}\" given with --username"),
            Credentials::Anonymous => "none".into(),
            Credentials::ConfigJson(source) => {
                let (text, origin) = match source.read() {
                    Ok(found) => found,
                    Err(reason) => return reason,
                };
                match text.as_deref().map(check_config_json) {
                    Some(Ok(registries)) if registries.is_empty() => format!("{origin}, which names no registry"),
                    Some(Ok(registries)) => format!("{origin}, for {}", registries.join(", ")),
                    Some(Err(reason)) => format!("{origin}: {reason}"),
                    None => format!("none yet ({origin} does not exist)"),
                }
            }
        }
    }
}

impl ConfigJson {
    /// The JSON (`None` for a file that does not exist) and its origin in words.
    fn read(&self) -> Result<(Option<String>, String), String> {
        match self {
            ConfigJson::Text { text, origin } => Ok((Some(text.clone()), origin.clone())),
            ConfigJson::File(file) => match std::fs::read_to_string(file) {
                Ok(text) => Ok((Some(text), file.display().to_string())),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok((None, file.display().to_string())),
                Err(error) => Err(format!("cannot read {}: {error}", file.display())),
            },
        }
    }
}

/// The registries a Docker config JSON names, or what is wrong with it.
fn check_config_json(text: &str) -> Result<Vec<String>, String> {
    let config: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a Docker config JSON ({e})"))?;
    let auths = config.get("auths").and_then(serde_json::Value::as_object).ok_or_else(|| {
        "not a Docker config JSON: it has no \"auths\" object (`{\"auths\": {\"HOST\": {\"auth\": …}}}`, \
         the .dockerconfigjson key of a kubernetes.io/dockerconfigjson Secret)"
            .to_owned()
    })?;
    Ok(auths.keys().cloned().collect())
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::DockerConfig => f.write_str("DockerConfig"),
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, ****)"),
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::ConfigJson(ConfigJson::Text { origin, .. }) => write!(f, "ConfigJson({origin})"),
            Credentials::ConfigJson(ConfigJson::File(file)) => write!(f, "ConfigJson({})", file.display()),
        }
    }
}

/// The key Docker's config uses for `registry`.
fn docker_config_key(registry: &str) -> &str {
    match registry {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => "https://index.docker.io/v1/",
        other => other,
    }
}

impl Credentials {
    /// The authentication to use with `registry` (`host[:port]`), and in
    /// words what it is, for messages.
    pub(crate) fn for_registry(&self, registry: &str) -> Result<(RegistryAuth, String), OciError> {
        match self {
            Credentials::Anonymous => Ok((RegistryAuth::Anonymous, "no credentials".into())),
            Credentials::Basic { username, password } => Ok((
                RegistryAuth::Basic(username.clone(), password.clone()),
                format!("the credentials of user \"{username}\" given with --username"),
            )),
            Credentials::DockerConfig => match docker_credential::get_credential(docker_config_key(registry)) {
                Ok(DockerCredential::UsernamePassword(username, password)) => Ok((
                    RegistryAuth::Basic(username.clone(), password),
                    format!("the credentials of user \"{username}\" from Docker's config"),
                )),
                Ok(DockerCredential::IdentityToken(token)) => {
                    Ok((RegistryAuth::Bearer(token), "the identity token from Docker's config".into()))
                }
                Err(
                    CredentialRetrievalError::NoCredentialConfigured
                    | CredentialRetrievalError::ConfigNotFound
                    | CredentialRetrievalError::ConfigReadError,
                ) => {
                    Ok((RegistryAuth::Anonymous, "no credentials (Docker's config has none for this registry)".into()))
                }
                Err(error) => Err(OciError::Credentials { registry: registry.to_owned(), reason: error.to_string() }),
            },
            Credentials::ConfigJson(source) => {
                let failed = |reason: String| OciError::Credentials { registry: registry.to_owned(), reason };
                let (text, origin) = source.read().map_err(failed)?;
                let Some(text) = text else {
                    return Ok((RegistryAuth::Anonymous, format!("no credentials ({origin} does not exist)")));
                };
                check_config_json(&text).map_err(|reason| failed(format!("{origin}: {reason}")))?;
                match docker_credential::get_credential_from_reader(text.as_bytes(), docker_config_key(registry)) {
                    Ok(DockerCredential::UsernamePassword(username, password)) => Ok((
                        RegistryAuth::Basic(username.clone(), password),
                        format!("the credentials of user \"{username}\" from {origin}"),
                    )),
                    Ok(DockerCredential::IdentityToken(token)) => {
                        Ok((RegistryAuth::Bearer(token), format!("the identity token from {origin}")))
                    }
                    Err(CredentialRetrievalError::NoCredentialConfigured) => {
                        Ok((RegistryAuth::Anonymous, format!("no credentials ({origin} has none for {registry})")))
                    }
                    Err(error) => Err(failed(format!("{origin}: {error}"))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `kubectl create secret docker-registry` writes all three of username, password and auth.
    const CONFIG: &str = r#"{"auths": {
        "127.0.0.1:5000": {"username": "argo", "password": "s3cret", "auth": "YXJnbzpzM2NyZXQ="},
        "https://registry.example.org/v1/": {"auth": "YXJnbzpzM2NyZXQ="}
    }}"#;

    fn auth(credentials: &Credentials, registry: &str) -> (String, String) {
        let (auth, who) = credentials.for_registry(registry).unwrap();
        let auth = match auth {
            RegistryAuth::Basic(user, password) => format!("{user}:{password}"),
            RegistryAuth::Bearer(token) => format!("bearer {token}"),
            RegistryAuth::Anonymous => "anonymous".into(),
        };
        (auth, who)
    }

    #[test]
    fn a_config_json_gives_each_registry_its_credentials() {
        let credentials = Credentials::config_json_text(CONFIG.into(), "$REGISTRY_CREDENTIALS").unwrap();
        assert_eq!(
            auth(&credentials, "127.0.0.1:5000"),
            ("argo:s3cret".into(), "the credentials of user \"argo\" from $REGISTRY_CREDENTIALS".into())
        );
        // A key written as a URL (Docker's own style) names its host.
        assert_eq!(auth(&credentials, "registry.example.org").0, "argo:s3cret");
        assert_eq!(
            auth(&credentials, "127.0.0.1:5001"),
            ("anonymous".into(), "no credentials ($REGISTRY_CREDENTIALS has none for 127.0.0.1:5001)".into())
        );
        assert_eq!(
            credentials.describe(),
            "$REGISTRY_CREDENTIALS, for 127.0.0.1:5000, https://registry.example.org/v1/"
        );
    }

    #[test]
    fn what_is_not_a_config_json_is_refused_with_its_form() {
        let message = Credentials::config_json_text("{}".into(), "$REGISTRY_CREDENTIALS").unwrap_err();
        assert!(
            message.starts_with("$REGISTRY_CREDENTIALS: not a Docker config JSON: it has no \"auths\""),
            "{message}"
        );
        let message = Credentials::config_json_text("user:password".into(), "$X").unwrap_err();
        assert!(message.starts_with("$X: not a Docker config JSON ("), "{message}");
        // auth and username/password that disagree.
        let mismatch = r#"{"auths": {"r.example": {"username": "a", "password": "b", "auth": "YXJnbzpzM2NyZXQ="}}}"#;
        let credentials = Credentials::config_json_text(mismatch.into(), "$X").unwrap();
        let error = credentials.for_registry("r.example").unwrap_err().to_string();
        assert!(error.starts_with("cannot read credentials for r.example: $X: "), "{error}");
    }

    #[test]
    fn a_config_json_file_is_read_at_every_pull_and_may_be_missing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".dockerconfigjson");
        let credentials = Credentials::config_json_file(file.clone()).unwrap();
        let shown = file.display().to_string();
        assert_eq!(
            auth(&credentials, "127.0.0.1:5000"),
            ("anonymous".into(), format!("no credentials ({shown} does not exist)"))
        );
        assert_eq!(credentials.describe(), format!("none yet ({shown} does not exist)"));
        std::fs::write(&file, CONFIG).unwrap();
        assert_eq!(
            auth(&credentials, "127.0.0.1:5000"),
            ("argo:s3cret".into(), format!("the credentials of user \"argo\" from {shown}"))
        );
        std::fs::write(&file, "[]").unwrap();
        assert!(
            Credentials::config_json_file(file.clone()).unwrap_err().starts_with(&format!("{shown}: not a Docker"))
        );
        assert!(credentials.for_registry("127.0.0.1:5000").is_err());
    }
}
