//! The wasm-workflows developer tool as a library: run a module locally
//! exactly as the Argo WASM plugin would ([`runner`]), with the plugin's
//! HTTP allow-list ([`allow_list`]), and build modules with cargo
//! ([`cargo_build`]); [`harness`] serves the tests of modules.

pub mod allow_list;
pub mod cargo_build;
pub mod harness;
pub mod plugin_host;
pub mod runner;
