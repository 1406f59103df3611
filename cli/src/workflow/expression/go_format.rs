//! Go's ways of printing values, which users see in Argo's results: `%v`
//! (`fmt.Sprintf("%v")`, sprig's `toString`, expr's `string()`),
//! `encoding/json`'s `Marshal` (`toJson`, rendered `{{=…}}` results) and
//! `strconv.Quote` (`%q` in messages).

use std::fmt::Write;

use super::error::ExpressionError;
use super::value::GoValue;

/// The shortest decimal digits of `f` (no sign) and the exponent of the
/// first digit: 1234.5 gives ("12345", 3).
fn shortest_digits(f: f64) -> (String, i32) {
    let text = format!("{:e}", f.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exponent.parse().unwrap_or(0))
}

fn exponent_form(digits: &str, exponent: i32, json: bool) -> String {
    let mut out = String::new();
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    out.push(if exponent < 0 { '-' } else { '+' });
    let magnitude = exponent.unsigned_abs();
    if magnitude < 10 && !(json && exponent < 0) {
        out.push('0');
    }
    let _ = write!(out, "{magnitude}");
    out
}

fn decimal_form(digits: &str, exponent: i32) -> String {
    if exponent < 0 {
        let zeros = "0".repeat((-exponent - 1) as usize);
        return format!("0.{zeros}{digits}");
    }
    let integer_len = exponent as usize + 1;
    if digits.len() <= integer_len {
        format!("{digits}{}", "0".repeat(integer_len - digits.len()))
    } else {
        format!("{}.{}", &digits[..integer_len], &digits[integer_len..])
    }
}

fn special_float(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".into())
    } else if f.is_infinite() {
        Some(if f > 0.0 { "+Inf" } else { "-Inf" }.into())
    } else if f == 0.0 {
        Some(if f.is_sign_negative() { "-0" } else { "0" }.into())
    } else {
        None
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which `%v` prints: exponent form
/// when the exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`).
pub(crate) fn format_float_v(f: f64) -> String {
    if let Some(text) = special_float(f) {
        return text;
    }
    let (digits, exponent) = shortest_digits(f);
    let sign = if f < 0.0 { "-" } else { "" };
    let body = if !(-4..6).contains(&exponent) {
        exponent_form(&digits, exponent, false)
    } else {
        decimal_form(&digits, exponent)
    };
    format!("{sign}{body}")
}

/// A float as `encoding/json` writes it: plain decimals from 1e-6 up to
/// 1e21, exponent form outside (`1e+21`, `1e-7`).
fn json_float(f: f64) -> Result<String, ExpressionError> {
    if f.is_nan() || f.is_infinite() {
        return Err(ExpressionError::evaluation(format!("json: unsupported value: {}", format_float_v(f))));
    }
    if f == 0.0 {
        return Ok(if f.is_sign_negative() { "-0" } else { "0" }.into());
    }
    let (digits, exponent) = shortest_digits(f);
    let sign = if f < 0.0 { "-" } else { "" };
    let abs = f.abs();
    let body = if !(1e-6..1e21).contains(&abs) {
        exponent_form(&digits, exponent, true)
    } else {
        decimal_form(&digits, exponent)
    };
    Ok(format!("{sign}{body}"))
}

/// `fmt.Sprintf("%v", value)`.
pub(crate) fn format_v(value: &GoValue) -> String {
    let mut out = String::new();
    write_v(&mut out, value);
    out
}

fn write_v(out: &mut String, value: &GoValue) {
    match value {
        GoValue::Nil => out.push_str("<nil>"),
        GoValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        GoValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        GoValue::Float(f) => out.push_str(&format_float_v(*f)),
        GoValue::Str(s) => out.push_str(s),
        GoValue::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, item);
            }
            out.push(']');
        }
        GoValue::Map(map) => {
            out.push_str("map[");
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                write_v(out, item);
            }
            out.push(']');
        }
    }
}

/// `json.Marshal(value)`: keys sorted, no spaces, `<`, `>` and `&` escaped.
pub(crate) fn json_marshal(value: &GoValue) -> Result<String, ExpressionError> {
    let mut out = String::new();
    write_json(&mut out, value, None, 0)?;
    Ok(out)
}

/// `json.MarshalIndent(value, "", indent)`.
pub(crate) fn json_marshal_indent(value: &GoValue, indent: &str) -> Result<String, ExpressionError> {
    let mut out = String::new();
    write_json(&mut out, value, Some(indent), 0)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(indent) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(indent);
        }
    }
}

fn write_json(out: &mut String, value: &GoValue, indent: Option<&str>, depth: usize) -> Result<(), ExpressionError> {
    match value {
        GoValue::Nil => out.push_str("null"),
        GoValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        GoValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        GoValue::Float(f) => out.push_str(&json_float(*f)?),
        GoValue::Str(s) => write_json_string(out, s),
        GoValue::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_json(out, item, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push(']');
        }
        GoValue::Map(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_json_string(out, key);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, item, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
    Ok(())
}

fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `strconv.Quote(s)` (and `%q`): double quotes, Go escapes.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
