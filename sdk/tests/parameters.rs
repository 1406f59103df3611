//! Typed access to parameters and plugin options, as Argo passes them.

use serde::Deserialize;
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::prelude::*;

fn invocation() -> PluginInvocation {
    PluginInvocation::new("wf")
        .with_parameter("count", "42")
        .with_parameter("native_count", 42)
        .with_parameter("flag", "true")
        .with_parameter("native_flag", false)
        .with_parameter("ratio", "0.25")
        .with_parameter("text", "hello")
        .with_parameter("number_as_text", 7)
        .with_parameter("list", "[1, 2, 3]")
        .with_parameter("object", r#"{"a": "1", "b": 2}"#)
        .with_parameter("nothing", Value::Null)
        .with_parameter("word", "forty")
        .with_parameter("big", "300")
        .with_plugin_option("level", 3)
        .with_plugin_option("mode", "fast")
}

#[test]
fn argo_strings_and_json_values_both_work() {
    let inv = invocation();
    assert_eq!(inv.parameter::<u32>("count").unwrap(), 42);
    assert_eq!(inv.parameter::<u32>("native_count").unwrap(), 42);
    assert_eq!(inv.parameter::<i64>("count").unwrap(), 42);
    assert!(inv.parameter::<bool>("flag").unwrap());
    assert!(!inv.parameter::<bool>("native_flag").unwrap());
    assert_eq!(inv.parameter::<f64>("ratio").unwrap(), 0.25);
    assert_eq!(inv.parameter::<String>("text").unwrap(), "hello");
    assert_eq!(inv.parameter::<String>("number_as_text").unwrap(), "7");
    assert_eq!(inv.parameter::<Vec<u8>>("list").unwrap(), [1, 2, 3]);
    let object: std::collections::BTreeMap<String, u32> = inv.parameter("object").unwrap();
    assert_eq!(object.values().copied().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(inv.plugin_option::<u8>("level").unwrap(), 3);
    assert_eq!(inv.plugin_option::<String>("mode").unwrap(), "fast");
}

#[test]
fn optional_and_default_values() {
    let inv = invocation();
    assert_eq!(inv.parameter_opt::<u32>("absent").unwrap(), None);
    assert_eq!(inv.parameter_opt::<u32>("nothing").unwrap(), None, "null counts as absent");
    assert_eq!(inv.parameter_opt::<u32>("count").unwrap(), Some(42));
    assert_eq!(inv.parameter_or("absent", 40usize).unwrap(), 40);
    assert_eq!(inv.parameter_or::<String>("absent", "World").unwrap(), "World");
    assert_eq!(inv.parameter_or::<String>("text", "World").unwrap(), "hello");
    assert_eq!(inv.plugin_option_or("absent", 1u8).unwrap(), 1);
    assert_eq!(inv.parameter_value("count"), Some(&Value::from("42")));
}

#[test]
fn errors_name_the_parameter_and_what_was_expected() {
    let inv = invocation();
    let message = |error: wasm_workflows_sdk::Error| error.to_string();
    assert_eq!(
        message(inv.parameter::<u32>("missing").unwrap_err()),
        "missing required parameter \"missing\" (add it to the template's inputs.parameters)"
    );
    assert_eq!(
        message(inv.plugin_option::<u32>("missing").unwrap_err()),
        "missing required plugin option \"missing\" (add it to the template's plugin.wasm block)"
    );
    assert_eq!(
        message(inv.parameter::<u32>("word").unwrap_err()),
        "parameter \"word\": expected u32, got the string \"forty\""
    );
    assert_eq!(message(inv.parameter::<u8>("big").unwrap_err()), "parameter \"big\": expected u8, got the number 300");
    assert_eq!(
        message(inv.parameter::<bool>("word").unwrap_err()),
        "parameter \"word\": expected a boolean, got the string \"forty\""
    );
    assert_eq!(
        message(inv.parameter::<u32>("ratio").unwrap_err()),
        "parameter \"ratio\": expected u32, got the string \"0.25\""
    );
    assert_eq!(
        message(inv.parameter::<Vec<u8>>("text").unwrap_err()),
        "parameter \"text\": expected a sequence, got the string \"hello\""
    );
    assert_eq!(
        message(inv.parameter::<Vec<u8>>("object").unwrap_err()),
        "parameter \"object\": expected a sequence, got an object"
    );
    assert_eq!(
        message(inv.plugin_option::<bool>("level").unwrap_err()),
        "plugin option \"level\": expected a boolean, got the number 3"
    );
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Inputs {
    text: String,
    #[serde(default = "default_width")]
    width: usize,
    #[serde(default)]
    shout: bool,
    #[serde(default)]
    style: Option<Style>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Style {
    Plain,
    Fancy,
}

fn default_width() -> usize {
    40
}

#[test]
fn all_parameters_into_a_struct() {
    let inv = PluginInvocation::new("wf")
        .with_parameter("text", "hi")
        .with_parameter("shout", "true")
        .with_parameter("style", "fancy");
    let inputs: Inputs = inv.parameters_into().unwrap();
    assert_eq!(inputs, Inputs { text: "hi".into(), width: 40, shout: true, style: Some(Style::Fancy) });
}

#[test]
fn struct_errors_name_the_parameter() {
    let message = |inv: PluginInvocation| inv.parameters_into::<Inputs>().unwrap_err().to_string();
    assert_eq!(
        message(PluginInvocation::new("wf")),
        "missing required parameter \"text\" (add it to the template's inputs.parameters)"
    );
    assert_eq!(
        message(PluginInvocation::new("wf").with_parameter("text", "a").with_parameter("width", "wide")),
        "parameter \"width\": expected usize, got the string \"wide\""
    );
    assert_eq!(
        message(PluginInvocation::new("wf").with_parameter("text", "a").with_parameter("colour", "red")),
        "unknown parameter \"colour\" (this module accepts: text, width, shout, style)"
    );
    assert_eq!(
        message(PluginInvocation::new("wf").with_parameter("text", "a").with_parameter("style", "loud")),
        "parameter \"style\": unknown variant `loud`, expected `plain` or `fancy`"
    );
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Nested {
    headers: std::collections::BTreeMap<String, u16>,
}

#[test]
fn nested_errors_keep_their_path() {
    let inv = PluginInvocation::new("wf").with_parameter("headers", r#"{"ok": 1, "bad": "x"}"#);
    assert_eq!(
        inv.parameters_into::<Nested>().unwrap_err().to_string(),
        "parameter \"headers\": bad: expected u16, got the string \"x\""
    );
}

#[test]
fn unknown_plugin_options_are_refused_on_request() {
    let inv = invocation();
    inv.check_plugin_options(&["level", "mode"]).unwrap();
    assert_eq!(
        inv.check_plugin_options(&["level"]).unwrap_err().to_string(),
        "unknown plugin option \"mode\" (this module accepts: level)"
    );
}
