//! What this repository's tests and benchmarks share: Argo's own schema to
//! validate manifests against ([`argo_schema`]) and a real S3-compatible
//! server on loopback ([`s3_server`]).

pub mod argo_schema;
pub mod s3_server;
