//! A render error as the node's message: which template, which line, what
//! went wrong, and for an undefined variable, the expression that was.

use minijinja::{Error, ErrorKind};

use crate::source::MAIN;

/// What a message says besides the error itself.
pub struct Circumstances<'a> {
    /// Where the main template came from (`parameter "template"`).
    pub main_described: &'a str,
    /// The input artifacts, for a template that was not found among them.
    pub artifacts: &'a [String],
    /// The variables a template (by name) uses that neither the context
    /// nor the template defines.
    pub undefined_in: &'a dyn Fn(&str) -> Vec<String>,
    /// What a render that used up its fuel is told.
    pub out_of_fuel: &'a str,
}

/// The message for `error`.
pub fn describe(error: &Error, circumstances: &Circumstances) -> String {
    let Circumstances { main_described, artifacts, undefined_in, out_of_fuel } = circumstances;
    // An error inside an included template comes wrapped in one that says
    // "error in ..."; the innermost says where and what.
    let mut error = error;
    while let Some(inner) = std::error::Error::source(error).and_then(|e| e.downcast_ref::<Error>()) {
        error = inner;
    }
    let place = match error.name() {
        None | Some(MAIN) => (*main_described).to_owned(),
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
        (ErrorKind::UndefinedError, Some(expression)) => {
            // The span is the operation that met the undefined value (a
            // filter's name, an attribute, a whole expression): name the
            // undefined variable itself when it is one in the expression
            // or, failing that, on the line.
            let line_text = error
                .template_source()
                .zip(error.line())
                .and_then(|(source, line)| source.lines().nth(line - 1))
                .unwrap_or_default();
            let undefined = undefined_in(error.name().unwrap_or(MAIN));
            let path = whole_path(line_text, expression);
            let named = [expression, line_text]
                .into_iter()
                .find_map(|text| undefined.iter().find(|name| mentions(text, name)))
                .map_or(path.as_str(), |name| name.as_str());
            format!(
                "{named:?} is undefined (an undefined variable fails the step; the parameter undefined=lenient \
                 renders it as nothing)"
            )
        }
        (ErrorKind::TemplateNotFound, _) => format!(
            "{}: templates are loaded from input artifacts, by name or path, and the step's are: {}",
            error.detail().unwrap_or("template not found"),
            if artifacts.is_empty() { "none".to_owned() } else { artifacts.join(", ") }
        ),
        (ErrorKind::OutOfFuel, _) => (*out_of_fuel).to_owned(),
        (kind, _) => match error.detail() {
            Some(detail) => format!("{kind}: {detail}"),
            None => kind.to_string(),
        },
    };
    format!("{place}: {what}")
}

/// Whether `text` has the identifier `name` (not as part of a longer one,
/// nor as an attribute after a dot).
fn mentions(text: &str, name: &str) -> bool {
    let identifier = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(|c| identifier(c) || c == '.') && !after.is_some_and(identifier)
    })
}

/// An attribute lookup's span (`.x.y`) with the variable it starts from
/// (`users.x.y`), read back from the line.
fn whole_path(line: &str, expression: &str) -> String {
    if !expression.starts_with(['.', '[']) {
        return expression.to_owned();
    }
    let Some(at) = line.find(expression) else { return expression.to_owned() };
    let start = line[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || "_.[]'\"".contains(*c))
        .last()
        .map_or(at, |(index, _)| index);
    line[start..at].to_owned() + expression
}
