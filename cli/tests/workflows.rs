//! Every module's workflow.yaml, and the workflow in the README, is a valid
//! Argo `Workflow` (against Argo's own JSON schema, kept in cli/argo)
//! that runs its module through the WASM plugin.

use wasm_workflows_test_support::argo_schema::{WORKFLOW, errors, validator};
use wasm_workflows_test_support::harness::workspace_root;

/// The `plugin.wasm` blocks of a workflow's templates.
fn wasm_plugins(yaml: &str) -> Vec<serde_json::Value> {
    let document: serde_json::Value = yaml_serde::from_str(yaml).unwrap();
    document["spec"]["templates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|template| template.get("plugin").and_then(|p| p.get("wasm")).cloned())
        .collect()
}

#[test]
fn every_module_has_a_valid_workflow_that_runs_it() {
    let validator = validator(WORKFLOW);
    let mut checked = 0;
    for module in std::fs::read_dir(workspace_root().join("modules")).unwrap() {
        let module = module.unwrap().path();
        let name = module.file_name().unwrap().to_string_lossy().into_owned();
        assert!(module.join("README.md").is_file(), "{name} has no README.md");
        let yaml = std::fs::read_to_string(module.join("workflow.yaml"))
            .unwrap_or_else(|e| panic!("{name}/workflow.yaml: {e}"));
        let problems = errors(&validator, &yaml);
        assert!(problems.is_empty(), "{name}/workflow.yaml is not a valid Workflow:\n{}", problems.join("\n"));
        let plugins = wasm_plugins(&yaml);
        assert!(!plugins.is_empty(), "{name}/workflow.yaml has no template with plugin.wasm");
        for plugin in plugins {
            let oci = plugin["module"]["oci"].as_str().unwrap_or_default();
            assert!(oci.contains(&name), "{name}/workflow.yaml runs {oci:?}, not {name}");
        }
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} modules checked");
}

#[test]
fn the_readme_workflow_is_valid() {
    let validator = validator(WORKFLOW);
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let workflows: Vec<&str> = readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .filter(|block| block.starts_with("apiVersion: argoproj.io/"))
        .collect();
    assert!(!workflows.is_empty(), "the README shows no complete workflow");
    for workflow in workflows {
        let problems = errors(&validator, workflow);
        assert!(problems.is_empty(), "a README workflow is not valid:\n{}\n{workflow}", problems.join("\n"));
        assert_eq!(wasm_plugins(workflow)[0]["permissions"]["http"]["allowed_hosts"][0], "https://httpbin.org");
    }
}

#[test]
fn the_schema_rejects_a_broken_workflow() {
    let validator = validator(WORKFLOW);
    let broken = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: x-\nspec:\n  templates: not-a-list\n";
    assert!(!errors(&validator, broken).is_empty(), "a workflow whose templates are not a list passed");
}
