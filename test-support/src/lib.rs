//! What this repository's tests and benchmarks share, kept out of the
//! `wasm-workflows` library a user installs: building a module for wasm
//! ([`cargo_build`]), running it as the host would ([`harness`]), Argo's
//! own schema to validate workflows and manifests against ([`argo_schema`]),
//! a real OCI registry ([`registry`]) and a hostile one ([`hostile_registry`]), a real S3-compatible server
//! ([`s3_server`]) on loopback, `wasm-workflows serve` as Argo's agent
//! calls it ([`serve`]) with small WAT step modules ([`wat_steps`]), and Kubernetes' schemas ([`kubernetes_schema`]) and
//! Pod Security Standards ([`pod_security`]) for the manifests in `argo-plugin/`.

pub mod argo_schema;
pub mod cargo_build;
pub mod harness;
pub mod hostile_registry;
pub mod http_server;
pub mod kubernetes_schema;
pub mod pod_security;
pub mod registry;
pub mod s3_server;
pub mod serve;
pub mod wat_steps;
