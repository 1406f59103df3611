//! Which variables an `{{=…}}` expression needs that the scope lacks, as
//! Argo's `missingVarsInEnv` (`util/template/expression_template.go`)
//! decides before evaluating: every identifier and every plain member path
//! (`inputs.parameters.x`, `steps['a-b'].outputs`), except member paths
//! guarded by `??` (its left side) or by optional chaining (`a?.b` guards
//! `a`'s member path, not `a` itself). A path is present when it walks
//! through the expanded env, a nil leaf included.

use std::collections::BTreeMap;

use super::super::error::ExpressionError;
use super::super::value::GoValue;
use super::ast::Node;
use super::env::{ARGO_FUNCTIONS, argo_env};
use super::parser::parse;

/// The identifiers and member paths of `expression` that are not in
/// `scope`, in the order Argo's visitor first meets them.
pub(crate) fn missing_variables(
    expression: &str,
    scope: &BTreeMap<String, serde_json::Value>,
) -> Result<Vec<String>, ExpressionError> {
    let node = parse(expression)?;
    let env = argo_env(scope);
    let mut found = Vec::new();
    collect(&node, false, &mut found);
    Ok(found.into_iter().filter(|path| !present(&env, path)).collect())
}

/// `a.b['c']` as `a.b.c`, when the chain is plain member access from an
/// identifier (`getMemberPath`).
fn member_path(node: &Node) -> Option<String> {
    match node {
        Node::Identifier(name) => Some(name.clone()),
        Node::Member { node, property, optional: false } => match property.as_ref() {
            Node::Str(key) => Some(format!("{}.{key}", member_path(node)?)),
            _ => None,
        },
        _ => None,
    }
}

/// Post-order walk (`ast.Walk` visits children first); `guarded` marks
/// member nodes whose path is not required.
fn collect(node: &Node, guarded: bool, found: &mut Vec<String>) {
    let add = |path: String, found: &mut Vec<String>| {
        if !found.contains(&path) {
            found.push(path);
        }
    };
    match node {
        Node::Identifier(name) => add(name.clone(), found),
        Node::Member { node: inner, property, optional } => {
            // `a.b?.c` guards `a.b`.
            let inner_guarded = guarded || (*optional && matches!(inner.as_ref(), Node::Member { .. }));
            collect(inner, inner_guarded, found);
            collect(property, false, found);
            if !guarded && let Some(path) = member_path(node) {
                add(path, found);
            }
        }
        Node::Binary(op, left, right) => {
            collect(left, guarded || op == "??", found);
            collect(right, false, found);
        }
        Node::Unary(_, inner) | Node::Predicate(inner) => collect(inner, false, found),
        Node::Chain(inner) => collect(inner, guarded, found),
        Node::Slice { node, from, to } => {
            collect(node, false, found);
            for bound in [from, to].into_iter().flatten() {
                collect(bound, false, found);
            }
        }
        Node::Call { callee, arguments } => {
            collect(callee, false, found);
            for argument in arguments {
                collect(argument, false, found);
            }
        }
        Node::Builtin { arguments, .. } | Node::Array(arguments) | Node::Sequence(arguments) => {
            for argument in arguments {
                collect(argument, false, found);
            }
        }
        Node::Conditional(a, b, c) => {
            for part in [a, b, c] {
                collect(part, false, found);
            }
        }
        Node::Map(pairs) => {
            for (key, value) in pairs {
                collect(key, false, found);
                collect(value, false, found);
            }
        }
        Node::Let { value, body, .. } => {
            collect(value, false, found);
            collect(body, false, found);
        }
        Node::Nil | Node::Bool(_) | Node::Int(_) | Node::Float(_) | Node::Str(_) | Node::Pointer(_) => {}
    }
}

/// `hasVarInEnv` over the expanded env: each part a key of a map.
fn present(env: &BTreeMap<String, GoValue>, path: &str) -> bool {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or_default();
    if ARGO_FUNCTIONS.contains(&first) && !env.contains_key(first) {
        return true;
    }
    let Some(mut current) = env.get(first) else {
        return false;
    };
    for part in parts {
        match current {
            GoValue::Map(map) => match map.get(part) {
                Some(next) => current = next,
                None => return false,
            },
            _ => return false,
        }
    }
    true
}
