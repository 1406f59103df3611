//! Image references (`REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST]`) and which
//! registries are spoken to in plain HTTP.

use std::net::IpAddr;

use oci_client::Reference;

use super::OciError;

/// Parses `text` as an image reference.
pub fn parse(text: &str) -> Result<Reference, OciError> {
    text.parse::<Reference>()
        .map_err(|error| OciError::InvalidReference { reference: text.to_owned(), reason: error.to_string() })
}

/// Whether `text` names an image in a registry rather than a file: it has a
/// registry part (`host.domain/…`, `host:port/…` or `localhost/…`), as
/// `docker` tells a registry from a Docker Hub user.
pub fn names_an_image(text: &str) -> bool {
    match text.split_once('/') {
        Some((registry, rest)) => {
            !rest.is_empty()
                && (registry.contains('.') || registry.contains(':') || registry == "localhost")
                && parse(text).is_ok()
        }
        None => false,
    }
}

/// Whether `registry` (`host[:port]`) is this machine: `localhost`, a
/// loopback address.
pub fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => registry.rsplit_once(':').map_or(registry, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_images_from_files() {
        assert!(names_an_image("ghcr.io/wasm-workflows/ferris-says:latest"));
        assert!(names_an_image("127.0.0.1:5000/ferris-says"));
        assert!(names_an_image(
            "localhost/ferris-says@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        ));
        assert!(!names_an_image("ferris-says.wasm"));
        assert!(!names_an_image("target/wasm32-wasip1/release/ferris-says.wasm"));
        assert!(!names_an_image("./module.wasm"));
        assert!(!names_an_image("library/ubuntu"), "a Docker Hub name without a registry is taken for a path");
    }

    #[test]
    fn loopback_registries() {
        for registry in ["localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000", "[::1]"] {
            assert!(is_loopback(registry), "{registry}");
        }
        for registry in ["ghcr.io", "10.0.0.1:5000", "localhost.example.org", "[2001:db8::1]:443"] {
            assert!(!is_loopback(registry), "{registry}");
        }
    }

    #[test]
    fn a_bad_reference_says_how_to_write_one() {
        let error = parse("ghcr.io/UPPER/case").unwrap_err().to_string();
        assert!(error.starts_with("\"ghcr.io/UPPER/case\" is not an image reference ("), "{error}");
        assert!(error.ends_with("write REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST]"), "{error}");
    }
}
