//! Modules as OCI images: `push` in the layout the original Argo WASM plugin
//! pulls (wasm-to-oci) or in the CNCF Wasm OCI artifact layout, and `pull`
//! of either, verified against its digest and cached by digest.

mod cache;
mod component_world;
mod credentials;
mod error;
mod fetch;
mod layout;
mod reference;
mod registry;

pub use self::cache::ImageCache;
pub use self::component_world::{ComponentWorld, component_world};
pub use self::credentials::{ConfigJson, Credentials};
pub use self::error::OciError;
pub use self::fetch::{MAX_ERROR_BODY, MAX_MANIFEST_SIZE, MAX_TOKEN_ANSWER};
pub use self::layout::module_from_layer;
pub use self::layout::{
    Layout, MODULE_WASM_LAYER, OCI_MANIFEST, OCI_TAR_LAYER, PULLABLE_LAYERS, WASM_ARTIFACT_CONFIG, WASM_ARTIFACT_LAYER,
    WASM_TO_OCI_CONFIG, WASM_TO_OCI_LAYER, sha256_digest,
};
pub use self::reference::{is_loopback, names_an_image, parse as parse_reference};
pub use self::registry::{DEFAULT_MAX_MODULE_SIZE, PulledModule, PushedImage, Registry, RegistryOptions, module_layer};
pub use oci_client::Reference;
pub use oci_client::manifest::OciManifest;
