//! A small JSON value with its parser and writer: the wire format of
//! `input.json` and `result.json`.
//!
//! The SDK carries its own JSON layer instead of `serde_json` to keep modules
//! small: numbers are kept as their JSON text, so a module pays for float
//! parsing or formatting only when it asks for a float, and objects keep
//! their keys in order in a plain vector.
//!
//! ```
//! use wasm_workflows_sdk::json::{self, Value};
//!
//! let value = json::parse(r#"{"name": "width", "value": 40}"#).unwrap();
//! assert_eq!(value.get("value").and_then(Value::as_u64), Some(40));
//! assert_eq!(value.to_string(), r#"{"name":"width","value":40}"#);
//! ```

use std::fmt;

pub use crate::argo_value::ValueError;
pub use crate::value_serde::{from_value, to_value};

/// The deepest nesting of arrays and objects the parser accepts.
pub const MAX_DEPTH: usize = 128;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, kept as its JSON text.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object; keys keep the order they were given in.
    Object(Vec<(String, Value)>),
}

/// A JSON number, kept as its text so no precision is lost and no float code
/// is needed unless [`Number::as_f64`] is called.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    /// Parses JSON number text (`-12`, `3.5e2`); `None` if it is not one.
    pub fn from_text(text: &str) -> Option<Number> {
        let mut parser = Parser::new(text);
        match parser.number() {
            Ok(number) if parser.pos == text.len() => Some(number),
            _ => None,
        }
    }

    /// A number from text known to be a JSON number (written by this crate).
    pub(crate) fn from_text_unchecked(text: String) -> Number {
        Number(text)
    }

    /// The number as written in JSON.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as a `u64`, if it is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// The number as an `i64`, if it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The number as an `f64` (may round).
    pub fn as_f64(&self) -> Option<f64> {
        self.0.parse().ok()
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Value {
    /// The member `key` of an object (the last one, if repeated).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as a `u64`, if this is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The number as an `i64`, if this is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The number as an `f64`, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// `true` for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// What kind of value this is, for messages: `a string "abc"`, `the number 4`.
    pub fn describe(&self) -> String {
        const MAX: usize = 60;
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Number(n) => format!("the number {n}"),
            Value::String(s) => match s.char_indices().nth(MAX) {
                Some((end, _)) => format!("the string {}…", Value::from(&s[..end])),
                None => format!("the string {self}"),
            },
            Value::Array(items) => format!("an array of {} elements", items.len()),
            Value::Object(_) => "an object".into(),
        }
    }

    /// Indented JSON text, two spaces a level.
    pub fn to_string_pretty(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Some(0));
        out
    }
}

impl fmt::Display for Value {
    /// Compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One writer, to a String: a second, generic one would cost every module its code again.
        let mut out = String::new();
        write_value(&mut out, self, None);
        f.write_str(&out)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Number(Number(n.to_string()))
            }
        }
    )*};
}
from_integer!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

impl From<f64> for Value {
    /// A finite float becomes a number; NaN and the infinities, which JSON
    /// cannot express, become `null`.
    fn from(n: f64) -> Self {
        if n.is_finite() { Value::Number(Number(format!("{n:?}"))) } else { Value::Null }
    }
}

impl From<f32> for Value {
    fn from(n: f32) -> Self {
        Value::from(f64::from(n))
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Value {
    /// Collects name/value pairs into an object.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Value::Object(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// Why JSON text could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What was wrong.
    pub reason: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {}, column {}", self.reason, self.line, self.column)
    }
}

impl std::error::Error for ParseError {}

/// Parses one JSON document; only white space may follow it.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut parser = Parser::new(text);
    parser.skip_whitespace();
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.pos < text.len() {
        return Err(parser.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { text, pos: 0, depth: 0 }
    }

    fn error(&self, reason: &str) -> ParseError {
        let before = &self.text[..self.pos.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        ParseError { reason: reason.to_owned(), line, column }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, literal: &str, value: Value) -> Result<Value, ParseError> {
        if self.text[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        match self.peek() {
            None => Err(self.error("unexpected end of input, expected a JSON value")),
            Some(b'n') => self.expect_literal("null", Value::Null),
            Some(b't') => self.expect_literal("true", Value::Bool(true)),
            Some(b'f') => self.expect_literal("false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(b'[') => self.nested(Self::array),
            Some(b'{') => self.nested(Self::object),
            Some(_) => Err(self.error("expected a JSON value")),
        }
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Result<Value, ParseError>) -> Result<Value, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error("arrays and objects nested too deeply"));
        }
        self.depth += 1;
        self.pos += 1; // the opening bracket
        let value = parse(self);
        self.depth -= 1;
        value
    }

    /// After `[`: elements up to the closing `]`.
    fn array(&mut self) -> Result<Value, ParseError> {
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
    }

    /// After `{`: members up to the closing `}`.
    fn object(&mut self) -> Result<Value, ParseError> {
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key in an object"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after an object key"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value()?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
    }

    fn number(&mut self) -> Result<Number, ParseError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos - from
        };
        let mut pos = self.pos;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => pos += 1,
            Some(b'1'..=b'9') => {
                digits(&mut pos);
            }
            _ => {
                self.pos = pos;
                return Err(self.error("invalid number"));
            }
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if digits(&mut pos) == 0 {
                self.pos = pos;
                return Err(self.error("invalid number: expected digits after '.'"));
            }
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if digits(&mut pos) == 0 {
                self.pos = pos;
                return Err(self.error("invalid number: expected digits in the exponent"));
            }
        }
        self.pos = pos;
        Ok(Number(self.text[start..pos].to_owned()))
    }

    /// At `"`: the string's content, unescaped.
    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let plain = rest.find(|c: char| c == '"' || c == '\\' || c < ' ').unwrap_or(rest.len());
            out.push_str(&rest[..plain]);
            self.pos += plain;
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape in a string")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                Some(_) => return Err(self.error("control character in a string (escape it)")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self.text.as_bytes().get(self.pos..self.pos + 4).unwrap_or_default();
        let mut code = 0;
        for &digit in digits {
            let value = char::from(digit)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid \\u escape: expected four hex digits"))?;
            code = code * 16 + value;
        }
        if digits.len() < 4 {
            return Err(self.error("invalid \\u escape: expected four hex digits"));
        }
        self.pos += 4;
        Ok(code)
    }

    /// After `\u`: one character, joining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.text[self.pos..].starts_with("\\u") {
                    return Err(self.error("unpaired surrogate in a \\u escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("unpaired surrogate in a \\u escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("unpaired surrogate in a \\u escape")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }
}

pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if c < ' ' => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[(c as usize) >> 4]));
            out.push(char::from(HEX[(c as usize) & 15]));
        } else {
            out.push_str(escape);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Writes `value`; `indent` is `None` for compact text, else the current level.
pub(crate) fn write_value(out: &mut String, value: &Value, indent: Option<usize>) {
    let newline = |out: &mut String, level: usize| {
        out.push('\n');
        (0..level).for_each(|_| out.push_str("  "));
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n.as_str()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(members) if members.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline(out, level + 1);
                }
                write_value(out, item, indent.map(|l| l + 1));
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline(out, level + 1);
                }
                write_string(out, key);
                out.push_str(if indent.is_some() { ": " } else { ":" });
                write_value(out, item, indent.map(|l| l + 1));
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_every_kind_of_value() {
        let text = r#"{"a":[1,-2.5e3,0.25,true,false,null],"b":{"c":"d\"\\\n\t\u00e9\ud83e\udd80"},"e":[],"f":{}}"#;
        let value = parse(text).unwrap();
        assert_eq!(value.get("b").and_then(|b| b.get("c")).and_then(Value::as_str), Some("d\"\\\n\té🦀"));
        assert_eq!(value.get("a").and_then(Value::as_array).map(<[Value]>::len), Some(6));
        let written = value.to_string();
        assert_eq!(parse(&written).unwrap(), value);
        assert_eq!(parse(&value.to_string_pretty()).unwrap(), value);
    }

    #[test]
    fn keeps_numbers_as_written() {
        let value = parse("[12345678901234567890123, 1.50, -0]").unwrap();
        assert_eq!(value.to_string(), "[12345678901234567890123,1.50,-0]");
        assert_eq!(parse("40").unwrap().as_u64(), Some(40));
        assert_eq!(parse("-40").unwrap().as_u64(), None);
        assert_eq!(parse("-40").unwrap().as_i64(), Some(-40));
        assert_eq!(parse("2.5").unwrap().as_f64(), Some(2.5));
    }

    #[test]
    fn pretty_output_is_indented() {
        let value: Value = [("a", Value::from(vec![1, 2])), ("b", Value::from("x"))].into_iter().collect();
        assert_eq!(value.to_string_pretty(), "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": \"x\"\n}");
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(Value::from("a\u{1}b\"").to_string(), r#""a\u0001b\"""#);
    }

    #[test]
    fn reports_where_the_text_is_wrong() {
        let cases = [
            ("", "unexpected end of input, expected a JSON value at line 1, column 1"),
            ("{\n  \"a\": tru}", "expected a JSON value at line 2, column 8"),
            ("[1 2]", "expected ',' or ']' in an array at line 1, column 4"),
            ("{\"a\" 1}", "expected ':' after an object key at line 1, column 6"),
            ("{1: 2}", "expected a string key in an object at line 1, column 2"),
            ("\"abc", "unterminated string at line 1, column 5"),
            ("\"a\\qb\"", "invalid escape in a string at line 1, column 4"),
            ("\"\\ud800\"", "unpaired surrogate in a \\u escape at line 1, column 8"),
            ("01", "unexpected text after the JSON value at line 1, column 2"),
            ("1.", "invalid number: expected digits after '.' at line 1, column 3"),
            ("-", "invalid number at line 1, column 2"),
            ("\"a\nb\"", "control character in a string (escape it) at line 1, column 3"),
            ("{} x", "unexpected text after the JSON value at line 1, column 4"),
        ];
        for (text, message) in cases {
            assert_eq!(parse(text).unwrap_err().to_string(), message, "for {text:?}");
        }
    }

    #[test]
    fn refuses_deep_nesting() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).unwrap_err().reason.contains("nested too deeply"));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn numbers_from_text_are_validated() {
        assert_eq!(Number::from_text("1e5").map(|n| n.to_string()), Some("1e5".into()));
        assert_eq!(Number::from_text("1e"), None);
        assert_eq!(Number::from_text("12abc"), None);
        assert_eq!(Value::from(f64::NAN), Value::Null);
        assert_eq!(Value::from(0.5).to_string(), "0.5");
    }

    #[test]
    fn describes_values_for_messages() {
        assert_eq!(Value::from("abc").describe(), "the string \"abc\"");
        assert_eq!(Value::from(4).describe(), "the number 4");
        assert_eq!(Value::from("x".repeat(100)).describe().chars().count(), "the string \"".len() + 60 + 2);
    }
}
