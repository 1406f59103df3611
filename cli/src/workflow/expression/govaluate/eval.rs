//! govaluate's evaluation (`evaluationStage.go`, `EvaluableExpression.go`):
//! each operator checks its operands' types first and fails with
//! govaluate's message (`Value 'x' cannot be used with the modifier '-', it
//! is not a number`); `==` is Go's `reflect.DeepEqual`; `+` joins strings
//! with `%v` when either side is one; `&&`, `||`, `?`, `:` and `??` short-
//! circuit; `in` needs a parenthesised list.

use std::collections::BTreeMap;

use regex::Regex;

use super::super::error::ExpressionError;
use super::super::go_format::format_v;
use super::super::value::GoValue;
use super::parser::Node;

pub(crate) fn compile_pattern(pattern: &str) -> Result<Regex, ExpressionError> {
    super::super::go_regex::compile(pattern).map_err(ExpressionError::syntax)
}

/// A value during evaluation: a Go value, a compiled pattern, or the
/// placeholder of a skipped operand.
#[derive(Clone)]
enum Operand {
    Value(GoValue),
    Pattern(Regex),
    /// No operand (a missing side of a stage), Go's nil interface.
    Absent,
}

impl Operand {
    fn display(&self) -> String {
        match self {
            Operand::Value(v) => format_v(v),
            Operand::Pattern(r) => r.as_str().to_string(),
            Operand::Absent => "<nil>".into(),
        }
    }

    fn value(&self) -> GoValue {
        match self {
            Operand::Value(v) => v.clone(),
            Operand::Pattern(r) => GoValue::Str(r.as_str().to_string()),
            Operand::Absent => GoValue::Nil,
        }
    }

    fn is_nil(&self) -> bool {
        matches!(self, Operand::Absent | Operand::Value(GoValue::Nil))
    }

    fn float(&self) -> Option<f64> {
        match self {
            Operand::Value(GoValue::Float(f)) => Some(*f),
            _ => None,
        }
    }

    fn string(&self) -> Option<&str> {
        match self {
            Operand::Value(GoValue::Str(s)) => Some(s),
            _ => None,
        }
    }

    fn boolean(&self) -> Option<bool> {
        match self {
            Operand::Value(GoValue::Bool(b)) => Some(*b),
            _ => None,
        }
    }
}

const LOGICAL: &str = "Value '{}' cannot be used with the logical operator '{}', it is not a bool";
const MODIFIER: &str = "Value '{}' cannot be used with the modifier '{}', it is not a number";
const COMPARATOR: &str = "Value '{}' cannot be used with the comparator '{}', it is not a number";
const TERNARY: &str = "Value '{}' cannot be used with the ternary operator '{}', it is not a bool";
const PREFIX: &str = "Value '{}' cannot be used with the prefix '{}'";

fn type_error(format: &str, value: &Operand, symbol: &str) -> ExpressionError {
    // `OperatorSymbol.String()` prints `==` as `=`.
    let symbol = if symbol == "==" { "=" } else { symbol };
    let message = format.replacen("{}", &value.display(), 1).replacen("{}", symbol, 1);
    ExpressionError::evaluation(message)
}

pub(crate) struct Evaluator<'a> {
    pub(crate) parameters: Option<&'a BTreeMap<String, GoValue>>,
}

impl Evaluator<'_> {
    pub(crate) fn evaluate(&self, node: &Node) -> Result<GoValue, ExpressionError> {
        Ok(self.eval(node)?.value())
    }

    fn parameter(&self, name: &str) -> Result<GoValue, ExpressionError> {
        self.parameters
            .and_then(|p| p.get(name))
            .map(|v| match v {
                GoValue::Int(i) => GoValue::Float(*i as f64),
                other => other.clone(),
            })
            .ok_or_else(|| ExpressionError::unknown_name(format!("No parameter '{name}' found.")))
    }

    fn eval_optional(&self, node: &Option<Box<Node>>) -> Result<Operand, ExpressionError> {
        match node {
            Some(node) => self.eval(node),
            None => Ok(Operand::Absent),
        }
    }

    fn eval(&self, node: &Node) -> Result<Operand, ExpressionError> {
        match node {
            Node::Literal(value) => Ok(Operand::Value(value.clone())),
            Node::Pattern(regex) => Ok(Operand::Pattern(regex.clone())),
            Node::Variable(name) => Ok(Operand::Value(self.parameter(name)?)),
            Node::Group(inner) => self.eval_optional(inner),
            Node::Accessor(path, arguments) => self.accessor(path, arguments.is_some()),
            Node::Prefix(symbol, operand) => {
                let right = self.eval(operand)?;
                match symbol.as_str() {
                    "-" => match right.float() {
                        Some(f) => Ok(Operand::Value(GoValue::Float(-f))),
                        None => Err(type_error(PREFIX, &right, "-")),
                    },
                    "!" => match right.boolean() {
                        Some(b) => Ok(Operand::Value(GoValue::Bool(!b))),
                        None => Err(type_error(PREFIX, &right, "!")),
                    },
                    _ => match right.float() {
                        Some(f) => Ok(Operand::Value(GoValue::Float(!(f as i64) as f64))),
                        None => Err(type_error(PREFIX, &right, "~")),
                    },
                }
            }
            Node::Binary(symbol, left, right) => self.binary(symbol, left, right),
        }
    }

    /// `makeAccessorStage`: fields of a parameter. A JSON object stands for
    /// Go's struct; its keys are the fields.
    fn accessor(&self, path: &[String], is_call: bool) -> Result<Operand, ExpressionError> {
        let mut value = match self.parameter(&path[0]) {
            Ok(value) => value,
            Err(error) => match self.parameter(&path.join(".")) {
                Ok(value) => return Ok(Operand::Value(value)),
                Err(_) => return Err(error),
            },
        };
        for i in 1..path.len() {
            let GoValue::Map(fields) = &value else {
                return Err(ExpressionError::evaluation(format!(
                    "Unable to access '{}', '{}' is not a struct",
                    path[i],
                    path[i - 1]
                )));
            };
            match fields.get(&path[i]) {
                Some(field) if !(is_call && i == path.len() - 1) => value = field.clone(),
                _ => {
                    return Err(ExpressionError::evaluation(format!(
                        "No method or field '{}' present on parameter '{}'",
                        path[i],
                        path[i - 1]
                    )));
                }
            }
        }
        Ok(Operand::Value(match value {
            GoValue::Int(i) => GoValue::Float(i as f64),
            other => other,
        }))
    }

    fn binary(
        &self,
        symbol: &str,
        left_node: &Option<Box<Node>>,
        right_node: &Option<Box<Node>>,
    ) -> Result<Operand, ExpressionError> {
        let left = self.eval_optional(left_node)?;
        let mut skip_right = false;
        match symbol {
            "&&" if left.boolean() == Some(false) => {
                return Ok(Operand::Value(GoValue::Bool(false)));
            }
            "||" if left.boolean() == Some(true) => {
                return Ok(Operand::Value(GoValue::Bool(true)));
            }
            "??" if !left.is_nil() => return Ok(left),
            "?" if left.boolean() == Some(false) => skip_right = true,
            ":" if !left.is_nil() => skip_right = true,
            _ => {}
        }
        let right = if skip_right { Operand::Absent } else { self.eval_optional(right_node)? };
        let bool_value = |b: bool| Ok(Operand::Value(GoValue::Bool(b)));
        let float_value = |f: f64| Ok(Operand::Value(GoValue::Float(f)));
        match symbol {
            "," => {
                // `separatorStage`: a list on the left is extended.
                let mut items = match &left {
                    Operand::Value(GoValue::List(items)) => items.clone(),
                    _ => vec![left.value()],
                };
                items.push(right.value());
                Ok(Operand::Value(GoValue::List(items)))
            }
            "?" => {
                let Some(condition) = left.boolean() else {
                    return Err(type_error(TERNARY, &left, "?"));
                };
                Ok(if condition { right } else { Operand::Absent })
            }
            ":" | "??" => Ok(if !left.is_nil() { left } else { right }),
            "&&" | "||" => {
                let (Some(a), Some(b)) = (left.boolean(), right.boolean()) else {
                    let culprit = if left.boolean().is_none() { &left } else { &right };
                    return Err(type_error(LOGICAL, culprit, symbol));
                };
                bool_value(if symbol == "&&" { a && b } else { a || b })
            }
            "==" => bool_value(deep_equal(&left, &right)),
            "!=" => bool_value(!deep_equal(&left, &right)),
            ">" | ">=" | "<" | "<=" => {
                let ordering = if let (Some(a), Some(b)) = (left.float(), right.float()) {
                    a.partial_cmp(&b)
                } else if let (Some(a), Some(b)) = (left.string(), right.string()) {
                    Some(a.cmp(b))
                } else {
                    return Err(type_error(COMPARATOR, &left, symbol));
                };
                let Some(ordering) = ordering else {
                    return bool_value(false);
                };
                bool_value(match symbol {
                    ">" => ordering.is_gt(),
                    ">=" => ordering.is_ge(),
                    "<" => ordering.is_lt(),
                    _ => ordering.is_le(),
                })
            }
            "=~" | "!~" => {
                let Some(text) = left.string() else {
                    return Err(type_error(COMPARATOR, &left, symbol));
                };
                let regex = match &right {
                    Operand::Pattern(regex) => regex.clone(),
                    Operand::Value(GoValue::Str(pattern)) => super::super::go_regex::compile(pattern).map_err(|e| {
                        ExpressionError::evaluation(format!("Unable to compile regexp pattern '{pattern}': {e}"))
                    })?,
                    other => return Err(type_error(COMPARATOR, other, symbol)),
                };
                let matched = regex.is_match(text);
                bool_value(if symbol == "=~" { matched } else { !matched })
            }
            "in" => {
                let Operand::Value(GoValue::List(items)) = &right else {
                    return Err(type_error(COMPARATOR, &right, symbol));
                };
                let needle = left.value();
                bool_value(items.iter().any(|item| interface_equal(item, &needle)))
            }
            "+" => {
                if left.string().is_some() || right.string().is_some() {
                    return Ok(Operand::Value(GoValue::Str(format!("{}{}", left.display(), right.display()))));
                }
                match (left.float(), right.float()) {
                    (Some(a), Some(b)) => float_value(a + b),
                    _ => Err(type_error(MODIFIER, &left, symbol)),
                }
            }
            _ => {
                let Some(a) = left.float() else {
                    return Err(type_error(MODIFIER, &left, symbol));
                };
                let Some(b) = right.float() else {
                    return Err(type_error(MODIFIER, &right, symbol));
                };
                float_value(match symbol {
                    "-" => a - b,
                    "*" => a * b,
                    "/" => a / b,
                    "%" => a % b,
                    "**" => a.powf(b),
                    "&" => ((a as i64) & (b as i64)) as f64,
                    "|" => ((a as i64) | (b as i64)) as f64,
                    "^" => ((a as i64) ^ (b as i64)) as f64,
                    "<<" => (a as u64).checked_shl(b as u32).unwrap_or(0) as f64,
                    ">>" => (a as u64).checked_shr(b as u32).unwrap_or(0) as f64,
                    other => {
                        return Err(ExpressionError::syntax(format!("unknown operator '{other}'")));
                    }
                })
            }
        }
    }
}

/// `reflect.DeepEqual` on two operands.
fn deep_equal(left: &Operand, right: &Operand) -> bool {
    match (left, right) {
        (Operand::Pattern(a), Operand::Pattern(b)) => a.as_str() == b.as_str(),
        (Operand::Pattern(_), _) | (_, Operand::Pattern(_)) => false,
        _ => left.value() == right.value(),
    }
}

/// Go's `==` on two `interface{}` values (what `in` uses): equal when the
/// same comparable type and value.
fn interface_equal(a: &GoValue, b: &GoValue) -> bool {
    match (a, b) {
        (GoValue::List(_), _) | (GoValue::Map(_), _) => false,
        _ => a == b,
    }
}
