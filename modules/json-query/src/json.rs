//! Reading and writing JSON as jq does.
//!
//! The reader makes each object's entries in one vector of the right size
//! (the entries are gathered on a stack shared by the whole document), and
//! shares one string for each object key it meets again (documents repeat
//! their keys in every record). It accepts what jq accepts beyond JSON: a
//! byte order mark, `NaN` and `Infinity`, and refuses nesting deeper than
//! jq's 10,000 levels.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::rc::Rc;

use crate::map::{FxHasher, Map};
use crate::number;
use crate::value::Val;

/// How deep arrays and objects may nest, as in jq.
pub const MAX_DEPTH: usize = 10_000;

/// How many distinct keys the reader remembers to share.
const KEY_CACHE: usize = 4096;

/// Why a document is not JSON, and where.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The byte offset.
    pub offset: usize,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

/// A reader of JSON values from a text.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    keys: HashMap<&'a [u8], Rc<str>, BuildHasherDefault<FxHasher>>,
    entries: Vec<(Rc<str>, Val)>,
    items: Vec<Val>,
    scratch: Vec<u8>,
}

type Result<T> = std::result::Result<T, ParseError>;

impl<'a> Reader<'a> {
    /// A reader at the start of `text` (after a byte order mark, if any).
    pub fn new(text: &'a [u8]) -> Reader<'a> {
        let pos = if text.starts_with("\u{feff}".as_bytes()) { 3 } else { 0 };
        Reader {
            bytes: text,
            pos,
            keys: HashMap::default(),
            entries: Vec::new(),
            items: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn fail<T>(&self, reason: impl Into<String>) -> Result<T> {
        Err(ParseError { offset: self.pos, reason: reason.into() })
    }

    /// Skips white space; the next byte, if any.
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                return Some(b);
            }
        }
        None
    }

    /// Consumes the byte `b` (after white space), or fails.
    pub fn expect(&mut self, b: u8, what: &str) -> Result<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(format!("expected {what}"))
        }
    }

    /// Consumes `b` if it comes next.
    pub fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// The next value, or `None` at the end of the text.
    pub fn next_value(&mut self) -> Result<Option<Val>> {
        if self.peek().is_none() {
            return Ok(None);
        }
        self.value(0).map(Some)
    }

    /// One value, `depth` levels inside arrays and objects. Containers are
    /// read with an explicit stack, not by recursion: documents may nest
    /// 10,000 levels, past what the module's call stack holds.
    pub fn value(&mut self, depth: usize) -> Result<Val> {
        enum Open {
            Arr(usize),
            Obj(usize, Rc<str>),
        }
        let mut stack: Vec<Open> = Vec::new();
        'values: loop {
            let mut value = match self.peek() {
                None => return self.fail("unfinished JSON: expected a value"),
                Some(open @ (b'[' | b'{')) => {
                    if depth + stack.len() >= MAX_DEPTH {
                        return self.fail("Exceeds depth limit for parsing");
                    }
                    self.pos += 1;
                    if open == b'[' {
                        if self.eat(b']') {
                            Val::arr(Vec::new())
                        } else {
                            stack.push(Open::Arr(self.items.len()));
                            continue 'values;
                        }
                    } else if self.eat(b'}') {
                        Val::obj(Map::new())
                    } else {
                        let key = self.entry_key()?;
                        stack.push(Open::Obj(self.entries.len(), key));
                        continue 'values;
                    }
                }
                Some(b'"') => {
                    self.pos += 1;
                    Val::Str(self.string()?)
                }
                Some(_) => self.literal()?,
            };
            // A complete value: into its container, closing those that end.
            loop {
                match stack.last_mut() {
                    None => return Ok(value),
                    Some(Open::Arr(start)) => {
                        let start = *start;
                        self.items.push(value);
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                continue 'values;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                stack.pop();
                                value = Val::arr(self.items.drain(start..).collect());
                            }
                            _ => return self.fail("expected , or ] in an array"),
                        }
                    }
                    Some(Open::Obj(start, key)) => {
                        let start = *start;
                        // A repeated key keeps its first place and takes the last value, as in jq.
                        let key = key.clone();
                        match self.entries[start..].iter_mut().find(|(k, _)| Rc::ptr_eq(k, &key) || *k == key) {
                            Some(entry) => entry.1 = value,
                            None => self.entries.push((key, value)),
                        }
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                let next = self.entry_key()?;
                                if let Some(Open::Obj(_, key)) = stack.last_mut() {
                                    *key = next;
                                }
                                continue 'values;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                stack.pop();
                                value = Val::obj(Map::from_unique(self.entries.drain(start..).collect()));
                            }
                            _ => return self.fail("expected , or } in an object"),
                        }
                    }
                }
            }
        }
    }

    /// An object key and its colon.
    fn entry_key(&mut self) -> Result<Rc<str>> {
        if self.peek() != Some(b'"') {
            return self.fail("expected a string as object key");
        }
        self.pos += 1;
        let key = self.key()?;
        self.expect(b':', ": after an object key")?;
        Ok(key)
    }

    /// An object key: the same string as the last time the same bytes were a key.
    fn key(&mut self) -> Result<Rc<str>> {
        let start = self.pos;
        let raw_end = self.bytes[start..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
        if let Some(len) = raw_end.filter(|&len| self.bytes[start + len] == b'"') {
            let raw = &self.bytes[start..start + len];
            self.pos = start + len + 1;
            if let Some(key) = self.keys.get(raw) {
                return Ok(key.clone());
            }
            let key: Rc<str> = Rc::from(self.text(raw)?);
            if self.keys.len() < KEY_CACHE {
                self.keys.insert(raw, key.clone());
            }
            return Ok(key);
        }
        self.string()
    }

    fn text(&self, raw: &'a [u8]) -> Result<&'a str> {
        std::str::from_utf8(raw).or_else(|_| self.fail("invalid UTF-8 in a string"))
    }

    /// A string, after its opening quote.
    fn string(&mut self) -> Result<Rc<str>> {
        let start = self.pos;
        let plain = self.bytes[start..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
        match plain {
            Some(len) if self.bytes[start + len] == b'"' => {
                self.pos = start + len + 1;
                return Ok(Rc::from(self.text(&self.bytes[start..start + len])?));
            }
            None => return self.fail("unfinished string"),
            Some(_) => {}
        }
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        let result = self.escaped_string(&mut out);
        let text = result.and_then(|()| match std::str::from_utf8(&out) {
            Ok(text) => Ok(Rc::from(text)),
            Err(_) => self.fail("invalid UTF-8 in a string"),
        });
        self.scratch = out;
        text
    }

    fn escaped_string(&mut self, out: &mut Vec<u8>) -> Result<()> {
        loop {
            let Some(&b) = self.bytes.get(self.pos) else { return self.fail("unfinished string") };
            self.pos += 1;
            match b {
                b'"' => return Ok(()),
                b'\\' => {
                    let Some(&e) = self.bytes.get(self.pos) else { return self.fail("unfinished string") };
                    self.pos += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return self.fail("invalid escape"),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                b if b < 0x20 => {
                    return self.fail("Invalid string: control characters from U+0000 through U+001F must be escaped");
                }
                b => out.push(b),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4).and_then(|d| std::str::from_utf8(d).ok());
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(n) => {
                self.pos += 4;
                Ok(n)
            }
            None => self.fail("invalid \\u escape"),
        }
    }

    /// `\uXXXX`, a surrogate pair joined. As in jq (1.6 and 1.8), a high
    /// surrogate without its low one is refused, and a lone low surrogate
    /// becomes U+FFFD.
    fn unicode_escape(&mut self) -> Result<char> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            if self.bytes[self.pos..].starts_with(b"\\u") {
                self.pos += 2;
                let second = self.hex4()?;
                if (0xDC00..0xE000).contains(&second) {
                    let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
                }
            }
            return self.fail("Invalid \\uXXXX\\uXXXX surrogate pair escape");
        }
        Ok(char::from_u32(first).unwrap_or('\u{fffd}'))
    }

    /// `true`, `false`, `null`, a number, `NaN` or `Infinity`.
    fn literal(&mut self) -> Result<Val> {
        let start = self.pos;
        let len = self.bytes[start..]
            .iter()
            .position(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b',' | b']' | b'}' | b':' | b'[' | b'{' | b'"'))
            .unwrap_or(self.bytes.len() - start);
        let token = &self.bytes[start..start + len];
        let value = match token {
            b"true" => Some(Val::Bool(true)),
            b"false" => Some(Val::Bool(false)),
            b"null" => Some(Val::Null),
            b"nan" | b"NaN" | b"-nan" | b"-NaN" => Some(Val::Num(f64::NAN)),
            b"Infinity" | b"infinity" => Some(Val::Num(f64::INFINITY)),
            b"-Infinity" | b"-infinity" => Some(Val::Num(f64::NEG_INFINITY)),
            _ => std::str::from_utf8(token).ok().and_then(number::parse_literal),
        };
        match value {
            Some(value) if len > 0 => {
                self.pos += len;
                Ok(value)
            }
            _ if len == 0 => self.fail("expected a value"),
            _ => {
                let shown = String::from_utf8_lossy(&token[..token.len().min(40)]).into_owned();
                self.fail(format!("invalid literal {shown:?}"))
            }
        }
    }
}

/// The elements of the arrays and the values of the objects that `text`
/// holds at its top level, an array's elements read one at a time (for a
/// program that starts with `.[] |`: it never needs the whole array in
/// memory). A top-level
/// value that is neither ends the elements with `.[]`'s error; a parse
/// error ends them too and is kept in [`Elements::error`].
pub struct Elements<'a> {
    reader: Reader<'a>,
    inside: Option<u8>,
    /// The values of a top-level object, read whole (its keys may repeat).
    pending: std::vec::IntoIter<Val>,
    /// Why the text is not JSON, when it is not.
    pub error: Option<ParseError>,
    /// The top-level value that cannot be iterated, when there is one.
    pub not_iterable: Option<Val>,
}

impl<'a> Elements<'a> {
    /// The elements of the containers of `text`.
    pub fn new(text: &'a [u8]) -> Elements<'a> {
        Elements {
            reader: Reader::new(text),
            inside: None,
            pending: Vec::new().into_iter(),
            error: None,
            not_iterable: None,
        }
    }

    /// Reads the rest of the text, keeping its parse error if it has one.
    pub fn check_rest(&mut self) {
        while self.next().is_some() {}
        while self.error.is_none() {
            match self.reader.next_value() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => self.error = Some(e),
            }
        }
    }

    fn step(&mut self) -> Result<Option<Val>> {
        loop {
            if let Some(value) = self.pending.next() {
                return Ok(Some(value));
            }
            match self.inside {
                None => match self.reader.peek() {
                    None => return Ok(None),
                    Some(b'[') => {
                        self.reader.pos += 1;
                        if !self.reader.eat(b']') {
                            self.inside = Some(b'[');
                            return self.reader.value(1).map(Some);
                        }
                    }
                    Some(b'{') => {
                        if let Val::Obj(map) = self.reader.value(0)? {
                            let values: Vec<Val> = Rc::unwrap_or_clone(map).into_entries().map(|(_, v)| v).collect();
                            self.pending = values.into_iter();
                        }
                    }
                    Some(_) => {
                        let value = self.reader.value(0)?;
                        self.not_iterable = Some(value);
                        return Ok(None);
                    }
                },
                Some(_) => match self.reader.peek() {
                    Some(b',') => {
                        self.reader.pos += 1;
                        return self.reader.value(1).map(Some);
                    }
                    Some(b']') => {
                        self.reader.pos += 1;
                        self.inside = None;
                    }
                    _ => return self.reader.fail("expected , or ] in an array"),
                },
            }
        }
    }
}

impl Iterator for Elements<'_> {
    type Item = Val;

    fn next(&mut self) -> Option<Val> {
        if self.error.is_some() || self.not_iterable.is_some() {
            return None;
        }
        match self.step() {
            Ok(value) => value,
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

/// Every value of `text` (JSON values one after another, as jq reads them).
pub fn parse_all(text: &[u8]) -> std::result::Result<Vec<Val>, ParseError> {
    let mut reader = Reader::new(text);
    let mut values = Vec::new();
    while let Some(value) = reader.next_value()? {
        values.push(value);
    }
    Ok(values)
}

/// Exactly one value (`fromjson`).
pub fn parse_one(text: &str) -> std::result::Result<Val, ParseError> {
    let mut reader = Reader::new(text.as_bytes());
    let value = reader.next_value()?;
    match (value, reader.peek()) {
        (Some(value), None) => Ok(value),
        (None, _) => reader.fail("expected a JSON value"),
        (Some(_), Some(_)) => reader.fail("unexpected text after the JSON value"),
    }
}

/// Writes `value` as compact JSON, as jq's `tojson` and `-c` write it;
/// past 10,000 levels of nesting, `<skipped: too deep>` as jq writes. An
/// explicit stack, not recursion (see [`Reader::value`]).
pub fn write(out: &mut Vec<u8>, value: &Val) {
    enum Open<'a> {
        Arr(std::slice::Iter<'a, Val>),
        Obj(std::slice::Iter<'a, (Rc<str>, Val)>),
    }
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut next = Some(value);
    loop {
        if let Some(value) = next.take() {
            match value {
                _ if stack.len() > MAX_DEPTH => out.extend_from_slice(b"<skipped: too deep>"),
                Val::Null => out.extend_from_slice(b"null"),
                Val::Bool(true) => out.extend_from_slice(b"true"),
                Val::Bool(false) => out.extend_from_slice(b"false"),
                Val::Num(_) | Val::Lit(_) => number::write_number(out, value),
                Val::Str(s) => write_str(out, s),
                Val::Arr(items) => {
                    out.push(b'[');
                    let mut iter = items.iter();
                    next = iter.next();
                    if next.is_none() {
                        out.push(b']');
                    } else {
                        stack.push(Open::Arr(iter));
                    }
                    continue;
                }
                Val::Obj(map) => {
                    out.push(b'{');
                    let mut iter = map.entries().iter();
                    match iter.next() {
                        None => out.push(b'}'),
                        Some((k, v)) => {
                            write_str(out, k);
                            out.push(b':');
                            next = Some(v);
                            stack.push(Open::Obj(iter));
                        }
                    }
                    continue;
                }
            }
        }
        match stack.last_mut() {
            None => return,
            Some(Open::Arr(iter)) => match iter.next() {
                Some(v) => {
                    out.push(b',');
                    next = Some(v);
                }
                None => {
                    out.push(b']');
                    stack.pop();
                }
            },
            Some(Open::Obj(iter)) => match iter.next() {
                Some((k, v)) => {
                    out.push(b',');
                    write_str(out, k);
                    out.push(b':');
                    next = Some(v);
                }
                None => {
                    out.push(b'}');
                    stack.pop();
                }
            },
        }
    }
}

/// A JSON string with jq's escapes: `\"`, `\\`, the short control escapes,
/// other control characters and DEL as `\u00XX`; the rest as it is.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\t' => Some(b"\\t"),
            b'\r' => Some(b"\\r"),
            0x08 => Some(b"\\b"),
            0x0c => Some(b"\\f"),
            b if b < 0x20 || b == 0x7f => Some(b""),
            _ => None,
        };
        if let Some(escape) = escape {
            out.extend_from_slice(&bytes[run..i]);
            if escape.is_empty() {
                out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
            } else {
                out.extend_from_slice(escape);
            }
            run = i + 1;
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let values = parse_all(text.as_bytes()).unwrap();
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            write(&mut out, v);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn reads_and_writes_what_jq_does() {
        assert_eq!(
            round_trip(r#" {"a": [1, 2.50, "x\u00e9\ud83d\ude00"], "b": null} "#),
            r#"{"a":[1,2.50,"xé😀"],"b":null}"#
        );
        assert_eq!(round_trip("\u{feff}\"bom\""), "\"bom\"");
        assert_eq!(round_trip("[NaN, Infinity, -Infinity]"), "[null,1.7976931348623157e+308,-1.7976931348623157e+308]");
        assert_eq!(round_trip(r#"{"a":1,"a":2,"b":3}"#), r#"{"a":2,"b":3}"#);
        assert_eq!(round_trip("1 [] {}"), "1 [] {}");
        assert_eq!(round_trip(r#""\u0001\u007f\n""#), r#""\u0001\u007f\n""#);
        assert_eq!(round_trip(r#""\udc00x""#), "\"\u{fffd}x\"");
    }

    #[test]
    fn refuses_what_is_not_json() {
        for text in ["[1,", "{\"a\" 1}", "tru", "[1 2]", "\"abc", "{1: 2}", "NaN1", r#""\ud800""#, r#""\ud800\u0041""#]
        {
            assert!(parse_all(text.as_bytes()).is_err(), "{text}");
        }
        // Nesting this deep needs more than a test thread's stack (the module links a larger one).
        let deep = std::thread::Builder::new().stack_size(256 << 20).spawn(|| {
            let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
            let mut out = Vec::new();
            write(&mut out, &parse_all(deep(MAX_DEPTH).as_bytes()).unwrap()[0]);
            assert_eq!(out, deep(MAX_DEPTH).as_bytes());
            parse_all(deep(MAX_DEPTH + 1).as_bytes()).unwrap_err().reason
        });
        assert_eq!(deep.unwrap().join().unwrap(), "Exceeds depth limit for parsing");
    }
}
