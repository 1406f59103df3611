//! `json::to_value` and `json::from_value`: any serde type into and out of
//! the SDK's `Value`, exactly (numbers keep their text).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wasm_workflows_sdk::json::{self, Value};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Kind {
    Plain,
    Sized(u32),
    Box { width: u32, height: u32 },
    Pair(i8, i8),
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Everything {
    text: String,
    count: u64,
    negative: i32,
    ratio: f64,
    flag: bool,
    nothing: Option<u8>,
    list: Vec<Kind>,
    map: BTreeMap<u16, String>,
    raw: Value,
    ch: char,
    unit: (),
}

fn everything() -> Everything {
    Everything {
        text: "tab\t\"quoted\" é".into(),
        count: u64::MAX,
        negative: -7,
        ratio: 1.5e-3,
        flag: true,
        nothing: None,
        list: vec![Kind::Plain, Kind::Sized(3), Kind::Box { width: 1, height: 2 }, Kind::Pair(-1, 1)],
        map: BTreeMap::from([(1, "one".into()), (20, "twenty".into())]),
        raw: json::parse(r#"{"exact": 1.5, "big": 12345678901234567890}"#).unwrap(),
        ch: 'x',
        unit: (),
    }
}

#[test]
fn a_struct_round_trips_through_value() {
    let value = json::to_value(&everything()).unwrap();
    assert_eq!(
        value.to_string(),
        concat!(
            r#"{"text":"tab\t\"quoted\" é","count":18446744073709551615,"negative":-7,"ratio":0.0015,"flag":true,"#,
            r#""nothing":null,"list":["Plain",{"Sized":3},{"Box":{"width":1,"height":2}},{"Pair":[-1,1]}],"#,
            r#""map":{"1":"one","20":"twenty"},"raw":{"exact":1.5,"big":12345678901234567890},"#,
            r#""ch":"x","unit":null}"#
        ),
        "a Value inside keeps its numbers' text"
    );
    let back: Everything = json::from_value(&value).unwrap();
    assert_eq!(back, everything());

    // A `Value` read back through serde keeps integers exactly and reads
    // other numbers as f64.
    let numbers = json::parse(r#"[1.50, 123456789012345678901234567890, -3]"#).unwrap();
    assert_eq!(json::to_value(&numbers).unwrap().to_string(), "[1.50,123456789012345678901234567890,-3]");
    assert_eq!(json::from_value::<Value>(&numbers).unwrap().to_string(), "[1.5,1.2345678901234568e29,-3]");
}

#[test]
fn from_value_reads_plain_json_and_names_the_field() {
    let text_number = json::parse(r#"{"count": "42"}"#).unwrap();
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Count {
        count: u32,
    }
    assert_eq!(
        json::from_value::<Count>(&text_number).unwrap_err().to_string(),
        "count: expected u32, got the string \"42\""
    );
    let nested = json::parse(r#"{"list": ["Plain", {"Sized": -1}]}"#).unwrap();
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Nested {
        list: Vec<Kind>,
    }
    assert_eq!(
        json::from_value::<Nested>(&nested).unwrap_err().to_string(),
        "list.[1]: expected u32, got the number -1"
    );
    assert_eq!(json::from_value::<Value>(&nested).unwrap(), nested);
}

#[test]
fn what_json_cannot_hold() {
    assert_eq!(json::to_value(&f64::NAN).unwrap(), Value::Null);
    let error = json::to_value(&BTreeMap::from([((1, 2), "x")])).unwrap_err();
    assert_eq!(error.to_string(), "a map key must be a string, a number or a boolean, not an array of 2 elements");
}
