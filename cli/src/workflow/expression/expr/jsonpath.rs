//! Argo's `jsonpath(json, path)` (`util/expr/env/env.go`): the JSON text is
//! decoded as Go does (numbers are float64) and queried with
//! evilmonkeyinc/jsonpath's rules: `$`, `.key`, `['key']`, `[n]` (negative
//! from the end), `*`/`[*]`, unions `[0,1]` and `['a','b']`, ranges
//! `[start:end:step]`, `..key`, `.length`, and filters `[?(@.x op value)]`
//! with one comparison or an existence test. A single key or index gives a
//! value; a wildcard, union, range, filter or recursion gives a list, where
//! elements the rest of the path does not reach are left out. Errors are in
//! the library's words (`key: invalid token key 'x' not found`).

use super::super::error::ExpressionError;
use super::super::value::GoValue;
use super::operators::{self, invalid};

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(i64),
    Wildcard,
    Keys(Vec<String>),
    Indices(Vec<i64>),
    Range(Option<i64>, Option<i64>, Option<i64>),
    Recursive(Box<Step>),
    Length,
    Filter(Filter),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    path: Vec<String>,
    comparison: Option<(String, GoValue)>,
}

pub(super) fn query_text(document: &str, path: &str) -> Result<GoValue, ExpressionError> {
    let data = GoValue::parse_go_json(document).map_err(invalid)?;
    query(&data, path)
}

pub(super) fn query(data: &GoValue, path: &str) -> Result<GoValue, ExpressionError> {
    let steps = parse(path)?;
    apply(data, &steps)
}

fn parse_error(path: &str) -> ExpressionError {
    invalid(format!("invalid JSONPath selector '{path}'"))
}

fn parse(path: &str) -> Result<Vec<Step>, ExpressionError> {
    let path = path.trim();
    let Some(mut rest) = path.strip_prefix('$') else {
        return Err(invalid(format!(
            "invalid JSONPath selector '{path}': unexpected token, a selector starts with '$'"
        )));
    };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("..") {
            let (step, remaining) = if after.starts_with('[') { bracket(after, path)? } else { dotted(after) };
            steps.push(Step::Recursive(Box::new(step)));
            rest = remaining;
        } else if let Some(after) = rest.strip_prefix('.') {
            let (step, remaining) = dotted(after);
            if step == Step::Key(String::new()) {
                return Err(parse_error(path));
            }
            steps.push(step);
            rest = remaining;
        } else if rest.starts_with('[') {
            let (step, remaining) = bracket(rest, path)?;
            steps.push(step);
            rest = remaining;
        } else {
            return Err(parse_error(path));
        }
    }
    Ok(steps)
}

fn dotted(text: &str) -> (Step, &str) {
    let end = text.find(['.', '[']).unwrap_or(text.len());
    let name = &text[..end];
    let step = match name {
        "*" => Step::Wildcard,
        "length" => Step::Length,
        _ => Step::Key(name.to_string()),
    };
    (step, &text[end..])
}

fn bracket<'a>(text: &'a str, path: &str) -> Result<(Step, &'a str), ExpressionError> {
    // Find the closing bracket outside quotes.
    let mut quote: Option<char> = None;
    let mut depth = 0;
    let mut close = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ']') => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close.ok_or_else(|| parse_error(path))?;
    let inside = text[1..close].trim();
    let rest = &text[close + 1..];
    if inside == "*" {
        return Ok((Step::Wildcard, rest));
    }
    if let Some(filter) = inside.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        return Ok((Step::Filter(parse_filter(filter.trim(), path)?), rest));
    }
    if inside.starts_with('\'') || inside.starts_with('"') {
        let keys = split_top(inside)
            .iter()
            .map(|k| unquote(k.trim()).ok_or_else(|| parse_error(path)))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok((if keys.len() == 1 { Step::Key(keys[0].clone()) } else { Step::Keys(keys) }, rest));
    }
    if inside.contains(':') {
        let parts: Vec<&str> = inside.split(':').collect();
        if parts.len() > 3 {
            return Err(parse_error(path));
        }
        let number = |s: Option<&&str>| -> Result<Option<i64>, ExpressionError> {
            match s.map(|s| s.trim()) {
                None | Some("") => Ok(None),
                Some(n) => n.parse().map(Some).map_err(|_| parse_error(path)),
            }
        };
        return Ok((Step::Range(number(parts.first())?, number(parts.get(1))?, number(parts.get(2))?), rest));
    }
    let indices = inside
        .split(',')
        .map(|n| n.trim().parse::<i64>().map_err(|_| parse_error(path)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((if indices.len() == 1 { Step::Index(indices[0]) } else { Step::Indices(indices) }, rest))
}

fn split_top(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some(_), '\\') => {
                current.push(c);
                escaped = true;
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (None, ',') => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
}

fn unquote(text: &str) -> Option<String> {
    let quote = text.chars().next()?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next()?);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn parse_filter(text: &str, path: &str) -> Result<Filter, ExpressionError> {
    let operators = ["==", "!=", "<=", ">=", "<", ">"];
    let (left, comparison) = match operators
        .iter()
        .filter_map(|op| text.find(op).map(|at| (at, *op)))
        .min_by_key(|(at, op)| (*at, std::cmp::Reverse(op.len())))
    {
        Some((at, op)) => {
            let literal = text[at + op.len()..].trim();
            let value = if let Some(s) = unquote(literal) {
                GoValue::Str(s)
            } else if literal == "true" || literal == "false" {
                GoValue::Bool(literal == "true")
            } else if literal == "null" || literal == "nil" {
                GoValue::Nil
            } else {
                GoValue::Float(literal.parse().map_err(|_| parse_error(path))?)
            };
            (text[..at].trim(), Some((op.to_string(), value)))
        }
        None => (text, None),
    };
    let member = left.strip_prefix('@').ok_or_else(|| parse_error(path))?;
    let path_parts = member.split('.').filter(|p| !p.is_empty()).map(str::to_string).collect();
    Ok(Filter { path: path_parts, comparison })
}

fn kind(value: &GoValue) -> &'static str {
    match value {
        GoValue::Nil => "nil",
        GoValue::Bool(_) => "bool",
        GoValue::Int(_) => "int",
        GoValue::Float(_) => "float64",
        GoValue::Str(_) => "string",
        GoValue::List(_) => "slice",
        GoValue::Map(_) => "map",
    }
}

fn apply(current: &GoValue, steps: &[Step]) -> Result<GoValue, ExpressionError> {
    let Some((step, next)) = steps.split_first() else {
        return Ok(current.clone());
    };
    let many = |items: Vec<GoValue>| -> GoValue {
        GoValue::List(items.iter().filter_map(|item| apply(item, next).ok()).filter(|v| *v != GoValue::Nil).collect())
    };
    match step {
        Step::Key(key) => match current {
            GoValue::Map(map) => match map.get(key) {
                Some(value) => apply(value, next),
                None => Err(invalid(format!("key: invalid token key '{key}' not found"))),
            },
            GoValue::Nil => Err(invalid("key: invalid token target. expected [map] got [nil]".into())),
            other => Err(invalid(format!("key: invalid token target. expected [map] got [{}]", kind(other)))),
        },
        Step::Index(index) => match current {
            GoValue::List(items) => {
                let len = items.len() as i64;
                let i = if *index < 0 { len + index } else { *index };
                if i < 0 || i >= len {
                    return Err(invalid("index: invalid token out of range".into()));
                }
                apply(&items[i as usize], next)
            }
            other => Err(invalid(format!("index: invalid token target. expected [array slice] got [{}]", kind(other)))),
        },
        Step::Length => match current {
            GoValue::Map(map) if map.contains_key("length") => apply(&map["length"], next),
            GoValue::List(items) => apply(&GoValue::Int(items.len() as i64), next),
            GoValue::Map(map) => apply(&GoValue::Int(map.len() as i64), next),
            GoValue::Str(s) => apply(&GoValue::Int(s.len() as i64), next),
            other => Err(invalid(format!(
                "length: invalid token target. expected [array map slice string] got [{}]",
                kind(other)
            ))),
        },
        Step::Wildcard => match current {
            GoValue::List(items) => Ok(many(items.clone())),
            GoValue::Map(map) => Ok(many(map.values().cloned().collect())),
            other => Err(invalid(format!(
                "wildcard: invalid token target. expected [array map slice] got [{}]",
                kind(other)
            ))),
        },
        Step::Keys(keys) => match current {
            GoValue::Map(map) => {
                let mut items = Vec::new();
                for key in keys {
                    match map.get(key) {
                        Some(value) => items.push(value.clone()),
                        None => {
                            return Err(invalid(format!("union: invalid token key '{key}' not found")));
                        }
                    }
                }
                Ok(many(items))
            }
            other => Err(invalid(format!("union: invalid token target. expected [map] got [{}]", kind(other)))),
        },
        Step::Indices(indices) => match current {
            GoValue::List(list) => {
                let len = list.len() as i64;
                let mut items = Vec::new();
                for index in indices {
                    let i = if *index < 0 { len + index } else { *index };
                    if i < 0 || i >= len {
                        return Err(invalid("union: invalid token out of range".into()));
                    }
                    items.push(list[i as usize].clone());
                }
                Ok(many(items))
            }
            other => Err(invalid(format!("union: invalid token target. expected [array slice] got [{}]", kind(other)))),
        },
        Step::Range(from, to, step) => match current {
            GoValue::List(list) => {
                let len = list.len() as i64;
                let resolve = |n: i64| if n < 0 { (len + n).max(0) } else { n.min(len) };
                let from = resolve(from.unwrap_or(0));
                let to = resolve(to.unwrap_or(len));
                let step = step.unwrap_or(1);
                if step == 0 {
                    return Err(invalid("range: invalid token argument. step cannot be 0".into()));
                }
                let mut items: Vec<GoValue> =
                    (from..to).step_by(step.unsigned_abs() as usize).map(|i| list[i as usize].clone()).collect();
                if step < 0 {
                    items.reverse();
                }
                Ok(many(items))
            }
            other => Err(invalid(format!("range: invalid token target. expected [array slice] got [{}]", kind(other)))),
        },
        Step::Filter(filter) => {
            let candidates = match current {
                GoValue::List(items) => items.clone(),
                GoValue::Map(map) => map.values().cloned().collect(),
                other => {
                    return Err(invalid(format!(
                        "filter: invalid token target. expected [array map slice] got [{}]",
                        kind(other)
                    )));
                }
            };
            let kept = candidates.into_iter().filter(|item| filter_matches(filter, item)).collect();
            Ok(many(kept))
        }
        Step::Recursive(inner) => {
            let mut nodes = Vec::new();
            descendants(current, &mut nodes);
            let inner_step = [(**inner).clone()];
            let results = nodes.iter().filter_map(|node| apply(node, &inner_step).ok()).collect::<Vec<_>>();
            let flattened = if matches!(**inner, Step::Key(_) | Step::Index(_) | Step::Length) {
                results
            } else {
                results
                    .into_iter()
                    .flat_map(|r| match r {
                        GoValue::List(items) => items,
                        other => vec![other],
                    })
                    .collect()
            };
            Ok(GoValue::List(
                flattened.iter().filter_map(|item| apply(item, next).ok()).filter(|v| *v != GoValue::Nil).collect(),
            ))
        }
    }
}

fn descendants(value: &GoValue, out: &mut Vec<GoValue>) {
    out.push(value.clone());
    match value {
        GoValue::List(items) => items.iter().for_each(|item| descendants(item, out)),
        GoValue::Map(map) => map.values().for_each(|item| descendants(item, out)),
        _ => {}
    }
}

fn filter_matches(filter: &Filter, item: &GoValue) -> bool {
    let mut value = item.clone();
    for key in &filter.path {
        value = match value {
            GoValue::Map(map) => match map.get(key) {
                Some(v) => v.clone(),
                None => return false,
            },
            _ => return false,
        };
    }
    match &filter.comparison {
        None => !matches!(value, GoValue::Nil) && value != GoValue::Str(String::new()),
        Some((op, literal)) => match op.as_str() {
            "==" => operators::equal(&value, literal),
            "!=" => !operators::equal(&value, literal),
            op => operators::compare(op, &value, literal).unwrap_or(false),
        },
    }
}
