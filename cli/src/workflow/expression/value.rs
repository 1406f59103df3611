//! The values both languages compute with: Go's `interface{}` as JSON
//! decoding and Argo's scope produce it (nil, bool, int, float64, string,
//! `[]interface{}`, `map[string]interface{}`), so int and float stay apart
//! where expr keeps them apart.

use std::collections::BTreeMap;

use super::error::ExpressionError;

/// A Go value of the kinds Argo's expressions meet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GoValue {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<GoValue>),
    Map(BTreeMap<String, GoValue>),
}

impl GoValue {
    /// From JSON keeping integers as ints (a scope value the runner gave).
    pub(crate) fn from_json(value: &serde_json::Value) -> Self {
        Self::convert(value, false)
    }

    /// From JSON as Go's `json.Unmarshal` into `interface{}` gives it: every
    /// number a float64.
    pub(crate) fn from_json_as_floats(value: &serde_json::Value) -> Self {
        Self::convert(value, true)
    }

    fn convert(value: &serde_json::Value, floats: bool) -> Self {
        match value {
            serde_json::Value::Null => GoValue::Nil,
            serde_json::Value::Bool(b) => GoValue::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) if !floats => GoValue::Int(i),
                _ => GoValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => GoValue::Str(s.clone()),
            serde_json::Value::Array(items) => GoValue::List(items.iter().map(|v| Self::convert(v, floats)).collect()),
            serde_json::Value::Object(map) => {
                GoValue::Map(map.iter().map(|(k, v)| (k.clone(), Self::convert(v, floats))).collect())
            }
        }
    }

    /// Parses JSON text as Go's `json.Unmarshal` into `interface{}` does.
    pub(crate) fn parse_go_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        Ok(Self::from_json_as_floats(&value))
    }

    /// Back to JSON; a float that is not finite has no JSON form (Go's
    /// `json: unsupported value: +Inf`).
    pub(crate) fn to_json(&self) -> Result<serde_json::Value, ExpressionError> {
        Ok(match self {
            GoValue::Nil => serde_json::Value::Null,
            GoValue::Bool(b) => serde_json::Value::Bool(*b),
            GoValue::Int(i) => serde_json::Value::from(*i),
            GoValue::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => serde_json::Value::Number(n),
                None => {
                    return Err(ExpressionError::evaluation(format!(
                        "json: unsupported value: {}",
                        super::go_format::format_float_v(*f)
                    )));
                }
            },
            GoValue::Str(s) => serde_json::Value::String(s.clone()),
            GoValue::List(items) => {
                serde_json::Value::Array(items.iter().map(GoValue::to_json).collect::<Result<_, _>>()?)
            }
            GoValue::Map(map) => {
                let mut object = serde_json::Map::new();
                for (k, v) in map {
                    object.insert(k.clone(), v.to_json()?);
                }
                serde_json::Value::Object(object)
            }
        })
    }

    /// Go's `%T` of this value, as error messages print it.
    pub(crate) fn go_type(&self) -> &'static str {
        match self {
            GoValue::Nil => "<nil>",
            GoValue::Bool(_) => "bool",
            GoValue::Int(_) => "int",
            GoValue::Float(_) => "float64",
            GoValue::Str(_) => "string",
            GoValue::List(_) => "[]interface {}",
            GoValue::Map(_) => "map[string]interface {}",
        }
    }

    pub(crate) fn is_number(&self) -> bool {
        matches!(self, GoValue::Int(_) | GoValue::Float(_))
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            GoValue::Int(i) => Some(*i as f64),
            GoValue::Float(f) => Some(*f),
            _ => None,
        }
    }
}
