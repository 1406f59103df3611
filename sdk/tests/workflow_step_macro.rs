//! `#[workflow_step]`: accepted signatures compile and run; each misuse is a
//! compile error at the offending token (`TRYBUILD=overwrite` regenerates
//! the `.stderr` files after a compiler upgrade).

#[test]
fn workflow_step_signatures() {
    // The pass cases run as programs: give them a work directory with an input.
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("input.json"), r#"{"workflow_name":"ui","plugin_options":[],"parameters":[]}"#)
        .unwrap();
    // SAFETY: set before trybuild starts any process; this test is alone in its binary.
    unsafe { std::env::set_var(wasm_workflows_sdk::workdir::ROOT_ENV, work.path()) };

    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
