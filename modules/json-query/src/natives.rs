//! Filters written in Rust: those jaq-std lacks or does differently from
//! jq 1.8 (their results and error messages are jq's), and the ones that
//! are much faster natively than as definitions. Each is a native jaq
//! filter; they come before jaq-std's in the lookup, so a name here wins.

use std::rc::Rc;

use jaq_core::box_iter::box_once;
use jaq_core::native::{Filter, Fun, bome, run, v};
use jaq_core::{Exn, RunPtr, ValR, ValXs};

use crate::query::Data;

use crate::value::{self, Val, error};

/// The deepest path `getpath`, `setpath` and `delpaths` take, as in jq.
const MAX_PATH: usize = 10_000;

type Native = Filter<RunPtr<Data>>;

fn one<'a>(r: ValR<Val>) -> ValXs<'a, Val> {
    bome(r)
}

/// The natives.
pub fn natives() -> Vec<Fun<Data>> {
    let natives: Vec<Native> = vec![
        ("length", v(0), |cv| one(length(&cv.1))),
        ("utf8bytelength", v(0), |cv| {
            one(match &cv.1 {
                Val::Str(s) => Ok(Val::from(s.len())),
                other => Err(error(format!("{} only strings have UTF-8 byte length", other.described()))),
            })
        }),
        ("_type", v(0), |cv| one(Ok(Val::str(cv.1.kind())))),
        ("_keys", v(0), |cv| one(keys(&cv.1, true))),
        ("keys_unsorted", v(0), |cv| one(keys(&cv.1, false))),
        ("has", v(1), |mut cv| {
            let k = cv.0.pop_var();
            one(cv.1.has(&k))
        }),
        ("contains", v(1), |mut cv| {
            let b = cv.0.pop_var();
            one(contains(&cv.1, &b))
        }),
        ("tojson", v(0), |cv| one(Ok(Val::from(cv.1.to_string())))),
        ("_tostring", v(0), |cv| one(Ok(jaq_core::ValT::into_string(cv.1)))),
        ("fromjson", v(0), |cv| one(fromjson(&cv.1))),
        ("tonumber", v(0), |cv| one(tonumber(cv.1))),
        ("toboolean", v(0), |cv| one(toboolean(cv.1))),
        ("_setpath", v(2), |mut cv| {
            let value = cv.0.pop_var();
            let path = cv.0.pop_var();
            one(setpath(cv.1, &path, value))
        }),
        ("_delpaths", v(1), |mut cv| {
            let paths = cv.0.pop_var();
            one(delpaths(cv.1, paths))
        }),
        ("_check_path", v(0), |cv| one(check_path(&cv.1).map(|()| cv.1))),
        ("sort", v(0), |cv| one(sort(cv.1))),
        ("_sort_by_impl", v(1), |mut cv| {
            let keys = cv.0.pop_var();
            one(sort_by(cv.1, keys).map(|pairs| Val::arr(pairs.into_iter().map(|(_, v)| v).collect())))
        }),
        ("_group_by_impl", v(1), |mut cv| {
            let keys = cv.0.pop_var();
            one(group_by(cv.1, keys))
        }),
        ("_unique_by_impl", v(1), |mut cv| {
            let keys = cv.0.pop_var();
            one(unique_by(cv.1, keys))
        }),
        ("_min_by_impl", v(1), |mut cv| {
            let keys = cv.0.pop_var();
            one(extreme_by(cv.1, keys, false))
        }),
        ("_max_by_impl", v(1), |mut cv| {
            let keys = cv.0.pop_var();
            one(extreme_by(cv.1, keys, true))
        }),
        ("startswith", v(1), |mut cv| {
            let b = cv.0.pop_var();
            one(match (&cv.1, &b) {
                (Val::Str(a), Val::Str(b)) => Ok(Val::Bool(a.starts_with(&**b))),
                _ => Err(error("startswith() requires string inputs")),
            })
        }),
        ("endswith", v(1), |mut cv| {
            let b = cv.0.pop_var();
            one(match (&cv.1, &b) {
                (Val::Str(a), Val::Str(b)) => Ok(Val::Bool(a.ends_with(&**b))),
                _ => Err(error("endswith() requires string inputs")),
            })
        }),
        ("trim", v(0), |cv| one(trim(&cv.1, str::trim))),
        ("ltrim", v(0), |cv| one(trim(&cv.1, str::trim_start))),
        ("rtrim", v(0), |cv| one(trim(&cv.1, str::trim_end))),
        ("explode", v(0), |cv| {
            one(match &cv.1 {
                Val::Str(s) => Ok(s.chars().map(|c| Val::from(c as usize)).collect()),
                _ => Err(error("explode input must be a string")),
            })
        }),
        ("implode", v(0), |cv| one(implode(&cv.1))),
        ("ascii_downcase", v(0), |cv| one(ascii_case(&cv.1, false))),
        ("ascii_upcase", v(0), |cv| one(ascii_case(&cv.1, true))),
        ("_split", v(1), |mut cv| {
            let sep = cv.0.pop_var();
            one(match (&cv.1, &sep) {
                (Val::Str(s), Val::Str(sep)) => Ok(Val::arr(crate::ops::split(s, sep))),
                _ => Err(error("split input and separator must be strings")),
            })
        }),
        ("_strindices", v(1), |mut cv| {
            let sub = cv.0.pop_var();
            one(strindices(&cv.1, &sub))
        }),
        ("_join", v(1), |mut cv| {
            let sep = cv.0.pop_var();
            one(join(&cv.1, &sep))
        }),
        ("_flatten", v(1), |mut cv| {
            let depth = cv.0.pop_var();
            one(flatten(&cv.1, &depth))
        }),
        ("range", v(3), |mut cv| {
            let by = cv.0.pop_var();
            let upto = cv.0.pop_var();
            let from = cv.0.pop_var();
            range(from, upto, by)
        }),
        ("@csv", v(0), |cv| one(table(&cv.1, true))),
        ("@tsv", v(0), |cv| one(table(&cv.1, false))),
        ("@base32", v(0), |cv| one(Ok(Val::from(base32(jaq_core::ValT::into_string(cv.1).as_str().unwrap_or("")))))),
        ("@base32d", v(0), |cv| {
            let text = jaq_core::ValT::into_string(cv.1);
            one(base32_decode(text.as_str().unwrap_or("")).map(Val::from))
        }),
        ("bsearch", v(1), |mut cv| {
            let x = cv.0.pop_var();
            one(bsearch(&cv.1, &x))
        }),
        ("_nan", v(0), |_| one(Ok(Val::Num(f64::NAN)))),
        ("_infinite", v(0), |_| one(Ok(Val::Num(f64::INFINITY)))),
        ("_regex", v(3), |mut cv| {
            let test = cv.0.pop_var();
            let flags = cv.0.pop_var();
            let re = cv.0.pop_var();
            one(crate::regex::regex(&cv.1, &re, &flags, matches!(test, Val::Bool(true))))
        }),
        ("_base64d", v(0), |cv| one(string_input(&cv.1, crate::decode::base64))),
        ("_urid", v(0), |cv| one(string_input(&cv.1, crate::decode::uri))),
        ("modulemeta", v(0), |cv| one(crate::library::modulemeta(&cv.1))),
        ("_stack_guard", v(0), |_| one(crate::stack::guard().map(|()| Val::Bool(true)))),
        ("nearbyint", v(0), |cv| one(round_half_even(&cv.1))),
        ("rint", v(0), |cv| one(round_half_even(&cv.1))),
        ("_isnan", v(0), |cv| one(number_test(&cv.1, f64::is_nan))),
        ("_isinfinite", v(0), |cv| one(number_test(&cv.1, f64::is_infinite))),
        ("_isnormal", v(0), |cv| one(number_test(&cv.1, f64::is_normal))),
        ("have_decnum", v(0), |_| one(Ok(Val::Bool(true)))),
        ("have_literal_numbers", v(0), |_| one(Ok(Val::Bool(true)))),
        ("input_filename", v(0), |_| one(Ok(Val::Null))),
        ("get_search_list", v(0), |_| one(Ok(Val::arr(Vec::new())))),
        ("builtins", v(0), |_| one(Ok(Val::arr(crate::query::builtins().into_iter().map(Val::from).collect())))),
        ("ltrimstr", v(1), |mut cv| {
            let pre = cv.0.pop_var();
            one(match (&cv.1, &pre) {
                (Val::Str(s), Val::Str(p)) => Ok(s.strip_prefix(&**p).map_or(cv.1.clone(), Val::str)),
                _ => Err(error("startswith() requires string inputs")),
            })
        }),
        ("rtrimstr", v(1), |mut cv| {
            let suf = cv.0.pop_var();
            one(match (&cv.1, &suf) {
                (Val::Str(s), Val::Str(p)) => Ok(s.strip_suffix(&**p).map_or(cv.1.clone(), Val::str)),
                _ => Err(error("endswith() requires string inputs")),
            })
        }),
        ("error", v(0), |cv| box_once(Err(Exn::from(jaq_core::Error::new(cv.1))))),
    ];
    natives.into_iter().map(|(name, args, f)| run::<Data>((name, args, f))).collect()
}

/// `f` on a string (the prelude makes the input one with `tostring`).
fn string_input(v: &Val, f: fn(&str) -> ValR<Val>) -> ValR<Val> {
    f(v.as_str().unwrap_or_default())
}

/// `isnan`, `isinfinite`, `isnormal`: false for what is not a number, as in jq.
fn number_test(v: &Val, test: fn(f64) -> bool) -> ValR<Val> {
    Ok(Val::Bool(v.as_number().is_some_and(test)))
}

/// `nearbyint` and `rint`: to the nearest integer, halves to the even one.
fn round_half_even(v: &Val) -> ValR<Val> {
    match v.as_number() {
        Some(x) => Ok(Val::Num(x.round_ties_even())),
        None => Err(error(format!("{} number required", v.described()))),
    }
}

/// The elements of an array or the values of an object, as `.[]` gives them.
fn elements(v: &Val) -> Result<Vec<&Val>, value::Error> {
    match v {
        Val::Arr(items) => Ok(items.iter().collect()),
        Val::Obj(map) => Ok(map.iter().map(|(_, x)| x).collect()),
        other => Err(error(format!("Cannot iterate over {}", other.described()))),
    }
}

fn length(v: &Val) -> ValR<Val> {
    match v {
        Val::Null => Ok(Val::Num(0.0)),
        Val::Bool(_) => Err(error(format!("{} has no length", v.described()))),
        Val::Num(x) => Ok(Val::Num(x.abs())),
        Val::Lit(literal) if literal.is_negative() => Ok(Val::Lit(Rc::new(literal.negated()))),
        Val::Lit(_) => Ok(v.clone()),
        Val::Str(s) => Ok(Val::from(s.chars().count())),
        Val::Arr(items) => Ok(Val::from(items.len())),
        Val::Obj(map) => Ok(Val::from(map.len())),
    }
}

fn keys(v: &Val, sorted: bool) -> ValR<Val> {
    match v {
        Val::Obj(map) => {
            let keys: Vec<Val> = if sorted {
                map.sorted_keys().into_iter().map(|k| Val::Str(k.clone())).collect()
            } else {
                map.iter().map(|(k, _)| Val::Str(k.clone())).collect()
            };
            Ok(Val::arr(keys))
        }
        Val::Arr(items) => Ok((0..items.len()).map(Val::from).collect()),
        other => Err(error(format!("{} has no keys", other.described()))),
    }
}

fn contains(a: &Val, b: &Val) -> ValR<Val> {
    if a.kind() != b.kind() {
        return Err(error(format!("{} and {} cannot have their containment checked", a.described(), b.described())));
    }
    a.contains(b).map(Val::Bool)
}

fn fromjson(v: &Val) -> ValR<Val> {
    let Val::Str(text) = v else { return Err(error(format!("{} only strings can be parsed", v.described()))) };
    crate::json::parse_one(text).map_err(|e| error(format!("{} (while parsing '{text}')", e.reason)))
}

fn tonumber(v: Val) -> ValR<Val> {
    match &v {
        Val::Num(_) | Val::Lit(_) => Ok(v),
        Val::Str(s) => crate::number::parse_literal(s)
            .ok_or_else(|| error(format!("{} cannot be parsed as a number", v.described()))),
        _ => Err(error(format!("{} cannot be parsed as a number", v.described()))),
    }
}

fn toboolean(v: Val) -> ValR<Val> {
    match &v {
        Val::Bool(_) => Ok(v),
        Val::Str(s) if &**s == "true" => Ok(Val::Bool(true)),
        Val::Str(s) if &**s == "false" => Ok(Val::Bool(false)),
        _ => Err(error(format!("{} cannot be parsed as a boolean", v.described()))),
    }
}

fn check_path(path: &Val) -> Result<(), value::Error> {
    match path {
        Val::Arr(items) if items.len() > MAX_PATH => Err(error("Path too deep")),
        Val::Arr(_) => Ok(()),
        _ => Err(error("Path must be specified as an array")),
    }
}

fn setpath(root: Val, path: &Val, value: Val) -> ValR<Val> {
    check_path(path)?;
    let Val::Arr(keys) = path else { unreachable!("checked") };
    set_at(root, keys, value)
}

/// `setpath` without recursion (paths may be 10,000 keys long): down the
/// path, taking each child out of its parent (so it is changed in place),
/// then back up, setting each.
fn set_at(root: Val, keys: &[Val], value: Val) -> ValR<Val> {
    let mut parents = Vec::with_capacity(keys.len());
    let mut current = root;
    for (i, key) in keys.iter().enumerate() {
        let child = current.get(key)?;
        let last = i + 1 == keys.len();
        parents.push(if last || matches!(key, Val::Obj(_)) { current } else { current.set(key, Val::Null)? });
        current = child;
    }
    let mut value = value;
    for (parent, key) in parents.into_iter().zip(keys).rev() {
        value = parent.set(key, value)?;
    }
    Ok(value)
}

fn delpaths(root: Val, paths: Val) -> ValR<Val> {
    let Val::Arr(paths) = paths else { return Err(error("Paths must be specified as an array")) };
    let mut paths: Vec<Val> = paths.iter().cloned().collect();
    for path in &paths {
        match path {
            Val::Arr(p) if p.len() > MAX_PATH => return Err(error("Path too deep")),
            Val::Arr(_) => {}
            other => return Err(error(format!("Path must be specified as array, not {}", other.kind()))),
        }
    }
    if paths.is_empty() {
        return Ok(root);
    }
    sort_values(&mut paths)?;
    let paths: Vec<Rc<crate::value::List>> =
        paths.into_iter().map(|p| if let Val::Arr(p) = p { p } else { unreachable!("checked") }).collect();
    if paths[0].is_empty() {
        return Ok(Val::Null);
    }
    let refs: Vec<&[Val]> = paths.iter().map(|p| p.as_slice()).collect();
    delete_sorted(root, &refs)
}

/// Deletes sorted `paths` (none empty) from `root`, deepest parts first,
/// then the keys of this level all at once.
fn delete_sorted(mut root: Val, paths: &[&[Val]]) -> ValR<Val> {
    let mut keys = Vec::new();
    let mut i = 0;
    while i < paths.len() {
        let key = &paths[i][0];
        let mut j = i + 1;
        while j < paths.len() && paths[j][0] == *key {
            j += 1;
        }
        if paths[i].len() == 1 {
            keys.push(key.clone());
        } else {
            let child = root.get(key)?;
            if !matches!(child, Val::Null) {
                let rest: Vec<&[Val]> = paths[i..j].iter().map(|p| &p[1..]).collect();
                let child = delete_sorted(child, &rest)?;
                root = root.set(key, child)?;
            }
        }
        i = j;
    }
    value::delete(root, &keys)
}

fn sort_values(items: &mut [Val]) -> Result<(), value::Error> {
    let mut failed = None;
    items.sort_by(|a, b| {
        a.compare(b).unwrap_or_else(|e| {
            failed = Some(e);
            std::cmp::Ordering::Equal
        })
    });
    failed.map_or(Ok(()), Err)
}

fn sort(v: Val) -> ValR<Val> {
    match v {
        Val::Arr(items) => {
            let mut items = Rc::unwrap_or_clone(items);
            sort_values(&mut items)?;
            Ok(Val::Arr(Rc::new(items)))
        }
        other => Err(error(format!("{} cannot be sorted, as it is not an array", other.described()))),
    }
}

/// The pairs (key, value) of `input` with `keys` (the outputs of `map([f])`), sorted stably by key.
fn sort_by(input: Val, keys: Val) -> Result<Vec<(Val, Val)>, value::Error> {
    let (Val::Arr(items), Val::Arr(keys)) = (&input, &keys) else {
        return Err(match &input {
            Val::Arr(_) => error(format!(
                "{} and {} cannot be sorted, as they are not both arrays",
                input.described(),
                keys.described()
            )),
            other => error(format!("{} cannot be sorted, as it is not an array", other.described())),
        });
    };
    if items.len() != keys.len() {
        return Err(error(format!("{} and {} have wrong length", items.len(), keys.len())));
    }
    if let Some(order) = by_string_prefixes(keys) {
        return Ok(order.into_iter().map(|i| (keys[i].clone(), items[i].clone())).collect());
    }
    let mut pairs: Vec<(Val, Val)> = keys.iter().cloned().zip(items.iter().cloned()).collect();
    let mut failed = None;
    pairs.sort_by(|(a, _), (b, _)| {
        a.compare(b).unwrap_or_else(|e| {
            failed = Some(e);
            std::cmp::Ordering::Equal
        })
    });
    failed.map_or(Ok(pairs), Err)
}

/// The stable sorted order of `keys` when every key is `[string]` (as
/// `sort_by(.name)` and `group_by(.group)` make them), else `None`. The
/// sort compares each string's first eight bytes, gathered in one array,
/// and reads a string again only when two prefixes are equal and one of
/// them is longer: the strings lie scattered over the document's values,
/// and reading them at every comparison was most of such a sort's time
/// (cache misses), in wasm as natively.
fn by_string_prefixes(keys: &[Val]) -> Option<Vec<usize>> {
    let mut keyed: Vec<(u64, &[u8], usize)> = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let Val::Arr(key) = key else { return None };
        let [Val::Str(text)] = key.as_slice() else { return None };
        let bytes = text.as_bytes();
        let mut prefix = [0u8; 8];
        let n = bytes.len().min(8);
        prefix[..n].copy_from_slice(&bytes[..n]);
        keyed.push((u64::from_be_bytes(prefix), bytes, i));
    }
    // Equal prefixes of two strings of at most eight bytes: one is the
    // other followed by zero bytes, so the shorter comes first.
    keyed.sort_by(|(p, a, _), (q, b, _)| {
        p.cmp(q).then_with(|| if a.len() <= 8 && b.len() <= 8 { a.len().cmp(&b.len()) } else { a.cmp(b) })
    });
    Some(keyed.into_iter().map(|(_, _, i)| i).collect())
}

fn group_by(input: Val, keys: Val) -> ValR<Val> {
    let pairs = sort_by(input, keys)?;
    let mut groups: Vec<Val> = Vec::new();
    let mut current: Vec<Val> = Vec::new();
    let mut last: Option<Val> = None;
    for (k, v) in pairs {
        if let Some(previous) = &last
            && previous.compare(&k)? != std::cmp::Ordering::Equal
        {
            groups.push(Val::arr(std::mem::take(&mut current)));
        }
        current.push(v);
        last = Some(k);
    }
    if !current.is_empty() {
        groups.push(Val::arr(current));
    }
    Ok(Val::arr(groups))
}

fn unique_by(input: Val, keys: Val) -> ValR<Val> {
    let pairs = sort_by(input, keys)?;
    let mut out: Vec<Val> = Vec::new();
    let mut last: Option<Val> = None;
    for (k, v) in pairs {
        if let Some(previous) = &last
            && previous.compare(&k)? == std::cmp::Ordering::Equal
        {
            continue;
        }
        out.push(v);
        last = Some(k);
    }
    Ok(Val::arr(out))
}

/// `min_by`/`max_by`: the first smallest, the last largest, as jq picks them.
fn extreme_by(input: Val, keys: Val, largest: bool) -> ValR<Val> {
    let (Val::Arr(items), Val::Arr(keys)) = (&input, &keys) else {
        return Err(error(format!("{} cannot be iterated over", input.described())));
    };
    let mut best: Option<(usize, &Val)> = None;
    for (i, k) in keys.iter().enumerate() {
        let better = match best {
            None => true,
            Some((_, b)) => {
                let o = k.compare(b)?;
                if largest { o.is_ge() } else { o.is_lt() }
            }
        };
        if better {
            best = Some((i, k));
        }
    }
    Ok(best.map_or(Val::Null, |(i, _)| items[i].clone()))
}

fn trim(v: &Val, f: fn(&str) -> &str) -> ValR<Val> {
    match v {
        Val::Str(s) => {
            let t = f(s);
            Ok(if t.len() == s.len() { v.clone() } else { Val::str(t) })
        }
        _ => Err(error("trim input must be a string")),
    }
}

fn implode(v: &Val) -> ValR<Val> {
    let Val::Arr(items) = v else { return Err(error("implode input must be an array")) };
    let mut out = String::with_capacity(items.len());
    for item in items.iter() {
        let Some(x) = item.as_number().filter(|x| !x.is_nan()) else {
            let shown = if item.is_number() { "number (null)".to_owned() } else { item.described() };
            return Err(error(format!("{shown} can't be imploded, unicode codepoint needs to be numeric")));
        };
        let code = x as i64;
        out.push(u32::try_from(code).ok().and_then(char::from_u32).unwrap_or('\u{fffd}'));
    }
    Ok(Val::from(out))
}

fn ascii_case(v: &Val, upper: bool) -> ValR<Val> {
    match v {
        Val::Str(s) => Ok(Val::from(if upper { s.to_ascii_uppercase() } else { s.to_ascii_lowercase() })),
        _ => Err(error("explode input must be a string")),
    }
}

fn strindices(v: &Val, sub: &Val) -> ValR<Val> {
    let Val::Str(s) = v else {
        return Err(error(format!("{} cannot be searched, as it is not a string", v.described())));
    };
    let Val::Str(sub) = sub else { return Err(error(format!("{} is not a string", sub.described()))) };
    if sub.is_empty() {
        return Ok(Val::arr(Vec::new()));
    }
    // Positions in characters, as jq 1.8 counts them.
    Ok(s.char_indices()
        .enumerate()
        .filter(|(_, (byte, _))| s[*byte..].starts_with(&**sub))
        .map(|(chars, _)| Val::from(chars))
        .collect())
}

/// jq 1.8's `join`: null as the empty string, numbers and booleans as text;
/// anything else fails as `+` would.
fn join(v: &Val, sep: &Val) -> ValR<Val> {
    let items = elements(v)?;
    if items.is_empty() {
        return Ok(Val::str(""));
    }
    let sep_text = match sep {
        Val::Str(s) => s.to_string(),
        Val::Null => String::new(),
        other => {
            return Err(error(format!("{} and {} cannot be added", Val::str("").described(), other.described())));
        }
    };
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep_text);
        }
        match item {
            Val::Null => {}
            Val::Str(s) => out.push_str(s),
            Val::Bool(_) | Val::Num(_) | Val::Lit(_) => out.push_str(&item.to_string()),
            other => {
                return Err(error(format!("{} and {} cannot be added", Val::from(out).described(), other.described())));
            }
        }
    }
    Ok(Val::from(out))
}

fn flatten(v: &Val, depth: &Val) -> ValR<Val> {
    let Some(depth) = depth.as_number() else { return Err(error("flatten depth must not be negative")) };
    if depth < 0.0 {
        return Err(error("flatten depth must not be negative"));
    }
    let items = elements(v)?;
    let mut out = Vec::new();
    // An explicit stack: deep arrays do not deepen the call stack.
    let mut stack: Vec<(std::slice::Iter<'_, Val>, f64)> = Vec::new();
    for item in items {
        match item {
            Val::Arr(inner) if depth > 0.0 => stack.push((inner.iter(), depth - 1.0)),
            item => out.push(item.clone()),
        }
        flatten_nested(&mut stack, &mut out);
    }
    Ok(Val::arr(out))
}

/// Empties `stack` of array iterators (each with the depth left) into `out`.
fn flatten_nested<'v>(stack: &mut Vec<(std::slice::Iter<'v, Val>, f64)>, out: &mut Vec<Val>) {
    while let Some((iter, d)) = stack.last_mut() {
        let d = *d;
        match iter.next() {
            None => {
                stack.pop();
            }
            Some(Val::Arr(inner)) if d > 0.0 => stack.push((inner.iter(), d - 1.0)),
            Some(item) => out.push(item.clone()),
        }
    }
}

fn range<'a>(from: Val, upto: Val, by: Val) -> ValXs<'a, Val> {
    let (Some(mut x), Some(to), Some(step)) = (from.as_number(), upto.as_number(), by.as_number()) else {
        return one(Err(error("Range bounds must be numeric")));
    };
    if step > 0.0 {
        Box::new(std::iter::from_fn(move || {
            (x < to).then(|| {
                let v = x;
                x += step;
                Ok(Val::Num(v))
            })
        }))
    } else if step < 0.0 {
        Box::new(std::iter::from_fn(move || {
            (x > to).then(|| {
                let v = x;
                x += step;
                Ok(Val::Num(v))
            })
        }))
    } else {
        Box::new(std::iter::empty())
    }
}

/// `@csv` (strings quoted, `"` doubled) and `@tsv` (tab, line breaks and backslash escaped).
fn table(v: &Val, csv: bool) -> ValR<Val> {
    let Val::Arr(items) = v else {
        let what = if csv {
            "cannot be csv-formatted, only an array can be"
        } else {
            "cannot be tsv-formatted, only an array can be"
        };
        return Err(error(format!("{} {what}", v.described())));
    };
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(if csv { ',' } else { '\t' });
        }
        match item {
            Val::Num(_) | Val::Lit(_) => out.push_str(&item.to_string()),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Null => {}
            Val::Str(s) if csv => {
                out.push('"');
                out.push_str(&s.replace('"', "\"\""));
                out.push('"');
            }
            Val::Str(s) => {
                for c in s.chars() {
                    match c {
                        '\t' => out.push_str("\\t"),
                        '\r' => out.push_str("\\r"),
                        '\n' => out.push_str("\\n"),
                        '\\' => out.push_str("\\\\"),
                        c => out.push(c),
                    }
                }
            }
            other => {
                let what = if csv { "is not valid in a csv row" } else { "is not valid in a tsv row" };
                return Err(error(format!("{} {what}", other.described())));
            }
        }
    }
    Ok(Val::from(out))
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32(s: &str) -> String {
    let mut out = String::new();
    for chunk in s.as_bytes().chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(BASE32[((bits >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base32_decode(s: &str) -> Result<String, value::Error> {
    let mut bits: u64 = 0;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|&c| c != b'=') {
        let Some(d) = BASE32.iter().position(|&b| b == c) else {
            return Err(error(format!("{} is not valid base32 data", Val::str(s).described())));
        };
        bits = (bits << 5) | d as u64;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn bsearch(v: &Val, x: &Val) -> ValR<Val> {
    let Val::Arr(items) = v else { return Err(error(format!("{} cannot be searched from", v.described()))) };
    let (mut lo, mut hi) = (0usize, items.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        match items[mid].compare(x)? {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Ok(Val::from(mid)),
        }
    }
    Ok(Val::Num(-1.0 - lo as f64))
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::{Val, by_string_prefixes};

    /// The prefix sort's order is the stable order of jq's comparison of the keys.
    #[test]
    fn string_prefix_order_is_the_comparison_order() {
        let texts = [
            "beta",
            "alpha",
            "",
            "a",
            "a\0",
            "a\0\0",
            "alpha",
            "alphabet-long",
            "alphabet-lone",
            "alphabet",
            "alphabe",
            "épsilon",
            "zeta",
            "\u{7f}",
            "\u{80}",
            "alphabet-long",
            "alphabet\0",
            "b",
        ];
        let keys: Vec<Val> = texts.iter().map(|t| Val::arr(vec![Val::Str(Rc::from(*t))])).collect();
        let mut expected: Vec<usize> = (0..keys.len()).collect();
        expected.sort_by(|&a, &b| keys[a].compare(&keys[b]).unwrap());
        assert_eq!(by_string_prefixes(&keys), Some(expected));
    }

    /// Keys that are not all `[string]` take the general sort.
    #[test]
    fn other_keys_are_not_sorted_by_prefix() {
        let string = Val::arr(vec![Val::Str(Rc::from("a"))]);
        assert_eq!(by_string_prefixes(&[string.clone(), Val::arr(vec![Val::Num(1.0)])]), None);
        assert_eq!(by_string_prefixes(&[string.clone(), Val::arr(vec![Val::Str(Rc::from("a")), Val::Null])]), None);
        assert_eq!(by_string_prefixes(&[string, Val::Str(Rc::from("a"))]), None);
    }
}
