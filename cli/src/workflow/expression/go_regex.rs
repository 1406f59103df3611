//! Go's `regexp` (RE2 syntax) on Rust's `regex`, which shares the syntax
//! but reads `\d`, `\w` and `\s` as Unicode classes where Go means ASCII:
//! those are rewritten to Go's ASCII sets before compiling, and the common
//! syntax errors are reported in Go's words (`missing closing ]`).

use regex::Regex;

/// Go's `\d \w \s` (and negations) as explicit ASCII classes, valid inside
/// and outside a bracket expression (Rust's classes nest).
fn ascii_class(letter: char) -> Option<&'static str> {
    Some(match letter {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        's' => r"[\t\n\f\r ]",
        'S' => r"[^\t\n\f\r ]",
        _ => return None,
    })
}

fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(letter) => match ascii_class(letter) {
                Some(class) => out.push_str(class),
                None => {
                    out.push('\\');
                    out.push(letter);
                }
            },
            None => out.push('\\'),
        }
    }
    out
}

/// Go's name for a syntax error Rust's parser reports.
fn go_error_code(rust_message: &str) -> &'static str {
    let message = rust_message.to_ascii_lowercase();
    if message.contains("unclosed character class") {
        "missing closing ]"
    } else if message.contains("unclosed group") {
        "missing closing )"
    } else if message.contains("unopened group") {
        "unexpected )"
    } else if message.contains("repetition operator missing expression") {
        "missing argument to repetition operator"
    } else if message.contains("invalid character class range") {
        "invalid character class range"
    } else if message.contains("escape sequence") {
        "invalid escape sequence"
    } else if message.contains("repetition quantifier") || message.contains("counted repetition") {
        "invalid repeat count"
    } else {
        "invalid syntax"
    }
}

/// Compiles `pattern` as Go's `regexp.Compile` would accept it; the error
/// is Go's text (`error parsing regexp: missing closing ]: `[abc``).
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(&translate(pattern))
        .map_err(|error| format!("error parsing regexp: {}: `{pattern}`", go_error_code(&error.to_string())))
}
