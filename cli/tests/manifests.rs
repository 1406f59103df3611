//! The Kubernetes manifests in `argo-plugin/` — the pool's workers
//! (`pool/`), the agent's RBAC, the Secrets' shapes, the runwasi Job — are
//! valid against Kubernetes' own strict schemas, their pods pass the
//! restricted Pod Security Standard, and their parts name each other
//! (labels, ports, Secrets, the front's DNS name) as they must.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use wasm_workflows_test_support::{kubernetes_schema, pod_security};

const BINARY: &str = env!("CARGO_BIN_EXE_wasm-workflows");

/// Every Kubernetes manifest shipped (the ExecutorPlugins and ConfigMaps are
/// checked in plugin_yaml.rs).
const MANIFESTS: [&str; 11] = [
    "pool/deployment.yaml",
    "pool/service.yaml",
    "pool/hpa.yaml",
    "pool/pdb.yaml",
    "pool/networkpolicy.yaml",
    "pool/secret/pool-token.yaml",
    "pool/examples/hpa-steps-queued.yaml",
    "rbac.yaml",
    "examples/registry-credentials.yaml",
    "runwasi/job.yaml",
    "runwasi/networkpolicy.yaml",
];

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../argo-plugin").join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(path(name)).unwrap_or_else(|e| panic!("argo-plugin/{name}: {e}"))
}

/// The documents of a manifest file.
fn documents(name: &str) -> Vec<Value> {
    use serde::Deserialize;
    yaml_serde::Deserializer::from_str(&text(name))
        .map(|document| Value::deserialize(document).unwrap_or_else(|e| panic!("argo-plugin/{name}: {e}")))
        .filter(|document| !document.is_null())
        .collect()
}

fn document(name: &str) -> Value {
    let mut all = documents(name);
    assert_eq!(all.len(), 1, "argo-plugin/{name} holds {} documents", all.len());
    all.remove(0)
}

fn of_kind(name: &str, kind: &str) -> Value {
    documents(name).into_iter().find(|d| d["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {name}"))
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect()
}

/// The value after `flag` in `args`.
fn argument<'a>(args: &[&'a str], flag: &str) -> &'a str {
    let at = args.iter().position(|a| *a == flag).unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    args[at + 1]
}

fn worker_pod() -> Value {
    document("pool/deployment.yaml")["spec"]["template"]["spec"].clone()
}

fn worker() -> Value {
    worker_pod()["containers"][0].clone()
}

fn front() -> Value {
    let plugin: Value = yaml_serde::from_str(&text("pool/front/plugin.yaml")).unwrap();
    plugin["spec"]["sidecar"]["container"].clone()
}

#[test]
fn every_manifest_is_valid_against_kubernetes_strict_schemas() {
    let files: Vec<PathBuf> = MANIFESTS.iter().map(|name| path(name)).collect();
    let files: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    for version in kubernetes_schema::VERSIONS {
        let errors = kubernetes_schema::errors_in_files(&files, version);
        assert!(errors.is_empty(), "against Kubernetes {version}:\n{}", errors.join("\n"));
    }
    // The check has teeth: a misspelt field and a wrong type are refused.
    let broken = text("pool/deployment.yaml").replace("terminationGracePeriodSeconds", "terminationGraceSeconds");
    let errors = kubernetes_schema::errors("misspelt", &broken, kubernetes_schema::VERSIONS[1]);
    assert!(errors.iter().any(|e| e.contains("terminationGraceSeconds")), "{errors:?}");
    let broken = text("pool/service.yaml").replace("port: 9276", "port: nine");
    assert!(!kubernetes_schema::errors("wrong type", &broken, kubernetes_schema::VERSIONS[1]).is_empty());
}

#[test]
fn the_pods_pass_the_restricted_pod_security_standard() {
    let job = of_kind("runwasi/job.yaml", "Job");
    for (name, pod) in [("the workers", worker_pod()), ("the runwasi Job", job["spec"]["template"]["spec"].clone())] {
        let violations = pod_security::restricted_violations(&pod);
        assert!(violations.is_empty(), "{name}: {violations:?}");
        assert_eq!(pod["automountServiceAccountToken"], false, "{name} need no Kubernetes API");
        for container in
            pod["containers"].as_array().unwrap().iter().chain(pod["initContainers"].as_array().into_iter().flatten())
        {
            assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true, "{name}");
            for part in ["requests", "limits"] {
                for resource in ["cpu", "memory"] {
                    assert!(container["resources"][part][resource].is_string(), "{name}: resources.{part}.{resource}");
                }
            }
        }
    }
}

/// The Service, the PodDisruptionBudget, the NetworkPolicy and the
/// autoscalers select the Deployment's pods, on its port.
#[test]
fn the_pools_parts_select_the_workers() {
    let deployment = document("pool/deployment.yaml");
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    assert_eq!(&deployment["spec"]["selector"]["matchLabels"], labels);
    let service = document("pool/service.yaml");
    assert_eq!(&service["spec"]["selector"], labels);
    assert_eq!(document("pool/pdb.yaml")["spec"]["selector"]["matchLabels"], *labels);
    let policy = document("pool/networkpolicy.yaml");
    assert_eq!(policy["spec"]["podSelector"]["matchLabels"], *labels);
    for hpa in ["pool/hpa.yaml", "pool/examples/hpa-steps-queued.yaml"] {
        let target = &document(hpa)["spec"]["scaleTargetRef"];
        assert_eq!(target["kind"], "Deployment");
        assert_eq!(target["name"], deployment["metadata"]["name"], "{hpa}");
    }

    let worker = worker();
    let args = strings(&worker["args"]);
    assert_eq!(args[0], "serve");
    assert_eq!(argument(&args, "--bind"), "0.0.0.0", "fronts in other pods call the workers");
    let port = worker["ports"][0]["containerPort"].as_u64().unwrap();
    assert_eq!(argument(&args, "--port"), port.to_string());
    assert_eq!(service["spec"]["ports"][0]["targetPort"], worker["ports"][0]["name"]);
    assert_eq!(service["spec"]["ports"][0]["port"], port);
    for probe in ["readinessProbe", "livenessProbe"] {
        assert_eq!(worker[probe]["httpGet"]["path"], "/healthz", "{probe}");
        assert_eq!(worker[probe]["httpGet"]["port"], worker["ports"][0]["name"], "{probe}");
    }
    // Headless, and a draining (not ready) worker stays in DNS.
    assert_eq!(service["spec"]["clusterIP"], "None");
    assert_eq!(service["spec"]["publishNotReadyAddresses"], true);

    // Only Argo's agent pods, of any namespace, on the workers' port.
    let rules = policy["spec"]["ingress"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        rules[0]["from"],
        serde_json::json!([{"namespaceSelector": {}, "podSelector": {"matchLabels": {"workflows.argoproj.io/component": "agent"}}}])
    );
    assert_eq!(rules[0]["ports"], serde_json::json!([{"protocol": "TCP", "port": port}]));
    assert_eq!(policy["spec"]["policyTypes"], serde_json::json!(["Ingress"]));
}

/// A worker drains for --shutdown-grace, then keeps finished nodes until
/// the front asks again (one requeue, 5 s): Kubernetes must not kill it before.
#[test]
fn the_workers_grace_period_covers_the_drain() {
    let args_value = worker()["args"].clone();
    let args = strings(&args_value);
    let drain: u64 = argument(&args, "--shutdown-grace").parse().unwrap();
    let grace = worker_pod()["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(grace >= drain + 5 + 5, "terminationGracePeriodSeconds {grace} leaves no time after a {drain} s drain");
}

/// The front reaches the workers by the Service's full name, and sends the
/// token the workers check, from the same Secret.
#[test]
fn the_front_and_the_workers_share_the_service_and_the_pool_token() {
    let service = document("pool/service.yaml");
    let front = front();
    let args = strings(&front["args"]);
    let (name, port) = argument(&args, "--forward-to-dns").rsplit_once(':').unwrap();
    let namespace = "argo";
    assert_eq!(name, format!("{}.{namespace}.svc.cluster.local", service["metadata"]["name"].as_str().unwrap()));
    assert_eq!(port, service["spec"]["ports"][0]["port"].to_string());
    assert_eq!(argument(&args, "--token-file"), "/var/run/argo/token");

    let secret = document("pool/secret/pool-token.yaml");
    let secret_name = secret["metadata"]["name"].as_str().unwrap();
    let keys: Vec<&String> = secret["stringData"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["token"]);
    let from_env = front["env"].as_array().unwrap().iter().find(|e| e["name"] == "FORWARD_TOKEN").unwrap();
    assert_eq!(from_env["valueFrom"]["secretKeyRef"], serde_json::json!({"name": secret_name, "key": "token"}));

    let pod = worker_pod();
    let worker = worker();
    let worker_args_value = worker["args"].clone();
    let worker_args = strings(&worker_args_value);
    let token_file = PathBuf::from(argument(&worker_args, "--token-file"));
    let mount = worker["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| token_file.parent().unwrap() == std::path::Path::new(m["mountPath"].as_str().unwrap()))
        .expect("the worker's --token-file is in no mount");
    let volume = pod["volumes"].as_array().unwrap().iter().find(|v| v["name"] == mount["name"]).unwrap();
    assert_eq!(volume["secret"]["secretName"], secret_name);
    assert_ne!(volume["secret"]["optional"], true, "a worker without the pool token must not start");
    assert_eq!(token_file.file_name().unwrap(), "token");
}

/// The workers mount the registry Secret of examples/registry-credentials.yaml
/// (the one the local plugin reads through $REGISTRY_CREDENTIALS) where
/// --registry-credentials reads it.
#[test]
fn the_workers_read_the_registry_secret_as_a_file() {
    let secret = document("examples/registry-credentials.yaml");
    assert_eq!(secret["type"], "kubernetes.io/dockerconfigjson");
    let config: Value = serde_json::from_str(secret["stringData"][".dockerconfigjson"].as_str().unwrap()).unwrap();
    assert!(config["auths"].is_object());
    let pod = worker_pod();
    let worker = worker();
    let worker_args_value = worker["args"].clone();
    let file = PathBuf::from(argument(&strings(&worker_args_value), "--registry-credentials"));
    assert_eq!(file.file_name().unwrap(), ".dockerconfigjson", "the Secret's key is the file's name");
    let mount = worker["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| file.parent().unwrap() == std::path::Path::new(m["mountPath"].as_str().unwrap()))
        .expect("--registry-credentials is in no mount");
    let volume = pod["volumes"].as_array().unwrap().iter().find(|v| v["name"] == mount["name"]).unwrap();
    assert_eq!(volume["secret"]["secretName"], secret["metadata"]["name"]);
    let plugin: Value = yaml_serde::from_str(&text("plugin/plugin.yaml")).unwrap();
    let env = plugin["spec"]["sidecar"]["container"]["env"].as_array().unwrap().clone();
    let variable = env.iter().find(|e| e["name"] == "REGISTRY_CREDENTIALS").unwrap();
    assert_eq!(variable["valueFrom"]["secretKeyRef"]["name"], secret["metadata"]["name"]);
}

/// CPU by default; the example scales on the steps queued that GET /metrics reports.
#[test]
fn the_autoscalers_scale_on_cpu_and_on_steps_queued() {
    let cpu = document("pool/hpa.yaml");
    assert_eq!(
        cpu["spec"]["metrics"],
        serde_json::json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}])
    );
    assert!(cpu["spec"]["minReplicas"].as_u64().unwrap() >= 2, "one worker is no pool: a drain would stop it");
    let queued = document("pool/examples/hpa-steps-queued.yaml");
    let metrics = queued["spec"]["metrics"].as_array().unwrap();
    assert!(
        metrics.iter().any(|m| m["type"] == "Pods" && m["pods"]["metric"]["name"] == "wasm_workflows_steps_queued")
    );
    assert_eq!(document("pool/pdb.yaml")["spec"]["maxUnavailable"], 1);
}

/// The runwasi Job: on a RuntimeClass, the module's /work staged from the
/// ConfigMap it names, run once.
#[test]
fn the_runwasi_job_stages_work_for_the_module() {
    let config_map = of_kind("runwasi/job.yaml", "ConfigMap");
    let invocation: Value = serde_json::from_str(config_map["data"]["input.json"].as_str().unwrap()).unwrap();
    assert!(invocation["workflow_name"].is_string() && invocation["parameters"].is_array(), "{invocation}");
    let job = of_kind("runwasi/job.yaml", "Job");
    assert_eq!(job["spec"]["backoffLimit"], 0, "a module may have side effects: run it once");
    let pod = &job["spec"]["template"]["spec"];
    assert!(pod["runtimeClassName"].is_string());
    assert_eq!(pod["restartPolicy"], "Never");
    let step = pod["containers"].as_array().unwrap().iter().find(|c| c["name"] == "step").unwrap();
    let mounts = step["volumeMounts"].as_array().unwrap();
    let at = |path: &str| mounts.iter().find(|m| m["mountPath"] == path).unwrap_or_else(|| panic!("nothing at {path}"));
    at("/work");
    at("/work/artifacts-in");
    assert_ne!(at("/work/artifacts-out")["readOnly"], true);
    let input = at("/work/input.json");
    assert_eq!(input["subPath"], "input.json");
    let volume = pod["volumes"].as_array().unwrap().iter().find(|v| v["name"] == input["name"]).unwrap();
    assert_eq!(volume["configMap"]["name"], config_map["metadata"]["name"]);
    // The result sidecar reads the step's /work.
    let result = &pod["initContainers"][0];
    assert_eq!(result["restartPolicy"], "Always");
    assert!(result["command"].to_string().contains("/work/result.json"));
    // The CRI refuses a container without a command when the image has no
    // entrypoint, and a wasm artifact's config has none.
    for container in pod["containers"].as_array().unwrap().iter().chain(pod["initContainers"].as_array().unwrap()) {
        let command = container["command"].as_array().unwrap_or_else(|| panic!("{} has no command", container["name"]));
        assert!(!command.is_empty() && command.iter().all(|c| c.as_str().is_some_and(|c| !c.is_empty())));
    }
    // A Failed step fails the Job: the SDK exits non-zero when this is set.
    let env = step["env"].as_array().unwrap();
    let status = env.iter().find(|e| e["name"] == "WASM_WORKFLOWS_FAILED_EXIT_STATUS").unwrap();
    assert_eq!(status["value"], "1");
    // The runwasi steps' egress policy selects the Job's pods.
    let policy = document("runwasi/networkpolicy.yaml");
    let selector = policy["spec"]["podSelector"]["matchLabels"].as_object().unwrap();
    let labels = job["spec"]["template"]["metadata"]["labels"].as_object().unwrap();
    assert!(selector.iter().all(|(k, v)| labels.get(k) == Some(v)), "{selector:?} does not select {labels:?}");
    assert_eq!(policy["spec"]["policyTypes"], serde_json::json!(["Egress"]));
    assert_eq!(policy["spec"]["egress"], serde_json::json!([]));
}

/// Every `--flag` the manifests give `serve` is one it has.
fn assert_serve_takes_the_flags_of(containers: &[(&str, Value)]) {
    let help = Command::new(BINARY).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    for (name, container) in containers {
        for flag in strings(&container["args"]).into_iter().filter(|a| a.starts_with("--")) {
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "{name}: serve has no {flag}"
            );
        }
    }
}

#[test]
fn serve_takes_every_flag_the_local_plugin_gives_it() {
    let plugin: Value = yaml_serde::from_str(&text("plugin/plugin.yaml")).unwrap();
    assert_serve_takes_the_flags_of(&[("plugin/plugin.yaml", plugin["spec"]["sidecar"]["container"].clone())]);
}

#[test]
fn serve_takes_every_flag_the_pool_gives_it() {
    assert_serve_takes_the_flags_of(&[("pool/deployment.yaml", worker()), ("pool/front/plugin.yaml", front())]);
}
