//! The two `ExecutorPlugin`s in `argo-plugin/` — the local sidecar
//! (`plugin/plugin.yaml`) and the pool's front (`pool/front/plugin.yaml`) —
//! are what Argo accepts (its JSON schema, the checks `argo executor-plugin
//! build` and the controller make, Kubernetes' strict schema for the
//! container), the agent pod they make passes the restricted Pod Security
//! Standard, and the ConfigMaps shipped beside them are the ones `argo
//! executor-plugin build` makes from them.
//!
//! To write the ConfigMaps again after changing a plugin.yaml:
//! `UPDATE_CONFIGMAPS=1 cargo test -p wasm-workflows-cli --test plugin_yaml`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};
use wasm_workflows_test_support::argo_schema::{self, EXECUTOR_PLUGIN, WORKFLOW};
use wasm_workflows_test_support::{kubernetes_schema, pod_security};

/// Each plugin's build folder (holding only plugin.yaml) and the ConfigMap made from it.
const PLUGINS: [(&str, &str); 2] =
    [("plugin", "wasm-executor-plugin-configmap.yaml"), ("pool/front", "pool/wasm-executor-plugin-configmap.yaml")];

fn argo_plugin_file(name: &str) -> (PathBuf, String) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../argo-plugin").join(name);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    (file, text)
}

fn plugin(folder: &str) -> (String, Value) {
    let (_, text) = argo_plugin_file(&format!("{folder}/plugin.yaml"));
    let value: Value = yaml_serde::from_str(&text).expect("plugin.yaml is YAML");
    (text, value)
}

fn plugins() -> impl Iterator<Item = (&'static str, String, Value)> {
    PLUGINS.iter().map(|(folder, _)| {
        let (text, value) = plugin(folder);
        (*folder, text, value)
    })
}

fn container(plugin: &Value) -> &Value {
    &plugin["spec"]["sidecar"]["container"]
}

fn args(container: &Value) -> Vec<&str> {
    container["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect()
}

/// The value after `flag` in the container's arguments.
fn argument<'a>(container: &'a Value, flag: &str) -> &'a str {
    let args = args(container);
    let at = args.iter().position(|a| *a == flag).unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    args[at + 1]
}

#[test]
fn they_match_argos_schema_for_an_executor_plugin() {
    for (folder, text, plugin) in plugins() {
        let errors = argo_schema::errors(&argo_schema::validator(EXECUTOR_PLUGIN), &text);
        assert!(errors.is_empty(), "{folder}/plugin.yaml against {EXECUTOR_PLUGIN}:\n{}", errors.join("\n"));
        assert_eq!(plugin["apiVersion"], "argoproj.io/v1alpha1");
        assert_eq!(plugin["kind"], "ExecutorPlugin");
        // Both are the plugin "wasm": installing one replaces the other.
        assert_eq!(plugin["metadata"]["name"], "wasm", "{folder}");
        assert_eq!(container(&plugin)["name"], "wasm-executor-plugin", "{folder}");
    }
    // The check has teeth: a port given as text is refused.
    let (text, _) = plugin("plugin");
    let broken = text.replace("containerPort: 9276", "containerPort: \"9276\"");
    assert_ne!(broken, text);
    let errors = argo_schema::errors(&argo_schema::validator(EXECUTOR_PLUGIN), &broken);
    assert!(errors.iter().any(|e| e.contains("/ports/0/containerPort")), "{errors:?}");
}

/// Argo's `Sidecar.Validate` (pkg/plugins/spec): a port, resource requests
/// and limits, and a security context are mandatory.
#[test]
fn they_pass_argos_own_plugin_validation() {
    for (folder, _, plugin) in plugins() {
        let container = container(&plugin);
        let ports = container["ports"].as_array().expect("ports");
        assert_eq!(ports.len(), 1, "{folder}: the agent calls the first port; one is enough");
        for part in ["requests", "limits"] {
            let resources = container["resources"][part].as_object().unwrap_or_else(|| panic!("resources.{part}"));
            for resource in ["cpu", "memory"] {
                assert!(resources.contains_key(resource), "{folder}: resources.{part}.{resource}");
            }
        }
        assert!(container["securityContext"].is_object(), "{folder}: securityContext");
    }
}

/// The agent pod Argo v4.1 makes around a plugin's container
/// (workflow/controller/agent.go): the pod's and its own containers'
/// security contexts (common.MinimalPodSC, MinimalCtrSC), the var-run-argo
/// emptyDir, the token's folder mounted read-only at /var/run/argo.
fn agent_pod(sidecar: &Value) -> Value {
    let argo_container = |name: &str, args: &[&str]| {
        json!({
            "name": name, "image": "quay.io/argoproj/argoexec:v4.1.2", "command": ["argoexec"], "args": args,
            "securityContext": {
                "capabilities": {"drop": ["ALL"]}, "privileged": false, "runAsNonRoot": true, "runAsUser": 8737,
                "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
                "seccompProfile": {"type": "RuntimeDefault"}
            },
            "resources": {"requests": {"cpu": "10m", "memory": "64M"}, "limits": {"cpu": "100m", "memory": "256M"}},
            "volumeMounts": [{"name": "var-run-argo", "mountPath": "/var/run/argo"}]
        })
    };
    let mut sidecar = sidecar.clone();
    let token_mount = json!({
        "name": "var-run-argo", "mountPath": "/var/run/argo", "readOnly": true, "subPath": sidecar["name"]
    });
    sidecar["volumeMounts"].as_array_mut().unwrap().push(token_mount);
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "my-workflow-1340600742-agent", "labels": {"workflows.argoproj.io/component": "agent"}},
        "spec": {
            "restartPolicy": "OnFailure",
            "securityContext": {"runAsNonRoot": true, "runAsUser": 8737, "seccompProfile": {"type": "RuntimeDefault"}},
            "automountServiceAccountToken": false,
            "volumes": [{"name": "var-run-argo", "emptyDir": {}}],
            "initContainers": [argo_container("init", &["agent", "init"])],
            "containers": [sidecar, argo_container("main", &["agent", "main"])]
        }
    })
}

/// Kubernetes' own schema, strict (unknown fields are errors, as they are
/// to `argo executor-plugin build`), and the restricted Pod Security
/// Standard, on the agent pod each plugin makes.
#[test]
fn the_agent_pod_they_make_is_valid_and_restricted() {
    let mut pods = Vec::new();
    for (folder, _, plugin) in plugins() {
        let pod = agent_pod(container(&plugin));
        pods.push(yaml_serde::to_string(&pod).unwrap());
        let violations = pod_security::restricted_violations(&pod["spec"]);
        assert!(violations.is_empty(), "{folder}: {violations:?}");
        // The container passes on its own too (as a workflow-level plugin, in a pod of its own making).
        let alone = json!({"containers": [container(&plugin)]});
        assert_eq!(pod_security::restricted_violations(&alone), Vec::<String>::new(), "{folder}");
    }
    for version in kubernetes_schema::VERSIONS {
        let errors = kubernetes_schema::errors("the agent pods", &pods.join("---\n"), version);
        assert!(errors.is_empty(), "against Kubernetes {version}:\n{}", errors.join("\n"));
    }
    // The schema check has teeth: a misspelt field is refused.
    let (_, plugin) = plugin("plugin");
    let mut sidecar = container(&plugin).clone();
    sidecar["securityContext"]["runAsGroups"] = json!(0);
    let text = yaml_serde::to_string(&agent_pod(&sidecar)).unwrap();
    let errors = kubernetes_schema::errors("misspelt", &text, kubernetes_schema::VERSIONS[1]);
    assert!(errors.iter().any(|e| e.contains("runAsGroups")), "{errors:?}");
}

/// Argo's agent writes the token as 8737:0, 0440 in a 0770 folder
/// (cmd/argoexec/commands/agent.go): the sidecar keeps group 0 and a
/// non-root user (cli/tests/serve_in_cluster.rs starts serve so).
#[test]
fn they_run_locked_down_as_a_user_that_can_read_argos_token() {
    for (folder, _, plugin) in plugins() {
        let security = &container(&plugin)["securityContext"];
        assert_eq!(security["runAsNonRoot"], true, "{folder}");
        assert_ne!(security["runAsUser"], 0, "{folder}");
        assert_eq!(security["runAsGroup"], 0, "{folder}: only group 0 (or uid 8737) reads Argo's token");
        assert_eq!(security["readOnlyRootFilesystem"], true, "{folder}");
        assert_eq!(security["allowPrivilegeEscalation"], false, "{folder}");
        assert_eq!(security["capabilities"]["drop"], json!(["ALL"]), "{folder}");
        assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault", "{folder}");
        // Where Argo mounts the token: serve's default, or said so.
        if args(container(&plugin)).contains(&"--token-file") {
            assert_eq!(argument(container(&plugin), "--token-file"), "/var/run/argo/token", "{folder}");
        }
    }
}

#[test]
fn port_arguments_and_probe_agree() {
    for (folder, _, plugin) in plugins() {
        let container = container(&plugin);
        let port = container["ports"][0]["containerPort"].as_u64().unwrap();
        assert_eq!(argument(container, "--port"), port.to_string(), "{folder}");
        assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
        let probed = &container["livenessProbe"]["httpGet"]["port"];
        let named = container["ports"][0]["name"].as_str();
        assert!(
            *probed == port || (probed.as_str().is_some() && probed.as_str() == named),
            "the probe checks {probed}"
        );
        // Ports other plugins or Argo's examples use: all sidecars of an agent
        // pod share its network, so two plugins on one port cannot both start.
        for taken in [80, 443, 3000, 4355, 8080, 8081, 8443] {
            assert_ne!(port, taken, "{folder}: port {taken} clashes with other plugins");
        }
        // The kubelet probes the pod's IP: a server bound to loopback only would
        // be killed as dead.
        let bind = argument(container, "--bind");
        assert!(!bind.starts_with("127.") && bind != "localhost", "--bind {bind} hides /healthz from the kubelet");
        assert_eq!(container["args"][0], "serve");
    }
}

/// Argo gives a sidecar no volumes of its own; with a read-only root file
/// system, the writable place is a sub-path of the agent pod's `var-run-argo`
/// emptyDir, under a name no container (whose token folder it would be) can have.
#[test]
fn their_only_writable_folder_is_a_private_part_of_the_agents_empty_dir() {
    for (folder, _, plugin) in plugins() {
        let container = container(&plugin);
        let mounts = container["volumeMounts"].as_array().expect("volumeMounts");
        assert_eq!(mounts.len(), 1, "{folder}");
        let mount = &mounts[0];
        assert_eq!(mount["name"], "var-run-argo");
        assert_ne!(mount["mountPath"], "/var/run/argo", "Argo mounts the token there");
        assert!(mount["subPath"].as_str().unwrap().contains('.'), "a container name cannot contain a dot");
        assert_ne!(mount["readOnly"], true);
        let tmpdir = container["env"].as_array().unwrap().iter().find(|e| e["name"] == "TMPDIR").expect("TMPDIR");
        assert_eq!(tmpdir["value"], mount["mountPath"]);
    }
}

/// ConfigMap and Secret references of the local plugin are optional, so the
/// agent pod starts in namespaces that have neither (and workflows without
/// artifacts or private modules run). The front's pool token is not: without
/// it the front could reach no worker, and the pod says so at once.
#[test]
fn their_settings_from_config_maps_and_secrets_are_optional_but_the_pool_token() {
    let (_, local) = plugin("plugin");
    let env = container(&local)["env"].as_array().unwrap();
    for name in ["ARTIFACT_REPOSITORY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "REGISTRY_CREDENTIALS"] {
        let variable = env.iter().find(|e| e["name"] == name).unwrap_or_else(|| panic!("no {name}"));
        let source = variable["valueFrom"].as_object().unwrap().values().next().unwrap();
        assert_eq!(source["optional"], true, "{name}");
    }
    let credentials = env.iter().find(|e| e["name"] == "REGISTRY_CREDENTIALS").unwrap();
    assert_eq!(credentials["valueFrom"]["secretKeyRef"]["key"], ".dockerconfigjson");

    let (_, front) = plugin("pool/front");
    let env = container(&front)["env"].as_array().unwrap();
    let token = env.iter().find(|e| e["name"] == "FORWARD_TOKEN").expect("the front gets no FORWARD_TOKEN");
    assert_eq!(token["valueFrom"]["secretKeyRef"]["name"], "wasm-workflows-pool-token");
    assert_ne!(token["valueFrom"]["secretKeyRef"]["optional"], true);
}

#[test]
fn the_image_puts_the_binary_where_the_plugins_run_it_as_their_user() {
    let (dockerfile_path, dockerfile) = argo_plugin_file("Dockerfile");
    for (folder, _, plugin) in plugins() {
        let container = container(&plugin);
        let command = container["command"][0].as_str().unwrap();
        let copies_binary = dockerfile
            .lines()
            .any(|line| line.starts_with("COPY --from=") && line.trim_end().ends_with(&format!(" {command}")));
        assert!(copies_binary, "{} copies no binary to {command}", dockerfile_path.display());
        let security = &container["securityContext"];
        let (user, group) = (security["runAsUser"].as_u64().unwrap(), security["runAsGroup"].as_u64().unwrap());
        assert!(
            dockerfile.lines().any(|line| line.trim() == format!("USER {user}:{group}")),
            "{} runs as another user than {folder}'s {user}:{group}",
            dockerfile_path.display()
        );
        assert!(
            container["image"].as_str().unwrap().starts_with("ghcr.io/wasm-workflows/wasm-workflows:"),
            "{}",
            container["image"]
        );
    }
}

/// A JSON value with every mapping's keys in order, as Go's YAML encoder
/// (sigs.k8s.io/yaml) writes them.
fn sorted(value: &Value) -> yaml_serde::Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<&String, yaml_serde::Value> = map.iter().map(|(k, v)| (k, sorted(v))).collect();
            let mut mapping = yaml_serde::Mapping::new();
            for (key, value) in ordered {
                mapping.insert(yaml_serde::Value::String(key.clone()), value);
            }
            yaml_serde::Value::Mapping(mapping)
        }
        Value::Array(items) => yaml_serde::Value::Sequence(items.iter().map(sorted).collect()),
        other => yaml_serde::to_value(other).unwrap(),
    }
}

/// The ConfigMap `argo executor-plugin build` makes of `plugin`
/// (workflow/util/plugin/configmap.go, ToConfigMap): named
/// `<name>-executor-plugin`, labelled with its kind, the plugin's
/// annotations and labels, `sidecar.container` the container as YAML and
/// `sidecar.automountServiceAccountToken` "true" or "false".
fn config_map(plugin: &Value) -> Value {
    let mut labels = plugin["metadata"]["labels"].as_object().cloned().unwrap_or_default();
    labels.insert("workflows.argoproj.io/configmap-type".into(), plugin["kind"].clone());
    let mut metadata = json!({
        "name": format!("{}-executor-plugin", plugin["metadata"]["name"].as_str().unwrap()),
        "annotations": plugin["metadata"]["annotations"].as_object().cloned().unwrap_or_default(),
        "labels": labels,
        "creationTimestamp": null,
    });
    if let Some(namespace) = plugin["metadata"].get("namespace") {
        metadata["namespace"] = namespace.clone();
    }
    let automount = plugin["spec"]["sidecar"]["automountServiceAccountToken"].as_bool().unwrap_or(false);
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata,
        "data": {
            "sidecar.automountServiceAccountToken": automount.to_string(),
            "sidecar.container": yaml_serde::to_string(&sorted(container(plugin))).unwrap(),
        }
    })
}

fn config_map_text(folder: &str, plugin: &Value) -> String {
    format!(
        "# Made from argo-plugin/{folder}/plugin.yaml as `argo executor-plugin build argo-plugin/{folder}`\n\
         # makes it. Do not edit: edit that plugin.yaml, then write this again with\n\
         # `UPDATE_CONFIGMAPS=1 cargo test -p wasm-workflows-cli --test plugin_yaml`.\n{}",
        yaml_serde::to_string(&sorted(&config_map(plugin))).unwrap()
    )
}

/// The shipped ConfigMaps are the plugins' (`sidecar.container` compared as
/// the container it holds), and valid Kubernetes ConfigMaps.
#[test]
fn the_shipped_config_maps_are_made_from_the_plugins() {
    for (folder, shipped) in PLUGINS {
        let (_, plugin) = plugin(folder);
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../argo-plugin").join(shipped);
        if std::env::var_os("UPDATE_CONFIGMAPS").is_some() {
            std::fs::write(&file, config_map_text(folder, &plugin)).unwrap();
        }
        let (_, text) = argo_plugin_file(shipped);
        let mut found: Value = yaml_serde::from_str(&text).unwrap();
        let mut expected = config_map(&plugin);
        for config_map in [&mut found, &mut expected] {
            let container = config_map["data"]["sidecar.container"].as_str().unwrap_or("").to_owned();
            config_map["data"]["sidecar.container"] = yaml_serde::from_str(&container).unwrap();
        }
        assert_eq!(
            found,
            expected,
            "{} is not made from argo-plugin/{folder}/plugin.yaml: run UPDATE_CONFIGMAPS=1 cargo test -p \
             wasm-workflows-cli --test plugin_yaml",
            file.display()
        );
        assert_eq!(found["metadata"]["name"], "wasm-executor-plugin");
        assert_eq!(found["metadata"]["labels"]["workflows.argoproj.io/configmap-type"], "ExecutorPlugin");
        assert_eq!(found["data"]["sidecar.automountServiceAccountToken"], "false");
    }
    let files: Vec<PathBuf> = PLUGINS.iter().map(|(_, shipped)| argo_plugin_file(shipped).0).collect();
    let files: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    for version in kubernetes_schema::VERSIONS {
        let errors = kubernetes_schema::errors_in_files(&files, version);
        assert!(errors.is_empty(), "against Kubernetes {version}:\n{}", errors.join("\n"));
    }
}

/// `argo executor-plugin build DIR` reads DIR/plugin.yaml (and server.*),
/// and writes DIR/README.md and DIR/<name>-executor-plugin-configmap.yaml:
/// each build folder holds plugin.yaml alone, and git ignores what the build
/// writes, so following the guide changes no tracked file.
#[test]
fn the_build_folders_hold_only_plugin_yaml_and_ignore_what_the_build_writes() {
    let (_, ignore) = argo_plugin_file(".gitignore");
    let ignored: Vec<&str> = ignore.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    for (folder, _) in PLUGINS {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../argo-plugin").join(folder);
        let built = ["README.md", "wasm-executor-plugin-configmap.yaml"];
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| !built.contains(&name.as_str()))
            .collect();
        names.sort();
        assert_eq!(names, ["plugin.yaml"], "{} holds more than the build reads", dir.display());
        for name in built {
            let pattern = format!("/{folder}/{name}");
            assert!(ignored.contains(&pattern.as_str()), "argo-plugin/.gitignore lacks {pattern}");
        }
    }
}

/// Argo v4.1's workflow-level executor plugins: the example Workflow is
/// valid, and its plugin is the local plugin.yaml's, word for word.
#[test]
fn the_workflow_level_example_is_valid_and_carries_the_plugin() {
    let (_, text) = argo_plugin_file("examples/workflow-level-plugin.yaml");
    let errors = argo_schema::errors(&argo_schema::validator(WORKFLOW), &text);
    assert!(errors.is_empty(), "examples/workflow-level-plugin.yaml against {WORKFLOW}:\n{}", errors.join("\n"));
    let workflow: Value = yaml_serde::from_str(&text).unwrap();
    let (_, plugin) = plugin("plugin");
    let plugins = workflow["spec"]["executorPlugins"].as_array().expect("spec.executorPlugins");
    assert_eq!(plugins.len(), 1);
    assert_eq!(plugins[0]["metadata"]["name"], plugin["metadata"]["name"]);
    assert_eq!(plugins[0]["spec"], plugin["spec"], "the example's plugin differs from plugin/plugin.yaml's");
    let templates = workflow["spec"]["templates"].as_array().unwrap();
    assert!(templates.iter().any(|t| t["plugin"]["wasm"]["module"]["oci"].is_string()));
}

/// The escape hatch: a container template running `wasm-workflows run`, valid
/// for Argo, in the image the plugins use, with flags `run` has.
#[test]
fn the_container_step_example_is_valid_and_runs_a_module() {
    let (_, text) = argo_plugin_file("examples/container-step.yaml");
    let errors = argo_schema::errors(&argo_schema::validator(WORKFLOW), &text);
    assert!(errors.is_empty(), "examples/container-step.yaml against {WORKFLOW}:\n{}", errors.join("\n"));
    let workflow: Value = yaml_serde::from_str(&text).unwrap();
    let templates = workflow["spec"]["templates"].as_array().unwrap();
    let step = templates.iter().find(|t| t["container"].is_object()).expect("a container template");
    let (_, plugin) = plugin("plugin");
    assert_eq!(step["container"]["image"], container(&plugin)["image"]);
    assert_eq!(step["container"]["command"], container(&plugin)["command"]);
    let step_args = args(&step["container"]);
    assert_eq!(step_args[0], "run");
    let help =
        std::process::Command::new(env!("CARGO_BIN_EXE_wasm-workflows")).args(["run", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    for flag in step_args.iter().filter(|a| a.starts_with("--")) {
        assert!(help.contains(&format!("{flag} ")), "run has no {flag}");
    }
}
