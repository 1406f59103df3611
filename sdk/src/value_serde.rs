//! serde at the edges of [`Value`]: a `Serializer` into it ([`to_value`]),
//! `Serialize` and `Deserialize` for it, and plain-JSON reading out of it
//! ([`from_value`]).
//!
//! Everything here is generic, so a module pays for it only where it
//! serializes or deserializes a type of its own.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, Serializer};

use crate::argo_value::{self, Reading, ValueError};
use crate::json::{Number, Value};

/// The name under which a [`Value`]'s non-integer number passes its exact
/// text to [`to_value`] (other serializers see a newtype struct holding the
/// text, as serde_json's arbitrary-precision numbers do).
const NUMBER_TOKEN: &str = "$wasm_workflows_sdk::json::Number";

/// Converts any `Serialize` value into a [`Value`].
///
/// ```
/// use wasm_workflows_sdk::json::{self, Value};
///
/// #[derive(serde::Serialize)]
/// struct Size { width: u32, height: u32 }
///
/// let value = json::to_value(&Size { width: 640, height: 480 })?;
/// assert_eq!(value.to_string(), r#"{"width":640,"height":480}"#);
/// # Ok::<(), json::ValueError>(())
/// ```
///
/// Map keys become strings (numbers, booleans and characters as their text);
/// a float that JSON cannot hold (NaN, an infinity) becomes `null`. It fails
/// only on a map key of another kind or on an error of the type's own
/// `Serialize`.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, ValueError> {
    value.serialize(ValueSerializer)
}

/// Converts a [`Value`] into any `Deserialize` type, each value read as its
/// own JSON type (a string is not read as a number). For parameters, which
/// Argo passes as strings, use
/// [`PluginInvocation::parameter`](crate::protocol::PluginInvocation::parameter)
/// or a typed input ([`FromInvocation`](crate::FromInvocation)).
///
/// ```
/// use wasm_workflows_sdk::json;
///
/// #[derive(serde::Deserialize)]
/// struct Size { width: u32, height: u32 }
///
/// let size: Size = json::from_value(&json::parse(r#"{"width": 640, "height": 480}"#).unwrap())?;
/// assert_eq!((size.width, size.height), (640, 480));
///
/// let wrong = json::from_value::<Size>(&json::parse(r#"{"width": "640", "height": 480}"#).unwrap());
/// assert_eq!(wrong.err().unwrap().to_string(), r#"width: expected u32, got the string "640""#);
/// # Ok::<(), json::ValueError>(())
/// ```
pub fn from_value<T: de::DeserializeOwned>(value: &Value) -> Result<T, ValueError> {
    argo_value::from_value(value, Reading::Json)
}

impl ser::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        <ValueError as de::Error>::custom(msg)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => serializer.serialize_u64(u),
                (None, Some(i)) => serializer.serialize_i64(i),
                // No float code: the text goes through as it is.
                _ => serializer.serialize_newtype_struct(NUMBER_TOKEN, n.as_str()),
            },
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => serializer.collect_seq(items),
            Value::Object(members) => serializer.collect_map(members.iter().map(|(k, v)| (k, v))),
        }
    }
}

/// A `Value` read through serde keeps its integers exactly; other numbers
/// come through as `f64` (`1.50` reads as `1.5`).
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry()? {
            members.push(member);
        }
        Ok(Value::Object(members))
    }
}

/// The serializer behind [`to_value`].
struct ValueSerializer;

fn number(text: String) -> Value {
    Value::Number(Number::from_text_unchecked(text))
}

macro_rules! integers {
    ($($method:ident: $t:ty)*) => {$(
        fn $method(self, n: $t) -> Result<Value, ValueError> {
            Ok(number(n.to_string()))
        }
    )*};
}

impl Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ValueError;
    type SerializeSeq = SeqSerializer;
    type SerializeTuple = SeqSerializer;
    type SerializeTupleStruct = SeqSerializer;
    type SerializeTupleVariant = VariantSerializer<SeqSerializer>;
    type SerializeMap = MapSerializer;
    type SerializeStruct = MapSerializer;
    type SerializeStructVariant = VariantSerializer<MapSerializer>;

    fn serialize_bool(self, b: bool) -> Result<Value, ValueError> {
        Ok(Value::Bool(b))
    }

    integers!(serialize_i8: i8 serialize_i16: i16 serialize_i32: i32 serialize_i64: i64 serialize_i128: i128
              serialize_u8: u8 serialize_u16: u16 serialize_u32: u32 serialize_u64: u64 serialize_u128: u128);

    fn serialize_f32(self, n: f32) -> Result<Value, ValueError> {
        Ok(Value::from(n))
    }

    fn serialize_f64(self, n: f64) -> Result<Value, ValueError> {
        Ok(Value::from(n))
    }

    fn serialize_char(self, c: char) -> Result<Value, ValueError> {
        Ok(Value::String(c.to_string()))
    }

    fn serialize_str(self, s: &str) -> Result<Value, ValueError> {
        Ok(Value::String(s.to_owned()))
    }

    fn serialize_bytes(self, bytes: &[u8]) -> Result<Value, ValueError> {
        Ok(Value::Array(bytes.iter().map(|b| Value::from(*b)).collect()))
    }

    fn serialize_none(self) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ValueError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ValueError> {
        Ok(Value::String(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, ValueError> {
        match value.serialize(self)? {
            Value::String(text) if name == NUMBER_TOKEN => Ok(number(text)),
            other => Ok(other),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, ValueError> {
        Ok(Value::Object(vec![(variant.to_owned(), value.serialize(self)?)]))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSerializer, ValueError> {
        Ok(SeqSerializer(Vec::with_capacity(len.unwrap_or(0))))
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSerializer, ValueError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSerializer, ValueError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<SeqSerializer>, ValueError> {
        Ok(VariantSerializer { variant, inner: self.serialize_seq(Some(len))? })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<MapSerializer, ValueError> {
        Ok(MapSerializer { members: Vec::with_capacity(len.unwrap_or(0)), key: None })
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSerializer, ValueError> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<MapSerializer>, ValueError> {
        Ok(VariantSerializer { variant, inner: self.serialize_map(Some(len))? })
    }
}

/// An array being serialized.
struct SeqSerializer(Vec<Value>);

impl ser::SerializeSeq for SeqSerializer {
    type Ok = Value;
    type Error = ValueError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        let index = self.0.len();
        self.0.push(value.serialize(ValueSerializer).map_err(|e| e.at(format!("[{index}]")))?);
        Ok(())
    }

    fn end(self) -> Result<Value, ValueError> {
        Ok(Value::Array(self.0))
    }
}

impl ser::SerializeTuple for SeqSerializer {
    type Ok = Value;
    type Error = ValueError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<Value, ValueError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqSerializer {
    type Ok = Value;
    type Error = ValueError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<Value, ValueError> {
        ser::SerializeSeq::end(self)
    }
}

/// An object being serialized.
struct MapSerializer {
    members: Vec<(String, Value)>,
    key: Option<String>,
}

impl ser::SerializeMap for MapSerializer {
    type Ok = Value;
    type Error = ValueError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ValueError> {
        self.key = Some(match key.serialize(ValueSerializer)? {
            Value::String(s) => s,
            Value::Number(n) => n.as_str().to_owned(),
            Value::Bool(b) => b.to_string(),
            other => {
                return Err(<ValueError as ser::Error>::custom(format_args!(
                    "a map key must be a string, a number or a boolean, not {}",
                    other.describe()
                )));
            }
        });
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        let key = self.key.take().unwrap_or_default();
        let value = value.serialize(ValueSerializer).map_err(|e| e.at(key.clone()))?;
        self.members.push((key, value));
        Ok(())
    }

    fn end(self) -> Result<Value, ValueError> {
        Ok(Value::Object(self.members))
    }
}

impl ser::SerializeStruct for MapSerializer {
    type Ok = Value;
    type Error = ValueError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), ValueError> {
        let value = value.serialize(ValueSerializer).map_err(|e| e.at(key.to_owned()))?;
        self.members.push((key.to_owned(), value));
        Ok(())
    }

    fn end(self) -> Result<Value, ValueError> {
        ser::SerializeMap::end(self)
    }
}

/// An enum variant with data: `{"Variant": ...}`.
struct VariantSerializer<Inner> {
    variant: &'static str,
    inner: Inner,
}

impl ser::SerializeTupleVariant for VariantSerializer<SeqSerializer> {
    type Ok = Value;
    type Error = ValueError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        ser::SerializeSeq::serialize_element(&mut self.inner, value)
    }

    fn end(self) -> Result<Value, ValueError> {
        Ok(Value::Object(vec![(self.variant.to_owned(), ser::SerializeSeq::end(self.inner)?)]))
    }
}

impl ser::SerializeStructVariant for VariantSerializer<MapSerializer> {
    type Ok = Value;
    type Error = ValueError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), ValueError> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }

    fn end(self) -> Result<Value, ValueError> {
        Ok(Value::Object(vec![(self.variant.to_owned(), ser::SerializeMap::end(self.inner)?)]))
    }
}
