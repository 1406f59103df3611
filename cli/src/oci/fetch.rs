//! The GETs of a pull, made here rather than by `oci-client` so that
//! nothing a registry (or its token server) sends is held beyond a cap: a
//! manifest or index of at most [`MAX_MANIFEST_SIZE`] (as registries cap
//! what they accept), a layer of at most the size its manifest declares, a
//! token server's answer of at most [`MAX_TOKEN_ANSWER`], and an error body
//! of at most [`MAX_ERROR_BODY`] (cut to an excerpt later). `oci-client`
//! buffers each of these whole. The bearer token is asked for as the
//! distribution spec says (the registry's `WWW-Authenticate` challenge
//! names the token server, its `realm`), and kept per repository until the
//! registry refuses it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use oci_client::Reference;
use oci_client::errors::{OciDistributionError, OciEnvelope};
use oci_client::secrets::RegistryAuth;
use oci_client::token_cache::RegistryToken;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, HeaderMap, HeaderValue, WWW_AUTHENTICATE};

/// The largest manifest or image index read: 4 MiB, the most that
/// registries accept on push (distribution, Harbor, ECR, GHCR).
pub const MAX_MANIFEST_SIZE: u64 = 4 << 20;

/// The most of an error answer's body read: enough for an OCI error
/// envelope; what lies past it is never received into memory.
pub const MAX_ERROR_BODY: u64 = 16 << 10;

/// The most of a token server's answer read: a token is a few KiB (a JWT,
/// given twice by some servers as `token` and `access_token`).
pub const MAX_TOKEN_ANSWER: u64 = 64 << 10;

/// How many repositories' tokens are kept; past it they are all dropped
/// (and asked for again when needed), so that pulls from ever new
/// repositories cannot grow the host.
const MAX_KEPT_TOKENS: usize = 256;

/// The manifest types a pull accepts (the same four as `oci-client`'s).
const MANIFEST_TYPES: &str = "application/vnd.docker.distribution.manifest.v2+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

/// Why a capped GET failed.
#[derive(Debug)]
pub enum FetchError {
    /// The registry, the connection or authentication failed; in
    /// `oci-client`'s terms, so that one classification serves both.
    Registry(OciDistributionError),
    /// The answer is longer than the cap: `declared` is its
    /// `Content-Length`, if it sent one.
    TooLarge {
        /// The cap.
        limit: u64,
        /// What the registry declared.
        declared: Option<u64>,
    },
    /// The token server's answer is not a token this host takes: why.
    Token(String),
}

impl From<OciDistributionError> for FetchError {
    fn from(error: OciDistributionError) -> FetchError {
        FetchError::Registry(error)
    }
}

impl From<reqwest::Error> for FetchError {
    fn from(error: reqwest::Error) -> FetchError {
        FetchError::Registry(OciDistributionError::RequestError(error))
    }
}

/// A manifest's bytes as received, with the digest header if any.
pub struct FetchedManifest {
    /// The body (at most [`MAX_MANIFEST_SIZE`] bytes).
    pub body: Vec<u8>,
    /// `Docker-Content-Digest`, when the registry sent one.
    pub digest_header: Option<String>,
}

/// Capped GETs to registries and their token servers.
pub struct Fetcher {
    http: reqwest::Client,
    /// Bearer tokens by `registry/repository`, at most [`MAX_KEPT_TOKENS`]:
    /// `None` when the registry asks for none (or for basic authentication).
    tokens: Mutex<HashMap<String, Option<String>>>,
}

impl Fetcher {
    /// A fetcher whose connections open within `connect` and stall no longer than `read`.
    pub fn new(connect: Duration, read: Duration) -> Fetcher {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(connect)
            .read_timeout(read)
            .user_agent(concat!("wasm-workflows/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Fetcher { http, tokens: Mutex::new(HashMap::new()) }
    }

    /// The manifest or index `reference` names, refused past [`MAX_MANIFEST_SIZE`].
    pub async fn manifest(
        &self,
        reference: &Reference,
        auth: &RegistryAuth,
        scheme: &str,
    ) -> Result<FetchedManifest, FetchError> {
        let target = reference.digest().or(reference.tag()).unwrap_or("latest");
        let url = format!("{}/manifests/{target}{}", repository_url(reference, scheme), namespace_query(reference));
        let response = self.get(reference, auth, scheme, &url, Some(MANIFEST_TYPES)).await?;
        let digest_header =
            response.headers().get("docker-content-digest").and_then(|value| value.to_str().ok()).map(str::to_owned);
        let body = read_capped(response, MAX_MANIFEST_SIZE).await?;
        Ok(FetchedManifest { body, digest_header })
    }

    /// The blob `digest` of `reference`'s repository, refused past `limit` bytes.
    pub async fn blob(
        &self,
        reference: &Reference,
        auth: &RegistryAuth,
        scheme: &str,
        digest: &str,
        limit: u64,
    ) -> Result<Vec<u8>, FetchError> {
        let url = format!("{}/blobs/{digest}{}", repository_url(reference, scheme), namespace_query(reference));
        let response = self.get(reference, auth, scheme, &url, None).await?;
        read_capped(response, limit).await
    }

    /// GETs `url` with the repository's token, asking for a new one once
    /// if the registry refuses the one kept. A status other
    /// than 200 becomes an error carrying at most [`MAX_ERROR_BODY`] of its body.
    async fn get(
        &self,
        reference: &Reference,
        auth: &RegistryAuth,
        scheme: &str,
        url: &str,
        accept: Option<&str>,
    ) -> Result<reqwest::Response, FetchError> {
        let key = format!("{}/{}", reference.resolve_registry(), reference.repository());
        let kept = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&key).cloned();
        let mut token = match kept.clone() {
            Some(token) => token,
            None => self.authenticate(reference, auth, scheme, &key).await?,
        };
        let mut retried = kept.is_none();
        loop {
            let mut request = self.http.get(url);
            if let Some(accept) = accept {
                request = request.header(ACCEPT, accept);
            }
            request = match (&token, auth) {
                (Some(token), _) => request.header(AUTHORIZATION, format!("Bearer {token}")),
                (None, RegistryAuth::Basic(user, password)) => request.basic_auth(user, Some(password)),
                (None, _) => request,
            };
            let response = request.send().await?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !retried {
                retried = true;
                token = self.authenticate(reference, auth, scheme, &key).await?;
                continue;
            }
            if status == StatusCode::OK {
                return Ok(response);
            }
            let url = response.url().to_string();
            let body = read_capped_prefix(response, MAX_ERROR_BODY).await;
            return Err(FetchError::Registry(status_error(status, &body, url)));
        }
    }

    /// Asks for the repository's bearer token and keeps it.
    async fn authenticate(
        &self,
        reference: &Reference,
        auth: &RegistryAuth,
        scheme: &str,
        key: &str,
    ) -> Result<Option<String>, FetchError> {
        let token = self.pull_token(reference, auth, scheme).await?;
        let mut tokens = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if tokens.len() >= MAX_KEPT_TOKENS && !tokens.contains_key(key) {
            tokens.clear();
        }
        tokens.insert(key.to_owned(), token.clone());
        Ok(token)
    }

    /// A bearer token to push to `reference`'s repository (scope
    /// `pull,push`), asked for as a pull's is, its answer read up to
    /// [`MAX_TOKEN_ANSWER`]; `None` when the registry asks for no token.
    pub async fn push_token(
        &self,
        reference: &Reference,
        auth: &RegistryAuth,
        scheme: &str,
    ) -> Result<Option<String>, FetchError> {
        self.token(reference, auth, scheme, "pull,push").await
    }

    /// A bearer token to pull from `reference`'s repository.
    async fn pull_token(
        &self,
        reference: &Reference,
        auth: &RegistryAuth,
        scheme: &str,
    ) -> Result<Option<String>, FetchError> {
        self.token(reference, auth, scheme, "pull").await
    }

    /// A bearer token for `actions` on `reference`'s repository, as the
    /// distribution spec's token authentication gives it: `GET /v2/`, whose
    /// `WWW-Authenticate` names the token server (`realm`) and `service`;
    /// then that server's answer (`{"token": …}` or `{"access_token": …}`),
    /// read up to [`MAX_TOKEN_ANSWER`]. `None` when the registry asks for
    /// no token (none at all, or HTTP basic authentication).
    async fn token(
        &self,
        reference: &Reference,
        auth: &RegistryAuth,
        scheme: &str,
        actions: &str,
    ) -> Result<Option<String>, FetchError> {
        if let RegistryAuth::Bearer(token) = auth {
            return Ok(Some(token.clone()));
        }
        let ping = self.http.get(format!("{scheme}://{}/v2/", reference.resolve_registry())).send().await?;
        // Only the challenge is wanted: the body is dropped unread.
        let challenge = ping.headers().get(WWW_AUTHENTICATE).and_then(bearer_challenge);
        drop(ping);
        let Some((realm, service)) = challenge else {
            return Ok(None);
        };
        let mut query = vec![("scope", format!("repository:{}:{actions}", reference.repository()))];
        query.extend(service.map(|service| ("service", service)));
        let mut request = self.http.get(&realm).query(&query);
        if let RegistryAuth::Basic(user, password) = auth {
            request = request.basic_auth(user, Some(password));
        }
        let answer = request.send().await?;
        if answer.status() != StatusCode::OK {
            let body = read_capped_prefix(answer, MAX_ERROR_BODY).await;
            return Err(FetchError::Registry(OciDistributionError::AuthenticationFailure(
                String::from_utf8_lossy(&body).into_owned(),
            )));
        }
        let body = read_capped(answer, MAX_TOKEN_ANSWER).await.map_err(|error| match error {
            FetchError::TooLarge { limit, declared } => FetchError::Token(format!(
                "its token server ({}) answered {}more than the {limit} bytes this host reads of a token",
                crate::error_text::excerpt(&realm, 100),
                declared.map_or(String::new(), |size| format!("{size} bytes, "))
            )),
            other => other,
        })?;
        let token: RegistryToken = serde_json::from_slice(&body).map_err(|error| {
            FetchError::Token(format!(
                "its token server ({}) did not answer a token: {error}",
                crate::error_text::excerpt(&realm, 100)
            ))
        })?;
        Ok(Some(token.token().to_owned()))
    }
}

/// The token server (`realm`) and `service` of a `Bearer` challenge, if
/// the header holds one (a registry may offer several schemes).
fn bearer_challenge(header: &HeaderValue) -> Option<(String, Option<String>)> {
    let text = header.to_str().ok()?;
    http_auth::ChallengeParser::new(text).filter_map(Result::ok).find_map(|challenge| {
        if !challenge.scheme.eq_ignore_ascii_case("Bearer") {
            return None;
        }
        let param = |name: &str| {
            challenge
                .params
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.to_unescaped())
        };
        Some((param("realm")?, param("service")))
    })
}

/// `SCHEME://REGISTRY/v2/REPOSITORY`.
fn repository_url(reference: &Reference, scheme: &str) -> String {
    format!("{scheme}://{}/v2/{}", reference.resolve_registry(), reference.repository())
}

/// `?ns=REGISTRY` for a reference resolved through a mirror, as `oci-client` sends it.
fn namespace_query(reference: &Reference) -> String {
    reference.namespace().map(|namespace| format!("?ns={namespace}")).unwrap_or_default()
}

/// An answer's body, refused if it declares or carries more than `limit` bytes.
async fn read_capped(mut response: reqwest::Response, limit: u64) -> Result<Vec<u8>, FetchError> {
    let declared = content_length(response.headers());
    if declared.is_some_and(|length| length > limit) {
        return Err(FetchError::TooLarge { limit, declared });
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    while let Some(chunk) = response.chunk().await? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(FetchError::TooLarge { limit, declared });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// At most `limit` bytes of an answer's body; the rest is never read (the
/// connection is dropped with it), and a failure to read ends the body.
async fn read_capped_prefix(mut response: reqwest::Response, limit: u64) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = (limit as usize).saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() as u64 >= limit {
            break;
        }
    }
    body
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// The error `oci-client` would make of this answer (its
/// `validate_registry_response`), from the capped body.
fn status_error(status: StatusCode, body: &[u8], url: String) -> OciDistributionError {
    match status {
        StatusCode::UNAUTHORIZED => OciDistributionError::UnauthorizedError { url },
        status if status.is_client_error() => match serde_json::from_slice::<OciEnvelope>(body) {
            Ok(envelope) => OciDistributionError::RegistryError { envelope, url },
            Err(_) => OciDistributionError::ServerError {
                code: status.as_u16(),
                url,
                message: String::from_utf8_lossy(body).into_owned(),
            },
        },
        status => OciDistributionError::ServerError {
            code: status.as_u16(),
            url,
            message: String::from_utf8_lossy(body).into_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_server_is_read_from_a_bearer_challenge() {
        let challenge = |text: &'static str| bearer_challenge(&HeaderValue::from_static(text));
        assert_eq!(
            challenge(r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#),
            Some(("https://auth.docker.io/token".to_owned(), Some("registry.docker.io".to_owned())))
        );
        assert_eq!(challenge(r#"Basic realm="test-registry""#), None, "basic authentication needs no token");
        assert_eq!(
            challenge(r#"Basic realm="x", bearer Realm="https://ghcr.io/token""#),
            Some(("https://ghcr.io/token".to_owned(), None)),
            "the bearer one of several, its names in any case"
        );
        assert_eq!(challenge(r#"Bearer service="no realm""#), None);
    }
}
