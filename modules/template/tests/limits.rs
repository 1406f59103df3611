//! A template cannot take the step down: one that makes more text than the
//! step's memory holds, or loops without end, fails the step with a message
//! that names the memory or the fuel (the parameter `fuel`), never a trap,
//! on the core module and on the component.

mod support;

use support::{render, render_within};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::invocation;

/// The start of the message for a template past the step's memory.
const PAST_MEMORY: &str =
    "parameter \"template\", line 1: the template needs more memory than the step has: it used up the ";

#[test]
fn a_template_past_the_steps_memory_fails_with_a_message() {
    let templates = [
        // One string larger than the memory, then larger ones.
        "{% set s = 'x' * 100000000 %}{{ s ~ s ~ s ~ s }}",
        // A string that doubles in a loop.
        "{% set ns = namespace(t='x') %}{% for i in range(40) %}{% set ns.t = ns.t ~ ns.t %}{% endfor %}{{ ns.t }}",
        // Output alone.
        "{% for i in range(100000) %}{% for j in range(1000) %}{{ 'x' * 1000 }}{% endfor %}{% endfor %}",
    ];
    let cases =
        templates.iter().map(|template| (WasmTarget::Wasip1, template)).chain([(WasmTarget::Wasip2, &templates[0])]);
    for (target, template) in cases {
        {
            let message = render_within(target, invocation(&[("template", template)]), &[], Some(48)).failure();
            assert!(message.starts_with(PAST_MEMORY), "{target:?} {template}: {message}");
            assert!(message.contains("MiB of free memory allow"), "{message}");
            assert!(message.ends_with("give the step more memory (or, if a loop or a recursion is endless, end it)"));
        }
    }
}

#[test]
fn the_same_template_renders_with_more_memory() {
    let template = "{% set s = 'x' * 1000000 %}{{ (s ~ s ~ s ~ s)|length }}";
    let small = render_within(WasmTarget::Wasip1, invocation(&[("template", template)]), &[], Some(48));
    assert_eq!(small.text(), "4000000");
    let large = "{% set s = 'x' * 10000000 %}{{ (s ~ s ~ s ~ s)|length }}";
    let message = render_within(WasmTarget::Wasip1, invocation(&[("template", large)]), &[], Some(48)).failure();
    assert!(message.starts_with(PAST_MEMORY), "{message}");
    assert_eq!(
        render_within(WasmTarget::Wasip1, invocation(&[("template", large)]), &[], Some(512)).text(),
        "40000000"
    );
}

#[test]
fn an_endless_loop_ends_when_its_fuel_does() {
    let endless = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
    let hint = "(one per instruction or per 64 bytes of text and lists it makes): is a loop or a recursion endless? \
                A template that needs more can raise the parameter \"fuel\"";
    for target in [WasmTarget::Wasip1, WasmTarget::Wasip2] {
        let message = render_within(target, invocation(&[("template", endless)]), &[], None).failure();
        assert_eq!(message, format!("parameter \"template\", line 1: the template used up its 20000000 fuel {hint}"));
    }
    // The parameter sets the fuel, both ways.
    let small = render(&[("template", endless), ("fuel", "1000")], &[]).failure();
    assert_eq!(small, format!("parameter \"template\", line 1: the template used up its 1000 fuel {hint}"));
    let counted = "{% for i in range(100000) %}{% endfor %}done";
    assert_eq!(render(&[("template", counted)], &[]).text(), "done");
    let too_little = render(&[("template", counted), ("fuel", "50000")], &[]).failure();
    assert!(too_little.contains("used up its 50000 fuel"), "{too_little}");
    // A macro that calls itself meets the engine's recursion limit first.
    let recursive = render(&[("template", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")], &[]).failure();
    assert_eq!(recursive, "parameter \"template\", line 1: invalid operation: recursion limit exceeded");
    // A fuel that is not a number is named.
    let bad = render(&[("template", "x"), ("fuel", "lots")], &[]).failure();
    assert!(bad.contains("\"fuel\""), "{bad}");
}
