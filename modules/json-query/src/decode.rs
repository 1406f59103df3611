//! jq's decoders `@base64d` and `@urid`: what they accept, what they give
//! for bytes that are not UTF-8, and their error messages.

use crate::value::{Error, Val, error};

/// `@base64d`: padding optional, decoding stops at the first `=`; one
/// lone character left over, or a character outside the alphabet, fails.
/// Bytes that are not UTF-8 become U+FFFD.
pub fn base64(text: &str) -> Result<Val, Error> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut bits, mut count, mut chars) = (0u32, 0u32, 0usize);
    for c in text.bytes() {
        let digit = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return Err(error(format!("{} is not valid base64 data", Val::str(text).described()))),
        };
        chars += 1;
        bits = (bits << 6) | u32::from(digit);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    if chars % 4 == 1 {
        return Err(error(format!("{} trailing base64 byte found", Val::str(text).described())));
    }
    Ok(Val::from(String::from_utf8_lossy(&out).into_owned()))
}

/// `@urid`: `%XX` escapes decoded; a `%` without two hexadecimal digits,
/// or escapes that do not make UTF-8, fail.
pub fn uri(text: &str) -> Result<Val, Error> {
    let invalid = || error(format!("{} is not a valid uri encoding", Val::str(text).described()));
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).ok_or_else(invalid)?;
            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                return Err(invalid());
            }
            out.push(u8::from_str_radix(hex, 16).map_err(|_| invalid())?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map(Val::from).map_err(|_| invalid())
}
