//! Talking to a registry with `oci-client`: pushing a module in a layout,
//! pulling one back (verified against its digest, cached by digest).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{OciDescriptor, OciImageManifest, OciManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use super::OciError;
use super::cache::ImageCache;
use super::credentials::Credentials;
use super::fetch::{FetchError, FetchedManifest, Fetcher};
use super::layout::{self, Layout, PULLABLE_LAYERS, sha256_digest};
use super::reference::is_loopback;
use crate::error_text::{chain, excerpt};

/// How to reach registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// The credentials to present.
    pub credentials: Credentials,
    /// Registries (`host[:port]`) spoken to in plain HTTP; loopback ones always are.
    pub insecure_registries: Vec<String>,
    /// Plain HTTP for every registry.
    pub insecure: bool,
    /// The largest module layer pulled, in bytes (default [`DEFAULT_MAX_MODULE_SIZE`]).
    pub max_module_size: Option<u64>,
    /// How long a whole pull may take (default: 300 s).
    pub pull_timeout: Option<Duration>,
}

/// How long a pull may take unless told otherwise: the manifest and the
/// layer of a 256 MiB module over a slow link, with room to spare.
pub const DEFAULT_PULL_TIMEOUT: Duration = Duration::from_secs(300);

/// How long a connection to a registry may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a registry may send nothing before its answer is given up.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a push's token server may take to answer a token (a few KiB).
const TOKEN_DEADLINE: Duration = Duration::from_secs(60);

/// How many characters of what a registry says go into a message.
const MAX_QUOTED: usize = 300;

/// The largest module layer pulled unless told otherwise: 256 MiB (the
/// largest modules of the templates, Python's components, are about 19 MB).
pub const DEFAULT_MAX_MODULE_SIZE: u64 = 256 << 20;

impl RegistryOptions {
    /// Whether `registry` is spoken to in plain HTTP rather than HTTPS.
    pub fn plain_http(&self, registry: &str) -> bool {
        self.insecure || is_loopback(registry) || self.insecure_registries.iter().any(|r| r == registry)
    }
}

/// A module pushed: where, and the manifest's digest.
#[derive(Debug, Clone)]
pub struct PushedImage {
    /// The reference pinned to the pushed manifest: `REPOSITORY@sha256:…`.
    pub pinned: String,
    /// The manifest's digest.
    pub digest: String,
    /// The module layer's digest.
    pub layer_digest: String,
}

/// A module pulled.
#[derive(Debug, Clone)]
pub struct PulledModule {
    /// The module's bytes.
    pub bytes: Vec<u8>,
    /// The manifest's digest.
    pub manifest_digest: String,
    /// The digest of the module's layer (verified).
    pub layer_digest: String,
    /// The layout, when the config is one of the two this tool writes.
    pub layout: Option<Layout>,
    /// Whether the module came from the cache without asking the registry.
    pub from_cache: bool,
}

/// A client for registries; keep one for many pulls (it keeps connections
/// and tokens).
pub struct Registry {
    options: RegistryOptions,
    cache: Option<ImageCache>,
    clients: Mutex<HashMap<String, Client>>,
    fetcher: Fetcher,
}

impl Registry {
    /// A client with these options, caching pulled modules in `cache` if given.
    pub fn new(options: RegistryOptions, cache: Option<ImageCache>) -> Registry {
        Registry {
            options,
            cache,
            clients: Mutex::new(HashMap::new()),
            fetcher: Fetcher::new(CONNECT_TIMEOUT, READ_TIMEOUT),
        }
    }

    fn client(&self, registry: &str) -> Client {
        crate::tls::install_crypto_provider();
        let mut clients = self.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        clients
            .entry(registry.to_owned())
            .or_insert_with(|| {
                let protocol = match self.options.plain_http(registry) {
                    true => ClientProtocol::HttpsExcept(vec![registry.to_owned()]),
                    false => ClientProtocol::Https,
                };
                Client::new(ClientConfig {
                    protocol,
                    connect_timeout: Some(CONNECT_TIMEOUT),
                    read_timeout: Some(READ_TIMEOUT),
                    ..ClientConfig::default()
                })
            })
            .clone()
    }

    /// Pushes `module` to `reference` laid out as `layout`, with these
    /// annotations on the manifest and `created` (RFC 3339) as its time.
    pub async fn push(
        &self,
        module: Vec<u8>,
        reference: &Reference,
        layout: Layout,
        created: &str,
        annotations: &BTreeMap<String, String>,
    ) -> Result<PushedImage, OciError> {
        let parts = layout::image_parts(layout, module, created, annotations)
            .map_err(|reason| OciError::NotAModule { reference: reference.whole(), reason })?;
        let registry = reference.resolve_registry();
        let (auth, who) = self.options.credentials.for_registry(registry)?;
        let client = self.client(registry);
        let failed = |error| classify(error, reference, &who);
        let token_refused = |reason: String| OciError::Registry {
            registry: registry.to_owned(),
            reference: reference.whole(),
            reason: excerpt(&reason, MAX_QUOTED),
        };
        self.authorize_push(&client, reference, &auth).await.map_err(|error| match error {
            FetchError::Registry(error) => failed(error),
            FetchError::Token(reason) => token_refused(reason),
            FetchError::TooLarge { limit, .. } => token_refused(format!("an answer longer than {limit} bytes")),
        })?;
        for blob in [&parts.layer, &parts.config] {
            if !client.blob_exists(reference, &blob.digest).await.map_err(failed)? {
                client.push_blob(reference, blob.bytes.clone(), &blob.digest).await.map_err(failed)?;
            }
        }
        let content_type = http::HeaderValue::from_static(parts.manifest.media_type);
        client.push_manifest_raw(reference, parts.manifest.bytes.clone(), content_type).await.map_err(failed)?;
        Ok(PushedImage {
            pinned: format!("{}/{}@{}", reference.registry(), reference.repository(), parts.manifest.digest),
            digest: parts.manifest.digest,
            layer_digest: parts.layer.digest,
        })
    }

    /// Gives `client` what it needs to push to `reference`. The bearer
    /// token, if the registry asks for one, is fetched here as a pull's is
    /// (its answer capped, within [`TOKEN_DEADLINE`]) and handed to
    /// `client` as is: `oci-client` would read a token server's answer
    /// whole, however long. A registry that asks for no token gets
    /// `client`'s own authentication: none for anonymous pushes, and for
    /// credentials its basic authentication (which asks the registry's
    /// `/v2/` again: a registry that answered a challenge only then would
    /// have its token fetched by `oci-client`, unbounded).
    async fn authorize_push(
        &self,
        client: &Client,
        reference: &Reference,
        auth: &RegistryAuth,
    ) -> Result<(), FetchError> {
        let registry = reference.resolve_registry();
        let scheme = if self.options.plain_http(registry) { "http" } else { "https" };
        let token =
            tokio::time::timeout(TOKEN_DEADLINE, self.fetcher.push_token(reference, auth, scheme)).await.map_err(
                |_| FetchError::Token(format!("its token server sent no token within {} s", TOKEN_DEADLINE.as_secs())),
            )??;
        let push = oci_client::RegistryOperation::Push;
        match (token, auth) {
            (Some(token), _) => client.auth(reference, &RegistryAuth::Bearer(token), push).await.map(drop)?,
            (None, RegistryAuth::Anonymous) => {}
            (None, credentials) => client.auth(reference, credentials, push).await.map(drop)?,
        }
        Ok(())
    }

    /// Pulls the module at `reference`: a manifest with exactly one layer of
    /// a module type, whose bytes match its digest. A reference pinned to a
    /// digest is answered from the cache when it holds it. The whole pull
    /// is given up past its deadline (`pull_timeout`): a registry that
    /// sends a byte a second holds nobody.
    pub async fn pull(&self, reference: &Reference) -> Result<PulledModule, OciError> {
        let (cache, digest) = (self.cache.clone(), reference.digest().map(str::to_owned));
        if let Some(pulled) = off_the_workers(move || pinned_from_cache(cache?, &digest?)).await {
            return Ok(pulled);
        }
        let deadline = self.options.pull_timeout.unwrap_or(DEFAULT_PULL_TIMEOUT);
        tokio::time::timeout(deadline, self.pull_from_registry(reference)).await.unwrap_or_else(|_| {
            Err(OciError::TimedOut { reference: reference.whole(), seconds: deadline.as_secs_f64() })
        })
    }

    async fn pull_from_registry(&self, reference: &Reference) -> Result<PulledModule, OciError> {
        let registry = reference.resolve_registry();
        let (auth, who) = self.options.credentials.for_registry(registry)?;
        let failed = |error| classify(error, reference, &who);
        let scheme = if self.options.plain_http(registry) { "http" } else { "https" };
        let token_refused = |reason: String| OciError::Registry {
            registry: registry.to_owned(),
            reference: reference.whole(),
            reason: excerpt(&reason, MAX_QUOTED),
        };
        let not_a_module = |reason: String| OciError::NotAModule { reference: reference.whole(), reason };
        let fetched = self.fetcher.manifest(reference, &auth, scheme).await.map_err(|error| match error {
            FetchError::Registry(error) => failed(error),
            FetchError::TooLarge { limit, declared } => not_a_module(format!(
                "its manifest is {}more than the {limit} bytes this host reads (registries accept manifests of \
                 at most 4 MiB)",
                declared.map_or(String::new(), |size| format!("{size} bytes, "))
            )),
            FetchError::Token(reason) => token_refused(reason),
        })?;
        let (manifest, manifest_digest) = parse_manifest(reference, fetched)?;
        let (image, layer) = module_layer(&manifest).map_err(not_a_module)?;
        let max = self.options.max_module_size.unwrap_or(DEFAULT_MAX_MODULE_SIZE);
        let too_large = |size: u64| OciError::TooLarge { reference: reference.whole(), size, max };
        let declared = u64::try_from(layer.size)
            .map_err(|_| not_a_module(format!("its layer declares a size of {} bytes", layer.size)))?;
        if declared > max {
            return Err(too_large(declared));
        }
        let cached = {
            let (cache, digest) = (self.cache.clone(), layer.digest.clone());
            off_the_workers(move || cache.and_then(|cache| cache.module(&digest))).await
        };
        let fetched =
            match cached {
                Some(_) => None,
                None => Some(self.fetcher.blob(reference, &auth, scheme, &layer.digest, declared).await.map_err(
                    |error| match error {
                        FetchError::Registry(error) => failed(error),
                        FetchError::TooLarge { .. } => OciError::DigestMismatch {
                            reference: reference.whole(),
                            expected: layer.digest.clone(),
                            actual: format!("more than the {declared} bytes its manifest declares"),
                        },
                        FetchError::Token(reason) => token_refused(reason),
                    },
                )?),
            };
        // Hashing, storing and unpacking a layer of up to --max-module-size
        // bytes is blocking work: off the async workers.
        let (cache, whole, layer_digest, media_type) =
            (self.cache.clone(), reference.whole(), layer.digest.clone(), layer.media_type.clone());
        let stored_manifest_digest = manifest_digest.clone();
        let bytes = off_the_workers(move || -> Result<Vec<u8>, OciError> {
            let bytes = match (cached, fetched) {
                (Some(bytes), _) => bytes,
                (None, fetched) => {
                    let bytes = fetched.unwrap_or_default();
                    let actual = sha256_digest(&bytes);
                    if actual != layer_digest {
                        return Err(OciError::DigestMismatch { reference: whole, expected: layer_digest, actual });
                    }
                    if let Some(cache) = &cache {
                        cache.store_module(&bytes)?;
                    }
                    bytes
                }
            };
            if let Some(cache) = &cache {
                cache.store_manifest(&stored_manifest_digest, &layer_digest, &media_type)?;
            }
            layout::module_from_layer(&media_type, bytes)
                .map_err(|reason| OciError::NotAModule { reference: whole, reason })
        })
        .await?;
        Ok(PulledModule {
            bytes,
            manifest_digest,
            layer_digest: layer.digest.clone(),
            layout: Layout::of_config(&image.config.media_type),
            from_cache: false,
        })
    }
}

/// The module a manifest digest names, when the cache holds both.
fn pinned_from_cache(cache: ImageCache, digest: &str) -> Option<PulledModule> {
    let (layer_digest, media_type) = cache.layer_of(digest)?;
    let bytes = layout::module_from_layer(&media_type, cache.module(&layer_digest)?).ok()?;
    Some(PulledModule { bytes, manifest_digest: digest.to_owned(), layer_digest, layout: None, from_cache: true })
}

/// Runs blocking work (files, hashing, unpacking) on tokio's blocking
/// threads; a panic there is the caller's.
async fn off_the_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

/// A manifest as received, checked: its digest (the reference's, or the
/// registry's header) and schema version 2, then parsed. Returns it and its digest.
fn parse_manifest(reference: &Reference, fetched: FetchedManifest) -> Result<(OciManifest, String), OciError> {
    let actual = sha256_digest(&fetched.body);
    let expected = reference.digest().map(str::to_owned).or(fetched.digest_header);
    if let Some(expected) = expected.filter(|digest| digest.starts_with("sha256:"))
        && expected != actual
    {
        return Err(OciError::DigestMismatch { reference: reference.whole(), expected, actual });
    }
    let not_a_module = |reason: String| OciError::NotAModule { reference: reference.whole(), reason };
    #[derive(serde::Deserialize)]
    struct Versioned {
        #[serde(rename = "schemaVersion")]
        schema_version: i64,
    }
    let versioned: Versioned = serde_json::from_slice(&fetched.body)
        .map_err(|error| not_a_module(excerpt(&format!("its manifest is not one: {error}"), MAX_QUOTED)))?;
    if versioned.schema_version != 2 {
        return Err(not_a_module(format!("its manifest has schema version {}, not 2", versioned.schema_version)));
    }
    let manifest = serde_json::from_slice(&fetched.body)
        .map_err(|error| not_a_module(excerpt(&format!("its manifest is not one: {error}"), MAX_QUOTED)))?;
    Ok((manifest, actual))
}

/// The one module layer of a manifest, and its image; the error says why
/// the manifest is not a module's.
pub fn module_layer(manifest: &OciManifest) -> Result<(&OciImageManifest, &OciDescriptor), String> {
    let image = match manifest {
        OciManifest::Image(image) => image,
        OciManifest::ImageIndex(_) => {
            return Err("it is an image index (images for several platforms), not one image".into());
        }
    };
    let [layer] = image.layers.as_slice() else {
        return Err(format!(
            "its manifest has {} layers; a module image has exactly one, the module",
            image.layers.len()
        ));
    };
    if !PULLABLE_LAYERS.contains(&layer.media_type.as_str()) {
        return Err(format!(
            "its layer is of type {}, not a module (one of {})",
            layer.media_type,
            PULLABLE_LAYERS.join(", ")
        ));
    }
    Ok((image, layer))
}

/// Sorts out an error of `oci-client` into one that says what to do.
fn classify(error: OciDistributionError, reference: &Reference, credentials: &str) -> OciError {
    let registry = reference.resolve_registry().to_owned();
    let not_found = || OciError::NotFound {
        reference: reference.whole(),
        what: match reference.digest() {
            Some(digest) => format!("manifest {digest} in repository {}", reference.repository()),
            None => format!("tag \"{}\" in repository {}", reference.tag().unwrap_or("latest"), reference.repository()),
        },
    };
    let denied = |status: &str| OciError::Denied {
        registry: registry.clone(),
        reference: reference.whole(),
        reason: format!(
            "{status} with {credentials}; give credentials with --username and --password-stdin, or run \
             `docker login {registry}`"
        ),
    };
    match error {
        OciDistributionError::ImageManifestNotFoundError(_) => not_found(),
        OciDistributionError::RegistryError { envelope, .. } => {
            let codes: Vec<&OciErrorCode> = envelope.errors.iter().map(|e| &e.code).collect();
            if codes.iter().any(|c| {
                matches!(c, OciErrorCode::ManifestUnknown | OciErrorCode::NameUnknown | OciErrorCode::BlobUnknown)
            }) {
                not_found()
            } else if codes.iter().any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied)) {
                denied("access was refused")
            } else {
                let messages: Vec<String> =
                    envelope.errors.iter().map(|e| format!("{:?}: {}", e.code, e.message)).collect();
                OciError::Registry {
                    registry,
                    reference: reference.whole(),
                    reason: excerpt(&messages.join("; "), MAX_QUOTED),
                }
            }
        }
        OciDistributionError::ServerError { code: 404, .. } => not_found(),
        OciDistributionError::ServerError { code: code @ (401 | 403), .. } => denied(&format!("HTTP {code}")),
        OciDistributionError::AuthenticationFailure(_) | OciDistributionError::UnauthorizedError { .. } => {
            denied("HTTP 401 Unauthorized")
        }
        OciDistributionError::DigestError(oci_client::errors::DigestError::VerificationError { expected, actual }) => {
            OciError::DigestMismatch { reference: reference.whole(), expected, actual }
        }
        OciDistributionError::RequestError(error)
            if error.status().is_some_and(|status| status.as_u16() == 401 || status.as_u16() == 403) =>
        {
            denied(&format!("HTTP {}", error.status().map_or(0, |status| status.as_u16())))
        }
        OciDistributionError::RequestError(error) if error.status().is_some_and(|status| status.as_u16() == 404) => {
            not_found()
        }
        OciDistributionError::RequestError(error) if error.is_connect() || error.is_timeout() => {
            OciError::Unreachable { registry, reason: excerpt(&chain(&error), MAX_QUOTED) }
        }
        other => {
            OciError::Registry { registry, reference: reference.whole(), reason: excerpt(&chain(&other), MAX_QUOTED) }
        }
    }
}
