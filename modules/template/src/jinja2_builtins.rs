//! Jinja2's built-in filters and functions where minijinja has none or
//! differs: `center`, `wordcount`, `int`, `float`, `truncate`, `urlencode`,
//! `xmlattr`, `forceescape`, `pprint` (Python's `repr`: `pformat` of a
//! value that fits on a line),
//! `tojson` (sorted keys, ASCII only, HTML-safe, as Jinja2 writes it), the
//! test `sequence` (true of strings and mappings too), the test `callable`,
//! `wordwrap` (Python's `textwrap`), `urlize`, `format` with `%r`, `cycler(*items)`,
//! and the string methods `ljust`, `rjust`, `center` and `zfill`; each
//! follows Jinja2's own definition.

use std::fmt::Write;

use minijinja::value::{Kwargs, Rest, ValueKind, ValueOrKwargs};
use minijinja::{Environment, Error, ErrorKind, State, Value};

use crate::python_text::{float_text, html_escape, repr_of, str_of};
use crate::{python_wrap, urlize};

/// Adds them to `env`.
pub fn register(env: &mut Environment<'static>) {
    env.add_filter("center", |value: Value, width: Option<usize>| {
        pad(&str_of(&value), width.unwrap_or(80), ' ', Side::Both)
    });
    env.add_filter("wordcount", |value: Value| word_count(&str_of(&value)));
    env.add_filter("int", int);
    env.add_filter("float", float);
    env.add_filter("truncate", truncate);
    env.add_filter("urlencode", urlencode);
    env.add_filter("tojson", tojson);
    env.add_filter("xmlattr", xmlattr);
    env.add_filter("forceescape", |value: Value| Value::from_safe_string(escaped(&str_of(&value))));
    env.add_filter("pprint", |value: Value| repr_of(&value));
    env.add_test("sequence", |value: Value| value.as_str().is_some() || value.len().is_some());
    env.add_test("callable", |value: Value| is_callable(&value));
    env.add_filter("wordwrap", wordwrap);
    env.add_filter("urlize", urlize);
    env.add_filter("format", format);
    env.add_function("cycler", |items: Rest<Value>| minijinja_contrib::globals::cycler(items.0));
    env.set_unknown_method_callback(string_methods);
}

/// A positional argument, else the keyword argument `name`, else `default`.
fn argument<T>(positional: Option<T>, kwargs: &Kwargs, name: &str, default: T) -> Result<T, Error>
where
    T: for<'a> minijinja::value::ArgType<'a, Output = T>,
{
    match positional {
        Some(value) => Ok(value),
        None => Ok(kwargs.get::<Option<T>>(name)?.unwrap_or(default)),
    }
}

#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
    Both,
}

/// Python's `str.ljust`/`rjust`/`center`: `text` padded with `fill` to `width` characters.
fn pad(text: &str, width: usize, fill: char, side: Side) -> String {
    let length = text.chars().count();
    if width <= length {
        return text.to_owned();
    }
    let margin = width - length;
    let left = match side {
        Side::Left => 0,
        Side::Right => margin,
        Side::Both => margin / 2 + (margin & width & 1),
    };
    let fill = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    format!("{}{text}{}", fill(left), fill(margin - left))
}

/// Jinja2's `wordcount`: runs of word characters (`\w+`).
fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        let word = c.is_alphanumeric() || c == '_';
        if word && !in_word {
            count += 1;
        }
        in_word = word;
    }
    count
}

/// Python's `int(text, base)` on a string.
fn parse_int(text: &str, base: u32) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let prefix = match base {
        16 => ["0x", "0X"],
        8 => ["0o", "0O"],
        2 => ["0b", "0B"],
        _ => ["", ""],
    };
    let digits = prefix.iter().filter(|p| !p.is_empty()).find_map(|p| digits.strip_prefix(p)).unwrap_or(digits);
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if !digits.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let value = i128::from_str_radix(&digits, base).ok()?;
    Some(if negative { -value } else { value })
}

/// Python's `float(text)` on a string.
fn parse_float(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() || text.contains("__") || text.starts_with('_') || text.ends_with('_') {
        return None;
    }
    text.replace('_', "").parse().ok()
}

/// Jinja2's `int(value, default=0, base=10)`.
fn int(value: Value, default: Option<Value>, base: Option<u32>, kwargs: Kwargs) -> Result<Value, Error> {
    let default = argument(default, &kwargs, "default", Value::from(0))?;
    let base = argument(base, &kwargs, "base", 10)?;
    kwargs.assert_all_used()?;
    let converted = match value.kind() {
        ValueKind::Bool => Some(Value::from(i64::from(value.is_true()))),
        ValueKind::Number if value.is_integer() => Some(value.clone()),
        ValueKind::Number => {
            f64::try_from(value.clone()).ok().filter(|f| f.is_finite()).map(|f| Value::from(f.trunc() as i128))
        }
        ValueKind::String => {
            let text = value.as_str().unwrap_or_default();
            parse_int(text, base)
                .map(Value::from)
                .or_else(|| parse_float(text).filter(|f| f.is_finite()).map(|f| Value::from(f.trunc() as i128)))
        }
        _ => None,
    };
    Ok(converted.unwrap_or(default))
}

/// Jinja2's `float(value, default=0.0)`.
fn float(value: Value, default: Option<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let default = argument(default, &kwargs, "default", Value::from(0.0))?;
    kwargs.assert_all_used()?;
    let converted = match value.kind() {
        ValueKind::Bool => Some(if value.is_true() { 1.0 } else { 0.0 }),
        ValueKind::Number => f64::try_from(value.clone()).ok(),
        ValueKind::String => parse_float(value.as_str().unwrap_or_default()),
        _ => None,
    };
    Ok(converted.map(Value::from).unwrap_or(default))
}

/// Jinja2's `truncate(s, length=255, killwords=False, end='...', leeway=5)`.
fn truncate(
    value: Value,
    length: Option<usize>,
    killwords: Option<bool>,
    end: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let length = argument(length, &kwargs, "length", 255)?;
    let killwords = argument(killwords, &kwargs, "killwords", false)?;
    let end = argument(end, &kwargs, "end", "...".to_owned())?;
    // (minijinja passes at most five arguments: leeway is a keyword only)
    let leeway = argument(None, &kwargs, "leeway", 5)?;
    kwargs.assert_all_used()?;
    let text = str_of(&value);
    let end_length = end.chars().count();
    if length < end_length {
        return Err(Error::new(ErrorKind::InvalidOperation, format!("expected length >= {end_length}, got {length}")));
    }
    if text.chars().count() <= length + leeway {
        return Ok(text);
    }
    let kept: String = text.chars().take(length - end_length).collect();
    if killwords {
        return Ok(kept + &end);
    }
    let kept = match kept.rfind(' ') {
        Some(space) => &kept[..space],
        None => &kept,
    };
    Ok(format!("{kept}{end}"))
}

/// Python's `urllib.parse.quote` of UTF-8 bytes, keeping `safe` as is;
/// for a query string (`for_qs`) spaces become `+`, as Jinja2's `url_quote`.
fn url_quote(text: &str, for_qs: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => out.push(byte as char),
            b'/' if !for_qs => out.push('/'),
            b' ' if for_qs => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// Jinja2's `urlencode`: a string (or any non-iterable) quoted, `/` kept;
/// a mapping or a sequence of pairs as a query string.
fn urlencode(value: Value) -> Result<String, Error> {
    let pairs: Vec<(Value, Value)> = match value.kind() {
        ValueKind::String | ValueKind::Number | ValueKind::Bool | ValueKind::None | ValueKind::Undefined => {
            return Ok(url_quote(&str_of(&value), false));
        }
        ValueKind::Map => {
            value.try_iter()?.map(|key| (key.clone(), value.get_item(&key).unwrap_or_default())).collect()
        }
        _ => value
            .try_iter()?
            .map(|pair| Ok((pair.get_item_by_index(0)?, pair.get_item_by_index(1)?)))
            .collect::<Result<_, Error>>()?,
    };
    Ok(pairs
        .iter()
        .map(|(key, value)| format!("{}={}", url_quote(&str_of(key), true), url_quote(&str_of(value), true)))
        .collect::<Vec<_>>()
        .join("&"))
}

/// MarkupSafe's escaping of `text`.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    html_escape(text, &mut out);
    out
}

/// Jinja2's `xmlattr(autospace=True)`: ` key="value"` for each item whose
/// value is neither none nor undefined, both escaped.
fn xmlattr(state: &State, value: Value, autospace: Option<bool>) -> Result<Value, Error> {
    let mut items = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        if item.is_none() || item.is_undefined() {
            continue;
        }
        let name = str_of(&key);
        if name.chars().any(|c| c.is_ascii_whitespace() || "/>=".contains(c)) {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("invalid character in attribute name: {name:?}"),
            ));
        }
        items.push(format!("{}=\"{}\"", escaped(&name), escaped(&str_of(&item))));
    }
    let mut text = items.join(" ");
    if autospace.unwrap_or(true) && !text.is_empty() {
        text.insert(0, ' ');
    }
    Ok(match state.auto_escape() {
        minijinja::AutoEscape::None => Value::from(text),
        _ => Value::from_safe_string(text),
    })
}

/// Jinja2's `tojson(indent=None)`: Python's `json.dumps(sort_keys=True)`
/// with `<`, `>`, `&` and `'` escaped, marked safe.
fn tojson(value: Value, indent: Option<usize>, kwargs: Kwargs) -> Result<Value, Error> {
    let indent = argument(indent.map(Some), &kwargs, "indent", None)?;
    kwargs.assert_all_used()?;
    let mut out = String::new();
    write_json(&mut out, &value, indent, 0)?;
    Ok(Value::from_safe_string(out))
}

fn write_json(out: &mut String, value: &Value, indent: Option<usize>, depth: usize) -> Result<(), Error> {
    let newline = |out: &mut String, depth: usize| {
        if let Some(width) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(width * depth));
        }
    };
    let separator = if indent.is_some() { "," } else { ", " };
    match value.kind() {
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number if value.is_integer() => out.push_str(&value.to_string()),
        ValueKind::Number => {
            let float = f64::try_from(value.clone())?;
            out.push_str(&match float {
                f if f.is_nan() => "NaN".to_owned(),
                f if f.is_infinite() => if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned(),
                f => float_text(f),
            });
        }
        ValueKind::String => write_json_string(out, value.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<Value> = value.try_iter()?.collect();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                write_json(out, item, indent, depth + 1)?;
            }
            newline(out, depth);
            out.push(']');
        }
        ValueKind::Map => {
            let mut keys: Vec<Value> = value.try_iter()?.collect();
            if keys.iter().any(|key| key.kind() != ValueKind::String) {
                return Err(Error::new(ErrorKind::InvalidOperation, "tojson sorts keys, which must all be strings"));
            }
            keys.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            if keys.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (index, key) in keys.iter().enumerate() {
                if index > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                write_json_string(out, key.as_str().unwrap_or_default());
                out.push_str(": ");
                write_json(out, &value.get_item(key)?, indent, depth + 1)?;
            }
            newline(out, depth);
            out.push('}');
        }
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("tojson cannot write {} as JSON", value.kind()),
            ));
        }
    }
    Ok(())
}

/// A JSON string as Python's `json.dumps` writes it (ASCII only), with
/// Jinja2's HTML-safe escapes.
fn write_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\'' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `str.ljust`, `rjust`, `center` and `zfill`; every other
/// method as minijinja's Python compatibility gives it.
fn string_methods(state: &mut State, value: &Value, method: &str, args: &[Value]) -> Result<Value, Error> {
    if let (Some(text), "ljust" | "rjust" | "center" | "zfill") = (value.as_str(), method) {
        let (width, fill): (usize, Option<String>) = minijinja::value::from_args(args)?;
        let fill = match fill.as_deref().map(|f| (f.chars().next(), f.chars().count())) {
            None => ' ',
            Some((Some(c), 1)) => c,
            Some(_) => {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    "the fill character must be exactly one character",
                ));
            }
        };
        return Ok(Value::from(match method {
            "ljust" => pad(text, width, fill, Side::Left),
            "rjust" => pad(text, width, fill, Side::Right),
            "center" => pad(text, width, fill, Side::Both),
            _ => zfill(text, width),
        }));
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
}

/// Python's `str.zfill`: zeros after any sign, up to `width`.
fn zfill(text: &str, width: usize) -> String {
    let length = text.chars().count();
    if width <= length {
        return text.to_owned();
    }
    let zeros = "0".repeat(width - length);
    match text.chars().next() {
        Some(sign @ ('+' | '-')) => format!("{sign}{zeros}{}", &text[1..]),
        _ => format!("{zeros}{text}"),
    }
}

/// Python's `callable()`, as Jinja2's `callable` test: functions (and
/// `joiner`s), macros and loops can be called, as can an undefined value
/// (Jinja2's `Undefined` has `__call__`); a `cycler` and data cannot.
fn is_callable(value: &Value) -> bool {
    if value.is_undefined() {
        return true;
    }
    if value.as_object().is_none() {
        return false;
    }
    // minijinja's callable objects are not named outside it: known by how they print.
    let printed = value.to_string();
    match value.kind() {
        ValueKind::Plain => !printed.starts_with("Cycler {"),
        ValueKind::Map => printed.starts_with("<macro ") || printed.starts_with("<loop "),
        _ => false,
    }
}

/// Jinja2's `wordwrap(s, width=79, break_long_words=True, wrapstring=None,
/// break_on_hyphens=True)`: Python's `textwrap` (see [`python_wrap`]),
/// lines joined by a line feed (the environment's `newline_sequence`)
/// unless `wrapstring` says otherwise.
fn wordwrap(
    value: Value,
    width: Option<i64>,
    break_long_words: Option<bool>,
    wrapstring: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let width = argument(width, &kwargs, "width", 79)?;
    let break_long_words = argument(break_long_words, &kwargs, "break_long_words", true)?;
    let wrapstring = argument(wrapstring, &kwargs, "wrapstring", "\n".to_owned())?;
    // (minijinja passes at most five arguments: break_on_hyphens is a keyword only)
    let break_on_hyphens = argument(None, &kwargs, "break_on_hyphens", true)?;
    kwargs.assert_all_used()?;
    python_wrap::wordwrap(&str_of(&value), width, break_long_words, &wrapstring, break_on_hyphens)
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, format!("invalid width {width} (must be > 0)")))
}

/// Where the `%r` conversions of a printf-style format are, and the
/// argument each takes; `None` when there is none, or when the format maps
/// keys (`%(name)r`) or is malformed (minijinja's `format` then says why).
fn repr_conversions(format: &str) -> Option<Vec<(usize, usize)>> {
    let bytes = format.as_bytes();
    let mut found = Vec::new();
    let mut argument = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'%' {
            at += 1;
            continue;
        }
        at += 1;
        match bytes.get(at) {
            Some(b'%') => {
                at += 1;
                continue;
            }
            Some(b'(') | None => return None,
            _ => {}
        }
        while bytes.get(at).is_some_and(|b| b"#0- +".contains(b)) {
            at += 1;
        }
        for part in 0..2 {
            if part == 1 {
                if bytes.get(at) != Some(&b'.') {
                    break;
                }
                at += 1;
            }
            if bytes.get(at) == Some(&b'*') {
                argument += 1;
                at += 1;
            } else {
                while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                    at += 1;
                }
            }
        }
        while bytes.get(at).is_some_and(|b| b"hlL".contains(b)) {
            at += 1;
        }
        match bytes.get(at) {
            Some(b'r') => found.push((at, argument)),
            Some(_) => {}
            None => return None,
        }
        argument += 1;
        at += 1;
    }
    (!found.is_empty()).then_some(found)
}

/// Jinja2's `format` (Python's `%` on a string): minijinja's, given for
/// each `%r` the argument's Python `repr()` as `%s`.
fn format(state: &mut State, format: &Value, args: Rest<ValueOrKwargs>) -> Result<Value, Error> {
    let mut values = args.into_values();
    let conversions = match format.as_str() {
        Some(text) if !values.iter().any(Value::is_kwargs) => repr_conversions(text),
        _ => None,
    };
    let Some(conversions) = conversions else {
        return minijinja::filters::format(state, format, Rest(values.into_iter().map(ValueOrKwargs::from).collect()));
    };
    let mut text = format.as_str().unwrap_or_default().to_owned().into_bytes();
    for &(at, argument) in &conversions {
        text[at] = b's';
        if let Some(value) = values.get_mut(argument).filter(|v| !v.is_undefined()) {
            *value = Value::from(repr_of(value));
        }
    }
    let text = String::from_utf8(text).map_err(|_| Error::new(ErrorKind::InvalidOperation, "format is not UTF-8"))?;
    let rewritten = if format.is_safe() { Value::from_safe_string(text) } else { Value::from(text) };
    minijinja::filters::format(state, &rewritten, Rest(values.into_iter().map(ValueOrKwargs::from).collect()))
}

/// Jinja2's `urlize(value, trim_url_limit=None, nofollow=False,
/// target=None, rel=None, extra_schemes=None)` with its default policies
/// (`rel` always has `noopener`; no target, no extra schemes); marked safe
/// where autoescape is on.
fn urlize(
    state: &State,
    value: Value,
    trim_url_limit: Option<usize>,
    nofollow: Option<bool>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let trim_url_limit = match trim_url_limit {
        Some(limit) => Some(limit),
        None => kwargs.get::<Option<usize>>("trim_url_limit")?,
    };
    let nofollow = argument(nofollow, &kwargs, "nofollow", false)?;
    // (minijinja passes at most five arguments: these are keywords only)
    let target = kwargs.get::<Option<String>>("target")?.unwrap_or_default();
    let rel = kwargs.get::<Option<String>>("rel")?.unwrap_or_default();
    let extra_schemes = kwargs.get::<Option<Vec<String>>>("extra_schemes")?.unwrap_or_default();
    kwargs.assert_all_used()?;
    if let Some(bad) = extra_schemes.iter().find(|s| !urlize::valid_scheme(s)) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{} is not a valid URI scheme prefix.", repr_of(&Value::from(bad.as_str()))),
        ));
    }
    let mut parts: std::collections::BTreeSet<&str> = rel.split_whitespace().collect();
    if nofollow {
        parts.insert("nofollow");
    }
    parts.insert("noopener");
    let rel = format!(" rel=\"{}\"", escaped(&parts.into_iter().collect::<Vec<_>>().join(" ")));
    let target = if target.is_empty() { String::new() } else { format!(" target=\"{}\"", escaped(&target)) };
    let links = urlize::Links { trim_url_limit, rel: &rel, target: &target, extra_schemes: &extra_schemes };
    let text = urlize::urlize(&str_of(&value), &links);
    Ok(if matches!(state.auto_escape(), minijinja::AutoEscape::None) {
        Value::from(text)
    } else {
        Value::from_safe_string(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_pythons() {
        assert_eq!(pad("x", 9, ' ', Side::Both), "    x    ");
        assert_eq!(pad("ab", 5, '*', Side::Both), "**ab*");
        assert_eq!(pad("abc", 6, '*', Side::Both), "*abc**");
        assert_eq!(pad("ab", 5, '-', Side::Left), "ab---");
        assert_eq!(zfill("-42", 6), "-00042");
    }

    #[test]
    fn numbers_parse_as_python_parses_them() {
        assert_eq!(parse_int(" 42 ", 10), Some(42));
        assert_eq!(parse_int("1_000", 10), Some(1000));
        assert_eq!(parse_int("0x1f", 16), Some(31));
        assert_eq!(parse_int("3.7", 10), None);
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(word_count("the quick_brown fox!"), 3);
    }
}
