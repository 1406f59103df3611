//! The wasm-workflows developer tool as a library: run a module locally
//! exactly as the Argo WASM plugin would ([`runner`]), with the plugin's
//! HTTP allow-list ([`allow_list`]), publish modules to OCI registries and
//! pull them back ([`oci`]), and stand in for the plugin in a cluster
//! ([`plugin_host`], `wasm-workflows serve`); [`scaffold`] starts projects
//! from the templates it carries; [`workflow`] runs a whole Argo workflow
//! here as Argo's controller would (`wasm-workflows run workflow.yaml`).

pub mod allow_list;
pub mod cache_root;
mod error_text;
pub mod executor_plugin;
pub mod forward;
pub mod json_documents;
pub mod logging;
pub mod metrics;
pub mod oci;
pub mod plugin_host;
pub mod runner;
pub mod scaffold;
pub mod tls;
pub mod workflow;
