//! expr's runtime operators on Go values (`vm/runtime` of v1.17): `==`
//! compares numbers across int and float and everything else deeply;
//! `+ - *` keep ints as ints and mix into float64; `/` and `**` always give
//! float64; `%` takes ints only; `<` and kin compare numbers or strings;
//! `in` looks in lists and map keys; `..` builds an int range. Wrong types
//! fail in expr's words (`invalid operation: int + string`).

use std::cmp::Ordering;

use super::super::error::ExpressionError;
use super::super::value::GoValue;

pub(super) fn invalid(message: String) -> ExpressionError {
    ExpressionError::evaluation(message)
}

/// `runtime.Equal`.
pub(super) fn equal(a: &GoValue, b: &GoValue) -> bool {
    match (a, b) {
        (GoValue::Int(x), GoValue::Int(y)) => x == y,
        (GoValue::Int(_) | GoValue::Float(_), GoValue::Int(_) | GoValue::Float(_)) => a.as_f64() == b.as_f64(),
        (GoValue::List(x), GoValue::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b)),
        _ => deep_equal(a, b),
    }
}

/// `reflect.DeepEqual`: same Go types all the way down.
pub(super) fn deep_equal(a: &GoValue, b: &GoValue) -> bool {
    match (a, b) {
        (GoValue::Float(x), GoValue::Float(y)) => x == y,
        (GoValue::List(x), GoValue::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| deep_equal(a, b)),
        (GoValue::Map(x), GoValue::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        _ => a == b,
    }
}

/// `runtime.Less` and kin: numbers with numbers, strings with strings.
pub(super) fn compare(op: &str, a: &GoValue, b: &GoValue) -> Result<bool, ExpressionError> {
    let ordering = match (a, b) {
        (GoValue::Int(x), GoValue::Int(y)) => Some(x.cmp(y)),
        (GoValue::Int(_) | GoValue::Float(_), GoValue::Int(_) | GoValue::Float(_)) => {
            a.as_f64().partial_cmp(&b.as_f64())
        }
        (GoValue::Str(x), GoValue::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        _ => {
            return Err(invalid(format!("invalid operation: {} {op} {}", a.go_type(), b.go_type())));
        }
    };
    let Some(ordering) = ordering else {
        return Ok(false);
    };
    Ok(match op {
        "<" => ordering == Ordering::Less,
        ">" => ordering == Ordering::Greater,
        "<=" => ordering != Ordering::Greater,
        _ => ordering != Ordering::Less,
    })
}

/// `+ - *` on numbers (ints stay ints), `+` on strings.
pub(super) fn arithmetic(op: &str, a: &GoValue, b: &GoValue) -> Result<GoValue, ExpressionError> {
    match (a, b) {
        (GoValue::Int(x), GoValue::Int(y)) => {
            return Ok(GoValue::Int(match op {
                "+" => x.wrapping_add(*y),
                "-" => x.wrapping_sub(*y),
                _ => x.wrapping_mul(*y),
            }));
        }
        (GoValue::Int(_) | GoValue::Float(_), GoValue::Int(_) | GoValue::Float(_)) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            return Ok(GoValue::Float(match op {
                "+" => x + y,
                "-" => x - y,
                _ => x * y,
            }));
        }
        (GoValue::Str(x), GoValue::Str(y)) if op == "+" => {
            return Ok(GoValue::Str(format!("{x}{y}")));
        }
        _ => {}
    }
    Err(invalid(format!("invalid operation: {} {op} {}", a.go_type(), b.go_type())))
}

/// `/`: always float64.
pub(super) fn divide(a: &GoValue, b: &GoValue) -> Result<GoValue, ExpressionError> {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => Ok(GoValue::Float(x / y)),
        _ => Err(invalid(format!("invalid operation: {} / {}", a.go_type(), b.go_type()))),
    }
}

/// `%`: ints only.
pub(super) fn modulo(a: &GoValue, b: &GoValue) -> Result<GoValue, ExpressionError> {
    match (a, b) {
        (GoValue::Int(_), GoValue::Int(0)) => Err(invalid("runtime error: integer divide by zero".to_string())),
        (GoValue::Int(x), GoValue::Int(y)) => Ok(GoValue::Int(x.wrapping_rem(*y))),
        _ => Err(invalid(format!("invalid operation: {} % {}", a.go_type(), b.go_type()))),
    }
}

/// `**` and `^`: `math.Pow` on float64s.
pub(super) fn exponent(a: &GoValue, b: &GoValue) -> Result<GoValue, ExpressionError> {
    Ok(GoValue::Float(to_float(a)?.powf(to_float(b)?)))
}

/// `runtime.ToInt`: numbers truncate, anything else fails.
pub(super) fn to_int(value: &GoValue) -> Result<i64, ExpressionError> {
    match value {
        GoValue::Int(i) => Ok(*i),
        GoValue::Float(f) => Ok(*f as i64),
        other => Err(invalid(format!("invalid operation: int({})", other.go_type()))),
    }
}

/// `runtime.ToFloat64`.
pub(super) fn to_float(value: &GoValue) -> Result<f64, ExpressionError> {
    value.as_f64().ok_or_else(|| invalid(format!("invalid operation: float({})", value.go_type())))
}

/// `..`: the ints from `a` to `b` inclusive.
pub(super) fn range(a: &GoValue, b: &GoValue) -> Result<GoValue, ExpressionError> {
    let (from, to) = (to_int(a)?, to_int(b)?);
    if to < from {
        return Ok(GoValue::List(Vec::new()));
    }
    if to - from >= 1_000_000 {
        return Err(invalid("memory budget exceeded".to_string()));
    }
    Ok(GoValue::List((from..=to).map(GoValue::Int).collect()))
}

/// `runtime.In`.
pub(super) fn contains_element(needle: &GoValue, haystack: &GoValue) -> Result<bool, ExpressionError> {
    match haystack {
        GoValue::Nil => Ok(false),
        GoValue::List(items) => Ok(items.iter().any(|item| equal(item, needle))),
        GoValue::Map(map) => Ok(match needle {
            GoValue::Str(key) => map.contains_key(key),
            _ => false,
        }),
        other => Err(invalid(format!("operator \"in\" not defined on {}", other.go_type()))),
    }
}

/// `runtime.Negate`.
pub(super) fn negate(value: &GoValue) -> Result<GoValue, ExpressionError> {
    match value {
        GoValue::Int(i) => Ok(GoValue::Int(i.wrapping_neg())),
        GoValue::Float(f) => Ok(GoValue::Float(-f)),
        other => Err(invalid(format!("invalid operation: - {}", other.go_type()))),
    }
}

/// A Go type assertion `value.(bool)`, as the VM does for `!`, `&&`, `?:`.
pub(super) fn as_bool(value: &GoValue) -> Result<bool, ExpressionError> {
    match value {
        GoValue::Bool(b) => Ok(*b),
        GoValue::Nil => Err(invalid("interface conversion: interface {} is nil, not bool".to_string())),
        other => Err(invalid(format!("interface conversion: interface {{}} is {}, not bool", other.go_type()))),
    }
}

/// A Go type assertion `value.(string)`.
pub(super) fn as_str(value: &GoValue) -> Result<&str, ExpressionError> {
    match value {
        GoValue::Str(s) => Ok(s),
        GoValue::Nil => Err(invalid("interface conversion: interface {} is nil, not string".to_string())),
        other => Err(invalid(format!("interface conversion: interface {{}} is {}, not string", other.go_type()))),
    }
}

/// `runtime.Fetch`: a map's key (nil when absent), a list's or string's
/// index (negative counts from the end).
pub(super) fn fetch(from: &GoValue, key: &GoValue) -> Result<GoValue, ExpressionError> {
    match from {
        GoValue::Map(map) => match key {
            GoValue::Str(k) => Ok(map.get(k).cloned().unwrap_or(GoValue::Nil)),
            GoValue::Nil => Ok(GoValue::Nil),
            other => Err(invalid(format!(
                "reflect.Value.MapIndex: value of type {} is not assignable to type string",
                other.go_type()
            ))),
        },
        GoValue::List(items) => {
            let index = index_in(to_int(key)?, items.len())?;
            Ok(items[index].clone())
        }
        GoValue::Str(s) => {
            let bytes = s.as_bytes();
            let index = index_in(to_int(key)?, bytes.len())?;
            Ok(GoValue::Int(i64::from(bytes[index])))
        }
        other => {
            Err(invalid(format!("cannot fetch {} from {}", super::super::go_format::format_v(key), other.go_type())))
        }
    }
}

fn index_in(index: i64, len: usize) -> Result<usize, ExpressionError> {
    let len_i = len as i64;
    let wrapped = if index < 0 { len_i + index } else { index };
    if wrapped < 0 || wrapped >= len_i {
        return Err(invalid(format!("index out of range: {wrapped} (array length is {len})")));
    }
    Ok(wrapped as usize)
}

/// `runtime.Slice`: bounds clamp instead of failing.
pub(super) fn slice(value: &GoValue, from: Option<&GoValue>, to: Option<&GoValue>) -> Result<GoValue, ExpressionError> {
    let len = match value {
        GoValue::List(items) => items.len(),
        GoValue::Str(s) => s.len(),
        _ => {
            return Err(invalid(format!(
                "cannot slice {}",
                from.map(super::super::go_format::format_v).unwrap_or_else(|| "0".into())
            )));
        }
    } as i64;
    let mut a = match from {
        Some(v) => to_int(v)?,
        None => 0,
    };
    let mut b = match to {
        Some(v) => to_int(v)?,
        None => len,
    };
    if a < 0 {
        a += len;
    }
    a = a.max(0);
    if b < 0 {
        b += len;
    }
    b = b.clamp(0, len);
    a = a.min(b);
    let (a, b) = (a as usize, b as usize);
    Ok(match value {
        GoValue::List(items) => GoValue::List(items[a..b].to_vec()),
        GoValue::Str(s) => GoValue::Str(String::from_utf8_lossy(&s.as_bytes()[a..b]).into_owned()),
        _ => unreachable!("checked above"),
    })
}
