//! `wasm-workflows serve` started as the shipped manifests start it in a
//! cluster: as the user and group `argo-plugin/plugin/plugin.yaml` gives,
//! reading a token file laid out as Argo's agent writes it (owner 8737:0,
//! folder 0770, file 0440), and pulling from a registry that requires a
//! login with only what a Kubernetes Secret hands it (an environment
//! variable in the agent pod, a file in the pool's workers). The tests run
//! as root (as this repository's CI does) to give files their owners.

use std::io::Write;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{module, workspace_root};
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::serve::{ServeProcess, TOKEN, wasm_request};

const BINARY: &str = env!("CARGO_BIN_EXE_wasm-workflows");

/// Argo's agent writes each plugin's token as this user and group.
const ARGO_UID: u32 = 8737;
const ARGO_GID: u32 = 0;

fn yaml(path: &str) -> Value {
    let file = workspace_root().join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The user and group the local plugin's sidecar runs as.
fn plugin_user() -> (u32, u32) {
    let plugin = yaml("argo-plugin/plugin/plugin.yaml");
    let context = &plugin["spec"]["sidecar"]["container"]["securityContext"];
    let id = |key: &str| context[key].as_u64().unwrap_or_else(|| panic!("plugin.yaml sets no {key}")) as u32;
    (id("runAsUser"), id("runAsGroup"))
}

fn am_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let uid =
        status.lines().find_map(|l| l.strip_prefix("Uid:")).unwrap().split_whitespace().next().unwrap().to_owned();
    assert_eq!(uid, "0", "these tests give files other owners and start serve as other users: run them as root");
    true
}

/// What an agent pod gives the sidecar: `/var/run/argo` (the token's folder,
/// owner 8737:0, mode 0770, holding `token`, mode 0440, 32 characters and
/// no newline) and a writable `/tmp` (a part of the agent's emptyDir, 0777).
struct AgentPod {
    files: tempfile::TempDir,
}

impl AgentPod {
    fn new() -> AgentPod {
        assert!(am_root());
        let files = tempfile::tempdir().unwrap();
        std::fs::set_permissions(files.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let folder = files.path().join("var-run-argo");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("token"), TOKEN).unwrap();
        chown(folder.join("token"), Some(ARGO_UID), Some(ARGO_GID)).unwrap();
        std::fs::set_permissions(folder.join("token"), std::fs::Permissions::from_mode(0o440)).unwrap();
        chown(&folder, Some(ARGO_UID), Some(ARGO_GID)).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o770)).unwrap();
        let tmp = files.path().join("tmp");
        std::fs::create_dir(&tmp).unwrap();
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o777)).unwrap();
        AgentPod { files }
    }

    fn token_file(&self) -> PathBuf {
        self.files.path().join("var-run-argo/token")
    }

    fn tmp(&self) -> PathBuf {
        self.files.path().join("tmp")
    }

    /// `serve` as the sidecar runs it, as `uid`:`gid` with no other groups,
    /// with `env` only (no HOME: no Docker config to fall back on).
    fn serve(self, (uid, gid): (u32, u32), env: &[(&str, &str)], args: &[&str]) -> Result<ServeProcess, String> {
        let mut command = Command::new(BINARY);
        command
            .args(["serve", "--port", "0", "--token-file"])
            .arg(self.token_file())
            .arg("--cache-dir")
            .arg(self.tmp().join("wasm-workflows"))
            .args(args)
            .env_clear()
            .env("TMPDIR", self.tmp())
            .envs(env.iter().copied())
            .uid(uid)
            .gid(gid);
        ServeProcess::spawn(command, self.files)
    }
}

#[test]
fn the_plugins_user_reads_argos_token_and_serves() {
    let (uid, gid) = plugin_user();
    let host = AgentPod::new()
        .serve((uid, gid), &[], &[])
        .unwrap_or_else(|said| panic!("serve as {uid}:{gid} (plugin.yaml's user) did not start:\n{said}"));
    // An authorised request is answered: a template that is not ours gets {}.
    let other = r#"{"workflow": {"metadata": {"name": "w"}}, "template": {"name": "t", "inputs": {}, "outputs": {}, "metadata": {}, "plugin": {"hello": {}}}}"#;
    assert_eq!(host.execute(other), serde_json::json!({}));
    // The token read is the one checked: another one is refused.
    let (status, _) = host.execute_with(other, Some("Bearer 0123456789abcdefghijklmnopqrstuw"));
    assert_eq!(status, 403);
}

#[test]
fn a_group_without_access_is_told_how_to_fix_the_security_context() {
    // Argo's documented example and this plugin before: 65532:65532.
    let said = match AgentPod::new().serve((65532, 65532), &[], &[]) {
        Ok(_) => panic!("serve as 65532:65532 read a token of mode 0440 owned by 8737:0"),
        Err(said) => said,
    };
    for part in [
        "cannot read Argo's token from ",
        "Permission denied",
        "this process runs as uid 65532, gid 65532 (supplementary groups: none)",
        "var-run-argo is owned by uid 8737, gid 0, mode 0770",
        "in the plugin's securityContext keep `runAsGroup: 0`",
    ] {
        assert!(said.contains(part), "no {part:?} in:\n{said}");
    }
    // A non-root user with group 0 reads it, as the message says.
    let host = AgentPod::new().serve((65532, 0), &[], &[]).unwrap_or_else(|said| panic!("65532:0: {said}"));
    assert_eq!(host.get("/healthz").0, 200);
}

/// A registry that wants a login, with ferris-says pushed to it.
fn private_registry() -> (TestRegistry, String) {
    let registry = TestRegistry::with_user("argo", "s3cret");
    let reference = format!("{}/private/ferris-says:1.0", registry.address());
    let mut push = Command::new(BINARY)
        .arg("push")
        .arg(module("ferris-says", WasmTarget::Wasip1))
        .arg(&reference)
        .args(["--username", "argo", "--password-stdin"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    push.stdin.take().unwrap().write_all(b"s3cret").unwrap();
    let pushed = push.wait_with_output().unwrap();
    assert!(pushed.status.success(), "push: {}", String::from_utf8_lossy(&pushed.stderr));
    (registry, reference)
}

/// What `kubectl create secret docker-registry --docker-server=… --docker-username=argo
/// --docker-password=s3cret` puts in the Secret's `.dockerconfigjson`.
fn docker_config_json(registry: &str) -> String {
    serde_json::json!({"auths": {registry: {"username": "argo", "password": "s3cret", "auth": "YXJnbzpzM2NyZXQ="}}})
        .to_string()
}

fn said_hello(host: &ServeProcess, reference: &str) -> Value {
    let answer = host.execute(&wasm_request("private", reference, &[("text", "from a private registry")], Value::Null));
    answer["node"].clone()
}

#[test]
fn the_sidecar_pulls_from_a_private_registry_with_the_secret_in_an_environment_variable() {
    let (registry, reference) = private_registry();
    let plugin = yaml("argo-plugin/plugin/plugin.yaml");
    let env = plugin["spec"]["sidecar"]["container"]["env"].as_array().unwrap();
    let variable = env
        .iter()
        .find(|e| e["valueFrom"]["secretKeyRef"]["key"] == ".dockerconfigjson")
        .expect("plugin.yaml passes no .dockerconfigjson");
    let name = variable["name"].as_str().unwrap();
    let config = docker_config_json(registry.address());

    let host = AgentPod::new().serve(plugin_user(), &[(name, &config)], &[]).unwrap();
    let node = said_hello(&host, &reference);
    assert_eq!(node["phase"], "Succeeded", "{node}");
    assert!(node["outputs"]["parameters"][0]["value"].as_str().unwrap().contains("from a private registry"), "{node}");

    // Without it the same pull is refused, and the message says with what.
    let host = AgentPod::new().serve(plugin_user(), &[], &[]).unwrap();
    let node = said_hello(&host, &reference);
    assert_eq!(node["phase"], "Failed", "{node}");
    let message = node["message"].as_str().unwrap();
    assert!(message.contains("refused access") && message.contains("no credentials"), "{message}");
}

#[test]
fn a_worker_pulls_from_a_private_registry_with_the_secret_mounted_as_a_file() {
    let (registry, reference) = private_registry();
    let deployment = yaml("argo-plugin/pool/deployment.yaml");
    let pod = &deployment["spec"]["template"]["spec"];
    let id = |key: &str| pod["securityContext"][key].as_u64().unwrap() as u32;
    let (uid, gid, fs_group) = (id("runAsUser"), id("runAsGroup"), id("fsGroup"));
    let container = &pod["containers"][0];
    let args: Vec<&str> = container["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let flag =
        args.iter().position(|a| *a == "--registry-credentials").expect("the workers get no --registry-credentials");
    let mounted = Path::new(args[flag + 1]);
    assert_eq!(mounted.file_name().unwrap(), ".dockerconfigjson");

    // The Secret's volume as the kubelet mounts it: files of the pod's
    // fsGroup, mode defaultMode (0440).
    let pod_files = AgentPod::new();
    let secret = pod_files.files.path().join("registry");
    std::fs::create_dir(&secret).unwrap();
    let file = secret.join(".dockerconfigjson");
    std::fs::write(&file, docker_config_json(registry.address())).unwrap();
    chown(&file, Some(0), Some(fs_group)).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o440)).unwrap();
    // The worker's own token file is not Argo's: give it to this user.
    chown(pod_files.token_file().parent().unwrap(), Some(uid), Some(gid)).unwrap();
    chown(pod_files.token_file(), Some(uid), Some(gid)).unwrap();

    let host = pod_files
        .serve((uid, gid), &[], &["--registry-credentials", file.to_str().unwrap()])
        .unwrap_or_else(|said| panic!("worker as {uid}:{gid}: {said}"));
    let node = said_hello(&host, &reference);
    assert_eq!(node["phase"], "Succeeded", "{node}");
}
