//! `templateRef` and `workflowTemplateRef`: templates of `WorkflowTemplate`s
//! found in the other documents of the file and in the files of
//! `--templates DIR`, as Argo's `templateresolution` finds them in the
//! cluster (`workflow/templateresolution/context.go` 123-150).
//!
//! Before validation, the workflow's spec is made self-contained: a
//! `workflowTemplateRef` takes the WorkflowTemplate's spec under the
//! workflow's own fields, and every step or task with
//! `templateRef: {name: WT, template: T}` is made to name template `WT/T`,
//! a copy of WT's template `T` added to the spec, whose own steps and tasks
//! name WT's templates the same way (a template's references are resolved
//! in its own WorkflowTemplate). A node of such a template shows `WT/T` as
//! its template, where Argo shows `templateRef`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

/// The WorkflowTemplates a run can refer to, by name: their specs.
#[derive(Debug, Clone, Default)]
pub struct Library {
    specs: BTreeMap<String, Value>,
}

impl Library {
    /// The WorkflowTemplates among `documents` (the file's), then those of
    /// every `.yaml`, `.yml` and `.json` file of `dir` (a later one of the
    /// same name wins).
    pub fn load(documents: &[Value], dir: Option<&Path>) -> Result<Library, String> {
        let mut library = Library::default();
        library.add(documents);
        let Some(dir) = dir else {
            return Ok(library);
        };
        let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read --templates {}: {e}", dir.display()))?;
        let mut files: Vec<_> = entries.filter_map(Result::ok).map(|entry| entry.path()).collect();
        files.sort();
        for file in files {
            let extension = file.extension().and_then(|e| e.to_str()).unwrap_or_default();
            if !file.is_file() || !["yaml", "yml", "json"].contains(&extension) {
                continue;
            }
            let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            library.add(&super::document::documents(&text).map_err(|e| format!("{}: {e}", file.display()))?);
        }
        Ok(library)
    }

    fn add(&mut self, documents: &[Value]) {
        for document in documents {
            let kind = document.get("kind").and_then(Value::as_str).unwrap_or_default();
            let name = document.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
            if matches!(kind, "WorkflowTemplate" | "ClusterWorkflowTemplate") && !name.is_empty() {
                self.specs.insert(name.to_owned(), document.get("spec").cloned().unwrap_or_else(|| json!({})));
            }
        }
    }

    /// WorkflowTemplate `name`: its name as kept here, and its spec.
    pub fn entry(&self, name: &str) -> Option<(&str, &Value)> {
        self.specs.get_key_value(name).map(|(name, spec)| (name.as_str(), spec))
    }

    fn template(&self, workflow_template: &str, template: &str) -> Option<&Value> {
        let templates = self.specs.get(workflow_template)?.get("templates")?.as_array()?;
        templates.iter().find(|t| t.get("name").and_then(Value::as_str) == Some(template))
    }
}

/// `spec` made self-contained (see the module's comment); the error is Argo's.
pub fn resolve(spec: &mut Value, library: &Library) -> Result<(), String> {
    if let Some(reference) = spec.get("workflowTemplateRef").cloned() {
        let name = reference.get("name").and_then(Value::as_str).unwrap_or_default();
        let Some(base) = library.specs.get(name) else {
            // The cluster's answer to a get of a missing one (context_test.go 249).
            return Err(format!("workflowtemplates.argoproj.io \"{name}\" not found"));
        };
        *spec = joined(base, spec);
    }
    let mut templates: Vec<Value> = spec.get("templates").and_then(Value::as_array).cloned().unwrap_or_default();
    // The WorkflowTemplate each imported template came from.
    let mut origins: BTreeMap<String, String> = BTreeMap::new();
    let mut names: BTreeSet<String> =
        templates.iter().filter_map(|t| t.get("name").and_then(Value::as_str)).map(str::to_owned).collect();
    let mut index = 0;
    while index < templates.len() {
        let template_name = templates[index].get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let origin = origins.get(&template_name).cloned();
        let mut imports = Vec::new();
        for (holder, place) in holders(&mut templates[index], &template_name) {
            let (workflow_template, template) = match (holder.get("templateRef"), &origin) {
                (Some(reference), _) => {
                    let text = |key: &str| reference.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
                    (text("name"), text("template"))
                }
                (None, Some(origin)) => match holder.get("template").and_then(Value::as_str) {
                    Some(template) => (origin.clone(), template.to_owned()),
                    None => continue,
                },
                (None, None) => continue,
            };
            let Some(found) = library.template(&workflow_template, &template) else {
                // validate.go 679, prefixed as 1093 and 1483 prefix it.
                return Err(format!("{place} template reference {workflow_template}.{template} not found"));
            };
            let imported = format!("{workflow_template}/{template}");
            if let Some(members) = holder.as_object_mut() {
                members.remove("templateRef");
                members.insert("template".into(), json!(imported));
            }
            if names.insert(imported.clone()) {
                let mut copy = found.clone();
                copy["name"] = json!(imported);
                origins.insert(imported, workflow_template);
                imports.push(copy);
            }
        }
        templates.extend(imports);
        index += 1;
    }
    spec["templates"] = Value::Array(templates);
    Ok(())
}

/// The steps and tasks of `template` (named `name`), each with where it is
/// as Argo's validation names it.
fn holders<'a>(template: &'a mut Value, name: &str) -> Vec<(&'a mut Value, String)> {
    let mut found = Vec::new();
    for (key, value) in template.as_object_mut().into_iter().flatten() {
        match key.as_str() {
            "steps" => {
                for (index, group) in value.as_array_mut().into_iter().flatten().enumerate() {
                    for step in group.as_array_mut().into_iter().flatten() {
                        let step_name = step.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
                        found.push((step, format!("templates.{name}.steps[{index}].{step_name}")));
                    }
                }
            }
            "dag" => {
                for task in value.get_mut("tasks").and_then(Value::as_array_mut).into_iter().flatten() {
                    let task_name = task.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
                    found.push((task, format!("templates.{name}.tasks.{task_name}")));
                }
            }
            _ => {}
        }
    }
    found
}

/// A workflow's `spec` on top of its WorkflowTemplate's `base`: the
/// workflow's fields win, its argument parameters replace those of the same
/// name (Argo's `JoinWorkflowSpec`).
fn joined(base: &Value, spec: &Value) -> Value {
    let mut joined = base.clone();
    for (key, value) in spec.as_object().into_iter().flatten() {
        if key == "workflowTemplateRef" || key == "arguments" {
            continue;
        }
        joined[key] = value.clone();
    }
    for kind in ["parameters", "artifacts"] {
        let mine = spec.pointer(&format!("/arguments/{kind}")).and_then(Value::as_array).cloned().unwrap_or_default();
        if mine.is_empty() {
            continue;
        }
        if !joined.get("arguments").is_some_and(Value::is_object) {
            joined["arguments"] = json!({});
        }
        let mut list = joined["arguments"].get(kind).and_then(Value::as_array).cloned().unwrap_or_default();
        for item in mine {
            let name = item.get("name").cloned();
            match list.iter_mut().find(|existing| existing.get("name") == name.as_ref()) {
                Some(existing) => *existing = item,
                None => list.push(item),
            }
        }
        joined["arguments"][kind] = Value::Array(list);
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> Library {
        let text = r#"
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib}
spec:
  entrypoint: twice
  arguments: {parameters: [{name: who, value: lib}]}
  templates:
    - name: twice
      steps: [[{name: a, template: echo}], [{name: b, template: echo}]]
    - name: echo
      plugin: {wasm: {module: {oci: x}}}
"#;
        Library::load(&super::super::document::documents(text).unwrap(), None).unwrap()
    }

    #[test]
    fn a_reference_imports_the_template_and_what_it_names() {
        let mut spec = json!({"templates": [{"name": "main", "steps": [[{"name": "s", "templateRef": {"name": "lib", "template": "twice"}}]]}]});
        resolve(&mut spec, &library()).unwrap();
        let names: Vec<&str> =
            spec["templates"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["main", "lib/twice", "lib/echo"]);
        assert_eq!(spec["templates"][0]["steps"][0][0], json!({"name": "s", "template": "lib/twice"}));
        assert_eq!(spec["templates"][1]["steps"][1][0]["template"], "lib/echo");
    }

    #[test]
    fn a_missing_reference_is_argos_error() {
        // validate.go 679 and 1483.
        let mut spec = json!({"templates": [{"name": "main", "dag": {"tasks": [{"name": "t", "templateRef": {"name": "lib", "template": "nope"}}]}}]});
        assert_eq!(
            resolve(&mut spec, &library()).unwrap_err(),
            "templates.main.tasks.t template reference lib.nope not found"
        );
        let mut spec = json!({"workflowTemplateRef": {"name": "other"}});
        assert_eq!(resolve(&mut spec, &library()).unwrap_err(), "workflowtemplates.argoproj.io \"other\" not found");
    }

    #[test]
    fn a_workflow_template_ref_takes_the_templates_spec_under_the_workflows() {
        let mut spec = json!({"workflowTemplateRef": {"name": "lib"}, "arguments": {"parameters": [{"name": "who", "value": "me"}]}});
        resolve(&mut spec, &library()).unwrap();
        assert_eq!(spec["entrypoint"], "twice");
        assert_eq!(spec["arguments"]["parameters"], json!([{"name": "who", "value": "me"}]));
        assert!(spec.get("workflowTemplateRef").is_none());
        assert_eq!(spec["templates"].as_array().unwrap().len(), 2);
    }
}
