//! The OCI manifest and layer parsers (what `pull` and `serve` read from a
//! registry) on random manifests and layers: they never panic, and accept a
//! manifest only with exactly one layer of a module type.

use proptest::prelude::*;
use serde_json::{Value, json};
use wasm_workflows_cli::oci::{OciManifest, PULLABLE_LAYERS, module_from_layer, module_layer};

fn media_type() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(PULLABLE_LAYERS.to_vec()).prop_map(str::to_owned),
        Just("application/vnd.oci.image.manifest.v1+json".to_owned()),
        "[a-z./+-]{0,30}",
    ]
}

fn descriptor() -> impl Strategy<Value = Value> {
    (media_type(), any::<i64>(), "[a-f0-9]{0,64}").prop_map(
        |(media_type, size, hex)| json!({"mediaType": media_type, "size": size, "digest": format!("sha256:{hex}")}),
    )
}

fn manifest() -> impl Strategy<Value = Value> {
    (prop::collection::vec(descriptor(), 0..3), descriptor(), 0..3u8, any::<bool>()).prop_map(
        |(layers, config, version, index)| {
            if index {
                json!({"schemaVersion": version, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": layers})
            } else {
                json!({"schemaVersion": version, "config": config, "layers": layers})
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, .. ProptestConfig::default() })]

    #[test]
    fn manifests_are_read_or_refused(manifest in manifest()) {
        let bytes = serde_json::to_vec(&manifest).unwrap();
        if let Ok(parsed) = serde_json::from_slice::<OciManifest>(&bytes)
            && let Ok((_, layer)) = module_layer(&parsed)
        {
            prop_assert!(PULLABLE_LAYERS.contains(&layer.media_type.as_str()));
            prop_assert_eq!(manifest["layers"].as_array().map(Vec::len), Some(1));
        }
    }

    #[test]
    fn random_bytes_are_not_manifests(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(parsed) = serde_json::from_slice::<OciManifest>(&bytes) {
            let _ = module_layer(&parsed);
        }
    }

    #[test]
    fn layers_never_panic(media_type in media_type(), bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = module_from_layer(&media_type, bytes);
    }

    #[test]
    fn damaged_tar_layers_are_refused(cut in 0usize..3000, flip in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut archive = tar::Builder::new(Vec::new());
        let module = b"\0asm\x01\0\0\0";
        let mut header = tar::Header::new_gnu();
        header.set_size(module.len() as u64);
        header.set_cksum();
        archive.append_data(&mut header, "module.wasm", &module[..]).unwrap();
        let mut bytes = archive.into_inner().unwrap();
        let whole = bytes.len();
        let at = flip.index(bytes.len());
        bytes[at] = byte;
        bytes.truncate(cut.min(bytes.len()));
        // A damaged archive is refused or read as far as it holds: never more than it has.
        if let Ok(found) = module_from_layer("application/vnd.oci.image.layer.v1.tar", bytes) {
            prop_assert!(found.len() <= whole);
        }
    }
}
