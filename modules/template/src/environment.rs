//! The Jinja environment: Jinja2's `Environment()` defaults (autoescape
//! off, no `trim_blocks`, no `lstrip_blocks`, the last line break dropped)
//! with the step's options, values printed as Python prints them, and the
//! step's input artifacts as the templates `include`, `import` and
//! `extends` can load, by name or by path.

use std::path::PathBuf;

use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior, Value, syntax::SyntaxConfig};
use wasm_workflows_sdk::prelude::*;

use crate::options::Options;
use crate::{jinja2_builtins, python_text};

/// An input artifact a template may load.
struct Loadable {
    name: String,
    path: String,
    file: PathBuf,
}

/// The environment the step's templates are rendered in.
pub fn build(invocation: &PluginInvocation, options: &Options) -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_debug(true);
    env.set_undefined_behavior(if options.strict { UndefinedBehavior::Strict } else { UndefinedBehavior::Lenient });
    let autoescape = if options.autoescape { AutoEscape::Html } else { AutoEscape::None };
    env.set_auto_escape_callback(move |_| autoescape.clone());
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(options.trim_blocks)
            .lstrip_blocks(options.lstrip_blocks)
            .keep_trailing_newline(options.keep_trailing_newline)
            .build()?,
    );
    env.set_formatter(print_as_python);
    // Jinja2's built-ins that minijinja keeps in its contrib crate, and its
    // escaping (MarkupSafe's entities rather than minijinja's).
    env.add_filter("filesizeformat", minijinja_contrib::filters::filesizeformat);
    env.add_filter("truncate", minijinja_contrib::filters::truncate);
    env.add_filter("striptags", minijinja_contrib::filters::striptags);
    env.add_filter("escape", escape);
    env.add_filter("e", escape);
    env.add_filter("string", |value: Value| python_text::str_of(&value));
    jinja2_builtins::register(&mut env);
    env.add_function("joiner", minijinja_contrib::globals::joiner);

    let mut loadable = Vec::new();
    for artifact in &invocation.artifacts {
        if let Some(input) = invocation.artifact_opt(&artifact.name)? {
            loadable.push(Loadable {
                name: artifact.name.clone(),
                path: artifact.path.clone(),
                file: input.file().to_owned(),
            });
        }
    }
    env.set_loader(move |name| load(&loadable, name));
    Ok(env)
}

/// The text of the input artifact named `name`, or whose path is `name`
/// (with or without its leading `/`).
fn load(loadable: &[Loadable], name: &str) -> Result<Option<String>, Error> {
    let wanted = name.trim_start_matches('/');
    let found = loadable
        .iter()
        .rev()
        .find(|a| a.name == name)
        .or_else(|| loadable.iter().rev().find(|a| a.path.trim_start_matches('/') == wanted));
    let Some(artifact) = found else { return Ok(None) };
    let bytes = std::fs::read(&artifact.file).map_err(|e| {
        Error::new(ErrorKind::InvalidOperation, format!("cannot read input artifact {:?}: {e}", artifact.name))
    })?;
    String::from_utf8(bytes).map(Some).map_err(|e| {
        Error::new(ErrorKind::InvalidOperation, format!("input artifact {:?} is not UTF-8 text ({e})", artifact.name))
    })
}

/// `{{ value }}`: Python's `str()` of the value, HTML-escaped where
/// autoescape is on and the value is not marked safe.
fn print_as_python(out: &mut minijinja::Output, state: &mut State, value: &Value) -> Result<(), Error> {
    // Strict mode has already refused an undefined value before this is called.
    let text = python_text::str_of(value);
    let written = if matches!(state.auto_escape(), AutoEscape::Html) && !value.is_safe() {
        let mut escaped = String::with_capacity(text.len());
        python_text::html_escape(&text, &mut escaped);
        out.write_str(&escaped)
    } else {
        out.write_str(&text)
    };
    written.map_err(|e| Error::new(ErrorKind::WriteFailure, "cannot write the output").with_source(e))
}

/// The `escape` (`e`) filter: MarkupSafe's entities, marked safe.
fn escape(value: &Value) -> Value {
    if value.is_safe() {
        return value.clone();
    }
    let mut escaped = String::new();
    python_text::html_escape(&python_text::str_of(value), &mut escaped);
    Value::from_safe_string(escaped)
}
