//! The SDK's JSON parser (it reads `input.json` in every module) against
//! serde_json: on random documents, and on valid ones mutated a byte at a
//! time, both accept the same texts, and what they accept they read alike.

use proptest::prelude::*;
use serde_json::Value as Json;
use wasm_workflows_sdk::json::{self, MAX_DEPTH, Value};

/// Whether the SDK's value reads as serde_json's: numbers as the same f64
/// within rounding (serde_json's default float parsing may be one unit in the
/// last place off; the SDK keeps the number's text), and of repeated keys the
/// last, as serde_json keeps it.
fn same(ours: &Value, theirs: &Json) -> bool {
    match (ours, theirs) {
        (Value::Null, Json::Null) => true,
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Number(a), Json::Number(b)) => {
            let (a, b) =
                (a.as_str().parse::<f64>().expect("a number the SDK accepted"), b.as_f64().unwrap_or(f64::NAN));
            a == b || (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs())
        }
        (Value::String(a), Json::String(b)) => a == b,
        (Value::Array(a), Json::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b)),
        (Value::Object(members), Json::Object(map)) => {
            let mut last: Vec<(&String, &Value)> = Vec::new();
            for (key, value) in members {
                last.retain(|(known, _)| *known != key);
                last.push((key, value));
            }
            last.len() == map.len() && last.iter().all(|(key, value)| map.get(*key).is_some_and(|v| same(value, v)))
        }
        _ => false,
    }
}

fn depth(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for c in text.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_string = false,
            (false, _, '"') => in_string = true,
            (false, _, '[' | '{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn agree(text: &str) {
    let ours = json::parse(text);
    let theirs = serde_json::from_str::<Json>(text);
    // Both refuse nesting past their limits (ours is MAX_DEPTH, serde_json's 128).
    if depth(text) >= MAX_DEPTH {
        return;
    }
    match (&ours, &theirs) {
        (Ok(ours), Ok(theirs)) => {
            assert!(same(ours, theirs), "read differently: {text:?}: ours {ours:?}, serde_json {theirs:?}");
            // What the SDK writes, serde_json reads back the same.
            let written: Json = serde_json::from_str(&ours.to_string()).expect("the SDK writes valid JSON");
            assert!(same(ours, &written), "written differently: {text:?}: {}", ours);
        }
        (Err(_), Err(_)) => {}
        // JSON's grammar has no limit on a number's size; serde_json refuses
        // one past f64, the SDK keeps its text (RFC 8259 §6 allows both).
        (Ok(_), Err(error)) if error.to_string().starts_with("number out of range") => {}
        (ours, theirs) => panic!("disagree on {text:?}: ours {ours:?}, serde_json {theirs:?}"),
    }
}

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Json::from),
        ".{0,12}".prop_map(Json::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((".{0,6}", inner), 0..6)
                .prop_map(|members| Json::Object(members.into_iter().collect())),
        ]
    })
}

/// Bytes JSON is made of, so random texts are often nearly JSON.
fn json_ish() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(","),
        Just(":"),
        Just("\""),
        Just("\\"),
        Just("\\u"),
        Just("d83d"),
        Just("de00"),
        Just("0"),
        Just("-"),
        Just("1"),
        Just("."),
        Just("e"),
        Just("E+"),
        Just("true"),
        Just("nul"),
        Just("null"),
        Just(" "),
        Just("\n"),
        Just("a"),
        Just("é"),
        Just("\u{0}"),
        Just("\u{7f}"),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, .. ProptestConfig::default() })]

    #[test]
    fn random_texts(text in json_ish()) {
        agree(&text);
    }

    #[test]
    fn valid_documents_read_alike(value in json_value()) {
        agree(&value.to_string());
        agree(&serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn mutated_documents(value in json_value(), at in any::<prop::sample::Index>(), byte in any::<u8>(), how in 0..3u8) {
        let mut bytes = value.to_string().into_bytes();
        let i = at.index(bytes.len() + 1);
        match how {
            0 if i < bytes.len() => bytes[i] = byte,
            1 => bytes.insert(i, byte),
            _ if i < bytes.len() => { bytes.remove(i); }
            _ => bytes.push(byte),
        }
        if let Ok(text) = String::from_utf8(bytes) {
            agree(&text);
        }
    }
}
