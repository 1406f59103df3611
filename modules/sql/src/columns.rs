//! Column names and types of the tables made from artifacts.
//!
//! Names follow `sqlite3`'s `.import`: an empty name becomes `?`, and names
//! that appear more than once (SQLite's names ignore ASCII case) become
//! `name_N`, N the column's position from 1. Types are inferred from the
//! values of a column: `INTEGER` when every non-empty value is an integer
//! that fits 64 bits, `REAL` when every one is a decimal number, else
//! `TEXT` (what `.import` declares for every column).

/// A column's declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Every non-empty value is an integer.
    Integer,
    /// Every non-empty value is a number, some with a fraction or exponent.
    Real,
    /// Anything else (and a column with no non-empty value).
    Text,
    /// No declared type: values keep the type they are given (JSON's).
    Any,
}

impl ColumnType {
    /// The type as written in `CREATE TABLE`.
    pub fn sql(self) -> &'static str {
        match self {
            ColumnType::Integer => " INTEGER",
            ColumnType::Real => " REAL",
            ColumnType::Text => " TEXT",
            ColumnType::Any => "",
        }
    }

    /// Whether an empty field becomes NULL (numbers) or stays `''`.
    pub fn empty_is_null(self) -> bool {
        matches!(self, ColumnType::Integer | ColumnType::Real)
    }
}

/// What the values of a column seen so far have in common.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Inference {
    /// Only empty values so far.
    #[default]
    Empty,
    /// Integers.
    Integer,
    /// Numbers.
    Real,
    /// Something else.
    Text,
}

impl Inference {
    /// Takes in one more value.
    pub fn see(&mut self, value: &[u8]) {
        if value.is_empty() || *self == Inference::Text {
            return;
        }
        let kind = if is_integer(value) {
            Inference::Integer
        } else if is_real(value) {
            Inference::Real
        } else {
            Inference::Text
        };
        *self = match (*self, kind) {
            (Inference::Empty, kind) => kind,
            (_, Inference::Text) | (Inference::Text, _) => Inference::Text,
            (Inference::Integer, Inference::Integer) => Inference::Integer,
            _ => Inference::Real,
        };
    }

    /// The declared type this gives.
    pub fn column_type(self) -> ColumnType {
        match self {
            Inference::Integer => ColumnType::Integer,
            Inference::Real => ColumnType::Real,
            Inference::Empty | Inference::Text => ColumnType::Text,
        }
    }
}

/// `value` without a leading `+` or `-`.
fn unsigned(value: &[u8]) -> &[u8] {
    match value.first() {
        Some(b'+' | b'-') => &value[1..],
        _ => value,
    }
}

/// An optional sign and digits, in the range of a 64-bit integer.
fn is_integer(value: &[u8]) -> bool {
    let digits = unsigned(value);
    !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && std::str::from_utf8(value).is_ok_and(|text| text.parse::<i64>().is_ok())
}

/// A decimal number: sign, digits with an optional point (at least one
/// digit), an optional exponent. No spaces, no `inf`, no hexadecimal.
fn is_real(value: &[u8]) -> bool {
    let body = unsigned(value);
    let (mantissa, exponent) = match body.iter().position(|&b| b == b'e' || b == b'E') {
        Some(at) => (&body[..at], Some(unsigned(&body[at + 1..]))),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.iter().position(|&b| b == b'.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, &[][..]),
    };
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let mantissa_ok = (!whole.is_empty() || !fraction.is_empty()) && digits(whole) && digits(fraction);
    mantissa_ok && exponent.is_none_or(|e| !e.is_empty() && digits(e))
}

/// The header's names made unique as `.import` makes them.
pub fn unique_names(header: &[String]) -> Vec<String> {
    let names: Vec<String> = header.iter().map(|n| if n.is_empty() { "?".to_owned() } else { n.clone() }).collect();
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if lower.iter().filter(|other| **other == lower[i]).count() > 1 {
                format!("{name}_{}", i + 1)
            } else {
                name.clone()
            }
        })
        .collect()
}

/// `name` as an SQL identifier in double quotes.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(values: &[&str]) -> ColumnType {
        let mut inference = Inference::default();
        values.iter().for_each(|v| inference.see(v.as_bytes()));
        inference.column_type()
    }

    #[test]
    fn types_from_values() {
        assert_eq!(infer(&["1", "-2", "", "+3"]), ColumnType::Integer);
        assert_eq!(infer(&["1", "2.5", "1e3", ".5", "5."]), ColumnType::Real);
        assert_eq!(infer(&["1", "x"]), ColumnType::Text);
        assert_eq!(infer(&["", ""]), ColumnType::Text);
        assert_eq!(infer(&["99999999999999999999"]), ColumnType::Real);
        for text in ["0x10", " 1", "1 ", "inf", "NaN", "1e", ".", "e5", "1.2.3", "--1"] {
            assert_eq!(infer(&[text]), ColumnType::Text, "{text}");
        }
    }

    #[test]
    fn names_like_import() {
        let header: Vec<String> = ["id", "name", "", "Name", "x"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unique_names(&header), ["id", "name_2", "?", "Name_4", "x"]);
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
