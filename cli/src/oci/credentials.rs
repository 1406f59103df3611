//! Credentials for a registry: given on the command line, or Docker's own
//! (`docker login`, credential helpers included), else none.

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
    /// None.
    Anonymous,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::DockerConfig => f.write_str("DockerConfig"),
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, ****)"),
            Credentials::Anonymous => f.write_str("Anonymous"),
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
        }
    }
}
