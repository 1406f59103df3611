//! Numbers as jq 1.8 has them: doubles written in their shortest form
//! (`1e-05`, `1e+17`, `123456789012345680`), and literals that keep the
//! digits they were written with, in the canonical decimal form jq prints
//! (`1.000`, `1E+2`, `100000000000000000001`, `1E+1000`).

use std::cmp::Ordering;
use std::rc::Rc;

use crate::value::Val;

/// A number literal whose text differs from the shortest form of its double.
#[derive(Debug)]
pub struct Literal {
    /// The nearest double.
    pub value: f64,
    /// Negative.
    negative: bool,
    /// The significant digits, without leading zeros ("0" for zero).
    digits: Box<str>,
    /// The power of ten of the last digit.
    exponent: i64,
}

impl Literal {
    /// The literal with its sign turned (jq's `-` keeps literals).
    pub fn negated(&self) -> Literal {
        Literal { value: -self.value, negative: !self.negative, digits: self.digits.clone(), exponent: self.exponent }
    }

    /// Whether it is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative && self.digits.as_ref() != "0"
    }

    /// The canonical text (decNumber's to-scientific-string).
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        let digits = &*self.digits;
        let n = digits.len() as i64;
        let adjusted = self.exponent + n - 1;
        if self.exponent <= 0 && adjusted >= -6 {
            if self.exponent == 0 {
                out.push_str(digits);
            } else {
                let point = n + self.exponent;
                if point > 0 {
                    out.push_str(&digits[..point as usize]);
                    out.push('.');
                    out.push_str(&digits[point as usize..]);
                } else {
                    out.push_str("0.");
                    out.extend(std::iter::repeat_n('0', (-point) as usize));
                    out.push_str(digits);
                }
            }
        } else {
            out.push_str(&digits[..1]);
            if n > 1 {
                out.push('.');
                out.push_str(&digits[1..]);
            }
            out.push('E');
            out.push(if adjusted < 0 { '-' } else { '+' });
            out.push_str(&adjusted.unsigned_abs().to_string());
        }
        out
    }
}

/// Compares two literals exactly, as decimals.
pub fn compare_literals(a: &Literal, b: &Literal) -> Ordering {
    let (za, zb) = (a.digits.as_ref() == "0", b.digits.as_ref() == "0");
    let sign = |negative: bool, zero: bool| {
        if zero {
            0
        } else if negative {
            -1
        } else {
            1
        }
    };
    let (sa, sb) = (sign(a.negative, za), sign(b.negative, zb));
    if sa != sb || sa == 0 {
        return sa.cmp(&sb);
    }
    // Same sign, both non-zero: compare magnitudes, then flip for negatives.
    let magnitude = {
        let (ea, eb) = (a.exponent + a.digits.len() as i64, b.exponent + b.digits.len() as i64);
        if ea != eb {
            ea.cmp(&eb)
        } else {
            let (da, db) = (a.digits.as_bytes(), b.digits.as_bytes());
            let len = da.len().max(db.len());
            let digit = |d: &[u8], i: usize| d.get(i).copied().unwrap_or(b'0');
            (0..len).map(|i| digit(da, i).cmp(&digit(db, i))).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
        }
    };
    if sa < 0 { magnitude.reverse() } else { magnitude }
}

/// Parses a JSON or jq number literal (`-12.5e3`): the value, as a
/// [`Val::Num`] when its shortest double form is its canonical text, else
/// as a [`Val::Lit`]. `None` if it is not a number.
pub fn parse_literal(text: &str) -> Option<Val> {
    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let int_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut pos = int_len;
    let mut frac_len = 0;
    if rest.get(pos) == Some(&b'.') {
        frac_len = rest[pos + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        pos += 1 + frac_len;
    }
    if int_len + frac_len == 0 {
        return None;
    }
    let mut exp: i64 = 0;
    let mut has_exp = false;
    if matches!(rest.get(pos), Some(b'e' | b'E')) {
        has_exp = true;
        pos += 1;
        let exp_negative = match rest.get(pos) {
            Some(b'-') => {
                pos += 1;
                true
            }
            Some(b'+') => {
                pos += 1;
                false
            }
            _ => false,
        };
        let start = pos;
        while let Some(d) = rest.get(pos).filter(|d| d.is_ascii_digit()) {
            exp = (exp * 10 + i64::from(d - b'0')).min(1 << 40);
            pos += 1;
        }
        if pos == start {
            return None;
        }
        if exp_negative {
            exp = -exp;
        }
    }
    if pos != rest.len() {
        return None;
    }
    let int_part = &rest[..int_len];
    let frac_part = if frac_len > 0 { &rest[int_len + 1..int_len + 1 + frac_len] } else { &[][..] };

    // Fast path: few digits, no exponent, written the way the double is.
    if !has_exp && int_len + frac_len <= 15 && !(int_len > 1 && int_part[0] == b'0') {
        let frac_trailing_zero = frac_part.last() == Some(&b'0');
        let int_zero = int_part.iter().all(|&d| d == b'0');
        let leading_frac_zeros = frac_part.iter().take_while(|&&d| d == b'0').count();
        let plain_as_double = !int_zero || frac_len == 0 || leading_frac_zeros < 3;
        if !frac_trailing_zero && plain_as_double && !(negative && int_zero && frac_part.iter().all(|&d| d == b'0')) {
            let mut mantissa: u64 = 0;
            for &d in int_part.iter().chain(frac_part) {
                mantissa = mantissa * 10 + u64::from(d - b'0');
            }
            let mut value = mantissa as f64 / POWERS_OF_TEN[frac_len];
            if negative {
                value = -value;
            }
            return Some(Val::Num(value));
        }
    }

    let value: f64 = text.trim_start_matches('+').parse().ok()?;
    let all: Vec<u8> = int_part.iter().chain(frac_part).copied().collect();
    let first = all.iter().position(|&d| d != b'0');
    let (digits, exponent) = match first {
        Some(first) => (String::from_utf8_lossy(&all[first..]).into_owned(), exp - frac_len as i64),
        None => ("0".to_owned(), exp - frac_len as i64),
    };
    let literal = Literal { value, negative, digits: digits.into(), exponent };
    let mut shortest = Vec::new();
    write_f64(&mut shortest, value);
    // Integers past 2^53 stay literals even when written as their double is,
    // so that two of them compare as decimals (jq: `13911860366432393 == 13911860366432392` is false).
    if value.is_finite() && value.abs() < 9007199254740992.0 && shortest == literal.text().as_bytes() {
        Some(Val::Num(value))
    } else {
        Some(Val::Lit(Rc::new(literal)))
    }
}

const POWERS_OF_TEN: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// Writes a double as jq does (its `jvp_dtoa_fmt`): the shortest digits
/// that read back as the same double; exponent form below 1e-4 or when
/// the exponent passes the digits by more than 15; infinities as the
/// largest finite doubles, NaN as `null`.
pub fn write_f64(out: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        out.extend_from_slice(b"null");
        return;
    }
    let x = x.clamp(f64::MIN, f64::MAX);
    if x.fract() == 0.0 && x.abs() < 1e16 {
        if x == 0.0 && x.is_sign_negative() {
            out.extend_from_slice(b"-0");
        } else {
            out.extend_from_slice((x as i64).to_string().as_bytes());
        }
        return;
    }
    // `{:e}` gives Rust's shortest round-trip digits: d.ddddde±n.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i64 = exp.parse().expect("an exponent");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let decpt = exp + 1;
    let n = digits.len() as i64;
    if x < 0.0 {
        out.push(b'-');
    }
    if decpt <= -4 || decpt > n + 15 {
        out.push(digits.as_bytes()[0]);
        if n > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits.as_bytes()[1..]);
        }
        out.push(b'e');
        let e = decpt - 1;
        out.push(if e < 0 { b'-' } else { b'+' });
        out.extend_from_slice(format!("{:02}", e.unsigned_abs()).as_bytes());
    } else if decpt <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-decpt) as usize));
        out.extend_from_slice(digits.as_bytes());
    } else if decpt >= n {
        out.extend_from_slice(digits.as_bytes());
        out.extend(std::iter::repeat_n(b'0', (decpt - n) as usize));
    } else {
        out.extend_from_slice(&digits.as_bytes()[..decpt as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits.as_bytes()[decpt as usize..]);
    }
}

/// A number value as jq writes it.
pub fn write_number(out: &mut Vec<u8>, value: &Val) {
    match value {
        Val::Num(x) => write_f64(out, *x),
        Val::Lit(literal) => out.extend_from_slice(literal.text().as_bytes()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shortest(x: f64) -> String {
        let mut out = Vec::new();
        write_f64(&mut out, x);
        String::from_utf8(out).unwrap()
    }

    fn literal(text: &str) -> String {
        let mut out = Vec::new();
        write_number(&mut out, &parse_literal(text).unwrap());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn doubles_are_written_as_jq_writes_them() {
        let cases = [
            (100.0, "100"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e17, "1e+17"),
            (123456789012345678.0, "123456789012345680"),
            (0.0001, "0.0001"),
            (1.1, "1.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (f64::INFINITY, "1.7976931348623157e+308"),
            (-0.0, "-0"),
            (1e300, "1e+300"),
        ];
        for (x, text) in cases {
            assert_eq!(shortest(x), text, "{x}");
        }
    }

    #[test]
    fn literals_keep_their_digits() {
        let cases = [
            ("1e2", "1E+2"),
            ("1.000", "1.000"),
            ("100", "100"),
            ("0.00001", "0.00001"),
            ("1.5e-7", "1.5E-7"),
            ("12.3e1", "123"),
            ("-0", "-0"),
            ("1E+1000", "1E+1000"),
            ("123456.7e3", "1.234567E+8"),
            ("100e-2", "1.00"),
            ("13911860366432393", "13911860366432393"),
            ("123.45", "123.45"),
            ("0.5", "0.5"),
        ];
        for (text, expected) in cases {
            assert_eq!(literal(text), expected, "{text}");
        }
        assert!(matches!(parse_literal("123.45"), Some(Val::Num(_))));
        assert!(matches!(parse_literal("13911860366432393"), Some(Val::Lit(_))));
    }

    #[test]
    fn literals_compare_exactly() {
        let lit = |t| match parse_literal(t) {
            Some(Val::Lit(l)) => l,
            other => panic!("{other:?}"),
        };
        assert_eq!(compare_literals(&lit("13911860366432393"), &lit("13911860366432392")), Ordering::Greater);
        assert_eq!(compare_literals(&lit("1.000"), &lit("1.00")), Ordering::Equal);
        assert_eq!(compare_literals(&lit("-1E+1000"), &lit("1E+1000")), Ordering::Less);
    }
}
