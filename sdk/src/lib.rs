#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod argo_value;
pub mod artifacts;
mod error;
pub mod http;
pub mod json;
pub mod log;
mod parameters;
pub mod protocol;
pub mod runtime;
#[cfg(not(target_os = "wasi"))]
#[cfg_attr(docsrs, doc(cfg(not(target_os = "wasi"))))]
pub mod testing;
pub mod typed;
mod value_serde;
pub mod workdir;

pub use anyhow;
pub use error::{Error, ParameterKind, Result};
pub use parameters::IntoDefault;
pub use typed::{FromInvocation, IntoResult};
/// `#[derive(FromInvocation)]`: a struct of a step's inputs (see [`typed`]).
pub use wasm_workflows_macros::FromInvocation;
/// `#[derive(IntoResult)]`: a struct of a step's outputs (see [`typed`]).
pub use wasm_workflows_macros::IntoResult;
pub use wasm_workflows_macros::workflow_step;

#[doc(hidden)]
pub use typed::__private;

/// What a module needs: `use wasm_workflows_sdk::prelude::*;`. (The SDK's
/// [`log`] module is not in it, so that it does not hide the `log` crate:
/// `use wasm_workflows_sdk::log;`.)
pub mod prelude {
    pub use crate::anyhow;
    pub use crate::artifacts::{InputArtifact, OutputArtifact, write_output_artifact};
    pub use crate::json::Value;
    pub use crate::protocol::{ArtifactRef, Parameter, Phase, PluginInvocation, PluginResult};
    pub use crate::typed::{FromInvocation, IntoResult};
    pub use crate::workflow_step;
    pub use wasm_workflows_macros::{FromInvocation, IntoResult};
}
