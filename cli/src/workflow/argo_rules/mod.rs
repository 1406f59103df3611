//! What Argo's validation rejects (`workflow/validate/validate.go` of Argo
//! v4.1), worded as Argo words it: the checks `argo submit`, the
//! controller and `argo lint` make before a workflow runs. `run` and
//! `lint` both ask [`workflow`] (or [`workflow_template`]); what merely
//! cannot run *here* is the other question (`super::validate`).
//!
//! Like Argo's, the walk starts at the entrypoint and follows each step
//! and task to its template (by name, `templateRef` into a
//! WorkflowTemplate, or `inline`), checks each template once, and then
//! every template of the spec; the first problem is the answer. Each
//! template is checked with the values Argo puts in first (`substitute`:
//! inputs, workflow parameters, placeholders for the rest), and every
//! `{{…}}` reference left must name something in scope, as Argo's
//! `resolveAllVariables` requires.
//!
//! Not ported: artifact path cleaning, podGC label selectors, cron
//! schedules beyond their field count, and the namespaces of templates.

mod arguments;
mod containers;
mod dag;
mod leaf;
mod names;
mod outputs;
mod resources;
mod steps;
mod substitute;
mod variables;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use self::arguments::Arguments;
use self::variables::Scope;
use super::template_refs::Library;

/// How strict the checks are (Argo's `validate.Opts`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `argo lint`: `spec.arguments` parameters may lack a value.
    pub lint: bool,
    /// A WorkflowTemplate checked on its own: its entrypoint gets made-up
    /// arguments, and `workflow.parameters.*` may come from a workflow.
    pub workflow_template: bool,
    /// No entrypoint to start from (a WorkflowTemplate without one).
    pub ignore_entrypoint: bool,
}

/// What a missing field reads as.
static NULL: Value = Value::Null;

/// The longest name of a Workflow or WorkflowTemplate (a Kubernetes label value).
const MAX_NAME: usize = 63;

/// Argo's `validate.Workflow`: the first reason Argo would reject the
/// Workflow `document`, whose `templateRef`s and `workflowTemplateRef`
/// name the WorkflowTemplates of `library`.
pub fn workflow(document: &Value, library: &Library, options: Options) -> Result<(), String> {
    let name = document.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    if name.len() > MAX_NAME {
        return Err(format!(
            "workflow name {name:?} must not be more than 63 characters long (currently {})",
            name.len()
        ));
    }
    Checker::new(library, options).workflow(document)
}

/// Argo's `validate.WorkflowTemplate` (and `ClusterWorkflowTemplate`): the
/// template's spec checked as a workflow's, its entrypoint optional.
pub fn workflow_template(document: &Value, library: &Library, lint: bool) -> Result<(), String> {
    let name = document.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    if name.len() > MAX_NAME {
        let kind = match document.get("kind").and_then(Value::as_str) {
            Some("ClusterWorkflowTemplate") => "cluster workflow template",
            _ => "workflow template",
        };
        return Err(format!(
            "{kind} name {name:?} must not be more than 63 characters long (currently {})",
            name.len()
        ));
    }
    let entrypoint = document.pointer("/spec/entrypoint").and_then(Value::as_str).unwrap_or_default();
    let options = Options { lint, workflow_template: true, ignore_entrypoint: entrypoint.is_empty() };
    // Only the metadata that becomes `workflow.labels.*` and `workflow.annotations.*` is kept (validate.go 399-406).
    let mut metadata = serde_json::Map::new();
    for key in ["labels", "annotations"] {
        if let Some(value) = document.pointer(&format!("/metadata/{key}")) {
            metadata.insert(key.into(), value.clone());
        }
    }
    let as_workflow = serde_json::json!({
        "kind": "Workflow",
        "metadata": metadata,
        "spec": document.get("spec").cloned().unwrap_or_else(|| serde_json::json!({})),
    });
    Checker::new(library, options).workflow(&as_workflow)
}

/// Where a template's own references are looked up: the workflow's spec,
/// or the WorkflowTemplate it came from (Argo's template base).
#[derive(Debug, Clone, Copy)]
struct Base<'a> {
    /// `""` for the workflow, else the WorkflowTemplate's name (the scope of Argo's results cache).
    scope: &'a str,
    /// The spec whose `templates` and `templateDefaults` apply.
    spec: &'a Value,
}

impl<'a> Base<'a> {
    fn template(&self, name: &str) -> Option<&'a Value> {
        self.spec
            .get("templates")
            .and_then(Value::as_array)
            .and_then(|templates| templates.iter().find(|t| t.get("name").and_then(Value::as_str) == Some(name)))
    }
}

/// A template a step, task or entrypoint resolved to, and the base it came from.
struct Resolved<'a> {
    template: Value,
    base: Base<'a>,
}

/// Argo's `templateValidationCtx`: what is global, and what was checked.
struct Checker<'a> {
    options: Options,
    library: &'a Library,
    /// The `workflow.*` names every template can use, with the magic ones.
    globals: BTreeSet<String>,
    /// Templates already checked, by base scope and name.
    checked: BTreeSet<(String, String)>,
    /// The values of the globals that have one (workflow parameters, priority).
    values: BTreeMap<String, String>,
    /// The placeholders for the values that cannot be known.
    placeholders: substitute::Placeholders,
}

impl<'a> Checker<'a> {
    fn new(library: &'a Library, options: Options) -> Checker<'a> {
        let globals = [
            "workflow.name",
            "workflow.namespace",
            "workflow.mainEntrypoint",
            "workflow.serviceAccountName",
            "workflow.uid",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        Checker {
            options,
            library,
            globals,
            checked: BTreeSet::new(),
            values: BTreeMap::new(),
            placeholders: substitute::Placeholders::default(),
        }
    }

    fn workflow(&mut self, document: &'a Value) -> Result<(), String> {
        let spec = document.get("spec").unwrap_or(&NULL);
        let mut entrypoint = text(spec, "entrypoint").to_owned();
        let reference = spec.get("workflowTemplateRef").filter(|r| !r.is_null());
        let referenced = match reference {
            Some(reference) => {
                // WorkflowTemplateRefFields (validate.go 382-387).
                if spec.get("templates").and_then(Value::as_array).is_some_and(|t| !t.is_empty()) {
                    return Err(
                        "Templates is invalid field in spec if workflow referred WorkflowTemplate reference".into()
                    );
                }
                let name = text(reference, "name");
                let library: &'a Library = self.library;
                let Some((_, base)) = library.entry(name) else {
                    // What the cluster answers for a missing one (templateresolution/context_test.go 249).
                    return Err(format!("workflowtemplates.argoproj.io \"{name}\" not found"));
                };
                if entrypoint.is_empty() {
                    entrypoint = text(base, "entrypoint").to_owned();
                }
                Some((name.to_owned(), base))
            }
            None => None,
        };
        let names = names::field_names(spec.get("templates"), names::Rule::Field);
        let mut arguments = spec.get("arguments").cloned().unwrap_or(Value::Null);
        if let Some((_, base)) = &referenced {
            arguments = arguments::merged(&arguments, base.get("arguments"));
        }
        if let Err(problem) = names {
            return Err(format!("spec.templates{problem}"));
        }
        let allow_empty = self.options.lint || self.options.workflow_template;
        arguments::check("spec.arguments.", &arguments, allow_empty)?;
        self.add_globals(document, spec, &arguments, referenced.as_ref().map(|(_, base)| *base));
        if !self.options.ignore_entrypoint && entrypoint.is_empty() {
            return Err("spec.entrypoint is required".into());
        }
        let workflow_base = Base { scope: "", spec };
        let to = |template: &str| match &referenced {
            Some((name, _)) => serde_json::json!({"templateRef": {"name": name, "template": template}}),
            None => serde_json::json!({"template": template}),
        };
        if !self.options.ignore_entrypoint {
            let given = if self.options.workflow_template { Arguments::Made } else { Arguments::Given(&arguments) };
            self.holder(&to(&entrypoint), workflow_base, given)?;
        }
        // The exit handler: the workflow's, else its WorkflowTemplate's (validate.go 296-333).
        let on_exit = match (text(spec, "onExit"), &referenced) {
            ("", Some((_, base))) => text(base, "onExit"),
            (on_exit, _) => on_exit,
        };
        if !on_exit.is_empty() {
            self.globals.insert("workflow.failures".into());
            let parametrized = |templates: Option<&Value>| {
                templates.and_then(Value::as_array).into_iter().flatten().any(|t| {
                    t.pointer("/outputs/artifacts")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|a| variables::is_parameter(text(a, "globalName")))
                })
            };
            if parametrized(spec.get("templates"))
                || referenced.as_ref().is_some_and(|(_, base)| parametrized(base.get("templates")))
            {
                self.globals.insert(variables::ANY_WORKFLOW_OUTPUT_ARTIFACT.into());
            }
            let own = spec.get("arguments").cloned().unwrap_or(Value::Null);
            self.holder(&to(on_exit), workflow_base, Arguments::Given(&own))?;
        }
        hooks("hooks", spec)?;
        resources::pod_resources("spec.podResources", spec.get("podResources"))?;
        let strategy = spec.pointer("/podGC/strategy").and_then(Value::as_str).unwrap_or_default();
        if !["", "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"].contains(&strategy) {
            return Err(format!("podGC.strategy unknown strategy '{strategy}'"));
        }
        // Every template, reached or not (validate.go 350-367).
        let all = match &referenced {
            Some((_, base)) => base.get("templates"),
            None => spec.get("templates"),
        };
        for template in all.and_then(Value::as_array).into_iter().flatten() {
            let name = text(template, "name");
            self.holder(&to(name), workflow_base, Arguments::Made).map_err(|e| format!("templates.{name} {e}"))?;
        }
        Ok(())
    }

    /// The `workflow.*` names: parameters, labels, annotations, status (validate.go 201-257).
    fn add_globals(&mut self, document: &Value, spec: &Value, arguments: &Value, referenced: Option<&Value>) {
        let parameters = arguments.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        if !parameters.is_empty() {
            self.globals.insert("workflow.parameters".into());
            self.globals.insert("workflow.parameters.json".into());
        }
        for parameter in &parameters {
            let name = text(parameter, "name");
            if !name.is_empty() {
                self.globals.insert(format!("workflow.parameters.{name}"));
                if let Some(value) = parameter.get("value").and_then(arguments::value_text) {
                    self.values.insert(format!("workflow.parameters.{name}"), value);
                }
            }
        }
        let keys = |value: Option<&Value>| -> Vec<String> {
            value.and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default()
        };
        let mut annotations = keys(document.pointer("/metadata/annotations"));
        let mut labels = keys(document.pointer("/metadata/labels"));
        for holder in [Some(spec), referenced].into_iter().flatten() {
            annotations.extend(keys(holder.pointer("/workflowMetadata/annotations")));
            labels.extend(keys(holder.pointer("/workflowMetadata/labels")));
            labels.extend(keys(holder.pointer("/workflowMetadata/labelsFrom")));
        }
        for key in annotations {
            self.globals.insert(format!("workflow.annotations.{key}"));
        }
        for key in labels {
            self.globals.insert(format!("workflow.labels.{key}"));
        }
        for name in ["workflow.annotations", "workflow.annotations.json", "workflow.labels", "workflow.labels.json"] {
            self.globals.insert(name.into());
        }
        if let Some(priority) = spec.get("priority").filter(|p| !p.is_null()) {
            self.globals.insert("workflow.priority".into());
            self.values.insert("workflow.priority".into(), priority.to_string());
        }
        self.globals.insert("workflow.status".into());
    }

    /// Argo's `validateTemplateHolder` (validate.go 641-698): the template
    /// `holder` (a step, a task, an entrypoint) names, checked with
    /// `arguments`; `None` when it cannot be known before the run.
    fn holder(&mut self, holder: &Value, base: Base<'a>, arguments: Arguments) -> Result<Option<Value>, String> {
        let Some(resolved) = self.resolve(holder, base)? else {
            return Ok(None);
        };
        if let Some(policy) = resolved.template.pointer("/retryStrategy/retryPolicy").and_then(Value::as_str)
            && !["", "Always", "OnError", "OnFailure", "OnTransientError"].contains(&policy)
        {
            return Err(format!("{policy} is not a valid RetryPolicy"));
        }
        self.template(&resolved.template, resolved.base, arguments)?;
        Ok(Some(resolved.template))
    }

    /// The template `holder` names, and its base; the error is Argo's.
    fn resolve(&mut self, holder: &Value, base: Base<'a>) -> Result<Option<Resolved<'a>>, String> {
        let name = text(holder, "template");
        let reference = holder.get("templateRef").filter(|r| !r.is_null());
        if let Some(reference) = reference {
            if !name.is_empty() {
                return Err("template name cannot be specified with templateRef".into());
            }
            if text(reference, "name").is_empty() {
                return Err("resource name is required".into());
            }
            if text(reference, "template").is_empty() {
                return Err("template name is required".into());
            }
            if variables::has_tags(&reference.to_string()) {
                // Resolved only when it runs (validate.go 655-658).
                return Ok(None);
            }
        } else if !name.is_empty() && base.template(name).is_none() {
            return Err(format!("template name '{name}' undefined"));
        }
        let (template, base) = if let Some(inline) = holder.get("inline").filter(|i| !i.is_null()) {
            (inline.clone(), base)
        } else if let Some(reference) = reference {
            let (workflow_template, wanted) = (text(reference, "name"), text(reference, "template"));
            let library: &'a Library = self.library;
            let found = library.entry(workflow_template).and_then(|(scope, spec)| {
                let base = Base { scope, spec };
                Some((base.template(wanted)?, base))
            });
            let Some((template, base)) = found else {
                if wanted.contains(substitute::PLACEHOLDER) {
                    // Named by a value known only when it runs (validate.go 674-677).
                    return Ok(None);
                }
                // A NotFound from the template's resolution (validate.go 670-681).
                return Err(format!("template reference {workflow_template}.{wanted} not found"));
            };
            (template.clone(), base)
        } else if !name.is_empty() {
            (base.template(name).cloned().unwrap_or(Value::Null), base)
        } else {
            return Err("failed to get a template".into());
        };
        if leaf::kind(&template).is_none() {
            return Err(format!("template '{}' type is unknown", text(&template, "name")));
        }
        Ok(Some(Resolved { template, base }))
    }

    /// Argo's `validateTemplate` (validate.go 480-620).
    fn template(&mut self, template: &Value, base: Base<'a>, arguments: Arguments) -> Result<(), String> {
        let name = text(template, "name");
        leaf::one_kind(template)?;
        let kind = leaf::kind(template).unwrap_or_default();
        if template.get("podResources").is_some_and(|r| !r.is_null()) && matches!(kind, "HTTP" | "Plugin") {
            return Err(format!("templates.{name}.podResources is not supported for {kind} templates"));
        }
        resources::pod_resources(&format!("templates.{name}.podResources"), template.get("podResources"))?;
        let mut scope = arguments::inputs_scope(template)?;
        for container in template.get("initContainers").and_then(Value::as_array).into_iter().flatten() {
            if text(container, "name").is_empty() {
                return Err("initContainers must all have container name".into());
            }
        }
        if leaf::is_pod(kind) {
            scope.insert("pod.name".into());
        }
        if template.get("retryStrategy").is_some_and(|r| !r.is_null()) {
            for key in ["retries", "lastRetry.exitCode", "lastRetry.status", "lastRetry.duration", "lastRetry.message"]
            {
                scope.insert(key.into());
            }
        }
        if leaf::is_leaf(kind) {
            for artifact in list(template.pointer("/outputs/artifacts")) {
                if !text(artifact, "path").is_empty() {
                    scope.insert(format!("outputs.artifacts.{}.path", text(artifact, "name")));
                }
            }
            for parameter in list(template.pointer("/outputs/parameters")) {
                if parameter.pointer("/valueFrom/path").and_then(Value::as_str).is_some_and(|p| !p.is_empty()) {
                    scope.insert(format!("outputs.parameters.{}.path", text(parameter, "name")));
                }
            }
        }
        arguments::supplied(template, arguments).map_err(|e| format!("templates.{name} {e}"))?;
        let mut locals: Vec<&str> = Vec::new();
        if leaf::is_pod(kind) {
            locals.push("pod.name");
        }
        if template.get("retryStrategy").is_some_and(|r| !r.is_null()) {
            locals.extend([
                "retries",
                "lastRetry.exitCode",
                "lastRetry.status",
                "lastRetry.duration",
                "lastRetry.message",
            ]);
        }
        let globals: BTreeMap<String, Option<String>> =
            self.globals.iter().map(|name| (name.clone(), self.values.get(name).cloned())).collect();
        let processed = substitute::substituted(template, arguments, &globals, &locals, &mut self.placeholders);
        let template = &processed;
        if list(template.get("resourceClaims")).next().is_some() && !leaf::is_pod(kind) {
            return Err(format!(
                "templates.{name}.resourceClaims is not supported for {kind} templates, which do not create a pod"
            ));
        }
        if template.get("timeout").and_then(Value::as_str).is_some_and(|t| !t.is_empty()) {
            let timeout = text(template, "timeout");
            if !leaf::is_leaf(kind) {
                return Err(format!("{kind} template doesn't support timeout field"));
            }
            if timeout.parse::<i64>().is_ok() {
                return Err(format!("{name} has invalid duration format in timeout"));
            }
        }
        if template.get("pendingTimeout").and_then(Value::as_str).is_some_and(|t| !t.is_empty()) && !leaf::is_leaf(kind)
        {
            return Err(format!("{kind} template doesn't support pendingTimeout field"));
        }
        if !self.checked.insert((base.scope.to_owned(), name.to_owned())) {
            return Ok(());
        }
        scope.extend(self.globals.iter().cloned());
        match kind {
            "Steps" => self.steps(&mut scope, base, template)?,
            "DAG" => self.dag(&mut scope, base, template)?,
            _ => leaf::check(&scope, &self.globals, base, template, self.options.workflow_template)?,
        }
        outputs::check(&scope, &self.globals, template, self.options.workflow_template)?;
        if let Some(location) = template.get("archiveLocation").filter(|l| !l.is_null()) {
            arguments::artifact_location(&format!("templates.{name}.archiveLocation"), location)?;
        }
        resources::metrics(template)
    }

    /// The checks of `{{…}}` references in `text` against `scopes` and the globals (Argo's `resolveAllVariables`).
    fn resolve_all(&self, scopes: &[&Scope], text: &str) -> Result<(), String> {
        let mut all = scopes.to_vec();
        all.push(&self.globals);
        variables::resolve_all(&all, text, self.options.workflow_template)
    }
}

/// Argo's `validateHooks`: each hook but `exit` needs an expression.
fn hooks(base: &str, holder: &Value) -> Result<(), String> {
    for (name, hook) in holder.get("hooks").and_then(Value::as_object).into_iter().flatten() {
        if name != "exit" && text(hook, "expression").is_empty() {
            return Err(format!("{base}.{name} Expression required"));
        }
    }
    Ok(())
}

/// `value[key]` as text, or `""`.
fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The items of the list at `value`, or none.
fn list(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value.and_then(Value::as_array).into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn documents(yaml: &str) -> Vec<Value> {
        super::super::document::documents(yaml).unwrap()
    }

    const LIBRARY: &str = "
kind: WorkflowTemplate
metadata: {name: lib}
spec:
  templates:
    - name: outer
      steps: [[{name: inner, template: inner}]]
    - name: inner
      inputs: {parameters: [{name: who}]}
      plugin: {wasm: {module: {oci: x}}}
";

    #[test]
    fn a_referenced_templates_own_references_are_resolved_in_its_workflow_template() {
        // `outer` names `inner` of its own WorkflowTemplate (templateresolution/context.go 281-291),
        // and the step passes no `who`, so the second check with its arguments fails (validate.go 1149-1153).
        let library = Library::load(&documents(LIBRARY), None).unwrap();
        let workflow = json!({"kind": "Workflow", "metadata": {"generateName": "w-"}, "spec": {
            "entrypoint": "main",
            "templates": [{"name": "main", "steps": [[{"name": "call", "templateRef": {"name": "lib", "template": "outer"}}]]}],
        }});
        assert_eq!(
            super::workflow(&workflow, &library, Options { lint: true, ..Options::default() }).unwrap_err(),
            "templates.main.steps[0].call templates.outer.steps[0].inner templates.inner inputs.parameters.who was not supplied"
        );
        // On its own the WorkflowTemplate has no entrypoint; every template is checked, and the
        // error of one is prefixed with its name (validate.go 362-366).
        assert_eq!(
            workflow_template(&documents(LIBRARY)[0], &library, true).unwrap_err(),
            "templates.outer templates.outer.steps[0].inner templates.inner inputs.parameters.who was not supplied"
        );
    }

    #[test]
    fn workflow_parameters_are_global_and_a_template_may_assume_them() {
        let library = Library::default();
        let echo = |args: &str| {
            json!({"kind": "Workflow", "metadata": {"name": "w"}, "spec": {
                "entrypoint": "say", "arguments": serde_json::from_str::<Value>(args).unwrap(),
                "templates": [{"name": "say", "container": {"image": "alpine", "args": ["{{workflow.parameters.who}}"]}}],
            }})
        };
        assert_eq!(
            super::workflow(&echo(r#"{"parameters": [{"name": "who", "value": "me"}]}"#), &library, Options::default()),
            Ok(())
        );
        assert_eq!(
            super::workflow(&echo("{}"), &library, Options::default()).unwrap_err(),
            "templates.say: failed to resolve {{workflow.parameters.who}}"
        );
        // validate.go 815-816: a WorkflowTemplate's parameters may come from the workflow that uses it.
        let template =
            json!({"kind": "WorkflowTemplate", "metadata": {"name": "t"}, "spec": echo("{}")["spec"].clone()});
        assert_eq!(workflow_template(&template, &library, true), Ok(()));
    }
}
