//! The two ways a module is laid out in a registry, and what a pull accepts.
//!
//! - **wasm-to-oci**, what the original Argo WASM plugin pulls: config
//!   `application/vnd.wasm.config.v1+json`, one layer
//!   `application/vnd.wasm.content.layer.v1+wasm`, and no top-level
//!   `mediaType` in the manifest (the plugin's client rejects one).
//! - **wasm-artifact**, the CNCF Wasm OCI artifact that wkg, containerd's
//!   runwasi and wasmCloud pull: config `application/vnd.wasm.config.v0+json`
//!   (`architecture: wasm`, `os: wasip1|wasip2`, `layerDigests`, and a
//!   component's imports and exports), one layer `application/wasm`.
//!
//! A pull takes either, and the layer types the original plugin takes.

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::component_world::component_world;
use crate::runner::ModuleKind;

/// The manifest media type of an OCI image.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// wasm-to-oci's config.
pub const WASM_TO_OCI_CONFIG: &str = "application/vnd.wasm.config.v1+json";
/// wasm-to-oci's layer.
pub const WASM_TO_OCI_LAYER: &str = "application/vnd.wasm.content.layer.v1+wasm";
/// An older name of wasm-to-oci's layer, which the original plugin also pulls.
pub const MODULE_WASM_LAYER: &str = "application/vnd.module.wasm.content.layer.v1+wasm";
/// A plain OCI layer, which the original plugin also pulls (the module
/// itself, or a tar archive holding it).
pub const OCI_TAR_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
/// The Wasm OCI artifact's config.
pub const WASM_ARTIFACT_CONFIG: &str = "application/vnd.wasm.config.v0+json";
/// The Wasm OCI artifact's layer.
pub const WASM_ARTIFACT_LAYER: &str = "application/wasm";

/// The layer types a pull accepts.
pub const PULLABLE_LAYERS: [&str; 4] = [WASM_TO_OCI_LAYER, MODULE_WASM_LAYER, OCI_TAR_LAYER, WASM_ARTIFACT_LAYER];

/// How a module is laid out in a registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// wasm-to-oci, what the original Argo WASM plugin pulls.
    WasmToOci,
    /// The CNCF Wasm OCI artifact (wkg, runwasi, wasmCloud).
    WasmArtifact,
}

impl Layout {
    /// wasm-to-oci for a core module (the original plugin runs only those),
    /// the Wasm OCI artifact for a component.
    pub fn default_for(kind: ModuleKind) -> Layout {
        match kind {
            ModuleKind::Core => Layout::WasmToOci,
            ModuleKind::Component => Layout::WasmArtifact,
        }
    }

    /// The layout whose config has this media type, if one of ours.
    pub fn of_config(media_type: &str) -> Option<Layout> {
        match media_type {
            WASM_TO_OCI_CONFIG => Some(Layout::WasmToOci),
            WASM_ARTIFACT_CONFIG => Some(Layout::WasmArtifact),
            _ => None,
        }
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Layout::WasmToOci => "wasm-to-oci",
            Layout::WasmArtifact => "wasm-artifact",
        }
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// A blob to push: its bytes, digest and media type.
#[derive(Debug, Clone)]
pub(crate) struct Blob {
    pub(crate) media_type: &'static str,
    pub(crate) digest: String,
    pub(crate) bytes: Vec<u8>,
}

impl Blob {
    fn new(media_type: &'static str, bytes: Vec<u8>) -> Blob {
        Blob { media_type, digest: sha256_digest(&bytes), bytes }
    }

    fn descriptor(&self) -> Value {
        json!({ "mediaType": self.media_type, "digest": self.digest, "size": self.bytes.len() })
    }
}

/// The three documents of a module image: its layer (the module), config and manifest.
#[derive(Debug, Clone)]
pub(crate) struct ImageParts {
    pub(crate) layer: Blob,
    pub(crate) config: Blob,
    pub(crate) manifest: Blob,
}

/// Lays `module` out as `layout`. `created` is the RFC 3339 time of the
/// image; `annotations` go on the manifest.
pub(crate) fn image_parts(
    layout: Layout,
    module: Vec<u8>,
    created: &str,
    annotations: &BTreeMap<String, String>,
) -> Result<ImageParts, String> {
    let kind = ModuleKind::detect(&module);
    let (layer_type, config_type, manifest_type) = match layout {
        Layout::WasmToOci => (WASM_TO_OCI_LAYER, WASM_TO_OCI_CONFIG, None),
        Layout::WasmArtifact => (WASM_ARTIFACT_LAYER, WASM_ARTIFACT_CONFIG, Some(OCI_MANIFEST)),
    };
    let config = match layout {
        Layout::WasmToOci => json!({}),
        Layout::WasmArtifact => artifact_config(&module, kind, created, annotations)?,
    };
    let layer = Blob::new(layer_type, module);
    let config = Blob::new(config_type, config.to_string().into_bytes());
    let mut manifest = json!({ "schemaVersion": 2 });
    if let Some(media_type) = manifest_type {
        manifest["mediaType"] = json!(media_type);
    }
    manifest["config"] = config.descriptor();
    manifest["layers"] = json!([layer.descriptor()]);
    if !annotations.is_empty() {
        manifest["annotations"] = json!(annotations);
    }
    let manifest = Blob::new(manifest_type.unwrap_or(OCI_MANIFEST), manifest.to_string().into_bytes());
    Ok(ImageParts { layer, config, manifest })
}

/// The Wasm OCI artifact's config.
fn artifact_config(
    module: &[u8],
    kind: ModuleKind,
    created: &str,
    annotations: &BTreeMap<String, String>,
) -> Result<Value, String> {
    let mut config = json!({
        "created": created,
        "architecture": "wasm",
        "os": match kind { ModuleKind::Core => "wasip1", ModuleKind::Component => "wasip2" },
        "layerDigests": [sha256_digest(module)],
    });
    if let Some(author) = annotations.get("org.opencontainers.image.authors") {
        config["author"] = json!(author);
    }
    if kind == ModuleKind::Component {
        let world =
            component_world(module).map_err(|e| format!("cannot read the component's imports and exports: {e}"))?;
        config["component"] = json!({ "imports": world.imports, "exports": world.exports });
    }
    Ok(config)
}

/// The module in a pulled layer of type `media_type`. A plain OCI layer
/// holds the module itself (as the original plugin reads it) or a tar
/// archive with exactly one `.wasm` file.
pub fn module_from_layer(media_type: &str, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if media_type != OCI_TAR_LAYER || bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    let mut archive = tar::Archive::new(bytes.as_slice());
    let entries = archive.entries().map_err(|e| format!("its {OCI_TAR_LAYER} layer is not a tar archive: {e}"))?;
    let mut modules = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("its tar layer is damaged: {e}"))?;
        let path = entry.path().map(|p| p.display().to_string()).unwrap_or_default();
        if entry.header().entry_type().is_file() && path.ends_with(".wasm") {
            let mut module = Vec::new();
            entry.read_to_end(&mut module).map_err(|e| format!("cannot read {path} from its tar layer: {e}"))?;
            modules.push((path, module));
        }
    }
    match modules.len() {
        1 => Ok(modules.remove(0).1),
        0 => Err(format!("its {OCI_TAR_LAYER} layer holds no .wasm file")),
        _ => {
            let names: Vec<&str> = modules.iter().map(|(path, _)| path.as_str()).collect();
            Err(format!("its tar layer holds several .wasm files ({}); which one is the module?", names.join(", ")))
        }
    }
}
