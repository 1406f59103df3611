//! `+ - * / %` and unary `-` with jq 1.8's rules and messages.

use std::ops::{Add, Div, Mul, Neg, Rem, Sub};
use std::rc::Rc;

use jaq_core::ValR;

use crate::map::Map;
use crate::value::{MAX_DEPTH, Val, error};

fn type_error2(a: &Val, b: &Val, what: &str) -> jaq_core::Error<Val> {
    error(format!("{} and {} {what}", a.described(), b.described()))
}

/// The longest string `*` makes, as in jq ("Repeat string result too long").
const MAX_REPEAT: usize = i32::MAX as usize - 8;

impl Add for Val {
    type Output = ValR<Val>;
    fn add(self, other: Val) -> ValR<Val> {
        match (self, other) {
            (Val::Null, b) => Ok(b),
            (a, Val::Null) => Ok(a),
            (a, b) if a.is_number() && b.is_number() => {
                Ok(Val::Num(a.as_number().unwrap_or(0.0) + b.as_number().unwrap_or(0.0)))
            }
            (Val::Str(a), Val::Str(b)) => {
                let mut s = String::with_capacity(a.len() + b.len());
                s.push_str(&a);
                s.push_str(&b);
                Ok(Val::from(s))
            }
            (Val::Arr(mut a), Val::Arr(b)) => {
                if a.is_empty() {
                    return Ok(Val::Arr(b));
                }
                Rc::make_mut(&mut a).extend(b.iter().cloned());
                Ok(Val::Arr(a))
            }
            (Val::Obj(mut a), Val::Obj(b)) => {
                if a.is_empty() {
                    return Ok(Val::Obj(b));
                }
                let target = Rc::make_mut(&mut a);
                for (k, v) in b.iter() {
                    target.insert(k.clone(), v.clone());
                }
                Ok(Val::Obj(a))
            }
            (a, b) => Err(type_error2(&a, &b, "cannot be added")),
        }
    }
}

impl Sub for Val {
    type Output = ValR<Val>;
    fn sub(self, other: Val) -> ValR<Val> {
        match (self, other) {
            (a, b) if a.is_number() && b.is_number() => {
                Ok(Val::Num(a.as_number().unwrap_or(0.0) - b.as_number().unwrap_or(0.0)))
            }
            (Val::Arr(a), Val::Arr(b)) => Ok(Val::arr(a.iter().filter(|x| !b.contains(x)).cloned().collect())),
            (a, b) => Err(type_error2(&a, &b, "cannot be subtracted")),
        }
    }
}

impl Mul for Val {
    type Output = ValR<Val>;
    fn mul(self, other: Val) -> ValR<Val> {
        match (self, other) {
            (a, b) if a.is_number() && b.is_number() => {
                Ok(Val::Num(a.as_number().unwrap_or(0.0) * b.as_number().unwrap_or(0.0)))
            }
            (Val::Str(s), n) | (n, Val::Str(s)) if n.is_number() => repeat(&s, n.as_number().unwrap_or(f64::NAN)),
            (Val::Obj(a), Val::Obj(b)) => merge(a, &b, 0),
            (a, b) => Err(type_error2(&a, &b, "cannot be multiplied")),
        }
    }
}

/// `"s" * n`: n copies (n rounded down); null for a negative or NaN n.
fn repeat(s: &str, n: f64) -> ValR<Val> {
    if n < 0.0 || n.is_nan() {
        return Ok(Val::Null);
    }
    let n = if n > i32::MAX as f64 { i32::MAX as usize } else { n as usize };
    match s.len().checked_mul(n) {
        Some(len) if len < MAX_REPEAT => Ok(Val::from(s.repeat(n))),
        _ => Err(error("Repeat string result too long")),
    }
}

/// An object being merged: `target` takes the entries of `from` from `next` on;
/// `key` is where a merged child goes back into the parent.
struct MergeFrame {
    target: Map,
    from: Rc<Map>,
    next: usize,
    key: Option<Rc<str>>,
}

/// Deep merge of objects (`*`), with an explicit stack: objects may nest
/// 10,000 levels, past what the module's call stack holds.
fn merge(a: Rc<Map>, b: &Rc<Map>, _depth: usize) -> ValR<Val> {
    let mut stack = vec![MergeFrame { target: Rc::unwrap_or_clone(a), from: b.clone(), next: 0, key: None }];
    loop {
        let depth = stack.len();
        let top = stack.last_mut().expect("a frame");
        if top.next < top.from.len() {
            let (k, v) = top.from.entry_at(top.next);
            let (k, v) = (k.clone(), v.clone());
            top.next += 1;
            let child = match (top.target.get(&k), &v) {
                (Some(Val::Obj(x)), Val::Obj(y)) => Some((x.clone(), y.clone())),
                _ => None,
            };
            match child {
                Some((x, y)) => {
                    if depth > MAX_DEPTH {
                        return Err(error("Object merge too deep"));
                    }
                    stack.push(MergeFrame { target: Rc::unwrap_or_clone(x), from: y, next: 0, key: Some(k) });
                }
                None => top.target.insert(k, v),
            }
        } else {
            let done = stack.pop().expect("a frame");
            let merged = Val::obj(done.target);
            match (stack.last_mut(), done.key) {
                (Some(parent), Some(key)) => parent.target.insert(key, merged),
                _ => return Ok(merged),
            }
        }
    }
}

impl Div for Val {
    type Output = ValR<Val>;
    fn div(self, other: Val) -> ValR<Val> {
        match (self, other) {
            (a, b) if a.is_number() && b.is_number() => {
                let (x, y) = (a.as_number().unwrap_or(0.0), b.as_number().unwrap_or(0.0));
                if y == 0.0 {
                    return Err(type_error2(&a, &b, "cannot be divided because the divisor is zero"));
                }
                Ok(Val::Num(x / y))
            }
            (Val::Str(a), Val::Str(b)) => Ok(Val::arr(split(&a, &b))),
            (a, b) => Err(type_error2(&a, &b, "cannot be divided")),
        }
    }
}

/// `"a,b" / ","` (jq's jv_string_split): an empty separator splits into characters.
pub fn split(s: &str, sep: &str) -> Vec<Val> {
    if s.is_empty() {
        return Vec::new();
    }
    if sep.is_empty() {
        return s.chars().map(|c| Val::str(c.encode_utf8(&mut [0; 4]))).collect();
    }
    s.split(sep).map(Val::str).collect()
}

/// jq's conversion of a double to an integer for `%`: saturating, NaN handled before.
fn to_intmax(x: f64) -> i64 {
    if x < i64::MIN as f64 {
        i64::MIN
    } else if -x <= i64::MIN as f64 {
        i64::MAX
    } else {
        x as i64
    }
}

impl Rem for Val {
    type Output = ValR<Val>;
    fn rem(self, other: Val) -> ValR<Val> {
        match (self, other) {
            (a, b) if a.is_number() && b.is_number() => {
                let (x, y) = (a.as_number().unwrap_or(0.0), b.as_number().unwrap_or(0.0));
                if x.is_nan() || y.is_nan() {
                    return Ok(Val::Num(f64::NAN));
                }
                let divisor = to_intmax(y);
                if divisor == 0 {
                    return Err(type_error2(&a, &b, "cannot be divided (remainder) because the divisor is zero"));
                }
                let r = if divisor == -1 { 0 } else { to_intmax(x) % divisor };
                Ok(Val::Num(r as f64))
            }
            (a, b) => Err(type_error2(&a, &b, "cannot be divided (remainder)")),
        }
    }
}

impl Neg for Val {
    type Output = ValR<Val>;
    fn neg(self) -> ValR<Val> {
        match self {
            Val::Num(x) => Ok(Val::Num(-x)),
            Val::Lit(literal) => Ok(Val::Lit(Rc::new(literal.negated()))),
            other => Err(error(format!("{} cannot be negated", other.described()))),
        }
    }
}
