//! Argo's request parser (what `serve` reads from the network) on random
//! requests: it never panics; a template without `plugin.wasm` is never
//! ours; for a wasm template it answers a step or says what is wrong.

use proptest::prelude::*;
use serde_json::{Value, json};
use wasm_workflows_cli::executor_plugin::request::{Incoming, WasmStep, parse_go_duration, read};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[a-z0-9./:]{0,10}".prop_map(Value::String),
        Just(Value::String("1e20".into())),
        Just(Value::String("99999999999h".into())),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("name".to_owned()),
                        Just("value".to_owned()),
                        Just("s3".to_owned()),
                        Just("key".to_owned()),
                        Just("path".to_owned()),
                        "[a-z]{1,5}"
                    ],
                    inner
                ),
                0..4
            )
            .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// A request shaped like Argo's, with any part replaced by anything.
fn request() -> impl Strategy<Value = Value> {
    (any_json(), any_json(), any_json(), any_json(), any_json(), any_json(), any_json(), 0..8u8).prop_map(
        |(name, module, permissions, option, inputs, outputs, timeout, wasm_shape)| {
            let wasm = match wasm_shape {
                0 => module.clone(),
                _ => json!({"module": {"oci": module}, "permissions": {"http": {"allowed_hosts": permissions}}, "extra": option}),
            };
            json!({
                "workflow": {"metadata": {"name": name, "namespace": "argo", "uid": "u"}},
                "template": {"name": "t", "timeout": timeout, "inputs": inputs, "outputs": outputs, "plugin": {"wasm": wasm}}
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, .. ProptestConfig::default() })]

    #[test]
    fn wasm_requests_never_panic(request in request()) {
        let body = request.to_string();
        match read(body.as_bytes()) {
            Ok(Incoming::Wasm(Ok(parsed))) => { let _ = WasmStep::of(&parsed); }
            Ok(Incoming::Wasm(Err(problem))) => prop_assert!(problem.starts_with("the request has no")),
            Ok(Incoming::NotOurs) => prop_assert!(false, "a wasm template was not ours: {body}"),
            Err(problem) => prop_assert!(false, "{problem}: {body}"),
        }
    }

    #[test]
    fn other_templates_are_never_ours(template in any_json(), workflow in any_json()) {
        prop_assume!(template.pointer("/plugin/wasm").is_none());
        let body = json!({"workflow": workflow, "template": template}).to_string();
        prop_assert!(matches!(read(body.as_bytes()), Ok(Incoming::NotOurs)));
    }

    #[test]
    fn any_bytes_are_answered(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = read(&bytes);
    }

    #[test]
    fn durations_never_panic(text in "[0-9.e+-]{0,30}[a-zµ]{0,3}([0-9.]{0,5}[a-z]{0,2}){0,3}") {
        let _ = parse_go_duration(&text);
    }
}
