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
    #[inline]
    pub fn see(&mut self, value: &[u8]) {
        if value.is_empty() || *self == Inference::Text {
            return;
        }
        let kind = kind(value);
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

/// What a non-empty `value` is, in one look at its bytes: `Integer` (an
/// optional sign and digits, in the range of a 64-bit integer), `Real` (a
/// decimal number: sign, digits with an optional point and at least one
/// digit, an optional exponent; no spaces, no `inf`, no hexadecimal) or
/// `Text`.
fn kind(value: &[u8]) -> Inference {
    let body = unsigned(value);
    let digits_from = |at: usize| body[at..].iter().position(|b| !b.is_ascii_digit()).map_or(body.len(), |n| at + n);
    let whole = digits_from(0);
    if whole == body.len() {
        return match whole {
            0 => Inference::Text,
            // Up to 18 digits always fit in 64 bits; more are parsed to see.
            1..=18 => Inference::Integer,
            _ if std::str::from_utf8(value).is_ok_and(|text| text.parse::<i64>().is_ok()) => Inference::Integer,
            _ => Inference::Real,
        };
    }
    let mut at = whole;
    let mut fraction = 0;
    if body[at] == b'.' {
        let end = digits_from(at + 1);
        fraction = end - at - 1;
        at = end;
    }
    if whole == 0 && fraction == 0 {
        return Inference::Text;
    }
    if at == body.len() {
        return Inference::Real;
    }
    if body[at] == b'e' || body[at] == b'E' {
        let exponent = unsigned(&body[at + 1..]);
        if !exponent.is_empty() && exponent.iter().all(u8::is_ascii_digit) {
            return Inference::Real;
        }
    }
    Inference::Text
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
        assert_eq!(infer(&["999999999999999999", "-9223372036854775808"]), ColumnType::Integer);
        assert_eq!(infer(&["9223372036854775808"]), ColumnType::Real);
        assert_eq!(infer(&["1e+5", "-2.5E-3", "+.5"]), ColumnType::Real);
        for text in
            ["0x10", " 1", "1 ", "inf", "NaN", "1e", ".", "e5", "1.2.3", "--1", "+", "-", "1e+", "1.5x", "1e5.0", ".e1"]
        {
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
