#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

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
pub mod testing;
pub mod workdir;

pub use anyhow;
pub use error::{Error, ParameterKind, Result};
pub use parameters::IntoDefault;
pub use wasm_workflows_macros::workflow_step;

/// What a module needs: `use wasm_workflows_sdk::prelude::*;`.
pub mod prelude {
    pub use crate::anyhow;
    pub use crate::artifacts::{InputArtifact, OutputArtifact, write_output_artifact};
    pub use crate::json::Value;
    pub use crate::log;
    pub use crate::protocol::{ArtifactRef, Parameter, Phase, PluginInvocation, PluginResult};
    pub use crate::workflow_step;
}
