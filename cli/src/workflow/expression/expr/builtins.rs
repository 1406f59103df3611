//! expr's builtin functions that take plain values (`builtin/builtin.go`,
//! `builtin/lib.go` of v1.17): conversions (`int`, `float`, `string`),
//! strings, numbers, lists and maps, JSON and base64. The time functions
//! (`now`, `date`, `duration`, `timezone`) are refused by name: a workflow
//! run here should not depend on the clock.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::super::error::ExpressionError;
use super::super::go_format::{format_v, json_marshal_indent};
use super::super::value::GoValue;
use super::operators::{self, as_str, invalid, to_int};

fn arity(name: &str, args: &[GoValue], min: usize, max: usize) -> Result<(), ExpressionError> {
    if args.len() < min || args.len() > max {
        let expected = if min == max { format!("{min}") } else { format!("{min} or {max}") };
        return Err(invalid(format!(
            "invalid number of arguments for {name} (expected {expected}, got {})",
            args.len()
        )));
    }
    Ok(())
}

fn kind(value: &GoValue) -> &'static str {
    match value {
        GoValue::Nil => "invalid",
        GoValue::Bool(_) => "bool",
        GoValue::Int(_) => "int",
        GoValue::Float(_) => "float64",
        GoValue::Str(_) => "string",
        GoValue::List(_) => "slice",
        GoValue::Map(_) => "map",
    }
}

fn list<'a>(name: &str, value: &'a GoValue) -> Result<&'a Vec<GoValue>, ExpressionError> {
    match value {
        GoValue::List(items) => Ok(items),
        other => Err(invalid(format!("cannot {name} {}", kind(other)))),
    }
}

fn map<'a>(what: &str, value: &'a GoValue) -> Result<&'a BTreeMap<String, GoValue>, ExpressionError> {
    match value {
        GoValue::Map(map) => Ok(map),
        other => Err(invalid(format!("{what} {}", kind(other)))),
    }
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits.
fn atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Go's `strconv.ParseFloat(text, 64)`: decimal and hex floats, `inf`,
/// `nan`, underscores only between digits of prefixed forms.
pub(super) fn parse_go_float(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return lower.parse().ok();
    }
    if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-')) {
        return None;
    }
    lower.parse().ok()
}

pub(super) fn call(name: &str, args: &[GoValue]) -> Result<GoValue, ExpressionError> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(GoValue::Nil);
    let string_arg =
        |i: usize| -> Result<String, ExpressionError> { Ok(as_str(args.get(i).unwrap_or(&GoValue::Nil))?.to_string()) };
    Ok(match name {
        "len" => {
            arity(name, args, 1, 1)?;
            match &args[0] {
                GoValue::List(items) => GoValue::Int(items.len() as i64),
                GoValue::Map(map) => GoValue::Int(map.len() as i64),
                GoValue::Str(s) => GoValue::Int(s.chars().count() as i64),
                other => {
                    return Err(invalid(format!("invalid argument for len (type {})", other.go_type())));
                }
            }
        }
        "type" => {
            arity(name, args, 1, 1)?;
            GoValue::Str(
                match &args[0] {
                    GoValue::Nil => "nil",
                    GoValue::Bool(_) => "bool",
                    GoValue::Int(_) => "int",
                    GoValue::Float(_) => "float",
                    GoValue::Str(_) => "string",
                    GoValue::List(_) => "array",
                    GoValue::Map(_) => "map",
                }
                .into(),
            )
        }
        "abs" => {
            arity(name, args, 1, 1)?;
            match &args[0] {
                GoValue::Int(i) => GoValue::Int(i.wrapping_abs()),
                GoValue::Float(f) => GoValue::Float(f.abs()),
                other => {
                    return Err(invalid(format!("invalid argument for abs (type {})", other.go_type())));
                }
            }
        }
        "ceil" | "floor" | "round" => {
            arity(name, args, 1, 1)?;
            match &args[0] {
                GoValue::Int(i) => GoValue::Float(*i as f64),
                GoValue::Float(f) => GoValue::Float(match name {
                    "ceil" => f.ceil(),
                    "floor" => f.floor(),
                    _ => f.round(),
                }),
                other => {
                    return Err(invalid(format!("invalid argument for {name} (type {})", other.go_type())));
                }
            }
        }
        "int" => {
            arity(name, args, 1, 1)?;
            match &args[0] {
                GoValue::Int(i) => GoValue::Int(*i),
                GoValue::Float(f) => GoValue::Int(*f as i64),
                GoValue::Str(s) => {
                    GoValue::Int(atoi(s).ok_or_else(|| invalid(format!("invalid operation: int({s})")))?)
                }
                other => {
                    return Err(invalid(format!("invalid operation: int({})", other.go_type())));
                }
            }
        }
        "float" => {
            arity(name, args, 1, 1)?;
            match &args[0] {
                GoValue::Int(i) => GoValue::Float(*i as f64),
                GoValue::Float(f) => GoValue::Float(*f),
                GoValue::Str(s) => {
                    GoValue::Float(parse_go_float(s).ok_or_else(|| invalid(format!("invalid operation: float({s})")))?)
                }
                other => {
                    return Err(invalid(format!("invalid operation: float({})", other.go_type())));
                }
            }
        }
        "string" => {
            arity(name, args, 1, 1)?;
            GoValue::Str(format_v(&args[0]))
        }
        "trim" => {
            arity(name, args, 1, 2)?;
            let s = string_arg(0)?;
            if args.len() == 1 {
                GoValue::Str(s.trim().to_string())
            } else {
                let cutset = string_arg(1)?;
                GoValue::Str(s.trim_matches(|c| cutset.contains(c)).to_string())
            }
        }
        "trimPrefix" | "trimSuffix" => {
            arity(name, args, 1, 2)?;
            let s = string_arg(0)?;
            let affix = if args.len() == 2 { string_arg(1)? } else { " ".into() };
            let trimmed =
                if name == "trimPrefix" { s.strip_prefix(affix.as_str()) } else { s.strip_suffix(affix.as_str()) };
            GoValue::Str(trimmed.unwrap_or(&s).to_string())
        }
        "upper" => GoValue::Str(string_arg(0)?.to_uppercase()),
        "lower" => GoValue::Str(string_arg(0)?.to_lowercase()),
        "split" | "splitAfter" => {
            arity(name, args, 2, 3)?;
            let (s, separator) = (string_arg(0)?, string_arg(1)?);
            let limit = if args.len() == 3 { to_int(&args[2])? } else { -1 };
            GoValue::List(go_split(&s, &separator, limit, name == "splitAfter").into_iter().map(GoValue::Str).collect())
        }
        "replace" => {
            arity(name, args, 3, 4)?;
            let (s, old, new) = (string_arg(0)?, string_arg(1)?, string_arg(2)?);
            let n = if args.len() == 4 { to_int(&args[3])? } else { -1 };
            GoValue::Str(go_replace(&s, &old, &new, n))
        }
        "repeat" => {
            arity(name, args, 2, 2)?;
            let (s, n) = (string_arg(0)?, to_int(&args[1])?);
            if n < 0 {
                return Err(invalid(format!("invalid argument for repeat (expected positive integer, got {n})")));
            }
            if n > 1_000_000 {
                return Err(invalid("memory budget exceeded".into()));
            }
            GoValue::Str(s.repeat(n as usize))
        }
        "join" => {
            arity(name, args, 1, 2)?;
            let glue = if args.len() == 2 { string_arg(1)? } else { String::new() };
            let GoValue::List(items) = &args[0] else {
                return Err(invalid(format!("invalid argument for join (type {})", args[0].go_type())));
            };
            let parts = items.iter().map(|item| as_str(item).map(str::to_string)).collect::<Result<Vec<_>, _>>()?;
            GoValue::Str(parts.join(glue.as_str()))
        }
        "indexOf" | "lastIndexOf" => {
            let (s, sub) = (string_arg(0)?, string_arg(1)?);
            let found = if name == "indexOf" { s.find(&sub) } else { s.rfind(&sub) };
            GoValue::Int(found.map_or(-1, |i| i as i64))
        }
        "hasPrefix" => GoValue::Bool(string_arg(0)?.starts_with(&string_arg(1)?)),
        "hasSuffix" => GoValue::Bool(string_arg(0)?.ends_with(&string_arg(1)?)),
        "max" | "min" => {
            let values = numbers(name, args)?;
            let mut best: Option<GoValue> = None;
            for value in values {
                best = Some(match best {
                    None => value,
                    Some(current) => {
                        let better = if name == "max" {
                            operators::compare(">", &value, &current)?
                        } else {
                            operators::compare("<", &value, &current)?
                        };
                        if better { value } else { current }
                    }
                });
            }
            best.unwrap_or(GoValue::Nil)
        }
        "mean" | "median" => {
            let mut values = numbers(name, args)?.iter().map(|v| v.as_f64().unwrap_or(0.0)).collect::<Vec<_>>();
            if values.is_empty() {
                return Ok(GoValue::Float(0.0));
            }
            if name == "mean" {
                GoValue::Float(values.iter().sum::<f64>() / values.len() as f64)
            } else {
                values.sort_by(f64::total_cmp);
                let n = values.len();
                GoValue::Float(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
            }
        }
        "toJSON" => GoValue::Str(json_marshal_indent(&arg(0), "  ")?),
        "fromJSON" => GoValue::parse_go_json(&string_arg(0)?).map_err(invalid)?,
        "toBase64" => GoValue::Str(STANDARD.encode(string_arg(0)?)),
        "fromBase64" => {
            let bytes = STANDARD.decode(string_arg(0)?).map_err(|e| invalid(format!("illegal base64 data: {e}")))?;
            GoValue::Str(String::from_utf8_lossy(&bytes).into_owned())
        }
        "first" | "last" => {
            arity(name, args, 1, 1)?;
            match &args[0] {
                GoValue::List(items) => {
                    let item = if name == "first" { items.first() } else { items.last() };
                    item.cloned().unwrap_or(GoValue::Nil)
                }
                _ => GoValue::Nil,
            }
        }
        "get" => {
            arity(name, args, 2, 2)?;
            match (&args[0], &args[1]) {
                (GoValue::Nil, _) => GoValue::Nil,
                (GoValue::Map(map), GoValue::Str(key)) => map.get(key).cloned().unwrap_or(GoValue::Nil),
                (GoValue::List(_) | GoValue::Str(_), key) if key.is_number() => {
                    operators::fetch(&args[0], key).unwrap_or(GoValue::Nil)
                }
                _ => GoValue::Nil,
            }
        }
        "take" => {
            arity(name, args, 2, 2)?;
            let items = list("take from", &args[0])?;
            let GoValue::Int(n) = args[1] else {
                return Err(invalid(format!("cannot take {} elements", kind(&args[1]))));
            };
            let n = n.clamp(0, items.len() as i64) as usize;
            GoValue::List(items[..n].to_vec())
        }
        "keys" | "values" | "toPairs" => {
            arity(name, args, 1, 1)?;
            let what = match name {
                "keys" => "cannot get keys from",
                "values" => "cannot get values from",
                _ => "cannot transform",
            };
            let entries = map(what, &args[0])?;
            GoValue::List(
                entries
                    .iter()
                    .map(|(k, v)| match name {
                        "keys" => GoValue::Str(k.clone()),
                        "values" => v.clone(),
                        _ => GoValue::List(vec![GoValue::Str(k.clone()), v.clone()]),
                    })
                    .collect(),
            )
        }
        "fromPairs" => {
            arity(name, args, 1, 1)?;
            let pairs = list("transform from pairs", &args[0])?;
            let mut out = BTreeMap::new();
            for pair in pairs {
                match pair {
                    GoValue::List(kv) if kv.len() == 2 => {
                        let key = match &kv[0] {
                            GoValue::Str(s) => s.clone(),
                            other => format_v(other),
                        };
                        out.insert(key, kv[1].clone());
                    }
                    GoValue::List(_) => {
                        return Err(invalid(format!("invalid pair length {}", format_v(pair))));
                    }
                    other => return Err(invalid(format!("invalid pair {}", format_v(other)))),
                }
            }
            GoValue::Map(out)
        }
        "reverse" => {
            arity(name, args, 1, 1)?;
            let mut items = list("reverse", &args[0])?.clone();
            items.reverse();
            GoValue::List(items)
        }
        "uniq" => {
            arity(name, args, 1, 1)?;
            let mut out: Vec<GoValue> = Vec::new();
            for item in list("uniq", &args[0])? {
                if !out.iter().any(|seen| operators::equal(item, seen)) {
                    out.push(item.clone());
                }
            }
            GoValue::List(out)
        }
        "concat" => {
            if args.is_empty() {
                return Err(invalid("invalid number of arguments (expected at least 1, got 0)".into()));
            }
            let mut out = Vec::new();
            for value in args {
                out.extend(list("concat", value)?.iter().cloned());
            }
            GoValue::List(out)
        }
        "flatten" => {
            arity(name, args, 1, 1)?;
            let mut out = Vec::new();
            flatten_into(list("flatten", &args[0])?, &mut out);
            GoValue::List(out)
        }
        "sort" => {
            arity(name, args, 1, 2)?;
            let descending = match args.get(1) {
                None => false,
                Some(GoValue::Str(order)) if order == "asc" => false,
                Some(GoValue::Str(order)) if order == "desc" => true,
                Some(GoValue::Str(order)) => {
                    return Err(invalid(format!("invalid order {order}, expected asc or desc")));
                }
                Some(other) => {
                    return Err(invalid(format!("sort order argument must be a string (got {})", other.go_type())));
                }
            };
            let items = list("sort", &args[0])?;
            let keyed = items.iter().map(|v| (v.clone(), v.clone())).collect();
            GoValue::List(sort_pairs(keyed, descending)?)
        }
        "count" => {
            arity(name, args, 1, 1)?;
            let mut n = 0;
            for item in list("count", &args[0])? {
                if operators::as_bool(item)? {
                    n += 1;
                }
            }
            GoValue::Int(n)
        }
        "sum" => {
            arity(name, args, 1, 1)?;
            let mut total = GoValue::Int(0);
            for item in list("sum", &args[0])? {
                total = operators::arithmetic("+", &total, item)?;
            }
            total
        }
        "bitand" | "bitor" | "bitxor" | "bitnand" | "bitshl" | "bitshr" | "bitushr" => {
            arity(name, args, 2, 2)?;
            let (GoValue::Int(x), GoValue::Int(y)) = (&args[0], &args[1]) else {
                return Err(invalid(format!(
                    "{} to call {name}",
                    match (&args[0], &args[1]) {
                        (GoValue::Int(_), other) | (other, _) =>
                            format!("cannot use {} as argument (type int)", other.go_type()),
                    }
                )));
            };
            let (x, y) = (*x, *y);
            if matches!(name, "bitshl" | "bitshr" | "bitushr") && y < 0 {
                return Err(invalid(format!("invalid operation: negative shift count {y} (type int)")));
            }
            let shift = y.min(63) as u32;
            GoValue::Int(match name {
                "bitand" => x & y,
                "bitor" => x | y,
                "bitxor" => x ^ y,
                "bitnand" => x & !y,
                "bitshl" => x.checked_shl(shift).unwrap_or(0),
                "bitshr" => x >> shift,
                _ => ((x as u64) >> shift) as i64,
            })
        }
        "bitnot" => {
            arity(name, args, 1, 1)?;
            let GoValue::Int(x) = args[0] else {
                return Err(invalid(format!("cannot use {} as argument (type int) to call bitnot", args[0].go_type())));
            };
            GoValue::Int(!x)
        }
        "now" | "duration" | "date" | "timezone" => {
            return Err(ExpressionError::unsupported(format!(
                "expr's time function {name}() is not supported by wasm-workflows"
            )));
        }
        other => {
            return Err(ExpressionError::unsupported(format!(
                "expr's builtin {other}() is not supported by wasm-workflows"
            )));
        }
    })
}

/// The numbers of `max`/`min`/`mean`/`median`: arguments, or the elements
/// of list arguments.
fn numbers(name: &str, args: &[GoValue]) -> Result<Vec<GoValue>, ExpressionError> {
    let mut out = Vec::new();
    for arg in args {
        match arg {
            GoValue::List(items) => out.extend(numbers(name, items)?),
            v if v.is_number() => out.push(v.clone()),
            other => {
                return Err(invalid(format!("invalid argument for {name} (type {})", other.go_type())));
            }
        }
    }
    Ok(out)
}

fn flatten_into(items: &[GoValue], out: &mut Vec<GoValue>) {
    for item in items {
        match item {
            GoValue::List(inner) => flatten_into(inner, out),
            other => out.push(other.clone()),
        }
    }
}

/// Sorts `(key, value)` pairs by key with expr's `<` (numbers or strings),
/// stable, and returns the values.
pub(super) fn sort_pairs(
    mut pairs: Vec<(GoValue, GoValue)>,
    descending: bool,
) -> Result<Vec<GoValue>, ExpressionError> {
    let mut failure = None;
    pairs.sort_by(|(a, _), (b, _)| {
        let less = operators::compare("<", a, b);
        let greater = operators::compare(">", a, b);
        match (less, greater) {
            (Ok(true), _) => std::cmp::Ordering::Less,
            (_, Ok(true)) => std::cmp::Ordering::Greater,
            (Err(e), _) | (_, Err(e)) => {
                failure.get_or_insert(e);
                std::cmp::Ordering::Equal
            }
            _ => std::cmp::Ordering::Equal,
        }
    });
    if let Some(error) = failure {
        return Err(error);
    }
    if descending {
        pairs.reverse();
    }
    Ok(pairs.into_iter().map(|(_, v)| v).collect())
}

/// Go's `strings.SplitN` / `SplitAfterN` (`limit` < 0: all).
pub(crate) fn go_split(s: &str, separator: &str, limit: i64, after: bool) -> Vec<String> {
    if limit == 0 {
        return Vec::new();
    }
    if separator.is_empty() {
        let chars: Vec<String> = s.chars().map(String::from).collect();
        if limit > 0 && chars.len() as i64 > limit {
            let mut out: Vec<String> = chars[..limit as usize - 1].to_vec();
            out.push(chars[limit as usize - 1..].concat());
            return out;
        }
        return chars;
    }
    let mut out = Vec::new();
    let mut rest = s;
    while limit < 0 || (out.len() as i64) < limit - 1 {
        let Some(at) = rest.find(separator) else {
            break;
        };
        let end = if after { at + separator.len() } else { at };
        out.push(rest[..end].to_string());
        rest = &rest[at + separator.len()..];
    }
    out.push(rest.to_string());
    out
}

/// Go's `strings.Replace` (`n` < 0: all).
pub(crate) fn go_replace(s: &str, old: &str, new: &str, n: i64) -> String {
    if n < 0 {
        if old.is_empty() {
            let mut out = String::from(new);
            for c in s.chars() {
                out.push(c);
                out.push_str(new);
            }
            return out;
        }
        return s.replace(old, new);
    }
    if old.is_empty() {
        let mut out = String::new();
        let mut done = 0;
        for c in s.chars() {
            if done < n {
                out.push_str(new);
                done += 1;
            }
            out.push(c);
        }
        if done < n {
            out.push_str(new);
        }
        return out;
    }
    s.replacen(old, new, n as usize)
}
