//! `wasm-workflows push`, `pull` and `run REF` against a real registry
//! (Debian's docker-registry on loopback), checked field by field and by an
//! independent client (skopeo).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::module;
use wasm_workflows_test_support::registry::TestRegistry;

/// A `wasm-workflows` command with its own cache and no Docker credentials.
struct Cli {
    cache: tempfile::TempDir,
    docker_config: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli { cache: tempfile::tempdir().unwrap(), docker_config: tempfile::tempdir().unwrap() }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"));
        command
            .args(args)
            .env("WASM_WORKFLOWS_CACHE_DIR", self.cache.path())
            .env("DOCKER_CONFIG", self.docker_config.path())
            .env("SOURCE_DATE_EPOCH", "1700000000");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).stdin(Stdio::null()).output().unwrap()
    }

    fn with_password(&self, args: &[&str], password: &str) -> Output {
        use std::io::Write;
        let mut child =
            self.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_owned()
}

/// The command's stdout, failing the test with its stderr if it failed.
fn succeeded(output: Output) -> String {
    assert!(output.status.success(), "failed ({}): {}", output.status, text(&output.stderr));
    text(&output.stdout)
}

/// The command's stderr, checking it exited with status 2.
fn host_error(output: Output) -> String {
    assert_eq!(output.status.code(), Some(2), "stdout: {}\nstderr: {}", text(&output.stdout), text(&output.stderr));
    text(&output.stderr)
}

fn skopeo(args: &[&str]) -> String {
    let output = Command::new("skopeo").args(args).output().unwrap_or_else(|e| {
        panic!("cannot run skopeo ({e}): install it with scripts/setup.sh (apt-get install skopeo)")
    });
    succeeded(output)
}

/// The raw manifest and config at `reference`, as skopeo reads them.
fn manifest_and_config(reference: &str) -> (Value, Value) {
    let image = format!("docker://{reference}");
    let manifest = skopeo(&["inspect", "--raw", "--tls-verify=false", &image]);
    let config = skopeo(&["inspect", "--raw", "--config", "--tls-verify=false", &image]);
    (serde_json::from_str(&manifest).unwrap(), serde_json::from_str(&config).unwrap())
}

fn sha256(bytes: &[u8]) -> String {
    wasm_workflows_cli::oci::sha256_digest(bytes)
}

fn core_module() -> PathBuf {
    module("ferris-says", WasmTarget::Wasip1)
}

fn component() -> PathBuf {
    module("http-request", WasmTarget::Wasip2)
}

fn path(file: &Path) -> &str {
    file.to_str().unwrap()
}

#[test]
fn a_core_module_pushed_as_wasm_to_oci_pulls_back_byte_for_byte() {
    let registry = TestRegistry::start();
    let cli = Cli::new();
    let reference = format!("{}/wasm-workflows/ferris-says:1.0", registry.address());
    let module = std::fs::read(core_module()).unwrap();
    let digest = succeeded(cli.run(&[
        "push",
        path(&core_module()),
        &reference,
        "--description",
        "Ferris says your text",
        "--source",
        "https://github.com/wasm-workflows/wasm-workflows",
        "--module-version",
        "1.0.0",
        "--annotation",
        "org.example.team=workflows",
    ]));
    assert!(digest.starts_with("sha256:") && digest.len() == 71, "{digest}");

    let (manifest, config) = manifest_and_config(&reference);
    assert_eq!(manifest.get("mediaType"), None, "the original plugin's client rejects a manifest with a mediaType");
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.wasm.config.v1+json");
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0]["mediaType"], "application/vnd.wasm.content.layer.v1+wasm");
    assert_eq!(layers[0]["digest"], sha256(&module));
    assert_eq!(layers[0]["size"], module.len());
    let annotations: BTreeMap<String, String> = serde_json::from_value(manifest["annotations"].clone()).unwrap();
    assert_eq!(
        annotations,
        BTreeMap::from(
            [
                ("org.opencontainers.image.created", "2023-11-14T22:13:20Z"),
                ("org.opencontainers.image.description", "Ferris says your text"),
                ("org.opencontainers.image.source", "https://github.com/wasm-workflows/wasm-workflows"),
                ("org.opencontainers.image.version", "1.0.0"),
                ("org.example.team", "workflows"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        )
    );
    assert_eq!(config, serde_json::json!({}));

    // The printed digest is the manifest's.
    let raw = skopeo(&["inspect", "--raw", "--tls-verify=false", &format!("docker://{reference}")]);
    assert_eq!(sha256(raw.as_bytes()), digest);

    let out = tempfile::tempdir().unwrap();
    let pulled = out.path().join("pulled.wasm");
    assert_eq!(succeeded(cli.run(&["pull", &reference, "-o", path(&pulled)])), digest);
    assert_eq!(std::fs::read(&pulled).unwrap(), module);
}

#[test]
fn a_component_pushed_as_a_wasm_artifact_carries_its_world() {
    let registry = TestRegistry::start();
    let cli = Cli::new();
    let reference = format!("{}/wasm-workflows/http-request:1.0-wasip2", registry.address());
    let component = std::fs::read(component()).unwrap();
    succeeded(cli.run(&["push", path(&self::component()), &reference]));

    let (manifest, config) = manifest_and_config(&reference);
    assert_eq!(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.wasm.config.v0+json");
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 1);
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    assert_eq!(manifest["layers"][0]["digest"], sha256(&component));
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert_eq!(config["created"], "2023-11-14T22:13:20Z");
    assert_eq!(config["layerDigests"], serde_json::json!([sha256(&component)]));
    let names = |key: &str| -> Vec<String> { serde_json::from_value(config["component"][key].clone()).unwrap() };
    let imports = names("imports");
    assert!(imports.iter().any(|i| i.starts_with("wasi:http/outgoing-handler@0.2")), "{imports:?}");
    assert!(imports.iter().any(|i| i.starts_with("wasi:filesystem/preopens@0.2")), "{imports:?}");
    assert!(names("exports").iter().any(|e| e.starts_with("wasi:cli/run@0.2")), "{:?}", names("exports"));

    let out = tempfile::tempdir().unwrap();
    let pulled = out.path().join("pulled.wasm");
    succeeded(cli.run(&["pull", &reference, "-o", path(&pulled)]));
    assert_eq!(std::fs::read(&pulled).unwrap(), component);
}

#[test]
fn either_layout_can_be_chosen_for_either_kind() {
    let registry = TestRegistry::start();
    let cli = Cli::new();
    let core_as_artifact = format!("{}/core:artifact", registry.address());
    succeeded(cli.run(&["push", path(&core_module()), &core_as_artifact, "--format", "wasm-artifact"]));
    let (manifest, config) = manifest_and_config(&core_as_artifact);
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    assert_eq!(config["os"], "wasip1");
    assert_eq!(config.get("component"), None);

    let component_as_wasm_to_oci = format!("{}/component:wasm-to-oci", registry.address());
    succeeded(cli.run(&["push", path(&component()), &component_as_wasm_to_oci, "--format", "wasm-to-oci"]));
    let (manifest, _) = manifest_and_config(&component_as_wasm_to_oci);
    assert_eq!(manifest["layers"][0]["mediaType"], "application/vnd.wasm.content.layer.v1+wasm");

    let out = tempfile::tempdir().unwrap();
    for reference in [core_as_artifact, component_as_wasm_to_oci] {
        let file = out.path().join("m.wasm");
        succeeded(cli.run(&["pull", &reference, "-o", path(&file)]));
        assert!(std::fs::read(&file).unwrap().starts_with(b"\0asm"));
    }
}

#[test]
fn run_takes_a_reference_and_a_pinned_digest_needs_no_registry() {
    let mut registry = TestRegistry::start();
    let cli = Cli::new();
    let reference = format!("{}/wasm-workflows/ferris-says:latest", registry.address());
    let digest = succeeded(cli.run(&["push", path(&core_module()), &reference]));

    let node: Value =
        serde_json::from_str(&succeeded(cli.run(&["run", &reference, "--param", "text=from a registry"]))).unwrap();
    assert_eq!(node["phase"], "Succeeded");
    assert!(node["outputs"]["parameters"][0]["value"].as_str().unwrap().contains("from a registry"));

    let pinned = format!("{}/wasm-workflows/ferris-says@{digest}", registry.address());
    let node: Value = serde_json::from_str(&succeeded(cli.run(&["run", &pinned, "--param", "text=pinned"]))).unwrap();
    assert_eq!(node["phase"], "Succeeded");

    // With the registry gone, the pinned reference is served from the cache;
    // a tag must be asked for (tags move), and says the registry is unreachable.
    registry.stop();
    let output = cli.run(&["run", &pinned, "--param", "text=offline"]);
    let node: Value = serde_json::from_str(&succeeded(output)).unwrap();
    assert_eq!(node["phase"], "Succeeded");
    let message = host_error(cli.run(&["run", &reference, "--param", "text=x"]));
    assert!(message.starts_with(&format!("error: cannot reach the registry {}: ", registry.address())), "{message}");
}

#[test]
fn a_missing_tag_or_repository_says_which() {
    let registry = TestRegistry::start();
    let cli = Cli::new();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("m.wasm");
    let reference = format!("{}/wasm-workflows/ferris-says:latest", registry.address());
    succeeded(cli.run(&["push", path(&core_module()), &reference]));

    let missing_tag = format!("{}/wasm-workflows/ferris-says:2.0", registry.address());
    assert_eq!(
        host_error(cli.run(&["pull", &missing_tag, "-o", path(&file)])),
        format!(
            "error: {missing_tag} does not exist: the registry has no tag \"2.0\" in repository wasm-workflows/ferris-says"
        )
    );
    let missing_repository = format!("{}/nobody/nothing:1", registry.address());
    assert!(
        host_error(cli.run(&["run", &missing_repository])).contains("does not exist: the registry has no tag \"1\"")
    );
    let missing_digest = format!("{}/wasm-workflows/ferris-says@{}", registry.address(), sha256(b"nothing"));
    assert!(
        host_error(cli.run(&["pull", &missing_digest, "-o", path(&file)]))
            .contains("the registry has no manifest sha256:")
    );
    assert!(!file.exists(), "nothing is written on an error");
}

#[test]
fn an_unreachable_registry_and_a_bad_reference_are_host_errors() {
    let cli = Cli::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let reference = format!("127.0.0.1:{port}/any/module:1");
    let message = host_error(cli.run(&["pull", &reference, "-o", "/dev/null"]));
    assert!(message.starts_with(&format!("error: cannot reach the registry 127.0.0.1:{port}: ")), "{message}");
    assert!(message.contains("onnection refused"), "{message}");

    let message = host_error(cli.run(&["pull", "127.0.0.1:5000/UPPER/case", "-o", "/dev/null"]));
    assert!(message.starts_with("error: \"127.0.0.1:5000/UPPER/case\" is not an image reference"), "{message}");
    let message = host_error(cli.run(&["push", path(&core_module()), "127.0.0.1:5000/x@sha256:0000"]));
    assert!(message.contains("is not an image reference") || message.contains("push to a tag"), "{message}");
    let message = host_error(cli.run(&["push", "Cargo.toml", "127.0.0.1:5000/x:1"]));
    assert_eq!(message, "error: Cargo.toml is not a WebAssembly binary");
}

#[test]
fn credentials_are_presented_and_a_refusal_says_what_to_do() {
    let registry = TestRegistry::with_user("argo", "s3cret");
    let cli = Cli::new();
    let reference = format!("{}/private/ferris-says:1", registry.address());
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("m.wasm");

    let anonymous = host_error(cli.run(&["push", path(&core_module()), &reference]));
    let refused = format!("error: the registry {} refused access to {reference}: ", registry.address());
    assert!(anonymous.starts_with(&refused), "{anonymous}");
    assert!(anonymous.contains("with no credentials"), "{anonymous}");
    assert!(anonymous.contains("--username and --password-stdin, or run `docker login"), "{anonymous}");

    let wrong =
        host_error(cli.with_password(
            &["push", path(&core_module()), &reference, "--username", "argo", "--password-stdin"],
            "wrong",
        ));
    assert!(wrong.contains("with the credentials of user \"argo\" given with --username"), "{wrong}");

    succeeded(cli.with_password(
        &["push", path(&core_module()), &reference, "--username", "argo", "--password-stdin"],
        "s3cret",
    ));
    succeeded(
        cli.with_password(&["pull", &reference, "-o", path(&file), "--username", "argo", "--password-stdin"], "s3cret"),
    );
    assert_eq!(std::fs::read(&file).unwrap(), std::fs::read(core_module()).unwrap());

    // Docker's own config (what `docker login` writes) is read too.
    let auth = base64_encode(b"argo:s3cret");
    std::fs::write(
        cli.docker_config.path().join("config.json"),
        format!(r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#, registry.address()),
    )
    .unwrap();
    succeeded(cli.run(&["pull", &reference, "-o", path(&file)]));
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// Pushes an image by hand, with `layers` of the given media types, as
/// other tools might have.
fn push_by_hand(reference: &str, layers: &[(&str, Vec<u8>)]) {
    use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
    let reference: oci_client::Reference = reference.parse().unwrap();
    let registry = reference.resolve_registry().to_owned();
    wasm_workflows_cli::tls::install_crypto_provider();
    let client = oci_client::Client::new(ClientConfig {
        protocol: ClientProtocol::HttpsExcept(vec![registry]),
        ..ClientConfig::default()
    });
    let layers: Vec<ImageLayer> =
        layers.iter().map(|(media_type, bytes)| ImageLayer::new(bytes.clone(), media_type.to_string(), None)).collect();
    let config = Config::new(b"{}".to_vec(), "application/vnd.wasm.config.v1+json".into(), None);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime
        .block_on(client.push(&reference, &layers, config, &oci_client::secrets::RegistryAuth::Anonymous, None))
        .unwrap();
}

fn tar_with(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut archive = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        archive.append_data(&mut header, name, *bytes).unwrap();
    }
    archive.into_inner().unwrap()
}

#[test]
fn the_layer_types_the_original_plugin_pulls_are_pulled() {
    let registry = TestRegistry::start();
    let cli = Cli::new();
    let module = std::fs::read(core_module()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let cases = [
        ("module-wasm", "application/vnd.module.wasm.content.layer.v1+wasm", module.clone()),
        ("oci-layer-raw", "application/vnd.oci.image.layer.v1.tar", module.clone()),
        (
            "oci-layer-tar",
            "application/vnd.oci.image.layer.v1.tar",
            tar_with(&[("README", b"hi"), ("app/module.wasm", &module)]),
        ),
    ];
    for (tag, media_type, layer) in cases {
        let reference = format!("{}/legacy/ferris-says:{tag}", registry.address());
        push_by_hand(&reference, &[(media_type, layer)]);
        let file = out.path().join(format!("{tag}.wasm"));
        succeeded(cli.run(&["pull", &reference, "-o", path(&file)]));
        assert_eq!(std::fs::read(&file).unwrap(), module, "{tag}");
    }
}

#[test]
fn what_is_not_one_module_is_refused() {
    let registry = TestRegistry::start();
    let cli = Cli::new();
    let module = std::fs::read(core_module()).unwrap();
    let two = format!("{}/odd/two-layers:1", registry.address());
    push_by_hand(
        &two,
        &[
            ("application/vnd.wasm.content.layer.v1+wasm", module.clone()),
            ("application/vnd.wasm.content.layer.v1+wasm", b"x".to_vec()),
        ],
    );
    assert_eq!(
        host_error(cli.run(&["run", &two])),
        format!(
            "error: {two} is not a module image: its manifest has 2 layers; a module image has exactly one, the module"
        )
    );
    let image = format!("{}/odd/container:1", registry.address());
    push_by_hand(&image, &[("application/vnd.oci.image.layer.v1.tar+gzip", b"not wasm".to_vec())]);
    let message = host_error(cli.run(&["pull", &image, "-o", "/dev/null"]));
    assert!(
        message.contains("its layer is of type application/vnd.oci.image.layer.v1.tar+gzip, not a module"),
        "{message}"
    );
    let tar = format!("{}/odd/two-modules:1", registry.address());
    push_by_hand(
        &tar,
        &[("application/vnd.oci.image.layer.v1.tar", tar_with(&[("a.wasm", b"\0asm"), ("b.wasm", b"\0asm")]))],
    );
    let message = host_error(cli.run(&["pull", &tar, "-o", "/dev/null"]));
    assert!(message.contains("its tar layer holds several .wasm files (a.wasm, b.wasm)"), "{message}");
}

#[test]
fn a_damaged_layer_is_refused_and_never_cached() {
    let registry = TestRegistry::start();
    let cli = Cli::new();
    let module = std::fs::read(core_module()).unwrap();
    let reference = format!("{}/wasm-workflows/ferris-says:1", registry.address());
    succeeded(cli.run(&["push", path(&core_module()), &reference]));

    // Damage the layer where the registry keeps it.
    let digest = sha256(&module);
    let hex = digest.trim_start_matches("sha256:");
    let blob = registry.storage().join(format!("docker/registry/v2/blobs/sha256/{}/{hex}/data", &hex[..2]));
    let mut damaged = module.clone();
    damaged[100] ^= 0xff;
    std::fs::write(&blob, &damaged).unwrap();

    let message = host_error(cli.run(&["pull", &reference, "-o", "/dev/null"]));
    assert!(message.starts_with(&format!("error: the module layer of {reference} is damaged: ")), "{message}");
    assert!(message.contains(&digest), "{message}");
    let cached = cli.cache.path().join("oci/blobs/sha256").join(hex);
    assert!(!cached.exists(), "a damaged layer was cached");
}
