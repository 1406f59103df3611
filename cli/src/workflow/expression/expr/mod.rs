//! expr-lang/expr (v1.17.8, the version Argo v4.1 vendors): lexer, parser,
//! a tree-walking evaluator with expr's runtime semantics, its builtins, and
//! the functions Argo adds to the env (`sprig`, `jsonpath`, `toJson`,
//! `asInt`, `asFloat`).

mod ast;
mod builtins;
pub(crate) mod env;
pub(crate) mod identifiers;
mod jsonpath;
mod lexer;
mod operators;
mod parser;
mod sprig;

use std::collections::BTreeMap;

use regex::Regex;

use super::error::ExpressionError;
use super::value::GoValue;
use ast::Node;
use operators::{as_bool, as_str, invalid};

/// Parses and evaluates `expression` against `env` (already expanded).
pub(crate) fn evaluate(expression: &str, env: &BTreeMap<String, GoValue>) -> Result<GoValue, ExpressionError> {
    let node = parser::parse(expression)?;
    check_names(&node, env, &mut Vec::new()).map_err(|error| {
        let name = error.message().strip_prefix("unknown name ").unwrap_or_default();
        match parser::name_position(expression, name) {
            Some(position) => lexer::locate(error, expression, position),
            None => error,
        }
    })?;
    let mut evaluator = Evaluator { env, locals: Vec::new(), frames: Vec::new() };
    match evaluator.eval(&node) {
        Ok(value) => Ok(value),
        Err(Flow::NilChain) => Ok(GoValue::Nil),
        Err(Flow::Error(error)) => Err(error),
    }
}

/// What expr's checker reports before running: a name that is neither in
/// the env, a `let` variable, nor a function Argo adds.
fn check_names(node: &Node, env: &BTreeMap<String, GoValue>, locals: &mut Vec<String>) -> Result<(), ExpressionError> {
    let check = |n: &Node, locals: &mut Vec<String>| check_names(n, env, locals);
    match node {
        Node::Identifier(name) => {
            if !env.contains_key(name) && !locals.contains(name) && !env::ARGO_FUNCTIONS.contains(&name.as_str()) {
                return Err(ExpressionError::unknown_name(format!("unknown name {name}")));
            }
        }
        Node::Unary(_, inner) | Node::Predicate(inner) | Node::Chain(inner) => check(inner, locals)?,
        Node::Binary(_, a, b) => {
            check(a, locals)?;
            check(b, locals)?;
        }
        Node::Member { node, property, .. } => {
            check(node, locals)?;
            check(property, locals)?;
        }
        Node::Slice { node, from, to } => {
            check(node, locals)?;
            for bound in [from, to].into_iter().flatten() {
                check(bound, locals)?;
            }
        }
        Node::Call { callee, arguments } => {
            check(callee, locals)?;
            for argument in arguments {
                check(argument, locals)?;
            }
        }
        Node::Builtin { arguments, .. } | Node::Array(arguments) | Node::Sequence(arguments) => {
            for argument in arguments {
                check(argument, locals)?;
            }
        }
        Node::Conditional(a, b, c) => {
            check(a, locals)?;
            check(b, locals)?;
            check(c, locals)?;
        }
        Node::Map(pairs) => {
            for (key, value) in pairs {
                check(key, locals)?;
                check(value, locals)?;
            }
        }
        Node::Let { name, value, body } => {
            check(value, locals)?;
            locals.push(name.clone());
            let result = check(body, locals);
            locals.pop();
            result?;
        }
        Node::Nil | Node::Bool(_) | Node::Int(_) | Node::Float(_) | Node::Str(_) | Node::Pointer(_) => {}
    }
    Ok(())
}

/// Why evaluation stopped: an error, or an optional chain (`a?.b`) that
/// met nil and makes its whole chain nil.
pub(super) enum Flow {
    Error(ExpressionError),
    NilChain,
}

impl From<ExpressionError> for Flow {
    fn from(error: ExpressionError) -> Self {
        Flow::Error(error)
    }
}

type Evaluated = Result<GoValue, Flow>;

/// The element a closure is looking at (`#`), its index (`#index`) and
/// `reduce`'s accumulator (`#acc`).
struct Frame {
    item: GoValue,
    index: usize,
    accumulator: Option<GoValue>,
}

pub(super) struct Evaluator<'a> {
    env: &'a BTreeMap<String, GoValue>,
    locals: Vec<(String, GoValue)>,
    frames: Vec<Frame>,
}

impl Evaluator<'_> {
    fn eval(&mut self, node: &Node) -> Evaluated {
        Ok(match node {
            Node::Nil => GoValue::Nil,
            Node::Bool(b) => GoValue::Bool(*b),
            Node::Int(i) => GoValue::Int(*i),
            Node::Float(f) => GoValue::Float(*f),
            Node::Str(s) => GoValue::Str(s.clone()),
            Node::Identifier(name) => self.identifier(name)?,
            Node::Pointer(name) => self.pointer(name)?,
            Node::Unary(op, operand) => {
                let value = self.eval(operand)?;
                match op.as_str() {
                    "not" | "!" => GoValue::Bool(!as_bool(&value)?),
                    "-" => operators::negate(&value)?,
                    _ => value,
                }
            }
            Node::Binary(op, left, right) => self.binary(op, left, right)?,
            Node::Member { node, property, optional } => {
                let base = self.eval(node)?;
                if *optional && base == GoValue::Nil {
                    return Err(Flow::NilChain);
                }
                let key = self.eval(property)?;
                if base == GoValue::Nil {
                    return Err(invalid(format!("cannot fetch {} from <nil>", super::go_format::format_v(&key))).into());
                }
                operators::fetch(&base, &key)?
            }
            Node::Slice { node, from, to } => {
                let value = self.eval(node)?;
                let from = match from {
                    Some(n) => Some(self.eval(n)?),
                    None => None,
                };
                let to = match to {
                    Some(n) => Some(self.eval(n)?),
                    None => None,
                };
                operators::slice(&value, from.as_ref(), to.as_ref())?
            }
            Node::Call { callee, arguments } => self.call(callee, arguments)?,
            Node::Builtin { name, arguments } => self.builtin(name, arguments)?,
            Node::Predicate(body) => self.eval(body)?,
            Node::Chain(inner) => match self.eval(inner) {
                Err(Flow::NilChain) => GoValue::Nil,
                other => other?,
            },
            Node::Conditional(condition, then, otherwise) => {
                if as_bool(&self.eval(condition)?)? {
                    self.eval(then)?
                } else {
                    self.eval(otherwise)?
                }
            }
            Node::Array(nodes) => GoValue::List(nodes.iter().map(|n| self.eval(n)).collect::<Result<_, _>>()?),
            Node::Map(pairs) => {
                let mut map = BTreeMap::new();
                for (key, value) in pairs {
                    let key = match self.eval(key)? {
                        GoValue::Str(s) => s,
                        other => super::go_format::format_v(&other),
                    };
                    let value = self.eval(value)?;
                    map.insert(key, value);
                }
                GoValue::Map(map)
            }
            Node::Let { name, value, body } => {
                let value = self.eval(value)?;
                self.locals.push((name.clone(), value));
                let result = self.eval(body);
                self.locals.pop();
                result?
            }
            Node::Sequence(nodes) => {
                let mut last = GoValue::Nil;
                for n in nodes {
                    last = self.eval(n)?;
                }
                last
            }
        })
    }

    fn identifier(&self, name: &str) -> Result<GoValue, ExpressionError> {
        if let Some((_, value)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return Ok(value.clone());
        }
        if let Some(value) = self.env.get(name) {
            return Ok(value.clone());
        }
        if env::ARGO_FUNCTIONS.contains(&name) {
            return Err(ExpressionError::unsupported(format!(
                "{name} is a function here: call it ({name}(…)); function values are not supported"
            )));
        }
        Err(ExpressionError::unknown_name(format!("unknown name {name}")))
    }

    fn pointer(&self, name: &str) -> Result<GoValue, ExpressionError> {
        let Some(frame) = self.frames.last() else {
            return Err(ExpressionError::syntax(format!("unexpected pointer #{name}")));
        };
        match name {
            "" => Ok(frame.item.clone()),
            "index" => Ok(GoValue::Int(frame.index as i64)),
            "acc" => frame.accumulator.clone().ok_or_else(|| ExpressionError::syntax("unknown pointer #acc")),
            other => Err(ExpressionError::syntax(format!("unknown pointer #{other}"))),
        }
    }

    fn binary(&mut self, op: &str, left: &Node, right: &Node) -> Evaluated {
        match op {
            "&&" | "and" => {
                let l = self.eval(left)?;
                if !as_bool(&l)? {
                    return Ok(l);
                }
                return self.eval(right);
            }
            "||" | "or" => {
                let l = self.eval(left)?;
                if as_bool(&l)? {
                    return Ok(l);
                }
                return self.eval(right);
            }
            "??" => {
                let l = self.eval(left)?;
                if l != GoValue::Nil {
                    return Ok(l);
                }
                return self.eval(right);
            }
            _ => {}
        }
        let a = self.eval(left)?;
        let b = self.eval(right)?;
        Ok(match op {
            "==" => GoValue::Bool(operators::equal(&a, &b)),
            "!=" => GoValue::Bool(!operators::equal(&a, &b)),
            "<" | ">" | "<=" | ">=" => GoValue::Bool(operators::compare(op, &a, &b)?),
            "+" | "-" | "*" => operators::arithmetic(op, &a, &b)?,
            "/" => operators::divide(&a, &b)?,
            "%" => operators::modulo(&a, &b)?,
            "**" | "^" => operators::exponent(&a, &b)?,
            ".." => operators::range(&a, &b)?,
            "in" => GoValue::Bool(operators::contains_element(&a, &b)?),
            "matches" | "contains" | "startsWith" | "endsWith" => {
                if a == GoValue::Nil || b == GoValue::Nil {
                    return Ok(GoValue::Bool(false));
                }
                let pattern = as_str(&b)?;
                let text = as_str(&a)?;
                GoValue::Bool(match op {
                    "matches" => compile_regex(pattern)?.is_match(text),
                    "contains" => text.contains(pattern),
                    "startsWith" => text.starts_with(pattern),
                    _ => text.ends_with(pattern),
                })
            }
            other => {
                return Err(ExpressionError::syntax(format!("unknown operator ({other})")).into());
            }
        })
    }

    fn call(&mut self, callee: &Node, arguments: &[Node]) -> Evaluated {
        let mut values = Vec::with_capacity(arguments.len());
        for argument in arguments {
            values.push(self.eval(argument)?);
        }
        match callee {
            Node::Identifier(name) if !self.locals.iter().any(|(n, _)| n == name) && !self.env.contains_key(name) => {
                Ok(match name.as_str() {
                    "asInt" => builtins::call("int", &values)?,
                    "asFloat" => builtins::call("float", &values)?,
                    "toJson" => {
                        let [value] = exact::<1>(name, values)?;
                        GoValue::Str(super::go_format::json_marshal(&value)?)
                    }
                    "jsonpath" => {
                        let [document, path] = exact::<2>(name, values)?;
                        jsonpath::query_text(as_str(&document)?, as_str(&path)?)?
                    }
                    _ => {
                        return Err(ExpressionError::unknown_name(format!("unknown name {name}")).into());
                    }
                })
            }
            Node::Member { node, property, .. }
                if matches!(node.as_ref(), Node::Identifier(n) if n == "sprig" && !self.env.contains_key("sprig"))
                    && matches!(property.as_ref(), Node::Str(_)) =>
            {
                let Node::Str(function) = property.as_ref() else { unreachable!("matched above") };
                Ok(sprig::call(function, values)?)
            }
            other => {
                let value = self.eval(other)?;
                Err(match value {
                    GoValue::Nil => invalid("invalid operation: cannot call nil".to_string()),
                    v => invalid(format!("invalid operation: cannot call {}", v.go_type())),
                }
                .into())
            }
        }
    }

    /// Runs `body` for each element of `collection` with `#` bound to it.
    fn each(
        &mut self,
        collection: &GoValue,
        body: &Node,
        mut visit: impl FnMut(usize, &GoValue, GoValue) -> Result<bool, ExpressionError>,
    ) -> Result<(), Flow> {
        let items = iterable(collection)?;
        for (index, item) in items.iter().enumerate() {
            self.frames.push(Frame { item: item.clone(), index, accumulator: None });
            let result = self.eval(body);
            self.frames.pop();
            if !visit(index, item, result?)? {
                break;
            }
        }
        Ok(())
    }

    fn builtin(&mut self, name: &str, arguments: &[Node]) -> Evaluated {
        let predicate = arguments.get(1).filter(|n| matches!(n, Node::Predicate(_)));
        let (Some(body), Some(first)) = (predicate, arguments.first()) else {
            let mut values = Vec::with_capacity(arguments.len());
            for argument in arguments {
                values.push(self.eval(argument)?);
            }
            return Ok(builtins::call(name, &values)?);
        };
        let collection = self.eval(first)?;
        match name {
            "all" | "any" | "none" | "one" | "count" => {
                let mut matched = 0usize;
                let mut failed = false;
                self.each(&collection, body, |_, _, result| {
                    let hit = as_bool(&result)?;
                    if hit {
                        matched += 1;
                    } else {
                        failed = true;
                    }
                    Ok(match name {
                        "all" => hit,
                        "any" | "none" => !hit,
                        _ => true,
                    })
                })?;
                Ok(match name {
                    "all" => GoValue::Bool(!failed),
                    "any" => GoValue::Bool(matched > 0),
                    "none" => GoValue::Bool(matched == 0),
                    "one" => GoValue::Bool(matched == 1),
                    _ => GoValue::Int(matched as i64),
                })
            }
            "filter" | "map" => {
                let mut out = Vec::new();
                self.each(&collection, body, |_, item, result| {
                    if name == "map" {
                        out.push(result);
                    } else if as_bool(&result)? {
                        out.push(item.clone());
                    }
                    Ok(true)
                })?;
                Ok(GoValue::List(out))
            }
            "find" | "findIndex" | "findLast" | "findLastIndex" => {
                let mut found: Option<(usize, GoValue)> = None;
                let last = name.starts_with("findLast");
                self.each(&collection, body, |index, item, result| {
                    if as_bool(&result)? {
                        found = Some((index, item.clone()));
                        return Ok(last);
                    }
                    Ok(true)
                })?;
                Ok(match (found, name.ends_with("Index")) {
                    (Some((index, _)), true) => GoValue::Int(index as i64),
                    (None, true) => GoValue::Int(-1),
                    (Some((_, item)), false) => item,
                    (None, false) => GoValue::Nil,
                })
            }
            "sum" => {
                let mut total = GoValue::Int(0);
                self.each(&collection, body, |_, _, result| {
                    total = operators::arithmetic("+", &total, &result)?;
                    Ok(true)
                })?;
                Ok(total)
            }
            "groupBy" => {
                let mut groups: BTreeMap<String, GoValue> = BTreeMap::new();
                self.each(&collection, body, |_, item, key| {
                    let key = match key {
                        GoValue::Str(s) => s,
                        other => super::go_format::format_v(&other),
                    };
                    if let GoValue::List(group) = groups.entry(key).or_insert_with(|| GoValue::List(Vec::new())) {
                        group.push(item.clone());
                    }
                    Ok(true)
                })?;
                Ok(GoValue::Map(groups))
            }
            "sortBy" => {
                let descending = match arguments.get(2) {
                    Some(order) => match self.eval(order)? {
                        GoValue::Str(s) if s == "asc" => false,
                        GoValue::Str(s) if s == "desc" => true,
                        other => {
                            return Err(invalid(format!(
                                "unknown order, use asc or desc (got {})",
                                super::go_format::format_v(&other)
                            ))
                            .into());
                        }
                    },
                    None => false,
                };
                let mut keyed = Vec::new();
                self.each(&collection, body, |_, item, key| {
                    keyed.push((key, item.clone()));
                    Ok(true)
                })?;
                let sorted = builtins::sort_pairs(keyed, descending)?;
                Ok(GoValue::List(sorted))
            }
            "reduce" => {
                let items = iterable(&collection)?;
                let (mut accumulator, start) = match arguments.get(2) {
                    Some(initial) => (self.eval(initial)?, 0),
                    None => match items.first() {
                        Some(first) => (first.clone(), 1),
                        None => {
                            return Err(invalid("reduce of empty array with no initial value".to_string()).into());
                        }
                    },
                };
                for (index, item) in items.iter().enumerate().skip(start) {
                    self.frames.push(Frame { item: item.clone(), index, accumulator: Some(accumulator.clone()) });
                    let result = self.eval(body);
                    self.frames.pop();
                    accumulator = result?;
                }
                Ok(accumulator)
            }
            other => Err(ExpressionError::syntax(format!("unknown builtin {other}")).into()),
        }
    }
}

fn iterable(collection: &GoValue) -> Result<Vec<GoValue>, ExpressionError> {
    match collection {
        GoValue::List(items) => Ok(items.clone()),
        GoValue::Map(map) => Ok(map.values().cloned().collect()),
        other => Err(invalid(format!("cannot iterate {}", other.go_type()))),
    }
}

/// Exactly `N` arguments, or Go's reflect message for a wrong count.
pub(super) fn exact<const N: usize>(name: &str, values: Vec<GoValue>) -> Result<[GoValue; N], ExpressionError> {
    let count = values.len();
    values.try_into().map_err(|_| {
        invalid(format!(
            "reflect: Call with too {} input arguments (calling {name} with {count}, expected {N})",
            if count < N { "few" } else { "many" }
        ))
    })
}

/// Go's `regexp.Compile`; a bad pattern is a run-time error.
pub(super) fn compile_regex(pattern: &str) -> Result<Regex, ExpressionError> {
    super::go_regex::compile(pattern).map_err(invalid)
}
