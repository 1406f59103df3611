//! Kubernetes' Pod Security Standards, "restricted" profile (which includes
//! "baseline"), as the documentation lists its controls, checked on a pod
//! spec given as JSON (a Pod's `spec`, a Deployment's or Job's
//! `spec.template.spec`).

use serde_json::Value;

/// The volume types the restricted profile allows.
const ALLOWED_VOLUMES: [&str; 8] =
    ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/// What in `pod` (a pod spec) the restricted profile forbids; empty when it passes.
pub fn restricted_violations(pod: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let pod_context = &pod["securityContext"];
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod[key] == true {
            found.push(format!("spec.{key} is true"));
        }
    }
    if pod_context["windowsOptions"]["hostProcess"] == true {
        found.push("spec.securityContext.windowsOptions.hostProcess is true".into());
    }
    for volume in pod["volumes"].as_array().into_iter().flatten() {
        let name = volume["name"].as_str().unwrap_or("?");
        let kinds: Vec<&String> =
            volume.as_object().into_iter().flat_map(|v| v.keys()).filter(|k| *k != "name").collect();
        for kind in kinds {
            if !ALLOWED_VOLUMES.contains(&kind.as_str()) {
                found.push(format!("volume {name} is of type {kind}"));
            }
        }
    }
    if pod_context["runAsUser"] == 0 {
        found.push("spec.securityContext.runAsUser is 0".into());
    }
    if let Some(sysctls) = pod_context["sysctls"].as_array().filter(|s| !s.is_empty()) {
        found.push(format!("spec.securityContext.sysctls are set: {sysctls:?}"));
    }
    let seccomp_ok = |profile: &Value| matches!(profile["type"].as_str(), Some("RuntimeDefault" | "Localhost"));
    let pod_seccomp = pod_context.get("seccompProfile");
    if pod_seccomp.is_some_and(|p| !seccomp_ok(p)) {
        found.push(format!("spec.securityContext.seccompProfile is {}", pod_seccomp.unwrap()));
    }
    let containers = ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|list| pod[*list].as_array().into_iter().flatten().map(move |c| (*list, c)));
    for (list, container) in containers {
        let name = format!("{list} {}", container["name"].as_str().unwrap_or("?"));
        let context = &container["securityContext"];
        if context["privileged"] == true {
            found.push(format!("{name}: privileged"));
        }
        if context["allowPrivilegeEscalation"] != false {
            found.push(format!("{name}: allowPrivilegeEscalation is not false"));
        }
        let non_root = match context.get("runAsNonRoot") {
            Some(value) => *value == true,
            None => pod_context["runAsNonRoot"] == true,
        };
        if !non_root {
            found.push(format!("{name}: runAsNonRoot is not true (in the container or the pod)"));
        }
        if context["runAsUser"] == 0 {
            found.push(format!("{name}: runAsUser is 0"));
        }
        match context.get("seccompProfile") {
            Some(profile) if !seccomp_ok(profile) => found.push(format!("{name}: seccompProfile is {profile}")),
            None if pod_seccomp.is_none() => found
                .push(format!("{name}: no seccompProfile RuntimeDefault or Localhost (in the container or the pod)")),
            _ => {}
        }
        let drops: Vec<&str> =
            context["capabilities"]["drop"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if !drops.contains(&"ALL") {
            found.push(format!("{name}: capabilities do not drop ALL"));
        }
        for added in context["capabilities"]["add"].as_array().into_iter().flatten() {
            if added != "NET_BIND_SERVICE" {
                found.push(format!("{name}: adds capability {added}"));
            }
        }
        if context["procMount"].as_str().is_some_and(|m| m != "Default") {
            found.push(format!("{name}: procMount {}", context["procMount"]));
        }
        if context["windowsOptions"]["hostProcess"] == true {
            found.push(format!("{name}: hostProcess"));
        }
        for port in container["ports"].as_array().into_iter().flatten() {
            if port["hostPort"].as_u64().is_some_and(|p| p != 0) {
                found.push(format!("{name}: hostPort {}", port["hostPort"]));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn locked_down() -> Value {
        json!({
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "c", "securityContext": {
                "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}],
            "volumes": [{"name": "v", "emptyDir": {}}]
        })
    }

    #[test]
    fn a_locked_down_pod_passes_and_each_gap_is_named() {
        assert_eq!(restricted_violations(&locked_down()), Vec::<String>::new());
        let mut pod = locked_down();
        pod["securityContext"].as_object_mut().unwrap().remove("seccompProfile");
        pod["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true);
        pod["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["SYS_ADMIN"]);
        pod["volumes"][0] = json!({"name": "v", "hostPath": {"path": "/"}});
        pod["securityContext"]["runAsNonRoot"] = json!(false);
        assert_eq!(
            restricted_violations(&pod),
            [
                "volume v is of type hostPath",
                "containers c: allowPrivilegeEscalation is not false",
                "containers c: runAsNonRoot is not true (in the container or the pod)",
                "containers c: no seccompProfile RuntimeDefault or Localhost (in the container or the pod)",
                "containers c: adds capability \"SYS_ADMIN\"",
            ]
        );
    }
}
