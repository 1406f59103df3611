//! Values written as Python's `str()` writes them, as Jinja2 prints them:
//! `None`, `True`, `1.5e+16`, `['a', 1]`, `{'k': None}`.

use std::fmt::Write;

use minijinja::Value;
use minijinja::value::ValueKind;

/// What `{{ value }}` prints in Jinja2 (before any escaping).
pub fn str_of(value: &Value) -> String {
    match value.kind() {
        ValueKind::String => value.as_str().unwrap_or_default().to_owned(),
        ValueKind::Undefined => String::new(),
        _ => repr_of(value),
    }
}

/// Python's `repr()`, which is also `str()` for everything but strings.
pub fn repr_of(value: &Value) -> String {
    match value.kind() {
        ValueKind::None => "None".to_owned(),
        ValueKind::Bool => if value.is_true() { "True" } else { "False" }.to_owned(),
        ValueKind::Number if !value.is_integer() => match f64::try_from(value.clone()) {
            Ok(float) => float_text(float),
            Err(_) => value.to_string(),
        },
        ValueKind::String => string_repr(value.as_str().unwrap_or_default()),
        ValueKind::Seq if !value.is_safe() => {
            let items: Vec<String> = value.try_iter().into_iter().flatten().map(|item| repr_of(&item)).collect();
            if value.is_tuple() {
                match items.len() {
                    1 => format!("({},)", items[0]),
                    _ => format!("({})", items.join(", ")),
                }
            } else {
                format!("[{}]", items.join(", "))
            }
        }
        ValueKind::Map if value.as_object().is_some_and(|o| o.repr() == minijinja::value::ObjectRepr::Map) => {
            let mut text = String::from("{");
            for (index, key) in value.try_iter().into_iter().flatten().enumerate() {
                let item = value.get_item(&key).unwrap_or_default();
                let _ = write!(text, "{}{}: {}", if index > 0 { ", " } else { "" }, repr_of(&key), repr_of(&item));
            }
            text.push('}');
            text
        }
        _ => value.to_string(),
    }
}

/// A float as Python's `repr()` writes it: the shortest digits that read
/// back the same, positional from 1e-4 up to 1e16, else with an exponent.
pub fn float_text(float: f64) -> String {
    if float.is_nan() {
        return "nan".to_owned();
    }
    if float.is_infinite() {
        return if float > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let sign = if float.is_sign_negative() { "-" } else { "" };
    if float == 0.0 {
        return format!("{sign}0.0");
    }
    let scientific = format!("{:e}", float.abs());
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} writes an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} writes an integer exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        if point <= 0 {
            format!("{sign}0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point as usize >= digits.len() {
            format!("{sign}{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (whole, fraction) = digits.split_at(point as usize);
            format!("{sign}{whole}.{fraction}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        format!("{sign}{first}{point}e{}{:02}", if exponent < 0 { '-' } else { '+' }, exponent.abs())
    }
}

/// A string as Python's `repr()` quotes it.
fn string_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// HTML escaping as Jinja2's MarkupSafe does it.
pub fn html_escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_python_writes_them() {
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.25e-7, "1.25e-07"),
            (1e100, "1e+100"),
            (-0.0, "-0.0"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (float, text) in cases {
            assert_eq!(float_text(float), text, "{float}");
        }
    }

    #[test]
    fn containers_are_written_as_python_repr() {
        let list = Value::from(vec![Value::from("it's"), Value::from(()), Value::from(true), Value::from(1.5)]);
        assert_eq!(str_of(&list), "[\"it's\", None, True, 1.5]");
        assert_eq!(str_of(&Value::from("a\nb")), "a\nb");
        assert_eq!(string_repr("a\n'\"\\"), "'a\\n\\'\"\\\\'");
    }
}
