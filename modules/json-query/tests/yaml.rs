//! YAML in and out, through the compiled `.wasm`, checked against Debian's
//! `yq` (a jq wrapper that reads and writes YAML; `scripts/setup.sh`
//! installs it): the same filters give the same outputs on a set of
//! Kubernetes manifests (tests/data/manifests.yaml, four documents:
//! Deployment, Service, ConfigMap with anchors and a literal block,
//! CronJob in flow style); the manifests written back as YAML read, with
//! yq, as the same values in the same key order; values that YAML could
//! read as something else (`"yes"`, `"1.5"`, `"a: b"`) come back as the
//! same strings; JSON lines are read line by line; and the example yq's own
//! README gives (its `-y` run on a CloudFormation fragment, read from the
//! README Debian installs with yq) comes out as the README shows it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{failure_of, json_query, json_query_on_file, result_of};

fn manifests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/manifests.yaml")
}

/// yq's output for `args` (its compact JSON or raw lines).
fn yq(args: &[&str], file: &Path) -> String {
    let output = Command::new("yq")
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run yq ({e}): install it with `apt-get install yq` (scripts/setup.sh)"));
    assert!(output.status.success(), "yq {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim_end_matches('\n').to_owned()
}

/// The module's raw output (`jq -r -c`'s) for `filter` on YAML `document`.
fn module_raw(filter: &str, document: &[u8]) -> String {
    result_of(&json_query_on_file(&[("query", filter), ("input_format", "yaml"), ("output_format", "raw")], document))
}

/// Filters a workflow runs on Kubernetes manifests.
const FILTERS: &[&str] = &[
    ".",
    ".kind",
    "select(.kind == \"Deployment\") | .spec.template.spec.containers[] | .image",
    ".metadata | keys_unsorted",
    "[.. | scalars] | length",
    "select(.kind == \"ConfigMap\") | .data | to_entries[] | \"\\(.key)=\\(.value | tojson)\"",
    "select(.kind == \"ConfigMap\") | .data.script",
    "select(.kind == \"Service\") | .spec.ports | map(.port)",
    "select(.kind == \"CronJob\") | .spec.jobTemplate.spec.template.spec | del(.containers)",
    ".metadata.labels // {} | with_entries(.value |= ascii_upcase)",
    "paths(type == \"number\") | join(\".\")",
];

#[test]
fn yaml_filters_agree_with_yq() {
    let file = manifests();
    let document = std::fs::read(&file).unwrap();
    for filter in FILTERS {
        assert_eq!(module_raw(filter, &document), yq(&["-r", "-c", filter], &file), "filter {filter}");
    }
}

#[test]
fn manifests_round_trip_with_their_key_order() {
    let file = manifests();
    let node = json_query_on_file(
        &[("query", "."), ("input_format", "yaml"), ("output_format", "yaml")],
        &std::fs::read(&file).unwrap(),
    );
    assert_eq!(node.message, "the query gave 4 outputs, returned as 4 YAML documents");
    let written = result_of(&node);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("written.yaml");
    std::fs::write(&copy, &written).unwrap();
    // Compact JSON keeps the key order: equal text is equal values in the same order.
    assert_eq!(yq(&["-c", "."], &copy), yq(&["-c", "."], &file), "written:\n{written}");
    assert!(
        written.starts_with("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx-deployment\n"),
        "{written}"
    );
    assert!(written.contains("\n          args:\n            - --flag\n            - \"yes\"\n"), "{written}");
    assert!(written.contains("  script: |-\n    #!/bin/sh\n    echo \"start\"\n\n    exit 0\n"), "{written}");
    assert!(written.contains("\n---\napiVersion: v1\nkind: Service\n"), "{written}");
}

/// The indented block (`::` in reStructuredText) after the first line of
/// `text` that contains `after`, without its indentation.
fn literal_block_after(text: &str, after: &str) -> String {
    let mut lines = text.lines().skip_while(|line| !line.contains(after));
    lines.next().unwrap_or_else(|| panic!("yq's README has no line with {after:?}"));
    // Up to the `::` that opens the block (the sentence may go on over several lines).
    for line in lines.by_ref() {
        if line.ends_with("::") {
            break;
        }
    }
    let block: Vec<&str> = lines
        .skip_while(|line| line.trim().is_empty())
        .take_while(|line| line.is_empty() || line.starts_with("    "))
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .collect();
    let block = block.join("\n");
    assert!(!block.trim().is_empty(), "yq's README has no block after {after:?}");
    format!("{}\n", block.trim_end())
}

/// yq's README (kislyuk/yq 3.1.0, as Debian's `yq` installs it): "Passing
/// this document through `yq -y .Resources.ElasticLoadBalancer` will drop
/// custom tags, such as `!Ref`, and styles, such as the folded style of the
/// `Description` field", followed by the output it shows.
#[test]
fn yq_readme_example_gives_what_the_readme_shows() {
    let readme = Command::new("zcat")
        .arg("/usr/share/doc/yq/README.rst.gz")
        .output()
        .unwrap_or_else(|e| panic!("cannot run zcat ({e})"));
    assert!(readme.status.success(), "yq's README is missing: install it with `apt-get install yq` (scripts/setup.sh)");
    let readme = String::from_utf8(readme.stdout).unwrap();
    let document = literal_block_after(&readme, "consider the following");
    assert!(document.contains("!GetAZs ''") && document.contains("Description: >-"), "{document}");
    let shown = literal_block_after(&readme, "Passing this document through ``yq -y .Resources.ElasticLoadBalancer``");
    let query = ".Resources.ElasticLoadBalancer";

    let written = result_of(&json_query_on_file(
        &[("query", query), ("input_format", "yaml"), ("output_format", "yaml")],
        document.as_bytes(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let (ours, theirs) = (dir.path().join("ours.yaml"), dir.path().join("shown.yaml"));
    std::fs::write(&ours, &written).unwrap();
    std::fs::write(&theirs, &shown).unwrap();
    // The same values in the same key order, tags dropped: `!GetAZs ''` is "", `!Ref Ec2Instance1` the string.
    assert_eq!(yq(&["-c", "."], &ours), yq(&["-c", "."], &theirs), "written:\n{written}\nshown:\n{shown}");
    assert!(written.contains("  AvailabilityZones: \"\"\n  Instances:\n    - Ec2Instance1\n"), "{written}");
    // The folded block is one line break between its two sentences; the module writes it as a literal block.
    assert!(
        written.ends_with(
            "  Description: |-\n    Load balancer for Big Important Service.\n    Good thing it's managed by this template.\n"
        ),
        "{written}"
    );
    // yq itself gives that output today.
    let file = dir.path().join("document.yaml");
    std::fs::write(&file, &document).unwrap();
    assert_eq!(format!("{}\n", yq(&["-y", query], &file)), shown);
}

#[test]
fn strings_yaml_could_misread_come_back_as_strings() {
    let tricky = r##"{"a":["yes","No","on","1.5","0755","-1","1e3",".inf","null","~","","  lead","trail ","a: b","a #b","#c",
        "- x","-x","[x]","{x}","*x","&x","!x","|x",">x","%x","@x","`x","'q'","\"q\"","two\nlines\n","end\n\n\n",
        "tab\there","é ☃ 😄","2024-01-01","12:30",":x","x:"],"":{"nested":[[],{},[[1]],null,true]}}"##;
    let written = result_of(&json_query(&[("query", "."), ("json", tricky), ("output_format", "yaml")]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tricky.yaml");
    std::fs::write(&file, &written).unwrap();
    let expected = result_of(&json_query(&[("query", "."), ("json", tricky)]));
    assert_eq!(yq(&["-c", "."], &file), expected, "written:\n{written}");
}

#[test]
fn yaml_streams_and_json_lines_are_inputs_one_after_another() {
    let stream = b"a: 1\n---\na: 2\n---\n- 3\n---\nx\n";
    assert_eq!(module_raw("[., input]", stream), "[{\"a\":1},{\"a\":2}]\n[[3],\"x\"]");
    assert_eq!(module_raw("[inputs]", stream), "[{\"a\":2},[3],\"x\"]");
    let lines = "{\"a\": 1}\n\n{\"a\": 2}\n";
    assert_eq!(result_of(&json_query(&[("query", ".a"), ("json", lines), ("input_format", "ndjson")])), "[1,2]");
}

#[test]
fn bad_formats_and_documents_fail_with_a_message() {
    let failure = |parameters: &[(&str, &str)]| failure_of(json_query(parameters));
    assert_eq!(
        failure(&[("query", "."), ("json", "1"), ("input_format", "xml")]),
        "parameter \"input_format\" must be \"json\", \"ndjson\" or \"yaml\", not \"xml\""
    );
    assert_eq!(
        failure(&[("query", "."), ("json", "1"), ("output_format", "toml")]),
        "parameter \"output_format\" must be \"json\", \"raw\" or \"yaml\", not \"toml\""
    );
    assert_eq!(
        failure(&[("query", "."), ("json", "1"), ("output_format", "yaml"), ("raw", "true")]),
        "parameters \"raw\" and \"output_format\" disagree: raw=true is output_format=raw; give one of them"
    );
    let message = failure(&[("query", "."), ("json", "a: [1, 2\nb: 3\n"), ("input_format", "yaml")]);
    assert!(message.starts_with("parameter \"json\": malformed YAML at line "), "{message}");
    let message = failure(&[("query", "."), ("json", "{\"a\": 1}\n{\"a\": 2} 3\n"), ("input_format", "ndjson")]);
    assert!(message.starts_with("parameter \"json\": malformed JSON at line 2"), "{message}");
    assert_eq!(
        failure(&[("query", "."), ("json", "# nothing\n"), ("input_format", "yaml")]),
        "parameter \"json\": expected a YAML document, got none"
    );
}
