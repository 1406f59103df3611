//! TLS for the clients of registries and object stores: rustls with ring's
//! cryptography, so that no C library (aws-lc) is built or linked. reqwest is
//! built without a provider of its own; this installs ring's for the process.

/// Installs ring's provider as the process default, unless one is already
/// installed (then that one serves). Call it before building an HTTPS client.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
