//! A render error as the node's message: which template, which line, what
//! went wrong, and for an undefined variable, the expression that was.

use minijinja::{Error, ErrorKind};

use crate::source::MAIN;

/// The message for `error`. `main_described` says where the main template
/// came from (`parameter "template"`); `artifacts` lists the input
/// artifacts, for a template that was not found among them.
pub fn describe(error: &Error, main_described: &str, artifacts: &[String]) -> String {
    // An error inside an included template comes wrapped in one that says
    // "error in ..."; the innermost says where and what.
    let mut error = error;
    while let Some(inner) = std::error::Error::source(error).and_then(|e| e.downcast_ref::<Error>()) {
        error = inner;
    }
    let place = match error.name() {
        None | Some(MAIN) => main_described.to_owned(),
        Some(name) => format!("included template {name:?}"),
    };
    let place = match error.line() {
        Some(line) => format!("{place}, line {line}"),
        None => place,
    };
    let expression = error
        .template_source()
        .zip(error.range())
        .and_then(|(source, range)| source.get(range))
        .map(|text| text.trim())
        .filter(|text| !text.is_empty());
    let what = match (error.kind(), expression) {
        (ErrorKind::UndefinedError, Some(expression)) => format!(
            "{expression:?} is undefined (an undefined variable fails the step; the parameter undefined=lenient \
             renders it as nothing)"
        ),
        (ErrorKind::TemplateNotFound, _) => format!(
            "{}: templates are loaded from input artifacts, by name or path, and the step's are: {}",
            error.detail().unwrap_or("template not found"),
            if artifacts.is_empty() { "none".to_owned() } else { artifacts.join(", ") }
        ),
        (kind, _) => match error.detail() {
            Some(detail) => format!("{kind}: {detail}"),
            None => kind.to_string(),
        },
    };
    format!("{place}: {what}")
}
