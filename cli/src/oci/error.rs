//! What can go wrong between a module and a registry, each said so that the
//! user knows what to do.

/// An error of pushing or pulling a module image.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// The text is not an image reference.
    #[error("\"{reference}\" is not an image reference ({reason}); write REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST]")]
    InvalidReference {
        /// The text given.
        reference: String,
        /// Why it does not parse.
        reason: String,
    },
    /// The registry has no manifest for the tag or digest.
    #[error("{reference} does not exist: the registry has no {what}")]
    NotFound {
        /// The reference.
        reference: String,
        /// "tag \"x\" in repository y", or the digest.
        what: String,
    },
    /// The registry cannot be reached.
    #[error("cannot reach the registry {registry}: {reason}")]
    Unreachable {
        /// `host[:port]`.
        registry: String,
        /// The connection error.
        reason: String,
    },
    /// The registry refused the credentials, or wants some.
    #[error("the registry {registry} refused access to {reference}: {reason}")]
    Denied {
        /// `host[:port]`.
        registry: String,
        /// The reference.
        reference: String,
        /// What was refused and how to give credentials.
        reason: String,
    },
    /// The manifest is not one of a module.
    #[error("{reference} is not a module image: {reason}")]
    NotAModule {
        /// The reference.
        reference: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The module is larger than the host pulls.
    #[error(
        "{reference} is a module of {size} bytes; this host pulls modules of at most {max} bytes (--max-module-size)"
    )]
    TooLarge {
        /// The reference.
        reference: String,
        /// The size its manifest declares.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The layer's bytes are not the ones its manifest names.
    #[error(
        "the module layer of {reference} is damaged: the manifest names {expected}, the bytes received are {actual}"
    )]
    DigestMismatch {
        /// The reference.
        reference: String,
        /// The digest in the manifest.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// The pull took longer than its deadline.
    #[error("pulling {reference} took longer than {seconds} s (--pull-timeout): the registry is too slow, or stalled")]
    TimedOut {
        /// The reference.
        reference: String,
        /// The deadline.
        seconds: f64,
    },
    /// The registry answered with an error this tool does not sort out.
    #[error("the registry {registry} failed for {reference}: {reason}")]
    Registry {
        /// `host[:port]`.
        registry: String,
        /// The reference.
        reference: String,
        /// Its answer.
        reason: String,
    },
    /// Credentials could not be read.
    #[error("cannot read credentials for {registry}: {reason}")]
    Credentials {
        /// `host[:port]`.
        registry: String,
        /// Why.
        reason: String,
    },
    /// A local file or the cache failed.
    #[error("cannot {action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// Why it failed.
        source: std::io::Error,
    },
}

impl OciError {
    pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> OciError {
        let action = action.into();
        move |source| OciError::Io { action, source }
    }
}
