//! Loops: `withItems`, `withParam` and `withSequence` expand one step or
//! task into one child per item, named and given `{{item}}` as Argo's
//! controller does (`processItem`, `generateNodeName`, `expandSequence`,
//! `workflow/controller/operator.go` 4085-4220; `Item.String`,
//! `pkg/apis/workflow/v1alpha1/item.go` 61):
//!
//! - a string item is itself; a number or boolean its JSON text;
//! - a map gives `{{item.KEY}}` for each key and `{{item}}` as its JSON
//!   (keys sorted); its child's name lists `key:value` pairs sorted;
//! - a list gives `{{item}}` as its JSON; its child's name is Go's `[a b]`;
//! - the child is `NAME(INDEX:ITEM)`, parentheses removed from the item.

use serde_json::Value;

use super::artifact_references::evaluate_from_expressions;
use super::substitute::{Scope, Unresolved, replace_in};

/// One child of a loop: its name and what it adds to the scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// `NAME(INDEX:ITEM)`.
    pub name: String,
    /// `item`, and `item.KEY` for a map.
    pub scope: Scope,
}

/// Replaces `{{…}}` in the loop fields of `step` (`withParam`, `withItems`,
/// `withSequence`) from `scope`, so [`items`] can read them; a name the
/// scope lacks is an error.
pub fn resolve_fields(step: &mut Value, scope: &Scope) -> Result<(), String> {
    for key in ["withParam", "withItems", "withSequence"] {
        if let Some(value) = step.get_mut(key) {
            replace_in(value, scope, Unresolved::Fail)?;
        }
    }
    Ok(())
}

/// The items of a step or task (its JSON), or `None` when it has no loop.
/// `with_param` is the already substituted `withParam`.
pub fn items(step: &Value) -> Option<Result<Vec<Value>, String>> {
    if let Some(items) = step.get("withItems").and_then(Value::as_array).filter(|items| !items.is_empty()) {
        return Some(Ok(items.clone()));
    }
    if let Some(param) = step.get("withParam").and_then(Value::as_str).filter(|p| !p.is_empty()) {
        return Some(match serde_json::from_str::<Value>(param) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(other) => Err(format!(
                "withParam value could not be parsed as a JSON list: {}: it is {}",
                param.trim(),
                kind(&other)
            )),
            Err(error) => Err(format!("withParam value could not be parsed as a JSON list: {}: {error}", param.trim())),
        });
    }
    step.get("withSequence").filter(|s| s.is_object()).map(sequence)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A step or task resolved in a scope: itself, or its loop's children.
pub enum Expansion {
    /// No loop: the step or task, resolved.
    Single(Value),
    /// One child per item: its name and the step or task resolved with its item.
    Loop(Vec<(String, Value)>),
}

impl Expansion {
    /// The steps or tasks to start: the children, or the one under `name`.
    pub fn into_children(self, name: &str) -> Vec<(String, Value)> {
        match self {
            Expansion::Loop(children) => children,
            Expansion::Single(resolved) => vec![(name.to_owned(), resolved)],
        }
    }
}

/// The step or task `holder` resolved in `scope`: itself, or its loop's
/// children, each named and resolved with its item. Its hooks are resolved
/// when they run, since they may name its own outputs (`steps.go` 451-521,
/// `dag.go` 776-853); a loop's item is put in them with the rest
/// (`processItem`, `expandTask`).
pub fn expand_in(holder: &Value, scope: &Scope) -> Result<Expansion, String> {
    let name = holder.get("name").and_then(Value::as_str).unwrap_or_default();
    let mut resolved = holder.clone();
    let hooks = resolved.as_object_mut().and_then(|members| members.remove("hooks"));
    resolve_fields(&mut resolved, scope)?;
    let Some(items) = items(&resolved) else {
        replace_in(&mut resolved, scope, Unresolved::Fail)?;
        evaluate_from_expressions(&mut resolved, scope)?;
        if let Some(hooks) = hooks {
            resolved["hooks"] = hooks;
        }
        return Ok(Expansion::Single(resolved));
    };
    let items = items?;
    if let Some(members) = resolved.as_object_mut() {
        for key in ["withParam", "withItems", "withSequence"] {
            members.remove(key);
        }
    }
    let children = expand(name, &items)?
        .into_iter()
        .map(|child| {
            let mut resolved_child = resolved.clone();
            let mut child_scope = scope.clone();
            child_scope.extend(child.scope.clone());
            replace_in(&mut resolved_child, &child_scope, Unresolved::Fail)?;
            evaluate_from_expressions(&mut resolved_child, &child_scope)?;
            if let Some(mut hooks) = hooks.clone() {
                replace_in(&mut hooks, &child.scope, Unresolved::Keep)?;
                resolved_child["hooks"] = hooks;
            }
            resolved_child["name"] = Value::String(child.name.clone());
            Ok((child.name, resolved_child))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Expansion::Loop(children))
}

/// The children of a loop over `items` of the step or task called `name`.
pub fn expand(name: &str, items: &[Value]) -> Result<Vec<Expanded>, String> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let mut scope = Scope::new();
            let description = match item {
                Value::String(text) => {
                    scope.insert("item".into(), text.clone());
                    text.clone()
                }
                Value::Number(_) | Value::Bool(_) => {
                    scope.insert("item".into(), item.to_string());
                    item.to_string()
                }
                Value::Object(members) => {
                    let mut pairs = Vec::new();
                    for (key, value) in members {
                        let text = item_text(value);
                        pairs.push(format!("{key}:{text}"));
                        scope.insert(format!("item.{key}"), text);
                    }
                    pairs.sort();
                    scope.insert("item".into(), go_json(item));
                    pairs.join(",")
                }
                Value::Array(values) => {
                    scope.insert("item".into(), go_json(item));
                    format!("[{}]", values.iter().map(item_text).collect::<Vec<_>>().join(" "))
                }
                Value::Null => {
                    return Err(format!("withItems[{index}] expected string, number, list, or map. received: null"));
                }
            };
            let description: String = description.chars().filter(|c| *c != '(' && *c != ')').collect();
            Ok(Expanded { name: format!("{name}({index}:{description})"), scope })
        })
        .collect()
}

/// An item's text as Go's `%v` prints Argo's `Item`: a string unquoted,
/// anything else as JSON.
fn item_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => go_json(other),
    }
}

/// Compact JSON with object keys sorted, as Go's `json.Marshal` writes a map.
pub fn go_json(value: &Value) -> String {
    match value {
        Value::Object(members) => {
            let mut keys: Vec<&String> = members.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .into_iter()
                .map(|key| format!("{}:{}", Value::String(key.clone()), go_json(&members[key])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(go_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The items of a `withSequence` (`count` or `end`, `start`, `format`).
fn sequence(sequence: &Value) -> Result<Vec<Value>, String> {
    let number = |key: &str| -> Result<Option<i64>, String> {
        match sequence.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => {
                n.as_i64().map(Some).ok_or_else(|| format!("withSequence.{key}: {n} is not an integer"))
            }
            Some(Value::String(text)) => {
                text.trim().parse().map(Some).map_err(|_| format!("strconv.Atoi: parsing \"{text}\": invalid syntax"))
            }
            Some(other) => Err(format!("withSequence.{key} must be an integer, not {}", kind(other))),
        }
    };
    let start = number("start")?.unwrap_or(0);
    let end = match (number("end")?, number("count")?) {
        (Some(end), _) => end,
        (None, Some(0)) => return Ok(Vec::new()),
        (None, Some(count)) => start + count - 1,
        (None, None) => return Err("neither end nor count was specified in withSequence".into()),
    };
    let format = sequence.get("format").and_then(Value::as_str).filter(|f| !f.is_empty()).unwrap_or("%d");
    let numbers: Box<dyn Iterator<Item = i64>> =
        if start <= end { Box::new(start..=end) } else { Box::new((end..=start).rev()) };
    numbers.map(|n| printf_integer(format, n).map(Value::String)).collect()
}

/// `format` (a Go format with one integer verb: `%d`, `%5d`, `%03d`, `%x`,
/// `%X`, `%o`) applied to `n`.
fn printf_integer(format: &str, n: i64) -> Result<String, String> {
    let Some(at) = format.find('%') else {
        return Ok(format!("{format}%!(EXTRA int={n})"));
    };
    let (before, rest) = (&format[..at], &format[at + 1..]);
    let zero = rest.starts_with('0');
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let width: usize = digits.parse().unwrap_or(0);
    let after_width = &rest[digits.len()..];
    let mut chars = after_width.chars();
    let verb = chars.next().ok_or_else(|| format!("withSequence.format {format:?} has no verb"))?;
    let body = match verb {
        'd' => n.abs().to_string(),
        'x' => format!("{:x}", n.abs()),
        'X' => format!("{:X}", n.abs()),
        'o' => format!("{:o}", n.abs()),
        other => return Err(format!("withSequence.format {format:?}: the verb %{other} is not an integer verb")),
    };
    let sign = if n < 0 { "-" } else { "" };
    let padded = if zero {
        format!("{sign}{body:0>width$}", width = width.saturating_sub(sign.len()))
    } else {
        format!("{:>width$}", format!("{sign}{body}"))
    };
    Ok(format!("{before}{padded}{}", chars.as_str()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn names(items: Value) -> Vec<String> {
        expand("s", items.as_array().unwrap()).unwrap().into_iter().map(|e| e.name).collect()
    }

    #[test]
    fn scalar_items_name_their_child() {
        assert_eq!(names(json!(["a(b)", 1, true, 2.5])), ["s(0:ab)", "s(1:1)", "s(2:true)", "s(3:2.5)"]);
    }

    #[test]
    fn map_items_give_sorted_pairs_and_keys() {
        let expanded = expand("s", &[json!({"os": "debian", "version": 9})]).unwrap();
        assert_eq!(expanded[0].name, "s(0:os:debian,version:9)");
        assert_eq!(expanded[0].scope["item.os"], "debian");
        assert_eq!(expanded[0].scope["item.version"], "9");
        assert_eq!(expanded[0].scope["item"], r#"{"os":"debian","version":9}"#);
    }

    #[test]
    fn list_items_are_gos_form_in_the_name_and_json_in_item() {
        let expanded = expand("s", &[json!([1, "a"])]).unwrap();
        assert_eq!(expanded[0].name, "s(0:[1 a])");
        assert_eq!(expanded[0].scope["item"], r#"[1,"a"]"#);
    }

    #[test]
    fn sequences_count_up_down_and_format() {
        let texts =
            |s: Value| sequence(&s).unwrap().into_iter().map(|v| v.as_str().unwrap().to_owned()).collect::<Vec<_>>();
        assert_eq!(texts(json!({"count": "3"})), ["0", "1", "2"]);
        assert_eq!(texts(json!({"start": 5, "end": 3})), ["5", "4", "3"]);
        assert_eq!(texts(json!({"start": "1", "count": 2, "format": "test%02d"})), ["test01", "test02"]);
        assert!(texts(json!({"count": 0})).is_empty());
        assert_eq!(sequence(&json!({"start": 1})).unwrap_err(), "neither end nor count was specified in withSequence");
    }

    #[test]
    fn with_param_must_be_a_json_list() {
        let step = json!({"withParam": "[1, 2]"});
        assert_eq!(items(&step).unwrap().unwrap(), vec![json!(1), json!(2)]);
        let step = json!({"withParam": "{\"a\":1}"});
        assert!(items(&step).unwrap().unwrap_err().starts_with("withParam value could not be parsed as a JSON list"));
        assert!(items(&json!({"name": "x"})).is_none());
    }
}
