//! A serde `Deserializer` over a [`Value`], in one of three [`Reading`]s:
//! the way Argo passes values (numbers and booleans may arrive as strings,
//! `"42"`, `"true"`, arrays and objects as JSON text), with or without a
//! string read from a number or boolean; or plain JSON, each value as its
//! own type. Errors keep the path of the field that failed.

use std::fmt;

use serde::de::{self, DeserializeSeed, Expected, IntoDeserializer, Unexpected, Visitor};

use crate::json::{self, Value};

/// Why a value could not be converted to or from a Rust type, and at which
/// field: `tags.[2]: expected u32, got the string "x"`.
#[derive(Debug)]
pub struct ValueError {
    /// Field names and array indexes from the outermost value inward.
    pub(crate) path: Vec<String>,
    pub(crate) kind: ValueErrorKind,
}

#[derive(Debug)]
pub(crate) enum ValueErrorKind {
    Message(String),
    MissingField(&'static str),
    UnknownField(String, &'static [&'static str]),
}

impl ValueError {
    pub(crate) fn at(mut self, segment: String) -> Self {
        self.path.insert(0, segment);
        self
    }

    /// The message without the path.
    pub(crate) fn reason(&self) -> String {
        match &self.kind {
            ValueErrorKind::Message(m) => m.clone(),
            ValueErrorKind::MissingField(f) => format!("missing field \"{f}\""),
            ValueErrorKind::UnknownField(f, expected) => {
                format!("unknown field \"{f}\" (expected one of: {})", expected.join(", "))
            }
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path.join("."))?;
        }
        f.write_str(&self.reason())
    }
}

impl std::error::Error for ValueError {}

impl de::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ValueError { path: Vec::new(), kind: ValueErrorKind::Message(msg.to_string()) }
    }

    fn missing_field(field: &'static str) -> Self {
        ValueError { path: Vec::new(), kind: ValueErrorKind::MissingField(field) }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        ValueError { path: Vec::new(), kind: ValueErrorKind::UnknownField(field.to_owned(), expected) }
    }

    // The next two replace serde's defaults, whose messages format floats
    // and so would put float formatting in every module.
    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        de::Error::custom(format_args!("expected {expected}, got {}", describe(unexpected)))
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        de::Error::custom(format_args!("expected {expected}, got {}", describe(unexpected)))
    }
}

/// What serde saw, in the words of [`Value::describe`].
fn describe(unexpected: Unexpected<'_>) -> String {
    match unexpected {
        Unexpected::Bool(b) => format!("the boolean {b}"),
        Unexpected::Unsigned(n) => format!("the number {n}"),
        Unexpected::Signed(n) => format!("the number {n}"),
        Unexpected::Float(_) => "a fractional number".into(),
        Unexpected::Char(c) => format!("the character \"{c}\""),
        Unexpected::Str(s) => Value::from(s).describe(),
        Unexpected::Bytes(_) => "bytes".into(),
        Unexpected::Unit => "null".into(),
        Unexpected::Seq => "an array".into(),
        Unexpected::Map => "an object".into(),
        Unexpected::Option => "an optional value".into(),
        Unexpected::NewtypeStruct => "a newtype struct".into(),
        Unexpected::Enum => "an enum".into(),
        Unexpected::UnitVariant | Unexpected::NewtypeVariant | Unexpected::TupleVariant | Unexpected::StructVariant => {
            "an enum variant".into()
        }
        Unexpected::Other(other) => other.to_owned(),
    }
}

fn mismatch(value: &Value, expected: &dyn Expected) -> ValueError {
    de::Error::custom(format_args!("expected {expected}, got {}", value.describe()))
}

/// How strictly a value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// Argo's way, both directions: a number or boolean from its text, and a
    /// string from a number or boolean (`parameter::<String>` on `42`).
    Lenient,
    /// Argo's way for numbers, booleans, arrays and objects, but a string
    /// only from a string: what a typed input's fields read.
    Typed,
    /// Plain JSON: each value only as its own type.
    Json,
}

/// Deserializes `T` from `value`, read as `reading` says.
pub(crate) fn from_value<T: de::DeserializeOwned>(value: &Value, reading: Reading) -> Result<T, ValueError> {
    T::deserialize(ArgoValue(value, reading))
}

/// The deserializer: a borrowed value and how to read it.
#[derive(Clone, Copy)]
pub(crate) struct ArgoValue<'a>(pub(crate) &'a Value, pub(crate) Reading);

impl<'a> ArgoValue<'a> {
    /// The text of a number, or of a string holding one (except in JSON).
    fn number_text(&self) -> Option<&'a str> {
        match self.0 {
            Value::Number(n) => Some(n.as_str()),
            Value::String(s) if self.1 != Reading::Json => Some(s.trim()),
            _ => None,
        }
    }

    fn inner<'b>(&self, value: &'b Value) -> ArgoValue<'b> {
        ArgoValue(value, self.1)
    }

    /// Parses a string holding JSON (an array or object sent as text) and
    /// hands it to `then`.
    fn embedded<'de, V: Visitor<'de>>(
        self,
        text: &str,
        visitor: V,
        then: fn(ArgoValue<'_>, V) -> Result<V::Value, ValueError>,
    ) -> Result<V::Value, ValueError> {
        match json::parse(text) {
            Ok(inner @ (Value::Array(_) | Value::Object(_))) => then(ArgoValue(&inner, self.1), visitor),
            _ => Err(mismatch(&Value::String(text.to_owned()), &visitor)),
        }
    }

    fn integer<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        let text = self.number_text();
        if let Some(n) = text.and_then(|t| t.parse::<u64>().ok()) {
            visitor.visit_u64(n)
        } else if let Some(n) = text.and_then(|t| t.parse::<i64>().ok()) {
            visitor.visit_i64(n)
        } else {
            Err(mismatch(self.0, &visitor))
        }
    }

    fn float<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.number_text().and_then(|t| t.parse::<f64>().ok()).filter(|f| f.is_finite()) {
            Some(f) => visitor.visit_f64(f),
            None => Err(mismatch(self.0, &visitor)),
        }
    }
}

macro_rules! integers {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
            self.integer(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ArgoValue<'_> {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => visitor.visit_u64(u),
                (None, Some(i)) => visitor.visit_i64(i),
                _ => self.float(visitor),
            },
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => visitor.visit_seq(Seq { items: items.iter(), index: 0, reading: self.1 }),
            Value::Object(members) => {
                visitor.visit_map(Map { members: members.iter(), pending: None, reading: self.1 })
            }
        }
    }

    integers!(deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
              deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.float(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.float(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::String(s) if self.1 != Reading::Json && s.trim().eq_ignore_ascii_case("true") => {
                visitor.visit_bool(true)
            }
            Value::String(s) if self.1 != Reading::Json && s.trim().eq_ignore_ascii_case("false") => {
                visitor.visit_bool(false)
            }
            other => Err(mismatch(other, &visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.0 {
            Value::String(s) => visitor.visit_str(s),
            Value::Number(n) if self.1 == Reading::Lenient => visitor.visit_str(n.as_str()),
            Value::Bool(b) if self.1 == Reading::Lenient => visitor.visit_str(if *b { "true" } else { "false" }),
            other => Err(mismatch(other, &visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.0 {
            Value::String(s) => visitor.visit_bytes(s.as_bytes()),
            _ => self.deserialize_seq(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            other => Err(mismatch(other, &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Seq { items: items.iter(), index: 0, reading: self.1 }),
            Value::String(s) if self.1 != Reading::Json => {
                self.embedded(s, visitor, |inner, v| inner.deserialize_seq(v))
            }
            other => Err(mismatch(other, &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.0 {
            Value::Object(members) => {
                visitor.visit_map(Map { members: members.iter(), pending: None, reading: self.1 })
            }
            Value::String(s) if self.1 != Reading::Json => {
                self.embedded(s, visitor, |inner, v| inner.deserialize_map(v))
            }
            other => Err(mismatch(other, &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Object(members) if members.len() == 1 => {
                let (variant, value) = &members[0];
                visitor.visit_enum(Variant { name: variant, value: self.inner(value) })
            }
            other => Err(mismatch(other, &visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_unit()
    }
}

struct Seq<'a> {
    items: std::slice::Iter<'a, Value>,
    index: usize,
    reading: Reading,
}

impl<'de> de::SeqAccess<'de> for Seq<'_> {
    type Error = ValueError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, ValueError> {
        let Some(item) = self.items.next() else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        seed.deserialize(ArgoValue(item, self.reading)).map(Some).map_err(|e| e.at(format!("[{index}]")))
    }
}

struct Map<'a> {
    members: std::slice::Iter<'a, (String, Value)>,
    pending: Option<&'a (String, Value)>,
    reading: Reading,
}

impl<'de> de::MapAccess<'de> for Map<'_> {
    type Error = ValueError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, ValueError> {
        let Some(member) = self.members.next() else { return Ok(None) };
        self.pending = Some(member);
        // Keys are strings in JSON; a map with number keys reads them from their text.
        seed.deserialize(ArgoValue(&Value::String(member.0.clone()), Reading::Lenient)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ValueError> {
        let (key, value) = self.pending.take().expect("serde asks for a key before its value");
        seed.deserialize(ArgoValue(value, self.reading)).map_err(|e| e.at(key.clone()))
    }
}

struct Variant<'a> {
    name: &'a str,
    value: ArgoValue<'a>,
}

impl<'de, 'a> de::EnumAccess<'de> for Variant<'a> {
    type Error = ValueError;
    type Variant = ArgoValue<'a>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, ArgoValue<'a>), ValueError> {
        let variant = seed.deserialize(self.name.into_deserializer())?;
        Ok((variant, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for ArgoValue<'_> {
    type Error = ValueError;

    fn unit_variant(self) -> Result<(), ValueError> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, ValueError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, ValueError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}
