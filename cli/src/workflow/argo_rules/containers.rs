//! The containers of a template: a containerSet's names, mounts and
//! dependencies (`ContainerSetTemplate.Validate`,
//! `pkg/apis/workflow/v1alpha1/container_set_template_types.go` 90-136),
//! its `main` container when it has inputs or outputs, and the names Argo
//! keeps for its own containers (validate.go 880-903).

use serde_json::Value;

use super::names;
use super::{list, text};

/// Whether `name` is one of Argo's own containers (`IsArgoSidecar`, `workflow/common/common.go` 316-322).
fn reserved(name: &str) -> bool {
    name == "wait" || name == "supervisor" || name.starts_with("artifact-plugin-")
}

/// A containerSet's own checks, as the tail of `templates.NAME.containerSet.…`.
fn container_set(set: &Value) -> Result<(), String> {
    let containers: Vec<&Value> = list(set.get("containers")).collect();
    if containers.is_empty() {
        return Err("containers must have at least one container".into());
    }
    names::field_names(set.get("containers"), names::Rule::Field).map_err(|e| format!("containers{e}"))?;
    let mut mounted: Vec<(&str, String)> = Vec::new();
    for (index, mount) in list(set.get("volumeMounts")).enumerate() {
        let path = text(mount, "mountPath");
        if let Some((_, previous)) = mounted.iter().find(|(p, _)| *p == path) {
            return Err(format!("volumeMounts[{index}].mountPath '{path}' already mounted in {previous}"));
        }
        mounted.push((path, format!("volumeMounts.{}", text(mount, "name"))));
    }
    let dependencies = |container: &Value| -> Vec<String> {
        list(container.get("dependencies")).filter_map(Value::as_str).map(str::to_owned).collect()
    };
    for container in &containers {
        for dependency in dependencies(container) {
            if !containers.iter().any(|c| text(c, "name") == dependency) {
                return Err(format!("containers.{} dependency '{dependency}' not defined", text(container, "name")));
            }
        }
    }
    // validateNoCycles (validation_utils.go 76-118): a depth-first walk from each name in order.
    let mut order: Vec<&str> = containers.iter().map(|c| text(c, "name")).collect();
    order.sort_unstable();
    let mut visited: Vec<String> = Vec::new();
    fn walk(
        name: &str,
        path: &mut Vec<String>,
        containers: &[&Value],
        visited: &mut Vec<String>,
        dependencies: &dyn Fn(&Value) -> Vec<String>,
    ) -> Result<(), String> {
        if visited.iter().any(|v| v == name) {
            return Ok(());
        }
        let Some(container) = containers.iter().find(|c| text(c, "name") == name) else { return Ok(()) };
        for dependency in dependencies(container) {
            if path.contains(&dependency) {
                return Err(format!("containers dependency cycle detected: {}->{dependency}", path.join("->")));
            }
            path.push(dependency.clone());
            walk(&dependency, path, containers, visited, dependencies)?;
            path.pop();
        }
        visited.push(name.to_owned());
        Ok(())
    }
    for name in order {
        walk(name, &mut Vec::new(), &containers, &mut visited, &dependencies)?;
    }
    Ok(())
}

/// The container checks of leaf template `template`.
pub fn check(template: &Value) -> Result<(), String> {
    let name = text(template, "name");
    if let Some(set) = template.get("containerSet").filter(|s| !s.is_null()) {
        container_set(set).map_err(|e| format!("templates.{name}.containerSet.{e}"))?;
        let has = |pointer: &str| list(template.pointer(pointer)).next().is_some();
        let main = list(set.get("containers")).any(|c| text(c, "name") == "main");
        if (has("/inputs/artifacts") || has("/outputs/parameters") || has("/outputs/artifacts")) && !main {
            return Err(format!(
                "templates.{name}.containerSet.containers must have a container named \"main\" for input or output"
            ));
        }
        for container in list(set.get("containers")) {
            if reserved(text(container, "name")) {
                return Err(format!(
                    "templates.{name}.containerSet.containers: {:?} is a reserved Argo container name",
                    text(container, "name")
                ));
            }
        }
    }
    for sidecar in list(template.get("sidecars")) {
        if reserved(text(sidecar, "name")) {
            return Err(format!(
                "templates.{name}.sidecars: {:?} is a reserved Argo container name",
                text(sidecar, "name")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn container_sets_are_checked_as_argo_checks_them() {
        // validate_test.go 3030-3054: a dependency on a container that is not there.
        let missing = json!({"name": "main", "containerSet": {"containers": [
            {"name": "a", "image": "x"}, {"name": "b", "image": "x", "dependencies": ["c"]}]}});
        assert_eq!(check(&missing).unwrap_err(), "templates.main.containerSet.containers.b dependency 'c' not defined");
        let cycle = json!({"name": "main", "containerSet": {"containers": [
            {"name": "a", "dependencies": ["b"]}, {"name": "b", "dependencies": ["a"]}]}});
        assert_eq!(
            check(&cycle).unwrap_err(),
            "templates.main.containerSet.containers dependency cycle detected: b->a->b"
        );
        // validate_test.go 3075 and 3160.
        let wait = json!({"name": "main", "containerSet": {"containers": [{"name": "wait"}]}});
        assert!(check(&wait).unwrap_err().contains("reserved Argo container name"));
        let no_main = json!({"name": "main", "outputs": {"parameters": [{"name": "p"}]}, "containerSet": {"containers": [{"name": "a"}]}});
        assert!(check(&no_main).unwrap_err().contains("must have a container named \"main\" for input or output"));
        let sidecar = json!({"name": "main", "container": {"image": "x"}, "sidecars": [{"name": "supervisor"}]});
        assert_eq!(
            check(&sidecar).unwrap_err(),
            "templates.main.sidecars: \"supervisor\" is a reserved Argo container name"
        );
    }
}
