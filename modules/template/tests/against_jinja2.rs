//! The corpus (tests/corpus/*.j2) rendered by the module and by Python's
//! jinja2 (tests/jinja2_reference.py, PyPI's `jinja2`) with the same
//! context (tests/corpus/context.json) and includable templates
//! (tests/corpus/include/), compared byte for byte. A case jinja2 refuses
//! (an undefined variable under `StrictUndefined`, a syntax error) must
//! fail the step. The cases that differ are listed, with the reason, in
//! tests/corpus/jinja2-differences.txt: a case that starts to differ, or a
//! listed one that starts to agree, fails the test until the list says so.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::{Artifact, render};
use wasm_workflows_sdk::json::{self, Value};
use wasm_workflows_sdk::protocol::Phase;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// A case: its name (the file's stem), its text and its options, from a
/// first line `{# options: trim_blocks=true undefined=lenient #}`.
struct Case {
    name: String,
    template: String,
    options: Vec<(String, String)>,
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "j2"))
        .map(|path| {
            let template = std::fs::read_to_string(&path).unwrap();
            let options = template
                .strip_prefix("{# options: ")
                .and_then(|rest| rest.split_once(" #}"))
                .map(|(list, _)| {
                    list.split_whitespace()
                        .map(|pair| {
                            let (name, value) = pair.split_once('=').expect("options are name=value");
                            (name.to_owned(), value.to_owned())
                        })
                        .collect()
                })
                .unwrap_or_default();
            Case { name: path.file_stem().unwrap().to_string_lossy().into_owned(), template, options }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// The templates cases may include: file name and text.
fn includes() -> Vec<(String, String)> {
    let mut includes: Vec<(String, String)> = std::fs::read_dir(corpus().join("include"))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    includes.sort();
    includes
}

/// What jinja2 gives for each case: `Ok(output)` or `Err(its error)`, and
/// jinja2's version.
fn jinja2_results(
    cases: &[Case],
    context: &str,
    includes: &[(String, String)],
) -> (String, BTreeMap<String, Result<String, String>>) {
    let option_value = |name: &str, value: &str| match name {
        "undefined" => Value::from(value),
        _ => Value::from(value == "true"),
    };
    let request = Value::Object(vec![
        ("context".into(), json::parse(context).unwrap()),
        (
            "includes".into(),
            Value::Object(includes.iter().map(|(n, t)| (n.clone(), Value::from(t.as_str()))).collect()),
        ),
        (
            "cases".into(),
            Value::Array(
                cases
                    .iter()
                    .map(|case| {
                        Value::Object(vec![
                            ("name".into(), Value::from(case.name.as_str())),
                            ("template".into(), Value::from(case.template.as_str())),
                            (
                                "options".into(),
                                Value::Object(
                                    case.options.iter().map(|(n, v)| (n.clone(), option_value(n, v))).collect(),
                                ),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ),
    ]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jinja2_reference.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run python3, which runs the reference jinja2 ({e}): run scripts/setup.sh"));
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), request.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the jinja2 reference failed (scripts/setup.sh installs jinja2): {stderr}");
    let answer = json::parse(std::str::from_utf8(&output.stdout).unwrap()).unwrap();
    let version = answer.get("jinja2").and_then(Value::as_str).unwrap().to_owned();
    let results = answer
        .get("results")
        .and_then(Value::as_object)
        .unwrap()
        .iter()
        .map(|(name, result)| {
            let result = match (result.get("output"), result.get("error")) {
                (Some(output), _) => Ok(output.as_str().unwrap().to_owned()),
                (_, Some(error)) => Err(error.as_str().unwrap().to_owned()),
                _ => panic!("no output or error for {name}"),
            };
            (name.clone(), result)
        })
        .collect();
    (version, results)
}

/// The listed differences: case name and reason.
fn listed_differences() -> BTreeMap<String, String> {
    std::fs::read_to_string(corpus().join("jinja2-differences.txt"))
        .unwrap()
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, reason) = line.split_once(':').unwrap_or_else(|| panic!("not `case: reason`: {line}"));
            (name.trim().to_owned(), reason.trim().to_owned())
        })
        .collect()
}

#[test]
fn the_corpus_renders_as_jinja2_renders_it() {
    let cases = cases();
    assert!(cases.len() >= 110, "only {} cases", cases.len());
    let context = std::fs::read_to_string(corpus().join("context.json")).unwrap();
    let includes = includes();
    let (version, expected) = jinja2_results(&cases, &context, &includes);
    let listed = listed_differences();
    let mut differing = BTreeMap::new();
    let (mut same, mut failing_alike) = (0, 0);
    for case in &cases {
        let mut artifacts: Vec<Artifact> = vec![
            ("template", "/template.j2", case.template.as_bytes()),
            ("context", "/context.json", context.as_bytes()),
        ];
        let paths: Vec<String> = includes.iter().map(|(name, _)| format!("/include/{name}")).collect();
        for ((name, text), path) in includes.iter().zip(&paths) {
            artifacts.push((name, path, text.as_bytes()));
        }
        let parameters: Vec<(&str, &str)> = case.options.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let rendered = render(&parameters, &artifacts);
        let ours = match rendered.node.phase {
            Phase::Succeeded => Ok(rendered.text()),
            _ => Err(rendered.failure()),
        };
        match (&expected[&case.name], &ours) {
            (Ok(theirs), Ok(ours)) if theirs == ours => same += 1,
            (Err(_), Err(_)) => failing_alike += 1,
            (theirs, ours) => {
                differing.insert(case.name.clone(), format!("{}\n  jinja2: {theirs:?}\n  module: {ours:?}", case.name));
            }
        }
    }
    let unlisted: Vec<&String> =
        differing.iter().filter(|(name, _)| !listed.contains_key(*name)).map(|(_, d)| d).collect();
    let agreeing: Vec<&String> = listed.keys().filter(|name| !differing.contains_key(*name)).collect();
    assert!(
        unlisted.is_empty() && agreeing.is_empty(),
        "jinja2 {version}: {same} of {} cases render the same, {failing_alike} fail in both, {} differ.\n\
         Differing but not listed in tests/corpus/jinja2-differences.txt:\n{}\n\
         Listed but no longer differing (remove them from the list): {agreeing:?}",
        cases.len(),
        differing.len(),
        unlisted.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n"),
    );
    println!(
        "jinja2 {version}: {same} of {} cases render the same byte for byte, {failing_alike} fail in both, {} listed differences",
        cases.len(),
        differing.len()
    );
}
