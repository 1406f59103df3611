//! `argo-plugin/plugin.yaml` is an `ExecutorPlugin` Argo accepts — its JSON
//! schema and the checks `argo executor-plugin build` and the controller make
//! — and it agrees with itself and with `argo-plugin/Dockerfile`.

use std::path::PathBuf;

use serde_json::Value;
use wasm_workflows_test_support::argo_schema::{self, EXECUTOR_PLUGIN};

fn argo_plugin_file(name: &str) -> (PathBuf, String) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../argo-plugin").join(name);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    (file, text)
}

fn plugin() -> (String, Value) {
    let (_, text) = argo_plugin_file("plugin.yaml");
    let value: Value = yaml_serde::from_str(&text).expect("plugin.yaml is YAML");
    (text, value)
}

fn container(plugin: &Value) -> &Value {
    &plugin["spec"]["sidecar"]["container"]
}

/// The value after `flag` in the container's arguments.
fn argument<'a>(container: &'a Value, flag: &str) -> &'a str {
    let args: Vec<&str> = container["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let at = args.iter().position(|a| *a == flag).unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    args[at + 1]
}

#[test]
fn it_matches_argos_schema_for_an_executor_plugin() {
    let (text, plugin) = plugin();
    let errors = argo_schema::errors(&argo_schema::validator(EXECUTOR_PLUGIN), &text);
    assert!(errors.is_empty(), "plugin.yaml against {EXECUTOR_PLUGIN}:\n{}", errors.join("\n"));
    assert_eq!(plugin["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(plugin["kind"], "ExecutorPlugin");
    assert_eq!(plugin["metadata"]["name"], "wasm");

    // The check has teeth: a port given as text is refused.
    let broken = text.replace("containerPort: 9276", "containerPort: \"9276\"");
    assert_ne!(broken, text);
    let errors = argo_schema::errors(&argo_schema::validator(EXECUTOR_PLUGIN), &broken);
    assert!(errors.iter().any(|e| e.contains("/ports/0/containerPort")), "{errors:?}");
}

/// Argo's `Sidecar.Validate` (pkg/plugins/spec): a port, resource requests
/// and limits, and a security context are mandatory.
#[test]
fn it_passes_argos_own_plugin_validation() {
    let (_, plugin) = plugin();
    let container = container(&plugin);
    let ports = container["ports"].as_array().expect("ports");
    assert_eq!(ports.len(), 1, "the agent calls the first port; one is enough");
    for part in ["requests", "limits"] {
        let resources = container["resources"][part].as_object().unwrap_or_else(|| panic!("resources.{part}"));
        for resource in ["cpu", "memory"] {
            assert!(resources.contains_key(resource), "resources.{part}.{resource}");
        }
    }
    assert!(container["securityContext"].is_object(), "securityContext");
}

#[test]
fn it_runs_locked_down() {
    let (_, plugin) = plugin();
    let security = &container(&plugin)["securityContext"];
    assert_eq!(security["runAsNonRoot"], true);
    assert_eq!(security["runAsUser"], 65532);
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"], serde_json::json!(["ALL"]));
}

#[test]
fn port_arguments_and_probe_agree() {
    let (_, plugin) = plugin();
    let container = container(&plugin);
    let port = container["ports"][0]["containerPort"].as_u64().unwrap();
    assert_eq!(argument(container, "--port"), port.to_string());
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    let probed = &container["livenessProbe"]["httpGet"]["port"];
    let named = container["ports"][0]["name"].as_str();
    assert!(*probed == port || (probed.as_str().is_some() && probed.as_str() == named), "the probe checks {probed}");
    // Ports other plugins or Argo's examples use: all sidecars of an agent
    // pod share its network, so two plugins on one port cannot both start.
    for taken in [80, 443, 3000, 4355, 8080, 8081, 8443] {
        assert_ne!(port, taken, "port {taken} clashes with other plugins");
    }
    // The kubelet probes the pod's IP: a server bound to loopback only would
    // be killed as dead.
    let bind = argument(container, "--bind");
    assert!(!bind.starts_with("127.") && bind != "localhost", "--bind {bind} hides /healthz from the kubelet");
    assert_eq!(container["args"][0], "serve");
}

/// Argo gives a sidecar no volumes of its own; with a read-only root file
/// system, the writable place is a sub-path of the agent pod's `var-run-argo`
/// emptyDir, under a name no container (whose token folder it would be) can have.
#[test]
fn its_only_writable_folder_is_a_private_part_of_the_agents_empty_dir() {
    let (_, plugin) = plugin();
    let container = container(&plugin);
    let mounts = container["volumeMounts"].as_array().expect("volumeMounts");
    assert_eq!(mounts.len(), 1);
    let mount = &mounts[0];
    assert_eq!(mount["name"], "var-run-argo");
    assert_ne!(mount["mountPath"], "/var/run/argo", "Argo mounts the token there");
    assert!(mount["subPath"].as_str().unwrap().contains('.'), "a container name cannot contain a dot");
    assert_ne!(mount["readOnly"], true);
    let tmpdir = container["env"].as_array().unwrap().iter().find(|e| e["name"] == "TMPDIR").expect("TMPDIR");
    assert_eq!(tmpdir["value"], mount["mountPath"]);
}

/// ConfigMap and Secret references are optional, so the agent pod starts in
/// namespaces that have neither (and workflows without artifacts run).
#[test]
fn its_artifact_repository_settings_are_optional() {
    let (_, plugin) = plugin();
    let env = container(&plugin)["env"].as_array().unwrap();
    for name in ["ARTIFACT_REPOSITORY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
        let variable = env.iter().find(|e| e["name"] == name).unwrap_or_else(|| panic!("no {name}"));
        let source = variable["valueFrom"].as_object().unwrap().values().next().unwrap();
        assert_eq!(source["optional"], true, "{name}");
    }
}

#[test]
fn the_image_puts_the_binary_where_the_plugin_runs_it_as_that_user() {
    let (_, plugin) = plugin();
    let container = container(&plugin);
    let (dockerfile_path, dockerfile) = argo_plugin_file("Dockerfile");
    let command = container["command"][0].as_str().unwrap();
    let copies_binary = dockerfile
        .lines()
        .any(|line| line.starts_with("COPY --from=") && line.trim_end().ends_with(&format!(" {command}")));
    assert!(copies_binary, "{} copies no binary to {command}", dockerfile_path.display());
    let user = container["securityContext"]["runAsUser"].as_u64().unwrap();
    assert!(
        dockerfile.lines().any(|line| line.trim() == format!("USER {user}:{user}")),
        "{} runs as another user than {user}",
        dockerfile_path.display()
    );
    assert!(
        container["image"].as_str().unwrap().starts_with("ghcr.io/wasm-workflows/wasm-workflows:"),
        "{}",
        container["image"]
    );
}
