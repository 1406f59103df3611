//! Artifacts of a local run, through a local artifact repository: a folder
//! that plays the bucket, so an artifact's `s3.key` is a file below it and
//! the same workflow runs unchanged against S3 in a cluster.
//!
//! - A template's input artifacts take the arguments of their names as
//!   Argo's `ProcessArgs` does (`workflow/common/util.go` 234-254): the
//!   argument's location, the input's `path`, `mode` and `recurseMode`;
//!   `inputs.artifacts.NAME was not supplied` when there is none.
//! - `from: "{{steps.X.outputs.artifacts.Y}}"` (or `tasks.…`,
//!   `inputs.artifacts.…`) names an artifact a node gave: the scope holds
//!   each one as its JSON, and the argument becomes that artifact under its
//!   own name (`resolveArtifact`, `workflow/controller/scope.go` 195;
//!   `steps.go` 524-541).
//! - Before a Wasm step runs, each input artifact is placed in its work
//!   directory: `raw.data` as it is, `s3.key` from the folder, `http.url`
//!   fetched by the host (as Argo's executor fetches it, within
//!   `--allow-host` and the step's budgets: [`super::artifact_fetch`]).
//! - After it, each output artifact the template declares is copied to the
//!   folder at its `s3.key`, else at `{workflow}/{node id}/{name}` (the
//!   plugin host's `{{workflow.name}}/{{pod.name}}` with the node's id for
//!   the pod), and the node's outputs name it as the plugin host does
//!   (`name`, `path`, `s3.key`).

use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use wasm_workflows_sdk::protocol::{ArtifactRef, S3Artifact};
use wasm_workflows_sdk::workdir;

use super::Prepared;
use super::artifact_fetch::InputFetches;
use super::artifact_references::append_to_key;
use super::substitute::Scope;
use crate::executor_plugin::request::DeclaredOutput;
use crate::runner::{OutputFile, WorkDir};

/// The keys of an artifact that say where it is (`ArtifactLocation`).
const LOCATIONS: [&str; 10] = ["s3", "raw", "http", "git", "gcs", "oss", "hdfs", "artifactory", "azure", "plugin"];

/// Whether `artifact` says where it is.
fn has_location(artifact: &Value) -> bool {
    LOCATIONS.iter().any(|key| artifact.get(key).is_some_and(|v| !v.is_null()))
}

fn name_of(artifact: &Value) -> &str {
    artifact.get("name").and_then(Value::as_str).unwrap_or_default()
}

/// Gives `template`'s input artifacts the `arguments` of their names
/// (`ProcessArgs`); the error is Argo's.
pub fn apply_arguments(template: &mut Value, arguments: &Value) -> Result<(), String> {
    let Some(inputs) = template.pointer_mut("/inputs/artifacts").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    let given = arguments.get("artifacts").and_then(Value::as_array);
    for input in inputs.iter_mut() {
        let name = name_of(input).to_owned();
        let argument =
            given.into_iter().flatten().find(|a| name_of(a) == name).cloned().map(resolve_from).transpose()?;
        let optional = input.get("optional").and_then(Value::as_bool).unwrap_or(false);
        if !optional && !has_location(input) {
            match &argument {
                None => return Err(format!("inputs.artifacts.{name} was not supplied")),
                Some(argument) if !has_location(argument) => {
                    return Err(format!("inputs.artifacts.{name} missing location information"));
                }
                Some(_) => {}
            }
        }
        if let Some(mut argument) = argument {
            for key in ["path", "mode", "recurseMode"] {
                match input.get(key) {
                    Some(value) => argument[key] = value.clone(),
                    None => drop(argument.as_object_mut().and_then(|members| members.remove(key))),
                }
            }
            *input = argument;
        }
    }
    Ok(())
}

/// An argument whose `from` named an artifact (replaced by its JSON when
/// the step was resolved) as that artifact, under the argument's name.
fn resolve_from(argument: Value) -> Result<Value, String> {
    let Some(from) = argument.get("from").and_then(Value::as_str).filter(|f| !f.is_empty()) else {
        return Ok(argument);
    };
    match serde_json::from_str::<Value>(from) {
        Ok(mut artifact @ Value::Object(_)) => {
            artifact["name"] = json!(name_of(&argument));
            if let Some(sub_path) = argument.get("subPath").and_then(Value::as_str).filter(|p| !p.is_empty()) {
                append_to_key(&mut artifact, sub_path)
                    .map_err(|error| format!("unable to resolve references: {error}"))?;
            }
            Ok(artifact)
        }
        _ => Err(format!("unable to resolve references: {from} is not an artifact")),
    }
}

/// The output artifacts of a steps or DAG `template`, each `from` an
/// artifact in `scope` (`getTemplateOutputsFromScope`,
/// `workflow/controller/operator.go` 3488-3506); none when it declares none.
pub fn template_outputs(template: &Value, scope: &Scope) -> Result<Option<Vec<Value>>, String> {
    let mut resolved = Vec::new();
    for artifact in listed(template.get("outputs"), "artifacts") {
        let optional = artifact.get("optional").and_then(Value::as_bool) == Some(true);
        let evaluated;
        let (from, text) = match artifact.get("fromExpression").and_then(Value::as_str).filter(|f| !f.is_empty()) {
            Some(expression) => match super::expressions::evaluate(expression, scope) {
                Ok(found) => {
                    evaluated = found;
                    (expression, evaluated.as_str())
                }
                Err(error) => return Err(format!("unable to resolve outputs from scope: {error}")),
            },
            None => {
                let Some(from) = artifact.get("from").and_then(Value::as_str).filter(|f| !f.is_empty()) else {
                    continue;
                };
                let tag = from.trim().trim_start_matches("{{").trim_end_matches("}}").trim();
                match scope.get(tag) {
                    Some(text) => (from, text.as_str()),
                    None if from.trim_start().starts_with('{') && !from.contains("{{") => (from, from),
                    None if optional => continue,
                    None => return Err(format!("unable to resolve outputs from scope: Unable to resolve: {tag:?}")),
                }
            }
        };
        match serde_json::from_str::<Value>(text) {
            Ok(mut found @ Value::Object(_)) => {
                found["name"] = json!(name_of(artifact));
                if let Some(sub_path) = artifact.get("subPath").and_then(Value::as_str).filter(|p| !p.is_empty()) {
                    match append_to_key(&mut found, sub_path) {
                        Ok(()) => {}
                        // An optional artifact is kept as it is (`resolveArtifact`, scope.go 250-253).
                        Err(_) if optional => {}
                        Err(error) => return Err(format!("unable to resolve outputs from scope: {error}")),
                    }
                }
                resolved.push(found);
            }
            _ => return Err(format!("unable to resolve outputs from scope: {from} is not an artifact")),
        }
    }
    Ok(Some(resolved).filter(|list| !list.is_empty()))
}

/// The names `PREFIX.NAME.outputs.artifacts.A` of a node's `outputs`, each an artifact's JSON.
pub fn output_scope(prefix: &str, name: &str, outputs: Option<&Value>) -> Scope {
    listed(outputs, "artifacts")
        .map(|artifact| (format!("{prefix}.{name}.outputs.artifacts.{}", name_of(artifact)), artifact.to_string()))
        .collect()
}

/// The names `inputs.artifacts.A` of a processed template, each an artifact's JSON.
pub fn input_scope(template: &Value) -> Scope {
    listed(template.get("inputs"), "artifacts")
        .filter(|artifact| has_location(artifact))
        .map(|artifact| (format!("inputs.artifacts.{}", name_of(artifact)), artifact.to_string()))
        .collect()
}

fn listed<'a>(holder: Option<&'a Value>, key: &str) -> impl Iterator<Item = &'a Value> {
    holder.and_then(|h| h.get(key)).and_then(Value::as_array).into_iter().flatten()
}

/// A folder holding a run's artifacts, each at its key.
#[derive(Debug, Clone)]
pub struct LocalRepository {
    root: PathBuf,
}

impl LocalRepository {
    /// The repository in folder `root`, made if it does not exist.
    pub fn new(root: PathBuf) -> io::Result<LocalRepository> {
        if root.is_file() {
            return Err(io::Error::other(format!(
                "{} is a file; a local artifact repository is a folder",
                root.display()
            )));
        }
        std::fs::create_dir_all(&root)?;
        Ok(LocalRepository { root })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file of artifact `name` at `key`; the error says why the key cannot be one.
    pub fn file(&self, name: &str, key: &str) -> Result<PathBuf, String> {
        workdir::artifact_file(&self.root, name, key).map_err(|error| error.to_string())
    }

    /// Copies `source` in as `key` (a file a user gives), answering its artifact location.
    pub fn store_file(&self, name: &str, key: &str, source: &Path) -> Result<Value, String> {
        let target = self.file(name, key)?;
        let copy = || -> io::Result<()> {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(source, &target).map(drop)
        };
        copy().map_err(|error| format!("artifact \"{name}\": cannot copy {}: {error}", source.display()))?;
        Ok(json!({"name": name, "s3": {"key": key}}))
    }

    /// Places the input artifacts of the resolved `template` in `work_dir`,
    /// each at its path below `artifacts-in/`: `raw.data`, an `s3.key` of
    /// the folder, or an `http.url` fetched by `fetches` (with its `headers`).
    pub async fn place_inputs(
        &self,
        template: &Value,
        work_dir: &WorkDir,
        fetches: &mut InputFetches<'_>,
    ) -> Result<(), String> {
        for artifact in listed(template.get("inputs"), "artifacts") {
            let name = name_of(artifact);
            let path = artifact.get("path").and_then(Value::as_str).unwrap_or(name);
            let failed = |reason: String| format!("input artifact \"{name}\": {reason}");
            if let Some(data) = artifact.pointer("/raw/data") {
                let mut file = work_dir.create_input(name, path).map_err(|error| failed(error.to_string()))?;
                io::Write::write_all(&mut file, data.as_str().unwrap_or_default().as_bytes())
                    .map_err(|error| failed(format!("cannot place it: {error}")))?;
            } else if let Some(key) = artifact.pointer("/s3/key").and_then(Value::as_str) {
                let source = self.file(name, key).map_err(failed)?;
                let mut opened = std::fs::File::open(&source).map_err(|error| {
                    failed(format!("key \"{key}\" is not in the artifact repository {}: {error}", self.root.display()))
                })?;
                let mut file = work_dir.create_input(name, path).map_err(|error| failed(error.to_string()))?;
                io::copy(&mut opened, &mut file).map_err(|error| failed(format!("cannot place it: {error}")))?;
            } else if let Some(url) = artifact.pointer("/http/url").and_then(Value::as_str) {
                let mut file = work_dir.create_input(name, path).map_err(|error| failed(error.to_string()))?;
                fetches.get(url, artifact.pointer("/http/headers"), &mut file).await.map_err(failed)?;
            } else if let Some(kind) = LOCATIONS.iter().find(|key| artifact.get(**key).is_some_and(|v| !v.is_null())) {
                return Err(failed(format!(
                    "{kind} artifacts are not fetched by local runs: give it as raw data, an http url or an s3 key \
                     of the local artifact repository"
                )));
            }
            // Else an optional artifact nobody gave: nothing to place.
        }
        Ok(())
    }

    /// Copies the `outputs` that `declared` names from `work_dir` to their
    /// keys (node `node_id` of `workflow`), answering them as the node shows them.
    pub fn store_outputs(
        &self,
        workflow: &str,
        node_id: &str,
        declared: &[DeclaredOutput],
        outputs: &[OutputFile],
        work_dir: &WorkDir,
    ) -> Result<Vec<ArtifactRef>, String> {
        let mut stored = Vec::new();
        for output in outputs {
            let Some(declaration) = declared.iter().find(|d| d.name == output.name) else {
                continue; // Not declared: left out, as the plugin host leaves it out.
            };
            let key = declaration.key.clone().unwrap_or_else(|| format!("{workflow}/{node_id}/{}", output.name));
            let failed = |reason: String| format!("output artifact \"{}\": {reason}", output.name);
            let target = self.file(&output.name, &key).map_err(failed)?;
            let copy = || -> io::Result<()> {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let mut source = work_dir.open_output(output)?;
                let mut file = std::fs::File::create(&target)?;
                io::copy(&mut source, &mut file).map(drop)
            };
            copy().map_err(|error| failed(format!("cannot store it at {}: {error}", target.display())))?;
            stored.push(ArtifactRef {
                name: output.name.clone(),
                path: output.path.clone(),
                s3: Some(S3Artifact { key }),
            });
        }
        Ok(stored)
    }
}

impl Prepared {
    /// Sets the workflow's argument artifact `artifact` (a name and a
    /// location), replacing one of the same name (`--artifact NAME=FILE`).
    pub fn set_argument_artifact(&mut self, artifact: Value) {
        let spec = &mut self.workflow["spec"];
        if !spec.get("arguments").is_some_and(Value::is_object) {
            spec["arguments"] = json!({});
        }
        if !spec["arguments"].get("artifacts").is_some_and(Value::is_array) {
            spec["arguments"]["artifacts"] = json!([]);
        }
        let list = spec["arguments"]["artifacts"].as_array_mut().expect("made a list above");
        match list.iter_mut().find(|a| name_of(a) == name_of(&artifact)) {
            Some(existing) => *existing = artifact,
            None => list.push(artifact),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_argument_gives_its_location_and_the_input_its_path() {
        let mut template = json!({"inputs": {"artifacts": [{"name": "in", "path": "/in.csv", "mode": 420}]}});
        let arguments = json!({"artifacts": [{"name": "in", "path": "/elsewhere", "raw": {"data": "a,b"}}]});
        apply_arguments(&mut template, &arguments).unwrap();
        assert_eq!(
            template["inputs"]["artifacts"][0],
            json!({"name": "in", "path": "/in.csv", "mode": 420, "raw": {"data": "a,b"}})
        );
    }

    #[test]
    fn a_missing_argument_is_argos_error() {
        // workflow/common/util.go 240-246.
        let mut template = json!({"inputs": {"artifacts": [{"name": "in", "path": "/in"}]}});
        assert_eq!(apply_arguments(&mut template, &json!({})).unwrap_err(), "inputs.artifacts.in was not supplied");
        let nowhere = json!({"artifacts": [{"name": "in"}]});
        assert_eq!(
            apply_arguments(&mut template, &nowhere).unwrap_err(),
            "inputs.artifacts.in missing location information"
        );
        let mut optional = json!({"inputs": {"artifacts": [{"name": "in", "optional": true}]}});
        apply_arguments(&mut optional, &json!({})).unwrap();
    }

    #[test]
    fn from_names_an_artifact_a_node_gave() {
        let node_outputs =
            json!({"artifacts": [{"name": "result", "path": "/result.csv", "s3": {"key": "wf/wf-1/result"}}]});
        let scope = output_scope("steps", "first", Some(&node_outputs));
        let mut arguments =
            json!({"artifacts": [{"name": "summary", "from": "{{steps.first.outputs.artifacts.result}}"}]});
        super::super::substitute::replace_in(&mut arguments, &scope, super::super::substitute::Unresolved::Fail)
            .unwrap();
        let mut template = json!({"inputs": {"artifacts": [{"name": "summary", "path": "/summary.csv"}]}});
        apply_arguments(&mut template, &arguments).unwrap();
        assert_eq!(
            template["inputs"]["artifacts"][0],
            json!({"name": "summary", "path": "/summary.csv", "s3": {"key": "wf/wf-1/result"}})
        );
    }

    #[test]
    fn a_steps_template_gives_the_artifact_its_from_names() {
        let scope: Scope = [(
            "steps.gen.outputs.artifacts.out".to_owned(),
            r#"{"name":"out","path":"/o","s3":{"key":"k"}}"#.to_owned(),
        )]
        .into();
        let template = json!({"outputs": {"artifacts": [
            {"name": "result", "from": "{{steps.gen.outputs.artifacts.out}}"},
            {"name": "maybe", "from": "{{steps.other.outputs.artifacts.x}}", "optional": true}]}});
        let outputs = template_outputs(&template, &scope).unwrap().unwrap();
        assert_eq!(outputs, [json!({"name": "result", "path": "/o", "s3": {"key": "k"}})]);
        let missing = json!({"outputs": {"artifacts": [{"name": "r", "from": "{{steps.nope.outputs.artifacts.x}}"}]}});
        assert_eq!(
            template_outputs(&missing, &scope).unwrap_err(),
            "unable to resolve outputs from scope: Unable to resolve: \"steps.nope.outputs.artifacts.x\""
        );
    }

    #[test]
    fn keys_stay_inside_the_folder() {
        let folder = std::env::temp_dir().join(format!("wasm-workflows-artifacts-test-{}", std::process::id()));
        let repository = LocalRepository::new(folder.clone()).unwrap();
        assert_eq!(repository.file("a", "x/y.png").unwrap(), folder.join("x/y.png"));
        assert!(repository.file("a", "../../etc/passwd").unwrap_err().contains(".."));
        std::fs::remove_dir_all(folder).unwrap();
    }
}
