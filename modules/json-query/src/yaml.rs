//! YAML in and out (`input_format=yaml`, `output_format=yaml`).
//!
//! Reading: every document of a YAML stream is one input value (YAML 1.2's
//! core schema: `true`, `null`, `1`, `1.5`, `.inf` are what they look like,
//! `yes` is a string); mappings keep their key order; aliases are replaced
//! by what their anchor names; scalar keys become strings (`1:` is the
//! key `"1"`), as jq has only string keys.
//!
//! Writing: each output is one document, block style as kubectl and yq
//! write it (a sequence under a key indented by two), key order kept,
//! strings plain when YAML reads them back as the same string, otherwise
//! double-quoted (JSON's escapes are YAML's), and text of several lines as
//! a literal block (`|`).

use std::rc::Rc;

use yaml_rust2::{Yaml, YamlLoader};

use crate::map::Map;
use crate::value::Val;

/// Why a YAML text cannot be read, and where (1-based line and column).
#[derive(Debug)]
pub struct YamlError {
    pub reason: String,
    pub line: usize,
    pub column: usize,
}

/// The values of the documents of a YAML stream.
pub fn parse_all(text: &str) -> Result<Vec<Val>, YamlError> {
    let documents = YamlLoader::load_from_str(text).map_err(|e| YamlError {
        reason: e.info().to_owned(),
        line: e.marker().line(),
        column: e.marker().col() + 1,
    })?;
    documents.into_iter().map(to_val).collect::<Result<_, String>>().map_err(|reason| YamlError {
        reason,
        line: 0,
        column: 0,
    })
}

fn to_val(node: Yaml) -> Result<Val, String> {
    Ok(match node {
        Yaml::Null => Val::Null,
        Yaml::Boolean(b) => Val::Bool(b),
        Yaml::Integer(i) => number(&i.to_string()),
        Yaml::Real(text) => match crate::number::parse_literal(&text) {
            Some(v) => v,
            None => Val::Num(Yaml::Real(text).as_f64().unwrap_or(f64::NAN)),
        },
        Yaml::String(s) => Val::from(s),
        Yaml::Array(items) => Val::arr(items.into_iter().map(to_val).collect::<Result<_, _>>()?),
        Yaml::Hash(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (key, value) in entries {
                map.insert(key_text(key)?, to_val(value)?);
            }
            Val::obj(map)
        }
        Yaml::Alias(_) => return Err("an alias whose anchor is not defined before it".into()),
        Yaml::BadValue => return Err("a value that cannot be read".into()),
    })
}

fn number(text: &str) -> Val {
    crate::number::parse_literal(text).unwrap_or_else(|| Val::Num(text.parse().unwrap_or(f64::NAN)))
}

/// A mapping key as the string jq sees.
fn key_text(key: Yaml) -> Result<Rc<str>, String> {
    Ok(match key {
        Yaml::String(s) | Yaml::Real(s) => s.into(),
        Yaml::Integer(i) => i.to_string().into(),
        Yaml::Boolean(b) => b.to_string().into(),
        Yaml::Null => "null".into(),
        _ => return Err("a mapping key that is a sequence or a mapping (jq's keys are strings)".into()),
    })
}

/// Appends `value` as one YAML document (ending with a line break).
pub fn write_document(out: &mut String, value: &Val) {
    match value {
        Val::Arr(items) if !items.is_empty() => write_sequence(out, items, 0, false),
        Val::Obj(map) if !map.is_empty() => write_mapping(out, map, 0, false),
        scalar => {
            // A literal block's lines are indented, at the top level too.
            write_scalar(out, scalar, 2);
            out.push('\n');
        }
    }
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A block sequence at `level`; with `inline`, its first line goes where
/// the writer is (after a `- `).
fn write_sequence(out: &mut String, items: &[Val], level: usize, inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            indent(out, level);
        }
        out.push_str("- ");
        write_nested(out, item, level + 2, true);
    }
}

/// A block mapping at `level`; with `inline`, its first entry goes where
/// the writer is (after a `- `).
fn write_mapping(out: &mut String, map: &Map, level: usize, inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            indent(out, level);
        }
        write_string(out, key, level, true);
        out.push(':');
        match value {
            Val::Arr(items) if !items.is_empty() => {
                out.push('\n');
                write_sequence(out, items, level + 2, false);
            }
            Val::Obj(inner) if !inner.is_empty() => {
                out.push('\n');
                write_mapping(out, inner, level + 2, false);
            }
            scalar => {
                out.push(' ');
                write_scalar(out, scalar, level + 2);
                out.push('\n');
            }
        }
    }
}

/// An item of a sequence, after its `- `.
fn write_nested(out: &mut String, value: &Val, level: usize, inline: bool) {
    match value {
        Val::Arr(items) if !items.is_empty() => write_sequence(out, items, level, inline),
        Val::Obj(map) if !map.is_empty() => write_mapping(out, map, level, inline),
        scalar => {
            write_scalar(out, scalar, level);
            out.push('\n');
        }
    }
}

/// A scalar (or an empty `[]` / `{}`); a literal block's lines at `level`.
fn write_scalar(out: &mut String, value: &Val, level: usize) {
    match value {
        Val::Str(s) => write_string(out, s, level, false),
        Val::Arr(_) => out.push_str("[]"),
        Val::Obj(_) => out.push_str("{}"),
        // null, booleans and numbers: their JSON text is YAML's.
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(out: &mut String, s: &str, level: usize, key: bool) {
    if plain_is_safe(s) {
        out.push_str(s);
    } else if !key && literal_block_fits(s) {
        let body = s.trim_end_matches('\n');
        out.push_str(match s.len() - body.len() {
            0 => "|-",
            1 => "|",
            _ => "|+",
        });
        let blank_lines_at_end = (s.len() - body.len()).saturating_sub(1);
        for line in s[..body.len()].split('\n').chain(std::iter::repeat_n("", blank_lines_at_end)) {
            out.push('\n');
            if !line.is_empty() {
                indent(out, level);
                out.push_str(line);
            }
        }
    } else {
        out.push_str(&Val::str(s).to_string());
    }
}

/// Whether text of several lines can be a literal block: printable, and
/// its first line not starting with a space (which would need an
/// indentation indicator).
fn literal_block_fits(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && s.chars().all(|c| c == '\n' || (!c.is_control() && c != '\u{feff}'))
}

/// Whether `s` written as it is (plain) reads back as the same string,
/// for YAML 1.2 and for YAML 1.1 readers (`yes`, `on` are booleans there).
fn plain_is_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if "-?:,[]{}#&*!|>'\"%@` \t".contains(first) && !(first == '-' && s.len() > 1 && !s.starts_with("- ")) {
        return false;
    }
    if s.ends_with([' ', ':'])
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| c.is_control() || c == '\u{feff}' || c == '\u{85}' || c == '\u{2028}' || c == '\u{2029}')
    {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | ".inf" | "-.inf" | "+.inf" | ".nan"
    ) || lower.starts_with("---")
        || lower.starts_with("...")
    {
        return false;
    }
    // Anything that may read as a number, a date or a time stays quoted.
    let digits = s.trim_start_matches(['-', '+', '.']);
    !digits.starts_with(|c: char| c.is_ascii_digit())
}
