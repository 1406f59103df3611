//! `sprig.*`: Masterminds/sprig v3.3's `GenericFuncMap`, which Argo puts in
//! the env as `sprig` (without `env` and `expandenv`). Arguments arrive as
//! expr passes them to a Go function: a parameter typed `string` or `int`
//! takes only that type (else Go's `reflect: Call using … as type …`),
//! `interface{}` parameters go through sprig's own conversions (`cast`'s
//! `ToInt64`: strings parsed with base prefixes, failures give 0). The
//! functions that read the clock, draw random numbers, touch the network or
//! make keys are not here; calling one is an error that names it.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::super::error::ExpressionError;
use super::super::go_format::{format_v, go_quote, json_marshal, json_marshal_indent};
use super::super::value::GoValue;
use super::builtins::{go_replace, go_split, parse_go_float};
use super::operators::{deep_equal, invalid};
use super::{compile_regex, exact};

/// Sprig functions this file does not implement (each exists in sprig).
const NOT_IMPLEMENTED: &[&str] = &[
    "hello",
    "ago",
    "date",
    "date_in_zone",
    "date_modify",
    "dateInZone",
    "dateModify",
    "duration",
    "durationRound",
    "htmlDate",
    "htmlDateInZone",
    "must_date_modify",
    "mustDateModify",
    "mustToDate",
    "now",
    "toDate",
    "unixEpoch",
    "abbrev",
    "abbrevboth",
    "initials",
    "randAlphaNum",
    "randAlpha",
    "randAscii",
    "randNumeric",
    "swapcase",
    "shuffle",
    "snakecase",
    "camelcase",
    "kebabcase",
    "wrap",
    "wrapWith",
    "plural",
    "sha1sum",
    "sha512sum",
    "adler32sum",
    "toDecimal",
    "randInt",
    "add1f",
    "addf",
    "subf",
    "divf",
    "mulf",
    "maxf",
    "minf",
    "deepCopy",
    "mustDeepCopy",
    "typeOf",
    "typeIs",
    "typeIsLike",
    "kindOf",
    "kindIs",
    "getHostByName",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "b32enc",
    "b32dec",
    "set",
    "unset",
    "pluck",
    "pick",
    "omit",
    "merge",
    "mergeOverwrite",
    "mustMerge",
    "mustMergeOverwrite",
    "slice",
    "mustSlice",
    "chunk",
    "mustChunk",
    "bcrypt",
    "htpasswd",
    "genPrivateKey",
    "derivePassword",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "decryptAES",
    "randBytes",
    "uuidv4",
    "semver",
    "semverCompare",
    "urlParse",
    "urlJoin",
    "mustRegexMatch",
    "mustRegexFindAll",
    "mustRegexFind",
    "mustRegexReplaceAll",
    "mustRegexReplaceAllLiteral",
    "mustRegexSplit",
    "mustToJson",
    "mustToPrettyJson",
    "mustToRawJson",
    "mustFromJson",
    "mustAppend",
    "mustPush",
    "mustPrepend",
    "mustFirst",
    "mustRest",
    "mustLast",
    "mustInitial",
    "mustReverse",
    "mustUniq",
    "mustWithout",
    "mustHas",
    "mustCompact",
];

/// A parameter of a Go function typed `string`.
fn string(value: &GoValue) -> Result<String, ExpressionError> {
    match value {
        GoValue::Str(s) => Ok(s.clone()),
        other => Err(reflect_mismatch(other, "string")),
    }
}

/// A parameter of a Go function typed `int`.
fn int(value: &GoValue) -> Result<i64, ExpressionError> {
    match value {
        GoValue::Int(i) => Ok(*i),
        other => Err(reflect_mismatch(other, "int")),
    }
}

fn reflect_mismatch(value: &GoValue, wanted: &str) -> ExpressionError {
    let given = match value {
        GoValue::Nil => "zero Value".to_string(),
        other => other.go_type().to_string(),
    };
    invalid(format!("reflect: Call using {given} as type {wanted}"))
}

/// sprig's `strval`: strings as they are, anything else with `%v`.
fn strval(value: &GoValue) -> String {
    match value {
        GoValue::Str(s) => s.clone(),
        other => format_v(other),
    }
}

/// `cast.ToInt64` (spf13/cast v1.7): what sprig's arithmetic does to any
/// argument; anything it cannot read is 0.
fn to_int64(value: &GoValue) -> i64 {
    match value {
        GoValue::Int(i) => *i,
        GoValue::Float(f) => *f as i64,
        GoValue::Bool(b) => i64::from(*b),
        GoValue::Str(s) => parse_int_base0(&trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`.
fn to_float64(value: &GoValue) -> f64 {
    match value {
        GoValue::Int(i) => *i as f64,
        GoValue::Float(f) => *f,
        GoValue::Bool(b) => f64::from(u8::from(*b)),
        GoValue::Str(s) => parse_go_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: `"5.0"` and `"5.00"` read as `"5"`.
fn trim_zero_decimal(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=bytes.len()).rev() {
        match bytes[i - 1] {
            b'.' if found_zero => return s[..i - 1].to_string(),
            b'.' => {}
            b'0' => found_zero = true,
            _ => return s.to_string(),
        }
    }
    s.to_string()
}

/// Go's `strconv.ParseInt(s, 0, 64)`: `0x`, `0o`, `0b` and leading-`0`
/// octal prefixes, underscores only after a prefix.
fn parse_int_base0(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    let digits = if prefixed { digits.replace('_', "") } else { digits };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = i128::from_str_radix(&digits, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// sprig's `empty`: nil, false, 0, "" and empty collections.
fn empty(value: &GoValue) -> bool {
    match value {
        GoValue::Nil => true,
        GoValue::Bool(b) => !b,
        GoValue::Int(i) => *i == 0,
        GoValue::Float(f) => *f == 0.0,
        GoValue::Str(s) => s.is_empty(),
        GoValue::List(items) => items.is_empty(),
        GoValue::Map(map) => map.is_empty(),
    }
}

fn list_arg(function: &str, value: &GoValue) -> Result<Vec<GoValue>, ExpressionError> {
    match value {
        GoValue::List(items) => Ok(items.clone()),
        other => Err(invalid(format!("Cannot {function} on type {}", other.go_type()))),
    }
}

/// sprig's `strslice`: the non-nil elements of a list as strings.
fn strslice(value: &GoValue) -> Vec<String> {
    match value {
        GoValue::List(items) => items.iter().filter(|v| **v != GoValue::Nil).map(strval).collect(),
        GoValue::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

fn strings_list(items: Vec<String>) -> GoValue {
    GoValue::List(items.into_iter().map(GoValue::Str).collect())
}

fn at_least(function: &str, args: &[GoValue], n: usize) -> Result<(), ExpressionError> {
    if args.len() < n {
        return Err(invalid(format!(
            "reflect: Call with too few input arguments (calling sprig.{function} with {}, expected at least {n})",
            args.len()
        )));
    }
    Ok(())
}

pub(super) fn call(function: &str, args: Vec<GoValue>) -> Result<GoValue, ExpressionError> {
    let name = format!("sprig.{function}");
    Ok(match function {
        "trim" | "upper" | "lower" | "title" | "untitle" | "nospace" | "b64enc" | "b64dec" | "sha256sum" | "base"
        | "dir" | "ext" | "clean" | "isAbs" | "atoi" | "fromJson" | "regexQuoteMeta" => {
            let [value] = exact::<1>(&name, args)?;
            unary_string(function, &string(&value)?)?
        }
        "trimAll" | "trimall" | "trimPrefix" | "trimSuffix" | "contains" | "hasPrefix" | "hasSuffix" | "splitList"
        | "split" | "regexMatch" | "regexFind" => {
            let [a, b] = exact::<2>(&name, args)?;
            let (a, b) = (string(&a)?, string(&b)?);
            match function {
                "trimAll" | "trimall" => GoValue::Str(b.trim_matches(|c| a.contains(c)).into()),
                "trimPrefix" => GoValue::Str(b.strip_prefix(a.as_str()).unwrap_or(&b).into()),
                "trimSuffix" => GoValue::Str(b.strip_suffix(a.as_str()).unwrap_or(&b).into()),
                "contains" => GoValue::Bool(b.contains(&a)),
                "hasPrefix" => GoValue::Bool(b.starts_with(&a)),
                "hasSuffix" => GoValue::Bool(b.ends_with(&a)),
                "splitList" => strings_list(go_split(&b, &a, -1, false)),
                "split" => GoValue::Map(
                    go_split(&b, &a, -1, false)
                        .into_iter()
                        .enumerate()
                        .map(|(i, part)| (format!("_{i}"), GoValue::Str(part)))
                        .collect(),
                ),
                "regexMatch" => GoValue::Bool(compile_regex(&a)?.is_match(&b)),
                _ => GoValue::Str(compile_regex(&a)?.find(&b).map(|m| m.as_str().to_string()).unwrap_or_default()),
            }
        }
        "replace" => {
            let [old, new, src] = exact::<3>(&name, args)?;
            GoValue::Str(go_replace(&string(&src)?, &string(&old)?, &string(&new)?, -1))
        }
        "regexReplaceAll" | "regexReplaceAllLiteral" => {
            let [regex, s, replacement] = exact::<3>(&name, args)?;
            let regex = compile_regex(&string(&regex)?)?;
            let (s, replacement) = (string(&s)?, string(&replacement)?);
            GoValue::Str(if function == "regexReplaceAll" {
                regex.replace_all(&s, replacement.as_str()).into_owned()
            } else {
                regex.replace_all(&s, regex::NoExpand(&replacement)).into_owned()
            })
        }
        "regexFindAll" | "regexSplit" => {
            let [regex, s, n] = exact::<3>(&name, args)?;
            let regex = compile_regex(&string(&regex)?)?;
            let (s, n) = (string(&s)?, int(&n)?);
            let limit = if n < 0 { usize::MAX } else { n as usize };
            if function == "regexFindAll" {
                strings_list(regex.find_iter(&s).take(limit).map(|m| m.as_str().to_string()).collect())
            } else if n == 0 {
                GoValue::List(Vec::new())
            } else {
                strings_list(regex.splitn(&s, limit).map(str::to_string).collect())
            }
        }
        "trunc" => {
            let [c, s] = exact::<2>(&name, args)?;
            let (c, s) = (int(&c)?, string(&s)?);
            let len = s.len() as i64;
            GoValue::Str(if c < 0 && len + c > 0 {
                byte_slice(&s, (len + c) as usize, s.len())
            } else if c >= 0 && len > c {
                byte_slice(&s, 0, c as usize)
            } else {
                s
            })
        }
        "substr" => {
            let [start, end, s] = exact::<3>(&name, args)?;
            let (start, end, s) = (int(&start)?, int(&end)?, string(&s)?);
            let len = s.len() as i64;
            let out = if start < 0 {
                if end < 0 || end > len {
                    return Err(invalid(format!(
                        "runtime error: slice bounds out of range [:{end}] with length {len}"
                    )));
                }
                byte_slice(&s, 0, end as usize)
            } else if end < 0 || end > len {
                if start > len {
                    return Err(invalid(format!("runtime error: slice bounds out of range [{start}:{len}]")));
                }
                byte_slice(&s, start as usize, s.len())
            } else {
                if start > end {
                    return Err(invalid(format!("runtime error: slice bounds out of range [{start}:{end}]")));
                }
                byte_slice(&s, start as usize, end as usize)
            };
            GoValue::Str(out)
        }
        "repeat" => {
            let [count, s] = exact::<2>(&name, args)?;
            let (count, s) = (int(&count)?, string(&s)?);
            if count < 0 {
                return Err(invalid("strings: negative Repeat count".into()));
            }
            GoValue::Str(s.repeat(count as usize))
        }
        "quote" | "squote" | "cat" => GoValue::Str(
            args.iter()
                .filter(|v| **v != GoValue::Nil)
                .map(|v| match function {
                    "quote" => go_quote(&strval(v)),
                    "squote" => format!("'{}'", format_v(v)),
                    _ => format_v(v),
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "indent" | "nindent" => {
            let [spaces, s] = exact::<2>(&name, args)?;
            let (spaces, s) = (int(&spaces)?, string(&s)?);
            let pad = " ".repeat(spaces.max(0) as usize);
            let indented = format!("{pad}{}", s.replace('\n', &format!("\n{pad}")));
            GoValue::Str(if function == "nindent" { format!("\n{indented}") } else { indented })
        }
        "toString" => {
            let [value] = exact::<1>(&name, args)?;
            GoValue::Str(strval(&value))
        }
        "int" | "int64" => {
            let [value] = exact::<1>(&name, args)?;
            GoValue::Int(to_int64(&value))
        }
        "float64" => {
            let [value] = exact::<1>(&name, args)?;
            GoValue::Float(to_float64(&value))
        }
        "add" => GoValue::Int(args.iter().map(to_int64).fold(0i64, i64::wrapping_add)),
        "add1" => {
            let [value] = exact::<1>(&name, args)?;
            GoValue::Int(to_int64(&value).wrapping_add(1))
        }
        "sub" | "div" | "mod" => {
            let [a, b] = exact::<2>(&name, args)?;
            let (a, b) = (to_int64(&a), to_int64(&b));
            if function != "sub" && b == 0 {
                return Err(invalid("runtime error: integer divide by zero".into()));
            }
            GoValue::Int(match function {
                "sub" => a.wrapping_sub(b),
                "div" => a.wrapping_div(b),
                _ => a.wrapping_rem(b),
            })
        }
        "mul" => {
            at_least(function, &args, 1)?;
            GoValue::Int(args.iter().skip(1).map(to_int64).fold(to_int64(&args[0]), i64::wrapping_mul))
        }
        "max" | "biggest" | "min" => {
            at_least(function, &args, 1)?;
            let values = args.iter().map(to_int64);
            GoValue::Int(if function == "min" { values.min().unwrap_or(0) } else { values.max().unwrap_or(0) })
        }
        "ceil" | "floor" | "round" => {
            let value = args.first().map(to_float64).unwrap_or(0.0);
            match function {
                "ceil" => GoValue::Float(value.ceil()),
                "floor" => GoValue::Float(value.floor()),
                _ => {
                    let [_, places] = exact::<2>(&name, args)?;
                    let places = int(&places)?;
                    let scale = 10f64.powi(places as i32);
                    GoValue::Float((value * scale).round() / scale)
                }
            }
        }
        "seq" => {
            let bounds: Vec<i64> = args.iter().map(int).collect::<Result<_, _>>()?;
            GoValue::Str(seq(&bounds))
        }
        "until" => {
            let [count] = exact::<1>(&name, args)?;
            let count = int(&count)?;
            let step = if count < 0 { -1 } else { 1 };
            until_step(0, count, step)
        }
        "untilStep" => {
            let [start, stop, step] = exact::<3>(&name, args)?;
            until_step(int(&start)?, int(&stop)?, int(&step)?)
        }
        "join" => {
            let [separator, list] = exact::<2>(&name, args)?;
            GoValue::Str(strslice(&list).join(&string(&separator)?))
        }
        "sortAlpha" => {
            let [list] = exact::<1>(&name, args)?;
            let mut items = strslice(&list);
            items.sort();
            strings_list(items)
        }
        "toStrings" => {
            let [list] = exact::<1>(&name, args)?;
            strings_list(strslice(&list))
        }
        "default" => {
            at_least(function, &args, 1)?;
            match args.get(1) {
                Some(given) if !empty(given) => given.clone(),
                _ => args[0].clone(),
            }
        }
        "empty" => {
            let [value] = exact::<1>(&name, args)?;
            GoValue::Bool(empty(&value))
        }
        "coalesce" => args.into_iter().find(|v| !empty(v)).unwrap_or(GoValue::Nil),
        "all" => GoValue::Bool(args.iter().all(|v| !empty(v))),
        "any" => GoValue::Bool(args.iter().any(|v| !empty(v))),
        "compact" => {
            let [list] = exact::<1>(&name, args)?;
            GoValue::List(list_arg("compact", &list)?.into_iter().filter(|v| !empty(v)).collect())
        }
        "ternary" => {
            let [if_true, if_false, condition] = exact::<3>(&name, args)?;
            match condition {
                GoValue::Bool(true) => if_true,
                GoValue::Bool(false) => if_false,
                other => return Err(reflect_mismatch(&other, "bool")),
            }
        }
        "toJson" | "toRawJson" => {
            let [value] = exact::<1>(&name, args)?;
            GoValue::Str(json_marshal(&value).unwrap_or_default())
        }
        "toPrettyJson" => {
            let [value] = exact::<1>(&name, args)?;
            GoValue::Str(json_marshal_indent(&value, "  ").unwrap_or_default())
        }
        "deepEqual" => {
            let [a, b] = exact::<2>(&name, args)?;
            GoValue::Bool(deep_equal(&a, &b))
        }
        "list" | "tuple" => GoValue::List(args),
        "dict" => {
            let mut map = BTreeMap::new();
            for pair in args.chunks(2) {
                let key = strval(&pair[0]);
                let value = pair.get(1).cloned().unwrap_or(GoValue::Str(String::new()));
                map.insert(key, value);
            }
            GoValue::Map(map)
        }
        "get" => {
            let [dict, key] = exact::<2>(&name, args)?;
            let key = string(&key)?;
            match dict {
                GoValue::Map(map) => map.get(&key).cloned().unwrap_or(GoValue::Str(String::new())),
                other => return Err(reflect_mismatch(&other, "map[string]interface {}")),
            }
        }
        "hasKey" => {
            let [dict, key] = exact::<2>(&name, args)?;
            let key = string(&key)?;
            match dict {
                GoValue::Map(map) => GoValue::Bool(map.contains_key(&key)),
                other => return Err(reflect_mismatch(&other, "map[string]interface {}")),
            }
        }
        "keys" => {
            let mut out = Vec::new();
            for dict in &args {
                match dict {
                    GoValue::Map(map) => out.extend(map.keys().cloned()),
                    other => return Err(reflect_mismatch(other, "map[string]interface {}")),
                }
            }
            strings_list(out)
        }
        "values" => {
            let [dict] = exact::<1>(&name, args)?;
            match dict {
                GoValue::Map(map) => GoValue::List(map.into_values().collect()),
                other => return Err(reflect_mismatch(&other, "map[string]interface {}")),
            }
        }
        "first" | "last" | "rest" | "initial" | "reverse" | "uniq" => {
            let [list] = exact::<1>(&name, args)?;
            let items = list_arg(function, &list)?;
            match function {
                "first" => items.first().cloned().unwrap_or(GoValue::Nil),
                "last" => items.last().cloned().unwrap_or(GoValue::Nil),
                "rest" if items.is_empty() => GoValue::Nil,
                "rest" => GoValue::List(items[1..].to_vec()),
                "initial" if items.is_empty() => GoValue::Nil,
                "initial" => GoValue::List(items[..items.len() - 1].to_vec()),
                "reverse" => GoValue::List(items.into_iter().rev().collect()),
                _ => {
                    let mut out: Vec<GoValue> = Vec::new();
                    for item in items {
                        if !out.iter().any(|seen| deep_equal(seen, &item)) {
                            out.push(item);
                        }
                    }
                    GoValue::List(out)
                }
            }
        }
        "append" | "push" | "prepend" => {
            let [list, value] = exact::<2>(&name, args)?;
            let mut items = list_arg(function, &list)?;
            if function == "prepend" {
                items.insert(0, value);
            } else {
                items.push(value);
            }
            GoValue::List(items)
        }
        "has" => {
            let [needle, haystack] = exact::<2>(&name, args)?;
            match haystack {
                GoValue::Nil => GoValue::Bool(false),
                other => GoValue::Bool(list_arg("has", &other)?.iter().any(|item| deep_equal(item, &needle))),
            }
        }
        "without" => {
            at_least(function, &args, 1)?;
            let items = list_arg("without", &args[0])?;
            GoValue::List(
                items.into_iter().filter(|item| !args[1..].iter().any(|omit| deep_equal(omit, item))).collect(),
            )
        }
        "concat" => {
            let mut out = Vec::new();
            for list in &args {
                out.extend(list_arg("concat", list)?);
            }
            GoValue::List(out)
        }
        "dig" => {
            // dig(key…, default, dict)
            at_least(function, &args, 3)?;
            let (dict, rest) = args.split_last().expect("three arguments");
            let (default, keys) = rest.split_last().expect("two arguments");
            let mut current = dict.clone();
            for key in keys {
                let key = string(key)?;
                let GoValue::Map(map) = &current else {
                    return Err(reflect_mismatch(&current, "map[string]interface {}"));
                };
                let next = match map.get(&key) {
                    Some(value) => value.clone(),
                    None => return Ok(default.clone()),
                };
                current = next;
            }
            current
        }
        "fail" => {
            let [message] = exact::<1>(&name, args)?;
            return Err(invalid(string(&message)?));
        }
        "env" | "expandenv" => {
            return Err(invalid(format!("invalid operation: cannot call nil (Argo removes {name} from sprig)")));
        }
        other if NOT_IMPLEMENTED.contains(&other) => {
            return Err(ExpressionError::unsupported(format!(
                "{name} is not supported by wasm-workflows' expression evaluator"
            )));
        }
        other => {
            return Err(invalid(format!("invalid operation: cannot call nil (sprig has no function {other})")));
        }
    })
}

fn unary_string(function: &str, s: &str) -> Result<GoValue, ExpressionError> {
    Ok(match function {
        "trim" => GoValue::Str(s.trim().into()),
        "upper" => GoValue::Str(s.to_uppercase()),
        "lower" => GoValue::Str(s.to_lowercase()),
        "title" => GoValue::Str(title(s)),
        "untitle" => GoValue::Str(untitle(s)),
        "nospace" => GoValue::Str(s.chars().filter(|c| !c.is_whitespace()).collect()),
        "b64enc" => GoValue::Str(STANDARD.encode(s)),
        "b64dec" => GoValue::Str(match STANDARD.decode(s) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => base64_error(s, &e),
        }),
        "sha256sum" => {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(s.as_bytes());
            GoValue::Str(digest.iter().map(|b| format!("{b:02x}")).collect())
        }
        "base" => GoValue::Str(path_base(s)),
        "dir" => GoValue::Str(path_dir(s)),
        "ext" => GoValue::Str(
            path_base_raw(s)
                .rfind('.')
                .map(|i| path_base_raw(s)[i..].to_string())
                .filter(|_| !s.ends_with('/'))
                .unwrap_or_default(),
        ),
        "clean" => GoValue::Str(path_clean(s)),
        "isAbs" => GoValue::Bool(s.starts_with('/')),
        "atoi" => {
            GoValue::Int(s.strip_prefix('+').unwrap_or(s).parse::<i64>().ok().filter(|_| !s.is_empty()).unwrap_or(0))
        }
        "fromJson" => GoValue::parse_go_json(s).unwrap_or(GoValue::Nil),
        _ => GoValue::Str(regex::escape(s)),
    })
}

/// Go's base64 error text, which sprig's `b64dec` returns as its result.
fn base64_error(s: &str, error: &base64::DecodeError) -> String {
    let offset = match error {
        base64::DecodeError::InvalidByte(offset, _) => *offset,
        base64::DecodeError::InvalidLastSymbol(offset, _) => *offset,
        _ => s.len() - s.len() % 4,
    };
    format!("illegal base64 data at input byte {offset}")
}

fn byte_slice(s: &str, from: usize, to: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[from..to]).into_owned()
}

/// `strings.Title`: the first letter of each word in upper case.
fn title(s: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in s.chars() {
        let starts_word = previous.is_none_or(|p| !(p.is_alphanumeric() || p == '_' || p == '\''));
        if starts_word {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

/// sprig's `untitle`: the first letter of each space-separated word lower.
fn untitle(s: &str) -> String {
    let mut out = String::new();
    let mut at_start = true;
    for c in s.chars() {
        if at_start {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        at_start = c.is_whitespace();
    }
    out
}

fn path_base_raw(s: &str) -> &str {
    let trimmed = s.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// `path.Base`.
fn path_base(s: &str) -> String {
    if s.is_empty() {
        return ".".into();
    }
    let trimmed = s.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    path_base_raw(s).to_string()
}

/// `path.Dir`.
fn path_dir(s: &str) -> String {
    let dir = match s.rfind('/') {
        Some(i) => &s[..=i],
        None => "",
    };
    path_clean(dir)
}

/// `path.Clean`.
fn path_clean(s: &str) -> String {
    if s.is_empty() {
        return ".".into();
    }
    let rooted = s.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in s.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// sprig's `seq`, like the Unix tool: `seq 3`, `seq 2 4`, `seq 1 2 7`.
fn seq(bounds: &[i64]) -> String {
    let (start, step, end) = match bounds {
        [end] => (1, 1, *end),
        [start, end] => (*start, if end >= start { 1 } else { -1 }, *end),
        [start, step, end] => (*start, *step, *end),
        _ => return String::new(),
    };
    if step == 0 || (step > 0 && start > end) || (step < 0 && start < end) {
        return String::new();
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i <= end) || (step < 0 && i >= end) {
        out.push(i.to_string());
        i += step;
    }
    out.join(" ")
}

/// sprig's `untilStep`: ints from `start` towards `stop` (exclusive).
fn until_step(start: i64, stop: i64, step: i64) -> GoValue {
    let mut out = Vec::new();
    if step == 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop) {
        return GoValue::List(out);
    }
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(GoValue::Int(i));
        i += step;
    }
    GoValue::List(out)
}
