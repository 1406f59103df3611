//! Argo's scope turned into expr's env, as `util/expr/env.GetFuncMap` does
//! through `util/expand.Expand`: a flat key with dots (`inputs.parameters.x`)
//! becomes nested maps (`inputs` → `parameters` → `x`), so `inputs.parameters.x`
//! and `inputs.parameters['my-param']` both reach it. Where a key is also the
//! prefix of a longer one (`{"a": 1, "a.b": 2}`) the shorter is dropped when
//! it sorts right before the longer, as `removeConflicts` does; Go's map
//! order then decides between the rest, here the nested map wins. The
//! functions Argo adds (`asInt`, `asFloat`, `jsonpath`, `toJson`, `sprig`)
//! are not values: the evaluator knows them by name.

use std::collections::BTreeMap;

use super::super::value::GoValue;

/// The names Argo's env gives to functions (`env.go`).
pub(crate) const ARGO_FUNCTIONS: &[&str] = &["asInt", "asFloat", "jsonpath", "toJson", "sprig"];

pub(crate) fn argo_env(scope: &BTreeMap<String, serde_json::Value>) -> BTreeMap<String, GoValue> {
    let keys: Vec<&String> = scope.keys().collect();
    let mut kept: Vec<(&str, GoValue)> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let parent_of_next = keys.get(i + 1).is_some_and(|next| next.starts_with(&format!("{key}.")));
        if !parent_of_next {
            kept.push((key.as_str(), GoValue::from_json(&scope[key.as_str()])));
        }
    }
    let mut env = BTreeMap::new();
    for (key, value) in kept {
        insert_path(&mut env, key, value);
    }
    env
}

fn insert_path(map: &mut BTreeMap<String, GoValue>, key: &str, value: GoValue) {
    match key.split_once('.') {
        None => {
            // A nested map already there (from a longer key) wins.
            if !matches!(map.get(key), Some(GoValue::Map(_))) {
                map.insert(key.to_string(), value);
            }
        }
        Some((head, rest)) => {
            let entry = map.entry(head.to_string()).or_insert_with(|| GoValue::Map(BTreeMap::new()));
            if !matches!(entry, GoValue::Map(_)) {
                *entry = GoValue::Map(BTreeMap::new());
            }
            if let GoValue::Map(inner) = entry {
                insert_path(inner, rest, value);
            }
        }
    }
}
