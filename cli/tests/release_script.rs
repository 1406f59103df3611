//! scripts/release.sh builds every module as it ships, lists them in
//! index.json and pushes them to a registry (here a real one on loopback),
//! the p1 build under the tag (wasm-to-oci) and under TAG-wasm-artifact (the
//! CNCF layout runwasi runs), the component under TAG-wasip2.

use std::process::Command;

use serde_json::Value;
use wasm_workflows_test_support::harness::workspace_root;
use wasm_workflows_test_support::registry::TestRegistry;

#[test]
fn release_builds_lists_and_pushes_every_module() {
    let registry = TestRegistry::start();
    let dist = tempfile::tempdir().unwrap();
    let prefix = format!("{}/wasm-workflows", registry.address());
    let released = Command::new("bash")
        .arg(workspace_root().join("scripts/release.sh"))
        .args([&prefix, "9.9.9"])
        .env("DIST_DIR", dist.path())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(released.status.success(), "release.sh failed:\n{}", String::from_utf8_lossy(&released.stderr));

    let index: Value = serde_json::from_str(&std::fs::read_to_string(dist.path().join("index.json")).unwrap()).unwrap();
    let modules: Vec<String> = std::fs::read_dir(workspace_root().join("modules"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let entries = index["modules"].as_array().unwrap();
    assert_eq!(entries.len(), 3 * modules.len(), "{index}");
    for entry in entries {
        let name = entry["name"].as_str().unwrap();
        assert!(modules.iter().any(|module| module == name), "{name}");
        let (file, tag, config_type) = match (entry["target"].as_str().unwrap(), entry["layout"].as_str().unwrap()) {
            ("wasm32-wasip1", "wasm-to-oci") => {
                (format!("{name}.wasm"), format!("{prefix}/{name}:9.9.9"), "application/vnd.wasm.config.v1+json")
            }
            ("wasm32-wasip1", "wasm-artifact") => (
                format!("{name}.wasm"),
                format!("{prefix}/{name}:9.9.9-wasm-artifact"),
                "application/vnd.wasm.config.v0+json",
            ),
            ("wasm32-wasip2", "wasm-artifact") => (
                format!("{name}-wasip2.wasm"),
                format!("{prefix}/{name}:9.9.9-wasip2"),
                "application/vnd.wasm.config.v0+json",
            ),
            other => panic!("target and layout {other:?}"),
        };
        assert_eq!(entry["file"], file);
        assert_eq!(entry["tag"], tag);
        // The layout the tag promises, as an independent client reads it.
        let manifest = Command::new("skopeo")
            .args(["inspect", "--raw", "--tls-verify=false", &format!("docker://{tag}")])
            .output()
            .expect("skopeo (scripts/setup.sh installs it)");
        assert!(manifest.status.success(), "{}", String::from_utf8_lossy(&manifest.stderr));
        let manifest: Value = serde_json::from_slice(&manifest.stdout).unwrap();
        assert_eq!(manifest["config"]["mediaType"], config_type, "{tag}");
        let bytes = std::fs::read(dist.path().join(&file)).unwrap();
        assert_eq!(entry["bytes"], bytes.len());
        let digest = wasm_workflows_cli::oci::sha256_digest(&bytes);
        assert_eq!(format!("sha256:{}", entry["sha256"].as_str().unwrap()), digest);

        // The pinned reference pulls back the same bytes.
        let reference = entry["reference"].as_str().unwrap();
        assert!(reference.starts_with(&format!("{prefix}/{name}@sha256:")), "{reference}");
        let pulled = dist.path().join("pulled.wasm");
        let pull = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
            .args(["pull", reference, "-o", pulled.to_str().unwrap()])
            .env("WASM_WORKFLOWS_CACHE_DIR", dist.path().join("cache"))
            .output()
            .unwrap();
        assert!(pull.status.success(), "{}", String::from_utf8_lossy(&pull.stderr));
        assert_eq!(std::fs::read(&pulled).unwrap(), bytes, "{reference}");
    }
}
