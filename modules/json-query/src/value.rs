//! The JSON values the jq program works on, with jq 1.8's semantics:
//! numbers are doubles, and a number literal of the document or the
//! program keeps its text until arithmetic touches it (jq's "decNumber"
//! literals); objects keep their keys in insertion order; indexing,
//! slicing and assignment follow jq's rules (`null | .[2] = 1` builds
//! `[null,null,1]`, fractional indices round down), and errors carry jq's
//! messages, since programs can see them with `try … catch .`.

use std::cmp::Ordering;
use std::fmt;
use std::rc::Rc;

use jaq_core::path::Opt;
use jaq_core::{Exn, ValR, ValX};

use crate::map::Map;
use crate::number::{self, Literal};

/// A jq value.
#[derive(Clone, Debug, Default)]
pub enum Val {
    /// `null`
    #[default]
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number computed (or a literal whose text is the double's own).
    Num(f64),
    /// A number literal that keeps its text (`1.000`, `1E+1000`, `100000000000000000001`).
    Lit(Rc<Literal>),
    /// A string (always UTF-8, as in jq).
    Str(Rc<str>),
    /// An array.
    Arr(Rc<List>),
    /// An object.
    Obj(Rc<Map>),
}

/// An array's elements. Dropping one takes apart the arrays and objects
/// nested in it with an explicit stack, not by recursion: values may nest
/// 10,000 levels, past what the module's call stack holds.
#[derive(Clone, Debug, Default)]
pub struct List(pub Vec<Val>);

impl std::ops::Deref for List {
    type Target = Vec<Val>;
    fn deref(&self) -> &Vec<Val> {
        &self.0
    }
}

impl std::ops::DerefMut for List {
    fn deref_mut(&mut self) -> &mut Vec<Val> {
        &mut self.0
    }
}

impl IntoIterator for List {
    type Item = Val;
    type IntoIter = std::vec::IntoIter<Val>;
    fn into_iter(mut self) -> Self::IntoIter {
        std::mem::take(&mut self.0).into_iter()
    }
}

impl Drop for List {
    fn drop(&mut self) {
        if self.0.iter().any(|v| matches!(v, Val::Arr(_) | Val::Obj(_))) {
            drop_nested(std::mem::take(&mut self.0));
        }
    }
}

/// Drops `pending` and what it holds, deepest last, without recursion: a
/// container whose last reference goes has its contents moved here first.
pub fn drop_nested(mut pending: Vec<Val>) {
    while let Some(v) = pending.pop() {
        match v {
            Val::Arr(rc) => {
                if let Some(mut list) = Rc::into_inner(rc) {
                    pending.append(&mut list.0);
                }
            }
            Val::Obj(rc) => {
                if let Some(map) = Rc::into_inner(rc) {
                    pending.extend(map.into_entries().map(|(_, v)| v));
                }
            }
            _ => {}
        }
    }
}

/// An error with a jq message.
pub type Error = jaq_core::Error<Val>;

/// An error whose value is the message `text`, as jq raises it.
pub fn error(text: impl Into<String>) -> Error {
    Error::new(Val::from(text.into()))
}

/// The deepest nesting that comparisons, containment and merging accept
/// before failing, as jq does ("Comparison too deep" and the like).
pub const MAX_DEPTH: usize = 10_000;

impl Val {
    /// A string value.
    pub fn str(text: &str) -> Val {
        Val::Str(Rc::from(text))
    }

    /// An array value.
    pub fn arr(items: Vec<Val>) -> Val {
        Val::Arr(Rc::new(List(items)))
    }

    /// An object value.
    pub fn obj(map: Map) -> Val {
        Val::Obj(Rc::new(map))
    }

    /// jq's name of the value's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Num(_) | Val::Lit(_) => "number",
            Val::Str(_) => "string",
            Val::Arr(_) => "array",
            Val::Obj(_) => "object",
        }
    }

    /// The number as a double, if it is one.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Val::Num(x) => Some(*x),
            Val::Lit(literal) => Some(literal.value),
            _ => None,
        }
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(text) => Some(text),
            _ => None,
        }
    }

    /// Whether the value is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Val::Num(_) | Val::Lit(_))
    }

    /// The value as jq shows it in an error message: kind and the start of
    /// its JSON text, e.g. `string ("abc")`.
    pub fn described(&self) -> String {
        format!("{} ({})", self.kind(), self.truncated())
    }

    /// jq's `jv_dump_string_trunc` with its 30-byte buffer: the JSON text,
    /// cut to 25 bytes (at a character boundary) and `...` when longer.
    pub fn truncated(&self) -> String {
        const BUFFER: usize = 30;
        let text = match self {
            Val::Str(s) if s.len() > BUFFER => {
                let cut: String = s.chars().take(BUFFER).collect();
                Val::str(&cut).to_string()
            }
            other => other.to_string(),
        };
        if text.len() < BUFFER {
            return text;
        }
        let close = match text.as_bytes()[0] {
            b'"' => Some('"'),
            b'[' => Some(']'),
            b'{' => Some('}'),
            _ => None,
        };
        let mut end = BUFFER - if close.is_some() { 5 } else { 4 };
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut out = text[..end].to_owned();
        out.push_str("...");
        out.extend(close);
        out
    }

    /// The value as the integer index jq uses (`(int)` of the double, clamped).
    fn as_index(x: f64) -> isize {
        if x.is_nan() { 0 } else { x.clamp(i32::MIN as f64, i32::MAX as f64) as isize }
    }

    /// `.[k]` with jq's rules (jv_get).
    pub fn get(&self, key: &Val) -> ValR<Val> {
        match (self, key) {
            (Val::Obj(map), Val::Str(k)) => Ok(map.get(k).cloned().unwrap_or(Val::Null)),
            (Val::Arr(items), k) if k.is_number() => {
                let x = k.as_number().unwrap_or(f64::NAN);
                if x.is_nan() {
                    return Ok(Val::Null);
                }
                let mut i = Self::as_index(x);
                if i < 0 {
                    i += items.len() as isize;
                }
                Ok(usize::try_from(i).ok().and_then(|i| items.get(i)).cloned().unwrap_or(Val::Null))
            }
            (Val::Arr(_) | Val::Str(_), Val::Obj(_)) => {
                let (start, end) = self.slice_bounds(key)?;
                Ok(self.slice(start, end))
            }
            (Val::Arr(items), Val::Arr(sub)) => Ok(Val::arr(indices(items, sub))),
            (Val::Null, Val::Str(_) | Val::Num(_) | Val::Lit(_) | Val::Obj(_)) => Ok(Val::Null),
            _ => Err(error(format!("Cannot index {} with {}", self.kind(), key.described_index()))),
        }
    }

    /// jq 1.8 names a string key with its text only (`Cannot index number with "a"`)
    /// in some messages and with its kind in others; `jv_get` uses kind and text.
    fn described_index(&self) -> String {
        self.described()
    }

    /// The start and end of a slice `{"start": s, "end": e}` of this array or string (jq's parse_slice).
    pub fn slice_bounds(&self, slice: &Val) -> Result<(usize, usize), Error> {
        let len = match self {
            Val::Arr(items) => items.len(),
            Val::Str(s) => s.chars().count(),
            _ => return Err(error("Only arrays and strings can be sliced")),
        };
        let Val::Obj(map) = slice else { return Err(error("Array/string slice indices must be integers")) };
        let bound = |name: &str, default: f64| match map.get(name) {
            None | Some(Val::Null) => Ok(default),
            Some(v) => v.as_number().ok_or_else(|| error("Array/string slice indices must be integers")),
        };
        self::slice_bounds(len, bound("start", 0.0)?, bound("end", len as f64)?)
    }

    /// Elements or characters `start..end`.
    pub fn slice(&self, start: usize, end: usize) -> Val {
        match self {
            Val::Arr(items) => Val::arr(items[start..end].to_vec()),
            Val::Str(s) => {
                let mut chars = s.char_indices().map(|(i, _)| i).chain([s.len()]);
                let from = chars.nth(start).unwrap_or(s.len());
                let to = if end > start { chars.nth(end - start - 1).unwrap_or(s.len()) } else { from };
                Val::str(&s[from..to])
            }
            _ => Val::Null,
        }
    }

    /// `setpath([k]; v)` on this value (jq's jv_set).
    pub fn set(self, key: &Val, value: Val) -> ValR<Val> {
        match (self, key) {
            (Val::Obj(mut map), Val::Str(k)) => {
                Rc::make_mut(&mut map).insert(k.clone(), value);
                Ok(Val::Obj(map))
            }
            (Val::Null, Val::Str(k)) => {
                let mut map = Map::new();
                map.insert(k.clone(), value);
                Ok(Val::obj(map))
            }
            (target @ (Val::Arr(_) | Val::Null), k) if k.is_number() => {
                let x = k.as_number().unwrap_or(f64::NAN);
                if x.is_nan() {
                    return Err(error("Cannot set array element at NaN index"));
                }
                let mut items = match target {
                    Val::Arr(items) => items,
                    _ => Rc::new(List(Vec::new())),
                };
                let mut i = Self::as_index(x);
                if i < 0 {
                    i += items.len() as isize;
                }
                if i < 0 {
                    return Err(error("Out of bounds negative array index"));
                }
                let i = i as usize;
                if i > (i32::MAX as usize >> 2) {
                    return Err(error("Array index too large"));
                }
                let vec = Rc::make_mut(&mut items);
                if i >= vec.len() {
                    vec.resize(i + 1, Val::Null);
                }
                vec[i] = value;
                Ok(Val::Arr(items))
            }
            (target @ (Val::Arr(_) | Val::Null), Val::Obj(_)) => {
                let target = if let Val::Null = target { Val::arr(Vec::new()) } else { target };
                let (start, end) = target.slice_bounds(key)?;
                let Val::Arr(insert) = value else {
                    return Err(error("A slice of an array can only be assigned another array"));
                };
                let Val::Arr(mut items) = target else { unreachable!("an array") };
                Rc::make_mut(&mut items).splice(start..end, insert.iter().cloned());
                Ok(Val::Arr(items))
            }
            (Val::Str(_), Val::Obj(_)) => Err(error("Cannot update string slices")),
            (target, key) => Err(error(format!("Cannot update field at {} index of {}", key.kind(), target.kind()))),
        }
    }

    /// `has(k)` with jq's rules.
    pub fn has(&self, key: &Val) -> ValR<Val> {
        match (self, key) {
            (Val::Null, _) => Ok(Val::Bool(false)),
            (Val::Obj(map), Val::Str(k)) => Ok(Val::Bool(map.get(k).is_some())),
            (Val::Arr(items), k) if k.is_number() => {
                let x = k.as_number().unwrap_or(f64::NAN);
                Ok(Val::Bool(!x.is_nan() && x >= 0.0 && (x as usize) < items.len()))
            }
            _ => Err(error(format!("Cannot check whether {} has a {} key", self.kind(), key.kind()))),
        }
    }

    /// The error of `.[]` on a value that has no elements.
    pub fn not_iterable(&self) -> Error {
        error(format!("Cannot iterate over {}", self.described()))
    }

    /// Compares with jq's order (null < false < true < numbers < strings <
    /// arrays < objects), failing past [`MAX_DEPTH`] levels of nesting.
    pub fn compare(&self, other: &Val) -> Result<Ordering, Error> {
        compare(self, other, MAX_DEPTH).ok_or_else(|| error("Comparison too deep"))
    }

    /// jq's `contains`.
    pub fn contains(&self, other: &Val) -> Result<bool, Error> {
        contains(self, other, 0)
    }
}

/// jq's slice arithmetic: negative bounds count from the end, the start
/// rounds down and the end up, NaN means the default.
pub fn slice_bounds(len: usize, start: f64, end: f64) -> Result<(usize, usize), Error> {
    let len_f = len as f64;
    let mut start = if start.is_nan() { 0.0 } else { start };
    if start < 0.0 {
        start += len_f;
    }
    let start = start.clamp(0.0, len_f);
    let start_i = start as usize;
    let mut end_f = if end.is_nan() { len_f } else { end };
    if end_f < 0.0 {
        end_f += len_f;
    }
    if end_f < 0.0 {
        end_f = start_i as f64;
    }
    let mut end_i = if end_f > i32::MAX as f64 { i32::MAX as usize } else { end_f as usize };
    if end_i > len {
        end_i = len;
    }
    if end_i < len && (end_i as f64) < end_f {
        end_i += 1;
    }
    Ok((start_i, end_i.max(start_i)))
}

/// The positions where `sub` occurs in `items` (jq's `.[array]`).
fn indices(items: &[Val], sub: &[Val]) -> Vec<Val> {
    if sub.is_empty() {
        return Vec::new();
    }
    (0..items.len())
        .filter(|&i| items.len() - i >= sub.len() && items[i..i + sub.len()] == *sub)
        .map(|i| Val::Num(i as f64))
        .collect()
}

fn rank(v: &Val) -> u8 {
    match v {
        Val::Null => 0,
        Val::Bool(false) => 1,
        Val::Bool(true) => 2,
        Val::Num(_) | Val::Lit(_) => 3,
        Val::Str(_) => 4,
        Val::Arr(_) => 5,
        Val::Obj(_) => 6,
    }
}

/// Numbers compared as jq compares them: two literals exactly (as
/// decimals), otherwise as doubles, NaN below every number.
fn compare_numbers(a: &Val, b: &Val) -> Ordering {
    if let (Val::Lit(x), Val::Lit(y)) = (a, b) {
        return number::compare_literals(x, y);
    }
    let (x, y) = (a.as_number().unwrap_or(0.0), b.as_number().unwrap_or(0.0));
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// What a comparison of two containers is in the middle of.
enum Frame<'a> {
    Arr(&'a [Val], &'a [Val], usize),
    Obj(&'a Map, &'a Map, Vec<&'a Rc<str>>, usize),
}

/// jq's order, with an explicit stack (the module's call stack is the
/// host's to size, and values may nest 10,000 levels); `None` when nested
/// deeper than `limit`.
fn compare(a: &Val, b: &Val, limit: usize) -> Option<Ordering> {
    compare_by(a, b, limit, false)
}

/// [`compare`]; with `nan_first`, a NaN on the left is below any number on
/// the right, NaN included, at any depth: jq's `<` (`[nan] < [nan]`).
fn compare_by(a: &Val, b: &Val, limit: usize, nan_first: bool) -> Option<Ordering> {
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut pair = Some((a, b));
    loop {
        if let Some((x, y)) = pair.take() {
            let (rx, ry) = (rank(x), rank(y));
            if rx != ry {
                return Some(rx.cmp(&ry));
            }
            let order = match (x, y) {
                (Val::Str(p), Val::Str(q)) => p.as_bytes().cmp(q.as_bytes()),
                (Val::Arr(p), Val::Arr(q)) => {
                    if stack.len() >= limit {
                        return None;
                    }
                    stack.push(Frame::Arr(p, q, 0));
                    Ordering::Equal
                }
                (Val::Obj(p), Val::Obj(q)) => {
                    if stack.len() >= limit {
                        return None;
                    }
                    let (kp, kq) = (p.sorted_keys(), q.sorted_keys());
                    match kp.iter().map(|k| k.as_bytes()).cmp(kq.iter().map(|k| k.as_bytes())) {
                        Ordering::Equal => stack.push(Frame::Obj(p, q, kp, 0)),
                        other => return Some(other),
                    }
                    Ordering::Equal
                }
                _ if rx == 3 && nan_first && x.as_number().is_some_and(f64::is_nan) => Ordering::Less,
                _ if rx == 3 => compare_numbers(x, y),
                _ => Ordering::Equal,
            };
            if order.is_ne() {
                return Some(order);
            }
        }
        match stack.last_mut() {
            None => return Some(Ordering::Equal),
            Some(Frame::Arr(p, q, i)) => {
                if *i < p.len() && *i < q.len() {
                    pair = Some((&p[*i], &q[*i]));
                    *i += 1;
                } else {
                    let order = p.len().cmp(&q.len());
                    stack.pop();
                    if order.is_ne() {
                        return Some(order);
                    }
                }
            }
            Some(Frame::Obj(p, q, keys, i)) => {
                if let Some(k) = keys.get(*i) {
                    pair = Some((p.get(k)?, q.get(k)?));
                    *i += 1;
                } else {
                    stack.pop();
                }
            }
        }
    }
}

/// How deep `v` nests (arrays and objects), without recursion.
pub fn depth(v: &Val) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        match v {
            Val::Arr(items) => stack.extend(items.iter().map(|x| (x, d + 1))),
            Val::Obj(map) => stack.extend(map.iter().map(|(_, x)| (x, d + 1))),
            _ => {}
        }
    }
    deepest
}

/// Whether a NaN is anywhere in `v`, without recursion.
fn has_nan(v: &Val) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Val::Num(x) if x.is_nan() => return true,
            Val::Arr(items) => stack.extend(items.iter()),
            Val::Obj(map) => stack.extend(map.iter().map(|(_, x)| x)),
            _ => {}
        }
    }
    false
}

fn contains(a: &Val, b: &Val, _depth: usize) -> Result<bool, Error> {
    if depth(a).min(depth(b)) > MAX_DEPTH {
        return Err(error("Containment check too deep"));
    }
    check_contains(a, b)
}

/// `contains` once the depth is checked; the recursion is as deep as the values.
fn check_contains(a: &Val, b: &Val) -> Result<bool, Error> {
    match (a, b) {
        (Val::Obj(x), Val::Obj(y)) => {
            for (k, v) in y.iter() {
                match x.get(k) {
                    Some(w) if check_contains(w, v)? => {}
                    _ => return Ok(false),
                }
            }
            Ok(true)
        }
        (Val::Arr(x), Val::Arr(y)) => {
            for v in y.iter() {
                let mut found = false;
                for w in x.iter() {
                    if check_contains(w, v)? {
                        found = true;
                        break;
                    }
                }
                if !found {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        (Val::Str(x), Val::Str(y)) => Ok(x.contains(&**y)),
        _ if rank(a) == rank(b) && !matches!(a, Val::Arr(_) | Val::Obj(_)) => Ok(a == b),
        // Below the top level (where `contains` checks the kinds), values
        // of different kinds do not contain each other, as in jq.
        _ => Ok(false),
    }
}

impl PartialEq for Val {
    fn eq(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::Null, Val::Null) => true,
            (Val::Bool(x), Val::Bool(y)) => x == y,
            (Val::Num(x), Val::Num(y)) => x == y,
            (Val::Str(x), Val::Str(y)) => x == y,
            // NaN equals nothing, itself included, also inside arrays and
            // objects (`{x: nan} == {x: nan}` is false); `compare` orders
            // NaN equal to NaN, so a NaN in one means a NaN in the other.
            (Val::Arr(_), Val::Arr(_)) | (Val::Obj(_), Val::Obj(_)) => {
                compare(self, other, usize::MAX) == Some(Ordering::Equal) && !has_nan(self)
            }
            (a, b) if a.is_number() && b.is_number() => {
                let (x, y) = (a.as_number().unwrap_or(0.0), b.as_number().unwrap_or(0.0));
                if x.is_nan() || y.is_nan() {
                    return false;
                }
                compare_numbers(a, b) == Ordering::Equal
            }
            _ => false,
        }
    }
}

impl Eq for Val {}

// `<` is jq's, where NaN is below every number, itself included (`nan < nan`
// is true); sorting needs the total order of `Ord`, where NaN equals NaN.
#[allow(clippy::non_canonical_partial_ord_impl)]
impl PartialOrd for Val {
    fn partial_cmp(&self, other: &Val) -> Option<Ordering> {
        if let (Some(x), Some(_)) = (self.as_number(), other.as_number())
            && x.is_nan()
        {
            return Some(Ordering::Less);
        }
        Some(compare_by(self, other, usize::MAX, true).unwrap_or(Ordering::Equal))
    }
}

impl Ord for Val {
    fn cmp(&self, other: &Val) -> Ordering {
        compare(self, other, usize::MAX).unwrap_or(Ordering::Equal)
    }
}

impl fmt::Display for Val {
    /// Compact JSON, as jq's `tojson` writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        crate::json::write(&mut out, self);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

impl From<bool> for Val {
    fn from(b: bool) -> Val {
        Val::Bool(b)
    }
}

impl From<isize> for Val {
    fn from(i: isize) -> Val {
        Val::Num(i as f64)
    }
}

impl From<usize> for Val {
    fn from(i: usize) -> Val {
        Val::Num(i as f64)
    }
}

impl From<f64> for Val {
    fn from(x: f64) -> Val {
        Val::Num(x)
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Str(Rc::from(s))
    }
}

impl From<jaq_core::val::Range<Val>> for Val {
    /// A slice in a path: `{"start": s, "end": e}`.
    fn from(range: jaq_core::val::Range<Val>) -> Val {
        let mut map = Map::new();
        map.insert(Rc::from("start"), range.start.unwrap_or(Val::Null));
        map.insert(Rc::from("end"), range.end.unwrap_or(Val::Null));
        Val::obj(map)
    }
}

impl FromIterator<Val> for Val {
    fn from_iter<I: IntoIterator<Item = Val>>(iter: I) -> Val {
        Val::arr(crate::memory::collect(iter))
    }
}

fn range_key(range: &jaq_core::val::Range<&Val>) -> Val {
    Val::from(jaq_core::val::Range { start: range.start.cloned(), end: range.end.cloned() })
}

impl jaq_core::ValT for Val {
    fn from_num(n: &str) -> ValR<Val> {
        Ok(number::parse_literal(n).unwrap_or(Val::Num(f64::NAN)))
    }

    fn from_map<I: IntoIterator<Item = (Val, Val)>>(iter: I) -> ValR<Val> {
        let mut map = Map::new();
        for (k, v) in iter {
            match k {
                Val::Str(k) => map.insert(k, v),
                other => return Err(error(format!("Cannot use {} as object key", other.described()))),
            }
        }
        Ok(Val::obj(map))
    }

    fn key_values(self) -> Box<dyn Iterator<Item = ValR<(Val, Val), Val>>> {
        match self {
            Val::Arr(items) => {
                let items = Rc::unwrap_or_clone(items);
                Box::new(items.into_iter().enumerate().map(|(i, v)| Ok((Val::Num(i as f64), v))))
            }
            Val::Obj(map) => {
                let map = Rc::unwrap_or_clone(map);
                Box::new(map.into_entries().map(|(k, v)| Ok((Val::Str(k), v))))
            }
            other => Box::new(std::iter::once(Err(other.not_iterable()))),
        }
    }

    fn values(self) -> Box<dyn Iterator<Item = ValR<Val>>> {
        match self {
            Val::Arr(items) => match Rc::try_unwrap(items) {
                Ok(items) => Box::new(items.into_iter().map(Ok)),
                Err(items) => Box::new((0..items.len()).map(move |i| Ok(items[i].clone()))),
            },
            Val::Obj(map) => match Rc::try_unwrap(map) {
                Ok(map) => Box::new(map.into_entries().map(|(_, v)| Ok(v))),
                Err(map) => Box::new((0..map.len()).map(move |i| Ok(map.value_at(i).clone()))),
            },
            other => Box::new(std::iter::once(Err(other.not_iterable()))),
        }
    }

    fn index(self, index: &Val) -> ValR<Val> {
        self.get(index)
    }

    fn range(self, range: jaq_core::val::Range<&Val>) -> ValR<Val> {
        match self {
            Val::Null => Ok(Val::Null),
            Val::Arr(_) | Val::Str(_) => {
                let key = range_key(&range);
                let (start, end) = self.slice_bounds(&key)?;
                Ok(self.slice(start, end))
            }
            other => Err(error(format!("Cannot index {} with object", other.kind()))),
        }
    }

    fn map_values<'a, I: Iterator<Item = ValX<'a, Val>>>(self, opt: Opt, f: impl Fn(Val) -> I) -> ValX<'a, Val> {
        match self {
            Val::Arr(items) => {
                let items = Rc::unwrap_or_clone(items);
                let mut out = Vec::with_capacity(items.len());
                for v in items {
                    if let Some(v) = f(v).next() {
                        out.push(v?);
                    }
                }
                Ok(Val::arr(out))
            }
            Val::Obj(map) => {
                let map = Rc::unwrap_or_clone(map);
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map.into_entries() {
                    if let Some(v) = f(v).next() {
                        out.insert(k, v?);
                    }
                }
                Ok(Val::obj(out))
            }
            v => opt.fail(v, |v| Exn::from(v.not_iterable())),
        }
    }

    fn map_index<'a, I: Iterator<Item = ValX<'a, Val>>>(
        self,
        index: &Val,
        opt: Opt,
        f: impl Fn(Val) -> I,
    ) -> ValX<'a, Val> {
        let current = match self.get(index) {
            Ok(current) => current,
            Err(e) => return opt.fail(self, |_| Exn::from(e)),
        };
        match f(current).next() {
            Some(new) => Ok(self.set(index, new?)?),
            None => Ok(delete(self, std::slice::from_ref(index))?),
        }
    }

    fn map_range<'a, I: Iterator<Item = ValX<'a, Val>>>(
        self,
        range: jaq_core::val::Range<&Val>,
        opt: Opt,
        f: impl Fn(Val) -> I,
    ) -> ValX<'a, Val> {
        let key = range_key(&range);
        let current = match &self {
            Val::Null => Val::Null,
            Val::Arr(_) | Val::Str(_) => match self.get(&key) {
                Ok(v) => v,
                Err(e) => return opt.fail(self, |_| Exn::from(e)),
            },
            other => {
                let e = error(format!("Cannot update field at object index of {}", other.kind()));
                return opt.fail(self, |_| Exn::from(e));
            }
        };
        match f(current).next() {
            Some(new) => Ok(self.set(&key, new?)?),
            None => Ok(delete(self, std::slice::from_ref(&key))?),
        }
    }

    fn as_bool(&self) -> bool {
        !matches!(self, Val::Null | Val::Bool(false))
    }

    fn into_string(self) -> Val {
        match self {
            Val::Str(_) => self,
            other => Val::from(other.to_string()),
        }
    }
}

/// Deletes `keys` (all of the same container) at once, as jq's `jv_dels`:
/// array positions are those of the array before any deletion.
pub fn delete(target: Val, keys: &[Val]) -> ValR<Val> {
    match target {
        Val::Null => Ok(Val::Null),
        _ if keys.is_empty() => Ok(target),
        Val::Arr(items) => {
            let len = items.len();
            let mut remove = vec![false; len];
            for key in keys {
                match key {
                    k if k.is_number() => {
                        let x = k.as_number().unwrap_or(f64::NAN);
                        if x.is_nan() {
                            continue;
                        }
                        let mut i = Val::as_index(x);
                        if i < 0 {
                            i += len as isize;
                        }
                        if let Some(slot) = usize::try_from(i).ok().and_then(|i| remove.get_mut(i)) {
                            *slot = true;
                        }
                    }
                    Val::Obj(_) => {
                        let (start, end) = Val::Arr(items.clone()).slice_bounds(key)?;
                        remove[start..end].iter_mut().for_each(|r| *r = true);
                    }
                    other => return Err(error(format!("Cannot delete {} element of array", other.kind()))),
                }
            }
            let items = Rc::unwrap_or_clone(items);
            Ok(Val::arr(items.into_iter().zip(remove).filter(|(_, r)| !r).map(|(v, _)| v).collect()))
        }
        Val::Obj(mut map) => {
            for key in keys {
                match key {
                    Val::Str(k) => {
                        if map.get(k).is_some() {
                            Rc::make_mut(&mut map).remove(k);
                        }
                    }
                    other => return Err(error(format!("Cannot delete {} field of object", other.kind()))),
                }
            }
            Ok(Val::Obj(map))
        }
        other => Err(error(format!("Cannot delete fields from {}", other.kind()))),
    }
}

impl jaq_std::ValT for Val {
    fn into_seq<S: FromIterator<Val>>(self) -> Result<S, Val> {
        match self {
            Val::Arr(items) => Ok(Rc::unwrap_or_clone(items).into_iter().collect()),
            other => Err(other),
        }
    }

    fn is_int(&self) -> bool {
        self.as_number().is_some_and(|x| x.is_finite() && x.fract() == 0.0)
    }

    fn as_isize(&self) -> Option<isize> {
        let x = self.as_number()?;
        (x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as isize)
    }

    fn as_f64(&self) -> Option<f64> {
        self.as_number()
    }

    fn is_utf8_str(&self) -> bool {
        matches!(self, Val::Str(_))
    }

    fn as_bytes(&self) -> Option<&[u8]> {
        self.as_str().map(str::as_bytes)
    }

    fn as_sub_str(&self, sub: &[u8]) -> Val {
        Val::str(&String::from_utf8_lossy(sub))
    }

    fn from_utf8_bytes(b: impl AsRef<[u8]> + Send + 'static) -> Val {
        Val::str(&String::from_utf8_lossy(b.as_ref()))
    }
}
