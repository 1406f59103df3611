//! What a component imports and exports, read from its own type
//! information with `wit-component`, for the Wasm OCI artifact's config.

/// The interfaces (or functions) a component imports and exports, named as
/// in WIT: `wasi:cli/environment@0.2.12`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentWorld {
    /// What the component needs from its host.
    pub imports: Vec<String>,
    /// What it offers.
    pub exports: Vec<String>,
}

/// Reads the world of the component in `bytes`.
pub fn component_world(bytes: &[u8]) -> Result<ComponentWorld, String> {
    let (resolve, world) = match wit_component::decode(bytes).map_err(|e| format!("{e:#}"))? {
        wit_component::DecodedWasm::Component(resolve, world) => (resolve, world),
        wit_component::DecodedWasm::WitPackage(..) => {
            return Err("it is a WIT package, not a component".into());
        }
    };
    let world = &resolve.worlds[world];
    let name = |key: &wit_parser::WorldKey| match key {
        wit_parser::WorldKey::Interface(id) => resolve.id_of(*id),
        wit_parser::WorldKey::Name(name) => Some(name.clone()),
    };
    Ok(ComponentWorld {
        imports: world.imports.keys().filter_map(name).collect(),
        exports: world.exports.keys().filter_map(name).collect(),
    })
}
